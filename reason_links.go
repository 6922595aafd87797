package tenantry

// Reasons of the mailed decision links (rules C7 and U3). They are appended
// to AllReasons, whose wire errorCodes do not depend on the order files
// register in.
const (
	ReasonLinkExpired = "link_expired" // {value}: when it expired   C7 U3
	// ReasonCrossOrigin refuses a decision another site's page made a
	// browser send.
	ReasonCrossOrigin = "cross_origin_refused"
)

func init() {
	AllReasons = append(AllReasons, ReasonLinkExpired, ReasonCrossOrigin)
}
