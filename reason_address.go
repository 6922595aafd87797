package tenantry

// Reasons of a postal code or a state that does not fit an address's
// country, worded for a person to correct: with an example of what fits
// rather than the rule itself. They are appended to AllReasons. Each words
// one case of ReasonInvalidEnum, which these problems had before, and
// keeps its wire errorCode (CodeReason).
const (
	ReasonInvalidPostalCode       = "invalid_postal_code"        // {field} {value} {country} {example}
	ReasonInvalidPostalCodeEither = "invalid_postal_code_either" // {field} {value} {country} {example} {alternative}
	ReasonInvalidState            = "invalid_state"              // {field} {value} {country} {example}
)

func init() {
	AllReasons = append(AllReasons, ReasonInvalidPostalCode, ReasonInvalidPostalCodeEither, ReasonInvalidState)
	for _, r := range []string{ReasonInvalidPostalCode, ReasonInvalidPostalCodeEither, ReasonInvalidState} {
		codeReasons[r] = ReasonInvalidEnum
	}
}
