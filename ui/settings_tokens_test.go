package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

var secretRe = regexp.MustCompile(`id="secret" value="([^"]+)"`)

// apiStatus is the status of GET /v1/wholesale/customers with a token.
func apiStatus(t testing.TB, en *hubEnv, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", en.srv.URL+"/v1/wholesale/customers", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestSettingsTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ada := en.bootstrap(t, "Acme", "ada@acme.example", tenantry.RoleFullAdmin)
		ada.get("/settings/tokens").must(t, 200).contains(t, "bootstrap", "Manage API tokens", "Not used yet")

		// Bad input: errors next to the fields.
		p := ada.post("/settings/tokens", url.Values{"name": {""}, "expires": {"2020-01-01"}}).must(t, 400)
		if p.fieldError(t, "f-name") == "" || p.fieldError(t, "f-scopes") == "" || p.fieldError(t, "f-expires") == "" {
			t.Errorf("errors missing:\n%s", clip(p.Body))
		}
		p = ada.post("/settings/tokens", url.Values{"name": {"ci"}, "scopes": {tenantry.ScopeCustomersRead}, "expires": {"next week"}}).must(t, 400)
		if e := p.fieldError(t, "f-expires"); !strings.Contains(e, "not a date") {
			t.Errorf("bad date: %q", e)
		}
		p.contains(t, `value="ci"`)
		// A scope the admin does not hold is refused (the hub's admin holds
		// the four wholesale scopes, not token management).
		p = ada.post("/settings/tokens", url.Values{"name": {"ci"}, "scopes": {tenantry.ScopeTokens}}).must(t, 400)
		if p.fieldError(t, "f-scopes") == "" {
			t.Error("no error next to the scopes")
		}

		// Created: the secret is shown once, in a page not to be stored.
		p = ada.post("/settings/tokens", url.Values{"name": {"Billing sync"}, "scopes": {tenantry.ScopeCustomersRead, tenantry.ScopeSubscribersRead}, "expires": {"2099-12-31"}}).must(t, 200)
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		m := secretRe.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no secret shown:\n%s", clip(p.Body))
		}
		secret := m[1]
		list := ada.get("/settings/tokens").must(t, 200).lacks(t, secret).contains(t, "Billing sync", "Read customers", "Read users", "ada@acme.example")
		list.lacks(t, `id="secret"`)
		if st := apiStatus(t, en, secret); st != 200 {
			t.Fatalf("the new token: API status %d", st)
		}
		toks, err := en.db.Tokens(t.Context(), ada.partnerID)
		if err != nil {
			t.Fatal(err)
		}
		tok := toks[len(toks)-1]
		if tok.Name != "Billing sync" || tok.AdminID != ada.adminID || tok.Expires.Format("2006-01-02") != "2100-01-01" || tok.LastUsed.IsZero() {
			t.Errorf("token %+v", tok)
		}
		ada.get("/settings/tokens").must(t, 200).contains(t, `id="token-`+tok.ID+`"`)

		// Revoked: refused by the API at once.
		ada.post("/settings/tokens/"+tok.ID+"/revoke", nil).must(t, 303)
		if st := apiStatus(t, en, secret); st != 401 {
			t.Errorf("revoked token: API status %d", st)
		}
		ada.get("/settings/tokens").must(t, 200).lacks(t, "Billing sync").contains(t, "The token was revoked")
		ada.post("/settings/tokens/"+tok.ID+"/revoke", nil).must(t, 404)
		if entries, _ := en.db.AuditLog(t.Context(), ada.partnerID, "token", tok.ID); len(entries) != 2 || entries[1].Action != "token.revoke" || entries[1].ActorID != ada.adminID {
			t.Errorf("audit of the token: %+v", entries)
		}

		// Another partner's token is not found, and stays.
		eve := en.bootstrap(t, "Evil", "eve@evil.example", tenantry.RoleFullAdmin)
		eve.get("/settings/tokens").must(t, 200).lacks(t, toks[0].ID)
		eve.post("/settings/tokens/"+toks[0].ID+"/revoke", nil).must(t, 404)
		if _, err := en.db.Token(t.Context(), ada.partnerID, toks[0].ID); err != nil {
			t.Errorf("another partner revoked a token: %v", err)
		}
	})
}
