package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

const openapiPath = "openapi.json"

func loadOpenAPIDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(openapiPath)
	if err != nil {
		t.Fatalf("load %s: %v", openapiPath, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate %s: %v", openapiPath, err)
	}
	return doc
}

// The operations Tenantry serves; the document must describe exactly these.
var openapiOperations = []struct{ method, path string }{
	{"GET", "/wholesale/customers"},
	{"POST", "/wholesale/customers"},
	{"GET", "/wholesale/customers/{customerId}"},
	{"PUT", "/wholesale/customers/{customerId}"},
	{"DELETE", "/wholesale/customers/{customerId}"},
	{"POST", "/wholesale/customers/validate"},
	{"GET", "/wholesale/subPartners"},
	{"GET", "/wholesale/templates"},
	{"POST", "/wholesale/templates"},
	{"GET", "/wholesale/templates/{templateId}"},
	{"PUT", "/wholesale/templates/{templateId}"},
	{"DELETE", "/wholesale/templates/{templateId}"},
	{"GET", "/partner/admins"},
	{"GET", "/partner/subscriptions"},
	{"GET", "/openapi.json"},
}

var errorStatuses = []string{"400", "401", "403", "404", "405", "409", "413", "415", "422", "500", "503"}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPIDoc(t)

	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/v1" {
		t.Errorf("servers = %v, want one with url /v1", doc.Servers)
	}
	if ss := doc.Components.SecuritySchemes["bearer"]; ss == nil || ss.Value.Type != "http" || ss.Value.Scheme != "bearer" {
		t.Errorf("security scheme bearer missing or not http bearer")
	}

	want := map[string]bool{}
	for _, o := range openapiOperations {
		want[o.method+" "+o.path] = true
		op := operation(doc, o.method, o.path)
		if op == nil {
			t.Errorf("%s %s: operation missing", o.method, o.path)
			continue
		}
		checkOperation(t, doc, o.method, o.path, op)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !want[method+" "+path] {
				t.Errorf("%s %s: operation not in the list Tenantry serves", method, path)
			}
		}
	}
}

func operation(doc *openapi3.T, method, path string) *openapi3.Operation {
	item := doc.Paths.Value(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

func checkOperation(t *testing.T, doc *openapi3.T, method, path string, op *openapi3.Operation) {
	t.Helper()
	name := method + " " + path
	public := path == "/openapi.json" || strings.HasPrefix(path, "/approvals/") || strings.HasPrefix(path, "/consents/") // links carry their own token
	sec := doc.Security
	if op.Security != nil {
		sec = *op.Security
	}
	switch {
	case public && len(sec) != 0:
		t.Errorf("%s: must need no security", name)
	case !public && (len(sec) != 1 || sec[0]["bearer"] == nil):
		t.Errorf("%s: must need bearer security", name)
	}
	if !public {
		scope := "spark-admin:wholesale_customers_read"
		if method != "GET" {
			scope = "spark-admin:wholesale_customers_write"
		}
		if strings.Contains(path, "subscribers") { // the subscriber API has scopes of its own
			scope = strings.Replace(scope, "customers", "subscribers", 1)
		}
		if strings.HasPrefix(path, "/partner/tokens") { // tokens are managed with a scope of their own
			scope = "tenantry:api_tokens"
		}
		if !strings.Contains(op.Description, scope) {
			t.Errorf("%s: description does not name scope %s", name, scope)
		}
		for _, s := range errorStatuses {
			if op.Responses.Value(s) == nil {
				t.Errorf("%s: no %s response", name, s)
			}
		}
	}
	for status, r := range op.Responses.Map() {
		if r.Value.Headers["TrackingID"] == nil {
			t.Errorf("%s %s: no TrackingID header", name, status)
		}
		if status[0] == '4' || status[0] == '5' {
			mt := r.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/ErrorResponse" {
				t.Errorf("%s %s: body is not ErrorResponse", name, status)
			}
		}
	}
}

// validateResponse checks one response against the document, the way a
// response-validating middleware would.
func validateResponse(t *testing.T, doc *openapi3.T, method, path string, status int, header http.Header, body string) error {
	t.Helper()
	op := operation(doc, method, path)
	if op == nil {
		t.Fatalf("%s %s: operation missing", method, path)
	}
	req := httptest.NewRequest(method, "/v1"+path, nil)
	in := &openapi3filter.RequestValidationInput{
		Request: req,
		Route:   &routers.Route{Spec: doc, Server: doc.Servers[0], Path: path, PathItem: doc.Paths.Value(path), Method: method, Operation: op},
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if header == nil {
		header = http.Header{}
	}
	if body != "" && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes([]byte(body))
	return openapi3filter.ValidateResponse(context.Background(), out)
}

func TestOpenAPIResponseValidation(t *testing.T) {
	doc := loadOpenAPIDoc(t)
	loc := http.Header{"Location": {"/v1/wholesale/customers/c1"}}
	tests := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		ok           bool
	}{
		{"customer", "GET", "/wholesale/customers/{customerId}", 200, loc,
			`{"id":"c1","orgId":"o1","externalId":"e1","status":"provisioned","packages":["webex_calling"],
			  "address":{"addressLine1":"1 Main St","city":"Milpitas","country":"US"},
			  "resourceDetails":{"packages":[{"name":"webex_calling","status":"provisioned","quantity":5,"licenseIds":["l1"],"warnings":[],"errors":[]}]},
			  "errors":[{"errorCode":1,"description":"x"}],
			  "customerInfo":{"name":"Acme","primaryEmail":"a@acme.test","language":"en"},
			  "dataRegion":"EU","e911Enabled":true,"created":"2024-01-02T03:04:05.000Z","updated":"2024-01-02T03:04:05.000Z"}`, true},
		{"customer without status", "GET", "/wholesale/customers/{customerId}", 200, loc,
			`{"id":"c1","packages":[]}`, false},
		{"customer with bad status", "GET", "/wholesale/customers/{customerId}", 200, loc,
			`{"id":"c1","status":"done","packages":[]}`, false},
		{"customer with unknown package", "GET", "/wholesale/customers/{customerId}", 200, loc,
			`{"id":"c1","status":"provisioned","packages":["webex_bogus"]}`, false},
		{"customer with string errorCode", "GET", "/wholesale/customers/{customerId}", 200, loc,
			`{"id":"c1","status":"error","packages":[],"errors":[{"errorCode":"1","description":"x"}]}`, false},
		{"customer list", "GET", "/wholesale/customers", 200, http.Header{"Link": {`</v1/wholesale/customers?offset=10>; rel="next"`}},
			`{"items":[{"id":"c1","status":"provisioning","packages":["webex_meetings"]}]}`, true},
		{"customer list null items", "GET", "/wholesale/customers", 200, nil, `{"items":null}`, false},
		{"customer list bare array", "GET", "/wholesale/customers", 200, nil, `[]`, false},
		{"provision accepted", "POST", "/wholesale/customers", 202, loc, `{"url":"https://hub.test/v1/wholesale/customers/c1"}`, true},
		{"provision without Location", "POST", "/wholesale/customers", 202, nil, `{"url":"x"}`, false},
		{"update accepted", "PUT", "/wholesale/customers/{customerId}", 202, loc, `{"url":"x"}`, true},
		{"delete accepted", "DELETE", "/wholesale/customers/{customerId}", 202, nil, ``, true},
		{"unexpected status", "DELETE", "/wholesale/customers/{customerId}", 200, nil, ``, false},
		{"precheck", "POST", "/wholesale/customers/validate", 200, nil,
			`{"message":"success","info":[{"infoCode":100,"description":"ok"}]}`, true},
		{"precheck info object", "POST", "/wholesale/customers/validate", 200, nil,
			`{"message":"success","info":{"infoCode":100,"description":"ok"}}`, false},
		{"error", "POST", "/wholesale/customers/validate", 400, nil,
			`{"message":"bad","errors":[{"errorCode":400,"description":"address is required","field":"address"}],"trackingId":"t1"}`, true},
		{"error without trackingId", "GET", "/wholesale/customers", 401, nil,
			`{"message":"no","errors":[]}`, false},
		{"sub-partners", "GET", "/wholesale/subPartners", 200, nil,
			`{"items":[{"orgId":"o","name":"R","subscriptionId":"s","provisioningState":"active","created":"2024-01-02T03:04:05.000Z","billingStartDate":"2024-02-01T00:00:00.000Z"}],
			  "subPartners":[{"orgId":"o","name":"R","subscriptionId":"s","provisioningState":"active","created":"2024-01-02T03:04:05.000Z","billingStartDate":"2024-02-01T00:00:00.000Z"}]}`, true},
		{"sub-partners with nanoseconds", "GET", "/wholesale/subPartners", 200, nil,
			`{"items":[],"subPartners":[{"orgId":"o","provisioningState":"active","created":"2024-01-02T03:04:05.190585272Z"}]}`, false},
		{"sub-partners, the public fields only", "GET", "/wholesale/subPartners", 200, nil, `{"items":[{"orgId":"o","provisioningState":"active"}]}`, true},
		{"sub-partners without items", "GET", "/wholesale/subPartners", 200, nil, `{"subPartners":[]}`, false},
		{"sub-partner bad state", "GET", "/wholesale/subPartners", 200, nil,
			`{"items":[{"orgId":"o","provisioningState":"paused"}],"subPartners":[]}`, false},
		{"template created", "POST", "/wholesale/templates", 201, http.Header{"Location": {"/v1/wholesale/templates/t1"}},
			`{"id":"t1","provisioningId":"p1","name":"Std","country":"US","serviceProviderAdminId":"a1","subscriptionId":"s1",
			  "emailLanguage":"pt-BR","authentication":{"method":"saml","idpEntityId":"urn:x"},"brandName":"Std",
			  "allowAdminInviteEmails":false,"offerTypes":["wholesale","broadworks"],"webexToWebexCalling":true,
			  "created":"2024-01-02T03:04:05.000Z","updated":"2024-01-02T03:04:05.000Z"}`, true},
		{"template bad language", "GET", "/wholesale/templates/{templateId}", 200, nil,
			`{"id":"t1","provisioningId":"p1","name":"Std","country":"US","serviceProviderAdminId":"a1","subscriptionId":"s1",
			  "emailLanguage":"de","created":"2024-01-02T03:04:05.000Z","updated":"2024-01-02T03:04:05.000Z"}`, false},
		{"template deleted", "DELETE", "/wholesale/templates/{templateId}", 204, nil, ``, true},
		{"template in use", "DELETE", "/wholesale/templates/{templateId}", 409, nil,
			`{"message":"in use","errors":[{"errorCode":409,"description":"in use"}],"trackingId":"t"}`, true},
		{"admins", "GET", "/partner/admins", 200, nil,
			`{"items":[{"id":"a","email":"a@p.test","displayName":"A","role":"full_admin","language":"sv"}]}`, true},
		{"admin bad role", "GET", "/partner/admins", 200, nil, `{"items":[{"id":"a","email":"a@p.test","role":"owner"}]}`, false},
		{"subscriptions", "GET", "/partner/subscriptions", 200, nil,
			`{"items":[{"id":"s","name":"Main","maxQuantity":500,"created":"2024-01-02T03:04:05.000Z"}]}`, true},
		{"subscription fractional max", "GET", "/partner/subscriptions", 200, nil, `{"items":[{"id":"s","name":"M","maxQuantity":1.5}]}`, false},
		{"openapi", "GET", "/openapi.json", 200, nil, `{"openapi":"3.0.3"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateResponse(t, doc, tt.method, tt.path, tt.status, tt.header, tt.body)
			if tt.ok && err != nil {
				t.Errorf("want valid, got %v", err)
			}
			if !tt.ok && err == nil {
				t.Errorf("want invalid, got valid")
			} else if !tt.ok {
				t.Logf("rejected: %v", err)
			}
		})
	}
}

// TestErrorCodesDistinct: every reason has its own wire errorCode, but one
// that words a case of an older reason more precisely, which has the older
// one's.
func TestErrorCodesDistinct(t *testing.T) {
	seen := map[int]string{}
	for _, r := range tenantry.AllReasons {
		c := api.ErrorCodeOf(r)
		if old := tenantry.CodeReason(r); old != r {
			if !slices.Contains(tenantry.AllReasons, old) || api.ErrorCodeOf(old) != c {
				t.Errorf("reason %s refines %s but has errorCode %d, not %d", r, old, c, api.ErrorCodeOf(old))
			}
			continue
		}
		if other, ok := seen[c]; ok {
			t.Errorf("reasons %s and %s share errorCode %d", r, other, c)
		}
		seen[c] = r
	}
}

// publicSchemas pairs schemas of openapi.json with the public wholesale
// schemas they describe (Schema.property: an object the public schema
// writes in place).
var publicSchemas = map[string]string{
	"Customer": "Customer", "CustomerListResponse": "CustomerListResponse", "Address": "Address",
	"ResourceDetails": "ResourceDetails", "PackageDetail": "Package", "Error": "Error", "ResourceURL": "ResourceURL",
	"CustomerProvisioningPrecheckResponse": "CustomerProvisioningPrecheckResponse",
	"PrecheckInfo":                         "CustomerProvisioningPrecheckResponse.info",
	"SubPartner":                           "SubPartner", "SubPartnersListResponse": "SubPartnersListResponse",
	"Subscriber": "Subscriber", "SubscriberListResponse": "SubscriberListResponse",
	"ErrorDetail": "Error",
}

// TestOpenAPIPublicFields: in Tenantry's document, every field of a
// wholesale answer is one the public schema has, or is marked as
// Tenantry's extension (x-tenantry-extension), or as one of the few it
// sends beside the public fields whatever the client asks
// (x-tenantry-deviation); every public operation takes the Prefer header
// that asks for the extensions.
func TestOpenAPIPublicFields(t *testing.T) {
	ours, err := readJSONFile(openapiPath)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := readJSONFile(refDocPath)
	if err != nil {
		t.Fatal(err)
	}
	properties := func(doc map[string]any, name string) map[string]any {
		schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
		schema, prop, _ := strings.Cut(name, ".")
		m, _ := schemas[schema].(map[string]any)
		if prop != "" {
			m, _ = m["properties"].(map[string]any)[prop].(map[string]any)
		}
		props, _ := m["properties"].(map[string]any)
		if props == nil {
			t.Fatalf("no schema %s with properties", name)
		}
		return props
	}
	for mine, theirs := range publicSchemas {
		public := properties(ref, theirs)
		for name, v := range properties(ours, mine) {
			_, known := public[name]
			ext, _ := v.(map[string]any)["x-tenantry-extension"].(bool)
			dev, _ := v.(map[string]any)["x-tenantry-deviation"].(bool)
			switch {
			case known && (ext || dev):
				t.Errorf("%s.%s: the public %s has it, yet it is marked Tenantry's", mine, name, theirs)
			case !known && !ext && !dev:
				t.Errorf("%s.%s: the public %s lacks it, and it is not marked Tenantry's", mine, name, theirs)
			}
		}
	}

	doc := loadOpenAPIDoc(t)
	for _, o := range openapiOperations {
		public := strings.HasPrefix(o.path, "/wholesale/customers") && !strings.Contains(o.path, "}/") ||
			strings.HasPrefix(o.path, "/wholesale/subscribers") || o.path == "/wholesale/subPartners" || strings.HasPrefix(o.path, "/subscribers/")
		op := operation(doc, o.method, o.path)
		if op == nil {
			continue // TestOpenAPIDocument reports it
		}
		takes := slices.ContainsFunc(op.Parameters, func(p *openapi3.ParameterRef) bool { return p.Ref == "#/components/parameters/Prefer" })
		if takes != public {
			t.Errorf("%s %s: takes Prefer %v, want %v", o.method, o.path, takes, public)
		}
	}
}
