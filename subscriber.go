package tenantry

// SubscriberService manages subscribers (users). (Being built for issue 3.)
type SubscriberService interface{}
