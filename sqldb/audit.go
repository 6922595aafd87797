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
	q := `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if t.db.engine == SQLite { // pending: into the filter indexes later (indexAudit)
		q = `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id, pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
	}
	return t.write(ctx, nil, q, partnerID, actorID, action, resource, id, string(b), t.db.now().UnixMicro(), o.Via, o.TokenID)
}

// On SQLite an audit row is written pending, in none of the log's four
// filter indexes: a commit writes a page of every b-tree it touched, and
// those four were a fifth of the pages of a customer's creation and of its
// provisioning. The rows written since audit_indexed.id move into the
// indexes in the background (indexInBackground), auditIndexRows per
// transaction, so that the pages of many rows are written once; a read of
// the log moves what is still pending first (indexAudit), and its
// statements say pending = 0, the condition of the indexes (migration
// 0030). AUTOINCREMENT makes every new row's id larger than any before it,
// so the pending rows are always those above the mark. On PostgreSQL, where
// an index entry costs no page of its own at commit, rows are indexed as
// they are written.

// auditIndexRows is the most ids of pending audit rows that one
// transaction moves into the indexes.
const auditIndexRows = 1000

// indexAudit moves every pending audit row into the log's indexes, on
// SQLite; on PostgreSQL there is none.
func (db *DB) indexAudit(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	// Mostly nothing is pending: one statement says so.
	var pending bool
	if err := db.queryRow(ctx, `SELECT COALESCE((SELECT MAX(id) FROM audit_log) > (SELECT id FROM audit_indexed), 0)`).Scan(&pending); err != nil || !pending {
		return err
	}
	for {
		n, err := db.indexAuditRows(ctx)
		if err != nil || n < auditIndexRows {
			return err
		}
	}
}

// indexAuditRows moves the audit rows above the mark, up to
// auditIndexRows of ids, into the indexes in one transaction, and reports
// how many ids it covered.
func (db *DB) indexAuditRows(ctx context.Context) (int64, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var mark, last int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM audit_indexed`).Scan(&mark); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&last); err != nil || last <= mark {
		return 0, err
	}
	last = min(last, mark+auditIndexRows)
	if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET pending = 0 WHERE id > ? AND id <= ? AND pending = 1`, mark, last); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_indexed SET id = ?`, last); err != nil {
		return 0, err
	}
	return last - mark, tx.Commit()
}

// indexed is the condition, for the audit log as l, that SQLite's partial
// indexes of it hold.
func (db *DB) indexed() string {
	if db.engine == SQLite {
		return ` AND l.pending = 0`
	}
	return ``
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
	if err := db.indexAudit(ctx); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT l.id, l.partner_id, l.actor_id, l.action, l.resource, l.resource_id, l.change, l.at, l.via, l.token_id FROM audit_log l
		WHERE l.partner_id = ? AND l.resource = ? AND l.resource_id = ?`+db.indexed()+` ORDER BY l.id`, partnerID, resource, id)
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
	if err := db.indexAudit(ctx); err != nil {
		return nil, false, err
	}
	q, args := db.auditQuery(org, f, limit)
	rows, err := db.query(ctx, q, args...)
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

// auditQuery is the statement of AuditEntries for a page of org's log, up
// to limit entries and one more, and its arguments.
func (db *DB) auditQuery(org string, f tenantry.AuditFilter, limit int) (string, []any) {
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
	return `SELECT l.id, l.partner_id, l.actor_id, l.action, l.resource, l.resource_id, l.change, l.at, l.via, l.token_id,
		COALESCE(pa.email, ''), COALESCE(pa.display_name, ''), COALESCE(t.name, '')
		FROM audit_log l LEFT JOIN partner_admins pa ON pa.id = l.actor_id LEFT JOIN api_tokens t ON t.id = l.token_id AND l.token_id <> ''
		WHERE ` + strings.Join(where, ` AND `) + db.indexed() + ` ORDER BY ` + order + ` LIMIT ?`, append(args, limit+1)
}
