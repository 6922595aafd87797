package tenantry

import (
	"context"
	"time"
)

// The audit log records every write with who made it and through what:
// the hub (a signed-in admin) or the API (an admin's token). Background
// jobs write as "system" with no channel.

// Channels a write comes through.
const (
	ViaHub = "hub"
	ViaAPI = "api"
)

// Origin is how a request came: its channel, the admin behind it and, for
// the API, the token it used. The edge (the API's authorization, the hub's
// session check) puts it in the request's context; storage records it in
// the audit row of every write the request makes.
type Origin struct {
	Via     string
	AdminID string
	TokenID string
}

type originKey struct{}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the origin ctx carries; the zero Origin when none (a
// background job, a command).
func OriginOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// Audit log paging.
const (
	AuditPageSize    = 50
	MaxAuditPageSize = 200
)

// AuditCursor is a position in the audit log, newest first: an entry's time
// and id.
type AuditCursor struct {
	At time.Time
	ID int64
}

// AuditFilter selects entries of the audit log. Every field is optional.
type AuditFilter struct {
	// OrgID is the organization whose entries are listed: "" for the
	// actor's own partner, or one of its sub-partners.
	OrgID      string
	AdminID    string // who made the write
	Action     string // an action, such as "customer.create"
	Resource   string // "customer", "location", …
	ResourceID string
	From, To   time.Time // entries at From or later and before To
	// Before lists the entries older than it (the next page); After the
	// entries newer than it (the previous page). At most one is set.
	Before, After *AuditCursor
	Limit         int // AuditPageSize when 0; at most MaxAuditPageSize
}

// Validate reports the filter's problems: a date range that ends before it
// starts.
func (f *AuditFilter) Validate() []Problem {
	var ps problems
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		ps.add("to", ReasonDateRange)
	}
	return ps
}

// AuditService reads the audit log.
type AuditService interface {
	// AuditEntries lists the entries of the actor's partner (or of one of
	// its sub-partners, f.OrgID) that match f, newest first, with the
	// admin who made each. more reports whether further entries lie
	// beyond the page in the direction it was read (older, or newer with
	// f.After). ENOTFOUND when f.OrgID is not the partner's; EINVALID.
	AuditEntries(ctx context.Context, a *Actor, f AuditFilter) (entries []AuditEntry, more bool, err error)
}
