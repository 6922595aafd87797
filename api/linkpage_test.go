package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The links' operations are among those the document must describe.
func init() {
	type op = struct{ method, path string }
	for _, p := range []string{"/approvals/{token}", "/consents/{token}"} {
		openapiOperations = append(openapiOperations, op{"GET", p}, op{"HEAD", p}, op{"POST", p})
	}
}

// linkClock is the database's clock in the link tests: real time moved on
// by what the test advanced, so that a link expires without waiting.
type linkClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *linkClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *linkClock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// linkEnv is an environment whose database runs on clk, with every service
// the link flows touch: admins (approvals), subscribers (consent), outbox.
func linkEnv(t *testing.T, e sqldbtest.Engine, clk *linkClock) *env {
	t.Helper()
	opt := sqldb.Options{}
	if clk != nil {
		opt.Now = clk.now
	}
	en := newEnvOpts(t, e, opt)
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db,
		Subscribers: db, Admins: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	sp := *en.specs
	sp.refRouter = adminRouter{ref: sp.refRouter, ours: sp.oursRouter}
	out.specs = &sp
	return &out
}

// pageResp is what a link answered.
type pageResp struct {
	status int
	header http.Header
	body   string
}

var (
	htmlLangRE = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)
	h1RE       = regexp.MustCompile(`<h1>([^<]*)</h1>`)
	buttonRE   = regexp.MustCompile(`<button type="submit" name="decision" value="([a-z]+)"`)
)

func (r *pageResp) lang() (string, string) {
	m := htmlLangRE.FindStringSubmatch(r.body)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

func (r *pageResp) title() string {
	m := h1RE.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (r *pageResp) buttons() []string {
	var out []string
	for _, m := range buttonRE.FindAllStringSubmatch(r.body, -1) {
		out = append(out, m[1])
	}
	return out
}

// page sends a browser's request to a link: GET and HEAD, or POST of the
// form (decision set, when not empty). headers are added (a browser's
// Sec-Fetch-Site and Origin, Accept-Language). It checks what every link
// response must be: never a 5xx, and an HTML page with the headers that
// keep its token from leaking and its form from being framed.
func (en *env) page(t *testing.T, method, path, decision string, headers map[string]string) *pageResp {
	t.Helper()
	var body io.Reader
	if method == "POST" {
		form := url.Values{}
		if decision != "" {
			form.Set("decision", decision)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, en.srv.URL+strings.TrimPrefix(path, en.srv.URL), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// A browser posting the page's own form.
		req.Header.Set("Origin", en.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := en.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := &pageResp{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if r.status >= 500 {
		t.Fatalf("%s %s: %d\n%s", method, path, r.status, b)
	}
	h := resp.Header
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "style-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s %s: Content-Security-Policy %q lacks %s", method, path, csp, want)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %s: headers %v", method, path, h)
	}
	if h.Get("TrackingID") == "" {
		t.Errorf("%s %s: no TrackingID", method, path)
	}
	if strings.Contains(strings.ToLower(r.body), "<script") || strings.Contains(r.body, " style=") {
		t.Errorf("%s %s: the page has a script or inline style:\n%s", method, path, r.body)
	}
	if method == "HEAD" && len(b) != 0 {
		t.Errorf("HEAD %s: a body", path)
	}
	return r
}

// want checks a page's status, language and direction.
func (r *pageResp) want(t *testing.T, status int, lang, dir string) *pageResp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	if l, d := r.lang(); l != lang || d != dir {
		t.Errorf("<html lang=%q dir=%q>, want %q %q", l, d, lang, dir)
	}
	return r
}

// crossSite are the headers of a form another site makes a browser post.
var crossSite = map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}

// sentText is a mail as the sender sends it (with its links), and the
// outbox text a partner reads of it.
func sentText(t *testing.T, en *env, id string) string {
	t.Helper()
	m, err := en.db.MessageToSend(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// TestApprovalLinkPage is the approval link of rule C7 as a browser and a
// mail scanner meet it: GET and HEAD show the question in the mail's
// language and change nothing; a cross-site POST is refused; the form's
// POST approves once; a used link, an unknown one and an expired one say
// so, and the expired one decides nothing.
func TestApprovalLinkPage(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clk := &linkClock{}
		en := linkEnv(t, e, clk)
		p := en.bootstrap(t, "Korea Partner")
		tpl := p.createTemplate(t, "Seoul")
		for _, o := range []*tenantry.ExistingOrg{{OrgID: "org-verified", UserCount: 3, VerifiedDomain: true}, {OrgID: "org-large", UserCount: 400}} {
			if err := en.db.PutExistingOrg(t.Context(), o); err != nil {
				t.Fatal(err)
			}
		}
		attach := func(ext, org string) string {
			body := set(customerBody(tpl.ProvisioningID, ext, "US", "webex_calling"), "orgId", org)
			set(body, "customerInfo.language", "ko")
			id := p.createCustomer(t, body, "")
			waitJobDone(t, en, id)
			return id
		}
		id := attach("att-ko", "org-verified")
		token := invitationToken(t, en, id)
		link := "/v1/approvals/" + token

		// The mail scanner, and the recipient opening the page: nothing
		// changes. The mail's language wins over the browser's.
		for range 2 {
			en.page(t, "HEAD", link+"?decision=approve", "", nil).want(t, 200, "", "")
			r := en.page(t, "GET", link+"?decision=approve", "", map[string]string{"Accept-Language": "en-US,en"}).want(t, 200, "ko", "ltr")
			if got, want := r.title(), en.tr.Message("ko", "links.approval.title", map[string]string{"organization": "Customer att-ko"}); got != want {
				t.Errorf("title %q, want %q", got, want)
			}
			for _, s := range []string{"org-verified", "Seoul", "승인", "거부"} {
				if !strings.Contains(r.body, s) {
					t.Errorf("the page does not show %q:\n%s", s, r.body)
				}
			}
			if b := r.buttons(); len(b) != 2 || b[0] != "approve" || b[1] != "reject" {
				t.Errorf("buttons %v", b)
			}
		}
		if s := p.approvalState(t, id); s != "pending" {
			t.Fatalf("after GET and HEAD the approval is %q, want pending", s)
		}

		// Another site's page posting the form is refused, as is a form
		// without an answer.
		en.page(t, "POST", link, "approve", crossSite).want(t, 403, "ko", "ltr")
		en.page(t, "POST", link, "", nil).want(t, 400, "ko", "ltr")
		en.page(t, "POST", link, "maybe", nil).want(t, 400, "ko", "ltr")
		if s := p.approvalState(t, id); s != "pending" {
			t.Fatalf("after refused posts the approval is %q, want pending", s)
		}

		r := en.page(t, "POST", link, "approve", nil).want(t, 200, "ko", "ltr")
		if got := r.title(); got != en.tr.Message("ko", "links.approval.done_approved_title", nil) {
			t.Errorf("after approving: %q", got)
		}
		p.waitStatus(t, id, "provisioned")
		if s := p.approvalState(t, id); s != "approved" {
			t.Errorf("approval %q after approving", s)
		}
		for _, m := range []string{"GET", "POST"} {
			r := en.page(t, m, link, "reject", nil).want(t, 410, "ko", "ltr")
			if r.title() != en.tr.Message("ko", "links.used.title", nil) || !strings.Contains(r.body, en.tr.Message("ko", "links.outcome.approved", nil)) {
				t.Errorf("%s of a used link:\n%s", m, r.body)
			}
		}
		if s := p.approvalState(t, id); s != "approved" {
			t.Errorf("approval %q after a used link's reject", s)
		}

		// Unknown: the browser's language, 404.
		r = en.page(t, "GET", "/v1/approvals/not-a-token", "", map[string]string{"Accept-Language": "sv-SE"}).want(t, 404, "sv", "ltr")
		if r.title() != en.tr.Message("sv", "links.notfound.title", nil) {
			t.Errorf("unknown link: %q", r.title())
		}
		en.page(t, "POST", "/v1/approvals/not-a-token", "approve", nil).want(t, 404, "en", "ltr")

		// Expired: after 14 days the link decides nothing and says so.
		late := attach("att-late", "org-large")
		lateLink := "/v1/approvals/" + invitationToken(t, en, late)
		clk.advance(tenantry.DefaultApprovalLinkTTL - time.Minute)
		en.page(t, "GET", lateLink, "", nil).want(t, 200, "ko", "ltr")
		clk.advance(time.Minute)
		r = en.page(t, "GET", lateLink, "", nil).want(t, 410, "ko", "ltr")
		if r.title() != en.tr.Message("ko", "links.expired.title", nil) {
			t.Errorf("expired link: %q", r.title())
		}
		en.page(t, "POST", lateLink, "approve", nil).want(t, 410, "ko", "ltr")
		// A JSON client gets the API's error body, with the same status.
		en.do(t, "POST", lateLink, "", "decision=approve", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}).
			wantStatus(t, 410)
		if s := p.approvalState(t, late); s != "pending" {
			t.Errorf("an expired link changed the approval to %q", s)
		}
		if c := p.getCustomer(t, late, ""); c.Status != "provisioning" {
			t.Errorf("an expired link moved the customer to %s", c.Status)
		}
	})
}

// TestConsentLinkPage is the consent link of rule U3 in Arabic: the page
// is right to left, GET and HEAD change nothing, a cross-site POST is
// refused, reject and accept decide through the form (or a JSON client),
// a used link and an expired one say so.
func TestConsentLinkPage(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clk := &linkClock{}
		en := linkEnv(t, e, clk)
		p := en.bootstrap(t, "Gulf Partner")
		tpl := p.createTemplate(t, "Doha")
		body := customerBody(tpl.ProvisioningID, "ext-ar", "US", "webex_meetings")
		set(body, "customerInfo.language", "ar")
		cid := p.createCustomer(t, body, "")
		p.waitStatus(t, cid, "provisioned")
		for _, addr := range []string{"layla@free.example", "late@free.example"} {
			if err := en.db.AddFreeAccount(t.Context(), addr); err != nil {
				t.Fatal(err)
			}
		}
		create := func(email string) string {
			var s subscriberDoc
			p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, email, map[string]any{"firstName": "Layla"}, "webex_meetings"), nil).
				wantStatus(t, 202).decode(t, &s)
			if s.Status != "pending_user_migration" {
				t.Fatalf("created %s", s.Status)
			}
			return s.ID
		}
		status := func(id string) string {
			var s subscriberDoc
			p.do(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(id), nil, nil).wantStatus(t, 200).decode(t, &s)
			return s.Status
		}
		sid := create("layla@free.example")
		tokens := consentTokens(t, en, "layla@free.example")
		link := "/v1/consents/" + tokens[0]

		en.page(t, "HEAD", link, "", nil).want(t, 200, "", "")
		r := en.page(t, "GET", link+"?decision=accept", "", map[string]string{"Accept-Language": "ko"}).want(t, 200, "ar", "rtl")
		if got, want := r.title(), en.tr.Message("ar", "links.consent.title", map[string]string{"organization": "Customer ext-ar"}); got != want {
			t.Errorf("title %q, want %q", got, want)
		}
		for _, s := range []string{"layla@free.example", "Layla", "Doha", "قبول", "رفض"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("the page does not show %q:\n%s", s, r.body)
			}
		}
		if b := r.buttons(); len(b) != 2 || b[0] != "accept" || b[1] != "reject" {
			t.Errorf("buttons %v", b)
		}
		en.page(t, "POST", link, "accept", crossSite).want(t, 403, "ar", "rtl")
		if s := status(sid); s != "pending_user_migration" {
			t.Fatalf("after GET, HEAD and a cross-site POST the user is %s", s)
		}

		// A JSON client rejects; the link is then used, and says so.
		var c consentDoc
		en.do(t, "POST", link, "", "decision=reject", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}).
			wantStatus(t, 200).decode(t, &c)
		if c.Decision != "reject" || c.Status != "pending_user_migration" {
			t.Errorf("reject answered %+v", c)
		}
		r = en.page(t, "GET", link, "", nil).want(t, 410, "ar", "rtl")
		if !strings.Contains(r.body, en.tr.Message("ar", "links.outcome.declined", nil)) {
			t.Errorf("used link:\n%s", r.body)
		}

		// A fresh link accepts through the form, once.
		p.do(t, "POST", "/v1/subscribers/"+url.PathEscape(sid)+"/emails/consentMove", nil, nil).wantStatus(t, 204)
		tokens = consentTokens(t, en, "layla@free.example")
		link = "/v1/consents/" + tokens[len(tokens)-1]
		r = en.page(t, "POST", link, "accept", nil).want(t, 200, "ar", "rtl")
		if r.title() != en.tr.Message("ar", "links.consent.done_accepted_title", nil) {
			t.Errorf("after accepting: %q", r.title())
		}
		if s := status(sid); s != "provisioned" {
			t.Errorf("after accepting the user is %s", s)
		}
		en.page(t, "POST", link, "accept", nil).want(t, 410, "ar", "rtl")
		en.do(t, "POST", link, "", "decision=accept", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}).
			wantStatus(t, 410)

		// Expired after 30 days: nothing decided.
		late := create("late@free.example")
		lateLink := "/v1/consents/" + consentTokens(t, en, "late@free.example")[0]
		clk.advance(tenantry.DefaultConsentLinkTTL)
		r = en.page(t, "GET", lateLink, "", nil).want(t, 410, "ar", "rtl")
		if r.title() != en.tr.Message("ar", "links.expired.title", nil) {
			t.Errorf("expired link: %q", r.title())
		}
		en.page(t, "POST", lateLink, "accept", nil).want(t, 410, "ar", "rtl")
		if s := status(late); s != "pending_user_migration" {
			t.Errorf("an expired link moved the user to %s", s)
		}
	})
}

// TestLinkStyle: the pages' one style sheet is served under its hashed
// name, cacheable, as CSS.
func TestLinkStyle(t *testing.T) {
	t.Parallel()
	en := linkEnv(t, sqldbtest.Engines(t)[0], nil)
	r := en.page(t, "GET", "/v1/consents/unknown", "", nil).want(t, 404, "en", "ltr")
	m := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no style sheet in\n%s", r.body)
	}
	u, err := url.Parse(en.srv.URL + "/v1/consents/unknown")
	if err != nil {
		t.Fatal(err)
	}
	css, err := u.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := en.client.Get(css.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(string(b), "button") {
		t.Errorf("GET %s: %d %v\n%s", css, resp.StatusCode, resp.Header, b)
	}
}
