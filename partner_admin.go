package tenantry

import (
	"context"
	"slices"
	"strings"
	"time"
)

// A partner's own admins: who may sign in to the hub for the partner, and
// with which role. A full admin invites others by email; the invitee gets a
// one-time link (a sign-in link, see hub.go) to choose a password. A partner
// always keeps at least one full admin: CheckFullAdminKept.

// PartnerAdminRoles lists the roles of partner admins, most powerful first.
var PartnerAdminRoles = []string{RoleFullAdmin, RoleProvisioningAdmin, RoleReadOnlyAdmin}

// RoleScopes are the API scopes an admin of a role may use, through the
// hub or through a token that acts as the admin: a read-only admin reads,
// a provisioning admin reads and writes, and only a full admin manages the
// partner's tokens (a partner setting).
func RoleScopes(role string) []string {
	switch role {
	case RoleFullAdmin:
		return KnownScopes
	case RoleProvisioningAdmin:
		return AllScopes
	case RoleReadOnlyAdmin:
		return []string{ScopeCustomersRead, ScopeSubscribersRead}
	}
	return nil
}

// InviteLinkLifetime is how long the link of an invitation works.
const InviteLinkLifetime = 7 * 24 * time.Hour

// Field paths of a partner admin request, used in problems.
const (
	FieldPartnerAdminEmail = "email"
	FieldPartnerAdminName  = "name"
	FieldPartnerAdminRole  = "role"
)

// PartnerAdminInput invites a partner admin.
type PartnerAdminInput struct {
	Email    string
	Name     string // the display name; the email when empty
	Role     string
	Language string // the language of the invitation and of the admin's hub; "en" when empty
}

// Validate checks an invitation: a valid email, a name of at most
// MaxAdminName characters (or none), and one of PartnerAdminRoles.
func (in *PartnerAdminInput) Validate() []Problem {
	var ps problems
	switch {
	case strings.TrimSpace(in.Email) == "":
		ps.add(FieldPartnerAdminEmail, ReasonRequired)
	case !ValidEmail(strings.TrimSpace(in.Email)):
		ps.add(FieldPartnerAdminEmail, ReasonInvalidEmail)
	}
	if strings.TrimSpace(in.Name) != "" {
		limitText(&ps, FieldPartnerAdminName, in.Name, MaxAdminName)
	}
	checkPartnerAdminRole(&ps, in.Role)
	return ps
}

// CheckPartnerAdminRole returns the problem with a role, if any.
func CheckPartnerAdminRole(role string) []Problem {
	var ps problems
	checkPartnerAdminRole(&ps, role)
	return ps
}

func checkPartnerAdminRole(ps *problems, role string) {
	switch {
	case role == "":
		ps.add(FieldPartnerAdminRole, ReasonRequired)
	case !slices.Contains(PartnerAdminRoles, role):
		ps.add(FieldPartnerAdminRole, ReasonInvalidEnum, "value", role, "allowed", strings.Join(PartnerAdminRoles, ", "))
	}
}

// CheckFullAdminKept applies the rule that a partner always has a full
// admin: among admins (all of the partner's), the admin id may take
// newRole ("" when it is removed) only if a full admin remains afterwards.
// ECONFLICT: ReasonLastFullAdmin on the role field for a demotion,
// ReasonLastFullAdminRemoval for a removal.
func CheckFullAdminKept(admins []*PartnerAdmin, id, newRole string) error {
	left := 0
	for _, a := range admins {
		role := a.Role
		if a.ID == id {
			role = newRole
		}
		if role == RoleFullAdmin {
			left++
		}
	}
	if left > 0 {
		return nil
	}
	if newRole == "" {
		return Errorf(ECONFLICT, ReasonLastFullAdminRemoval)
	}
	return FieldError(ECONFLICT, FieldPartnerAdminRole, ReasonLastFullAdmin)
}

// PartnerAdminService manages a partner's own admins. Every method works on
// the actor's own partner (the principal's, never a sub-partner acted for);
// another partner's admin is ENOTFOUND. Every change is written to the audit
// log as the actor's admin.
type PartnerAdminService interface {
	// PartnerAdmins lists the partner's admins, oldest first; Pending tells
	// those who have not chosen a password yet.
	PartnerAdmins(ctx context.Context, a *Actor) ([]*PartnerAdmin, error)
	// PartnerAdmin returns one admin. ENOTFOUND.
	PartnerAdmin(ctx context.Context, a *Actor, id string) (*PartnerAdmin, error)
	// InvitePartnerAdmin adds an admin and queues the invitation mail, whose
	// one-time link (InviteLinkLifetime) lets the invitee choose a password
	// and sign in. EINVALID, ECONFLICT (ReasonPartnerAdminTaken).
	InvitePartnerAdmin(ctx context.Context, a *Actor, in *PartnerAdminInput) (*PartnerAdmin, error)
	// ResendPartnerAdminInvitation sends a pending admin (one who has not
	// chosen a password) a new invitation; the links of the earlier ones
	// stop working. ENOTFOUND; ECONFLICT (ReasonPartnerAdminNotPending).
	ResendPartnerAdminInvitation(ctx context.Context, a *Actor, id string) error
	// SetPartnerAdminRole changes an admin's role; the last full admin
	// keeps it (CheckFullAdminKept). EINVALID, ENOTFOUND, ECONFLICT.
	SetPartnerAdminRole(ctx context.Context, a *Actor, id, role string) (*PartnerAdmin, error)
	// RemovePartnerAdmin removes an admin: their hub sessions end and their
	// API tokens are revoked. The last full admin stays (ECONFLICT), and so
	// does an admin a template names as its admin (ECONFLICT,
	// ReasonPartnerAdminInTemplate). ENOTFOUND.
	RemovePartnerAdmin(ctx context.Context, a *Actor, id string) error
}
