package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestEveryWriteAnswersWithItsWork: every store method a POST of the API
// calls to change something stores the answer to the request's
// Idempotency-Key in the transaction of its work, once: the key replays
// with nothing stored after the method returned; and a request whose key
// another took over (its lease ran out) changes nothing.
func TestEveryWriteAnswersWithItsWork(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		clk := newManualClock()
		db, err := sqldb.Open(t.Context(), e.URL(t), sqldb.Options{Now: clk.now, IdempotencyLease: time.Minute,
			Webhooks: tenantry.WebhookPolicy{AllowPrivate: true}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		boot, a := addPartner(t, db, "Acme")
		f := &fixture{db: db, boot: boot, actor: a}
		ctx := t.Context()
		pid := boot.Partner.ID
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "base")
		hq := f.headquarters(t, c.ID)
		if err := db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-big", UserCount: 100}); err != nil {
			t.Fatal(err)
		}
		big := f.attach(t, tpl, "big", "org-big")
		if err := db.AddFreeAccount(ctx, "free@gmail.example"); err != nil {
			t.Fatal(err)
		}
		pending, err := db.CreateSubscriber(ctx, a, &tenantry.SubscriberInput{CustomerID: c.ID, Email: "free@gmail.example", Package: "webex_meetings"})
		if err != nil || pending.Status != tenantry.SubscriberPendingUserMigration {
			t.Fatalf("pending user: %+v, %v", pending, err)
		}
		rows, err := tenantry.ParseUserCSV(strings.NewReader(importHeader+"Ann,Lee,ann@example.com,webex_meetings,,,\n"), tenantry.MaxImportRows)
		if err != nil {
			t.Fatal(err)
		}
		numbers := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(50)}}
		n := func(q string, args ...any) func() int {
			return func() int { return count(t, db, q, args...) }
		}

		writes := []struct {
			name   string
			result string // the type of the result the answer is rendered from
			do     func(ctx context.Context) error
			done   func() int
		}{
			{"customer", "*tenantry.Customer", func(ctx context.Context) error {
				_, err := db.CreateCustomer(ctx, a, customerInput(tpl, "new"))
				return err
			}, n(`SELECT COUNT(*) FROM customers WHERE external_id = 'new'`)},
			{"template", "*tenantry.Template", func(ctx context.Context) error {
				return db.CreateTemplate(ctx, a, templateFor(boot, "Second"))
			}, n(`SELECT COUNT(*) FROM templates WHERE name = 'Second'`)},
			{"user", "*tenantry.Subscriber", func(ctx context.Context) error {
				_, err := db.CreateSubscriber(ctx, a, &tenantry.SubscriberInput{CustomerID: c.ID, Email: "grace@example.com", Package: "webex_meetings"})
				return err
			}, n(`SELECT COUNT(*) FROM subscribers WHERE email = 'grace@example.com'`)},
			{"import", "*tenantry.Import", func(ctx context.Context) error {
				_, err := db.CreateImport(ctx, a, &tenantry.ImportInput{CustomerID: c.ID, Rows: rows})
				return err
			}, n(`SELECT COUNT(*) FROM imports WHERE customer_id = ?`, c.ID)},
			{"location", "*tenantry.Location", func(ctx context.Context) error {
				_, err := db.CreateLocation(ctx, a, c.ID, branchInput("Branch"))
				return err
			}, n(`SELECT COUNT(*) FROM locations WHERE name = 'Branch'`)},
			{"numbers", "[]*tenantry.PhoneNumber", func(ctx context.Context) error {
				_, err := db.AddNumbers(ctx, a, c.ID, hq.ID, &numbers)
				return err
			}, n(`SELECT COUNT(*) FROM phone_numbers WHERE location_id = ?`, hq.ID)},
			{"customer admin", "*tenantry.CustomerAdmin", func(ctx context.Context) error {
				_, err := db.AddCustomerAdmin(ctx, a, c.ID, &tenantry.CustomerAdminInput{Email: "ro@base.example", Role: tenantry.AdminReadOnly, Package: "webex_calling"})
				return err
			}, n(`SELECT COUNT(*) FROM customer_admins WHERE email = 'ro@base.example'`)},
			{"approval decision", "*tenantry.Customer", func(ctx context.Context) error {
				_, err := db.DecideApproval(ctx, a, big.ID, true)
				return err
			}, n(`SELECT COUNT(*) FROM audit_log WHERE action = 'customer.approval' AND resource_id = ?`, big.ID)},
			{"webhook", "*tenantry.Webhook", func(ctx context.Context) error {
				return db.CreateWebhook(ctx, a, &tenantry.Webhook{URL: "http://127.0.0.1:9/hook", Events: []string{tenantry.EventCustomerUpdated}, Active: true})
			}, n(`SELECT COUNT(*) FROM webhooks WHERE url = 'http://127.0.0.1:9/hook'`)},
			{"token", "*tenantry.Token", func(ctx context.Context) error {
				_, _, err := db.CreateToken(ctx, pid, nil, &tenantry.TokenInput{Name: "nightly", Scopes: []string{tenantry.ScopeCustomersRead}})
				return err
			}, n(`SELECT COUNT(*) FROM api_tokens WHERE name = 'nightly'`)},
			{"consent request", "*tenantry.Subscriber", func(ctx context.Context) error {
				return db.ResendConsent(ctx, a, pending.ID)
			}, n(`SELECT COUNT(*) FROM audit_log WHERE action = 'subscriber.consent_requested' AND resource_id = ?`, pending.ID)},
		}
		// claim reserves key for a request whose answer names the type of
		// the result of its work.
		claim := func(key string) context.Context {
			c := tenantry.NewIdempotencyClaim(pid, key)
			if resp, err := db.ReserveIdempotencyKey(ctx, c, "h"); err != nil || resp != nil {
				t.Fatalf("reserve %s = %v, %v", key, resp, err)
			}
			c.Answer = func(v any) (*tenantry.IdempotentResponse, error) {
				return &tenantry.IdempotentResponse{Status: 201, Body: fmt.Appendf(nil, "%T", v)}, nil
			}
			return tenantry.WithIdempotencyClaim(ctx, c)
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				// The request loses its key to a retry: it changes nothing.
				was := w.done()
				kctx := claim("lost-" + w.name)
				clk.advance(2 * time.Minute)
				if _, err := db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "lost-"+w.name), "h"); err != nil {
					t.Fatal(err)
				}
				wantError(t, w.do(kctx), tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)
				if got := w.done() - was; got != 0 {
					t.Errorf("a request that had lost its key did its work %d times", got)
				}

				// The work commits with its answer.
				if err := w.do(claim("key-" + w.name)); err != nil {
					t.Fatal(err)
				}
				if got := w.done() - was; got != 1 {
					t.Errorf("done %d times, want once", got)
				}
				resp, err := db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "key-"+w.name), "h")
				if err != nil || resp == nil || resp.Status != 201 || string(resp.Body) != w.result {
					t.Errorf("the key after the work = %+v, %v; want the answer rendered from its %s", resp, err, w.result)
				}
			})
		}
	})
}
