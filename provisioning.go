package tenantry

import "slices"

// Jobs are the background work Tenantry does. Each is enqueued in the same
// transaction as the change that causes it, and carries the customer version
// it was enqueued for, so that a stale or repeated job does nothing.

// ProvisionCustomerJob provisions a newly accepted customer.
type ProvisionCustomerJob struct {
	CustomerID string `json:"customerId"`
	Version    int    `json:"version"`
}

// Kind names the job in the queue.
func (ProvisionCustomerJob) Kind() string { return "provision_customer" }

// UpdateCustomerJob applies an accepted update (package changes).
type UpdateCustomerJob struct {
	CustomerID string `json:"customerId"`
	Version    int    `json:"version"`
}

// Kind names the job in the queue.
func (UpdateCustomerJob) Kind() string { return "update_customer" }

// DeleteCustomerJob removes a customer that is being deleted.
type DeleteCustomerJob struct {
	CustomerID string `json:"customerId"`
	Version    int    `json:"version"`
}

// Kind names the job in the queue.
func (DeleteCustomerJob) Kind() string { return "delete_customer" }

// Notice codes recorded on customers and packages by background jobs.
const (
	NoticeCallingUnavailable = 2561 // calling is not offered in the customer's country
	NoticeMeetingsTimeZone   = 2562 // meetings time zone defaulted
	NoticeJobFailed          = 2570 // an attempt failed and will be retried
	NoticeJobGaveUp          = 2571 // every attempt failed
)

// callingCountries are where calling packages can be provisioned. Elsewhere
// they end in error while the rest of the customer is provisioned.
const callingCountries = "US CA GB IE FR DE ES IT NL BE LU AT CH PT SE DK NO FI PL CZ AU NZ JP SG HK BR MX IN SA AE KR PR"

// deniedCountries are held for a denied-party (RPL) compliance review before
// anything is provisioned.
const deniedCountries = "CU IR KP SY"

// NeedsComplianceReview reports whether a customer in country is held in
// pending_rpl_review.
func NeedsComplianceReview(country string) bool { return hasWord(deniedCountries, country) }

// CallingAvailable reports whether calling packages can be provisioned in
// country.
func CallingAvailable(country string) bool { return hasWord(callingCountries, country) }

// Provision decides the outcome of provisioning customer c: its region, the
// state of each package, E911 and the final status (rules C6 and U6). The
// caller supplies the organization and license ids; Provision decides the
// rest, so that every outcome is a rule of the domain.
func Provision(c *Customer, orgID string, licenseID func(Package) string) {
	c.Region = RegionFor(c.Address.Country)
	if NeedsComplianceReview(c.Address.Country) {
		c.Status = StatusPendingRPLReview
		return
	}
	if c.OrgID == "" {
		c.OrgID = orgID
	}
	// E911 applies where calling does (U6): a meetings-only customer in
	// the US has no number to reach emergency services from.
	c.E911Enabled = E911Applies(c.Address.Country, c.activePackages())
	if c.MeetingsTimeZone == "" && c.Calling != nil {
		c.MeetingsTimeZone = c.Calling.TimeZone
	}
	settlePackages(c, licenseID)
}

// activePackages are the customer's packages that are not being removed.
func (c *Customer) activePackages() []Package {
	out := make([]Package, 0, len(c.Packages))
	for _, p := range c.Packages {
		if p.Status != PackageDeleting {
			out = append(out, p.Name)
		}
	}
	return out
}

// ApplyUpdate settles a customer after an accepted update: removed packages
// are gone, new ones are provisioned.
func ApplyUpdate(c *Customer, licenseID func(Package) string) {
	c.Packages = slices.DeleteFunc(c.Packages, func(p CustomerPackage) bool { return p.Status == PackageDeleting })
	settlePackages(c, licenseID)
}

func settlePackages(c *Customer, licenseID func(Package) string) {
	failed := 0
	for i := range c.Packages {
		p := &c.Packages[i]
		p.Errors, p.Warnings = nil, nil
		switch {
		case (p.Name.Calling() || p.Name.AddOn()) && !CallingAvailable(c.Address.Country):
			p.Status = PackageError
			p.Errors = []Notice{CallingUnavailableNotice(c.Address.Country)}
			failed++
		default:
			p.Status = PackageProvisioned
			if len(p.LicenseIDs) == 0 {
				p.LicenseIDs = []string{licenseID(p.Name)}
			}
		}
		if p.Name == WebexMeetings && c.Calling == nil && c.MeetingsTimeZone == "" {
			p.Warnings = []Notice{MeetingsTimeZoneNotice()}
		}
	}
	c.Errors = nil
	switch {
	case failed == 0:
		c.Status = StatusProvisioned
	case failed == len(c.Packages):
		c.Status = StatusError
	default:
		c.Status = StatusProvisionedWithErrors
	}
}
