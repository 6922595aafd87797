package api_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestMaxAboveLimit: every list serves a max above its limit as the limit
// (1,000; the subscriber list 100), and names it in the Link header.
func TestMaxAboveLimit(t *testing.T) {
	engine := sqldbtest.Engines(t)[0]
	p := withOutbox(t, newEnv(t, engine)).bootstrap(t, "Pages")
	for _, path := range []string{"/v1/partner/outbox?max=5000", "/v1/wholesale/templates?max=1001", "/v1/wholesale/customers?max=99999"} {
		r := p.do(t, "GET", path, nil, nil).wantStatus(t, 200)
		if link := r.Header.Get("Link"); link != "" && strings.Contains(link, "max=5000") {
			t.Errorf("%s: Link %s keeps the max asked for", path, link)
		}
	}
}
