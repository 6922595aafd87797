package sqldb_test

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

var consentLink = regexp.MustCompile(`(\S+)/v1/consents/([A-Za-z0-9_-]+)\?decision=accept`)

// consentMails returns the consent emails queued for to, oldest first, as
// the sender sends them.
func (f *subFixture) consentMails(t *testing.T, to string) []*tenantry.Message {
	t.Helper()
	ms, _, err := f.db.OutboxMessages(t.Context(), f.actor, tenantry.OutboxFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var out []*tenantry.Message
	for _, m := range ms {
		if m.To == to && m.Kind == tenantry.MailConsent {
			// The outbox shows the link without its token; the sender
			// gets the mail with it.
			if !strings.Contains(m.Text+m.HTML, "/v1/consents/…") {
				t.Errorf("outbox shows the consent link unredacted:\n%s", m.Text)
			}
			sendable, err := f.db.MessageToSend(t.Context(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, sendable)
		}
	}
	slices.Reverse(out) // the outbox lists newest first
	return out
}

// consentToken reads the token of a consent email's link, checking that the
// link (in the text and in the HTML) points at the public URL.
func consentToken(t *testing.T, m *tenantry.Message) string {
	t.Helper()
	sub := consentLink.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no consent link in\n%s", m.Text)
	}
	if !strings.HasSuffix(sub[1], sqldb.DefaultPublicURL) {
		t.Errorf("consent link %q does not lead to %s", sub[0], sqldb.DefaultPublicURL)
	}
	if !strings.Contains(m.HTML, "/v1/consents/"+sub[2]+"?decision=accept") {
		t.Errorf("HTML of the consent email lacks the link:\n%s", m.HTML)
	}
	return sub[2]
}

// TestConsentEmail is rule U3's consent email: a pending user gets one
// with a link, each resend another with a fresh link; accepting through a
// link provisions the user and queues its welcome, once; rejecting leaves
// it pending; a used or unknown link is refused.
func TestConsentEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		for _, addr := range []string{"free@gmail.example", "other@gmail.example"} {
			if err := f.db.AddFreeAccount(ctx, addr); err != nil {
				t.Fatal(err)
			}
		}
		s := f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "free@gmail.example", Package: "webex_meetings", FirstName: "Frida"})
		if s.Status != tenantry.SubscriberPendingUserMigration {
			t.Fatalf("created %s, want pending", s.Status)
		}
		ms := f.consentMails(t, s.Email)
		if len(ms) != 1 {
			t.Fatalf("%d consent emails after creation, want 1", len(ms))
		}
		if brand := cmp.Or(f.tpl.BrandName, f.tpl.Name); ms[0].FromName != brand || !strings.Contains(ms[0].Text, brand) {
			t.Errorf("consent email from %q, want brand %q:\n%s", ms[0].FromName, brand, ms[0].Text)
		}
		if !strings.Contains(ms[0].Text, "Frida") {
			t.Errorf("consent email does not greet the user:\n%s", ms[0].Text)
		}
		first := consentToken(t, ms[0])

		// A resend queues another email with a fresh link; another partner
		// cannot resend.
		if err := f.db.ResendConsent(ctx, f.actor, s.ID); err != nil {
			t.Fatal(err)
		}
		_, actor2 := addPartner(t, f.db, "Globex")
		wantError(t, f.db.ResendConsent(ctx, actor2, s.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		ms = f.consentMails(t, s.Email)
		if len(ms) != 2 {
			t.Fatalf("%d consent emails after a resend, want 2", len(ms))
		}
		second := consentToken(t, ms[1])
		if second == first {
			t.Fatal("the resend carries the same link")
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM consent_tokens WHERE token_hash = ? OR token_hash = ?`, first, second); n != 0 {
			t.Error("a token is stored in the clear")
		}

		_, err := f.db.DecideConsentByToken(ctx, "no-such-token", tenantry.ConsentAccept)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.DecideConsentByToken(ctx, first, "maybe")
		wantProblem(t, err, tenantry.EINVALID, "decision", tenantry.ReasonInvalidEnum)
		if got, _ := f.db.Subscriber(ctx, f.actor, s.ID); got.Status != tenantry.SubscriberPendingUserMigration {
			t.Fatalf("status after refused links = %s", got.Status)
		}

		// Accepting through the older link provisions the user, with its
		// welcome; that link and every other one are used up.
		res, err := f.db.DecideConsentByToken(ctx, first, tenantry.ConsentAccept)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != tenantry.SubscriberProvisioned || res.Decision != tenantry.ConsentAccept || res.SubscriberID != s.ID {
			t.Errorf("accepted: %+v", res)
		}
		got, err := f.db.Subscriber(ctx, f.actor, s.ID)
		if err != nil || got.Status != tenantry.SubscriberProvisioned || got.PersonID == "" {
			t.Fatalf("after accepting: %+v, %v", got, err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = ?`, s.Email, tenantry.MailWelcome); n != 1 {
			t.Errorf("%d welcome emails after consent, want 1", n)
		}
		_, err = f.db.DecideConsentByToken(ctx, first, tenantry.ConsentAccept)
		if e := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonConsentLinkUsed); e != nil && e.Params["status"] != "accepted" {
			t.Errorf("used link: params %v, want status accepted", e.Params)
		}
		_, err = f.db.DecideConsentByToken(ctx, second, tenantry.ConsentReject)
		if e := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonConsentLinkUsed); e != nil && e.Params["status"] != "superseded" {
			t.Errorf("other link: params %v, want status superseded", e.Params)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = ?`, s.Email, tenantry.MailWelcome); n != 1 {
			t.Errorf("%d welcome emails after a used link, want 1", n)
		}
		wantError(t, f.db.ResendConsent(ctx, f.actor, s.ID), tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending)
		if ms := f.consentMails(t, s.Email); len(ms) != 2 {
			t.Errorf("%d consent emails after consent, want still 2", len(ms))
		}

		// Rejecting leaves the user pending and records the decision; a
		// resend asks again, and the new link still accepts.
		o := f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "other@gmail.example", Package: "webex_meetings"})
		ms = f.consentMails(t, o.Email)
		if len(ms) != 1 {
			t.Fatalf("%d consent emails for the second user, want 1", len(ms))
		}
		rej := consentToken(t, ms[0])
		res, err = f.db.DecideConsentByToken(ctx, rej, tenantry.ConsentReject)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != tenantry.SubscriberPendingUserMigration || res.Decision != tenantry.ConsentReject {
			t.Errorf("rejected: %+v", res)
		}
		if got, _ := f.db.Subscriber(ctx, f.actor, o.ID); got.Status != tenantry.SubscriberPendingUserMigration || got.PersonID != "" {
			t.Errorf("after rejecting: %+v", got)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM consent_tokens WHERE subscriber_id = ? AND decision = 'reject' AND used <> 0`, o.ID); n != 1 {
			t.Errorf("%d links record the rejection, want 1", n)
		}
		_, err = f.db.DecideConsentByToken(ctx, rej, tenantry.ConsentAccept)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonConsentLinkUsed)
		if n := count(t, f.db, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = ?`, o.Email, tenantry.MailWelcome); n != 0 {
			t.Errorf("%d welcome emails after a rejection, want 0", n)
		}
		want := []string{"subscriber.create", "subscriber.consent_rejected"}
		if got := actions(t, f.db, f.boot.Partner.ID, "subscriber", o.ID); !slices.Equal(got, want) {
			t.Errorf("audit = %v, want %v", got, want)
		}
		if err := f.db.ResendConsent(ctx, f.actor, o.ID); err != nil {
			t.Fatal(err)
		}
		ms = f.consentMails(t, o.Email)
		if len(ms) != 2 {
			t.Fatalf("%d consent emails after a resend, want 2", len(ms))
		}
		if res, err := f.db.DecideConsentByToken(ctx, consentToken(t, ms[1]), tenantry.ConsentAccept); err != nil || res.Status != tenantry.SubscriberProvisioned {
			t.Errorf("accepting after a rejection: %+v, %v", res, err)
		}
	})
}
