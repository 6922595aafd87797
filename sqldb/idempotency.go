package sqldb

import (
	"context"

	"github.com/tenantry/tenantry"
)

// Idempotency keys: a POST with a key first reserves it (status 0), then
// stores its response. A replay of the same request gets the stored
// response; the same key with another body is refused.

// ReserveIdempotencyKey claims key for a request whose body hashes to hash.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, partnerID, key, hash string) (*tenantry.IdempotentResponse, error) {
	var resp *tenantry.IdempotentResponse
	err := db.inTx(ctx, func(tx *Tx) error {
		var stored string
		var r tenantry.IdempotentResponse
		var body string
		err := tx.queryRow(ctx, `SELECT request_hash, status, location, body FROM idempotency_keys WHERE partner_id = ? AND key = ?`, partnerID, key).Scan(&stored, &r.Status, &r.Location, &body)
		switch {
		case tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND:
			_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (partner_id, key, request_hash, status, location, body, created) VALUES (?, ?, ?, 0, '', '', ?)`,
				partnerID, key, hash, db.now().UnixMicro())
			return err
		case err != nil:
			return err
		case stored != hash:
			return tenantry.FieldError(tenantry.EUNPROCESSABLE, "Idempotency-Key", tenantry.ReasonIdempotencyMismatch)
		case r.Status == 0:
			return tenantry.FieldError(tenantry.ECONFLICT, "Idempotency-Key", tenantry.ReasonIdempotencyPending)
		}
		r.Body = []byte(body)
		resp = &r
		return nil
	})
	if isConflict(err) {
		return nil, tenantry.FieldError(tenantry.ECONFLICT, "Idempotency-Key", tenantry.ReasonIdempotencyPending)
	}
	return resp, err
}

// CompleteIdempotencyKey stores the response to a reserved key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, partnerID, key string, resp *tenantry.IdempotentResponse) error {
	_, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE idempotency_keys SET status = ?, location = ?, body = ? WHERE partner_id = ? AND key = ?`),
		resp.Status, resp.Location, string(resp.Body), partnerID, key)
	return err
}

// ReleaseIdempotencyKey forgets a reserved key whose request wrote nothing.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, partnerID, key string) error {
	_, err := db.sql.ExecContext(ctx, db.rebind(`DELETE FROM idempotency_keys WHERE partner_id = ? AND key = ? AND status = 0`), partnerID, key)
	return err
}

var _ tenantry.IdempotencyStore = (*DB)(nil)
