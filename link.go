package tenantry

import (
	"context"
	"time"
)

// The links mailed for a decision: the approval of an attached organization
// (rule C7) and the consent to move an account (rule U3). A link's token is
// the only credential its recipient has, so a link is single-use and
// expires; and because mail scanners and link previews fetch every link
// they see, following one only shows what is asked: deciding takes a
// deliberate second request (a form's POST).

// Default lifetimes of the links, from when the mail was queued.
const (
	DefaultApprovalLinkTTL = 14 * 24 * time.Hour
	DefaultConsentLinkTTL  = 30 * 24 * time.Hour
)

// LinkState is where a mailed link stands.
type LinkState string

// A link is open until it is used (by its own decision or by another way of
// deciding the same question) or its lifetime ends.
const (
	LinkOpen    LinkState = "open"
	LinkUsed    LinkState = "used"
	LinkExpired LinkState = "expired"
)

// LinkStateAt says where a link made at created stands at now: used when it
// was used (used is not zero), else expired once ttl has passed (a ttl of
// zero or less never expires), else open. A used link reads used even after
// its lifetime: what happened to it is the more useful answer.
func LinkStateAt(created, used time.Time, ttl time.Duration, now time.Time) LinkState {
	switch {
	case !used.IsZero():
		return LinkUsed
	case ttl > 0 && !now.Before(created.Add(ttl)):
		return LinkExpired
	}
	return LinkOpen
}

// ApprovalRequest is what an approval link asks: that a customer admin let
// a partner (shown by its brand name, as in the mail) manage an existing
// organization.
type ApprovalRequest struct {
	State LinkState
	// Language is the language the mail was written in; "" for links made
	// before it was recorded.
	Language     string
	CustomerName string // the organization's name as the partner gave it
	OrgID        string
	BrandName    string
	Expires      time.Time
	// Approval is where the question stands now (approved or rejected once
	// decided, by this link or otherwise).
	Approval Approval
}

// ConsentRequest is what a consent link asks: that the owner of an address
// let its account move to a customer's organization.
type ConsentRequest struct {
	State         LinkState
	Language      string // as in ApprovalRequest
	RecipientName string
	Email         string
	CustomerName  string
	BrandName     string
	Expires       time.Time
	// Decision is what this link decided; "" when unused, or used up by
	// another link of the same user.
	Decision ConsentDecision
}

// LinkService answers the mailed links. It is no partner's API and takes no
// actor: the link's token is the credential. Reading a request changes
// nothing; only the decisions do.
type LinkService interface {
	// ApprovalRequest reads what the approval link with token asks, and
	// where it stands. ENOTFOUND (unknown token).
	ApprovalRequest(ctx context.Context, token string) (*ApprovalRequest, error)
	// DecideApprovalByToken approves or rejects through the link. ENOTFOUND,
	// ECONFLICT (ReasonApprovalNotPending: used or decided;
	// ReasonLinkExpired).
	DecideApprovalByToken(ctx context.Context, token string, approve bool) (Approval, error)
	// ConsentRequest reads what the consent link with token asks, and where
	// it stands. ENOTFOUND (unknown token).
	ConsentRequest(ctx context.Context, token string) (*ConsentRequest, error)
	// DecideConsentByToken records the owner's decision for the user whose
	// consent email carried token. Accepting provisions the user (and
	// queues its welcome); rejecting leaves it pending. Every link of the
	// user is used up either way. ENOTFOUND (unknown token), ECONFLICT
	// (ReasonConsentLinkUsed; ReasonSubscriberNotPending when the user is
	// no longer pending; ReasonLinkExpired).
	DecideConsentByToken(ctx context.Context, token string, d ConsentDecision) (*ConsentResult, error)
}
