package tenantry

// Reasons of the hub's sign-in and forms. They are appended to AllReasons
// (below), after the reasons of the files before this one.
const (
	ReasonPasswordShort     = "password_too_short"          // {field} {count}
	ReasonLinkInvalid       = "link_invalid"                // (none)
	ReasonSignInFailed      = "sign_in_failed"              // (none)
	ReasonSignInSlowed      = "sign_in_slowed"              // {count}
	ReasonLocationConfirm   = "supported_location_required" // {field}
	ReasonSAMLMetadata      = "saml_metadata_invalid"       // {field}
	ReasonReadOnlyAdmin     = "read_only_admin"             // (none)
	ReasonSetupDone         = "setup_done"                  // (none)
	ReasonPasswordsMismatch = "passwords_differ"            // {field}
	ReasonFullAdminOnly     = "full_admin_only"             // (none)
)

func init() {
	AllReasons = append(AllReasons,
		ReasonPasswordShort, ReasonLinkInvalid, ReasonSignInFailed, ReasonSignInSlowed, ReasonLocationConfirm,
		ReasonSAMLMetadata, ReasonReadOnlyAdmin, ReasonSetupDone, ReasonPasswordsMismatch, ReasonFullAdminOnly,
	)
}
