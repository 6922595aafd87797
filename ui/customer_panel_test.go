package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// waitSettled waits until a job has settled a customer (provisioned, with
// errors or not) and returns it.
func waitSettled(t testing.TB, en *hubEnv, act *tenantry.Actor, id string) *tenantry.Customer {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := en.db.Customer(context.Background(), act, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status.Settled() {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s is %s after %v", id, c.Status, waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPanelNoticesInAdminsLanguage: the errors and warnings a job recorded
// on a customer's packages, and on the customer, read in the admin's
// language on the customer's panel (beside the list and on its own page),
// as the API reads them; so do notices stored as English text before
// reasons were kept, while a notice Tenantry cannot recognise keeps its text.
func TestPanelNoticesInAdminsLanguage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		tr, err := locale.New()
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		act := a.actor(t, en)
		tpl, err := en.db.Template(ctx, act, strings.TrimPrefix(a.createTemplate(t, "Gold"), "/templates/"))
		if err != nil {
			t.Fatal(err)
		}
		info := func(ext string) *tenantry.CustomerInfo {
			return &tenantry.CustomerInfo{Name: "Customer " + ext, PrimaryEmail: "admin@" + strings.ToLower(ext) + ".example", Language: "en"}
		}
		// Webex Meetings alone with no meetings time zone: a warning.
		us := tenantry.Address{Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}
		meet, err := en.db.CreateCustomer(ctx, act, &tenantry.CustomerInput{ProvisioningID: tpl.ProvisioningID, Packages: []string{"webex_meetings"},
			ExternalID: "MEET-1", Address: &us, Info: info("MEET-1")})
		if err != nil {
			t.Fatal(err)
		}
		// Calling in Egypt, where it is not offered: an error on the package.
		eg := tenantry.Address{Line1: "1 Tahrir Square", City: "Cairo", Country: "EG"}
		call, err := en.db.CreateCustomer(ctx, act, &tenantry.CustomerInput{ProvisioningID: tpl.ProvisioningID, Packages: []string{"webex_calling", "webex_meetings"},
			ExternalID: "EG-1", Address: &eg, Info: info("EG-1"),
			Calling: &tenantry.CallingLocation{Name: "Head Office", Address: eg, TimeZone: "Africa/Cairo", Language: "en_us"}})
		if err != nil {
			t.Fatal(err)
		}
		if c := waitSettled(t, en, act, meet.ID); c.Status != tenantry.StatusProvisioned || len(c.Packages[0].Warnings) != 1 {
			t.Fatalf("meetings customer: %s, packages %+v", c.Status, c.Packages)
		}
		if c := waitSettled(t, en, act, call.ID); c.Status != tenantry.StatusProvisionedWithErrors {
			t.Fatalf("Egyptian customer: %s, packages %+v", c.Status, c.Packages)
		}

		utc := tenantry.MeetingsTimeZoneNotice().Description
		notOffered := tenantry.CallingUnavailableNotice("EG").Description
		check := func(when string) {
			t.Helper()
			for _, lang := range []string{"ko", "ar", "sv"} {
				a.post("/language", url.Values{"lang": {lang}, "next": {"/customers"}}).must(t, 303)
				for _, path := range []string{"/customers/" + meet.ID, "/customers?selected=" + meet.ID} {
					a.get(path).must(t, 200).contains(t, html.EscapeString(tr.Message(lang, tenantry.ReasonMeetingsUTC, nil))).lacks(t, utc)
				}
				for _, path := range []string{"/customers/" + call.ID, "/customers?selected=" + call.ID} {
					p := a.get(path).must(t, 200).contains(t, html.EscapeString(tr.Message(lang, tenantry.ReasonCallingNotOffered, map[string]string{"country": "EG"}))).lacks(t, notOffered)
					if name := locale.CountryName(lang, "EG"); !strings.Contains(p.Body, html.EscapeString(name)) {
						t.Errorf("%s, %s %s: the error does not name %s", when, lang, path, name)
					}
				}
			}
		}
		check("stored as reasons")

		// Rows written before reasons were kept: English text alone; and a
		// customer-level error of each kind.
		strip := func(ns []tenantry.Notice) []tenantry.Notice {
			out := make([]tenantry.Notice, len(ns))
			for i, n := range ns {
				out[i] = tenantry.Notice{Code: n.Code, Description: n.Description}
			}
			return out
		}
		for _, id := range []string{meet.ID, call.ID} {
			c, err := en.db.Customer(ctx, act, id)
			if err != nil {
				t.Fatal(err)
			}
			for i := range c.Packages {
				c.Packages[i].Errors, c.Packages[i].Warnings = strip(c.Packages[i].Errors), strip(c.Packages[i].Warnings)
			}
			pkgs := make([]map[string]any, len(c.Packages))
			for i, p := range c.Packages {
				pkgs[i] = map[string]any{"name": p.Name, "status": p.Status, "errors": p.Errors, "warnings": p.Warnings, "licenseIds": p.LicenseIDs}
			}
			rawPkgs, _ := json.Marshal(pkgs)
			rawErrs, _ := json.Marshal([]tenantry.Notice{tenantry.AttachRejectedNotice("org-nile"), strip([]tenantry.Notice{tenantry.AttachRejectedNotice("org-delta")})[0],
				{Code: tenantry.NoticeJobFailed, Description: "upstream timeout"}})
			if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `UPDATE customers SET packages = ?, errors = ? WHERE id = ?`), string(rawPkgs), string(rawErrs), id); err != nil {
				t.Fatal(err)
			}
		}
		check("stored as English text")
		a.post("/language", url.Values{"lang": {"ko"}, "next": {"/customers"}}).must(t, 303)
		for _, path := range []string{"/customers/" + call.ID, "/customers?selected=" + meet.ID} {
			a.get(path).must(t, 200).contains(t,
				html.EscapeString(tr.Message("ko", tenantry.ReasonAttachRejected, map[string]string{"id": "org-nile"})),
				html.EscapeString(tr.Message("ko", tenantry.ReasonAttachRejected, map[string]string{"id": "org-delta"})),
				"upstream timeout").lacks(t, "The customer admin rejected")
		}
	})
}
