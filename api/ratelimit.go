package api

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/tenantry/tenantry"
)

// Defaults of the limit on failed authentications: a client address may
// fail 20 times at once, and gets one more try every 3 seconds.
const (
	DefaultAuthFailures      = 20
	DefaultAuthFailureWindow = time.Minute
	// maxLimitedClients caps the addresses remembered, so that a flood
	// from many addresses cannot grow the table without bound.
	maxLimitedClients = 10000
)

// failureLimiter is a token bucket per client address that only failed
// authentications drain: a client with a valid token is never counted nor
// slowed. In memory, per process: a cluster of n processes allows n times
// the burst, which is still a bound.
type failureLimiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration // one token back per every
	max     int
	clients map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newFailureLimiter(n int, window time.Duration, limit int) *failureLimiter {
	n = max(n, 1)
	every := window / time.Duration(n)
	if every <= 0 {
		every = time.Nanosecond
	}
	return &failureLimiter{burst: float64(n), every: every, max: max(limit, 1), clients: map[netip.Addr]*bucket{}}
}

// key groups an IPv6 client by its /64, which one host usually holds whole:
// counting each address alone would let it try 2^64 times.
func key(a netip.Addr) netip.Addr {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// level refills b up to now and returns its tokens.
func (l *failureLimiter) level(b *bucket, now time.Time) float64 {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
	return b.tokens
}

// fail records a failed authentication from a at now. It returns 0 while
// the address has tries left, else how long it must wait for the next.
func (l *failureLimiter) fail(a netip.Addr, now time.Time) time.Duration {
	k := key(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[k]
	if b == nil {
		l.makeRoom(now)
		b = &bucket{tokens: l.burst, at: now}
		l.clients[k] = b
	}
	if l.level(b, now) >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.every))
}

// makeRoom keeps the table under its cap: addresses whose allowance is
// whole again are forgotten (they are as if never seen); if none is, a
// tenth of the table goes, whichever the map yields first.
func (l *failureLimiter) makeRoom(now time.Time) {
	if len(l.clients) < l.max {
		return
	}
	for k, b := range l.clients {
		if l.level(b, now) >= l.burst {
			delete(l.clients, k)
		}
	}
	for k := range l.clients {
		if len(l.clients) < l.max-l.max/10 {
			break
		}
		delete(l.clients, k)
	}
}

// refuseFailure counts a failed authentication of r and returns err, or,
// when the client address has failed too often, a 429 with Retry-After.
func (s *Server) refuseFailure(w http.ResponseWriter, r *http.Request, err error) error {
	wait := s.failures.fail(s.clientAddr(r), s.now())
	if wait <= 0 {
		return err
	}
	secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", secs)
	w.Header().Del("WWW-Authenticate")
	return tenantry.Errorf(tenantry.ETOOMANY, tenantry.ReasonAuthRateLimited, "count", secs)
}
