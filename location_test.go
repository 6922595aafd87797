package tenantry_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// validLocation is a branch that passes every static rule.
func validLocation() *tenantry.LocationInput {
	return &tenantry.LocationInput{
		Name:     "Milpitas branch",
		Address:  usAddress(),
		TimeZone: "America/Los_Angeles",
		Language: "en_us",
	}
}

// TestLocationInputValidate covers rule C4 for locations: name, address (by
// rule C1, under "address."), time zone, language and the optional
// emergency location identifier.
func TestLocationInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *tenantry.LocationInput)
		want   []string
	}{
		{"valid", func(in *tenantry.LocationInput) {}, nil},
		{"valid with emergency id and second line", func(in *tenantry.LocationInput) {
			in.EmergencyLocationID = "ELIN-4085550100"
			in.Address.Line2 = "Building 5"
		}, nil},
		{"name of 80 characters", func(in *tenantry.LocationInput) { in.Name = strings.Repeat("ö", 80) }, nil},
		{"name of 81 characters", func(in *tenantry.LocationInput) { in.Name = strings.Repeat("ö", 81) }, []string{"name: too_long"}},
		{"no name", func(in *tenantry.LocationInput) { in.Name = "" }, []string{"name: required"}},
		{"blank name", func(in *tenantry.LocationInput) { in.Name = " \t " }, []string{"name: required"}},
		{"name with a control character", func(in *tenantry.LocationInput) { in.Name = "Branch\n2" }, []string{"name: forbidden_character"}},
		{"no time zone", func(in *tenantry.LocationInput) { in.TimeZone = "" }, []string{"timezone: required"}},
		{"unknown time zone", func(in *tenantry.LocationInput) { in.TimeZone = "Mars/Olympus_Mons" }, []string{"timezone: invalid_timezone"}},
		{"local is no IANA zone", func(in *tenantry.LocationInput) { in.TimeZone = "Local" }, []string{"timezone: invalid_timezone"}},
		{"path in time zone", func(in *tenantry.LocationInput) { in.TimeZone = "../../etc/passwd" }, []string{"timezone: invalid_timezone"}},
		{"no language", func(in *tenantry.LocationInput) { in.Language = "" }, []string{"language: required"}},
		{"bad language", func(in *tenantry.LocationInput) { in.Language = "english" }, []string{"language: invalid_language"}},
		{"BCP 47 language", func(in *tenantry.LocationInput) { in.Language = "pt-BR" }, nil},
		{"emergency id too long", func(in *tenantry.LocationInput) { in.EmergencyLocationID = strings.Repeat("9", 65) },
			[]string{"emergencyLocationIdentifier: too_long"}},
		{"address reuses the customer rules", func(in *tenantry.LocationInput) {
			in.Address = tenantry.Address{Line1: strings.Repeat("x", 51), City: "San Jose", Country: "US"}
		}, []string{"address.addressLine1: too_long", "address.stateOrProvince: state_required", "address.zipOrPostalCode: postal_code_required"}},
		{"no address", func(in *tenantry.LocationInput) { in.Address = tenantry.Address{} },
			[]string{"address.addressLine1: required", "address.city: required", "address.country: required"}},
		{"unknown country", func(in *tenantry.LocationInput) { in.Address.Country = "XX" }, []string{"address.country: invalid_country"}},
		{"swedish branch", func(in *tenantry.LocationInput) {
			in.Address = tenantry.Address{Line1: "Kungsgatan 1", City: "Stockholm", PostalCode: "111 43", Country: "SE"}
			in.TimeZone, in.Language = "Europe/Stockholm", "sv"
		}, nil},
		{"everything wrong at once", func(in *tenantry.LocationInput) { *in = tenantry.LocationInput{TimeZone: "x", Language: "1"} },
			[]string{"name: required", "address.addressLine1: required", "address.city: required", "address.country: required",
				"timezone: invalid_timezone", "language: invalid_language"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validLocation()
			tt.change(in)
			ps := in.Validate()
			checkWellFormed(t, ps)
			checkProblems(t, ps, tt.want)
		})
	}
}

func TestSameLocationName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Head Office", "Head Office", true},
		{"Head Office", "head office", true},
		{"Head Office", "  HEAD OFFICE ", true},
		{"Östra kontoret", "östra KONTORET", true},
		{"Head Office", "Head  Office", false},
		{"Head Office", "Branch", false},
	}
	for _, tt := range tests {
		if got := tenantry.SameLocationName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameLocationName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCustomerStatusAcceptsLocations(t *testing.T) {
	want := map[tenantry.CustomerStatus]bool{tenantry.StatusProvisioned: true, tenantry.StatusProvisionedWithErrors: true}
	for _, s := range tenantry.CustomerStatuses {
		if got := s.AcceptsLocations(); got != want[s] {
			t.Errorf("%s.AcceptsLocations() = %v, want %v", s, got, want[s])
		}
	}
}

// locationFields are the roots of every field path a location request can
// have problems under.
var locationFields = []string{"name", "address", "timezone", "language", "emergencyLocationIdentifier"}

func FuzzLocationInput(f *testing.F) {
	f.Add("Milpitas branch", "771 Alder Drive", "", "Milpitas", "CA", "95035", "US", "America/Los_Angeles", "en_us", "")
	f.Add("", "", "", "", "", "", "", "", "", "")
	f.Add(strings.Repeat("L", 81), "x\n", "\x7f", "\xff", "ca", "9503", "us", "Local", "en-", strings.Repeat("9", 65))
	f.Add("Kontoret", "Kungsgatan 1", "", "Stockholm", "", "111 43", "SE", "Europe/Stockholm", "sv", "E-1")
	f.Add("المقر", "شارع الملك فهد", "", "الرياض", "", "12345", "SA", "Asia/Riyadh", "ar", "")
	f.Add("본사", "테헤란로 1", "", "서울", "", "06236", "KR", "Asia/Seoul", "ko", "")
	f.Add("Branch", "1 Main", "", "City", "", "", "BR", "../../etc/passwd", "pt-BR", "")
	f.Fuzz(func(t *testing.T, name, line1, line2, city, state, postal, country, tz, lang, emergency string) {
		in := &tenantry.LocationInput{
			Name:                name,
			Address:             tenantry.Address{Line1: line1, Line2: line2, City: city, State: state, PostalCode: postal, Country: country},
			TimeZone:            tz,
			Language:            lang,
			EmergencyLocationID: emergency,
		}
		before := *in
		ps := in.Validate()
		checkWellFormed(t, ps)
		for _, p := range ps {
			if !hasRoot(p.Field, locationFields) {
				t.Errorf("problem on unexpected field %q", p.Field)
			}
		}
		checkDeterministic(t, ps, in.Validate)
		if diff := cmp.Diff(before, *in); diff != "" {
			t.Fatalf("Validate changed the input:\n%s", diff)
		}
		// The address is judged exactly as a customer's address is.
		var addr []tenantry.Problem
		for _, p := range ps {
			if strings.HasPrefix(p.Field, "address.") {
				addr = append(addr, p)
			}
		}
		if diff := cmp.Diff(in.Address.Validate("address"), addr); diff != "" {
			t.Errorf("address problems differ from Address.Validate (-want +got):\n%s", diff)
		}
		if utf8.RuneCountInString(name) > tenantry.MaxLocationName && !hasField(ps, "name") {
			t.Errorf("name of %d characters accepted", utf8.RuneCountInString(name))
		}
		if len(ps) != 0 {
			return
		}
		if !textOK(name, tenantry.MaxLocationName) {
			t.Errorf("name %q accepted", name)
		}
		if !tenantry.ValidTimeZone(tz) || !tenantry.ValidLanguageTag(lang) {
			t.Errorf("time zone %q / language %q accepted", tz, lang)
		}
		if !tenantry.IsCountry(country) {
			t.Errorf("country %q accepted", country)
		}
		if utf8.RuneCountInString(emergency) > tenantry.MaxEmergencyLocationID || !utf8.ValidString(emergency) {
			t.Errorf("emergency location identifier %q accepted", emergency)
		}
	})
}

func hasField(ps []tenantry.Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
