package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

// TestErrors checks how the API refuses requests it cannot serve: the
// status, the field named and the error code. do checks the rest of every
// error (the wholesale error shape, the documents, never a 5xx).
func TestErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		other := en.bootstrap(t, "Partner B")
		tpl := p.createTemplate(t, "Standard")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "err-1", "US", "webex_calling"), "")
		p.waitStatus(t, id, "provisioned")
		customer := "/v1/wholesale/customers/" + id
		valid := customerBody(tpl.ProvisioningID, "err-2", "US", "webex_meetings")
		huge := `{"externalId":"` + strings.Repeat("a", api.MaxBody) + `"}`

		tests := []struct {
			name         string
			method, path string
			body         any
			headers      map[string]string
			status       int
			field        string // the field named, if any
			reason       string // the reason of the (first) error, if checked
			allow        string // the Allow header of a 405
		}{
			{name: "malformed JSON", method: "POST", path: "/v1/wholesale/customers", body: `{"packages": [`,
				status: 400, reason: tenantry.ReasonMalformedJSON},
			{name: "not JSON at all", method: "POST", path: "/v1/wholesale/customers", body: `packages=webex_calling`,
				status: 400, reason: tenantry.ReasonMalformedJSON},
			{name: "empty body", method: "POST", path: "/v1/wholesale/customers", body: ``,
				status: 400, reason: tenantry.ReasonMalformedJSON},
			{name: "data after the JSON", method: "POST", path: "/v1/wholesale/customers/validate", body: `{} {}`,
				status: 400, reason: tenantry.ReasonMalformedJSON},
			{name: "packages as a string", method: "POST", path: "/v1/wholesale/customers", body: set(customerBody(tpl.ProvisioningID, "x", "US"), "packages", "webex_calling"),
				status: 400, field: "packages", reason: tenantry.ReasonWrongType},
			{name: "packages as a string on update", method: "PUT", path: customer, body: `{"packages":"webex_calling"}`,
				status: 400, field: "packages", reason: tenantry.ReasonWrongType},
			{name: "address as an array", method: "POST", path: "/v1/wholesale/customers/validate", body: `{"address":[]}`,
				status: 400, field: "address", reason: tenantry.ReasonWrongType},
			{name: "quantity as a string", method: "POST", path: "/v1/wholesale/customers",
				body:   set(customerBody(tpl.ProvisioningID, "x", "US", "webex_calling"), "provisioningParameters.packages.limits", map[string]any{"webex_calling": "10"}),
				status: 400, field: "provisioningParameters.packages.limits.webex_calling", reason: tenantry.ReasonWrongType},
			{name: "quantity too large", method: "POST", path: "/v1/wholesale/customers",
				body:   set(customerBody(tpl.ProvisioningID, "x", "US", "webex_calling"), "provisioningParameters.packages.limits", map[string]any{"webex_calling": 1e30}),
				status: 400, reason: tenantry.ReasonWrongType},
			{name: "text/plain", method: "POST", path: "/v1/wholesale/customers", body: valid,
				headers: map[string]string{"Content-Type": "text/plain"}, status: 415, reason: tenantry.ReasonUnsupportedMedia},
			{name: "no Content-Type", method: "POST", path: "/v1/wholesale/customers/validate", body: valid,
				headers: map[string]string{"Content-Type": ""}, status: 415, reason: tenantry.ReasonUnsupportedMedia},
			{name: "form on update", method: "PUT", path: customer, body: "packages=webex_calling",
				headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415},
			{name: "body over 1 MiB", method: "POST", path: "/v1/wholesale/customers", body: huge, status: 413, reason: tenantry.ReasonBodyTooLarge},
			{name: "body over 1 MiB on update", method: "PUT", path: customer, body: huge, status: 413},
			{name: "body over 1 MiB on a template", method: "POST", path: "/v1/wholesale/templates", body: huge, status: 413},
			{name: "unknown template field", method: "POST", path: "/v1/wholesale/templates",
				body: set(p.templateBody("Colourful"), "colour", "red"), status: 400, field: "colour", reason: tenantry.ReasonUnknownField},
			{name: "template field of the wrong type", method: "POST", path: "/v1/wholesale/templates",
				body: set(p.templateBody("Typed"), "allowAdminInviteEmails", "yes"), status: 400, field: "allowAdminInviteEmails", reason: tenantry.ReasonWrongType},
			{name: "PATCH a customer", method: "PATCH", path: customer, body: `{}`, status: 405, allow: "GET, PUT, DELETE"},
			{name: "POST to a customer", method: "POST", path: customer, body: valid, status: 405, allow: "GET, PUT, DELETE"},
			{name: "DELETE the customer list", method: "DELETE", path: "/v1/wholesale/customers", status: 405, allow: "GET, POST"},
			{name: "PUT the sub-partner list", method: "PUT", path: "/v1/wholesale/subPartners", body: `{}`, status: 405, allow: "GET"},
			{name: "unknown path", method: "GET", path: "/v1/nope", status: 404, reason: tenantry.ReasonNotFound},
			{name: "unknown path under customers", method: "GET", path: customer + "/licenses", status: 404},
			{name: "unknown version", method: "GET", path: "/v1/wholesale/subscribers/x/y/z", status: 404},
			{name: "no such customer", method: "GET", path: "/v1/wholesale/customers/nobody", status: 404, reason: tenantry.ReasonNotFound},
			{name: "update of no such customer, bad body", method: "PUT", path: "/v1/wholesale/customers/nobody", body: `{"packages":[]}`, status: 404},
			{name: "delete of no such customer", method: "DELETE", path: "/v1/wholesale/customers/nobody", status: 404},
			{name: "no such template", method: "GET", path: "/v1/wholesale/templates/nothing", status: 404},
			{name: "includePackageLicenseInfo not a boolean", method: "GET", path: customer + "?includePackageLicenseInfo=maybe",
				status: 400, field: "includePackageLicenseInfo", reason: tenantry.ReasonInvalidEnum},
			{name: "unknown status filter", method: "GET", path: "/v1/wholesale/customers?status=done",
				status: 400, field: "status", reason: tenantry.ReasonInvalidEnum},
			{name: "negative offset", method: "GET", path: "/v1/wholesale/customers?offset=-1", status: 400, field: "offset", reason: tenantry.ReasonInvalidNumber},
			{name: "max zero", method: "GET", path: "/v1/wholesale/customers?max=0", status: 400, field: "max"},
			{name: "max not a number", method: "GET", path: "/v1/wholesale/subPartners?max=ten", status: 400, field: "max"},
			{name: "template without required fields", method: "POST", path: "/v1/wholesale/templates", body: `{}`,
				status: 400, field: "serviceProviderAdminId", reason: tenantry.ReasonRequired},
			{name: "duplicate template name", method: "POST", path: "/v1/wholesale/templates", body: p.templateBody("standard"),
				status: 409, field: "name", reason: tenantry.ReasonTemplateNameTaken},
			{name: "SAML without an entity id (T3)", method: "POST", path: "/v1/wholesale/templates",
				body: set(p.templateBody("SAML"), "authentication", map[string]any{"method": "saml"}), status: 400,
				field: "authentication.idpEntityId", reason: tenantry.ReasonIdPEntityIDRequired},
			{name: "Webex-to-Webex with one offer type (T5)", method: "POST", path: "/v1/wholesale/templates",
				body: set(p.templateBody("W2W"), "webexToWebexCalling", true), status: 400, field: "webexToWebexCalling"},
			{name: "another partner's admin and subscription", method: "POST", path: "/v1/wholesale/templates",
				body: other.templateBody("Borrowed"), status: 400, field: "subscriptionId", reason: tenantry.ReasonSubscriptionNotFound},
			{name: "template in use", method: "DELETE", path: "/v1/wholesale/templates/" + tpl.ID, status: 409, reason: tenantry.ReasonTemplateInUse},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := p.do(t, tt.method, tt.path, tt.body, tt.headers).wantStatus(t, tt.status)
				at := 0 // the error checked for its code: the first, or the field's
				if tt.field != "" {
					// The field at fault is Tenantry's: asked for, it is named.
					r = p.withExtensions().do(t, tt.method, tt.path, tt.body, tt.headers)
					r.wantField(t, tt.status, tt.field)
					at = slices.IndexFunc(r.errorDoc(t).Errors, func(x errorEntry) bool { return x.Field == tt.field })
				}
				e := r.errorDoc(t)
				if tt.reason != "" && at >= 0 && e.Errors[at].ErrorCode != api.ErrorCodeOf(tt.reason) {
					t.Errorf("errorCode = %d, want %d (%s)", e.Errors[at].ErrorCode, api.ErrorCodeOf(tt.reason), tt.reason)
				}
				if tt.allow != "" && r.Header.Get("Allow") != tt.allow {
					t.Errorf("Allow = %q, want %q", r.Header.Get("Allow"), tt.allow)
				}
			})
		}
		// Nothing refused was created or changed.
		if l, _ := p.listCustomers(t, ""); !cmp.Equal(l.ids(), []string{id}) {
			t.Errorf("customers = %v, want only %s", l.ids(), id)
		}
		if c := p.getCustomer(t, id, ""); c.Status != "provisioned" || !cmp.Equal(c.Packages, []string{"webex_calling"}) {
			t.Errorf("refused requests changed the customer: %+v", c)
		}
		var tl struct{ Items []templateDoc }
		p.do(t, "GET", "/v1/wholesale/templates", nil, nil).wantStatus(t, 200).decode(t, &tl)
		if len(tl.Items) != 1 {
			t.Errorf("templates = %+v, want only the first", tl.Items)
		}
		// An unused template can go.
		unused := p.createTemplate(t, "Unused")
		p.do(t, "DELETE", "/v1/wholesale/templates/"+unused.ID, nil, nil).wantStatus(t, 204)
		p.do(t, "GET", "/v1/wholesale/templates/"+unused.ID, nil, nil).wantStatus(t, 404)
	})
}

// TestErrorLanguages checks that errors are written in the language the
// caller asks for.
func TestErrorLanguages(t *testing.T) {
	scripts := map[string]*unicode.RangeTable{"ko": unicode.Hangul, "ar": unicode.Arabic}
	forEachEngine(t, func(t *testing.T, en *env) {
		// Each error names its field (Tenantry's), to be matched across
		// languages.
		p := en.bootstrap(t, "Partner A").withExtensions()
		english := p.do(t, "POST", "/v1/wholesale/customers", `{}`, map[string]string{"Accept-Language": "en"}).wantStatus(t, 400)
		if english.Header.Get("Content-Language") != "en" {
			t.Errorf("Content-Language = %q, want en", english.Header.Get("Content-Language"))
		}
		en0 := english.errorDoc(t)
		if en0.Message != en.tr.Message("en", tenantry.ReasonInvalidRequest, nil) {
			t.Errorf("English message = %q", en0.Message)
		}
		for _, lang := range []string{"pt-BR", "es", "sv", "ko", "ar"} {
			t.Run(lang, func(t *testing.T) {
				r := p.do(t, "POST", "/v1/wholesale/customers", `{}`, map[string]string{"Accept-Language": lang}).wantStatus(t, 400)
				if got := r.Header.Get("Content-Language"); got != lang {
					t.Errorf("Content-Language = %q, want %q", got, lang)
				}
				e := r.errorDoc(t)
				if e.Message == en0.Message {
					t.Errorf("message is the English one: %q", e.Message)
				}
				if want := en.tr.Message(lang, tenantry.ReasonInvalidRequest, nil); e.Message != want {
					t.Errorf("message = %q, want %q", e.Message, want)
				}
				if len(e.Errors) != len(en0.Errors) {
					t.Fatalf("%d errors, English has %d", len(e.Errors), len(en0.Errors))
				}
				for i, x := range e.Errors {
					if x.Description == en0.Errors[i].Description {
						t.Errorf("errors[%d] is in English: %q", i, x.Description)
					}
					if x.ErrorCode != en0.Errors[i].ErrorCode || x.Field != en0.Errors[i].Field {
						t.Errorf("errors[%d] = %d %s, English has %d %s", i, x.ErrorCode, x.Field, en0.Errors[i].ErrorCode, en0.Errors[i].Field)
					}
					if !strings.Contains(x.Description, x.Field) {
						t.Errorf("errors[%d] does not name %s: %q", i, x.Field, x.Description)
					}
				}
				if rt := scripts[lang]; rt != nil && !strings.ContainsFunc(e.Message, func(r rune) bool { return unicode.Is(rt, r) }) {
					t.Errorf("%s message has no %s script: %q", lang, lang, e.Message)
				}
				// Other errors too: a 401 and a 404.
				for _, rr := range []*response{
					en.do(t, "GET", "/v1/wholesale/customers", "", nil, map[string]string{"Accept-Language": lang}).wantStatus(t, 401),
					p.do(t, "GET", "/v1/nope", nil, map[string]string{"Accept-Language": lang}).wantStatus(t, 404),
				} {
					if rr.Header.Get("Content-Language") != lang {
						t.Errorf("%s %s: Content-Language %q, want %q", rr.Method, rr.Path, rr.Header.Get("Content-Language"), lang)
					}
				}
			})
		}
		// Preferences are weighed; an unsupported language falls back to English.
		for header, want := range map[string]string{"fr;q=0.9, sv;q=0.5": "sv", "de": "en", "pt": "pt-BR", "es-MX": "es", "": "en", ";;;": "en"} {
			h := map[string]string{"Accept-Language": header}
			if header == "" {
				h = nil
			}
			r := p.do(t, "POST", "/v1/wholesale/customers", `{}`, h).wantStatus(t, 400)
			if got := r.Header.Get("Content-Language"); got != want {
				t.Errorf("Accept-Language %q: Content-Language %q, want %q", header, got, want)
			}
		}
	})
}

// TestNoServerErrors sends inputs that reach the database in odd shapes:
// NUL bytes, invalid UTF-8, extreme numbers. Each must be answered with a
// 4xx (or an empty result), never a 5xx; do fails the test on any 5xx.
func TestNoServerErrors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "odd-1", "US", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")
		put := map[string]any{"packages": []string{"webex_meetings"}}
		tests := []struct {
			name         string
			method, path string
			body         any
			headers      map[string]string
			status       []int // any of these
		}{
			{"NUL customer id", "GET", "/v1/wholesale/customers/%00", nil, nil, []int{404}},
			{"invalid UTF-8 customer id", "GET", "/v1/wholesale/customers/%FF%FE", nil, nil, []int{404}},
			{"NUL customer id on update", "PUT", "/v1/wholesale/customers/a%00b", put, nil, []int{404}},
			{"NUL customer id on delete", "DELETE", "/v1/wholesale/customers/%00", nil, nil, []int{404}},
			{"NUL template id", "GET", "/v1/wholesale/templates/%00", nil, nil, []int{404}},
			{"invalid UTF-8 template id on delete", "DELETE", "/v1/wholesale/templates/%C3%28", nil, nil, []int{404}},
			{"NUL externalId filter", "GET", "/v1/wholesale/customers?externalId=%00", nil, nil, []int{200, 400}},
			{"invalid UTF-8 orgId filter", "GET", "/v1/wholesale/customers?orgId=%FF", nil, nil, []int{200, 400}},
			{"NUL sub-partner", "GET", "/v1/wholesale/customers?onBehalfOfSubPartnerOrgId=%00", nil, nil, []int{400}},
			{"huge offset", "GET", "/v1/wholesale/customers?offset=9223372036854775807", nil, nil, []int{200, 400}},
			{"offset beyond the int range", "GET", "/v1/wholesale/customers?offset=99999999999999999999", nil, nil, []int{400}},
			{"NUL provisioningId on precheck", "POST", "/v1/wholesale/customers/validate",
				set(customerBody(tpl.ProvisioningID, "odd-2", "US", "webex_meetings"), "provisioningId", "a\x00b"), nil, []int{400}},
			{"NUL provisioningId on create", "POST", "/v1/wholesale/customers",
				set(customerBody(tpl.ProvisioningID, "odd-3", "US", "webex_meetings"), "provisioningId", "\x00"), nil, []int{400}},
			{"NUL externalId on precheck", "POST", "/v1/wholesale/customers/validate",
				customerBody(tpl.ProvisioningID, "odd\x00", "US", "webex_meetings"), nil, []int{400}},
			{"NUL orgId on precheck", "POST", "/v1/wholesale/customers/validate",
				set(customerBody(tpl.ProvisioningID, "odd-4", "US", "webex_meetings"), "orgId", "\x00"), nil, []int{400}},
			{"NUL quantity key", "POST", "/v1/wholesale/customers",
				set(customerBody(tpl.ProvisioningID, "odd-5", "US", "webex_meetings"), "provisioningParameters.packages.limits", map[string]any{"\x00": 1}), nil, []int{400}},
			{"invalid UTF-8 Idempotency-Key", "POST", "/v1/wholesale/customers",
				customerBody(tpl.ProvisioningID, "odd-6", "US", "webex_meetings"), map[string]string{"Idempotency-Key": "k\xff\xfe"}, []int{202, 400}},
			{"NUL template name", "POST", "/v1/wholesale/templates", p.templateBody("T\x00"), nil, []int{400}},
			{"deeply nested JSON", "POST", "/v1/wholesale/customers/validate", strings.Repeat("[", 100000), nil, []int{400}},
			{"TrackingID too long is replaced", "GET", "/v1/wholesale/customers", nil, map[string]string{"TrackingID": strings.Repeat("t", 200)}, []int{200}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := p.do(t, tt.method, tt.path, tt.body, tt.headers)
				if !slices.Contains(tt.status, r.Status) {
					t.Errorf("status %d, want one of %v; body %s", r.Status, tt.status, r.Body)
				}
				if r.Status == 200 && tt.method == "GET" && strings.HasPrefix(tt.path, "/v1/wholesale/customers?") {
					var l customerList
					r.decode(t, &l)
					if strings.Contains(tt.path, "offset") && links(r)["next"] != "" {
						t.Errorf("a page past the end has a next link: %q", r.Header.Get("Link"))
					}
					if strings.Contains(tt.path, "TrackingID") || tt.headers["TrackingID"] != "" {
						if tid := r.Header.Get("TrackingID"); len(tid) > 128 {
							t.Errorf("TrackingID of %d characters echoed", len(tid))
						}
					}
				}
			})
		}
		// The TrackingID a caller sends is echoed, in the header and in errors.
		r := p.do(t, "GET", "/v1/wholesale/customers/nobody", nil, map[string]string{"TrackingID": "CALLER_123"}).wantStatus(t, 404)
		if r.Header.Get("TrackingID") != "CALLER_123" || r.errorDoc(t).TrackingID != "CALLER_123" {
			t.Errorf("TrackingID not echoed: header %q body %s", r.Header.Get("TrackingID"), r.Body)
		}
		// The customer is untouched.
		if c := p.getCustomer(t, id, ""); c.Status != "provisioned" {
			t.Errorf("customer status = %s", c.Status)
		}
	})
}

// TestResponseValidator checks the checks do makes, on made-up responses:
// a validator that accepts anything would make every other test vacuous.
func TestResponseValidator(t *testing.T) {
	s, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	h := func(kv ...string) http.Header {
		out := http.Header{"Trackingid": {"T1"}, "Content-Type": {"application/json"}}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	customer := `{"id":"c1","status":"provisioned","packages":["webex_calling"],"resourceDetails":{"packages":[{"name":"webex_calling","status":"provisioned"}]},"dataRegion":"US","e911Enabled":true}`
	errBody := `{"message":"m","errors":[{"errorCode":10003,"description":"d"}],"trackingId":"T1"}`
	tests := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		want         []string // substrings of the errors; none: valid
	}{
		{"valid customer", "GET", "/v1/wholesale/customers/c1", 200, h("Location", "http://x/v1/wholesale/customers/c1"), customer, nil},
		{"unknown status", "GET", "/v1/wholesale/customers/c1", 200, h("Location", "http://x/v1/wholesale/customers/c1"), strings.Replace(customer, `"provisioned",`, `"done",`, 1),
			[]string{"openapi.json", "reference"}},
		{"unknown package", "GET", "/v1/wholesale/customers", 200, h(), `{"items":[` + strings.Replace(customer, `["webex_calling"]`, `["webex_bogus"]`, 1) + `]}`,
			[]string{"openapi.json", "reference"}},
		{"null items", "GET", "/v1/wholesale/customers", 200, h(), `{"items":null}`, []string{"openapi.json"}},
		{"precheck info array", "POST", "/v1/wholesale/customers/validate", 200, h(), `{"message":"success","info":[{"infoCode":100,"description":"ok"}]}`, nil},
		{"precheck info object", "POST", "/v1/wholesale/customers/validate", 200, h(), `{"message":"success","info":{"infoCode":100,"description":"ok"}}`,
			[]string{"openapi.json", "reference"}},
		{"precheck info code as text", "POST", "/v1/wholesale/customers/validate", 200, h(), `{"message":"success","info":[{"infoCode":"100","description":"ok"}]}`,
			[]string{"openapi.json", "reference"}},
		{"accepted without Location", "POST", "/v1/wholesale/customers", 202, h(), `{"url":"u"}`, []string{"openapi.json"}},
		{"accepted", "POST", "/v1/wholesale/customers", 202, h("Location", "http://x/v1/wholesale/customers/c1"), `{"url":"http://x/v1/wholesale/customers/c1"}`, nil},
		{"deleted", "DELETE", "/v1/wholesale/customers/c1", 202, http.Header{"Trackingid": {"T1"}}, ``, nil},
		{"server error", "GET", "/v1/wholesale/customers", 500, h(), errBody, []string{"server error"}},
		{"error", "GET", "/v1/wholesale/customers/c1", 404, h(), errBody, nil},
		{"error without errors", "GET", "/v1/wholesale/customers/c1", 404, h(), `{"message":"m","errors":[],"trackingId":"T1"}`, []string{"errors is missing or empty"}},
		{"error with a text code", "GET", "/v1/wholesale/customers/c1", 400, h(), `{"message":"m","errors":[{"errorCode":"E1","description":"d"}],"trackingId":"T1"}`,
			[]string{"not an integer", "openapi.json"}},
		{"error without trackingId", "GET", "/v1/wholesale/customers/c1", 400, h(), `{"message":"m","errors":[{"errorCode":1,"description":"d"}]}`,
			[]string{"no trackingId", "openapi.json"}},
		{"unknown path with a non-error body", "GET", "/v1/nope", 404, h(), `{"items":[]}`, []string{"ErrorResponse"}},
		{"success on an undocumented operation", "PATCH", "/v1/wholesale/customers/c1", 200, h(), `{}`, []string{"undocumented"}},
		{"no TrackingID", "GET", "/v1/wholesale/customers", 200, http.Header{"Content-Type": {"application/json"}}, `{"items":[]}`, []string{"TrackingID"}},
		{"not JSON", "GET", "/v1/partner/admins", 200, h(), `items`, []string{"not valid JSON"}},
		{"admin with an unknown role", "GET", "/v1/partner/admins", 200, h(), `{"items":[{"id":"a","email":"a@b.c","role":"owner"}]}`, []string{"openapi.json"}},
		{"sub-partner with an unknown state", "GET", "/v1/wholesale/subPartners", 200, h(), `{"items":[{"orgId":"o","provisioningState":"paused"}]}`,
			[]string{"openapi.json", "reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			errs := checkInvariants(s, u, &response{Method: tt.method, Path: tt.path, Status: tt.status, Header: tt.header, Body: []byte(tt.body)})
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			joined := strings.Join(all, "\n")
			if len(tt.want) == 0 && len(errs) > 0 {
				t.Errorf("want valid, got:\n%s", joined)
			}
			if len(tt.want) > 0 && len(errs) == 0 {
				t.Errorf("want invalid (%v), got valid", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("no error mentioning %q in:\n%s", w, joined)
				}
			}
		})
	}
}

// placeholderRE finds a message placeholder ({field}, {max}, …) that was
// left unfilled.
var placeholderRE = regexp.MustCompile(`\{[A-Za-z]+\}`)

// TestErrorMessagesFilled checks that no error message shows a raw
// placeholder: the top-level message as much as each entry's description,
// in every language.
func TestErrorMessagesFilled(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		ctx := context.Background()
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "taken", "US", "webex_meetings"), "")
		sp, err := en.db.CreateSubPartner(ctx, p.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		if err := en.db.SetSubPartnerState(ctx, p.ID, sp.ID, "suspended"); err != nil {
			t.Fatal(err)
		}
		key := map[string]string{"Idempotency-Key": "k1"}
		p.do(t, "POST", "/v1/wholesale/customers/validate", `{}`, key).wantStatus(t, 400)
		tests := []struct {
			name         string
			method, path string
			body         any
			headers      map[string]string
			status       int
		}{
			{"invalid request", "POST", "/v1/wholesale/customers", `{}`, nil, 400},
			{"external id taken", "POST", "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "taken", "US", "webex_meetings"), nil, 409},
			{"unknown template", "POST", "/v1/wholesale/customers", customerBody("nope", "free", "US", "webex_meetings"), nil, 400},
			{"wrong type", "POST", "/v1/wholesale/customers", `{"packages":"webex_calling"}`, nil, 400},
			{"unknown field", "POST", "/v1/wholesale/templates", `{"colour":"red"}`, nil, 400},
			{"template name taken", "POST", "/v1/wholesale/templates", p.templateBody("Standard"), nil, 409},
			{"bad boolean", "GET", "/v1/wholesale/customers/x?includePackageLicenseInfo=maybe", nil, nil, 400},
			{"bad status filter", "GET", "/v1/wholesale/customers?status=done", nil, nil, 400},
			{"unknown sub-partner", "GET", "/v1/wholesale/customers?onBehalfOfSubPartnerOrgId=nope", nil, nil, 400},
			{"suspended sub-partner", "POST", "/v1/wholesale/customers?onBehalfOfSubPartnerOrgId=" + url.QueryEscape(sp.ID),
				customerBody(tpl.ProvisioningID, "sus", "US", "webex_meetings"), nil, 403},
			{"idempotency key reused", "POST", "/v1/wholesale/customers/validate", `{"address":{}}`, key, 422},
			{"idempotency key too long", "POST", "/v1/wholesale/customers/validate", `{}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 300)}, 400},
			{"not found", "GET", "/v1/wholesale/customers/nobody", nil, nil, 404},
			{"method", "PATCH", "/v1/wholesale/customers/nobody", `{}`, nil, 405},
			{"media type", "POST", "/v1/wholesale/customers", `{}`, map[string]string{"Content-Type": "text/plain"}, 415},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, lang := range []string{"en", "pt-BR", "es", "sv", "ko", "ar"} {
					h := map[string]string{"Accept-Language": lang}
					for k, v := range tt.headers {
						h[k] = v
					}
					e := p.do(t, tt.method, tt.path, tt.body, h).wantStatus(t, tt.status).errorDoc(t)
					if m := placeholderRE.FindString(e.Message); m != "" {
						t.Errorf("%s: message has the raw placeholder %s: %q", lang, m, e.Message)
					}
					for _, x := range e.Errors {
						if m := placeholderRE.FindString(x.Description); m != "" {
							t.Errorf("%s: description has the raw placeholder %s: %q", lang, m, x.Description)
						}
					}
				}
			})
		}
	})
}

// TestAddressErrorsReadable: a postal code or a state that does not fit
// the country is told with an example of what fits, in the caller's
// language and naming the field, never as the pattern behind the rule; the
// errorCode stays the one an invalid value always had.
func TestAddressErrorsReadable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A").withExtensions() // the field at fault is Tenantry's
		tpl := p.createTemplate(t, "Standard")
		tests := []struct {
			field, value, lang string
			want               []string
		}{
			{"address.zipOrPostalCode", "9513", "en", []string{"12345 or 12345-6789", "United States"}},
			{"address.zipOrPostalCode", "9513", "es", []string{"12345 o 12345-6789", "Estados Unidos"}},
			{"address.zipOrPostalCode", "9513", "ko", []string{"12345 또는 12345-6789", "미국"}},
			{"address.zipOrPostalCode", "9513", "ar", []string{"12345 أو 12345-6789"}},
			{"address.stateOrProvince", "Texas", "en", []string{"Texas", "TX"}},
			{"address.stateOrProvince", "Texas", "sv", []string{"Texas", "TX", "förkortningen"}},
			{"address.stateOrProvince", "Texas", "pt-BR", []string{"Texas", "TX", "sigla"}},
		}
		for _, tt := range tests {
			body := set(customerBody(tpl.ProvisioningID, "addr-1", "US", "webex_meetings"), tt.field, tt.value)
			r := p.do(t, "POST", "/v1/wholesale/customers/validate", body, map[string]string{"Accept-Language": tt.lang})
			e := r.wantField(t, 400, tt.field)
			for _, x := range e.Errors {
				if x.Field != tt.field {
					continue
				}
				if x.ErrorCode != api.ErrorCodeOf(tenantry.ReasonInvalidEnum) {
					t.Errorf("%s %s: errorCode %d, want %d as before", tt.lang, tt.field, x.ErrorCode, api.ErrorCodeOf(tenantry.ReasonInvalidEnum))
				}
				for _, w := range tt.want {
					if !strings.Contains(x.Description, w) {
						t.Errorf("%s %s: %q lacks %q", tt.lang, tt.field, x.Description, w)
					}
				}
				if strings.ContainsAny(x.Description, `^$\`) || strings.Contains(x.Description, "AL AK AZ") {
					t.Errorf("%s %s: %q shows the rule, not an example", tt.lang, tt.field, x.Description)
				}
			}
		}
	})
}
