package tenantry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
)

// fieldReasons renders problems as "field: reason", so that a table states
// exactly which field fails and why.
func fieldReasons(ps []tenantry.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Field + ": " + p.Reason
	}
	return out
}

// checkProblems compares problems with want as a multiset of "field: reason":
// the order in which a validator walks its input is not part of the contract.
func checkProblems(t *testing.T, got []tenantry.Problem, want []string) {
	t.Helper()
	less := func(a, b string) bool { return a < b }
	if diff := cmp.Diff(want, fieldReasons(got), cmpopts.EquateEmpty(), cmpopts.SortSlices(less)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

// findProblem returns the first problem on field with reason, or fails.
func findProblem(t *testing.T, ps []tenantry.Problem, field, reason string) tenantry.Problem {
	t.Helper()
	for _, p := range ps {
		if p.Field == field && p.Reason == reason {
			return p
		}
	}
	t.Fatalf("no problem %s: %s in %v", field, reason, fieldReasons(ps))
	return tenantry.Problem{}
}

// checkWellFormed asserts what every problem must carry: a field path, and a
// reason that has a translation (that is, one listed in AllReasons).
func checkWellFormed(t *testing.T, ps []tenantry.Problem) {
	t.Helper()
	for _, p := range ps {
		if strings.TrimSpace(p.Field) == "" {
			t.Errorf("problem without a field: %+v", p)
		}
		if !slices.Contains(tenantry.AllReasons, p.Reason) {
			t.Errorf("problem %s has reason %q, not in AllReasons", p.Field, p.Reason)
		}
	}
}

// usAddress is a valid headquarters address in the US.
func usAddress() tenantry.Address {
	return tenantry.Address{
		Line1:      "170 West Tasman Drive",
		City:       "San Jose",
		State:      "CA",
		PostalCode: "95134",
		Country:    "US",
	}
}

// validInput is a create request that passes every static rule: a calling
// package with its calling location, and a meetings package.
func validInput() *tenantry.CustomerInput {
	hq := usAddress()
	return &tenantry.CustomerInput{
		ProvisioningID: "prov-1",
		Packages:       []string{"webex_calling", "webex_meetings"},
		ExternalID:     "ext-1",
		Address:        &hq,
		Info:           &tenantry.CustomerInfo{Name: "Acme Inc", PrimaryEmail: "admin@acme.example", Language: "en"},
		Calling: &tenantry.CallingLocation{
			Name:     "Headquarters",
			Address:  usAddress(),
			TimeZone: "America/Los_Angeles",
			Language: "en_us",
		},
	}
}

// validTemplate is a normalized template that passes Validate.
func validTemplate() *tenantry.Template {
	t := &tenantry.Template{
		Name:                   "Standard onboarding",
		Country:                "US",
		ServiceProviderAdminID: "admin-1",
		SubscriptionID:         "sub-1",
	}
	t.Normalize()
	return t
}
