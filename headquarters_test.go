package tenantry_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// TestHeadquarters: every customer's first location is its calling
// location when it has one, else its headquarters address named after it,
// in its meetings time zone and language, with defaults where it has none.
func TestHeadquarters(t *testing.T) {
	addr := tenantry.Address{Line1: "1 Main St", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"}
	calling := &tenantry.CallingLocation{Name: "Main office", Address: addr, TimeZone: "America/Chicago", Language: "en_us", EmergencyLocationID: "E1"}
	long := strings.Repeat("é", tenantry.MaxLocationName+5)
	tests := []struct {
		name string
		c    tenantry.Customer
		want tenantry.LocationInput
	}{
		{"calling location", tenantry.Customer{Name: "Acme", Address: addr, Calling: calling, MeetingsTimeZone: "Europe/Paris"},
			tenantry.LocationInput{Name: "Main office", Address: addr, TimeZone: "America/Chicago", Language: "en_us", EmergencyLocationID: "E1"}},
		{"meetings only", tenantry.Customer{Name: "Acme", Address: addr, MeetingsTimeZone: "America/New_York", Language: "es"},
			tenantry.LocationInput{Name: "Acme", Address: addr, TimeZone: "America/New_York", Language: "es"}},
		{"defaults", tenantry.Customer{Name: " Acme ", Address: addr},
			tenantry.LocationInput{Name: "Acme", Address: addr, TimeZone: tenantry.DefaultLocationTimeZone, Language: tenantry.DefaultLocationLanguage}},
		{"attached without a name", tenantry.Customer{ExternalID: "ext-9", Address: addr},
			tenantry.LocationInput{Name: "ext-9", Address: addr, TimeZone: "UTC", Language: "en"}},
		{"long name cut", tenantry.Customer{Name: long, Address: addr},
			tenantry.LocationInput{Name: long[:2*tenantry.MaxLocationName], Address: addr, TimeZone: "UTC", Language: "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tenantry.Headquarters(&tt.c)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Headquarters (-want +got):\n%s", diff)
			}
			if ps := got.Validate(); len(ps) != 0 {
				t.Errorf("the headquarters is not a valid location: %v", fieldReasons(ps))
			}
		})
	}
}

// TestCheckCallingLocation is rule C4 on update: adding a calling package
// needs a calling location, given or held already with every field.
func TestCheckCallingLocation(t *testing.T) {
	addr := tenantry.Address{Line1: "1 Main St", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"}
	loc := &tenantry.CallingLocation{Name: "HQ", Address: addr, TimeZone: "America/Chicago", Language: "en"}
	meetings := &tenantry.Customer{Packages: []tenantry.CustomerPackage{{Name: tenantry.WebexMeetings}}}
	calling := &tenantry.Customer{Calling: loc, Packages: []tenantry.CustomerPackage{{Name: tenantry.WebexCalling}}}
	broken := &tenantry.Customer{Calling: &tenantry.CallingLocation{Name: "HQ"}}
	wc, wm := tenantry.WebexCalling, tenantry.WebexMeetings
	missing := []string{tenantry.FieldCalling + ": " + tenantry.ReasonCallingLocation}
	tests := []struct {
		name    string
		current *tenantry.Customer
		pkgs    []tenantry.Package
		given   *tenantry.CallingLocation
		want    []string
	}{
		{"meetings-only stays so", meetings, []tenantry.Package{wm}, nil, nil},
		{"meetings-only adds calling without a location", meetings, []tenantry.Package{wm, wc}, nil, missing},
		{"meetings-only adds webex_suite without a location", meetings, []tenantry.Package{tenantry.WebexSuite}, nil, missing},
		{"meetings-only adds calling with a location", meetings, []tenantry.Package{wm, wc}, loc, nil},
		{"calling customer keeps its location", calling, []tenantry.Package{wc, wm}, nil, nil},
		{"held location lacks fields", broken, []tenantry.Package{wc}, nil, missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tenantry.CheckCallingLocation(tt.current, tt.pkgs, tt.given), tt.want)
		})
	}
	if !tenantry.GainsCallingLocation(meetings, loc) || tenantry.GainsCallingLocation(calling, loc) || tenantry.GainsCallingLocation(meetings, nil) {
		t.Error("GainsCallingLocation: only a customer without a calling location gains one")
	}
}
