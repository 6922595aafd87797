package tenantry

// Reasons of the partner settings: partner admins, API tokens and webhooks
// as the hub manages them. They are appended to AllReasons; a reason's wire
// errorCode is a hash of its id, so the order does not matter.
const (
	ReasonLastFullAdmin          = "last_full_admin"           // {field}
	ReasonLastFullAdminRemoval   = "last_full_admin_removal"   // (none)
	ReasonPartnerAdminTaken      = "partner_admin_taken"       // {field} {value}
	ReasonPartnerAdminInTemplate = "partner_admin_in_template" // {count}
	ReasonPartnerAdminNotPending = "partner_admin_not_pending" // (none)
	ReasonWebhookInactive        = "webhook_inactive"          // (none)
)

func init() {
	AllReasons = append(AllReasons, ReasonLastFullAdmin, ReasonLastFullAdminRemoval, ReasonPartnerAdminTaken,
		ReasonPartnerAdminInTemplate, ReasonPartnerAdminNotPending, ReasonWebhookInactive)
}
