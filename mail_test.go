package tenantry_test

import (
	"slices"
	"testing"

	"github.com/tenantry/tenantry"
)

// TestMailAllowed is rules U5 and U6 as a table: a welcome goes to end
// users only, never to a customer admin (U5); the E911 confirmation goes
// to users and admins with a calling package of US and Canadian customers
// only (U6); the other mails are not restricted by who gets them.
func TestMailAllowed(t *testing.T) {
	calling := []tenantry.Package{tenantry.WebexCalling}
	meetings := []tenantry.Package{tenantry.WebexMeetings}
	for _, tt := range []struct {
		kind    tenantry.MailKind
		country string
		admin   bool
		held    []tenantry.Package
		want    bool
	}{
		{tenantry.MailWelcome, "US", false, meetings, true},
		{tenantry.MailWelcome, "GB", false, calling, true},
		{tenantry.MailWelcome, "US", true, calling, false},  // U5
		{tenantry.MailWelcome, "SE", true, meetings, false}, // U5
		{tenantry.MailE911Confirmation, "US", false, calling, true},
		{tenantry.MailE911Confirmation, "CA", false, []tenantry.Package{tenantry.WebexSuite}, true},
		{tenantry.MailE911Confirmation, "US", true, calling, true}, // admins get it too (U6)
		{tenantry.MailE911Confirmation, "CA", true, []tenantry.Package{tenantry.WebexCallingStandard}, true},
		{tenantry.MailE911Confirmation, "US", false, meetings, false}, // no calling, no E911
		{tenantry.MailE911Confirmation, "US", true, meetings, false},
		{tenantry.MailE911Confirmation, "US", false, nil, false},
		{tenantry.MailE911Confirmation, "US", false, []tenantry.Package{tenantry.WebexMeetings, tenantry.WebexCalling}, true}, // admin and user
		{tenantry.MailE911Confirmation, "MX", false, calling, false},
		{tenantry.MailE911Confirmation, "GB", true, calling, false},
		{tenantry.MailE911Confirmation, "us", false, calling, false}, // countries are upper-case codes
		{tenantry.MailE911Confirmation, "", false, calling, false},
		{tenantry.MailAdminInvitation, "US", true, meetings, true},
		{tenantry.MailAdminInvitation, "BR", true, nil, true},
		{tenantry.MailConsent, "KR", false, nil, true},
	} {
		if got := tenantry.MailAllowed(tt.kind, tt.country, tt.admin, tt.held); got != tt.want {
			t.Errorf("MailAllowed(%s, %q, admin=%v, %v) = %v, want %v", tt.kind, tt.country, tt.admin, tt.held, got, tt.want)
		}
	}
}

// TestE911MailKey: one E911 confirmation per person and customer, however
// the address is written.
func TestE911MailKey(t *testing.T) {
	if a, b := tenantry.E911MailKey("c1", "Ada@Example.com"), tenantry.E911MailKey("c1", " ada@example.com"); a != b {
		t.Errorf("keys differ for one person: %q, %q", a, b)
	}
	if a, b := tenantry.E911MailKey("c1", "ada@example.com"), tenantry.E911MailKey("c2", "ada@example.com"); a == b {
		t.Errorf("two customers share a key: %q", a)
	}
}

// TestProvisioningMails: what the first customer admin gets when its
// customer is provisioned. The invitation, unless an existing organization
// was attached under a template that does not allow admin-invite emails
// (T4, off by default); the E911 confirmation in the US and Canada whatever
// the template says, when the first admin holds calling (U6); never a welcome (U5); nothing before the
// organization exists or when provisioning failed.
func TestProvisioningMails(t *testing.T) {
	const (
		inv  = tenantry.MailAdminInvitation
		e911 = tenantry.MailE911Confirmation
	)
	customer := func(country string, st tenantry.CustomerStatus) *tenantry.Customer {
		c := &tenantry.Customer{Status: st, PrimaryEmail: "admin@example.com",
			Packages: []tenantry.CustomerPackage{{Name: tenantry.WebexCalling}, {Name: tenantry.WebexMeetings}}}
		c.Address.Country = country
		return c
	}
	meetingsOnly := customer("US", tenantry.StatusProvisioned)
	meetingsOnly.Packages = meetingsOnly.Packages[1:]
	off, on := &tenantry.Template{}, &tenantry.Template{AllowAdminInviteEmails: true}
	for _, tt := range []struct {
		name     string
		c        *tenantry.Customer
		tpl      *tenantry.Template
		attached bool
		want     []tenantry.MailKind
	}{
		{"new US organization", customer("US", tenantry.StatusProvisioned), off, false, []tenantry.MailKind{inv, e911}},
		{"new CA organization with errors", customer("CA", tenantry.StatusProvisionedWithErrors), off, false, []tenantry.MailKind{inv, e911}},
		{"new GB organization", customer("GB", tenantry.StatusProvisioned), off, false, []tenantry.MailKind{inv}},
		{"attached, invites off (T4)", customer("GB", tenantry.StatusProvisioned), off, true, nil},
		{"attached, invites on", customer("GB", tenantry.StatusProvisioned), on, true, []tenantry.MailKind{inv}},
		{"attached in the US, invites off: E911 still (U6)", customer("US", tenantry.StatusProvisioned), off, true, []tenantry.MailKind{e911}},
		{"attached in CA, invites on", customer("CA", tenantry.StatusProvisioned), on, true, []tenantry.MailKind{inv, e911}},
		{"provisioning failed", customer("US", tenantry.StatusError), on, false, nil},
		{"held for review", customer("US", tenantry.StatusPendingRPLReview), on, false, nil},
		{"still provisioning", customer("US", tenantry.StatusProvisioning), on, false, nil},
		{"meetings-only US organization: no E911 (U6)", meetingsOnly, off, false, []tenantry.MailKind{inv}},
		{"no admin address", &tenantry.Customer{Status: tenantry.StatusProvisioned, Address: tenantry.Address{Country: "US"}}, on, false, nil},
	} {
		got := tenantry.ProvisioningMails(tt.c, tt.tpl, tt.attached)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: ProvisioningMails = %v, want %v", tt.name, got, tt.want)
		}
		if slices.Contains(got, tenantry.MailWelcome) {
			t.Errorf("%s: the first admin gets a welcome (U5)", tt.name)
		}
	}
}
