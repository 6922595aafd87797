package tenantry_test

import (
	"testing"

	"github.com/tenantry/tenantry"
)

// adminCustomer is a provisioned customer holding pkgs.
func adminCustomer(pkgs ...tenantry.Package) *tenantry.Customer {
	c := newCustomer("US", pkgs...)
	tenantry.Provision(c, "org-1", license)
	return c
}

func TestPackageLevelOrder(t *testing.T) {
	order := []tenantry.Package{tenantry.WebexCallingStandard, tenantry.WebexCalling, tenantry.WebexSuite}
	for i := 1; i < len(order); i++ {
		if !(tenantry.PackageLevel(order[i-1]) < tenantry.PackageLevel(order[i])) {
			t.Errorf("level(%s) = %d, not below level(%s) = %d", order[i-1], tenantry.PackageLevel(order[i-1]), order[i], tenantry.PackageLevel(order[i]))
		}
	}
	for _, p := range tenantry.Packages {
		if got, want := tenantry.AdminPackage(p), p.ForUsers() && !p.AddOn(); got != want {
			t.Errorf("AdminPackage(%s) = %v, want %v (a user package that is not an add-on)", p, got, want)
		}
	}
}

func TestOrgPackage(t *testing.T) {
	tests := []struct {
		pkgs []tenantry.Package
		want tenantry.Package
	}{
		{[]tenantry.Package{tenantry.WebexMeetings, tenantry.WebexCalling}, tenantry.WebexCalling},
		{[]tenantry.Package{tenantry.WebexSuite, tenantry.WebexCallingStandard}, tenantry.WebexSuite},
		{[]tenantry.Package{tenantry.CommonAreaCalling, tenantry.CiscoCallingPlan}, ""},
		{[]tenantry.Package{tenantry.WebexVoice, tenantry.WebexMeetings}, tenantry.WebexVoice}, // a tie: the first
	}
	for _, tt := range tests {
		if got := tenantry.OrgPackage(adminCustomer(tt.pkgs...)); got != tt.want {
			t.Errorf("OrgPackage(%v) = %q, want %q", tt.pkgs, got, tt.want)
		}
	}
}

// TestCheckAdmin is rule U4: an admin's package is one of the customer's,
// of the level the organization was created with (the full admin's), there
// is one full admin, who keeps the role, and the full admin's package is
// never downgraded (nor moved to another level).
func TestCheckAdmin(t *testing.T) {
	c := adminCustomer(tenantry.WebexCallingStandard, tenantry.WebexCalling, tenantry.WebexSuite, tenantry.WebexMeetings,
		tenantry.CXEssentials, tenantry.CXStandardAgent, tenantry.AttendantConsole)
	// The organization was created with webex_calling; the customer got
	// more packages later.
	full := &tenantry.CustomerAdmin{ID: "a1", Email: "first@example.com", Role: tenantry.AdminFull, Package: tenantry.WebexCalling}
	other := &tenantry.CustomerAdmin{ID: "a2", Email: "ro@example.com", Role: tenantry.AdminReadOnly, Package: tenantry.WebexCalling}
	in := func(email string, role tenantry.AdminRole, p tenantry.Package) *tenantry.CustomerAdminInput {
		return &tenantry.CustomerAdminInput{Email: email, Role: role, Package: p}
	}
	tests := []struct {
		name          string
		current       *tenantry.CustomerAdmin
		in            *tenantry.CustomerAdminInput
		field, reason string // "": valid
	}{
		{"add read-only", nil, in("x@example.com", tenantry.AdminReadOnly, tenantry.WebexCalling), "", ""},
		{"add read-only with meetings on a calling organization", nil, in("x@example.com", tenantry.AdminReadOnly, tenantry.WebexMeetings),
			tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel},
		{"add support on a lower package", nil, in("x@example.com", tenantry.AdminSupport, tenantry.WebexCallingStandard),
			tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel},
		{"add user and device admin on a higher package", nil, in("x@example.com", tenantry.AdminUserDevice, tenantry.WebexSuite),
			tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel},
		{"email required", nil, in("", tenantry.AdminReadOnly, tenantry.WebexCalling), tenantry.FieldAdminEmail, tenantry.ReasonRequired},
		{"email invalid", nil, in("not-an-address", tenantry.AdminReadOnly, tenantry.WebexCalling), tenantry.FieldAdminEmail, tenantry.ReasonInvalidEmail},
		{"role required", nil, in("x@example.com", "", tenantry.WebexCalling), tenantry.FieldAdminRole, tenantry.ReasonRequired},
		{"role unknown", nil, in("x@example.com", "owner", tenantry.WebexCalling), tenantry.FieldAdminRole, tenantry.ReasonInvalidEnum},
		{"second full admin", nil, in("x@example.com", tenantry.AdminFull, tenantry.WebexCalling), tenantry.FieldAdminRole, tenantry.ReasonFullAdminExists},
		{"promote to full admin", other, in("", tenantry.AdminFull, tenantry.WebexCalling), tenantry.FieldAdminRole, tenantry.ReasonFullAdminExists},
		{"package required", nil, in("x@example.com", tenantry.AdminReadOnly, ""), tenantry.FieldAdminPackage, tenantry.ReasonRequired},
		{"package not the customer's", nil, in("x@example.com", tenantry.AdminReadOnly, tenantry.WebexVoice), tenantry.FieldAdminPackage, tenantry.ReasonAdminPackage},
		{"add-on is no package for an admin", nil, in("x@example.com", tenantry.AdminReadOnly, tenantry.AttendantConsole), tenantry.FieldAdminPackage, tenantry.ReasonAdminPackage},
		{"unknown package", nil, in("x@example.com", tenantry.AdminReadOnly, "gold"), tenantry.FieldAdminPackage, tenantry.ReasonAdminPackage},
		{"full admin same package", full, in("", tenantry.AdminFull, tenantry.WebexCalling), "", ""},
		{"full admin moved to a higher level", full, in("", tenantry.AdminFull, tenantry.WebexSuite), tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel},
		{"full admin downgraded", full, in("", tenantry.AdminFull, tenantry.WebexCallingStandard), tenantry.FieldAdminPackage, tenantry.ReasonAdminDowngrade},
		{"full admin demoted", full, in("", tenantry.AdminReadOnly, tenantry.WebexCalling), tenantry.FieldAdminRole, tenantry.ReasonFullAdminDemoted},
		{"other admin moved down", other, in("", tenantry.AdminSupport, tenantry.WebexCallingStandard), tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel},
		{"other admin keeps its package", other, in("", tenantry.AdminSupport, tenantry.WebexCalling), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := tenantry.CheckAdmin(c, full, tt.current, tt.in)
			checkWellFormed(t, ps)
			var want []string
			if tt.reason != "" {
				want = []string{tt.field + ": " + tt.reason}
			}
			checkProblems(t, ps, want)
		})
	}
	p := findProblem(t, tenantry.CheckAdmin(c, full, nil, in("x@example.com", tenantry.AdminReadOnly, tenantry.WebexMeetings)),
		tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel)
	if p.Params["package"] != "webex_meetings" || p.Params["requires"] != "webex_calling" {
		t.Errorf("params = %v", p.Params)
	}
}

// TestOrgLevel: the level the organization was created with is its full
// admin's; packages the customer gains later do not move it; without a
// full admin it is the organization's package; packages of one level are
// interchangeable.
func TestOrgLevel(t *testing.T) {
	c := adminCustomer(tenantry.WebexMeetings, tenantry.CXEssentials, tenantry.CXStandardAgent, tenantry.WebexSuite)
	full := &tenantry.CustomerAdmin{Role: tenantry.AdminFull, Package: tenantry.CXEssentials}
	if got, want := tenantry.OrgLevel(c, full), tenantry.PackageLevel(tenantry.CXEssentials); got != want {
		t.Errorf("OrgLevel with a full admin = %d, want %d", got, want)
	}
	if got, want := tenantry.OrgLevel(c, nil), tenantry.PackageLevel(tenantry.WebexSuite); got != want {
		t.Errorf("OrgLevel without a full admin = %d, want %d", got, want)
	}
	add := &tenantry.CustomerAdminInput{Email: "x@example.com", Role: tenantry.AdminReadOnly, Package: tenantry.CXStandardAgent}
	if ps := tenantry.CheckAdmin(c, full, nil, add); len(ps) != 0 {
		t.Errorf("a package of the same level is refused: %v", fieldReasons(ps))
	}
	none := adminCustomer(tenantry.CommonAreaCalling)
	if got := tenantry.OrgLevel(none, nil); got != 0 {
		t.Errorf("OrgLevel of an organization no admin package = %d, want 0", got)
	}
}

func TestCheckAdminDeletingPackage(t *testing.T) {
	c := adminCustomer(tenantry.WebexCalling, tenantry.WebexMeetings)
	c.Package(tenantry.WebexMeetings).Status = tenantry.PackageDeleting
	ps := tenantry.CheckAdmin(c, nil, nil, &tenantry.CustomerAdminInput{Email: "x@example.com", Role: tenantry.AdminReadOnly, Package: tenantry.WebexMeetings})
	findProblem(t, ps, tenantry.FieldAdminPackage, tenantry.ReasonAdminPackage)
}

// TestNeedsApproval is rule C7.
func TestNeedsApproval(t *testing.T) {
	tests := []struct {
		org  *tenantry.ExistingOrg
		want bool
	}{
		{nil, false},
		{&tenantry.ExistingOrg{UserCount: 0}, false},
		{&tenantry.ExistingOrg{UserCount: 99}, false},
		{&tenantry.ExistingOrg{UserCount: 100}, true},
		{&tenantry.ExistingOrg{UserCount: 5000}, true},
		{&tenantry.ExistingOrg{UserCount: 3, VerifiedDomain: true}, true},
		{&tenantry.ExistingOrg{UserCount: 3, ClaimedDomain: true}, true},
	}
	for _, tt := range tests {
		if got := tt.org.NeedsApproval(); got != tt.want {
			t.Errorf("%+v: NeedsApproval = %v, want %v", tt.org, got, tt.want)
		}
	}
}

func TestRejectAttachment(t *testing.T) {
	c := newCustomer("US", tenantry.WebexCalling)
	c.OrgID, c.Version = "existing-org", 1
	tenantry.RejectAttachment(c)
	if c.Status != tenantry.StatusError || len(c.Errors) != 1 || c.Errors[0].Code != tenantry.NoticeAttachRejected || c.Version != 2 {
		t.Errorf("rejected customer = status %s, errors %v, version %d", c.Status, c.Errors, c.Version)
	}
	if p := c.Packages[0]; p.Status != tenantry.PackageError || len(p.LicenseIDs) != 0 {
		t.Errorf("package after rejection = %+v, want error and nothing provisioned", p)
	}
}
