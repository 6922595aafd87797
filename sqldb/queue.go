package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// jobArgs is a job as River sees it; the domain's job types satisfy it.
type jobArgs = river.JobArgs

// QueueConfig tunes the workers. The defaults are the settings measured on
// this project's 2-core machines: River's own defaults cap throughput at
// MaxWorkers ÷ FetchCooldown (80 jobs/s).
type QueueConfig struct {
	MaxWorkers        int
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration
	// JobTimeout bounds one attempt; RescueAfter is how long a job may stay
	// running (its process died) before another process takes it over.
	JobTimeout  time.Duration
	RescueAfter time.Duration
	MaxAttempts int
	// Retention, when its Every is set, prunes finished records
	// periodically (retention.go); Log receives what each run pruned.
	Retention Retention
	Log       *slog.Logger
}

func (c *QueueConfig) defaults() {
	if c.MaxWorkers == 0 {
		c.MaxWorkers = 100
	}
	if c.FetchCooldown == 0 {
		c.FetchCooldown = 5 * time.Millisecond
	}
	if c.FetchPollInterval == 0 {
		c.FetchPollInterval = 10 * time.Millisecond
	}
	if c.JobTimeout == 0 {
		c.JobTimeout = 30 * time.Second
	}
	if c.RescueAfter <= c.JobTimeout {
		c.RescueAfter = c.JobTimeout + 15*time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
}

// queue is River's job queue in the database: River's tables, the jobs
// transactions insert (insertTx, with our own statement) and, once Work is
// called, the River client that works them.
type queue struct {
	db       *DB
	stopWork func(context.Context) error
	maxTries int
	// notified is when this process last notified the workers of new jobs
	// (UnixNano), cooldown the least time between two notifications.
	notified atomic.Int64
	cooldown atomic.Int64
	// finished is the largest id of a job this process finished with its
	// work (SQLite, job.go): no job inserted later may take an id up to
	// it, for River's completer may still mark that id completed.
	finished atomic.Int64
}

// finishedWithWork notes that the job id is deleted with its work, before
// River's completer has marked it completed (SQLite).
func (q *queue) finishedWithWork(id int64) {
	for {
		cur := q.finished.Load()
		if id <= cur || q.finished.CompareAndSwap(cur, id) {
			return
		}
	}
}

func newQueue(ctx context.Context, db *DB) (*queue, error) {
	q := &queue{db: db, maxTries: 10}
	var cfg QueueConfig
	cfg.defaults()
	q.cooldown.Store(int64(cfg.FetchCooldown))
	switch db.engine {
	case SQLite:
		m, merr := rivermigrate.New(riversqlite.New(db.sql), nil)
		if merr != nil {
			return nil, merr
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return nil, fmt.Errorf("river migrate: %w", err)
		}
	case Postgres:
		m, merr := rivermigrate.New(riverpgxv5.New(db.pool), nil)
		if merr != nil {
			return nil, merr
		}
		if err := q.migratePostgres(ctx, m); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// migratePostgres runs River's migrations under an advisory lock, so that
// processes starting together do not race.
func (q *queue) migratePostgres(ctx context.Context, m *rivermigrate.Migrator[pgx.Tx]) error {
	conn, err := q.db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7361002)`); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7361002)`)
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// sqliteJobInsert inserts one job row as River's SQLite driver does
// (riversqlite v0.47.0, schema 006/007), as a statement prepared once.
// River's own insert parses a large INSERT … SELECT FROM json_each on every
// call: 23% of all CPU in the customer benchmark. Jobs here take no unique
// options, no metadata and no tags, so the plain row is the same row.
//
// The id is given, never left to SQLite: River's table has no
// AUTOINCREMENT, so SQLite would give the largest id plus one, which is the
// id of a job just deleted with its work (job.go) when that job was the
// newest. River's completer, which marks that id completed a moment later
// (WHERE id = ? AND state = 'running'), would then complete the new job
// while it runs, and nothing would ever run it again: an import stopped
// half way so. The id is above every row's and above every job this
// process finished with its work (the first argument).
const sqliteJobInsert = `INSERT INTO river_job (id, args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags)
	VALUES ((SELECT max(coalesce(max(id), 0), ?) + 1 FROM river_job), jsonb(?), datetime('now', 'subsec'), ?, ?, jsonb('{}'), 1, 'default', datetime('now', 'subsec'), 'available', jsonb('[]'))`

// pgJobInsert inserts one job row as River's PostgreSQL driver does
// (riverpgxv5 v0.47.0), leaving every other column to its default; and
// pgJobNotify wakes the workers listening for it, as River does after an
// insert (the channel is the schema, a dot and River's insert topic). Both
// are queued with the transaction's other writes (Tx.write), where River's
// own insert would take a round trip of its own and wait for the rows it
// returns, which nothing here reads.
const (
	pgJobInsert = `INSERT INTO river_job (args, kind, max_attempts) VALUES (?, ?, ?)`
	pgJobNotify = `SELECT pg_notify(current_schema() || '.river_insert', '{"queue": "default"}')`
)

func (q *queue) insertTx(ctx context.Context, t *Tx, jobs []jobArgs) error {
	for _, j := range jobs {
		args, err := json.Marshal(j)
		if err != nil {
			return err
		}
		if q.db.engine == Postgres {
			err = t.write(ctx, enqueueError, pgJobInsert, string(args), j.Kind(), q.maxTries)
		} else {
			err = t.write(ctx, enqueueError, sqliteJobInsert, q.finished.Load(), string(args), j.Kind(), q.maxTries)
		}
		if err != nil {
			return err
		}
	}
	if q.db.engine == Postgres && q.notifyDue() {
		return t.write(ctx, nil, pgJobNotify)
	}
	return nil
}

func enqueueError(err error) error { return fmt.Errorf("enqueue: %w", err) }

// notifyDue reports whether a transaction that inserts jobs should also
// notify the workers: at most once per fetch cooldown, as River limits its
// own notifications, since a worker woken fetches every job available.
func (q *queue) notifyDue() bool {
	now := time.Now().UnixNano()
	last := q.notified.Load()
	return now-last >= int64(q.cooldown.Load()) && q.notified.CompareAndSwap(last, now)
}

// Work starts working jobs with workers until ctx ends or Stop is called.
// Several processes may work one PostgreSQL database; River hands each job
// to one of them.
func (db *DB) Work(ctx context.Context, workers *river.Workers, cfg QueueConfig) error {
	cfg.defaults()
	q := db.queue
	q.maxTries = cfg.MaxAttempts
	q.cooldown.Store(int64(cfg.FetchCooldown))
	rc := &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		Workers:              workers,
		FetchCooldown:        cfg.FetchCooldown,
		FetchPollInterval:    cfg.FetchPollInterval,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	db.addPrune(workers, rc, cfg.Retention, cfg.Log)
	switch db.engine {
	case SQLite:
		// This process is SQLite's only user (one writer, one file): a job
		// still marked running was cut off by a crash or a kill, so it is
		// made available again at once instead of waiting for the rescuer.
		if _, err := db.sql.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`); err != nil {
			return fmt.Errorf("resume interrupted jobs: %w", err)
		}
		c, err := river.NewClient(riversqlite.New(db.sql), rc)
		if err != nil {
			return err
		}
		if err := c.Start(ctx); err != nil {
			return err
		}
		q.stopWork = c.Stop
	case Postgres:
		c, err := river.NewClient(riverpgxv5.New(db.pool), rc)
		if err != nil {
			return err
		}
		if err := c.Start(ctx); err != nil {
			return err
		}
		q.stopWork = c.Stop
	}
	return nil
}

// StopWork stops taking new jobs and waits, until ctx ends, for running
// ones; a job cut off is resumed by the next process to work the queue.
func (db *DB) StopWork(ctx context.Context) error {
	return db.queue.stop(ctx)
}

func (q *queue) stop(ctx context.Context) error {
	if q.stopWork == nil {
		return nil
	}
	stop := q.stopWork
	q.stopWork = nil
	err := stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
