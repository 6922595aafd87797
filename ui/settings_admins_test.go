package ui_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// settingsPages are every page of the partner settings this file's
// neighbours test, with a form posted to each POST route.
var settingsGets = []string{"/settings", "/settings/admins", "/settings/tokens", "/settings/webhooks"}

var settingsPosts = []string{"/settings/admins", "/settings/tokens", "/settings/webhooks"}

// partnerActor is how storage sees a partner's own requests.
func partnerActor(partnerID, adminID string) *tenantry.Actor {
	return &tenantry.Actor{Principal: tenantry.Principal{PartnerID: partnerID, AdminID: adminID, Scopes: tenantry.AllScopes}, OrgID: partnerID}
}

var inviteLinkRe = regexp.MustCompile(`https?://[^/\s]+(/link/[A-Za-z0-9_-]+)`)

// invitationPath reads the link of the newest invitation mailed to email
// from the outbox, as the sender would send it, and returns its path.
func invitationPath(t testing.TB, en *hubEnv, partnerID, email string) string {
	t.Helper()
	ms, _, err := en.db.OutboxMessages(context.Background(), partnerActor(partnerID, ""), tenantry.OutboxFilter{Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind != tenantry.MailPartnerAdminInvitation || m.To != email {
			continue
		}
		if inviteLinkRe.MatchString(m.Text) {
			t.Errorf("the partner's outbox shows the invitation's token")
		}
		sendable, err := en.db.MessageToSend(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub := inviteLinkRe.FindStringSubmatch(sendable.Text); sub != nil {
			return sub[1]
		}
		t.Fatalf("invitation without a link:\n%s", sendable.Text)
	}
	t.Fatalf("no invitation to %s", email)
	return ""
}

func adminID(t testing.TB, en *hubEnv, partnerID, email string) string {
	t.Helper()
	admins, err := en.db.PartnerAdmins(context.Background(), partnerActor(partnerID, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range admins {
		if a.Email == email {
			return a.ID
		}
	}
	t.Fatalf("no admin %s", email)
	return ""
}

func TestSettingsAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		full := en.bootstrap(t, "Acme", "ada@acme.example", tenantry.RoleFullAdmin)
		full.get("/settings").must(t, 303)
		if p := full.get("/settings"); p.Location != "/settings/admins" {
			t.Errorf("/settings goes to %q", p.Location)
		}
		for _, path := range settingsGets[1:] {
			full.get(path).must(t, 200).contains(t, `aria-current="page"`)
		}
		for i, role := range []string{tenantry.RoleProvisioningAdmin, tenantry.RoleReadOnlyAdmin} {
			ad := en.bootstrap(t, "Other "+role, "x"+string(rune('a'+i))+"@other.example", role)
			ad.get("/customers").must(t, 200).lacks(t, `href="/settings"`)
			for _, path := range settingsGets {
				ad.get(path).must(t, 403)
			}
			for _, path := range settingsPosts {
				ad.post(path, url.Values{"email": {"z@other.example"}, "role": {tenantry.RoleFullAdmin}, "name": {"t"}, "scopes": {tenantry.ScopeCustomersRead},
					"url": {"https://hooks.other.example/x"}, "events": {tenantry.EventCustomerUpdated}}).must(t, 403)
			}
			id := adminID(t, en, ad.partnerID, ad.email)
			ad.post("/settings/admins/"+id+"/role", url.Values{"role-" + id: {tenantry.RoleFullAdmin}}).must(t, 403)
			ad.post("/settings/admins/"+id+"/remove", nil).must(t, 403)
			if got := adminRole(t, en, ad.partnerID, ad.email); got != role {
				t.Errorf("%s promoted itself to %s", role, got)
			}
		}
		// Signed out: to the sign-in page.
		if p := en.browser(t).get("/settings/admins").must(t, 303); !strings.HasPrefix(p.Location, "/signin") {
			t.Errorf("signed out: to %q", p.Location)
		}
	})
}

func adminRole(t testing.TB, en *hubEnv, partnerID, email string) string {
	t.Helper()
	admins, _ := en.db.PartnerAdmins(context.Background(), partnerActor(partnerID, ""))
	for _, a := range admins {
		if a.Email == email {
			return a.Role
		}
	}
	return ""
}

func TestSettingsAdmins(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ada := en.bootstrap(t, "Acme", "ada@acme.example", tenantry.RoleFullAdmin)
		ada.get("/settings/admins").must(t, 200).contains(t, "ada@acme.example", "Partner admins", `name="role"`, `name="role-`+ada.adminID+`"`)

		// Bad input: errors next to the fields, what was typed kept.
		p := ada.post("/settings/admins", url.Values{"email": {"not-an-address"}, "name": {"Bob"}, "role": {"owner"}}).must(t, 400)
		if p.fieldError(t, "f-email") == "" || p.fieldError(t, "f-role") == "" {
			t.Errorf("no errors next to email and role:\n%s", clip(p.Body))
		}
		p.contains(t, `value="Bob"`)
		p = ada.post("/settings/admins", url.Values{"email": {"ADA@acme.example"}, "role": {tenantry.RoleReadOnlyAdmin}}).must(t, 409)
		if e := p.fieldError(t, "f-email"); !strings.Contains(e, "already an admin") {
			t.Errorf("taken address: %q", e)
		}

		// An invitation: the invitee sets a password through the mailed
		// link and signs in with the role's limits.
		ada.post("/settings/admins", url.Values{"email": {"bob@acme.example"}, "name": {"Bob Builder"}, "role": {tenantry.RoleReadOnlyAdmin}}).must(t, 303)
		ada.get("/settings/admins").must(t, 200).contains(t, "Bob Builder", "bob@acme.example", "Invited, no password yet", "The invitation is on its way.")
		link := invitationPath(t, en, ada.partnerID, "bob@acme.example")
		bob := en.browser(t)
		bob.get(link).must(t, 200).contains(t, "bob@acme.example")
		bob.post(link, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(t, 303)
		bob.get("/customers").must(t, 200).lacks(t, `href="/customers/new"`, `href="/settings"`)
		bob.get("/settings/admins").must(t, 403)
		bob.get(link).must(t, 404) // the link worked once
		ada.get("/settings/admins").must(t, 200).lacks(t, "Invited, no password yet")

		// Role changes; the last full admin keeps the role.
		bobID := adminID(t, en, ada.partnerID, "bob@acme.example")
		adaID := ada.adminID
		p = ada.post("/settings/admins/"+adaID+"/role", url.Values{"role-" + adaID: {tenantry.RoleReadOnlyAdmin}}).must(t, 409)
		if e := p.fieldError(t, "f-role-"+adaID); !strings.Contains(e, "last full admin") {
			t.Errorf("demoting the last full admin: error %q", e)
		}
		// The error names the role by its label in the page's language,
		// as the invitation's does, not by the domain's field name.
		ada.lang = "ko"
		p = ada.post("/settings/admins/"+adaID+"/role", url.Values{"role-" + adaID: {tenantry.RoleReadOnlyAdmin}}).must(t, 409)
		if e := p.fieldError(t, "f-role-"+adaID); !strings.HasPrefix(e, "역할: ") {
			t.Errorf("demoting the last full admin, in Korean: error %q, want it to name the role as 역할", e)
		}
		ada.lang = "sv"
		p = ada.post("/settings/admins/"+adaID+"/role", url.Values{"role-" + adaID: {""}}).must(t, 400)
		if e := p.fieldError(t, "f-role-"+adaID); e != "Roll måste anges." {
			t.Errorf("no role, in Swedish: error %q, want %q", e, "Roll måste anges.")
		}
		ada.lang = "en"
		ada.post("/settings/admins/"+adaID+"/remove", nil).must(t, 409).contains(t, "last full admin")
		p = ada.post("/settings/admins/"+bobID+"/role", url.Values{"role-" + bobID: {"boss"}}).must(t, 400)
		if p.fieldError(t, "f-role-"+bobID) == "" {
			t.Error("no error next to the bad role")
		}
		ada.post("/settings/admins/"+bobID+"/role", url.Values{"role-" + bobID: {tenantry.RoleFullAdmin}}).must(t, 303)
		bob.get("/settings/admins").must(t, 200) // read per request: at once
		ada.post("/settings/admins/"+adaID+"/role", url.Values{"role-" + adaID: {tenantry.RoleProvisioningAdmin}}).must(t, 303)
		ada.get("/settings/admins").must(t, 403)
		if got := adminRole(t, en, ada.partnerID, "ada@acme.example"); got != tenantry.RoleProvisioningAdmin {
			t.Errorf("ada is %s", got)
		}
		entries, _ := en.db.AuditLog(context.Background(), ada.partnerID, "admin", adaID)
		if last := entries[len(entries)-1]; last.Action != "admin.role" || last.ActorID != adaID {
			t.Errorf("audit %+v", last)
		}

		// Removing an admin ends their sessions.
		bob.post("/settings/admins/"+adaID+"/remove", nil).must(t, 303)
		if p := ada.get("/customers").must(t, 303); !strings.HasPrefix(p.Location, "/signin") {
			t.Errorf("removed admin's session goes on: %q", p.Location)
		}
		bob.get("/settings/admins").must(t, 200).lacks(t, "ada@acme.example").contains(t, "The admin was removed.")

		// With another full admin, one may remove oneself, and is signed out.
		bob.post("/settings/admins", url.Values{"email": {"cy@acme.example"}, "role": {tenantry.RoleFullAdmin}}).must(t, 303)
		if p := bob.post("/settings/admins/"+bobID+"/remove", nil).must(t, 303); p.Location != "/signin" {
			t.Errorf("after removing oneself: %q", p.Location)
		}
		if p := bob.get("/settings/admins").must(t, 303); !strings.HasPrefix(p.Location, "/signin") {
			t.Errorf("the removed admin is still signed in: %q", p.Location)
		}
	})
}

func TestSettingsAdminsOtherPartner(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ada := en.bootstrap(t, "Acme", "ada@acme.example", tenantry.RoleFullAdmin)
		eve := en.bootstrap(t, "Evil", "eve@evil.example", tenantry.RoleFullAdmin)
		adaID := ada.adminID
		eve.get("/settings/admins").must(t, 200).lacks(t, "ada@acme.example")
		eve.post("/settings/admins/"+adaID+"/role", url.Values{"role-" + adaID: {tenantry.RoleReadOnlyAdmin}}).must(t, 404)
		eve.post("/settings/admins/"+adaID+"/remove", nil).must(t, 404)
		if got := adminRole(t, en, ada.partnerID, "ada@acme.example"); got != tenantry.RoleFullAdmin {
			t.Errorf("another partner changed ada to %q", got)
		}
	})
}

// TestSettingsAdminsResendInvitation: a pending admin whose invitation was
// lost gets a new one from the admins page; only the newest link works. An
// admin with a password has nothing to resend, and another partner's admin
// is not found.
func TestSettingsAdminsResendInvitation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ada := en.bootstrap(t, "Resend Co", "ada@resend.example", tenantry.RoleFullAdmin)
		ada.post("/settings/admins", url.Values{"email": {"bob@resend.example"}, "role": {tenantry.RoleProvisioningAdmin}}).must(t, 303)
		bobID := adminID(t, en, ada.partnerID, "bob@resend.example")
		first := invitationPath(t, en, ada.partnerID, "bob@resend.example")
		page := ada.get("/settings/admins").must(t, 200)
		page.contains(t, `action="/settings/admins/`+bobID+`/resend"`, "Resend invitation").lacks(t, `action="/settings/admins/`+ada.adminID+`/resend"`)

		ada.post("/settings/admins/"+bobID+"/resend", nil).must(t, 303)
		ada.get("/settings/admins").must(t, 200).contains(t, "A new invitation is on its way")
		second := invitationPath(t, en, ada.partnerID, "bob@resend.example")
		if second == first {
			t.Fatal("the resent invitation has the first one's link")
		}
		bob := en.browser(t)
		bob.get(first).must(t, 404)
		bob.get(second).must(t, 200).contains(t, "bob@resend.example")
		entries, _, err := en.db.AuditEntries(context.Background(), partnerActor(ada.partnerID, ""), tenantry.AuditFilter{Action: "admin.invite_resent"})
		if err != nil || len(entries) != 1 || entries[0].ResourceID != bobID || entries[0].ActorID != ada.adminID {
			t.Errorf("audit of the resend: %+v (%v)", entries, err)
		}

		// Bob signs in: nothing is left to resend, and the page says why.
		bob.post(second, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(t, 303)
		p := ada.post("/settings/admins/"+bobID+"/resend", nil).must(t, 409)
		p.contains(t, "already chosen a password")

		// Read-only admins do not reach it; another partner's admin is not found.
		en.changeRole(t, bobID, tenantry.RoleReadOnlyAdmin)
		bob.post("/settings/admins/"+ada.adminID+"/resend", nil).must(t, 403)
		eve := en.bootstrap(t, "Evil Resend", "eve@evil-resend.example", tenantry.RoleFullAdmin)
		eve.post("/settings/admins/"+bobID+"/resend", nil).must(t, 404)
	})
}
