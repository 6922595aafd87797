package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb"
)

// diesAfterWork is the real store of a server whose process dies as soon
// as a request's work has committed: whatever the handler would store
// after that never reaches the database.
type diesAfterWork struct{ *sqldb.DB }

func (diesAfterWork) CompleteIdempotencyKey(context.Context, *tenantry.IdempotencyClaim, *tenantry.IdempotentResponse) error {
	return nil
}

// withDeathAfterWork is en with a server whose answers are lost unless the
// work's own transaction stored them.
func withDeathAfterWork(t *testing.T, en *env) *env {
	t.Helper()
	out := *withImports(t, en)
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: diesAfterWork{db}, Locations: db, Subscribers: db, Imports: db},
		en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out.srv = srv
	return &out
}

// TestIdempotentAnswerCommitsWithWork: the creations of customers,
// templates, users and imports store their answer to an Idempotency-Key in
// the transaction of their work, so that a retry gets the original answer
// even when the process died right after the commit.
func TestIdempotentAnswerCommitsWithWork(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withDeathAfterWork(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		cid := p.provisionedCustomer(t, tpl, "idem-base", "US", "provisioned")
		file := "First Name,Last Name,Email,Package,Location,Phone Number,Extension\r\nAda,Lovelace,ada@example.com,webex_meetings,,,\r\n"
		tests := []struct {
			name, path string
			body       any
			headers    map[string]string
			status     int
		}{
			{"customer", "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "idem-1", "US", "webex_meetings"), nil, 202},
			{"template", "/v1/wholesale/templates", p.templateBody("Second"), nil, 201},
			{"user", "/v1/wholesale/subscribers", subscriberBody(cid, "grace@example.com", nil, "webex_meetings"), nil, 200},
			{"import", importsPath(cid), file, map[string]string{"Content-Type": "text/csv"}, 202},
		}
		for _, tt := range tests {
			h := map[string]string{"Idempotency-Key": "key-" + tt.name}
			for k, v := range tt.headers {
				h[k] = v
			}
			first := p.do(t, "POST", tt.path, tt.body, h).wantStatus(t, tt.status)
			again := p.do(t, "POST", tt.path, tt.body, h)
			if again.Status != tt.status || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("%s: retry answered %d (replayed %q), want the first answer %d", tt.name, again.Status, again.Header.Get("Idempotent-Replayed"), tt.status)
				continue
			}
			if string(first.Body) != string(again.Body) || first.Header.Get("Location") != again.Header.Get("Location") {
				t.Errorf("%s: replay differs:\nfirst %s %s\nretry %s %s", tt.name, first.Header.Get("Location"), first.Body, again.Header.Get("Location"), again.Body)
			}
		}
		var subs struct{ Items []any }
		p.do(t, "GET", "/v1/wholesale/subscribers?customerId="+url.QueryEscape(cid)+"&email=grace%40example.com", nil, nil).wantStatus(t, 200).decode(t, &subs)
		if len(subs.Items) != 1 {
			t.Errorf("%d users grace@example.com, want 1", len(subs.Items))
		}
	})
}
