package sqldb

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tenantry/tenantry"
)

// audit records a write in the audit log, in the transaction that makes it,
// with the channel and token of the request it came with (ctx's origin).
func (t *Tx) audit(ctx context.Context, partnerID, actorID, action, resource, id string, change any) error {
	b, err := json.Marshal(change)
	if err != nil {
		return err
	}
	o := tenantry.OriginOf(ctx)
	return t.write(ctx, nil, `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		partnerID, actorID, action, resource, id, string(b), t.db.now().UnixMicro(), o.Via, o.TokenID)
}

// originActor is the admin behind ctx's request, or "system" when none: for
// the writes whose methods are not given an actor.
func originActor(ctx context.Context) string {
	if id := tenantry.OriginOf(ctx).AdminID; id != "" {
		return id
	}
	return "system"
}

// AuditLog returns the audit entries of one resource of a partner, oldest
// first.
func (db *DB) AuditLog(ctx context.Context, partnerID, resource, id string) ([]tenantry.AuditEntry, error) {
	rows, err := db.query(ctx, `SELECT id, partner_id, actor_id, action, resource, resource_id, change, at, via, token_id FROM audit_log WHERE partner_id = ? AND resource = ? AND resource_id = ? ORDER BY id`, partnerID, resource, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tenantry.AuditEntry
	for rows.Next() {
		var e tenantry.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.ActorID, &e.Action, &e.Resource, &e.ResourceID, &e.Change, &at, &e.Via, &e.TokenID); err != nil {
			return nil, err
		}
		e.At = fromMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditEntries lists a partner's audit log newest first, one page at a
// time. The order (at, id) and the keyset cursor follow an index that
// starts with the partner and the filter's most selective equality (an
// admin, an action, a resource and its id), so a page reads about as many
// index entries as it shows, however long the log; a resource kind alone
// or a date range is checked on the way down the partner's time index.
func (db *DB) AuditEntries(ctx context.Context, a *tenantry.Actor, f tenantry.AuditFilter) ([]tenantry.AuditEntry, bool, error) {
	if err := tenantry.Invalid(f.Validate()); err != nil {
		return nil, false, err
	}
	org := a.PartnerID
	if f.OrgID != "" && f.OrgID != org {
		var parent string
		if err := db.queryRow(ctx, `SELECT parent_id FROM partners WHERE id = ?`, f.OrgID).Scan(&parent); err != nil || parent != org {
			return nil, false, tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "subPartner")
		}
		org = f.OrgID
	}
	limit := f.Limit
	if limit <= 0 {
		limit = tenantry.AuditPageSize
	}
	limit = min(limit, tenantry.MaxAuditPageSize)
	where, args := []string{`l.partner_id = ?`}, []any{org}
	if f.AdminID != "" {
		where, args = append(where, `l.actor_id = ?`), append(args, f.AdminID)
	}
	if f.Action != "" {
		where, args = append(where, `l.action = ?`), append(args, f.Action)
	}
	if f.Resource != "" {
		where, args = append(where, `l.resource = ?`), append(args, f.Resource)
	}
	if f.ResourceID != "" {
		where, args = append(where, `l.resource_id = ?`), append(args, f.ResourceID)
	}
	if !f.From.IsZero() {
		where, args = append(where, `l.at >= ?`), append(args, f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		where, args = append(where, `l.at < ?`), append(args, f.To.UnixMicro())
	}
	order := `l.at DESC, l.id DESC`
	switch {
	case f.Before != nil:
		// The bound on at alone is what the index ranges over.
		at := f.Before.At.UnixMicro()
		where, args = append(where, `l.at <= ?`, `(l.at < ? OR l.id < ?)`), append(args, at, at, f.Before.ID)
	case f.After != nil:
		at := f.After.At.UnixMicro()
		where, args = append(where, `l.at >= ?`, `(l.at > ? OR l.id > ?)`), append(args, at, at, f.After.ID)
		order = `l.at, l.id`
	}
	rows, err := db.query(ctx, `SELECT l.id, l.partner_id, l.actor_id, l.action, l.resource, l.resource_id, l.change, l.at, l.via, l.token_id,
		COALESCE(pa.email, ''), COALESCE(pa.display_name, ''), COALESCE(t.name, '')
		FROM audit_log l LEFT JOIN partner_admins pa ON pa.id = l.actor_id LEFT JOIN api_tokens t ON t.id = l.token_id AND l.token_id <> ''
		WHERE `+strings.Join(where, ` AND `)+` ORDER BY `+order+` LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []tenantry.AuditEntry
	for rows.Next() {
		var e tenantry.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.ActorID, &e.Action, &e.Resource, &e.ResourceID, &e.Change, &at, &e.Via, &e.TokenID,
			&e.AdminEmail, &e.AdminName, &e.TokenName); err != nil {
			return nil, false, err
		}
		e.At = fromMicro(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	if f.After != nil { // read oldest first to find the page; show it newest first
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, more, nil
}

var _ tenantry.AuditService = (*DB)(nil)
