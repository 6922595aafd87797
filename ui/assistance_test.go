package ui_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// assistAdminOf adds an admin of role to an existing partner and signs it
// in (through a sign-in link, as a new admin would).
func (en *hubEnv) assistAdminOf(t testing.TB, partnerID, email, role string) *admin {
	t.Helper()
	ctx := context.Background()
	id := "assist-admin-" + strings.NewReplacer("@", "-", ".", "-").Replace(email)
	if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		id, partnerID, email, "Test "+role, role, "en", time.Now().UnixMicro()); err != nil {
		t.Fatal(err)
	}
	token, err := en.db.CreateSignInLink(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b := en.browser(t)
	b.post("/link/"+token, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(t, 303)
	return &admin{browser: b, partnerID: partnerID, adminID: id, email: email}
}

// assistActor is the actor of a partner's full admin, for writing through
// the services directly.
func (en *hubEnv) assistActor(t testing.TB, a *admin) *tenantry.Actor {
	t.Helper()
	actor, err := en.db.ResolveActor(context.Background(), &tenantry.Principal{PartnerID: a.partnerID, AdminID: a.adminID, Scopes: tenantry.AllScopes}, "")
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

var assistRequestPath = regexp.MustCompile(`^/assistance/[A-Za-z0-9_-]+$`)

// assistDate is a preferred day a week ahead: the store validates with
// its own clock, the real one.
var assistDate = time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)

func assistForm(name string) url.Values {
	return url.Values{"contactName": {name}, "contactEmail": {"bo@plain.example"}, "contactPhone": {"+1 512 555 0100"},
		"topic": {"numbers", "sso"}, "details": {"Port 40 numbers\r\nfrom the old carrier"}, "preferredDate": {assistDate}, "preferredWindow": {"morning"}}
}

// TestAssistanceRequest: a writer requests setup assistance on a
// customer's tab; bad input comes back next to its fields with the input
// kept; without an operations address the request is stored and the page
// says it could not be mailed; setting the address mails it to that
// address; the hub lists it with its state.
func TestAssistanceRequest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		cust := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
		tab := "/customers/" + cust + "/assistance"

		p := a.get(tab).must(t, 200)
		p.contains(t, "Request setup assistance", `action="`+tab+`"`, `name="topic" value="numbers"`, `href="/settings/partner#f-operationsEmail"`,
			`value="admin@p-1.example"`, "No assistance has been requested for this customer yet.", `aria-current="page">Request assistance`)

		// Bad input: 400, each problem next to its field, the input kept.
		bad := url.Values{"contactName": {"Bo Berg"}, "contactEmail": {"nope"}, "contactPhone": {"call me"}, "preferredDate": {"2020-01-01"}, "preferredWindow": {"noon"}}
		p = a.post(tab, bad).must(t, 400)
		p.contains(t, `value="Bo Berg"`, `value="call me"`, `value="2020-01-01"`, "error-summary")
		for id, want := range map[string]string{
			"f-contactEmail":    "Contact email is not a valid email address.",
			"f-contactPhone":    "is not a phone number",
			"f-topics":          "choose at least one topic or describe the help needed",
			"f-preferredDate":   "has already passed",
			"f-preferredWindow": "is not a valid value",
		} {
			if e := p.fieldError(t, id); !strings.Contains(e, want) {
				t.Errorf("error next to %s: %q, want %q", id, e, want)
			}
		}
		// The ticked topics are kept too.
		keep := assistForm("")
		p = a.post(tab, keep).must(t, 400)
		p.contains(t, `value="sso" checked`, "Port 40 numbers")
		if e := p.fieldError(t, "f-contactName"); !strings.Contains(e, "Contact name is required") {
			t.Errorf("error next to the name: %q", e)
		}
		// In the admin's language.
		a.post("/language", url.Values{"lang": {"es"}, "next": {tab}}).must(t, 303)
		if e := a.post(tab, bad).must(t, 400).fieldError(t, "f-preferredDate"); !strings.Contains(e, "ya ha pasado") {
			t.Errorf("Spanish error: %q", e)
		}
		a.post("/language", url.Values{"lang": {"en"}, "next": {tab}}).must(t, 303)

		// Without an operations address: stored, not mailed, and the page says so.
		p = a.post(tab, assistForm("Bo Berg")).must(t, 303)
		if !assistRequestPath.MatchString(p.Location) {
			t.Fatalf("request went to %q", p.Location)
		}
		first := p.Location
		a.get(first).must(t, 200).contains(t, "could not be mailed: no operations address is set", "This request could not be mailed",
			"Not mailed", "Bo Berg", "bo@plain.example", "&#43;1 512 555 0100", "Phone numbers and porting", "Single sign-on",
			"Port 40 numbers\r\nfrom the old carrier", assistDate, "Morning", "Plain Corp", "Ada Admin", `href="/settings/partner#f-operationsEmail"`)
		a.get("/assistance").must(t, 200).contains(t, "Plain Corp", "Not mailed", `href="`+first+`"`)
		if n := assistMails(t, en, a, ""); n != 0 {
			t.Fatalf("%d assistance mails without an address", n)
		}

		// Organization settings: bad address refused next to the field, then set.
		a.get("/settings/partner").must(t, 200).contains(t, "Acme Telecom", a.partnerID, `aria-current="page">Organization`)
		p = a.post("/settings/partner", url.Values{"operationsEmail": {"ops at acme"}}).must(t, 400)
		p.contains(t, `value="ops at acme"`)
		if e := p.fieldError(t, "f-operationsEmail"); !strings.Contains(e, "not a valid email address") {
			t.Errorf("error next to the address: %q", e)
		}
		p = a.post("/settings/partner", url.Values{"operationsEmail": {"ops@acme.example"}}).must(t, 303)
		a.get(p.Location).must(t, 200).contains(t, `value="ops@acme.example"`, "the requests that were waiting for it were mailed")
		var audits int
		if err := en.db.SQL().QueryRowContext(t.Context(), rebind(en, `SELECT COUNT(*) FROM audit_log WHERE action = 'partner.operations_email' AND actor_id = ?`), a.adminID).Scan(&audits); err != nil || audits != 1 {
			t.Errorf("%d audit rows, %v", audits, err)
		}

		// The waiting request was mailed to the operations address.
		if n := assistMails(t, en, a, "ops@acme.example"); n != 1 {
			t.Fatalf("%d assistance mails to the operations address, want 1", n)
		}
		a.get(first).must(t, 200).contains(t, "Waiting to be sent", "ops@acme.example", `href="/settings/outbox/`).lacks(t, "could not be mailed")

		// With the address set, a request is mailed at once.
		p = a.post(tab, assistForm("Cy Chen")).must(t, 303)
		a.get(p.Location).must(t, 200).contains(t, "saved and mailed to your operations address", "Waiting to be sent", "Cy Chen")
		if n := assistMails(t, en, a, "ops@acme.example"); n != 2 {
			t.Fatalf("%d assistance mails, want 2", n)
		}
		p = a.get("/settings/outbox?kind=setup_assistance").must(t, 200).contains(t, "ops@acme.example", "Setup assistance requested for Plain Corp")
		if strings.Count(p.Body, "ops@acme.example") != 2 {
			t.Errorf("outbox lists %d assistance mails", strings.Count(p.Body, "ops@acme.example"))
		}
		// The customer's tab lists its requests, newest first.
		tp := a.get(tab).must(t, 200).contains(t, "Requests for this customer", "1–2 of 2").Body
		if i, j := strings.Index(tp, "Cy Chen"), strings.Index(tp, "Bo Berg"); i < 0 || j < 0 || i > j {
			t.Errorf("the tab lists its requests out of order (%d, %d)", i, j)
		}

		// Paging: 25 a page, newest first.
		actor := en.assistActor(t, a)
		for i := range 25 {
			if _, err := en.db.RequestAssistance(t.Context(), actor, &tenantry.AssistanceInput{CustomerID: cust, ContactName: "Bulk " + string(rune('A'+i)),
				ContactEmail: "bulk@plain.example", Details: "bulk"}); err != nil {
				t.Fatal(err)
			}
		}
		a.get("/assistance").must(t, 200).contains(t, "1–25 of 27", `href="/assistance?offset=25"`, "Bulk Y").lacks(t, "Cy Chen")
		a.get("/assistance?offset=25").must(t, 200).contains(t, "26–27 of 27", "Cy Chen", "Bo Berg", `href="/assistance"`)
		a.get(tab+"?offset=25").must(t, 200).contains(t, "26–27 of 27", `href="`+tab+`"`)
	})
}

// assistMails counts the partner's setup-assistance mails (to to, when set).
func assistMails(t *testing.T, en *hubEnv, a *admin, to string) int {
	t.Helper()
	ms, _, err := en.db.OutboxMessages(t.Context(), en.assistActor(t, a), tenantry.OutboxFilter{Kind: tenantry.MailAssistance, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if to == "" || m.To == to {
			n++
		}
	}
	return n
}

// TestAssistanceAccess: a read-only admin sees requests but cannot make
// one (403); a provisioning admin can, but cannot reach the partner's
// settings; another partner's customer, request and mail are not found.
func TestAssistanceAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		cust := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
		tab := "/customers/" + cust + "/assistance"
		a.post("/settings/partner", url.Values{"operationsEmail": {"ops@acme.example"}}).must(t, 303)
		req := a.post(tab, assistForm("Bo Berg")).must(t, 303).Location
		msg := regexp.MustCompile(`href="/settings/outbox/([^"/]+)"`).FindStringSubmatch(a.get(req).must(t, 200).Body)
		if msg == nil {
			t.Fatal("the request page does not link its mail")
		}
		mail := "/settings/outbox/" + msg[1]

		r := en.assistAdminOf(t, a.partnerID, "rita@acme.example", tenantry.RoleReadOnlyAdmin)
		r.get(tab).must(t, 200).contains(t, "Read-only administrators can see requests but cannot make them.", "Bo Berg").lacks(t, `method="post" action="`+tab)
		r.post(tab, assistForm("Rita")).must(t, 403)
		r.get(req).must(t, 200).lacks(t, mail) // the outbox is for full admins
		r.get("/assistance").must(t, 200).contains(t, "Plain Corp")

		pa := en.assistAdminOf(t, a.partnerID, "pete@acme.example", tenantry.RoleProvisioningAdmin)
		pa.post(tab, assistForm("Pete's contact")).must(t, 303)
		for _, path := range []string{"/settings/partner", "/settings/outbox", mail, mail + "/html"} {
			pa.get(path).must(t, 403)
			r.get(path).must(t, 403)
		}
		pa.post("/settings/partner", url.Values{"operationsEmail": {"pete@acme.example"}}).must(t, 403)
		if n := assistMails(t, en, a, "ops@acme.example"); n != 2 {
			t.Errorf("%d mails to the operations address, want 2", n)
		}
		// The layout offers settings to full admins only.
		pa.get("/assistance").must(t, 200).lacks(t, `href="/settings"`)

		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(tab).must(t, 404)
		o.post(tab, assistForm("Olga")).must(t, 404)
		o.get(req).must(t, 404).contains(t, "The assistance request was not found.")
		o.get(mail).must(t, 404)
		o.get(mail+"/html").must(t, 404)
		o.get("/assistance").must(t, 200).lacks(t, "Plain Corp").contains(t, "No setup assistance has been requested yet.")
		o.get("/settings/outbox").must(t, 200).lacks(t, "ops@acme.example")
		o.get("/settings/partner").must(t, 200).contains(t, "Other Telecom").lacks(t, "ops@acme.example")

		// Signed out: to sign in.
		b := en.browser(t)
		for _, path := range []string{tab, "/assistance", req, "/settings/partner", mail, mail + "/html"} {
			if p := b.get(path).must(t, 303); !strings.HasPrefix(p.Location, "/signin") {
				t.Errorf("%s went to %q", path, p.Location)
			}
		}
	})
}
