package tenantry_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

func TestAddressValidate(t *testing.T) {
	addr := func(country, state, postal string) func(*tenantry.Address) {
		return func(a *tenantry.Address) { a.Country, a.State, a.PostalCode = country, state, postal }
	}
	tests := []struct {
		name   string
		modify func(*tenantry.Address)
		want   []string
	}{
		{"valid US", func(*tenantry.Address) {}, nil},

		// Lines: at most 50 characters, counted as characters, not bytes.
		{"line1 of 50 ASCII characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("a", 50) }, nil},
		{"line1 of 51 ASCII characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("a", 51) },
			[]string{"address.addressLine1: too_long"}},
		{"line1 of 50 two-byte characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("é", 50) }, nil},
		{"line1 of 50 three-byte characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("東", 50) }, nil},
		{"line1 of 50 four-byte characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("𝄞", 50) }, nil},
		{"line1 of 51 two-byte characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("é", 51) },
			[]string{"address.addressLine1: too_long"}},
		{"line1 of 50 Arabic characters", func(a *tenantry.Address) { a.Line1 = strings.Repeat("ش", 50) }, nil},
		{"line1 missing", func(a *tenantry.Address) { a.Line1 = "" },
			[]string{"address.addressLine1: required"}},
		{"line1 blank", func(a *tenantry.Address) { a.Line1 = "   " },
			[]string{"address.addressLine1: required"}},
		{"line1 with a newline", func(a *tenantry.Address) { a.Line1 = "170 West\nTasman" },
			[]string{"address.addressLine1: forbidden_character"}},
		{"line1 not UTF-8", func(a *tenantry.Address) { a.Line1 = "170 \xff Tasman" },
			[]string{"address.addressLine1: forbidden_character"}},
		{"line2 optional", func(a *tenantry.Address) { a.Line2 = "" }, nil},
		{"line2 of 50", func(a *tenantry.Address) { a.Line2 = strings.Repeat("b", 50) }, nil},
		{"line2 of 51", func(a *tenantry.Address) { a.Line2 = strings.Repeat("b", 51) },
			[]string{"address.addressLine2: too_long"}},
		{"line2 of 51 multi-byte", func(a *tenantry.Address) { a.Line2 = strings.Repeat("ø", 51) },
			[]string{"address.addressLine2: too_long"}},
		{"city missing", func(a *tenantry.Address) { a.City = "" },
			[]string{"address.city: required"}},
		{"city of 51", func(a *tenantry.Address) { a.City = strings.Repeat("c", 51) },
			[]string{"address.city: too_long"}},

		// Country: ISO 3166-1 alpha-2, upper case.
		{"country missing", addr("", "", ""), []string{"address.country: required"}},
		{"country lower case", addr("us", "CA", "95134"), []string{"address.country: invalid_country"}},
		{"country unassigned XX", addr("XX", "", ""), []string{"address.country: invalid_country"}},
		{"country UK is not ISO", addr("UK", "", "SW1A 1AA"), []string{"address.country: invalid_country"}},
		{"country alpha-3", addr("USA", "CA", "95134"), []string{"address.country: invalid_country"}},

		// State and postal code where the country needs them.
		{"US without state", addr("US", "", "95134"), []string{"address.stateOrProvince: state_required"}},
		{"US with blank state", addr("US", "  ", "95134"), []string{"address.stateOrProvince: state_required"}},
		{"US without postal code", addr("US", "CA", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"US without either", addr("US", "", ""),
			[]string{"address.stateOrProvince: state_required", "address.zipOrPostalCode: postal_code_required"}},
		{"CA without state", addr("CA", "", "K1A 0B1"), []string{"address.stateOrProvince: state_required"}},
		{"CA without postal code", addr("CA", "ON", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"AU without state", addr("AU", "", "2000"), []string{"address.stateOrProvince: state_required"}},
		{"AU without postal code", addr("AU", "NSW", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"BR without state", addr("BR", "", "01310-100"), []string{"address.stateOrProvince: state_required"}},
		{"MX without state", addr("MX", "", "06600"), []string{"address.stateOrProvince: state_required"}},
		{"IN without state", addr("IN", "", "110001"), []string{"address.stateOrProvince: state_required"}},
		{"JP without state", addr("JP", "", "100-0001"), []string{"address.stateOrProvince: state_required"}},
		{"GB without postal code", addr("GB", "", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"DE without postal code", addr("DE", "", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"BE without postal code", addr("BE", "", ""), []string{"address.zipOrPostalCode: postal_code_required"}},
		{"GB needs no state", addr("GB", "", "SW1A 1AA"), nil},
		{"AE needs neither", addr("AE", "", ""), nil},
		{"AR needs neither", addr("AR", "", ""), nil},
		{"IE needs neither", addr("IE", "", ""), nil},
		{"AE accepts any state and postal code", addr("AE", "Dubai", "00000"), nil},

		// US ZIP codes.
		{"US ZIP+4", addr("US", "CA", "95134-1706"), nil},
		{"US ZIP of 4 digits", addr("US", "CA", "9513"), []string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP of 6 digits", addr("US", "CA", "951345"), []string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP of letters", addr("US", "CA", "ABCDE"), []string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP+3", addr("US", "CA", "95134-170"), []string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP in non-ASCII digits", addr("US", "CA", "٩٥١٣٤"), []string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP with surrounding spaces", addr("US", "CA", " 95134 "), nil},
		{"US ZIP too long", addr("US", "CA", "95134-1706-12345"),
			[]string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US ZIP over 16 characters", addr("US", "CA", "95134-1706-123456"),
			[]string{"address.zipOrPostalCode: too_long", "address.zipOrPostalCode: invalid_postal_code_either"}},

		// US state codes.
		{"US state NY", addr("US", "NY", "10001"), nil},
		{"US state DC", addr("US", "DC", "20001"), nil},
		{"US territory PR", addr("US", "PR", "00901"), nil},
		{"US state lower case", addr("US", "ca", "95134"), nil},
		{"US state padded", addr("US", " TX ", "73301"), nil},
		{"US state ZZ", addr("US", "ZZ", "95134"), []string{"address.stateOrProvince: invalid_state"}},
		{"US state spelled out", addr("US", "California", "95134"), []string{"address.stateOrProvince: invalid_state"}},
		{"US state that is a province", addr("US", "ON", "95134"), []string{"address.stateOrProvince: invalid_state"}},
		{"US two states", addr("US", "CA NY", "95134"), []string{"address.stateOrProvince: invalid_state"}},

		// Canadian provinces and postal codes.
		{"CA postal with space", addr("CA", "ON", "K1A 0B1"), nil},
		{"CA postal without space", addr("CA", "ON", "K1A0B1"), nil},
		{"CA postal lower case", addr("CA", "BC", "v6b 4y8"), nil},
		{"CA postal that is a ZIP", addr("CA", "ON", "12345"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"CA postal reversed", addr("CA", "ON", "1A1 A1A"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"CA province QC", addr("CA", "QC", "H2Y 1C6"), nil},
		{"CA province that is a US state", addr("CA", "CA", "K1A 0B1"), []string{"address.stateOrProvince: invalid_state"}},

		// Australian states.
		{"AU state NSW", addr("AU", "NSW", "2000"), nil},
		{"AU state ACT", addr("AU", "act", "2600"), nil},
		{"AU state unknown", addr("AU", "XYZ", "2000"), []string{"address.stateOrProvince: invalid_state"}},
		{"AU postal of 5 digits", addr("AU", "VIC", "30000"), []string{"address.zipOrPostalCode: invalid_postal_code"}},

		// Other formats in the table.
		{"GB postcode", addr("GB", "", "EC1A 1BB"), nil},
		{"GB postcode without space", addr("GB", "", "W1A0AX"), nil},
		{"GB postcode that is a ZIP", addr("GB", "", "12345"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"DE postcode", addr("DE", "", "10115"), nil},
		{"DE postcode of 4", addr("DE", "", "1011"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"FR postcode", addr("FR", "", "75001"), nil},
		{"NL postcode", addr("NL", "", "1012 AB"), nil},
		{"NL postcode without letters", addr("NL", "", "1012"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"SE postcode", addr("SE", "", "114 55"), nil},
		{"JP postcode", addr("JP", "Tokyo", "100-0001"), nil},
		{"JP postcode without dash", addr("JP", "Tokyo", "1000001"), nil},
		{"BR CEP", addr("BR", "SP", "01310-100"), nil},
		{"BR CEP short", addr("BR", "SP", "0131-100"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"MX postcode", addr("MX", "CDMX", "06600"), nil},
		{"IN PIN", addr("IN", "DL", "110001"), nil},
		{"KR postcode", addr("KR", "", "03187"), nil},
		{"SG postcode", addr("SG", "", "018956"), nil},
		{"SA postcode", addr("SA", "", "11564"), nil},
		{"PT postcode", addr("PT", "", "1000-001"), nil},
		{"PT postcode without dash", addr("PT", "", "1000001"), []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"NZ postcode", addr("NZ", "", "6011"), nil},
		{"CH postcode has no pattern", addr("CH", "", "8001"), nil},
		{"state over 50", addr("US", strings.Repeat("s", 51), "95134"),
			[]string{"address.stateOrProvince: too_long", "address.stateOrProvince: invalid_state"}},
		{"postal over 16 where any shape goes", addr("AE", "", strings.Repeat("1", 17)),
			[]string{"address.zipOrPostalCode: too_long"}},

		// Several problems at once.
		{"empty address", func(a *tenantry.Address) { *a = tenantry.Address{} },
			[]string{"address.addressLine1: required", "address.city: required", "address.country: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := usAddress()
			tt.modify(&a)
			got := a.Validate("address")
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

func TestAddressValidatePrefix(t *testing.T) {
	a := tenantry.Address{Country: "US"}
	checkProblems(t, a.Validate("locations[2].address"), []string{
		"locations[2].address.addressLine1: required",
		"locations[2].address.city: required",
		"locations[2].address.stateOrProvince: state_required",
		"locations[2].address.zipOrPostalCode: postal_code_required",
	})
}

func TestAddressValidateParams(t *testing.T) {
	a := tenantry.Address{Line1: strings.Repeat("x", 51), City: "Toronto", Country: "CA", PostalCode: "K1A 0B1"}
	ps := a.Validate("address")
	if p := findProblem(t, ps, "address.addressLine1", tenantry.ReasonTooLong); p.Params["max"] != "50" {
		t.Errorf("too_long params = %v, want max=50", p.Params)
	}
	if p := findProblem(t, ps, "address.stateOrProvince", tenantry.ReasonStateRequired); p.Params["country"] != "CA" {
		t.Errorf("state_required params = %v, want country=CA", p.Params)
	}
	b := tenantry.Address{Line1: "1 Main St", City: "Springfield", Country: "XX"}
	if p := findProblem(t, b.Validate("address"), "address.country", tenantry.ReasonInvalidCountry); p.Params["value"] != "XX" {
		t.Errorf("invalid_country params = %v, want value=XX", p.Params)
	}
}

// TestAddressProblemsShowExamples: a postal code or a state that does not
// fit its country is told with an example of what fits, never the pattern
// behind the rule; the examples themselves fit.
func TestAddressProblemsShowExamples(t *testing.T) {
	tests := []struct {
		a                  tenantry.Address
		field, reason      string
		example, alternate string
	}{
		{tenantry.Address{State: "CA", PostalCode: "9513", Country: "US"}, "address.zipOrPostalCode", tenantry.ReasonInvalidPostalCodeEither, "12345", "12345-6789"},
		{tenantry.Address{PostalCode: "1234", Country: "SA"}, "address.zipOrPostalCode", tenantry.ReasonInvalidPostalCodeEither, "12345", "12345-6789"},
		{tenantry.Address{State: "ON", PostalCode: "12345", Country: "CA"}, "address.zipOrPostalCode", tenantry.ReasonInvalidPostalCode, "A1A 1A1", ""},
		{tenantry.Address{PostalCode: "12345", Country: "GB"}, "address.zipOrPostalCode", tenantry.ReasonInvalidPostalCode, "SW1A 1AA", ""},
		{tenantry.Address{PostalCode: "1000001", Country: "PT"}, "address.zipOrPostalCode", tenantry.ReasonInvalidPostalCode, "1234-567", ""},
		{tenantry.Address{State: "Texas", PostalCode: "78701", Country: "US"}, "address.stateOrProvince", tenantry.ReasonInvalidState, "TX", ""},
		{tenantry.Address{State: "CA", PostalCode: "K1A 0B1", Country: "CA"}, "address.stateOrProvince", tenantry.ReasonInvalidState, "ON", ""},
		{tenantry.Address{State: "Victoria", PostalCode: "3000", Country: "AU"}, "address.stateOrProvince", tenantry.ReasonInvalidState, "NSW", ""},
	}
	for _, tt := range tests {
		a := tt.a
		a.Line1, a.City = "1 Main St", "Springfield"
		p := findProblem(t, a.Validate("address"), tt.field, tt.reason)
		if p.Params["country"] != a.Country || p.Params["example"] != tt.example || p.Params["alternative"] != tt.alternate {
			t.Errorf("%s %s: params %v, want country %s, example %q, alternative %q", a.Country, tt.field, p.Params, a.Country, tt.example, tt.alternate)
		}
		for k, v := range p.Params {
			if strings.ContainsAny(v, `^$\()[]{}?`) {
				t.Errorf("%s %s: param %s = %q looks like a pattern", a.Country, tt.field, k, v)
			}
		}
	}
	// Every example a problem shows is itself accepted.
	for _, c := range tenantry.Countries() {
		a := tenantry.Address{Line1: "1 Main St", City: "Springfield", State: "?", PostalCode: "?", Country: c}
		for _, p := range a.Validate("address") {
			for _, k := range []string{"example", "alternative"} {
				ex, ok := p.Params[k]
				if !ok {
					continue
				}
				fixed := a
				if strings.HasSuffix(p.Field, "stateOrProvince") {
					fixed.State = ex
				} else {
					fixed.PostalCode = ex
				}
				for _, q := range fixed.Validate("address") {
					if q.Field == p.Field {
						t.Errorf("%s: the %s %q of %s is refused too (%s)", c, k, ex, p.Field, q.Reason)
					}
				}
			}
		}
	}
}
