package tenantry

// Reasons of wholesale API compatibility: what the API accepts and says
// about requests written for the public examples, and the notices
// background jobs record on customers, stored as reasons so that each
// reader reads them in their own language.
const (
	ReasonQuantityIgnored   = "quantity_ignored"           // {field} {package}
	ReasonQueryParamInBody  = "query_parameter_in_body"    // {field}
	ReasonCallingNotOffered = "notice_calling_unavailable" // {country}
	ReasonMeetingsUTC       = "notice_meetings_timezone"
	ReasonAttachRejected    = "notice_attach_rejected" // {id}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonQuantityIgnored, ReasonQueryParamInBody, ReasonCallingNotOffered, ReasonMeetingsUTC, ReasonAttachRejected,
	)
}
