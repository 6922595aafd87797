package sqldb

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

// The decision links of approval (rule C7) and consent (rule U3) mails.
//
// A link's token is its recipient's only credential, so no partner may ever
// read one: the tokens tables keep only its SHA-256, and the outbox keeps
// the mail's data with each token replaced by redactedToken. What the sender
// needs to write the real links is sealed beside it (outbox.sealed: the
// whole tenantry.MailData, AES-256-GCM under the server key, bound to the
// message id) and opened only when the sender claims the mail.

// approvalPath is where an approval link leads, under the public URL.
const approvalPath = "/v1/approvals/"

// redactedToken stands for a token in every link a partner can read.
const redactedToken = "…"

// tokenLink finds the token of a decision link, or of the hub's sign-in
// link a partner admin's invitation carries, in a URL or in a rendered
// mail (base64url, so it ends at the query or the end of the attribute).
var tokenLink = regexp.MustCompile(`(/v1/(?:consents|approvals)/|` + invitePath + `)[A-Za-z0-9_-]+`)

// redactLinks replaces the token of every decision link in s.
func redactLinks(s string) string {
	return tokenLink.ReplaceAllString(s, "${1}"+redactedToken)
}

// redactMailData returns d with the tokens of its links replaced, and
// whether it had any: a mail without them needs no sealing.
func redactMailData(d tenantry.MailData) (tenantry.MailData, bool) {
	out := d
	out.Link, out.ApproveURL, out.RejectURL = redactLinks(d.Link), redactLinks(d.ApproveURL), redactLinks(d.RejectURL)
	return out, out != d
}

// linkTTLs are how long the links work (Options).
type linkTTLs struct{ approval, consent time.Duration }

func newLinkTTLs(opt Options) linkTTLs {
	return linkTTLs{
		approval: cmp.Or(opt.ApprovalLinkTTL, tenantry.DefaultApprovalLinkTTL),
		consent:  cmp.Or(opt.ConsentLinkTTL, tenantry.DefaultConsentLinkTTL),
	}
}

// linkExpired is the error of a decision through a link past its lifetime.
func linkExpired(expires time.Time) error {
	return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonLinkExpired, "value", expires.UTC().Format(time.RFC3339))
}

// customerMailLanguage is the language mail about customer c is written in
// (as queueCustomerMail picks it): the page its links open speaks it too.
func (t *Tx) customerMailLanguage(ctx context.Context, c *tenantry.Customer) (string, error) {
	if c.Language != "" {
		return mail.Language(c.Language), nil
	}
	tpl, err := t.templateByID(ctx, c.TemplateID)
	if err != nil {
		return "", err
	}
	return mail.Language(tpl.EmailLanguage), nil
}

// brandOf is the name mail about a customer of template id is signed with.
func (t *Tx) brandOf(ctx context.Context, templateID string) (string, error) {
	tpl, err := t.templateByID(ctx, templateID)
	if err != nil {
		return "", err
	}
	return cmp.Or(tpl.BrandName, tpl.Name), nil
}

// ApprovalRequest reads what an approval link asks and where it stands.
// Reading changes nothing (a mail scanner may follow the link).
func (db *DB) ApprovalRequest(ctx context.Context, token string) (*tenantry.ApprovalRequest, error) {
	var out tenantry.ApprovalRequest
	err := db.readTx(ctx, func(tx *Tx) error {
		var created, used int64
		var name, ext, templateID string
		err := tx.queryRow(ctx, `SELECT k.created, k.used, k.language, c.name, c.external_id, c.org_id, c.template_id, c.approval
			FROM approval_tokens k JOIN customers c ON c.id = k.customer_id WHERE k.token_hash = ?`, hashToken(token)).
			Scan(&created, &used, &out.Language, &name, &ext, &out.OrgID, &templateID, &out.Approval)
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return notFound("approval")
		}
		if err != nil {
			return err
		}
		out.CustomerName = cmp.Or(name, ext)
		out.Expires = fromMicro(created).Add(db.links.approval)
		out.State = tenantry.LinkStateAt(fromMicro(created), usedAt(used), db.links.approval, db.now())
		out.BrandName, err = tx.brandOf(ctx, templateID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ConsentRequest reads what a consent link asks and where it stands.
// Reading changes nothing.
func (db *DB) ConsentRequest(ctx context.Context, token string) (*tenantry.ConsentRequest, error) {
	var out tenantry.ConsentRequest
	err := db.readTx(ctx, func(tx *Tx) error {
		var created, used int64
		var first, last, name, ext, templateID string
		err := tx.queryRow(ctx, `SELECT k.created, k.used, k.decision, k.language, s.email, s.first_name, s.last_name,
			c.name, c.external_id, c.template_id
			FROM consent_tokens k JOIN subscribers s ON s.id = k.subscriber_id JOIN customers c ON c.id = s.customer_id
			WHERE k.token_hash = ?`, hashToken(token)).
			Scan(&created, &used, &out.Decision, &out.Language, &out.Email, &first, &last, &name, &ext, &templateID)
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return notFound("consent")
		}
		if err != nil {
			return err
		}
		out.RecipientName = joinName(first, last)
		out.CustomerName = cmp.Or(name, ext)
		out.Expires = fromMicro(created).Add(db.links.consent)
		out.State = tenantry.LinkStateAt(fromMicro(created), usedAt(used), db.links.consent, db.now())
		out.BrandName, err = tx.brandOf(ctx, templateID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// usedAt reads a tokens table's used column: 0 is never.
func usedAt(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicro(us)
}

// sealMailData seals the data a mail is sent with, for message id.
func sealMailData(key []byte, id string, d tenantry.MailData) (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return sealSecret(key, "outbox:"+id, string(b))
}

// openMailData opens what sealMailData sealed for message id.
func openMailData(key []byte, id, sealed string) (tenantry.MailData, error) {
	var d tenantry.MailData
	plain, err := openSecret(key, "outbox:"+id, sealed)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(plain), &d); err != nil {
		return d, fmt.Errorf("message %s: sealed data: %w", id, err)
	}
	return d, nil
}

// MessageToSend returns a message as the sender would send it: with its
// real links. It is for the process itself (tests, an operator's tools),
// never for a partner-facing surface, which reads OutboxMessage.
func (db *DB) MessageToSend(ctx context.Context, id string) (*tenantry.Message, error) {
	var out *tenantry.Message
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.scanSendable(ctx, tx.queryRow(ctx, `SELECT `+messageCols+`, sealed FROM outbox WHERE id = ?`, id))
		return err
	})
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("message")
	}
	return out, err
}

var _ tenantry.LinkService = (*DB)(nil)
