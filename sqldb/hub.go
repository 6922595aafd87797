package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// The hub's storage: passwords, browser sessions, one-time links, wizard
// drafts and the supported-location confirmations of customers created in
// the hub. Every token (session, link) carries 256 random bits and is stored
// only as its SHA-256 (hashToken), like API tokens.

// newSecret returns a random URL-safe token of 256 bits.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sessionTouch is how stale a session's last-seen time may get before a
// request writes it again: most requests then write nothing.
const sessionTouch = time.Minute

func linkInvalid() error {
	return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonLinkInvalid)
}

// NeedsSetup reports whether no partner exists yet.
func (db *DB) NeedsSetup(ctx context.Context) (bool, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM partners LIMIT 1) p`).Scan(&n); err != nil {
		return false, mapError(err)
	}
	return n == 0, nil
}

// CreateSetupLink stores a new first-run setup link and returns its token.
func (db *DB) CreateSetupLink(ctx context.Context) (string, error) {
	return db.createLink(ctx, tenantry.LinkSetup, "")
}

// CreateSignInLink stores a new sign-in link for an admin and returns its
// token. Only the newest works: the admin's unused links (an invitation's,
// say) end.
func (db *DB) CreateSignInLink(ctx context.Context, adminID string) (string, error) {
	if _, err := db.admin(ctx, adminID); err != nil {
		return "", err
	}
	return db.createLink(ctx, tenantry.LinkSignIn, adminID)
}

func (db *DB) createLink(ctx context.Context, kind, adminID string) (string, error) {
	token := newSecret()
	now := db.now()
	err := db.inTx(ctx, func(tx *Tx) error {
		if adminID != "" {
			if err := tx.endSignInLinks(ctx, adminID); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO hub_links (token_hash, kind, admin_id, created, expires) VALUES (?, ?, ?, ?, ?)`,
			hashToken(token), kind, adminID, now.UnixMicro(), now.Add(tenantry.LinkLifetime).UnixMicro())
		return err
	})
	return token, err
}

// endSignInLinks deletes an admin's unused sign-in links: a newer link, or
// a password chosen through one, ends the others.
func (t *Tx) endSignInLinks(ctx context.Context, adminID string) error {
	_, err := t.exec(ctx, `DELETE FROM hub_links WHERE admin_id = ? AND kind = ? AND used = 0`, adminID, tenantry.LinkSignIn)
	return err
}

// CheckLink reports whether a link can be used, and for which admin.
func (db *DB) CheckLink(ctx context.Context, kind, token string) (*tenantry.PartnerAdmin, error) {
	var adminID string
	var expires int64
	var used int
	err := db.queryRow(ctx, `SELECT admin_id, expires, used FROM hub_links WHERE token_hash = ? AND kind = ?`, hashToken(token), kind).Scan(&adminID, &expires, &used)
	if err != nil || used != 0 || db.now().UnixMicro() >= expires {
		if err != nil && tenantry.ErrorCode(mapError(err)) != tenantry.ENOTFOUND {
			return nil, mapError(err)
		}
		return nil, linkInvalid()
	}
	if adminID == "" {
		return nil, nil
	}
	return db.admin(ctx, adminID)
}

// useLink marks a link used, in tx; a link that is unknown, used or expired
// is ENOTFOUND. It returns the link's admin id.
func (t *Tx) useLink(ctx context.Context, kind, token string) (string, error) {
	var adminID string
	err := t.queryRow(ctx, `SELECT admin_id FROM hub_links WHERE token_hash = ? AND kind = ? AND used = 0 AND expires > ?`+t.db.forUpdate(),
		hashToken(token), kind, t.db.now().UnixMicro()).Scan(&adminID)
	if err != nil {
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return "", linkInvalid()
		}
		return "", err
	}
	r, err := t.exec(ctx, `UPDATE hub_links SET used = 1 WHERE token_hash = ? AND used = 0`, hashToken(token))
	if err != nil {
		return "", err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return "", linkInvalid()
	}
	return adminID, nil
}

// CompleteSetup uses a setup link to create the first partner and its full
// admin, with a password, in one transaction.
func (db *DB) CompleteSetup(ctx context.Context, token string, in tenantry.SetupInput) (*tenantry.BootstrapResult, error) {
	if err := tenantry.Invalid(in.Validate()); err != nil {
		return nil, err
	}
	res, err := db.newBootstrap(tenantry.BootstrapInput{PartnerName: in.PartnerName, AdminEmail: strings.TrimSpace(in.AdminEmail), AdminName: in.AdminName})
	if err != nil {
		return nil, err
	}
	hash := hashPassword(in.Password)
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.useLink(ctx, tenantry.LinkSetup, token); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM partners LIMIT 1) p`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonSetupDone)
		}
		if err := tx.bootstrap(ctx, res); err != nil {
			return err
		}
		return tx.setPassword(ctx, res.Admin.ID, hash)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (t *Tx) setPassword(ctx context.Context, adminID, hash string) error {
	_, err := t.exec(ctx, `INSERT INTO admin_passwords (admin_id, hash, updated) VALUES (?, ?, ?)
		ON CONFLICT (admin_id) DO UPDATE SET hash = excluded.hash, updated = excluded.updated`, adminID, hash, t.db.now().UnixMicro())
	return err
}

// UseSignInLink sets an admin's password through a sign-in link. The
// admin's other sessions end: whoever had the old password is signed out.
func (db *DB) UseSignInLink(ctx context.Context, token, password string) (*tenantry.PartnerAdmin, error) {
	if err := tenantry.Invalid(tenantry.CheckPassword("password", password)); err != nil {
		return nil, err
	}
	hash := hashPassword(password)
	var adminID string
	err := db.inTxForgetting(ctx, func(tx *Tx) error {
		var err error
		if adminID, err = tx.useLink(ctx, tenantry.LinkSignIn, token); err != nil {
			return err
		}
		if err := tx.setPassword(ctx, adminID, hash); err != nil {
			return err
		}
		if err := tx.endSignInLinks(ctx, adminID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM hub_sessions WHERE admin_id = ?`, adminID); err != nil {
			return err
		}
		var partnerID string
		if err := tx.queryRow(ctx, `SELECT partner_id FROM partner_admins WHERE id = ?`, adminID).Scan(&partnerID); err != nil {
			return err
		}
		return tx.audit(ctx, partnerID, adminID, "admin.password", "admin", adminID, map[string]string{})
	})
	if err != nil {
		return nil, err
	}
	return db.admin(ctx, adminID)
}

const partnerAdminCols = `a.id, a.partner_id, a.email, a.display_name, a.role, a.language, a.created`

func scanPartnerAdmin(row interface{ Scan(...any) error }, extra ...any) (*tenantry.PartnerAdmin, error) {
	var a tenantry.PartnerAdmin
	var created int64
	if err := row.Scan(append([]any{&a.ID, &a.PartnerID, &a.Email, &a.DisplayName, &a.Role, &a.Language, &created}, extra...)...); err != nil {
		return nil, mapError(err)
	}
	a.Created = fromMicro(created)
	return &a, nil
}

func (db *DB) admin(ctx context.Context, id string) (*tenantry.PartnerAdmin, error) {
	a, err := scanPartnerAdmin(db.queryRow(ctx, `SELECT `+partnerAdminCols+` FROM partner_admins a WHERE a.id = ?`, id))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("admin")
	}
	return a, err
}

// AdminsByEmail returns the admins of top-level partners with that email
// (case-insensitive).
func (db *DB) AdminsByEmail(ctx context.Context, email string) ([]*tenantry.PartnerAdmin, error) {
	rows, err := db.query(ctx, `SELECT `+partnerAdminCols+` FROM partner_admins a JOIN partners p ON p.id = a.partner_id
		WHERE p.parent_id = '' AND LOWER(a.email) = ? ORDER BY a.created, a.id`, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.PartnerAdmin
	for rows.Next() {
		a, err := scanPartnerAdmin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SignIn checks an email and a password. Every failure is the same error,
// and a sign-in for an unknown email hashes as much as one for a known one.
func (db *DB) SignIn(ctx context.Context, email, password string) (*tenantry.PartnerAdmin, error) {
	fail := tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonSignInFailed)
	if len(password) > tenantry.MaxPassword || len(email) > tenantry.MaxEmail {
		return nil, fail
	}
	rows, err := db.query(ctx, `SELECT `+partnerAdminCols+`, pw.hash FROM partner_admins a JOIN partners p ON p.id = a.partner_id
		JOIN admin_passwords pw ON pw.admin_id = a.id
		WHERE p.parent_id = '' AND LOWER(a.email) = ? ORDER BY a.created, a.id`, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	type cand struct {
		a    *tenantry.PartnerAdmin
		hash string
	}
	var cs []cand
	for rows.Next() {
		var c cand
		if c.a, err = scanPartnerAdmin(rows, &c.hash); err != nil {
			rows.Close()
			return nil, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		checkPassword(dummyHash, password)
		return nil, fail
	}
	for _, c := range cs {
		if checkPassword(c.hash, password) {
			return c.a, nil
		}
	}
	return nil, fail
}

// CreateSession starts a session for an admin and returns its token.
func (db *DB) CreateSession(ctx context.Context, adminID string) (string, error) {
	token := newSecret()
	now := db.now().UnixMicro()
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO hub_sessions (token_hash, admin_id, created, seen) VALUES (?, ?, ?, ?)`, hashToken(token), adminID, now, now)
		return err
	})
	return token, err
}

// Session resolves a session token. A session idle longer than
// tenantry.SessionIdle is deleted and refused. On PostgreSQL the session's
// row is kept in the process's cache (token_cache.go), which every change
// of a session or of its admin empties everywhere before it returns.
func (db *DB) Session(ctx context.Context, token string) (*tenantry.Session, error) {
	unauthorized := tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
	if token == "" || len(token) > 100 {
		return nil, unauthorized
	}
	h := hashToken(token)
	e, gen, cached := db.cachedSession(h)
	if !cached {
		e = &sessionEntry{s: tenantry.Session{Hash: h}, read: time.Now()}
		var err error
		e.s.Admin, err = scanPartnerAdmin(db.queryRow(ctx, `SELECT `+partnerAdminCols+`, s.seen, COALESCE(p.language, ''), s.sub_partner_id FROM hub_sessions s
			JOIN partner_admins a ON a.id = s.admin_id LEFT JOIN hub_admin_prefs p ON p.admin_id = a.id WHERE s.token_hash = ?`, h), &e.seen, &e.s.Language, &e.s.SubPartnerID)
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
				return nil, unauthorized
			}
			return nil, err
		}
	}
	now := db.now()
	idle := now.Sub(fromMicro(e.seen))
	switch {
	case idle >= tenantry.SessionIdle:
		if err := db.EndSession(ctx, token); err != nil {
			return nil, err
		}
		return nil, unauthorized
	case idle >= sessionTouch:
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE hub_sessions SET seen = ? WHERE token_hash = ?`, now.UnixMicro(), h)
			return err
		})
		if err != nil {
			return nil, err
		}
		touched := *e
		touched.seen = now.UnixMicro()
		db.keepSession(h, gen, &touched)
	case !cached:
		db.keepSession(h, gen, e)
	}
	s := e.s
	admin := *e.s.Admin
	s.Admin = &admin
	return &s, nil
}

// SessionLanguage returns the hub language the admin of a live session
// chose, "" when none was or the token is no live session's. It writes
// nothing: a request the hub refuses before it reads the session (one from
// another site) still answers in the admin's language, without keeping
// the session alive.
func (db *DB) SessionLanguage(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", nil
	}
	var lang string
	var seen int64
	err := db.queryRow(ctx, `SELECT COALESCE(p.language, ''), s.seen FROM hub_sessions s
		LEFT JOIN hub_admin_prefs p ON p.admin_id = s.admin_id WHERE s.token_hash = ?`, hashToken(token)).Scan(&lang, &seen)
	if err != nil {
		if err = mapError(err); tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return "", nil
		}
		return "", err
	}
	if db.now().Sub(fromMicro(seen)) >= tenantry.SessionIdle {
		return "", nil
	}
	return lang, nil
}

// SetSessionSubPartner records the sub-partner a session acts for ("" for
// the admin's own partner). A change ends the session's wizard drafts,
// which were made for the other organization (its templates, its
// customers), and is audited in the admin's partner's log:
// subpartner.act_start names the sub-partner the admin now acts for,
// subpartner.act_stop the one it no longer does.
func (db *DB) SetSessionSubPartner(ctx context.Context, sessionHash, subPartnerID string) error {
	return db.inTxForgetting(ctx, func(tx *Tx) error {
		var adminID, partnerID, was string
		err := tx.queryRow(ctx, `SELECT s.admin_id, a.partner_id, s.sub_partner_id FROM hub_sessions s JOIN partner_admins a ON a.id = s.admin_id
			WHERE s.token_hash = ?`+db.forUpdateOf("s"), sessionHash).Scan(&adminID, &partnerID, &was)
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
		}
		if err != nil || was == subPartnerID {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE hub_sessions SET sub_partner_id = ? WHERE token_hash = ?`, subPartnerID, sessionHash); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM hub_drafts WHERE session_hash = ?`, sessionHash); err != nil {
			return err
		}
		if was != "" {
			if err := tx.audit(ctx, partnerID, adminID, "subpartner.act_stop", "partner", was, nil); err != nil {
				return err
			}
		}
		if subPartnerID == "" {
			return nil
		}
		return tx.audit(ctx, partnerID, adminID, "subpartner.act_start", "partner", subPartnerID, nil)
	})
}

// EndSession deletes a session; its drafts go with it.
func (db *DB) EndSession(ctx context.Context, token string) error {
	return db.inTxForgetting(ctx, func(tx *Tx) error {
		h := hashToken(token)
		if _, err := tx.exec(ctx, `DELETE FROM hub_drafts WHERE session_hash = ?`, h); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM hub_sessions WHERE token_hash = ?`, h)
		return err
	})
}

// SetAdminLanguage remembers the hub language an admin chose.
func (db *DB) SetAdminLanguage(ctx context.Context, adminID, lang string) error {
	if !tenantry.ValidLanguageTag(lang) {
		return tenantry.FieldError(tenantry.EINVALID, "lang", tenantry.ReasonInvalidLanguage, "value", lang)
	}
	return db.inTxForgetting(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO hub_admin_prefs (admin_id, language) VALUES (?, ?)
			ON CONFLICT (admin_id) DO UPDATE SET language = excluded.language`, adminID, lang)
		return err
	})
}

// Draft returns a wizard's saved state, "" when there is none.
func (db *DB) Draft(ctx context.Context, sessionHash, kind string) (string, error) {
	var data string
	err := db.queryRow(ctx, `SELECT data FROM hub_drafts WHERE session_hash = ? AND kind = ?`, sessionHash, kind).Scan(&data)
	if err != nil {
		if err = mapError(err); tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return "", nil
		}
		return "", err
	}
	return data, nil
}

// SaveDraft stores a wizard's state; "" deletes it.
func (db *DB) SaveDraft(ctx context.Context, sessionHash, kind, data string) error {
	if len(data) > tenantry.MaxDraftBytes {
		return tenantry.Errorf(tenantry.ETOOLARGE, tenantry.ReasonInvalidRequest)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if data == "" {
			_, err := tx.exec(ctx, `DELETE FROM hub_drafts WHERE session_hash = ? AND kind = ?`, sessionHash, kind)
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO hub_drafts (session_hash, kind, data, updated) VALUES (?, ?, ?, ?)
			ON CONFLICT (session_hash, kind) DO UPDATE SET data = excluded.data, updated = excluded.updated`,
			sessionHash, kind, data, db.now().UnixMicro())
		return err
	})
}

// LocationConfirmation returns who confirmed, in the hub, that a customer's
// headquarters is in a supported location, and when ("" and zero when the
// customer was created otherwise).
func (db *DB) LocationConfirmation(ctx context.Context, a *tenantry.Actor, customerID string) (string, time.Time, error) {
	var adminID string
	var at int64
	err := db.queryRow(ctx, `SELECT c.admin_id, c.confirmed FROM customer_location_confirmations c JOIN customers cu ON cu.id = c.customer_id
		WHERE c.customer_id = ? AND cu.partner_id = ?`, customerID, a.OrgID).Scan(&adminID, &at)
	if err != nil {
		if err = mapError(err); tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return "", time.Time{}, nil
		}
		return "", time.Time{}, err
	}
	return adminID, fromMicro(at), nil
}

var _ tenantry.HubService = (*DB)(nil)

// PublicURL is where the server is reached from outside (Options.PublicURL,
// or DefaultPublicURL).
func (db *DB) PublicURL() string {
	if db.public == "" {
		return DefaultPublicURL
	}
	return db.public
}
