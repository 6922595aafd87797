package ui_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// createCustomer walks the customer wizard and returns the new customer's id.
func (a *admin) createCustomer(t testing.TB, templateName, name, extID, country string) string {
	t.Helper()
	a.get("/customers/new").must(t, 303)
	info := a.get("/customers/new/info").must(t, 200)
	tpl := info.option(t, templateName)
	a.post("/customers/new/info", url.Values{"name": {name}, "email": {"admin@" + strings.ToLower(extID) + ".example"}, "externalId": {extID},
		"country": {country}, "template": {tpl}, "confirm": {"on"}}).must(t, 303)
	a.get("/customers/new/packages").must(t, 200)
	a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "pkg.webex_meetings": {"on"}}).must(t, 303)
	a.get("/customers/new/location").must(t, 200)
	a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"},
		"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)
	a.get("/customers/new/summary").must(t, 200)
	p := a.post("/customers/new/summary", url.Values{}).must(t, 303)
	id := strings.TrimPrefix(p.Location, "/customers?selected=")
	if id == p.Location {
		t.Fatalf("create went to %q", p.Location)
	}
	return id
}

func TestCustomerWizard(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.get("/customers/new").must(t, 303)
		info := a.get("/customers/new/info").must(t, 200)
		tpl := info.option(t, "Gold")

		// Info: errors next to their fields, input kept; the supported-location confirmation is required.
		p := a.post("/customers/new/info", url.Values{"name": {"Café 100%"}, "email": {"nope"}, "externalId": {"EXT-1"}, "country": {"US"}, "template": {tpl}}).must(t, 400)
		p.contains(t, `value="EXT-1"`, "error-summary")
		for _, id := range []string{"f-name", "f-email", "f-confirm"} {
			if p.fieldError(t, id) == "" {
				t.Errorf("no error next to %s", id)
			}
		}
		a.post("/customers/new/info", url.Values{"name": {"Café Ltd"}, "email": {"boss@cafe.example"}, "externalId": {"EXT-1"}, "country": {"US"}, "template": {tpl}, "confirm": {"on"}}).must(t, 303)

		// Packages: C3 and the quantity rules, next to the fields.
		p = a.post("/customers/new/packages", url.Values{"pkg.attendant_console": {"on"}}).must(t, 400)
		if p.fieldError(t, "f-packages") == "" {
			t.Errorf("no package dependency error:\n%s", clip(p.Body))
		}
		p = a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "pkg.webex_meetings": {"on"}, "quantities": {"on"}, "limit.webex_calling": {"ten"}}).must(t, 400)
		if e := p.fieldError(t, "f-limit-webex_meetings"); !strings.Contains(e, "Webex Meetings") {
			t.Errorf("Q1 error next to the webex_meetings quantity: %q", e)
		}
		if p.fieldError(t, "f-limit-webex_calling") == "" {
			t.Error("no error next to a quantity that is not a number")
		}
		p.contains(t, `value="ten"`) // kept as typed
		// Q4 (the partner's maximum) is checked on this step too, as the create checks it.
		p = a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "quantities": {"on"}, "limit.webex_calling": {"20000"}}).must(t, 400)
		if e := p.fieldError(t, "f-limit-webex_calling"); !strings.Contains(e, "10,000") && !strings.Contains(e, "10000") {
			t.Fatalf("Q4 error not next to the quantity: %q\n%s", e, clip(p.Body))
		}
		p.contains(t, `value="20000"`) // kept as typed
		a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "quantities": {"on"}, "limit.webex_calling": {"10"}}).must(t, 303)
		// Location: the fields fit the country (a US address needs a state and postal code).
		loc := a.get("/customers/new/location").must(t, 200).contains(t, `name="state"`, "America/Chicago")
		_ = loc
		p = a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 400)
		if p.fieldError(t, "f-state") == "" || p.fieldError(t, "f-postal") == "" {
			t.Errorf("no state/postal errors:\n%s", clip(p.Body))
		}
		a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"}, "timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)

		// Summary: every section with its Edit link, and the data region.
		a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}, "quantities": {"on"}, "limit.webex_calling": {"20"}, "return": {"summary"}}).must(t, 303)
		sum := a.get("/customers/new/summary").must(t, 200)
		sum.contains(t, "Café Ltd", "United States", "/customers/new/info?return=summary", "/customers/new/packages?return=summary", "/customers/new/location?return=summary", "quantity 20")
		// Edit returns to the summary with the values kept.
		a.get("/customers/new/info?return=summary").must(t, 200).contains(t, `value="Café Ltd"`, `name="return" value="summary"`)
		a.post("/customers/new/info", url.Values{"name": {"Café Ltd"}, "email": {"boss@cafe.example"}, "externalId": {"EXT-1"}, "country": {"US"}, "template": {tpl}, "confirm": {"on"}, "return": {"summary"}}).must(t, 303)

		p = a.post("/customers/new/summary", url.Values{}).must(t, 303)
		id := strings.TrimPrefix(p.Location, "/customers?selected=")
		list := a.get(p.Location).must(t, 200).contains(t, "Café Ltd", "The customer was created")
		if !strings.Contains(list.Body, `data-customer="`+id+`"`) {
			t.Error("no live status element")
		}
		// It turns provisioned by itself; the status endpoint the page polls says so.
		deadline := time.Now().Add(waitTimeout)
		for {
			var st map[string]struct {
				Status string `json:"status"`
				Label  string `json:"label"`
				Busy   bool   `json:"busy"`
			}
			raw := a.get("/customers/status?id="+id).must(t, 200).Body
			if err := json.Unmarshal([]byte(raw), &st); err != nil {
				t.Fatal(err)
			}
			if st[id].Status == string(tenantry.StatusProvisioned) {
				if st[id].Busy || st[id].Label != "Provisioned" {
					t.Errorf("status %+v", st[id])
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still %+v", st[id])
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The panel: packages, quantities, address, region, template, confirmation.
		a.get("/customers/"+id).must(t, 200).contains(t, "Webex Calling", "20", "1 Main St", "United States", "Gold", "boss@cafe.example", "Confirmed by ada@acme.example")
		// The draft is gone: a new wizard starts empty.
		a.get("/customers/new").must(t, 303)
		a.get("/customers/new/info").must(t, 200).lacks(t, "Café Ltd")
		// An external id already taken is a conflict (409, as the API
		// answers it), shown next to the field on its step.
		a.post("/customers/new/info", url.Values{"name": {"Other Ltd"}, "email": {"boss@other.example"}, "externalId": {"EXT-1"}, "country": {"US"}, "template": {tpl}, "confirm": {"on"}}).must(t, 303)
		a.post("/customers/new/packages", url.Values{"pkg.webex_meetings": {"on"}}).must(t, 303)
		a.post("/customers/new/location", url.Values{"line1": {"2 Main St"}, "city": {"Austin"}, "state": {"TX"}, "postal": {"78701"}, "timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 303)
		p = a.post("/customers/new/summary", url.Values{}).must(t, 409)
		if p.fieldError(t, "f-externalId") == "" {
			t.Errorf("the taken external id is not shown next to its field:\n%s", clip(p.Body))
		}
		p.contains(t, `value="Other Ltd"`)
		// A template in use cannot be deleted, and the page says why.
		tplPath := "/templates/" + tpl
		a.post(tplPath+"/delete", url.Values{}).must(t, 409).contains(t, "used by 1 customer and")
	})
}

func TestCustomerListSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.createCustomer(t, "Gold", "서울 통신 주식회사", "KR-1", "US")
		a.createCustomer(t, "Gold", "شركة الرياض للاتصالات", "SA-1", "US")
		a.createCustomer(t, "Gold", "Ölwerk GmbH", "DE-1", "US")
		a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
		for q, want := range map[string]string{
			"통신":                "서울 통신 주식회사",
			"الرياض":            "شركة الرياض للاتصالات",
			"ölWERK":            "Ölwerk GmbH",
			"plain":             "Plain Corp",
			"kr-1":              "서울 통신 주식회사",
			"ADMIN@P-1.EXAMPLE": "Plain Corp",
		} {
			p := a.get("/customers?q="+url.QueryEscape(q)).must(t, 200)
			if !strings.Contains(p.Body, want) || strings.Count(p.Body, `<tr>`)+strings.Count(p.Body, `<tr class`) != 2 {
				t.Errorf("search %q: want only %q", q, want)
			}
		}
		a.get("/customers?q="+url.QueryEscape("100%")).must(t, 200).contains(t, "No customer matches")
		a.get("/customers?status=error").must(t, 200).contains(t, "No customer matches")
		// Past the end, the list's first page, with the
		// filter kept; a search or status with no match stays put.
		if p := a.get("/customers?offset=99975").must(t, 303); p.Location != "/customers?" {
			t.Errorf("past the end went to %q", p.Location)
		}
		if p := a.get("/customers?q=corp&offset=50").must(t, 303); p.Location != "/customers?q=corp" {
			t.Errorf("a search past its end went to %q", p.Location)
		}
	})
}

func TestAccessRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		tplPath := a.createTemplate(t, "Gold")
		cust := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")

		// Another partner sees neither the customer nor the template.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get("/customers/"+cust).must(t, 404)
		o.get("/customers?selected="+cust).must(t, 404)
		o.get(tplPath).must(t, 404)
		o.get(tplPath+"/edit").must(t, 404)
		o.post(tplPath+"/delete", url.Values{}).must(t, 404)
		if body := o.get("/customers/status?id="+cust).must(t, 200).Body; strings.Contains(body, cust) {
			t.Errorf("status of another partner's customer: %s", body)
		}
		o.get("/customers").must(t, 200).lacks(t, "Plain Corp")

		// A read-only admin sees everything but no write control, and a write is 403.
		r := en.bootstrap(t, "Readers Telecom", "rita@readers.example", tenantry.RoleReadOnlyAdmin)
		r.get("/customers").must(t, 200).lacks(t, `href="/customers/new"`)
		r.get("/templates").must(t, 200).lacks(t, `href="/templates/new"`)
		r.get("/customers/new").must(t, 403)
		r.get("/templates/new").must(t, 403)
		r.post("/customers/new/info", url.Values{"name": {"X"}}).must(t, 403)
		r.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}}).must(t, 403)

		// Signed out: every page sends the browser to sign in.
		b := en.browser(t)
		for _, path := range []string{"/customers", "/customers/" + cust, tplPath, "/templates", "/customers/new/info"} {
			p := b.get(path).must(t, 303)
			if !strings.HasPrefix(p.Location, "/signin?next=") {
				t.Errorf("%s went to %q", path, p.Location)
			}
		}
		if p := b.post("/customers/new/info", url.Values{}).must(t, 303); !strings.HasPrefix(p.Location, "/signin") {
			t.Errorf("signed-out POST went to %q", p.Location)
		}
	})
}

// TestCustomerListCountBound: past the count bound the list says "more
// than" the bound rather than a total it did not count, and still pages on.
func TestCustomerListCountBound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		model := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
		sqldbtest.SeedCustomers(t, en.db.SQL(), en.engine == "postgres", model, tenantry.CustomerSearchCountBound+5)
		a.get("/customers?q=seeded").must(t, 200).
			contains(t, "Customers 1–25 of more than 1000", `href="/customers?offset=25&amp;q=seeded"`)
		a.get("/customers?q=plain").must(t, 200).contains(t, "Customers 1–1 of 1")
		// Without a search too: a page counts no further than the bound.
		a.get("/customers?offset=25").must(t, 200).
			contains(t, "Customers 26–50 of more than 1000", `href="/customers?offset=50"`, `href="/customers"`)
	})
}

// TestWizardAddressErrorsReadable: a postal code or a state that does not
// fit the country is told next to its field with an example of what fits,
// in the admin's language, never as the pattern behind the rule.
func TestWizardAddressErrorsReadable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		a.get("/customers/new").must(t, 303)
		tpl := a.get("/customers/new/info").must(t, 200).option(t, "Gold")
		a.post("/customers/new/info", url.Values{"name": {"Café Ltd"}, "email": {"boss@cafe.example"}, "externalId": {"EXT-1"}, "country": {"US"}, "template": {tpl}, "confirm": {"on"}}).must(t, 303)
		a.post("/customers/new/packages", url.Values{"pkg.webex_calling": {"on"}}).must(t, 303)
		for _, tt := range []struct {
			lang, postal, state string
		}{
			{"en", "ZIP code: 12345 or 12345-6789", "State or province: Texas is not a valid state or province for addresses in United States. Use its code, for example TX."},
			{"ko", "12345 또는 12345-6789 형식으로 입력하세요", "Texas은(는) 미국 주소에 맞는 주 또는 도가 아닙니다. 약어로 입력하세요(예: TX)."},
		} {
			a.post("/language", url.Values{"lang": {tt.lang}, "next": {"/customers"}}).must(t, 303)
			p := a.post("/customers/new/location", url.Values{"line1": {"1 Main St"}, "city": {"Austin"}, "state": {"Texas"}, "postal": {"7870"},
				"timeZone": {"America/Chicago"}, "language": {"en"}}).must(t, 400)
			postal, state := html.UnescapeString(p.fieldError(t, "f-postal")), html.UnescapeString(p.fieldError(t, "f-state"))
			if !strings.Contains(postal, strings.TrimPrefix(tt.postal, "ZIP code: ")) || strings.ContainsAny(postal, `^$\`) {
				t.Errorf("%s: postal code error %q, want it to show %q", tt.lang, postal, tt.postal)
			}
			if !strings.Contains(state, tt.state) || strings.Contains(state, "AL AK") {
				t.Errorf("%s: state error %q, want %q", tt.lang, state, tt.state)
			}
		}
	})
}
