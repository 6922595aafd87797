package sqldb_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestPrune: each rule deletes only finished records older than its period
// (delivered webhook attempts and their events, answered idempotency keys,
// used links, sent mail); pending and recent ones stay, and the audit log
// is kept unless a period is set for it.
func TestPrune(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		var clock atomic.Int64
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		clock.Store(start.UnixMicro())
		now := func() time.Time { return time.UnixMicro(clock.Load()).UTC() }
		db, err := sqldb.Open(t.Context(), e.URL(t), sqldb.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		boot, _ := addPartner(t, db, "Acme")
		pid := boot.Partner.ID
		old := start.Add(-40 * 24 * time.Hour).UnixMicro()
		recent := start.Add(-time.Hour).UnixMicro()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(t.Context(), rebind(db, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO webhooks (id, partner_id, url, events, secret, active, created) VALUES ('wh', ?, 'https://example.com', '', '', 1, ?)`, pid, old)
		for _, ev := range []struct {
			id       string
			at       int64
			statuses []string
		}{
			{"delivered-old", old, []string{"failed", "succeeded"}},
			{"delivered-recent", recent, []string{"succeeded"}},
			{"failing-old", old, []string{"failed", "failed"}},
		} {
			exec(`INSERT INTO webhook_events (id, partner_id, type, body, created) VALUES (?, ?, 'customer.provisioned', '{}', ?)`, ev.id, pid, ev.at)
			for i, st := range ev.statuses {
				exec(`INSERT INTO webhook_deliveries (id, webhook_id, event_id, attempt, status, response_status, error_message, at) VALUES (?, 'wh', ?, ?, ?, 0, '', ?)`,
					ev.id+"-"+st+string(rune('0'+i)), ev.id, i+1, st, ev.at)
			}
		}
		exec(`INSERT INTO idempotency_keys (partner_id, key, request_hash, status, location, body, created) VALUES (?, 'answered-old', '', 202, '', '', ?), (?, 'pending-old', '', 0, '', '', ?), (?, 'answered-recent', '', 202, '', '', ?)`,
			pid, old, pid, old, pid, recent)
		exec(`INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at) VALUES (?, '', 'a1', 'y', 'z', '{}', ?)`, pid, old)
		exec(`INSERT INTO outbox (id, partner_id, customer_id, kind, recipient, language, from_name, subject, text_body, html_body, status, attempts, last_error, next_attempt, created, sent)
			VALUES ('m-sent-old', ?, 'c', 'k', 'r', 'en', 'f', 's', 't', 'h', 'sent', 1, '', 0, ?, ?), ('m-queued-old', ?, 'c', 'k', 'r', 'en', 'f', 's', 't', 'h', 'queued', 0, '', 0, ?, 0), ('m-sent-recent', ?, 'c', 'k', 'r', 'en', 'f', 's', 't', 'h', 'sent', 1, '', 0, ?, ?)`,
			pid, old, old, pid, old, pid, recent, recent)

		exec(`INSERT INTO hub_sessions (token_hash, admin_id, created, seen) VALUES ('s-ended', ?, ?, ?), ('s-live', ?, ?, ?)`,
			boot.Admin.ID, old, old, boot.Admin.ID, recent, recent)
		exec(`INSERT INTO hub_links (token_hash, kind, admin_id, created, expires, used) VALUES ('l-old', 'signin', ?, ?, ?, 0), ('l-live', 'signin', ?, ?, ?, 0)`,
			boot.Admin.ID, old-1, old, boot.Admin.ID, recent, start.Add(time.Hour).UnixMicro())

		keep := sqldb.Retention{WebhookDeliveries: 30 * 24 * time.Hour, IdempotencyKeys: 7 * 24 * time.Hour, Links: 30 * 24 * time.Hour, SentMail: 30 * 24 * time.Hour}
		n, err := db.Prune(t.Context(), keep)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"webhook deliveries": 2, "webhook events": 1, "idempotency keys": 1, "approval links": 0, "consent links": 0, "sent mail": 1, "ended sessions": 1, "hub links": 1}
		for k, v := range want {
			if n[k] != v {
				t.Errorf("pruned %d %s, want %d (all: %v)", n[k], k, v, n)
			}
		}
		ids := func(q string) []string {
			t.Helper()
			rows, err := db.SQL().QueryContext(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				out = append(out, s)
			}
			return out
		}
		check := func(what string, got []string, want ...string) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s left: %v, want %v", what, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s left: %v, want %v", what, got, want)
				}
			}
		}
		check("events", ids(`SELECT id FROM webhook_events ORDER BY id`), "delivered-recent", "failing-old")
		check("keys", ids(`SELECT key FROM idempotency_keys ORDER BY key`), "answered-recent", "pending-old")
		check("mail", ids(`SELECT id FROM outbox ORDER BY id`), "m-queued-old", "m-sent-recent")
		check("audit", ids(`SELECT action FROM audit_log WHERE action = 'a1'`), "a1")

		// With a period, the audit log is pruned too.
		if _, err := db.Prune(t.Context(), sqldb.Retention{AuditLog: 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		check("audit", ids(`SELECT action FROM audit_log WHERE action = 'a1'`))
	})
}

// TestPruneRunsPeriodically: the workers run the prune as River's periodic
// job (at start, then every period) on both engines.
func TestPruneRunsPeriodically(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		db := openDB(t, e)
		boot, _ := addPartner(t, db, "Acme")
		if _, err := db.SQL().ExecContext(t.Context(), rebind(db, `INSERT INTO idempotency_keys (partner_id, key, request_hash, status, location, body, created) VALUES (?, 'old', '', 202, '', '', 0)`), boot.Partner.ID); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		cfg := sqldb.QueueConfig{MaxWorkers: 2, Retention: sqldb.Retention{IdempotencyKeys: time.Hour, Every: time.Hour}, Log: slog.New(slog.DiscardHandler)}
		if err := db.Work(ctx, river.NewWorkers(), cfg); err != nil {
			t.Fatal(err)
		}
		defer db.StopWork(context.Background())
		deadline := time.Now().Add(60 * time.Second)
		for {
			var n int
			if err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the periodic prune did not run within 60s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
