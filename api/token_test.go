package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The token operations are among those the document must describe.
func init() {
	type op = struct{ method, path string }
	openapiOperations = append(openapiOperations,
		op{"GET", "/partner/tokens"},
		op{"POST", "/partner/tokens"},
		op{"GET", "/partner/tokens/{tokenId}"},
		op{"DELETE", "/partner/tokens/{tokenId}"},
	)
}

// testClock is a clock tests move by hand; every process of a test shares
// it, as the processes of a cluster share the time.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newProcess starts one Tenantry process over the database at dbURL, on
// the test clock: its own connection pool and its own API server, as a
// second `tenantry serve` on a shared database has. No job workers run.
func newProcess(t *testing.T, engine, dbURL string, clock *testClock, opts ...api.Option) *env {
	t.Helper()
	sp, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(context.Background(), dbURL, sqldb.Options{Now: clock.now})
	if err != nil {
		t.Fatalf("open %s database: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db}, tr, slog.New(slog.DiscardHandler),
		append([]api.Option{api.WithClock(clock.now)}, opts...)...)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{engine: engine, db: db, srv: srv, client: &http.Client{Timeout: 30 * time.Second}, specs: sp, tr: tr}
}

type tokenDoc struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Scopes   []string   `json:"scopes"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires"`
	LastUsed *time.Time `json:"lastUsed"`
	Token    string     `json:"token"`
}

type tokenList struct {
	Items []tokenDoc `json:"items"`
}

func (l tokenList) find(id string) *tokenDoc {
	for i := range l.Items {
		if l.Items[i].ID == id {
			return &l.Items[i]
		}
	}
	return nil
}

// createToken makes a token through the API with the given token.
func (en *env) createToken(t *testing.T, with string, body map[string]any) tokenDoc {
	t.Helper()
	r := en.do(t, "POST", "/v1/partner/tokens", with, body, nil).wantStatus(t, 201)
	var d tokenDoc
	r.decode(t, &d)
	if d.Token == "" || d.ID == "" {
		t.Fatalf("created token without id or secret: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != en.srv.URL+"/v1/partner/tokens/"+url.PathEscape(d.ID) {
		t.Errorf("token Location = %q", loc)
	}
	return d
}

// TestTokens: tokens made through the API hold exactly the scopes asked
// for, never more than their maker's; they are listed with their last use
// and without their secret; a revoked token is refused at once by another
// process on the same database, and an expired one as soon as the clock
// passes its expiry.
func TestTokens(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clock := newTestClock()
		dbURL := e.URL(t)
		one := newProcess(t, e.Name, dbURL, clock)
		two := newProcess(t, e.Name, dbURL, clock)
		boot := one.bootstrap(t, "Acme")
		other := one.bootstrap(t, "Other")

		reader := one.createToken(t, boot.Token, map[string]any{"name": "nightly report", "scopes": []string{tenantry.ScopeCustomersRead}})
		if !slices.Equal(reader.Scopes, []string{tenantry.ScopeCustomersRead}) || reader.Name != "nightly report" || !reader.Created.Equal(clock.now()) {
			t.Errorf("created token = %+v", reader)
		}
		// Only the hash is stored.
		sum := sha256.Sum256([]byte(reader.Token))
		var stored string
		q := `SELECT token_hash FROM api_tokens WHERE id = ?`
		if e.Name == "postgres" {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if err := one.db.SQL().QueryRowContext(t.Context(), q, reader.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != hex.EncodeToString(sum[:]) {
			t.Errorf("stored %q, want the SHA-256 of the secret", stored)
		}

		// The scopes it holds, and no other, on the other process too.
		two.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 200)
		two.do(t, "POST", "/v1/wholesale/customers", reader.Token, map[string]any{}, nil).wantStatus(t, 403)
		two.do(t, "GET", "/v1/partner/tokens", reader.Token, nil, nil).wantStatus(t, 403)
		two.do(t, "POST", "/v1/partner/tokens", reader.Token, map[string]any{"name": "x", "scopes": []string{tenantry.ScopeCustomersRead}}, nil).wantStatus(t, 403)

		// A token that manages tokens cannot grant what it lacks.
		manager := one.createToken(t, boot.Token, map[string]any{"name": "manager", "scopes": []string{tenantry.ScopeTokens, tenantry.ScopeCustomersRead}})
		two.do(t, "POST", "/v1/partner/tokens", manager.Token, map[string]any{"name": "escalate",
			"scopes": []string{tenantry.ScopeCustomersRead, tenantry.ScopeCustomersWrite}}, nil).wantField(t, 403, "scopes[1]")
		two.createToken(t, manager.Token, map[string]any{"name": "narrower", "scopes": []string{tenantry.ScopeCustomersRead}})

		// The list names every token, its scopes and last use, never a secret.
		var l tokenList
		r := two.do(t, "GET", "/v1/partner/tokens", boot.Token, nil, nil).wantStatus(t, 200)
		r.decode(t, &l)
		if len(l.Items) != 4 || strings.Contains(string(r.Body), reader.Token) || strings.Contains(string(r.Body), `"token"`) {
			t.Errorf("token list: %s", r.Body)
		}
		if got := l.find(reader.ID); got == nil || got.LastUsed == nil || !got.LastUsed.Equal(clock.now()) {
			t.Errorf("reader in the list: %+v, want last used now", got)
		}
		if got := l.find(boot.ID); got != nil {
			t.Errorf("a token id equals the partner id: %+v", got)
		}

		// Last use is written at most once a minute.
		clock.advance(30 * time.Second)
		two.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 200)
		var d tokenDoc
		one.do(t, "GET", "/v1/partner/tokens/"+url.PathEscape(reader.ID), boot.Token, nil, nil).wantStatus(t, 200).decode(t, &d)
		if d.LastUsed == nil || !d.LastUsed.Equal(clock.now().Add(-30*time.Second)) {
			t.Errorf("last use after 30 s = %v, want unchanged", d.LastUsed)
		}
		clock.advance(31 * time.Second)
		two.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 200)
		one.do(t, "GET", "/v1/partner/tokens/"+url.PathEscape(reader.ID), boot.Token, nil, nil).wantStatus(t, 200).decode(t, &d)
		if d.LastUsed == nil || !d.LastUsed.Equal(clock.now()) {
			t.Errorf("last use after 61 s = %v, want %v", d.LastUsed, clock.now())
		}

		// Revoked on one process: refused at once on the other.
		two.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 200)
		one.do(t, "DELETE", "/v1/partner/tokens/"+url.PathEscape(reader.ID), boot.Token, nil, nil).wantStatus(t, 204)
		two.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 401)
		one.do(t, "GET", "/v1/wholesale/customers", reader.Token, nil, nil).wantStatus(t, 401)
		one.do(t, "DELETE", "/v1/partner/tokens/"+url.PathEscape(reader.ID), boot.Token, nil, nil).wantStatus(t, 404)

		// A token that expires cannot make one that outlives it.
		hour := clock.now().Add(time.Hour)
		brief := one.createToken(t, boot.Token, map[string]any{"name": "brief", "scopes": []string{tenantry.ScopeTokens, tenantry.ScopeCustomersRead}, "expires": hour.Format(time.RFC3339)})
		ask := func(expires string) map[string]any {
			b := map[string]any{"name": "child", "scopes": []string{tenantry.ScopeCustomersRead}}
			if expires != "" {
				b["expires"] = expires
			}
			return b
		}
		two.do(t, "POST", "/v1/partner/tokens", brief.Token, ask(""), nil).wantField(t, 403, "expires")
		two.do(t, "POST", "/v1/partner/tokens", brief.Token, ask(hour.Add(time.Second).Format(time.RFC3339)), nil).wantField(t, 403, "expires")
		two.createToken(t, brief.Token, ask(hour.Format(time.RFC3339)))

		// Expired: refused once the clock reaches the expiry, everywhere.
		exp := clock.now().Add(time.Hour)
		short := one.createToken(t, boot.Token, map[string]any{"name": "short", "scopes": []string{tenantry.ScopeCustomersRead}, "expires": exp.Format(time.RFC3339)})
		if short.Expires == nil || !short.Expires.Equal(exp) {
			t.Errorf("expires = %v, want %v", short.Expires, exp)
		}
		two.do(t, "GET", "/v1/wholesale/customers", short.Token, nil, nil).wantStatus(t, 200)
		clock.advance(time.Hour - time.Second)
		one.do(t, "GET", "/v1/wholesale/customers", short.Token, nil, nil).wantStatus(t, 200)
		clock.advance(time.Second)
		one.do(t, "GET", "/v1/wholesale/customers", short.Token, nil, nil).wantStatus(t, 401)
		two.do(t, "GET", "/v1/wholesale/customers", short.Token, nil, nil).wantStatus(t, 401)

		// A replay of the creation shows the token, never its secret again.
		body := map[string]any{"name": "retried", "scopes": []string{tenantry.ScopeCustomersRead}}
		key := map[string]string{"Idempotency-Key": "token-1"}
		var first, again tokenDoc
		one.do(t, "POST", "/v1/partner/tokens", boot.Token, body, key).wantStatus(t, 201).decode(t, &first)
		r = two.do(t, "POST", "/v1/partner/tokens", boot.Token, body, key).wantStatus(t, 201)
		r.decode(t, &again)
		if first.Token == "" || again.Token != "" || again.ID != first.ID || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replayed creation: first %+v, replay %s", first, r.Body)
		}

		// Another partner's tokens are not found.
		path := "/v1/partner/tokens/" + url.PathEscape(manager.ID)
		one.do(t, "GET", path, other.Token, nil, nil).wantStatus(t, 404)
		one.do(t, "DELETE", path, other.Token, nil, nil).wantStatus(t, 404)
		two.do(t, "GET", "/v1/partner/tokens", manager.Token, nil, nil).wantStatus(t, 200)
		var ol tokenList
		one.do(t, "GET", "/v1/partner/tokens", other.Token, nil, nil).wantStatus(t, 200).decode(t, &ol)
		if ol.find(manager.ID) != nil || len(ol.Items) != 1 {
			t.Errorf("Other's list shows Acme's tokens: %+v", ol.Items)
		}
	})
}

// TestTokenValidation: a bad token request names each field at fault, in
// the caller's language, and a huge scope list is one problem.
func TestTokenValidation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clock := newTestClock()
		en := newProcess(t, e.Name, e.URL(t), clock)
		p := en.bootstrap(t, "Acme")
		past := clock.now().Add(-time.Minute).Format(time.RFC3339)
		r := p.do(t, "POST", "/v1/partner/tokens", map[string]any{"name": "", "scopes": []string{"spark-admin:everything", tenantry.ScopeCustomersRead, tenantry.ScopeCustomersRead}, "expires": past},
			map[string]string{"Accept-Language": "sv"}).wantStatus(t, 400)
		e1 := r.errorDoc(t)
		if got, want := e1.fields(), []string{"expires", "name", "scopes[0]", "scopes[2]"}; !slices.Equal(got, want) {
			t.Errorf("fields = %v, want %v; %s", got, want, r.Body)
		}
		if r.Header.Get("Content-Language") != "sv" {
			t.Errorf("Content-Language = %q", r.Header.Get("Content-Language"))
		}
		p.do(t, "POST", "/v1/partner/tokens", map[string]any{"name": "x", "scopes": []string{tenantry.ScopeCustomersRead}, "expires": "tomorrow"}, nil).wantField(t, 400, "expires")
		p.do(t, "POST", "/v1/partner/tokens", map[string]any{"name": "x"}, nil).wantField(t, 400, "scopes")
		p.do(t, "POST", "/v1/partner/tokens", map[string]any{"name": "x", "scopes": []string{tenantry.ScopeCustomersRead}, "admin": "me"}, nil).wantField(t, 400, "admin")

		many := make([]string, 100000)
		for i := range many {
			many[i] = "nope"
		}
		r = p.do(t, "POST", "/v1/partner/tokens", map[string]any{"name": "x", "scopes": many}, nil)
		if n := len(r.wantField(t, 400, "scopes").Errors); n != 1 || len(r.Body) > 2000 {
			t.Errorf("100,000 scopes: %d errors, %d bytes", n, len(r.Body))
		}
	})
}
