package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestTokenCache: a process answers a token from its cache (PostgreSQL),
// and a token deleted by another process on the same database (revoked,
// or its admin removed) is refused at once, its cached entry
// notwithstanding. A process whose listener lost its connection reads
// every token again until it is back, and an entry is never used for more
// than tokenMaxAge.
func TestTokenCache(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		url := e.URL(t)
		one := openTokenDB(t, url)
		two := openTokenDB(t, url)
		boot, err := one.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Cache", AdminEmail: "ops@cache.example"})
		if err != nil {
			t.Fatal(err)
		}
		pid := boot.Partner.ID
		newToken := func(adminID string) (*tenantry.Token, string) {
			t.Helper()
			tok, secret, err := one.CreateToken(ctx, pid, &tenantry.Principal{PartnerID: pid, AdminID: adminID, Scopes: tenantry.AllScopes},
				&tenantry.TokenInput{Name: "t", Scopes: []string{tenantry.ScopeCustomersRead}})
			if err != nil {
				t.Fatal(err)
			}
			return tok, secret
		}
		refused := func(db *DB, secret string) {
			t.Helper()
			if _, err := db.Authenticate(ctx, secret); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
				t.Fatalf("a deleted token authenticated: %v", err)
			}
		}

		// Revoked by one process while the other has it cached.
		tok, secret := newToken(boot.Admin.ID)
		waitCached(t, two, secret)
		if err := one.RevokeToken(ctx, pid, tok.ID); err != nil {
			t.Fatal(err)
		}
		refused(two, secret)
		refused(one, secret)

		// Revoked by the process that has it cached.
		tok, secret = newToken(boot.Admin.ID)
		waitCached(t, two, secret)
		if err := two.RevokeToken(ctx, pid, tok.ID); err != nil {
			t.Fatal(err)
		}
		refused(two, secret)

		// Its admin removed by the other process.
		actor := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: pid, AdminID: boot.Admin.ID, Scopes: tenantry.AllScopes}, OrgID: pid}
		ad, err := one.InvitePartnerAdmin(ctx, actor, &tenantry.PartnerAdminInput{Email: "bo@cache.example", Role: tenantry.RoleFullAdmin})
		if err != nil {
			t.Fatal(err)
		}
		_, secret = newToken(ad.ID)
		waitCached(t, two, secret)
		if err := one.RemovePartnerAdmin(ctx, actor, ad.ID); err != nil {
			t.Fatal(err)
		}
		refused(two, secret)

		if e.Name != "postgres" {
			return
		}
		// The listener's connection lost: the cache is not used until the
		// listener is back, so a revocation that did not wait for this
		// process is still seen.
		tok, secret = newToken(boot.Admin.ID)
		waitCached(t, two, secret)
		if _, err := one.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`, tokenListenerName); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for two.tokenCache.trustedNow() {
			if time.Now().After(deadline) {
				t.Fatal("the cache is still trusted after its listener's connection ended")
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := one.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1`, tok.ID); err != nil { // no notice at all
			t.Fatal(err)
		}
		refused(two, secret)
		tok, secret = newToken(boot.Admin.ID)
		waitCached(t, two, secret) // the listener is back

		// An entry older than tokenMaxAge is read again, even with no
		// notice of the deletion.
		two.tokenCache.mu.Lock()
		two.tokenCache.entries[hashToken(secret)].read = time.Now().Add(-tokenMaxAge - time.Second)
		two.tokenCache.mu.Unlock()
		if _, err := one.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1`, tok.ID); err != nil {
			t.Fatal(err)
		}
		refused(two, secret)
	})
}

func openTokenDB(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitCached authenticates with secret on db until db answers it from its
// cache, once its listener holds the lock (SQLite has no cache).
func waitCached(t *testing.T, db *DB, secret string) {
	t.Helper()
	waitUntilCached(t, db, func() error { _, err := db.Authenticate(t.Context(), secret); return err },
		func() bool { _, _, ok := db.cachedToken(hashToken(secret)); return ok })
}

// waitUntilCached runs read on db until isCached says its row is cached
// (at once on SQLite, which has no cache).
func waitUntilCached(t *testing.T, db *DB, read func() error, isCached func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := read(); err != nil {
			t.Fatal(err)
		}
		if db.engine == SQLite || isCached() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("not cached after 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// trustedNow reports whether the cache may be used.
func (c *tokenCache) trustedNow() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trusted
}
