package tenantry

import (
	"context"
	"slices"
	"strings"
	"time"
)

// SubscriberStatus is the provisioning status of a subscriber (a user).
type SubscriberStatus string

// Subscriber statuses, as the wholesale API's enum has them. Tenantry
// provisions a user in the request that creates it, so a user is either
// provisioned or waits for its owner's consent to move an account that
// exists elsewhere (rule U3).
const (
	SubscriberProvisioned          SubscriberStatus = "provisioned"
	SubscriberPendingUserMigration SubscriberStatus = "pending_user_migration"
)

// SubscriberStatuses lists every status, in the API's order.
var SubscriberStatuses = []SubscriberStatus{SubscriberProvisioned, SubscriberPendingUserMigration}

// Subscriber is an end user of a customer. It holds exactly one package and
// any add-ons on top (rule U1); with a calling package it has a location and
// a phone number from the customer's inventory, an extension, or both (U2).
type Subscriber struct {
	ID                 string
	CustomerID         string
	PartnerID          string // the customer's partner or sub-partner
	ExternalCustomerID string // the customer's external id, for the API
	PersonID           string // set while provisioned
	Email              string // lowercase; unique in the installation (U3)
	FirstName          string
	LastName           string
	Package            Package
	AddOns             []Package
	Status             SubscriberStatus
	LocationID         string
	PrimaryPhoneNumber string
	Extension          string
	ConsentRequests    int // consent emails asked for (U3): on creation and each resend
	Created            time.Time
	Updated            time.Time
	LastStatusChange   time.Time
}

// Packages returns the subscriber's package followed by its add-ons.
func (s *Subscriber) Packages() []Package {
	return append([]Package{s.Package}, s.AddOns...)
}

// subscriberPackages are the packages a user can hold, as the wholesale
// API's WholesalePackagesSubscriber enum lists them. The others of the
// catalog belong to workspaces or to the organization (common_area_calling,
// cisco_calling_plan, cx_voice_ports, cx_ai_assistant, webex_ai_agent).
var subscriberPackages = []Package{
	WebexCalling, WebexMeetings, WebexSuite, WebexVoice, CXEssentials, WebexCallingStandard,
	AttendantConsole, CXPremiumAgent, CXStandardAgent,
}

// ForUsers reports whether a user can hold p.
func (p Package) ForUsers() bool { return slices.Contains(subscriberPackages, p) }

// Limits of a subscriber's fields.
const (
	MaxPersonName   = 64
	MinExtensionLen = 2
	MaxExtensionLen = 10
	MaxSubscriberID = 255 // customer and location ids
)

// Field paths of a subscriber request, used in problems.
const (
	FieldSubscriberCustomer = "customerId"
	FieldSubscriberEmail    = "email"
	FieldSubscriberPackage  = "package"
	FieldSubscriberPackages = "packages"
	FieldSubscriberParams   = "provisioningParameters"
	FieldFirstName          = "provisioningParameters.firstName"
	FieldLastName           = "provisioningParameters.lastName"
	FieldPrimaryNumber      = "provisioningParameters.primaryPhoneNumber"
	FieldExtension          = "provisioningParameters.extension"
	FieldLocationID         = "provisioningParameters.locationId"
	FieldCustomerInfoEmail  = "customerInfo.primaryEmail"
)

// SubscriberInput is a request to create, update or precheck a subscriber,
// in the wholesale API's terms. Package is the deprecated single field and
// Packages the list; exactly one of the two is given (nil Packages: absent).
// An empty text field is absent: on update it leaves the value as it is.
type SubscriberInput struct {
	CustomerID         string
	Email              string
	Package            string
	Packages           []string
	FirstName          string
	LastName           string
	PrimaryPhoneNumber string
	Extension          string
	LocationID         string
	// A precheck for a customer that does not exist yet names the template
	// it would be provisioned with and its first admin instead of CustomerID.
	ProvisioningID       string
	CustomerPrimaryEmail string
	// NumberLater, on a precheck of a user of an existing customer, leaves
	// out U2's need of a number or an extension, and nothing else: the
	// hub's set-up wizard checks its users (email, package, location)
	// before the step where their numbers are chosen, and checks them
	// again, numbers included, after it. Create and update ignore it.
	NumberLater bool
	// Earlier, on a precheck, are the packages and add-ons of the users
	// that a manual add creates before this one: the quantity rules count
	// them as assigned already, so that an add that would run out is told
	// which user goes past the quantity before any is created.
	Earlier []Package
}

// HasPackages reports whether the request names packages at all.
func (in *SubscriberInput) HasPackages() bool { return in.Package != "" || in.Packages != nil }

// Requested returns the packages the request names, in request order, with
// the field each came from. Call it on an input that passed Validate.
func (in *SubscriberInput) Requested() []RequestedPackage {
	if in.Packages == nil {
		if in.Package == "" {
			return nil
		}
		return []RequestedPackage{{Package(in.Package), FieldSubscriberPackage}}
	}
	out := make([]RequestedPackage, len(in.Packages))
	for i, p := range in.Packages {
		out[i] = RequestedPackage{Package(p), FieldSubscriberPackages + "[" + itoa(i) + "]"}
	}
	return out
}

// RequestedPackage is one package of a request and the field it came from.
type RequestedPackage struct {
	Package Package
	Field   string
}

// SplitPackages returns the one package of a valid set and its add-ons.
func SplitPackages(rs []RequestedPackage) (Package, []Package) {
	var base Package
	var addOns []Package
	for _, r := range rs {
		if r.Package.AddOn() {
			addOns = append(addOns, r.Package)
		} else {
			base = r.Package
		}
	}
	return base, addOns
}

// Validate checks the rules that need nothing but the input, and returns
// every problem at once: the customer (or, for a precheck of a customer to
// be, its template and admin) and a valid email on create; U1 (package or
// packages, not both; one package of those a user can hold, add-ons on top
// with their dependencies); U2 as far as the request alone decides it (a
// calling package needs a location and a number, an extension or both; an
// extension is 2–10 digits; a number is E.164; no number or extension
// without calling); names of at most MaxPersonName characters. On update
// a calling package may be given without number or extension when the user
// has them already, so U2's "needs" are judged by CheckCalling on the
// result instead.
func (in *SubscriberInput) Validate(mode Mode) []Problem {
	var ps problems
	switch mode {
	case ModeCreate:
		requireText(&ps, FieldSubscriberCustomer, in.CustomerID, MaxSubscriberID)
	case ModePrecheck:
		if in.CustomerID != "" {
			limitText(&ps, FieldSubscriberCustomer, in.CustomerID, MaxSubscriberID)
			break
		}
		requireText(&ps, FieldProvisioningID, in.ProvisioningID, 255)
		switch {
		case strings.TrimSpace(in.CustomerPrimaryEmail) == "":
			ps.add(FieldCustomerInfoEmail, ReasonRequired)
		case !ValidEmail(in.CustomerPrimaryEmail):
			ps.add(FieldCustomerInfoEmail, ReasonInvalidEmail)
		}
	}
	if mode != ModeUpdate {
		switch {
		case strings.TrimSpace(in.Email) == "":
			ps.add(FieldSubscriberEmail, ReasonRequired)
		case !ValidEmail(in.Email):
			ps.add(FieldSubscriberEmail, ReasonInvalidEmail)
		}
	}
	limitText(&ps, FieldFirstName, in.FirstName, MaxPersonName)
	limitText(&ps, FieldLastName, in.LastName, MaxPersonName)
	limitText(&ps, FieldLocationID, in.LocationID, MaxSubscriberID)

	base, ok := in.validatePackages(mode, &ps)
	calling := ok && base.Calling()
	if in.PrimaryPhoneNumber != "" && !ValidE164(in.PrimaryPhoneNumber) {
		ps.add(FieldPrimaryNumber, ReasonPhoneNumberInvalid, "value", in.PrimaryPhoneNumber)
	}
	if in.Extension != "" && !ValidExtension(in.Extension) {
		ps.add(FieldExtension, ReasonInvalidExtension, "value", in.Extension)
	}
	if ok && !calling {
		// A user without calling has no number and no extension (U2).
		if in.PrimaryPhoneNumber != "" {
			ps.add(FieldPrimaryNumber, ReasonNotCalling, "package", string(base))
		}
		if in.Extension != "" {
			ps.add(FieldExtension, ReasonNotCalling, "package", string(base))
		}
	}
	// A precheck for a customer to be created has no location to name yet.
	if calling && (mode == ModeCreate || (mode == ModePrecheck && in.CustomerID != "")) {
		for _, p := range callingProblems(in.PrimaryPhoneNumber, in.Extension, in.LocationID) {
			if mode == ModePrecheck && in.NumberLater && p.Reason == ReasonNumberOrExtension {
				continue
			}
			ps = append(ps, p)
		}
	}
	return ps
}

// validatePackages applies U1 to the package fields and returns the one
// package when the set is valid.
func (in *SubscriberInput) validatePackages(mode Mode, ps *problems) (Package, bool) {
	switch {
	case in.Package != "" && in.Packages != nil:
		ps.add(FieldSubscriberPackages, ReasonPackageAndPackages)
		return "", false
	case !in.HasPackages():
		if mode == ModeCreate {
			ps.add(FieldSubscriberPackages, ReasonNoPackages)
		}
		return "", false
	case in.Packages != nil && len(in.Packages) == 0:
		ps.add(FieldSubscriberPackages, ReasonNoPackages)
		return "", false
	case !CheckEntries(ps, FieldSubscriberPackages, len(in.Packages), len(Packages)):
		return "", false
	}
	rs := in.Requested()
	before := len(*ps)
	var seen []Package
	for _, r := range rs {
		switch {
		case !r.Package.Known():
			ps.add(r.Field, ReasonUnknownPackage, "value", string(r.Package))
		case !r.Package.ForUsers():
			ps.add(r.Field, ReasonPackageNotForUsers, "value", string(r.Package))
		case slices.Contains(seen, r.Package):
			ps.add(r.Field, ReasonDuplicatePackage, "value", string(r.Package))
		}
		seen = append(seen, r.Package)
	}
	if len(*ps) > before {
		return "", false
	}
	field := FieldSubscriberPackages
	if in.Packages == nil {
		field = FieldSubscriberPackage
	}
	bases := 0
	for _, r := range rs {
		if !r.Package.AddOn() {
			bases++
		}
	}
	if bases != 1 {
		ps.add(field, ReasonOnePackage)
		return "", false
	}
	for _, r := range rs {
		deps := r.Package.Requires()
		if len(deps) > 0 && !slices.ContainsFunc(seen, func(q Package) bool { return slices.Contains(deps, q) }) {
			ps.add(r.Field, ReasonPackageDependency, "package", string(r.Package), "requires", joinPackages(deps))
		}
	}
	if len(*ps) > before {
		return "", false
	}
	base, _ := SplitPackages(rs)
	return base, true
}

// callingProblems is U2 for a user with a calling package: a location, and a
// number, an extension or both.
func callingProblems(number, extension, locationID string) []Problem {
	var ps problems
	if number == "" && extension == "" {
		ps.add(FieldSubscriberParams, ReasonNumberOrExtension)
	}
	if strings.TrimSpace(locationID) == "" {
		ps.add(FieldLocationID, ReasonSubscriberLocation)
	}
	return ps
}

// CheckCalling applies U2 to a subscriber as it would be stored: with a
// calling package it has a location and a number, an extension or both.
func (s *Subscriber) CheckCalling() []Problem {
	if !s.Package.Calling() {
		return nil
	}
	return callingProblems(s.PrimaryPhoneNumber, s.Extension, s.LocationID)
}

// ValidExtension reports whether s is an extension: 2 to 10 ASCII digits.
func ValidExtension(s string) bool {
	if len(s) < MinExtensionLen || len(s) > MaxExtensionLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeEmail is the form an address is stored and compared in: one
// address is one user whatever its letters' case (U3).
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ApplyUpdate returns s as a valid update in changes it, and what U2 says
// of the result. A package change replaces the package and add-ons; moving
// to a package without calling drops the number and the extension (the
// number goes back to the inventory); the location stays. A number or an
// extension for a user who keeps a package without calling is refused.
func (s Subscriber) ApplyUpdate(in *SubscriberInput) (Subscriber, []Problem) {
	if in.HasPackages() {
		s.Package, s.AddOns = SplitPackages(in.Requested())
	}
	if !s.Package.Calling() {
		var ps problems
		if in.PrimaryPhoneNumber != "" {
			ps.add(FieldPrimaryNumber, ReasonNotCalling, "package", string(s.Package))
		}
		if in.Extension != "" {
			ps.add(FieldExtension, ReasonNotCalling, "package", string(s.Package))
		}
		if len(ps) > 0 {
			return s, ps
		}
	}
	if in.FirstName != "" {
		s.FirstName = in.FirstName
	}
	if in.LastName != "" {
		s.LastName = in.LastName
	}
	if in.LocationID != "" {
		s.LocationID = in.LocationID
	}
	if in.PrimaryPhoneNumber != "" {
		s.PrimaryPhoneNumber = in.PrimaryPhoneNumber
	}
	if in.Extension != "" {
		s.Extension = in.Extension
	}
	if !s.Package.Calling() {
		s.PrimaryPhoneNumber, s.Extension = "", ""
	}
	return s, s.CheckCalling()
}

// MaxManualUsers is the most users one manual add takes (rule U7): the
// hub's add-users step creates at most this many at a time; more go
// through a CSV import (ImportService), which has no such limit.
const MaxManualUsers = 25

// FieldManualUsers is the field of a manual add that lists its users.
const FieldManualUsers = "users"

// CheckManualAdd applies rule U7 to a manual add of n users: at least one
// and at most MaxManualUsers. EINVALID: ReasonRequired for none,
// ReasonManualAddLimit (params max and count) beyond the limit.
func CheckManualAdd(n int) error {
	switch {
	case n <= 0:
		return FieldError(EINVALID, FieldManualUsers, ReasonRequired)
	case n > MaxManualUsers:
		return FieldError(EINVALID, FieldManualUsers, ReasonManualAddLimit, "max", itoa(MaxManualUsers), "count", itoa(n))
	}
	return nil
}

// AcceptsSubscribers reports whether a customer in status st may get or
// change users: only once its organization exists and no job is working on
// it.
func (st CustomerStatus) AcceptsSubscribers() bool {
	return st == StatusProvisioned || st == StatusProvisionedWithErrors
}

// CheckSubscriberPackages applies the rules that need the customer to the
// packages a user asks for: the customer accepts users, and each package is
// one of the customer's and provisioned (EINVALID); with quantity selection,
// no package is exhausted (ECONFLICT). usage counts, per package, the users
// of the customer who hold it; held are the packages the user holds already
// (on update), which it keeps without needing a free one.
func CheckSubscriberPackages(c *Customer, rs []RequestedPackage, usage map[Package]int, held []Package) error {
	if !c.Status.AcceptsSubscribers() {
		return FieldError(ECONFLICT, FieldSubscriberCustomer, ReasonCustomerNotReady, "status", string(c.Status))
	}
	var invalid, exhausted problems
	for _, r := range rs {
		cp := c.Package(r.Package)
		if cp == nil || cp.Status != PackageProvisioned {
			invalid.add(r.Field, ReasonPackageUnavailable, "package", string(r.Package))
			continue
		}
		if c.Quantities && cp.Quantity > 0 && !slices.Contains(held, r.Package) && usage[r.Package] >= cp.Quantity {
			exhausted.add(r.Field, ReasonQuantityExhausted, "package", string(r.Package), "count", itoa(cp.Quantity))
		}
	}
	if len(invalid) > 0 {
		return Invalid(invalid)
	}
	if len(exhausted) > 0 {
		return &Error{Code: ECONFLICT, Reason: exhausted[0].Reason, Params: exhausted[0].Params, Problems: exhausted}
	}
	return nil
}

// CheckManualRepeats applies, within one manual add, what storage checks
// against the users that exist: an email address is one user (U3), and a
// phone number or an extension is one user's (U2). It returns, by the
// index in ins, the problems of each request that repeats an earlier one
// (EINVALID problems on the request's own fields), so that a form can show
// them next to the row before anything is created. Emails are compared as
// they are stored (NormalizeEmail); empty values repeat nothing.
func CheckManualRepeats(ins []*SubscriberInput) map[int][]Problem {
	out := map[int][]Problem{}
	emails, numbers, extensions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, in := range ins {
		var ps problems
		if e := NormalizeEmail(in.Email); e != "" {
			if emails[e] {
				ps.add(FieldSubscriberEmail, ReasonManualEmailRepeated, "value", e)
			}
			emails[e] = true
		}
		if n := in.PrimaryPhoneNumber; n != "" {
			if numbers[n] {
				ps.add(FieldPrimaryNumber, ReasonManualNumberRepeated, "value", n)
			}
			numbers[n] = true
		}
		if x := in.Extension; x != "" {
			if extensions[x] {
				ps.add(FieldExtension, ReasonManualExtensionRepeated, "value", x)
			}
			extensions[x] = true
		}
		if len(ps) > 0 {
			out[i] = ps
		}
	}
	return out
}

// SubscriberSort is the order of a subscriber list.
type SubscriberSort string

// Sort keys of the wholesale API.
const (
	SortByCreated          SubscriberSort = "created"
	SortByLastStatusChange SubscriberSort = "lastStatusChange"
)

// SubscriberFilter selects subscribers in a list. Zero values select all.
type SubscriberFilter struct {
	CustomerID         string
	ExternalCustomerID string
	PersonID           string
	Email              string
	Statuses           []SubscriberStatus
	After              time.Time // created after
	LastStatusChange   time.Time // status changed after
	SortBy             SubscriberSort
	Descending         bool
	// Search, when set, keeps the users whose first and last name or
	// address contains it (any part, case-insensitive, in any script); a
	// search that is a whole address (ValidEmail) keeps the user with that
	// address only. The hub's user list uses it.
	Search string
	// CountBound, when above 0, is the most users the total counts instead
	// of SubscriberCountBound.
	CountBound int
	// Key, when set, pages by key instead of by offset (which is then
	// ignored): the page is the users after Key in list order (created,
	// id; only with the default order), or with Backward the users before
	// it, still in list order. Backward without a Key is the last page.
	// The hub's user list uses it: a page deep in the list costs what the
	// first one does.
	Key      *SubscriberKey
	Backward bool
	Page
}

// SubscriberKey is a user's place in the default list order.
type SubscriberKey struct {
	Created time.Time
	ID      string
}

// SubscriberCountBound is the most users a list counts: a total above it
// is a lower bound, shown as "more than" it. Counting stops there so that
// a list's cost does not grow with a customer's users.
const SubscriberCountBound = 10000

// SubscriberService manages subscribers. Every method is scoped to the
// actor's organization: another partner's subscriber or customer is
// ENOTFOUND (or, named in a request body, EINVALID), never EFORBIDDEN.
// Writes other than deletions are EFORBIDDEN for a suspended sub-partner.
type SubscriberService interface {
	// CreateSubscriber validates in (SubscriberInput.Validate), checks it
	// against the customer (CheckSubscriberPackages; the location is the
	// customer's; the number is an available one of that location, and is
	// assigned in the same transaction; the extension is free in the
	// customer; the email is nobody's, U3) and stores the user: provisioned,
	// or pending_user_migration when the email belongs to a free account
	// elsewhere, with a consent request. EINVALID (ReasonCustomerNotFound,
	// ReasonSubscriberLocationNotFound, ReasonNumberNotInInventory,
	// ReasonPhoneNumberElsewhere, ReasonPackageUnavailable), ECONFLICT
	// (ReasonEmailTaken, ReasonExtensionTaken, ReasonNumberUnavailable,
	// ReasonQuantityExhausted, ReasonCustomerNotReady), EFORBIDDEN.
	CreateSubscriber(ctx context.Context, a *Actor, in *SubscriberInput) (*Subscriber, error)
	// Subscriber returns one subscriber. ENOTFOUND.
	Subscriber(ctx context.Context, a *Actor, id string) (*Subscriber, error)
	// Subscribers lists subscribers in the filter's order (oldest first by
	// default), with the total count: exact on the last page, else counted
	// up to SubscriberCountBound and then a lower bound past the page's
	// end. A list with a search is not counted past its page: its total is
	// then the page's end plus one. A page by key (f.Key) has the count of
	// the whole list (to the bound) as its total, or with a search the
	// page's length.
	Subscribers(ctx context.Context, a *Actor, f SubscriberFilter) ([]*Subscriber, int, error)
	// UpdateSubscriber changes a subscriber's packages, names, location,
	// number or extension, with the checks of CreateSubscriber; a number
	// replaced or dropped goes back to the inventory. ENOTFOUND, EINVALID,
	// ECONFLICT, EFORBIDDEN.
	UpdateSubscriber(ctx context.Context, a *Actor, id string, in *SubscriberInput) (*Subscriber, error)
	// DeleteSubscriber removes a subscriber; its number goes back to the
	// inventory. ENOTFOUND.
	DeleteSubscriber(ctx context.Context, a *Actor, id string) error
	// PrecheckSubscriber runs the checks CreateSubscriber would (for a
	// customer that exists, or one to be created from a template) and
	// writes nothing. It returns nil when the user would be accepted.
	// in.NumberLater leaves U2's number or extension out of the checks;
	// in.Earlier counts the packages of a manual add's earlier users as
	// assigned.
	PrecheckSubscriber(ctx context.Context, a *Actor, in *SubscriberInput) error
	// ResendConsent asks the owner of a pending user's address again to
	// consent to the move (U3). ENOTFOUND, ECONFLICT
	// (ReasonSubscriberNotPending), EFORBIDDEN.
	ResendConsent(ctx context.Context, a *Actor, id string) error
}

// SubscriberEvent is the data of the subscriber.* webhook events: which
// user, of which customer, and where it stands. Receivers read the rest
// from the subscriber API.
type SubscriberEvent struct {
	SubscriberID       string           `json:"subscriberId"`
	CustomerID         string           `json:"customerId"`
	ExternalCustomerID string           `json:"externalCustomerId"`
	Email              string           `json:"email"`
	Status             SubscriberStatus `json:"status"`
	Packages           []Package        `json:"packages"`
}

// NewSubscriberEvent is the event data of subscriber s as it is now.
func NewSubscriberEvent(s *Subscriber) SubscriberEvent {
	return SubscriberEvent{
		SubscriberID: s.ID, CustomerID: s.CustomerID, ExternalCustomerID: s.ExternalCustomerID, Email: s.Email,
		Status: s.Status, Packages: s.Packages(),
	}
}
