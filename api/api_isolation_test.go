package api_test

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPartnerIsolation checks that a partner sees and touches only its own
// customers and templates: another partner's are not found, never
// forbidden, so that their existence does not leak.
func TestPartnerIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		a := en.bootstrap(t, "Partner A")
		b := en.bootstrap(t, "Partner B")
		aTpl := a.createTemplate(t, "Standard")
		bTpl := b.createTemplate(t, "Standard") // the same name is free for another partner
		aID := a.createCustomer(t, customerBody(aTpl.ProvisioningID, "shared-ext", "US", "webex_calling", "webex_meetings"), "")
		aCust := a.waitStatus(t, aID, "provisioned")
		bID := b.createCustomer(t, customerBody(bTpl.ProvisioningID, "b-only", "US", "webex_meetings"), "")
		b.waitStatus(t, bID, "provisioned")

		// Lists hold only the caller's own.
		for _, q := range []string{"", "externalId=shared-ext", "orgId=" + url.QueryEscape(aCust.OrgID), "status=provisioned"} {
			want := []string{bID}
			if q != "" && q != "status=provisioned" {
				want = nil
			}
			if l, _ := b.listCustomers(t, q); !cmp.Equal(l.ids(), want) {
				t.Errorf("B lists ?%s = %v, want %v", q, l.ids(), want)
			}
		}
		if l, _ := a.listCustomers(t, ""); !cmp.Equal(l.ids(), []string{aID}) {
			t.Errorf("A lists %v, want only %s", l.ids(), aID)
		}
		var tl struct{ Items []templateDoc }
		b.do(t, "GET", "/v1/wholesale/templates", nil, nil).wantStatus(t, 200).decode(t, &tl)
		if len(tl.Items) != 1 || tl.Items[0].ID != bTpl.ID {
			t.Errorf("B's templates = %+v, want only its own %s", tl.Items, bTpl.ID)
		}

		// A's customer and template are not found by B, whatever the method.
		update := map[string]any{"packages": []string{"webex_meetings"}}
		tests := []struct {
			name         string
			method, path string
			body         any
		}{
			{"get customer", "GET", "/v1/wholesale/customers/" + aID, nil},
			{"get customer with licenses", "GET", "/v1/wholesale/customers/" + aID + "?includePackageLicenseInfo=true", nil},
			{"update customer", "PUT", "/v1/wholesale/customers/" + aID, update},
			{"delete customer", "DELETE", "/v1/wholesale/customers/" + aID, nil},
			{"get template", "GET", "/v1/wholesale/templates/" + aTpl.ID, nil},
			{"update template", "PUT", "/v1/wholesale/templates/" + aTpl.ID, b.templateBody("Taken over")},
			{"delete template", "DELETE", "/v1/wholesale/templates/" + aTpl.ID, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b.do(t, tt.method, tt.path, tt.body, nil).wantStatus(t, 404)
			})
		}

		// A's provisioning id is no template for B (rule T1).
		bx := b.withExtensions() // the field at fault is Tenantry's
		bx.do(t, "POST", "/v1/wholesale/customers/validate", customerBody(aTpl.ProvisioningID, "b-2", "US", "webex_meetings"), nil).
			wantField(t, 400, "provisioningId")
		bx.do(t, "POST", "/v1/wholesale/customers", customerBody(aTpl.ProvisioningID, "b-2", "US", "webex_meetings"), nil).
			wantField(t, 400, "provisioningId")
		// B's own external ids are its own: A's does not collide.
		b.createCustomer(t, customerBody(bTpl.ProvisioningID, "shared-ext", "US", "webex_meetings"), "")

		// A's customer and template are untouched.
		c := a.getCustomer(t, aID, "")
		if c.Status != "provisioned" || !cmp.Equal(sorted(c.Packages), []string{"webex_calling", "webex_meetings"}) {
			t.Errorf("A's customer after B's attempts: %+v", c)
		}
		var tpl templateDoc
		a.do(t, "GET", "/v1/wholesale/templates/"+aTpl.ID, nil, nil).wantStatus(t, 200).decode(t, &tpl)
		if tpl != aTpl {
			t.Errorf("A's template after B's attempts = %+v, want %+v", tpl, aTpl)
		}
	})
}
