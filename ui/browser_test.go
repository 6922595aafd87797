package ui_test

// Browser tests: real headless Chromium (chromedp) against a real server,
// walking the hub as a person would. Each saves a screenshot of every page
// it visits in the test's artifact directory (go test -artifacts keeps
// them) and checks pages with axe-core. They skip when Chromium is missing,
// unless TENANTRY_TEST_REQUIRE_BROWSER=1 (CI), where that is a failure.

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/locale"
)

// browserTimeout bounds each browser step. It is generous: a loaded
// machine makes Chromium slow, and no test asserts on time.
const browserTimeout = 2 * time.Minute

//go:embed testdata/axe/axe.min.js
var axeJS string

// chromiumPath finds Debian's chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TENANTRY_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("TENANTRY_TEST_REQUIRE_BROWSER=1 but no chromium on PATH")
	}
	t.Skip("no chromium on PATH")
	return ""
}

// bt is one browser tab driven by a test.
type bt struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	n    int
	tr   *locale.Translator
}

func newBrowserTab(t *testing.T, en *hubEnv) *bt {
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless,
		chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "en-US"), chromedp.Flag("disable-gpu", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // start the browser before any timeout applies
		t.Fatalf("start chromium: %v", err)
	}
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.ArtifactDir()
	t.Logf("screenshots in %s", dir)
	return &bt{t: t, ctx: ctx, base: en.srv.URL, dir: dir, tr: tr}
}

func (b *bt) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](b *bt, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.60q: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition (the page's strict CSP rules out
// chromedp.Poll's generated functions).
func (b *bt) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(browserTimeout)
	for {
		ok, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.shot("timeout-" + what)
			b.t.Fatalf("waited in vain for %s (%s)", what, cond)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *bt) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
	b.waitFor("page "+path, `document.readyState === "complete"`)
}

// submit clicks a button and waits for the next page: at path (a
// prefix), or, when path starts with "#", one that has that element.
func (b *bt) submit(sel, path string) {
	b.t.Helper()
	eval[bool](b, `window.__page = Math.random(); true`)
	b.do("click "+sel, chromedp.Click(sel, chromedp.NodeVisible))
	cond := `location.pathname.startsWith(` + jsString(path) + `)`
	if strings.HasPrefix(path, "#") {
		cond = `document.querySelector(` + jsString(path) + `)`
	}
	b.waitFor("page after "+sel, `window.__page === undefined && document.readyState === "complete" && `+cond)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

func (b *bt) fill(sel, value string) {
	b.t.Helper()
	// By CSS only: the default search also matches the error summary's
	// links to the field (href="#f-…") once a form shows errors.
	// Cleared by script: chromedp.Clear fails on an empty textarea.
	if !eval[bool](b, `(function(){var e=document.querySelector(`+jsString(sel)+`); if(!e) return false; e.value=""; return true})()`) {
		b.shot("failed-fill")
		b.t.Fatalf("fill: no %s", sel)
	}
	b.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// choose selects an option of a select by value ("" picks the first real one).
func (b *bt) choose(sel, value string) {
	b.t.Helper()
	ok := eval[bool](b, fmt.Sprintf(`(function(){var s=document.querySelector(%s); if(!s) return false;
		if(%s===""){ if(s.options.length<2) return false; s.selectedIndex=1 } else { s.value=%s; if(s.value!==%s) return false }
		s.dispatchEvent(new Event("change",{bubbles:true})); return true})()`, jsString(sel), jsString(value), jsString(value), jsString(value)))
	if !ok {
		b.shot("failed-choose")
		b.t.Fatalf("cannot choose %q in %s", value, sel)
	}
}

func (b *bt) check(sel string) {
	b.t.Helper()
	if !eval[bool](b, fmt.Sprintf(`(function(){var c=document.querySelector(%s); if(!c) return false; c.checked=true; return true})()`, jsString(sel))) {
		b.t.Fatalf("no checkbox %s", sel)
	}
}

func (b *bt) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(function(){var e=document.querySelector(%s); return e ? e.textContent.trim() : ""})()`, jsString(sel)))
}

// shot saves a screenshot of the whole page.
func (b *bt) shot(name string) {
	b.n++
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, fullPage())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, strings.NewReplacer("/", "_", " ", "_").Replace(name)))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// fullPage captures the whole page by growing the viewport to the
// page's height for one capture: Chromium's capture beyond the viewport
// draws a right-to-left page shifted off its start.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`[window.innerWidth, window.innerHeight, Math.ceil(document.documentElement.scrollHeight)]`))
		if err != nil || len(m) != 3 {
			return chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if m[2] > m[1] {
			if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(m[0], m[2])); err != nil {
				return nil, err
			}
			defer chromedp.Run(ctx, chromedp.EmulateViewport(m[0], m[1]))
		}
		return chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
}

// axe runs axe-core on the page and fails on any serious or critical
// violation of WCAG 2.1 A/AA.
func (b *bt) axe(name string) {
	b.t.Helper()
	if !eval[bool](b, `typeof window.axe !== "undefined"`) {
		eval[any](b, axeJS+";true")
	}
	found := eval[[]string](b, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(function (r) { return r.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical" })
		.map(function (v) { return v.impact + " " + v.id + ": " + v.nodes.map(function (n) { return n.target.join(" ") }).join(", ") }) })`)
	for _, v := range found {
		b.t.Errorf("axe, %s: %s", name, v)
	}
}

// visit is what the pages axe must pass get: a screenshot and an axe check.
func (b *bt) visit(name string) {
	b.t.Helper()
	start := time.Now()
	b.shot(name)
	b.axe(name)
	b.styled(name)
	b.t.Logf("visited %s (%s)", name, time.Since(start).Round(time.Millisecond))
}

// styled checks that every field a person types into has the hub's look
// (its padding, say), not the browser's bare one: a type of input the
// stylesheet forgot shows as a small box unlike its neighbours.
func (b *bt) styled(name string) {
	b.t.Helper()
	bare := eval[[]string](b, `[...document.querySelectorAll("input:not([type=hidden],[type=checkbox],[type=radio],[type=submit],[type=button]), select, textarea")]
		.filter(e => e.offsetParent !== null && parseFloat(getComputedStyle(e).paddingInlineStart) < 6)
		.map(e => e.outerHTML.slice(0, 80))`)
	for _, e := range bare {
		b.t.Errorf("%s: a field without the hub's style: %s", name, e)
	}
}

// visitFits is visit, and checks that the page is no wider than the
// window: a person would have to scroll sideways.
func (b *bt) visitFits(name string) {
	b.t.Helper()
	b.visit(name)
	b.fits(name)
}

// visitBoth is visitFits at desktop width, then again at phone width.
func (b *bt) visitBoth(name string) {
	b.t.Helper()
	b.visitFits(name)
	b.atPhone(name)
}

// atPhone checks the page at a phone's width (360px) and screenshots it,
// then goes back to the desktop width.
func (b *bt) atPhone(name string) {
	b.t.Helper()
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.fits(name + " at 360px")
	eval[bool](b, `window.scrollTo(0, 0); true`)
	b.shot(name + "-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))
	eval[bool](b, `window.scrollTo(0, 0); true`)
}

func (b *bt) fits(name string) {
	b.t.Helper()
	if w := eval[[]int](b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1]+1 {
		b.t.Errorf("%s: the page is %dpx wide in a %dpx window", name, w[0], w[1])
	}
}

// setLanguage uses the switcher on the page.
func (b *bt) setLanguage(lang string) {
	b.t.Helper()
	b.choose("#lang-select", lang)
	eval[bool](b, `window.__page = 1; true`)
	b.do("switch language", chromedp.Click("form.lang button", chromedp.NodeVisible))
	b.waitFor("language "+lang, `window.__page === undefined && document.readyState === "complete" && document.documentElement.lang === `+jsString(lang))
}

func TestBrowserWalk(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	b := newBrowserTab(t, en)

	// First run: the setup link.
	b.open(en.setupLink(t))
	b.visit("setup")
	b.fill("#f-partner", "Acme Telecom")
	b.fill("#f-name", "Ada Admin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/templates")
	b.shot("templates-empty")

	// A template, with SAML metadata uploaded.
	b.submit(`a.button[href="/templates/new"]`, "/templates/wizard/new/offer")
	b.visit("template-offer")
	b.submit(`form.card button[type=submit]:not([name])`, "/templates/wizard/new/primary")
	b.visit("template-primary")
	b.fill("#f-name", "Gold")
	b.choose("#f-country", "US")
	b.choose("#f-admin", "")
	b.choose("#f-subscription", "")
	b.submit(`form.card button[type=submit]:not([name])`, "/templates/wizard/new/calling")
	b.visit("template-calling")
	if !strings.Contains(b.text("#pstn-notice"), "not recommended") {
		t.Error("no PSTN notice")
	}
	b.submit(`form.card button[type=submit]:not([name])`, "/templates/wizard/new/auth")
	b.visit("template-auth")
	meta := filepath.Join(t.TempDir(), "idp-metadata.xml")
	os.WriteFile(meta, []byte(samlMetadata), 0o644)
	b.check("#f-auth-saml")
	b.do("upload metadata", chromedp.SetUploadFiles("#f-metadata", []string{meta}))
	b.submit(`form.card button[type=submit]:not([name])`, "/templates/wizard/new/email")
	b.visit("template-email")
	b.fill("#f-brandName", "Acme Cloud")
	b.submit(`form.card button[type=submit]:not([name])`, "/templates/wizard/new/summary")
	b.visit("template-summary")
	if !strings.Contains(b.text(".summary"), "https://idp.acme.example/saml") {
		t.Errorf("summary lacks the entity id read from the file: %s", b.text(".summary"))
	}
	b.submit(`form.card button[type=submit]:not([name])`, "#provisioning-id")
	b.visit("template-page")
	if id := eval[string](b, `document.querySelector("#provisioning-id").value`); id == "" {
		t.Error("no provisioning id")
	}

	// A customer through every step, with a validation error on the way.
	b.open("/customers")
	b.visit("customers-empty")
	b.customerWizard("en", "Café Ltd", "EXT-1")
	b.watchProvisioned("en")
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.shot("customers-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))

	// Sign out, and the sign-in page.
	b.submit(`form.signout button`, "/signin")
	b.visit("signin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/")

	// The wizard again in Arabic (right to left) and in Korean.
	b.setLanguage("ar")
	if dir := eval[string](b, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("Arabic page dir %q", dir)
	}
	b.customerWizard("ar", "شركة الرياض للاتصالات", "SA-1")
	b.watchProvisioned("ar")
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.open("/customers/new")
	b.shot("ar-customer-info-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))
	b.setLanguage("ko")
	if dir := eval[string](b, `document.documentElement.dir`); dir != "ltr" {
		t.Errorf("Korean page dir %q", dir)
	}
	b.customerWizard("ko", "서울 통신 주식회사", "KR-1")
	b.watchProvisioned("ko")
}

// customerWizard walks the create-customer wizard in lang, first making
// a validation error and checking it is shown next to its field.
func (b *bt) customerWizard(lang, name, extID string) {
	t := b.t
	t.Helper()
	visit := b.visit
	if lang == "ko" { // axe checked these steps already, in English and Arabic
		visit = b.shot
	}
	tr := func(key string) string { return b.tr.Message(lang, key, nil) }
	b.open("/customers/new")
	b.waitFor("info step", `location.pathname === "/customers/new/info"`)
	visit(lang + "-customer-info")
	if h := b.text("main h1"); h != tr("hub.wizard.customer_title") {
		t.Errorf("%s: heading %q, want %q", lang, h, tr("hub.wizard.customer_title"))
	}
	if lang != "en" && tr("hub.wizard.customer_title") == b.tr.Message("en", "hub.wizard.customer_title", nil) {
		t.Errorf("%s: the wizard's title is not translated", lang)
	}
	b.fill("#f-name", name)
	b.fill("#f-email", "admin@"+strings.ToLower(extID)+".example")
	b.fill("#f-externalId", extID)
	b.choose("#f-country", "US")
	b.choose("#f-template", "")
	// Without the supported-location confirmation: an error next to it.
	b.submit(`form.card button[type=submit]:not([name])`, "/customers/new/info")
	visit(lang + "-customer-info-error")
	if e := b.text("#f-confirm-error"); e == "" {
		t.Errorf("%s: no error next to the confirmation", lang)
	}
	if inv := eval[string](b, `document.querySelector("#f-confirm").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Errorf("%s: confirmation not marked invalid", lang)
	}
	if v := eval[string](b, `document.querySelector("#f-name").value`); v != name {
		t.Errorf("%s: name not kept: %q", lang, v)
	}
	b.check("#f-confirm")
	b.submit(`form.card button[type=submit]:not([name])`, "/customers/new/packages")
	visit(lang + "-customer-packages")
	if lang != "ko" {
		// Opened again from the list, the wizard takes up where it was.
		b.open("/customers/new")
		b.waitFor("info step", `location.pathname === "/customers/new/info"`)
		visit(lang + "-customer-resumed")
		b.atPhone(lang + "-customer-resumed")
		if v := eval[string](b, `document.querySelector("#f-name").value`); v != name || !strings.Contains(b.text("form.restart"), tr("hub.wizard.start_over")) {
			t.Errorf("%s: the wizard opened again lost %q (%q) or offers no start over", lang, name, v)
		}
		b.open("/customers/new/packages")
	}
	b.check("#pkg-webex_calling")
	b.check("#pkg-webex_meetings")
	b.submit(`form.card button[type=submit]:not([name])`, "/customers/new/location")
	visit(lang + "-customer-location")
	b.fill("#f-line1", "1 Main St")
	b.fill("#f-city", "Austin")
	b.fill("#f-state", "TX")
	b.fill("#f-postal", "78701")
	b.choose("#f-timeZone", "America/Chicago")
	b.submit(`form.card button[type=submit]:not([name])`, "/customers/new/summary")
	visit(lang + "-customer-summary")
	if !strings.Contains(b.text(".summary"), tr("hub.region.US")) {
		t.Errorf("%s: summary lacks the data region", lang)
	}
	// A value written left to right (the admin's email) keeps to the
	// page's side, and an address line reads in its own order: in Arabic
	// "1 Main St" is not shown as "Main St 1".
	side := map[bool]string{true: "right", false: "left"}[lang == "ar"]
	if got := eval[string](b, `getComputedStyle(document.querySelector(".summary dd[dir=ltr]")).textAlign`); got != side {
		t.Errorf("%s: an email in the summary is aligned %s, want %s", lang, got, side)
	}
	if got := eval[string](b, `(() => {
		const w = document.createTreeWalker(document.querySelector(".summary address"), NodeFilter.SHOW_TEXT);
		let n;
		while ((n = w.nextNode()) && !n.textContent.includes("1 Main St")) {}
		if (!n) return "missing";
		const i = n.textContent.indexOf("1 Main St"), r = document.createRange();
		r.setStart(n, i); r.setEnd(n, i + 1);
		const one = r.getBoundingClientRect().left;
		r.setStart(n, i + 2); r.setEnd(n, i + 3);
		return one < r.getBoundingClientRect().left ? "in order" : "reversed";
	})()`); got != "in order" {
		t.Errorf("%s: the address line 1 Main St is %s", lang, got)
	}
	b.submit(`form.card button[type=submit]:not([name])`, "/customers")
}

// watchProvisioned waits, without reloading, for the new customer's panel
// to say provisioned.
func (b *bt) watchProvisioned(lang string) {
	b.t.Helper()
	eval[bool](b, `window.__noReload = true; true`)
	b.shot(lang + "-customers-created")
	want := b.tr.Message(lang, "hub.status.provisioned", nil)
	b.waitFor("provisioned", `window.__noReload === true && document.querySelector(".panel .facts [data-customer]") &&
		document.querySelector(".panel .facts [data-customer]").textContent.trim() === `+jsString(want))
	if lang == "en" {
		b.visit(lang + "-customers-provisioned")
	} else {
		b.shot(lang + "-customers-provisioned")
	}
}
