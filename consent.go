package tenantry

import "context"

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

// ConsentService is what the links of the consent email call. It is no
// partner's API and takes no actor: the link's own unguessable, single-use
// token is the credential.
type ConsentService interface {
	// DecideConsentByToken records the owner's decision for the user whose
	// consent email carried token. Accepting provisions the user (and
	// queues its welcome); rejecting leaves it pending. Every link of the
	// user is used up either way. ENOTFOUND (unknown token), ECONFLICT
	// (ReasonConsentLinkUsed; ReasonSubscriberNotPending when the user is
	// no longer pending).
	DecideConsentByToken(ctx context.Context, token string, d ConsentDecision) (*ConsentResult, error)
}
