package tenantry

// Reasons of locations and phone numbers. They are appended to AllReasons
// (below), so their wire errorCodes follow every reason of reason.go.
const (
	ReasonCustomerNotReady      = "customer_not_provisioned"     // {status}
	ReasonLocationNameTaken     = "location_name_taken"          // {field} {value}
	ReasonLocationHeadquarters  = "location_is_headquarters"     //
	ReasonLocationInUse         = "location_in_use"              // {count}
	ReasonLocationCountryLocked = "location_country_locked"      // {field} {count}
	ReasonPhoneNumberInvalid    = "phone_number_invalid"         // {field} {value}
	ReasonPhoneNumberCountry    = "phone_number_wrong_country"   // {field} {value} {country}
	ReasonPhoneNumberTaken      = "phone_number_taken"           // {field} {value}
	ReasonPhoneNumberRepeated   = "phone_number_repeated"        // {field} {value}
	ReasonPhoneNumberAssigned   = "phone_number_assigned"        // {value}
	ReasonPhoneNumberElsewhere  = "phone_number_not_in_location" // {field} {value}
	ReasonNoPhoneNumbers        = "no_phone_numbers"             // {field}
	ReasonTooManyPhoneNumbers   = "too_many_phone_numbers"       // {field} {max}
	ReasonRangeReversed         = "number_range_reversed"        // {field}
	ReasonRangeMismatch         = "number_range_mismatch"        // {field}
	ReasonRangeGap              = "number_range_invalid_number"  // {field} {value} {country}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonCustomerNotReady, ReasonLocationNameTaken, ReasonLocationHeadquarters, ReasonLocationInUse,
		ReasonLocationCountryLocked, ReasonPhoneNumberInvalid, ReasonPhoneNumberCountry, ReasonPhoneNumberTaken,
		ReasonPhoneNumberRepeated, ReasonPhoneNumberAssigned, ReasonPhoneNumberElsewhere, ReasonNoPhoneNumbers,
		ReasonTooManyPhoneNumbers, ReasonRangeReversed, ReasonRangeMismatch, ReasonRangeGap,
	)
}
