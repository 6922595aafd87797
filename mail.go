package tenantry

// OutboxService exposes the mail outbox. (Being built for issue 3.)
type OutboxService interface{}
