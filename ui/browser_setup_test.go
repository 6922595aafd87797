package ui_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// TestBrowserCustomerSetup sets up a provisioned US customer in Chromium
// as a person would: a branch location, three users (two with calling, one
// getting a number and one an extension), review, Create users, and the
// welcome mails in the outbox. Then the same in Arabic, right to left.
// Every step is checked by axe and photographed at desktop and phone width.
func TestBrowserCustomerSetup(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	a := en.setUp(t, "Acme Telecom", "ada@acme.example")
	b := newBrowserTab(t, en)
	b.open("/signin")
	b.fill("#f-email", "ada@acme.example")
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/")

	cid := a.provisionedCustomer(t, "Café Ltd", "EXT-1")
	b.setupWizard(a, en, "en", cid, "Dallas branch", []string{"ann@cafe.example", "bo@cafe.example", "cy@cafe.example"})

	rid := a.provisionedCustomer(t, "شركة الرياض للاتصالات", "AR-1")
	b.setLanguage("ar")
	if dir := eval[string](b, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("Arabic page dir %q", dir)
	}
	b.setupWizard(a, en, "ar", rid, "فرع دالاس", []string{"amal@riyadh.example", "badr@riyadh.example", "carim@riyadh.example"})
}

// next clicks the form's visible primary button.
const setupNext = `form.card .actions button[type=submit]:not([name])`

func (b *bt) setupWizard(a *admin, en *hubEnv, lang, cid, branchName string, emails []string) {
	t := b.t
	t.Helper()
	tr := func(key string, kv ...string) string {
		params := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			params[kv[i]] = kv[i+1]
		}
		return b.tr.Message(lang, key, params)
	}
	base := "/customers/" + cid + "/setup"

	// The set-up tab of the customer's pages opens the wizard.
	b.open("/customers/" + cid)
	b.submit(`nav.tabs a[href="`+base+`"]`, base+"/locations")
	if h := b.text("main h1"); h != tr("hub.setup.customer.title") {
		t.Errorf("%s: heading %q, want %q", lang, h, tr("hub.setup.customer.title"))
	}
	if lang != "en" && tr("hub.setup.customer.title") == b.tr.Message("en", "hub.setup.customer.title", nil) {
		t.Errorf("%s: the title is not translated", lang)
	}

	// 1. Locations: add a branch; a first try without its state shows the error next to it.
	b.submit(`button[value="addlocation"]`, "#f-loc-0-name")
	b.fill("#f-loc-0-name", branchName)
	b.fill("#f-loc-0-line1", "2 Elm St")
	b.fill("#f-loc-0-city", "Dallas")
	b.fill("#f-loc-0-postal", "75201")
	b.choose("#f-loc-0-timeZone", "America/Chicago")
	b.choose("#f-loc-0-language", lang)
	b.submit(setupNext, "#f-loc-0-state-error")
	b.visitBoth(lang + "-setup-locations-error")
	if v := eval[string](b, `document.querySelector("#f-loc-0-name").value`); v != branchName {
		t.Errorf("%s: location name not kept: %q", lang, v)
	}
	b.fill("#f-loc-0-state", "TX")
	b.visitBoth(lang + "-setup-locations")
	b.submit(setupNext, base+"/users")
	var hq, branch *tenantry.Location
	for _, l := range a.locationsOf(t, en, cid) {
		if l.Headquarters {
			hq = l
		} else if l.Name == branchName {
			branch = l
		}
	}
	if hq == nil || branch == nil {
		t.Fatalf("%s: locations after the step: hq %v, branch %v", lang, hq, branch)
	}
	number := "+14085550100"
	if lang != "en" {
		number = "+14085550200"
	}
	a.addNumbers(t, en, cid, branch.ID, number)

	// 2. Users: three rows, two with calling (one at the branch).
	b.visitBoth(lang + "-setup-users")
	names := [][2]string{{"Ann", "Avery"}, {"Bo", "Berg"}, {"Cy", "Cole"}}
	if lang == "ar" {
		names = [][2]string{{"أمل", "حداد"}, {"بدر", "سالم"}, {"كريم", "نصر"}}
	}
	pkgs := []string{"webex_calling", "webex_calling", "webex_meetings"}
	locs := []string{hq.ID, branch.ID, hq.ID}
	for i := range 3 {
		p := "#f-user-" + itoa(i) + "-"
		b.fill(p+"first", names[i][0])
		b.fill(p+"last", names[i][1])
		b.fill(p+"email", emails[i])
		b.choose(p+"package", pkgs[i])
		b.choose(p+"location", locs[i])
	}
	b.submit(setupNext, base+"/numbers")

	// 3. Numbers: the headquarters has none free and says so; Ann gets an extension, Bo a number.
	b.visitBoth(lang + "-setup-numbers")
	if s := b.text("#number-0 .notice"); !strings.Contains(s, tr("hub.setup.numbers.no_free", "location", hq.Name)) {
		t.Errorf("%s: no notice of a location without free numbers: %q", lang, s)
	}
	if n := eval[int](b, `document.querySelectorAll('#number-0 a[href="/customers/`+cid+`/locations/`+hq.ID+`"]').length`); n != 1 {
		t.Errorf("%s: no link to the headquarters' inventory", lang)
	}
	if n := eval[int](b, `document.querySelectorAll("#f-user-2-number, #f-user-2-extension").length`); n != 0 {
		t.Errorf("%s: a user without calling is offered a number", lang)
	}
	b.fill("#f-user-0-extension", "101")
	b.choose("#f-user-1-number", number)
	b.submit(setupNext, base+"/review")

	// 4. Review, then Create users.
	b.visitBoth(lang + "-setup-review")
	review := b.text("table.setup-review")
	for _, want := range []string{emails[0], emails[1], emails[2], number, "101", branchName} {
		if !strings.Contains(review, want) {
			t.Errorf("%s: review lacks %q: %s", lang, want, review)
		}
	}
	if s := b.text(setupNext); s != tr("hub.setup.review.create") {
		t.Errorf("%s: the button says %q", lang, s)
	}
	b.submit(setupNext, base+"/result")

	// 5. The outcome of each user.
	b.visitBoth(lang + "-setup-result")
	if n := eval[int](b, `document.querySelectorAll("table.setup-result tr.outcome-provisioned").length`); n != 3 {
		t.Errorf("%s: %d users created, want 3", lang, n)
	}
	if s := b.text("table.setup-result tbody"); !strings.Contains(s, tr("hub.setup.result.provisioned")) {
		t.Errorf("%s: result lacks %q: %s", lang, tr("hub.setup.result.provisioned"), s)
	}

	// The welcome mails wait in the outbox, in the customer's language.
	msgs, _, err := en.db.OutboxMessages(context.Background(), a.actor(t, en), tenantry.OutboxFilter{CustomerID: cid, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var welcomed []string
	for _, m := range msgs {
		if m.Kind == tenantry.MailWelcome {
			welcomed = append(welcomed, m.To)
		}
	}
	slices.Sort(welcomed)
	want := slices.Clone(emails)
	slices.Sort(want)
	if !slices.Equal(welcomed, want) {
		t.Errorf("%s: welcome mails to %v, want %v", lang, welcomed, want)
	}
}
