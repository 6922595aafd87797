package sqldb

import "sync"

// gate orders this process's write transactions on SQLite, which has one
// connection. Without it, a request queues behind every job that River
// just handed to a worker (up to MaxWorkers of them) and waits tens of
// milliseconds. The gate alternates: when requests and jobs both wait, they
// take turns, so a request waits for at most one job's transaction and jobs
// still get half of the turns under load.
type gate struct {
	mu       sync.Mutex
	busy     bool
	jobsTurn bool // when both classes wait, whether the next turn is a job's
	hi, lo   []chan struct{}
}

// enter waits for the connection's turn; hi is a request, !hi a job.
func (g *gate) enter(hi bool) {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	if hi {
		g.hi = append(g.hi, ch)
	} else {
		g.lo = append(g.lo, ch)
	}
	g.mu.Unlock()
	<-ch
}

// leave hands the turn to the next waiter, or frees the gate.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.hi) > 0 && (len(g.lo) == 0 || !g.jobsTurn):
		next, g.hi = g.hi[0], g.hi[1:]
		g.jobsTurn = true
	case len(g.lo) > 0:
		next, g.lo = g.lo[0], g.lo[1:]
		g.jobsTurn = false
	default:
		g.busy = false
		return
	}
	close(next) // the gate stays busy: the turn passes straight to next
}
