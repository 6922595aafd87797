package tenantry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

func TestPackageCatalog(t *testing.T) {
	want := []tenantry.Package{
		"common_area_calling", "webex_calling", "webex_meetings", "webex_suite", "webex_voice",
		"cx_essentials", "webex_calling_standard", "cisco_calling_plan", "attendant_console",
		"cx_premium_agent", "cx_standard_agent", "cx_voice_ports", "cx_ai_assistant", "webex_ai_agent",
	}
	if diff := cmp.Diff(want, tenantry.Packages); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}
}

func TestPackageKinds(t *testing.T) {
	tests := []struct {
		p                                            tenantry.Package
		known, legacy, addOn, calling, takesQuantity bool
		requires                                     []tenantry.Package
	}{
		{p: "common_area_calling", known: true, calling: true, takesQuantity: true},
		{p: "webex_calling", known: true, calling: true, takesQuantity: true},
		{p: "webex_calling_standard", known: true, calling: true, takesQuantity: true},
		{p: "webex_suite", known: true, calling: true, takesQuantity: true},
		{p: "webex_voice", known: true, calling: true, takesQuantity: true},
		{p: "cx_essentials", known: true, calling: true, takesQuantity: true},
		{p: "webex_meetings", known: true, takesQuantity: true},
		{p: "cx_premium_agent", known: true, takesQuantity: true},
		{p: "cx_standard_agent", known: true, takesQuantity: true},
		{p: "cx_voice_ports", known: true, takesQuantity: true},
		{p: "cx_ai_assistant", known: true, takesQuantity: true},
		{p: "webex_ai_agent", known: true, takesQuantity: true},
		{p: "cisco_calling_plan", known: true, addOn: true, requires: []tenantry.Package{
			"common_area_calling", "webex_calling", "webex_suite", "webex_voice", "cx_essentials", "webex_calling_standard"}},
		{p: "attendant_console", known: true, addOn: true, takesQuantity: true, requires: []tenantry.Package{
			"webex_calling", "webex_suite", "cx_essentials"}},
		{p: "broadworks_basic", legacy: true, takesQuantity: true},
		{p: "broadworks_standard", legacy: true, takesQuantity: true},
		{p: "broadworks_premium", legacy: true, takesQuantity: true},
		{p: "Webex_Calling", takesQuantity: true},
		{p: "", takesQuantity: true},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			if got := tt.p.Known(); got != tt.known {
				t.Errorf("Known() = %v", got)
			}
			if got := tt.p.Legacy(); got != tt.legacy {
				t.Errorf("Legacy() = %v", got)
			}
			if got := tt.p.AddOn(); got != tt.addOn {
				t.Errorf("AddOn() = %v", got)
			}
			if got := tt.p.Calling(); got != tt.calling {
				t.Errorf("Calling() = %v", got)
			}
			if got := tt.p.TakesQuantity(); got != tt.takesQuantity {
				t.Errorf("TakesQuantity() = %v", got)
			}
			if diff := cmp.Diff(slices.Sorted(slices.Values(tt.requires)), slices.Sorted(slices.Values(tt.p.Requires()))); diff != "" {
				t.Errorf("Requires() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHasCalling(t *testing.T) {
	if tenantry.HasCalling(nil) || tenantry.HasCalling([]tenantry.Package{"webex_meetings", "cisco_calling_plan"}) {
		t.Error("HasCalling true without a calling package")
	}
	if !tenantry.HasCalling([]tenantry.Package{"webex_meetings", "webex_voice"}) {
		t.Error("HasCalling false with webex_voice")
	}
}

// TestValidatePackages covers rules C2 (the catalog) and C3 (add-on
// dependencies) through CustomerInput.Validate. The request always carries a
// calling location, so only package problems show.
func TestValidatePackages(t *testing.T) {
	tests := []struct {
		name string
		pkgs []string
		want []string
	}{
		{"nil list", nil, []string{"packages: no_packages"}},
		{"empty list", []string{}, []string{"packages: no_packages"}},
		{"one package", []string{"webex_meetings"}, nil},
		{"whole catalog", []string{
			"common_area_calling", "webex_calling", "webex_calling_standard", "webex_meetings", "webex_suite",
			"webex_voice", "cx_essentials", "cx_premium_agent", "cx_standard_agent", "cx_voice_ports",
			"cx_ai_assistant", "webex_ai_agent", "cisco_calling_plan", "attendant_console"}, nil},
		{"unknown package", []string{"bogus"}, []string{"packages[0]: unknown_package"}},
		{"unknown among known", []string{"webex_meetings", "webex_teams"}, []string{"packages[1]: unknown_package"}},
		{"wrong case", []string{"Webex_Calling"}, []string{"packages[0]: unknown_package"}},
		{"padded name", []string{" webex_calling"}, []string{"packages[0]: unknown_package"}},
		{"empty name", []string{""}, []string{"packages[0]: unknown_package"}},
		{"legacy package", []string{"broadworks_standard"}, []string{"packages[0]: unknown_package"}},
		{"duplicate", []string{"webex_meetings", "webex_meetings"}, []string{"packages[1]: duplicate_package"}},
		{"duplicate thrice", []string{"webex_meetings", "webex_calling", "webex_meetings", "webex_meetings"},
			[]string{"packages[2]: duplicate_package", "packages[3]: duplicate_package"}},
		{"unknown twice is unknown twice", []string{"bogus", "bogus"},
			[]string{"packages[0]: unknown_package", "packages[1]: unknown_package"}},

		// C3: cisco_calling_plan needs one of six.
		{"calling plan alone", []string{"cisco_calling_plan"}, []string{"packages[0]: package_dependency"}},
		{"calling plan with meetings", []string{"webex_meetings", "cisco_calling_plan"}, []string{"packages[1]: package_dependency"}},
		{"calling plan with cx agent", []string{"cx_premium_agent", "cisco_calling_plan"}, []string{"packages[1]: package_dependency"}},
		{"calling plan with attendant console only", []string{"cisco_calling_plan", "attendant_console"},
			[]string{"packages[0]: package_dependency", "packages[1]: package_dependency"}},
		{"calling plan with common_area_calling", []string{"common_area_calling", "cisco_calling_plan"}, nil},
		{"calling plan with webex_calling", []string{"webex_calling", "cisco_calling_plan"}, nil},
		{"calling plan with webex_suite", []string{"webex_suite", "cisco_calling_plan"}, nil},
		{"calling plan with webex_voice", []string{"webex_voice", "cisco_calling_plan"}, nil},
		{"calling plan with cx_essentials", []string{"cx_essentials", "cisco_calling_plan"}, nil},
		{"calling plan with webex_calling_standard", []string{"webex_calling_standard", "cisco_calling_plan"}, nil},
		{"calling plan before its package", []string{"cisco_calling_plan", "webex_voice"}, nil},

		// C3: attendant_console needs one of three.
		{"attendant console alone", []string{"attendant_console"}, []string{"packages[0]: package_dependency"}},
		{"attendant console with webex_voice", []string{"webex_voice", "attendant_console"}, []string{"packages[1]: package_dependency"}},
		{"attendant console with common_area_calling", []string{"common_area_calling", "attendant_console"}, []string{"packages[1]: package_dependency"}},
		{"attendant console with webex_calling_standard", []string{"webex_calling_standard", "attendant_console"}, []string{"packages[1]: package_dependency"}},
		{"attendant console with meetings", []string{"webex_meetings", "attendant_console"}, []string{"packages[1]: package_dependency"}},
		{"attendant console with webex_calling", []string{"webex_calling", "attendant_console"}, nil},
		{"attendant console with webex_suite", []string{"webex_suite", "attendant_console"}, nil},
		{"attendant console with cx_essentials", []string{"cx_essentials", "attendant_console"}, nil},
		{"both add-ons with webex_calling", []string{"webex_calling", "cisco_calling_plan", "attendant_console"}, nil},
		{"both add-ons with webex_voice", []string{"webex_voice", "cisco_calling_plan", "attendant_console"},
			[]string{"packages[2]: package_dependency"}},
		{"duplicate add-on with its package", []string{"webex_calling", "attendant_console", "attendant_console"},
			[]string{"packages[2]: duplicate_package"}},

		// The index of a dependency problem is the add-on's index in the
		// request, even when an entry before it was refused.
		{"dependency after an unknown package", []string{"bogus", "webex_meetings", "cisco_calling_plan"},
			[]string{"packages[0]: unknown_package", "packages[2]: package_dependency"}},
		{"dependency after a duplicate", []string{"webex_meetings", "webex_meetings", "attendant_console"},
			[]string{"packages[1]: duplicate_package", "packages[2]: package_dependency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			in.Packages = tt.pkgs
			got := in.Validate(tenantry.ModeCreate)
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

func TestValidatePackagesParams(t *testing.T) {
	in := validInput()
	in.Packages = []string{"webex_voice", "attendant_console", "nope"}
	ps := in.Validate(tenantry.ModeCreate)
	dep := findProblem(t, ps, "packages[1]", tenantry.ReasonPackageDependency)
	if dep.Params["package"] != "attendant_console" || dep.Params["requires"] != "webex_calling, webex_suite, cx_essentials" {
		t.Errorf("package_dependency params = %v", dep.Params)
	}
	if u := findProblem(t, ps, "packages[2]", tenantry.ReasonUnknownPackage); u.Params["value"] != "nope" {
		t.Errorf("unknown_package params = %v", u.Params)
	}
}

// customerWith returns a customer holding pkgs, all provisioned.
func customerWith(pkgs ...tenantry.Package) *tenantry.Customer {
	c := &tenantry.Customer{ID: "cust-1", Status: tenantry.StatusProvisioned, Address: usAddress()}
	for _, p := range pkgs {
		c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: p, Status: tenantry.PackageProvisioned})
	}
	return c
}

func TestCheckRemovals(t *testing.T) {
	tests := []struct {
		name  string
		next  []tenantry.Package
		usage map[tenantry.Package]int
		want  []string
	}{
		{"keep all, in use", []tenantry.Package{"webex_calling", "webex_meetings", "attendant_console"},
			map[tenantry.Package]int{"webex_calling": 4, "webex_meetings": 2, "attendant_console": 1}, nil},
		{"remove unused", []tenantry.Package{"webex_calling"},
			map[tenantry.Package]int{"webex_calling": 4}, nil},
		{"remove unused with zero count", []tenantry.Package{"webex_calling"},
			map[tenantry.Package]int{"webex_calling": 4, "webex_meetings": 0, "attendant_console": 0}, nil},
		{"remove in use", []tenantry.Package{"webex_calling", "attendant_console"},
			map[tenantry.Package]int{"webex_meetings": 3}, []string{"packages: package_in_use"}},
		{"remove two in use", []tenantry.Package{"webex_suite"},
			map[tenantry.Package]int{"webex_meetings": 3, "attendant_console": 1},
			[]string{"packages: package_in_use", "packages: package_in_use"}},
		{"add and keep", []tenantry.Package{"webex_calling", "webex_meetings", "attendant_console", "webex_suite"},
			map[tenantry.Package]int{"webex_calling": 9}, nil},
		{"no usage", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := customerWith("webex_calling", "webex_meetings", "attendant_console")
			got := tenantry.CheckRemovals(cur, tt.next, tt.usage)
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

func TestCheckRemovalsParams(t *testing.T) {
	cur := customerWith("webex_calling", "webex_meetings")
	ps := tenantry.CheckRemovals(cur, []tenantry.Package{"webex_calling"}, map[tenantry.Package]int{"webex_meetings": 12})
	p := findProblem(t, ps, "packages", tenantry.ReasonPackageInUse)
	if diff := cmp.Diff(map[string]string{"package": "webex_meetings", "count": "12"}, p.Params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if !strings.Contains(tenantry.Invalid(ps).Error(), "package_in_use") {
		t.Error("Invalid(ps) does not carry the problem")
	}
}
