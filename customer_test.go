package tenantry_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
)

const loc = "provisioningParameters.calling.location"

func TestCustomerInputValidateCreate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*tenantry.CustomerInput)
		want   []string
	}{
		{"valid", func(*tenantry.CustomerInput) {}, nil},

		// C1: company name.
		{"name missing", func(in *tenantry.CustomerInput) { in.Info.Name = "" },
			[]string{"customerInfo.name: required"}},
		{"name of tabs and spaces", func(in *tenantry.CustomerInput) { in.Info.Name = " \t " },
			[]string{"customerInfo.name: required"}},
		{"name with a control character", func(in *tenantry.CustomerInput) { in.Info.Name = "Acme\x07Inc" },
			[]string{"customerInfo.name: forbidden_character"}},
		{"name only spaces", func(in *tenantry.CustomerInput) { in.Info.Name = "   " },
			[]string{"customerInfo.name: required"}},
		{"name with percent", func(in *tenantry.CustomerInput) { in.Info.Name = "Acme 100% Inc" },
			[]string{"customerInfo.name: forbidden_character"}},
		{"name only a percent", func(in *tenantry.CustomerInput) { in.Info.Name = "%" },
			[]string{"customerInfo.name: forbidden_character"}},
		{"name with other punctuation", func(in *tenantry.CustomerInput) { in.Info.Name = "Acme & Sons, Ltd. (EMEA) #1" }, nil},
		{"name in Korean", func(in *tenantry.CustomerInput) { in.Info.Name = "주식회사 에이크미" }, nil},
		{"name of 255", func(in *tenantry.CustomerInput) { in.Info.Name = strings.Repeat("n", 255) }, nil},
		{"name of 256", func(in *tenantry.CustomerInput) { in.Info.Name = strings.Repeat("n", 256) },
			[]string{"customerInfo.name: too_long"}},
		{"customer info missing", func(in *tenantry.CustomerInput) { in.Info = nil },
			[]string{"customerInfo: required"}},
		{"customer info missing when attaching an org", func(in *tenantry.CustomerInput) { in.Info, in.OrgID = nil, "org-1" }, nil},

		// C1: admin email.
		{"email missing", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "" },
			[]string{"customerInfo.primaryEmail: required"}},
		{"email blank", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "  " },
			[]string{"customerInfo.primaryEmail: required"}},
		{"email without at", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "admin.acme.example" },
			[]string{"customerInfo.primaryEmail: invalid_email"}},
		{"email without domain dot", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "admin@localhost" },
			[]string{"customerInfo.primaryEmail: invalid_email"}},
		{"email with display name", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "Admin <admin@acme.example>" },
			[]string{"customerInfo.primaryEmail: invalid_email"}},
		{"two emails", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "a@acme.example,b@acme.example" },
			[]string{"customerInfo.primaryEmail: invalid_email"}},
		{"email with plus", func(in *tenantry.CustomerInput) { in.Info.PrimaryEmail = "admin+webex@acme.example" }, nil},

		// C1: external id, template, language.
		{"external id missing", func(in *tenantry.CustomerInput) { in.ExternalID = "" },
			[]string{"externalId: required"}},
		{"external id blank", func(in *tenantry.CustomerInput) { in.ExternalID = "   " },
			[]string{"externalId: required"}},
		{"external id of 256", func(in *tenantry.CustomerInput) { in.ExternalID = strings.Repeat("e", 256) },
			[]string{"externalId: too_long"}},
		{"provisioning id missing", func(in *tenantry.CustomerInput) { in.ProvisioningID = "" },
			[]string{"provisioningId: required"}},
		{"language invalid", func(in *tenantry.CustomerInput) { in.Info.Language = "english!" },
			[]string{"customerInfo.language: invalid_language"}},
		{"language optional", func(in *tenantry.CustomerInput) { in.Info.Language = "" }, nil},
		{"language pt-BR", func(in *tenantry.CustomerInput) { in.Info.Language = "pt-BR" }, nil},

		// C1: country and address.
		{"address missing", func(in *tenantry.CustomerInput) { in.Address = nil },
			[]string{"address: required"}},
		{"country lower case us", func(in *tenantry.CustomerInput) { in.Address.Country = "us" },
			[]string{"address.country: invalid_country"}},
		{"country XX", func(in *tenantry.CustomerInput) { in.Address.Country = "XX" },
			[]string{"address.country: invalid_country"}},
		{"country missing", func(in *tenantry.CustomerInput) { in.Address.Country = "" },
			[]string{"address.country: required"}},
		{"address line of 50", func(in *tenantry.CustomerInput) { in.Address.Line1 = strings.Repeat("a", 50) }, nil},
		{"address line of 51", func(in *tenantry.CustomerInput) { in.Address.Line1 = strings.Repeat("a", 51) },
			[]string{"address.addressLine1: too_long"}},
		{"address line of 50 multi-byte", func(in *tenantry.CustomerInput) { in.Address.Line1 = strings.Repeat("ü", 50) }, nil},
		{"address line2 of 51 multi-byte", func(in *tenantry.CustomerInput) { in.Address.Line2 = strings.Repeat("ü", 51) },
			[]string{"address.addressLine2: too_long"}},
		{"US without state", func(in *tenantry.CustomerInput) { in.Address.State = "" },
			[]string{"address.stateOrProvince: state_required"}},
		{"US without ZIP", func(in *tenantry.CustomerInput) { in.Address.PostalCode = "" },
			[]string{"address.zipOrPostalCode: postal_code_required"}},
		{"US ZIP malformed", func(in *tenantry.CustomerInput) { in.Address.PostalCode = "9513" },
			[]string{"address.zipOrPostalCode: invalid_postal_code_either"}},
		{"US state unknown", func(in *tenantry.CustomerInput) { in.Address.State = "ZZ" },
			[]string{"address.stateOrProvince: invalid_state"}},
		{"CA address", func(in *tenantry.CustomerInput) {
			*in.Address = tenantry.Address{Line1: "1 Yonge St", City: "Toronto", State: "ON", PostalCode: "M5E 1E5", Country: "CA"}
		}, nil},
		{"CA postal malformed", func(in *tenantry.CustomerInput) {
			*in.Address = tenantry.Address{Line1: "1 Yonge St", City: "Toronto", State: "ON", PostalCode: "12345", Country: "CA"}
		}, []string{"address.zipOrPostalCode: invalid_postal_code"}},
		{"AU without state", func(in *tenantry.CustomerInput) {
			*in.Address = tenantry.Address{Line1: "1 George St", City: "Sydney", PostalCode: "2000", Country: "AU"}
		}, []string{"address.stateOrProvince: state_required"}},
		{"AE without state or postal code", func(in *tenantry.CustomerInput) {
			*in.Address = tenantry.Address{Line1: "Sheikh Zayed Rd", City: "Dubai", Country: "AE"}
		}, nil},

		// C1: at least one package (more in package_test.go).
		{"no packages", func(in *tenantry.CustomerInput) { in.Packages = nil },
			[]string{"packages: no_packages"}},

		// C4: calling location.
		{"calling package without location", func(in *tenantry.CustomerInput) { in.Calling = nil },
			[]string{loc + ": calling_location_required"}},
		{"each calling package needs it: webex_voice", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"webex_voice"}, nil
		}, []string{loc + ": calling_location_required"}},
		{"each calling package needs it: common_area_calling", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"common_area_calling"}, nil
		}, []string{loc + ": calling_location_required"}},
		{"each calling package needs it: webex_suite", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"webex_suite"}, nil
		}, []string{loc + ": calling_location_required"}},
		{"each calling package needs it: cx_essentials", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"cx_essentials"}, nil
		}, []string{loc + ": calling_location_required"}},
		{"each calling package needs it: webex_calling_standard", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"webex_calling_standard"}, nil
		}, []string{loc + ": calling_location_required"}},
		{"meetings needs no location", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling = []string{"webex_meetings"}, nil
		}, nil},
		{"location name of 80", func(in *tenantry.CustomerInput) { in.Calling.Name = strings.Repeat("L", 80) }, nil},
		{"location name of 80 multi-byte", func(in *tenantry.CustomerInput) { in.Calling.Name = strings.Repeat("本", 80) }, nil},
		{"location name of 81", func(in *tenantry.CustomerInput) { in.Calling.Name = strings.Repeat("L", 81) },
			[]string{loc + ".name: too_long"}},
		{"location name missing", func(in *tenantry.CustomerInput) { in.Calling.Name = "" },
			[]string{loc + ".name: required"}},
		{"location time zone IANA", func(in *tenantry.CustomerInput) { in.Calling.TimeZone = "America/New_York" }, nil},
		{"location time zone not IANA", func(in *tenantry.CustomerInput) { in.Calling.TimeZone = "Mars/Olympus" },
			[]string{loc + ".timezone: invalid_timezone"}},
		{"location time zone abbreviation", func(in *tenantry.CustomerInput) { in.Calling.TimeZone = "PST" },
			[]string{loc + ".timezone: invalid_timezone"}},
		{"location time zone Local", func(in *tenantry.CustomerInput) { in.Calling.TimeZone = "Local" },
			[]string{loc + ".timezone: invalid_timezone"}},
		{"location time zone missing", func(in *tenantry.CustomerInput) { in.Calling.TimeZone = "" },
			[]string{loc + ".timezone: required"}},
		{"location language missing", func(in *tenantry.CustomerInput) { in.Calling.Language = "" },
			[]string{loc + ".language: required"}},
		{"location language invalid", func(in *tenantry.CustomerInput) { in.Calling.Language = "en-" },
			[]string{loc + ".language: invalid_language"}},
		{"location address invalid", func(in *tenantry.CustomerInput) { in.Calling.Address.State = "" },
			[]string{loc + ".address.stateOrProvince: state_required"}},
		{"location address empty", func(in *tenantry.CustomerInput) { in.Calling.Address = tenantry.Address{} },
			[]string{loc + ".address.addressLine1: required", loc + ".address.city: required", loc + ".address.country: required"}},
		{"location emergency id", func(in *tenantry.CustomerInput) { in.Calling.EmergencyLocationID = "ELIN-1" }, nil},
		{"location emergency id of 65", func(in *tenantry.CustomerInput) { in.Calling.EmergencyLocationID = strings.Repeat("9", 65) },
			[]string{loc + ".emergencyLocationIdentifier: too_long"}},
		{"location given with no calling package is still checked", func(in *tenantry.CustomerInput) {
			in.Packages, in.Calling.TimeZone = []string{"webex_meetings"}, "Nowhere/Nothing"
		}, []string{loc + ".timezone: invalid_timezone"}},

		// The rest of the request.
		{"meetings time zone", func(in *tenantry.CustomerInput) { in.MeetingsTimeZone = "Europe/Stockholm" }, nil},
		{"meetings time zone invalid", func(in *tenantry.CustomerInput) { in.MeetingsTimeZone = "Mars/Olympus" },
			[]string{"provisioningParameters.meetings.timezone: invalid_timezone"}},
		{"sub-partner admin email", func(in *tenantry.CustomerInput) { in.SubPartnerAdminEmail = "ops@reseller.example" }, nil},
		{"sub-partner admin email invalid", func(in *tenantry.CustomerInput) { in.SubPartnerAdminEmail = "ops@" },
			[]string{"subPartnerAdminEmail: invalid_email"}},
		{"org id of 256", func(in *tenantry.CustomerInput) { in.OrgID = strings.Repeat("o", 256) },
			[]string{"orgId: too_long"}},

		// Every problem at once.
		{"empty request", func(in *tenantry.CustomerInput) { *in = tenantry.CustomerInput{} }, []string{
			"provisioningId: required", "externalId: required", "packages: no_packages",
			"address: required", "customerInfo: required",
		}},
		{"many problems", func(in *tenantry.CustomerInput) {
			in.Info.Name, in.Info.PrimaryEmail, in.Address.Country, in.Calling = "50%", "nope", "XX", nil
		}, []string{
			"customerInfo.name: forbidden_character", "customerInfo.primaryEmail: invalid_email",
			"address.country: invalid_country", loc + ": calling_location_required",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.modify(in)
			got := in.Validate(tenantry.ModeCreate)
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

func TestCustomerInputValidateUpdate(t *testing.T) {
	tests := []struct {
		name string
		in   tenantry.CustomerInput
		want []string
	}{
		{"packages only", tenantry.CustomerInput{Packages: []string{"webex_meetings"}}, nil},
		{"calling package needs no location on update", tenantry.CustomerInput{Packages: []string{"webex_calling"}}, nil},
		{"no packages", tenantry.CustomerInput{}, []string{"packages: no_packages"}},
		{"external id optional but limited", tenantry.CustomerInput{Packages: []string{"webex_meetings"}, ExternalID: strings.Repeat("e", 256)},
			[]string{"externalId: too_long"}},
		{"info may omit name and email", tenantry.CustomerInput{Packages: []string{"webex_meetings"}, Info: &tenantry.CustomerInfo{}}, nil},
		{"name still may not hold percent", tenantry.CustomerInput{Packages: []string{"webex_meetings"}, Info: &tenantry.CustomerInfo{Name: "a%b"}},
			[]string{"customerInfo.name: forbidden_character"}},
		{"email still must be valid", tenantry.CustomerInput{Packages: []string{"webex_meetings"}, Info: &tenantry.CustomerInfo{PrimaryEmail: "x"}},
			[]string{"customerInfo.primaryEmail: invalid_email"}},
		{"address still checked", tenantry.CustomerInput{Packages: []string{"webex_meetings"}, Address: &tenantry.Address{Line1: "x", City: "y", Country: "us"}},
			[]string{"address.country: invalid_country"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.in.Validate(tenantry.ModeUpdate), tt.want)
		})
	}
}

func TestCustomerInputValidatePrecheck(t *testing.T) {
	hq := usAddress()
	tests := []struct {
		name string
		in   tenantry.CustomerInput
		want []string
	}{
		{"empty", tenantry.CustomerInput{}, []string{"address: required", "customerInfo.primaryEmail: required"}},
		{"address and email", tenantry.CustomerInput{Address: &hq, Info: &tenantry.CustomerInfo{PrimaryEmail: "a@acme.example"}}, nil},
		{"email blank", tenantry.CustomerInput{Address: &hq, Info: &tenantry.CustomerInfo{PrimaryEmail: " "}},
			[]string{"customerInfo.primaryEmail: required"}},
		{"empty package list given", tenantry.CustomerInput{Address: &hq, Info: &tenantry.CustomerInfo{PrimaryEmail: "a@acme.example"}, Packages: []string{}},
			[]string{"packages: no_packages"}},
		{"packages checked when given", tenantry.CustomerInput{Address: &hq, Info: &tenantry.CustomerInfo{PrimaryEmail: "a@acme.example"}, Packages: []string{"bogus"}},
			[]string{"packages[0]: unknown_package"}},
		// A precheck runs every check a creation would (C4 included).
		{"calling location needed (C4)", tenantry.CustomerInput{Address: &hq, Info: &tenantry.CustomerInfo{PrimaryEmail: "a@acme.example"}, Packages: []string{"webex_calling"}},
			[]string{"provisioningParameters.calling.location: calling_location_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.in.Validate(tenantry.ModePrecheck), tt.want)
		})
	}
}

func TestCustomerInputValidateParams(t *testing.T) {
	in := validInput()
	in.Info.Name = "100%"
	in.Address.Country = "XX"
	in.Calling.TimeZone = "Mars/Olympus"
	ps := in.Validate(tenantry.ModeCreate)
	want := []tenantry.Problem{
		{Field: "customerInfo.name", Reason: tenantry.ReasonForbiddenChar, Params: map[string]string{"char": "%"}},
		{Field: "address.country", Reason: tenantry.ReasonInvalidCountry, Params: map[string]string{"value": "XX"}},
		{Field: loc + ".timezone", Reason: tenantry.ReasonInvalidTimeZone, Params: map[string]string{"value": "Mars/Olympus"}},
	}
	byField := cmpopts.SortSlices(func(a, b tenantry.Problem) bool { return a.Field < b.Field })
	if diff := cmp.Diff(want, ps, byField); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestCustomerInputValidateDoesNotModify(t *testing.T) {
	in := validInput()
	in.Limits = map[string]int{"webex_calling": 0, "bogus": 3}
	in.Address.Country = "us"
	before := *in
	beforeAddr, beforeInfo, beforeCalling := *in.Address, *in.Info, *in.Calling
	first := in.Validate(tenantry.ModeCreate)
	second := in.Validate(tenantry.ModeCreate)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("Validate is not deterministic (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(before, *in); diff != "" {
		t.Errorf("Validate changed the input:\n%s", diff)
	}
	if *in.Address != beforeAddr || *in.Info != beforeInfo || *in.Calling != beforeCalling {
		t.Error("Validate changed a nested part of the input")
	}
}

func TestInvalid(t *testing.T) {
	if err := tenantry.Invalid(nil); err != nil {
		t.Errorf("Invalid(nil) = %v, want nil", err)
	}
	in := validInput()
	in.ExternalID = ""
	err := tenantry.Invalid(in.Validate(tenantry.ModeCreate))
	if got := tenantry.ErrorCode(err); got != tenantry.EINVALID {
		t.Fatalf("ErrorCode = %q, want %q", got, tenantry.EINVALID)
	}
	e := tenantry.AsError(err)
	if e.Reason != tenantry.ReasonInvalidRequest || len(e.Problems) != 1 || e.Problems[0].Field != "externalId" {
		t.Errorf("error = %+v", e)
	}
	if got, want := err.Error(), "invalid: invalid_request; externalId: required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestValidEmail(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		{"admin@acme.example", true},
		{"first.last@acme.co.uk", true},
		{"admin+tag@acme.example", true},
		{"a@b.co", true},
		{"ADMIN@ACME.EXAMPLE", true},
		{"", false},
		{"admin", false},
		{"@acme.example", false},
		{"admin@", false},
		{"admin@acme", false},
		{"admin@acme.", false},
		{"admin@acme.example.", false},
		{"admin@@acme.example", false},
		{"ad min@acme.example", false},
		{" admin@acme.example", false},
		{"admin@acme.example ", false},
		{"admin@acme.example\n", false},
		{"Admin <admin@acme.example>", false},
		{"<admin@acme.example>", false},
		{`"admin"@acme.example`, false},
		{"admin@acme.example (work)", false},
		{"a@acme.example,b@acme.example", false},
		{"admin..x@acme.example", false},
		{".admin@acme.example", false},
		{"admin@acme..example", false},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", true},  // 254
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", false}, // 255
	}
	for _, tt := range tests {
		if got := tenantry.ValidEmail(tt.email); got != tt.want {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.email, got, tt.want)
		}
	}
}

func TestValidTimeZone(t *testing.T) {
	tests := []struct {
		tz   string
		want bool
	}{
		{"America/Los_Angeles", true},
		{"America/Argentina/Buenos_Aires", true},
		{"Europe/Stockholm", true},
		{"Asia/Seoul", true},
		{"Asia/Riyadh", true},
		{"UTC", true},
		{"Mars/Olympus", false},
		{"", false},
		{"Local", false},
		{"PST", false},
		{"America", false},
		{"../../etc/passwd", false},
		{"/etc/localtime", false},
		{"America/Los_Angeles\x00", false},
		{"America/\xffLos_Angeles", false},
		{strings.Repeat("A", 65), false},
	}
	for _, tt := range tests {
		if got := tenantry.ValidTimeZone(tt.tz); got != tt.want {
			t.Errorf("ValidTimeZone(%q) = %v, want %v", tt.tz, got, tt.want)
		}
	}
}

// TestValidTimeZoneOnlyIANANames: time.LoadLocation opens files under the
// host's zoneinfo directory, so a path that reaches a zone file without being
// an IANA name is accepted on a host that has one, and refused on a host
// that has only the embedded database.
func TestValidTimeZoneOnlyIANANames(t *testing.T) {
	for _, tz := range []string{"America/./Los_Angeles", "America//Los_Angeles", "./UTC", "Europe/Berlin/"} {
		if tenantry.ValidTimeZone(tz) {
			t.Errorf("ValidTimeZone(%q) = true, want false: not an IANA time zone name", tz)
		}
	}
}

func TestValidLanguageTag(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"en", true}, {"pt-BR", true}, {"en_us", true}, {"ast", true}, {"zh-Hant", true}, {"ar", true},
		{"", false}, {"e", false}, {"english", false}, {"en-", false}, {"en-US-x", false}, {"12", false},
		{"en US", false}, {"en-US\n", false},
	}
	for _, tt := range tests {
		if got := tenantry.ValidLanguageTag(tt.tag); got != tt.want {
			t.Errorf("ValidLanguageTag(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}
