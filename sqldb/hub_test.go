package sqldb_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// movableClock is a clock a test moves by hand.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestHubSetupLinksSessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		clk := &movableClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{Now: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })

		if needs, err := db.NeedsSetup(ctx); err != nil || !needs {
			t.Fatalf("NeedsSetup on an empty database: %v %v", needs, err)
		}
		token, err := db.CreateSetupLink(ctx)
		if err != nil {
			t.Fatal(err)
		}
		in := tenantry.SetupInput{PartnerName: "Acme", AdminName: "Ada", AdminEmail: "ada@acme.example", Password: "correct horse battery"}
		bad := in
		bad.Password = "short"
		if _, err := db.CompleteSetup(ctx, token, bad); tenantry.ErrorCode(err) != tenantry.EINVALID {
			t.Fatalf("short password: %v", err)
		}
		res, err := db.CompleteSetup(ctx, token, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Admin.DisplayName != "Ada" || res.Admin.Role != tenantry.RoleFullAdmin {
			t.Errorf("admin %+v", res.Admin)
		}
		// The link worked once; a second setup link cannot set up twice.
		if _, err := db.CompleteSetup(ctx, token, in); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("setup link used twice: %v", err)
		}
		token2, _ := db.CreateSetupLink(ctx)
		in.PartnerName = "Other"
		if _, err := db.CompleteSetup(ctx, token2, in); tenantry.ErrorCode(err) != tenantry.ECONFLICT {
			t.Errorf("second setup: %v", err)
		}

		// Passwords: never stored in clear; a wrong one and an unknown email fail alike.
		var stored string
		if err := db.SQL().QueryRowContext(ctx, rebindFor(db, `SELECT hash FROM admin_passwords WHERE admin_id = ?`), res.Admin.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if len(stored) < 60 || stored[:10] != "$argon2id$" {
			t.Errorf("stored hash %q", stored)
		}
		if _, err := db.SignIn(ctx, "ada@acme.example", "wrong password"); tenantry.AsError(err).Reason != tenantry.ReasonSignInFailed {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := db.SignIn(ctx, "nobody@acme.example", "correct horse battery"); tenantry.AsError(err).Reason != tenantry.ReasonSignInFailed {
			t.Errorf("unknown email: %v", err)
		}
		a, err := db.SignIn(ctx, "ADA@acme.example", "correct horse battery")
		if err != nil || a.ID != res.Admin.ID {
			t.Fatalf("sign in: %v %v", a, err)
		}

		// Sessions end after being idle, and on sign-out.
		s1, _ := db.CreateSession(ctx, a.ID)
		clk.add(tenantry.SessionIdle - time.Minute)
		if _, err := db.Session(ctx, s1); err != nil {
			t.Fatalf("session used within the idle time: %v", err)
		}
		clk.add(tenantry.SessionIdle - time.Minute) // used a moment ago: still alive
		sess, err := db.Session(ctx, s1)
		if err != nil {
			t.Fatalf("session kept alive by use: %v", err)
		}
		if sess.Language != "" {
			t.Errorf("language chosen before any choice: %q", sess.Language)
		}
		clk.add(tenantry.SessionIdle)
		if _, err := db.Session(ctx, s1); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("idle session: %v", err)
		}
		s2, _ := db.CreateSession(ctx, a.ID)
		if err := db.SaveDraft(ctx, hashOf(t, db, s2), "k", `{"a":1}`); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAdminLanguage(ctx, a.ID, "ko"); err != nil {
			t.Fatal(err)
		}
		if sess, _ := db.Session(ctx, s2); sess.Language != "ko" {
			t.Errorf("chosen language %q", sess.Language)
		}
		// The language of a session is read without marking it used.
		var seen, seenAfter int64
		h2 := hashOf(t, db, s2)
		seenOf := `SELECT seen FROM hub_sessions WHERE token_hash = ?`
		if db.Engine() == sqldb.Postgres {
			seenOf = sqldbtest.Rebind(seenOf)
		}
		if err := db.SQL().QueryRowContext(ctx, seenOf, h2).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		clk.add(2 * time.Minute)
		if lang, err := db.SessionLanguage(ctx, s2); err != nil || lang != "ko" {
			t.Errorf("SessionLanguage = %q, %v; want ko", lang, err)
		}
		if err := db.SQL().QueryRowContext(ctx, seenOf, h2).Scan(&seenAfter); err != nil || seenAfter != seen {
			t.Errorf("SessionLanguage moved the session's last use: %d → %d (%v)", seen, seenAfter, err)
		}
		for _, tok := range []string{"", "no-such-session", s1} { // s1 ended when idle
			if lang, err := db.SessionLanguage(ctx, tok); err != nil || lang != "" {
				t.Errorf("SessionLanguage(%q) = %q, %v; want none", tok, lang, err)
			}
		}
		if err := db.EndSession(ctx, s2); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, s2); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("ended session: %v", err)
		}

		// A sign-in link sets a password once, ends the admin's sessions, and expires.
		s3, _ := db.CreateSession(ctx, a.ID)
		link, err := db.CreateSignInLink(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.CheckLink(ctx, tenantry.LinkSignIn, link); err != nil || got.ID != a.ID {
			t.Fatalf("check link: %v %v", got, err)
		}
		if _, err := db.CheckLink(ctx, tenantry.LinkSetup, link); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("a sign-in link used as a setup link: %v", err)
		}
		if _, err := db.UseSignInLink(ctx, link, "a new long password"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UseSignInLink(ctx, link, "another long password"); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("link used twice: %v", err)
		}
		if _, err := db.Session(ctx, s3); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("session survived a password change: %v", err)
		}
		if _, err := db.SignIn(ctx, "ada@acme.example", "a new long password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		old, _ := db.CreateSignInLink(ctx, a.ID)
		clk.add(tenantry.LinkLifetime + time.Second)
		if _, err := db.CheckLink(ctx, tenantry.LinkSignIn, old); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("expired link: %v", err)
		}
		if _, err := db.UseSignInLink(ctx, old, "yet another password"); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("expired link used: %v", err)
		}
	})
}

// hashOf is the hash a session's drafts are kept under.
func hashOf(t *testing.T, db *sqldb.DB, token string) string {
	t.Helper()
	s, err := db.Session(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	return s.Hash
}

func rebindFor(db *sqldb.DB, q string) string {
	if db.Engine() == sqldb.Postgres {
		return "SELECT hash FROM admin_passwords WHERE admin_id = $1"
	}
	return q
}
