package tenantry

// Reasons of authentication, API tokens and request limits. They are
// appended to AllReasons; a reason's wire errorCode depends on its id only.
const (
	ReasonAuthRateLimited    = "auth_rate_limited"    // {count}: seconds to wait
	ReasonTokenScopeRepeated = "token_scope_repeated" // {field} {value}
	ReasonTokenExpiresPast   = "token_expires_past"   // {field}
	ReasonTokenScopeNotHeld  = "token_scope_not_held" // {field} {scope}
	ReasonTooManyEntries     = "too_many_entries"     // {field} {count} {max}
	ReasonMoreErrors         = "more_errors"          // {count}
	ReasonTokenOutlives      = "token_outlives"       // {field} {value}: the creating token's expiry
)

func init() {
	AllReasons = append(AllReasons,
		ReasonAuthRateLimited, ReasonTokenScopeRepeated, ReasonTokenExpiresPast, ReasonTokenScopeNotHeld,
		ReasonTooManyEntries, ReasonMoreErrors, ReasonTokenOutlives,
	)
}
