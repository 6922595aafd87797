package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// tokensPage lists the partner's API tokens (never their secrets) with
// their scopes, expiry and last use, and the form that creates one. Right
// after a creation it shows the new token's secret, once: the answer to
// that POST is the only place it ever appears (and, like every hub page,
// it is not stored by the browser: Cache-Control no-store).
type tokensPage struct {
	Tokens []tokenRow
	Scopes []string
	Form   tokenForm
	New    *tokenRow // the token just created
	Secret string    // its secret, shown this once
}

type tokenRow struct {
	*tenantry.Token
	Admin   string // the email of the admin it acts as
	Expired bool
}

type tokenForm struct {
	Name    string
	Scopes  map[string]bool
	Expires string // yyyy-mm-dd
}

var tokenFields = map[string]string{
	tenantry.FieldTokenName: "name", tenantry.FieldTokenScopes: "scopes", tenantry.FieldTokenScopes + "[": "scopes", tenantry.FieldTokenExpires: "expires",
}

var tokenLabels = map[string]string{
	"name": "hub.settings.tokens.name", "scopes": "hub.settings.tokens.scopes", "expires": "hub.settings.tokens.expires",
}

func (s *Server) tokensView(r *http.Request, f tokenForm) (*view, *tokensPage, error) {
	a := state(r).actor
	toks, err := s.svc.Partners.Tokens(r.Context(), a.PartnerID)
	if err != nil {
		return nil, nil, err
	}
	admins, err := s.svc.Partners.PartnerAdmins(r.Context(), a)
	if err != nil {
		return nil, nil, err
	}
	email := map[string]string{}
	for _, ad := range admins {
		email[ad.ID] = ad.Email
	}
	now := s.now()
	p := &tokensPage{Scopes: tenantry.AllScopes, Form: f}
	for _, t := range toks {
		p.Tokens = append(p.Tokens, tokenRow{Token: t, Admin: email[t.AdminID], Expired: !t.Expires.IsZero() && !t.Expires.After(now)})
	}
	v := s.settingsView(r, "hub.settings.tokens.title", "tokens")
	v.Page = p
	return v, p, nil
}

func (s *Server) settingsTokens(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.tokensView(r, tokenForm{Scopes: map[string]bool{tenantry.ScopeCustomersRead: true, tenantry.ScopeSubscribersRead: true}})
	if err != nil {
		return err
	}
	return s.render(w, r, "settings_tokens", v)
}

// createToken makes a token acting as the signed-in admin, holding the
// scopes chosen (no more than the admin's own, Principal.CanGrant), and
// answers with the page showing its secret.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonInvalidRequest)
	}
	f := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: map[string]bool{}, Expires: strings.TrimSpace(r.PostFormValue("expires"))}
	in := &tenantry.TokenInput{Name: f.Name}
	for _, sc := range r.PostForm["scopes"] {
		f.Scopes[sc] = true
		in.Scopes = append(in.Scopes, sc)
	}
	var err error
	if f.Expires != "" {
		// The token works through the chosen day (UTC).
		day, perr := time.Parse(time.DateOnly, f.Expires)
		if perr != nil {
			err = tenantry.FieldError(tenantry.EINVALID, tenantry.FieldTokenExpires, tenantry.ReasonInvalidDate, "value", f.Expires)
		}
		in.Expires = day.AddDate(0, 0, 1)
	}
	a := state(r).actor
	var tok *tenantry.Token
	var secret string
	if err == nil {
		tok, secret, err = s.svc.Partners.CreateToken(r.Context(), a.PartnerID, &a.Principal, in)
	}
	if err != nil {
		v, _, lerr := s.tokensView(r, f)
		if lerr != nil {
			return lerr
		}
		if !s.formProblems(v, err, tokenFields, tokenLabels) {
			return err
		}
		return s.renderStatus(w, r, http.StatusBadRequest, "settings_tokens", v)
	}
	v, p, err := s.tokensView(r, tokenForm{Scopes: map[string]bool{}})
	if err != nil {
		return err
	}
	p.New, p.Secret = &tokenRow{Token: tok}, secret
	return s.render(w, r, "settings_tokens", v)
}

// revokeToken deletes a token: the API refuses it from its next request.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	if err := s.svc.Partners.RevokeTokenBy(r.Context(), a.PartnerID, r.PathValue("id"), a.AdminID); err != nil {
		return err
	}
	s.flash(w, "hub.settings.tokens.revoked")
	return redirect(w, r, "/settings/tokens")
}
