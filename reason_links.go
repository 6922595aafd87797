package tenantry

// Reasons of the mailed decision links (rules C7 and U3). They are appended
// to AllReasons, whose wire errorCodes do not depend on the order files
// register in.
const (
	ReasonLinkExpired = "link_expired" // {expired}: the date it expired   C7 U3
)

func init() {
	AllReasons = append(AllReasons, ReasonLinkExpired)
}
