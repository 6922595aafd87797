package tenantry

import (
	"context"
	"slices"
	"strings"
	"time"
)

// AdminRole is the role of a customer admin in the customer's organization.
type AdminRole string

// Customer admin roles. The first admin, created when the organization is
// provisioned, is the full admin; a customer has exactly one.
const (
	AdminFull       AdminRole = "full_admin"
	AdminReadOnly   AdminRole = "read_only_admin"
	AdminUserDevice AdminRole = "user_device_admin"
	AdminSupport    AdminRole = "support_admin"
)

// AdminRoles lists every role, in the API's order.
var AdminRoles = []AdminRole{AdminFull, AdminReadOnly, AdminUserDevice, AdminSupport}

// CustomerAdmin is an administrator of a customer's organization.
type CustomerAdmin struct {
	ID         string
	CustomerID string
	Email      string
	Role       AdminRole
	Package    Package // the package the admin holds (rule U4)
	Created    time.Time
}

// CustomerAdminInput adds an admin (every field) or changes one (Role and
// Package; the address of an admin never changes).
type CustomerAdminInput struct {
	Email   string
	Role    AdminRole
	Package Package
}

// Field paths of a customer admin request, used in problems.
const (
	FieldAdminEmail   = "email"
	FieldAdminRole    = "role"
	FieldAdminPackage = "package"
)

// packageLevels ranks the packages an admin can hold by what they include,
// lowest first: a single workload, then calling alone (standard, then
// full), then calling with contact center, then the whole suite. Rule U4
// forbids moving the full admin to a lower level.
var packageLevels = map[Package]int{
	WebexMeetings:        1,
	WebexVoice:           1,
	WebexCallingStandard: 2,
	WebexCalling:         3,
	CXEssentials:         4,
	CXStandardAgent:      4,
	CXPremiumAgent:       5,
	WebexSuite:           5,
}

// PackageLevel returns the level of p in the order of rule U4, or 0 when no
// admin can hold p (add-ons, organization packages, unknown names).
func PackageLevel(p Package) int { return packageLevels[p] }

// AdminPackage reports whether an admin can hold p: a package a user holds
// on its own, never an add-on.
func AdminPackage(p Package) bool { return PackageLevel(p) > 0 }

// OrgPackage is the package level the organization was created with: the
// highest-ranked package of the customer an admin can hold (the first of
// them on a tie), or "" when it has none. The full admin, created at
// provisioning, holds it until changed.
func OrgPackage(c *Customer) Package {
	var best Package
	for _, p := range c.Packages {
		if p.Status != PackageDeleting && PackageLevel(p.Name) > PackageLevel(best) {
			best = p.Name
		}
	}
	return best
}

// OrgLevel is the package level the organization of c was created with
// (rule U4): the level of the package its full admin holds. Provisioning
// gives the full admin the organization's package (OrgPackage as it is
// then) and CheckAdmin keeps every admin, the full admin too, at that
// level, so the customer's later package changes do not move it. Without a
// full admin (an organization attached without customerInfo) it is the
// level of OrgPackage(c). 0 means the organization has no package an admin
// can hold; then no level is required.
func OrgLevel(c *Customer, full *CustomerAdmin) int {
	if full != nil && full.Package != "" {
		return PackageLevel(full.Package)
	}
	return PackageLevel(OrgPackage(c))
}

// CheckAdmin applies rule U4 to an admin being added (current nil) or
// changed: the role is one of AdminRoles and there is one full admin, who
// stays full admin; the package is one of the customer's packages that an
// admin can hold, of the package level the organization was created with
// (OrgLevel, read from full, the customer's full admin or nil); and the
// full admin's package is never downgraded.
func CheckAdmin(c *Customer, full, current *CustomerAdmin, in *CustomerAdminInput) []Problem {
	var ps problems
	if current == nil {
		switch {
		case strings.TrimSpace(in.Email) == "":
			ps.add(FieldAdminEmail, ReasonRequired)
		case !ValidEmail(in.Email):
			ps.add(FieldAdminEmail, ReasonInvalidEmail)
		}
	}
	switch {
	case in.Role == "":
		ps.add(FieldAdminRole, ReasonRequired)
	case !slices.Contains(AdminRoles, in.Role):
		ps.add(FieldAdminRole, ReasonInvalidEnum, "value", string(in.Role), "allowed", joinRoles())
	case current != nil && current.Role == AdminFull && in.Role != AdminFull:
		ps.add(FieldAdminRole, ReasonFullAdminDemoted)
	case in.Role == AdminFull && (current == nil || current.Role != AdminFull):
		ps.add(FieldAdminRole, ReasonFullAdminExists)
	}
	level := OrgLevel(c, full)
	switch cp := c.Package(in.Package); {
	case in.Package == "":
		ps.add(FieldAdminPackage, ReasonRequired)
	case !AdminPackage(in.Package) || cp == nil || cp.Status == PackageDeleting:
		ps.add(FieldAdminPackage, ReasonAdminPackage, "package", string(in.Package))
	case current != nil && current.Role == AdminFull && PackageLevel(in.Package) < PackageLevel(current.Package):
		ps.add(FieldAdminPackage, ReasonAdminDowngrade, "package", string(in.Package), "current", string(current.Package))
	case level > 0 && PackageLevel(in.Package) != level:
		ps.add(FieldAdminPackage, ReasonAdminLevel, "package", string(in.Package), "requires", string(levelPackage(c, full)))
	}
	return ps
}

// levelPackage names the package that shows the organization's level in a
// message: the full admin's, else the organization's.
func levelPackage(c *Customer, full *CustomerAdmin) Package {
	if full != nil && full.Package != "" {
		return full.Package
	}
	return OrgPackage(c)
}

func joinRoles() string {
	s := make([]string, len(AdminRoles))
	for i, r := range AdminRoles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ExistingOrg is what is known of an existing organization a partner may
// attach as a customer (rule C7).
type ExistingOrg struct {
	OrgID          string
	UserCount      int
	VerifiedDomain bool
	ClaimedDomain  bool
	// What a directory import tells beyond the above (directory.go): the
	// organization's name, its domains, and the legacy BroadWorks-style
	// packages it holds, which put a customer attached to it in a migration
	// phase (rule Q8).
	Name            string
	VerifiedDomains []string
	ClaimedDomains  []string
	LegacyPackages  []Package
}

// ApprovalUserThreshold is the number of users from which attaching an
// organization needs its admin's approval (rule C7).
const ApprovalUserThreshold = 100

// NeedsApproval applies rule C7: an organization with 100 or more users or
// a verified or claimed domain is attached only once its customer admin
// approves; any other attaches at once. An unknown organization (nil) is a
// small one.
func (o *ExistingOrg) NeedsApproval() bool {
	return o != nil && (o.UserCount >= ApprovalUserThreshold || o.VerifiedDomain || o.ClaimedDomain)
}

// Approval is where the customer admin's approval of an attachment stands.
type Approval string

// Approval states. ApprovalNone: no approval is needed (a new organization,
// or a small one attached at once).
const (
	ApprovalNone     Approval = ""
	ApprovalPending  Approval = "pending"
	ApprovalApproved Approval = "approved"
	ApprovalRejected Approval = "rejected"
)

// NoticeAttachRejected is recorded on a customer whose admin rejected the
// attachment of the organization.
const NoticeAttachRejected = 2572

// RejectAttachment settles a customer whose attachment was rejected:
// nothing is provisioned, and the customer is in error with a notice.
func RejectAttachment(c *Customer) {
	c.Status = StatusError
	n := []Notice{AttachRejectedNotice(c.OrgID)}
	c.Errors = n
	for i := range c.Packages {
		c.Packages[i].Status, c.Packages[i].Errors = PackageError, n
	}
	c.Version++
}

// CustomerAdminService manages customer admins and the approval of attached
// organizations. Every method is scoped to the actor's organization; another
// partner's customer or admin is ENOTFOUND.
type CustomerAdminService interface {
	// CustomerAdmins lists a customer's admins, oldest first, with the
	// total count. ENOTFOUND.
	CustomerAdmins(ctx context.Context, a *Actor, customerID string, p Page) ([]*CustomerAdmin, int, error)
	// CustomerAdmin returns one admin. ENOTFOUND.
	CustomerAdmin(ctx context.Context, a *Actor, customerID, id string) (*CustomerAdmin, error)
	// AddCustomerAdmin checks U4, stores the admin and queues the
	// invitation (and the E911 confirmation in the US and Canada, U6).
	// EINVALID, ENOTFOUND, ECONFLICT (address taken, customer not
	// provisioned), EFORBIDDEN (suspended sub-partner).
	AddCustomerAdmin(ctx context.Context, a *Actor, customerID string, in *CustomerAdminInput) (*CustomerAdmin, error)
	// UpdateCustomerAdmin changes an admin's role and package (U4: the full
	// admin is never demoted nor downgraded). EINVALID, ENOTFOUND, EFORBIDDEN.
	UpdateCustomerAdmin(ctx context.Context, a *Actor, customerID, id string, in *CustomerAdminInput) (*CustomerAdmin, error)
	// RemoveCustomerAdmin removes an admin other than the full admin.
	// ENOTFOUND, ECONFLICT (the full admin).
	RemoveCustomerAdmin(ctx context.Context, a *Actor, customerID, id string) error
	// CustomerApproval returns where the approval of the customer's
	// attachment stands. ENOTFOUND.
	CustomerApproval(ctx context.Context, a *Actor, customerID string) (Approval, error)
	// DecideApproval approves (provisioning proceeds) or rejects (the
	// customer ends in error) a pending attachment. ENOTFOUND, ECONFLICT
	// (nothing pending), EFORBIDDEN.
	DecideApproval(ctx context.Context, a *Actor, customerID string, approve bool) (*Customer, error)
	// DecideApprovalByToken does the same for the customer admin who
	// follows a link of the invitation; a link works once. ENOTFOUND
	// (unknown link), ECONFLICT (already used or decided).
	DecideApprovalByToken(ctx context.Context, token string, approve bool) (Approval, error)
}
