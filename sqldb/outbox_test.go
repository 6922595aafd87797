package sqldb

// The outbox, on every engine. These tests are inside the package because
// the mail a write queues is queued in that write's transaction
// (Tx.queueMail, Tx.queueProvisioningMail), which only the package reaches.

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// mailClock is a clock the test moves by hand; every reading also moves it
// on a microsecond, so that rows written one after the other keep their
// order.
type mailClock struct {
	mu  sync.Mutex
	now time.Time
}

func newMailClock() *mailClock {
	return &mailClock{now: time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)}
}

func (c *mailClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Microsecond)
	return c.now
}

func (c *mailClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mailEnv is a fresh database with one partner and its template.
type mailEnv struct {
	db    *DB
	url   string
	clock *mailClock
	actor *tenantry.Actor
	boot  *tenantry.BootstrapResult
}

func newMailEnv(t *testing.T, e sqldbtest.Engine) *mailEnv {
	t.Helper()
	env := &mailEnv{url: e.URL(t), clock: newMailClock()}
	env.db = openMailDB(t, env.url, env.clock)
	env.boot, env.actor = mailPartner(t, env.db, "Northwind")
	return env
}

func openMailDB(t *testing.T, url string, clock *mailClock) *DB {
	t.Helper()
	db, err := Open(t.Context(), url, Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mailPartner(t *testing.T, db *DB, name string) (*tenantry.BootstrapResult, *tenantry.Actor) {
	t.Helper()
	ctx := t.Context()
	res, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: name, AdminEmail: "ops@" + strings.ToLower(name) + ".example"})
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	p, err := db.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.ResolveActor(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	return res, a
}

// template stores a template with a brand name of its own.
func (env *mailEnv) template(t *testing.T, name string, allowInvites bool) *tenantry.Template {
	t.Helper()
	tpl := &tenantry.Template{Name: name, Country: "US", ServiceProviderAdminID: env.boot.Admin.ID, SubscriptionID: env.boot.Subscription.ID,
		BrandName: "Northwind Voice", EmailLanguage: "sv", AllowAdminInviteEmails: allowInvites}
	if err := env.db.CreateTemplate(t.Context(), env.actor, tpl); err != nil {
		t.Fatalf("create template: %v", err)
	}
	return tpl
}

func mailAddress(country string) tenantry.Address {
	switch country {
	case "US":
		return tenantry.Address{Line1: "771 Alder Drive", City: "Milpitas", State: "CA", PostalCode: "95035", Country: "US"}
	case "CA":
		return tenantry.Address{Line1: "181 Bay Street", City: "Toronto", State: "ON", PostalCode: "M5J 2T3", Country: "CA"}
	case "GB":
		return tenantry.Address{Line1: "10 Finsbury Square", City: "London", PostalCode: "EC2A 1AF", Country: "GB"}
	case "CU":
		return tenantry.Address{Line1: "Calle 23 No. 156", City: "La Habana", Country: "CU"}
	}
	panic("no address for " + country)
}

// provisioned creates a meetings customer in country (attaching orgID when
// given) and runs its provisioning job.
func (env *mailEnv) provisioned(t *testing.T, tpl *tenantry.Template, ext, country, lang, orgID string) *tenantry.Customer {
	t.Helper()
	ctx := t.Context()
	addr := mailAddress(country)
	in := &tenantry.CustomerInput{
		ProvisioningID: tpl.ProvisioningID, Packages: []string{"webex_meetings"}, ExternalID: ext, Address: &addr, OrgID: orgID,
		Info: &tenantry.CustomerInfo{Name: "Customer " + ext, PrimaryEmail: "admin@" + ext + ".example", Language: lang},
	}
	c, err := env.db.CreateCustomer(ctx, env.actor, in)
	if err != nil {
		t.Fatalf("create customer %s: %v", ext, err)
	}
	if err := env.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
		t.Fatalf("provision %s: %v", ext, err)
	}
	if c, err = env.db.Customer(ctx, env.actor, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// messages lists every message of the actor, oldest first.
func (env *mailEnv) messages(t *testing.T, a *tenantry.Actor, f tenantry.OutboxFilter) []*tenantry.Message {
	t.Helper()
	if f.Max == 0 {
		f.Max = tenantry.MaxPageMax
	}
	ms, total, err := env.db.OutboxMessages(t.Context(), a, f)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ms) {
		t.Fatalf("total %d, but %d messages", total, len(ms))
	}
	slices.Reverse(ms)
	return ms
}

func kindsOf(ms []*tenantry.Message) []tenantry.MailKind {
	var out []tenantry.MailKind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

// TestQueueProvisioningMail: a provisioned customer's first admin gets the
// invitation (unless an existing organization was attached and the template
// keeps admin-invite emails off, T4) and, in the US and Canada, the separate
// E911 confirmation whatever the template says (U6); in the customer's
// language, with the brand name; once, however often it is called.
func TestQueueProvisioningMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		env := newMailEnv(t, e)
		invitesOff := env.template(t, "Invites off", false)
		invitesOn := env.template(t, "Invites on", true)
		invite, e911 := tenantry.MailAdminInvitation, tenantry.MailE911Confirmation
		tests := []struct {
			name     string
			tpl      *tenantry.Template
			country  string
			lang     string
			attach   string
			want     []tenantry.MailKind
			wantLang string
		}{
			{"new organization in the US", invitesOff, "US", "pt_BR", "", []tenantry.MailKind{invite, e911}, "pt-BR"},
			{"new organization in Canada", invitesOff, "CA", "", "", []tenantry.MailKind{invite, e911}, "sv"},
			{"new organization in the UK", invitesOff, "GB", "ko", "", []tenantry.MailKind{invite}, "ko"},
			{"unsupported language: the template's", invitesOff, "GB", "fr", "", []tenantry.MailKind{invite}, "sv"},
			{"attached, invites off, US", invitesOff, "US", "es", "org-us-1", []tenantry.MailKind{e911}, "es"},
			{"attached, invites off, UK", invitesOff, "GB", "es", "org-gb-1", nil, ""},
			{"attached, invites on, UK", invitesOn, "GB", "ar", "org-gb-2", []tenantry.MailKind{invite}, "ar"},
			{"held for compliance review", invitesOn, "CU", "en", "", nil, ""},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				c := env.provisioned(t, tt.tpl, "mail-"+itoa(i), tt.country, tt.lang, tt.attach)
				for range 2 { // the second call finds everything queued already
					if err := env.db.inTx(ctx, func(tx *Tx) error { return tx.queueProvisioningMail(ctx, c) }); err != nil {
						t.Fatalf("queue provisioning mail: %v", err)
					}
				}
				ms := env.messages(t, env.actor, tenantry.OutboxFilter{CustomerID: c.ID})
				if diff := cmp.Diff(tt.want, kindsOf(ms)); diff != "" {
					t.Fatalf("mail kinds (-want +got):\n%s", diff)
				}
				for _, m := range ms {
					if m.To != c.PrimaryEmail || m.PartnerID != env.actor.OrgID || m.Language != tt.wantLang || m.FromName != "Northwind Voice" ||
						m.Status != tenantry.MailQueued || m.Attempts != 0 || !m.Sent.IsZero() {
						t.Errorf("%s: to %s partner %s language %s from %q status %s attempts %d sent %v", m.Kind, m.To, m.PartnerID, m.Language, m.FromName, m.Status, m.Attempts, m.Sent)
					}
					for _, part := range []string{m.Text, m.HTML} {
						if !strings.Contains(part, "Northwind Voice") || !strings.Contains(part, c.Name) {
							t.Errorf("%s does not name the brand and the customer:\n%s", m.Kind, part)
						}
					}
					if !strings.Contains(m.HTML, `lang="`+tt.wantLang+`"`) {
						t.Errorf("%s: HTML is not in %s", m.Kind, tt.wantLang)
					}
				}
			})
		}
	})
}

// TestQueueMailRules: storage applies rules U5 and U6 to every mail queued,
// whoever queues it, and refuses a mail it cannot write without writing
// anything.
func TestQueueMailRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		env := newMailEnv(t, e)
		ctx := t.Context()
		tpl := env.template(t, "Standard", false)
		us := env.provisioned(t, tpl, "us", "US", "en", "")
		uk := env.provisioned(t, tpl, "uk", "GB", "en", "")
		data := tenantry.MailData{BrandName: "Northwind Voice", CustomerName: "Customer", Link: "https://hub.example/consent/1"}
		tests := []struct {
			name   string
			c      *tenantry.Customer
			kind   tenantry.MailKind
			to     string
			queued bool
		}{
			{"welcome to an end user", us, tenantry.MailWelcome, "user@us.example", true},
			{"welcome to the customer admin (U5)", us, tenantry.MailWelcome, us.PrimaryEmail, false},
			{"welcome to the customer admin in other case (U5)", us, tenantry.MailWelcome, strings.ToUpper(us.PrimaryEmail), false},
			{"E911 to a US user (U6)", us, tenantry.MailE911Confirmation, "user2@us.example", true},
			{"E911 to a US admin (U6)", us, tenantry.MailE911Confirmation, us.PrimaryEmail, true},
			{"E911 to a UK user (U6)", uk, tenantry.MailE911Confirmation, "user@uk.example", false},
			{"consent to a UK user", uk, tenantry.MailConsent, "user@uk.example", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := len(env.messages(t, env.actor, tenantry.OutboxFilter{}))
				msg := &tenantry.Message{PartnerID: tt.c.PartnerID, CustomerID: tt.c.ID, Kind: tt.kind, To: tt.to, Language: "en"}
				if err := env.db.QueueMail(ctx, msg, data); err != nil {
					t.Fatal(err)
				}
				after := env.messages(t, env.actor, tenantry.OutboxFilter{})
				if queued := len(after) == before+1; queued != tt.queued {
					t.Fatalf("queued = %v, want %v", queued, tt.queued)
				}
				if tt.queued && (after[len(after)-1].ID != msg.ID || after[len(after)-1].To != tt.to) {
					t.Errorf("stored %+v, queued %+v", after[len(after)-1], msg)
				}
			})
		}

		refused := []struct {
			name string
			msg  tenantry.Message
			data tenantry.MailData
		}{
			{"invalid recipient", tenantry.Message{Kind: tenantry.MailAdminInvitation, To: "not an address"}, data},
			{"consent without its link", tenantry.Message{Kind: tenantry.MailConsent, To: "x@uk.example"}, tenantry.MailData{BrandName: "B", CustomerName: "C"}},
			{"unknown kind", tenantry.Message{Kind: "newsletter", To: "x@uk.example"}, data},
			{"welcome without a customer", tenantry.Message{Kind: tenantry.MailWelcome, To: "x@uk.example"}, data},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				before := len(env.messages(t, env.actor, tenantry.OutboxFilter{}))
				msg := tt.msg
				msg.PartnerID = env.actor.OrgID
				err := env.db.inTx(ctx, func(tx *Tx) error {
					if _, err := tx.exec(ctx, `UPDATE customers SET name = 'changed' WHERE id = ?`, uk.ID); err != nil {
						return err
					}
					return tx.queueMail(ctx, &msg, tt.data)
				})
				if err == nil {
					t.Fatal("queued, want an error")
				}
				if n := len(env.messages(t, env.actor, tenantry.OutboxFilter{})); n != before {
					t.Errorf("%d messages, want %d", n, before)
				}
				if c, _ := env.db.Customer(ctx, env.actor, uk.ID); c.Name == "changed" {
					t.Error("the write that queued the refused mail was committed")
				}
			})
		}
	})
}

// TestOutboxReads: a partner reads its own messages only (another partner's
// is not found), newest first, filtered by status and customer, in pages.
func TestOutboxReads(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		env := newMailEnv(t, e)
		ctx := t.Context()
		_, other := mailPartner(t, env.db, "Other")
		queue := func(a *tenantry.Actor, to, customerID string) *tenantry.Message {
			msg := &tenantry.Message{PartnerID: a.OrgID, CustomerID: customerID, Kind: tenantry.MailAdminInvitation, To: to, Language: "en"}
			if err := env.db.QueueMail(ctx, msg, tenantry.MailData{BrandName: "B", CustomerName: "C"}); err != nil {
				t.Fatal(err)
			}
			// Read back, the mail is rendered from the data kept.
			var err error
			msg.Subject, msg.Text, msg.HTML, err = mail.Render(msg.Kind, msg.Language, tenantry.MailData{BrandName: "B", CustomerName: "C", RecipientEmail: to})
			if err != nil {
				t.Fatal(err)
			}
			return msg
		}
		var mine []*tenantry.Message
		for i := range 5 {
			mine = append(mine, queue(env.actor, "a"+itoa(i)+"@x.example", "cust-"+itoa(i%2)))
		}
		theirs := queue(other, "b@y.example", "cust-0")

		got, err := env.db.OutboxMessage(ctx, env.actor, mine[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(mine[0], got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Key" }, cmp.Ignore())); diff != "" {
			t.Errorf("stored message (-queued +read):\n%s", diff)
		}
		if _, err := env.db.OutboxMessage(ctx, env.actor, theirs.ID); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("another partner's message: err = %v, want not found", err)
		}
		if _, err := env.db.OutboxMessage(ctx, env.actor, "no-such-message"); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("unknown message: err = %v, want not found", err)
		}

		ids := func(ms []*tenantry.Message) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		page, total, err := env.db.OutboxMessages(ctx, env.actor, tenantry.OutboxFilter{Page: tenantry.Page{Offset: 1, Max: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{mine[3].ID, mine[2].ID}, ids(page)); total != 5 || diff != "" {
			t.Errorf("page 2 of 2: total %d, ids (-want +got):\n%s", total, diff)
		}
		byCustomer := env.messages(t, env.actor, tenantry.OutboxFilter{CustomerID: "cust-1"})
		if diff := cmp.Diff([]string{mine[1].ID, mine[3].ID}, ids(byCustomer)); diff != "" {
			t.Errorf("customer filter (-want +got):\n%s", diff)
		}
		if err := env.db.MarkMailFailed(ctx, mine[4].ID, 0, "refused", 0); err != nil {
			t.Fatal(err)
		}
		failed := env.messages(t, env.actor, tenantry.OutboxFilter{Status: tenantry.MailFailed})
		if diff := cmp.Diff([]string{mine[4].ID}, ids(failed)); diff != "" {
			t.Errorf("status filter (-want +got):\n%s", diff)
		}
		if n := len(env.messages(t, other, tenantry.OutboxFilter{})); n != 1 {
			t.Errorf("the other partner sees %d messages, want its 1", n)
		}
	})
}

// TestClaimMail walks a message through the sender's operations: a claim
// leases it and counts an attempt; a failure keeps it queued until its
// retry; a sender that dies leaves it due again when its lease ends, and its
// late marks change nothing; the last failure or a delivery settles it.
func TestClaimMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		env := newMailEnv(t, e)
		ctx, db := t.Context(), env.db
		var queued []string
		for i := range 3 {
			msg := &tenantry.Message{PartnerID: env.actor.OrgID, Kind: tenantry.MailAdminInvitation, To: "a" + itoa(i) + "@x.example", Language: "en"}
			if err := db.QueueMail(ctx, msg, tenantry.MailData{BrandName: "B", CustomerName: "C"}); err != nil {
				t.Fatal(err)
			}
			queued = append(queued, msg.ID)
		}
		claim := func(max int) []*tenantry.Message {
			t.Helper()
			ms, err := db.ClaimMail(ctx, max, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		read := func(id string) *tenantry.Message {
			t.Helper()
			m, err := db.OutboxMessage(ctx, env.actor, id)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}

		first := claim(2)
		if len(first) != 2 || first[0].ID != queued[0] || first[1].ID != queued[1] || first[0].Attempts != 1 {
			t.Fatalf("first claim: %d messages %+v", len(first), first)
		}
		rest := claim(10)
		if len(rest) != 1 || rest[0].ID != queued[2] {
			t.Fatalf("second claim took %d messages, want the one not leased", len(rest))
		}
		if again := claim(10); len(again) != 0 {
			t.Fatalf("claimed %d leased messages", len(again))
		}

		// The first fails and waits for its retry; the second is delivered.
		if err := db.MarkMailFailed(ctx, first[0].ID, 1, "dial tcp: connection refused", 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkMailSent(ctx, first[1].ID, 1); err != nil {
			t.Fatal(err)
		}
		m := read(first[0].ID)
		if m.Status != tenantry.MailQueued || m.Attempts != 1 || m.LastError != "dial tcp: connection refused" || !m.NextAttempt.After(env.clock.Now().Add(9*time.Minute)) {
			t.Errorf("after a failure: %s, attempts %d, error %q, next %v", m.Status, m.Attempts, m.LastError, m.NextAttempt)
		}
		if s := read(first[1].ID); s.Status != tenantry.MailSent || s.Sent.IsZero() || s.Attempts != 1 {
			t.Errorf("after delivery: %s, sent %v, attempts %d", s.Status, s.Sent, s.Attempts)
		}

		// The third's sender died: after its lease, another takes it over,
		// and the dead claim's marks are ignored.
		env.clock.advance(2 * time.Minute)
		taken := claim(10)
		if len(taken) != 1 || taken[0].ID != queued[2] || taken[0].Attempts != 2 {
			t.Fatalf("after the lease: claimed %+v, want the third at attempt 2", taken)
		}
		if err := db.MarkMailSent(ctx, queued[2], 1); err != nil {
			t.Fatal(err)
		}
		if s := read(queued[2]); s.Status != tenantry.MailQueued {
			t.Errorf("a stale claim marked the message %s", s.Status)
		}
		if err := db.MarkMailFailed(ctx, queued[2], 2, "550 no such user", 0); err != nil {
			t.Fatal(err)
		}
		if f := read(queued[2]); f.Status != tenantry.MailFailed || f.LastError != "550 no such user" || f.Attempts != 2 {
			t.Errorf("after giving up: %s, %q, attempts %d", f.Status, f.LastError, f.Attempts)
		}

		// The first is due at its retry, not before.
		env.clock.advance(7 * time.Minute)
		if early := claim(10); len(early) != 0 {
			t.Fatalf("claimed %d messages before their retry", len(early))
		}
		env.clock.advance(2 * time.Minute)
		if due := claim(10); len(due) != 1 || due[0].ID != queued[0] || due[0].Attempts != 2 {
			t.Fatalf("at the retry: claimed %+v", due)
		}
		if err := db.MarkMailFailed(ctx, queued[0], 2, strings.Repeat("é", 2000), time.Minute); err != nil {
			t.Fatal(err)
		}
		if m := read(queued[0]); len(m.LastError) > maxErrorLen+len("…") || !strings.HasSuffix(m.LastError, "…") {
			t.Errorf("a long error is kept whole (%d bytes)", len(m.LastError))
		}
	})
}

// TestClaimMailConcurrently: senders in several processes (here, several
// database handles) claim the same outbox at once; each message is claimed
// by exactly one of them.
func TestClaimMailConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		env := newMailEnv(t, e)
		ctx := t.Context()
		const n = 60
		for i := range n {
			msg := &tenantry.Message{PartnerID: env.actor.OrgID, Kind: tenantry.MailAdminInvitation, To: "u" + itoa(i) + "@x.example", Language: "en"}
			if err := env.db.QueueMail(ctx, msg, tenantry.MailData{BrandName: "B", CustomerName: "C"}); err != nil {
				t.Fatal(err)
			}
		}
		dbs := []*DB{env.db, openMailDB(t, env.url, env.clock), openMailDB(t, env.url, env.clock)}
		var mu sync.Mutex
		claimed := map[string]int{}
		var wg sync.WaitGroup
		for w := range 6 {
			db := dbs[w%len(dbs)]
			wg.Go(func() {
				for {
					ms, err := db.ClaimMail(ctx, 3, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ms) == 0 {
						return
					}
					mu.Lock()
					for _, m := range ms {
						claimed[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(claimed) != n {
			t.Errorf("%d messages claimed, want %d", len(claimed), n)
		}
		for id, k := range claimed {
			if k != 1 {
				t.Errorf("message %s claimed %d times", id, k)
			}
		}
	})
}

func TestMinted(t *testing.T) {
	if !minted(newID("ORGANIZATION"), "ORGANIZATION") {
		t.Error("an organization id Tenantry made does not read as minted")
	}
	for _, id := range []string{"", "org-us-1", newID("CUSTOMER"), "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8xMjM"} {
		if minted(id, "ORGANIZATION") {
			t.Errorf("%q reads as an organization id Tenantry made", id)
		}
	}
}
