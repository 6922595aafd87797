package provision

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// capture is a slog handler that keeps every record.
type capture struct {
	mu      sync.Mutex
	records []slog.Record
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	c.records = append(c.records, r.Clone())
	c.mu.Unlock()
	return nil
}
func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

// lines returns the records with message msg, as maps of their attributes.
func (c *capture) lines(msg string) []map[string]slog.Value {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range c.records {
		if r.Message != msg {
			continue
		}
		m := map[string]slog.Value{"level": slog.StringValue(r.Level.String())}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
		out = append(out, m)
	}
	return out
}

// TestFailureLogOncePerStep: 3,000 failed attempts to one webhook in 30
// seconds (a thousand events, each retried) write a line at 0, 1, 3, 7 and
// 15 seconds, each counting the failures since the line before; the first
// success writes one line and starts over.
func TestFailureLogOncePerStep(t *testing.T) {
	c := &capture{}
	var now time.Time
	l := newFailureLog(slog.New(c), func() time.Time { return now })
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cause := errors.New("dial tcp 10.0.0.5:443: connect: connection refused")
	const n = 3000
	for i := range n {
		now = start.Add(time.Duration(i) * 10 * time.Millisecond)
		l.failed("WEBHOOK-1", "hooks.example:443", i%3 == 2, cause)
	}
	// Another webhook keeps its own count.
	l.failed("WEBHOOK-2", "other.example", false, cause)

	lines := c.lines("webhook deliveries failing")
	type line struct {
		webhook          string
		failures, gaveUp int64
		total            int64
		level            string
	}
	var got []line
	for _, m := range lines {
		got = append(got, line{m["webhook"].String(), m["failures"].Int64(), m["gave_up"].Int64(), m["failures_in_run"].Int64(), m["level"].String()})
		if m["err"].Any() == nil || m["host"].String() == "" {
			t.Errorf("line %v lacks the error or the host", m)
		}
	}
	want := []line{
		{"WEBHOOK-1", 1, 0, 1, "WARN"},       // at 0 s
		{"WEBHOOK-1", 100, 33, 101, "WARN"},  // at 1 s
		{"WEBHOOK-1", 200, 67, 301, "WARN"},  // at 3 s
		{"WEBHOOK-1", 400, 133, 701, "WARN"}, // at 7 s
		{"WEBHOOK-1", 800, 267, 1501, "WARN"},
		{"WEBHOOK-2", 1, 0, 1, "WARN"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines for %d failures: %+v", len(got), n+1, got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	l.succeeded("WEBHOOK-1")
	l.succeeded("WEBHOOK-1") // nothing more to say
	rec := c.lines("webhook deliveries recovered")
	if len(rec) != 1 || rec[0]["failures"].Int64() != n-1501 || rec[0]["failures_in_run"].Int64() != n {
		t.Errorf("recovery lines = %v, want one counting the %d failures not yet logged", rec, n-1501)
	}
	// A new run starts with a line at once.
	l.failed("WEBHOOK-1", "hooks.example:443", false, cause)
	if got := len(c.lines("webhook deliveries failing")); got != len(want)+1 {
		t.Errorf("a new run of failures wrote %d lines in all, want %d", got, len(want)+1)
	}
}

// TestFailureLogStepIsCapped: a webhook failing for a day is logged about
// every failureLogMaxStep, not less often.
func TestFailureLogStepIsCapped(t *testing.T) {
	c := &capture{}
	var now time.Time
	l := newFailureLog(slog.New(c), func() time.Time { return now })
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 24 * 60 {
		now = start.Add(time.Duration(i) * time.Minute)
		l.failed("WEBHOOK-1", "h", false, errors.New("x"))
	}
	got := len(c.lines("webhook deliveries failing"))
	// About ten lines while the step doubles to its cap, then one per cap.
	if got < 24*60/10 || got > 24*60/10+15 {
		t.Errorf("%d lines in a day of failures, want about one per %v", got, failureLogMaxStep)
	}
}

// TestWorkerLogsAFailingDestinationQuietly: 40 events to an unreachable
// webhook, worked by the real queue, fail 40 first attempts and more
// retries, and the log holds a handful of lines whose counts add up to at
// most the failures; not a line per attempt. Both engines.
func TestWorkerLogsAFailingDestinationQuietly(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		c := &capture{}
		en := newWebhookEnvLog(t, e, slog.New(c))
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close() // nothing listens on its port now
		w := en.webhook(t, dead.URL+"/hook", tenantry.EventCustomerUpdated)
		const events = 40
		for i := range events {
			if err := en.db.EmitEvent(t.Context(), en.actor.OrgID, tenantry.EventCustomerUpdated, map[string]int{"n": i}); err != nil {
				t.Fatal(err)
			}
		}
		ds := en.waitDeliveries(t, w.ID, func(ds []*tenantry.WebhookDelivery) bool {
			failed := 0
			for _, d := range ds {
				if d.Status == tenantry.DeliveryFailed {
					failed++
				}
			}
			return failed >= events
		})
		for _, d := range ds {
			if d.Status == tenantry.DeliveryFailed && d.Error != tenantry.DeliveryErrorConnection {
				t.Errorf("delivery error %q, want %q", d.Error, tenantry.DeliveryErrorConnection)
			}
		}
		if err := en.db.DeleteWebhook(t.Context(), en.actor, w.ID); err != nil { // stop the retries
			t.Fatal(err)
		}
		lines := c.lines("webhook deliveries failing")
		var counted int64
		for _, m := range lines {
			counted += m["failures"].Int64()
		}
		// Lines come at 0, 1, 3, 7, 15, 31… seconds: seven cover two
		// minutes, far longer than this test takes.
		if len(lines) == 0 || len(lines) > 7 || counted < 1 || counted > int64(len(ds)) {
			t.Errorf("%d lines counting %d failures, for %d failed attempts; want 1 to 7 lines", len(lines), counted, len(ds))
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.records {
			if r.Level >= slog.LevelWarn && r.Message != "webhook deliveries failing" {
				t.Errorf("another warning: %s", r.Message)
			}
		}
	})
}
