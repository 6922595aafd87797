package sqldb_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// jobID returns the queue id of a customer's only job of kind.
func jobID(t *testing.T, f *fixture, kind, customerID string) int64 {
	t.Helper()
	var id int64
	if err := f.db.SQL().QueryRowContext(t.Context(), rebind(f.db, `SELECT id FROM river_job WHERE kind = ? AND `+jobArg(f.db)+` = ?`), kind, customerID).Scan(&id); err != nil {
		t.Fatalf("job %s of %s: %v", kind, customerID, err)
	}
	return id
}

// TestFinishedJobIDNotReused: a job finished with its work (its queue row
// deleted in that transaction, on SQLite) leaves its id to River's
// completer, which marks that id completed a moment later if it is still
// running. A job inserted meanwhile must not get the same id: SQLite gives
// a new row the largest id plus one, so a job inserted after the deletion
// of the newest row took the deleted row's id, and River's completer then
// marked that job (an import, in the crash test) completed while it ran;
// the import stopped half way with nothing left to resume it.
func TestFinishedJobIDNotReused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.customer(t, tpl, "ext-1")
		id := jobID(t, f, "provision_customer", c.ID)
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE river_job SET state = 'running' WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		if err := f.db.ProvisionCustomer(tenantry.WithJobID(ctx, id), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		d := f.customer(t, tpl, "ext-2")
		if next := jobID(t, f, "provision_customer", d.ID); next <= id {
			t.Errorf("the job inserted after job %d finished got id %d: River's completer would complete it", id, next)
		}
	})
}

// manualClock is a clock a test moves on by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// leaseFixture is a fixture on a database whose clock the test moves and
// whose Idempotency-Key reservations hold for a minute.
func leaseFixture(t *testing.T, e sqldbtest.Engine) (*fixture, *manualClock) {
	t.Helper()
	clk := newManualClock()
	db, err := sqldb.Open(t.Context(), e.URL(t), sqldb.Options{Now: clk.now, IdempotencyLease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	boot, a := addPartner(t, db, "Acme")
	return &fixture{db: db, boot: boot, actor: a}, clk
}

// TestIdempotencyLease: a reservation whose request died unanswered holds
// its key for its lease only; then a retry takes the key over, and the
// first holder can neither answer nor free it any more.
func TestIdempotencyLease(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, clk := leaseFixture(t, e)
		ctx := t.Context()
		pid := f.boot.Partner.ID
		claim := func() *tenantry.IdempotencyClaim { return tenantry.NewIdempotencyClaim(pid, "key-1") }

		dead := claim()
		if resp, err := f.db.ReserveIdempotencyKey(ctx, dead, "hash-1"); err != nil || resp != nil {
			t.Fatalf("reserve = %v, %v", resp, err)
		}
		clk.advance(59 * time.Second)
		_, err := f.db.ReserveIdempotencyKey(ctx, claim(), "hash-1")
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)
		// Another request under the key stays refused after the lease.
		clk.advance(2 * time.Second)
		_, err = f.db.ReserveIdempotencyKey(ctx, claim(), "hash-2")
		wantError(t, err, tenantry.EUNPROCESSABLE, tenantry.ReasonIdempotencyMismatch)

		retry := claim()
		if resp, err := f.db.ReserveIdempotencyKey(ctx, retry, "hash-1"); err != nil || resp != nil {
			t.Fatalf("reserve after the lease = %v, %v; want the key", resp, err)
		}
		late := &tenantry.IdempotentResponse{Status: 202, Location: "late", Body: []byte(`{}`)}
		if err := f.db.CompleteIdempotencyKey(ctx, dead, late); err != nil {
			t.Fatal(err)
		}
		if err := f.db.ReleaseIdempotencyKey(ctx, dead); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.ReserveIdempotencyKey(ctx, claim(), "hash-1")
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)

		want := &tenantry.IdempotentResponse{Status: 201, Location: "retry", Body: []byte(`{"id":"x"}`)}
		if err := f.db.CompleteIdempotencyKey(ctx, retry, want); err != nil {
			t.Fatal(err)
		}
		// An answered key has no lease: it replays for good.
		clk.advance(time.Hour)
		resp, err := f.db.ReserveIdempotencyKey(ctx, claim(), "hash-1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, resp); diff != "" {
			t.Errorf("replay (-want +got):\n%s", diff)
		}
	})
}

// answering is a claim of key whose answer is rendered from the customer
// created, as the API renders it.
func answering(t *testing.T, f *fixture, key, hash string) (context.Context, *tenantry.IdempotencyClaim) {
	t.Helper()
	c := tenantry.NewIdempotencyClaim(f.boot.Partner.ID, key)
	if resp, err := f.db.ReserveIdempotencyKey(t.Context(), c, hash); err != nil || resp != nil {
		t.Fatalf("reserve %s = %v, %v", key, resp, err)
	}
	c.Answer = func(v any) (*tenantry.IdempotentResponse, error) {
		cu, ok := v.(*tenantry.Customer)
		if !ok {
			return nil, nil
		}
		return &tenantry.IdempotentResponse{Status: 202, Location: "/customers/" + cu.ID, Body: []byte(`{"url":"/customers/` + cu.ID + `"}`)}, nil
	}
	return tenantry.WithIdempotencyClaim(t.Context(), c), c
}

// TestIdempotentAnswerWithWork: a customer's creation under an
// Idempotency-Key stores its answer in its own transaction. Work that
// commits is answered even if nothing runs after it (the process died, the
// connection dropped before the answer reached the handler); work that
// fails leaves the key to be freed; and a request that lost its key to a
// retry (its lease ran out) creates nothing.
func TestIdempotentAnswerWithWork(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, clk := leaseFixture(t, e)
		ctx := t.Context()
		pid := f.boot.Partner.ID
		tpl := f.template(t, "Standard")

		kctx, _ := answering(t, f, "create-1", "h1")
		c, err := f.db.CreateCustomer(kctx, f.actor, customerInput(tpl, "ext-1"))
		if err != nil {
			t.Fatal(err)
		}
		// No CompleteIdempotencyKey: the answer is there already.
		resp, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "create-1"), "h1")
		if err != nil || resp == nil {
			t.Fatalf("retry = %v, %v; want the stored answer", resp, err)
		}
		if resp.Status != 202 || resp.Location != "/customers/"+c.ID {
			t.Errorf("retry answered %d %s, want 202 /customers/%s", resp.Status, resp.Location, c.ID)
		}

		// Refused work stores nothing: the key is the request's to free.
		kctx, claim := answering(t, f, "create-2", "h2")
		_, err = f.db.CreateCustomer(kctx, f.actor, customerInput(tpl, "ext-1"))
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonExternalIDTaken)
		if err := f.db.ReleaseIdempotencyKey(ctx, claim); err != nil {
			t.Fatal(err)
		}
		if resp, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "create-2"), "h2"); err != nil || resp != nil {
			t.Errorf("after the failed request: %v, %v; want the key free", resp, err)
		}

		// A request whose key a retry took over creates nothing.
		kctx, _ = answering(t, f, "create-3", "h3")
		clk.advance(2 * time.Minute)
		if _, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "create-3"), "h3"); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.CreateCustomer(kctx, f.actor, customerInput(tpl, "ext-3"))
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers WHERE external_id = ?`, "ext-3"); n != 0 {
			t.Errorf("%d customers made by a request that had lost its key", n)
		}
	})
}

// TestRecover: on start, SQLite frees the keys its last process left
// unanswered (PostgreSQL leaves them to their lease: other processes may
// hold them), and an unfinished import whose job ended gets one again,
// once however often Recover runs.
func TestRecover(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, _ := importFixture(t, e)
		ctx := t.Context()
		pid := f.boot.Partner.ID
		if _, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "pending"), "h"); err != nil {
			t.Fatal(err)
		}
		done := tenantry.NewIdempotencyClaim(pid, "answered")
		if _, err := f.db.ReserveIdempotencyKey(ctx, done, "h"); err != nil {
			t.Fatal(err)
		}
		if err := f.db.CompleteIdempotencyKey(ctx, done, &tenantry.IdempotentResponse{Status: 201, Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		im := startImport(t, f, c, importHeader+"Ann,Lee,ann@example.com,webex_meetings,,,\n", false)
		live := func() int {
			return count(t, f.db, `SELECT COUNT(*) FROM river_job WHERE kind = 'import_users' AND state = 'available' AND `+
				strings.ReplaceAll(jobArg(f.db), "customerId", "importId")+` = ?`, im.ID)
		}
		rec, err := f.db.Recover(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Imports) != 0 || live() != 1 {
			t.Errorf("recover gave the queued import %v (%d jobs), want nothing more than its one job", rec.Imports, live())
		}
		wantFreed := 1
		if e.Name == sqldb.Postgres {
			wantFreed = 0
		}
		if rec.IdempotencyKeys != wantFreed {
			t.Errorf("%d keys freed, want %d", rec.IdempotencyKeys, wantFreed)
		}
		resp, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "pending"), "h")
		if e.Name == sqldb.Postgres {
			wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonIdempotencyPending)
		} else if err != nil || resp != nil {
			t.Errorf("the pending key after recover: %v, %v; want it free", resp, err)
		}
		if resp, err := f.db.ReserveIdempotencyKey(ctx, tenantry.NewIdempotencyClaim(pid, "answered"), "h"); err != nil || resp == nil || resp.Status != 201 {
			t.Errorf("the answered key after recover: %v, %v; want its answer", resp, err)
		}

		// The job ended while the import had rows left (River's completer
		// once completed a job that reused a finished job's id).
		if _, err := f.db.SQL().ExecContext(ctx, `UPDATE river_job SET state = 'completed', finalized_at = CURRENT_TIMESTAMP WHERE kind = 'import_users'`); err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]string{{im.ID}, nil} {
			rec, err := f.db.Recover(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, rec.Imports); diff != "" || live() != 1 {
				t.Errorf("recover %d: imports resumed (-want +got):\n%s; %d jobs, want 1", i+1, diff, live())
			}
		}
		if err := f.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: im.ID}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Import(ctx, f.actor, c.ID, im.ID); got.Status != tenantry.ImportCompleted || got.Created != 1 {
			t.Errorf("import after recover: %+v", got)
		}
	})
}
