package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// openBatchDB opens a fresh SQLite database, where transactions are
// grouped.
func openBatchDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "batch.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdLead starts a transaction that keeps the lead until release is
// closed, so that the transactions started meanwhile wait and then run as
// one batch.
func holdLead(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, done, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- db.inTx(context.Background(), func(tx *Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	return release, done
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
	if err := db.sql.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBatchKeepsTransactionsApart: transactions that commit together still
// succeed or fail one by one. The one that fails leaves none of its rows
// and none of its jobs; the others keep theirs.
func TestBatchKeepsTransactionsApart(t *testing.T) {
	db := openBatchDB(t)
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
			err := db.inTxAs(context.Background(), c.request, insert(c.email, c.fail))
			results <- struct {
				email string
				err   error
			}{c.email, err}
		}()
		waitQueued(t, db, i+1)
	}
	// A duplicate key fails by the database's own error, also in the batch.
	go func() {
		err := db.inTx(context.Background(), insert("a@x.example", false))
		results <- struct {
			email string
			err   error
		}{"a@x.example (again)", err}
	}()
	waitQueued(t, db, 5)
	close(release)
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	got := map[string]error{}
	for range 5 {
		r := <-results
		got[r.email] = r.err
	}
	for _, email := range []string{"a@x.example", "c@x.example", "d@x.example"} {
		if got[email] != nil {
			t.Errorf("%s: %v, want success", email, got[email])
		}
	}
	if !errors.Is(got["b@x.example"], errRefused) {
		t.Errorf("b: %v, want its own error", got["b@x.example"])
	}
	if !isConflict(got["a@x.example (again)"]) {
		t.Errorf("duplicate: %v, want a unique violation", got["a@x.example (again)"])
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
	if want := []string{"a@x.example", "c@x.example", "d@x.example"}; !slices.Equal(emails, want) {
		t.Errorf("rows %v, want %v", emails, want)
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM river_job`) - jobsBefore; n != 3 {
		t.Errorf("%d jobs enqueued, want 3 (none from the failed transactions)", n)
	}
}

// TestBatchCancelledWaiter: a caller that gives up while waiting for the
// connection gets its context's error, and its transaction never runs.
func TestBatchCancelledWaiter(t *testing.T) {
	db := openBatchDB(t)
	release, leaderDone := holdLead(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- db.inTx(ctx, func(tx *Tx) error { ran <- struct{}{}; return nil })
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitQueued(t, db, 0)
	close(release)
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
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
// them in turn, oldest first in each class, so neither starves.
func TestBatchTakesTurns(t *testing.T) {
	var b batcher
	names := map[*txOp]string{}
	for _, n := range []string{"job1", "job2", "job3", "req1", "req2"} {
		op := &txOp{request: n[:3] == "req"}
		names[op] = n
		b.push(op)
	}
	var got []string
	for _, op := range b.take(4, true) {
		got = append(got, names[op])
	}
	if want := []string{"req1", "job1", "req2", "job2"}; !slices.Equal(got, want) {
		t.Fatalf("took %v, want %v", got, want)
	}
	if rest := b.take(4, true); len(rest) != 1 || names[rest[0]] != "job3" {
		t.Fatalf("left %d waiters, want job3", len(rest))
	}
}
