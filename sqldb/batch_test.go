package sqldb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// openBatchDB opens a fresh database of engine e.
func openBatchDB(t *testing.T, e sqldbtest.Engine) *DB {
	t.Helper()
	db, err := Open(t.Context(), e.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdLead starts grouped transactions that keep every lead until release
// is closed, so that the transactions started meanwhile wait and then run
// as batches.
func holdLead(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, done = make(chan struct{}), make(chan error, db.batch.max)
	for range db.batch.max {
		started := make(chan struct{})
		go func() {
			done <- db.inGroupedTx(context.Background(), true, func(tx *Tx) error {
				close(started)
				<-release
				return nil
			})
		}()
		<-started
	}
	return release, done
}

// waitLeaders waits for the transactions holding the leads.
func waitLeaders(t *testing.T, db *DB, done chan error) {
	t.Helper()
	for range db.batch.max {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// waitQueued waits until n transactions wait for the lead.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.batch.mu.Lock()
		got := len(db.batch.hi) + len(db.batch.lo)
		db.batch.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions waiting, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func countRows(t *testing.T, db *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.queryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBatchKeepsTransactionsApart: transactions that commit together still
// succeed or fail one by one. The one that fails leaves none of its rows
// and none of its jobs; the others keep theirs. A queued write (sent on
// PostgreSQL only with the member's last statements) that the database
// refuses fails its own transaction, not the next one.
func TestBatchKeepsTransactionsApart(t *testing.T) {
	sqldbtest.Each(t, testBatchKeepsTransactionsApart)
}

func testBatchKeepsTransactionsApart(t *testing.T, e sqldbtest.Engine) {
	db := openBatchDB(t, e)
	jobsBefore := countRows(t, db, `SELECT COUNT(*) FROM river_job`)
	release, leaderDone := holdLead(t, db)

	errRefused := errors.New("refused")
	insert := func(email string, fail bool) func(*Tx) error {
		return func(tx *Tx) error {
			if _, err := tx.exec(context.Background(), `INSERT INTO free_accounts (email, created) VALUES (?, 1)`, email); err != nil {
				return err
			}
			tx.enqueue(tenantry.ProvisionCustomerJob{CustomerID: email, Version: 1})
			if fail {
				return errRefused
			}
			return nil
		}
	}
	results := make(chan struct {
		email string
		err   error
	}, 4)
	for i, c := range []struct {
		email   string
		request bool
		fail    bool
	}{{"a@x.example", true, false}, {"b@x.example", false, true}, {"c@x.example", true, false}, {"d@x.example", false, false}} {
		go func() {
			err := db.inGroupedTx(context.Background(), c.request, insert(c.email, c.fail))
			results <- struct {
				email string
				err   error
			}{c.email, err}
		}()
		waitQueued(t, db, i+1)
	}
	// A duplicate key fails by the database's own error, also in the batch,
	// and also when the write was queued.
	errDuplicate := errors.New("duplicate")
	go func() {
		err := db.inGroupedTx(context.Background(), true, func(tx *Tx) error {
			return tx.write(context.Background(), func(err error) error {
				if isConflict(err) {
					return errDuplicate
				}
				return err
			}, `INSERT INTO free_accounts (email, created) VALUES (?, 1)`, "a@x.example")
		})
		results <- struct {
			email string
			err   error
		}{"a@x.example (again)", err}
	}()
	waitQueued(t, db, 5)
	go func() {
		err := db.inGroupedTx(context.Background(), false, insert("e@x.example", false))
		results <- struct {
			email string
			err   error
		}{"e@x.example", err}
	}()
	waitQueued(t, db, 6)
	close(release)
	waitLeaders(t, db, leaderDone)
	got := map[string]error{}
	for range 6 {
		r := <-results
		got[r.email] = r.err
	}
	for _, email := range []string{"a@x.example", "c@x.example", "d@x.example", "e@x.example"} {
		if got[email] != nil {
			t.Errorf("%s: %v, want success", email, got[email])
		}
	}
	if !errors.Is(got["b@x.example"], errRefused) {
		t.Errorf("b: %v, want its own error", got["b@x.example"])
	}
	if !errors.Is(got["a@x.example (again)"], errDuplicate) {
		t.Errorf("duplicate: %v, want its unique violation, mapped", got["a@x.example (again)"])
	}
	var emails []string
	rows, err := db.sql.QueryContext(t.Context(), `SELECT email FROM free_accounts ORDER BY email`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		rows.Scan(&e)
		emails = append(emails, e)
	}
	rows.Close()
	if want := []string{"a@x.example", "c@x.example", "d@x.example", "e@x.example"}; !slices.Equal(emails, want) {
		t.Errorf("rows %v, want %v", emails, want)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM river_job`) - jobsBefore; n != 4 {
		t.Errorf("%d jobs enqueued, want 4 (none from the failed transactions)", n)
	}
}

// TestBatchCancelledWaiter: a caller that gives up while waiting for the
// connection gets its context's error, and its transaction never runs.
func TestBatchCancelledWaiter(t *testing.T) {
	sqldbtest.Each(t, testBatchCancelledWaiter)
}

func testBatchCancelledWaiter(t *testing.T, e sqldbtest.Engine) {
	db := openBatchDB(t, e)
	release, leaderDone := holdLead(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- db.inGroupedTx(ctx, true, func(tx *Tx) error { ran <- struct{}{}; return nil })
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitQueued(t, db, 0)
	close(release)
	waitLeaders(t, db, leaderDone)
	// The lead is free again: the next transaction runs at once.
	if err := db.inTx(t.Context(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
		t.Fatal("the cancelled transaction ran")
	default:
	}
}

// TestBatchTakesTurns: while requests and jobs both wait, a batch takes
// them in turn, oldest first in each class, so neither starves; a batch a
// request leads takes no more jobs than requests, a job's fills up with
// jobs; the next leader is the oldest request waiting.
func TestBatchTakesTurns(t *testing.T) {
	var b batcher
	names := map[*txOp]string{}
	push := func(ns ...string) {
		for _, n := range ns {
			op := &txOp{request: n[:3] == "req"}
			names[op] = n
			b.push(op)
		}
	}
	took := func(ops ...*txOp) []string {
		var got []string
		for _, op := range ops {
			got = append(got, names[op])
		}
		return got
	}
	push("job1", "job2", "job3", "job4", "job5", "req1", "req2")
	// Led by a request: job, request, job, request, job; then no more jobs
	// than the three requests.
	if got, want := took(b.take(15, true)...), []string{"job1", "req1", "job2", "req2", "job3"}; !slices.Equal(got, want) {
		t.Fatalf("a request's batch took %v, want %v", got, want)
	}
	push("req3", "job6", "job7")
	// Led by a job: request, job, …, then jobs to the end.
	if got, want := took(b.take(4, false)...), []string{"req3", "job4", "job5", "job6"}; !slices.Equal(got, want) {
		t.Fatalf("a job's batch took %v, want %v", got, want)
	}
	push("req4")
	if got := took(b.next()); got[0] != "req4" {
		t.Fatalf("next leader %v, want req4", got)
	}
	if got := took(b.next()); got[0] != "job7" {
		t.Fatalf("next leader %v, want job7", got)
	}
	if b.next() != nil {
		t.Fatal("a leader from an empty queue")
	}
}

// TestBatchDeadlockVictimRunsAlone: two batches that lock the same two rows
// in opposite orders deadlock on PostgreSQL; the batch PostgreSQL picks to
// break it is rolled back and its members run again, each alone, and every
// caller succeeds, as each would have on its own.
func TestBatchDeadlockVictimRunsAlone(t *testing.T) {
	// SQLite has one writer: its batches never wait on each other.
	ran := false
	for _, e := range sqldbtest.Engines(t) {
		if e.Name != Postgres {
			continue
		}
		ran = true
		db := openBatchDB(t, e)
		ctx := t.Context()
		for _, email := range []string{"x@x.example", "y@x.example"} {
			if err := db.inTx(ctx, func(tx *Tx) error {
				_, err := tx.exec(ctx, `INSERT INTO free_accounts (email, created) VALUES (?, 0)`, email)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		bump := func(tx *Tx, email string) error {
			_, err := tx.exec(ctx, `UPDATE free_accounts SET created = created + 1 WHERE email = ?`, email)
			return err
		}
		aHasX, bHasY := make(chan struct{}), make(chan struct{})
		var aOnce, bOnce sync.Once // the ops of the batch rolled back run twice
		op := func(fn func(*Tx) error) *txOp {
			return &txOp{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
		}
		a := []*txOp{
			op(func(tx *Tx) error { defer aOnce.Do(func() { close(aHasX) }); return bump(tx, "x@x.example") }),
			op(func(tx *Tx) error { <-bHasY; return bump(tx, "y@x.example") }),
		}
		b := []*txOp{
			op(func(tx *Tx) error { defer bOnce.Do(func() { close(bHasY) }); return bump(tx, "y@x.example") }),
			op(func(tx *Tx) error { <-aHasX; return bump(tx, "x@x.example") }),
		}
		go db.runBatch(a)
		go db.runBatch(b)
		for _, o := range append(a, b...) {
			<-o.done
			if o.err != nil {
				t.Errorf("a caller failed: %v", o.err)
			}
		}
		if n := countRows(t, db, `SELECT SUM(created) FROM free_accounts`); n != 4 {
			t.Errorf("%d updates kept, want 4", n)
		}
	}
	if !ran {
		t.Skip("needs PostgreSQL (TENANTRY_TEST_POSTGRES_URL)")
	}
}

// TestBatchDropsARefusedMember: on PostgreSQL, where a batch has no
// savepoints, a member refused before any of its writes reached the
// database is dropped with its queued writes, and the others commit
// without running again; one refused after a write was sent makes the
// batch roll back and every member run again alone. Either way each
// caller gets its own answer and only the accepted rows are kept.
func TestBatchDropsARefusedMember(t *testing.T) {
	ran := false
	for _, e := range sqldbtest.Engines(t) {
		if e.Name != Postgres {
			continue // SQLite batches roll a refused member back to its savepoint
		}
		ran = true
		db := openBatchDB(t, e)
		ctx := t.Context()
		errRefused := errors.New("refused")
		var mu sync.Mutex
		runs := map[string]int{}
		member := func(email string, refuse, afterSend bool) *txOp {
			return &txOp{ctx: ctx, done: make(chan struct{}), lead: make(chan struct{}), fn: func(tx *Tx) error {
				mu.Lock()
				runs[email]++
				mu.Unlock()
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM free_accounts`).Scan(&n); err != nil {
					return err
				}
				if err := tx.write(ctx, nil, `INSERT INTO free_accounts (email, created) VALUES (?, 1)`, email); err != nil {
					return err
				}
				tx.enqueue(tenantry.ProvisionCustomerJob{CustomerID: email, Version: 1})
				if afterSend {
					// A read sends the queued insert before the refusal.
					if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM free_accounts`).Scan(&n); err != nil {
						return err
					}
				}
				if refuse {
					return errRefused
				}
				return nil
			}}
		}
		// Runs of each member: in the batch (a member after the refused
		// one is not reached when the batch is rolled back), then alone.
		for _, c := range []struct {
			name      string
			afterSend bool
			wantRuns  []int
		}{{"refused before its writes were sent", false, []int{1, 1, 1}}, {"refused after a write was sent", true, []int{2, 2, 1}}} {
			mu.Lock()
			clear(runs)
			mu.Unlock()
			jobsBefore := countRows(t, db, `SELECT COUNT(*) FROM river_job`)
			p := strings.ReplaceAll(c.name, " ", "-")
			ops := []*txOp{member("a-"+p+"@x.example", false, false), member("b-"+p+"@x.example", true, c.afterSend), member("c-"+p+"@x.example", false, false)}
			db.runBatch(ops)
			for i, op := range ops {
				<-op.done
				if want := i == 1; (op.err != nil) != want || (want && !errors.Is(op.err, errRefused)) {
					t.Errorf("%s: member %d: err %v", c.name, i, op.err)
				}
			}
			for i, name := range []string{"a", "b", "c"} {
				if n := runs[name+"-"+p+"@x.example"]; n != c.wantRuns[i] {
					t.Errorf("%s: member %s ran %d times, want %d", c.name, name, n, c.wantRuns[i])
				}
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM free_accounts WHERE email LIKE ?`, "%-"+p+"@x.example"); n != 2 {
				t.Errorf("%s: %d rows kept, want the two accepted", c.name, n)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM river_job`) - jobsBefore; n != 2 {
				t.Errorf("%s: %d jobs kept, want the two accepted", c.name, n)
			}
		}
	}
	if !ran {
		t.Skip("needs PostgreSQL (TENANTRY_TEST_POSTGRES_URL)")
	}
}
