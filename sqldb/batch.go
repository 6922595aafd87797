package sqldb

import (
	"context"
	"fmt"
	"sync"
)

// Group commit. On SQLite, which has one connection and one writer, half of
// a short transaction's time is its BEGIN and COMMIT: writing the pages it
// changed to the WAL. On PostgreSQL, on a machine this size, the CPU goes
// to round trips: every statement wakes both processes. So transactions
// that wait run together in one database transaction, and none is told it
// succeeded before the one COMMIT. Each caller still sees its own
// transaction succeed or fail as a whole: on SQLite each runs in a
// savepoint of its own, and one that fails is rolled back to it while the
// others go on; on PostgreSQL a failure rolls the batch back and each runs
// again alone (runTogether).
//
// The first caller to find a free lead runs a batch of itself and whoever
// waits, then hands the lead to the next waiter. When requests and jobs
// both wait, a batch takes them in turn, so neither starves the other and
// a request waits for at most one batch. SQLite has one lead and every
// transaction is grouped; PostgreSQL has a few leads (connections work in
// parallel) and groups only the short, hot transactions (inGroupedTx),
// which lock at most one customer each and can run twice.

// maxBatch bounds a batch, and so the wait of the next one.
const maxBatch = 16

// txOp is one caller's transaction.
type txOp struct {
	ctx     context.Context
	request bool
	fn      func(*Tx) error
	err     error
	done    chan struct{} // closed once err is final
	lead    chan struct{} // closed when the op is to lead the next batch
}

func (op *txOp) finish(err error) {
	op.err = err
	close(op.done)
}

type batcher struct {
	mu     sync.Mutex
	leads  int     // batches running
	max    int     // batches that may run at once
	hi, lo []*txOp // waiting requests and jobs, oldest first
}

// inBatch runs fn as a transaction of its own, committed with others.
func (db *DB) inBatch(ctx context.Context, request bool, fn func(*Tx) error) error {
	op := &txOp{ctx: ctx, request: request, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	b := &db.batch
	b.mu.Lock()
	if b.leads < max(b.max, 1) {
		b.leads++
		b.mu.Unlock()
	} else {
		b.push(op)
		b.mu.Unlock()
		select {
		case <-op.done:
			return op.err
		case <-op.lead:
		case <-ctx.Done():
			b.mu.Lock()
			removed := b.remove(op)
			b.mu.Unlock()
			if removed {
				return ctx.Err()
			}
			// Taken into a batch, or handed the lead, meanwhile.
			select {
			case <-op.done:
				return op.err
			case <-op.lead:
			}
		}
	}
	b.mu.Lock()
	batch := append([]*txOp{op}, b.take(maxBatch-1, request)...)
	b.mu.Unlock()
	db.runBatch(batch)
	b.mu.Lock()
	if next := b.next(); next != nil {
		close(next.lead)
	} else {
		b.leads--
	}
	b.mu.Unlock()
	return op.err
}

func (b *batcher) push(op *txOp) {
	if op.request {
		b.hi = append(b.hi, op)
	} else {
		b.lo = append(b.lo, op)
	}
}

func (b *batcher) remove(op *txOp) bool {
	for _, q := range []*[]*txOp{&b.hi, &b.lo} {
		for i, o := range *q {
			if o == op {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// take removes up to n waiters to run in a batch with its leader (a
// request or a job): requests and jobs in turn, oldest first in each
// class, so that neither starves. A batch a request leads takes no more
// jobs than requests: a request's answer waits for its batch's commit, and
// should not wait for a run of jobs too. A job's batch fills up with jobs.
func (b *batcher) take(n int, requestLeads bool) []*txOp {
	var out []*txOp
	reqs, jobs := 0, 0
	if requestLeads {
		reqs = 1
	}
	jobFits := func() bool { return len(b.lo) > 0 && (!requestLeads || jobs < reqs) }
	hiTurn := !requestLeads
	for len(out) < n {
		switch {
		case len(b.hi) > 0 && (hiTurn || !jobFits()):
			out, b.hi = append(out, b.hi[0]), b.hi[1:]
			reqs++
		case jobFits():
			out, b.lo = append(out, b.lo[0]), b.lo[1:]
			jobs++
		default:
			return out
		}
		hiTurn = !hiTurn
	}
	return out
}

// next removes the waiter to lead the next batch: the oldest request, or
// else the oldest job.
func (b *batcher) next() *txOp {
	var op *txOp
	switch {
	case len(b.hi) > 0:
		op, b.hi = b.hi[0], b.hi[1:]
	case len(b.lo) > 0:
		op, b.lo = b.lo[0], b.lo[1:]
	}
	return op
}

// runBatch runs ops in one transaction and finishes each of them.
func (db *DB) runBatch(ops []*txOp) {
	live := ops[:0:0]
	for _, op := range ops {
		if err := op.ctx.Err(); err != nil {
			op.finish(err) // its caller gave up before it began
			continue
		}
		live = append(live, op)
	}
	switch {
	case len(live) == 1:
		live[0].finish(db.runAlone(live[0]))
	case len(live) == 0:
	case db.engine == Postgres:
		db.runTogether(live)
	default:
		db.runSavepoints(live)
	}
}

// runAlone runs op in a transaction of its own.
func (db *DB) runAlone(op *txOp) error {
	// The batch is not its callers': none of their contexts may end it.
	ctx := context.WithoutCancel(op.ctx)
	tx, err := db.begin(ctx)
	if err != nil {
		return mapError(err)
	}
	tx.grouped = true
	if err := op.fn(tx); err != nil {
		tx.rollback()
		return err
	}
	return tx.commit(ctx)
}

// runTogether runs ops one after the other in one transaction, with no
// savepoint between them (PostgreSQL): a savepoint costs two statements
// and a subtransaction, and the writes of one op go in the round trip of
// the next one's first read. An op that fails before any of its writes
// reached the database (a check refused it) is dropped from the batch with
// its queued writes. Should an op fail otherwise, or the commit, the
// transaction is rolled back and each op runs again alone, where it fails
// or succeeds on its own; this is why only inGroupedTx transactions, which
// can run twice, are grouped on PostgreSQL. Two batches that deadlock end
// the same way: PostgreSQL fails one, whose ops then run alone.
func (db *DB) runTogether(ops []*txOp) {
	ctx := context.WithoutCancel(ops[0].ctx)
	errs := make([]error, len(ops))
	err := func() error {
		tx, err := db.begin(ctx)
		if err != nil {
			return err
		}
		tx.grouped = true
		for i, op := range ops {
			// The ops share the templates and webhooks read, which none
			// of them writes, but not what they read of a customer.
			tx.forgetRows()
			m := tx.mark()
			if errs[i] = op.fn(tx); errs[i] != nil && !tx.undo(m) {
				tx.rollback()
				return errs[i]
			}
		}
		return tx.commit(ctx)
	}()
	for i, op := range ops {
		if err != nil {
			errs[i] = db.runAlone(op)
		}
		op.finish(errs[i])
	}
}

// runSavepoints runs ops in one transaction, each in a savepoint of its own
// (SQLite): one that fails is rolled back to its savepoint, and the others
// go on.
func (db *DB) runSavepoints(ops []*txOp) {
	ctx := context.WithoutCancel(ops[0].ctx)
	tx, err := db.begin(ctx)
	if err != nil {
		for _, op := range ops {
			op.finish(mapError(err))
		}
		return
	}
	tx.grouped = true
	errs := make([]error, len(ops))
	for i, op := range ops {
		if err := tx.runSaved(ctx, op.fn, &errs[i]); err != nil {
			// The transaction itself failed (SQLite rolled it back, say):
			// nothing of the batch is kept.
			tx.rollback()
			for j, op := range ops {
				if errs[j] == nil {
					errs[j] = fmt.Errorf("group commit: %w", err)
				}
				op.finish(errs[j])
			}
			return
		}
	}
	if err := tx.commit(ctx); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, op := range ops {
		op.finish(errs[i])
	}
}

// runSaved runs fn inside a savepoint, with the jobs it enqueues, and sets
// *opErr to its error, its writes rolled back. The returned error is the
// transaction's own: the savepoint could not be made or undone.
func (t *Tx) runSaved(ctx context.Context, fn func(*Tx) error, opErr *error) error {
	// Each caller starts with empty caches, as in a transaction of its own:
	// a write of one caller must never be read from another's cache.
	t.resetCaches()
	t.jobs = nil
	if err := t.savepoint(ctx, "op"); err != nil {
		return err
	}
	err := fn(t)
	if err == nil && len(t.jobs) > 0 {
		err = t.db.queue.insertTx(ctx, t, t.jobs)
	}
	t.jobs = nil
	if err == nil {
		// Releasing sends the op's queued writes: their failure is its own.
		if err = t.releaseSavepoint(ctx, "op"); err == nil {
			return nil
		}
	}
	*opErr = err
	if err := t.rollbackTo(ctx, "op"); err != nil {
		return err
	}
	return t.releaseSavepoint(ctx, "op")
}
