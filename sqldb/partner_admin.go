package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// A partner's own admins as the hub's settings manage them
// (tenantry.PartnerAdminService). The rule that a partner keeps a full
// admin is checked in the transaction that changes a role or removes an
// admin, after the partner's row is locked: two full admins demoting each
// other at once are serialized, and the second finds no full admin left.
//
// A sub-partner holds a copy of each of its parent's admins (id
// "<admin id>.<sub-partner id>", see CreateSubPartner), so that the
// parent's admins manage its templates; a change to an admin is made to
// its copies too.

// invitePath is where an invitation's link leads, under the public URL:
// the hub's sign-in link page.
const invitePath = "/link/"

// PartnerAdmins lists the actor's partner's admins, oldest first, telling
// those invited who have not chosen a password yet.
func (db *DB) PartnerAdmins(ctx context.Context, a *tenantry.Actor) ([]*tenantry.PartnerAdmin, error) {
	rows, err := db.query(ctx, `SELECT `+partnerAdminCols+`, CASE WHEN pw.admin_id IS NULL THEN 1 ELSE 0 END FROM partner_admins a
		LEFT JOIN admin_passwords pw ON pw.admin_id = a.id WHERE a.partner_id = ? ORDER BY a.created, a.id`, a.PartnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*tenantry.PartnerAdmin{}
	for rows.Next() {
		var pending int
		ad, err := scanPartnerAdmin(rows, &pending)
		if err != nil {
			return nil, err
		}
		ad.Pending = pending == 1
		out = append(out, ad)
	}
	return out, rows.Err()
}

// PartnerAdmin returns one of the actor's partner's admins.
func (db *DB) PartnerAdmin(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.PartnerAdmin, error) {
	ad, err := scanPartnerAdmin(db.queryRow(ctx, `SELECT `+partnerAdminCols+` FROM partner_admins a WHERE a.id = ? AND a.partner_id = ?`, id, a.PartnerID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("admin")
	}
	return ad, err
}

// lockAdmins locks the partner's row and reads its admins in tx.
func (t *Tx) lockAdmins(ctx context.Context, partnerID string) ([]*tenantry.PartnerAdmin, error) {
	var name string
	if err := t.queryRow(ctx, `SELECT name FROM partners WHERE id = ?`+t.db.forUpdate(), partnerID).Scan(&name); err != nil {
		return nil, mapError(err)
	}
	rows, err := t.query(ctx, `SELECT `+partnerAdminCols+` FROM partner_admins a WHERE a.partner_id = ? ORDER BY a.created, a.id`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.PartnerAdmin
	for rows.Next() {
		ad, err := scanPartnerAdmin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ad)
	}
	return out, rows.Err()
}

// lockAdmin is lockAdmins that also finds the admin id among them
// (ENOTFOUND when it is not one of the partner's).
func (t *Tx) lockAdmin(ctx context.Context, partnerID, id string) ([]*tenantry.PartnerAdmin, *tenantry.PartnerAdmin, error) {
	admins, err := t.lockAdmins(ctx, partnerID)
	if err != nil {
		return nil, nil, err
	}
	for _, ad := range admins {
		if ad.ID == id {
			return admins, ad, nil
		}
	}
	return nil, nil, notFound("admin")
}

// InvitePartnerAdmin adds an admin to the actor's partner (and its copies
// to the sub-partners), with a one-time link to choose a password, mailed
// through the outbox.
func (db *DB) InvitePartnerAdmin(ctx context.Context, a *tenantry.Actor, in *tenantry.PartnerAdminInput) (*tenantry.PartnerAdmin, error) {
	if err := tenantry.Invalid(in.Validate()); err != nil {
		return nil, err
	}
	email := strings.TrimSpace(in.Email)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = email
	}
	lang := in.Language
	if !tenantry.ValidLanguageTag(lang) {
		lang = "en"
	}
	now := db.now().UTC()
	ad := &tenantry.PartnerAdmin{ID: newID("PEOPLE"), PartnerID: a.PartnerID, Email: email, DisplayName: name, Role: in.Role, Language: lang, Created: now, Pending: true}
	err := db.inTx(ctx, func(tx *Tx) error {
		admins, err := tx.lockAdmins(ctx, a.PartnerID)
		if err != nil {
			return err
		}
		for _, other := range admins {
			if tenantry.NormalizeEmail(other.Email) == tenantry.NormalizeEmail(email) {
				return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldPartnerAdminEmail, tenantry.ReasonPartnerAdminTaken, "value", email)
			}
		}
		var partnerName string
		if err := tx.queryRow(ctx, `SELECT name FROM partners WHERE id = ?`, a.PartnerID).Scan(&partnerName); err != nil {
			return mapError(err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ad.ID, ad.PartnerID, ad.Email, ad.DisplayName, ad.Role, ad.Language, now.UnixMicro()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created)
			SELECT CAST(? AS TEXT) || '.' || id, id, ?, ?, ?, ?, ? FROM partners WHERE parent_id = ?`,
			ad.ID, ad.Email, ad.DisplayName, ad.Role, ad.Language, now.UnixMicro(), a.PartnerID); err != nil {
			return err
		}
		if err := tx.sendInvitation(ctx, ad, partnerName, now); err != nil {
			return err
		}
		return tx.audit(ctx, a.PartnerID, a.AdminID, "admin.invite", "admin", ad.ID, map[string]string{"email": ad.Email, "name": ad.DisplayName, "role": ad.Role})
	})
	if err != nil {
		if isConflict(err) {
			return nil, tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldPartnerAdminEmail, tenantry.ReasonPartnerAdminTaken, "value", email)
		}
		return nil, err
	}
	return ad, nil
}

// SetPartnerAdminRole changes the role of one of the actor's partner's
// admins and of its copies.
func (db *DB) SetPartnerAdminRole(ctx context.Context, a *tenantry.Actor, id, role string) (*tenantry.PartnerAdmin, error) {
	if err := tenantry.Invalid(tenantry.CheckPartnerAdminRole(role)); err != nil {
		return nil, err
	}
	var out *tenantry.PartnerAdmin
	err := db.inTxForgetting(ctx, func(tx *Tx) error {
		admins, ad, err := tx.lockAdmin(ctx, a.PartnerID, id)
		if err != nil {
			return err
		}
		if err := tenantry.CheckFullAdminKept(admins, id, role); err != nil {
			return err
		}
		out = ad
		if ad.Role == role {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE partner_admins SET role = ? WHERE id = ? OR id IN (SELECT CAST(? AS TEXT) || '.' || p.id FROM partners p WHERE p.parent_id = ?)`,
			role, id, id, a.PartnerID); err != nil {
			return err
		}
		from := ad.Role
		ad.Role = role
		if err := tx.audit(ctx, a.PartnerID, a.AdminID, "admin.role", "admin", id, map[string]string{"email": ad.Email, "from": from, "role": role}); err != nil {
			return err
		}
		return tx.fitTokensToRole(ctx, a, id, role)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fitTokensToRole narrows the API tokens that act as admin id (or one of
// its copies) to the scopes of its new role, and revokes those left with
// none: a demoted admin's token writes no more than the admin may. The
// caller's transaction has the processes forget their cached tokens.
func (t *Tx) fitTokensToRole(ctx context.Context, a *tenantry.Actor, id, role string) error {
	allowed := tenantry.RoleScopes(role)
	// A token's id then its scopes, all separated by spaces.
	rows, err := t.query(ctx, `SELECT id || ' ' || scopes FROM api_tokens WHERE admin_id = ? OR admin_id IN (SELECT CAST(? AS TEXT) || '.' || p.id FROM partners p WHERE p.parent_id = ?)`,
		id, id, a.PartnerID)
	if err != nil {
		return err
	}
	tokens, err := scanStrings(rows)
	if err != nil {
		return err
	}
	for _, tk := range tokens {
		f := strings.Fields(tk)
		tokenID, had := f[0], f[1:]
		kept := slices.DeleteFunc(slices.Clone(had), func(s string) bool { return !slices.Contains(allowed, s) })
		switch {
		case len(kept) == len(had):
			continue
		case len(kept) == 0:
			if _, err := t.exec(ctx, `DELETE FROM api_tokens WHERE id = ?`, tokenID); err != nil {
				return err
			}
			err = t.audit(ctx, a.PartnerID, a.AdminID, "token.revoke", "token", tokenID, map[string]string{"reason": "admin.role", "admin": id})
		default:
			if _, err := t.exec(ctx, `UPDATE api_tokens SET scopes = ? WHERE id = ?`, strings.Join(kept, " "), tokenID); err != nil {
				return err
			}
			err = t.audit(ctx, a.PartnerID, a.AdminID, "token.narrow", "token", tokenID, map[string]any{"reason": "admin.role", "admin": id, "from": had, "scopes": kept})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sendInvitation queues the invitation mail of admin ad, in its language,
// with a new one-time sign-in link (tenantry.InviteLinkLifetime).
func (t *Tx) sendInvitation(ctx context.Context, ad *tenantry.PartnerAdmin, partnerName string, now time.Time) error {
	token := newSecret()
	if _, err := t.exec(ctx, `INSERT INTO hub_links (token_hash, kind, admin_id, created, expires) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), tenantry.LinkSignIn, ad.ID, now.UnixMicro(), now.Add(tenantry.InviteLinkLifetime).UnixMicro()); err != nil {
		return err
	}
	msg := &tenantry.Message{PartnerID: ad.PartnerID, Kind: tenantry.MailPartnerAdminInvitation, To: ad.Email, Language: ad.Language}
	d := tenantry.MailData{BrandName: partnerName, RecipientEmail: ad.Email, Link: strings.TrimRight(t.db.PublicURL(), "/") + invitePath + token}
	if ad.DisplayName != ad.Email {
		d.RecipientName = ad.DisplayName
	}
	return t.queueAllowedMail(ctx, msg, d)
}

// ResendPartnerAdminInvitation sends a pending admin a new invitation; see
// tenantry.PartnerAdminService.
func (db *DB) ResendPartnerAdminInvitation(ctx context.Context, a *tenantry.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, ad, err := tx.lockAdmin(ctx, a.PartnerID, id)
		if err != nil {
			return err
		}
		var passwords int
		var partnerName string
		if err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM admin_passwords WHERE admin_id = ?), name FROM partners WHERE id = ?`,
			ad.ID, a.PartnerID).Scan(&passwords, &partnerName); err != nil {
			return mapError(err)
		}
		if passwords > 0 {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonPartnerAdminNotPending)
		}
		// Only the newest invitation's link works.
		if err := tx.endSignInLinks(ctx, ad.ID); err != nil {
			return err
		}
		if err := tx.sendInvitation(ctx, ad, partnerName, db.now().UTC()); err != nil {
			return err
		}
		return tx.audit(ctx, a.PartnerID, a.AdminID, "admin.invite_resent", "admin", ad.ID, map[string]string{"email": ad.Email})
	})
}

// RemovePartnerAdmin removes one of the actor's partner's admins with its
// copies, its password, sessions, links and API tokens.
func (db *DB) RemovePartnerAdmin(ctx context.Context, a *tenantry.Actor, id string) error {
	revocation, revoked := newRevocation(), false
	err := db.inTx(ctx, func(tx *Tx) error {
		admins, ad, err := tx.lockAdmin(ctx, a.PartnerID, id)
		if err != nil {
			return err
		}
		if err := tenantry.CheckFullAdminKept(admins, id, ""); err != nil {
			return err
		}
		// The admin and its copies in the sub-partners.
		rows, err := tx.query(ctx, `SELECT CAST(? AS TEXT) || '.' || p.id FROM partners p WHERE p.parent_id = ?`, id, a.PartnerID)
		if err != nil {
			return err
		}
		copies, err := scanStrings(rows)
		if err != nil {
			return err
		}
		ids := append([]string{id}, copies...)
		in, args := inList(ids)
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM templates WHERE sp_admin_id IN `+in, args...).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonPartnerAdminInTemplate, "count", itoa(n))
		}
		trows, err := tx.query(ctx, `SELECT id FROM api_tokens WHERE admin_id IN `+in, args...)
		if err != nil {
			return err
		}
		tokens, err := scanStrings(trows)
		if err != nil {
			return err
		}
		var sessions int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM hub_sessions WHERE admin_id IN `+in, args...).Scan(&sessions); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM api_tokens WHERE admin_id IN ` + in,
			`DELETE FROM hub_drafts WHERE session_hash IN (SELECT token_hash FROM hub_sessions WHERE admin_id IN ` + in + `)`,
			`DELETE FROM hub_sessions WHERE admin_id IN ` + in,
			`DELETE FROM hub_links WHERE admin_id IN ` + in,
			`DELETE FROM admin_passwords WHERE admin_id IN ` + in,
			`DELETE FROM hub_admin_prefs WHERE admin_id IN ` + in,
			`DELETE FROM partner_admins WHERE id IN ` + in,
		} {
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return err
			}
		}
		for _, tid := range tokens {
			if err := tx.audit(ctx, a.PartnerID, a.AdminID, "token.revoke", "token", tid, map[string]string{"reason": "admin.remove", "admin": id}); err != nil {
				return err
			}
		}
		// The processes forget their cached tokens and sessions, when the
		// admin had any (token_cache.go).
		if revoked = len(tokens) > 0 || sessions > 0; revoked {
			if err := tx.forgetTokens(ctx, revocation); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a.PartnerID, a.AdminID, "admin.remove", "admin", id, map[string]any{"email": ad.Email, "role": ad.Role, "tokensRevoked": len(tokens)})
	})
	if err == nil && revoked {
		db.tokensForgotten(ctx, revocation)
	}
	return err
}

// inList is "(?, ?, …)" for the values, and the values as arguments.
func inList(vs []string) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", ") + ")", args
}

var _ tenantry.PartnerAdminService = (*DB)(nil)
