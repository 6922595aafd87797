package tenantry

// Reasons of setup-assistance requests. They are appended to AllReasons.
const (
	ReasonAssistanceHelp  = "assistance_help_required" // {field}
	ReasonAssistancePhone = "assistance_phone_invalid" // {field} {value}
	ReasonAssistanceDate  = "assistance_date_invalid"  // {field} {value}
	ReasonAssistancePast  = "assistance_date_past"     // {field} {value}
	ReasonAssistanceFar   = "assistance_date_too_far"  // {field} {value}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonAssistanceHelp, ReasonAssistancePhone, ReasonAssistanceDate, ReasonAssistancePast, ReasonAssistanceFar,
	)
}
