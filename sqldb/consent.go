package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// The consent email of rule U3 and its links. A user whose address belongs
// to a free account elsewhere waits in pending_user_migration; each consent
// request (on creation, and each resend) mails its owner a fresh link, as
// the approval of an attached organization does (rule C7): a 256-bit random
// token of which only the SHA-256 is stored, usable once, for
// Options.ConsentLinkTTL (link.go).

// consentPath is where a consent link leads, under the public URL.
const consentPath = "/v1/consents/"

// queueConsentMail creates a consent link for the pending user s of the
// locked customer c and queues the consent email carrying it, in the
// customer's language with the template's brand name. request numbers the
// user's consent requests: each one mails once.
func (t *Tx) queueConsentMail(ctx context.Context, c *tenantry.Customer, s *tenantry.Subscriber, request int) error {
	var raw [32]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	lang, err := t.customerMailLanguage(ctx, c)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO consent_tokens (token_hash, subscriber_id, created, language) VALUES (?, ?, ?, ?)`,
		hashToken(token), s.ID, t.db.now().UnixMicro(), lang); err != nil {
		return err
	}
	base := t.db.public
	if base == "" {
		base = DefaultPublicURL
	}
	d := tenantry.MailData{
		RecipientName: strings.TrimSpace(s.FirstName + " " + s.LastName),
		// The link opens a page that asks; the query is kept so that links
		// mailed before read the same.
		Link: strings.TrimRight(base, "/") + consentPath + token + "?decision=" + string(tenantry.ConsentAccept),
	}
	key := "consent/" + s.ID + "/" + strconv.Itoa(request)
	return t.queueCustomerMail(ctx, c, tenantry.MailConsent, s.Email, key, d)
}

// DecideConsentByToken records the decision of the owner who follows a
// link of a consent email. Accepting provisions the user (acceptConsent,
// as AcceptConsent does); rejecting leaves it pending. Either way every
// link the user was sent is used up, and the decision is kept on the link
// followed and in the audit log. A link past its lifetime
// (Options.ConsentLinkTTL) decides nothing.
func (db *DB) DecideConsentByToken(ctx context.Context, token string, d tenantry.ConsentDecision) (*tenantry.ConsentResult, error) {
	if d != tenantry.ConsentAccept && d != tenantry.ConsentReject {
		return nil, tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonInvalidEnum, "value", string(d), "allowed", "accept, reject")
	}
	var out *tenantry.ConsentResult
	err := db.inTx(ctx, func(tx *Tx) error {
		// The customer's and user's row locks come first (lockSubscriber):
		// links are used up only under them, so reading used after is exact.
		hash := hashToken(token)
		var subscriberID string
		err := tx.queryRow(ctx, `SELECT subscriber_id FROM consent_tokens WHERE token_hash = ?`, hash).Scan(&subscriberID)
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return notFound("consent")
		}
		if err != nil {
			return err
		}
		s, c, err := tx.lockSubscriber(ctx, "", subscriberID)
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return notFound("consent")
		}
		if err != nil {
			return err
		}
		var created, used int64
		var decided string
		if err := tx.queryRow(ctx, `SELECT created, used, decision FROM consent_tokens WHERE token_hash = ?`, hash).Scan(&created, &used, &decided); err != nil {
			return mapError(err)
		}
		if tenantry.LinkStateAt(fromMicro(created), usedAt(used), db.links.consent, db.now()) == tenantry.LinkExpired {
			return linkExpired(fromMicro(created).Add(db.links.consent))
		}
		if used != 0 {
			state := "superseded" // used up by another link's decision
			switch tenantry.ConsentDecision(decided) {
			case tenantry.ConsentAccept:
				state = "accepted"
			case tenantry.ConsentReject:
				state = "rejected"
			}
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonConsentLinkUsed, "status", state)
		}
		if d == tenantry.ConsentAccept {
			if err := tx.acceptConsent(ctx, c, s); err != nil {
				return err
			}
		} else {
			if s.Status != tenantry.SubscriberPendingUserMigration {
				return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending, "status", string(s.Status))
			}
			if err := tx.audit(ctx, s.PartnerID, "subscriber", "subscriber.consent_rejected", "subscriber", s.ID, map[string]any{"email": s.Email}); err != nil {
				return err
			}
		}
		now := tx.db.now().UnixMicro()
		if _, err := tx.exec(ctx, `UPDATE consent_tokens SET used = ?, decision = ? WHERE token_hash = ?`, now, d, hash); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE consent_tokens SET used = ? WHERE subscriber_id = ? AND used = 0`, now, s.ID); err != nil {
			return err
		}
		out = &tenantry.ConsentResult{SubscriberID: s.ID, Decision: d, Status: s.Status}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
