package ui_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// customerInfo starts the customer wizard and answers its first step.
func (a *admin) customerInfo(t testing.TB, templateName, name, extID, country string) url.Values {
	t.Helper()
	a.get("/customers/new").must(t, 303)
	tpl := a.get("/customers/new/info").must(t, 200).option(t, templateName)
	info := url.Values{"name": {name}, "email": {"admin@" + strings.ToLower(extID) + ".example"}, "externalId": {extID},
		"country": {country}, "template": {tpl}, "confirm": {"on"}}
	a.post("/customers/new/info", info).must(t, 303)
	return info
}

// customers lists the admin's customers as the services know them.
func (a *admin) customers(t testing.TB, en *hubEnv) []*tenantry.Customer {
	t.Helper()
	cs, _, err := en.db.Customers(context.Background(), a.actor(t, en), tenantry.CustomerFilter{Page: tenantry.Page{Max: tenantry.MaxPageMax}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestCustomerWizardQuantityMax: a quantity above the partner's maximum
// (Q4) is refused on the packages step, next to its field, as a missing
// one is; the maximum itself is accepted.
func TestCustomerWizardQuantityMax(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.customerInfo(t, "Gold", "Max Ltd", "MAX-1", "US")

		p := a.post("/customers/new/packages", url.Values{"quantities": {"on"}, "pkg.webex_calling": {"on"}, "limit.webex_calling": {"20000"}}).must(t, 400)
		e := p.fieldError(t, "f-limit-webex_calling")
		if !strings.Contains(e, "10,000") && !strings.Contains(e, "10000") {
			t.Errorf("no maximum error next to the quantity: %q\n%s", e, clip(p.Body))
		}
		p.contains(t, `value="20000"`)
		// Not reached: the next step cannot be opened.
		if p := a.get("/customers/new/location").must(t, 303); p.Location != "/customers/new/packages" {
			t.Errorf("location step opened after a refused quantity: %q", p.Location)
		}
		// A reload keeps what was typed.
		a.get("/customers/new/packages").must(t, 200).contains(t, `value="20000"`)
		if p := a.post("/customers/new/packages", url.Values{"quantities": {"on"}, "pkg.webex_calling": {"on"}, "limit.webex_calling": {"10000"}}).must(t, 303); p.Location != "/customers/new/location" {
			t.Errorf("the maximum went to %q", p.Location)
		}
	})
}

// TestCustomerWizardCountryChange: once the customer's country is changed,
// the headquarters time zone, state and postal code given for the former
// country no longer count: Create sends the admin back to the headquarters
// step, and a time zone of another country is never created.
func TestCustomerWizardCountryChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		info := a.customerInfo(t, "Gold", "Pond Ltd", "POND-1", "US")
		a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "pkg.webex_meetings": {"on"}}).must(t, 303)
		usForm := url.Values{"hqCountry": {"US"}, "line1": {"1 Market St"}, "city": {"San Francisco"}, "state": {"CA"}, "postal": {"94105"},
			"timeZone": {"America/Los_Angeles"}, "language": {"en"}}
		a.post("/customers/new/location", usForm).must(t, 303)
		a.get("/customers/new/summary").must(t, 200).contains(t, "America/Los_Angeles")

		// Edit the customer information: the country becomes GB.
		info.Set("country", "GB")
		info.Set("return", "summary")
		if p := a.post("/customers/new/info", info).must(t, 303); p.Location != "/customers/new/location?return=summary" {
			t.Errorf("a changed country went to %q, want the headquarters step", p.Location)
		}
		loc := a.get("/customers/new/location?return=summary").must(t, 200)
		for _, id := range []string{"f-timeZone", "f-postal"} {
			if loc.fieldError(t, id) == "" {
				t.Errorf("no notice next to %s after the country changed:\n%s", id, clip(loc.Body))
			}
		}
		loc.contains(t, `value="Europe/London"`, `name="hqCountry" value="GB"`).lacks(t, `value="America/Los_Angeles"`)
		loc.contains(t, `value="1 Market St"`) // what is not the country's is kept

		// Create from the summary page still open: back to the headquarters step.
		p := a.post("/customers/new/summary", url.Values{}).must(t, 400)
		if e := p.fieldError(t, "f-timeZone"); e == "" {
			t.Errorf("Create did not send back to the time zone:\n%s", clip(p.Body))
		}
		p.contains(t, `action="/customers/new/location"`)
		if cs := a.customers(t, en); len(cs) != 0 {
			t.Fatalf("created %d customers with the former country's answers", len(cs))
		}

		// The US page, sent again from the browser's history, is the former country's.
		stale := url.Values{}
		for k, v := range usForm {
			stale[k] = v
		}
		stale.Set("postal", "SW1A 1AA")
		stale.Set("state", "")
		p = a.post("/customers/new/location", stale).must(t, 400)
		if p.fieldError(t, "f-timeZone") == "" {
			t.Errorf("a time zone from the US page was taken for GB:\n%s", clip(p.Body))
		}
		// And a time zone not offered for GB is refused even without the page's country.
		stale.Del("hqCountry")
		p = a.post("/customers/new/location", stale).must(t, 400)
		if e := p.fieldError(t, "f-timeZone"); !strings.Contains(e, "America/Los_Angeles") {
			t.Errorf("America/Los_Angeles taken as a GB time zone: %q\n%s", e, clip(p.Body))
		}
		if cs := a.customers(t, en); len(cs) != 0 {
			t.Fatalf("created %d customers", len(cs))
		}

		// Answered for GB, the customer is created with GB's answers.
		gb := url.Values{"hqCountry": {"GB"}, "line1": {"1 Market St"}, "city": {"London"}, "postal": {"SW1A 1AA"},
			"timeZone": {"Europe/London"}, "language": {"en"}, "return": {"summary"}}
		if p := a.post("/customers/new/location", gb).must(t, 303); p.Location != "/customers/new/summary" {
			t.Fatalf("headquarters went to %q", p.Location)
		}
		a.get("/customers/new/summary").must(t, 200).contains(t, "Europe/London").lacks(t, "America/Los_Angeles")
		p = a.post("/customers/new/summary", url.Values{}).must(t, 303)
		id := strings.TrimPrefix(p.Location, "/customers?selected=")
		c, err := en.db.Customer(context.Background(), a.actor(t, en), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Address.Country != "GB" || c.Address.State != "" || c.MeetingsTimeZone != "Europe/London" || c.Calling == nil || c.Calling.TimeZone != "Europe/London" {
			t.Errorf("created with address %+v, meetings time zone %q, calling %+v", c.Address, c.MeetingsTimeZone, c.Calling)
		}
	})
}

// TestCustomerWizardMeetingsCountryChange: without calling the time zone
// is the meetings one, optional to the domain; a change of country still
// voids it.
func TestCustomerWizardMeetingsCountryChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		info := a.customerInfo(t, "Gold", "Meet Ltd", "MEET-1", "US")
		a.post("/customers/new/packages", url.Values{"pkg.webex_meetings": {"on"}}).must(t, 303)
		a.post("/customers/new/location", url.Values{"line1": {"1 Market St"}, "city": {"San Francisco"}, "state": {"CA"}, "postal": {"94105"},
			"timeZone": {"America/Los_Angeles"}, "language": {"en"}}).must(t, 303)
		info.Set("country", "SE") // Sweden: no state
		a.post("/customers/new/info", info).must(t, 303)
		p := a.post("/customers/new/summary", url.Values{}).must(t, 400)
		if p.fieldError(t, "f-timeZone") == "" || p.fieldError(t, "f-postal") == "" {
			t.Errorf("Create did not send back to the headquarters answers:\n%s", clip(p.Body))
		}
		if cs := a.customers(t, en); len(cs) != 0 {
			t.Fatalf("created %d customers", len(cs))
		}
		// Changed back, the answers count again.
		info.Set("country", "US")
		a.post("/customers/new/info", info).must(t, 303)
		a.post("/customers/new/summary", url.Values{}).must(t, 303)
	})
}

// TestTemplateWizardRefusedStepBlocksSubmit: a step whose last answer was
// refused blocks the submit, which shows that step with its errors.
func TestTemplateWizardRefusedStepBlocksSubmit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.get("/templates/new").must(t, 303)
		a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}, "offer_broadworks": {"on"}}).must(t, 303)
		prim := a.get("/templates/wizard/new/primary").must(t, 200)
		a.post("/templates/wizard/new/primary", url.Values{"name": {"Both"}, "country": {"US"}, "admin": {prim.option(t, a.email)},
			"subscription": {prim.option(t, "Wholesale")}, "emailLanguage": {"en"}}).must(t, 303)
		a.post("/templates/wizard/new/calling", url.Values{"pstnVendor": {""}}).must(t, 303)
		a.post("/templates/wizard/new/auth", url.Values{"authMethod": {"platform"}}).must(t, 303)
		a.post("/templates/wizard/new/email", url.Values{"brandName": {"Both Cloud"}}).must(t, 303)
		a.get("/templates/wizard/new/summary").must(t, 200)

		// Nothing ticked: refused, and so is the submit after it.
		p := a.post("/templates/wizard/new/offer", url.Values{"return": {"summary"}}).must(t, 400)
		if p.fieldError(t, "f-offers") == "" {
			t.Fatalf("no error next to the offer types:\n%s", clip(p.Body))
		}
		p = a.post("/templates/wizard/new/summary", url.Values{}).must(t, 400)
		if p.fieldError(t, "f-offers") == "" {
			t.Errorf("the submit did not show the offer step's error:\n%s", clip(p.Body))
		}
		p.contains(t, `action="/templates/wizard/new/offer"`)
		ts, _, err := en.db.Templates(context.Background(), a.actor(t, en), tenantry.Page{Max: tenantry.MaxPageMax})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 0 {
			t.Fatalf("a template was made with offer types %v", ts[0].OfferTypes)
		}

		// Answered, the template has what was chosen; the other steps' answers were kept.
		a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}, "offer_broadworks": {"on"}, "return": {"summary"}}).must(t, 303)
		a.post("/templates/wizard/new/summary", url.Values{}).must(t, 303)
		ts, _, err = en.db.Templates(context.Background(), a.actor(t, en), tenantry.Page{Max: tenantry.MaxPageMax})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].Name != "Both" || !slices.Equal(ts[0].OfferTypes, []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks}) {
			t.Errorf("templates %+v", ts)
		}
	})
}

// TestCustomerWizardRefusedStepBlocksCreate: the same holds in the
// customer wizard: packages refused, then Create, shows the packages step.
func TestCustomerWizardRefusedStepBlocksCreate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.customerInfo(t, "Gold", "Empty Ltd", "EMPTY-1", "US")
		a.post("/customers/new/packages", url.Values{"pkg.webex_meetings": {"on"}}).must(t, 303)
		a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"},
			"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)
		a.post("/customers/new/packages", url.Values{"return": {"summary"}}).must(t, 400)
		p := a.post("/customers/new/summary", url.Values{}).must(t, 400)
		if p.fieldError(t, "f-packages") == "" {
			t.Errorf("Create did not show the packages step's error:\n%s", clip(p.Body))
		}
		p.contains(t, `action="/customers/new/packages"`)
		if cs := a.customers(t, en); len(cs) != 0 {
			t.Fatalf("created %d customers", len(cs))
		}
	})
}

// TestCustomerWizardCreateSentAgain: the summary's form sent again after
// the customer was created (Back, then Create) shows that customer, with
// no error and no second customer; the wizard then starts afresh.
func TestCustomerWizardCreateSentAgain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		id := a.createCustomer(t, "Gold", "Once Ltd", "ONCE-1", "US")
		for range 2 {
			p := a.post("/customers/new/summary", url.Values{}).must(t, 303)
			if p.Location != "/customers?selected="+id {
				t.Errorf("sent again, Create went to %q, want the customer %s", p.Location, id)
			}
			a.get(p.Location).must(t, 200).contains(t, "Once Ltd").lacks(t, "error-summary")
		}
		// An older step's form sent again goes to the wizard's start, and changes nothing.
		if p := a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"},
			"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303); p.Location != "/customers/new/info" {
			t.Errorf("an old step's form went to %q", p.Location)
		}
		a.post("/customers/new/summary", url.Values{}).must(t, 303)
		if cs := a.customers(t, en); len(cs) != 1 {
			t.Fatalf("%d customers, want 1", len(cs))
		}
		// A new wizard starts empty.
		a.get("/customers/new/info").must(t, 200).lacks(t, "Once Ltd")
		a.get("/customers/new").must(t, 303)
		a.get("/customers/new/info").must(t, 200).lacks(t, "Once Ltd")
	})
}

// TestWizardsResumeAndStartOver: opening a wizard again takes up the
// draft in progress (the GET changes nothing, so a prefetch of the link
// loses no typing), offers to start over, and only that POST discards it.
func TestWizardsResumeAndStartOver(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.get("/customers/new/info").must(t, 200).lacks(t, "Start over")
		a.customerInfo(t, "Gold", "Half Done Ltd", "HALF-1", "US")
		a.get("/customers").must(t, 200)
		if p := a.get("/customers/new").must(t, 303); p.Location != "/customers/new/info" {
			t.Fatalf("the wizard opened at %q", p.Location)
		}
		a.get("/customers/new/info").must(t, 200).contains(t, `value="Half Done Ltd"`, "You are continuing where you left off.", `action="/customers/new"`, "Start over")
		a.get("/customers/new/packages").must(t, 200) // the step reached is kept too
		a.post("/customers/new", url.Values{}).must(t, 303)
		a.get("/customers/new/info").must(t, 200).lacks(t, "Half Done Ltd", "Start over")
		if p := a.get("/customers/new/packages").must(t, 303); p.Location != "/customers/new/info" {
			t.Errorf("after starting over, a later step went to %q", p.Location)
		}

		a.get("/templates/new").must(t, 303)
		a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}}).must(t, 303)
		a.get("/templates/new").must(t, 303)
		a.get("/templates/wizard/new/offer").must(t, 200).contains(t, `action="/templates/new"`, "Start over")
		a.get("/templates/wizard/new/primary").must(t, 200)
		a.post("/templates/new", url.Values{}).must(t, 303)
		a.get("/templates/wizard/new/offer").must(t, 200).lacks(t, "Start over")
		if p := a.get("/templates/wizard/new/primary").must(t, 303); !strings.HasSuffix(p.Location, "/offer") {
			t.Errorf("after starting over, a later step went to %q", p.Location)
		}
		// A read-only admin can neither start over nor open a wizard.
		r := en.bootstrap(t, "Readers Telecom", "rita@readers.example", tenantry.RoleReadOnlyAdmin)
		r.post("/customers/new", url.Values{}).must(t, 403)
		r.post("/templates/new", url.Values{}).must(t, 403)
	})
}
