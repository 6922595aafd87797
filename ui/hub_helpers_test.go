package ui_test

// Helpers for the hub's tests: a hub wired like cmd/tenantry's on a fresh
// database of every engine, with the provisioning workers running, and a
// browser-like client (cookie jar, no redirects followed unless asked).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
	"github.com/tenantry/tenantry/ui"
)

// waitTimeout bounds waits for background work; no test asserts on time.
const waitTimeout = 15 * time.Second

// clock is the hub's injected clock: tests move it forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type hubEnv struct {
	engine string
	db     *sqldb.DB
	srv    *httptest.Server
	clock  *clock
}

// forEachEngine runs fn on a fresh hub of every engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, en *hubEnv)) {
	t.Helper()
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		fn(t, newHubEnv(t, e.URL(t), e.Name))
	})
}

type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// newHubEnv starts the hub and the API, as cmd/tenantry's serve does, on
// the database at dbURL.
func newHubEnv(t testing.TB, dbURL, engine string) *hubEnv {
	t.Helper()
	return newHubEnvAt(t, dbURL, engine, "http://127.0.0.1")
}

// newHubEnvAt is newHubEnv with the public URL the hub believes it has.
func newHubEnvAt(t testing.TB, dbURL, engine, publicURL string) *hubEnv {
	t.Helper()
	lw := &testLog{t: t}
	t.Cleanup(func() { lw.mu.Lock(); lw.done = true; lw.mu.Unlock() })
	log := slog.New(slog.NewTextHandler(lw, nil))
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dbURL, sqldb.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		db.StopWork(sctx)
		db.Close()
	})
	if err := db.Work(ctx, provision.Workers(db, log, nil), sqldb.QueueConfig{}); err != nil {
		t.Fatal(err)
	}
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	hub, err := ui.New(ui.Services{Hub: db, Partners: db, Templates: db, Customers: db, Locations: db, Subscribers: db, Admins: db, Imports: db, Webhooks: db, Outbox: db, Audit: db, Assistance: db}, tr, ui.Options{PublicURL: publicURL, Now: clk.Now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db, Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	mux.Handle("/", hub.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &hubEnv{engine: engine, db: db, srv: srv, clock: clk}
}

// browser is a client with its own cookies, as one browser would be.
type browser struct {
	t    testing.TB
	en   *hubEnv
	c    *http.Client
	lang string
}

func (en *hubEnv) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, en: en, lang: "en", c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response with its body read.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) *page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.en.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", b.lang)
	// What a browser sends with a same-origin request.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return &page{Status: res.StatusCode, Header: res.Header, Body: string(raw), Location: res.Header.Get("Location")}
}

func (b *browser) get(path string) *page { b.t.Helper(); return b.do("GET", path, nil) }

func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	return b.do("POST", path, form)
}

// must checks a page's status.
func (p *page) must(t testing.TB, status int) *page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d; Location %q; body:\n%s", p.Status, status, p.Location, clip(p.Body))
	}
	return p
}

func (p *page) contains(t testing.TB, parts ...string) *page {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("page lacks %q; body:\n%s", s, clip(p.Body))
		}
	}
	return p
}

func (p *page) lacks(t testing.TB, parts ...string) *page {
	t.Helper()
	for _, s := range parts {
		if strings.Contains(p.Body, s) {
			t.Errorf("page has %q", s)
		}
	}
	return p
}

// fieldError returns the error shown next to a form field, "" when none,
// and checks that the control points to it for screen readers.
func (p *page) fieldError(t testing.TB, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<p class="error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</p>`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	ctl := regexp.MustCompile(`<\w+[^>]*id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(p.Body)
	group := strings.HasPrefix(ctl, "<fieldset") // a group of controls is described, not marked invalid
	if (!group && !strings.Contains(ctl, `aria-invalid="true"`)) || !strings.Contains(ctl, id+"-error") {
		t.Errorf("control %s is not marked invalid or does not describe its error: %s", id, ctl)
	}
	return m[1]
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// setupLink makes a first-run setup link and returns its path.
func (en *hubEnv) setupLink(t testing.TB) string {
	t.Helper()
	token, err := en.db.CreateSetupLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return "/setup/" + token
}

// admin is a signed-in admin's browser.
type admin struct {
	*browser
	partnerID, adminID, email string
}

// setUp runs the first-run setup page and returns the signed-in admin.
func (en *hubEnv) setUp(t testing.TB, partnerName, email string) *admin {
	t.Helper()
	b := en.browser(t)
	b.get(en.setupLink(t)).must(t, 200)
	p := b.post(en.setupLink(t), url.Values{"partner": {partnerName}, "name": {"Ada Admin"}, "email": {email}, "password": {"correct horse battery"}}).must(t, 303)
	if p.Location != "/templates" {
		t.Fatalf("setup went to %q", p.Location)
	}
	admins, err := en.db.AdminsByEmail(context.Background(), email)
	if err != nil || len(admins) != 1 {
		t.Fatalf("admins of %s: %v %v", email, admins, err)
	}
	return &admin{browser: b, partnerID: admins[0].PartnerID, adminID: admins[0].ID, email: email}
}

// bootstrap makes a partner through the API's bootstrap, with an admin of
// role signed in with a password set through a sign-in link.
func (en *hubEnv) bootstrap(t testing.TB, partnerName, email, role string) *admin {
	t.Helper()
	ctx := context.Background()
	res, err := en.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: partnerName, AdminEmail: email})
	if err != nil {
		t.Fatal(err)
	}
	if role != tenantry.RoleFullAdmin {
		if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `UPDATE partner_admins SET role = ? WHERE id = ?`), role, res.Admin.ID); err != nil {
			t.Fatal(err)
		}
	}
	token, err := en.db.CreateSignInLink(ctx, res.Admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := en.browser(t)
	b.get("/link/"+token).must(t, 200).contains(t, email)
	b.post("/link/"+token, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(t, 303)
	return &admin{browser: b, partnerID: res.Partner.ID, adminID: res.Admin.ID, email: email}
}

func rebind(en *hubEnv, q string) string {
	if en.engine != "postgres" {
		return q
	}
	return sqldbtest.Rebind(q)
}

// actor is the admin as the services know it.
func (a *admin) actor(t testing.TB, en *hubEnv) *tenantry.Actor {
	t.Helper()
	act, err := en.db.ResolveActor(context.Background(), &tenantry.Principal{PartnerID: a.partnerID, AdminID: a.adminID, Scopes: tenantry.AllScopes}, "")
	if err != nil {
		t.Fatal(err)
	}
	return act
}
