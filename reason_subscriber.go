package tenantry

// Reasons of subscribers (users). They are appended to AllReasons (below),
// so their wire errorCodes follow those of the files before.
const (
	ReasonPackageAndPackages         = "package_and_packages"          // {field}                     U1
	ReasonPackageNotForUsers         = "package_not_for_users"         // {field} {value}             U1
	ReasonOnePackage                 = "one_package_per_user"          // {field}                     U1
	ReasonPackageUnavailable         = "package_not_provisioned"       // {field} {package}           U1
	ReasonQuantityExhausted          = "package_quantity_exhausted"    // {field} {package} {count}
	ReasonNumberOrExtension          = "number_or_extension_required"  // {field}                     U2
	ReasonSubscriberLocation         = "subscriber_location_required"  // {field}                     U2
	ReasonInvalidExtension           = "invalid_extension"             // {field} {value}             U2
	ReasonNotCalling                 = "package_without_calling"       // {field} {package}           U2
	ReasonExtensionTaken             = "extension_taken"               // {field} {value}             U2
	ReasonNumberNotInInventory       = "phone_number_not_in_inventory" // {field} {value}             U2
	ReasonNumberUnavailable          = "phone_number_unavailable"      // {field} {value}             U2
	ReasonEmailTaken                 = "email_taken"                   // {field} {value}             U3
	ReasonSubscriberNotPending       = "subscriber_not_pending"        // {status}                    U3
	ReasonCustomerNotFound           = "customer_not_found"            // {field}
	ReasonSubscriberLocationNotFound = "subscriber_location_not_found" // {field}
	ReasonInvalidTime                = "invalid_time"                  // {field} {value}
	ReasonManualAddLimit             = "manual_add_limit"              // {field} {max} {count}       U7
)

func init() {
	AllReasons = append(AllReasons,
		ReasonPackageAndPackages, ReasonPackageNotForUsers, ReasonOnePackage, ReasonPackageUnavailable,
		ReasonQuantityExhausted, ReasonNumberOrExtension, ReasonSubscriberLocation, ReasonInvalidExtension,
		ReasonNotCalling, ReasonExtensionTaken, ReasonNumberNotInInventory, ReasonNumberUnavailable,
		ReasonEmailTaken, ReasonSubscriberNotPending, ReasonCustomerNotFound, ReasonSubscriberLocationNotFound,
		ReasonInvalidTime, ReasonManualAddLimit,
	)
}
