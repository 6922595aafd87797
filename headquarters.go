package tenantry

import "strings"

// Rule C4 beyond the request: a customer's first location, and a calling
// location for a customer that gains calling.

// DefaultLocationTimeZone is the time zone of a headquarters made from a
// customer's address when it gave no meetings time zone; the meetings site
// uses it too (NoticeMeetingsTimeZone).
const DefaultLocationTimeZone = "UTC"

// DefaultLocationLanguage is the language of a headquarters made from a
// customer's address when the customer has none.
const DefaultLocationLanguage = "en"

// Headquarters is the first location of customer c, made when its
// organization is provisioned: its calling location when it has one (rule
// C4), else its headquarters address, for every customer, calling or not,
// has a place where its users work and to which numbers and branches are
// added later. A location made from the address is named after the
// customer (cut to MaxLocationName characters), in the customer's meetings
// time zone (DefaultLocationTimeZone when none) and language
// (DefaultLocationLanguage when none).
func Headquarters(c *Customer) LocationInput {
	if l := c.Calling; l != nil {
		return LocationInput{Name: l.Name, Address: l.Address, TimeZone: l.TimeZone, Language: l.Language, EmergencyLocationID: l.EmergencyLocationID}
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = strings.TrimSpace(c.ExternalID) // an attached organization may come without customerInfo
	}
	if r := []rune(name); len(r) > MaxLocationName {
		name = strings.TrimSpace(string(r[:MaxLocationName]))
	}
	if name == "" {
		name = "Headquarters"
	}
	in := LocationInput{Name: name, Address: c.Address, TimeZone: c.MeetingsTimeZone, Language: c.Language}
	if in.TimeZone == "" || !ValidTimeZone(in.TimeZone) {
		in.TimeZone = DefaultLocationTimeZone
	}
	if in.Language == "" || !ValidLanguageTag(in.Language) {
		in.Language = DefaultLocationLanguage
	}
	return in
}

// CheckCallingLocation applies rule C4 to an update of current that asks
// for pkgs: a calling package needs a calling location, given with the
// update (given, which Validate checks) or held by the customer already
// with every field C4 requires (name, address, IANA time zone, language).
// A meetings-only customer that gains webex_calling must bring one.
func CheckCallingLocation(current *Customer, pkgs []Package, given *CallingLocation) []Problem {
	if !HasCalling(pkgs) || given != nil {
		return nil
	}
	var ps problems
	if current.Calling != nil {
		current.Calling.validate(FieldCalling, &ps)
		if len(ps) == 0 {
			return nil
		}
	}
	return []Problem{{Field: FieldCalling, Reason: ReasonCallingLocation}}
}

// GainsCallingLocation reports whether an update giving the calling
// location given makes it the customer's first: the headquarters, made from
// the address until then, takes its settings.
func GainsCallingLocation(current *Customer, given *CallingLocation) bool {
	return given != nil && current.Calling == nil
}
