package tenantry

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Setup assistance: the optional wholesale setup-assistance request of the
// task flow. A partner admin asks the partner's own operations team to help
// set up one customer; the request is stored and mailed, through the
// outbox, to the operations address of the partner (a partner setting).

// MailAssistance tells a partner's operations team that an admin asked for
// setup assistance for a customer. It goes to the partner's operations
// address, in the language of the admin who asked.
const MailAssistance MailKind = "setup_assistance"

func init() {
	MailKinds = append(MailKinds, MailAssistance)
}

// AssistanceTopic is one thing a customer's setup may need help with.
type AssistanceTopic string

// The topics an assistance request can name.
const (
	TopicLocations AssistanceTopic = "locations"     // locations and addresses
	TopicNumbers   AssistanceTopic = "numbers"       // phone numbers and porting
	TopicUsers     AssistanceTopic = "users"         // users, packages and CSV import
	TopicAdmins    AssistanceTopic = "admins"        // customer admins and their roles
	TopicDevices   AssistanceTopic = "devices"       // phones and devices
	TopicCalling   AssistanceTopic = "call_features" // call routing and calling features
	TopicSSO       AssistanceTopic = "sso"           // single sign-on
	TopicTraining  AssistanceTopic = "training"      // training for the customer's admins
)

// AssistanceTopics lists every topic, in the order forms show them.
var AssistanceTopics = []AssistanceTopic{TopicLocations, TopicNumbers, TopicUsers, TopicAdmins, TopicDevices, TopicCalling, TopicSSO, TopicTraining}

// AssistanceWindow is the part of the day a contact prefers to be called in.
type AssistanceWindow string

// The windows of a preferred time; "" is any time.
const (
	WindowAny       AssistanceWindow = ""
	WindowMorning   AssistanceWindow = "morning"
	WindowAfternoon AssistanceWindow = "afternoon"
	WindowEvening   AssistanceWindow = "evening"
)

// AssistanceWindows lists the windows a request may name, any time first.
var AssistanceWindows = []AssistanceWindow{WindowMorning, WindowAfternoon, WindowEvening}

// Limits of an assistance request.
const (
	MaxAssistanceDetails = 2000
	MaxContactName       = 255
	MaxContactPhone      = 32
	// MaxAssistanceAhead is how far ahead a preferred date may be.
	MaxAssistanceAhead = 366 * 24 * time.Hour
)

// AssistanceInput is a request for setup assistance, as the form sends it.
type AssistanceInput struct {
	CustomerID      string
	ContactName     string
	ContactEmail    string
	ContactPhone    string // optional
	Topics          []AssistanceTopic
	Details         string // what help is needed, in the admin's words
	PreferredDate   string // YYYY-MM-DD, "" for no preference
	PreferredWindow AssistanceWindow
	// Language is the language of the admin who asks: the mail to the
	// operations team is written in it.
	Language string
}

// Validate checks a request at time now: a contact with a name and an
// email (a phone is optional), at least one topic or a description of the
// help needed, and a preferred date, if any, that has not passed (a day's
// grace for time zones) and is within a year.
func (in *AssistanceInput) Validate(now time.Time) []Problem {
	var ps problems
	requireText(&ps, "contactName", in.ContactName, MaxContactName)
	if strings.TrimSpace(in.ContactEmail) == "" {
		ps.add("contactEmail", ReasonRequired)
	} else if !ValidEmail(in.ContactEmail) {
		ps.add("contactEmail", ReasonInvalidEmail)
	}
	if in.ContactPhone != "" && !validContactPhone(in.ContactPhone) {
		ps.add("contactPhone", ReasonAssistancePhone, "value", in.ContactPhone)
	}
	for _, t := range in.Topics {
		if !slices.Contains(AssistanceTopics, t) {
			ps.add("topics", ReasonInvalidEnum, "value", string(t), "allowed", joinTopics())
		}
	}
	limitText(&ps, "details", strings.ReplaceAll(strings.ReplaceAll(in.Details, "\r\n", " "), "\n", " "), MaxAssistanceDetails)
	if len(in.Topics) == 0 && strings.TrimSpace(in.Details) == "" {
		ps.add("topics", ReasonAssistanceHelp)
	}
	if in.PreferredDate != "" {
		d, err := time.Parse(time.DateOnly, in.PreferredDate)
		today := now.UTC().Truncate(24 * time.Hour)
		switch {
		case err != nil:
			ps.add("preferredDate", ReasonAssistanceDate, "value", in.PreferredDate)
		case d.Before(today.Add(-24 * time.Hour)):
			ps.add("preferredDate", ReasonAssistancePast, "value", in.PreferredDate)
		case d.After(today.Add(MaxAssistanceAhead)):
			ps.add("preferredDate", ReasonAssistanceFar, "value", in.PreferredDate)
		}
	}
	if in.PreferredWindow != WindowAny && !slices.Contains(AssistanceWindows, in.PreferredWindow) {
		allowed := make([]string, len(AssistanceWindows))
		for i, w := range AssistanceWindows {
			allowed[i] = string(w)
		}
		ps.add("preferredWindow", ReasonInvalidEnum, "value", string(in.PreferredWindow), "allowed", strings.Join(allowed, ", "))
	}
	return ps
}

func joinTopics() string {
	out := make([]string, len(AssistanceTopics))
	for i, t := range AssistanceTopics {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

// validContactPhone accepts a phone number as people write it: digits with
// an optional leading +, spaces, dots, dashes and parentheses, 6 to 20
// digits. The contact is called by a person, so no country's plan applies.
func validContactPhone(s string) bool {
	if len(s) > MaxContactPhone {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

// AssistanceState is where a request's mail to the operations team is.
type AssistanceState string

// A request is unsent while the partner has no operations address, then
// follows its mail: queued, sent, or failed.
const (
	AssistanceUnsent AssistanceState = "unsent"
	AssistanceQueued AssistanceState = "queued"
	AssistanceSent   AssistanceState = "sent"
	AssistanceFailed AssistanceState = "failed"
)

// AssistanceRequest is a stored request for setup assistance.
type AssistanceRequest struct {
	ID              string
	PartnerID       string
	CustomerID      string
	CustomerName    string // as it was when asked: the request outlives the customer
	ContactName     string
	ContactEmail    string
	ContactPhone    string
	Topics          []AssistanceTopic
	Details         string
	PreferredDate   string
	PreferredWindow AssistanceWindow
	Language        string
	RequestedBy     string // the admin's id
	RequestedByName string // the admin's display name, "" when the admin is gone
	// MessageID is the outbox message that mails it, "" while unsent.
	MessageID string
	MailTo    string     // where that message goes
	MailState MailStatus // that message's status; sent when the outbox has pruned it
	// MailPruned says the outbox no longer keeps the message: it was sent
	// long enough ago for the retention rules to delete it.
	MailPruned bool
	Created    time.Time
}

// State is where the request's mail is.
func (r *AssistanceRequest) State() AssistanceState {
	if r.MessageID == "" {
		return AssistanceUnsent
	}
	return AssistanceState(r.MailState)
}

// AssistanceMail is what the setup-assistance mail tells the operations
// team, beside MailData's brand (the partner's name), customer name and link
// (the request's page in the hub).
type AssistanceMail struct {
	ContactName     string   `json:"contactName"`
	ContactEmail    string   `json:"contactEmail"`
	ContactPhone    string   `json:"contactPhone,omitempty"`
	Topics          []string `json:"topics,omitempty"`
	Details         string   `json:"details,omitempty"`
	PreferredDate   string   `json:"preferredDate,omitempty"`
	PreferredWindow string   `json:"preferredWindow,omitempty"`
	RequestedBy     string   `json:"requestedBy,omitempty"`
}

// AssistanceFilter selects assistance requests.
type AssistanceFilter struct {
	CustomerID string // "": every customer
	Page
}

// PartnerSettings are a partner's own settings as its full admins see them.
type PartnerSettings struct {
	ID       string
	Name     string
	ParentID string
	// OperationsEmail receives setup-assistance requests; "" when unset.
	OperationsEmail string
}

// CheckOperationsEmail validates an operations address: empty (none) or an
// email address.
func CheckOperationsEmail(s string) []Problem {
	var ps problems
	if s != "" && !ValidEmail(s) {
		ps.add("operationsEmail", ReasonInvalidEmail)
	}
	return ps
}

// AssistanceService stores setup-assistance requests and the partner
// settings they need. Every method is scoped to the actor's organization;
// another partner's customer or request is ENOTFOUND.
type AssistanceService interface {
	// RequestAssistance validates in (AssistanceInput.Validate) and stores
	// the request for the actor's customer; when the partner has an
	// operations address, its mail is queued in the same transaction.
	// EINVALID, ENOTFOUND (customer), EFORBIDDEN (suspended sub-partner).
	RequestAssistance(ctx context.Context, a *Actor, in *AssistanceInput) (*AssistanceRequest, error)
	// AssistanceRequest returns one request. ENOTFOUND.
	AssistanceRequest(ctx context.Context, a *Actor, id string) (*AssistanceRequest, error)
	// AssistanceRequests lists requests, newest first, with the total count.
	AssistanceRequests(ctx context.Context, a *Actor, f AssistanceFilter) ([]*AssistanceRequest, int, error)
	// PartnerSettings returns the actor's organization's settings.
	PartnerSettings(ctx context.Context, a *Actor) (*PartnerSettings, error)
	// SetOperationsEmail sets (or, with "", clears) the operations address,
	// with an audit row. Requests stored while there was none are mailed to
	// the new address in the same transaction; it returns how many.
	// EINVALID, EFORBIDDEN (suspended sub-partner).
	SetOperationsEmail(ctx context.Context, a *Actor, email string) (int, error)
}
