package tenantry

// ConsentDecision is what the owner of an address answers to a consent
// email (rule U3): accept moves the account, and the pending user is
// provisioned; reject leaves the user pending.
type ConsentDecision string

// The answers a consent link carries.
const (
	ConsentAccept ConsentDecision = "accept"
	ConsentReject ConsentDecision = "reject"
)

// ConsentDecisions lists every decision, in the API's order.
var ConsentDecisions = []ConsentDecision{ConsentAccept, ConsentReject}

// ConsentResult is where a user stands after its owner followed a link.
type ConsentResult struct {
	SubscriberID string
	Decision     ConsentDecision
	Status       SubscriberStatus
}
