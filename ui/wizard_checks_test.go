package ui_test

import (
	"context"
	"net/url"
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
