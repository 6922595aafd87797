package sqldb_test

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

var inviteLink = regexp.MustCompile(`(https?://[^/\s]+)/link/([A-Za-z0-9_-]+)`)

// invitation returns the token of the newest invitation mailed to email,
// read as the sender sends it, after checking that the partner's outbox
// shows the mail without it.
func invitation(t *testing.T, db *sqldb.DB, a *tenantry.Actor, email string) string {
	t.Helper()
	ms, _, err := db.OutboxMessages(t.Context(), a, tenantry.OutboxFilter{Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind != tenantry.MailPartnerAdminInvitation || m.To != email {
			continue
		}
		if inviteLink.MatchString(m.Text) || inviteLink.MatchString(m.HTML) {
			t.Errorf("the outbox shows the invitation's token:\n%s", m.Text)
		}
		sendable, err := db.MessageToSend(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		sub := inviteLink.FindStringSubmatch(sendable.Text)
		if sub == nil || !strings.Contains(sendable.HTML, sub[0]) || !strings.Contains(sendable.Text, "Acme") {
			t.Fatalf("invitation without its link in text and HTML:\n%s", sendable.Text)
		}
		return sub[2]
	}
	t.Fatalf("no invitation to %s", email)
	return ""
}

func TestPartnerAdminInvite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		ad, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: " bea@acme.example ", Name: "Bea", Role: tenantry.RoleProvisioningAdmin, Language: "sv"})
		if err != nil {
			t.Fatal(err)
		}
		if ad.Email != "bea@acme.example" || ad.Role != tenantry.RoleProvisioningAdmin || !ad.Pending || ad.Language != "sv" {
			t.Errorf("invited %+v", ad)
		}
		list, err := f.db.PartnerAdmins(ctx, f.actor)
		if err != nil || len(list) != 2 || list[1].ID != ad.ID || !list[1].Pending || list[1].DisplayName != "Bea" {
			t.Fatalf("admins %+v %v", list, err)
		}
		token := invitation(t, f.db, f.actor, "bea@acme.example")
		if got, err := f.db.CheckLink(ctx, tenantry.LinkSignIn, token); err != nil || got.ID != ad.ID {
			t.Fatalf("invitation link is for %+v (%v)", got, err)
		}
		if _, err := f.db.UseSignInLink(ctx, token, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if got, err := f.db.SignIn(ctx, "Bea@acme.example", "correct horse battery"); err != nil || got.ID != ad.ID {
			t.Fatalf("sign in: %+v %v", got, err)
		}
		if list, _ := f.db.PartnerAdmins(ctx, f.actor); list[1].Pending {
			t.Error("still pending after choosing a password")
		}
		if _, err := f.db.UseSignInLink(ctx, token, "another long password"); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("second use of the link: %v", err)
		}

		// The same address again, in other case: refused on the field.
		_, err = f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "BEA@acme.example", Role: tenantry.RoleReadOnlyAdmin})
		wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldPartnerAdminEmail, tenantry.ReasonPartnerAdminTaken)
		_, err = f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "not an address", Role: "owner"})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPartnerAdminEmail, tenantry.ReasonInvalidEmail)
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPartnerAdminRole, tenantry.ReasonInvalidEnum)

		// Every write is audited as the acting admin.
		entries, err := f.db.AuditLog(ctx, f.boot.Partner.ID, "admin", ad.ID)
		if err != nil || len(entries) < 2 || entries[0].Action != "admin.invite" || entries[0].ActorID != f.actor.AdminID {
			t.Errorf("audit %+v %v", entries, err)
		}
	})
}

func TestPartnerAdminCopiesInSubPartners(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		sub, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		ad, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "cy@acme.example", Role: tenantry.RoleReadOnlyAdmin})
		if err != nil {
			t.Fatal(err)
		}
		role := func() string {
			subs, _ := f.db.Admins(ctx, sub.ID)
			for _, s := range subs {
				if s.Email == "cy@acme.example" {
					return s.Role
				}
			}
			return ""
		}
		if r := role(); r != tenantry.RoleReadOnlyAdmin {
			t.Fatalf("the sub-partner's copy has role %q", r)
		}
		if _, err := f.db.SetPartnerAdminRole(ctx, f.actor, ad.ID, tenantry.RoleProvisioningAdmin); err != nil {
			t.Fatal(err)
		}
		if r := role(); r != tenantry.RoleProvisioningAdmin {
			t.Errorf("after the role change the copy has role %q", r)
		}
		if err := f.db.RemovePartnerAdmin(ctx, f.actor, ad.ID); err != nil {
			t.Fatal(err)
		}
		if r := role(); r != "" {
			t.Errorf("the copy stays after removal, role %q", r)
		}
	})
}

func TestLastFullAdmin(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		first := f.boot.Admin.ID
		_, err := f.db.SetPartnerAdminRole(ctx, f.actor, first, tenantry.RoleReadOnlyAdmin)
		wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldPartnerAdminRole, tenantry.ReasonLastFullAdmin)
		wantError(t, f.db.RemovePartnerAdmin(ctx, f.actor, first), tenantry.ECONFLICT, tenantry.ReasonLastFullAdminRemoval)
		_, err = f.db.SetPartnerAdminRole(ctx, f.actor, first, "owner")
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPartnerAdminRole, tenantry.ReasonInvalidEnum)

		second, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "dee@acme.example", Role: tenantry.RoleFullAdmin})
		if err != nil {
			t.Fatal(err)
		}
		// Two full admins demote each other at once: one wins, and the
		// other finds no full admin left.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []string{first, second.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.db.SetPartnerAdminRole(ctx, f.actor, id, tenantry.RoleProvisioningAdmin)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("concurrent demotions: %v, %v; want exactly one refused", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil {
				wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldPartnerAdminRole, tenantry.ReasonLastFullAdmin)
			}
		}
		list, _ := f.db.PartnerAdmins(ctx, f.actor)
		full := 0
		for _, a := range list {
			if a.Role == tenantry.RoleFullAdmin {
				full++
			}
		}
		if full != 1 {
			t.Errorf("%d full admins left, want 1", full)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.role' AND actor_id = ?`, f.actor.AdminID); n != 1 {
			t.Errorf("%d role changes audited, want 1", n)
		}
	})
}

func TestRemovePartnerAdmin(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		ad, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "eve@acme.example", Role: tenantry.RoleFullAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UseSignInLink(ctx, invitation(t, f.db, f.actor, "eve@acme.example"), "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		session, err := f.db.CreateSession(ctx, ad.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := f.db.CreateToken(ctx, f.boot.Partner.ID, &tenantry.Principal{PartnerID: f.boot.Partner.ID, AdminID: ad.ID, Scopes: tenantry.AllScopes},
			&tenantry.TokenInput{Name: "eve's", Scopes: []string{tenantry.ScopeCustomersRead}})
		if err != nil {
			t.Fatal(err)
		}
		// Named as a template's admin, the admin stays.
		tpl := templateFor(f.boot, "Gold")
		tpl.ServiceProviderAdminID = ad.ID
		if err := f.db.CreateTemplate(ctx, f.actor, tpl); err != nil {
			t.Fatal(err)
		}
		wantError(t, f.db.RemovePartnerAdmin(ctx, f.actor, ad.ID), tenantry.ECONFLICT, tenantry.ReasonPartnerAdminInTemplate)
		if err := f.db.DeleteTemplate(ctx, f.actor, tpl.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.db.RemovePartnerAdmin(ctx, f.actor, ad.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Session(ctx, session); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("the removed admin's session: %v", err)
		}
		if _, err := f.db.Authenticate(ctx, secret); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("the removed admin's token: %v", err)
		}
		if _, err := f.db.SignIn(ctx, "eve@acme.example", "correct horse battery"); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("the removed admin signs in: %v", err)
		}
		if _, err := f.db.PartnerAdmin(ctx, f.actor, ad.ID); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("removed admin: %v", err)
		}
		if got := actions(t, f.db, f.boot.Partner.ID, "admin", ad.ID); !slices.Contains(got, "admin.remove") {
			t.Errorf("audit %v", got)
		}
		wantError(t, f.db.RemovePartnerAdmin(ctx, f.actor, ad.ID), tenantry.ENOTFOUND, "")
	})
}

func TestPartnerAdminIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		other, otherActor := addPartner(t, f.db, "Other")
		if _, err := f.db.PartnerAdmin(ctx, f.actor, other.Admin.ID); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("another partner's admin: %v", err)
		}
		_, err := f.db.SetPartnerAdminRole(ctx, f.actor, other.Admin.ID, tenantry.RoleFullAdmin)
		wantError(t, err, tenantry.ENOTFOUND, "")
		wantError(t, f.db.RemovePartnerAdmin(ctx, f.actor, other.Admin.ID), tenantry.ENOTFOUND, "")
		// The same address may be an admin of two partners.
		if _, err := f.db.InvitePartnerAdmin(ctx, otherActor, &tenantry.PartnerAdminInput{Email: "ops@acme.example", Role: tenantry.RoleReadOnlyAdmin}); err != nil {
			t.Error(err)
		}
		list, _ := f.db.PartnerAdmins(ctx, f.actor)
		if len(list) != 1 {
			t.Errorf("Acme sees %d admins", len(list))
		}
	})
}

func TestRevokeTokenBy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tok, _, err := f.db.CreateToken(ctx, f.boot.Partner.ID, nil, &tenantry.TokenInput{Name: "ci", Scopes: []string{tenantry.ScopeCustomersRead}})
		if err != nil {
			t.Fatal(err)
		}
		other, _ := addPartner(t, f.db, "Other")
		wantError(t, f.db.RevokeTokenBy(ctx, other.Partner.ID, tok.ID, other.Admin.ID), tenantry.ENOTFOUND, "")
		if err := f.db.RevokeTokenBy(ctx, f.boot.Partner.ID, tok.ID, "PEOPLE-who-revokes"); err != nil {
			t.Fatal(err)
		}
		entries, err := f.db.AuditLog(ctx, f.boot.Partner.ID, "token", tok.ID)
		if err != nil || len(entries) != 2 || entries[1].Action != "token.revoke" || entries[1].ActorID != "PEOPLE-who-revokes" {
			t.Errorf("audit %+v %v", entries, err)
		}
	})
}

func TestSendTestEvent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		w := webhook(t, f.db, f.actor, "https://acme.example/hook", tenantry.EventCustomerUpdated)
		ev, err := f.db.SendTestEvent(ctx, f.actor, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if jobs := deliveryJobs(t, f.db, w.ID); !slices.Equal(jobs, []string{ev.ID}) {
			t.Fatalf("delivery jobs %v, want the test event's", jobs)
		}
		s := &sender{statuses: []int{204}}
		if err := f.db.DeliverWebhook(ctx, tenantry.DeliverWebhookJob{WebhookID: w.ID, EventID: ev.ID}, s.send); err != nil {
			t.Fatal(err)
		}
		if len(s.got) != 1 || s.got[0].EventType != tenantry.EventWebhookTest || s.got[0].Secret != w.Secret ||
			!strings.Contains(string(s.got[0].Body), `"webhookId":"`+w.ID+`"`) {
			t.Fatalf("sent %+v", s.got)
		}
		ds, total, err := f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 10})
		if err != nil || total != 1 || ds[0].EventType != tenantry.EventWebhookTest || ds[0].Status != tenantry.DeliverySucceeded {
			t.Errorf("deliveries %+v %v", ds, err)
		}
		if got := actions(t, f.db, f.boot.Partner.ID, "webhook", w.ID); !slices.Contains(got, "webhook.test") {
			t.Errorf("audit %v", got)
		}
		_, otherActor := addPartner(t, f.db, "Other")
		if _, err := f.db.SendTestEvent(ctx, otherActor, w.ID); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("another partner's webhook: %v", err)
		}
		idle := &tenantry.Webhook{URL: "https://acme.example/idle", Events: []string{tenantry.EventCustomerUpdated}}
		if err := f.db.CreateWebhook(ctx, f.actor, idle); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.SendTestEvent(ctx, f.actor, idle.ID)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonWebhookInactive)
	})
}

// TestDemotionNarrowsTokens: a token acts as its admin, so demoting the
// admin narrows its tokens to the new role's scopes at once (a token
// authenticated before is not believed from a cache), and revokes those
// left with none; a promotion widens nothing.
func TestDemotionNarrowsTokens(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		ad, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "fay@acme.example", Role: tenantry.RoleFullAdmin})
		if err != nil {
			t.Fatal(err)
		}
		by := &tenantry.Principal{PartnerID: f.boot.Partner.ID, AdminID: ad.ID, Scopes: tenantry.KnownScopes}
		token := func(scopes ...string) string {
			_, secret, err := f.db.CreateToken(ctx, f.boot.Partner.ID, by, &tenantry.TokenInput{Name: strings.Join(scopes, " "), Scopes: scopes})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.Authenticate(ctx, secret); err != nil { // cached now
				t.Fatal(err)
			}
			return secret
		}
		writer := token(tenantry.ScopeCustomersRead, tenantry.ScopeCustomersWrite, tenantry.ScopeTokens)
		tokensOnly := token(tenantry.ScopeTokens)
		scopes := func(secret string) []string {
			p, err := f.db.Authenticate(ctx, secret)
			if err != nil {
				return []string{tenantry.ErrorCode(err)}
			}
			return p.Scopes
		}
		if _, err := f.db.SetPartnerAdminRole(ctx, f.actor, ad.ID, tenantry.RoleProvisioningAdmin); err != nil {
			t.Fatal(err)
		}
		if got := scopes(writer); !slices.Equal(got, []string{tenantry.ScopeCustomersRead, tenantry.ScopeCustomersWrite}) {
			t.Errorf("a provisioning admin's token holds %v", got)
		}
		if got := scopes(tokensOnly); !slices.Equal(got, []string{tenantry.EUNAUTHORIZED}) {
			t.Errorf("a token left with no scope: %v", got)
		}
		if _, err := f.db.SetPartnerAdminRole(ctx, f.actor, ad.ID, tenantry.RoleReadOnlyAdmin); err != nil {
			t.Fatal(err)
		}
		if got := scopes(writer); !slices.Equal(got, []string{tenantry.ScopeCustomersRead}) {
			t.Errorf("a read-only admin's token holds %v", got)
		}
		if _, err := f.db.SetPartnerAdminRole(ctx, f.actor, ad.ID, tenantry.RoleFullAdmin); err != nil {
			t.Fatal(err)
		}
		if got := scopes(writer); !slices.Equal(got, []string{tenantry.ScopeCustomersRead}) {
			t.Errorf("after a promotion the token holds %v", got)
		}
		for action, want := range map[string]int{"token.narrow": 2, "token.revoke": 1} {
			if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, action, f.actor.AdminID); n != want {
				t.Errorf("%d %s audited, want %d", n, action, want)
			}
		}
	})
}

// TestOnlyTheNewestSignInLinkWorks: a fresh sign-in link ends an admin's
// unused invitation, and a password chosen through a link ends the rest.
func TestOnlyTheNewestSignInLinkWorks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		ad, err := f.db.InvitePartnerAdmin(ctx, f.actor, &tenantry.PartnerAdminInput{Email: "gil@acme.example", Role: tenantry.RoleProvisioningAdmin})
		if err != nil {
			t.Fatal(err)
		}
		invited := invitation(t, f.db, f.actor, "gil@acme.example")
		fresh, err := f.db.CreateSignInLink(ctx, ad.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.CheckLink(ctx, tenantry.LinkSignIn, invited); err == nil {
			t.Error("the invitation's link works beside a fresher one")
		}
		if _, err := f.db.UseSignInLink(ctx, invited, "correct horse battery"); err == nil {
			t.Error("a password was set through the superseded invitation")
		}
		if _, err := f.db.UseSignInLink(ctx, fresh, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UseSignInLink(ctx, fresh, "another horse battery"); err == nil {
			t.Error("a used link set a password again")
		}
	})
}
