package tenantry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// allCodePairs returns every two-letter upper-case string, AA to ZZ.
func allCodePairs() []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			out = append(out, string([]rune{a, b}))
		}
	}
	return out
}

func TestIsCountry(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"US", true}, {"CA", true}, {"GB", true}, {"AE", true}, {"AX", true}, {"SS", true}, {"ZW", true},
		{"us", false}, {"Us", false}, {"XX", false}, {"UK", false}, {"EU", false}, {"USA", false},
		{"", false}, {"U", false}, {" US", false}, {"US ", false},
	}
	for _, tt := range tests {
		if got := tenantry.IsCountry(tt.code); got != tt.want {
			t.Errorf("IsCountry(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestIsCountryCountsAssignedCodes(t *testing.T) {
	n := 0
	for _, c := range allCodePairs() {
		if tenantry.IsCountry(c) {
			n++
		}
	}
	if n != 249 {
		t.Errorf("IsCountry accepts %d codes, want the 249 officially assigned", n)
	}
}

// The address-rule table of rule C1, pinned: a change to it must show here.
var (
	stateCountries  = strings.Fields("US CA AU BR MX IN JP")
	postalCountries = strings.Fields("US CA AU BR MX IN JP GB DE FR ES IT NL SE KR SG SA PT NZ BE CH AT DK NO FI PL")
)

func TestAddressRuleTable(t *testing.T) {
	for _, c := range allCodePairs() {
		if got, want := tenantry.RequiresState(c), slices.Contains(stateCountries, c); got != want {
			t.Errorf("RequiresState(%q) = %v, want %v", c, got, want)
		}
		if got, want := tenantry.RequiresPostalCode(c), slices.Contains(postalCountries, c); got != want {
			t.Errorf("RequiresPostalCode(%q) = %v, want %v", c, got, want)
		}
	}
	for _, c := range postalCountries {
		if !tenantry.IsCountry(c) {
			t.Errorf("address rule for %q, which is not a country", c)
		}
	}
}

// TestAddressRuleTableEnforced checks that Validate applies the table: a
// country that needs a state or postal code refuses an address without it.
func TestAddressRuleTableEnforced(t *testing.T) {
	for _, c := range allCodePairs() {
		if !tenantry.IsCountry(c) {
			continue
		}
		a := tenantry.Address{Line1: "1 Main Street", City: "Capital", Country: c}
		var want []string
		if tenantry.RequiresState(c) {
			want = append(want, "address.stateOrProvince: state_required")
		}
		if tenantry.RequiresPostalCode(c) {
			want = append(want, "address.zipOrPostalCode: postal_code_required")
		}
		t.Run(c, func(t *testing.T) { checkProblems(t, a.Validate("address"), want) })
	}
}

func TestRegionFor(t *testing.T) {
	tests := []struct {
		country string
		want    tenantry.Region
	}{
		{"US", tenantry.RegionUS},
		{"PR", tenantry.RegionUS},
		{"DE", tenantry.RegionEU},
		{"FR", tenantry.RegionEU},
		{"SE", tenantry.RegionEU},
		{"NO", tenantry.RegionEU},
		{"CH", tenantry.RegionEU},
		{"IS", tenantry.RegionEU},
		{"GB", tenantry.RegionUK},
		{"JE", tenantry.RegionUK},
		{"JP", tenantry.RegionJP},
		{"CA", tenantry.RegionCA},
		{"AU", tenantry.RegionAU},
		{"NZ", tenantry.RegionAU},
		{"SG", tenantry.RegionSG},
		{"SA", tenantry.RegionSA},
		{"AE", tenantry.RegionAE},
		{"BR", tenantry.RegionUS},
		{"AR", tenantry.RegionUS},
		{"KR", tenantry.RegionUS},
		{"", tenantry.RegionUS},
		{"AT BE", tenantry.RegionUS},
	}
	for _, tt := range tests {
		if got := tenantry.RegionFor(tt.country); got != tt.want {
			t.Errorf("RegionFor(%q) = %q, want %q", tt.country, got, tt.want)
		}
	}
}

func TestE911Required(t *testing.T) {
	for _, c := range allCodePairs() {
		want := c == "US" || c == "CA"
		if got := tenantry.E911Required(c); got != want {
			t.Errorf("E911Required(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestCallingAvailable(t *testing.T) {
	tests := []struct {
		country string
		want    bool
	}{
		{"US", true}, {"CA", true}, {"GB", true}, {"DE", true}, {"AU", true}, {"JP", true}, {"BR", true},
		{"AE", true}, {"SA", true}, {"PR", true},
		{"AR", false}, {"CN", false}, {"ZA", false}, {"CU", false}, {"", false}, {"US CA", false},
	}
	for _, tt := range tests {
		if got := tenantry.CallingAvailable(tt.country); got != tt.want {
			t.Errorf("CallingAvailable(%q) = %v, want %v", tt.country, got, tt.want)
		}
	}
}

func TestNeedsComplianceReview(t *testing.T) {
	denied := []string{"CU", "IR", "KP", "SY"}
	for _, c := range allCodePairs() {
		if got, want := tenantry.NeedsComplianceReview(c), slices.Contains(denied, c); got != want {
			t.Errorf("NeedsComplianceReview(%q) = %v, want %v", c, got, want)
		}
	}
	if tenantry.NeedsComplianceReview("CU IR") || tenantry.NeedsComplianceReview("") {
		t.Error("NeedsComplianceReview matched something that is not one country")
	}
}
