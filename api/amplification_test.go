package api_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestAmplification: a request of a hundred thousand bad list entries
// gets a small answer: one problem naming the field and the max when the
// list is longer than the domain allows, and never more than
// tenantry.MaxProblems entries (plus one counting the rest) otherwise.
func TestAmplification(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme").withExtensions() // the field at fault is Tenantry's
		tpl := p.createTemplate(t, "Standard")
		const n = 100000
		bogus := make([]string, n)
		for i := range bogus {
			bogus[i] = strconv.FormatInt(int64(i), 36)
		}
		max := strconv.Itoa(len(tenantry.Packages))

		for _, path := range []string{"/v1/wholesale/customers", "/v1/wholesale/customers/validate"} {
			body := customerBody(tpl.ProvisioningID, "ext-1", "US", bogus...)
			r := p.do(t, "POST", path, body, nil)
			doc := r.wantField(t, 400, "packages")
			if len(doc.Errors) != 1 || len(r.Body) > 2000 || !strings.Contains(doc.Errors[0].Description, max) {
				t.Errorf("POST %s with %d packages: %d errors, %d bytes: %s", path, n, len(doc.Errors), len(r.Body), truncate(r.Body, 500))
			}
		}
		r := p.do(t, "POST", "/v1/wholesale/subscribers", map[string]any{"customerId": "c", "email": "a@b.example", "packages": bogus}, nil)
		if doc := r.wantField(t, 400, "packages"); len(doc.Errors) != 1 || len(r.Body) > 2000 {
			t.Errorf("subscriber with %d packages: %d errors, %d bytes", n, len(doc.Errors), len(r.Body))
		}

		// Five thousand bad statuses: a hundred listed, the rest counted.
		r = p.do(t, "GET", "/v1/wholesale/subscribers?status="+strings.Join(bogus[:5000], ","), nil, map[string]string{"Accept-Language": "pt-BR"}).wantStatus(t, 400)
		doc := r.errorDoc(t)
		if len(doc.Errors) != tenantry.MaxProblems+1 || len(r.Body) > 40000 {
			t.Fatalf("5,000 bad statuses: %d errors, %d bytes", len(doc.Errors), len(r.Body))
		}
		last := doc.Errors[tenantry.MaxProblems]
		if last.Field != "" || !strings.Contains(last.Description, "4900") || !strings.Contains(last.Description, "problemas") {
			t.Errorf("last entry %+v, want one counting the 4,900 others, in Portuguese", last)
		}
		for _, x := range doc.Errors[:tenantry.MaxProblems] {
			if x.Field != "status" {
				t.Errorf("listed entry %+v, want one on status", x)
			}
		}

		// A list within the bounds still works.
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "ext-2", "US", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")
	})
}
