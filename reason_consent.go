package tenantry

// Reasons of the consent links (rule U3). They are appended to AllReasons,
// whose wire errorCodes do not depend on the order files register in.
const (
	ReasonConsentLinkUsed = "consent_link_used" // {status}: accepted, rejected or superseded   U3
)

func init() {
	AllReasons = append(AllReasons, ReasonConsentLinkUsed)
}
