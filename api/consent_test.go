package api_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

var consentLinkRE = regexp.MustCompile(`/v1/consents/([A-Za-z0-9_-]+)\?decision=accept`)

// consentTokens reads the tokens of the consent emails mailed to an
// address, oldest first, from the mails as the sender sends them: the
// outbox a partner reads has them redacted.
func consentTokens(t *testing.T, en *env, to string) []string {
	t.Helper()
	q := `SELECT id, partner_id FROM outbox WHERE recipient = ? AND kind = 'consent' ORDER BY created, id`
	if en.engine == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rows, err := en.db.SQL().QueryContext(t.Context(), q, to)
	if err != nil {
		t.Fatal(err)
	}
	// The rows are read first: on SQLite they hold the one connection that
	// reading each message needs.
	type ref struct{ id, partnerID string }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.partnerID); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range refs {
		if !strings.Contains(renderedText(t, en, r.id, r.partnerID), "/v1/consents/…?decision=accept") {
			t.Errorf("the outbox does not show the consent link redacted")
		}
		text := sentText(t, en, r.id)
		m := consentLinkRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no consent link in\n%s", text)
		}
		out = append(out, m[1])
	}
	return out
}

type consentDoc struct {
	Decision string `json:"decision"`
	Status   string `json:"status"`
}

// TestConsentLinkAPI is rule U3's consent email over HTTP: a pending user
// is mailed one link, consentMove mails another; the public link accepts
// once through its POST (then 410) and the user is provisioned with its
// welcome; reject
// keeps the user pending; unknown links are 404; another partner cannot
// resend.
func TestConsentLinkAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p, other := en.bootstrap(t, "Acme"), en.bootstrap(t, "Globex")
		cid, _ := p.setupCustomer(t, p.createTemplate(t, "Standard"), "ext-1", nil, nil, "webex_meetings")
		for _, addr := range []string{"free@gmail.example", "no@gmail.example"} {
			if err := en.db.AddFreeAccount(t.Context(), addr); err != nil {
				t.Fatal(err)
			}
		}

		var pending subscriberDoc
		p.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "free@gmail.example", nil, "webex_meetings")).wantStatus(t, 202).decode(t, &pending)
		if pending.Status != "pending_user_migration" {
			t.Fatalf("created %s", pending.Status)
		}
		tokens := consentTokens(t, en, pending.Email)
		if len(tokens) != 1 {
			t.Fatalf("%d consent emails after creation, want 1", len(tokens))
		}
		consentMove := "/v1/subscribers/" + url.PathEscape(pending.ID) + "/emails/consentMove"
		p.sdo(t, "POST", consentMove, nil).wantStatus(t, 204)
		other.do(t, "POST", consentMove, nil, nil).wantStatus(t, 404)
		if tokens = consentTokens(t, en, pending.Email); len(tokens) != 2 || tokens[0] == tokens[1] {
			t.Fatalf("consent links after consentMove: %v, want 2 different ones", tokens)
		}

		link := "/v1/consents/" + tokens[1]
		form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
		en.do(t, "POST", link, "", "", form).wantField(t, 400, "decision")
		en.do(t, "POST", link, "", "decision=maybe", form).wantField(t, 400, "decision")
		en.do(t, "POST", "/v1/consents/not-a-token", "", "decision=accept", form).wantStatus(t, 404)
		en.do(t, "PUT", link, "", nil, nil).wantStatus(t, 405)

		var c consentDoc
		en.do(t, "POST", link, "", "decision=accept", form).wantStatus(t, 200).decode(t, &c)
		if c.Decision != "accept" || c.Status != "provisioned" {
			t.Errorf("accept answered %+v", c)
		}
		en.do(t, "POST", link, "", "decision=accept", form).wantStatus(t, 410)
		en.do(t, "POST", "/v1/consents/"+tokens[0], "", "decision=reject", form).wantStatus(t, 410)
		var got subscriberDoc
		p.sdo(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(pending.ID), nil).wantStatus(t, 200).decode(t, &got)
		if got.Status != "provisioned" || got.PersonID == "" {
			t.Errorf("after consent: %+v", got)
		}
		q := `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = 'welcome'`
		if en.engine == "postgres" {
			q = strings.Replace(q, "?", "$1", 1)
		}
		var welcomes int
		if err := en.db.SQL().QueryRowContext(t.Context(), q, pending.Email).Scan(&welcomes); err != nil || welcomes != 1 {
			t.Errorf("%d welcome emails after consent (%v), want 1", welcomes, err)
		}
		p.do(t, "POST", consentMove, nil, nil).wantStatus(t, 409)

		// Reject: the user stays pending.
		var no subscriberDoc
		p.sdo(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "no@gmail.example", nil, "webex_meetings")).wantStatus(t, 202).decode(t, &no)
		tokens = consentTokens(t, en, no.Email)
		if len(tokens) != 1 {
			t.Fatalf("%d consent emails for the second user, want 1", len(tokens))
		}
		en.do(t, "POST", "/v1/consents/"+tokens[0], "", "decision=reject", form).wantStatus(t, 200).decode(t, &c)
		if c.Decision != "reject" || c.Status != "pending_user_migration" {
			t.Errorf("reject answered %+v", c)
		}
		en.do(t, "POST", "/v1/consents/"+tokens[0], "", "decision=accept", form).wantStatus(t, 410)
		var after subscriberDoc
		p.sdo(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(no.ID), nil).wantStatus(t, 200).decode(t, &after)
		if after.Status != "pending_user_migration" || after.PersonID != "" {
			t.Errorf("after rejecting: %+v", after)
		}
	})
}
