package sqldb

import (
	"context"
	"time"

	"github.com/tenantry/tenantry"
)

// Idempotency keys: a POST with a key first reserves it (status 0, the
// request's token, a lease), then its answer is stored: by the work's own
// transaction, in every method a POST calls to change something
// (answerIdempotently), so that work that commits is always answered; the
// answer to a request that changes nothing (a validation, a refusal) is
// stored after the handler returns. A replay of the same request gets the stored response; the same
// key with another body is refused. A reservation never answered (its
// request died with its process, or failed and could not release it) is
// free once its lease runs out, and on SQLite at the next start.

// DefaultIdempotencyLease is how long a reservation holds its key when
// Options.IdempotencyLease is zero: longer than any request runs.
const DefaultIdempotencyLease = 2 * time.Minute

func (db *DB) idempotencyLease() time.Duration {
	if db.lease > 0 {
		return db.lease
	}
	return DefaultIdempotencyLease
}

func idempotencyPending() error {
	return tenantry.FieldError(tenantry.ECONFLICT, "Idempotency-Key", tenantry.ReasonIdempotencyPending)
}

// ReserveIdempotencyKey claims c's key for a request whose body hashes to
// hash.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, c *tenantry.IdempotencyClaim, hash string) (*tenantry.IdempotentResponse, error) {
	var resp *tenantry.IdempotentResponse
	err := db.inTx(ctx, func(tx *Tx) error {
		now := db.now()
		lease := now.Add(db.idempotencyLease()).UnixMicro()
		var stored string
		var r tenantry.IdempotentResponse
		var body string
		var leaseUntil int64
		err := tx.queryRow(ctx, `SELECT request_hash, status, location, body, lease_until FROM idempotency_keys WHERE partner_id = ? AND key = ?`+db.forUpdate(),
			c.PartnerID, c.Key).Scan(&stored, &r.Status, &r.Location, &body, &leaseUntil)
		switch {
		case tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND:
			return tx.write(ctx, nil, `INSERT INTO idempotency_keys (partner_id, key, request_hash, status, location, body, created, token, lease_until) VALUES (?, ?, ?, 0, '', '', ?, ?, ?)`,
				c.PartnerID, c.Key, hash, now.UnixMicro(), c.Token, lease)
		case err != nil:
			return err
		case stored != hash:
			return tenantry.FieldError(tenantry.EUNPROCESSABLE, "Idempotency-Key", tenantry.ReasonIdempotencyMismatch)
		case r.Status == 0 && leaseUntil > now.UnixMicro():
			return idempotencyPending()
		case r.Status == 0:
			// The request holding the key died before its work committed
			// (work that commits stores its answer): the key is free.
			return tx.write(ctx, nil, `UPDATE idempotency_keys SET token = ?, lease_until = ? WHERE partner_id = ? AND key = ?`, c.Token, lease, c.PartnerID, c.Key)
		}
		r.Body = []byte(body)
		resp = &r
		return nil
	})
	if isConflict(err) {
		return nil, idempotencyPending()
	}
	return resp, err
}

// CompleteIdempotencyKey stores the response to a key c still holds
// unanswered.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, c *tenantry.IdempotencyClaim, resp *tenantry.IdempotentResponse) error {
	_, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE idempotency_keys SET status = ?, location = ?, body = ?, lease_until = 0 WHERE partner_id = ? AND key = ? AND token = ? AND status = 0`),
		resp.Status, resp.Location, string(resp.Body), c.PartnerID, c.Key, c.Token)
	return err
}

// ReleaseIdempotencyKey forgets c's reservation unless its work answered it.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, c *tenantry.IdempotencyClaim) error {
	_, err := db.sql.ExecContext(ctx, db.rebind(`DELETE FROM idempotency_keys WHERE partner_id = ? AND key = ? AND token = ? AND status = 0`), c.PartnerID, c.Key, c.Token)
	return err
}

// answerIdempotently stores, in the transaction of a request's work, the
// answer to the Idempotency-Key the request claims (ctx), rendered from
// result: the work and its answer commit together, so a retry after a
// crash, a lost connection or a 5xx gets the original answer. When the
// request no longer holds the key (its lease ran out and another request
// took it), the work is refused.
func (t *Tx) answerIdempotently(ctx context.Context, result any) error {
	c, resp, err := tenantry.AnswerIdempotently(ctx, result)
	if c == nil || err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE idempotency_keys SET status = ?, location = ?, body = ?, lease_until = 0 WHERE partner_id = ? AND key = ? AND token = ? AND status = 0`,
		resp.Status, resp.Location, string(resp.Body), c.PartnerID, c.Key, c.Token)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return idempotencyPending()
	}
	return nil
}

// freeIdempotencyKeys forgets every unanswered reservation (SQLite, at the
// start of the one process that owns the file: their requests died with
// the last one, and work that committed stored its answer).
func (t *Tx) freeIdempotencyKeys(ctx context.Context) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM idempotency_keys WHERE status = 0`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

var _ tenantry.IdempotencyStore = (*DB)(nil)
