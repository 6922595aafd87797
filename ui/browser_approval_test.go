package ui_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// attachPending creates, for the partner acting as a, a customer that
// attaches the existing organization orgID, large enough to need its
// admins' approval (C7), with mail in lang; it waits for the invitation and
// returns the customer and the token of the invitation's approval link, as
// the mail sender reads it (the outbox keeps it sealed).
func attachPending(t *testing.T, en *hubEnv, a *tenantry.Actor, tpl *tenantry.Template, orgID, name, lang string) (*tenantry.Customer, string) {
	t.Helper()
	ctx := t.Context()
	if err := en.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: orgID, UserCount: 400}); err != nil {
		t.Fatal(err)
	}
	addr := tenantry.Address{Line1: "170 West Tasman Drive", City: "San Jose", State: "CA", PostalCode: "95134", Country: "US"}
	c, err := en.db.CreateCustomer(ctx, a, &tenantry.CustomerInput{
		ProvisioningID: tpl.ProvisioningID, Packages: []string{"webex_calling", "webex_meetings"}, OrgID: orgID, ExternalID: orgID,
		Address: &addr, Info: &tenantry.CustomerInfo{Name: name, PrimaryEmail: "admin@" + orgID + ".example", Language: lang},
		Calling: &tenantry.CallingLocation{Name: "Headquarters", Address: addr, TimeZone: "America/Los_Angeles", Language: "en_us"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var mailID string
	deadline := time.Now().Add(waitTimeout)
	for {
		err := en.db.SQL().QueryRowContext(ctx, rebind(en, `SELECT id FROM outbox WHERE customer_id = ? AND kind = 'customer_admin_invitation'`), c.ID).Scan(&mailID)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invitation for %s: %v", c.ID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m, err := en.db.MessageToSend(ctx, mailID)
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`/v1/approvals/([A-Za-z0-9_-]+)\?decision=approve`).FindStringSubmatch(m.Text)
	if link == nil {
		t.Fatalf("no approval link in the invitation:\n%s", m.Text)
	}
	if s := approval(t, en, a, c.ID); s != tenantry.ApprovalPending {
		t.Fatalf("approval of %s is %q, want pending", c.ID, s)
	}
	return c, link[1]
}

func approval(t *testing.T, en *hubEnv, a *tenantry.Actor, customerID string) tenantry.Approval {
	t.Helper()
	s, err := en.db.CustomerApproval(t.Context(), a, customerID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBrowserApprovalLink: the admin of an organization that attaches
// (C7) opens the approval link of the invitation in a browser, in the
// mail's language (English, then Arabic, right to left): the page says
// what is asked and changes nothing; Approve shows the outcome and the
// approval takes effect (the customer is provisioned); the link then says
// it was used.
func TestBrowserApprovalLink(t *testing.T) {
	en := newHubEnv(t, filepath.Join(t.TempDir(), "tenantry.db"), "sqlite")
	ctx := t.Context()
	res, err := en.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Acme Telecom", AdminEmail: "ops@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := en.db.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	a, err := en.db.ResolveActor(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	tpl := &tenantry.Template{Name: "Gold", Country: "US", ServiceProviderAdminID: res.Admin.ID, SubscriptionID: res.Subscription.ID, BrandName: "Acme Cloud"}
	if err := en.db.CreateTemplate(ctx, a, tpl); err != nil {
		t.Fatal(err)
	}
	b := newBrowserTab(t, en)

	for _, tc := range []struct{ lang, dir, org, name string }{
		{"en", "ltr", "org-riverside", "Riverside Clinic"},
		{"ar", "rtl", "org-nahr", "عيادة النهر"},
	} {
		lang := tc.lang
		tr := func(key string, kv ...string) string {
			params := map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				params[kv[i]] = kv[i+1]
			}
			return b.tr.Message(lang, key, params)
		}
		c, token := attachPending(t, en, a, tpl, tc.org, tc.name, lang)
		link := "/v1/approvals/" + token

		// Opening the link shows the question, in the mail's language,
		// and decides nothing.
		b.open(link)
		if l, d := eval[string](b, `document.documentElement.lang`), eval[string](b, `document.documentElement.dir`); l != lang || d != tc.dir {
			t.Errorf("%s: page lang %q dir %q", lang, l, d)
		}
		if h, want := b.text("h1"), tr("links.approval.title", "organization", tc.name); h != want {
			t.Errorf("%s: heading %q, want %q", lang, h, want)
		}
		for _, want := range []string{tc.org, "Acme Cloud"} {
			if !eval[bool](b, `document.querySelector("dl").textContent.includes(`+jsString(want)+`)`) {
				t.Errorf("%s: the page does not name %q: %s", lang, want, b.text("main"))
			}
		}
		if got := b.text(`button[value=approve]`); got != tr("links.approval.approve") {
			t.Errorf("%s: approve button %q", lang, got)
		}
		b.visitBoth(lang + "-approval-question")
		b.open(link) // a second look, as a mail scanner and then the person
		if s := approval(t, en, a, c.ID); s != tenantry.ApprovalPending {
			t.Fatalf("%s: after opening the link the approval is %q, want pending", lang, s)
		}

		// Approve: the outcome, and the approval taken.
		b.submit(`button[name=decision][value=approve]`, "/v1/approvals/")
		if h, want := b.text("h1"), tr("links.approval.done_approved_title"); h != want {
			t.Errorf("%s: after approving, heading %q, want %q", lang, h, want)
		}
		if eval[bool](b, `document.querySelector("form") !== null`) {
			t.Errorf("%s: the outcome page still has a form", lang)
		}
		b.visitBoth(lang + "-approval-approved")
		if s := approval(t, en, a, c.ID); s != tenantry.ApprovalApproved {
			t.Errorf("%s: after approving the approval is %q", lang, s)
		}
		waitProvisioned(t, en, a, c.ID)

		// The link again: used, and how it was settled.
		b.open(link)
		if h, want := b.text("h1"), tr("links.used.title"); h != want {
			t.Errorf("%s: the used link's heading %q, want %q", lang, h, want)
		}
		if got, want := b.text("main"), tr("links.outcome.approved"); !strings.Contains(got, want) {
			t.Errorf("%s: the used link does not say %q: %s", lang, want, got)
		}
		b.visitBoth(lang + "-approval-used")

		// The consent link (U3) of a user of that customer whose email is
		// a free account: the page asks and decides nothing; Accept does.
		email := "free-" + lang + "@gmail.example"
		if err := en.db.AddFreeAccount(ctx, email); err != nil {
			t.Fatal(err)
		}
		var hq string
		if err := en.db.SQL().QueryRowContext(ctx, rebind(en, `SELECT id FROM locations WHERE customer_id = ? AND headquarters = 1`), c.ID).Scan(&hq); err != nil {
			t.Fatal(err)
		}
		sub, err := en.db.CreateSubscriber(ctx, a, &tenantry.SubscriberInput{CustomerID: c.ID, Email: email, Package: "webex_meetings", FirstName: "Frida", LocationID: hq})
		if err != nil {
			t.Fatal(err)
		}
		var mailID string
		if err := en.db.SQL().QueryRowContext(ctx, rebind(en, `SELECT id FROM outbox WHERE customer_id = ? AND kind = 'consent'`), c.ID).Scan(&mailID); err != nil {
			t.Fatal(err)
		}
		sent, err := en.db.MessageToSend(ctx, mailID)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`/v1/consents/([A-Za-z0-9_-]{20,})`).FindStringSubmatch(sent.Text)
		if m == nil {
			t.Fatalf("%s: no consent link in the mail as sent:\n%s", lang, sent.Text)
		}
		status := func() tenantry.SubscriberStatus {
			t.Helper()
			got, err := en.db.Subscriber(ctx, a, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}
		b.open("/v1/consents/" + m[1])
		if got := b.text(`button[value=accept]`); got != tr("links.consent.accept") {
			t.Errorf("%s: accept button %q", lang, got)
		}
		b.visitBoth(lang + "-consent-question")
		if st := status(); st != tenantry.SubscriberPendingUserMigration {
			t.Fatalf("%s: after opening the consent link the user is %q", lang, st)
		}
		b.submit(`button[name=decision][value=accept]`, "/v1/consents/")
		if h, want := b.text("h1"), tr("links.consent.done_accepted_title"); h != want {
			t.Errorf("%s: after accepting, heading %q, want %q", lang, h, want)
		}
		b.visitBoth(lang + "-consent-accepted")
		if st := status(); st == tenantry.SubscriberPendingUserMigration {
			t.Errorf("%s: after accepting the user is still %q", lang, st)
		}
	}
}

// waitProvisioned waits for the customer's provisioning to finish.
func waitProvisioned(t *testing.T, en *hubEnv, a *tenantry.Actor, id string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := en.db.Customer(context.Background(), a, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == tenantry.StatusProvisioned {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s still %s after its approval", id, c.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
