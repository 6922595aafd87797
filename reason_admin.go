package tenantry

// Reasons of customer admins and attached organizations. They are appended
// to AllReasons (below), so their wire errorCodes follow those of the files
// before.
const (
	ReasonAdminPackage       = "admin_package_not_held"       // {field} {package}            U4
	ReasonAdminDowngrade     = "admin_package_downgrade"      // {field} {package} {current}  U4
	ReasonFullAdminDemoted   = "full_admin_role_fixed"        // {field}                      U4
	ReasonFullAdminExists    = "full_admin_exists"            // {field}                      U4
	ReasonFullAdminRemoval   = "full_admin_cannot_be_removed" //                              U4
	ReasonAdminEmailTaken    = "admin_email_taken"            // {field} {value}
	ReasonApprovalNotPending = "approval_not_pending"         // {status}                      C7
	ReasonApprovalNeedsAdmin = "approval_needs_admin_email"   // {field}                      C7
	ReasonAdminsNotReady     = "customer_admins_not_ready"    // {status}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonAdminPackage, ReasonAdminDowngrade, ReasonFullAdminDemoted, ReasonFullAdminExists,
		ReasonFullAdminRemoval, ReasonAdminEmailTaken, ReasonApprovalNotPending, ReasonApprovalNeedsAdmin,
		ReasonAdminsNotReady,
	)
}
