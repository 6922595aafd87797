package tenantry

// Reasons of the hub's wizards. They are appended to AllReasons; a reason's
// wire errorCode is a hash of its id, so the order does not matter.
const (
	// ReasonHQCountryChanged: a headquarters answer (time zone, state,
	// postal code) was given for another country than the customer's,
	// which has been changed since.
	ReasonHQCountryChanged = "hq_country_changed" // {field}
)

func init() {
	AllReasons = append(AllReasons, ReasonHQCountryChanged)
}
