package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The subscriber operations are among those the document must describe.
func init() {
	type op = struct{ method, path string }
	openapiOperations = append(openapiOperations,
		op{"GET", "/wholesale/subscribers"},
		op{"POST", "/wholesale/subscribers"},
		op{"POST", "/wholesale/subscribers/validate"},
		op{"GET", "/wholesale/subscribers/{subscriberId}"},
		op{"PUT", "/wholesale/subscribers/{subscriberId}"},
		op{"DELETE", "/wholesale/subscribers/{subscriberId}"},
		op{"POST", "/subscribers/{subscriberId}/emails/consentMove"},
	)
}

// withSubscribers serves en's database with the subscriber (and location)
// services wired, as cmd/tenantry's serve does.
func withSubscribers(t *testing.T, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Subscribers: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	return &out
}

// subscriberRef routes the reference document for the subscriber paths,
// which the shared request helper does not check against it. The
// reference's precheck schema says `info` is an object while its example
// (and Tenantry, for customers and subscribers alike) has an array of them;
// the schema is read as the example, as the helper does for customers.
var subscriberRef = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(refDocPath)
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/v1"}}
	pre := doc.Components.Schemas["SubscriberProvisioningPrecheckResponse"]
	if pre == nil || pre.Value == nil || pre.Value.Properties["info"] == nil {
		return nil, errors.New("reference: no SubscriberProvisioningPrecheckResponse.info")
	}
	info := pre.Value.Properties["info"]
	pre.Value.Properties["info"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: info}}
	return legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
})

// sdo sends a request of the subscriber API with p's token: the shared
// helper checks it against our document, and this against the reference.
// Error bodies are not the reference's to judge (it gives them no schema).
func (p *partner) sdo(t *testing.T, method, path string, body any) *response {
	t.Helper()
	r := p.do(t, method, path, body, nil)
	if r.Status >= 400 {
		return r
	}
	router, err := subscriberRef()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(strings.TrimPrefix(path, p.en.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	vreq := &http.Request{Method: method, URL: u, Header: http.Header{}}
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		t.Errorf("reference: %s %s → %d: an operation the reference lacks: %v", method, path, r.Status, err)
		return r
	}
	if err := validate(route, params, vreq, r.Status, r.Header, r.Body, validationOptions); err != nil {
		t.Errorf("reference: %s %s → %d: %v\nbody: %s", method, path, r.Status, err, truncate(r.Body, 2000))
	}
	return r
}

// subscriberDoc is a subscriber as the API returns it.
type subscriberDoc struct {
	ID                     string   `json:"id"`
	PersonID               string   `json:"personId"`
	Email                  string   `json:"email"`
	CustomerID             string   `json:"customerId"`
	ExternalCustomerID     string   `json:"externalCustomerId"`
	Package                string   `json:"package"`
	Packages               []string `json:"packages"`
	Status                 string   `json:"status"`
	ProvisioningParameters struct {
		FirstName          string `json:"firstName"`
		LastName           string `json:"lastName"`
		PrimaryPhoneNumber string `json:"primaryPhoneNumber"`
		Extension          string `json:"extension"`
		LocationID         string `json:"locationId"`
	} `json:"provisioningParameters"`
	Created          string `json:"created"`
	LastStatusChange string `json:"lastStatusChange"`
}

type subscriberList struct {
	Items []subscriberDoc `json:"items"`
}

func (l subscriberList) emails() []string {
	var out []string
	for _, s := range l.Items {
		out = append(out, s.Email)
	}
	return out
}

// setupCustomer provisions a customer of p with pkgs (quantities when
// limits is set), gives its headquarters numbers, and returns the customer
// and the headquarters' id.
func (p *partner) setupCustomer(t *testing.T, tpl templateDoc, ext string, limits map[string]int, numbers []string, pkgs ...string) (string, string) {
	t.Helper()
	body := customerBody(tpl.ProvisioningID, ext, "US", pkgs...)
	if limits != nil {
		set(body, "provisioningParameters.packages.limits", limits)
	}
	id := p.createCustomer(t, body, "")
	p.waitStatus(t, id, "provisioned")
	q := `SELECT id FROM locations WHERE customer_id = ? AND headquarters = 1`
	if p.en.engine == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var hq string
	if err := p.en.db.SQL().QueryRowContext(t.Context(), q, id).Scan(&hq); err != nil {
		t.Fatalf("headquarters of %s: %v", ext, err)
	}
	if len(numbers) > 0 {
		if _, err := p.en.db.AddNumbers(t.Context(), p.actor(t), id, hq, &tenantry.NumbersInput{PhoneNumbers: numbers}); err != nil {
			t.Fatalf("add numbers: %v", err)
		}
	}
	return id, hq
}

// actor is the partner acting for itself, as a request resolves it.
func (p *partner) actor(t *testing.T) *tenantry.Actor {
	t.Helper()
	ctx := context.Background()
	pr, err := p.en.db.Authenticate(ctx, p.Token)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.en.db.ResolveActor(ctx, pr, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// numberState reads a number's state from the inventory.
func numberState(t *testing.T, en *env, n string) string {
	t.Helper()
	q := `SELECT state FROM phone_numbers WHERE phone_number = ?`
	if en.engine == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var state string
	if err := en.db.SQL().QueryRowContext(t.Context(), q, n).Scan(&state); err != nil {
		t.Fatalf("number %s: %v", n, err)
	}
	return state
}

func subscriberBody(customerID, email string, params map[string]any, pkgs ...string) map[string]any {
	b := map[string]any{"customerId": customerID, "email": email, "packages": pkgs}
	if params != nil {
		b["provisioningParameters"] = params
	}
	return b
}

// TestSubscriberAPI walks the subscriber API over HTTP: provision, read,
// list, update, precheck, the consent flow and removal, with every answer
// checked against both documents.
func TestSubscriberAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		// A user's name, number, extension and location in an answer, and
		// the field at fault of an error, are Tenantry's fields.
		p := en.bootstrap(t, "Acme").withExtensions()
		tpl := p.createTemplate(t, "Standard")
		numbers := []string{"+14085550100", "+14085550101"}
		cid, hq := p.setupCustomer(t, tpl, "ext-1", nil, numbers, "webex_calling", "webex_meetings", "attendant_console")

		// Provision a calling user with an add-on: 200, Location, the user.
		r := p.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "Ada.Lovelace@Contoso.example",
			map[string]any{"firstName": "Ada", "lastName": "Lovelace", "primaryPhoneNumber": numbers[0], "extension": "100", "locationId": hq},
			"webex_calling", "attendant_console")).wantStatus(t, 200)
		var ada subscriberDoc
		r.decode(t, &ada)
		if loc := r.Header.Get("Location"); loc != en.srv.URL+"/v1/wholesale/subscribers/"+url.PathEscape(ada.ID) {
			t.Errorf("Location = %q", loc)
		}
		if ada.Email != "ada.lovelace@contoso.example" || ada.CustomerID != cid || ada.ExternalCustomerID != "ext-1" || ada.Status != "provisioned" ||
			ada.PersonID == "" || ada.Package != "webex_calling" || !slices.Equal(ada.Packages, []string{"webex_calling", "attendant_console"}) ||
			ada.ProvisioningParameters.PrimaryPhoneNumber != numbers[0] || ada.ProvisioningParameters.Extension != "100" ||
			ada.ProvisioningParameters.LocationID != hq || ada.ProvisioningParameters.FirstName != "Ada" || ada.Created == "" || ada.LastStatusChange == "" {
			t.Errorf("created: %s", r.Body)
		}
		if s := numberState(t, en, numbers[0]); s != "assigned" {
			t.Errorf("number after create: %s", s)
		}

		// The deprecated `package` field works too, and a user of a
		// package without calling needs nothing else. Grace is created in
		// a later millisecond than Ada, so that "after" Ada's creation
		// (the wire has milliseconds) lists Grace.
		waitPast(t, ada.Created)
		var grace subscriberDoc
		p.sdo(t, "POST", "/v1/wholesale/subscribers", map[string]any{"customerId": cid, "email": "grace@contoso.example", "package": "webex_meetings",
			"provisioningParameters": map[string]any{"firstName": "Grace"}}).wantStatus(t, 200).decode(t, &grace)

		var got subscriberDoc
		adaURL := en.srv.URL + "/v1/wholesale/subscribers/" + url.PathEscape(ada.ID)
		r = p.sdo(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), nil).wantStatus(t, 200)
		r.decode(t, &got)
		if got.ID != ada.ID || got.Email != ada.Email || got.ProvisioningParameters != ada.ProvisioningParameters {
			t.Errorf("read back: %+v, created %+v", got, ada)
		}
		// The reference answers a read and an update with the Location too.
		if loc := r.Header.Get("Location"); loc != adaURL {
			t.Errorf("GET: Location = %q, want %q", loc, adaURL)
		}

		// Lists: filters, paging with Link.
		var l subscriberList
		r = p.sdo(t, "GET", "/v1/wholesale/subscribers?customerId="+url.QueryEscape(cid)+"&max=1", nil).wantStatus(t, 200)
		r.decode(t, &l)
		if !slices.Equal(l.emails(), []string{ada.Email}) || !strings.Contains(r.Header.Get("Link"), `rel="next"`) {
			t.Errorf("first page: %v, Link %q", l.emails(), r.Header.Get("Link"))
		}
		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"", []string{ada.Email, grace.Email}},
			{"externalCustomerId=ext-1&sortOrder=desc", []string{grace.Email, ada.Email}},
			{"email=GRACE%40contoso.example", []string{grace.Email}},
			{"status=provisioned&sortBy=lastStatusChange", []string{ada.Email, grace.Email}},
			{"status=pending_user_migration", nil},
			{"after=" + url.QueryEscape(ada.Created), []string{grace.Email}},
			{"after=4102444800000", nil}, // 2100-01-01, epoch milliseconds
			{"lastStatusChange=2000-01-01", []string{ada.Email, grace.Email}},
			{"customerId=someone-else", nil},
		} {
			l = subscriberList{}
			p.sdo(t, "GET", withQuery("/v1/wholesale/subscribers", tt.query), nil).wantStatus(t, 200).decode(t, &l)
			if !slices.Equal(l.emails(), tt.want) {
				t.Errorf("list %q = %v, want %v", tt.query, l.emails(), tt.want)
			}
		}
		for q, field := range map[string]string{
			"status=active": "status", "after=yesterday": "after", "lastStatusChange=2024-13-01": "lastStatusChange",
			"sortBy=email": "sortBy", "sortOrder=up": "sortOrder", "max=0": "max",
		} {
			p.do(t, "GET", "/v1/wholesale/subscribers?"+q, nil, nil).wantField(t, 400, field)
		}

		// Update: to meetings; the number goes back to the inventory.
		var upd subscriberDoc
		r = p.sdo(t, "PUT", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), map[string]any{"packages": []string{"webex_meetings"}}).
			wantStatus(t, 200)
		r.decode(t, &upd)
		if loc := r.Header.Get("Location"); loc != adaURL {
			t.Errorf("PUT: Location = %q, want %q", loc, adaURL)
		}
		if upd.Package != "webex_meetings" || upd.ProvisioningParameters.PrimaryPhoneNumber != "" || upd.ProvisioningParameters.Extension != "" {
			t.Errorf("updated: %+v", upd)
		}
		if s := numberState(t, en, numbers[0]); s != "available" {
			t.Errorf("number after moving to meetings: %s", s)
		}
		p.do(t, "PUT", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), map[string]any{"package": "webex_calling"}, nil).
			wantField(t, 400, "provisioningParameters")
		p.sdo(t, "PUT", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), map[string]any{"package": "webex_calling",
			"provisioningParameters": map[string]any{"primaryPhoneNumber": numbers[1], "locationId": hq}}).wantStatus(t, 200)
		p.do(t, "PUT", "/v1/wholesale/subscribers/nope", map[string]any{"package": "webex_calling"}, nil).wantStatus(t, 404)

		// Precheck: success in the reference's shape, and the create
		// checks as errors; nothing is written.
		var pre struct {
			Message string `json:"message"`
			Info    []struct {
				InfoCode    int    `json:"infoCode"`
				Description string `json:"description"`
			} `json:"info"`
		}
		p.sdo(t, "POST", "/v1/wholesale/subscribers/validate", subscriberBody(cid, "new@contoso.example", nil, "webex_meetings")).
			wantStatus(t, 200).decode(t, &pre)
		if pre.Message != "success" || len(pre.Info) != 1 || pre.Info[0].InfoCode != 100 || pre.Info[0].Description == "" {
			t.Errorf("precheck: %+v", pre)
		}
		p.sdo(t, "POST", "/v1/wholesale/subscribers/validate", map[string]any{"email": "new@new.example", "provisioningId": tpl.ProvisioningID,
			"customerInfo": map[string]any{"primaryEmail": "admin@new.example"}}).wantStatus(t, 200)
		p.do(t, "POST", "/v1/wholesale/subscribers/validate", subscriberBody(cid, grace.Email, nil, "webex_meetings"), nil).wantField(t, 409, "email")
		p.do(t, "POST", "/v1/wholesale/subscribers/validate", map[string]any{"email": "x@y.example"}, nil).wantField(t, 400, "provisioningId")

		// A free account elsewhere: 202, pending, consent can be re-sent.
		if err := en.db.AddFreeAccount(t.Context(), "free@gmail.example"); err != nil {
			t.Fatal(err)
		}
		var pending subscriberDoc
		r = p.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "free@gmail.example", nil, "webex_meetings")).wantStatus(t, 202)
		r.decode(t, &pending)
		if pending.Status != "pending_user_migration" || pending.PersonID != "" || r.Header.Get("Location") == "" {
			t.Errorf("pending: %s (Location %q)", r.Body, r.Header.Get("Location"))
		}
		consent := "/v1/subscribers/" + url.PathEscape(pending.ID) + "/emails/consentMove"
		if r := p.sdo(t, "POST", consent, nil).wantStatus(t, 204); len(r.Body) != 0 {
			t.Errorf("consentMove body: %q", r.Body)
		}
		p.do(t, "POST", "/v1/subscribers/"+url.PathEscape(grace.ID)+"/emails/consentMove", nil, nil).wantStatus(t, 409)
		p.do(t, "POST", "/v1/subscribers/nope/emails/consentMove", nil, nil).wantStatus(t, 404)
		if _, err := en.db.AcceptConsent(t.Context(), pending.ID); err != nil {
			t.Fatal(err)
		}
		p.sdo(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(pending.ID), nil).wantStatus(t, 200).decode(t, &got)
		if got.Status != "provisioned" || got.PersonID == "" {
			t.Errorf("after consent: %+v", got)
		}

		// Remove: 204, then gone, and the number is back.
		if r := p.sdo(t, "DELETE", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), nil).wantStatus(t, 204); len(r.Body) != 0 {
			t.Errorf("delete body: %q", r.Body)
		}
		p.do(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), nil, nil).wantStatus(t, 404)
		p.do(t, "DELETE", "/v1/wholesale/subscribers/"+url.PathEscape(ada.ID), nil, nil).wantStatus(t, 404)
		if s := numberState(t, en, numbers[1]); s != "available" {
			t.Errorf("number after delete: %s", s)
		}
	})
}

// TestSubscriberAPIErrors: bad requests are 4xx naming the field, in the
// wholesale error body; the scopes are the subscriber ones.
func TestSubscriberAPIErrors(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme").withExtensions() // the field at fault is Tenantry's
		tpl := p.createTemplate(t, "Standard")
		cid, hq := p.setupCustomer(t, tpl, "ext-1", nil, []string{"+14085550100"}, "webex_calling", "webex_meetings")
		p.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "taken@contoso.example",
			map[string]any{"extension": "100", "locationId": hq}, "webex_calling")).wantStatus(t, 200)

		calling := func(params map[string]any) map[string]any {
			return subscriberBody(cid, "new@contoso.example", params, "webex_calling")
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"package and packages", map[string]any{"customerId": cid, "email": "a@b.example", "package": "webex_meetings", "packages": []string{"webex_meetings"}}, 400, "packages"},
			{"no package", map[string]any{"customerId": cid, "email": "a@b.example"}, 400, "packages"},
			{"two packages", subscriberBody(cid, "a@b.example", nil, "webex_calling", "webex_meetings"), 400, "packages"},
			{"a workspace package", subscriberBody(cid, "a@b.example", nil, "common_area_calling"), 400, "packages[0]"},
			{"a package the customer lacks", subscriberBody(cid, "a@b.example", nil, "cx_premium_agent"), 400, "packages[0]"},
			{"no customer", map[string]any{"email": "a@b.example", "package": "webex_meetings"}, 400, "customerId"},
			{"unknown customer", subscriberBody("nope", "a@b.example", nil, "webex_meetings"), 400, "customerId"},
			{"bad email", subscriberBody(cid, "a@", nil, "webex_meetings"), 400, "email"},
			{"calling without number or extension", calling(map[string]any{"locationId": hq}), 400, "provisioningParameters"},
			{"calling without location", calling(map[string]any{"extension": "200"}), 400, "provisioningParameters.locationId"},
			{"unknown location", calling(map[string]any{"extension": "200", "locationId": "nope"}), 400, "provisioningParameters.locationId"},
			{"bad extension", calling(map[string]any{"extension": "2", "locationId": hq}), 400, "provisioningParameters.extension"},
			{"extension taken", calling(map[string]any{"extension": "100", "locationId": hq}), 409, "provisioningParameters.extension"},
			{"number not in the inventory", calling(map[string]any{"primaryPhoneNumber": "+14085550177", "locationId": hq}), 400, "provisioningParameters.primaryPhoneNumber"},
			{"number not E.164", calling(map[string]any{"primaryPhoneNumber": "4085550100", "locationId": hq}), 400, "provisioningParameters.primaryPhoneNumber"},
			{"email taken", subscriberBody(cid, "Taken@Contoso.example", nil, "webex_meetings"), 409, "email"},
			{"wrong type", map[string]any{"customerId": cid, "email": "a@b.example", "packages": "webex_meetings"}, 400, "packages"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p.do(t, "POST", "/v1/wholesale/subscribers", tt.body, nil).wantField(t, tt.status, tt.field)
			})
		}
		p.do(t, "POST", "/v1/wholesale/subscribers", "{", nil).wantStatus(t, 400)
		p.do(t, "POST", "/v1/wholesale/subscribers", "x", map[string]string{"Content-Type": "text/plain"}).wantStatus(t, 415)
		en.do(t, "GET", "/v1/wholesale/subscribers", "", nil, nil).wantStatus(t, 401)
		p.do(t, "PATCH", "/v1/wholesale/subscribers/x", nil, nil).wantStatus(t, 405)

		// A token with only the customer scopes may not touch subscribers;
		// one with only the read scope may only read.
		for _, tt := range []struct {
			scopes []string
			method string
			want   int
		}{
			{[]string{tenantry.ScopeCustomersRead, tenantry.ScopeCustomersWrite}, "GET", 403},
			{[]string{tenantry.ScopeSubscribersRead}, "GET", 200},
			{[]string{tenantry.ScopeSubscribersRead}, "POST", 403},
		} {
			tok := scopedToken(t, en, p, tt.scopes)
			var body any
			if tt.method == "POST" {
				body = subscriberBody(cid, "scoped@contoso.example", nil, "webex_meetings")
			}
			r := en.do(t, tt.method, "/v1/wholesale/subscribers", tok, body, nil).wantStatus(t, tt.want)
			if tt.want == 403 && !strings.Contains(string(r.Body), "spark-admin:wholesale_subscribers_") {
				t.Errorf("403 does not name the scope: %s", r.Body)
			}
		}
	})
}

// scopedToken stores a token of p's first admin with the given scopes, the
// way the database stores tokens (the SHA-256 of a "tnt_" token).
func scopedToken(t *testing.T, en *env, p *partner, scopes []string) string {
	t.Helper()
	var b [16]byte
	rand.Read(b[:])
	tok := "tnt_" + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(tok))
	q := `INSERT INTO api_tokens (id, partner_id, admin_id, token_hash, scopes, created) VALUES (?, ?, ?, ?, ?, 0)`
	if en.engine == "postgres" {
		q = strings.Replace(q, "(?, ?, ?, ?, ?, 0)", "($1, $2, $3, $4, $5, 0)", 1)
	}
	if _, err := en.db.SQL().ExecContext(t.Context(), q, "test-"+tok, p.ID, p.AdminID, hex.EncodeToString(sum[:]), strings.Join(scopes, " ")); err != nil {
		t.Fatalf("store token: %v", err)
	}
	return tok
}

// TestSubscriberIsolation: another partner's subscribers are not found by
// any operation and never listed; its customers cannot be named.
func TestSubscriberIsolation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		a, b := en.bootstrap(t, "Partner A"), en.bootstrap(t, "Partner B")
		aCust, _ := a.setupCustomer(t, a.createTemplate(t, "Standard"), "shared-ext", nil, nil, "webex_meetings")
		bCust, _ := b.setupCustomer(t, b.createTemplate(t, "Standard"), "shared-ext", nil, nil, "webex_meetings")
		var aSub subscriberDoc
		a.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(aCust, "a@a.example", nil, "webex_meetings")).wantStatus(t, 200).decode(t, &aSub)
		b.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(bCust, "b@b.example", nil, "webex_meetings")).wantStatus(t, 200)

		path := "/v1/wholesale/subscribers/" + url.PathEscape(aSub.ID)
		b.do(t, "GET", path, nil, nil).wantStatus(t, 404)
		b.do(t, "PUT", path, map[string]any{"package": "webex_meetings"}, nil).wantStatus(t, 404)
		b.do(t, "DELETE", path, nil, nil).wantStatus(t, 404)
		b.do(t, "POST", "/v1/subscribers/"+url.PathEscape(aSub.ID)+"/emails/consentMove", nil, nil).wantStatus(t, 404)
		bx := b.withExtensions() // the field at fault is Tenantry's
		bx.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(aCust, "x@b.example", nil, "webex_meetings"), nil).wantField(t, 400, "customerId")
		bx.do(t, "POST", "/v1/wholesale/subscribers/validate", subscriberBody(aCust, "x@b.example", nil, "webex_meetings"), nil).wantField(t, 400, "customerId")

		for _, q := range []string{"", "externalCustomerId=shared-ext", "customerId=" + url.QueryEscape(aCust), "email=a%40a.example"} {
			var l subscriberList
			b.sdo(t, "GET", withQuery("/v1/wholesale/subscribers", q), nil).wantStatus(t, 200).decode(t, &l)
			if slices.Contains(l.emails(), "a@a.example") {
				t.Errorf("B's list %q shows A's subscriber: %v", q, l.emails())
			}
		}
		var got subscriberDoc
		a.sdo(t, "GET", path, nil).wantStatus(t, 200).decode(t, &got)
		if got.ID != aSub.ID {
			t.Errorf("A's subscriber after B's attempts: %+v", got)
		}
		// The address is taken across partners (U3).
		bx.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(bCust, "a@a.example", nil, "webex_meetings"), nil).wantField(t, 409, "email")
	})
}

// TestSubscriberQuantityOverHTTP: with a quantity of 2, of six concurrent
// requests two are provisioned and four are refused naming the package.
func TestSubscriberQuantityOverHTTP(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme").withExtensions() // the field at fault is Tenantry's
		cid, _ := p.setupCustomer(t, p.createTemplate(t, "Standard"), "ext-q", map[string]int{"webex_meetings": 2}, nil, "webex_meetings")
		const n = 6
		status := make([]int, n)
		bodies := make([]*response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				bodies[i] = p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, fmt.Sprintf("u%d@q.example", i), nil, "webex_meetings"), nil)
				status[i] = bodies[i].Status
			})
		}
		wg.Wait()
		ok := 0
		for i, s := range status {
			switch s {
			case 200:
				ok++
			case 409:
				bodies[i].wantField(t, 409, "packages[0]")
				if !strings.Contains(string(bodies[i].Body), "webex_meetings") {
					t.Errorf("refusal does not name the package: %s", bodies[i].Body)
				}
			default:
				t.Errorf("status %d: %s", s, bodies[i].Body)
			}
		}
		if ok != 2 {
			t.Errorf("%d provisioned, want 2 (statuses %v)", ok, status)
		}
	})
}

// TestSubscriberListPages: the list pages as the reference says, 50 users
// unless max says otherwise and up to 100 per page (a larger max is served
// as 100, and the Link header says so), with RFC 5988 links to walk it;
// ISO 8601 times without a zone are read as UTC.
func TestSubscriberListPages(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme")
		cid, _ := p.setupCustomer(t, p.createTemplate(t, "Standard"), "ext-pages", nil, nil, "webex_meetings")
		const n = api.SubscriberPageDefault + 5
		a := p.actor(t)
		for i := range n {
			in := &tenantry.SubscriberInput{CustomerID: cid, Email: fmt.Sprintf("u%02d@pages.example", i), Packages: []string{"webex_meetings"}}
			if _, err := en.db.CreateSubscriber(t.Context(), a, in); err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
		}
		list := func(path string) (subscriberList, map[string]string) {
			t.Helper()
			var l subscriberList
			r := p.sdo(t, "GET", path, nil).wantStatus(t, 200)
			r.decode(t, &l)
			return l, links(r)
		}
		maxOf := func(link string) string {
			t.Helper()
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("link %q: %v", link, err)
			}
			return u.Query().Get("max")
		}

		// No max: 50, then the rest by following next.
		first, ls := list("/v1/wholesale/subscribers")
		if len(first.Items) != api.SubscriberPageDefault || ls["next"] == "" || maxOf(ls["first"]) != "50" {
			t.Fatalf("default page: %d items, links %v", len(first.Items), ls)
		}
		rest, ls := list(ls["next"])
		if len(rest.Items) != n-api.SubscriberPageDefault || ls["next"] != "" || ls["prev"] == "" {
			t.Errorf("second page: %d items, links %v", len(rest.Items), ls)
		}
		all := append(first.emails(), rest.emails()...)
		if len(all) != n || all[0] != "u00@pages.example" || all[n-1] != fmt.Sprintf("u%02d@pages.example", n-1) {
			t.Errorf("walking the pages gives %v", all)
		}

		// Up to 100 per page: a larger max is served as 100.
		big, ls := list("/v1/wholesale/subscribers?max=500")
		if len(big.Items) != n || maxOf(ls["first"]) != strconv.Itoa(api.SubscriberPageLimit) || ls["next"] != "" {
			t.Errorf("max=500: %d items, links %v", len(big.Items), ls)
		}
		some, ls := list("/v1/wholesale/subscribers?max=7&offset=7")
		if len(some.Items) != 7 || some.Items[0].Email != "u07@pages.example" || maxOf(ls["next"]) != "7" {
			t.Errorf("max=7&offset=7: %v, links %v", some.emails(), ls)
		}
		for _, q := range []string{"max=0", "max=-1", "max=ten", "max=99999999999999999999", "offset=-1"} {
			field, _, _ := strings.Cut(q, "=")
			p.withExtensions().do(t, "GET", "/v1/wholesale/subscribers?"+q, nil, nil).wantField(t, 400, field)
		}

		// ISO 8601 without a zone is UTC; with one, it is honoured.
		for _, q := range []string{"after=2000-01-01T00:00:00", "after=2000-01-01T00:00:00.5", "after=2000-01-01T01:00:00%2B0100",
			"lastStatusChange=2000-01-01T00:00:00", "after=946684800000"} {
			l, _ := list("/v1/wholesale/subscribers?max=100&" + q)
			if len(l.Items) != n {
				t.Errorf("%s: %d users, want %d", q, len(l.Items), n)
			}
		}
		if l, _ := list("/v1/wholesale/subscribers?after=2100-01-01T00:00:00"); len(l.Items) != 0 {
			t.Errorf("after 2100: %v", l.emails())
		}
	})
}

// TestSubscriberReferenceExamples sends the reference document's own
// request examples of the subscriber API, with its made-up ids replaced by
// real ones: each is accepted, and every answer validates against both
// documents. The update example writes its number "+1-240-555-1212": it
// is the same E.164 number as the create example's.
func TestSubscriberReferenceExamples(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme").withExtensions() // a user's name and number in an answer are Tenantry's
		cid, hq := p.setupCustomer(t, p.createTemplate(t, "Standard"), "ext-ref", nil, []string{"+12405551212"}, "webex_calling")

		example := func(path, method string) map[string]any {
			t.Helper()
			var m map[string]any
			if err := json.Unmarshal(refExample(t, en.specs, path, method), &m); err != nil {
				t.Fatal(err)
			}
			if _, ok := m["customerId"]; ok {
				m["customerId"] = cid
			}
			if pp, ok := m["provisioningParameters"].(map[string]any); ok {
				pp["locationId"] = hq
			}
			return m
		}

		var sub subscriberDoc
		p.sdo(t, "POST", "/v1/wholesale/subscribers", example("/wholesale/subscribers", "post")).wantStatus(t, 200).decode(t, &sub)
		pp := sub.ProvisioningParameters
		if sub.Email != "john.anderson@acme.com" || sub.Status != "provisioned" || !slices.Equal(sub.Packages, []string{"webex_calling"}) ||
			pp.FirstName != "John" || pp.LastName != "Andersen" || pp.PrimaryPhoneNumber != "+12405551212" || pp.Extension != "51212" || pp.LocationID != hq {
			t.Errorf("created from the example: %+v", sub)
		}
		if s := numberState(t, en, "+12405551212"); s != "assigned" {
			t.Errorf("number after create: %s", s)
		}

		var upd subscriberDoc
		p.sdo(t, "PUT", "/v1/wholesale/subscribers/"+url.PathEscape(sub.ID), example("/wholesale/subscribers/{subscriberId}", "put")).
			wantStatus(t, 200).decode(t, &upd)
		if upd.ProvisioningParameters.PrimaryPhoneNumber != "+12405551212" || upd.ProvisioningParameters.Extension != "5221" {
			t.Errorf("updated from the example: %+v", upd)
		}
		if s := numberState(t, en, "+12405551212"); s != "assigned" {
			t.Errorf("number after update: %s", s)
		}

		// The precheck example: customerId and email, nothing else.
		var pre struct {
			Message string `json:"message"`
		}
		p.sdo(t, "POST", "/v1/wholesale/subscribers/validate", example("/wholesale/subscribers/validate", "post")).wantStatus(t, 200).decode(t, &pre)
		if pre.Message != "success" {
			t.Errorf("precheck of the example: %+v", pre)
		}
	})
}

// waitPast waits until the clock is past the millisecond of ts, a time as
// the wire writes it.
func waitPast(t *testing.T, ts string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatal(err)
	}
	for !time.Now().Truncate(time.Millisecond).After(at) {
		time.Sleep(100 * time.Microsecond)
	}
}
