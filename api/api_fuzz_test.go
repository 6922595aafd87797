package api_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// pidPlaceholder in a fuzz input is replaced by the provisioning id of the
// server's template, so that inputs can reach the checks behind it.
const pidPlaceholder = "PROVISIONING_ID"

// FuzzCustomerRequest posts arbitrary bytes as the body of a customer
// creation and of a precheck. Whatever the body, the answer is never a 5xx,
// always JSON, the wholesale error shape when it is a 4xx, and valid against
// both OpenAPI documents (do checks all of that on every response).
//
//	go test ./api -run=^$ -fuzz=FuzzCustomerRequest -fuzztime=30s
func FuzzCustomerRequest(f *testing.F) {
	var engine sqldbtest.Engine
	for _, e := range sqldbtest.Engines(f) {
		if e.Name == "sqlite" {
			engine = e
		}
	}
	if engine.URL == nil {
		f.Fatal("no SQLite engine")
	}
	en := newEnv(f, engine)
	p := en.bootstrap(f, "Fuzz Partner")
	tpl := p.createTemplate(f, "Standard")

	valid, err := json.Marshal(customerBody(pidPlaceholder, "fuzz-1", "US", "webex_calling", "webex_meetings"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		valid,
		[]byte(`{}`),
		[]byte(`null`),
		[]byte(`[]`),
		[]byte(`"x"`),
		[]byte(``),
		[]byte(`{"packages":"webex_calling"}`),
		[]byte(`{"provisioningId":"PROVISIONING_ID","externalId":"e","packages":["cisco_calling_plan"],"address":{"addressLine1":"a","city":"c","country":"AR"},"customerInfo":{"name":"n","primaryEmail":"a@b.co"}}`),
		[]byte(`{"address":{"addressLine1":"771 Alder Drive","city":"Milpitas","stateOrProvince":"CA","zipOrPostalCode":"95035","country":"US"},"customerInfo":{"primaryEmail":"john.anderson@acme.com"}}`),
		[]byte(`{"provisioningId":"PROVISIONING_ID","packages":["webex_calling"],"provisioningParameters":{"packages":{"limits":{"webex_calling":-1,"x":1e99}}}}`),
		[]byte(`{"externalId":"\u0000","orgId":"\ud800","customerInfo":{"name":"%","primaryEmail":"a@b"}}`),
		[]byte("{\"externalId\":\"\xff\xfe\"}"),
		[]byte(`{"provisioningParameters":{"calling":{"location":{"name":"x","address":{},"timezone":"../../etc/passwd","language":"x"}}}}`),
		[]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`),
	} {
		f.Add(seed)
	}

	paths := []string{"/v1/wholesale/customers", "/v1/wholesale/customers/validate"}
	f.Fuzz(func(t *testing.T, body []byte) {
		body = bytes.ReplaceAll(body, []byte(pidPlaceholder), []byte(tpl.ProvisioningID))
		for _, path := range paths {
			r := p.do(t, "POST", path, body, nil)
			switch {
			case r.Status >= 500:
				t.Fatalf("%s: %d for body %q", path, r.Status, body)
			case !json.Valid(r.Body):
				t.Fatalf("%s: %d with a body that is not JSON: %q", path, r.Status, r.Body)
			case r.Status >= 400:
				if r.Status != 400 && r.Status != 409 && r.Status != 413 {
					t.Errorf("%s: unexpected status %d: %s", path, r.Status, r.Body)
				}
				e := r.errorDoc(t)
				if e.Message == "" || len(e.Errors) == 0 || e.TrackingID == "" {
					t.Fatalf("%s: %d without the error shape: %s", path, r.Status, r.Body)
				}
			case path == "/v1/wholesale/customers":
				r.wantStatus(t, 202)
				acceptedID(t, en, r)
			default:
				checkPrecheckOK(t, r.wantStatus(t, 200))
			}
		}
	})
}
