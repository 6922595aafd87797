package api_test

// Helpers for the API tests that run over real HTTP against a real database
// on every engine: a server wired like cmd/tenantry's, bootstrapped
// partners, a request helper that validates every response against both
// OpenAPI documents, and a poller for the asynchronous customer status.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// refDocPath is a copy of the public OpenAPI document of the wholesale
// provisioning API (the reference).
const refDocPath = "testdata/webex-wholesale.openapi.json"

// waitTimeout bounds every wait for background work. Tests never assert on
// how long anything takes; this only keeps a hung test from hanging forever.
const waitTimeout = 10 * time.Second

// specs are the two OpenAPI documents every response is checked against.
type specs struct {
	ours, ref             *openapi3.T
	oursRouter, refRouter routers.Router
	errorSchema           *openapi3.Schema // ours: ErrorResponse
	refRaw                map[string]any   // the reference as plain JSON, for its examples
}

var loadSpecs = sync.OnceValues(func() (*specs, error) {
	ctx := context.Background()
	s := &specs{}
	var err error
	if s.ours, err = openapi3.NewLoader().LoadFromFile("openapi.json"); err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := s.ours.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validate openapi.json: %w", err)
	}
	if len(s.ours.Servers) != 1 || s.ours.Servers[0].URL != "/v1" {
		return nil, fmt.Errorf("openapi.json: want one server /v1, have %v", s.ours.Servers)
	}
	if s.oursRouter, err = legacy.NewRouter(s.ours); err != nil {
		return nil, fmt.Errorf("route openapi.json: %w", err)
	}
	es := s.ours.Components.Schemas["ErrorResponse"]
	if es == nil || es.Value == nil {
		return nil, errors.New("openapi.json: no ErrorResponse schema")
	}
	s.errorSchema = es.Value

	if s.ref, err = openapi3.NewLoader().LoadFromFile(refDocPath); err != nil {
		return nil, fmt.Errorf("load %s: %w", refDocPath, err)
	}
	// The reference's paths have no /v1 prefix and it declares no server;
	// Tenantry serves them under /v1.
	s.ref.Servers = openapi3.Servers{{URL: "/v1"}}
	// Known deliberate deviation: the reference's schema says the precheck's
	// success `info` is an object, but its own example (and the live
	// service) send an array of such objects. Tenantry follows the example,
	// so the reference is checked with `info` as an array of the reference's
	// own info object.
	pre := s.ref.Components.Schemas["CustomerProvisioningPrecheckResponse"]
	if pre == nil || pre.Value == nil || pre.Value.Properties["info"] == nil {
		return nil, errors.New("reference: no CustomerProvisioningPrecheckResponse.info")
	}
	info := pre.Value.Properties["info"]
	pre.Value.Properties["info"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: info}}
	// The reference's examples are illustrative (quoted strings in
	// "example" fields and the like); they are not what is checked here.
	if s.refRouter, err = legacy.NewRouter(s.ref, openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("route %s: %w", refDocPath, err)
	}
	raw, err := readJSONFile(refDocPath)
	if err != nil {
		return nil, err
	}
	s.refRaw = raw
	return s, nil
})

func readJSONFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// wholesalePath reports whether path is one the reference document
// describes, so that its responses are checked against the reference too.
func wholesalePath(path string) bool {
	if strings.Contains(path, "/locations") {
		return false // Tenantry's extension under a customer; only our document has it
	}
	return path == "/v1/wholesale/customers" || strings.HasPrefix(path, "/v1/wholesale/customers/") ||
		path == "/v1/wholesale/subPartners"
}

var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	MultiError:            true,
}

// checkResponse validates one response against our document (every /v1
// response) and against the reference (responses of the wholesale paths).
func (s *specs) checkResponse(method, rawPath, rawQuery string, status int, header http.Header, body []byte) []error {
	if !strings.HasPrefix(rawPath, "/v1/") {
		return nil
	}
	var errs []error
	vreq := &http.Request{Method: method, URL: &url.URL{Path: mustUnescape(rawPath), RawPath: rawPath, RawQuery: rawQuery}, Header: http.Header{}}
	route, params, err := s.oursRouter.FindRoute(vreq)
	if err != nil {
		// No operation in our document: only an error may answer it (an
		// unknown path, a method the path lacks), and its body is still
		// the documented ErrorResponse.
		if status < 400 {
			errs = append(errs, fmt.Errorf("openapi.json: %d for an undocumented operation: %v", status, err))
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			errs = append(errs, fmt.Errorf("openapi.json: error body is not JSON: %v", err))
		} else if err := s.errorSchema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
			errs = append(errs, fmt.Errorf("openapi.json: ErrorResponse: %v", err))
		}
	} else if err := validate(route, params, vreq, status, header, body, validationOptions); err != nil {
		errs = append(errs, fmt.Errorf("openapi.json: %v", err))
	}
	if !wholesalePath(rawPath) {
		return errs
	}
	route, params, err = s.refRouter.FindRoute(vreq)
	if err != nil {
		if status < 400 {
			errs = append(errs, fmt.Errorf("reference: %d for an operation the reference lacks: %v", status, err))
		}
		return errs
	}
	opts := validationOptions
	if status >= 400 {
		// Known deliberate deviation: the reference declares no schema for
		// error responses (and does not list 413 or 422, which Tenantry
		// adds in its own document). Error bodies are checked against our
		// document's ErrorResponse above; here only documented headers are.
		opts = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	}
	if err := validate(route, params, vreq, status, header, body, opts); err != nil {
		errs = append(errs, fmt.Errorf("reference: %v", err))
	}
	return errs
}

func validate(route *routers.Route, params map[string]string, req *http.Request, status int, header http.Header, body []byte, opts *openapi3filter.Options) error {
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

func mustUnescape(p string) string {
	u, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return u
}

// env is one running Tenantry: a fresh database of one engine, its job
// workers and the API over HTTP.
type env struct {
	engine string
	db     *sqldb.DB
	srv    *httptest.Server
	client *http.Client
	specs  *specs
	tr     *locale.Translator
}

// forEachEngine runs fn, in parallel, on a fresh environment of every engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, en *env)) {
	t.Helper()
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		fn(t, newEnv(t, e))
	})
}

// newEnv starts Tenantry on a fresh database of engine e: the workers, and
// the handler built the way cmd/tenantry's serve builds it. Webhooks may
// deliver to private addresses (test receivers listen on 127.0.0.1)
// unless an option says otherwise.
func newEnv(t testing.TB, e sqldbtest.Engine, opts ...func(*sqldb.Options)) *env {
	t.Helper()
	o := sqldb.Options{Webhooks: tenantry.WebhookPolicy{AllowPrivate: true}}
	for _, opt := range opts {
		opt(&o)
	}
	return newEnvOpts(t, e, o)
}

// newEnvOpts is newEnv with the database opened with opt (a clock, link
// lifetimes).
func newEnvOpts(t testing.TB, e sqldbtest.Engine, opt sqldb.Options) *env {
	t.Helper()
	sp, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	lw := &logWriter{t: t}
	if _, fuzzing := t.(*testing.F); fuzzing {
		lw.done = true // a fuzz target's F may not log once the fuzzing starts
	}
	t.Cleanup(lw.stop) // last: nothing logs to t after the test
	log := slog.New(slog.NewTextHandler(lw, nil))
	ctx := context.Background()
	db, err := sqldb.Open(ctx, e.URL(t), opt)
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
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{engine: e.Name, db: db, srv: srv, client: &http.Client{Timeout: 30 * time.Second}, specs: sp, tr: tr}
}

// logWriter sends the server's log to the test's log while the test runs.
type logWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *logWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// partner is a bootstrapped partner and its API token.
type partner struct {
	en             *env
	ID             string
	Name           string
	Token          string
	AdminID        string
	AdminEmail     string
	SubscriptionID string
	// extended: every request asks for Tenantry's fields (withExtensions).
	extended bool
}

// withExtensions returns p sending every request with `Prefer:
// tenantry-extensions`, for tests of what only those fields show (the
// field at fault of an error, a customer's region, a subscriber's name…).
func (p *partner) withExtensions() *partner {
	q := *p
	q.extended = true
	return &q
}

// bootstrap creates a partner with its first admin, subscription and token.
func (en *env) bootstrap(t testing.TB, name string) *partner {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@partner.example.com"
	res, err := en.db.Bootstrap(context.Background(), tenantry.BootstrapInput{PartnerName: name, AdminEmail: email})
	if err != nil {
		t.Fatalf("bootstrap %s: %v", name, err)
	}
	return &partner{en: en, ID: res.Partner.ID, Name: name, Token: res.Token, AdminID: res.Admin.ID, AdminEmail: email, SubscriptionID: res.Subscription.ID}
}

// response is what the server answered.
type response struct {
	Method string
	Path   string
	Status int
	Header http.Header
	Body   []byte
	// Request is the headers the request was sent with; nil for an
	// answer made up by a test of the checks.
	Request http.Header
}

func (r *response) String() string {
	return fmt.Sprintf("%s %s: %d %s", r.Method, r.Path, r.Status, bytes.TrimSpace(r.Body))
}

// do sends one request and returns the response, after checking what every
// response must satisfy: it is never a 5xx, it validates against our OpenAPI
// document (and, on the wholesale paths, the reference), it carries a
// TrackingID, and an error's body has the wholesale error shape.
//
// path is relative to the server ("/v1/..."), or a URL the server gave
// (Location, Link). body is sent as is when it is a string or []byte, and
// as JSON otherwise; nil sends none. headers are added; an empty value
// removes a header (e.g. the default Content-Type).
func (en *env) do(t testing.TB, method, path, token string, body any, headers map[string]string) *response {
	t.Helper()
	path = strings.TrimPrefix(path, en.srv.URL)
	var rd io.Reader
	if body != nil {
		var b []byte
		switch v := body.(type) {
		case string:
			b = []byte(v)
		case []byte:
			b = v
		case json.RawMessage:
			b = v
		default:
			var err error
			if b, err = json.Marshal(v); err != nil {
				t.Fatalf("marshal request body: %v", err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, en.srv.URL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := en.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b, Request: req.Header}
	for _, err := range checkInvariants(en.specs, req.URL, r) {
		t.Errorf("%s %s → %d: %v\nbody: %s", method, path, r.Status, err, truncate(b, 2000))
	}
	return r
}

// checkInvariants returns what is wrong with a response, whatever the
// request was.
func checkInvariants(s *specs, u *url.URL, r *response) []error {
	var errs []error
	if r.Status >= 500 {
		errs = append(errs, fmt.Errorf("server error %d", r.Status))
	}
	if !strings.HasPrefix(u.Path, "/v1/") {
		return errs
	}
	if r.Header.Get("TrackingID") == "" {
		errs = append(errs, errors.New("no TrackingID header"))
	}
	if len(r.Body) > 0 {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			errs = append(errs, fmt.Errorf("Content-Type %q, want application/json", ct))
		}
		if !json.Valid(r.Body) {
			errs = append(errs, errors.New("body is not valid JSON"))
		}
	}
	if r.Status >= 400 {
		errs = append(errs, checkErrorShape(r)...)
	}
	errs = append(errs, s.checkResponse(r.Method, u.EscapedPath(), u.RawQuery, r.Status, r.Header, r.Body)...)
	if r.Request != nil {
		errs = append(errs, checkPublicAnswer(s, r.Method, u.EscapedPath(), r)...)
	}
	return errs
}

// checkErrorShape checks the wholesale error body: a message, a non-empty
// list of errors with numeric codes and descriptions, and the tracking id
// of the TrackingID header.
func checkErrorShape(r *response) []error {
	var errs []error
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return []error{fmt.Errorf("error body is not a JSON object: %v", err)}
	}
	if s, _ := m["message"].(string); strings.TrimSpace(s) == "" {
		errs = append(errs, errors.New("error body: no message"))
	}
	tid, _ := m["trackingId"].(string)
	if tid == "" {
		errs = append(errs, errors.New("error body: no trackingId"))
	} else if h := r.Header.Get("TrackingID"); h != tid && r.Header.Get("Idempotent-Replayed") == "" {
		errs = append(errs, fmt.Errorf("error body: trackingId %q differs from the TrackingID header %q", tid, h))
	}
	list, _ := m["errors"].([]any)
	if len(list) == 0 {
		errs = append(errs, errors.New("error body: errors is missing or empty"))
	}
	for i, e := range list {
		em, _ := e.(map[string]any)
		n, ok := em["errorCode"].(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			errs = append(errs, fmt.Errorf("error body: errors[%d].errorCode %v is not an integer", i, em["errorCode"]))
		}
		if d, _ := em["description"].(string); strings.TrimSpace(d) == "" {
			errs = append(errs, fmt.Errorf("error body: errors[%d] has no description", i))
		}
	}
	return errs
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// do sends a request with the partner's token.
func (p *partner) do(t testing.TB, method, path string, body any, headers map[string]string) *response {
	t.Helper()
	if _, set := headers["Prefer"]; p.extended && !set {
		h := maps.Clone(headers)
		if h == nil {
			h = map[string]string{}
		}
		h["Prefer"] = api.PreferExtensions
		headers = h
	}
	return p.en.do(t, method, path, p.Token, body, headers)
}

// wantStatus fails the test unless r has status want.
func (r *response) wantStatus(t testing.TB, want int) *response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.Method, r.Path, r.Status, want, truncate(r.Body, 2000))
	}
	return r
}

// decode decodes the body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s %s: decode %s: %v", r.Method, r.Path, truncate(r.Body, 500), err)
	}
}

// errorDoc is the wholesale error body.
type errorDoc struct {
	Message    string       `json:"message"`
	Errors     []errorEntry `json:"errors"`
	TrackingID string       `json:"trackingId"`
}

type errorEntry struct {
	ErrorCode   int    `json:"errorCode"`
	Description string `json:"description"`
	Field       string `json:"field"`
}

func (r *response) errorDoc(t testing.TB) errorDoc {
	t.Helper()
	var e errorDoc
	r.decode(t, &e)
	return e
}

// fields returns the fields the error body names, sorted.
func (e errorDoc) fields() []string {
	var out []string
	for _, x := range e.Errors {
		out = append(out, x.Field)
	}
	slices.Sort(out)
	return out
}

// wantField fails the test unless r is an error with status and an entry
// naming field, in its field and in its description.
func (r *response) wantField(t testing.TB, status int, field string) errorDoc {
	t.Helper()
	r.wantStatus(t, status)
	e := r.errorDoc(t)
	for _, x := range e.Errors {
		if x.Field == field {
			if !strings.Contains(x.Description, field) {
				t.Errorf("%s %s: the error on %s does not name it: %q", r.Method, r.Path, field, x.Description)
			}
			return e
		}
	}
	t.Fatalf("%s %s: no error on field %q; errors: %s", r.Method, r.Path, field, truncate(r.Body, 2000))
	return e
}

// notice is an error or warning recorded on a customer or package.
type notice struct {
	ErrorCode   int    `json:"errorCode"`
	Description string `json:"description"`
}

// customerDoc is a wholesale customer as the API returns it.
type customerDoc struct {
	ID              string            `json:"id"`
	OrgID           string            `json:"orgId"`
	ExternalID      string            `json:"externalId"`
	Address         map[string]string `json:"address"`
	Status          string            `json:"status"`
	Packages        []string          `json:"packages"`
	ResourceDetails struct {
		Packages []packageDoc `json:"packages"`
	} `json:"resourceDetails"`
	Errors       []notice `json:"errors"`
	CustomerInfo struct {
		Name         string `json:"name"`
		PrimaryEmail string `json:"primaryEmail"`
		Language     string `json:"language"`
	} `json:"customerInfo"`
	DataRegion  string `json:"dataRegion"`
	E911Enabled bool   `json:"e911Enabled"`
}

type packageDoc struct {
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Warnings   []notice `json:"warnings"`
	Errors     []notice `json:"errors"`
	LicenseIDs []string `json:"licenseIds"`
	Quantity   int      `json:"quantity"`
}

// pkg returns the customer's package detail named name, or nil.
func (c *customerDoc) pkg(name string) *packageDoc {
	for i := range c.ResourceDetails.Packages {
		if c.ResourceDetails.Packages[i].Name == name {
			return &c.ResourceDetails.Packages[i]
		}
	}
	return nil
}

type customerList struct {
	Items []customerDoc `json:"items"`
}

func (l customerList) ids() []string {
	var out []string
	for _, c := range l.Items {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

// getCustomer reads a customer; query is added to the URL.
func (p *partner) getCustomer(t testing.TB, id, query string) customerDoc {
	t.Helper()
	var c customerDoc
	p.do(t, "GET", withQuery("/v1/wholesale/customers/"+url.PathEscape(id), query), nil, nil).wantStatus(t, 200).decode(t, &c)
	return c
}

// listCustomers lists customers with query.
func (p *partner) listCustomers(t testing.TB, query string) (customerList, *response) {
	t.Helper()
	var l customerList
	r := p.do(t, "GET", withQuery("/v1/wholesale/customers", query), nil, nil).wantStatus(t, 200)
	r.decode(t, &l)
	return l, r
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// terminal are the statuses no job moves a customer out of by itself.
var terminal = []string{"provisioned", "provisioned_with_errors", "error", "pending_rpl_review"}

// waitStatus polls the customer until it has status want, and returns it.
// It fails at once when the customer settles in another status.
func (p *partner) waitStatus(t testing.TB, id, want string, query ...string) customerDoc {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		c := p.getCustomer(t, id, strings.Join(query, "&"))
		switch {
		case c.Status == want:
			return c
		case slices.Contains(terminal, c.Status):
			t.Fatalf("customer %s settled in %s (errors %v), want %s", id, c.Status, c.Errors, want)
		case time.Now().After(deadline):
			t.Fatalf("customer %s still %s after %v, want %s", id, c.Status, waitTimeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitGone polls the customer until it is 404.
func (p *partner) waitGone(t testing.TB, id string, query ...string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		r := p.do(t, "GET", withQuery("/v1/wholesale/customers/"+url.PathEscape(id), strings.Join(query, "&")), nil, nil)
		switch {
		case r.Status == 404:
			return
		case r.Status != 200:
			t.Fatalf("waiting for customer %s to go: %s", id, r)
		case time.Now().After(deadline):
			t.Fatalf("customer %s still there after %v: %s", id, waitTimeout, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// templateDoc is a template as the API returns it.
type templateDoc struct {
	ID             string `json:"id"`
	ProvisioningID string `json:"provisioningId"`
	Name           string `json:"name"`
}

// templateBody is a valid template request.
func (p *partner) templateBody(name string) map[string]any {
	return map[string]any{"name": name, "country": "US", "serviceProviderAdminId": p.AdminID, "subscriptionId": p.SubscriptionID}
}

// createTemplate creates a template and checks the answer: 201, a Location
// naming it and a provisioning id.
func (p *partner) createTemplate(t testing.TB, name string) templateDoc {
	t.Helper()
	r := p.do(t, "POST", "/v1/wholesale/templates", p.templateBody(name), nil).wantStatus(t, 201)
	var tpl templateDoc
	r.decode(t, &tpl)
	if tpl.ID == "" || tpl.ProvisioningID == "" || tpl.Name != name {
		t.Fatalf("created template: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != p.en.srv.URL+"/v1/wholesale/templates/"+tpl.ID {
		t.Errorf("template Location = %q, want the template's URL", loc)
	}
	return tpl
}

// createCustomer provisions a customer and checks the answer: 202, the
// customer's URL in Location and in the body. It returns the customer's id.
func (p *partner) createCustomer(t testing.TB, body map[string]any, query string) string {
	t.Helper()
	r := p.do(t, "POST", withQuery("/v1/wholesale/customers", query), body, nil).wantStatus(t, 202)
	return acceptedID(t, p.en, r)
}

// acceptedID checks a 202 answer and returns the customer id it names.
func acceptedID(t testing.TB, en *env, r *response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	var b struct {
		URL string `json:"url"`
	}
	r.decode(t, &b)
	prefix := en.srv.URL + "/v1/wholesale/customers/"
	if !strings.HasPrefix(loc, prefix) || loc == prefix {
		t.Fatalf("%s %s: Location %q is not a customer URL", r.Method, r.Path, loc)
	}
	if b.URL != loc {
		t.Errorf("%s %s: body url %q differs from Location %q", r.Method, r.Path, b.URL, loc)
	}
	id, err := url.PathUnescape(strings.TrimPrefix(loc, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// address returns a valid address in country.
func address(country string) map[string]any {
	switch country {
	case "US":
		return map[string]any{"addressLine1": "771 Alder Drive", "addressLine2": "Cisco Site 5", "city": "Milpitas",
			"stateOrProvince": "CA", "zipOrPostalCode": "95035", "country": "US"}
	case "AR":
		return map[string]any{"addressLine1": "Av. Corrientes 1234", "city": "Buenos Aires", "country": "AR"}
	case "CU":
		return map[string]any{"addressLine1": "Calle 23 No. 156", "city": "La Habana", "country": "CU"}
	}
	panic("no test address for " + country)
}

var timeZones = map[string]string{"US": "America/Los_Angeles", "AR": "America/Argentina/Buenos_Aires", "CU": "America/Havana"}

// customerBody is a valid request to provision a customer in country with
// pkgs, including a calling location.
func customerBody(pid, externalID, country string, pkgs ...string) map[string]any {
	return map[string]any{
		"provisioningId": pid,
		"externalId":     externalID,
		"packages":       pkgs,
		"address":        address(country),
		"customerInfo": map[string]any{
			"name":         "Customer " + externalID,
			"primaryEmail": "admin@" + externalID + ".example.com",
			"language":     "en",
		},
		"provisioningParameters": map[string]any{
			"calling": map[string]any{"location": map[string]any{
				"name":     "Head Office",
				"address":  address(country),
				"timezone": timeZones[country],
				"language": "en_us",
			}},
		},
	}
}

// set sets the value at a dotted path of a request body, creating objects
// on the way.
func set(body map[string]any, path string, v any) map[string]any {
	keys := strings.Split(path, ".")
	m := body
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
	return body
}

// del removes the value at a dotted path of a request body.
func del(body map[string]any, path string) map[string]any {
	keys := strings.Split(path, ".")
	m := body
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return body
		}
		m = next
	}
	delete(m, keys[len(keys)-1])
	return body
}
