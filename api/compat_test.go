package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// newCompatEnv is newEnv with every service wired and a clock whose times
// always carry sub-millisecond digits (456,789 ns past a millisecond), so that
// a time written with more precision than the wire format shows up.
func newCompatEnv(t *testing.T, e sqldbtest.Engine) *env {
	t.Helper()
	sp, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	clock := func() time.Time { return time.Now().Truncate(time.Millisecond).Add(456789 * time.Nanosecond) }
	db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{Now: clock})
	if err != nil {
		t.Fatalf("open %s database: %v", e.Name, err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := db.StopWork(sctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	if err := db.Work(ctx, provision.Workers(db, log, nil), sqldb.QueueConfig{}); err != nil {
		t.Fatalf("start workers: %v", err)
	}
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db,
		Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	en := &env{engine: e.Name, db: db, srv: srv, client: &http.Client{Timeout: 30 * time.Second}, specs: sp, tr: tr}
	// The admin and approval paths are Tenantry's own under the wholesale
	// prefix: route them to our document, as withAdmins does.
	s := *en.specs
	s.refRouter = adminRouter{ref: s.refRouter, ours: s.oursRouter}
	en.specs = &s
	return en
}

// wireTime is the one format of every time on the wire.
var wireTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// TestTimestampsOneFormat: every time field is RFC 3339 in UTC with
// milliseconds, and the answer to a POST shows the same strings as a later
// GET of the same object (storage keeps microseconds, the clock nanoseconds).
func TestTimestampsOneFormat(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := newCompatEnv(t, e)
		p := en.bootstrap(t, "Clockwork")

		// times returns the named time fields of a JSON object, checking
		// each against the wire format.
		times := func(r *response, fields ...string) map[string]string {
			t.Helper()
			var m map[string]any
			r.decode(t, &m)
			out := map[string]string{}
			for _, f := range fields {
				v, _ := m[f].(string)
				if !wireTime.MatchString(v) {
					t.Errorf("%s %s: %s = %q, want RFC 3339 UTC with milliseconds", r.Method, r.Path, f, v)
				}
				out[f] = v
			}
			return out
		}
		same := func(what string, posted, got map[string]string) {
			t.Helper()
			for f, v := range posted {
				if got[f] != v {
					t.Errorf("%s %s: POST answered %q, GET %q", what, f, v, got[f])
				}
			}
		}

		r := p.do(t, "POST", "/v1/wholesale/templates", p.templateBody("Standard"), nil).wantStatus(t, 201)
		posted := times(r, "created", "updated")
		var tpl templateDoc
		r.decode(t, &tpl)
		same("template", posted, times(p.do(t, "GET", "/v1/wholesale/templates/"+url.PathEscape(tpl.ID), nil, nil).wantStatus(t, 200), "created", "updated"))

		r = p.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example/clock", "events": []string{"customer.provisioned"}}, nil).wantStatus(t, 201)
		posted = times(r, "created")
		var wh struct{ ID string }
		r.decode(t, &wh)
		same("webhook", posted, times(p.do(t, "GET", "/v1/partner/webhooks/"+url.PathEscape(wh.ID), nil, nil).wantStatus(t, 200), "created"))

		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "clock-1", "US", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")
		times(p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 200), "created", "updated")

		r = p.do(t, "POST", adminsPath(id), map[string]any{"email": "sa@clock-1.example.com", "role": "support_admin", "package": "webex_calling"}, nil).wantStatus(t, 201)
		posted = times(r, "created")
		var ad struct{ ID string }
		r.decode(t, &ad)
		same("admin", posted, times(p.do(t, "GET", adminsPath(id)+"/"+url.PathEscape(ad.ID), nil, nil).wantStatus(t, 200), "created"))

		r = p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(id, "user@clock-1.example.com", nil, "webex_meetings"), nil).wantStatus(t, 200)
		posted = times(r, "created", "updated", "lastStatusChange")
		var sub struct{ ID string }
		r.decode(t, &sub)
		same("subscriber", posted, times(p.do(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(sub.ID), nil, nil).wantStatus(t, 200),
			"created", "updated", "lastStatusChange"))

		var box struct{ Items []map[string]any }
		p.do(t, "GET", "/v1/partner/outbox", nil, nil).wantStatus(t, 200).decode(t, &box)
		if len(box.Items) == 0 {
			t.Fatal("no mail in the outbox")
		}
		for _, m := range box.Items {
			for _, f := range []string{"created", "nextAttempt", "sent"} {
				if v, ok := m[f].(string); ok && !wireTime.MatchString(v) {
					t.Errorf("outbox %s = %q, want RFC 3339 UTC with milliseconds", f, v)
				}
			}
		}
	})
}
