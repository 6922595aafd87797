package tenantry_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"foreign", errors.New("disk full"), tenantry.EINTERNAL},
		{"ours", tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "customer"), tenantry.ENOTFOUND},
		{"wrapped", fmt.Errorf("create: %w", tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonExternalIDTaken)), tenantry.ECONFLICT},
	}
	for _, tt := range tests {
		if got := tenantry.ErrorCode(tt.err); got != tt.want {
			t.Errorf("%s: ErrorCode = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAsError(t *testing.T) {
	if got := tenantry.AsError(errors.New("boom")); got.Code != tenantry.EINTERNAL || got.Reason != tenantry.ReasonInternal {
		t.Errorf("AsError(foreign) = %+v", got)
	}
	e := tenantry.FieldError(tenantry.EINVALID, "externalId", tenantry.ReasonExternalIDTaken, "value", "ext-1")
	want := &tenantry.Error{
		Code: tenantry.EINVALID, Reason: tenantry.ReasonExternalIDTaken, Params: map[string]string{"value": "ext-1"},
		Problems: []tenantry.Problem{{Field: "externalId", Reason: tenantry.ReasonExternalIDTaken, Params: map[string]string{"value": "ext-1"}}},
	}
	if diff := cmp.Diff(want, tenantry.AsError(fmt.Errorf("wrap: %w", e))); diff != "" {
		t.Errorf("AsError (-want +got):\n%s", diff)
	}
	if got, want := e.Error(), "invalid: external_id_taken; externalId: external_id_taken"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAllReasonsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range tenantry.AllReasons {
		if r == "" || seen[r] {
			t.Errorf("reason %q empty or listed twice", r)
		}
		seen[r] = true
	}
}

func TestActorCanWrite(t *testing.T) {
	tests := []struct {
		name string
		sub  *tenantry.Partner
		want bool
	}{
		{"own behalf", nil, true},
		{"active sub-partner", &tenantry.Partner{ID: "sp", ProvisioningState: tenantry.PartnerActive}, true},
		{"suspended sub-partner", &tenantry.Partner{ID: "sp", ProvisioningState: tenantry.PartnerSuspended}, false},
	}
	for _, tt := range tests {
		a := tenantry.Actor{SubPartner: tt.sub}
		if got := a.CanWrite(); got != tt.want {
			t.Errorf("%s: CanWrite = %v, want %v", tt.name, got, tt.want)
		}
	}
	p := tenantry.Principal{Scopes: []string{tenantry.ScopeCustomersRead}}
	if !p.Has(tenantry.ScopeCustomersRead) || p.Has(tenantry.ScopeCustomersWrite) {
		t.Error("Principal.Has answers wrongly")
	}
}
