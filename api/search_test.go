package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestCustomerSearch: the list's search extension finds a company by any
// part of its name in any script, case-insensitive, or by its external ID
// or admin email; the Link header keeps the search.
func TestCustomerSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Searchers")
		tpl := p.createTemplate(t, "Search")
		ids := map[string]string{}
		for ext, name := range map[string]string{"kr": "서울 통신 주식회사", "sa": "شركة الرياض للاتصالات", "de": "Ölwerk GmbH", "pl": "Plain_Corp"} {
			body := customerBody(tpl.ProvisioningID, ext, "US", "webex_meetings")
			body["customerInfo"].(map[string]any)["name"] = name
			ids[ext] = p.createCustomer(t, body, "")
		}
		for q, want := range map[string]string{
			"통신": "kr", "الرياض": "sa", "ölWERK": "de", "plain_": "pl", "PL": "pl", "admin@kr.example.com": "kr",
		} {
			l, _ := p.listCustomers(t, "search="+url.QueryEscape(q))
			if got := l.ids(); !slices.Equal(got, []string{ids[want]}) {
				t.Errorf("search %q: got %v, want only %s", q, got, want)
			}
		}
		for _, q := range []string{"%", "_x", "Ö l"} {
			if l, _ := p.listCustomers(t, "search="+url.QueryEscape(q)); len(l.Items) != 0 {
				t.Errorf("search %q matched %v", q, l.ids())
			}
		}
		// A search longer than the documented 255 characters, or with a
		// control character, is a 400 naming it; 255 is fine.
		px := p.withExtensions() // the field at fault is Tenantry's
		px.do(t, "GET", "/v1/wholesale/customers?search="+strings.Repeat("a", 256), nil, nil).wantField(t, 400, "search")
		px.do(t, "GET", "/v1/wholesale/customers?search=a%09b", nil, nil).wantField(t, 400, "search")
		p.do(t, "GET", "/v1/wholesale/customers?search="+strings.Repeat("통", 255), nil, nil).wantStatus(t, 200)
		l, r := p.listCustomers(t, "search=r&max=1")
		if len(l.Items) != 1 || !strings.Contains(r.Header.Get("Link"), "search=r") {
			t.Errorf("paged search: %v, Link %q", l.ids(), r.Header.Get("Link"))
		}
	})
}
