package sqldb

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGateAlternates: while the connection is busy, waiting requests and
// jobs take turns, a request first, and every waiter gets its turn.
func TestGateAlternates(t *testing.T) {
	var g gate
	g.enter(true) // the connection is busy
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i, name := range []string{"job1", "job2", "job3", "req1", "req2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.enter(strings.HasPrefix(name, "req"))
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			g.leave()
		}()
		// Wait until it is queued, so that the queue order is known.
		for {
			g.mu.Lock()
			n := len(g.hi) + len(g.lo)
			g.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	g.leave()
	wg.Wait()
	if want := []string{"req1", "job1", "req2", "job2", "job3"}; !slices.Equal(order, want) {
		t.Fatalf("turns = %v, want %v", order, want)
	}
	if g.busy {
		t.Fatal("the gate is still busy after every waiter left")
	}
}
