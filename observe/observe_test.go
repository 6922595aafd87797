package observe_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tenantry/tenantry/observe"
)

// copyKey is a context key of the test's own.
type copyKey struct{}

// TestRoutePattern: the access log names the pattern of the innermost mux
// that routed the request in place, and the one a layer that routes a copy
// of the request reports with SetRoute; never the raw path.
func TestRoutePattern(t *testing.T) {
	inner := http.NewServeMux()
	inner.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		observe.SetPartner(r.Context(), "partner-1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "12345")
	})
	copying := http.NewServeMux()
	copying.HandleFunc("GET /links/{token}", func(w http.ResponseWriter, r *http.Request) {
		observe.SetRoute(r)
	})
	outer := http.NewServeMux()
	outer.Handle("/v1/", inner)
	outer.Handle("/links/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A layer that routes a copy of the request.
		copying.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), copyKey{}, 1)))
	}))
	var logs bytes.Buffer
	h := observe.New(prometheus.NewRegistry(), slog.New(slog.NewTextHandler(&logs, nil))).Wrap(outer)
	for _, path := range []string{"/v1/things/secret-id?token=x", "/links/secret-token", "/nowhere/secret"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	got := logs.String()
	for _, want := range []string{
		`route="GET /v1/things/{id}" status=418 duration=`,
		`bytes=5 partner=partner-1`,
		`route="GET /links/{token}" status=200`,
		`route=unmatched status=404`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "secret") {
		t.Errorf("log holds a raw path:\n%s", got)
	}
}

// TestHealth: /readyz follows the readiness check and fails once stopping;
// /healthz answers whatever the database does.
func TestHealth(t *testing.T) {
	var down error
	h := observe.NewHealth(func(context.Context) error { return down }, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	probe := func(path string) int {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code
	}
	if probe("/readyz") != 200 || probe("/healthz") != 200 {
		t.Fatal("not ready with a database that answers")
	}
	down = errors.New("connection refused")
	if probe("/readyz") != 503 || probe("/healthz") != 200 {
		t.Error("readyz must fail and healthz answer while the database is down")
	}
	down = nil
	h.Stopping()
	if probe("/readyz") != 503 {
		t.Error("readyz must fail while stopping")
	}
}
