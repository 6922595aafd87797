package ui_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAssistance walks setup assistance as a person would: set the
// operations address (after a mistake), request assistance for a customer
// (after a mistake), see it listed, and open its mail in the outbox, where
// the HTML part shows in its frame. Every page is checked by axe and
// photographed in English and Arabic, at desktop and phone width.
func TestBrowserAssistance(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	a := en.setUp(t, "Acme Telecom", "ada@acme.example")
	a.createTemplate(t, "Gold")
	cust := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
	tab := "/customers/" + cust + "/assistance"

	b := newBrowserTab(t, en)
	b.open("/signin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/")

	// The customer's tab says no address is set, and links to the setting.
	b.open(tab)
	b.visit("assist-tab-no-address")
	if !strings.Contains(b.text(".notice"), "No operations address is set") {
		t.Errorf("no notice about the missing address: %q", b.text(".notice"))
	}
	b.submit(`.notice a[href^="/settings/partner"]`, "/settings/partner")
	b.visit("org-settings")
	if !strings.Contains(b.text(".facts"), "Acme Telecom") {
		t.Errorf("organization facts: %q", b.text(".facts"))
	}
	b.fill("#f-operationsEmail", "ops at acme")
	b.submit(`.org-form button[type=submit]`, "#f-operationsEmail-error")
	b.visit("org-settings-error")
	b.fill("#f-operationsEmail", "ops@acme.example")
	b.submit(`.org-form button[type=submit]`, "/settings/partner")
	b.shot("org-settings-saved")

	// A request, first without a contact name or any help named.
	b.open(tab)
	b.visit("assist-tab")
	b.submit(`.assist-form button[type=submit]`, "#error-summary")
	b.visit("assist-tab-error")
	for _, id := range []string{"#f-contactName-error", "#f-topics-error"} {
		if b.text(id) == "" {
			t.Errorf("no error %s", id)
		}
	}
	b.fill("#f-contactName", "Bo Berg")
	b.fill("#f-contactPhone", "+1 512 555 0100")
	b.check("#topic-numbers")
	b.check("#topic-sso")
	b.fill("#f-details", "Port 40 numbers from the old carrier.")
	eval[bool](b, `document.querySelector("#f-preferredDate").value = `+jsString(assistDate)+`; true`)
	b.choose("#f-preferredWindow", "morning")
	b.submit(`.assist-form button[type=submit]`, "/assistance/")
	b.visit("assist-request")
	if s := b.text(".facts"); !strings.Contains(s, "Waiting to be sent") || !strings.Contains(s, "ops@acme.example") || !strings.Contains(s, "Single sign-on") {
		t.Errorf("request facts: %q", s)
	}
	if !strings.Contains(b.text(".flash"), "mailed to your operations address") {
		t.Errorf("flash: %q", b.text(".flash"))
	}

	// Listed in the hub, with the customer and the state.
	b.submit(`.top nav a[href="/assistance"]`, "/assistance")
	b.visit("assist-list")
	if s := b.text("table.assist tbody"); !strings.Contains(s, "Plain Corp") || !strings.Contains(s, "Waiting to be sent") {
		t.Errorf("list: %q", s)
	}

	// Its mail in the outbox, rendered in its frame.
	b.submit(`table.assist tbody a[href^="/assistance/"]`, "/assistance/")
	b.submit(`a[href^="/settings/outbox/"]`, "/settings/outbox/")
	b.waitFor("the frame", `document.querySelector("iframe.mail-frame") && document.querySelector("iframe.mail-frame").getBoundingClientRect().height > 200`)
	b.visit("outbox-mail")
	if s := b.text("pre.mail-text"); !strings.Contains(s, "Bo Berg") || !strings.Contains(s, "Port 40 numbers") {
		t.Errorf("the mail's text: %q", s)
	}
	if sb := eval[string](b, `document.querySelector("iframe.mail-frame").getAttribute("sandbox")`); sb != "" {
		t.Errorf("the frame's sandbox allows %q", sb)
	}
	b.submit(`a[href="/settings/outbox"]`, "/settings/outbox")
	b.visit("outbox-list")
	b.choose("#kind", "setup_assistance")
	b.submit(`form.filters button[type=submit]`, "/settings/outbox")
	if n := eval[int](b, `document.querySelectorAll("table.outbox tbody tr").length`); n != 1 {
		t.Errorf("%d assistance mails listed, want 1", n)
	}
	b.shot("outbox-filtered")

	// Every page again in Arabic, then both languages at phone width.
	pages := map[string]string{"org-settings": "/settings/partner", "assist-tab": tab, "assist-list": "/assistance", "outbox-list": "/settings/outbox"}
	pages["outbox-mail"] = eval[string](b, `document.querySelector("table.outbox tbody a").getAttribute("href")`)
	b.open("/assistance")
	pages["assist-request"] = eval[string](b, `document.querySelector('table.assist tbody a[href^="/assistance/"]').getAttribute("href")`)
	names := []string{"org-settings", "assist-tab", "assist-request", "assist-list", "outbox-list", "outbox-mail"}
	b.setLanguage("ar")
	for _, name := range names {
		b.open(pages[name])
		b.visit("ar-" + name)
	}
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	for _, lang := range []string{"ar", "en"} {
		if lang == "en" {
			b.setLanguage("en")
		}
		for _, name := range names {
			b.open(pages[name])
			b.shot(lang + "-" + name + "-360px")
			if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
				t.Errorf("%s %s is %dpx wide on a 360px phone", lang, name, w)
			}
		}
	}
	b.do("wide", chromedp.EmulateViewport(1280, 900))
	b.setLanguage("ar")
	b.open(tab)
	b.submit(`.assist-form button[type=submit]`, "#error-summary")
	b.shot("ar-assist-tab-error")
	if e := b.text("#f-contactName-error"); e == "" || strings.Contains(e, "is required") {
		t.Errorf("Arabic error next to the name: %q", e)
	}
}
