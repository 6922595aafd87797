package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

func TestLocationsTab(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		c, hq := a.callingCustomer(t, en, "Gold", "Places Corp", "PLC-1")
		tab := "/customers/" + c.ID + "/locations"

		a.get(tab).must(t, 200).contains(t, `aria-current="page">Locations`, hq.Name, "Headquarters", "Locations: 1", `action="`+tab+`"`)

		// Bad input: 400, each problem next to its field, the input kept.
		p := a.post(tab, url.Values{"name": {""}, "line1": {"2 Side St"}, "city": {""}, "state": {"TX"}, "postal": {"78701"}, "timeZone": {"Mars/Olympus"}, "language": {"en"}}).must(t, 400)
		p.contains(t, "error-summary", `value="2 Side St"`)
		for _, id := range []string{"f-name", "f-city", "f-timeZone"} {
			if p.fieldError(t, id) == "" {
				t.Errorf("no error next to %s", id)
			}
		}
		// A name taken in the customer.
		p = a.post(tab, url.Values{"name": {strings.ToUpper(hq.Name)}, "line1": {"2 Side St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"}, "timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 400)
		if p.fieldError(t, "f-name") == "" {
			t.Errorf("no error for a taken name:\n%s", clip(p.Body))
		}

		p = a.post(tab, url.Values{"name": {"Branch"}, "line1": {"2 Side St"}, "city": {"Dallas"}, "state": {"TX"}, "postal": {"75201"}, "timeZone": {"America/Chicago"}, "language": {"es"}}).must(t, 303)
		if !strings.HasPrefix(p.Location, tab+"/") {
			t.Fatalf("create went to %q", p.Location)
		}
		a.get(p.Location).must(t, 200).contains(t, "The location was added.", "Branch", "Dallas", "America/Chicago", "This location has no phone numbers yet.")
		a.get(tab).must(t, 200).contains(t, "Branch", "Locations: 2")

		// A read-only admin sees the list but no form, and cannot add.
		en.setRole(t, a, tenantry.RoleReadOnlyAdmin)
		a.get(tab).must(t, 200).lacks(t, `action="`+tab+`"`)
		a.post(tab, url.Values{"name": {"Other"}}).must(t, 403)
		en.setRole(t, a, tenantry.RoleFullAdmin)

		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(tab).must(t, 404)
		o.post(tab, url.Values{"name": {"Mine"}}).must(t, 404)
	})
}

func TestLocationNumbers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ctx := context.Background()
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		c, hq := a.callingCustomer(t, en, "Gold", "Numbers Corp", "NUM-1")
		act := a.actor(t, en)
		branch, err := en.db.CreateLocation(ctx, act, c.ID, &tenantry.LocationInput{Name: "Branch", TimeZone: "America/Chicago", Language: "en",
			Address: tenantry.Address{Line1: "2 Side St", City: "Dallas", State: "TX", PostalCode: "75201", Country: "US"}})
		if err != nil {
			t.Fatal(err)
		}
		page := "/customers/" + c.ID + "/locations/" + branch.ID
		a.get(page).must(t, 200).contains(t, "Add phone numbers", `action="`+page+`/numbers"`, `action="`+page+`/delete"`)

		// A bad number: 400, named by its line next to the field; nothing is added.
		p := a.post(page+"/numbers", url.Values{"numbers": {"+14085550100\n+1408555"}}).must(t, 400)
		p.contains(t, `id="f-numbers-error"`, "Line 2: &#43;1408555", `aria-invalid="true"`, "&#43;14085550100\n&#43;1408555</textarea>")
		if _, n, _ := en.db.Numbers(ctx, act, c.ID, branch.ID, tenantry.NumberFilter{Page: tenantry.Page{Max: 10}}); n != 0 {
			t.Errorf("%d numbers after a refused request", n)
		}
		// A reversed range: next to its last number.
		p = a.post(page+"/numbers", url.Values{"rangeStart": {"+14085550110"}, "rangeEnd": {"+14085550101"}}).must(t, 400)
		if e := p.fieldError(t, "f-rangeEnd"); !strings.Contains(e, "Last number") {
			t.Errorf("reversed range error = %q", e)
		}
		// Nothing at all.
		a.post(page+"/numbers", url.Values{}).must(t, 400).contains(t, `id="f-numbers-error"`)

		// Numbers (written with separators) and a range.
		p = a.post(page+"/numbers", url.Values{"numbers": {"+1 408 555 0100\r\n"}, "rangeStart": {"+14085550101"}, "rangeEnd": {"+14085550105"}}).must(t, 303)
		a.get(p.Location).must(t, 200).contains(t, "The phone numbers were added.", "1–6 of 6", "&#43;14085550100", "&#43;14085550105")
		// Taken: already in the inventory (of any location).
		p = a.post("/customers/"+c.ID+"/locations/"+hq.ID+"/numbers", url.Values{"numbers": {"+14085550103"}}).must(t, 400)
		p.contains(t, `id="f-numbers-error"`, "&#43;14085550103 is already in use")

		// The main number.
		a.post(page+"/main", url.Values{"number": {"+14085550101"}}).must(t, 303)
		if l, _ := en.db.Location(ctx, act, c.ID, branch.ID); l.MainNumber != "+14085550101" {
			t.Errorf("main number = %q", l.MainNumber)
		}
		a.get(page).must(t, 200).contains(t, `<span dir="ltr">&#43;14085550101</span> <span class="status status-provisioned">Main</span>`)
		a.post(page+"/main", url.Values{"number": {"+14085559999"}}).must(t, 400).contains(t, "error-summary", "is not one of this location")

		// A user takes a number: it is assigned, and cannot be removed.
		if _, err := en.db.CreateSubscriber(ctx, act, &tenantry.SubscriberInput{CustomerID: c.ID, Email: "ann@example.com", FirstName: "Ann", LastName: "Lee",
			Package: "webex_calling", LocationID: branch.ID, PrimaryPhoneNumber: "+14085550104"}); err != nil {
			t.Fatal(err)
		}
		a.get(page+"?state=assigned").must(t, 200).contains(t, "1–1 of 1", "&#43;14085550104").lacks(t, "&#43;14085550102")
		a.get(page+"?state=available").must(t, 200).contains(t, "1–5 of 5", "&#43;14085550102").lacks(t, "&#43;14085550104")
		a.post(page+"/numbers/remove", url.Values{"number": {"+14085550104"}}).must(t, 409).contains(t, "error-summary", "assigned to a user")

		// A free number goes.
		a.post(page+"/numbers/remove", url.Values{"number": {"+14085550102"}}).must(t, 303)
		a.get(page).must(t, 200).contains(t, "The phone number was removed.", "1–5 of 5").lacks(t, "&#43;14085550102")
		a.post(page+"/numbers/remove", url.Values{"number": {"+14085550102"}}).must(t, 400).contains(t, "error-summary")

		// Deleting a location in use is refused with the reason; the
		// headquarters cannot be deleted; an empty branch can.
		a.post(page+"/delete", url.Values{}).must(t, 409).contains(t, "error-summary", "still has")
		a.post("/customers/"+c.ID+"/locations/"+hq.ID+"/delete", url.Values{}).must(t, 409).contains(t, "error-summary")
		a.get("/customers/"+c.ID+"/locations/"+hq.ID).must(t, 200).lacks(t, `/delete"`)
		empty, err := en.db.CreateLocation(ctx, act, c.ID, &tenantry.LocationInput{Name: "Empty", TimeZone: "America/Chicago", Language: "en",
			Address: tenantry.Address{Line1: "3 Side St", City: "Houston", State: "TX", PostalCode: "77001", Country: "US"}})
		if err != nil {
			t.Fatal(err)
		}
		emptyPage := "/customers/" + c.ID + "/locations/" + empty.ID
		p = a.post(emptyPage+"/delete", url.Values{}).must(t, 303)
		a.get(p.Location).must(t, 200).contains(t, "The location was deleted.").lacks(t, "Houston")
		a.get(emptyPage).must(t, 404)

		// A read-only admin reads the inventory and changes nothing.
		en.setRole(t, a, tenantry.RoleReadOnlyAdmin)
		a.get(page).must(t, 200).contains(t, "&#43;14085550100").lacks(t, `action="`+page+`/numbers"`, `action="`+page+`/main"`)
		for _, path := range []string{"/numbers", "/numbers/remove", "/main", "/delete"} {
			a.post(page+path, url.Values{"number": {"+14085550100"}, "numbers": {"+14085550199"}}).must(t, 403)
		}
		en.setRole(t, a, tenantry.RoleFullAdmin)

		// The inventory pages: 60 numbers at the headquarters, 50 a page.
		addNumbers(t, en, act, c, hq, 1000, 1059)
		hqPage := "/customers/" + c.ID + "/locations/" + hq.ID
		a.get(hqPage+"?state=available").must(t, 200).contains(t, "1–50 of 60", `rel="next"`, "&#43;14085551049").lacks(t, "&#43;14085551050", `rel="prev"`)
		a.get(hqPage+"?state=available&offset=50").must(t, 200).contains(t, "51–60 of 60", "&#43;14085551050", "&#43;14085551059", `rel="prev"`).lacks(t, `rel="next"`)

		// Another partner finds no such location.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(page).must(t, 404)
		for _, path := range []string{"/numbers", "/numbers/remove", "/main", "/delete"} {
			o.post(page+path, url.Values{"number": {"+14085550100"}, "numbers": {"+14085550199"}}).must(t, 404)
		}
		a.get("/customers/"+c.ID+"/locations/LOCATION-nope").must(t, 404)
	})
}
