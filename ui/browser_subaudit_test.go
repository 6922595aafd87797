package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSubPartnersAndAudit: a full admin creates a sub-partner, acts
// on its behalf (the banner on every page, the settings saying they are
// the partner's own), stops, suspends it, and filters the audit log; every
// page in English and Arabic, at desktop and phone width.
func TestBrowserSubPartnersAndAudit(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	b := newBrowserTab(t, en)

	b.open(en.setupLink(t))
	b.fill("#f-partner", "Acme Telecom")
	b.fill("#f-name", "Ada Admin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/templates")

	// Sub-partners: an empty list, a missing name, then one created.
	b.open("/settings/subpartners")
	b.visitFits("subpartners-empty")
	b.submit(`form.subpartner-new button[type=submit]`, "#error-summary")
	if !strings.Contains(b.text("#f-name-error"), "required") {
		t.Errorf("error next to the name: %q", b.text("#f-name-error"))
	}
	b.visitFits("subpartners-error")
	b.fill("input#f-name", "Reseller One")
	b.submit(`form.subpartner-new button[type=submit]`, "/settings/subpartners")
	if !strings.Contains(b.text("table.subpartners"), "Reseller One") {
		t.Fatal("the new sub-partner is not listed")
	}
	b.fill("#f-name", "Northwind Resale")
	b.submit(`form.subpartner-new button[type=submit]`, "/settings/subpartners")
	b.visitFits("subpartners")

	// Act on its behalf from its row: the banner shows on every page.
	b.submit(`form[action="/onbehalf"] button[aria-label="Act on behalf of Reseller One"]`, "/customers")
	if got := b.text(".acting"); !strings.Contains(got, "Acting on behalf of") || !strings.Contains(got, "Reseller One") {
		t.Fatalf("banner = %q", got)
	}
	b.visitFits("acting-customers")
	b.open("/templates")
	if !strings.Contains(b.text(".acting"), "Reseller One") {
		t.Error("no banner on the templates page")
	}
	b.open("/settings/subpartners")
	if !strings.Contains(b.text(".acting"), "your own organization") {
		t.Errorf("the settings do not say they are the partner's own: %q", b.text(".acting"))
	}
	b.visitFits("acting-settings")
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.open("/customers")
	b.visitFits("acting-customers-360px")
	b.open("/settings/subpartners")
	b.visitFits("subpartners-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))

	// Change through the chooser, then stop.
	b.submit(`.acting a[href="/onbehalf"]`, "/onbehalf")
	b.visitFits("onbehalf-chooser")
	b.choose("#f-subPartner", en.subPartnerID(t, partnerOfEmail(t, en, "ada@acme.example"), "Northwind Resale"))
	b.submit(`main form button[type=submit]`, "/customers")
	if !strings.Contains(b.text(".acting"), "Northwind Resale") {
		t.Errorf("banner after changing = %q", b.text(".acting"))
	}
	b.submit(`.acting button`, "/customers")
	if eval[bool](b, `!!document.querySelector(".acting")`) {
		t.Error("the banner stays after stopping")
	}
	b.visitFits("stopped")

	// Suspend one; acting for it says it is suspended.
	b.open("/settings/subpartners")
	b.submit(`button[aria-label="Suspend Reseller One"]`, "/settings/subpartners")
	if !strings.Contains(b.text("table.subpartners"), "Suspended") {
		t.Error("no suspended state")
	}
	b.visitFits("subpartners-suspended")
	b.submit(`form[action="/onbehalf"] button[aria-label="Act on behalf of Reseller One"]`, "/customers")
	if !strings.Contains(b.text(".acting"), "not create or change") {
		t.Errorf("banner of a suspended sub-partner = %q", b.text(".acting"))
	}
	b.visitFits("acting-suspended")
	b.submit(`.acting button`, "/customers")

	// The audit log, filtered by resource, then a date range that ends
	// before it starts.
	b.open("/settings/audit")
	b.visitFits("audit")
	if !strings.Contains(b.text("table.audit"), "ada@acme.example") {
		t.Error("the audit log does not say who made the writes")
	}
	b.choose("#f-resource", "partner")
	b.submit(`.audit-filters button[type=submit]`, "/settings/audit")
	rows := eval[[]string](b, `Array.from(document.querySelectorAll("table.audit tbody tr td:nth-child(3)")).map(function(td){return td.textContent.trim()})`)
	if len(rows) == 0 {
		t.Fatal("no entries of partners")
	}
	for _, r := range rows {
		switch r {
		case "subpartner.create", "subpartner.state", "subpartner.act_start", "subpartner.act_stop", "partner.bootstrap":
		default:
			t.Errorf("entry %q under the partner filter", r)
		}
	}
	b.visitFits("audit-filtered")
	eval[bool](b, `document.querySelector("#f-from").value = "2026-03-02"; document.querySelector("#f-to").value = "2026-03-01"; true`)
	b.submit(`.audit-filters button[type=submit]`, "#error-summary")
	if !strings.Contains(b.text("#f-to-error"), "end date") {
		t.Errorf("error next to To: %q", b.text("#f-to-error"))
	}
	b.visitFits("audit-error")
	b.submit(`.audit-filters a[href="/settings/audit"]`, "/settings/audit")
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.visitFits("audit-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))

	// Arabic, right to left, at both widths.
	b.setLanguage("ar")
	b.open("/settings/subpartners")
	b.visitFits("ar-subpartners")
	b.submit(`form[action="/onbehalf"] button[aria-label="العمل نيابةً عن Northwind Resale"]`, "/customers")
	b.visitFits("ar-acting-customers")
	b.open("/onbehalf")
	b.visitFits("ar-onbehalf-chooser")
	b.open("/settings/audit")
	b.visitFits("ar-audit")
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	b.open("/customers")
	b.visitFits("ar-acting-customers-360px")
	b.open("/settings/audit")
	b.visitFits("ar-audit-360px")
	b.open("/settings/subpartners")
	b.visitFits("ar-subpartners-360px")
	b.do("wide", chromedp.EmulateViewport(1280, 900))
}

// partnerOfEmail is the partner of the admin with that email.
func partnerOfEmail(t *testing.T, en *hubEnv, email string) string {
	t.Helper()
	as, err := en.db.AdminsByEmail(context.Background(), email)
	if err != nil || len(as) != 1 {
		t.Fatalf("admins of %s: %v %v", email, as, err)
	}
	return as[0].PartnerID
}
