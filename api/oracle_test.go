package api_test

import (
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestNoExistenceOracle: naming another partner's customer or template in
// a precheck says only that it is not found, before anything about the
// user is looked up: partner B cannot learn that partner A serves a person
// from a "taken" answer about A's customer.
func TestNoExistenceOracle(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		a, b := en.bootstrap(t, "Partner A"), en.bootstrap(t, "Partner B")
		aTpl := a.createTemplate(t, "Standard")
		aCust, _ := a.setupCustomer(t, aTpl, "a-1", nil, nil, "webex_meetings")
		a.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(aCust, "grace@a.example", nil, "webex_meetings")).wantStatus(t, 200)
		// A sees its own user's address taken. (The fields at fault are
		// Tenantry's: both partners ask for them.)
		a, b = a.withExtensions(), b.withExtensions()
		a.do(t, "POST", "/v1/wholesale/subscribers/validate", subscriberBody(aCust, "grace@a.example", nil, "webex_meetings"), nil).wantField(t, 409, "email")

		for _, body := range []map[string]any{
			subscriberBody(aCust, "grace@a.example", nil, "webex_meetings"),
			subscriberBody(aCust, "grace@a.example", nil),
			{"customerId": aCust, "email": "GRACE@a.example"},
		} {
			r := b.do(t, "POST", "/v1/wholesale/subscribers/validate", body, nil)
			doc := r.wantField(t, 400, "customerId")
			if len(doc.Errors) != 1 {
				t.Errorf("B's precheck of A's customer: %s", r.Body)
			}
		}
		r := b.do(t, "POST", "/v1/wholesale/subscribers/validate", map[string]any{"provisioningId": aTpl.ProvisioningID, "email": "grace@a.example",
			"customerInfo": map[string]any{"primaryEmail": "boss@b.example"}}, nil)
		if r.Status == 409 || r.Status < 400 {
			t.Errorf("B's precheck with A's template: %s", r)
		} else if doc := r.errorDoc(t); len(doc.Errors) != 1 || doc.Errors[0].Field != "provisioningId" {
			t.Errorf("B's precheck with A's template names %v, want provisioningId only", doc.fields())
		}
	})
}
