package api_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestAuthFailureLimit: past the limit, failed authentications from one
// address answer 429 with Retry-After, translated; a valid token from the
// same address is never refused; the address gets tries back as the clock
// moves on.
func TestAuthFailureLimit(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clock := newTestClock()
		en := newProcess(t, e.Name, e.URL(t), clock)
		p := en.bootstrap(t, "Acme")
		bad := func() *response {
			return en.do(t, "GET", "/v1/wholesale/customers", "tnt_not-a-real-token", nil, map[string]string{"Accept-Language": "es"})
		}
		for i := range api.DefaultAuthFailures {
			if r := bad(); r.Status != 401 {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.Status)
			}
		}
		r := bad().wantStatus(t, 429)
		if got := r.Header.Get("Retry-After"); got != "3" {
			t.Errorf("Retry-After = %q, want 3 (a minute's 20 tries, one back every 3 s)", got)
		}
		if msg := r.errorDoc(t).Message; !strings.Contains(msg, "3 segundos") {
			t.Errorf("429 message %q is not the Spanish one naming the wait", msg)
		}
		// No token at all counts as a failure too.
		en.do(t, "GET", "/v1/wholesale/customers", "", nil, nil).wantStatus(t, 429)
		// A good client from the same address is neither refused nor counted.
		for range 5 {
			p.do(t, "GET", "/v1/wholesale/customers", nil, nil).wantStatus(t, 200)
		}

		clock.advance(3 * time.Second)
		bad().wantStatus(t, 401)
		bad().wantStatus(t, 429)
		clock.advance(api.DefaultAuthFailureWindow)
		for range api.DefaultAuthFailures {
			bad().wantStatus(t, 401)
		}
		bad().wantStatus(t, 429)
	})
}

// TestAuthFailureLimitProxies: X-Forwarded-For names the client only when
// the peer is a trusted proxy; from anyone else it is ignored, so that a
// client cannot pick a fresh address for each try.
func TestAuthFailureLimitProxies(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clock := newTestClock()
		dbURL := e.URL(t)
		direct := newProcess(t, e.Name, dbURL, clock, api.WithAuthFailureLimit(2, time.Minute))
		proxied := newProcess(t, e.Name, dbURL, clock, api.WithAuthFailureLimit(2, time.Minute),
			api.WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}))
		try := func(en *env, xff string) int {
			return en.do(t, "GET", "/v1/wholesale/customers", "tnt_bad", nil, map[string]string{"X-Forwarded-For": xff}).Status
		}
		// Untrusted peer: every try is the peer's, whatever the header says.
		if got := []int{try(direct, "198.51.100.1"), try(direct, "198.51.100.2"), try(direct, "198.51.100.3")}; got[2] != 429 {
			t.Errorf("spoofed X-Forwarded-For from an untrusted peer: %v, want the third refused", got)
		}
		// Trusted proxy: each client counts alone; the nearest untrusted hop is the client.
		if got := []int{try(proxied, "203.0.113.7"), try(proxied, "198.51.100.9, 203.0.113.7"), try(proxied, "203.0.113.7, 127.0.0.2")}; got[0] != 401 || got[1] != 401 || got[2] != 429 {
			t.Errorf("one client behind the proxy: %v, want 401 401 429", got)
		}
		if got := try(proxied, "203.0.113.8"); got != 401 {
			t.Errorf("another client behind the proxy: %d, want 401", got)
		}
		// IPv6 clients count by /64.
		try(proxied, "2001:db8:1:2::1")
		try(proxied, "2001:db8:1:2::2")
		if got := try(proxied, "2001:db8:1:2:ffff::3"); got != 429 {
			t.Errorf("third address of one /64: %d, want 429", got)
		}
	})
}
