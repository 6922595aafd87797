package provision

import (
	"log/slog"
	"sync"
	"time"
)

// A webhook whose receiver is down fails every attempt of every event:
// with events flowing, that is thousands of attempts a minute, and a log
// line for each drowns everything else. failureLog writes one line for a
// failing webhook, then the next no sooner than a step later, the step
// doubling up to failureLogMaxStep while the failures go on; each line
// counts the failures since the one before. The first success after
// failures says so once, and starts over.

// Steps between two lines about one failing webhook.
const (
	failureLogFirstStep = time.Second
	failureLogMaxStep   = 10 * time.Minute
)

// failureLog is the log of failing webhooks. The zero value is not usable:
// see newFailureLog.
type failureLog struct {
	log *slog.Logger
	now func() time.Time

	mu    sync.Mutex
	hooks map[string]*failing // by webhook id
}

// failing is a webhook's run of failures.
type failing struct {
	host        string
	since, last time.Time     // the run's first failure; its latest
	next        time.Time     // no line before
	step        time.Duration // the wait after the next line
	failures    int           // since the last line
	gaveUp      int           // events whose last attempt failed, since the last line
	total       int           // in the run
}

func newFailureLog(log *slog.Logger, now func() time.Time) *failureLog {
	return &failureLog{log: log, now: now, hooks: map[string]*failing{}}
}

// failed counts a failed attempt to deliver to webhook (at host); final
// says it was the event's last. It logs when a line is due.
func (l *failureLog) failed(webhook, host string, final bool, err error) {
	now := l.now()
	l.mu.Lock()
	f := l.hooks[webhook]
	if f == nil {
		l.prune(now)
		f = &failing{since: now, next: now, step: failureLogFirstStep}
		l.hooks[webhook] = f
	}
	if host != "" {
		f.host = host
	}
	f.failures++
	f.total++
	if final {
		f.gaveUp++
	}
	f.last = now
	if now.Before(f.next) {
		l.mu.Unlock()
		return
	}
	attrs := []any{"webhook", webhook, "host", f.host, "failures", f.failures, "gave_up", f.gaveUp,
		"failures_in_run", f.total, "failing_since", f.since, "next_report_after", f.step, "err", err}
	f.failures, f.gaveUp = 0, 0
	f.next = now.Add(f.step)
	f.step = min(2*f.step, failureLogMaxStep)
	l.mu.Unlock()
	l.log.Warn("webhook deliveries failing", attrs...)
}

// succeeded ends webhook's run of failures, if any, with one line.
func (l *failureLog) succeeded(webhook string) {
	l.mu.Lock()
	f := l.hooks[webhook]
	delete(l.hooks, webhook)
	l.mu.Unlock()
	if f != nil {
		l.log.Info("webhook deliveries recovered", "webhook", webhook, "host", f.host,
			"failures", f.failures, "gave_up", f.gaveUp, "failures_in_run", f.total, "failing_since", f.since)
	}
}

// prune forgets runs without a failure for longer than the longest step:
// their webhooks were deleted, or their events have run out of attempts.
// It runs when a run starts, so the map stays as small as the set of
// webhooks failing now. Its caller holds l.mu.
func (l *failureLog) prune(now time.Time) {
	for id, f := range l.hooks {
		if now.Sub(f.last) > failureLogMaxStep {
			delete(l.hooks, id)
		}
	}
}
