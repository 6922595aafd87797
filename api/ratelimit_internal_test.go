package api

import (
	"net/netip"
	"testing"
	"time"
)

// TestFailureLimiterBounded: a flood of failures from ever new addresses
// never grows the table past its cap, and addresses still failing keep
// being limited while it churns.
func TestFailureLimiterBounded(t *testing.T) {
	const limit = 1000
	l := newFailureLimiter(3, time.Minute, limit)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 * limit {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.fail(a, now)
		if len(l.clients) > limit {
			t.Fatalf("after %d addresses the table holds %d, over its cap %d", i+1, len(l.clients), limit)
		}
	}
	// One address failing through the churn is refused once its tries are gone.
	a := netip.MustParseAddr("192.0.2.1")
	for range 3 {
		if w := l.fail(a, now); w != 0 {
			t.Fatalf("refused within the burst: wait %v", w)
		}
	}
	if w := l.fail(a, now); w != 20*time.Second {
		t.Errorf("fourth failure: wait %v, want 20s", w)
	}
	// When room is needed, the addresses whose tries are whole again go
	// first: an address still being refused is kept.
	l = newFailureLimiter(3, time.Minute, 10)
	for i := range 9 {
		l.fail(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), now)
	}
	later := now.Add(time.Hour)
	for range 3 {
		l.fail(a, later)
	}
	l.fail(netip.MustParseAddr("192.0.2.2"), later)
	if len(l.clients) != 2 {
		t.Errorf("after making room the table holds %d, want the refused address and the new one", len(l.clients))
	}
	if w := l.fail(a, later); w == 0 {
		t.Errorf("the refused address was forgotten to make room")
	}
}
