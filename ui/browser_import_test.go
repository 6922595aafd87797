package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry"
)

// TestBrowserImportAndNumbers: in Chromium, a CSV import with errors,
// watched as it progresses and then read row by row; a location added and
// numbers added to it (a bad one first); every page checked by axe in
// English and Arabic, and photographed at desktop and phone width.
func TestBrowserImportAndNumbers(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	b := newBrowserTab(t, en)
	ctx := context.Background()
	a := en.setUp(t, "Acme Telecom", "ada@acme.example")
	a.createTemplate(t, "Gold")
	c, hq := a.callingCustomer(t, en, "Gold", "Café Ltd", "EXT-1")
	addNumbers(t, en, a.actor(t, en), c, hq, 1, 20)
	// The test works the import itself, so that its progress can be seen.
	if err := en.db.StopWork(ctx); err != nil {
		t.Fatal(err)
	}

	b.open("/signin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/")

	tab := "/customers/" + c.ID + "/import"
	b.open(tab)
	b.visit("import-tab")
	var file strings.Builder
	file.WriteString(tenantry.ImportHeader())
	for i := 1; i <= 10; i++ {
		email := fmt.Sprintf("user%d@example.com", i)
		if i == 3 {
			email = "not-an-email"
		}
		number := fmt.Sprintf("+1408555%04d", i)
		if i == 7 {
			number = "+14085559999"
		}
		fmt.Fprintf(&file, "User,%d,%s,webex_calling,%s,%s,%d\r\n", i, email, hq.Name, number, 3000+i)
	}
	csvPath := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(csvPath, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("choose the file", chromedp.SetUploadFiles("#f-file", []string{csvPath}))
	b.check("#f-mode-import")
	b.submit(`form.import-form button[type=submit]`, tab+"/")
	if got := b.text("[data-import-label]"); got != "Waiting" {
		t.Errorf("status of a new import: %q", got)
	}
	path := eval[string](b, `location.pathname`)
	id := path[strings.LastIndex(path, "/")+1:]

	// The page follows the import without reloading: the bar moves.
	eval[bool](b, `window.__noReload = true; true`)
	for range 2 {
		if _, err := en.db.RunImportChunk(ctx, tenantry.ImportUsersJob{ImportID: id}, 2); err != nil {
			t.Fatal(err)
		}
	}
	b.waitFor("progress", `window.__noReload === true && document.querySelector("#import-bar").value === 4`)
	if got := b.text("[data-import-text]"); got != "4 of 10 rows worked" {
		t.Errorf("progress text %q", got)
	}
	b.visit("import-running")
	// Once finished, the page loads again with the row errors.
	if err := en.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: id}); err != nil {
		t.Fatal(err)
	}
	b.waitFor("finished", `window.__noReload === undefined && document.querySelector("table.import-errors")`)
	rows := eval[[]string](b, `Array.from(document.querySelectorAll("table.import-errors tbody tr")).map(function (r) { return r.innerText.replace(/\s+/g, " ").trim() })`)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "4 email") || !strings.HasPrefix(rows[1], "8 phone_number") || !strings.Contains(rows[1], "+14085559999") {
		t.Errorf("row errors: %q", rows)
	}
	if href := eval[string](b, `(document.querySelector('a[href$="/errors.csv"]') || {}).href || ""`); href == "" {
		t.Error("no link to the errors as CSV")
	}
	b.visit("import-finished")
	b.open(tab)
	b.visit("import-tab-recent")

	// Locations: add a branch, then numbers to it.
	locs := "/customers/" + c.ID + "/locations"
	b.open(locs)
	b.visit("locations")
	b.fill("#f-name", "Dallas office")
	b.fill("#f-line1", "2 Elm St")
	b.fill("#f-city", "Dallas")
	b.fill("#f-state", "TX")
	b.fill("#f-postal", "75201")
	b.choose("#f-timeZone", "America/Chicago")
	b.submit(`form[action$="/locations"] button[type=submit]`, locs+"/")
	b.visit("location-empty")
	locPath := eval[string](b, `location.pathname`)
	setValue(b, "#f-numbers", "+1 214 555 0100\n+1214555")
	b.submit(`form[action$="/numbers"] button[type=submit]`, "#f-numbers-error")
	if e := b.text("#f-numbers-error"); !strings.Contains(e, "Line 2") || !strings.Contains(e, "+1214555") {
		t.Errorf("numbers error %q", e)
	}
	b.visit("location-numbers-error")
	setValue(b, "#f-numbers", "+1 214 555 0100")
	b.fill("#f-rangeStart", "+12145550101")
	b.fill("#f-rangeEnd", "+12145550110")
	b.submit(`form[action$="/numbers"] button[type=submit]`, locPath)
	if n := eval[int](b, `document.querySelectorAll("table.numbers tbody tr").length`); n != 11 {
		t.Errorf("%d numbers listed, want 11", n)
	}
	b.submit(`form[action$="/main"] button[type=submit]`, locPath)
	if main := b.text("table.numbers .status"); main != "Main" {
		t.Errorf("main number badge %q", main)
	}
	b.visit("location-numbers")

	// Every page again at phone width, then in Arabic at both widths.
	pages := []struct{ name, path string }{
		{"import-tab", tab}, {"import-finished", path}, {"locations", locs}, {"location", locPath},
	}
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	for _, p := range pages {
		b.open(p.path)
		b.shot(p.name + "-360px")
	}
	b.do("wide", chromedp.EmulateViewport(1280, 900))
	b.open(locPath)
	b.setLanguage("ar")
	for _, p := range pages {
		b.open(p.path)
		b.visit("ar-" + p.name)
	}
	b.do("narrow", chromedp.EmulateViewport(360, 780))
	for _, p := range pages {
		b.open(p.path)
		b.shot("ar-" + p.name + "-360px")
	}
	b.do("wide", chromedp.EmulateViewport(1280, 900))
}

// setValue sets a text area's value, as typing would.
func setValue(b *bt, sel, value string) {
	b.t.Helper()
	if !eval[bool](b, fmt.Sprintf(`(function(){var e=document.querySelector(%s); if(!e) return false; e.value=%s; return true})()`, jsString(sel), jsString(value))) {
		b.t.Fatalf("no field %s", sel)
	}
}
