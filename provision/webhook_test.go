package provision

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// receiver is a webhook endpoint of a partner: it checks every request the
// way a receiver should (method, headers, signature) and answers with the
// statuses given, in turn (200 once they run out).
type receiver struct {
	t        *testing.T
	now      tenantry.Clock // the server's
	secret   string
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	Delivery, Event, Signature string
	Body                       []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case r.Method != http.MethodPost:
		rc.t.Errorf("method %s, want POST", r.Method)
	case r.Header.Get("Content-Type") != "application/json":
		rc.t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	case tenantry.VerifyWebhook(rc.secret, r.Header.Get("X-Tenantry-Signature"), body, rc.now(), tenantry.SignatureTolerance) != nil:
		rc.t.Errorf("signature %q does not verify with the webhook's secret: %v", r.Header.Get("X-Tenantry-Signature"),
			tenantry.VerifyWebhook(rc.secret, r.Header.Get("X-Tenantry-Signature"), body, rc.now(), tenantry.SignatureTolerance))
	case r.Header.Get("X-Tenantry-Delivery") == "" || r.Header.Get("X-Tenantry-Event") == "":
		rc.t.Errorf("headers %v lack the delivery or the event", r.Header)
	}
	rc.got = append(rc.got, received{r.Header.Get("X-Tenantry-Delivery"), r.Header.Get("X-Tenantry-Event"), r.Header.Get("X-Tenantry-Signature"), body})
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// webhookEnv is a database of one engine with its workers running and one
// partner.
type webhookEnv struct {
	db    *sqldb.DB
	actor *tenantry.Actor
	now   tenantry.Clock
}

// steppingClock is a deterministic clock that moves on one millisecond at
// every reading.
func steppingClock() tenantry.Clock {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var n atomic.Int64
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// newWebhookEnv opens a database whose webhooks may deliver to private
// addresses (the receivers of these tests listen on 127.0.0.1), with its
// workers logging to log (discarded when nil).
func newWebhookEnv(t *testing.T, e sqldbtest.Engine) *webhookEnv {
	return newWebhookEnvLog(t, e, nil)
}

func newWebhookEnvLog(t *testing.T, e sqldbtest.Engine, log *slog.Logger) *webhookEnv {
	t.Helper()
	ctx := t.Context()
	now := steppingClock()
	db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{Now: now, Webhooks: tenantry.WebhookPolicy{AllowPrivate: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
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
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := db.Work(ctx, Workers(db, log, nil), sqldb.QueueConfig{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.StopWork(sctx)
	})
	return &webhookEnv{db: db, actor: a, now: now}
}

func (en *webhookEnv) webhook(t *testing.T, url string, events ...string) *tenantry.Webhook {
	t.Helper()
	w := &tenantry.Webhook{URL: url, Events: events, Active: true}
	if err := en.db.CreateWebhook(t.Context(), en.actor, w); err != nil {
		t.Fatal(err)
	}
	return w
}

// waitDeliveries polls the webhook's deliveries until done says they are
// complete, and returns them, newest first.
func (en *webhookEnv) waitDeliveries(t *testing.T, id string, done func([]*tenantry.WebhookDelivery) bool) []*tenantry.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // the first retry comes after about a second
	for {
		ds, _, err := en.db.WebhookDeliveries(t.Context(), en.actor, id, tenantry.Page{Max: 100})
		if err != nil {
			t.Fatal(err)
		}
		if done(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries still %+v", ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDeliveryRetriesUntilAcknowledged: the receiver fails the first
// attempt with a 500 and takes the retry; both attempts are signed with the
// webhook's secret, carry the same body, and are recorded, failed then
// succeeded.
func TestDeliveryRetriesUntilAcknowledged(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		en := newWebhookEnv(t, e)
		rc := &receiver{t: t, now: en.now, statuses: []int{http.StatusInternalServerError}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		w := en.webhook(t, srv.URL+"/hooks/tenantry?src=test", tenantry.EventCustomerProvisioned)
		rc.mu.Lock()
		rc.secret = w.Secret
		rc.mu.Unlock()

		data := tenantry.CustomerEvent{CustomerID: "c1", ExternalID: "ext-1", Status: tenantry.StatusProvisioned, Packages: []tenantry.Package{"webex_meetings"}}
		if err := en.db.EmitEvent(t.Context(), en.actor.OrgID, tenantry.EventCustomerProvisioned, data); err != nil {
			t.Fatal(err)
		}
		ds := en.waitDeliveries(t, w.ID, func(ds []*tenantry.WebhookDelivery) bool {
			return len(ds) > 0 && ds[0].Status == tenantry.DeliverySucceeded
		})

		got := rc.requests()
		if len(got) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(got))
		}
		type attempt struct {
			ID             string
			Attempt        int
			Status         string
			ResponseStatus int
		}
		var have []attempt
		for _, d := range ds {
			have = append(have, attempt{d.ID, d.Attempt, d.Status, d.ResponseStatus})
		}
		want := []attempt{
			{got[1].Delivery, 2, tenantry.DeliverySucceeded, 200},
			{got[0].Delivery, 1, tenantry.DeliveryFailed, 500},
		}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("recorded attempts (-want +got):\n%s", diff)
		}
		if string(got[0].Body) != string(got[1].Body) {
			t.Errorf("the retry sent another body:\n%s\n%s", got[0].Body, got[1].Body)
		}
		// Each attempt is signed at its own time, as the deliveries list
		// shows it.
		for i, g := range got {
			if want := tenantry.SignWebhook(w.Secret, ds[len(ds)-1-i].At, g.Body); g.Signature != want {
				t.Errorf("attempt %d signed %q, want %q", i+1, g.Signature, want)
			}
		}
		var ev struct {
			ID, Type, PartnerID string
			Data                tenantry.CustomerEvent
		}
		if err := json.Unmarshal(got[0].Body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.ID != ds[0].EventID || ev.Type != tenantry.EventCustomerProvisioned || got[0].Event != ev.Type || ev.PartnerID != en.actor.OrgID {
			t.Errorf("event %+v, header %q", ev, got[0].Event)
		}
		if diff := cmp.Diff(data, ev.Data); diff != "" {
			t.Errorf("event data (-want +got):\n%s", diff)
		}
	})
}

// TestDeliveryFollowsNoRedirect: a redirect is the receiver's answer and a
// failed attempt; the signed body never reaches the URL it points to.
func TestDeliveryFollowsNoRedirect(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		en := newWebhookEnv(t, e)
		var elsewhere sync.Mutex
		reached := 0
		target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			elsewhere.Lock()
			reached++
			elsewhere.Unlock()
		}))
		defer target.Close()
		redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
		defer redirect.Close()
		w := en.webhook(t, redirect.URL, tenantry.EventCustomerDeleted)
		if err := en.db.EmitEvent(t.Context(), en.actor.OrgID, tenantry.EventCustomerDeleted, map[string]string{"customerId": "c1"}); err != nil {
			t.Fatal(err)
		}
		ds := en.waitDeliveries(t, w.ID, func(ds []*tenantry.WebhookDelivery) bool {
			return len(ds) > 0 && ds[len(ds)-1].Status != tenantry.DeliveryPending
		})
		if first := ds[len(ds)-1]; first.Status != tenantry.DeliveryFailed || first.ResponseStatus != http.StatusTemporaryRedirect {
			t.Errorf("first attempt = %+v, want failed with 307", first)
		}
		// Stop the retries before looking at the target.
		if err := en.db.DeleteWebhook(t.Context(), en.actor, w.ID); err != nil {
			t.Fatal(err)
		}
		elsewhere.Lock()
		defer elsewhere.Unlock()
		if reached != 0 {
			t.Errorf("the redirect was followed %d times", reached)
		}
	})
}

// TestSendGivesUpAfterTheTimeout: a receiver that does not answer in time
// fails the attempt with "timed out", and no status.
func TestSendGivesUpAfterTheTimeout(t *testing.T) {
	w := newWebhookWorker(nil, slog.New(slog.DiscardHandler), systemLookup, time.Now)
	for _, c := range []*http.Client{w.strict, w.open} {
		if c.Timeout != WebhookTimeout || WebhookTimeout != 10*time.Second {
			t.Errorf("client timeout = %v, want %v (10s)", c.Timeout, WebhookTimeout)
		}
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	w.open.Timeout = 50 * time.Millisecond // the same client, on a test's time scale
	open := tenantry.WebhookPolicy{AllowPrivate: true}
	status, err := w.send(t.Context(), &tenantry.WebhookRequest{DeliveryID: "d1", EventType: tenantry.EventImportFinished, URL: srv.URL, Secret: "s", Body: []byte(`{}`), Policy: open})
	if status != 0 || tenantry.PublicDeliveryError(err) != tenantry.DeliveryErrorTimeout {
		t.Errorf("send = %d, %v; want no status and a timeout", status, err)
	}
	if strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %q repeats the URL", err)
	}

	// And no answer at all (nothing listens) is a connection failure.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := w.send(t.Context(), &tenantry.WebhookRequest{URL: dead.URL, Body: []byte(`{}`), Policy: open}); tenantry.PublicDeliveryError(err) != tenantry.DeliveryErrorConnection {
		t.Errorf("sending to a closed port: %v, want %q", err, tenantry.DeliveryErrorConnection)
	}
}
