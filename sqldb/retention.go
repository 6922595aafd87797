package sqldb

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/tenantry/tenantry"
)

// Retention says how long finished records are kept before the periodic
// prune deletes them; zero keeps them for ever.
type Retention struct {
	WebhookDeliveries time.Duration // attempts of deliveries that succeeded, and their events
	IdempotencyKeys   time.Duration // answered keys (a pending one is never pruned)
	Links             time.Duration // approval and consent links once used
	SentMail          time.Duration // mail delivered, with its body
	AuditLog          time.Duration // zero by default: the audit log is kept
	// Every is how often the prune runs; zero runs none.
	Every time.Duration
}

// pruneRule is one kind of record the prune deletes: the rows of table
// matching where, whose time column is older than the rule's period. To
// prune something more (the hub's ended sessions, say), add a rule here and
// a period to Retention.
type pruneRule struct {
	name   string
	period func(Retention) time.Duration
	table  string
	where  string // with one ?: the cutoff, in Unix microseconds
}

var pruneRules = []pruneRule{
	{"webhook deliveries", func(r Retention) time.Duration { return r.WebhookDeliveries }, "webhook_deliveries",
		`at < ? AND EXISTS (SELECT 1 FROM webhook_deliveries s WHERE s.webhook_id = webhook_deliveries.webhook_id
			AND s.event_id = webhook_deliveries.event_id AND s.status = 'succeeded')`},
	{"webhook events", func(r Retention) time.Duration { return r.WebhookDeliveries }, "webhook_events",
		`created < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)`},
	{"idempotency keys", func(r Retention) time.Duration { return r.IdempotencyKeys }, "idempotency_keys",
		`created < ? AND status <> 0`},
	{"approval links", func(r Retention) time.Duration { return r.Links }, "approval_tokens",
		`used <> 0 AND used < ?`},
	{"consent links", func(r Retention) time.Duration { return r.Links }, "consent_tokens",
		`used <> 0 AND used < ?`},
	{"sent mail", func(r Retention) time.Duration { return r.SentMail }, "outbox",
		`status = 'sent' AND sent < ?`},
	{"audit log", func(r Retention) time.Duration { return r.AuditLog }, "audit_log",
		`at < ?`},
	// A hub session idle for SessionIdle has ended (Session refuses it);
	// its wizard drafts go with it (ON DELETE CASCADE).
	{"ended sessions", func(Retention) time.Duration { return tenantry.SessionIdle }, "hub_sessions",
		`seen < ?`},
	{"hub links", func(r Retention) time.Duration { return r.Links }, "hub_links",
		`expires < ?`},
}

// Prune deletes what r no longer keeps and returns how many rows of each
// kind it deleted. Each rule runs in a statement of its own.
func (db *DB) Prune(ctx context.Context, r Retention) (map[string]int64, error) {
	now := db.now()
	out := map[string]int64{}
	for _, rule := range pruneRules {
		period := rule.period(r)
		if period <= 0 {
			continue
		}
		res, err := db.sql.ExecContext(ctx, db.rebind(`DELETE FROM `+rule.table+` WHERE `+rule.where), now.Add(-period).UnixMicro())
		if err != nil {
			return out, fmt.Errorf("prune %s: %w", rule.name, err)
		}
		n, _ := res.RowsAffected()
		out[rule.name] = n
	}
	return out, nil
}

// PruneJob is the periodic job that applies the retention periods.
type PruneJob struct{}

// Kind names the job in River.
func (PruneJob) Kind() string { return "prune" }

type pruneWorker struct {
	river.WorkerDefaults[PruneJob]
	db  *DB
	r   Retention
	log *slog.Logger
}

func (w *pruneWorker) Work(ctx context.Context, _ *river.Job[PruneJob]) error {
	n, err := w.db.Prune(ctx, w.r)
	if err != nil {
		return err
	}
	w.log.Info("pruned", "rows", n)
	return nil
}

// addPrune registers the prune with River as a periodic job: River's
// leader enqueues it, so on PostgreSQL one process at a time prunes.
func (db *DB) addPrune(workers *river.Workers, rc *river.Config, r Retention, log *slog.Logger) {
	if r.Every <= 0 {
		return
	}
	river.AddWorker(workers, &pruneWorker{db: db, r: r, log: log})
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(r.Every),
		func() (river.JobArgs, *river.InsertOpts) { return PruneJob{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
}
