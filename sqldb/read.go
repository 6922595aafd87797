package sqldb

import (
	"context"
	"database/sql"
	"strings"
)

// Reads outside transactions have connections of their own. SQLite's one
// writing connection (db.go) serves every write and transaction, and a
// batch of provisioning writes holds it for milliseconds; two read-only
// connections let a request authenticate and read meanwhile, WAL readers
// being never blocked by the writer. With two, a list's bounded count runs
// beside its page rather than after it; on PostgreSQL the reads share the
// pool, where the two statements take two connections and their round
// trips overlap.
//
// A read on those connections sees every transaction committed before it
// started, as a read on the writer's connection does; a transaction's own
// reads stay in the transaction. The page and its count may see different
// commits; the total is never less than the page's end (Customers,
// Subscribers).

// sqliteReadConns is how many read-only connections SQLite has: a list's
// page and its count, one for each of the machine's two cores.
const sqliteReadConns = 2

// openSQLiteReads opens the read-only connections of the SQLite database
// of dsn, the writer's: the same settings, queries only.
func openSQLiteReads(dsn string) (*sql.DB, error) {
	r, err := sql.Open(sqliteDriver, strings.Replace(dsn, "&_txlock=immediate", "", 1)+"&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(sqliteReadConns)
	r.SetMaxIdleConns(sqliteReadConns)
	r.SetConnMaxLifetime(0)
	return r, nil
}

// count runs a bounded count.
func (db *DB) count(ctx context.Context, st *Statement) (int, error) {
	r, err := db.queryStatement(ctx, *st)
	if err != nil {
		return 0, err
	}
	return scanInt(r)
}

// scanInt reads the one integer of a query's one row, and closes it.
func scanInt(r rows) (int, error) {
	defer r.Close()
	var n int
	if r.Next() {
		if err := r.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, r.Err()
}

// countAside starts a count that runs beside what the caller reads next;
// wait returns its result (the first call waits; later calls return the
// same). A count whose result is not needed is let run to its end, which
// its bound keeps short: cancelling a statement in flight costs pgx its
// connection, and the pool a new one (a page with no rows took 790 µs
// rather than 340 on PostgreSQL, with a p99 of 5 ms).
func (db *DB) countAside(ctx context.Context, st *Statement) (wait func() (int, error)) {
	ctx = context.WithoutCancel(ctx)
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := db.count(ctx, st)
		done <- result{n, err}
	}()
	var r *result
	return func() (int, error) {
		if r == nil {
			got := <-done
			r = &got
		}
		return r.n, r.err
	}
}

// queryStatement runs st on the read connections. On PostgreSQL a
// statement marked InOrder runs in a read-only transaction of its own with
// the planner kept from reading the table whole or by bitmap, and from
// sorting: it reads the list's index in order, which finds a page of a
// text many rows contain in a few thousand rows at most. The planner's own
// guess of how many rows contain a text comes from a sample of a hundred
// values, and one that held none made it read and sort all 100,000 users
// of a customer to find a name one user in fifty has (35 ms instead of 4).
func (db *DB) queryStatement(ctx context.Context, st Statement) (rows, error) {
	if !st.InOrder || db.engine != Postgres {
		return db.query(ctx, st.SQL, st.Args...)
	}
	plans := []string{"enable_seqscan", "enable_bitmapscan", "enable_sort"}
	if st.sorts {
		// A statement that sorts its page must be let sort: kept from it,
		// the planner read every customer by key to join them in order
		// (170 ms).
		plans = plans[:2]
	}
	return db.queryPlannedWithout(ctx, plans, st.SQL, st.Args...)
}

// queryPlannedWithout runs a query on PostgreSQL in a read-only
// transaction of its own in which the planner may not use the plans
// named (planner settings, such as enable_seqscan).
func (db *DB) queryPlannedWithout(ctx context.Context, plans []string, q string, args ...any) (rows, error) {
	tx, err := db.reads.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	set := make([]string, len(plans))
	for i, p := range plans {
		set[i] = "set_config('" + p + "', 'off', true)"
	}
	if _, err := tx.ExecContext(ctx, `SELECT `+strings.Join(set, ", ")); err != nil {
		tx.Rollback()
		return nil, err
	}
	r, err := tx.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return txRows{r, tx}, nil
}

// txRows are the rows of a statement that ends its transaction when they
// are closed.
type txRows struct {
	*sql.Rows
	tx *sql.Tx
}

func (r txRows) Close() error {
	err := r.Rows.Close()
	r.tx.Rollback()
	return err
}

// RunStatement runs st as the store runs it (queryStatement) and returns
// how many rows it read: benchmarks time a list's statements bare with it.
func (db *DB) RunStatement(ctx context.Context, st Statement) (int, error) {
	r, err := db.queryStatement(ctx, st)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	// Every column of every row is read, as a caller would, unconverted.
	var dst []any
	if c, ok := r.(interface{ Columns() ([]string, error) }); ok {
		cols, err := c.Columns()
		if err != nil {
			return 0, err
		}
		for range cols {
			dst = append(dst, new(sql.RawBytes))
		}
	}
	n := 0
	for r.Next() {
		if len(dst) > 0 {
			if err := r.Scan(dst...); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, r.Err()
}

// StatementIDs runs st, a statement of one text column, as the store runs
// it and returns the column's values (a page's ids; benchmarks read them
// with it too).
func (db *DB) StatementIDs(ctx context.Context, st Statement) ([]string, error) {
	r, err := db.queryStatement(ctx, st)
	if err != nil {
		return nil, err
	}
	return scanStrings(r)
}
