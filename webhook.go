package tenantry

// WebhookService manages a partner's webhooks. (Being built for issue 3.)
type WebhookService interface{}

// WebhookJobs is what the webhook delivery worker does. (Being built for issue 3.)
type WebhookJobs interface{}
