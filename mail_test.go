package tenantry_test

import (
	"slices"
	"testing"

	"github.com/tenantry/tenantry"
)

// TestMailAllowed is rules U5 and U6 as a table: a welcome goes to end
// users only, never to a customer admin (U5); the E911 confirmation goes
// to users and admins of US and Canadian customers only (U6); the other
// mails are not restricted by who gets them.
func TestMailAllowed(t *testing.T) {
	for _, tt := range []struct {
		kind    tenantry.MailKind
		country string
		admin   bool
		want    bool
	}{
		{tenantry.MailWelcome, "US", false, true},
		{tenantry.MailWelcome, "GB", false, true},
		{tenantry.MailWelcome, "US", true, false}, // U5
		{tenantry.MailWelcome, "SE", true, false}, // U5
		{tenantry.MailE911Confirmation, "US", false, true},
		{tenantry.MailE911Confirmation, "CA", false, true},
		{tenantry.MailE911Confirmation, "US", true, true}, // admins get it too (U6)
		{tenantry.MailE911Confirmation, "CA", true, true},
		{tenantry.MailE911Confirmation, "MX", false, false},
		{tenantry.MailE911Confirmation, "GB", true, false},
		{tenantry.MailE911Confirmation, "us", false, false}, // countries are upper-case codes
		{tenantry.MailE911Confirmation, "", false, false},
		{tenantry.MailAdminInvitation, "US", true, true},
		{tenantry.MailAdminInvitation, "BR", true, true},
		{tenantry.MailConsent, "KR", false, true},
	} {
		if got := tenantry.MailAllowed(tt.kind, tt.country, tt.admin); got != tt.want {
			t.Errorf("MailAllowed(%s, %q, admin=%v) = %v, want %v", tt.kind, tt.country, tt.admin, got, tt.want)
		}
	}
}

// TestProvisioningMails: what the first customer admin gets when its
// customer is provisioned. The invitation, unless an existing organization
// was attached under a template that does not allow admin-invite emails
// (T4, off by default); the E911 confirmation in the US and Canada whatever
// the template says (U6); never a welcome (U5); nothing before the
// organization exists or when provisioning failed.
func TestProvisioningMails(t *testing.T) {
	const (
		inv  = tenantry.MailAdminInvitation
		e911 = tenantry.MailE911Confirmation
	)
	customer := func(country string, st tenantry.CustomerStatus) *tenantry.Customer {
		c := &tenantry.Customer{Status: st, PrimaryEmail: "admin@example.com"}
		c.Address.Country = country
		return c
	}
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
