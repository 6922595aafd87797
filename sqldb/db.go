// Package sqldb stores Tenantry's domain in SQL, on the embedded SQLite
// (modernc.org/sqlite, pure Go) by default or on PostgreSQL (pgx), with the
// same queries and the same behaviour. It also owns the durable job queue
// (River) that lives in the same database, so that a job is enqueued in the
// same transaction as the change that causes it.
package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tenantry/tenantry"
)

//go:embed migrations
var migrations embed.FS

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options tune a database beyond its URL.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now tenantry.Clock
	// MaxConns caps PostgreSQL connections (default 24). SQLite always uses one.
	MaxConns int32
	// PublicURL is where the server is reached from outside, for links in
	// mail; DefaultPublicURL when empty.
	PublicURL string
	// ApprovalLinkTTL and ConsentLinkTTL are how long the links of approval
	// (rule C7) and consent (rule U3) mails work; tenantry's defaults when
	// zero.
	ApprovalLinkTTL, ConsentLinkTTL time.Duration
	// Webhooks is where webhooks may deliver: checked when one is
	// registered, and handed to the sender with each delivery.
	Webhooks tenantry.WebhookPolicy
	// IdempotencyLease is how long an unanswered Idempotency-Key
	// reservation holds its key; DefaultIdempotencyLease when zero.
	IdempotencyLease time.Duration
}

// DB is a Tenantry database: the domain's tables and River's.
type DB struct {
	sql *sql.DB
	// reads serves the lists' statements outside transactions (read.go): on
	// SQLite two read-only connections of their own, on PostgreSQL sql.
	reads  *sql.DB
	engine string
	pool   *pgxpool.Pool // PostgreSQL only
	now    tenantry.Clock
	queue  *queue
	public string // Options.PublicURL
	links  linkTTLs
	// hooks is Options.Webhooks.
	hooks tenantry.WebhookPolicy

	rebinds sync.Map // query with ? → query with $n (PostgreSQL)
	batch   batcher  // groups transactions into one commit (batch.go)
	tokens  sync.Map // token id → last use this process wrote (token.go)
	// tokenCache keeps the tokens read (token_cache.go);
	// stopTokenListener stops its PostgreSQL listener.
	tokenCache        tokenCache
	stopTokenListener func()
	// stopCheckpoints stops the SQLite checkpointer (sqlite.go).
	stopCheckpoints func()
	// stopOptimizing stops the SQLite statistics' refresh (sqlite.go).
	stopOptimizing func()
	// stopIndexing stops what moves pending rows into SQLite's trigram
	// and audit indexes (trigram.go, audit.go).
	stopIndexing func()
	// lease is Options.IdempotencyLease.
	lease time.Duration
	// unlock releases the shared lock beside a SQLite file (backup.go).
	unlock func()
	// optional is which optional indexes PostgreSQL has (trigram.go).
	optional indexes
	// anchors are where deep pages of customers start on SQLite
	// (customer_anchor.go).
	anchors listAnchors
}

// Open opens (creating when needed) the database at url and brings its
// schema up to date: a postgres:// or postgresql:// URL selects PostgreSQL;
// anything else is a SQLite file path (optionally prefixed "sqlite:" or
// "file:").
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now, public: opt.PublicURL, links: newLinkTTLs(opt), hooks: opt.Webhooks, lease: opt.IdempotencyLease}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	switch {
	case isPostgresURL(url):
		err = db.openPostgres(ctx, url, opt)
	case strings.Contains(url, "://"):
		scheme, _, _ := strings.Cut(url, "://")
		return nil, fmt.Errorf("unknown database URL scheme %q: use a SQLite file path or a postgres:// URL", scheme)
	default:
		err = db.openSQLite(url)
	}
	if err != nil {
		if db.unlock != nil {
			db.unlock()
		}
		if db.reads != nil && db.reads != db.sql {
			db.reads.Close()
		}
		if db.sql != nil {
			db.sql.Close()
		}
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.foldNames(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("fold customer names: %w", err)
	}
	if err := db.foldSubscribers(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("fold user names: %w", err)
	}
	if db.engine == SQLite {
		if err := db.Optimize(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("optimize: %w", err)
		}
		db.stopOptimizing = db.optimizeInBackground()
		db.stopIndexing = db.indexInBackground()
	}
	if db.queue, err = newQueue(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) openSQLite(path string) error {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite:"), "file:")
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("create database directory: %w", err)
		}
	}
	// The lock file is the first thing written beside the database: an
	// unwritable directory fails here, naming the path and the cause.
	unlock, err := lockDatabase(path, false)
	if err != nil {
		return err
	}
	db.unlock = unlock
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(10000)&_pragma=cache_size(-16384)&_pragma=temp_store(MEMORY)&_pragma=analysis_limit(1000)&_txlock=immediate"
	s, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return err
	}
	// One connection: SQLite has one writer, and more connections only add
	// lock waits (measured: see NOTES.md). Everything in a transaction must use
	// the transaction, never the pool.
	s.SetMaxOpenConns(1)
	s.SetMaxIdleConns(1)
	s.SetConnMaxLifetime(0)
	db.sql, db.engine = s, SQLite
	db.batch.max = 1
	if err := s.Ping(); err != nil {
		return fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	if db.reads, err = openSQLiteReads(dsn); err != nil {
		return err
	}
	db.stopCheckpoints, err = checkpointInBackground(dsn)
	return err
}

func (db *DB) openPostgres(ctx context.Context, url string, opt Options) error {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	cfg.MaxConns = 24
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	db.pool, db.sql, db.engine = pool, stdlib.OpenDBFromPool(pool), Postgres
	db.reads = db.sql
	db.batch.max = pgGroupLeads
	return nil
}

// pgGroupLeads is how many batches of grouped transactions run at once on
// PostgreSQL. Fewer, larger batches cost less CPU per transaction: on the
// 2-core machine of the customer benchmark, 2 took 5–10% less CPU than 3
// or more, at the same latencies (NOTES.md).
const pgGroupLeads = 2

// Engine returns SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// SQL returns the underlying database handle, for tests and benchmarks.
func (db *DB) SQL() *sql.DB { return db.sql }

// ReadSQL returns the handle reads outside transactions use (read.go), for
// benchmarks that time statements as the store runs them.
func (db *DB) ReadSQL() *sql.DB { return db.reads }

// Close stops the job queue and closes the database.
func (db *DB) Close() error {
	if db.queue != nil {
		db.queue.stop(context.Background())
	}
	db.tokenCache.listen.Do(func() {}) // no listener starts from now on
	if db.stopTokenListener != nil {
		db.stopTokenListener()
	}
	db.stopBackgroundIndexing()
	if db.stopOptimizing != nil {
		db.stopOptimizing()
	}
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
	}
	err := db.sql.Close()
	if db.reads != nil && db.reads != db.sql {
		db.reads.Close()
	}
	if db.unlock != nil {
		db.unlock()
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// migrate applies the numbered, embedded migrations of the engine that are
// not applied yet, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	// One connection does all of it; on PostgreSQL it holds an advisory lock
	// so that processes starting together on one database take turns.
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7361001)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7361001)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tenantry_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dir := "migrations/" + db.engine
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		var version int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &version); err != nil {
			return fmt.Errorf("migration %s: bad name", e.Name())
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return err
		}
		if err := db.applyMigration(ctx, conn, version, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, conn *sql.Conn, version int, body string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM tenantry_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, stmt := range strings.Split(body, ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO tenantry_migrations (version, applied) VALUES (?, ?)`), version, db.now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// rebind turns the ? placeholders of a query into PostgreSQL's $n. Queries
// are written with ? once, for both engines, and never hold a literal '?'.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres {
		return q
	}
	if v, ok := db.rebinds.Load(q); ok {
		return v.(string)
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
	db.rebinds.Store(q, b.String())
	return b.String()
}

// Tx is a transaction of the domain's tables that can also enqueue jobs.
// On SQLite it is a database/sql transaction. On PostgreSQL it runs on a
// pgx connection of its own, and its statements are pipelined: BEGIN, the
// writes nobody reads back (write) and COMMIT are queued and go with the
// next statement that must be answered, so that a transaction that reads
// once takes two round trips (a round trip costs both processes more CPU
// than most statements do).
type Tx struct {
	tx   *sql.Tx       // SQLite
	db   *DB           //
	pc   *pgxpool.Conn // PostgreSQL
	pgx  *pgx.Conn     // pc's connection
	sent bool          // something was sent on pgx (ROLLBACK is due)
	jobs []jobArgs
	// templates caches the templates read in this transaction: an import
	// chunk reads its customer's template for every row's mail.
	templates map[string]*tenantry.Template
	// hooks caches, per partner, the webhooks its events go to.
	hooks map[string][]*tenantry.Webhook
	// locations holds the "customer/location" pairs found to exist, and
	// admins the lowercased admin emails of each customer read: an import
	// chunk checks both for every row.
	locations map[string]bool
	admins    map[string]map[string]bool
	// free holds, for the emails of an import chunk, whether each is a
	// free account (rule U3), read with one query for the chunk.
	free map[string]bool
	// pending holds statements not sent yet (PostgreSQL), and err the
	// failure of one that was: the transaction is aborted from then on.
	pending []pendingWrite
	err     error
	// grouped is set on a transaction that runs callers' work together
	// (batch.go): no caller's context may interrupt its statements.
	grouped bool
	// queued counts the writes ever queued, sentQueued those sent, and
	// execs the statements exec sent at once (PostgreSQL): what mark and
	// undo need to know whether some work reached the database.
	queued, sentQueued, execs int
}

// txMark is where a transaction was when mark was called.
type txMark struct{ queued, execs, jobs int }

// mark notes where the transaction is, for undo.
func (t *Tx) mark() txMark {
	return txMark{queued: t.queued, execs: t.execs, jobs: len(t.jobs)}
}

// undo forgets every write queued and job enqueued since m, and reports
// whether that undid all that happened since m: none of those writes was
// sent, exec sent nothing (reads are all that reached the database, and
// no statement here reads with RETURNING), and the transaction has not
// failed (PostgreSQL).
func (t *Tx) undo(m txMark) bool {
	if t.pc == nil || t.err != nil || t.execs != m.execs || t.sentQueued > m.queued || t.pgx.PgConn().TxStatus() == 'E' {
		return false
	}
	// None of the writes queued since m was sent: they are the last ones
	// pending (a send since m took only earlier ones).
	t.pending = t.pending[:len(t.pending)-(t.queued-m.queued)]
	t.queued, t.jobs = m.queued, t.jobs[:m.jobs]
	return true
}

// pendingWrite is a statement queued by write.
type pendingWrite struct {
	q     string
	args  []any
	onErr func(error) error
}

// resetCaches forgets what the transaction has read: a caller sharing it
// with others (batch.go) starts as in a transaction of its own.
func (t *Tx) resetCaches() {
	t.templates, t.hooks = nil, nil
	t.forgetRows()
}

// forgetRows forgets what the transaction has read of customers' rows
// (locations, admins, free accounts), keeping templates and webhooks.
func (t *Tx) forgetRows() {
	t.locations, t.admins, t.free = nil, nil, nil
}

// begin starts a transaction.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	t := &Tx{db: db}
	var err error
	if db.engine == Postgres {
		if t.pc, err = db.pool.Acquire(ctx); err != nil {
			return nil, err
		}
		t.pgx = t.pc.Conn()
		t.pending = []pendingWrite{{q: "BEGIN"}}
		return t, nil
	}
	if t.tx, err = db.sql.BeginTx(ctx, nil); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Tx) rollback() {
	if t.tx != nil {
		t.tx.Rollback()
		return
	}
	if t.pc == nil {
		return // committed or rolled back already
	}
	if t.sent {
		// A broken connection fails this too; the pool then drops it.
		t.pgx.Exec(context.Background(), "ROLLBACK")
	}
	t.release()
}

func (t *Tx) release() {
	if t.pc != nil {
		t.pc.Release()
		t.pc, t.pgx = nil, nil
	}
}

// commit inserts the jobs collected in the transaction and commits.
func (t *Tx) commit(ctx context.Context) error {
	if len(t.jobs) > 0 {
		if err := t.db.queue.insertTx(ctx, t, t.jobs); err != nil {
			t.rollback()
			return err
		}
	}
	if t.pc == nil {
		return mapError(t.tx.Commit())
	}
	t.pending = append(t.pending, pendingWrite{q: "COMMIT"})
	if err := t.flush(ctx); err != nil {
		t.rollback()
		return err
	}
	t.release()
	return nil
}

// enqueue adds a job to be inserted when the transaction commits (in it).
func (t *Tx) enqueue(job jobArgs) { t.jobs = append(t.jobs, job) }

// stmtCtx is the context a statement of the transaction runs with. A
// statement interrupted by its context's end can abort the whole
// transaction, and a grouped one (batch.go) holds other callers' work; the
// caller's context ends its wait for the batch instead.
func (t *Tx) stmtCtx(ctx context.Context) context.Context {
	if t.grouped {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.stmtCtx(ctx)
	if t.pc == nil {
		r, err := t.tx.ExecContext(ctx, q, args...)
		return r, mapError(err)
	}
	t.execs++
	br, err := t.send(ctx, t.db.rebind(q), args)
	if err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, mapError(err)
	}
	return pgResult(tag), nil
}

// pgResult is a PostgreSQL statement's outcome as database/sql tells it.
type pgResult pgconn.CommandTag

func (r pgResult) RowsAffected() (int64, error) { return pgconn.CommandTag(r).RowsAffected(), nil }
func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("sqldb: no LastInsertId on PostgreSQL")
}

// rows are the rows of a query, on either engine.
type rows interface {
	Next() bool
	Scan(dst ...any) error
	Close() error
	Err() error
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (rows, error) {
	ctx = t.stmtCtx(ctx)
	if t.pc == nil {
		r, err := t.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, mapError(err)
		}
		return r, nil
	}
	br, err := t.send(ctx, t.db.rebind(q), args)
	if err != nil {
		return nil, err
	}
	r, err := br.Query()
	if err != nil {
		r.Close()
		br.Close()
		return nil, mapError(err)
	}
	return &pgRows{Rows: r, br: br}, nil
}

// pgRows are the rows of a query sent in a batch; closing them closes it.
type pgRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *pgRows) Close() error {
	r.Rows.Close()
	err := r.br.Close()
	if rerr := r.Rows.Err(); rerr != nil {
		err = rerr
	}
	return mapError(err)
}

func (r *pgRows) Err() error { return mapError(r.Rows.Err()) }

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) row {
	if t.pc == nil {
		return row{r: t.tx.QueryRowContext(t.stmtCtx(ctx), q, args...)}
	}
	r, err := t.query(ctx, q, args...)
	return row{rows: r, err: err}
}

// row is the first row of a query: database/sql's own on SQLite, the first
// of rows on PostgreSQL.
type row struct {
	r    *sql.Row
	rows rows
	err  error
}

func (r row) Scan(dst ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case r.r != nil:
		return r.r.Scan(dst...)
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dst...); err != nil {
		return err
	}
	return r.rows.Close()
}

// write runs a statement whose outcome the caller does not read: an insert
// or update that either works or fails the transaction. On PostgreSQL it
// is queued and sent with the next statement that is answered, or at
// commit; its failure surfaces there, mapped by onErr when given (to name
// the field of a unique violation, say), and aborts the transaction. On
// SQLite, a library call, it runs at once.
func (t *Tx) write(ctx context.Context, onErr func(error) error, q string, args ...any) error {
	if t.err != nil {
		return t.err
	}
	if t.pc == nil {
		_, err := t.tx.ExecContext(t.stmtCtx(ctx), q, args...)
		if err = mapError(err); err != nil && onErr != nil {
			err = onErr(err)
		}
		return err
	}
	t.pending = append(t.pending, pendingWrite{q: t.db.rebind(q), args: args, onErr: onErr})
	t.queued++
	return nil
}

// send sends what is queued and then q, when not empty, in one round trip
// (PostgreSQL). The caller reads q's result and closes the batch.
func (t *Tx) send(ctx context.Context, q string, args []any) (pgx.BatchResults, error) {
	if t.err != nil {
		return nil, t.err
	}
	ws := t.pending
	t.pending = nil
	var b pgx.Batch
	for _, w := range ws {
		b.Queue(w.q, w.args...)
	}
	if q != "" {
		b.Queue(q, args...)
	}
	t.sent = true
	t.sentQueued = t.queued
	br := t.pgx.SendBatch(ctx, &b)
	for _, w := range ws {
		if _, err := br.Exec(); err != nil {
			br.Close()
			if err = mapError(err); w.onErr != nil {
				err = w.onErr(err)
			}
			t.err = err
			return nil, err
		}
	}
	return br, nil
}

// flush sends what is queued (PostgreSQL).
func (t *Tx) flush(ctx context.Context) error {
	if t.pc == nil || t.err != nil || len(t.pending) == 0 {
		return t.err
	}
	br, err := t.send(ctx, "", nil)
	if err != nil {
		return err
	}
	if err := br.Close(); err != nil {
		t.err = mapError(err)
	}
	return t.err
}

// Savepoints, the same statements on both engines. Making and releasing
// one is queued like a write; releasing sends what is queued, so that the
// writes under the savepoint are known to have worked once it returns.
func (t *Tx) savepoint(ctx context.Context, name string) error {
	return t.write(ctx, nil, "SAVEPOINT "+name)
}

func (t *Tx) releaseSavepoint(ctx context.Context, name string) error {
	if err := t.write(ctx, nil, "RELEASE SAVEPOINT "+name); err != nil {
		return err
	}
	return t.flush(ctx)
}

// rollbackTo undoes everything since the savepoint, including a write that
// failed (and aborted the transaction) after it.
func (t *Tx) rollbackTo(ctx context.Context, name string) error {
	t.flush(ctx) // the savepoint itself may still be queued
	t.err = nil
	_, err := t.exec(ctx, "ROLLBACK TO SAVEPOINT "+name)
	if err != nil {
		t.err = err
	}
	return err
}

// queryRow runs a one-row query outside any transaction, on the read
// connections (read.go).
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.reads.QueryRowContext(ctx, db.rebind(q), args...)
}

// query runs a query outside any transaction, on the read connections.
func (db *DB) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := db.reads.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// forUpdate is appended to a SELECT that reads a row the transaction will
// change: PostgreSQL locks it; SQLite's write transaction already excludes
// every other writer. forUpdateOf locks the rows of one table of a join.
func (db *DB) forUpdateOf(table string) string {
	if db.engine != Postgres {
		return ""
	}
	if table == "" {
		return " FOR UPDATE"
	}
	return " FOR UPDATE OF " + table
}

func (db *DB) forUpdate() string { return db.forUpdateOf("") }

// inTx runs fn in a transaction for a request, committing when it returns
// nil.
func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	return db.inTxAs(ctx, true, fn)
}

// inJobTx is inTx for a background job: on SQLite, batches take requests and
// jobs in turn (batch.go), so requests do not queue behind every running job.
func (db *DB) inJobTx(ctx context.Context, fn func(*Tx) error) error {
	return db.inTxAs(ctx, false, fn)
}

// inGroupedTx is inTx (request) or inJobTx for a short transaction that
// locks at most one customer, writes no template nor webhook (its batch
// shares what it reads) and may run twice (fn must start from what it
// reads, not from what an earlier run left): on PostgreSQL too it may run
// with others and share their commit (batch.go).
func (db *DB) inGroupedTx(ctx context.Context, request bool, fn func(*Tx) error) error {
	if db.engine == Postgres {
		return db.inBatch(ctx, request, fn)
	}
	return db.inTxAs(ctx, request, fn)
}

func (db *DB) inTxAs(ctx context.Context, request bool, fn func(*Tx) error) error {
	if db.engine == SQLite {
		return db.inBatch(ctx, request, fn)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return mapError(err)
	}
	if err := fn(tx); err != nil {
		tx.rollback()
		return err
	}
	return tx.commit(ctx)
}

// mapError turns driver errors into the domain's codes, the same on both
// engines: a unique violation is ECONFLICT, no rows ENOTFOUND.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &conflict{constraint: pgErr.ConstraintName + " " + pgErr.Detail, err: err}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && (sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return &conflict{constraint: sqErr.Error(), err: err}
	}
	return err
}

// conflict is a unique violation; callers that know which field it concerns
// turn it into a domain error naming the field.
type conflict struct {
	constraint string
	err        error
}

func (c *conflict) Error() string { return "unique violation: " + c.constraint }
func (c *conflict) Unwrap() error { return c.err }

// isConflict reports whether err is a unique violation mentioning one of
// the given column or constraint names.
func isConflict(err error, names ...string) bool {
	var c *conflict
	if !errors.As(err, &c) {
		return false
	}
	for _, n := range names {
		if strings.Contains(c.constraint, n) {
			return true
		}
	}
	return len(names) == 0
}

// isForeignKey reports whether err is a foreign key violation, on either
// engine.
func isForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// newID returns a random identifier: the prefix and 16 random bytes,
// base64url-encoded, in the style of the wholesale API's opaque ids.
func newID(kind string) string {
	// A version 7 UUID: the time in milliseconds, then 74 random bits. Ids
	// made close in time sort close together, so a transaction's inserts
	// land on the last pages of each index instead of one random page per
	// row (fewer pages written at each commit).
	var b [16]byte
	rand.Read(b[:])
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16|uint64(binary.BigEndian.Uint16(b[6:8])))
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return base64.RawURLEncoding.EncodeToString([]byte("tenantry:" + kind + ":" + fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func itoa(n int) string { return fmt.Sprint(n) }

// stopBackgroundIndexing stops moving pending rows into SQLite's trigram
// and audit indexes (indexInBackground); on PostgreSQL there is nothing to
// stop. Reads still move what they need themselves.
func (db *DB) stopBackgroundIndexing() {
	if db.stopIndexing != nil {
		db.stopIndexing()
	}
}
