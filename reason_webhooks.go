package tenantry

// Reasons of webhook destinations and signatures. They are appended to
// AllReasons; a reason's wire errorCode is a hash of its id, so the order
// does not matter.
const (
	ReasonWebhookURLDestination = "webhook_url_destination" // {field}
	ReasonWebhookURLPort        = "webhook_url_port"        // {field} {value}
)

func init() {
	AllReasons = append(AllReasons, ReasonWebhookURLDestination, ReasonWebhookURLPort)
}
