package tenantry

// Reasons of the rules on customers, admins and the directory of existing
// organizations and free accounts. They are appended to AllReasons (below);
// a reason's wire errorCode is a hash of its id, so the order of the files
// does not matter.
const (
	ReasonAdminLevel      = "admin_package_level"      // {field} {package} {requires}  U4
	ReasonUserCount       = "directory_user_count"     // {field} {value}
	ReasonDomainInvalid   = "directory_domain_invalid" // {field} {value}
	ReasonDirectoryColumn = "directory_column_unknown" // {field} {value}
	ReasonDirectoryKind   = "directory_csv_kind"       // {field}
	ReasonDirectoryEmpty  = "directory_empty"          // {field}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonAdminLevel, ReasonUserCount, ReasonDomainInvalid, ReasonDirectoryColumn, ReasonDirectoryKind,
		ReasonDirectoryEmpty,
	)
}
