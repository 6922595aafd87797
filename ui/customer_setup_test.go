package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// provisionedCustomer makes a template and a US customer with Webex
// Calling and Webex Meetings, and waits until it is provisioned. It returns
// the customer's id.
func (a *admin) provisionedCustomer(t testing.TB, name, extID string) string {
	t.Helper()
	a.createTemplate(t, "Gold "+extID)
	id := a.createCustomer(t, "Gold "+extID, name, extID, "US")
	deadline := time.Now().Add(waitTimeout)
	for {
		var st map[string]struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(a.get("/customers/status?id="+id).must(t, 200).Body), &st); err != nil {
			t.Fatal(err)
		}
		if st[id].Status == string(tenantry.StatusProvisioned) {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s is still %q", id, st[id].Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// locationsOf lists a customer's locations, headquarters first.
func (a *admin) locationsOf(t testing.TB, en *hubEnv, customerID string) []*tenantry.Location {
	t.Helper()
	locs, _, err := en.db.Locations(context.Background(), a.actor(t, en), customerID, tenantry.Page{Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	return locs
}

// addNumbers puts numbers in a location's inventory through the service
// (the inventory pages are not this wizard's).
func (a *admin) addNumbers(t testing.TB, en *hubEnv, customerID, locationID string, numbers ...string) {
	t.Helper()
	if _, err := en.db.AddNumbers(context.Background(), a.actor(t, en), customerID, locationID, &tenantry.NumbersInput{PhoneNumbers: numbers}); err != nil {
		t.Fatal(err)
	}
}

// inputValue is the value attribute of the input named name, "" when none.
func (p *page) inputValue(name string) string {
	m := regexp.MustCompile(`<input[^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*value="([^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// selected is the value of the chosen option of the select named name.
func (p *page) selected(name string) string {
	m := regexp.MustCompile(`(?s)<select[^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</select>`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	o := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[1])
	if o == nil {
		return ""
	}
	return html.UnescapeString(o[1])
}

// branchForm is a location row for the customer's branch in Dallas.
func branchForm(state string) url.Values {
	return url.Values{"locations": {"1"}, "loc.0.name": {"Dallas branch"}, "loc.0.line1": {"2 Elm St"}, "loc.0.city": {"Dallas"},
		"loc.0.state": {state}, "loc.0.postal": {"75201"}, "loc.0.timeZone": {"America/Chicago"}, "loc.0.language": {"en"}}
}

func TestCustomerSetupWizard(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		cid := a.provisionedCustomer(t, "Café Ltd", "EXT-1")
		base := "/customers/" + cid + "/setup"
		hq := a.locationsOf(t, en, cid)[0]

		// The tab opens the first step, which lists the headquarters.
		if p := a.get(base).must(t, 303); p.Location != base+"/locations" {
			t.Fatalf("the set-up tab went to %q", p.Location)
		}
		a.get(base+"/locations").must(t, 200).contains(t, hq.Name, `aria-current="page">Set up`)
		// A later step is not reached yet.
		if p := a.get(base+"/review").must(t, 303); p.Location != base+"/locations" {
			t.Errorf("an unreached step went to %q", p.Location)
		}

		// Locations: a row is added on the server; a bad address keeps the row and shows the error next to the field.
		a.post(base+"/locations", url.Values{"locations": {"0"}, "nav": {"addlocation"}}).must(t, 303)
		a.get(base+"/locations").must(t, 200).contains(t, `name="loc.0.name"`, `name="loc.0.state"`, "America/Chicago")
		p := a.post(base+"/locations", branchForm("")).must(t, 400)
		if e := p.fieldError(t, "f-loc-0-state"); e == "" {
			t.Errorf("no error next to the state:\n%s", clip(p.Body))
		}
		if v := p.inputValue("loc.0.name"); v != "Dallas branch" {
			t.Errorf("location name not kept: %q", v)
		}
		p.contains(t, "New location 1: State or province")
		// A reload keeps the row as typed.
		if v := a.get(base+"/locations").must(t, 200).inputValue("loc.0.city"); v != "Dallas" {
			t.Errorf("reload lost the city: %q", v)
		}
		if n := len(a.locationsOf(t, en, cid)); n != 1 {
			t.Fatalf("%d locations after an error, want 1", n)
		}
		// Confirmed: the location is created on leaving the step.
		if p := a.post(base+"/locations", branchForm("TX")).must(t, 303); p.Location != base+"/users" {
			t.Fatalf("locations went to %q", p.Location)
		}
		locs := a.locationsOf(t, en, cid)
		if len(locs) != 2 || locs[1].Name != "Dallas branch" || locs[1].Address.Country != "US" {
			t.Fatalf("locations after the step: %+v", locs)
		}
		branch := locs[1]
		a.get(base+"/locations").must(t, 200).contains(t, "Dallas branch").lacks(t, `name="loc.0.name"`)
		// The same name again is refused by the service, next to the row's name.
		a.post(base+"/locations", url.Values{"locations": {"0"}, "nav": {"addlocation"}}).must(t, 303)
		p = a.post(base+"/locations", branchForm("TX")).must(t, 400)
		if p.fieldError(t, "f-loc-0-name") == "" {
			t.Errorf("no error next to a taken name:\n%s", clip(p.Body))
		}
		a.post(base+"/locations", url.Values{"locations": {"1"}, "nav": {"removelocation.0"}}).must(t, 303)
		a.post(base+"/locations", url.Values{"locations": {"0"}}).must(t, 303)
		a.addNumbers(t, en, cid, branch.ID, "+14085550100", "+14085550101")

		// Users: three empty rows to start with, packages of the customer and its locations.
		u := a.get(base+"/users").must(t, 200).contains(t, `name="user.2.email"`, `value="webex_calling"`, `value="webex_meetings"`, "Dallas branch")
		if u.selected("user.0.location") != hq.ID {
			t.Errorf("a new row's location is not the headquarters")
		}
		rows := url.Values{"users": {"3"},
			"user.0.first": {"Ann"}, "user.0.last": {"Avery"}, "user.0.email": {"ann@cafe.example"}, "user.0.package": {"webex_calling"}, "user.0.location": {hq.ID},
			"user.1.first": {"Bo"}, "user.1.last": {"Berg"}, "user.1.email": {"bo@cafe.example"}, "user.1.package": {"webex_calling"}, "user.1.location": {branch.ID},
			"user.2.first": {"Cy"}, "user.2.last": {"Cole"}, "user.2.email": {"not an email"}, "user.2.package": {"webex_meetings"}, "user.2.location": {hq.ID},
		}
		p = a.post(base+"/users", rows).must(t, 400)
		if e := p.fieldError(t, "f-user-2-email"); e == "" {
			t.Errorf("no error next to the bad email:\n%s", clip(p.Body))
		}
		for _, f := range []string{"f-user-0-email", "f-user-1-email", "f-user-0-number"} {
			if e := p.fieldError(t, f); e != "" {
				t.Errorf("error next to %s: %q", f, e)
			}
		}
		p.contains(t, "User 3: Email")
		if p.inputValue("user.0.first") != "Ann" || p.inputValue("user.1.email") != "bo@cafe.example" || p.inputValue("user.2.email") != "not an email" {
			t.Error("rows not kept after an error")
		}
		if p.selected("user.1.location") != branch.ID || p.selected("user.2.package") != "webex_meetings" {
			t.Error("choices not kept after an error")
		}
		// Add a row, go Back, come again, reload: every row is still there.
		rows.Set("user.2.email", "cy@cafe.example")
		add := url.Values{"nav": {"adduser"}}
		for k, v := range rows {
			add[k] = v
		}
		if p := a.post(base+"/users", add).must(t, 303); !strings.HasPrefix(p.Location, base+"/users#f-user-3-first") {
			t.Errorf("add row went to %q", p.Location)
		}
		back := url.Values{"nav": {"back"}, "users": {"4"}}
		for k, v := range rows {
			if k != "users" {
				back[k] = v
			}
		}
		if p := a.post(base+"/users", back).must(t, 303); p.Location != base+"/locations" {
			t.Errorf("back went to %q", p.Location)
		}
		for range 2 {
			u = a.get(base+"/users").must(t, 200).contains(t, `name="user.3.email"`)
			if u.inputValue("user.0.first") != "Ann" || u.inputValue("user.2.email") != "cy@cafe.example" || u.selected("user.1.location") != branch.ID {
				t.Fatalf("rows lost after Back and reload:\n%s", clip(u.Body))
			}
		}
		// Next: the empty fourth row is dropped.
		rows.Set("users", "4")
		if p := a.post(base+"/users", rows).must(t, 303); p.Location != base+"/numbers" {
			t.Fatalf("users went to %q:\n%s", p.Location, clip(p.Body))
		}

		// Numbers: the calling users only; the headquarters has no free numbers and links to its inventory.
		n := a.get(base+"/numbers").must(t, 200)
		n.contains(t, "Ann Avery", "Bo Berg", "&#43;14085550100", hq.Name+" has no free phone numbers", `href="/customers/`+cid+`/locations/`+hq.ID+`"`)
		n.lacks(t, "Cy Cole", `name="user.2.number"`)
		p = a.post(base+"/numbers", url.Values{"user.0.number": {""}, "user.0.extension": {""}, "user.1.number": {"+14085550100"}, "user.1.extension": {""}}).must(t, 400)
		if e := p.fieldError(t, "f-user-0-number"); !strings.Contains(e, "phone number, an extension, or both") {
			t.Errorf("U2 not next to the number: %q", e)
		}
		if p.selected("user.1.number") != "+14085550100" {
			t.Error("the chosen number was not kept")
		}
		// An extension given twice in the same add is shown on the later row.
		p = a.post(base+"/numbers", url.Values{"user.0.number": {""}, "user.0.extension": {"101"}, "user.1.number": {"+14085550100"}, "user.1.extension": {"101"}}).must(t, 400)
		if e := p.fieldError(t, "f-user-1-extension"); !strings.Contains(e, "101") {
			t.Errorf("repeated extension: %q", e)
		}
		if p := a.post(base+"/numbers", url.Values{"user.0.number": {""}, "user.0.extension": {"101"}, "user.1.number": {"+14085550100"}, "user.1.extension": {""}}).must(t, 303); p.Location != base+"/review" {
			t.Fatalf("numbers went to %q", p.Location)
		}

		// Review, then Create users.
		a.get(base+"/review").must(t, 200).contains(t, "Users to create: 3", "Ann Avery", "&#43;14085550100", "101", "Webex Meetings", "Dallas branch", "Create users")
		if p := a.post(base+"/review", url.Values{}).must(t, 303); p.Location != base+"/result" {
			t.Fatalf("create went to %q", p.Location)
		}
		res := a.get(base+"/result").must(t, 200)
		if c := strings.Count(res.Body, `class="outcome-provisioned"`); c != 3 {
			t.Errorf("%d users created on the result page, want 3:\n%s", c, clip(res.Body))
		}
		subs, total, err := en.db.Subscribers(context.Background(), a.actor(t, en), tenantry.SubscriberFilter{CustomerID: cid, Page: tenantry.Page{Max: 100}})
		if err != nil || total != 3 {
			t.Fatalf("subscribers: %d, %v", total, err)
		}
		got := map[string]string{}
		for _, s := range subs {
			got[s.Email] = s.PrimaryPhoneNumber + "/" + s.Extension + "/" + s.LocationID
		}
		want := map[string]string{"ann@cafe.example": "/101/" + hq.ID, "bo@cafe.example": "+14085550100//" + branch.ID, "cy@cafe.example": "//" + hq.ID}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		// The tab starts over after a finished set-up.
		a.get(base).must(t, 303)
		a.get(base+"/users").must(t, 303)
		a.get(base+"/locations").must(t, 200).lacks(t, "ann@cafe.example")
	})
}

// TestCustomerSetupAccess: a read-only admin cannot write, another
// partner's customer is not found, and a customer that is not provisioned
// is refused with a message.
func TestCustomerSetupAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		cid := a.provisionedCustomer(t, "Plain Corp", "P-1")
		base := "/customers/" + cid + "/setup"
		a.get(base).must(t, 303)

		// Another partner: not found, reading or writing.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(base).must(t, 404)
		o.get(base+"/users").must(t, 404)
		o.post(base+"/users", url.Values{"users": {"1"}, "user.0.email": {"x@other.example"}}).must(t, 404)
		o.post(base+"/locations", url.Values{"nav": {"addlocation"}}).must(t, 404)

		// A read-only admin sees why, and every write is 403.
		ctx := context.Background()
		if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `UPDATE partner_admins SET role = ? WHERE id = ?`), tenantry.RoleReadOnlyAdmin, a.adminID); err != nil {
			t.Fatal(err)
		}
		if err := en.db.ForgetCachedAuth(ctx); err != nil { // the processes' cached sessions
			t.Fatal(err)
		}
		a.get(base).must(t, 200).contains(t, `id="setup-read-only"`).lacks(t, "<form method=\"post\" action=\"/customers/"+cid)
		for _, step := range []string{"locations", "users", "numbers", "review"} {
			a.post(base+"/"+step, url.Values{"nav": {"adduser"}}).must(t, 403)
		}
		a.get(base+"/locations").must(t, 403)
		if n := len(a.locationsOf(t, en, cid)); n != 1 {
			t.Errorf("%d locations after refused writes", n)
		}
		if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `UPDATE partner_admins SET role = ? WHERE id = ?`), tenantry.RoleFullAdmin, a.adminID); err != nil {
			t.Fatal(err)
		}
		if err := en.db.ForgetCachedAuth(ctx); err != nil { // the processes' cached sessions
			t.Fatal(err)
		}

		// Not provisioned (here: a job is updating it): the tab says why and links back; the steps refuse.
		if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `UPDATE customers SET status = ? WHERE id = ?`), string(tenantry.StatusUpdating), cid); err != nil {
			t.Fatal(err)
		}
		a.get(base).must(t, 200).contains(t, `id="setup-not-ready"`, "cannot be set up yet", "Updating", `href="/customers/`+cid+`"`)
		a.get(base+"/locations").must(t, 409).contains(t, `id="setup-not-ready"`)
		a.post(base+"/locations", branchForm("TX")).must(t, 409).contains(t, `id="setup-not-ready"`)
		if n := len(a.locationsOf(t, en, cid)); n != 1 {
			t.Errorf("%d locations for a customer not provisioned", n)
		}
	})
}

// TestCustomerSetupLimits: rule U7 (25 users at a time; the page offers no
// 26th row and points to CSV import), a repeated email within the add, and
// a taken email shown on the users step.
func TestCustomerSetupLimits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		cid := a.provisionedCustomer(t, "Plain Corp", "P-1")
		base := "/customers/" + cid + "/setup"
		hq := a.locationsOf(t, en, cid)[0]
		a.post(base+"/locations", url.Values{"locations": {"0"}}).must(t, 303)

		// Rows are added up to 25; then the page points to CSV import.
		for range tenantry.MaxManualUsers {
			a.post(base+"/users", url.Values{"nav": {"adduser"}}).must(t, 303)
		}
		p := a.get(base+"/users").must(t, 200).contains(t, `name="user.24.email"`, `id="setup-csv"`, `href="/customers/`+cid+`/import"`)
		p.lacks(t, `name="user.25.email"`, `value="adduser"`)
		// A form with more rows than U7 allows is refused as a whole.
		many := url.Values{"users": {"26"}}
		for k := range 26 {
			pre := "user." + itoa(k) + "."
			many.Set(pre+"email", "u"+itoa(k)+"@plain.example")
			many.Set(pre+"package", "webex_meetings")
			many.Set(pre+"location", hq.ID)
		}
		p = a.post(base+"/users", many).must(t, 400).contains(t, "at most 25 users", "26 given")
		if p.inputValue("user.25.email") != "u25@plain.example" {
			t.Error("the 26th row was not kept")
		}

		// A repeated email is shown on the later row; a taken one on its row.
		if _, err := en.db.CreateSubscriber(context.Background(), a.actor(t, en), &tenantry.SubscriberInput{CustomerID: cid, Email: "taken@plain.example", Packages: []string{"webex_meetings"}}); err != nil {
			t.Fatal(err)
		}
		rows := url.Values{"users": {"3"},
			"user.0.email": {"dup@plain.example"}, "user.0.package": {"webex_meetings"}, "user.0.location": {hq.ID},
			"user.1.email": {"DUP@plain.example"}, "user.1.package": {"webex_meetings"}, "user.1.location": {hq.ID},
			"user.2.email": {"taken@plain.example"}, "user.2.package": {"webex_calling"}, "user.2.location": {hq.ID},
		}
		p = a.post(base+"/users", rows).must(t, 400)
		if p.fieldError(t, "f-user-0-email") != "" {
			t.Error("the first of two equal emails is marked")
		}
		if e := p.fieldError(t, "f-user-1-email"); !strings.Contains(e, "another user of this add") {
			t.Errorf("repeated email: %q", e)
		}
		if e := p.fieldError(t, "f-user-2-email"); !strings.Contains(e, "already belongs to a user") {
			t.Errorf("taken email: %q", e)
		}
		// A package the customer does not have is refused next to the package.
		rows = url.Values{"users": {"1"}, "user.0.email": {"new@plain.example"}, "user.0.package": {"webex_suite"}, "user.0.location": {hq.ID}}
		if e := a.post(base+"/users", rows).must(t, 400).fieldError(t, "f-user-0-package"); e == "" {
			t.Error("no error next to a package the customer lacks")
		}
		// A row without a package (U1).
		rows = url.Values{"users": {"1"}, "user.0.email": {"new@plain.example"}, "user.0.location": {hq.ID}}
		if e := a.post(base+"/users", rows).must(t, 400).fieldError(t, "f-user-0-package"); e == "" {
			t.Error("no error next to a missing package")
		}
		// An add-on the customer does not have (U1, C3) is refused next to the package.
		rows = url.Values{"users": {"1"}, "user.0.email": {"new@plain.example"}, "user.0.package": {"webex_calling"}, "user.0.location": {hq.ID},
			"user.0.addon.attendant_console": {"on"}}
		if e := a.post(base+"/users", rows).must(t, 400).fieldError(t, "f-user-0-package"); !strings.Contains(e, "Attendant Console") {
			t.Errorf("add-on the customer lacks: %q", e)
		}
		// No user at all: U7's "at least one".
		a.post(base+"/users", url.Values{"users": {"2"}}).must(t, 400).contains(t, "error-summary")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCustomerSetupOutcomes: the result page shows each user's outcome:
// created, waiting for consent (an address of a free account, U3), or the
// error of a user the service refused, in the admin's language; the
// refused users stay in the draft to be corrected.
func TestCustomerSetupOutcomes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		cid := a.provisionedCustomer(t, "Plain Corp", "P-1")
		base := "/customers/" + cid + "/setup"
		hq := a.locationsOf(t, en, cid)[0]
		a.addNumbers(t, en, cid, hq.ID, "+14085550100")
		ctx := context.Background()
		if err := en.db.AddFreeAccount(ctx, "free@plain.example"); err != nil {
			t.Fatal(err)
		}
		a.post(base+"/locations", url.Values{"locations": {"0"}}).must(t, 303)
		a.post(base+"/users", url.Values{"users": {"3"},
			"user.0.first": {"Ann"}, "user.0.email": {"ann@plain.example"}, "user.0.package": {"webex_meetings"}, "user.0.location": {hq.ID},
			"user.1.first": {"Fay"}, "user.1.email": {"free@plain.example"}, "user.1.package": {"webex_meetings"}, "user.1.location": {hq.ID},
			"user.2.first": {"Gus"}, "user.2.email": {"gus@plain.example"}, "user.2.package": {"webex_calling"}, "user.2.location": {hq.ID},
		}).must(t, 303)
		// An email taken after the users step is named on the numbers step, in the summary.
		ann, err := en.db.CreateSubscriber(ctx, a.actor(t, en), &tenantry.SubscriberInput{CustomerID: cid, Email: "ann@plain.example",
			Packages: []string{"webex_meetings"}})
		if err != nil {
			t.Fatal(err)
		}
		p := a.post(base+"/numbers", url.Values{"user.2.number": {"+14085550100"}, "user.2.extension": {""}}).must(t, 400)
		p.contains(t, "User 1: Email: ann@plain.example already belongs to a user.")
		if e := p.fieldError(t, "f-user-2-number"); e != "" {
			t.Errorf("error next to a good number: %q", e)
		}
		if err := en.db.DeleteSubscriber(ctx, a.actor(t, en), ann.ID); err != nil {
			t.Fatal(err)
		}
		a.post(base+"/numbers", url.Values{"user.2.number": {"+14085550100"}, "user.2.extension": {""}}).must(t, 303)
		a.get(base+"/review").must(t, 200)
		// Meanwhile the number goes to someone else through the API's service.
		if _, err := en.db.CreateSubscriber(ctx, a.actor(t, en), &tenantry.SubscriberInput{CustomerID: cid, Email: "api@plain.example",
			Packages: []string{"webex_calling"}, LocationID: hq.ID, PrimaryPhoneNumber: "+14085550100"}); err != nil {
			t.Fatal(err)
		}
		a.post(base+"/review", url.Values{}).must(t, 303)
		a.post("/language", url.Values{"lang": {"es"}, "next": {base + "/result"}}).must(t, 303)
		res := a.get(base+"/result").must(t, 200)
		res.contains(t, `class="outcome-provisioned"`, `class="outcome-pending_user_migration"`, `class="outcome-error"`,
			"Esperando consentimiento", "Corregirlos")
		if !regexp.MustCompile(`(?s)gus@plain\.example</td>\s*<td>.*?<p class="error">[^<]*4085550100[^<]*asignado`).MatchString(res.Body) {
			t.Errorf("no error next to the refused user:\n%s", clip(res.Body[strings.Index(res.Body, "<main"):]))
		}
		a.post("/language", url.Values{"lang": {"en"}, "next": {base}}).must(t, 303)
		// The refused user waits in the draft, with its choices.
		u := a.get(base+"/users").must(t, 200)
		if u.inputValue("user.0.email") != "gus@plain.example" || strings.Contains(u.Body, "ann@plain.example") {
			t.Errorf("draft after the outcome:\n%s", clip(u.Body))
		}
	})
}

// TestCustomerSetupQuantities: with package quantities, the users step
// tells which user goes past a quantity, counting the users before it; and
// each user is checked again when it is created, as through the API: when
// the last seat goes elsewhere meanwhile, the user is refused with the
// quantity rule's message next to it.
func TestCustomerSetupQuantities(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.get("/customers/new").must(t, 303)
		tpl := a.get("/customers/new/info").must(t, 200).option(t, "Gold")
		a.post("/customers/new/info", url.Values{"name": {"Counted Inc"}, "email": {"admin@counted.example"}, "externalId": {"Q-1"},
			"country": {"US"}, "template": {tpl}, "confirm": {"on"}}).must(t, 303)
		a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "pkg.webex_meetings": {"on"}, "quantities": {"on"},
			"limit.webex_calling": {"5"}, "limit.webex_meetings": {"1"}}).must(t, 303)
		a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"},
			"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)
		cid := strings.TrimPrefix(a.post("/customers/new/summary", url.Values{}).must(t, 303).Location, "/customers?selected=")
		deadline := time.Now().Add(waitTimeout)
		// Until it is provisioned the tab says why (200); then it opens the wizard (303).
		for a.get("/customers/"+cid+"/setup").Status != 303 {
			if time.Now().After(deadline) {
				t.Fatal("the customer was never provisioned")
			}
			time.Sleep(20 * time.Millisecond)
		}
		base := "/customers/" + cid + "/setup"
		hq := a.locationsOf(t, en, cid)[0]
		a.post(base+"/locations", url.Values{"locations": {"0"}}).must(t, 303)
		p := a.post(base+"/users", url.Values{"users": {"2"},
			"user.0.email": {"one@counted.example"}, "user.0.package": {"webex_meetings"}, "user.0.location": {hq.ID},
			"user.1.email": {"two@counted.example"}, "user.1.package": {"webex_meetings"}, "user.1.location": {hq.ID},
		}).must(t, 400)
		if p.fieldError(t, "f-user-0-package") != "" {
			t.Error("the first user, who has a seat, is marked")
		}
		if e := p.fieldError(t, "f-user-1-package"); !strings.Contains(e, "the customer has 1 Webex Meetings license and it is assigned") {
			t.Errorf("the second user's package: %q", e)
		}
		a.post(base+"/users", url.Values{"users": {"2"},
			"user.0.email": {"one@counted.example"}, "user.0.package": {"webex_meetings"}, "user.0.location": {hq.ID},
			"user.1.email": {"two@counted.example"}, "user.1.package": {"webex_calling"}, "user.1.location": {hq.ID},
		}).must(t, 303)
		a.post(base+"/numbers", url.Values{"user.1.number": {""}, "user.1.extension": {"200"}}).must(t, 303)
		a.get(base+"/review").must(t, 200)
		// Meanwhile the last Webex Meetings seat goes to a user made through the API's service.
		if _, err := en.db.CreateSubscriber(context.Background(), a.actor(t, en), &tenantry.SubscriberInput{CustomerID: cid,
			Email: "api@counted.example", Packages: []string{"webex_meetings"}}); err != nil {
			t.Fatal(err)
		}
		a.post(base+"/review", url.Values{}).must(t, 303)
		res := a.get(base+"/result").must(t, 200)
		if !regexp.MustCompile(`(?s)one@counted\.example</td>\s*<td>.*?<p class="error">[^<]*Webex Meetings`).MatchString(res.Body) {
			t.Errorf("no quantity error next to the first user:\n%s", clip(res.Body[strings.Index(res.Body, "<main"):]))
		}
		if strings.Count(res.Body, `class="outcome-provisioned"`) != 1 {
			t.Error("want one user created")
		}
	})
}
