package tenantry

// Reasons of webhooks. They are appended to AllReasons (below), after the
// reasons of the files before this one; a reason's wire errorCode is its
// place in AllReasons, so new reasons of webhooks go at the end of this list.
const (
	ReasonWebhookURL            = "webhook_url_invalid"     // {field}
	ReasonWebhookURLCredentials = "webhook_url_credentials" // {field}
	ReasonWebhookURLTaken       = "webhook_url_taken"       // {field} {value}
	ReasonWebhookEventRepeated  = "webhook_event_repeated"  // {field} {value}
	ReasonWebhookLimit          = "webhook_limit"           // {max}
)

func init() {
	AllReasons = append(AllReasons,
		ReasonWebhookURL, ReasonWebhookURLCredentials, ReasonWebhookURLTaken, ReasonWebhookEventRepeated, ReasonWebhookLimit,
	)
}
