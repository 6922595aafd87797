package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/locale"
)

func TestSetupSignInSignOut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		// Before setup, every page sends a browser to sign in, which points to the setup link.
		b := en.browser(t)
		p := b.get("/customers").must(t, 303)
		if !strings.HasPrefix(p.Location, "/signin?next=") {
			t.Fatalf("signed-out request went to %q", p.Location)
		}
		b.get("/signin").must(t, 200).contains(t, "not set up yet")

		// A setup form with errors re-renders with the input kept.
		link := en.setupLink(t)
		p = b.post(link, url.Values{"partner": {"Acme Telecom"}, "name": {""}, "email": {"not-an-email"}, "password": {"short"}}).must(t, 400)
		p.contains(t, `value="Acme Telecom"`, `value="not-an-email"`, `class="error-summary"`)
		for _, id := range []string{"f-name", "f-email", "f-password"} {
			if p.fieldError(t, id) == "" {
				t.Errorf("no error next to %s", id)
			}
		}
		// The link was not used by the failed attempt.
		b.post(link, url.Values{"partner": {"Acme Telecom"}, "name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		b.get("/customers").must(t, 200).contains(t, "Ada", "Sign out")
		// A setup link works once.
		b.get(link).must(t, 404)

		// Sign out ends the session in the database: the old cookie is refused.
		u, _ := url.Parse(en.srv.URL)
		old := b.c.Jar.Cookies(u)
		b.post("/signout", url.Values{}).must(t, 303)
		b.c.Jar.SetCookies(u, old)
		if p := b.get("/customers"); p.Status != 303 {
			t.Fatalf("a signed-out session still works: %d", p.Status)
		}

		// Signing in again works; a wrong password says nothing of which part was wrong.
		p = b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"wrong password!"}}).must(t, 401)
		p.contains(t, "The email or the password is not right.", `value="ada@acme.example"`)
		p2 := b.post("/signin", url.Values{"email": {"nobody@acme.example"}, "password": {"wrong password!"}}).must(t, 401)
		p2.contains(t, "The email or the password is not right.")
		b.post("/signin", url.Values{"email": {"ADA@acme.example"}, "password": {"correct horse battery"}, "next": {"/templates"}}).must(t, 303)
		b.get("/customers").must(t, 200)
	})
}

func TestWrongPasswordIsSlowedDown(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		en.setUp(t, "Acme Telecom", "ada@acme.example")
		b := en.browser(t)
		for i := 0; i < 5; i++ {
			b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"wrong password!"}}).must(t, 401)
		}
		// Now even the right password must wait, and the page says so.
		p := b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, http.StatusTooManyRequests)
		// The first wait is one second, read as one (not "1 seconds").
		p.contains(t, "Please wait 1 second and try again.")
		if p.Header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After = %q, want 1", p.Header.Get("Retry-After"))
		}
		b.lang = "ar"
		b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, http.StatusTooManyRequests).
			contains(t, "ثانية واحدة")
		b.lang = "en"
		// Another account from the same address waits too.
		b.post("/signin", url.Values{"email": {"other@acme.example"}, "password": {"x"}}).must(t, http.StatusTooManyRequests)
		en.clock.Advance(2 * time.Second)
		b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
	})
}

func TestCrossSitePostRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		p := a.do("POST", "/signout", url.Values{}, "Sec-Fetch-Site", "cross-site")
		if p.Status != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d, want 403", p.Status)
		}
		p = a.do("POST", "/language", url.Values{"lang": {"ar"}}, "Sec-Fetch-Site", "", "Origin", "https://evil.example")
		if p.Status != http.StatusForbidden {
			t.Fatalf("POST from another origin: %d, want 403", p.Status)
		}
		// Still signed in: nothing happened.
		a.get("/customers").must(t, 200).contains(t, `lang="en"`)

		// The refusal is a page in the visitor's language, with the hub's
		// security headers, not Go's plain English text.
		tr, err := locale.New()
		if err != nil {
			t.Fatal(err)
		}
		refused := func(p *page, lang string) {
			t.Helper()
			p.must(t, http.StatusForbidden)
			if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s: Content-Type %q, want an HTML page", lang, ct)
			}
			p.contains(t, `lang="`+lang+`"`, html.EscapeString(tr.Message(lang, "hub.error.cross_site", nil))).lacks(t, "cross-origin request")
			// Its language switcher goes home: the refused path may take no GET.
			p.contains(t, `<input type="hidden" name="next" value="/">`)
			if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || p.Header.Get("X-Content-Type-Options") != "nosniff" ||
				p.Header.Get("X-Frame-Options") != "DENY" || p.Header.Get("Referrer-Policy") == "" {
				t.Errorf("%s: the refusal lacks the security headers: %v", lang, p.Header)
			}
		}
		refused(a.do("POST", "/signout", url.Values{}, "Sec-Fetch-Site", "cross-site"), "en")

		// Signed out: the browser's language, or the one the visitor chose.
		b := en.browser(t)
		b.lang = "ko-KR,ko;q=0.9"
		refused(b.do("POST", "/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}, "Sec-Fetch-Site", "cross-site"), "ko")
		b.post("/language", url.Values{"lang": {"sv"}, "next": {"/signin"}}).must(t, 303)
		refused(b.do("POST", "/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}, "Sec-Fetch-Site", "", "Origin", "https://evil.example"), "sv")
		if c := b.get("/customers"); c.Status != http.StatusSeeOther || !strings.HasPrefix(c.Location, "/signin") {
			t.Errorf("a refused sign-in signed in: %d %s", c.Status, c.Location)
		}

		// Signed in: the language the admin chose, even in a browser that
		// prefers another and never chose one itself.
		a.post("/language", url.Values{"lang": {"ar"}, "next": {"/customers"}}).must(t, 303)
		b2 := en.browser(t)
		b2.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		refused(b2.do("POST", "/signout", url.Values{}, "Sec-Fetch-Site", "cross-site"), "ar")
		b2.get("/customers").must(t, 200).contains(t, `lang="ar" dir="rtl"`)
	})
}

func TestSecurityHeaders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		b := en.browser(t)
		p := b.get("/signin").must(t, 200)
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline: %q", csp)
		}
		if p.Header.Get("X-Content-Type-Options") != "nosniff" || p.Header.Get("Referrer-Policy") == "" {
			t.Errorf("headers: %v", p.Header)
		}
		if strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "http://") || strings.Contains(p.Body, "https://") {
			t.Errorf("page has inline style or script, or a link to another origin")
		}
	})
}

func TestLanguageFollowsBrowserUntilChosen(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		en.setUp(t, "Acme Telecom", "ada@acme.example")
		b := en.browser(t)
		b.lang = "ar-SA,ar;q=0.9"
		b.get("/signin").must(t, 200).contains(t, `lang="ar" dir="rtl"`, "تسجيل الدخول")
		b.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		// Setup (in English) chose nothing: the pages follow the browser.
		b.get("/customers").must(t, 200).contains(t, `lang="ar" dir="rtl"`)
		b.post("/language", url.Values{"lang": {"ko"}, "next": {"/templates"}}).must(t, 303)
		b.get("/templates").must(t, 200).contains(t, `lang="ko"`, "온보딩 템플릿")
		// Remembered for the admin, in another browser whatever it prefers.
		b2 := en.browser(t)
		b2.lang = "sv"
		b2.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		b2.get("/customers").must(t, 200).contains(t, `lang="ko"`)
		// A "next" elsewhere never leaves the site.
		for _, next := range []string{"//evil.example/x", "/\t/evil.example", "/\\evil.example"} {
			if p := b2.post("/language", url.Values{"lang": {"es"}, "next": {next}}).must(t, 303); p.Location != "/" {
				t.Errorf("language switch with next %q went to %q", next, p.Location)
			}
			if p := b2.get("/signin?next="+url.QueryEscape(next)).must(t, 303); p.Location != "/" {
				t.Errorf("signed-in /signin with next %q went to %q", next, p.Location)
			}
		}
		// A language picked in the switcher before setup is the first
		// admin's choice.
		en2 := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
		b3 := en2.browser(t)
		b3.post("/language", url.Values{"lang": {"sv"}, "next": {"/signin"}}).must(t, 303)
		b3.post(en2.setupLink(t), url.Values{"partner": {"Acme"}, "name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		b4 := en2.browser(t)
		b4.lang = "ko"
		b4.post("/signin", url.Values{"email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		b4.get("/customers").must(t, 200).contains(t, `lang="sv"`)
	})
}

// TestSessionCookie: HttpOnly and SameSite=Lax always, Secure when the hub
// is reached over https.
func TestSessionCookie(t *testing.T) {
	for _, public := range []string{"http://127.0.0.1", "https://hub.example"} {
		en := newHubEnvAt(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite", public)
		b := en.browser(t)
		p := b.post(en.setupLink(t), url.Values{"partner": {"Acme"}, "name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"correct horse battery"}}).must(t, 303)
		c := p.Header.Get("Set-Cookie")
		for _, want := range []string{"tenantry_session=", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(c, want) {
				t.Errorf("%s: cookie %q lacks %s", public, c, want)
			}
		}
		if secure := strings.Contains(c, "Secure"); secure != strings.HasPrefix(public, "https") {
			t.Errorf("%s: cookie %q", public, c)
		}
	}
}

// TestFlashShownOnce: a one-time message shows on the next page, whichever
// it is, and not on the one after.
func TestFlashShownOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		for _, next := range []string{"/settings/outbox", "/settings/audit", "/templates/new", "/customers/new", "/assistance", "/customers"} {
			a.post("/settings/admins", url.Values{"email": {"x" + strings.ReplaceAll(next, "/", "-") + "@acme.example"}, "role": {"read_only_admin"}}).must(t, 303)
			first := a.get(next)
			if first.Status != 200 && first.Status != 303 {
				t.Fatalf("GET %s: %d", next, first.Status)
			}
			if first.Status == 303 { // a wizard's start sends to its first step
				first = a.get(first.Location).must(t, 200)
			}
			first.contains(t, "The invitation is on its way.")
			a.get("/settings/admins").must(t, 200).lacks(t, "The invitation is on its way.")
		}
	})
}

// TestWrongMethod: a page's path asked with a method it does not take is
// 405 with Allow, not 404.
func TestWrongMethod(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		p := a.get("/signout").must(t, http.StatusMethodNotAllowed)
		if p.Header.Get("Allow") != "POST" {
			t.Errorf("Allow %q", p.Header.Get("Allow"))
		}
		a.do("PUT", "/customers", url.Values{}).must(t, http.StatusMethodNotAllowed)
		a.get("/no-such-page").must(t, 404)
	})
}
