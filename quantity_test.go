package tenantry_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

const limits = "provisioningParameters.packages.limits"

// TestValidateLimits covers the quantity rules that need only the request:
// Q1, Q5, Q7 and Q8 (never zero), and limits for packages not asked for.
func TestValidateLimits(t *testing.T) {
	tests := []struct {
		name   string
		pkgs   []string
		limits map[string]int
		want   []string
	}{
		{"no quantities", nil, nil, nil},
		{"quantity selection off", nil, map[string]int{}, nil},
		{"every package", nil, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil},
		{"quantity of one", nil, map[string]int{"webex_calling": 1, "webex_meetings": 1}, nil},

		// Q1 and Q7.
		{"Q1 one package missing", nil, map[string]int{"webex_calling": 10},
			[]string{limits + ".webex_meetings: quantity_required", limits + ": quantity_mixed"}},
		{"Q1 attendant console needs one", []string{"webex_calling", "attendant_console"}, map[string]int{"webex_calling": 10},
			[]string{limits + ".attendant_console: quantity_required", limits + ": quantity_mixed"}},
		{"Q1 add-on with one", []string{"webex_calling", "attendant_console"}, map[string]int{"webex_calling": 10, "attendant_console": 2}, nil},
		{"Q7 mixed among three", []string{"webex_calling", "webex_meetings", "cx_essentials"}, map[string]int{"webex_meetings": 3},
			[]string{limits + ".webex_calling: quantity_required", limits + ".cx_essentials: quantity_required", limits + ": quantity_mixed"}},

		// Q5: cisco_calling_plan takes none.
		{"Q5 calling plan without quantity", []string{"webex_calling", "cisco_calling_plan"}, map[string]int{"webex_calling": 5}, nil},
		{"Q5 calling plan with quantity", []string{"webex_calling", "cisco_calling_plan"}, map[string]int{"webex_calling": 5, "cisco_calling_plan": 5},
			[]string{limits + ".cisco_calling_plan: quantity_not_allowed"}},
		{"Q5 calling plan with zero", []string{"webex_calling", "cisco_calling_plan"}, map[string]int{"webex_calling": 5, "cisco_calling_plan": 0},
			[]string{limits + ".cisco_calling_plan: quantity_not_allowed"}},
		{"Q5 only the calling plan given", []string{"webex_calling", "cisco_calling_plan"}, map[string]int{"cisco_calling_plan": 5},
			[]string{limits + ".cisco_calling_plan: quantity_not_allowed", limits + ".webex_calling: quantity_required"}},

		// Q8: never zero (nor negative).
		{"Q8 zero", nil, map[string]int{"webex_calling": 0, "webex_meetings": 5},
			[]string{limits + ".webex_calling: quantity_positive"}},
		{"Q8 negative", nil, map[string]int{"webex_calling": 10, "webex_meetings": -1},
			[]string{limits + ".webex_meetings: quantity_positive"}},
		{"Q8 all zero", nil, map[string]int{"webex_calling": 0, "webex_meetings": 0},
			[]string{limits + ".webex_calling: quantity_positive", limits + ".webex_meetings: quantity_positive"}},

		// Limits for packages not in the request: a known package's is
		// ignored (LimitWarnings reports it), an unknown name refused.
		{"package not asked for", nil, map[string]int{"webex_calling": 5, "webex_meetings": 5, "webex_suite": 5}, nil},
		{"package not in the catalog", nil, map[string]int{"webex_calling": 5, "webex_meetings": 5, "bogus": 1},
			[]string{limits + ".bogus: quantity_unknown_package"}},
		{"only unknown limits", nil, map[string]int{"bogus": 1}, []string{
			limits + ".bogus: quantity_unknown_package",
			limits + ".webex_calling: quantity_required", limits + ".webex_meetings: quantity_required",
		}},
		{"limit for a refused package", []string{"webex_meetings", "bogus"}, map[string]int{"webex_meetings": 5, "bogus": 5},
			[]string{"packages[1]: unknown_package", limits + ".bogus: quantity_unknown_package"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			if tt.pkgs != nil {
				in.Packages = tt.pkgs
			}
			in.Limits = tt.limits
			got := in.Validate(tenantry.ModeCreate)
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

func TestValidateLimitsUpdate(t *testing.T) {
	in := tenantry.CustomerInput{Packages: []string{"webex_calling", "webex_meetings"}, Limits: map[string]int{"webex_calling": 0}}
	checkProblems(t, in.Validate(tenantry.ModeUpdate), []string{
		limits + ".webex_calling: quantity_positive",
		limits + ".webex_meetings: quantity_required",
		limits + ": quantity_mixed",
	})
}

// quantified returns a customer with quantity selection on, holding each
// package at its quantity.
func quantified(q map[tenantry.Package]int) *tenantry.Customer {
	c := &tenantry.Customer{ID: "cust-1", Status: tenantry.StatusProvisioned, Quantities: true, Address: usAddress()}
	for _, p := range tenantry.Packages {
		if n, ok := q[p]; ok {
			c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: p, Status: tenantry.PackageProvisioned, Quantity: n})
		}
	}
	return c
}

// TestCheckQuantities covers the quantity rules that need the customer as it
// is: Q2, Q3, Q4, Q6, Q8 (migration) and usage.
func TestCheckQuantities(t *testing.T) {
	wc, wm := tenantry.WebexCalling, tenantry.WebexMeetings
	both := []tenantry.Package{wc, wm}
	unrestricted := customerWith(wc, wm)
	restricted := quantified(map[tenantry.Package]int{wc: 10, wm: 5})
	tests := []struct {
		name    string
		current *tenantry.Customer
		pkgs    []tenantry.Package
		limits  map[string]int
		usage   map[tenantry.Package]int
		max     int
		want    []string
	}{
		{"create without quantities", nil, both, nil, nil, 0, nil},
		{"create with quantities", nil, both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0, nil},

		// Q4: at most the partner's maximum.
		{"Q4 at the maximum", nil, both, map[string]int{"webex_calling": 100, "webex_meetings": 5}, nil, 100, nil},
		{"Q4 above the maximum", nil, both, map[string]int{"webex_calling": 101, "webex_meetings": 5}, nil, 100,
			[]string{limits + ".webex_calling: quantity_above_max"}},
		{"Q4 both above the maximum", nil, both, map[string]int{"webex_calling": 101, "webex_meetings": 500}, nil, 100,
			[]string{limits + ".webex_calling: quantity_above_max", limits + ".webex_meetings: quantity_above_max"}},
		{"Q4 no maximum", nil, both, map[string]int{"webex_calling": 1_000_000, "webex_meetings": 5}, nil, 0, nil},
		{"Q4 on update", restricted, both, map[string]int{"webex_calling": 11, "webex_meetings": 5}, nil, 10,
			[]string{limits + ".webex_calling: quantity_above_max"}},

		// Q2: once enabled, never disabled.
		{"Q2 disable with nil", restricted, both, nil, nil, 0, []string{limits + ": quantity_cannot_disable"}},
		{"Q2 disable with empty", restricted, both, map[string]int{}, nil, 0, []string{limits + ": quantity_cannot_disable"}},
		{"Q2 stays enabled", restricted, both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0, nil},

		// Q3: never lower than the current quantity.
		{"Q3 lower", restricted, both, map[string]int{"webex_calling": 9, "webex_meetings": 5}, nil, 0,
			[]string{limits + ".webex_calling: quantity_lower"}},
		{"Q3 both lower", restricted, both, map[string]int{"webex_calling": 1, "webex_meetings": 1}, nil, 0,
			[]string{limits + ".webex_calling: quantity_lower", limits + ".webex_meetings: quantity_lower"}},
		{"Q3 higher", restricted, both, map[string]int{"webex_calling": 11, "webex_meetings": 6}, nil, 0, nil},
		{"Q3 new package has no current quantity", restricted, []tenantry.Package{wc, wm, tenantry.WebexSuite},
			map[string]int{"webex_calling": 10, "webex_meetings": 5, "webex_suite": 1}, nil, 0, nil},

		// Q6: an unrestricted customer never becomes restricted.
		{"Q6 enable", unrestricted, both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0,
			[]string{limits + ": quantity_cannot_enable"}},
		{"Q6 stays unrestricted", unrestricted, both, nil, nil, 0, nil},
		{"Q6 stays unrestricted with empty limits", unrestricted, both, map[string]int{}, nil, 0, nil},

		// Q8: no quantities during a migration phase.
		{"Q8 legacy and wholesale", func() *tenantry.Customer {
			c := quantified(map[tenantry.Package]int{wc: 10})
			c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: tenantry.LegacyStandard, Status: tenantry.PackageProvisioned})
			return c
		}(), both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0,
			[]string{limits + ": quantity_migration"}},
		{"Q8 unrestricted legacy customer asks for quantities", func() *tenantry.Customer {
			return customerWith(wc, tenantry.LegacyStandard)
		}(), both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0,
			[]string{limits + ": quantity_cannot_enable", limits + ": quantity_migration"}},
		{"Q8 legacy-only customer moving to wholesale", func() *tenantry.Customer {
			c := customerWith(tenantry.LegacyBasic)
			c.Quantities = true
			return c
		}(), both, map[string]int{"webex_calling": 10, "webex_meetings": 5}, nil, 0,
			[]string{limits + ": quantity_migration"}},
		{"Q8 migrating customer without quantities", customerWith(wc, tenantry.LegacyPremium), both, nil, nil, 0, nil},

		// Usage: a quantity is never below what users hold.
		{"below usage", restricted, both, map[string]int{"webex_calling": 12, "webex_meetings": 5},
			map[tenantry.Package]int{wc: 13}, 0, []string{limits + ".webex_calling: quantity_below_usage"}},
		{"at usage", restricted, both, map[string]int{"webex_calling": 13, "webex_meetings": 5},
			map[tenantry.Package]int{wc: 13, wm: 5}, 0, nil},
		{"below usage on create", nil, both, map[string]int{"webex_calling": 2, "webex_meetings": 5},
			map[tenantry.Package]int{wc: 3}, 0, []string{limits + ".webex_calling: quantity_below_usage"}},
		{"lower and below usage", restricted, both, map[string]int{"webex_calling": 8, "webex_meetings": 5},
			map[tenantry.Package]int{wc: 9}, 0,
			[]string{limits + ".webex_calling: quantity_lower", limits + ".webex_calling: quantity_below_usage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := tenantry.CheckQuantities(tt.current, nil, tt.pkgs, tt.limits, tt.usage, tt.max)
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

// TestCheckQuantitiesLegacyOrg is rule Q8 for a customer attached to an
// organization the directory lists with legacy packages: it is migrating,
// on create and on update, until the directory lists none.
func TestCheckQuantitiesLegacyOrg(t *testing.T) {
	wc, wm := tenantry.WebexCalling, tenantry.WebexMeetings
	both := []tenantry.Package{wc, wm}
	legacy := []tenantry.Package{tenantry.LegacyStandard}
	q := map[string]int{"webex_calling": 10, "webex_meetings": 5}
	migration := []string{limits + ": quantity_migration"}
	checkProblems(t, second(tenantry.CheckQuantities(nil, legacy, both, q, nil, 0)), migration)
	checkProblems(t, second(tenantry.CheckQuantities(quantified(map[tenantry.Package]int{wc: 10, wm: 5}), legacy, both, q, nil, 0)), migration)
	checkProblems(t, second(tenantry.CheckQuantities(nil, legacy, both, nil, nil, 0)), nil)
	checkProblems(t, second(tenantry.CheckQuantities(nil, nil, both, q, nil, 0)), nil)
	if !tenantry.Migrating(nil, legacy, both) || tenantry.Migrating(nil, legacy, nil) || tenantry.Migrating(nil, nil, both) {
		t.Error("Migrating: legacy and wholesale packages at once, and only then")
	}
}

func second[A, B any](_ A, b B) B { return b }

func TestCheckQuantitiesPlan(t *testing.T) {
	wc, wm, ccp := tenantry.WebexCalling, tenantry.WebexMeetings, tenantry.CiscoCallingPlan
	tests := []struct {
		name   string
		pkgs   []tenantry.Package
		limits map[string]int
		want   tenantry.QuantityPlan
	}{
		{"off", []tenantry.Package{wc}, nil, tenantry.QuantityPlan{}},
		{"off when empty", []tenantry.Package{wc}, map[string]int{}, tenantry.QuantityPlan{}},
		{"on", []tenantry.Package{wc, wm}, map[string]int{"webex_calling": 10, "webex_meetings": 5},
			tenantry.QuantityPlan{Enabled: true, Quantities: map[tenantry.Package]int{wc: 10, wm: 5}}},
		{"calling plan takes none", []tenantry.Package{wc, ccp}, map[string]int{"webex_calling": 10, "cisco_calling_plan": 3},
			tenantry.QuantityPlan{Enabled: true, Quantities: map[tenantry.Package]int{wc: 10}}},
		{"limits for other packages ignored", []tenantry.Package{wc}, map[string]int{"webex_calling": 10, "webex_suite": 3},
			tenantry.QuantityPlan{Enabled: true, Quantities: map[tenantry.Package]int{wc: 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, ps := tenantry.CheckQuantities(nil, nil, tt.pkgs, tt.limits, nil, 0)
			if len(ps) != 0 {
				t.Errorf("problems: %v", fieldReasons(ps))
			}
			if diff := cmp.Diff(tt.want, plan); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckQuantitiesParams(t *testing.T) {
	wc := tenantry.WebexCalling
	cur := quantified(map[tenantry.Package]int{wc: 10})
	_, ps := tenantry.CheckQuantities(cur, nil, []tenantry.Package{wc}, map[string]int{"webex_calling": 8}, map[tenantry.Package]int{wc: 9}, 5)
	tests := []struct {
		reason string
		params map[string]string
	}{
		{tenantry.ReasonQuantityAboveMax, map[string]string{"package": "webex_calling", "max": "5"}},
		{tenantry.ReasonQuantityLower, map[string]string{"package": "webex_calling", "current": "10"}},
		{tenantry.ReasonQuantityBelowUsage, map[string]string{"package": "webex_calling", "count": "9"}},
	}
	for _, tt := range tests {
		p := findProblem(t, ps, limits+".webex_calling", tt.reason)
		if diff := cmp.Diff(tt.params, p.Params); diff != "" {
			t.Errorf("%s params (-want +got):\n%s", tt.reason, diff)
		}
	}
}

func TestLimitWarnings(t *testing.T) {
	in := tenantry.CustomerInput{Packages: []string{"webex_calling"}, Limits: map[string]int{"webex_calling": 5, "webex_suite": 5, "bogus": 1, "attendant_console": 2}}
	var got []string
	for _, p := range in.LimitWarnings() {
		got = append(got, p.Field+": "+p.Reason+" "+p.Params["package"])
	}
	want := []string{
		tenantry.FieldLimits + ".attendant_console: quantity_ignored attendant_console",
		tenantry.FieldLimits + ".webex_suite: quantity_ignored webex_suite",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings = %v, want %v", got, want)
	}
}
