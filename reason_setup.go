package tenantry

// Reasons of a manual add of several users at once (the hub's set-up
// wizard): a value given for two users of the same add. They are appended
// to AllReasons; a reason's wire errorCode is a hash of its id, so the order
// does not matter.
const (
	ReasonManualEmailRepeated     = "manual_email_repeated"     // {field} {value} U3
	ReasonManualNumberRepeated    = "manual_number_repeated"    // {field} {value} U2
	ReasonManualExtensionRepeated = "manual_extension_repeated" // {field} {value} U2
)

func init() {
	AllReasons = append(AllReasons, ReasonManualEmailRepeated, ReasonManualNumberRepeated, ReasonManualExtensionRepeated)
}
