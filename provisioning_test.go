package tenantry_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

func license(p tenantry.Package) string { return "lic-" + string(p) }

// newCustomer is a customer as CreateCustomer stores it: provisioning, every
// package provisioning, no organization yet.
func newCustomer(country string, pkgs ...tenantry.Package) *tenantry.Customer {
	c := &tenantry.Customer{
		ID:      "cust-1",
		Name:    "Acme",
		Address: tenantry.Address{Line1: "1 Main St", City: "Capital", Country: country},
		Status:  tenantry.StatusProvisioning,
		Calling: &tenantry.CallingLocation{Name: "HQ", TimeZone: "America/Los_Angeles", Language: "en"},
	}
	for _, p := range pkgs {
		c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: p, Status: tenantry.PackageProvisioning})
	}
	return c
}

// packageStatuses summarizes a customer's packages as name → status.
func packageStatuses(c *tenantry.Customer) map[tenantry.Package]tenantry.PackageStatus {
	m := make(map[tenantry.Package]tenantry.PackageStatus, len(c.Packages))
	for _, p := range c.Packages {
		m[p.Name] = p.Status
	}
	return m
}

func TestProvision(t *testing.T) {
	wc, wm, ccp, ac := tenantry.WebexCalling, tenantry.WebexMeetings, tenantry.CiscoCallingPlan, tenantry.AttendantConsole
	const (
		ok  = tenantry.PackageProvisioned
		bad = tenantry.PackageError
	)
	tests := []struct {
		name     string
		customer *tenantry.Customer
		status   tenantry.CustomerStatus
		packages map[tenantry.Package]tenantry.PackageStatus
		region   tenantry.Region
		e911     bool
		orgID    string
	}{
		{"US all provisioned", newCustomer("US", wc, wm, ccp, ac), tenantry.StatusProvisioned,
			map[tenantry.Package]tenantry.PackageStatus{wc: ok, wm: ok, ccp: ok, ac: ok}, tenantry.RegionUS, true, "org-1"},
		{"CA gets E911", newCustomer("CA", wc), tenantry.StatusProvisioned,
			map[tenantry.Package]tenantry.PackageStatus{wc: ok}, tenantry.RegionCA, true, "org-1"},
		{"DE has no E911", newCustomer("DE", wc, wm), tenantry.StatusProvisioned,
			map[tenantry.Package]tenantry.PackageStatus{wc: ok, wm: ok}, tenantry.RegionEU, false, "org-1"},
		{"AR calling fails, meetings provisioned", newCustomer("AR", wc, wm), tenantry.StatusProvisionedWithErrors,
			map[tenantry.Package]tenantry.PackageStatus{wc: bad, wm: ok}, tenantry.RegionUS, false, "org-1"},
		{"AR add-ons fail with calling", newCustomer("AR", wc, ccp, wm), tenantry.StatusProvisionedWithErrors,
			map[tenantry.Package]tenantry.PackageStatus{wc: bad, ccp: bad, wm: ok}, tenantry.RegionUS, false, "org-1"},
		{"AR every package fails", newCustomer("AR", wc, ccp, ac), tenantry.StatusError,
			map[tenantry.Package]tenantry.PackageStatus{wc: bad, ccp: bad, ac: bad}, tenantry.RegionUS, false, "org-1"},
		{"AR meetings only", newCustomer("AR", wm), tenantry.StatusProvisioned,
			map[tenantry.Package]tenantry.PackageStatus{wm: ok}, tenantry.RegionUS, false, "org-1"},
		{"CU held for review", newCustomer("CU", wc, wm), tenantry.StatusPendingRPLReview,
			map[tenantry.Package]tenantry.PackageStatus{wc: tenantry.PackageProvisioning, wm: tenantry.PackageProvisioning},
			tenantry.RegionUS, false, ""},
		{"IR held for review", newCustomer("IR", wm), tenantry.StatusPendingRPLReview,
			map[tenantry.Package]tenantry.PackageStatus{wm: tenantry.PackageProvisioning}, tenantry.RegionUS, false, ""},
		{"attached organization kept", func() *tenantry.Customer {
			c := newCustomer("GB", wc)
			c.OrgID = "existing-org"
			return c
		}(), tenantry.StatusProvisioned, map[tenantry.Package]tenantry.PackageStatus{wc: ok}, tenantry.RegionUK, false, "existing-org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.customer
			tenantry.Provision(c, "org-1", license)
			if c.Status != tt.status {
				t.Errorf("status = %q, want %q", c.Status, tt.status)
			}
			if diff := cmp.Diff(tt.packages, packageStatuses(c)); diff != "" {
				t.Errorf("package statuses (-want +got):\n%s", diff)
			}
			if c.Region != tt.region {
				t.Errorf("region = %q, want %q", c.Region, tt.region)
			}
			if c.E911Enabled != tt.e911 {
				t.Errorf("E911 = %v, want %v", c.E911Enabled, tt.e911)
			}
			if c.OrgID != tt.orgID {
				t.Errorf("org id = %q, want %q", c.OrgID, tt.orgID)
			}
			for _, p := range c.Packages {
				switch p.Status {
				case tenantry.PackageProvisioned:
					if diff := cmp.Diff([]string{license(p.Name)}, p.LicenseIDs); diff != "" {
						t.Errorf("%s licenses (-want +got):\n%s", p.Name, diff)
					}
					if len(p.Errors) != 0 {
						t.Errorf("%s provisioned with errors %v", p.Name, p.Errors)
					}
				case tenantry.PackageError:
					want := []tenantry.Notice{{Code: tenantry.NoticeCallingUnavailable, Description: "Calling is not available in " + c.Address.Country + ".",
						Reason: tenantry.ReasonCallingNotOffered, Params: map[string]string{"country": c.Address.Country}}}
					if diff := cmp.Diff(want, p.Errors); diff != "" {
						t.Errorf("%s errors (-want +got):\n%s", p.Name, diff)
					}
					if len(p.LicenseIDs) != 0 {
						t.Errorf("%s failed but got licenses %v", p.Name, p.LicenseIDs)
					}
				}
			}
		})
	}
}

func TestProvisionRegion(t *testing.T) {
	tests := []struct {
		country string
		want    tenantry.Region
	}{
		{"US", tenantry.RegionUS}, {"DE", tenantry.RegionEU}, {"GB", tenantry.RegionUK}, {"JP", tenantry.RegionJP},
		{"CA", tenantry.RegionCA}, {"AU", tenantry.RegionAU}, {"SG", tenantry.RegionSG}, {"SA", tenantry.RegionSA},
		{"AE", tenantry.RegionAE}, {"NZ", tenantry.RegionAU}, {"BR", tenantry.RegionUS},
		// The region is set even when the customer is held for review.
		{"CU", tenantry.RegionUS},
	}
	for _, tt := range tests {
		c := newCustomer(tt.country, tenantry.WebexCalling)
		tenantry.Provision(c, "org-1", license)
		if c.Region != tt.want {
			t.Errorf("Provision in %s: region = %q, want %q", tt.country, c.Region, tt.want)
		}
		if got, want := c.E911Enabled, tt.country == "US" || tt.country == "CA"; got != want {
			t.Errorf("Provision in %s: E911 = %v, want %v", tt.country, got, want)
		}
	}
}

// TestProvisionE911WhereCalling: E911 applies where calling does (U6); a
// meetings-only customer in the US gets no E911 provider, and one whose
// calling package is being removed keeps none.
func TestProvisionE911WhereCalling(t *testing.T) {
	c := newCustomer("US", tenantry.WebexMeetings)
	tenantry.Provision(c, "org-1", license)
	if c.E911Enabled {
		t.Error("a meetings-only US customer has E911 enabled")
	}
	c = newCustomer("CA", tenantry.WebexMeetings, tenantry.WebexCalling)
	tenantry.Provision(c, "org-1", license)
	if !c.E911Enabled {
		t.Error("a calling customer in CA has no E911")
	}
	c.Package(tenantry.WebexCalling).Status = tenantry.PackageDeleting
	tenantry.ApplyUpdate(c, license)
	tenantry.Provision(c, "org-1", license)
	if c.E911Enabled {
		t.Error("E911 stays enabled once calling is removed")
	}
}

func TestProvisionMeetingsTimeZone(t *testing.T) {
	wm := tenantry.WebexMeetings
	tests := []struct {
		name     string
		calling  *tenantry.CallingLocation
		meetTZ   string
		wantTZ   string
		warnings []tenantry.Notice
	}{
		{"from the calling location", &tenantry.CallingLocation{TimeZone: "Europe/Berlin"}, "", "Europe/Berlin", nil},
		{"given", &tenantry.CallingLocation{TimeZone: "Europe/Berlin"}, "Europe/Paris", "Europe/Paris", nil},
		{"given without calling", nil, "Asia/Tokyo", "Asia/Tokyo", nil},
		{"defaulted with a warning", nil, "", "",
			[]tenantry.Notice{{Code: tenantry.NoticeMeetingsTimeZone, Description: "No meetings time zone was given; the site uses UTC.", Reason: tenantry.ReasonMeetingsUTC}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCustomer("DE", wm)
			c.Calling, c.MeetingsTimeZone = tt.calling, tt.meetTZ
			tenantry.Provision(c, "org-1", license)
			if c.MeetingsTimeZone != tt.wantTZ {
				t.Errorf("meetings time zone = %q, want %q", c.MeetingsTimeZone, tt.wantTZ)
			}
			if diff := cmp.Diff(tt.warnings, c.Package(wm).Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if c.Status != tenantry.StatusProvisioned {
				t.Errorf("status = %q, a warning is not an error", c.Status)
			}
		})
	}
}

// TestProvisionRepeated: a job that runs twice leaves the same customer.
func TestProvisionRepeated(t *testing.T) {
	c := newCustomer("AR", tenantry.WebexCalling, tenantry.WebexMeetings)
	tenantry.Provision(c, "org-1", license)
	first := *c
	first.Packages = append([]tenantry.CustomerPackage(nil), c.Packages...)
	tenantry.Provision(c, "org-2", func(p tenantry.Package) string { return "other-" + string(p) })
	if diff := cmp.Diff(first, *c); diff != "" {
		t.Errorf("second Provision changed the customer (-first +second):\n%s", diff)
	}
}

func TestApplyUpdate(t *testing.T) {
	wc, wm, ws, ac := tenantry.WebexCalling, tenantry.WebexMeetings, tenantry.WebexSuite, tenantry.AttendantConsole
	tests := []struct {
		name     string
		country  string
		packages []tenantry.CustomerPackage
		want     []tenantry.CustomerPackage
		status   tenantry.CustomerStatus
	}{
		{"drop deleting, settle new", "US",
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"old-wc"}},
				{Name: wm, Status: tenantry.PackageDeleting, LicenseIDs: []string{"old-wm"}},
				{Name: ws, Status: tenantry.PackageProvisioning},
			},
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"old-wc"}},
				{Name: ws, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"lic-webex_suite"}},
			},
			tenantry.StatusProvisioned},
		{"quantities survive", "US",
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageProvisioned, Quantity: 10, LicenseIDs: []string{"old-wc"}},
				{Name: ac, Status: tenantry.PackageProvisioning, Quantity: 2},
			},
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageProvisioned, Quantity: 10, LicenseIDs: []string{"old-wc"}},
				{Name: ac, Status: tenantry.PackageProvisioned, Quantity: 2, LicenseIDs: []string{"lic-attendant_console"}},
			},
			tenantry.StatusProvisioned},
		{"new calling package where calling is unavailable", "AR",
			[]tenantry.CustomerPackage{
				{Name: wm, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"old-wm"}},
				{Name: wc, Status: tenantry.PackageProvisioning},
			},
			[]tenantry.CustomerPackage{
				{Name: wm, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"old-wm"}},
				{Name: wc, Status: tenantry.PackageError, Errors: []tenantry.Notice{{Code: tenantry.NoticeCallingUnavailable, Description: "Calling is not available in AR.",
					Reason: tenantry.ReasonCallingNotOffered, Params: map[string]string{"country": "AR"}}}},
			},
			tenantry.StatusProvisionedWithErrors},
		{"a past error clears once settled", "US",
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageError, Errors: []tenantry.Notice{{Code: tenantry.NoticeJobGaveUp, Description: "gave up"}}},
			},
			[]tenantry.CustomerPackage{
				{Name: wc, Status: tenantry.PackageProvisioned, LicenseIDs: []string{"lic-webex_calling"}},
			},
			tenantry.StatusProvisioned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCustomer(tt.country)
			c.OrgID, c.Status, c.Packages = "org-1", tenantry.StatusUpdating, tt.packages
			c.Errors = []tenantry.Notice{{Code: tenantry.NoticeJobFailed, Description: "retrying"}}
			tenantry.ApplyUpdate(c, license)
			if diff := cmp.Diff(tt.want, c.Packages); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			if c.Status != tt.status {
				t.Errorf("status = %q, want %q", c.Status, tt.status)
			}
			if len(c.Errors) != 0 {
				t.Errorf("customer errors = %v, want none once settled", c.Errors)
			}
		})
	}
}

func TestCustomerStatusSettled(t *testing.T) {
	want := map[tenantry.CustomerStatus]bool{
		tenantry.StatusProvisioned:           true,
		tenantry.StatusProvisionedWithErrors: true,
		tenantry.StatusError:                 true,
		tenantry.StatusProvisioning:          false,
		tenantry.StatusUpdating:              false,
		tenantry.StatusDeleting:              false,
		tenantry.StatusPendingRPLReview:      false,
	}
	if len(tenantry.CustomerStatuses) != len(want) {
		t.Errorf("CustomerStatuses has %d statuses, want %d", len(tenantry.CustomerStatuses), len(want))
	}
	for _, s := range tenantry.CustomerStatuses {
		w, ok := want[s]
		if !ok {
			t.Errorf("unexpected status %q", s)
		}
		if got := s.Settled(); got != w {
			t.Errorf("%q.Settled() = %v, want %v", s, got, w)
		}
	}
}

func TestCustomerPackageLookup(t *testing.T) {
	c := customerWith(tenantry.WebexCalling, tenantry.WebexMeetings)
	if diff := cmp.Diff([]tenantry.Package{tenantry.WebexCalling, tenantry.WebexMeetings}, c.PackageNames()); diff != "" {
		t.Errorf("PackageNames (-want +got):\n%s", diff)
	}
	if p := c.Package(tenantry.WebexMeetings); p == nil || p.Name != tenantry.WebexMeetings {
		t.Errorf("Package(webex_meetings) = %+v", p)
	}
	if p := c.Package(tenantry.WebexSuite); p != nil {
		t.Errorf("Package(webex_suite) = %+v, want nil", p)
	}
	c.Package(tenantry.WebexCalling).Quantity = 7
	if c.Packages[0].Quantity != 7 {
		t.Error("Package does not return a pointer into the customer")
	}
}
