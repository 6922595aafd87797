package tenantry

// Reasons are the message ids of every error the domain and the edges
// produce. Each one has a translation in every locale (package locale tests
// that), and a stable numeric errorCode on the wire (package api).
const (
	ReasonInvalidRequest       = "invalid_request"                 // the request has problems, listed per field
	ReasonInternal             = "internal_error"                  // an unexpected failure
	ReasonUnavailable          = "unavailable"                     // shutting down; retry
	ReasonRequired             = "required"                        // {field}
	ReasonTooLong              = "too_long"                        // {field} {max}
	ReasonForbiddenChar        = "forbidden_character"             // {field} {char}
	ReasonInvalidEmail         = "invalid_email"                   // {field}
	ReasonInvalidCountry       = "invalid_country"                 // {field} {value}
	ReasonInvalidTimeZone      = "invalid_timezone"                // {field} {value}
	ReasonInvalidLanguage      = "invalid_language"                // {field} {value}
	ReasonInvalidEnum          = "invalid_value"                   // {field} {value} {allowed}
	ReasonStateRequired        = "state_required"                  // {field} {country}
	ReasonPostalRequired       = "postal_code_required"            // {field} {country}
	ReasonUnknownPackage       = "unknown_package"                 // {field} {value}
	ReasonDuplicatePackage     = "duplicate_package"               // {field} {value}
	ReasonNoPackages           = "no_packages"                     // {field}
	ReasonPackageDependency    = "package_dependency"              // {field} {package} {requires}
	ReasonCallingLocation      = "calling_location_required"       // {field}
	ReasonPackageInUse         = "package_in_use"                  // {field} {package} {count}
	ReasonQuantityRequired     = "quantity_required"               // {field} {package}            Q1
	ReasonQuantityDisable      = "quantity_cannot_disable"         // {field}                     Q2
	ReasonQuantityLower        = "quantity_lower"                  // {field} {package} {current}  Q3
	ReasonQuantityAboveMax     = "quantity_above_max"              // {field} {package} {max}      Q4
	ReasonQuantityNotAllowed   = "quantity_not_allowed"            // {field} {package}            Q5
	ReasonQuantityEnable       = "quantity_cannot_enable"          // {field}                      Q6
	ReasonQuantityMixed        = "quantity_mixed"                  // {field}                      Q7
	ReasonQuantityMigration    = "quantity_migration"              // {field}                      Q8
	ReasonQuantityPositive     = "quantity_positive"               // {field} {package}            Q8
	ReasonQuantityUnknown      = "quantity_unknown_package"        // {field} {package}
	ReasonQuantityBelowUsage   = "quantity_below_usage"            // {field} {package} {count}
	ReasonTemplateNotFound     = "template_not_found"              // {field}
	ReasonExternalIDTaken      = "external_id_taken"               // {field} {value}
	ReasonTemplateNameTaken    = "template_name_taken"             // {field} {value}
	ReasonIdPEntityIDRequired  = "idp_entity_id_required"          // {field}
	ReasonIdPNameRequired      = "idp_name_required"               // {field}
	ReasonAdminNotFound        = "admin_not_found"                 // {field}
	ReasonSubscriptionNotFound = "subscription_not_found"          // {field}
	ReasonWebexToWebex         = "webex_to_webex_needs_both_types" // {field}
	ReasonTemplateInUse        = "template_in_use"                 // {count}
	ReasonCustomerBusy         = "customer_busy"                   // {status}
	ReasonNotFound             = "not_found"                       // {resource}
	ReasonSubPartnerNotFound   = "sub_partner_not_found"           // {field}
	ReasonSubPartnerSuspended  = "sub_partner_suspended"           // {field}
	ReasonPartnerExists        = "partner_exists"                  // {name} {id}
	ReasonUnauthorized         = "unauthorized"
	ReasonMissingScope         = "missing_scope"               // {scope}
	ReasonMalformedJSON        = "malformed_json"              // {detail}
	ReasonUnknownField         = "unknown_field"               // {field}
	ReasonWrongType            = "wrong_type"                  // {field} {type}
	ReasonUnsupportedMedia     = "unsupported_media_type"      // {type} {want}
	ReasonBodyTooLarge         = "body_too_large"              // {max}
	ReasonInvalidNumber        = "invalid_number"              // {field} {value}
	ReasonIdempotencyMismatch  = "idempotency_key_reused"      // {field}
	ReasonIdempotencyPending   = "idempotency_key_in_progress" // {field}
	ReasonMethodNotAllowed     = "method_not_allowed"
	ReasonOrgAttachConflict    = "org_already_attached" // {field}
	ReasonPrecheckOK           = "precheck_ok"
)

// AllReasons lists every reason, so that translations can be checked for
// completeness.
var AllReasons = []string{
	ReasonInvalidRequest, ReasonInternal, ReasonUnavailable, ReasonRequired, ReasonTooLong,
	ReasonForbiddenChar, ReasonInvalidEmail, ReasonInvalidCountry, ReasonInvalidTimeZone,
	ReasonInvalidLanguage, ReasonInvalidEnum, ReasonStateRequired, ReasonPostalRequired,
	ReasonUnknownPackage, ReasonDuplicatePackage, ReasonNoPackages, ReasonPackageDependency,
	ReasonCallingLocation, ReasonPackageInUse, ReasonQuantityRequired, ReasonQuantityDisable,
	ReasonQuantityLower, ReasonQuantityAboveMax, ReasonQuantityNotAllowed, ReasonQuantityEnable,
	ReasonQuantityMixed, ReasonQuantityMigration, ReasonQuantityPositive, ReasonQuantityUnknown,
	ReasonQuantityBelowUsage, ReasonTemplateNotFound, ReasonExternalIDTaken,
	ReasonTemplateNameTaken, ReasonIdPEntityIDRequired, ReasonIdPNameRequired,
	ReasonAdminNotFound, ReasonSubscriptionNotFound, ReasonWebexToWebex, ReasonTemplateInUse,
	ReasonCustomerBusy, ReasonNotFound, ReasonSubPartnerNotFound, ReasonSubPartnerSuspended,
	ReasonPartnerExists, ReasonUnauthorized, ReasonMissingScope, ReasonMalformedJSON,
	ReasonUnknownField, ReasonWrongType, ReasonUnsupportedMedia, ReasonBodyTooLarge,
	ReasonInvalidNumber, ReasonIdempotencyMismatch, ReasonIdempotencyPending,
	ReasonMethodNotAllowed, ReasonOrgAttachConflict, ReasonPrecheckOK,
}

// codeReasons maps each reason that words one case of an older reason more
// precisely to that older reason (see CodeReason).
var codeReasons = map[string]string{}

// CodeReason returns the reason whose wire errorCode reason is answered
// with: reason itself, or, for a reason that words one case of an older one
// more precisely (an invalid postal code, once an invalid value), the older
// one, so that a client matching on the older code still does.
func CodeReason(reason string) string {
	if r, ok := codeReasons[reason]; ok {
		return r
	}
	return reason
}
