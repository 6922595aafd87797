package tenantry

import (
	"context"
	"time"
)

// Page is offset paging as the wholesale API does it.
type Page struct {
	Offset int
	Max    int
}

// Paging limits.
const (
	DefaultPageMax = 100
	MaxPageMax     = 1000
)

// CustomerCountBound is the most customers a list counts: a total above it
// is shown as "more than" it. Counting stops there so that a list's cost
// does not grow with the partner's customers.
const CustomerCountBound = 10000

// CustomerSearchCountBound is CustomerCountBound for a list with a search:
// each row counted is read and compared, not only found in an index.
const CustomerSearchCountBound = 1000

// CustomerFilter selects customers in a list.
type CustomerFilter struct {
	ExternalID string
	OrgID      string
	Statuses   []CustomerStatus
	// Search, when set, keeps the customers whose external id or admin
	// email equals it (case-insensitive) when there are any, else those
	// whose company name contains it (any part, case-insensitive, in any
	// script). The hub's customer list and
	// the API's search parameter both use it.
	Search string
	// SkipTotal asks for no count: the total returned is then exact on
	// the last page and otherwise one more than the page's end, enough for
	// a next link (the API, which shows no total).
	SkipTotal bool
	// CountBound, when above 0, is the most a count reads instead of
	// CustomerCountBound (CustomerSearchCountBound with a search).
	CountBound int
	// Brief asks only for what a list of names shows: each customer's
	// id, names, status, external id, admin email, region, language,
	// template and times, without its address, packages and errors (the
	// hub's list, whose panel reads the one customer chosen).
	Brief bool
	Page
}

// MaxSearch is the longest search a list takes, in characters.
const MaxSearch = 255

// FieldSearch names a list's search in problems (the API's parameter).
const FieldSearch = "search"

// Validate checks the filter's search: at most MaxSearch characters, none
// of them a control character.
func (f CustomerFilter) Validate() []Problem {
	var ps problems
	limitText(&ps, FieldSearch, f.Search, MaxSearch)
	return ps
}

// BootstrapInput creates a partner with its first full admin.
type BootstrapInput struct {
	PartnerName string
	AdminEmail  string
	AdminName   string // the admin's display name; the email when empty
	Language    string // the admin's hub language; "en" when empty
}

// BootstrapResult is what bootstrapping created; Token is shown once and
// stored only as a hash.
type BootstrapResult struct {
	Partner      *Partner
	Admin        *PartnerAdmin
	Subscription *Subscription
	Token        string
}

// PartnerService manages partners, their admins, subscriptions and tokens.
type PartnerService interface {
	// Bootstrap creates a partner, its first full admin, a default wholesale
	// subscription and a token with every scope (KnownScopes). ECONFLICT
	// (ReasonPartnerExists) when a partner of that name exists.
	Bootstrap(ctx context.Context, in BootstrapInput) (*BootstrapResult, error)
	// CreateSubPartner creates a sub-partner (reseller) under parentID.
	CreateSubPartner(ctx context.Context, parentID, name string) (*Partner, error)
	// SetSubPartnerState suspends or reactivates a sub-partner. ENOTFOUND.
	SetSubPartnerState(ctx context.Context, parentID, subID, state string) error
	// Authenticate resolves a bearer token. EUNAUTHORIZED when unknown.
	Authenticate(ctx context.Context, token string) (*Principal, error)
	// ResolveActor returns the actor for a principal acting on its own
	// behalf (subPartnerOrgID "") or for one of its sub-partners. EINVALID
	// (ReasonSubPartnerNotFound) when the id is not one of its sub-partners.
	ResolveActor(ctx context.Context, p *Principal, subPartnerOrgID string) (*Actor, error)
	// SubPartners lists a partner's sub-partners, optionally by state.
	SubPartners(ctx context.Context, partnerID, state string, page Page) ([]*Partner, int, error)
	// Admins lists the partner's admins.
	Admins(ctx context.Context, partnerID string) ([]*PartnerAdmin, error)
	// Subscriptions lists the partner's subscriptions.
	Subscriptions(ctx context.Context, partnerID string) ([]*Subscription, error)
	// TokenService lists, creates and revokes the partner's API tokens.
	TokenService
	// PartnerAdminService invites, changes and removes the partner's own
	// admins.
	PartnerAdminService
}

// TemplateService manages onboarding templates. Every method is scoped to the
// actor's organization; another partner's template is ENOTFOUND.
type TemplateService interface {
	// CreateTemplate validates (T2, T3, T5), checks that the admin and the
	// subscription are the partner's, and stores t, filling ID,
	// ProvisioningID and times. EINVALID, ECONFLICT (name taken).
	CreateTemplate(ctx context.Context, a *Actor, t *Template) error
	// Template returns one template. ENOTFOUND.
	Template(ctx context.Context, a *Actor, id string) (*Template, error)
	// Templates lists templates, newest first, with the total count.
	Templates(ctx context.Context, a *Actor, page Page) ([]*Template, int, error)
	// UpdateTemplate replaces a template's settings. EINVALID, ENOTFOUND, ECONFLICT.
	UpdateTemplate(ctx context.Context, a *Actor, t *Template) error
	// DeleteTemplate removes an unused template. ENOTFOUND, ECONFLICT (in use).
	DeleteTemplate(ctx context.Context, a *Actor, id string) error
}

// CustomerService manages customers. Every method is scoped to the actor's
// organization; another partner's customer is ENOTFOUND.
type CustomerService interface {
	// CreateCustomer validates in (C1–C4, Q1–Q8, T1), stores the customer
	// as provisioning and enqueues its provisioning job in the same
	// transaction. EINVALID, ECONFLICT (external id taken), EFORBIDDEN
	// (suspended sub-partner).
	CreateCustomer(ctx context.Context, a *Actor, in *CustomerInput) (*Customer, error)
	// Customer returns one customer. ENOTFOUND.
	Customer(ctx context.Context, a *Actor, id string) (*Customer, error)
	// Customers lists customers, oldest first, with the total count (see
	// CustomerFilter). A list shows no calling location: its customers
	// leave Calling nil; Customer reads it.
	Customers(ctx context.Context, a *Actor, f CustomerFilter) ([]*Customer, int, error)
	// UpdateCustomer validates in against the customer (C5, Q2–Q6), marks it
	// updating and enqueues the update job. EINVALID, ENOTFOUND, ECONFLICT
	// (busy), EFORBIDDEN.
	UpdateCustomer(ctx context.Context, a *Actor, id string, in *CustomerInput) (*Customer, error)
	// DeleteCustomer marks the customer deleting and enqueues its removal.
	// ENOTFOUND, ECONFLICT (already deleting).
	DeleteCustomer(ctx context.Context, a *Actor, id string) error
	// PrecheckCustomer runs every check CreateCustomer would, writes
	// nothing, and returns nil when provisioning would be accepted.
	PrecheckCustomer(ctx context.Context, a *Actor, in *CustomerInput) error
}

// CustomerJobs is what the background pipeline does to customers. Every
// method is idempotent: a job that runs twice, or for an outdated version,
// changes nothing the second time. When ctx carries the queue's id of the
// job (WithJobID), the job is finished in the same transaction as its work.
type CustomerJobs interface {
	// ProvisionCustomer provisions the customer if it is still provisioning
	// at version.
	ProvisionCustomer(ctx context.Context, job ProvisionCustomerJob) error
	// FinishCustomerUpdate applies an update if it is still updating at version.
	FinishCustomerUpdate(ctx context.Context, job UpdateCustomerJob) error
	// FinishCustomerDeletion removes the customer if it is deleting.
	FinishCustomerDeletion(ctx context.Context, job DeleteCustomerJob) error
	// RecordJobFailure shows a failed attempt on the customer; final marks
	// the customer (and its unsettled packages) as error.
	RecordJobFailure(ctx context.Context, customerID string, version int, msg string, final bool) error
}

// AuditEntry is one recorded write: who did what to which resource, when, and
// the change (a JSON document).
type AuditEntry struct {
	ID         int64
	PartnerID  string
	ActorID    string // admin id, or "system" for background jobs
	Action     string // e.g. "customer.create"
	Resource   string // e.g. "customer"
	ResourceID string
	Change     string
	At         time.Time
	Via        string // ViaHub, ViaAPI, or "" for background jobs and older entries
	TokenID    string // the API token of a write made through the API
	// Filled by AuditEntries: the admin's email and name ("" when the
	// actor is not an admin or no longer exists) and the token's name.
	AdminEmail, AdminName, TokenName string
}

// IdempotentResponse is a stored response to a POST with an Idempotency-Key.
type IdempotentResponse struct {
	Status   int
	Location string
	Body     []byte
}

// IdempotencyStore remembers responses to POSTs with an Idempotency-Key.
// A key is always either answered or free again, whatever crashes: the
// store that does a request's work stores its answer in the same
// transaction (IdempotencyClaim.Answer), a reservation whose request died
// before its work committed lapses after a lease, and on SQLite a restart
// frees every reservation (the one process that owns the file died).
type IdempotencyStore interface {
	// ReserveIdempotencyKey claims c's key for a request whose body hashes
	// to hash. It returns the stored response when the same request was
	// already answered, EUNPROCESSABLE (ReasonIdempotencyMismatch) when the
	// key was used with another request, and ECONFLICT
	// (ReasonIdempotencyPending) while the first request is still running
	// and its lease has not run out.
	ReserveIdempotencyKey(ctx context.Context, c *IdempotencyClaim, hash string) (*IdempotentResponse, error)
	// CompleteIdempotencyKey stores the response for a key c still holds
	// unanswered (its work did not store one).
	CompleteIdempotencyKey(ctx context.Context, c *IdempotencyClaim, resp *IdempotentResponse) error
	// ReleaseIdempotencyKey forgets c's reservation when it is still
	// unanswered: its request failed and no work committed, so the key can
	// be used again. A reservation answered with the work stays.
	ReleaseIdempotencyKey(ctx context.Context, c *IdempotencyClaim) error
}

// Clock tells the time; tests inject a fixed one.
type Clock func() time.Time

type jobIDKey struct{}

// WithJobID tells the work done with ctx that it is the queued job id: a
// store finishes the job (removes it from the queue) in the transaction that
// commits the work, so that the work and the job's end commit together.
func WithJobID(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, jobIDKey{}, id)
}

// JobID returns the id WithJobID gave ctx.
func JobID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(jobIDKey{}).(int64)
	return id, ok
}
