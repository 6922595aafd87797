package ui_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// assistConsentMail makes a mail whose link carries a token (a consent
// request, rule U3) for a provisioned customer, and returns its id and the
// token the recipient gets.
func assistConsentMail(t *testing.T, en *hubEnv, a *admin, cust string) (string, string) {
	t.Helper()
	ctx := context.Background()
	actor := en.assistActor(t, a)
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := en.db.Customer(ctx, actor, cust)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == tenantry.StatusProvisioned {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer still %s", c.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := en.db.AddFreeAccount(ctx, "free@gmail.example"); err != nil {
		t.Fatal(err)
	}
	var hq string
	if err := en.db.SQL().QueryRowContext(ctx, rebind(en, `SELECT id FROM locations WHERE customer_id = ? AND headquarters = 1`), cust).Scan(&hq); err != nil {
		t.Fatal(err)
	}
	if _, err := en.db.CreateSubscriber(ctx, actor, &tenantry.SubscriberInput{CustomerID: cust, Email: "free@gmail.example", Package: "webex_meetings",
		FirstName: "Frida", LocationID: hq}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := en.db.OutboxMessages(ctx, actor, tenantry.OutboxFilter{Kind: tenantry.MailConsent, Page: tenantry.Page{Max: 10}})
	if err != nil || len(ms) != 1 {
		t.Fatalf("consent mails: %d, %v", len(ms), err)
	}
	sent, err := en.db.MessageToSend(ctx, ms[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/v1/consents/([A-Za-z0-9_-]{20,})`).FindStringSubmatch(sent.Text)
	if m == nil {
		t.Fatalf("the consent mail as sent has no token:\n%s", sent.Text)
	}
	return ms[0].ID, m[1]
}

// TestOutboxViewer: a full admin lists the outbox by kind and state and
// opens a mail: its facts, the text part, and the HTML part in a sandboxed
// frame served with a policy of its own. A link's token never shows.
func TestOutboxViewer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		cust := a.createCustomer(t, "Gold", "Plain Corp", "P-1", "US")
		id, token := assistConsentMail(t, en, a, cust)
		path := "/settings/outbox/" + id

		list := a.get("/settings/outbox").must(t, 200)
		list.contains(t, "Email outbox", `href="`+path+`"`, "free@gmail.example", "Consent request", "Queued", `aria-current="page">Email outbox`)
		a.get("/settings/outbox?kind=consent").must(t, 200).contains(t, "free@gmail.example", "1–1 of 1")
		a.get("/settings/outbox?kind=welcome&state=queued").must(t, 200).lacks(t, "free@gmail.example")
		a.get("/settings/outbox?state=sent").must(t, 200).contains(t, "No mail matches.")
		a.get("/settings/outbox?kind=postcard").must(t, 200).contains(t, "free@gmail.example") // an unknown filter is ignored

		p := a.get(path).must(t, 200)
		p.contains(t, "free@gmail.example", "Confirm moving your account to Plain Corp", "Consent request", "Queued", "Delivery attempts",
			`<iframe class="mail-frame" sandbox src="`+path+`/html"`, `title="The mail as the recipient sees it"`, "Frida", "/v1/consents/…", "Plain Corp")
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("the mail page's policy: %q", csp)
		}
		if p.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("the mail page may be framed: %q", p.Header.Get("X-Frame-Options"))
		}

		h := a.get(path+"/html").must(t, 200)
		if got := h.Header.Get("Content-Security-Policy"); got != "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'" {
			t.Errorf("the frame's policy: %q", got)
		}
		if got := h.Header.Get("X-Frame-Options"); got != "SAMEORIGIN" {
			t.Errorf("the frame's X-Frame-Options: %q", got)
		}
		if ct := h.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || h.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the frame's type: %q", ct)
		}
		h.contains(t, `<html lang="en" dir="ltr">`, "Frida", "/v1/consents/%e2%80%a6?") // "…", escaped in the href

		// The token a recipient gets is in none of it: the viewer never
		// shows a working link.
		for _, pg := range []*page{list, p, h} {
			if strings.Contains(pg.Body, token) {
				t.Errorf("the outbox shows the consent token")
			}
		}
		if strings.Contains(h.Body, `href="http://127.0.0.1/v1/consents/`+token) {
			t.Error("the frame holds a working link")
		}

		// Other pages keep the hub's policy: no framing at all.
		if csp := a.get("/settings/outbox").Header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("the list's policy: %q", csp)
		}
		a.get("/settings/outbox/no-such-mail").must(t, 404).contains(t, "The mail was not found.")
		if h := a.get("/settings/outbox/no-such-mail/html").must(t, 404); h.Header.Get("X-Frame-Options") != "DENY" {
			t.Error("a missing mail's frame lost the hub's headers")
		}
	})
}
