package api_test

import (
	"testing"
)

// TestAddCallingNeedsLocationAPI is rule C4 over HTTP: a meetings-only
// customer has its headquarters address as its first location; a PUT that
// adds webex_calling without a calling location is refused naming the
// field, and with one it is accepted and the headquarters takes it.
func TestAddCallingNeedsLocationAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		body := customerBody(tpl.ProvisioningID, "meet-1", "US", "webex_meetings")
		delete(body, "provisioningParameters")
		id := p.createCustomer(t, body, "")
		p.waitStatus(t, id, "provisioned")
		ls := p.listLocations(t, id, "")
		if len(ls) != 1 || !ls[0].Headquarters || ls[0].Name != "Customer meet-1" || ls[0].Address["city"] != "Milpitas" {
			t.Fatalf("locations of a meetings-only customer = %+v, want its headquarters address", ls)
		}

		path := "/v1/wholesale/customers/" + id
		p.withExtensions().do(t, "PUT", path, map[string]any{"packages": []string{"webex_meetings", "webex_calling"}}, nil).
			wantField(t, 400, "provisioningParameters.calling.location")
		if c := p.waitStatus(t, id, "provisioned"); len(c.Packages) != 1 {
			t.Errorf("refused update changed the packages: %v", c.Packages)
		}

		up := customerBody(tpl.ProvisioningID, "meet-1", "US", "webex_meetings", "webex_calling")
		delete(up, "provisioningId")
		set(up, "provisioningParameters.calling.location.name", "Calling Office")
		p.do(t, "PUT", path, up, nil).wantStatus(t, 202)
		p.waitStatus(t, id, "provisioned")
		if ls2 := p.listLocations(t, id, ""); len(ls2) != 1 || ls2[0].ID != ls[0].ID || ls2[0].Name != "Calling Office" || ls2[0].TimeZone != "America/Los_Angeles" {
			t.Errorf("locations after adding calling = %+v, want the headquarters %s as the calling location", ls2, ls[0].ID)
		}
	})
}
