package tenantry

// Reasons of the audit log's filters. They are appended to AllReasons
// (below), after the reasons of the files before this one.
const (
	ReasonInvalidDate = "invalid_date" // {field} {value}
	ReasonDateRange   = "date_range"   // {field}
)

func init() {
	AllReasons = append(AllReasons, ReasonInvalidDate, ReasonDateRange)
}
