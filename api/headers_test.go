package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// rawDo sends a request with a chosen Host header (which the shared helper
// cannot set) and checks the usual invariants of the answer.
func (en *env) rawDo(t *testing.T, method, path, token, host string, body any, headers map[string]string) *response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, en.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := en.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := &response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b, Request: req.Header}
	for _, err := range checkInvariants(en.specs, req.URL, r) {
		t.Errorf("%s %s → %d: %v\nbody: %s", method, path, r.Status, err, truncate(b, 2000))
	}
	return r
}

// TestLinksFromPublicURL: Location, the body's url and Link are built from
// the configured public URL; a client's Host and X-Forwarded-Proto change
// nothing. Without a public URL they name the address the server listens
// on, still never the client's Host.
func TestLinksFromPublicURL(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		const public = "https://hub.example.com/tenantry"
		clock := newTestClock()
		dbURL := e.URL(t)
		en := newProcess(t, e.Name, dbURL, clock, api.WithPublicURL(public+"/"))
		p := en.bootstrap(t, "Acme")
		evil := map[string]string{"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}

		r := en.rawDo(t, "POST", "/v1/wholesale/templates", p.Token, "evil.example", p.templateBody("One"), evil).wantStatus(t, 201)
		var tpl templateDoc
		r.decode(t, &tpl)
		if loc := r.Header.Get("Location"); loc != public+"/v1/wholesale/templates/"+tpl.ID {
			t.Errorf("template Location = %q, want under %s", loc, public)
		}
		en.rawDo(t, "POST", "/v1/wholesale/templates", p.Token, "evil.example", p.templateBody("Two"), evil).wantStatus(t, 201)

		r = en.rawDo(t, "POST", "/v1/wholesale/customers", p.Token, "evil.example", customerBody(tpl.ProvisioningID, "ext-1", "US", "webex_calling"), evil).wantStatus(t, 202)
		var acc struct{ URL string }
		r.decode(t, &acc)
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, public+"/v1/wholesale/customers/") || acc.URL != loc {
			t.Errorf("customer Location %q, url %q: want both under %s", loc, acc.URL, public)
		}

		r = en.rawDo(t, "GET", "/v1/wholesale/templates?max=1", p.Token, "evil.example", nil, evil).wantStatus(t, 200)
		link := r.Header.Get("Link")
		if n := strings.Count(link, "<"+public+"/v1/wholesale/templates?"); n != 2 || strings.Contains(link, "evil") {
			t.Errorf("Link = %q, want first and next under %s", link, public)
		}

		// No public URL: the listener's address, whatever the Host.
		plain := newProcess(t, e.Name, dbURL, clock)
		r = plain.rawDo(t, "POST", "/v1/wholesale/templates", p.Token, "evil.example", p.templateBody("Three"), evil).wantStatus(t, 201)
		if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, plain.srv.URL+"/v1/wholesale/templates/") {
			t.Errorf("Location without a public URL = %q, want under %s", loc, plain.srv.URL)
		}
	})
}

// TestSecurityHeaders: every API answer, success or error, forbids
// sniffing and storing; HSTS comes with an https public URL only.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		clock := newTestClock()
		dbURL := e.URL(t)
		secure := newProcess(t, e.Name, dbURL, clock, api.WithPublicURL("https://hub.example.com"))
		plain := newProcess(t, e.Name, dbURL, clock, api.WithPublicURL("http://127.0.0.1:8080"))
		p := secure.bootstrap(t, "Acme")
		for _, en := range []*env{secure, plain} {
			for _, r := range []*response{
				en.do(t, "GET", "/v1/wholesale/customers", p.Token, nil, nil).wantStatus(t, 200),
				en.do(t, "POST", "/v1/partner/tokens", p.Token, map[string]any{"name": "x", "scopes": []string{"tenantry:api_tokens"}}, nil).wantStatus(t, 201),
				en.do(t, "GET", "/v1/wholesale/customers", "", nil, nil).wantStatus(t, 401),
				en.do(t, "GET", "/v1/no/such/thing", p.Token, nil, nil).wantStatus(t, 404),
				en.do(t, "PATCH", "/v1/wholesale/customers", p.Token, nil, nil).wantStatus(t, 405),
				en.do(t, "GET", "/v1/openapi.json", "", nil, nil).wantStatus(t, 200),
			} {
				if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("%s: X-Content-Type-Options = %q", r, got)
				}
				if got := r.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s %s: Cache-Control = %q", r.Method, r.Path, got)
				}
				if !slices.Contains(headerTokens(r.Header, "Vary"), "accept-language") {
					t.Errorf("%s %s: Vary %q does not name Accept-Language", r.Method, r.Path, r.Header.Values("Vary"))
				}
				hsts := r.Header.Get("Strict-Transport-Security")
				if en == secure && !strings.HasPrefix(hsts, "max-age=") {
					t.Errorf("%s %s over an https public URL: Strict-Transport-Security = %q", r.Method, r.Path, hsts)
				}
				if en == plain && hsts != "" {
					t.Errorf("%s %s over an http public URL: Strict-Transport-Security = %q", r.Method, r.Path, hsts)
				}
			}
		}
	})
}

// TestTrackingID: a client's TrackingID is echoed only when it is a plain
// token of at most 128 characters; anything else gets a new one, in the
// header and in an error body alike.
func TestTrackingID(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := newProcess(t, e.Name, e.URL(t), newTestClock())
		p := en.bootstrap(t, "Acme")
		for _, tc := range []struct {
			sent string
			echo bool
		}{
			{"ROUTER_0123-abc.def:42_x", true},
			{strings.Repeat("a", 128), true},
			{strings.Repeat("a", 129), false},
			{"<script>alert(1)</script>", false},
			{"two words", false},
			{"line\"quote", false},
			{"ümlaut", false},
		} {
			h := map[string]string{"TrackingID": tc.sent}
			for _, r := range []*response{
				en.do(t, "GET", "/v1/wholesale/customers", p.Token, nil, h).wantStatus(t, 200),
				en.do(t, "GET", "/v1/wholesale/customers/nope", p.Token, nil, h).wantStatus(t, 404),
			} {
				got := r.Header.Get("TrackingID")
				if tc.echo != (got == tc.sent) {
					t.Errorf("sent TrackingID %q, got %q (echo %v)", tc.sent, got, tc.echo)
				}
				if !tc.echo && !strings.HasPrefix(got, "TENANTRY_") {
					t.Errorf("sent TrackingID %q: made %q, want a new one", tc.sent, got)
				}
				if r.Status == 404 {
					if body := r.errorDoc(t).TrackingID; body != got {
						t.Errorf("error body trackingId %q, header %q", body, got)
					}
				}
			}
		}
	})
}
