package sqldb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

// The mail outbox. A mail is queued in the transaction of the change that
// causes it and delivered later by the sender (package mail), which works
// the queue through ClaimMail, MarkMailSent and MarkMailFailed.
//
// A queued row keeps the kind, language and data of the mail (JSON of
// tenantry.MailData), not its rendered text and HTML: rendering is a pure
// function of those, done when the mail is read or sent. Storing the
// rendered bodies made every queueing write kilobytes, which was a fifth of
// the time of a bulk import (NOTES.md). Rows from before keep their bodies.

const messageCols = `id, partner_id, customer_id, kind, recipient, language, from_name, subject, text_body, html_body,
	status, attempts, last_error, next_attempt, created, sent, data`

func scanMessage(row interface{ Scan(...any) error }) (*tenantry.Message, error) {
	m, data, _, err := scanMessageData(row, false)
	if err != nil {
		return nil, err
	}
	if err := renderData(m, data); err != nil {
		return nil, err
	}
	// What a partner reads never holds a link's token: mail queued since
	// links are sealed has none in its data, and this covers mail queued
	// before (whose bodies or data may still hold one) too.
	m.Subject, m.Text, m.HTML = redactLinks(m.Subject), redactLinks(m.Text), redactLinks(m.HTML)
	return m, nil
}

// scanMessageData scans messageCols (and sealed, when withSealed) without
// rendering: the message, its data and its sealed data.
func scanMessageData(row interface{ Scan(...any) error }, withSealed bool) (*tenantry.Message, string, string, error) {
	var m tenantry.Message
	var next, created, sent int64
	var data, sealed string
	dest := []any{&m.ID, &m.PartnerID, &m.CustomerID, &m.Kind, &m.To, &m.Language, &m.FromName, &m.Subject, &m.Text, &m.HTML,
		&m.Status, &m.Attempts, &m.LastError, &next, &created, &sent, &data}
	if withSealed {
		dest = append(dest, &sealed)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, "", "", mapError(err)
	}
	m.NextAttempt, m.Created = fromMicro(next), fromMicro(created)
	if sent != 0 {
		m.Sent = fromMicro(sent)
	}
	return &m, data, sealed, nil
}

// renderData renders m from its stored data; a row from before data was
// stored keeps its rendered bodies.
func renderData(m *tenantry.Message, data string) error {
	if data == "" {
		return nil
	}
	var d tenantry.MailData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return fmt.Errorf("message %s: %w", m.ID, err)
	}
	return renderWith(m, d)
}

func renderWith(m *tenantry.Message, d tenantry.MailData) error {
	var err error
	if m.Subject, m.Text, m.HTML, err = mail.Render(m.Kind, m.Language, d); err != nil {
		return fmt.Errorf("message %s: %w", m.ID, err)
	}
	return nil
}

// renderSendable renders m as its sender sends it: from its sealed data,
// with the real links, when it has one. key holds the server key once read.
func (t *Tx) renderSendable(ctx context.Context, m *tenantry.Message, data, sealed string, key *[]byte) error {
	if sealed == "" {
		return renderData(m, data)
	}
	if *key == nil {
		k, err := t.webhookKey(ctx)
		if err != nil {
			return err
		}
		*key = k
	}
	d, err := openMailData(*key, m.ID, sealed)
	if err != nil {
		return err
	}
	return renderWith(m, d)
}

// scanSendable reads one row of messageCols and sealed, rendered for its
// sender.
func (t *Tx) scanSendable(ctx context.Context, row interface{ Scan(...any) error }) (*tenantry.Message, error) {
	m, data, sealed, err := scanMessageData(row, true)
	if err != nil {
		return nil, err
	}
	var key []byte
	if err := t.renderSendable(ctx, m, data, sealed, &key); err != nil {
		return nil, err
	}
	return m, nil
}

// queueMail queues a mail of msg.Kind from d in msg.Language (or the
// closest language mail is written in) in the transaction. It fills the
// message's ID, language, status and times (subject and bodies are rendered
// when it is read back). The rules on
// who may get which mail (U5, U6) are applied here, for every caller: a mail
// they forbid is not queued, and that is not an error. A message whose Key
// was queued before is not queued again; msg then describes the first one.
func (t *Tx) queueMail(ctx context.Context, msg *tenantry.Message, d tenantry.MailData) error {
	if msg.Kind == tenantry.MailWelcome || msg.Kind == tenantry.MailE911Confirmation {
		ok, err := t.mailAllowed(ctx, msg)
		if err != nil || !ok {
			return err
		}
	}
	return t.queueAllowedMail(ctx, msg, d)
}

// queueAllowedMail is queueMail for a mail whose rules (U5, U6) the caller
// has already applied, sparing their lookups.
func (t *Tx) queueAllowedMail(ctx context.Context, msg *tenantry.Message, d tenantry.MailData) error {
	return t.queueAllowedMails(ctx, []*tenantry.Message{msg}, d)
}

// queueAllowedMails queues mails that tell the same data (a welcome and its
// E911 confirmation, say) with one statement.
func (t *Tx) queueAllowedMails(ctx context.Context, msgs []*tenantry.Message, d tenantry.MailData) error {
	if len(msgs) == 0 {
		return nil
	}
	// A mail whose links carry a token is stored without it, and sealed
	// with it for the sender: the server key is read only for those.
	var key []byte
	if _, secret := redactMailData(d); secret {
		var err error
		if key, err = t.webhookKey(ctx); err != nil {
			return err
		}
	}
	q, args, err := t.mailInsert(msgs, d, key)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == int64(len(msgs)) {
		return err
	}
	// Some were queued before (by a job that ran twice): those messages
	// describe the first ones.
	for _, msg := range msgs {
		if msg.Key == "" {
			continue
		}
		first, err := scanMessage(t.queryRow(ctx, `SELECT `+messageCols+` FROM outbox WHERE dedupe_key = ?`, msg.Key))
		if err != nil {
			return err
		}
		k := msg.Key
		*msg = *first
		msg.Key = k
	}
	return nil
}

// mailInsert is the statement that queues msgs, filling their ids, status
// and times; a message whose Key was queued before is left out by it. Data
// whose links carry a token is stored redacted and sealed under key (the
// server key), which it then needs.
func (t *Tx) mailInsert(msgs []*tenantry.Message, d tenantry.MailData, key []byte) (string, []any, error) {
	now := t.db.now().UTC()
	var q strings.Builder
	q.WriteString(`INSERT INTO outbox (` + messageCols + `, dedupe_key, sealed) VALUES `)
	args := make([]any, 0, 15*len(msgs))
	for i, msg := range msgs {
		if !tenantry.ValidEmail(msg.To) {
			return "", nil, fmt.Errorf("queue mail: invalid recipient %q", msg.To)
		}
		md := d
		if md.RecipientEmail == "" {
			md.RecipientEmail = msg.To
		}
		if msg.FromName == "" {
			msg.FromName = md.BrandName
		}
		msg.Language = mail.Language(msg.Language)
		if err := mail.Check(msg.Kind, md); err != nil {
			return "", nil, err
		}
		msg.ID = newID("MESSAGE")
		stored, secret := redactMailData(md)
		sealed := ""
		if secret {
			if key == nil {
				return "", nil, fmt.Errorf("queue mail: a %s mail with a link token needs the server key", msg.Kind)
			}
			var err error
			if sealed, err = sealMailData(key, msg.ID, md); err != nil {
				return "", nil, err
			}
		}
		data, err := json.Marshal(stored)
		if err != nil {
			return "", nil, err
		}
		// A microsecond apart, the mails list in the order they were queued.
		at := now.Add(time.Duration(i) * time.Microsecond)
		msg.Status, msg.Attempts, msg.LastError = tenantry.MailQueued, 0, ""
		msg.NextAttempt, msg.Created, msg.Sent = at, at, time.Time{}
		var dedupe any // NULL: no key, and NULLs never collide
		if msg.Key != "" {
			dedupe = msg.Key
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`(?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		args = append(args, msg.ID, msg.PartnerID, msg.CustomerID, msg.Kind, msg.To, msg.Language, msg.FromName,
			msg.Status, 0, "", at.UnixMicro(), at.UnixMicro(), 0, string(data), dedupe, sealed)
	}
	q.WriteString(` ON CONFLICT DO NOTHING`)
	return q.String(), args, nil
}

// mailAllowed applies rules U5 (no welcome for a customer admin) and U6
// (E911 confirmations only in the US and Canada) to a queued message.
func (t *Tx) mailAllowed(ctx context.Context, msg *tenantry.Message) (bool, error) {
	if msg.CustomerID == "" {
		return false, fmt.Errorf("queue mail: a %s mail needs its customer", msg.Kind)
	}
	c, err := scanCustomer(t.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ?`, msg.CustomerID))
	if err != nil {
		return false, err
	}
	admin, err := t.isAdmin(ctx, msg.CustomerID, msg.To)
	if err != nil {
		return false, err
	}
	var held []tenantry.Package
	if msg.Kind == tenantry.MailE911Confirmation {
		if held, err = t.heldPackages(ctx, c, msg.To); err != nil {
			return false, err
		}
		msg.Key = tenantry.E911MailKey(c.ID, msg.To) // once per person (U6)
	}
	return tenantry.MailAllowed(msg.Kind, c.Address.Country, admin, held), nil
}

// heldPackages lists the packages email holds in customer c, as its admin
// (the full admin written at provisioning without one holds the
// organization's) and as its user with add-ons.
func (t *Tx) heldPackages(ctx context.Context, c *tenantry.Customer, email string) ([]tenantry.Package, error) {
	var out []tenantry.Package
	rows, err := t.query(ctx, `SELECT role, package FROM customer_admins WHERE customer_id = ? AND LOWER(email) = ?`, c.ID, tenantry.NormalizeEmail(email))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		a := tenantry.CustomerAdmin{}
		if err := rows.Scan(&a.Role, &a.Package); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, effective(c, &a).Package)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = t.query(ctx, `SELECT s.package FROM subscribers s WHERE s.customer_id = ? AND s.email = ?
		UNION ALL SELECT a.package FROM subscriber_add_ons a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.customer_id = ? AND s.email = ?`,
		c.ID, tenantry.NormalizeEmail(email), c.ID, tenantry.NormalizeEmail(email))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p tenantry.Package
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// queueProvisioningMail queues what the first admin of a newly provisioned
// customer gets (tenantry.ProvisioningMails): the invitation and, in the US
// and Canada, the E911 confirmation, in the customer's language with the
// template's brand name. It is idempotent: called again for the same
// customer, it queues nothing more.
func (t *Tx) queueProvisioningMail(ctx context.Context, c *tenantry.Customer) error {
	tpl, err := t.templateByID(ctx, c.TemplateID)
	if err != nil {
		return err
	}
	brand := tpl.BrandName
	if brand == "" {
		brand = tpl.Name
	}
	lang := mail.Language(c.Language, tpl.EmailLanguage)
	var msgs []*tenantry.Message
	for _, kind := range tenantry.ProvisioningMails(c, tpl, !minted(c.OrgID, "ORGANIZATION")) {
		key := "provisioning/" + c.ID + "/" + string(kind)
		if kind == tenantry.MailE911Confirmation {
			key = tenantry.E911MailKey(c.ID, c.PrimaryEmail)
		}
		msgs = append(msgs, &tenantry.Message{
			PartnerID: c.PartnerID, CustomerID: c.ID, Kind: kind, To: c.PrimaryEmail, Language: lang, Key: key,
		})
	}
	// ProvisioningMails applied U5 and U6: the first admin gets no welcome,
	// and E911 only in the US and Canada. Nothing reads the messages back,
	// so the insert is queued with the job's other writes; a job that runs
	// twice queues nothing twice (their keys).
	if len(msgs) == 0 {
		return nil
	}
	q, args, err := t.mailInsert(msgs, tenantry.MailData{BrandName: brand, CustomerName: c.Name}, nil)
	if err != nil {
		return err
	}
	return t.write(ctx, nil, q, args...)
}

// minted reports whether id is one newID made for kind. An organization id
// Tenantry did not mint was given by the partner: an existing organization
// was attached (rule C7), and the template decides about the invitation (T4).
func minted(id, kind string) bool {
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && strings.HasPrefix(string(b), "tenantry:"+kind+":")
}

// QueueMail queues a mail in a transaction of its own: for mail that is the
// whole of a change, such as a consent email sent again (rule U3). Mail that
// follows another write is queued in that write's transaction instead.
func (db *DB) QueueMail(ctx context.Context, msg *tenantry.Message, d tenantry.MailData) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.queueMail(ctx, msg, d) })
}

// OutboxMessages lists the actor's messages, newest first.
func (db *DB) OutboxMessages(ctx context.Context, a *tenantry.Actor, f tenantry.OutboxFilter) ([]*tenantry.Message, int, error) {
	where, args := `partner_id = ?`, []any{a.OrgID}
	if f.Status != "" {
		where, args = where+` AND status = ?`, append(args, f.Status)
	}
	if f.CustomerID != "" {
		where, args = where+` AND customer_id = ?`, append(args, f.CustomerID)
	}
	if f.Kind != "" {
		where, args = where+` AND kind = ?`, append(args, f.Kind)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+messageCols+` FROM outbox WHERE `+where+` ORDER BY created DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, f.Max, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, err := scanMessages(rows)
	return out, total, err
}

func scanMessages(rows rows) ([]*tenantry.Message, error) {
	out := []*tenantry.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxMessage returns one of the actor's messages.
func (db *DB) OutboxMessage(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.Message, error) {
	m, err := scanMessage(db.queryRow(ctx, `SELECT `+messageCols+` FROM outbox WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("message")
	}
	return m, err
}

// skipLocked is appended to the claim: on PostgreSQL, senders in other
// processes pass over the rows one of them is claiming instead of waiting;
// SQLite's write transaction already excludes every other claimer.
func (db *DB) skipLocked() string {
	if db.engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ClaimMail leases up to max due messages to the caller. The lease is the
// next attempt time moved past the lease: a claimer that dies leaves its
// messages due again when the lease ends, and the attempt count, raised by
// the claim, tells a late claimer's marks from the current one's.
func (db *DB) ClaimMail(ctx context.Context, max int, lease time.Duration) ([]*tenantry.Message, error) {
	var out []*tenantry.Message
	err := db.inTx(ctx, func(tx *Tx) error {
		now := db.now().UTC()
		rows, err := tx.query(ctx, `SELECT `+messageCols+`, sealed FROM outbox WHERE status = 'queued' AND next_attempt <= ?
			ORDER BY next_attempt, id LIMIT ?`+db.skipLocked(), now.UnixMicro(), max)
		if err != nil {
			return err
		}
		// The rows are read first: opening sealed data may read the key,
		// which the open rows would block (one connection).
		type claimed struct{ data, sealed string }
		var raw []claimed
		for rows.Next() {
			m, data, sealed, err := scanMessageData(rows, true)
			if err != nil {
				rows.Close()
				return err
			}
			out, raw = append(out, m), append(raw, claimed{data, sealed})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The sender gets the real links: only here are they opened.
		var key []byte
		for i, m := range out {
			if err := tx.renderSendable(ctx, m, raw[i].data, raw[i].sealed, &key); err != nil {
				return err
			}
		}
		until := now.Add(lease)
		for _, m := range out {
			if _, err := tx.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ? WHERE id = ?`, until.UnixMicro(), m.ID); err != nil {
				return err
			}
			m.Attempts++
			m.NextAttempt = until
		}
		return nil
	})
	return out, err
}

// MarkMailSent records that the claim attempt of message id delivered it.
func (db *DB) MarkMailSent(ctx context.Context, id string, attempt int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', sent = ? WHERE id = ? AND attempts = ? AND status = 'queued'`,
			db.now().UnixMicro(), id, attempt)
		return err
	})
}

// maxErrorLen bounds the error text kept on a message.
const maxErrorLen = 1000

// MarkMailFailed records that the claim attempt of message id failed with
// reason: it is due again after retryIn, or failed for good when retryIn is
// not positive.
func (db *DB) MarkMailFailed(ctx context.Context, id string, attempt int, reason string, retryIn time.Duration) error {
	if len(reason) > maxErrorLen {
		reason = strings.ToValidUTF8(reason[:maxErrorLen], "") + "…"
	}
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.now()
		status, next := tenantry.MailQueued, now.Add(retryIn)
		if retryIn <= 0 {
			status, next = tenantry.MailFailed, now
		}
		_, err := tx.exec(ctx, `UPDATE outbox SET status = ?, last_error = ?, next_attempt = ? WHERE id = ? AND attempts = ? AND status = 'queued'`,
			status, reason, next.UnixMicro(), id, attempt)
		return err
	})
}

var (
	_ tenantry.OutboxService = (*DB)(nil)
	_ tenantry.MailQueue     = (*DB)(nil)
)
