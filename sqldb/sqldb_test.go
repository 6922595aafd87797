package sqldb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The shared suite: every test here runs on every engine through
// sqldbtest.Each, so that SQLite and PostgreSQL are held to one behaviour.

// fixture is a fresh database on one engine with one bootstrapped partner.
type fixture struct {
	db    *sqldb.DB
	boot  *tenantry.BootstrapResult
	actor *tenantry.Actor
}

// steppingClock is a deterministic clock that moves on one millisecond at
// every reading, so that any write shows in the times it stores.
func steppingClock() tenantry.Clock {
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var n atomic.Int64
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// openDB opens a fresh database of engine e, closed when the test ends.
func openDB(t *testing.T, e sqldbtest.Engine) *sqldb.DB {
	t.Helper()
	return openDBWith(t, e, steppingClock())
}

// openDBWith is openDB with the clock now.
func openDBWith(t *testing.T, e sqldbtest.Engine, now tenantry.Clock) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), e.URL(t), sqldb.Options{Now: now})
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Engine() != e.Name {
		t.Fatalf("Engine() = %q, want %q", db.Engine(), e.Name)
	}
	return db
}

// newFixture opens a fresh database with the partner "Acme".
func newFixture(t *testing.T, e sqldbtest.Engine) *fixture {
	t.Helper()
	return newFixtureWith(t, e, steppingClock())
}

// newFixtureWith is newFixture with the clock now.
func newFixtureWith(t *testing.T, e sqldbtest.Engine, now tenantry.Clock) *fixture {
	t.Helper()
	db := openDBWith(t, e, now)
	boot, a := addPartner(t, db, "Acme")
	return &fixture{db: db, boot: boot, actor: a}
}

// addPartner bootstraps a partner and returns the actor of its token, the
// way a request resolves it.
func addPartner(t *testing.T, db *sqldb.DB, name string) (*tenantry.BootstrapResult, *tenantry.Actor) {
	t.Helper()
	ctx := t.Context()
	res, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: name, AdminEmail: "ops@" + strings.ToLower(name) + ".example"})
	if err != nil {
		t.Fatalf("bootstrap %s: %v", name, err)
	}
	p, err := db.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	a, err := db.ResolveActor(ctx, p, "")
	if err != nil {
		t.Fatalf("resolve actor %s: %v", name, err)
	}
	return res, a
}

// onBehalfOf is the actor of the fixture's partner acting for its
// sub-partner, as a request with onBehalfOfSubPartnerOrgId resolves it; it
// sees the sub-partner's state as it is now.
func (f *fixture) onBehalfOf(t *testing.T, subPartnerID string) *tenantry.Actor {
	t.Helper()
	p, err := f.db.Authenticate(t.Context(), f.boot.Token)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.db.ResolveActor(t.Context(), p, subPartnerID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// templateFor is a valid template of the bootstrapped partner.
func templateFor(boot *tenantry.BootstrapResult, name string) *tenantry.Template {
	return &tenantry.Template{Name: name, Country: "US", ServiceProviderAdminID: boot.Admin.ID, SubscriptionID: boot.Subscription.ID}
}

// template stores a valid template of the fixture's partner.
func (f *fixture) template(t *testing.T, name string) *tenantry.Template {
	t.Helper()
	tpl := templateFor(f.boot, name)
	if err := f.db.CreateTemplate(t.Context(), f.actor, tpl); err != nil {
		t.Fatalf("create template %q: %v", name, err)
	}
	return tpl
}

func usAddress() tenantry.Address {
	return tenantry.Address{Line1: "170 West Tasman Drive", City: "San Jose", State: "CA", PostalCode: "95134", Country: "US"}
}

// customerInput is a valid create request on tpl: a calling package with its
// headquarters location, and meetings.
func customerInput(tpl *tenantry.Template, ext string) *tenantry.CustomerInput {
	addr := usAddress()
	return &tenantry.CustomerInput{
		ProvisioningID: tpl.ProvisioningID,
		Packages:       []string{"webex_calling", "webex_meetings"},
		ExternalID:     ext,
		Address:        &addr,
		Info:           &tenantry.CustomerInfo{Name: "Customer " + ext, PrimaryEmail: "admin@" + ext + ".example", Language: "en"},
		Calling:        &tenantry.CallingLocation{Name: "Headquarters", Address: usAddress(), TimeZone: "America/Los_Angeles", Language: "en_us"},
	}
}

// customer creates a customer through the service.
func (f *fixture) customer(t *testing.T, tpl *tenantry.Template, ext string) *tenantry.Customer {
	t.Helper()
	c, err := f.db.CreateCustomer(t.Context(), f.actor, customerInput(tpl, ext))
	if err != nil {
		t.Fatalf("create customer %s: %v", ext, err)
	}
	return c
}

// provisioned creates a customer and runs its provisioning job in place of a worker.
func (f *fixture) provisioned(t *testing.T, tpl *tenantry.Template, ext string) *tenantry.Customer {
	t.Helper()
	c := f.customer(t, tpl, ext)
	if err := f.db.ProvisionCustomer(t.Context(), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
		t.Fatalf("provision %s: %v", ext, err)
	}
	return f.get(t, c.ID)
}

// get reads a customer of the fixture's partner.
func (f *fixture) get(t *testing.T, id string) *tenantry.Customer {
	t.Helper()
	c, err := f.db.Customer(t.Context(), f.actor, id)
	if err != nil {
		t.Fatalf("customer %s: %v", id, err)
	}
	return c
}

// wantError fails unless err is a domain error with code and, when given,
// reason.
func wantError(t *testing.T, err error, code, reason string) *tenantry.Error {
	t.Helper()
	var e *tenantry.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want %s %s", err, err, code, reason)
	}
	if e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("err = %v (code %q, reason %q), want code %q reason %q", err, e.Code, e.Reason, code, reason)
	}
	return e
}

// wantProblem fails unless err has code and a problem on field with reason,
// and returns that problem.
func wantProblem(t *testing.T, err error, code, field, reason string) tenantry.Problem {
	t.Helper()
	e := wantError(t, err, code, "")
	for _, p := range e.Problems {
		if p.Field == field && p.Reason == reason {
			return p
		}
	}
	t.Fatalf("err = %v: no problem %s: %s", err, field, reason)
	return tenantry.Problem{}
}

// rebind writes a test's own ? placeholders as the engine wants them.
func rebind(db *sqldb.DB, q string) string {
	if db.Engine() != sqldb.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// count runs a COUNT query written with ? placeholders.
func count(t *testing.T, db *sqldb.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), rebind(db, q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// jobArg is the SQL expression of the customerId argument of a River job.
func jobArg(db *sqldb.DB) string {
	if db.Engine() == sqldb.Postgres {
		return `args->>'customerId'`
	}
	return `json_extract(args, '$.customerId')`
}

// jobs counts the River jobs of kind for a customer.
func jobs(t *testing.T, db *sqldb.DB, kind, customerID string) int {
	t.Helper()
	return count(t, db, `SELECT COUNT(*) FROM river_job WHERE kind = ? AND `+jobArg(db)+` = ?`, kind, customerID)
}

// jobState returns the state and attempt of a customer's only job of kind.
func jobState(t *testing.T, db *sqldb.DB, kind, customerID string) (string, int) {
	t.Helper()
	var state string
	var attempt int
	err := db.SQL().QueryRowContext(t.Context(), rebind(db, `SELECT state, attempt FROM river_job WHERE kind = ? AND `+jobArg(db)+` = ?`), kind, customerID).Scan(&state, &attempt)
	if err != nil {
		t.Fatalf("job %s of %s: %v", kind, customerID, err)
	}
	return state, attempt
}

// actions lists the audit actions recorded for a resource.
func actions(t *testing.T, db *sqldb.DB, partnerID, resource, id string) []string {
	t.Helper()
	entries, err := db.AuditLog(t.Context(), partnerID, resource, id)
	if err != nil {
		t.Fatalf("audit log of %s %s: %v", resource, id, err)
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}

// list reads the external ids of a page of the fixture partner's
// customers (100 when filter sets no size) and the list's total.
func (f *fixture) list(t *testing.T, filter tenantry.CustomerFilter) ([]string, int) {
	t.Helper()
	if filter.Max == 0 {
		filter.Max = 100
	}
	cs, total, err := f.db.Customers(t.Context(), f.actor, filter)
	if err != nil {
		t.Fatal(err)
	}
	return externalIDs(cs), total
}

func externalIDs(cs []*tenantry.Customer) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ExternalID
	}
	return out
}

// TestDriverErrorsMapToCodes: unique violations and missing rows read the
// same on both engines.
func TestDriverErrorsMapToCodes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard onboarding")
		f.provisioned(t, tpl, "ext-a")
		b := f.provisioned(t, tpl, "ext-b")

		t.Run("duplicate external id on create", func(t *testing.T) {
			_, err := f.db.CreateCustomer(ctx, f.actor, customerInput(tpl, "ext-a"))
			p := wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldExternalID, tenantry.ReasonExternalIDTaken)
			if p.Params["value"] != "ext-a" {
				t.Errorf("params = %v, want value ext-a", p.Params)
			}
		})
		t.Run("duplicate external id on update (unique index)", func(t *testing.T) {
			in := &tenantry.CustomerInput{ExternalID: "ext-a", Packages: []string{"webex_calling", "webex_meetings"}}
			_, err := f.db.UpdateCustomer(ctx, f.actor, b.ID, in)
			wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldExternalID, tenantry.ReasonExternalIDTaken)
			if got := f.get(t, b.ID); got.ExternalID != "ext-b" || got.Status != tenantry.StatusProvisioned || got.Version != b.Version {
				t.Errorf("after the refused update: externalId %q status %s version %d, want unchanged", got.ExternalID, got.Status, got.Version)
			}
		})
		t.Run("duplicate template name in another case", func(t *testing.T) {
			err := f.db.CreateTemplate(ctx, f.actor, templateFor(f.boot, "STANDARD Onboarding"))
			wantProblem(t, err, tenantry.ECONFLICT, "name", tenantry.ReasonTemplateNameTaken)
		})
		t.Run("duplicate template name with spaces around", func(t *testing.T) {
			err := f.db.CreateTemplate(ctx, f.actor, templateFor(f.boot, "  standard onboarding "))
			wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonTemplateNameTaken)
		})
		t.Run("template renamed onto another's name", func(t *testing.T) {
			other := f.template(t, "Premium")
			other.Name = "Standard ONBOARDING"
			wantError(t, f.db.UpdateTemplate(ctx, f.actor, other), tenantry.ECONFLICT, tenantry.ReasonTemplateNameTaken)
		})
		t.Run("missing rows", func(t *testing.T) {
			const id = "no-such-id"
			_, err := f.db.Customer(ctx, f.actor, id)
			wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			_, err = f.db.Template(ctx, f.actor, id)
			wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			_, err = f.db.UpdateCustomer(ctx, f.actor, id, &tenantry.CustomerInput{Packages: []string{"webex_meetings"}})
			wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			wantError(t, f.db.DeleteCustomer(ctx, f.actor, id), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			missing := templateFor(f.boot, "Missing")
			missing.ID = id
			wantError(t, f.db.UpdateTemplate(ctx, f.actor, missing), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			wantError(t, f.db.DeleteTemplate(ctx, f.actor, id), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		})
		t.Run("bootstrap of an existing partner", func(t *testing.T) {
			for _, name := range []string{"Acme", "  acme  ", "ACME"} {
				_, err := f.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: name, AdminEmail: "other@acme.example"})
				got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonPartnerExists)
				if got.Params["id"] != f.boot.Partner.ID {
					t.Errorf("bootstrap %q: params = %v, want id %s", name, got.Params, f.boot.Partner.ID)
				}
			}
			if n := count(t, f.db, `SELECT COUNT(*) FROM partners`); n != 1 {
				t.Errorf("%d partners, want 1", n)
			}
		})
	})
}

// TestIdempotencyStore walks a key through reserve, complete, replay,
// mismatch and release.
func TestIdempotencyStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		pid := f.boot.Partner.ID
		db := f.db
		claim := func(key string) *tenantry.IdempotencyClaim { return tenantry.NewIdempotencyClaim(pid, key) }

		first := claim("key-1")
		resp, err := db.ReserveIdempotencyKey(ctx, first, "hash-1")
		if err != nil || resp != nil {
			t.Fatalf("first reserve = %v, %v; want nil, nil", resp, err)
		}
		_, err = db.ReserveIdempotencyKey(ctx, claim("key-1"), "hash-1")
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)

		stored := &tenantry.IdempotentResponse{Status: 202, Location: "http://h/v1/wholesale/customers/c1", Body: []byte(`{"url":"http://h/v1/wholesale/customers/c1"}`)}
		if err := db.CompleteIdempotencyKey(ctx, first, stored); err != nil {
			t.Fatal(err)
		}
		resp, err = db.ReserveIdempotencyKey(ctx, claim("key-1"), "hash-1")
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if diff := cmp.Diff(stored, resp); diff != "" {
			t.Errorf("replayed response (-want +got):\n%s", diff)
		}
		_, err = db.ReserveIdempotencyKey(ctx, claim("key-1"), "hash-2")
		wantError(t, err, tenantry.EUNPROCESSABLE, tenantry.ReasonIdempotencyMismatch)

		// A completed key is not released.
		if err := db.ReleaseIdempotencyKey(ctx, first); err != nil {
			t.Fatal(err)
		}
		if resp, err := db.ReserveIdempotencyKey(ctx, claim("key-1"), "hash-1"); err != nil || resp == nil {
			t.Errorf("after releasing a completed key: %v, %v; want the stored response", resp, err)
		}

		// A released pending key can be used again, even with another body.
		second := claim("key-2")
		if _, err := db.ReserveIdempotencyKey(ctx, second, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseIdempotencyKey(ctx, second); err != nil {
			t.Fatal(err)
		}
		if resp, err := db.ReserveIdempotencyKey(ctx, claim("key-2"), "hash-2"); err != nil || resp != nil {
			t.Errorf("reserve after release = %v, %v; want nil, nil", resp, err)
		}

		// Of concurrent first requests with one key, one runs and the others
		// are told it is in progress.
		const n = 10
		errs := make([]error, n)
		resps := make([]*tenantry.IdempotentResponse, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				resps[i], errs[i] = db.ReserveIdempotencyKey(ctx, claim("key-3"), "hash-3")
			})
		}
		close(start)
		wg.Wait()
		reserved := 0
		for i, err := range errs {
			switch {
			case err == nil && resps[i] == nil:
				reserved++
			case err != nil:
				wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)
			default:
				t.Errorf("concurrent reserve returned a response %+v", resps[i])
			}
		}
		if reserved != 1 {
			t.Errorf("%d concurrent reserves of one key succeeded, want 1", reserved)
		}

		// Keys are per partner.
		other, _ := addPartner(t, db, "Globex")
		if resp, err := db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(other.Partner.ID, "key-1"), "hash-9"); err != nil || resp != nil {
			t.Errorf("another partner's key-1 = %v, %v; want nil, nil", resp, err)
		}
	})
}

// TestAuditLog: every write leaves an entry naming who did what, with the
// change as a JSON document.
func TestAuditLog(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		admin := f.boot.Admin.ID
		pid := f.boot.Partner.ID

		tpl := f.template(t, "Audited")
		tpl.BrandName = "Audited Brand"
		if err := f.db.UpdateTemplate(ctx, f.actor, tpl); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteTemplate(ctx, f.actor, tpl.ID); err != nil {
			t.Fatal(err)
		}

		tpl2 := f.template(t, "Kept")
		c := f.provisioned(t, tpl2, "ext-audit")
		c, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_calling", "webex_meetings", "webex_suite"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteCustomer(ctx, f.actor, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerDeletion(ctx, tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: c.Version + 1}); err != nil {
			t.Fatal(err)
		}

		type entry struct{ Actor, Action, Resource string }
		check := func(t *testing.T, resource, id string, want []entry) []tenantry.AuditEntry {
			t.Helper()
			got, err := f.db.AuditLog(ctx, pid, resource, id)
			if err != nil {
				t.Fatal(err)
			}
			var gotEntries []entry
			for _, g := range got {
				gotEntries = append(gotEntries, entry{g.ActorID, g.Action, g.Resource})
				if g.PartnerID != pid || g.ResourceID != id || g.At.IsZero() {
					t.Errorf("%s entry: partner %q resource id %q at %v", g.Action, g.PartnerID, g.ResourceID, g.At)
				}
				if !json.Valid([]byte(g.Change)) {
					t.Errorf("%s entry: change %q is not JSON", g.Action, g.Change)
				}
			}
			if diff := cmp.Diff(want, gotEntries); diff != "" {
				t.Errorf("audit log of %s (-want +got):\n%s", resource, diff)
			}
			return got
		}
		t.Run("template", func(t *testing.T) {
			got := check(t, "template", tpl.ID, []entry{
				{admin, "template.create", "template"},
				{admin, "template.update", "template"},
				{admin, "template.delete", "template"},
			})
			if len(got) == 3 {
				if !strings.Contains(got[1].Change, "Audited Brand") {
					t.Errorf("template.update change %s does not show the new brand name", got[1].Change)
				}
			}
		})
		t.Run("customer", func(t *testing.T) {
			got := check(t, "customer", c.ID, []entry{
				{admin, "customer.create", "customer"},
				{"system", "customer.provisioned", "customer"},
				{admin, "customer.update", "customer"},
				{"system", "customer.updated", "customer"},
				{admin, "customer.delete", "customer"},
				{"system", "customer.deleted", "customer"},
			})
			for _, g := range got {
				if !strings.HasPrefix(g.Change, "{") {
					t.Errorf("%s change = %s, want a JSON object", g.Action, g.Change)
				}
			}
			if len(got) == 6 && !strings.Contains(got[2].Change, "webex_suite") {
				t.Errorf("customer.update change %s does not show the requested package", got[2].Change)
			}
		})
		// A deletion's entry should say what was deleted: once the row is
		// gone, the audit log is the only record of it.
		t.Run("template delete records the deleted template", func(t *testing.T) {
			got, err := f.db.AuditLog(ctx, pid, "template", tpl.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				if g.Action == "template.delete" && !strings.Contains(g.Change, "Audited") {
					t.Errorf("template.delete change = %s, want the deleted template (its name at least)", g.Change)
				}
			}
		})
	})
}

// TestPartnerIsolation: another partner's actor sees none of the first's
// customers and templates, and cannot change them.
func TestPartnerIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Acme Standard")
		c := f.provisioned(t, tpl, "ext-1")
		_, b := addPartner(t, f.db, "Globex")

		_, err := f.db.Customer(ctx, b, c.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.Template(ctx, b, tpl.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		cs, total, err := f.db.Customers(ctx, b, tenantry.CustomerFilter{Page: tenantry.Page{Max: 100}})
		if err != nil || len(cs) != 0 || total != 0 {
			t.Errorf("other partner's customers = %d (total %d, err %v), want none", len(cs), total, err)
		}
		cs, total, err = f.db.Customers(ctx, b, tenantry.CustomerFilter{ExternalID: "ext-1", Page: tenantry.Page{Max: 100}})
		if err != nil || len(cs) != 0 || total != 0 {
			t.Errorf("other partner's customers by external id = %d (total %d, err %v), want none", len(cs), total, err)
		}
		ts, total, err := f.db.Templates(ctx, b, tenantry.Page{Max: 100})
		if err != nil || len(ts) != 0 || total != 0 {
			t.Errorf("other partner's templates = %d (total %d, err %v), want none", len(ts), total, err)
		}

		_, err = f.db.UpdateCustomer(ctx, b, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_calling"}})
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteCustomer(ctx, b, c.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		// Even with references of its own, the other partner cannot
		// update the template.
		steal := *tpl
		steal.Name = "Stolen"
		bAdmins, err := f.db.Admins(ctx, b.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		bSubs, err := f.db.Subscriptions(ctx, b.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		steal.ServiceProviderAdminID, steal.SubscriptionID = bAdmins[0].ID, bSubs[0].ID
		wantError(t, f.db.UpdateTemplate(ctx, b, &steal), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteTemplate(ctx, b, tpl.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.CreateCustomer(ctx, b, customerInput(tpl, "ext-stolen"))
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldProvisioningID, tenantry.ReasonTemplateNotFound)
		if got, err := f.db.AuditLog(ctx, b.OrgID, "customer", c.ID); err != nil || len(got) != 0 {
			t.Errorf("other partner's audit log of the customer = %d entries (%v), want none", len(got), err)
		}

		// The first partner's data is untouched.
		if got := f.get(t, c.ID); !cmp.Equal(c, got) {
			t.Errorf("customer changed by another partner's calls:\n%s", cmp.Diff(c, got))
		}
		if got, err := f.db.Template(ctx, f.actor, tpl.ID); err != nil || got.Name != "Acme Standard" {
			t.Errorf("template after another partner's calls = %+v, %v", got, err)
		}
	})
}

// TestConcurrentCreates: distinct external ids all succeed; of five
// requests with one external id exactly one does, and the others are told
// the id is taken.
func TestConcurrentCreates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")

		const distinct, same = 20, 5
		start := make(chan struct{})
		errs := make([]error, distinct+same)
		var wg sync.WaitGroup
		for i := range distinct + same {
			ext := fmt.Sprintf("ext-%d", i)
			if i >= distinct {
				ext = "ext-shared"
			}
			wg.Go(func() {
				<-start
				_, errs[i] = f.db.CreateCustomer(ctx, f.actor, customerInput(tpl, ext))
			})
		}
		close(start)
		wg.Wait()

		for i, err := range errs[:distinct] {
			if err != nil {
				t.Errorf("create ext-%d: %v", i, err)
			}
		}
		won := 0
		for _, err := range errs[distinct:] {
			switch {
			case err == nil:
				won++
			case tenantry.ErrorCode(err) == tenantry.ECONFLICT:
				wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldExternalID, tenantry.ReasonExternalIDTaken)
			default:
				t.Errorf("create ext-shared: %v, want success or ECONFLICT", err)
			}
		}
		if won != 1 {
			t.Errorf("%d creates of ext-shared succeeded, want 1", won)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers WHERE external_id = ?`, "ext-shared"); n != 1 {
			t.Errorf("%d rows for ext-shared, want 1", n)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers`); n != distinct+1 {
			t.Errorf("%d customers, want %d", n, distinct+1)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM river_job WHERE kind = 'provision_customer'`); n != distinct+1 {
			t.Errorf("%d provisioning jobs, want %d", n, distinct+1)
		}
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, deadline time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", deadline, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestWorkersProvision runs River's workers on the database and provisions
// fifty customers end to end.
func TestWorkersProvision(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		if err := f.db.Work(ctx, provision.Workers(f.db, discardLogger(), nil), sqldb.QueueConfig{}); err != nil {
			t.Fatal(err)
		}
		const n = 50
		ids := make([]string, n)
		for i := range n {
			ids[i] = f.customer(t, tpl, fmt.Sprintf("ext-%d", i)).ID
		}
		waitFor(t, 30*time.Second, "every customer provisioned", func() bool {
			_, total, err := f.db.Customers(ctx, f.actor, tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{tenantry.StatusProvisioned}, Page: tenantry.Page{Max: 1}})
			if err != nil {
				t.Fatal(err)
			}
			return total == n
		})
		for _, id := range ids {
			c := f.get(t, id)
			if c.OrgID == "" || len(c.Errors) != 0 {
				t.Errorf("customer %s: org %q errors %v", c.ExternalID, c.OrgID, c.Errors)
			}
			if got := actions(t, f.db, f.boot.Partner.ID, "customer", id); !slices.Equal(got, []string{"customer.create", "customer.provisioned"}) {
				t.Errorf("customer %s audit = %v", c.ExternalID, got)
			}
		}
	})
}

// TestWorkerFailureIsVisible: a failed attempt shows on the customer while
// the job waits for its retry, and the retry provisions it once. River puts
// a job whose retry is due within its scheduler interval (5s; the first
// retry comes after about 1s) straight back to 'available', never
// 'retryable', so the test holds the second attempt and looks at the
// customer and the job while it runs.
func TestWorkerFailureIsVisible(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")

		retrying := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		// The fault picks its customer by external id, which is known before
		// the customer (and its job) exist.
		faulty := func(customerID string) bool {
			var ext string
			err := f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT external_id FROM customers WHERE id = ?`), customerID).Scan(&ext)
			return err == nil && ext == "ext-faulty"
		}
		fault := func(kind, customerID string, attempt int) error {
			if kind != "provision_customer" || !faulty(customerID) {
				return nil
			}
			if attempt == 1 {
				return errors.New("upstream unavailable")
			}
			// Hold the retry until the test has looked at the failure.
			once.Do(func() { close(retrying) })
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
		if err := f.db.Work(ctx, provision.Workers(f.db, discardLogger(), fault), sqldb.QueueConfig{}); err != nil {
			t.Fatal(err)
		}
		c := f.customer(t, tpl, "ext-faulty")
		healthy := f.customer(t, tpl, "ext-healthy")

		select {
		case <-retrying:
		case <-time.After(30 * time.Second):
			t.Fatal("timed out waiting for the retry")
		}
		got := f.get(t, c.ID)
		if got.Status != tenantry.StatusProvisioning {
			t.Errorf("status while retrying = %s, want provisioning", got.Status)
		}
		if len(got.Errors) != 1 || got.Errors[0].Code != tenantry.NoticeJobFailed || !strings.Contains(got.Errors[0].Description, "Attempt 1 of") || !strings.Contains(got.Errors[0].Description, "upstream unavailable") {
			t.Errorf("errors while retrying = %+v, want one %d notice naming attempt 1 and the cause", got.Errors, tenantry.NoticeJobFailed)
		}
		if state, attempt := jobState(t, f.db, "provision_customer", c.ID); state != "running" || attempt != 2 {
			t.Errorf("job while retrying: state %s attempt %d, want running 2", state, attempt)
		}
		close(release)

		waitFor(t, 30*time.Second, "the retried customer provisioned", func() bool {
			return f.get(t, c.ID).Status == tenantry.StatusProvisioned && f.get(t, healthy.ID).Status == tenantry.StatusProvisioned
		})
		if got := f.get(t, c.ID); len(got.Errors) != 0 {
			t.Errorf("errors once provisioned = %+v, want none", got.Errors)
		}
		// The job ends completed after its second attempt; on SQLite it is
		// removed with its work instead (sqldb/job.go: inCustomerJob).
		waitFor(t, 10*time.Second, "the job completed", func() bool {
			if e.Name == "sqlite" {
				return jobs(t, f.db, "provision_customer", c.ID) == 0
			}
			state, _ := jobState(t, f.db, "provision_customer", c.ID)
			return state == "completed"
		})
		if e.Name != "sqlite" {
			if _, attempt := jobState(t, f.db, "provision_customer", c.ID); attempt != 2 {
				t.Errorf("job attempts = %d, want 2", attempt)
			}
		}
		if got := actions(t, f.db, f.boot.Partner.ID, "customer", c.ID); !slices.Equal(got, []string{"customer.create", "customer.provisioned"}) {
			t.Errorf("audit = %v, want provisioned exactly once", got)
		}
	})
}

// TestBootstrapConcurrently: of several bootstraps of one partner name at
// once, one creates the partner and every other is told it exists, with
// its id, the same as a bootstrap that comes later.
func TestBootstrapConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		db := openDB(t, e)
		for round := range 3 {
			name := fmt.Sprintf("Racing Partner %d", round)
			const n = 8
			res := make([]*tenantry.BootstrapResult, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					res[i], errs[i] = db.Bootstrap(t.Context(), tenantry.BootstrapInput{PartnerName: name, AdminEmail: fmt.Sprintf("ops%d@racing.example", i)})
				})
			}
			close(start)
			wg.Wait()
			var winner string
			for i, err := range errs {
				if err == nil {
					if winner != "" {
						t.Errorf("%s: two bootstraps succeeded", name)
					}
					winner = res[i].Partner.ID
				}
			}
			if winner == "" {
				t.Fatalf("%s: no bootstrap succeeded: %v", name, errs)
			}
			for _, err := range errs {
				if err == nil {
					continue
				}
				got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonPartnerExists)
				if got.Params["id"] != winner {
					t.Errorf("%s: concurrent bootstrap refused with params %v, want id %s (the partner that exists)", name, got.Params, winner)
				}
			}
		}
	})
}

// TestOpenConcurrently: several processes starting at once on one fresh
// PostgreSQL database (a cluster rolling out) all come up. SQLite has a
// single process by design, so this runs on PostgreSQL only.
func TestOpenConcurrently(t *testing.T) {
	ran := false
	for _, e := range sqldbtest.Engines(t) {
		if e.Name != sqldb.Postgres {
			continue
		}
		ran = true
		t.Run(e.Name, func(t *testing.T) {
			for range 3 {
				url := e.URL(t)
				var wg sync.WaitGroup
				for range 4 {
					wg.Go(func() {
						db, err := sqldb.Open(t.Context(), url, sqldb.Options{MaxConns: 2})
						if err != nil {
							t.Errorf("open a fresh database alongside others: %v", err)
							return
						}
						db.Close()
					})
				}
				wg.Wait()
			}
		})
	}
	if !ran {
		t.Skip("needs PostgreSQL (TENANTRY_TEST_POSTGRES_URL)")
	}
}

// TestSubPartnerNameTaken: a second sub-partner of one name under the same
// parent is refused, naming the one that exists, as Bootstrap does.
func TestSubPartnerNameTaken(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		first, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller One")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "reseller one")
		got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonPartnerExists)
		if got.Params["id"] != first.ID {
			t.Errorf("params = %v, want id %s (the sub-partner that exists)", got.Params, first.ID)
		}
		// Another parent may use the name.
		other, _ := addPartner(t, f.db, "Globex")
		if _, err := f.db.CreateSubPartner(ctx, other.Partner.ID, "Reseller One"); err != nil {
			t.Errorf("same name under another parent: %v", err)
		}
	})
}
