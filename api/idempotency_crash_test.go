package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// diesBeforeWork is the real store of a server whose process dies once a
// request has reserved its Idempotency-Key, before its work commits:
// nothing after the reservation reaches the database, not even the
// release of the key.
type diesBeforeWork struct{ *sqldb.DB }

var errDied = errors.New("the process died")

func (d diesBeforeWork) ReserveIdempotencyKey(ctx context.Context, c *tenantry.IdempotencyClaim, hash string) (*tenantry.IdempotentResponse, error) {
	if _, err := d.DB.ReserveIdempotencyKey(ctx, c, hash); err != nil {
		return nil, err
	}
	return nil, errDied
}

func (diesBeforeWork) ReleaseIdempotencyKey(context.Context, *tenantry.IdempotencyClaim) error {
	return errDied
}

// crashEnvs are two servers over one database on clk, with every service a
// POST touches: after's process dies right after a request's work commits
// (diesAfterWork), before's as soon as a request reserved its key.
func crashEnvs(t *testing.T, e sqldbtest.Engine, clk *linkClock) (after, before *env) {
	t.Helper()
	en := newEnvOpts(t, e, sqldb.Options{Now: clk.now, Webhooks: tenantry.WebhookPolicy{AllowPrivate: true}})
	db := en.db
	serve := func(idem tenantry.IdempotencyStore) *env {
		a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: idem, Locations: db, Outbox: db,
			Subscribers: db, Webhooks: db, Admins: db, Imports: db}, en.tr, slog.New(slog.DiscardHandler))
		mux := http.NewServeMux()
		mux.Handle("/v1/", a.Handler())
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		out := *en
		out.srv = srv
		sp := *en.specs
		sp.refRouter = adminRouter{ref: importRouter{extensionRouter{ref: sp.refRouter, ours: sp.oursRouter}}, ours: sp.oursRouter}
		out.specs = &sp
		return &out
	}
	return serve(diesAfterWork{db}), serve(diesBeforeWork{db})
}

// count runs a COUNT (or any one-integer) query written with ? marks.
func (en *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	if en.engine == sqldb.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	var n int
	if err := en.db.SQL().QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// postKind is one kind of POST that changes something: its request for a
// variant ("after", "before": which crash it meets), the status of its
// answer, and how much of its work the database holds.
type postKind struct {
	name    string
	request func(v string) (path string, body any, headers map[string]string)
	status  int
	secret  string // the field shown only in the first answer
	done    func(t *testing.T, v string) int
}

// TestIdempotencyCrashEveryPost: every POST that changes something
// answers its Idempotency-Key in the transaction of its work. When the
// process dies right after the commit (the answer the handler would store
// is lost), a retry with the same key gets the original answer and nothing
// is done twice. When it dies before the commit, the key is free again
// after the restart (SQLite) or once its lease ran out (PostgreSQL, where
// other processes may hold keys), and the retry does the work once.
func TestIdempotencyCrashEveryPost(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clk := &linkClock{}
		after, before := crashEnvs(t, e, clk)
		en := after
		ctx := t.Context()
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		cid := p.provisionedCustomer(t, tpl, "idem-base", "US", "provisioned")
		hq := p.listLocations(t, cid, "")[0].ID

		// Two attached organizations waiting for approval (C7), and a
		// user waiting for the consent of a free account's owner (U3).
		pendingApproval := map[string]string{}
		for _, v := range []string{"after", "before"} {
			if err := en.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-" + v, UserCount: 400}); err != nil {
				t.Fatal(err)
			}
			id := p.createCustomer(t, set(customerBody(tpl.ProvisioningID, "att-"+v, "US", "webex_calling"), "orgId", "org-"+v), "")
			waitJobDone(t, en, id)
			if s := p.approvalState(t, id); s != "pending" {
				t.Fatalf("approval of %s is %q, want pending", id, s)
			}
			pendingApproval[v] = id
		}
		if err := en.db.AddFreeAccount(ctx, "free@gmail.example"); err != nil {
			t.Fatal(err)
		}
		var pending subscriberDoc
		p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "free@gmail.example", nil, "webex_meetings"), nil).wantStatus(t, 202).decode(t, &pending)

		csv := map[string]string{"Content-Type": "text/csv"}
		kinds := []postKind{
			{name: "customer", status: 202,
				request: func(v string) (string, any, map[string]string) {
					return "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "idem-"+v, "US", "webex_meetings"), nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM customers WHERE external_id = ?`, "idem-"+v)
				}},
			{name: "template", status: 201,
				request: func(v string) (string, any, map[string]string) {
					return "/v1/wholesale/templates", p.templateBody("Template " + v), nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM templates WHERE name = ?`, "Template "+v)
				}},
			{name: "user", status: 200,
				request: func(v string) (string, any, map[string]string) {
					return "/v1/wholesale/subscribers", subscriberBody(cid, v+"@users.example.com", nil, "webex_meetings"), nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM subscribers WHERE email = ?`, v+"@users.example.com")
				}},
			{name: "import", status: 202,
				request: func(v string) (string, any, map[string]string) {
					return importsPath(cid), "First Name,Last Name,Email,Package,Location,Phone Number,Extension\r\nAda,Lovelace,ada-" + v + "@example.com,webex_meetings,,,\r\n", csv
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM imports WHERE customer_id = ?`, cid)
				}},
			{name: "location", status: 201,
				request: func(v string) (string, any, map[string]string) {
					return locationsPath(cid), locationBody("Branch "+v, "US"), nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM locations WHERE name = ?`, "Branch "+v)
				}},
			{name: "numbers", status: 201,
				request: func(v string) (string, any, map[string]string) {
					return locationPath(cid, hq) + "/numbers", map[string]any{"phoneNumbers": []string{number(v)}}, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM phone_numbers WHERE phone_number = ?`, number(v))
				}},
			{name: "customer admin", status: 201,
				request: func(v string) (string, any, map[string]string) {
					return adminsPath(cid), map[string]any{"email": v + "@idem-base.example.com", "role": "read_only_admin", "package": "webex_calling"}, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM customer_admins WHERE email = ?`, v+"@idem-base.example.com")
				}},
			{name: "approval decision", status: 202,
				request: func(v string) (string, any, map[string]string) {
					return "/v1/wholesale/customers/" + url.PathEscape(pendingApproval[v]) + "/approval", map[string]any{"approve": true}, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'customer.approval' AND resource_id = ?`, pendingApproval[v])
				}},
			{name: "webhook", status: 201, secret: "secret",
				request: func(v string) (string, any, map[string]string) {
					return "/v1/partner/webhooks", map[string]any{"url": "http://127.0.0.1:9/" + v, "events": []string{"customer.updated"}}, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM webhooks WHERE url = ?`, "http://127.0.0.1:9/"+v)
				}},
			{name: "token", status: 201, secret: "token",
				request: func(v string) (string, any, map[string]string) {
					return "/v1/partner/tokens", map[string]any{"name": "token " + v, "scopes": []string{tenantry.ScopeCustomersRead}}, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM api_tokens WHERE name = ?`, "token "+v)
				}},
			{name: "consent request", status: 204,
				request: func(v string) (string, any, map[string]string) {
					return "/v1/subscribers/" + url.PathEscape(pending.ID) + "/emails/consentMove", nil, nil
				},
				done: func(t *testing.T, v string) int {
					return en.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'subscriber.consent_requested' AND resource_id = ?`, pending.ID)
				}},
		}
		keyed := func(k postKind, v string) (string, any, map[string]string) {
			path, body, headers := k.request(v)
			h := map[string]string{"Idempotency-Key": v + "-" + k.name}
			for name, value := range headers {
				h[name] = value
			}
			return path, body, h
		}

		// The process dies after the commit: the retry replays.
		for _, k := range kinds {
			path, body, h := keyed(k, "after")
			was := k.done(t, "after")
			first := p.do(t, "POST", path, body, h)
			if first.Status != k.status {
				t.Errorf("%s: answered %d, want %d: %s", k.name, first.Status, k.status, first.Body)
				continue
			}
			again := p.do(t, "POST", path, body, h)
			if again.Status != k.status || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("%s: the retry answered %d (replayed %q), want the first answer %d: %s", k.name, again.Status, again.Header.Get("Idempotent-Replayed"), k.status, again.Body)
			}
			if !sameAnswer(t, first.Body, again.Body, k.secret) || again.Header.Get("Location") != first.Header.Get("Location") {
				t.Errorf("%s: the replay differs:\nfirst %s %s\nretry %s %s", k.name, first.Header.Get("Location"), first.Body, again.Header.Get("Location"), again.Body)
			}
			if n := k.done(t, "after") - was; n != 1 {
				t.Errorf("%s: done %d times, want once", k.name, n)
			}
		}

		// The process dies before the commit: the key is held until the
		// restart (SQLite) or the end of its lease (PostgreSQL), then free.
		was := map[string]int{}
		for _, k := range kinds {
			path, body, h := keyed(k, "before")
			was[k.name] = k.done(t, "before")
			if got := before.post(t, p.Token, path, body, h); got != 500 {
				t.Errorf("%s: the dying server answered %d, want 500", k.name, got)
			}
			if r := p.do(t, "POST", path, body, h); r.Status != 409 || !strings.Contains(string(r.Body), "Idempotency-Key") {
				t.Errorf("%s: while the reservation holds, a retry answered %d %s, want 409 on Idempotency-Key", k.name, r.Status, r.Body)
			}
		}
		if e.Name == sqldb.SQLite {
			if _, err := en.db.Recover(ctx); err != nil { // as serve does when it starts
				t.Fatal(err)
			}
		} else {
			clk.advance(sqldb.DefaultIdempotencyLease + time.Second)
		}
		for _, k := range kinds {
			path, body, h := keyed(k, "before")
			if n := k.done(t, "before") - was[k.name]; n != 0 {
				t.Errorf("%s: the request that died did its work %d times", k.name, n)
			}
			first := p.do(t, "POST", path, body, h)
			if first.Status != k.status || first.Header.Get("Idempotent-Replayed") != "" {
				t.Errorf("%s: the retry of the request that died answered %d (replayed %q), want %d: %s",
					k.name, first.Status, first.Header.Get("Idempotent-Replayed"), k.status, first.Body)
				continue
			}
			again := p.do(t, "POST", path, body, h)
			if again.Status != k.status || again.Header.Get("Idempotent-Replayed") != "true" || !sameAnswer(t, first.Body, again.Body, k.secret) {
				t.Errorf("%s: then answered %d (replayed %q) %s, want the replay of %s", k.name, again.Status, again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
			}
			if n := k.done(t, "before") - was[k.name]; n != 1 {
				t.Errorf("%s: done %d times, want once", k.name, n)
			}
		}
	})
}

// number is a US number of its own for each variant.
func number(v string) string {
	if v == "after" {
		return "+14085550161"
	}
	return "+14085550162"
}

// sameAnswer reports whether a replay's body is the first answer's: the
// same bytes, or, when the first showed a secret once, the same fields
// but that one.
func sameAnswer(t *testing.T, first, replay []byte, secret string) bool {
	t.Helper()
	if secret == "" {
		return bytes.Equal(first, replay)
	}
	var f, r map[string]any
	if err := json.Unmarshal(first, &f); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(replay, &r); err != nil {
		t.Fatal(err)
	}
	if v, _ := f[secret].(string); v == "" {
		t.Errorf("the first answer shows no %s: %s", secret, first)
	}
	if _, ok := r[secret]; ok {
		t.Errorf("the replay shows the %s: %s", secret, replay)
	}
	delete(f, secret)
	return reflect.DeepEqual(f, r)
}

// post sends a request the way en.do does, without its checks (the
// server it goes to dies under it), and returns the status.
func (en *env) post(t *testing.T, token, path string, body any, headers map[string]string) int {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest("POST", en.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := en.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
