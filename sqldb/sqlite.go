package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"regexp"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// On SQLite, parsing a statement costs more than running it: in the
// customer benchmark parsing was a third of all CPU at first, and later a
// fifth of the single connection's time went to River's own statements
// (fetching and completing jobs), which River runs unprepared. So the
// connection keeps every statement it runs prepared, keyed by its text,
// for everyone who uses it: this package and River alike.

// sqliteDriver is modernc's SQLite driver with a statement cache per
// connection.
const sqliteDriver = "sqlite-cached"

func init() { sql.Register(sqliteDriver, cachingDriver{&sqlite.Driver{}}) }

type cachingDriver struct{ d *sqlite.Driver }

func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.d.Open(name)
	if err != nil {
		return nil, err
	}
	return &cachingConn{inner: c.(sqliteConn), stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what modernc's connection offers and database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// maxCachedStmts bounds the cache; statements built from varying text (a
// list with a variable number of placeholders, say) are not cached past it.
const maxCachedStmts = 512

type cachingConn struct {
	inner sqliteConn
	stmts map[string]*cachedStmt // database/sql uses a connection from one goroutine at a time
}

// cachedStmt is a prepared statement and whether rows of it are open: a
// statement is run again only after its rows are closed, since running it
// resets them. A query run while its statement is busy (nested in the rows
// of the same query) is prepared afresh.
type cachedStmt struct {
	st   driver.Stmt
	busy bool
}

func (c *cachingConn) cached(query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := c.inner.PrepareContext(context.Background(), plannedOnce(query))
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{st: st}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.cached(query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.inner.ExecContext(ctx, plannedOnce(query), args)
	}
	return s.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.cached(query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.inner.QueryContext(ctx, plannedOnce(query), args)
	}
	r, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{sqliteRows: r.(sqliteRows), s: s}, nil
}

// SQLite's planner reads the value of a LIMIT or OFFSET that is a bare
// bound parameter, and a statement planned with a bound value is parsed and
// planned again whenever a new value is bound, that is on every run. Every
// list's page and River's fetch of jobs (LIMIT ?3) were planned afresh each
// time: the fetch a hundred times a second on an idle server, a third of
// its CPU, and a page of the customer list took 95 µs instead of 80. So
// the connection writes such a parameter ?+0 before preparing a statement:
// the same value, read when the statement runs.
var bareLimit = regexp.MustCompile(`\b(LIMIT|OFFSET)(\s+\?[0-9]*)([\s)]|$)`)

// plannedOnce is query with its bare LIMIT and OFFSET parameters written
// ?+0.
func plannedOnce(query string) string {
	if !strings.Contains(query, "LIMIT") {
		return query
	}
	return bareLimit.ReplaceAllString(query, "$1$2+0$3")
}

func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.st.Close()
		delete(c.stmts, q)
	}
	return c.inner.Close()
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.inner.Prepare(plannedOnce(query))
}
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, plannedOnce(query))
}
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.inner.IsValid() }

// sqliteRows is what modernc's rows offer beyond driver.Rows.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows frees its statement for the next run when closed.
type cachedRows struct {
	sqliteRows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.sqliteRows.Close()
	r.s.busy = false
	return err
}

var (
	_ sqliteConn = (*cachingConn)(nil)
	_ sqliteRows = (*cachedRows)(nil)
)

// A checkpoint copies the pages written to the WAL back into the database
// file, and syncs it. Run by the connection that commits, as SQLite does
// on its own once the WAL holds wal_autocheckpoint pages, it stopped every
// request and job for tens of milliseconds (the p99 latencies of the
// customer benchmark were those stops). So a connection of its own
// checkpoints often, in PASSIVE mode, which never waits for the writer nor
// makes it wait; once it has caught up, the writer starts the WAL over.
// The automatic checkpoint stays as a bound should this one fall behind.

// checkpointEvery is how often the checkpointer looks at the WAL.
const checkpointEvery = 25 * time.Millisecond

// checkpointInBackground starts checkpointing the database of dsn, and
// returns what stops it.
func checkpointInBackground(dsn string) (func(), error) {
	c, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(1)
	stop := every(checkpointEvery, func(context.Context) {
		// Busy (another checkpoint runs) or failed: the next tick tries
		// again, and the automatic checkpoint bounds the WAL.
		c.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	})
	return func() { stop(); c.Close() }, nil
}

// every runs fn every d in a goroutine of its own, until the function it
// returns is called (once or more); that function returns once fn is no
// longer running. fn's context ends when it is called.
func every(d time.Duration, fn func(context.Context)) func() {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-stopped }) }
}

// SQLite's query planner chooses among a table's indexes with the
// statistics ANALYZE gathers, and a database that grew from empty never
// had any: without them the planner read every customer of a partner in
// list order for a search by exact external id (90 ms at 100,000
// customers), where the external id's index finds one row. So on open,
// and every optimizeEvery after, PRAGMA optimize analyzes the tables that
// need it (never analyzed, or grown or shrunk a lot since), each index
// sampled (analysis_limit in the DSN) so that it takes milliseconds.
// PostgreSQL's autovacuum does the same there.

// optimizeEvery is how often a SQLite database's statistics are looked at.
const optimizeEvery = time.Hour

// Optimize brings SQLite's planner statistics up to date where they are
// missing or stale; on PostgreSQL it does nothing (autovacuum does it).
// Open runs it, and then the database every optimizeEvery.
func (db *DB) Optimize(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	// 0x10002: also tables never analyzed, which a plain optimize skips
	// on a connection that has not yet queried them.
	_, err := db.sql.ExecContext(ctx, `PRAGMA optimize=0x10002`)
	return err
}

// optimizeInBackground runs Optimize every optimizeEvery, and returns what
// stops it.
func (db *DB) optimizeInBackground() func() {
	return every(optimizeEvery, func(ctx context.Context) {
		// A failure (the database closing, a busy lock) waits for the
		// next tick; the statistics it would refresh only guide plans.
		db.Optimize(ctx)
	})
}
