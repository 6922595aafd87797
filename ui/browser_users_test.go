package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry"
)

// TestBrowserUsers walks a customer's Users and Customer admins tabs in
// Chromium as a person would: find a user, edit it (after a mistake shown
// next to its field), resend a consent request, look at the delete
// question, invite a customer admin with a role (after a U4 refusal), and
// see every page in English and Arabic, at desktop and phone width.
func TestBrowserUsers(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	f := newUserFixture(t, en)
	ctx := context.Background()
	ada := f.user(t, tenantry.SubscriberInput{Email: "ada@cafe.example", Packages: []string{"webex_calling"}, FirstName: "Ada", LastName: "Lovelace", Extension: "100"})
	f.user(t, tenantry.SubscriberInput{Email: "grace@cafe.example", Package: "webex_meetings", FirstName: "Grace", LastName: "Hopper"})
	if err := en.db.AddFreeAccount(ctx, "mover@cafe.example"); err != nil {
		t.Fatal(err)
	}
	mover := f.user(t, tenantry.SubscriberInput{Email: "mover@cafe.example", Package: "webex_meetings", FirstName: "Mo", LastName: "Ver"})
	users := "/customers/" + f.customerID + "/users"
	tab := "/customers/" + f.customerID + "/admins"

	b := newBrowserTab(t, en)
	b.open("/signin")
	b.fill("#f-email", f.a.email)
	b.fill("#f-password", "correct horse battery")
	b.submit(`main button[type=submit]`, "/")

	// The list, a search, the user's page.
	b.open(users)
	b.visit("users")
	b.fill("#q", "lovelace")
	b.submit(`form.filters button`, users)
	if got := b.text("table.users tbody"); !strings.Contains(got, "ada@cafe.example") || strings.Contains(got, "grace@") {
		t.Errorf("search for lovelace shows: %q", got)
	}
	b.submit(`table.users a[href$="`+ada.ID+`"]`, f.userPath(ada.ID))
	b.visit("user")

	// A mistake, shown next to its field with the input kept; then the edit.
	edit := `form[action="` + f.userPath(ada.ID) + `"] button[type=submit]`
	b.fill("#f-firstName", "Augusta Ada")
	b.fill("#f-extension", "1")
	b.submit(edit, "#error-summary")
	b.visit("user-error")
	if e := b.text("#f-extension-error"); e == "" {
		t.Error("no error next to the extension")
	}
	if v := eval[string](b, `document.querySelector("#f-firstName").value`); v != "Augusta Ada" {
		t.Errorf("first name not kept: %q", v)
	}
	// By query: after errors, the summary's links also name the fields.
	fillQ := func(sel, value string) {
		b.do("fill "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	fillQ("#f-extension", "101")
	fillQ("#f-number", fixtureNumbers[0])
	b.submit(edit, f.userPath(ada.ID))
	if fl := b.text("p.flash"); fl != "The user is saved." {
		t.Errorf("flash after saving: %q", fl)
	}
	if got, err := en.db.Subscriber(ctx, f.actor, ada.ID); err != nil || got.FirstName != "Augusta Ada" || got.Extension != "101" || got.PrimaryPhoneNumber != fixtureNumbers[0] {
		t.Errorf("after the edit: %+v %v", got, err)
	}
	b.shot("user-saved")

	// The delete question (not answered), and a pending user's consent.
	b.submit(`a.button.danger`, f.userPath(ada.ID)+"/delete")
	b.visit("user-delete")
	b.submit(`form.confirm a.button.secondary`, f.userPath(ada.ID))
	b.open(f.userPath(mover.ID))
	b.visit("user-pending")
	b.submit(`#consent button`, f.userPath(mover.ID))
	if got, _ := en.db.Subscriber(ctx, f.actor, mover.ID); got.ConsentRequests != 2 {
		t.Errorf("consent requests: %d", got.ConsentRequests)
	}

	// Customer admins: a U4 refusal next to the package, then an invitation with a role.
	b.open(tab)
	b.visit("admins")
	invite := `form[action="` + tab + `"] button[type=submit]`
	b.fill("#f-email", "max@cafe.example")
	b.choose("#f-role", "user_device_admin")
	b.choose("#f-package", "webex_meetings")
	b.submit(invite, "#error-summary")
	b.visit("admins-error")
	if e := b.text("#f-package-error"); !strings.Contains(e, "level") {
		t.Errorf("U4 next to the package: %q", e)
	}
	b.choose("#f-package", "webex_calling")
	b.submit(invite, tab)
	if !strings.Contains(b.text("table.admins"), "max@cafe.example") {
		t.Error("the invited admin is not listed")
	}
	as, _, _ := en.db.CustomerAdmins(ctx, f.actor, f.customerID, tenantry.Page{Max: 10})
	var invited *tenantry.CustomerAdmin
	for _, a := range as {
		if a.Email == "max@cafe.example" {
			invited = a
		}
	}
	if invited == nil || invited.Role != tenantry.AdminUserDevice {
		t.Fatalf("invited: %+v", invited)
	}
	b.open(tab + "/" + invited.ID + "/remove")
	b.visit("admins-remove")

	// Phone width in English, then Arabic at both widths.
	narrow := func(lang string) {
		b.do("narrow", chromedp.EmulateViewport(360, 780))
		for _, p := range []struct{ name, path string }{{"users", users}, {"user", f.userPath(ada.ID)}, {"admins", tab}} {
			b.open(p.path)
			b.shot(lang + "-" + p.name + "-360px")
		}
		b.do("wide", chromedp.EmulateViewport(1280, 900))
	}
	narrow("en")
	b.open(users)
	b.setLanguage("ar")
	b.visit("ar-users")
	b.open(f.userPath(ada.ID))
	b.visit("ar-user")
	b.open(f.userPath(mover.ID))
	b.visit("ar-user-pending")
	b.open(tab)
	b.visit("ar-admins")
	b.open(f.userPath(ada.ID) + "/delete")
	b.visit("ar-user-delete")
	narrow("ar")
}
