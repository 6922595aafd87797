package sqldb

import (
	"context"
	"encoding/json"

	"github.com/tenantry/tenantry"
)

// audit records a write in the audit log, in the transaction that makes it.
func (t *Tx) audit(ctx context.Context, partnerID, actorID, action, resource, id string, change any) error {
	b, err := json.Marshal(change)
	if err != nil {
		return err
	}
	return t.write(ctx, nil, `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		partnerID, actorID, action, resource, id, string(b), t.db.now().UnixMicro())
}

// AuditLog returns the audit entries of one resource of a partner, oldest
// first.
func (db *DB) AuditLog(ctx context.Context, partnerID, resource, id string) ([]tenantry.AuditEntry, error) {
	rows, err := db.query(ctx, `SELECT id, partner_id, actor_id, action, resource, resource_id, change, at FROM audit_log WHERE partner_id = ? AND resource = ? AND resource_id = ? ORDER BY id`, partnerID, resource, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tenantry.AuditEntry
	for rows.Next() {
		var e tenantry.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PartnerID, &e.ActorID, &e.Action, &e.Resource, &e.ResourceID, &e.Change, &at); err != nil {
			return nil, err
		}
		e.At = fromMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
