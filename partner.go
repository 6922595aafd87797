package tenantry

import "time"

// Partner is a service provider organization, or a sub-partner (a reseller)
// under one when ParentID is set.
type Partner struct {
	ID                string
	Name              string
	ParentID          string
	ProvisioningState string // "active" or "suspended"; a suspended sub-partner may only delete
	SubscriptionID    string
	Created           time.Time
	BillingStartDate  time.Time
}

// Sub-partner provisioning states.
const (
	PartnerActive    = "active"
	PartnerSuspended = "suspended"
)

// Subscription is a partner's wholesale subscription. MaxQuantity is the
// largest package quantity the partner may give a customer (rule Q4).
type Subscription struct {
	ID          string
	PartnerID   string
	Name        string
	MaxQuantity int
	Created     time.Time
}

// Partner admin roles.
const (
	RoleFullAdmin         = "full_admin"
	RoleProvisioningAdmin = "provisioning_admin"
	RoleReadOnlyAdmin     = "read_only_admin"
)

// PartnerAdmin is an administrator of a partner organization.
type PartnerAdmin struct {
	ID          string
	PartnerID   string
	Email       string
	DisplayName string
	Role        string
	Language    string
	Created     time.Time
	// Pending is set by PartnerAdminService.PartnerAdmins on an invited
	// admin who has not chosen a password yet.
	Pending bool
}

// Scopes of API tokens, as the wholesale API names them.
const (
	ScopeCustomersRead    = "spark-admin:wholesale_customers_read"
	ScopeCustomersWrite   = "spark-admin:wholesale_customers_write"
	ScopeSubscribersRead  = "spark-admin:wholesale_subscribers_read"
	ScopeSubscribersWrite = "spark-admin:wholesale_subscribers_write"
)

// AllScopes are the four wholesale scopes.
var AllScopes = []string{ScopeCustomersRead, ScopeCustomersWrite, ScopeSubscribersRead, ScopeSubscribersWrite}

// Principal is who is making a request: a partner admin through a token.
type Principal struct {
	PartnerID string
	AdminID   string
	TokenID   string
	Scopes    []string
	Expires   time.Time // the token's expiry; zero: never
}

// Has reports whether the principal holds scope.
func (p *Principal) Has(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Actor is on whose behalf a request works: the principal's partner, or one
// of its sub-partners (onBehalfOfSubPartnerOrgId). Every read and write is
// scoped to OrgID.
type Actor struct {
	Principal
	OrgID      string   // the partner or sub-partner whose resources are in play
	SubPartner *Partner // set when acting on behalf of a sub-partner
}

// CanWrite reports whether the actor may create or update: a suspended
// sub-partner may only delete.
func (a *Actor) CanWrite() bool {
	return a.SubPartner == nil || a.SubPartner.ProvisioningState != PartnerSuspended
}
