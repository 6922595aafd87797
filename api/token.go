package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/tenantry/tenantry"
)

// tokenRoutes lists the routes of the partner's API tokens: a Tenantry
// extension in the conventions of the wholesale API. They need
// tenantry.ScopeTokens, and a token can only grant scopes it holds.
func (s *Server) tokenRoutes() []route {
	const st = tenantry.ScopeTokens
	return []route{
		{"GET", "/v1/partner/tokens", st, s.listTokens},
		{"POST", "/v1/partner/tokens", st, s.createToken},
		{"GET", "/v1/partner/tokens/{tokenId}", st, s.getToken},
		{"DELETE", "/v1/partner/tokens/{tokenId}", st, s.revokeToken},
	}
}

// tokenRequest asks for a token. Expires is RFC 3339; empty never expires.
type tokenRequest struct {
	Name    string   `json:"name"`
	Scopes  []string `json:"scopes"`
	Expires string   `json:"expires"`
}

// tokenJSON is a token on the wire. Token (the secret) is set only in the
// answer to its creation.
type tokenJSON struct {
	ID       string              `json:"id"`
	Name     string              `json:"name"`
	Scopes   []string            `json:"scopes"`
	Created  tenantry.Timestamp  `json:"created"`
	Expires  *tenantry.Timestamp `json:"expires,omitempty"`
	LastUsed *tenantry.Timestamp `json:"lastUsed,omitempty"`
	Token    string              `json:"token,omitempty"`
}

func toTokenJSON(t *tenantry.Token) tokenJSON {
	out := tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, Created: tenantry.Timestamp(t.Created)}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if !t.Expires.IsZero() {
		e := tenantry.Timestamp(t.Expires)
		out.Expires = &e
	}
	if !t.LastUsed.IsZero() {
		u := tenantry.Timestamp(t.LastUsed)
		out.LastUsed = &u
	}
	return out
}

// principal is the token a request authenticated with.
func principal(r *http.Request) *tenantry.Principal {
	p, _ := r.Context().Value(principalKey).(*tenantry.Principal)
	return p
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := decode(r, &in, true); err != nil {
		return err
	}
	ti := &tenantry.TokenInput{Name: in.Name, Scopes: in.Scopes}
	if in.Expires != "" {
		t, err := time.Parse(time.RFC3339, in.Expires)
		if err != nil {
			return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldTokenExpires, tenantry.ReasonInvalidEnum, "value", in.Expires, "allowed", "RFC 3339 (2030-01-31T00:00:00Z)")
		}
		ti.Expires = t
	}
	p := principal(r)
	// A replay of the request (same Idempotency-Key) shows the token
	// without its secret: only a hash of it is ever stored.
	render := func(tok *tenantry.Token) answer {
		return answer{status: http.StatusCreated, location: baseURL(r) + "/v1/partner/tokens/" + url.PathEscape(tok.ID), body: toTokenJSON(tok)}
	}
	answerWith(r, render)
	tok, secret, err := s.svc.Partners.CreateToken(r.Context(), p.PartnerID, p, ti)
	if err != nil {
		return err
	}
	ans := render(tok)
	withSecret := toTokenJSON(tok)
	withSecret.Token = secret
	ans.body, ans.stored = withSecret, ans.body
	return ans.write(w)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.Partners.Tokens(r.Context(), principal(r).PartnerID)
	if err != nil {
		return err
	}
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = toTokenJSON(t)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.svc.Partners.Token(r.Context(), principal(r).PartnerID, r.PathValue("tokenId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTokenJSON(t))
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Partners.RevokeToken(r.Context(), principal(r).PartnerID, r.PathValue("tokenId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
