package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry"
)

// signInThroughLink signs a browser tab in as an admin through a one-time
// sign-in link, choosing a password on its page.
func (b *bt) signInThroughLink(path string) {
	b.t.Helper()
	b.open(path)
	b.fill("#f-password", "correct horse battery")
	b.fill("#f-confirm", "correct horse battery")
	b.submit(`main button[type=submit]`, "/customers")
}

func TestBrowserSettings(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	ctx := context.Background()
	boot, err := en.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Acme Telecom", AdminEmail: "ada@acme.example", AdminName: "Ada Admin"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := en.db.CreateSignInLink(ctx, boot.Admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserTab(t, en)
	b.signInThroughLink("/link/" + token)

	// Partner admins: an invitation with a mistake first, then right.
	b.open("/settings")
	b.waitFor("admins page", `location.pathname === "/settings/admins"`)
	b.visit("settings-admins")
	b.fill("#f-email", "bob@acme")
	b.fill("#f-name", "Bob Builder")
	b.choose("#f-role", tenantry.RoleReadOnlyAdmin)
	b.submit(`form[action="/settings/admins"] button[type=submit]`, "#f-email-error")
	b.visit("settings-admins-error")
	b.fill("#f-email", "bob@acme.example")
	b.choose("#f-role", tenantry.RoleReadOnlyAdmin)
	b.submit(`form[action="/settings/admins"] button[type=submit]`, "/settings/admins")
	if !strings.Contains(b.text("table.admins"), "bob@acme.example") {
		t.Errorf("the invited admin is not listed: %s", b.text("table.admins"))
	}
	b.visit("settings-admins-invited")
	b.atPhone("settings-admins")
	// The invitation is sent again: the page says so, and only the new
	// link works (the invitee below uses the newest).
	bobID := adminID(t, en, boot.Partner.ID, "bob@acme.example")
	b.submit(`form[action="/settings/admins/`+bobID+`/resend"] button`, "/settings/admins")
	if f := b.text(".flash"); !strings.Contains(f, "new invitation") {
		t.Errorf("after resending: %q", f)
	}
	b.visit("settings-admins-resent")
	// The last full admin cannot be demoted: the error is next to the role.
	sel := "#f-role-" + boot.Admin.ID
	b.choose(sel, tenantry.RoleReadOnlyAdmin)
	b.submit(`form[action="/settings/admins/`+boot.Admin.ID+`/role"] button`, sel+"-error")
	if e := b.text(sel + "-error"); !strings.Contains(e, "last full admin") {
		t.Errorf("demoting the last full admin: %q", e)
	}
	b.visit("settings-admins-last-full-admin")

	// An API token: created, used through /v1, revoked, refused.
	b.open("/settings/tokens")
	b.visit("settings-tokens")
	b.fill("#f-name", "Billing sync")
	b.check("#scope-spark-admin\\:wholesale_customers_write")
	b.fill("#f-expires", "12/31/2099")
	b.submit(`form[action="/settings/tokens"] button[type=submit]`, "#secret")
	b.visit("settings-tokens-created")
	secret := eval[string](b, `document.querySelector("#secret").value`)
	if st := apiStatus(t, en, secret); st != 200 {
		t.Fatalf("the new token: API status %d", st)
	}
	toks, _ := en.db.Tokens(ctx, boot.Partner.ID)
	tok := toks[len(toks)-1]
	if tok.Expires.IsZero() {
		t.Errorf("the expiry typed in the date field was lost: %+v", tok)
	}
	b.open("/settings/tokens")
	if strings.Contains(eval[string](b, `document.body.innerHTML`), secret) {
		t.Error("the secret is shown again")
	}
	row := "#token-" + tok.ID
	b.do("open revoke", chromedp.Click(chromedp.CSS(row+" details summary"), chromedp.NodeVisible))
	b.shot("settings-tokens-revoke")
	b.submit(row+" details button", "/settings/tokens")
	if st := apiStatus(t, en, secret); st != 401 {
		t.Errorf("revoked token: API status %d", st)
	}
	b.visit("settings-tokens-revoked")
	b.atPhone("settings-tokens")

	// A webhook: a refused destination, then one that is kept; its page
	// and a test event in its delivery log.
	b.open("/settings/webhooks")
	b.visit("settings-webhooks")
	b.fill("#f-url", "http://10.0.0.8/hook")
	b.check("#event-customer\\.provisioned")
	b.submit(`form[action="/settings/webhooks"] button[type=submit]`, "#f-url-error")
	b.visit("settings-webhooks-error")
	b.fill("#f-url", "https://hooks.acme.example/tenantry")
	b.submit(`form[action="/settings/webhooks"] button[type=submit]`, "#secret")
	b.visit("settings-webhooks-created")
	b.submit(`.secret a`, "/settings/webhooks/")
	b.visit("settings-webhook")
	b.submit(`form[action$="/test"] button`, "/settings/webhooks/")
	for i := 0; !eval[bool](b, `!!document.querySelector("table.deliveries .status-delivery-failed")`); i++ {
		if i == 300 {
			b.shot("timeout-delivery")
			t.Fatal("no attempt in the delivery log")
		}
		time.Sleep(100 * time.Millisecond)
		b.open(eval[string](b, `location.pathname + location.search`))
	}
	b.visit("settings-webhook-delivery")
	b.atPhone("settings-webhook")

	// The pages in Arabic, right to left, at both widths.
	b.setLanguage("ar")
	for _, p := range []string{"/settings/admins", "/settings/tokens", "/settings/webhooks"} {
		b.open(p)
		name := "ar" + strings.ReplaceAll(p, "/", "-")
		b.visit(name)
		b.atPhone(name)
	}
	b.submit(`table.webhooks a`, "/settings/webhooks/")
	b.visit("ar-settings-webhook")
	b.atPhone("ar-settings-webhook")

	// The invited admin opens the link of the mail, chooses a password,
	// signs in, and meets the limits of a read-only admin.
	link := invitationPath(t, en, boot.Partner.ID, "bob@acme.example")
	bob := newBrowserTab(t, en)
	bob.open(link)
	bob.visit("invitation-link")
	bob.fill("#f-password", "correct horse battery")
	bob.fill("#f-confirm", "correct horse battery")
	bob.submit(`main button[type=submit]`, "/customers")
	if n := eval[int](bob, `document.querySelectorAll('a[href="/settings"], a[href="/customers/new"]').length`); n != 0 {
		t.Errorf("a read-only admin sees %d links to settings or to creating customers", n)
	}
	if who := bob.text(".who"); !strings.Contains(who, "Bob Builder") {
		t.Errorf("signed in as %q", who)
	}
	bob.shot("invited-admin-customers")
	bob.open("/settings/admins")
	if h := bob.text("main"); !strings.Contains(h, "Only full administrators") {
		t.Errorf("a read-only admin on the settings: %q", h)
	}
	bob.visit("invited-admin-settings-refused")
}
