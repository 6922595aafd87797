package api_test

// A client generated from the public wholesale document reads every answer
// strictly: openapi-generator's Java client throws on a field its schema
// lacks and on an enum value it does not know, and its Go client decodes
// with DisallowUnknownFields. The types here are the public schemas' fields
// and nothing else; strictDecode reads a body into them as such a client
// does, and checkInvariants applies it to every answer of a public
// operation that did not ask for Tenantry's fields.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// Each type's `schema` names the public schema it mirrors (Schema, or
// Schema.property for an object the schema writes in place); a field's
// `enum` names the public schema (or Schema.property) its values come
// from; `required` marks what Tenantry always sends (its own document
// says so too), which a client may rely on.

type pubAddress struct {
	_               struct{} `schema:"Address"`
	AddressLine1    string   `json:"addressLine1"`
	AddressLine2    string   `json:"addressLine2"`
	City            string   `json:"city"`
	StateOrProvince string   `json:"stateOrProvince"`
	ZipOrPostalCode string   `json:"zipOrPostalCode"`
	Country         string   `json:"country"`
}

// pubError is the public Error; errorCode is a number there.
type pubError struct {
	_           struct{} `schema:"Error"`
	ErrorCode   float64  `json:"errorCode" required:"true"`
	Description string   `json:"description" required:"true"`
}

type pubPackage struct {
	_          struct{}   `schema:"Package"`
	Name       string     `json:"name" required:"true" enum:"WholesalePackagesCustomer"`
	Status     string     `json:"status" required:"true" enum:"Package.status"`
	Warnings   []pubError `json:"warnings"`
	Errors     []pubError `json:"errors"`
	LicenseIDs []string   `json:"licenseIds"`
}

type pubResourceDetails struct {
	_        struct{}     `schema:"ResourceDetails"`
	Packages []pubPackage `json:"packages"`
}

type pubCustomer struct {
	_               struct{}            `schema:"Customer"`
	ID              string              `json:"id" required:"true"`
	OrgID           string              `json:"orgId"`
	ExternalID      string              `json:"externalId"`
	Address         *pubAddress         `json:"address"`
	Status          string              `json:"status" required:"true" enum:"Customer.status"`
	Packages        []string            `json:"packages" required:"true" enum:"WholesalePackagesCustomer"`
	ResourceDetails *pubResourceDetails `json:"resourceDetails"`
	Errors          []pubError          `json:"errors"`
}

type pubCustomerList struct {
	_     struct{}      `schema:"CustomerListResponse"`
	Items []pubCustomer `json:"items" required:"true"`
}

type pubResourceURL struct {
	_   struct{} `schema:"ResourceURL"`
	URL string   `json:"url" required:"true"`
	// Warnings are sent when the request was changed before it was
	// accepted: a strict client of the public schema refuses them, a
	// request that orders only what it sends never gets any.
	Warnings []pubError `json:"warnings" deviation:"warnings of an accepted request"`
}

// pubPrecheckInfo is one entry of a precheck's info: the schema types info
// as one object, its examples (and the service) send a list of them.
type pubPrecheckInfo struct {
	_           struct{} `schema:"CustomerProvisioningPrecheckResponse.info"`
	InfoCode    float64  `json:"infoCode" required:"true"`
	Description string   `json:"description" required:"true"`
}

type pubPrecheck struct {
	_        struct{}          `schema:"CustomerProvisioningPrecheckResponse"`
	Message  string            `json:"message" required:"true"`
	Info     []pubPrecheckInfo `json:"info" required:"true"`
	Warnings []pubError        `json:"warnings" deviation:"warnings of an accepted request"`
}

type pubSubscriber struct {
	_                  struct{}   `schema:"Subscriber"`
	ID                 string     `json:"id" required:"true"`
	PersonID           string     `json:"personId"`
	Email              string     `json:"email" required:"true"`
	CustomerID         string     `json:"customerId" required:"true"`
	ExternalCustomerID string     `json:"externalCustomerId"`
	Package            string     `json:"package" enum:"Subscriber.package"`
	Packages           []string   `json:"packages" required:"true" enum:"WholesalePackagesSubscriber"`
	Status             string     `json:"status" required:"true" enum:"Subscriber.status"`
	Errors             []pubError `json:"errors"`
	Created            string     `json:"created" required:"true"`
	LastStatusChange   string     `json:"lastStatusChange" required:"true"`
}

type pubSubscriberList struct {
	_     struct{}        `schema:"SubscriberListResponse"`
	Items []pubSubscriber `json:"items" required:"true"`
}

type pubSubPartner struct {
	_                 struct{} `schema:"SubPartner"`
	OrgID             string   `json:"orgId" required:"true"`
	SubscriptionID    string   `json:"subscriptionId"`
	ProvisioningState string   `json:"provisioningState" required:"true" enum:"SubPartner.provisioningState"`
	Created           string   `json:"created"`
	BillingStartDate  string   `json:"billingStartDate"`
}

type pubSubPartnerList struct {
	_     struct{}        `schema:"SubPartnersListResponse"`
	Items []pubSubPartner `json:"items" required:"true"`
	// SubPartners is the name the public example and Postman collection
	// give the list: both names carry it.
	SubPartners []pubSubPartner `json:"subPartners" required:"true" deviation:"the example's name of the list"`
}

// pubErrorBody is the error body of the Webex APIs, which the public
// document leaves without a schema: a message, the problems (each the
// public Error) and the tracking id.
type pubErrorBody struct {
	Message    string     `json:"message" required:"true"`
	Errors     []pubError `json:"errors" required:"true"`
	TrackingID string     `json:"trackingId" required:"true"`
}

// pubMirrors are the types that mirror a public schema, for the test that
// keeps them to the document.
var pubMirrors = []any{pubAddress{}, pubError{}, pubPackage{}, pubResourceDetails{}, pubCustomer{}, pubCustomerList{},
	pubResourceURL{}, pubPrecheckInfo{}, pubPrecheck{}, pubSubscriber{}, pubSubscriberList{}, pubSubPartner{}, pubSubPartnerList{}}

// publicOperations are the public document's operations as Tenantry serves
// them, with the public shape of each one's success body (nil: none).
var publicOperations = []struct {
	method, path string
	body         func() any
}{
	{"GET", "/v1/wholesale/customers", func() any { return new(pubCustomerList) }},
	{"POST", "/v1/wholesale/customers", func() any { return new(pubResourceURL) }},
	{"POST", "/v1/wholesale/customers/validate", func() any { return new(pubPrecheck) }},
	{"GET", "/v1/wholesale/customers/{}", func() any { return new(pubCustomer) }},
	{"PUT", "/v1/wholesale/customers/{}", func() any { return new(pubResourceURL) }},
	{"DELETE", "/v1/wholesale/customers/{}", nil},
	{"GET", "/v1/wholesale/subPartners", func() any { return new(pubSubPartnerList) }},
	{"GET", "/v1/wholesale/subscribers", func() any { return new(pubSubscriberList) }},
	{"POST", "/v1/wholesale/subscribers", func() any { return new(pubSubscriber) }},
	{"POST", "/v1/wholesale/subscribers/validate", func() any { return new(pubPrecheck) }},
	{"GET", "/v1/wholesale/subscribers/{}", func() any { return new(pubSubscriber) }},
	{"PUT", "/v1/wholesale/subscribers/{}", func() any { return new(pubSubscriber) }},
	{"DELETE", "/v1/wholesale/subscribers/{}", nil},
	{"POST", "/v1/subscribers/{}/emails/consentMove", nil},
}

// publicOperation finds the public operation a request (its escaped path)
// is; the literal segments win, as the server's routes do ("validate").
func publicOperation(method, path string) (body func() any, ok bool) {
	segs := strings.Split(path, "/")
	best := -1
	for i, op := range publicOperations {
		want := strings.Split(op.path, "/")
		if op.method != method && !(method == "HEAD" && op.method == "GET") || len(want) != len(segs) {
			continue
		}
		match := true
		for j := range want {
			if want[j] != "{}" && want[j] != segs[j] || want[j] == "{}" && segs[j] == "" {
				match = false
				break
			}
		}
		if match && (best < 0 || !strings.Contains(op.path, "{}")) {
			best = i
		}
	}
	if best < 0 {
		return nil, false
	}
	return publicOperations[best].body, true
}

// checkPublicAnswer checks an answer of a public operation: its Vary and
// Preference-Applied headers, and, when the client did not ask for
// Tenantry's fields, that a strict client reads its body.
func checkPublicAnswer(s *specs, method, path string, r *response) []error {
	body, ok := publicOperation(method, path)
	if !ok {
		return nil
	}
	var errs []error
	if !slices.Contains(headerTokens(r.Header, "Vary"), "prefer") {
		errs = append(errs, fmt.Errorf("Vary %q does not name Prefer", r.Header.Values("Vary")))
	}
	asked := preferred(r.Request)
	switch applied := r.Header.Get("Preference-Applied"); {
	case asked && applied != "tenantry-extensions":
		errs = append(errs, fmt.Errorf("Preference-Applied %q for a client that asked for tenantry-extensions", applied))
	case !asked && applied != "":
		errs = append(errs, fmt.Errorf("Preference-Applied %q for a client that asked for nothing", applied))
	}
	if asked {
		return errs
	}
	var v any
	switch {
	case r.Status >= 400:
		v = new(pubErrorBody)
	case body != nil:
		v = body()
	case len(r.Body) > 0:
		errs = append(errs, fmt.Errorf("a body where the public document has none: %s", truncate(r.Body, 200)))
	}
	if v != nil {
		if err := strictDecode(s, r.Body, v); err != nil {
			errs = append(errs, fmt.Errorf("strict client: %v", err))
		}
	}
	return errs
}

// preferred reports whether request headers h ask for Tenantry's fields.
func preferred(h http.Header) bool {
	return slices.Contains(headerTokens(h, "Prefer"), "tenantry-extensions")
}

// headerTokens are the comma-separated names of header name's values,
// lower-cased, without values or parameters.
func headerTokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			t, _, _ = strings.Cut(t, ";")
			t, _, _ = strings.Cut(t, "=")
			out = append(out, strings.ToLower(strings.TrimSpace(t)))
		}
	}
	return out
}

// strictDecode reads body into v as a generated client does: a field the
// type lacks, at any depth, is an error (encoding/json applies
// DisallowUnknownFields to nested objects too), as is anything after the
// value, a required field that is missing or null, and a value outside its
// enum.
func strictDecode(s *specs, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return err
	}
	var errs []error
	checkSchema(s, raw, reflect.TypeOf(v).Elem(), "", &errs)
	return errors.Join(errs...)
}

// checkSchema checks the required fields and enum values of raw, read as
// type t, at path.
func checkSchema(s *specs, raw any, t reflect.Type, path string, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		list, _ := raw.([]any)
		for i, e := range list {
			checkSchema(s, e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Struct:
		obj, _ := raw.(map[string]any)
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			at := strings.TrimPrefix(path+"."+name, ".")
			v := obj[name]
			if v == nil {
				if f.Tag.Get("required") == "true" {
					*errs = append(*errs, fmt.Errorf("%s: required, missing", at))
				}
				continue
			}
			if enum := f.Tag.Get("enum"); enum != "" {
				allowed := s.publicEnum(enum)
				if len(allowed) == 0 {
					*errs = append(*errs, fmt.Errorf("%s: no enum %s in the public document", at, enum))
				}
				vals, list := v.([]any)
				if !list {
					vals = []any{v}
				}
				for _, x := range vals {
					if str, _ := x.(string); !slices.Contains(allowed, str) {
						*errs = append(*errs, fmt.Errorf("%s: %v is not one of %s", at, x, strings.Join(allowed, ", ")))
					}
				}
			}
			checkSchema(s, v, f.Type, at, errs)
		}
	}
}

// publicSchema finds a schema of the public document by name: Schema, or
// Schema.property (the property's own schema, or that of its items, with
// references followed).
func (s *specs) publicSchema(name string) map[string]any {
	schemas, _ := s.refRaw["components"].(map[string]any)["schemas"].(map[string]any)
	follow := func(m map[string]any) map[string]any {
		for m != nil {
			if items, ok := m["items"].(map[string]any); ok {
				m = items
				continue
			}
			ref, ok := m["$ref"].(string)
			if !ok {
				return m
			}
			m, _ = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		}
		return nil
	}
	schema, prop, _ := strings.Cut(name, ".")
	m, _ := schemas[schema].(map[string]any)
	if prop == "" {
		return m
	}
	props, _ := m["properties"].(map[string]any)
	p, _ := props[prop].(map[string]any)
	return follow(p)
}

// publicEnum is the enum of a public schema (publicSchema's name).
func (s *specs) publicEnum(name string) []string {
	var out []string
	list, _ := s.publicSchema(name)["enum"].([]any)
	for _, v := range list {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// TestPublicMirrors keeps the mirrors to the public document: each has
// exactly the fields of the schema it names.
func TestPublicMirrors(t *testing.T) {
	s, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range pubMirrors {
		typ := reflect.TypeOf(v)
		f, _ := typ.FieldByName("_")
		name := f.Tag.Get("schema")
		props, _ := s.publicSchema(name)["properties"].(map[string]any)
		if props == nil {
			// Schema.property names an object written in place.
			schema, prop, _ := strings.Cut(name, ".")
			p, _ := s.publicSchema(schema)["properties"].(map[string]any)[prop].(map[string]any)
			props, _ = p["properties"].(map[string]any)
		}
		if props == nil {
			t.Errorf("%s: no public schema %q with properties", typ.Name(), name)
			continue
		}
		var want, got []string
		for k := range props {
			want = append(want, k)
		}
		for _, f := range reflect.VisibleFields(typ) {
			if f.Tag.Get("deviation") != "" {
				continue // sent on purpose, beside the public fields
			}
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
				got = append(got, name)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s mirrors %s with %v, the public schema has %v", typ.Name(), name, got, want)
		}
	}
}

// TestStrictClient reads every kind of answer of the public operations as
// a client generated from the public document does (strictDecode):
// customers (with licences, quantities, package errors and warnings),
// their lists, acceptances, prechecks, subscribers (provisioned and
// pending) and their lists, sub-partners, and the errors a client meets.
// Each must hold the public fields only, every required one, and only
// values of the public enums.
func TestStrictClient(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme")
		if _, err := en.db.CreateSubPartner(t.Context(), p.ID, "Reseller"); err != nil {
			t.Fatal(err)
		}
		tpl := p.createTemplate(t, "Standard")
		strict := func(r *response, v any) {
			t.Helper()
			if err := strictDecode(en.specs, r.Body, v); err != nil {
				t.Errorf("%s %s → %d: a strict client refuses it: %v\nbody: %s", r.Method, r.Path, r.Status, err, truncate(r.Body, 2000))
			}
			if h := r.Header.Get("Preference-Applied"); h != "" {
				t.Errorf("%s %s: Preference-Applied %q, asked for nothing", r.Method, r.Path, h)
			}
		}
		const limits = "provisioningParameters.packages.limits"

		// A customer with quantities, and a quantity for a package it does
		// not order (ignored: Tenantry would warn of it).
		body := set(customerBody(tpl.ProvisioningID, "strict-1", "US", "webex_calling", "webex_meetings", "attendant_console"),
			limits, map[string]any{"webex_calling": 10, "webex_meetings": 10, "attendant_console": 5, "webex_suite": 3})
		var url1 pubResourceURL
		r := p.do(t, "POST", "/v1/wholesale/customers", body, nil).wantStatus(t, 202)
		strict(r, &url1)
		id := acceptedID(t, en, r)
		// A meetings customer without a time zone (a package warning), and
		// one in a country without calling (a package in error).
		warned := customerBody(tpl.ProvisioningID, "strict-2", "US", "webex_meetings")
		delete(warned, "provisioningParameters")
		warnedID := p.createCustomer(t, warned, "")
		failedID := p.createCustomer(t, customerBody(tpl.ProvisioningID, "strict-3", "AR", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")
		p.waitStatus(t, warnedID, "provisioned")
		p.waitStatus(t, failedID, "provisioned_with_errors")

		var c pubCustomer
		r = p.do(t, "GET", "/v1/wholesale/customers/"+id+"?includePackageLicenseInfo=true", nil, nil).wantStatus(t, 200)
		strict(r, &c)
		if c.ID != id || c.Status != "provisioned" || c.Address == nil || c.Address.Country != "US" || c.ResourceDetails == nil ||
			len(c.ResourceDetails.Packages) != 3 || len(c.ResourceDetails.Packages[0].LicenseIDs) == 0 {
			t.Errorf("customer: %s", r.Body)
		}
		if loc := r.Header.Get("Location"); loc != url1.URL {
			t.Errorf("GET customer: Location %q, want %q", loc, url1.URL)
		}
		r = p.do(t, "GET", "/v1/wholesale/customers/"+warnedID, nil, nil).wantStatus(t, 200)
		strict(r, &c)
		if pk := c.ResourceDetails.Packages; len(pk) != 1 || len(pk[0].Warnings) != 1 || pk[0].Warnings[0].Description == "" {
			t.Errorf("customer with a warning: %s", r.Body)
		}
		r = p.do(t, "GET", "/v1/wholesale/customers/"+failedID, nil, nil).wantStatus(t, 200)
		strict(r, &c)
		if !slices.ContainsFunc(c.ResourceDetails.Packages, func(p pubPackage) bool { return p.Status == "error" && len(p.Errors) == 1 }) {
			t.Errorf("customer with a package in error: %s", r.Body)
		}
		var cl pubCustomerList
		for _, q := range []string{"", "?max=1&offset=1", "?status=provisioned,provisioned_with_errors"} {
			r = p.do(t, "GET", "/v1/wholesale/customers"+q, nil, nil).wantStatus(t, 200)
			strict(r, &cl)
		}
		r = p.do(t, "PUT", "/v1/wholesale/customers/"+id, map[string]any{"packages": []string{"webex_calling", "webex_meetings", "attendant_console"},
			"provisioningParameters": map[string]any{"packages": map[string]any{"limits": map[string]any{
				"webex_calling": 10, "webex_meetings": 10, "attendant_console": 5, "webex_voice": 1}}}}, nil).wantStatus(t, 202)
		strict(r, &pubResourceURL{})

		var pre pubPrecheck
		r = p.do(t, "POST", "/v1/wholesale/customers/validate", set(customerBody(tpl.ProvisioningID, "strict-4", "US", "webex_calling"),
			limits, map[string]any{"webex_calling": 1, "webex_suite": 1}), nil).wantStatus(t, 200)
		strict(r, &pre)
		if pre.Message != "success" || len(pre.Info) != 1 || pre.Info[0].InfoCode != api.PrecheckInfoCode {
			t.Errorf("customer precheck: %s", r.Body)
		}

		// Subscribers: provisioned, pending, read, listed, changed, prechecked.
		cid, hq := p.setupCustomer(t, tpl, "strict-5", nil, []string{"+14085550100"}, "webex_calling", "webex_meetings")
		var sub pubSubscriber
		r = p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "ada@strict.example",
			map[string]any{"firstName": "Ada", "primaryPhoneNumber": "+14085550100", "extension": "100", "locationId": hq}, "webex_calling"), nil).wantStatus(t, 200)
		strict(r, &sub)
		if sub.Email != "ada@strict.example" || sub.Package != "webex_calling" || sub.PersonID == "" {
			t.Errorf("subscriber: %s", r.Body)
		}
		if err := en.db.AddFreeAccount(t.Context(), "free@strict.example"); err != nil {
			t.Fatal(err)
		}
		var pending pubSubscriber
		r = p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "free@strict.example", nil, "webex_meetings"), nil).wantStatus(t, 202)
		strict(r, &pending)
		if pending.Status != "pending_user_migration" {
			t.Errorf("pending subscriber: %s", r.Body)
		}
		path := "/v1/wholesale/subscribers/" + sub.ID
		strict(p.do(t, "GET", path, nil, nil).wantStatus(t, 200), &pubSubscriber{})
		strict(p.do(t, "PUT", path, map[string]any{"provisioningParameters": map[string]any{"extension": "101"}}, nil).wantStatus(t, 200), &pubSubscriber{})
		for _, q := range []string{"", "?customerId=" + cid + "&max=1", "?status=pending_user_migration"} {
			strict(p.do(t, "GET", "/v1/wholesale/subscribers"+q, nil, nil).wantStatus(t, 200), &pubSubscriberList{})
		}
		strict(p.do(t, "POST", "/v1/wholesale/subscribers/validate", subscriberBody(cid, "new@strict.example", nil, "webex_meetings"), nil).wantStatus(t, 200), &pubPrecheck{})
		if r := p.do(t, "POST", "/v1/subscribers/"+pending.ID+"/emails/consentMove", nil, nil).wantStatus(t, 204); len(r.Body) != 0 {
			t.Errorf("consentMove answered a body: %s", r.Body)
		}

		// Sub-partners.
		var sps pubSubPartnerList
		strict(p.do(t, "GET", "/v1/wholesale/subPartners", nil, nil).wantStatus(t, 200), &sps)
		if len(sps.Items) != 1 || sps.Items[0].ProvisioningState != "active" {
			t.Errorf("sub-partners: %+v", sps)
		}

		// The errors a client meets: each the Webex error body, no field
		// at fault (Tenantry's).
		readOnly := scopedToken(t, en, p, []string{tenantry.ScopeCustomersRead})
		for _, tt := range []struct {
			name string
			r    *response
			want int
		}{
			{"bad body", p.do(t, "POST", "/v1/wholesale/customers", set(customerBody(tpl.ProvisioningID, "strict-6", "US", "webex_calling"), "address.country", "XX"), nil), 400},
			{"bad subscriber", p.do(t, "POST", "/v1/wholesale/subscribers/validate", map[string]any{"email": "nope"}, nil), 400},
			{"bad query", p.do(t, "GET", "/v1/wholesale/customers?max=0&status=done", nil, nil), 400},
			{"no token", en.do(t, "GET", "/v1/wholesale/customers", "", nil, nil), 401},
			{"bad token", en.do(t, "GET", "/v1/wholesale/subscribers", "tnt_nope", nil, nil), 401},
			{"scope", en.do(t, "POST", "/v1/wholesale/customers", readOnly, customerBody(tpl.ProvisioningID, "strict-7", "US", "webex_calling"), nil), 403},
			{"no such customer", p.do(t, "GET", "/v1/wholesale/customers/nobody", nil, nil), 404},
			{"no such subscriber", p.do(t, "DELETE", "/v1/wholesale/subscribers/nobody", nil, nil), 404},
			{"method", p.do(t, "PATCH", "/v1/wholesale/customers/"+id, `{}`, nil), 405},
			{"taken external id", p.do(t, "POST", "/v1/wholesale/customers/validate", customerBody(tpl.ProvisioningID, "strict-1", "US", "webex_calling"), nil), 409},
			{"taken address", p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "ada@strict.example", nil, "webex_meetings"), nil), 409},
			{"not JSON", p.do(t, "POST", "/v1/wholesale/customers", "x", map[string]string{"Content-Type": "text/plain"}), 415},
		} {
			tt.r.wantStatus(t, tt.want)
			var eb pubErrorBody
			strict(tt.r, &eb)
			if len(eb.Errors) == 0 || eb.TrackingID != tt.r.Header.Get("TrackingID") {
				t.Errorf("%s: %s", tt.name, tt.r.Body)
			}
		}

		// Removal: no body, as the public document has it.
		if r := p.do(t, "DELETE", path, nil, nil).wantStatus(t, 204); len(r.Body) != 0 {
			t.Errorf("DELETE subscriber answered a body: %s", r.Body)
		}
		if r := p.do(t, "DELETE", "/v1/wholesale/customers/"+failedID, nil, nil).wantStatus(t, 202); len(r.Body) != 0 {
			t.Errorf("DELETE customer answered a body: %s", r.Body)
		}
	})
}

// TestPreferExtensions: `Prefer: tenantry-extensions` brings back
// Tenantry's fields on the public operations, and the answer says it did;
// Tenantry's own operations answer alike whatever the client prefers.
func TestPreferExtensions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme")
		px := p.withExtensions()
		if _, err := en.db.CreateSubPartner(t.Context(), p.ID, "Reseller"); err != nil {
			t.Fatal(err)
		}
		tpl := p.createTemplate(t, "Standard")
		const limits = "provisioningParameters.packages.limits"
		applied := func(r *response) *response {
			t.Helper()
			if r.Header.Get("Preference-Applied") != api.PreferExtensions || !slices.Contains(headerTokens(r.Header, "Vary"), "prefer") {
				t.Errorf("%s %s: Preference-Applied %q, Vary %q", r.Method, r.Path, r.Header.Get("Preference-Applied"), r.Header.Values("Vary"))
			}
			return r
		}
		object := func(r *response) map[string]any {
			t.Helper()
			var m map[string]any
			r.decode(t, &m)
			return m
		}
		has := func(what string, m map[string]any, keys ...string) {
			t.Helper()
			for _, k := range keys {
				if _, ok := m[k]; !ok {
					t.Errorf("%s: no %s in %v", what, k, m)
				}
			}
		}

		// A creation with an ignored quantity: its warning.
		body := set(customerBody(tpl.ProvisioningID, "ext-1", "US", "webex_calling", "webex_meetings"),
			limits, map[string]any{"webex_calling": 10, "webex_meetings": 10, "webex_suite": 3})
		r := applied(px.do(t, "POST", "/v1/wholesale/customers", body, nil).wantStatus(t, 202))
		has("accepted", object(r), "url", "warnings")
		id := acceptedID(t, en, r)
		px.waitStatus(t, id, "provisioned")

		// The customer: info, region, E911, times, quantities.
		c := object(applied(px.do(t, "GET", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 200)))
		has("customer", c, "customerInfo", "dataRegion", "e911Enabled", "created", "updated")
		for _, pk := range c["resourceDetails"].(map[string]any)["packages"].([]any) {
			has("package", pk.(map[string]any), "quantity")
		}
		items := object(applied(px.do(t, "GET", "/v1/wholesale/customers", nil, nil).wantStatus(t, 200)))["items"].([]any)
		has("listed customer", items[0].(map[string]any), "customerInfo", "dataRegion", "e911Enabled", "created", "updated")
		has("precheck", object(applied(px.do(t, "POST", "/v1/wholesale/customers/validate",
			set(customerBody(tpl.ProvisioningID, "ext-2", "US", "webex_calling"), limits, map[string]any{"webex_calling": 1, "webex_suite": 1}), nil).
			wantStatus(t, 200))), "message", "info", "warnings")

		// A subscriber: its parameters and last change.
		cid, hq := p.setupCustomer(t, tpl, "ext-3", nil, nil, "webex_calling")
		sub := object(applied(px.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "ada@ext.example",
			map[string]any{"firstName": "Ada", "extension": "100", "locationId": hq}, "webex_calling"), nil).wantStatus(t, 200)))
		has("subscriber", sub, "provisioningParameters", "updated")
		if pp := sub["provisioningParameters"].(map[string]any); pp["firstName"] != "Ada" || pp["extension"] != "100" || pp["locationId"] != hq {
			t.Errorf("subscriber parameters: %v", pp)
		}
		subs := object(applied(px.do(t, "GET", "/v1/wholesale/subscribers", nil, nil).wantStatus(t, 200)))["items"].([]any)
		has("listed subscriber", subs[0].(map[string]any), "provisioningParameters", "updated")

		// Sub-partners: their names, and the page under both names.
		sps := object(applied(px.do(t, "GET", "/v1/wholesale/subPartners", nil, nil).wantStatus(t, 200)))
		has("sub-partners", sps, "items", "subPartners")
		has("sub-partner", sps["items"].([]any)[0].(map[string]any), "name")

		// Errors: the field at fault.
		ed := applied(px.do(t, "POST", "/v1/wholesale/customers", set(body, "address.country", "XX"), nil).wantStatus(t, 400)).errorDoc(t)
		if !slices.Contains(ed.fields(), "address.country") {
			t.Errorf("error with extensions names %v, want address.country", ed.fields())
		}

		// The preference among others, in any case; a name that only
		// begins like it is another preference.
		for _, prefer := range []string{"return=minimal, Tenantry-Extensions", "tenantry-extensions; x=1", "TENANTRY-EXTENSIONS"} {
			r := applied(p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, map[string]string{"Prefer": prefer}).wantStatus(t, 200))
			has(prefer, object(r), "customerInfo")
		}
		r = p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, map[string]string{"Prefer": "tenantry-extensions-v2, return=minimal"}).wantStatus(t, 200)
		if _, ok := object(r)["customerInfo"]; ok || r.Header.Get("Preference-Applied") != "" {
			t.Errorf("Prefer tenantry-extensions-v2 applied Tenantry's: %s", r.Body)
		}

		// Tenantry's own operations: their fields always, and no word of
		// the preference.
		for _, r := range []*response{
			px.do(t, "GET", "/v1/wholesale/templates/"+tpl.ID, nil, nil).wantStatus(t, 200),
			p.do(t, "GET", "/v1/wholesale/templates/"+tpl.ID, nil, nil).wantStatus(t, 200),
		} {
			if r.Header.Get("Preference-Applied") != "" || slices.Contains(headerTokens(r.Header, "Vary"), "prefer") {
				t.Errorf("%s: Preference-Applied %q, Vary %q on an operation of Tenantry's", r.Path, r.Header.Get("Preference-Applied"), r.Header.Values("Vary"))
			}
			has("template", object(r), "created", "updated", "emailLanguage")
		}
		if e := p.do(t, "POST", "/v1/wholesale/templates", map[string]any{}, nil).wantStatus(t, 400).errorDoc(t); slices.Contains(e.fields(), "") {
			t.Errorf("a template error without the preference names no field: %v", e.fields())
		}
	})
}
