package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// TestCustomerAdmins: the Customer admins tab lists the admins, invites
// one with a role and a package, changes a role, and removes an admin
// after asking; rule U4 and the protection of the full admin are refused
// by the domain and shown next to the field or at the top, in the admin's
// language; a read-only admin cannot write; another partner's customer is
// not found.
func TestCustomerAdmins(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		f := newUserFixture(t, en)
		ctx := context.Background()
		tab := "/customers/" + f.customerID + "/admins"
		admins := func() []*tenantry.CustomerAdmin {
			t.Helper()
			as, _, err := en.db.CustomerAdmins(ctx, f.actor, f.customerID, tenantry.Page{Max: 100})
			if err != nil {
				t.Fatal(err)
			}
			return as
		}
		full := admins()[0]
		if full.Role != tenantry.AdminFull {
			t.Fatalf("first admin %+v", full)
		}
		f.a.get(tab).must(t, 200).contains(t, "admin@ext-1.example", `aria-current="page">Customer admins<`, `id="f-role-`+full.ID+`"`, "Invite an admin")

		// Invite: bad input and U4, each next to its field, input kept.
		p := f.a.post(tab, url.Values{"email": {"nope"}, "role": {"read_only_admin"}, "package": {"webex_calling"}}).must(t, 400)
		if p.fieldError(t, "f-email") == "" {
			t.Error("no error next to the email")
		}
		p.contains(t, `value="nope"`)
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_meetings"}}).must(t, 400)
		if e := p.fieldError(t, "f-package"); !strings.Contains(e, "Webex Calling") || !strings.Contains(e, "Webex Meetings") {
			t.Errorf("U4 level next to the package: %q", e)
		}
		p.contains(t, `value="max@cafe.example"`)
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"full_admin"}, "package": {"webex_calling"}}).must(t, 400)
		if e := p.fieldError(t, "f-role"); !strings.Contains(e, "full admin") {
			t.Errorf("a second full admin: %q", e)
		}
		// A package that is none of the customer's (nor any package) is
		// shown as it was given; a known one by its name.
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"read_only_admin"}, "package": {"nope"}}).must(t, 400)
		if e := p.fieldError(t, "f-package"); !strings.Contains(e, "nope") || strings.Contains(e, "hub.package") {
			t.Errorf("an unknown package: %q, want it shown as given", e)
		}
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_suite"}}).must(t, 400)
		if e := p.fieldError(t, "f-package"); !strings.Contains(e, "Webex Suite") {
			t.Errorf("a package the customer lacks: %q, want it by its name", e)
		}
		// The refusal speaks the admin's language.
		f.a.post("/language", url.Values{"lang": {"sv"}, "next": {tab}}).must(t, 303)
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_meetings"}}).must(t, 400)
		if e := p.fieldError(t, "f-package"); !strings.Contains(e, "nivå") {
			t.Errorf("U4 in Swedish: %q", e)
		}
		f.a.post("/language", url.Values{"lang": {"en"}, "next": {tab}}).must(t, 303)

		// A valid invitation: listed, and the invitation is in the outbox.
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_calling"}}).must(t, 303)
		if p.Location != tab {
			t.Errorf("invited and went to %q", p.Location)
		}
		f.a.get(tab).must(t, 200).contains(t, "The invitation is on its way.", "max@cafe.example")
		var maxAdmin *tenantry.CustomerAdmin
		for _, a := range admins() {
			if a.Email == "max@cafe.example" {
				maxAdmin = a
			}
		}
		if maxAdmin == nil || maxAdmin.Role != tenantry.AdminReadOnly || maxAdmin.Package != tenantry.WebexCalling {
			t.Fatalf("invited admin: %+v", maxAdmin)
		}
		msgs, _, err := en.db.OutboxMessages(ctx, f.actor, tenantry.OutboxFilter{CustomerID: f.customerID, Page: tenantry.Page{Max: 100}})
		if err != nil {
			t.Fatal(err)
		}
		invited := false
		for _, m := range msgs {
			invited = invited || (m.Kind == tenantry.MailAdminInvitation && m.To == "max@cafe.example")
		}
		if !invited {
			t.Error("no invitation in the outbox")
		}
		p = f.a.post(tab, url.Values{"email": {"max@cafe.example"}, "role": {"support_admin"}, "package": {"webex_calling"}}).must(t, 409)
		if p.fieldError(t, "f-email") == "" {
			t.Error("an address taken: no error next to the email")
		}

		// Change a role.
		row := tab + "/" + maxAdmin.ID
		f.a.post(row, url.Values{"role": {"support_admin"}, "package": {"webex_calling"}}).must(t, 303)
		f.a.get(tab).must(t, 200).contains(t, "The admin&#39;s role and package are saved.")
		// U4: the full admin is neither demoted nor moved to a lower package;
		// the refusal is next to that admin's control, the choice kept.
		p = f.a.post(tab+"/"+full.ID, url.Values{"role": {"read_only_admin"}, "package": {"webex_calling"}}).must(t, 400)
		if e := p.fieldError(t, "f-role-"+full.ID); !strings.Contains(e, "full admin") {
			t.Errorf("demoting the full admin: %q", e)
		}
		p = f.a.post(tab+"/"+full.ID, url.Values{"role": {"full_admin"}, "package": {"webex_meetings"}}).must(t, 400)
		if e := p.fieldError(t, "f-package-"+full.ID); !strings.Contains(e, "Webex Calling") || strings.Contains(e, "webex_calling") {
			t.Errorf("downgrading the full admin: %q", e)
		}
		for _, a := range admins() {
			if a.ID == full.ID && (a.Role != tenantry.AdminFull || a.Package != tenantry.WebexCalling) {
				t.Errorf("the full admin changed: %+v", a)
			}
		}

		// Remove: asked first; the full admin's removal is refused and shown.
		f.a.get(row+"/remove").must(t, 200).contains(t, "Remove the admin?", "max@cafe.example", `action="`+row+`/remove"`)
		f.a.get(tab+"/"+full.ID+"/remove").must(t, 200).contains(t, "Remove the admin?")
		f.a.post(tab+"/"+full.ID+"/remove", url.Values{}).must(t, 409).contains(t, "error-summary", "The full admin of the organization cannot be removed.")
		f.a.post(row+"/remove", url.Values{}).must(t, 303)
		f.a.get(tab).must(t, 200).contains(t, "The admin is removed.").lacks(t, "max@cafe.example")
		if len(admins()) != 1 {
			t.Errorf("admins after removal: %d", len(admins()))
		}
		f.a.post(row+"/remove", url.Values{}).must(t, 404)
		f.a.post(row, url.Values{"role": {"support_admin"}, "package": {"webex_calling"}}).must(t, 404)

		// A read-only admin reads the list without controls; writes are 403.
		r := f.readOnly(t)
		r.get(tab).must(t, 200).contains(t, "admin@ext-1.example", "Full admin").lacks(t, "Invite an admin", "/remove")
		r.post(tab, url.Values{"email": {"eve@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_calling"}}).must(t, 403)
		r.post(tab+"/"+full.ID, url.Values{"role": {"full_admin"}, "package": {"webex_calling"}}).must(t, 403)
		r.get(tab+"/"+full.ID+"/remove").must(t, 403)
		r.post(tab+"/"+full.ID+"/remove", url.Values{}).must(t, 403)

		// Another partner: not found, and nothing changes.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(tab).must(t, 404)
		o.post(tab, url.Values{"email": {"eve@cafe.example"}, "role": {"read_only_admin"}, "package": {"webex_calling"}}).must(t, 404)
		o.post(tab+"/"+full.ID, url.Values{"role": {"support_admin"}, "package": {"webex_calling"}}).must(t, 404)
		o.get(tab+"/"+full.ID+"/remove").must(t, 404)
		o.post(tab+"/"+full.ID+"/remove", url.Values{}).must(t, 404)
		if len(admins()) != 1 {
			t.Errorf("another partner changed the admins: %d", len(admins()))
		}
	})
}
