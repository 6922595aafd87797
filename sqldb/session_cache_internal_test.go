package sqldb

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestSessionCache: a process answers a hub session from its cache
// (PostgreSQL), and whatever another process on the same database changes
// of the session or of its admin — its end, the admin's language, role,
// new password or removal, the partner it acts for — the next request
// sees, the cached entry notwithstanding.
func TestSessionCache(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		url := e.URL(t)
		one := openTokenDB(t, url)
		two := openTokenDB(t, url)
		boot, err := one.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Sessions", AdminEmail: "ops@sessions.example"})
		if err != nil {
			t.Fatal(err)
		}
		pid := boot.Partner.ID
		actor := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: pid, AdminID: boot.Admin.ID, Scopes: tenantry.AllScopes}, OrgID: pid}
		ad, err := one.InvitePartnerAdmin(ctx, actor, &tenantry.PartnerAdminInput{Email: "bo@sessions.example", Role: tenantry.RoleFullAdmin})
		if err != nil {
			t.Fatal(err)
		}
		session := func() string {
			t.Helper()
			token, err := one.CreateSession(ctx, ad.ID)
			if err != nil {
				t.Fatal(err)
			}
			waitSessionCached(t, two, token)
			return token
		}
		ended := func(token string) {
			t.Helper()
			if _, err := two.Session(ctx, token); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
				t.Fatalf("an ended session is still answered: %v", err)
			}
		}
		now := func(token string) *tenantry.Session {
			t.Helper()
			s, err := two.Session(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		// Signed out through the other process.
		token := session()
		if err := one.EndSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		ended(token)

		// The admin's language, role and partner acted for.
		token = session()
		if err := one.SetAdminLanguage(ctx, ad.ID, "sv"); err != nil {
			t.Fatal(err)
		}
		if s := now(token); s.Language != "sv" {
			t.Errorf("language %q after it changed to sv", s.Language)
		}
		waitSessionCached(t, two, token)
		if _, err := one.SetPartnerAdminRole(ctx, actor, ad.ID, tenantry.RoleReadOnlyAdmin); err != nil {
			t.Fatal(err)
		}
		if s := now(token); s.Admin.Role != tenantry.RoleReadOnlyAdmin {
			t.Errorf("role %q after it changed to read-only", s.Admin.Role)
		}
		sub, err := one.CreateSubPartner(ctx, pid, "Sub")
		if err != nil {
			t.Fatal(err)
		}
		waitSessionCached(t, two, token)
		if err := one.SetSessionSubPartner(ctx, hashToken(token), sub.ID); err != nil {
			t.Fatal(err)
		}
		if s := now(token); s.SubPartnerID != sub.ID {
			t.Errorf("acting for %q after it changed to %s", s.SubPartnerID, sub.ID)
		}

		// A new password through a sign-in link ends the admin's sessions.
		waitSessionCached(t, two, token)
		link, err := one.CreateSignInLink(ctx, ad.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := one.UseSignInLink(ctx, link, "correct horse battery staple 9"); err != nil {
			t.Fatal(err)
		}
		ended(token)

		// The admin removed.
		token = session()
		if err := one.RemovePartnerAdmin(ctx, actor, ad.ID); err != nil {
			t.Fatal(err)
		}
		ended(token)

		if e.Name != "postgres" {
			return
		}
		// What two returns is its own copy: a caller's change does not
		// reach the cache.
		token, err = one.CreateSession(ctx, boot.Admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitSessionCached(t, two, token)
		now(token).Admin.Role = tenantry.RoleReadOnlyAdmin
		if s := now(token); s.Admin.Role != tenantry.RoleFullAdmin {
			t.Errorf("the cached session's role is %q", s.Admin.Role)
		}
		// An entry older than tokenMaxAge is read again, even with no
		// notice of the change.
		two.tokenCache.mu.Lock()
		two.tokenCache.sessions[hashToken(token)].read = time.Now().Add(-tokenMaxAge - time.Second)
		two.tokenCache.mu.Unlock()
		if _, err := one.pool.Exec(ctx, `DELETE FROM hub_sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
			t.Fatal(err)
		}
		ended(token)
	})
}

// waitSessionCached reads a session on db until db answers it from its
// cache, once its listener holds the lock (SQLite has no cache).
func waitSessionCached(t *testing.T, db *DB, token string) {
	t.Helper()
	waitUntilCached(t, db, func() error { _, err := db.Session(t.Context(), token); return err },
		func() bool { _, _, ok := db.cachedSession(hashToken(token)); return ok })
}
