package ui

import (
	"sync"
	"time"

	"github.com/tenantry/tenantry"
)

// throttle slows down repeated failed sign-ins, per account and per
// address: after freeAttempts failures, each further attempt must wait
// twice as long as the one before (up to maxDelay). It lives in memory and
// holds at most maxEntries keys; quiet keys are forgotten after forgetAfter.
type throttle struct {
	mu  sync.Mutex
	now tenantry.Clock
	m   map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

const (
	freeAttempts = 5
	maxDelay     = 5 * time.Minute
	forgetAfter  = 15 * time.Minute
	maxEntries   = 10000
)

func newThrottle(now tenantry.Clock) *throttle {
	return &throttle{now: now, m: map[string]*failures{}}
}

func delayAfter(n int) time.Duration {
	if n < freeAttempts {
		return 0
	}
	d := time.Second << min(n-freeAttempts, 20)
	return min(d, maxDelay)
}

// wait returns how long the keys must still wait before another attempt.
func (t *throttle) wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range keys {
		f, ok := t.m[k]
		if !ok {
			continue
		}
		if now.Sub(f.last) > forgetAfter {
			delete(t.m, k)
			continue
		}
		if d := f.last.Add(delayAfter(f.n)).Sub(now); d > longest {
			longest = d
		}
	}
	return longest
}

// fail records a failed attempt for each key.
func (t *throttle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.m)+len(keys) > maxEntries {
		for k, f := range t.m {
			if now.Sub(f.last) > forgetAfter {
				delete(t.m, k)
			}
		}
		for k := range t.m { // still full: forget arbitrary keys
			if len(t.m)+len(keys) <= maxEntries {
				break
			}
			delete(t.m, k)
		}
	}
	for _, k := range keys {
		f := t.m[k]
		if f == nil {
			f = &failures{}
			t.m[k] = f
		}
		f.n++
		f.last = now
	}
}

// reset forgets the failures of a key (an account that signed in).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}
