package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

// The webhook operations are among those the document must describe.
func init() {
	openapiOperations = append(openapiOperations,
		struct{ method, path string }{"GET", "/partner/webhooks"},
		struct{ method, path string }{"POST", "/partner/webhooks"},
		struct{ method, path string }{"GET", "/partner/webhooks/{webhookId}"},
		struct{ method, path string }{"DELETE", "/partner/webhooks/{webhookId}"},
		struct{ method, path string }{"GET", "/partner/webhooks/{webhookId}/deliveries"})
}

// withWebhooks serves en's database with webhooks wired, as cmd/tenantry's
// serve does.
func withWebhooks(t *testing.T, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Webhooks: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	return &out
}

// webhookDoc is a webhook as the API returns it.
type webhookDoc struct {
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	Events  []string  `json:"events"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
	Secret  string    `json:"secret"`
}

type deliveryDoc struct {
	ID             string    `json:"id"`
	WebhookID      string    `json:"webhookId"`
	EventID        string    `json:"eventId"`
	EventType      string    `json:"eventType"`
	Attempt        int       `json:"attempt"`
	Status         string    `json:"status"`
	ResponseStatus int       `json:"responseStatus"`
	Error          string    `json:"error"`
	At             time.Time `json:"at"`
}

// createWebhook registers a webhook and checks the answer: 201, a Location
// naming it, and its secret.
func (p *partner) createWebhook(t *testing.T, u string, events ...string) webhookDoc {
	t.Helper()
	r := p.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": u, "events": events}, nil).wantStatus(t, 201)
	var w webhookDoc
	r.decode(t, &w)
	if w.ID == "" || w.URL != u || !w.Active || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("created webhook: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != p.en.srv.URL+"/v1/partner/webhooks/"+url.PathEscape(w.ID) {
		t.Errorf("webhook Location = %q, want the webhook's URL", loc)
	}
	return w
}

func webhookPath(id string, rest ...string) string {
	return "/v1/partner/webhooks/" + url.PathEscape(id) + strings.Join(rest, "")
}

// signedReceiver is a partner's endpoint: it answers 401 to requests
// without a valid signature, 503 to the first valid one (it is restarting),
// and 200 to the rest.
type signedReceiver struct {
	mu     sync.Mutex
	secret string
	bodies []string
	bad    int
}

func (s *signedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if tenantry.VerifyWebhook(s.secret, r.Header.Get("X-Tenantry-Signature"), body, time.Now(), tenantry.SignatureTolerance) != nil {
		s.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.bodies = append(s.bodies, string(body))
	if len(s.bodies) == 1 {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func TestWebhookAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		a := en.bootstrap(t, "Partner A")
		rc := &signedReceiver{}
		recv := httptest.NewServer(rc)
		defer recv.Close()

		var empty struct{ Items []webhookDoc }
		a.do(t, "GET", "/v1/partner/webhooks", nil, nil).wantStatus(t, 200).decode(t, &empty)
		if empty.Items == nil || len(empty.Items) != 0 {
			t.Errorf("no webhooks yet: items = %v, want []", empty.Items)
		}

		w := a.createWebhook(t, recv.URL+"/tenantry", "customer.provisioned", "customer.deleted")
		rc.mu.Lock()
		rc.secret = w.Secret
		rc.mu.Unlock()

		// The secret is shown once: no read returns it.
		for _, path := range []string{webhookPath(w.ID), "/v1/partner/webhooks"} {
			r := a.do(t, "GET", path, nil, nil).wantStatus(t, 200)
			if strings.Contains(string(r.Body), w.Secret) || strings.Contains(string(r.Body), `"secret"`) {
				t.Errorf("GET %s returns the secret: %s", path, r.Body)
			}
		}
		var got webhookDoc
		a.do(t, "GET", webhookPath(w.ID), nil, nil).decode(t, &got)
		want := w
		want.Secret = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET (-want +got):\n%s", diff)
		}

		// An event reaches the receiver, signed with that secret; the
		// failed first attempt and the retry are both listed, newest first.
		var deliveries struct{ Items []deliveryDoc }
		a.do(t, "GET", webhookPath(w.ID, "/deliveries"), nil, nil).wantStatus(t, 200).decode(t, &deliveries)
		if len(deliveries.Items) != 0 {
			t.Errorf("deliveries before any event: %+v", deliveries.Items)
		}
		if err := en.db.EmitEvent(t.Context(), a.ID, tenantry.EventCustomerDeleted, map[string]string{"customerId": "c1"}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * waitTimeout) // the retry comes after about a second
		for {
			deliveries.Items = nil // decoding into old items would keep fields the new ones omit
			a.do(t, "GET", webhookPath(w.ID, "/deliveries"), nil, nil).wantStatus(t, 200).decode(t, &deliveries)
			if len(deliveries.Items) == 2 && deliveries.Items[0].Status != "pending" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries = %+v", deliveries.Items)
			}
			time.Sleep(20 * time.Millisecond)
		}
		ok, failed := deliveries.Items[0], deliveries.Items[1]
		if ok.Status != "succeeded" || ok.ResponseStatus != 200 || ok.Attempt != 2 || ok.WebhookID != w.ID || ok.EventType != "customer.deleted" || ok.Error != "" {
			t.Errorf("retry = %+v", ok)
		}
		if failed.Status != "failed" || failed.ResponseStatus != 503 || failed.Attempt != 1 || failed.EventID != ok.EventID || failed.Error != "HTTP 503" {
			t.Errorf("first attempt = %+v", failed)
		}
		rc.mu.Lock()
		if rc.bad != 0 || len(rc.bodies) != 2 || rc.bodies[0] != rc.bodies[1] || !strings.Contains(rc.bodies[0], `"id":"`+ok.EventID+`"`) {
			t.Errorf("receiver: %d bad signatures, bodies %v", rc.bad, rc.bodies)
		}
		rc.mu.Unlock()

		a.do(t, "DELETE", webhookPath(w.ID), nil, nil).wantStatus(t, 204)
		a.do(t, "GET", webhookPath(w.ID), nil, nil).wantStatus(t, 404)
		a.do(t, "GET", webhookPath(w.ID, "/deliveries"), nil, nil).wantStatus(t, 404)
		a.do(t, "DELETE", webhookPath(w.ID), nil, nil).wantStatus(t, 404)
	})
}

func TestWebhookAPIValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		a := en.bootstrap(t, "Partner A")
		ev := []string{"customer.updated"}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"no url", map[string]any{"events": ev}, 400, "url"},
			{"ftp", map[string]any{"url": "ftp://files.example/", "events": ev}, 400, "url"},
			{"not a URL", map[string]any{"url": "hooks.example", "events": ev}, 400, "url"},
			{"credentials", map[string]any{"url": "https://me:pw@hooks.example/", "events": ev}, 400, "url"},
			{"too long", map[string]any{"url": "https://hooks.example/" + strings.Repeat("x", 2048), "events": ev}, 400, "url"},
			{"url not a string", map[string]any{"url": 7, "events": ev}, 400, "url"},
			{"no events", map[string]any{"url": "https://hooks.example/"}, 400, "events"},
			{"empty events", map[string]any{"url": "https://hooks.example/", "events": []string{}}, 400, "events"},
			{"unknown event", map[string]any{"url": "https://hooks.example/", "events": []string{"customer.updated", "customer.renamed"}}, 400, "events[1]"},
			{"repeated event", map[string]any{"url": "https://hooks.example/", "events": []string{"import.finished", "import.finished"}}, 400, "events[1]"},
			{"events not a list", map[string]any{"url": "https://hooks.example/", "events": "customer.updated"}, 400, "events"},
			{"unknown field", map[string]any{"url": "https://hooks.example/", "events": ev, "secret": "mine"}, 400, "secret"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a.do(t, "POST", "/v1/partner/webhooks", tt.body, nil).wantField(t, tt.status, tt.field)
			})
		}
		a.do(t, "POST", "/v1/partner/webhooks", "not json", nil).wantStatus(t, 400)
		a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example/", "events": ev}, map[string]string{"Content-Type": "text/plain"}).wantStatus(t, 415)
		a.do(t, "GET", "/v1/partner/webhooks?max=0", nil, nil).wantField(t, 400, "max")

		// One webhook per URL.
		a.createWebhook(t, "https://hooks.example/one", "customer.updated")
		a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example/one", "events": ev}, nil).wantField(t, 409, "url")

		// Nothing refused was stored.
		var l struct{ Items []webhookDoc }
		a.do(t, "GET", "/v1/partner/webhooks", nil, nil).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 1 {
			t.Errorf("%d webhooks stored, want 1", len(l.Items))
		}

		// An inactive webhook can be registered.
		r := a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example/paused", "events": ev, "active": false}, nil).wantStatus(t, 201)
		var paused webhookDoc
		r.decode(t, &paused)
		if paused.Active {
			t.Error("active: false was ignored")
		}
	})
}

// TestWebhookAPIScopes: reads need the customers read scope, writes the
// write scope.
func TestWebhookAPIScopes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		for i, tt := range []struct {
			name, scopes string
			method, path string
			want         int
		}{
			{"read lists", tenantry.ScopeCustomersRead, "GET", "/v1/partner/webhooks", 200},
			{"read gets", tenantry.ScopeCustomersRead, "GET", "/v1/partner/webhooks/{id}", 200},
			{"read lists deliveries", tenantry.ScopeCustomersRead, "GET", "/v1/partner/webhooks/{id}/deliveries", 200},
			{"read cannot create", tenantry.ScopeCustomersRead, "POST", "/v1/partner/webhooks", 403},
			{"read cannot delete", tenantry.ScopeCustomersRead, "DELETE", "/v1/partner/webhooks/{id}", 403},
			{"write deletes", tenantry.ScopeCustomersWrite, "DELETE", "/v1/partner/webhooks/{id}", 204},
			{"write creates", tenantry.ScopeCustomersWrite, "POST", "/v1/partner/webhooks", 201},
			{"write alone cannot read", tenantry.ScopeCustomersWrite, "GET", "/v1/partner/webhooks/{id}", 403},
			{"subscriber scopes cannot read", tenantry.ScopeSubscribersRead + " " + tenantry.ScopeSubscribersWrite, "GET", "/v1/partner/webhooks", 403},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := en.bootstrap(t, fmt.Sprintf("Scoped%d", i))
				// Created directly: the token must not be used before its
				// scopes are cut, or a request would cache them.
				owner := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: p.ID, AdminID: p.AdminID}, OrgID: p.ID}
				w := &tenantry.Webhook{URL: "https://hooks.example/", Events: []string{"customer.updated"}, Active: true}
				if err := en.db.CreateWebhook(t.Context(), owner, w); err != nil {
					t.Fatal(err)
				}
				q := `UPDATE api_tokens SET scopes = ? WHERE partner_id = ?`
				if en.engine == "postgres" {
					q = `UPDATE api_tokens SET scopes = $1 WHERE partner_id = $2`
				}
				if _, err := en.db.SQL().ExecContext(t.Context(), q, tt.scopes, p.ID); err != nil {
					t.Fatal(err)
				}
				var body any
				if tt.method == "POST" {
					body = map[string]any{"url": "https://hooks.example/other", "events": []string{"customer.updated"}}
				}
				r := p.do(t, tt.method, strings.ReplaceAll(tt.path, "{id}", url.PathEscape(w.ID)), body, nil).wantStatus(t, tt.want)
				if tt.want == 403 && !strings.Contains(string(r.Body), "wholesale_customers_") {
					t.Errorf("403 does not name the scope: %s", r.Body)
				}
			})
		}
		p := en.bootstrap(t, "Anonymous")
		p.do(t, "GET", "/v1/partner/webhooks", nil, map[string]string{"Authorization": ""}).wantStatus(t, 401)
	})
}

func TestWebhookAPIPartnerIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		a := en.bootstrap(t, "Partner A")
		b := en.bootstrap(t, "Partner B")
		w := a.createWebhook(t, "https://a.example/hook", "customer.updated")

		for _, tt := range []struct{ method, path string }{
			{"GET", webhookPath(w.ID)},
			{"DELETE", webhookPath(w.ID)},
			{"GET", webhookPath(w.ID, "/deliveries")},
		} {
			b.do(t, tt.method, tt.path, nil, nil).wantStatus(t, 404)
		}
		var l struct{ Items []webhookDoc }
		b.do(t, "GET", "/v1/partner/webhooks", nil, nil).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("B lists %+v", l.Items)
		}
		// B may register the same URL; A's webhook is untouched.
		b.createWebhook(t, "https://a.example/hook", "customer.updated")
		a.do(t, "GET", webhookPath(w.ID), nil, nil).wantStatus(t, 200)
	})
}

// TestWebhookAPIIdempotency: a replayed creation creates nothing more and
// does not show the secret again; the stored response never held it.
func TestWebhookAPIIdempotency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		a := en.bootstrap(t, "Partner A")
		body := map[string]any{"url": "https://hooks.example/", "events": []string{"import.finished"}}
		key := map[string]string{"Idempotency-Key": "create-hook-1"}
		first := a.do(t, "POST", "/v1/partner/webhooks", body, key).wantStatus(t, 201)
		var w webhookDoc
		first.decode(t, &w)
		if !strings.HasPrefix(w.Secret, "whsec_") {
			t.Fatalf("first answer has no secret: %s", first.Body)
		}
		again := a.do(t, "POST", "/v1/partner/webhooks", body, key).wantStatus(t, 201)
		var replay webhookDoc
		again.decode(t, &replay)
		if again.Header.Get("Idempotent-Replayed") != "true" || replay.ID != w.ID || replay.Secret != "" || again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("replay: %s %v", again.Body, again.Header)
		}
		var stored int
		q := `SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE ?`
		if en.engine == "postgres" {
			q = `SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE $1`
		}
		if err := en.db.SQL().QueryRowContext(t.Context(), q, "%"+strings.TrimPrefix(w.Secret, "whsec_")+"%").Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the stored response holds the secret (%d rows, %v)", stored, err)
		}
		var l struct{ Items []webhookDoc }
		a.do(t, "GET", "/v1/partner/webhooks", nil, nil).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 1 {
			t.Errorf("%d webhooks after a replay, want 1", len(l.Items))
		}
	})
}

func TestWebhookAPIPaging(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withWebhooks(t, en)
		a := en.bootstrap(t, "Partner A")
		var ids []string
		for i := range 3 {
			ids = append(ids, a.createWebhook(t, "https://hooks.example/"+string(rune('a'+i)), "customer.updated").ID)
		}
		r := a.do(t, "GET", "/v1/partner/webhooks?max=2", nil, nil).wantStatus(t, 200)
		var l struct{ Items []webhookDoc }
		r.decode(t, &l)
		if len(l.Items) != 2 || l.Items[0].ID != ids[0] || l.Items[1].ID != ids[1] {
			t.Errorf("first page = %+v", l.Items)
		}
		link := r.Header.Get("Link")
		if !strings.Contains(link, `rel="next"`) || !strings.Contains(link, "offset=2") {
			t.Fatalf("Link = %q, want a next page at offset 2", link)
		}
		a.do(t, "GET", "/v1/partner/webhooks?offset=2&max=2", nil, nil).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != ids[2] {
			t.Errorf("second page = %+v", l.Items)
		}
	})
}
