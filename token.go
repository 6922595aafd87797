package tenantry

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ScopeTokens lets a token list, create and revoke its partner's API
// tokens. It is Tenantry's own (the wholesale API has no tokens to manage);
// bootstrap tokens hold it.
const ScopeTokens = "tenantry:api_tokens"

// KnownScopes are every scope a token may hold: the four wholesale scopes
// and ScopeTokens.
var KnownScopes = append(slices.Clone(AllScopes), ScopeTokens)

// Token field names, as the API and its errors name them.
const (
	FieldTokenName    = "name"
	FieldTokenScopes  = "scopes"
	FieldTokenExpires = "expires"
)

// MaxTokenName is the longest name of a token, in characters.
const MaxTokenName = 100

// Token is an API token as listed: never its secret, which is shown once
// when it is made and stored only as a hash.
type Token struct {
	ID        string
	PartnerID string
	AdminID   string // the admin the token acts as
	Name      string
	Scopes    []string
	Created   time.Time
	Expires   time.Time // zero: never
	LastUsed  time.Time // zero: never used; written at most once a TokenUseResolution
}

// TokenUseResolution is how precisely a token's last use is kept: writing
// it on every request would add a write to every read.
const TokenUseResolution = time.Minute

// TokenInput asks for a new token.
type TokenInput struct {
	Name    string
	Scopes  []string
	Expires time.Time // zero: never
}

// Validate checks a token request at now: a name, at least one known scope,
// each once, and an expiry (when given) in the future. The scope list is
// refused whole, before its entries are looked at, when it is longer than
// the scopes there are.
func (in *TokenInput) Validate(now time.Time) []Problem {
	var ps problems
	if strings.TrimSpace(in.Name) == "" {
		ps.add(FieldTokenName, ReasonRequired)
	} else {
		limitText(&ps, FieldTokenName, in.Name, MaxTokenName)
	}
	switch {
	case len(in.Scopes) == 0:
		ps.add(FieldTokenScopes, ReasonRequired)
	case !CheckEntries(&ps, FieldTokenScopes, len(in.Scopes), len(KnownScopes)):
	default:
		for i, s := range in.Scopes {
			f := FieldTokenScopes + "[" + itoa(i) + "]"
			switch {
			case !slices.Contains(KnownScopes, s):
				ps.add(f, ReasonInvalidEnum, "value", s, "allowed", strings.Join(KnownScopes, ", "))
			case slices.Contains(in.Scopes[:i], s):
				ps.add(f, ReasonTokenScopeRepeated, "value", s)
			}
		}
	}
	if !in.Expires.IsZero() && !in.Expires.After(now) {
		ps.add(FieldTokenExpires, ReasonTokenExpiresPast)
	}
	return ps
}

// CanGrant checks that a token asked for by p is no more powerful than p:
// it holds no scope p lacks and does not outlive p. EFORBIDDEN naming the
// first such scope, or the expiry.
func (p *Principal) CanGrant(in *TokenInput) error {
	for i, s := range in.Scopes {
		if !p.Has(s) {
			return FieldError(EFORBIDDEN, FieldTokenScopes+"["+itoa(i)+"]", ReasonTokenScopeNotHeld, "scope", s)
		}
	}
	if !p.Expires.IsZero() && (in.Expires.IsZero() || in.Expires.After(p.Expires)) {
		return FieldError(EFORBIDDEN, FieldTokenExpires, ReasonTokenOutlives, "value", p.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// TokenService manages a partner's API tokens. Every method is scoped to
// the partner; another partner's token is ENOTFOUND.
type TokenService interface {
	// CreateToken validates in and stores a new token of partnerID; it
	// returns the token and its secret, which is never shown again. by is
	// who asks: a token, which may only grant scopes it holds (EFORBIDDEN)
	// and whose admin the new token acts as; or nil for the operator at
	// the command line, whose token acts as the partner's first full
	// admin. EINVALID, ENOTFOUND (no such partner).
	CreateToken(ctx context.Context, partnerID string, by *Principal, in *TokenInput) (*Token, string, error)
	// Tokens lists the partner's tokens, oldest first, expired ones too.
	Tokens(ctx context.Context, partnerID string) ([]*Token, error)
	// Token returns one of the partner's tokens. ENOTFOUND.
	Token(ctx context.Context, partnerID, id string) (*Token, error)
	// RevokeToken deletes one of the partner's tokens: the next request
	// with it is refused, on every process. ENOTFOUND.
	RevokeToken(ctx context.Context, partnerID, id string) error
	// RevokeTokenBy is RevokeToken recording actorID, the admin who
	// revokes it, in the audit log (RevokeToken records the token's own
	// admin). ENOTFOUND.
	RevokeTokenBy(ctx context.Context, partnerID, id, actorID string) error
}
