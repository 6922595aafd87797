package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// tokenPrefix marks Tenantry API tokens, so that secret scanners find them.
const tokenPrefix = "tnt_"

// createToken stores a new token of partnerID acting as adminID and
// returns it with its secret. in must be valid.
func (t *Tx) createToken(ctx context.Context, partnerID, adminID string, in *tenantry.TokenInput) (*tenantry.Token, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	tok := &tenantry.Token{ID: newID("TOKEN"), PartnerID: partnerID, AdminID: adminID, Name: strings.TrimSpace(in.Name),
		Scopes: in.Scopes, Created: t.db.now().UTC(), Expires: in.Expires.UTC()}
	_, err := t.exec(ctx, `INSERT INTO api_tokens (id, partner_id, admin_id, token_hash, scopes, created, name, expires, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		tok.ID, partnerID, adminID, hashToken(secret), strings.Join(tok.Scopes, " "), tok.Created.UnixMicro(), tok.Name, micro(tok.Expires))
	if err != nil {
		return nil, "", err
	}
	return tok, secret, t.audit(ctx, partnerID, adminID, "token.create", "token", tok.ID, map[string]any{"name": tok.Name, "scopes": tok.Scopes, "expires": micro(tok.Expires)})
}

// micro is a time as stored: 0 for none.
func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// hashToken is how tokens are stored: they carry 256 random bits, so a plain
// SHA-256 is enough and lets a request find its token by index.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate resolves a bearer token to its principal by its row, found
// by its unique index; on PostgreSQL from the cache of the rows this
// process has read (token_cache.go), which every process sharing the
// database empties before a call that deletes a token returns.
func (db *DB) Authenticate(ctx context.Context, token string) (*tenantry.Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return nil, tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
	}
	hash := hashToken(token)
	e, gen, ok := db.cachedToken(hash)
	if !ok {
		e = &tokenEntry{read: time.Now()}
		var scopes string
		err := db.queryRow(ctx, `SELECT id, partner_id, admin_id, scopes, expires, last_used FROM api_tokens WHERE token_hash = ?`, hash).
			Scan(&e.p.TokenID, &e.p.PartnerID, &e.p.AdminID, &scopes, &e.expires, &e.lastUsed)
		if err != nil {
			if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
				return nil, tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
			}
			return nil, err
		}
		e.p.Scopes = strings.Fields(scopes)
		if e.expires != 0 {
			e.p.Expires = fromMicro(e.expires)
		}
		db.keepToken(hash, gen, e)
	}
	now := db.now().UnixMicro()
	if e.expires != 0 && now >= e.expires {
		return nil, tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
	}
	db.noteTokenUse(ctx, e.p.TokenID, e.lastUsed, now)
	p := e.p
	p.Scopes = slices.Clone(e.p.Scopes)
	return &p, nil
}

// noteTokenUse records that a token was used at now, at most once per
// tenantry.TokenUseResolution: the stored time is read with the token, and
// this process remembers what it wrote, so that a burst of requests (on
// one process or several) writes once. A failed write is not the
// request's failure; the next use writes again.
func (db *DB) noteTokenUse(ctx context.Context, id string, stored, now int64) {
	res := tenantry.TokenUseResolution.Microseconds()
	if now-stored < res {
		return
	}
	if v, ok := db.tokens.Load(id); ok && now-v.(int64) < res {
		return
	}
	db.tokens.Store(id, now)
	if _, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE api_tokens SET last_used = ? WHERE id = ? AND last_used < ?`), now, id, now-res); err != nil {
		db.tokens.Delete(id)
	}
}

// CreateToken stores a new token of partnerID; see tenantry.TokenService.
func (db *DB) CreateToken(ctx context.Context, partnerID string, by *tenantry.Principal, in *tenantry.TokenInput) (*tenantry.Token, string, error) {
	if err := tenantry.Invalid(in.Validate(db.now())); err != nil {
		return nil, "", err
	}
	adminID := ""
	if by != nil {
		if by.PartnerID != partnerID {
			return nil, "", notFound("partner")
		}
		if err := by.CanGrant(in); err != nil {
			return nil, "", err
		}
		adminID = by.AdminID
	}
	var tok *tenantry.Token
	var secret string
	err := db.inTx(ctx, func(tx *Tx) error {
		if adminID == "" {
			err := tx.queryRow(ctx, `SELECT id FROM partner_admins WHERE partner_id = ? AND role = ? ORDER BY created, id LIMIT 1`,
				partnerID, tenantry.RoleFullAdmin).Scan(&adminID)
			if err != nil {
				if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
					return notFound("partner")
				}
				return err
			}
		}
		var err error
		if tok, secret, err = tx.createToken(ctx, partnerID, adminID, in); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, tok)
	})
	if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

const tokenCols = `id, partner_id, admin_id, name, scopes, created, expires, last_used`

func scanToken(row interface{ Scan(...any) error }) (*tenantry.Token, error) {
	var t tenantry.Token
	var scopes string
	var created, expires, lastUsed int64
	if err := row.Scan(&t.ID, &t.PartnerID, &t.AdminID, &t.Name, &scopes, &created, &expires, &lastUsed); err != nil {
		return nil, mapError(err)
	}
	t.Scopes, t.Created = strings.Fields(scopes), fromMicro(created)
	if expires != 0 {
		t.Expires = fromMicro(expires)
	}
	if lastUsed != 0 {
		t.LastUsed = fromMicro(lastUsed)
	}
	return &t, nil
}

// Tokens lists the partner's tokens, oldest first.
func (db *DB) Tokens(ctx context.Context, partnerID string) ([]*tenantry.Token, error) {
	rows, err := db.query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE partner_id = ? ORDER BY created, id`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*tenantry.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Token returns one of the partner's tokens.
func (db *DB) Token(ctx context.Context, partnerID, id string) (*tenantry.Token, error) {
	t, err := scanToken(db.queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ? AND partner_id = ?`, id, partnerID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("token")
	}
	return t, err
}

// RevokeToken deletes one of the partner's tokens. When the call returns
// the row is gone and no process has the token in its cache: the next
// request with the token is refused everywhere.
func (db *DB) RevokeToken(ctx context.Context, partnerID, id string) error {
	return db.RevokeTokenBy(ctx, partnerID, id, "")
}

// RevokeTokenBy is RevokeToken with the revoking admin in the audit log
// ("" for the token's own admin).
func (db *DB) RevokeTokenBy(ctx context.Context, partnerID, id, actorID string) error {
	revocation := newRevocation()
	err := db.inTx(ctx, func(tx *Tx) error {
		var adminID string
		if err := tx.queryRow(ctx, `SELECT admin_id FROM api_tokens WHERE id = ? AND partner_id = ?`+db.forUpdate(), id, partnerID).Scan(&adminID); err != nil {
			if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
				return notFound("token")
			}
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM api_tokens WHERE id = ?`, id); err != nil {
			return err
		}
		if actorID == "" {
			actorID = adminID
		}
		if err := tx.forgetTokens(ctx, revocation); err != nil {
			return err
		}
		return tx.audit(ctx, partnerID, actorID, "token.revoke", "token", id, nil)
	})
	if err == nil {
		db.tokensForgotten(ctx, revocation)
	}
	return err
}

var _ tenantry.TokenService = (*DB)(nil)
