package api_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCustomerListLinksAtCountBound: with more customers than a list counts
// (tenantry.CustomerCountBound), the Link header still has a next link on
// every page but the last, and none on the last or past the end.
func TestCustomerListLinksAtCountBound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Many")
		tpl := p.createTemplate(t, "Many")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "model", "US", "webex_meetings"), "")
		const n = tenantry.CustomerCountBound + 150 // the model and its copies
		sqldbtest.SeedCustomers(t, en.db.SQL(), en.engine == "postgres", id, n-1)
		for _, tc := range []struct {
			offset, items int
			next          string
		}{
			{0, 100, "100"},
			{9900, 100, "10000"},
			{10000, 100, "10100"},
			{10050, 100, ""}, // the last page
			{10100, 50, ""},
			{10150, 0, ""},
		} {
			q := url.Values{"offset": {strconv.Itoa(tc.offset)}, "max": {"100"}}
			l, r := p.listCustomers(t, q.Encode())
			next := ""
			if u, ok := links(r)["next"]; ok {
				pu, err := url.Parse(u)
				if err != nil {
					t.Fatal(err)
				}
				next = pu.Query().Get("offset")
			}
			if len(l.Items) != tc.items || next != tc.next {
				t.Errorf("offset %d: %d items, next offset %q; want %d, %q (Link %s)", tc.offset, len(l.Items), next, tc.items, tc.next, r.Header.Get("Link"))
			}
			if tc.offset > 0 && !strings.Contains(r.Header.Get("Link"), `rel="prev"`) {
				t.Errorf("offset %d: no prev link", tc.offset)
			}
		}
	})
}
