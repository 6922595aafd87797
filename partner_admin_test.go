package tenantry_test

import (
	"testing"

	"github.com/tenantry/tenantry"
)

func TestCheckFullAdminKept(t *testing.T) {
	admins := func(roles ...string) []*tenantry.PartnerAdmin {
		out := make([]*tenantry.PartnerAdmin, len(roles))
		for i, r := range roles {
			out[i] = &tenantry.PartnerAdmin{ID: string(rune('a' + i)), Role: r}
		}
		return out
	}
	const full, prov, ro = tenantry.RoleFullAdmin, tenantry.RoleProvisioningAdmin, tenantry.RoleReadOnlyAdmin
	tests := []struct {
		name    string
		admins  []*tenantry.PartnerAdmin
		id      string
		newRole string // "" removes
		reason  string // "" allowed
	}{
		{"demote the only full admin", admins(full, ro), "a", ro, tenantry.ReasonLastFullAdmin},
		{"remove the only full admin", admins(full, prov), "a", "", tenantry.ReasonLastFullAdminRemoval},
		{"demote one of two full admins", admins(full, full), "a", prov, ""},
		{"remove one of two full admins", admins(full, full), "b", "", ""},
		{"keep the only full admin's role", admins(full), "a", full, ""},
		{"change another admin", admins(full, ro), "b", prov, ""},
		{"remove another admin", admins(full, ro), "b", "", ""},
		{"promote an admin", admins(full, ro), "b", full, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tenantry.CheckFullAdminKept(tt.admins, tt.id, tt.newRole)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := tenantry.AsError(err)
			if err == nil || e.Code != tenantry.ECONFLICT || e.Reason != tt.reason {
				t.Fatalf("err = %v, want ECONFLICT %s", err, tt.reason)
			}
			if tt.newRole != "" && (len(e.Problems) != 1 || e.Problems[0].Field != tenantry.FieldPartnerAdminRole) {
				t.Errorf("a demotion's error is not on the role: %+v", e.Problems)
			}
		})
	}
}

func TestPartnerAdminInputValidate(t *testing.T) {
	tests := []struct {
		in     tenantry.PartnerAdminInput
		fields []string
	}{
		{tenantry.PartnerAdminInput{Email: "ada@acme.example", Role: tenantry.RoleReadOnlyAdmin}, nil},
		{tenantry.PartnerAdminInput{Email: " ada@acme.example ", Name: "Ada", Role: tenantry.RoleFullAdmin}, nil},
		{tenantry.PartnerAdminInput{}, []string{"email", "role"}},
		{tenantry.PartnerAdminInput{Email: "ada", Role: "owner"}, []string{"email", "role"}},
		{tenantry.PartnerAdminInput{Email: "ada@acme.example", Name: "a\x00b", Role: tenantry.RoleProvisioningAdmin}, []string{"name"}},
	}
	for _, tt := range tests {
		ps := tt.in.Validate()
		var got []string
		for _, p := range ps {
			got = append(got, p.Field)
		}
		if len(got) != len(tt.fields) {
			t.Errorf("%+v: problems on %v, want %v", tt.in, got, tt.fields)
			continue
		}
		for i := range got {
			if got[i] != tt.fields[i] {
				t.Errorf("%+v: problems on %v, want %v", tt.in, got, tt.fields)
			}
		}
	}
}
