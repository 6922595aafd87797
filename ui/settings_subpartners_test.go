package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// subPartnerID is the id of the partner's sub-partner of that name.
func (en *hubEnv) subPartnerID(t testing.TB, partnerID, name string) string {
	t.Helper()
	ps, _, err := en.db.SubPartners(context.Background(), partnerID, "", tenantry.Page{Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no sub-partner %q of %s", name, partnerID)
	return ""
}

// changeRole changes an admin's role behind the hub's back; the next request
// sees it.
func (en *hubEnv) changeRole(t testing.TB, adminID, role string) {
	t.Helper()
	if _, err := en.db.SQL().ExecContext(context.Background(), rebind(en, `UPDATE partner_admins SET role = ? WHERE id = ?`), role, adminID); err != nil {
		t.Fatal(err)
	}
	if err := en.db.ForgetCachedAuth(context.Background()); err != nil { // the processes' cached sessions
		t.Fatal(err)
	}
}

func TestSubPartnersPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.bootstrap(t, "Acme Telecom", "ada@acme.example", tenantry.RoleFullAdmin)
		a.get("/settings/subpartners").must(t, 200).contains(t, "No sub-partners yet", `aria-current="page">Sub-partners`)

		// A missing name is shown next to the field.
		p := a.post("/settings/subpartners", url.Values{"name": {"  "}}).must(t, 400)
		if msg := p.fieldError(t, "f-name"); !strings.Contains(msg, "Name is required") {
			t.Errorf("error next to the name = %q", msg)
		}
		p = a.post("/settings/subpartners", url.Values{"name": {"Reseller One"}}).must(t, 303)
		if p.Location != "/settings/subpartners" {
			t.Errorf("create went to %q", p.Location)
		}
		a.get("/settings/subpartners").must(t, 200).contains(t, "The sub-partner was created.", "Reseller One", ">Active<")
		// A taken name is a conflict, shown next to the field with the input kept.
		p = a.post("/settings/subpartners", url.Values{"name": {"reseller one"}}).must(t, 409)
		if p.fieldError(t, "f-name") == "" {
			t.Error("no error next to a taken name")
		}
		p.contains(t, `value="reseller one"`)

		id := en.subPartnerID(t, a.partnerID, "Reseller One")
		a.post("/settings/subpartners/"+id+"/state", url.Values{"state": {"suspended"}}).must(t, 303)
		a.get("/settings/subpartners").must(t, 200).contains(t, "The sub-partner was suspended.", ">Suspended<", "Reactivate Reseller One")
		a.post("/settings/subpartners/"+id+"/state", url.Values{"state": {"active"}}).must(t, 303)
		a.get("/settings/subpartners").must(t, 200).contains(t, "The sub-partner was reactivated.", ">Active<", "Suspend Reseller One")
		a.post("/settings/subpartners/"+id+"/state", url.Values{"state": {"gone"}}).must(t, 400)
		a.post("/settings/subpartners/NOPE/state", url.Values{"state": {"suspended"}}).must(t, 404)

		// The audit log says who made each change, in the hub.
		entries, _, err := en.db.AuditEntries(context.Background(), &tenantry.Actor{Principal: tenantry.Principal{PartnerID: a.partnerID}, OrgID: a.partnerID},
			tenantry.AuditFilter{Resource: "partner", ResourceID: id})
		if err != nil || len(entries) != 3 {
			t.Fatalf("audit of the sub-partner: %d entries, %v", len(entries), err)
		}
		for _, e := range entries {
			if e.ActorID != a.adminID || e.Via != tenantry.ViaHub {
				t.Errorf("%s by %q via %q, want the admin in the hub", e.Action, e.ActorID, e.Via)
			}
		}

		// Another partner's full admin neither sees nor changes it.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get("/settings/subpartners").must(t, 200).lacks(t, "Reseller One")
		o.post("/settings/subpartners/"+id+"/state", url.Values{"state": {"suspended"}}).must(t, 404)
		o.get("/onbehalf").must(t, 200).lacks(t, "Reseller One")
		o.post("/onbehalf", url.Values{"subPartner": {id}}).must(t, 404)

		// Provisioning and read-only admins cannot reach the partner settings.
		for _, role := range []string{tenantry.RoleProvisioningAdmin, tenantry.RoleReadOnlyAdmin} {
			x := en.bootstrap(t, "Limited "+role, role+"@limited.example", role)
			x.get("/settings/subpartners").must(t, 403)
			x.post("/settings/subpartners", url.Values{"name": {"Mine"}}).must(t, 403)
			x.post("/settings/subpartners/"+id+"/state", url.Values{"state": {"suspended"}}).must(t, 403)
			x.get("/settings/audit").must(t, 403)
		}
		// Signed out, the pages ask to sign in.
		b := en.browser(t)
		for _, path := range []string{"/settings/subpartners", "/settings/audit", "/onbehalf"} {
			if p := b.get(path).must(t, 303); !strings.HasPrefix(p.Location, "/signin?next=") {
				t.Errorf("%s went to %q", path, p.Location)
			}
		}
	})
}

func TestActingOnBehalf(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.bootstrap(t, "Acme Telecom", "ada@acme.example", tenantry.RoleFullAdmin)
		a.createTemplate(t, "Gold")
		parentCust := a.createCustomer(t, "Gold", "Parent Corp", "P-1", "US")
		a.get("/customers").must(t, 200).contains(t, `href="/onbehalf"`).lacks(t, "Acting on behalf of")

		a.get("/onbehalf").must(t, 200).contains(t, "no sub-partners", `href="/settings/subpartners"`)
		a.post("/settings/subpartners", url.Values{"name": {"Reseller One"}}).must(t, 303)
		sub := en.subPartnerID(t, a.partnerID, "Reseller One")

		// Choosing: nothing chosen is an error next to the field.
		a.get("/onbehalf").must(t, 200).contains(t, "Reseller One")
		if msg := a.post("/onbehalf", url.Values{"subPartner": {""}}).must(t, 400).fieldError(t, "f-subPartner"); msg == "" {
			t.Error("no error next to the sub-partner")
		}
		// A wizard begun for the partner does not carry over to the
		// sub-partner, whose templates it cannot use.
		info := a.get("/customers/new/info").must(t, 200)
		a.post("/customers/new/info", url.Values{"name": {"Half Made Corp"}, "email": {"admin@half.example"}, "externalId": {"H-1"},
			"country": {"US"}, "template": {info.option(t, "Gold")}, "confirm": {"on"}}).must(t, 303)
		a.get("/customers/new/info").must(t, 200).contains(t, "Half Made Corp")
		if p := a.post("/onbehalf", url.Values{"subPartner": {sub}}).must(t, 303); p.Location != "/customers" {
			t.Errorf("acting went to %q", p.Location)
		}
		a.get("/customers/new/info").must(t, 200).lacks(t, "Half Made Corp")

		// Every page now works on the sub-partner's resources, with the banner.
		a.get("/customers").must(t, 200).contains(t, "Acting on behalf of", "Reseller One", `action="/onbehalf/stop"`).lacks(t, "Parent Corp")
		a.get("/customers/"+parentCust).must(t, 404).contains(t, "Acting on behalf of")
		a.get("/templates").must(t, 200).lacks(t, "Gold")
		a.createTemplate(t, "Silver")
		child := a.createCustomer(t, "Silver", "Child Corp", "C-1", "US")
		a.get("/customers").must(t, 200).contains(t, "Child Corp").lacks(t, "Parent Corp")
		subActor, err := en.db.ResolveActor(context.Background(), &tenantry.Principal{PartnerID: a.partnerID, AdminID: a.adminID}, sub)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := en.db.Customer(context.Background(), subActor, child); err != nil || c.Name != "Child Corp" {
			t.Errorf("the customer made while acting is not the sub-partner's: %v %v", c, err)
		}
		// The partner settings concern the admin's own partner, and say so.
		a.get("/settings/subpartners").must(t, 200).contains(t, "Acting on behalf of", "These settings concern your own organization", "You are acting for it")
		a.get("/settings/audit").must(t, 200).contains(t, `<code dir="ltr">subpartner.create</code>`, "Parent Corp").lacks(t, "Child Corp")
		a.get("/settings/audit?org="+sub).must(t, 200).contains(t, "Child Corp").lacks(t, "Parent Corp")

		// A provisioning admin acts on behalf too, but a read-only admin
		// does not (its stored choice is ignored).
		en.changeRole(t, a.adminID, tenantry.RoleProvisioningAdmin)
		a.get("/customers").must(t, 200).contains(t, "Acting on behalf of", "Child Corp")
		a.get("/settings/subpartners").must(t, 403)
		en.changeRole(t, a.adminID, tenantry.RoleReadOnlyAdmin)
		a.get("/customers").must(t, 200).contains(t, "Parent Corp").lacks(t, "Acting on behalf of", "Child Corp", `href="/onbehalf"`)
		a.get("/onbehalf").must(t, 403)
		a.post("/onbehalf", url.Values{"subPartner": {sub}}).must(t, 403)
		en.changeRole(t, a.adminID, tenantry.RoleFullAdmin)

		// A suspended sub-partner's pages read; its writes are refused with
		// the domain's reason.
		if err := en.db.SetSubPartnerState(context.Background(), a.partnerID, sub, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		a.get("/customers").must(t, 200).contains(t, "Child Corp", "Suspended", "You can read and delete, but not create or change.")
		a.get("/customers/new").must(t, 303)
		info = a.get("/customers/new/info").must(t, 200)
		a.post("/customers/new/info", url.Values{"name": {"Refused Corp"}, "email": {"admin@refused.example"}, "externalId": {"R-1"},
			"country": {"US"}, "template": {info.option(t, "Silver")}, "confirm": {"on"}}).must(t, 303)
		a.post("/customers/new/packages", url.Values{"pkg.webex_meetings": {"on"}}).must(t, 303)
		a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"},
			"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)
		p := a.post("/customers/new/summary", url.Values{})
		if p.Status == 303 || !strings.Contains(p.Body, "Sub-partner: the sub-partner is suspended.") {
			t.Errorf("a suspended sub-partner's create: status %d; body:\n%s", p.Status, p.Body[strings.Index(p.Body, "<main"):])
		}
		if err := en.db.SetSubPartnerState(context.Background(), a.partnerID, sub, tenantry.PartnerActive); err != nil {
			t.Fatal(err)
		}

		// Stop: back to the partner's own resources.
		if p := a.post("/onbehalf/stop", url.Values{}).must(t, 303); p.Location != "/customers" {
			t.Errorf("stop went to %q", p.Location)
		}
		a.get("/customers").must(t, 200).contains(t, "Parent Corp", "You are acting for your own organization again.").lacks(t, "Child Corp", "Acting on behalf of")

		// Starting and stopping are in the partner's audit log, by the
		// admin, naming the sub-partner; stopping twice is one change.
		a.post("/onbehalf/stop", url.Values{}).must(t, 303)
		own := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: a.partnerID}, OrgID: a.partnerID}
		for _, action := range []string{"subpartner.act_start", "subpartner.act_stop"} {
			entries, _, err := en.db.AuditEntries(context.Background(), own, tenantry.AuditFilter{Action: action})
			if err != nil || len(entries) != 1 || entries[0].ActorID != a.adminID || entries[0].ResourceID != sub || entries[0].Via != tenantry.ViaHub {
				t.Errorf("%s: %d entries %+v (%v), want one by the admin through the hub naming the sub-partner", action, len(entries), entries, err)
			}
		}
		a.get("/settings/audit?action=subpartner.act_start").must(t, 200).contains(t, `<code dir="ltr">subpartner.act_start</code>`)

		// Another partner cannot act for it; and a session pointing at a
		// sub-partner that is not the admin's own (which no form can make)
		// falls back to the admin's partner.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.post("/onbehalf", url.Values{"subPartner": {sub}}).must(t, 404)
		o.get("/customers").must(t, 200).lacks(t, "Acting on behalf of", "Child Corp")
		hash := en.storedSession(t, o.browser).Hash
		if err := en.db.SetSessionSubPartner(context.Background(), hash, sub); err != nil {
			t.Fatal(err)
		}
		o.get("/customers").must(t, 200).lacks(t, "Acting on behalf of", "Child Corp", "Reseller One")
		if s := en.storedSession(t, o.browser); s.SubPartnerID != "" {
			t.Errorf("the foreign choice was kept: %q", s.SubPartnerID)
		}
	})
}

// storedSession is the browser's hub session as stored.
func (en *hubEnv) storedSession(t testing.TB, b *browser) *tenantry.Session {
	t.Helper()
	u, _ := url.Parse(en.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "tenantry_session" {
			s, err := en.db.Session(context.Background(), c.Value)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatal("no session cookie")
	return nil
}
