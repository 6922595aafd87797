package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

// tokenFor makes an API token of the admin's, with every scope.
func (en *hubEnv) tokenFor(t testing.TB, a *admin, name string) string {
	t.Helper()
	_, secret, err := en.db.CreateToken(context.Background(), a.partnerID, &tenantry.Principal{PartnerID: a.partnerID, AdminID: a.adminID, Scopes: tenantry.KnownScopes},
		&tenantry.TokenInput{Name: name, Scopes: tenantry.KnownScopes})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// templateThroughAPI creates a template through the API with a token,
// optionally on behalf of a sub-partner.
func (en *hubEnv) templateThroughAPI(t testing.TB, token, name, adminID, subscriptionID, onBehalf string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "country": "US", "serviceProviderAdminId": adminID, "subscriptionId": subscriptionID})
	u := en.srv.URL + "/v1/wholesale/templates"
	if onBehalf != "" {
		u += "?onBehalfOfSubPartnerOrgId=" + url.QueryEscape(onBehalf)
	}
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("API template create: %d", res.StatusCode)
	}
}

// auditRows counts the entries shown on an audit log page.
func auditRows(p *page) int {
	return len(regexp.MustCompile(`<td class="when"`).FindAllString(p.Body, -1))
}

func TestAuditLogPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ctx := context.Background()
		a := en.bootstrap(t, "Acme Telecom", "ada@acme.example", tenantry.RoleFullAdmin)
		a.get("/settings/audit").must(t, 200).contains(t, `aria-current="page">Audit log`, `<code dir="ltr">partner.bootstrap</code>`)

		// A write through the hub and one through the API, each with who made it.
		a.post("/settings/subpartners", url.Values{"name": {"Reseller One"}}).must(t, 303)
		sub := en.subPartnerID(t, a.partnerID, "Reseller One")
		token := en.tokenFor(t, a, "deploy-bot")
		subs, err := en.db.Subscriptions(ctx, a.partnerID)
		if err != nil {
			t.Fatal(err)
		}
		en.templateThroughAPI(t, token, "Made By API", a.adminID, subs[0].ID, "")
		p := a.get("/settings/audit").must(t, 200)
		rows := regexp.MustCompile(`(?s)<tr>\s*<td class="when".*?</tr>`).FindAllString(p.Body, -1)
		if len(rows) < 3 {
			t.Fatalf("%d rows:\n%s", len(rows), clip(p.Body))
		}
		// Newest first: the API's template, the token (made here, with no
		// channel), then the hub's sub-partner.
		for i, want := range []struct{ action, via string }{{"template.create", "through the API, token deploy-bot"}, {"token.create", ""}, {"subpartner.create", "in the hub"}} {
			for _, part := range []string{`<code dir="ltr">` + want.action + `</code>`, a.email, want.via} {
				if !strings.Contains(rows[i], part) {
					t.Errorf("row %d lacks %q:\n%s", i, part, rows[i])
				}
			}
		}

		// Filters.
		a.get("/settings/audit?action=template.create").must(t, 200).contains(t, "Made By API").lacks(t, `<code dir="ltr">subpartner.create</code>`)
		a.get("/settings/audit?resource=partner").must(t, 200).contains(t, `<code dir="ltr">subpartner.create</code>`).lacks(t, "Made By API")
		a.get("/settings/audit?resource=partner&resourceId="+url.QueryEscape(sub)).must(t, 200).contains(t, `<code dir="ltr">subpartner.create</code>`).lacks(t, "partner.bootstrap</code>")
		a.get("/settings/audit?admin=system").must(t, 200).contains(t, "No entries match these filters.", "Clear filters")
		a.get("/settings/audit?admin="+url.QueryEscape(a.adminID)).must(t, 200).contains(t, "subpartner.create</code>", "template.create</code>")
		a.get("/settings/audit?from=2000-01-01&to=2999-12-31").must(t, 200).contains(t, "template.create</code>")
		a.get("/settings/audit?to=2000-01-02").must(t, 200).contains(t, "No entries match these filters.")
		if msg := a.get("/settings/audit?from=yesterday").must(t, 400).fieldError(t, "f-from"); !strings.Contains(msg, "yesterday is not a date") {
			t.Errorf("error next to From = %q", msg)
		}
		if msg := a.get("/settings/audit?from=2026-03-02&to=2026-03-01").must(t, 400).fieldError(t, "f-to"); !strings.Contains(msg, "end date") {
			t.Errorf("error next to To = %q", msg)
		}

		// A sub-partner's own log, written through the API on its behalf.
		subActor, err := en.db.ResolveActor(ctx, &tenantry.Principal{PartnerID: a.partnerID, AdminID: a.adminID}, sub)
		if err != nil {
			t.Fatal(err)
		}
		subSubs, _ := en.db.Subscriptions(ctx, sub)
		en.templateThroughAPI(t, token, "For The Reseller", a.adminID+"."+subActor.OrgID, subSubs[0].ID, sub)
		a.get("/settings/audit?org="+url.QueryEscape(sub)).must(t, 200).contains(t, "For The Reseller", "through the API, token deploy-bot", a.email).lacks(t, "Made By API")
		a.get("/settings/audit").must(t, 200).lacks(t, "For The Reseller")

		// Another partner's organization is not found, nor is its log shown.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get("/settings/audit?org="+url.QueryEscape(sub)).must(t, 404)
		o.get("/settings/audit").must(t, 200).lacks(t, "Made By API", "Reseller One", a.email)

		// Paging, newest first: 60 more entries make two pages.
		for i := range 60 {
			if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id) VALUES (?, ?, 'location.update', 'location', ?, '{}', ?, 'hub', '')`),
				a.partnerID, a.adminID, "LOC-"+string(rune('A'+i/26))+string(rune('a'+i%26)), int64(4_000_000_000_000_000)+int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		all, _, err := en.db.AuditEntries(ctx, &tenantry.Actor{Principal: tenantry.Principal{PartnerID: a.partnerID}, OrgID: a.partnerID}, tenantry.AuditFilter{Limit: 200})
		if err != nil || len(all) < 60+6 {
			t.Fatalf("%d entries, %v", len(all), err)
		}
		first := a.get("/settings/audit").must(t, 200)
		if n := auditRows(first); n != 50 || !strings.Contains(first.Body, "LOC-Ch") || strings.Contains(first.Body, ">Newer<") {
			t.Fatalf("first page: %d rows", n)
		}
		older := regexp.MustCompile(`href="(/settings/audit\?before=[^"]+)" rel="next">Older`).FindStringSubmatch(first.Body)
		if older == nil {
			t.Fatal("no link to older entries")
		}
		second := a.get(strings.ReplaceAll(older[1], "&amp;", "&")).must(t, 200)
		if n := auditRows(second); n != len(all)-50 || strings.Contains(second.Body, "LOC-Ch") || !strings.Contains(second.Body, "partner.bootstrap</code>") || strings.Contains(second.Body, ">Older<") {
			t.Fatalf("second page: %d rows", n)
		}
		newer := regexp.MustCompile(`href="(/settings/audit\?after=[^"]+)" rel="prev">Newer`).FindStringSubmatch(second.Body)
		if newer == nil {
			t.Fatal("no link to newer entries")
		}
		back := a.get(strings.ReplaceAll(newer[1], "&amp;", "&")).must(t, 200)
		if n := auditRows(back); n != 50 || !strings.Contains(back.Body, "LOC-Ch") || strings.Contains(back.Body, ">Newer<") || !strings.Contains(back.Body, ">Older<") {
			t.Errorf("back to the first page: %d rows", n)
		}
		// A filter is kept across pages.
		filtered := a.get("/settings/audit?action=location.update").must(t, 200)
		if !regexp.MustCompile(`href="/settings/audit\?action=location.update&amp;before=`).MatchString(filtered.Body) {
			t.Error("the older page's link drops the filter")
		}

		// Who is named in words also when it is not an admin of today: a
		// customer's admin deciding through an approval link, an admin
		// since removed; a change of nothing shows no change.
		for _, row := range [][2]string{{"customer_admin", `{"decision":"approve"}`}, {"ADMIN-GONE", "null"}} {
			if _, err := en.db.SQL().ExecContext(ctx, rebind(en, `INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id) VALUES (?, ?, 'customer.approval', 'customer', 'CUST-WHO', ?, ?, '', '')`),
				a.partnerID, row[0], row[1], int64(4_100_000_000_000_000)); err != nil {
				t.Fatal(err)
			}
		}
		who := a.get("/settings/audit?resourceId=CUST-WHO").must(t, 200)
		who.contains(t, "The customer&#39;s admin (approval link)", "A removed admin", "ADMIN-GONE")
		if n := strings.Count(who.Body, "<summary>"); n != 1 {
			t.Errorf("%d changes shown, want 1 (none for null)", n)
		}
		a.post("/language", url.Values{"lang": {"ko"}}).must(t, 303)
		a.get("/settings/audit?resourceId=CUST-WHO").must(t, 200).contains(t, "고객 관리자(승인 링크)", "삭제된 관리자", `<option value="customer_admin">고객 관리자</option>`)
	})
}
