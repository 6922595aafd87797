package tenantry

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // time zones are validated on machines without a zoneinfo database
	"unicode"
)

// CustomerStatus is the provisioning status of a customer (rule C6).
type CustomerStatus string

// The customer status lifecycle: provisioning ends in provisioned,
// provisioned_with_errors or error; updating and deleting follow requests;
// pending_rpl_review holds a customer for a compliance screen.
const (
	StatusProvisioning          CustomerStatus = "provisioning"
	StatusProvisioned           CustomerStatus = "provisioned"
	StatusProvisionedWithErrors CustomerStatus = "provisioned_with_errors"
	StatusError                 CustomerStatus = "error"
	StatusUpdating              CustomerStatus = "updating"
	StatusDeleting              CustomerStatus = "deleting"
	StatusPendingRPLReview      CustomerStatus = "pending_rpl_review"
)

// CustomerStatuses lists every status, in the API's order.
var CustomerStatuses = []CustomerStatus{
	StatusProvisioned, StatusProvisionedWithErrors, StatusProvisioning, StatusUpdating,
	StatusDeleting, StatusError, StatusPendingRPLReview,
}

// Settled reports whether no job is working on a customer in status s, so
// that it may be updated.
func (s CustomerStatus) Settled() bool {
	return s == StatusProvisioned || s == StatusProvisionedWithErrors || s == StatusError
}

// PackageStatus is the provisioning status of one package of a customer.
type PackageStatus string

// Package statuses.
const (
	PackageProvisioning PackageStatus = "provisioning"
	PackageProvisioned  PackageStatus = "provisioned"
	PackageDeleting     PackageStatus = "deleting"
	PackageError        PackageStatus = "error"
)

// Notice is an error or a warning recorded while a job worked on a customer.
// Reason and Params say what happened, for each reader to read in their own
// language (the edges translate them as they do errors); Description is the
// English text, which receivers of webhook events get and which notices
// stored before reasons were kept have alone (see Resolved).
type Notice struct {
	Code        int               `json:"errorCode"`
	Description string            `json:"description"`
	Reason      string            `json:"reason,omitempty"`
	Params      map[string]string `json:"params,omitempty"`
}

// CustomerPackage is one package of a customer with its own state (rule C6)
// and, for customers with quantity selection, its quantity.
type CustomerPackage struct {
	Name       Package
	Status     PackageStatus
	Quantity   int // 0 when the customer has no quantities or the package takes none
	Errors     []Notice
	Warnings   []Notice
	LicenseIDs []string
}

// CallingLocation is the customer's headquarters calling location (rule C4).
type CallingLocation struct {
	Name                string
	Address             Address
	TimeZone            string
	Language            string
	EmergencyLocationID string
}

// Customer is a wholesale customer organization of a partner (or of one of
// its sub-partners).
type Customer struct {
	ID           string
	PartnerID    string // the owning partner or sub-partner
	OrgID        string // the organization; set once provisioned, or given when attaching
	ExternalID   string
	Name         string
	PrimaryEmail string
	Language     string
	TemplateID   string
	Address      Address
	Region       Region
	Status       CustomerStatus
	Packages     []CustomerPackage
	// Quantities is set when package quantity selection is enabled (rules Q1–Q8).
	Quantities           bool
	Calling              *CallingLocation
	MeetingsTimeZone     string
	SubPartnerAdminEmail string
	E911Enabled          bool
	Errors               []Notice
	Version              int // bumped by every accepted change; jobs carry it
	Created              time.Time
	Updated              time.Time
}

// PackageNames returns the names of the customer's packages.
func (c *Customer) PackageNames() []Package {
	out := make([]Package, len(c.Packages))
	for i, p := range c.Packages {
		out[i] = p.Name
	}
	return out
}

// Package returns the customer's package named p, or nil.
func (c *Customer) Package(p Package) *CustomerPackage {
	for i := range c.Packages {
		if c.Packages[i].Name == p {
			return &c.Packages[i]
		}
	}
	return nil
}

// CustomerInfo is the customer's name, first admin and language.
type CustomerInfo struct {
	Name         string
	PrimaryEmail string
	Language     string
}

// CustomerInput is a request to create, update or precheck a customer, in the
// wholesale API's terms. Pointers and nil maps tell "absent" from "empty".
type CustomerInput struct {
	ProvisioningID       string
	Packages             []string
	OrgID                string
	ExternalID           string
	Address              *Address
	Info                 *CustomerInfo
	Calling              *CallingLocation
	MeetingsTimeZone     string
	Limits               map[string]int // nil: no quantities given
	SubPartnerAdminEmail string
	// LocationConfirmedBy is the admin who confirmed in the hub that the
	// headquarters is in a supported location; stored with the customer.
	LocationConfirmedBy string
}

// Field paths of the wholesale customer request, used in problems.
const (
	FieldProvisioningID = "provisioningId"
	FieldPackages       = "packages"
	FieldExternalID     = "externalId"
	FieldAddress        = "address"
	FieldName           = "customerInfo.name"
	FieldPrimaryEmail   = "customerInfo.primaryEmail"
	FieldLanguage       = "customerInfo.language"
	FieldCalling        = "provisioningParameters.calling.location"
	FieldMeetingsTZ     = "provisioningParameters.meetings.timezone"
	FieldLimits         = "provisioningParameters.packages.limits"
	FieldSubPartnerMail = "subPartnerAdminEmail"
	FieldOrgID          = "orgId"
)

// Limits on free text.
const (
	MaxCompanyName  = 255
	MaxExternalID   = 255
	MaxLocationName = 80
	MaxEmail        = 254
)

// Mode says which operation a CustomerInput is for; the rules differ.
type Mode int

// The three operations on a customer.
const (
	ModeCreate Mode = iota
	ModeUpdate
	ModePrecheck
)

// Validate checks the rules that need nothing but the input: C1 (required
// fields, company name, email, country, address), C2 and C3 (packages), C4
// (calling location) and the static quantity rules Q1, Q5, Q7 and Q8. It
// returns every problem at once.
func (in *CustomerInput) Validate(mode Mode) []Problem {
	var ps problems
	if mode == ModeCreate {
		requireText(&ps, FieldProvisioningID, in.ProvisioningID, 255)
		requireText(&ps, FieldExternalID, in.ExternalID, MaxExternalID)
	} else {
		limitText(&ps, FieldProvisioningID, in.ProvisioningID, 255)
		limitText(&ps, FieldExternalID, in.ExternalID, MaxExternalID)
	}
	var pkgs []Package
	if mode != ModePrecheck || in.Packages != nil {
		pkgs = validatePackages(FieldPackages, in.Packages, &ps)
	}
	switch {
	case in.Address != nil:
		in.Address.validate(FieldAddress, &ps)
	case mode != ModeUpdate:
		ps.add(FieldAddress, ReasonRequired)
	}
	switch {
	case in.Info != nil:
		in.Info.validate(mode, &ps)
	case mode == ModeCreate && in.OrgID == "":
		ps.add("customerInfo", ReasonRequired)
	case mode == ModePrecheck:
		ps.add(FieldPrimaryEmail, ReasonRequired)
	}
	if in.Calling != nil {
		in.Calling.validate(FieldCalling, &ps)
	} else if HasCalling(pkgs) && mode != ModeUpdate {
		ps.add(FieldCalling, ReasonCallingLocation)
	}
	if in.MeetingsTimeZone != "" && !ValidTimeZone(in.MeetingsTimeZone) {
		ps.add(FieldMeetingsTZ, ReasonInvalidTimeZone, "value", in.MeetingsTimeZone)
	}
	if in.SubPartnerAdminEmail != "" && !ValidEmail(in.SubPartnerAdminEmail) {
		ps.add(FieldSubPartnerMail, ReasonInvalidEmail)
	}
	limitText(&ps, FieldOrgID, in.OrgID, 255)
	if in.Limits != nil {
		validateLimits(pkgs, in.Limits, &ps)
	}
	return ps
}

func (ci *CustomerInfo) validate(mode Mode, ps *problems) {
	if mode == ModeCreate {
		requireText(ps, FieldName, ci.Name, MaxCompanyName)
	} else {
		limitText(ps, FieldName, ci.Name, MaxCompanyName)
	}
	if strings.Contains(ci.Name, "%") {
		ps.add(FieldName, ReasonForbiddenChar, "char", "%")
	}
	switch {
	case strings.TrimSpace(ci.PrimaryEmail) == "":
		if mode != ModeUpdate {
			ps.add(FieldPrimaryEmail, ReasonRequired)
		}
	case !ValidEmail(ci.PrimaryEmail):
		ps.add(FieldPrimaryEmail, ReasonInvalidEmail)
	}
	if ci.Language != "" && !ValidLanguageTag(ci.Language) {
		ps.add(FieldLanguage, ReasonInvalidLanguage, "value", ci.Language)
	}
}

func (l *CallingLocation) validate(prefix string, ps *problems) {
	requireText(ps, prefix+".name", l.Name, MaxLocationName)
	l.Address.validate(prefix+".address", ps)
	switch {
	case l.TimeZone == "":
		ps.add(prefix+".timezone", ReasonRequired)
	case !ValidTimeZone(l.TimeZone):
		ps.add(prefix+".timezone", ReasonInvalidTimeZone, "value", l.TimeZone)
	}
	switch {
	case l.Language == "":
		ps.add(prefix+".language", ReasonRequired)
	case !ValidLanguageTag(l.Language):
		ps.add(prefix+".language", ReasonInvalidLanguage, "value", l.Language)
	}
	limitText(ps, prefix+".emergencyLocationIdentifier", l.EmergencyLocationID, 64)
}

// validateLimits checks the quantity rules that need only the request: Q1
// (every package has one), Q5 (add-ons no one holds take none), Q7 (no mix of
// packages with and without quantities) and Q8 (never zero).
func validateLimits(pkgs []Package, limits map[string]int, ps *problems) {
	if !CheckEntries(ps, FieldLimits, len(limits), len(Packages)) {
		return
	}
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p, f := Package(k), FieldLimits+"."+k
		switch {
		case !slices.Contains(pkgs, p) && p.Known():
			// A quantity for a package the request does not order: the
			// reference's own examples send one for every package. It is
			// ignored (LimitWarnings says so), never stored.
		case !slices.Contains(pkgs, p):
			ps.add(f, ReasonQuantityUnknown, "package", k)
		case !p.TakesQuantity():
			ps.add(f, ReasonQuantityNotAllowed, "package", k)
		case limits[k] <= 0:
			ps.add(f, ReasonQuantityPositive, "package", k)
		}
	}
	if len(limits) == 0 {
		return // quantity selection explicitly off; Q2 and Q6 judge that against the customer
	}
	missing := 0
	for _, p := range pkgs {
		if _, ok := limits[string(p)]; !ok && p.TakesQuantity() {
			ps.add(FieldLimits+"."+string(p), ReasonQuantityRequired, "package", string(p))
			missing++
		}
	}
	if missing > 0 && missing < countQuantified(pkgs) {
		ps.add(FieldLimits, ReasonQuantityMixed)
	}
}

// LimitWarnings lists the quantities of the request that are ignored: those
// given for known packages the request does not order. The wholesale API's
// public examples send a quantity for every package whatever they order, so
// such entries are accepted, and the caller is told that they had no effect.
func (in *CustomerInput) LimitWarnings() []Problem {
	var pkgs []Package
	for _, p := range in.Packages {
		pkgs = append(pkgs, Package(p))
	}
	keys := make([]string, 0, len(in.Limits))
	for k := range in.Limits {
		if p := Package(k); p.Known() && !slices.Contains(pkgs, p) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var ps problems
	for _, k := range keys {
		ps.add(FieldLimits+"."+k, ReasonQuantityIgnored, "package", k)
	}
	return ps
}

func countQuantified(pkgs []Package) int {
	n := 0
	for _, p := range pkgs {
		if p.TakesQuantity() {
			n++
		}
	}
	return n
}

// QuantityPlan is what CheckQuantities decided: whether the customer has
// quantities after the change, and each package's quantity.
type QuantityPlan struct {
	Enabled    bool
	Quantities map[Package]int
}

// CheckQuantities applies the quantity rules that need the current state:
// Q2 (never disabled), Q3 (never lowered), Q4 (at most the partner's maximum),
// Q6 (an unrestricted customer never becomes restricted), Q8 (no quantities
// during a migration phase), and that no quantity is below what users hold.
// current is nil on create; legacy lists the legacy packages of the
// organization the customer is attached to (ExistingOrg.LegacyPackages,
// from the directory); usage counts assignments per package; max is the
// partner's allowed maximum per package (0: no maximum).
func CheckQuantities(current *Customer, legacy []Package, pkgs []Package, limits map[string]int, usage map[Package]int, max int) (QuantityPlan, []Problem) {
	var ps problems
	enabled := len(limits) > 0
	if current != nil {
		switch {
		case current.Quantities && !enabled:
			ps.add(FieldLimits, ReasonQuantityDisable)
		case !current.Quantities && enabled:
			ps.add(FieldLimits, ReasonQuantityEnable)
		}
	}
	if enabled && Migrating(current, legacy, pkgs) {
		ps.add(FieldLimits, ReasonQuantityMigration)
	}
	plan := QuantityPlan{Enabled: enabled}
	if !enabled {
		return plan, ps
	}
	plan.Quantities = make(map[Package]int, len(limits))
	for _, p := range pkgs {
		q, ok := limits[string(p)]
		if !ok || !p.TakesQuantity() {
			continue
		}
		f := FieldLimits + "." + string(p)
		if max > 0 && q > max {
			ps.add(f, ReasonQuantityAboveMax, "package", string(p), "max", itoa(max))
		}
		if current != nil {
			if cp := current.Package(p); cp != nil && cp.Quantity > 0 && q < cp.Quantity {
				ps.add(f, ReasonQuantityLower, "package", string(p), "current", itoa(cp.Quantity))
			}
		}
		if n := usage[p]; q < n {
			ps.add(f, ReasonQuantityBelowUsage, "package", string(p), "count", itoa(n))
		}
		plan.Quantities[p] = q
	}
	return plan, ps
}

// Migrating reports whether a customer is in a migration phase (rule Q8):
// it holds legacy BroadWorks-style and wholesale packages at once, counting
// what it holds (current, nil on create), the legacy packages of the
// organization it is attached to (legacy: a customer attached to an
// existing organization holds what that organization holds) and the
// packages asked for (pkgs). The phase ends when the directory no longer
// lists legacy packages for the organization.
func Migrating(current *Customer, legacy []Package, pkgs []Package) bool {
	all := append(slices.Clone(pkgs), legacy...)
	if current != nil {
		all = append(all, current.PackageNames()...)
	}
	return slices.ContainsFunc(all, Package.Legacy) && slices.ContainsFunc(all, Package.Known)
}

// CheckRemovals applies rule C5: an update replaces the package set, and a
// package left out may not be removed while users hold it.
func CheckRemovals(current *Customer, pkgs []Package, usage map[Package]int) []Problem {
	var ps problems
	for _, cp := range current.Packages {
		if !slices.Contains(pkgs, cp.Name) && usage[cp.Name] > 0 {
			ps.add(FieldPackages, ReasonPackageInUse, "package", string(cp.Name), "count", itoa(usage[cp.Name]))
		}
	}
	return ps
}

// ValidEmail reports whether s is a plain address (no display name).
func ValidEmail(s string) bool {
	if len(s) > MaxEmail || strings.ContainsAny(s, " \t\r\n<>") || strings.ContainsFunc(s, disguising) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// disguising reports invisible or direction-changing characters (Unicode
// spaces and format characters) that make an address look like another.
func disguising(r rune) bool {
	return unicode.Is(unicode.Zs, r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r)
}

// ValidTimeZone reports whether s names an IANA time zone.
func ValidTimeZone(s string) bool {
	if len(s) > 64 || !tzName.MatchString(s) || s == "Local" || s == "localtime" || s == "posixrules" ||
		strings.HasPrefix(s, "right/") || strings.HasPrefix(s, "posix/") {
		return false
	}
	if _, ok := knownZones.Load(s); ok {
		return true
	}
	if _, err := time.LoadLocation(s); err != nil {
		return false
	}
	knownZones.Store(s, true)
	return true
}

// knownZones remembers the names LoadLocation accepted (loading a zone reads
// and parses its file every time). Only valid names are kept, so the map is
// bounded by the IANA database whatever callers send.
var knownZones sync.Map

// tzName is the shape of an IANA zone name: slash-separated words, no
// path tricks (".", "..", "//") that would reach other files of the
// machine's zoneinfo directory.
var tzName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`)

var languageTag = regexp.MustCompile(`^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})?$`)

// ValidLanguageTag reports whether s looks like a language tag: "en",
// "pt-BR" or the API's "en_us".
func ValidLanguageTag(s string) bool { return languageTag.MatchString(s) }

func itoa(n int) string { return strconv.Itoa(n) }
