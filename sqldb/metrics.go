package sqldb

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns the database's metrics for Prometheus, read at scrape
// time: jobs by kind and state, the oldest job waiting, mail by state, the
// oldest mail waiting, webhook delivery attempts by result, and the
// connection pool's use. A scrape costs a few grouped counts; none of them
// runs in a transaction, so none waits for the single SQLite connection
// longer than a statement does.
func (db *DB) Collector() prometheus.Collector { return &collector{db: db} }

type collector struct{ db *DB }

var (
	descUp = prometheus.NewDesc("tenantry_database_up",
		"1 when the last scrape could read the database, else 0 (and the metrics below are missing).", nil, nil)
	descJobs = prometheus.NewDesc("tenantry_jobs",
		"Background jobs by kind and state: available (queued and due), scheduled (queued for later), running, retryable (failed, to be retried), discarded (failed for good).",
		[]string{"kind", "state"}, nil)
	descJobAge = prometheus.NewDesc("tenantry_jobs_oldest_available_seconds",
		"How long the oldest due job has waited for a worker; 0 when none waits.", nil, nil)
	descMail = prometheus.NewDesc("tenantry_mail",
		"Mail in the outbox by state: queued, sent, failed.", []string{"state"}, nil)
	descMailAge = prometheus.NewDesc("tenantry_mail_oldest_queued_seconds",
		"Age of the oldest mail still queued; 0 when none is.", nil, nil)
	descDeliveries = prometheus.NewDesc("tenantry_webhook_deliveries",
		"Webhook delivery attempts kept in the database, by result: pending, succeeded, failed.", []string{"result"}, nil)
	descConns = prometheus.NewDesc("tenantry_db_connections",
		"Database connections of this process by state: in_use or idle.", []string{"state"}, nil)
	descMaxConns = prometheus.NewDesc("tenantry_db_connections_max",
		"The most database connections this process opens (1 on SQLite).", nil, nil)
	descWaits = prometheus.NewDesc("tenantry_db_connection_waits_total",
		"Times a caller had to wait for a database connection.", nil, nil)
	descWaitSeconds = prometheus.NewDesc("tenantry_db_connection_wait_seconds_total",
		"Time callers spent waiting for a database connection.", nil, nil)
)

// Describe sends the metrics' descriptions.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descJobs, descJobAge, descMail, descMailAge, descDeliveries, descConns, descMaxConns, descWaits, descWaitSeconds} {
		ch <- d
	}
}

// Collect reads the database and the pool.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.pool(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.tables(ctx, ch); err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
}

func (c *collector) pool(ch chan<- prometheus.Metric) {
	if c.db.pool != nil {
		s := c.db.pool.Stat()
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "in_use")
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
		ch <- prometheus.MustNewConstMetric(descMaxConns, prometheus.GaugeValue, float64(s.MaxConns()))
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
		ch <- prometheus.MustNewConstMetric(descWaitSeconds, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
		return
	}
	s := c.db.sql.Stats()
	ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(descMaxConns, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(descWaitSeconds, prometheus.CounterValue, s.WaitDuration.Seconds())
}

// tables reads every count first and sends nothing on a failure, so that
// a scrape never shows half the picture as if it were all of it.
func (c *collector) tables(ctx context.Context, ch chan<- prometheus.Metric) error {
	db := c.db
	var out []prometheus.Metric
	// Completed and cancelled jobs are history, not load.
	rows, err := db.sql.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'running', 'retryable', 'discarded') GROUP BY kind, state`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var kind, state string
		var n float64
		if err := rows.Scan(&kind, &state, &n); err != nil {
			rows.Close()
			return err
		}
		out = append(out, prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, n, kind, state))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	oldestJob := `SELECT COALESCE(MAX((julianday('now') - julianday(scheduled_at)) * 86400.0), 0) FROM river_job WHERE state = 'available'`
	if db.engine == Postgres {
		oldestJob = `SELECT COALESCE(EXTRACT(EPOCH FROM now() - MIN(scheduled_at)), 0)::float8 FROM river_job WHERE state = 'available'`
	}
	var jobAge float64
	if err := db.sql.QueryRowContext(ctx, oldestJob).Scan(&jobAge); err != nil {
		return err
	}
	out = append(out, prometheus.MustNewConstMetric(descJobAge, prometheus.GaugeValue, max(jobAge, 0)))

	counts := func(desc *prometheus.Desc, q string, labels ...string) error {
		found := map[string]float64{}
		for _, l := range labels {
			found[l] = 0 // a state with no rows is 0, not missing
		}
		rows, err := db.sql.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l string
			var n float64
			if err := rows.Scan(&l, &n); err != nil {
				return err
			}
			found[l] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for l, n := range found {
			out = append(out, prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, n, l))
		}
		return nil
	}
	if err := counts(descMail, `SELECT status, COUNT(*) FROM outbox GROUP BY status`, "queued", "sent", "failed"); err != nil {
		return err
	}
	var oldestMail *int64
	if err := db.sql.QueryRowContext(ctx, `SELECT MIN(created) FROM outbox WHERE status = 'queued'`).Scan(&oldestMail); err != nil {
		return err
	}
	mailAge := 0.0
	if oldestMail != nil {
		mailAge = max(db.now().Sub(time.UnixMicro(*oldestMail)).Seconds(), 0)
	}
	out = append(out, prometheus.MustNewConstMetric(descMailAge, prometheus.GaugeValue, mailAge))
	if err := counts(descDeliveries, `SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status`, "pending", "succeeded", "failed"); err != nil {
		return err
	}
	for _, m := range out {
		ch <- m
	}
	return nil
}
