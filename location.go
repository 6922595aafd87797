package tenantry

import (
	"context"
	"strings"
	"time"
)

// Location is a place of a customer where users work and numbers ring: the
// headquarters that provisioning creates from the calling location (rule
// C4), or a branch added later. Its address decides which phone numbers it
// may hold (rule U2).
type Location struct {
	ID                  string
	CustomerID          string
	Name                string
	Address             Address
	TimeZone            string
	Language            string
	EmergencyLocationID string
	Headquarters        bool
	MainNumber          string // one of its numbers, or ""
	Created             time.Time
}

// MaxEmergencyLocationID is the longest emergency location identifier.
const MaxEmergencyLocationID = 64

// LocationInput creates or replaces a location: the calling location's
// fields (rule C4).
type LocationInput struct {
	Name                string
	Address             Address
	TimeZone            string
	Language            string
	EmergencyLocationID string
}

// Field paths of a location request, used in problems.
const (
	FieldLocationName      = "name"
	FieldLocationAddress   = "address"
	FieldLocationCountry   = "address.country"
	FieldLocationTimeZone  = "timezone"
	FieldLocationLanguage  = "language"
	FieldLocationEmergency = "emergencyLocationIdentifier"
)

// Validate checks the rules of a calling location that need nothing but the
// input (C4): a name of at most MaxLocationName characters, an address by
// rule C1, an IANA time zone, a language tag and an optional emergency
// location identifier. Whether the name is free in the customer is for
// storage to say (SameLocationName).
func (in *LocationInput) Validate() []Problem {
	var ps problems
	requireText(&ps, FieldLocationName, in.Name, MaxLocationName)
	in.Address.validate(FieldLocationAddress, &ps)
	switch {
	case in.TimeZone == "":
		ps.add(FieldLocationTimeZone, ReasonRequired)
	case !ValidTimeZone(in.TimeZone):
		ps.add(FieldLocationTimeZone, ReasonInvalidTimeZone, "value", in.TimeZone)
	}
	switch {
	case in.Language == "":
		ps.add(FieldLocationLanguage, ReasonRequired)
	case !ValidLanguageTag(in.Language):
		ps.add(FieldLocationLanguage, ReasonInvalidLanguage, "value", in.Language)
	}
	limitText(&ps, FieldLocationEmergency, in.EmergencyLocationID, MaxEmergencyLocationID)
	return ps
}

// SameLocationName reports whether two location names are the same for
// uniqueness within a customer: case and surrounding spaces do not count,
// as with template names.
func SameLocationName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// AcceptsLocations reports whether a customer in status s may get new
// locations and numbers: only once its organization exists and no job is
// working on it.
func (s CustomerStatus) AcceptsLocations() bool {
	return s == StatusProvisioned || s == StatusProvisionedWithErrors
}

// NumberState is whether a phone number of a location is free or held by a
// user.
type NumberState string

// Number states.
const (
	NumberAvailable NumberState = "available"
	NumberAssigned  NumberState = "assigned"
)

// NumberStates lists every state, in the API's order.
var NumberStates = []NumberState{NumberAvailable, NumberAssigned}

// PhoneNumber is one number of a location's inventory, in E.164 form. It is
// unique across the installation (rule U2).
type PhoneNumber struct {
	Number       string
	PartnerID    string
	CustomerID   string
	LocationID   string
	State        NumberState
	SubscriberID string // set when assigned
	MainNumber   bool   // the location's main number
	Created      time.Time
}

// NumberFilter selects numbers of a location; an empty State selects all.
type NumberFilter struct {
	State NumberState
	Page
}

// LocationService manages a customer's locations and their phone numbers.
// Every method is scoped to the actor's organization: another partner's
// customer or location is ENOTFOUND, never EFORBIDDEN. Writes other than
// deletions are EFORBIDDEN for a suspended sub-partner.
type LocationService interface {
	// CreateLocation adds a branch to a customer that is provisioned (or
	// provisioned with errors). EINVALID (LocationInput.Validate),
	// ENOTFOUND (customer), ECONFLICT (ReasonLocationNameTaken, or
	// ReasonCustomerNotReady while the customer is in another status),
	// EFORBIDDEN.
	CreateLocation(ctx context.Context, a *Actor, customerID string, in *LocationInput) (*Location, error)
	// Location returns one location of a customer. ENOTFOUND.
	Location(ctx context.Context, a *Actor, customerID, id string) (*Location, error)
	// Locations lists a customer's locations, headquarters first, then
	// oldest first, with the total count. ENOTFOUND (customer).
	Locations(ctx context.Context, a *Actor, customerID string, page Page) ([]*Location, int, error)
	// UpdateLocation replaces a location's settings; the address's country
	// cannot change while the location has numbers. EINVALID, ENOTFOUND,
	// ECONFLICT (ReasonLocationNameTaken, ReasonLocationCountryLocked,
	// ReasonCustomerNotReady), EFORBIDDEN.
	UpdateLocation(ctx context.Context, a *Actor, customerID, id string, in *LocationInput) (*Location, error)
	// DeleteLocation removes a branch without numbers or users. A
	// suspended sub-partner may delete. ENOTFOUND, ECONFLICT
	// (ReasonLocationHeadquarters, ReasonLocationInUse).
	DeleteLocation(ctx context.Context, a *Actor, customerID, id string) error
	// AddNumbers adds every number of in to a location, all or nothing,
	// and returns them. EINVALID (NumbersInput.Expand: format, country,
	// ranges, repeats, too many), ENOTFOUND, ECONFLICT
	// (ReasonPhoneNumberTaken naming the item, ReasonCustomerNotReady),
	// EFORBIDDEN.
	AddNumbers(ctx context.Context, a *Actor, customerID, locationID string, in *NumbersInput) ([]*PhoneNumber, error)
	// Numbers lists a location's numbers in order, with the total count.
	// ENOTFOUND (customer or location).
	Numbers(ctx context.Context, a *Actor, customerID, locationID string, f NumberFilter) ([]*PhoneNumber, int, error)
	// RemoveNumber removes an unassigned number from a location (and
	// clears the main number when it was that one). A suspended
	// sub-partner may remove. ENOTFOUND (also a number of another
	// location), ECONFLICT (ReasonPhoneNumberAssigned).
	RemoveNumber(ctx context.Context, a *Actor, customerID, locationID, number string) error
	// SetMainNumber makes one of the location's numbers its main number.
	// EINVALID on FieldPhoneNumber (ReasonRequired, ReasonPhoneNumberInvalid,
	// or ReasonPhoneNumberElsewhere: not one of its numbers), ENOTFOUND,
	// ECONFLICT (ReasonCustomerNotReady), EFORBIDDEN.
	SetMainNumber(ctx context.Context, a *Actor, customerID, locationID, number string) (*Location, error)
}
