package provision

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// hostileDNS answers like a DNS server pointed inside the network: every
// name in it resolves to the addresses given; other names go to the system.
func hostileDNS(names map[string][]string) lookupFunc {
	return func(ctx context.Context, host string) ([]netip.Addr, error) {
		addrs, ok := names[host]
		if !ok {
			return systemLookup(ctx, host)
		}
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

// countingServer counts the requests that reach it.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestDeliveryRefusesInsideDestinations: every way of writing a local or
// internal destination is refused when a delivery connects, both by send
// (the URL) and by the client's dialer on its own (the address dialed),
// unless the policy allows private destinations.
func TestDeliveryRefusesInsideDestinations(t *testing.T) {
	srv, reached := countingServer(t)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	lookup := hostileDNS(map[string][]string{
		"inside.partner.example":   {"127.0.0.1"},
		"metadata.google.internal": {"169.254.169.254"},
		"mixed.partner.example":    {"10.0.0.7", "::1"},
	})
	w := newWebhookWorker(nil, slog.New(slog.DiscardHandler), lookup, time.Now)
	for _, c := range []*http.Client{w.strict, w.open} {
		c.Timeout = 2 * time.Second // 169.254.169.254 does not answer here
	}
	strict := tenantry.WebhookPolicy{}
	for _, host := range []string{
		"127.0.0.1", "localhost", "[::1]", "0.0.0.0", "169.254.169.254", "2130706433", "0x7f.1", "127.1",
		"0177.0.0.1", "[::ffff:127.0.0.1]", "metadata.google.internal", "inside.partner.example", "mixed.partner.example",
	} {
		u := "http://" + host + ":" + port + "/hook"
		t.Run(host, func(t *testing.T) {
			status, err := w.send(t.Context(), &tenantry.WebhookRequest{URL: u, Secret: "s", Body: []byte(`{}`), Policy: strict})
			if status != 0 || tenantry.PublicDeliveryError(err) != tenantry.DeliveryErrorDestination {
				t.Errorf("send = %d, %v; want %q", status, err, tenantry.DeliveryErrorDestination)
			}
			// The dialer refuses on its own, whatever the URL check says.
			resp, err := w.strict.Post(u, "application/json", strings.NewReader(`{}`))
			if err == nil {
				resp.Body.Close()
			}
			if !errors.Is(err, tenantry.ErrWebhookDestination) {
				t.Errorf("the strict client connected: %v", err)
			}
		})
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the receiver on 127.0.0.1 was reached %d times", n)
	}

	// The port is checked where it is dialed too.
	if _, err := w.strict.Get("http://127.0.0.1:0/"); !errors.Is(err, tenantry.ErrWebhookDestination) {
		t.Errorf("port 0: %v", err)
	}

	// With private destinations allowed, the names that resolve to the
	// receiver reach it; the numeric forms and 0.0.0.0 stay refused.
	open := tenantry.WebhookPolicy{AllowPrivate: true}
	for host, want := range map[string]bool{
		"127.0.0.1": true, "localhost": true, "inside.partner.example": true,
		"127.1": false, "2130706433": false, "0x7f.1": false, "0.0.0.0": false,
	} {
		u := "http://" + host + ":" + port + "/hook"
		status, err := w.send(t.Context(), &tenantry.WebhookRequest{URL: u, Secret: "s", Body: []byte(`{}`), Policy: open})
		if got := err == nil && status == 200; got != want {
			t.Errorf("%s with private destinations allowed: %d, %v; want delivered %v", host, status, err, want)
		}
	}
	if n := reached.Load(); n != 3 {
		t.Errorf("the receiver was reached %d times, want 3", n)
	}
}

// TestDialerChecksTheAddressDialed: the socket's Control refuses an
// address the policy does not allow, even one the dialer was not asked to
// resolve.
func TestDialerChecksTheAddressDialed(t *testing.T) {
	d := &destinationDialer{policy: tenantry.WebhookPolicy{}}
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "10.0.0.1:8080", "[::ffff:169.254.169.254]:80"} {
		if err := d.control("tcp", addr, nil); !errors.Is(err, tenantry.ErrWebhookDestination) {
			t.Errorf("control(%s) = %v", addr, err)
		}
	}
	if err := d.control("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
}

// TestDeliveryToANameThatTurnedInside: a webhook registered on a public
// name passes the registration check; when its name resolves to 127.0.0.1
// at delivery, the attempt is refused and the deliveries list says only
// "destination not allowed". Both engines.
func TestDeliveryToANameThatTurnedInside(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{Now: steppingClock()}) // strict, as by default
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		res, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Acme", AdminEmail: "ops@acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Authenticate(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.ResolveActor(ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		srv, reached := countingServer(t)
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		wh := &tenantry.Webhook{URL: "http://hooks.partner.example:" + port + "/in", Events: []string{tenantry.EventCustomerDeleted}, Active: true}
		if err := db.CreateWebhook(ctx, a, wh); err != nil {
			t.Fatalf("a public name is refused: %v", err)
		}
		if err := db.EmitEvent(ctx, a.OrgID, tenantry.EventCustomerDeleted, map[string]string{"customerId": "c1"}); err != nil {
			t.Fatal(err)
		}
		var eventID string
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM webhook_events`).Scan(&eventID); err != nil {
			t.Fatal(err)
		}
		w := newWebhookWorker(db, slog.New(slog.DiscardHandler), hostileDNS(map[string][]string{"hooks.partner.example": {"127.0.0.1"}}), time.Now)
		err = db.DeliverWebhook(ctx, tenantry.DeliverWebhookJob{WebhookID: wh.ID, EventID: eventID}, w.send)
		if !errors.Is(err, tenantry.ErrWebhookDestination) {
			t.Errorf("DeliverWebhook = %v, want the destination refused", err)
		}
		ds, _, err := db.WebhookDeliveries(ctx, a, wh.ID, tenantry.Page{Max: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != tenantry.DeliveryFailed || ds[0].Error != tenantry.DeliveryErrorDestination || ds[0].ResponseStatus != 0 {
			t.Errorf("deliveries = %+v, want one failed with only %q", ds, tenantry.DeliveryErrorDestination)
		}
		if n := reached.Load(); n != 0 {
			t.Errorf("the receiver was reached %d times", n)
		}
		if u, _ := url.Parse(wh.URL); strings.Contains(ds[0].Error, u.Port()) || strings.Contains(ds[0].Error, "127.0.0.1") {
			t.Errorf("the deliveries list tells %q", ds[0].Error)
		}
	})
}
