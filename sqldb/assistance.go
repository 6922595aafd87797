package sqldb

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

// Setup-assistance requests (migration 0021) and the partner's operations
// address they are mailed to. The mail is queued in the transaction that
// stores the request, so an accepted request is never without its mail once
// there is an address; requests stored while there was none are mailed when
// one is set.

const assistanceCols = `r.id, r.partner_id, r.customer_id, r.customer_name, r.contact_name, r.contact_email, r.contact_phone,
	r.topics, r.details, r.preferred_date, r.preferred_window, r.language, r.requested_by, r.message_id, r.created,
	r.mailed_to, COALESCE(o.status, ''), COALESCE(pa.display_name, '')`

// assistanceFrom joins a request with its mail and the admin who asked.
const assistanceFrom = ` FROM assistance_requests r LEFT JOIN outbox o ON o.id = r.message_id AND r.message_id <> ''
	LEFT JOIN partner_admins pa ON pa.id = r.requested_by`

func scanAssistance(row interface{ Scan(...any) error }) (*tenantry.AssistanceRequest, error) {
	var r tenantry.AssistanceRequest
	var topics string
	var created int64
	if err := row.Scan(&r.ID, &r.PartnerID, &r.CustomerID, &r.CustomerName, &r.ContactName, &r.ContactEmail, &r.ContactPhone,
		&topics, &r.Details, &r.PreferredDate, &r.PreferredWindow, &r.Language, &r.RequestedBy, &r.MessageID, &created,
		&r.MailTo, &r.MailState, &r.RequestedByName); err != nil {
		return nil, mapError(err)
	}
	if err := json.Unmarshal([]byte(topics), &r.Topics); err != nil {
		return nil, err
	}
	r.Created = fromMicro(created)
	if r.MessageID != "" && r.MailState == "" {
		// Only sent mail is pruned from the outbox (retention.go).
		r.MailState, r.MailPruned = tenantry.MailSent, true
	}
	return &r, nil
}

// RequestAssistance stores a request for one of the actor's customers and,
// when the organization has an operations address, queues its mail.
func (db *DB) RequestAssistance(ctx context.Context, a *tenantry.Actor, in *tenantry.AssistanceInput) (*tenantry.AssistanceRequest, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var out *tenantry.AssistanceRequest
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := scanCustomer(tx.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ? AND partner_id = ?`, in.CustomerID, a.OrgID))
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return notFound("customer")
		}
		if err != nil {
			return err
		}
		now := db.now().UTC()
		if err := tenantry.Invalid(in.Validate(now)); err != nil {
			return err
		}
		ps, err := tx.partnerSettings(ctx, a.OrgID)
		if err != nil {
			return err
		}
		r := &tenantry.AssistanceRequest{
			ID: newID("ASSISTANCE"), PartnerID: a.OrgID, CustomerID: c.ID, CustomerName: c.Name,
			ContactName: strings.TrimSpace(in.ContactName), ContactEmail: strings.TrimSpace(in.ContactEmail), ContactPhone: strings.TrimSpace(in.ContactPhone),
			Topics: in.Topics, Details: strings.TrimSpace(in.Details), PreferredDate: in.PreferredDate, PreferredWindow: in.PreferredWindow,
			Language: mail.Language(in.Language), RequestedBy: a.AdminID, Created: now,
		}
		if r.Topics == nil {
			r.Topics = []tenantry.AssistanceTopic{}
		}
		if ps.OperationsEmail != "" {
			if err := tx.mailAssistance(ctx, ps, r); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO assistance_requests (id, partner_id, customer_id, customer_name, contact_name, contact_email, contact_phone,
			topics, details, preferred_date, preferred_window, language, requested_by, message_id, mailed_to, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.PartnerID, r.CustomerID, r.CustomerName, r.ContactName, r.ContactEmail, r.ContactPhone,
			mustJSON(r.Topics), r.Details, r.PreferredDate, string(r.PreferredWindow), r.Language, r.RequestedBy, r.MessageID, r.MailTo, now.UnixMicro()); err != nil {
			return err
		}
		out = r
		return tx.audit(ctx, a.OrgID, a.AdminID, "assistance.request", "assistance_request", r.ID, map[string]any{
			"customerId": r.CustomerID, "contactEmail": r.ContactEmail, "topics": r.Topics, "mailedTo": r.MailTo,
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mailAssistance queues the mail of request r to the operations address of
// ps, and records it on r.
func (t *Tx) mailAssistance(ctx context.Context, ps *tenantry.PartnerSettings, r *tenantry.AssistanceRequest) error {
	requestedBy := ""
	if r.RequestedBy != "" {
		if err := t.queryRow(ctx, `SELECT display_name FROM partner_admins WHERE id = ?`, r.RequestedBy).Scan(&requestedBy); err != nil && tenantry.ErrorCode(mapError(err)) != tenantry.ENOTFOUND {
			return err
		}
	}
	topics := make([]string, len(r.Topics))
	for i, tp := range r.Topics {
		topics[i] = string(tp)
	}
	msg := &tenantry.Message{PartnerID: ps.ID, CustomerID: r.CustomerID, Kind: tenantry.MailAssistance, To: ps.OperationsEmail, Language: r.Language,
		Key: "assistance/" + r.ID}
	d := tenantry.MailData{
		BrandName: ps.Name, CustomerName: r.CustomerName, Link: strings.TrimRight(t.db.PublicURL(), "/") + "/assistance/" + r.ID,
		Assistance: &tenantry.AssistanceMail{
			ContactName: r.ContactName, ContactEmail: r.ContactEmail, ContactPhone: r.ContactPhone, Topics: topics, Details: r.Details,
			PreferredDate: r.PreferredDate, PreferredWindow: string(r.PreferredWindow), RequestedBy: requestedBy,
		},
	}
	if err := t.queueAllowedMail(ctx, msg, d); err != nil {
		return err
	}
	r.MessageID, r.MailTo, r.MailState = msg.ID, msg.To, msg.Status
	return nil
}

// AssistanceRequest returns one of the actor's requests.
func (db *DB) AssistanceRequest(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.AssistanceRequest, error) {
	r, err := scanAssistance(db.queryRow(ctx, `SELECT `+assistanceCols+assistanceFrom+` WHERE r.id = ? AND r.partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("assistance_request")
	}
	return r, err
}

// AssistanceRequests lists the actor's requests, newest first.
func (db *DB) AssistanceRequests(ctx context.Context, a *tenantry.Actor, f tenantry.AssistanceFilter) ([]*tenantry.AssistanceRequest, int, error) {
	where, args := `r.partner_id = ?`, []any{a.OrgID}
	if f.CustomerID != "" {
		where, args = where+` AND r.customer_id = ?`, append(args, f.CustomerID)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM assistance_requests r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+assistanceCols+assistanceFrom+` WHERE `+where+` ORDER BY r.created DESC, r.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Max, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*tenantry.AssistanceRequest{}
	for rows.Next() {
		r, err := scanAssistance(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// partnerSettings reads an organization's settings in the transaction.
func (t *Tx) partnerSettings(ctx context.Context, orgID string) (*tenantry.PartnerSettings, error) {
	var ps tenantry.PartnerSettings
	err := t.queryRow(ctx, `SELECT id, name, parent_id, operations_email FROM partners WHERE id = ?`, orgID).Scan(&ps.ID, &ps.Name, &ps.ParentID, &ps.OperationsEmail)
	if err != nil {
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return nil, notFound("partner")
		}
		return nil, err
	}
	return &ps, nil
}

// PartnerSettings returns the settings of the actor's organization.
func (db *DB) PartnerSettings(ctx context.Context, a *tenantry.Actor) (*tenantry.PartnerSettings, error) {
	var ps tenantry.PartnerSettings
	err := db.queryRow(ctx, `SELECT id, name, parent_id, operations_email FROM partners WHERE id = ?`, a.OrgID).Scan(&ps.ID, &ps.Name, &ps.ParentID, &ps.OperationsEmail)
	if err != nil {
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return nil, notFound("partner")
		}
		return nil, err
	}
	return &ps, nil
}

// SetOperationsEmail sets the organization's operations address and mails
// the requests that were stored while it had none.
func (db *DB) SetOperationsEmail(ctx context.Context, a *tenantry.Actor, email string) (int, error) {
	if !a.CanWrite() {
		return 0, suspended()
	}
	email = strings.TrimSpace(email)
	if err := tenantry.Invalid(tenantry.CheckOperationsEmail(email)); err != nil {
		return 0, err
	}
	mailed := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		mailed = 0 // a grouped transaction may run again
		ps, err := tx.partnerSettings(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if ps.OperationsEmail == email {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE partners SET operations_email = ? WHERE id = ?`, email, a.OrgID); err != nil {
			return err
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "partner.operations_email", "partner", a.OrgID, map[string]string{"from": ps.OperationsEmail, "to": email}); err != nil {
			return err
		}
		if email == "" {
			return nil
		}
		ps.OperationsEmail = email
		// Read every waiting request before queueing: one connection on SQLite.
		rows, err := tx.query(ctx, `SELECT `+assistanceCols+assistanceFrom+` WHERE r.partner_id = ? AND r.message_id = '' ORDER BY r.created, r.id`, a.OrgID)
		if err != nil {
			return err
		}
		var waiting []*tenantry.AssistanceRequest
		for rows.Next() {
			r, err := scanAssistance(rows)
			if err != nil {
				rows.Close()
				return err
			}
			waiting = append(waiting, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range waiting {
			if err := tx.mailAssistance(ctx, ps, r); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE assistance_requests SET message_id = ?, mailed_to = ? WHERE id = ?`, r.MessageID, r.MailTo, r.ID); err != nil {
				return err
			}
			mailed++
		}
		return nil
	})
	return mailed, err
}

var _ tenantry.AssistanceService = (*DB)(nil)
