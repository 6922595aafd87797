package sqldb

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// Webhooks: the registrations, the events they receive and every delivery
// attempt.
//
// A webhook's secret signs its deliveries, so it cannot be kept as a hash
// the way API tokens are; it is kept encrypted (AES-256-GCM) under the
// server's webhook key, a random 32-byte key in server_keys created on first
// use. The webhook's id is the additional data, so a ciphertext copied onto
// another webhook does not open. This keeps secrets out of whatever copies
// the webhooks table alone (an export, a leaked row, a debugging dump);
// whoever reads the whole database reads the key too. A key given in the
// process's configuration would close that gap; webhookKey is the one
// place to change.

const webhookCols = `id, partner_id, url, events, active, created`

func scanWebhook(row interface{ Scan(...any) error }) (*tenantry.Webhook, error) {
	var w tenantry.Webhook
	var events string
	var active int
	var created int64
	if err := row.Scan(&w.ID, &w.PartnerID, &w.URL, &events, &active, &created); err != nil {
		return nil, mapError(err)
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, err
	}
	w.Active, w.Created = active == 1, fromMicro(created)
	return &w, nil
}

// CreateWebhook stores a new webhook of the actor with a new secret, which
// w carries back to the caller and nothing else ever returns.
func (db *DB) CreateWebhook(ctx context.Context, a *tenantry.Actor, w *tenantry.Webhook) error {
	if !a.CanWrite() {
		return suspended()
	}
	if err := tenantry.Invalid(w.ValidateWith(db.hooks)); err != nil {
		return err
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return err
	}
	// Microseconds, as stored: the answer to the creation reads like every later read.
	id, now := newID("WEBHOOK"), db.now().UTC().Truncate(time.Microsecond)
	err = db.inTx(ctx, func(tx *Tx) error {
		// The partner's row serializes its creations, so that the limit
		// and the one-webhook-per-URL check hold under concurrent requests.
		var pid string
		if err := tx.queryRow(ctx, `SELECT id FROM partners WHERE id = ?`+db.forUpdate(), a.OrgID).Scan(&pid); err != nil {
			return mapError(err)
		}
		var n, same int
		if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN url = ? THEN 1 ELSE 0 END), 0) FROM webhooks WHERE partner_id = ?`, w.URL, a.OrgID).Scan(&n, &same); err != nil {
			return err
		}
		switch {
		case same > 0:
			return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldWebhookURL, tenantry.ReasonWebhookURLTaken, "value", w.URL)
		case n >= tenantry.MaxWebhooks:
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonWebhookLimit, "max", itoa(tenantry.MaxWebhooks))
		}
		key, err := tx.webhookKey(ctx)
		if err != nil {
			return err
		}
		sealed, err := sealSecret(key, id, secret)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO webhooks (id, partner_id, url, events, secret, active, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, a.OrgID, w.URL, mustJSON(w.Events), sealed, boolInt(w.Active), now.UnixMicro()); err != nil {
			return err
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "webhook.create", "webhook", id, map[string]any{"url": w.URL, "events": w.Events, "active": w.Active}); err != nil {
			return err
		}
		// The answer a replay gets: the webhook without its secret.
		return tx.answerIdempotently(ctx, &tenantry.Webhook{ID: id, PartnerID: a.OrgID, URL: w.URL, Events: w.Events, Active: w.Active, Created: now})
	})
	if err != nil {
		return err
	}
	w.ID, w.PartnerID, w.Secret, w.Created = id, a.OrgID, secret, now
	return nil
}

// Webhook returns one of the actor's webhooks, without its secret.
func (db *DB) Webhook(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.Webhook, error) {
	w, err := scanWebhook(db.queryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("webhook")
	}
	return w, err
}

// Webhooks lists the actor's webhooks, oldest first.
func (db *DB) Webhooks(ctx context.Context, a *tenantry.Actor, p tenantry.Page) ([]*tenantry.Webhook, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM webhooks WHERE partner_id = ?`, a.OrgID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE partner_id = ? ORDER BY created, id LIMIT ? OFFSET ?`, a.OrgID, p.Max, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*tenantry.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, w)
	}
	return out, total, rows.Err()
}

// DeleteWebhook removes one of the actor's webhooks with its delivery
// history. Its queued deliveries find it gone and do nothing.
func (db *DB) DeleteWebhook(ctx context.Context, a *tenantry.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		w, err := scanWebhook(tx.queryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ? AND partner_id = ?`+db.forUpdate(), id, a.OrgID))
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return notFound("webhook")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "webhook.delete", "webhook", id, map[string]any{"url": w.URL, "events": w.Events})
	})
}

// WebhookDeliveries lists the delivery attempts of one of the actor's
// webhooks, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, a *tenantry.Actor, id string, p tenantry.Page) ([]*tenantry.WebhookDelivery, int, error) {
	if _, err := db.Webhook(ctx, a, id); err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?`, id).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT d.id, d.webhook_id, d.event_id, e.type, d.attempt, d.status, d.response_status, d.error_message, d.at
		FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
		WHERE d.webhook_id = ? ORDER BY d.at DESC, d.id DESC LIMIT ? OFFSET ?`, id, p.Max, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*tenantry.WebhookDelivery
	for rows.Next() {
		var d tenantry.WebhookDelivery
		var at int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Attempt, &d.Status, &d.ResponseStatus, &d.Error, &at); err != nil {
			return nil, 0, err
		}
		d.At = fromMicro(at)
		out = append(out, &d)
	}
	return out, total, rows.Err()
}

// emitEvent records an event of partnerID in the caller's transaction and
// enqueues its delivery to every active webhook subscribed to eventType:
// the partner's own, and its parent's when partnerID is a sub-partner (a
// partner hears about its resellers' customers). An event no webhook
// wants is not stored: there is nothing to deliver, and most changes
// happen to partners without webhooks.
// activeWebhooks returns the active webhooks that receive a partner's
// events (its own and its parent's), read once per transaction: an import
// chunk emits an event for every row.
func (t *Tx) activeWebhooks(ctx context.Context, partnerID string) ([]*tenantry.Webhook, error) {
	if hooks, ok := t.hooks[partnerID]; ok {
		return hooks, nil
	}
	rows, err := t.query(ctx, `SELECT `+webhookCols+` FROM webhooks w WHERE `+activeHooksOf("?"), partnerID, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hooks []*tenantry.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.cacheHooks(partnerID, hooks)
	return hooks, nil
}

func (t *Tx) cacheHooks(partnerID string, hooks []*tenantry.Webhook) {
	if t.hooks == nil {
		t.hooks = map[string][]*tenantry.Webhook{}
	}
	t.hooks[partnerID] = hooks
}

// activeHooksOf is the condition on webhooks w that selects those receiving
// the events of the partner whose id is the SQL expression partner: the
// active webhooks of the partner and of its parent.
func activeHooksOf(partner string) string {
	return `w.active = 1 AND (w.partner_id = ` + partner + ` OR w.partner_id = (SELECT parent_id FROM partners WHERE id = ` + partner + `))`
}

// hooksJSON is a subquery giving, as a JSON array of [id, events] pairs,
// the webhooks activeHooksOf(partner) selects: what emitEvent needs of
// them, read with another statement.
func (db *DB) hooksJSON(partner string) string {
	agg := `json_group_array(json_array(w.id, w.events))`
	if db.engine == Postgres {
		agg = `COALESCE(json_agg(json_build_array(w.id, w.events)), '[]')::text`
	}
	return `(SELECT ` + agg + ` FROM webhooks w WHERE ` + activeHooksOf(partner) + `)`
}

// parseHooks reads what hooksJSON gives.
func parseHooks(doc string) ([]*tenantry.Webhook, error) {
	var pairs [][2]string
	if err := json.Unmarshal([]byte(doc), &pairs); err != nil {
		return nil, err
	}
	hooks := make([]*tenantry.Webhook, len(pairs))
	for i, p := range pairs {
		hooks[i] = &tenantry.Webhook{ID: p[0], Active: true}
		if err := json.Unmarshal([]byte(p[1]), &hooks[i].Events); err != nil {
			return nil, err
		}
	}
	return hooks, nil
}

func (t *Tx) emitEvent(ctx context.Context, partnerID, eventType string, data any) error {
	if !slices.Contains(tenantry.WebhookEvents, eventType) {
		return fmt.Errorf("sqldb: unknown event type %q", eventType)
	}
	hooks, err := t.activeWebhooks(ctx, partnerID)
	if err != nil {
		return err
	}
	var targets []string
	for _, w := range hooks {
		if w.Subscribed(eventType) {
			targets = append(targets, w.ID)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	ev := tenantry.Event{ID: newID("EVENT"), Type: eventType, PartnerID: partnerID, Created: tenantry.Timestamp(t.db.now().UTC().Truncate(time.Microsecond)), Data: raw}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := t.write(ctx, nil, `INSERT INTO webhook_events (id, partner_id, type, body, created) VALUES (?, ?, ?, ?, ?)`,
		ev.ID, partnerID, eventType, string(body), ev.Created.Time().UnixMicro()); err != nil {
		return err
	}
	for _, id := range targets {
		t.enqueue(tenantry.DeliverWebhookJob{WebhookID: id, EventID: ev.ID})
	}
	return nil
}

// emitCustomerEvent emits an event about customer c, with c as it is now.
func (t *Tx) emitCustomerEvent(ctx context.Context, eventType string, c *tenantry.Customer) error {
	return t.emitEvent(ctx, c.PartnerID, eventType, tenantry.NewCustomerEvent(c))
}

// EmitEvent emits an event in a transaction of its own, for a change that
// is already committed (and for tests). Changes made here emit theirs in
// their own transaction instead, through emitEvent.
func (db *DB) EmitEvent(ctx context.Context, partnerID, eventType string, data any) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.emitEvent(ctx, partnerID, eventType, data) })
}

// DeliverWebhook makes one delivery attempt: a pending attempt is recorded
// and committed, the request is sent outside any transaction (SQLite's one
// connection stays free, and no lock is held while a receiver is slow), and
// the outcome is recorded. Delivery is at least once: a crash after the
// receiver answered and before the outcome is written sends again, and the
// receiver tells by the event id in the body.
func (db *DB) DeliverWebhook(ctx context.Context, job tenantry.DeliverWebhookJob, send tenantry.WebhookSender) error {
	var req *tenantry.WebhookRequest
	var attempt int
	err := db.inTx(ctx, func(tx *Tx) error {
		var url, sealed string
		var active int
		err := tx.queryRow(ctx, `SELECT url, secret, active FROM webhooks WHERE id = ?`+db.forUpdate(), job.WebhookID).Scan(&url, &sealed, &active)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil // deleted since: nothing to deliver
		case err != nil:
			return mapError(err)
		case active != 1:
			return nil
		}
		var n, done int
		if err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), 0)
			FROM webhook_deliveries WHERE webhook_id = ? AND event_id = ?`, job.WebhookID, job.EventID).Scan(&n, &done); err != nil {
			return err
		}
		if done > 0 {
			return nil // a repeated job: delivered already
		}
		// An attempt still pending was cut off before its outcome was
		// written (its process died): it counts as failed.
		if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', error_message = ? WHERE webhook_id = ? AND event_id = ? AND status = 'pending'`,
			tenantry.DeliveryErrorInterrupted, job.WebhookID, job.EventID); err != nil {
			return err
		}
		var eventType, body string
		if err := tx.queryRow(ctx, `SELECT type, body FROM webhook_events WHERE id = ?`, job.EventID).Scan(&eventType, &body); err != nil {
			return mapError(err)
		}
		key, err := tx.webhookKey(ctx)
		if err != nil {
			return err
		}
		secret, err := openSecret(key, job.WebhookID, sealed)
		if err != nil {
			return err
		}
		id, at := newID("DELIVERY"), db.now()
		attempt = n + 1
		if _, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_id, attempt, status, response_status, error_message, at) VALUES (?, ?, ?, ?, 'pending', 0, '', ?)`,
			id, job.WebhookID, job.EventID, attempt, at.UnixMicro()); err != nil {
			return err
		}
		req = &tenantry.WebhookRequest{DeliveryID: id, EventType: eventType, URL: url, Secret: secret, Body: []byte(body), At: at, Policy: db.hooks}
		return nil
	})
	if err != nil || req == nil {
		return err
	}

	status, serr := send(ctx, req)
	// The partner reads msg in the deliveries list: a text of a closed set,
	// never the sender's error, which may tell what answered inside the
	// network. The detail goes to the server's log with the error returned.
	outcome, msg := tenantry.DeliverySucceeded, ""
	switch {
	case serr != nil:
		outcome, msg, status = tenantry.DeliveryFailed, tenantry.PublicDeliveryError(serr), 0
	case !tenantry.Delivered(status):
		outcome, msg = tenantry.DeliveryFailed, tenantry.DeliveryStatusError(status)
		serr = errors.New(msg)
	}
	// The outcome is written even when the job's context has ended.
	err = db.inTx(context.WithoutCancel(ctx), func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = ?, response_status = ?, error_message = ? WHERE id = ?`, outcome, status, msg, req.DeliveryID)
		return err
	})
	if err != nil {
		return err
	}
	if outcome == tenantry.DeliveryFailed {
		return fmt.Errorf("deliver event %s to webhook %s, attempt %d: %w", job.EventID, job.WebhookID, attempt, serr)
	}
	return nil
}

// webhookKeyName is the server_keys row of the key that seals secrets.
const webhookKeyName = "webhook_key"

// webhookKey returns the key that seals webhook secrets, creating it the
// first time. Of processes creating it at once, one insert wins and every
// transaction reads the winner's key.
func (t *Tx) webhookKey(ctx context.Context) ([]byte, error) {
	var v string
	err := t.queryRow(ctx, `SELECT value FROM server_keys WHERE name = ?`, webhookKeyName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		var k [32]byte
		if _, err := rand.Read(k[:]); err != nil {
			return nil, err
		}
		if _, err := t.exec(ctx, `INSERT INTO server_keys (name, value, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			webhookKeyName, base64.StdEncoding.EncodeToString(k[:]), t.db.now().UnixMicro()); err != nil {
			return nil, err
		}
		err = t.queryRow(ctx, `SELECT value FROM server_keys WHERE name = ?`, webhookKeyName).Scan(&v)
	}
	if err != nil {
		return nil, mapError(err)
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("sqldb: the stored %s is not a 32-byte key", webhookKeyName)
	}
	return key, nil
}

// newWebhookSecret returns a new signing secret: 32 random bytes, readable.
func newWebhookSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// sealedPrefix marks the format of a sealed secret, so that another
// format (or key) can come later beside it.
const sealedPrefix = "v1:"

// sealSecret encrypts a webhook's secret under key, bound to the webhook's id.
func sealSecret(key []byte, webhookID, secret string) (string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(secret), []byte(webhookID))), nil
}

// openSecret decrypts what sealSecret sealed for the same webhook.
func openSecret(key []byte, webhookID, sealed string) (string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix))
	if err != nil || !strings.HasPrefix(sealed, sealedPrefix) || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("sqldb: webhook %s: malformed sealed secret", webhookID)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(webhookID))
	if err != nil {
		return "", fmt.Errorf("sqldb: webhook %s: the secret does not open with the webhook key", webhookID)
	}
	return string(plain), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

var (
	_ tenantry.WebhookService = (*DB)(nil)
	_ tenantry.WebhookJobs    = (*DB)(nil)
)
