package tenantry

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhooks tell a partner's systems what happened without polling: a
// partner registers URLs, and every event it subscribed to is POSTed to
// them as JSON, signed with the webhook's secret, by a job with retries.

// Event types a webhook can subscribe to.
const (
	EventCustomerProvisioned        = "customer.provisioned"
	EventCustomerProvisioningFailed = "customer.provisioning_failed"
	EventCustomerUpdated            = "customer.updated"
	EventCustomerDeleted            = "customer.deleted"
	EventSubscriberCreated          = "subscriber.created"
	EventSubscriberUpdated          = "subscriber.updated"
	EventSubscriberDeleted          = "subscriber.deleted"
	EventImportFinished             = "import.finished"
)

// WebhookEvents lists every event type, in the order the API documents them.
var WebhookEvents = []string{
	EventCustomerProvisioned, EventCustomerProvisioningFailed, EventCustomerUpdated, EventCustomerDeleted,
	EventSubscriberCreated, EventSubscriberUpdated, EventSubscriberDeleted, EventImportFinished,
}

// EventWebhookTest is the event "send a test event" delivers to one
// webhook, whatever it subscribed to. No webhook subscribes to it.
const EventWebhookTest = "webhook.test"

// WebhookTestEvent is the data of a test event: the webhook it was sent to.
type WebhookTestEvent struct {
	WebhookID string `json:"webhookId"`
	Test      bool   `json:"test"`
}

// Webhook limits.
const (
	MaxWebhookURL = 2048 // characters
	// MaxWebhooks bounds the webhooks of one partner: every event costs one
	// delivery job per webhook.
	MaxWebhooks = 25
)

// Field paths of a webhook request, used in problems.
const (
	FieldWebhookURL    = "url"
	FieldWebhookEvents = "events"
)

// Webhook is a URL of a partner that receives the events it subscribed to.
// Secret is the HMAC key the deliveries are signed with: it is shown once,
// when the webhook is created, and never read back (storage keeps it
// encrypted, see sqldb/webhook.go). Only an Active webhook receives events;
// the API registers webhooks active unless told otherwise.
type Webhook struct {
	ID        string
	PartnerID string
	URL       string
	Events    []string
	Secret    string
	Active    bool
	Created   time.Time
}

// Validate checks a webhook to be created under the strictest policy: see
// ValidateWith.
func (w *Webhook) Validate() []Problem { return w.ValidateWith(WebhookPolicy{}) }

// ValidateWith checks a webhook to be created: an absolute http or https
// URL with a host, without credentials, of at most MaxWebhookURL
// characters, whose port and host p allows; and at least one known event
// type, each listed once.
func (w *Webhook) ValidateWith(p WebhookPolicy) []Problem {
	var ps problems
	validateWebhookURL(&ps, w.URL, p)
	if len(w.Events) == 0 {
		ps.add(FieldWebhookEvents, ReasonRequired)
	}
	events := w.Events
	if !CheckEntries(&ps, FieldWebhookEvents, len(events), len(WebhookEvents)) {
		events = nil
	}
	for i, e := range events {
		field := FieldWebhookEvents + "[" + itoa(i) + "]"
		switch {
		case !slices.Contains(WebhookEvents, e):
			ps.add(field, ReasonInvalidEnum, "value", e, "allowed", strings.Join(WebhookEvents, ", "))
		case slices.Contains(w.Events[:i], e):
			ps.add(field, ReasonWebhookEventRepeated, "value", e)
		}
	}
	return ps
}

func validateWebhookURL(ps *problems, raw string, p WebhookPolicy) {
	if strings.TrimSpace(raw) == "" {
		ps.add(FieldWebhookURL, ReasonRequired)
		return
	}
	if !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r <= 0x20 || r == 0x7f }) {
		ps.add(FieldWebhookURL, ReasonWebhookURL)
		return
	}
	if utf8.RuneCountInString(raw) > MaxWebhookURL {
		ps.add(FieldWebhookURL, ReasonTooLong, "max", itoa(MaxWebhookURL))
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.Opaque != "":
		ps.add(FieldWebhookURL, ReasonWebhookURL)
	case u.User != nil:
		// Credentials in a URL end up in logs and in the deliveries list;
		// the signature is how a receiver knows the sender.
		ps.add(FieldWebhookURL, ReasonWebhookURLCredentials)
	default:
		p.checkWebhookDestination(ps, u)
	}
}

// Subscribed reports whether the webhook receives events of type eventType.
func (w *Webhook) Subscribed(eventType string) bool { return slices.Contains(w.Events, eventType) }

// Event is something that happened to a partner's resources, as webhooks
// receive it. Its JSON (EventBody) is the exact body of every delivery, so
// that each retry sends, and signs, the same bytes.
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	PartnerID string          `json:"partnerId"`
	Created   Timestamp       `json:"created"`
	Data      json.RawMessage `json:"data"`
}

// CustomerEvent is the data of the customer.* events: which customer, and
// where it stands. Receivers read the rest from the customer API.
type CustomerEvent struct {
	CustomerID string         `json:"customerId"`
	OrgID      string         `json:"orgId,omitempty"`
	ExternalID string         `json:"externalId"`
	Status     CustomerStatus `json:"status"`
	Packages   []Package      `json:"packages"`
	Errors     []Notice       `json:"errors,omitempty"`
}

// NewCustomerEvent is the event data of customer c as it is now.
func NewCustomerEvent(c *Customer) CustomerEvent {
	var errs []Notice
	for _, n := range c.Errors {
		// An event is read by a program with no language: its notices keep
		// the shape of the wholesale Error, in English.
		errs = append(errs, Notice{Code: n.Code, Description: n.Description})
	}
	return CustomerEvent{CustomerID: c.ID, OrgID: c.OrgID, ExternalID: c.ExternalID, Status: c.Status, Packages: c.PackageNames(), Errors: errs}
}

// ProvisioningEvent is the event type that announces how provisioning of a
// customer ended: customer.provisioned when the organization exists (even
// with some packages in error), customer.provisioning_failed when it ended
// in error or is held for a compliance review.
func ProvisioningEvent(s CustomerStatus) string {
	if s == StatusProvisioned || s == StatusProvisionedWithErrors {
		return EventCustomerProvisioned
	}
	return EventCustomerProvisioningFailed
}

// Delivery attempt statuses.
const (
	DeliveryPending   = "pending" // the request is under way, or its process died on the way
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one attempt to deliver an event to a webhook.
// ResponseStatus is the receiver's HTTP status, 0 when none came (Error
// then says why).
type WebhookDelivery struct {
	ID             string
	WebhookID      string
	EventID        string
	EventType      string
	Attempt        int
	Status         string
	ResponseStatus int
	Error          string
	At             time.Time
}

// DeliverWebhookJob delivers one event to one webhook. It is enqueued in the
// transaction that stores the event, one per subscribed webhook.
type DeliverWebhookJob struct {
	WebhookID string `json:"webhookId"`
	EventID   string `json:"eventId"`
}

// Kind names the job in the queue.
func (DeliverWebhookJob) Kind() string { return "deliver_webhook" }

// WebhookRequest is one delivery attempt to send: DeliveryID names the
// attempt (the receiver sees it, and so does the deliveries list). At is
// the attempt's time, which the signature carries; Policy is where the
// installation lets deliveries go, which the sender checks again after
// resolving the URL's host.
type WebhookRequest struct {
	DeliveryID string
	EventType  string
	URL        string
	Secret     string
	Body       []byte
	At         time.Time
	Policy     WebhookPolicy
}

// WebhookSender sends a delivery attempt and returns the receiver's HTTP
// status, or an error when no response came: a *DeliveryError, whose
// Public text is what the deliveries list shows.
type WebhookSender func(ctx context.Context, req *WebhookRequest) (status int, err error)

// Delivered reports whether a receiver's status acknowledges a delivery:
// any 2xx. Anything else, redirects included, is retried.
func Delivered(status int) bool { return status >= 200 && status <= 299 }

// WebhookService manages a partner's webhooks. Every method is scoped to the
// actor's organization; another partner's webhook is ENOTFOUND.
type WebhookService interface {
	// CreateWebhook validates w, gives it an ID and a new Secret (which
	// only this call returns) and stores it. EINVALID, ECONFLICT
	// (ReasonWebhookURLTaken, ReasonWebhookLimit), EFORBIDDEN (suspended
	// sub-partner).
	CreateWebhook(ctx context.Context, a *Actor, w *Webhook) error
	// Webhook returns one webhook, without its secret. ENOTFOUND.
	Webhook(ctx context.Context, a *Actor, id string) (*Webhook, error)
	// Webhooks lists webhooks, oldest first, with the total count.
	Webhooks(ctx context.Context, a *Actor, page Page) ([]*Webhook, int, error)
	// DeleteWebhook removes a webhook and its delivery history; deliveries
	// still queued for it are dropped. ENOTFOUND.
	DeleteWebhook(ctx context.Context, a *Actor, id string) error
	// WebhookDeliveries lists a webhook's delivery attempts, newest first,
	// with the total count. ENOTFOUND.
	WebhookDeliveries(ctx context.Context, a *Actor, id string, page Page) ([]*WebhookDelivery, int, error)
	// SendTestEvent stores an EventWebhookTest event and enqueues its
	// delivery to the webhook, through the same jobs, retries and delivery
	// log as every event. ENOTFOUND, ECONFLICT (ReasonWebhookInactive).
	SendTestEvent(ctx context.Context, a *Actor, id string) (*Event, error)
}

// WebhookJobs is what the delivery worker does.
type WebhookJobs interface {
	// DeliverWebhook makes one attempt of job: it records the attempt as
	// pending, calls send outside any transaction, and records the outcome.
	// It returns nil when there is nothing (more) to do: delivered now or
	// before, or the webhook is gone or inactive; and an error when the
	// attempt failed, so that the queue retries with backoff.
	DeliverWebhook(ctx context.Context, job DeliverWebhookJob, send WebhookSender) error
}
