package sqldb

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tenantry/tenantry"
)

// Every API request presents a token, and on PostgreSQL reading its row
// cost a sixth of creating a customer (a round trip); every hub page
// presents a session, whose read was a round trip of the three a list page
// makes. tokenCache keeps the rows of both that this process has read, and
// is emptied whenever one may have been deleted or changed, by this
// process or another one on the same database, before that change's call
// returns (a change of a session is its end, a new password or role or
// language of its admin, the admin's removal, or acting for another
// partner: inTxForgetting):
//
//   - In this process, the call that deletes tokens empties the cache
//     after its commit (tokensForgotten).
//   - The deleting transaction also notifies the channel tokenChannel,
//     and every process listens to it on a connection of its own that
//     holds tokenLock shared. The notification empties the cache and
//     gives the lock back until the deletion is done. The deleting call,
//     once committed, takes the lock exclusively, so it returns only after
//     every listening process has emptied its cache; then it says it is
//     done. A process trusts its cache only while its listener holds the
//     lock: with the connection lost, or between a deletion and its end,
//     every request reads its token again.
//   - A row read while the cache is being emptied is not kept (gen).
//
// SQLite reads the row on every request: its one connection answers that
// read in about 20 µs, and the cheapest check for another process's
// commit (PRAGMA data_version) cost as much, so a cache gained nothing
// there (NOTES.md).
type tokenCache struct {
	mu       sync.Mutex
	entries  map[string]*tokenEntry   // by token hash
	sessions map[string]*sessionEntry // by session token hash
	gen      uint64                   // counts the emptyings
	trusted  bool                     // the listener holds the lock
	listen   sync.Once                // starts the listener
}

// tokenEntry is what a token's row says, and when it was read.
type tokenEntry struct {
	p                 tenantry.Principal
	expires, lastUsed int64
	read              time.Time
}

const (
	tokenChannel = "tenantry_tokens"
	// tokenListenerName is the listener's application_name, as
	// pg_stat_activity shows it.
	tokenListenerName = "tenantry token listener"
	tokenLock         = 7361010 // PostgreSQL advisory lock key; 7361001–7361003 lock the migrations and the recovery
	// tokenWait is how long a deleting call waits for the other processes
	// to empty their caches; a process that has not answered by then is
	// stopped or cut off from the database.
	tokenWait = 10 * time.Second
	// tokenMaxAge is how long an entry is used at most, whatever else
	// happens: a bound on what a notification that never came (a pooler
	// that does not keep sessions, say) could let through.
	tokenMaxAge = time.Minute
)

// cachedToken returns the entry of hash when the cache can be trusted,
// and otherwise the generation a row read now is to be kept under.
func (db *DB) cachedToken(hash string) (*tokenEntry, uint64, bool) {
	return cached(db, func(c *tokenCache) map[string]*tokenEntry { return c.entries }, hash)
}

// keepToken keeps the entry read for hash unless the cache was emptied
// since gen was taken.
func (db *DB) keepToken(hash string, gen uint64, e *tokenEntry) {
	keep(db, func(c *tokenCache) *map[string]*tokenEntry { return &c.entries }, hash, gen, e)
}

// sessionEntry is what a session's row and its admin's say, and when
// they were read (seen is the session's last use as last written).
type sessionEntry struct {
	s    tenantry.Session
	seen int64
	read time.Time
}

// cachedSession is cachedToken for a hub session.
func (db *DB) cachedSession(hash string) (*sessionEntry, uint64, bool) {
	return cached(db, func(c *tokenCache) map[string]*sessionEntry { return c.sessions }, hash)
}

// keepSession is keepToken for a hub session.
func (db *DB) keepSession(hash string, gen uint64, e *sessionEntry) {
	keep(db, func(c *tokenCache) *map[string]*sessionEntry { return &c.sessions }, hash, gen, e)
}

func (e *tokenEntry) readAt() time.Time   { return e.read }
func (e *sessionEntry) readAt() time.Time { return e.read }

// noGen is a generation under which nothing is kept.
const noGen = ^uint64(0)

// cached returns the entry of hash in one of the cache's maps when the
// cache can be trusted and the entry is younger than tokenMaxAge, and
// otherwise the generation a row read now is to be kept under.
func cached[E interface{ readAt() time.Time }](db *DB, entries func(*tokenCache) map[string]E, hash string) (E, uint64, bool) {
	var none E
	if db.engine != Postgres {
		return none, noGen, false
	}
	c := &db.tokenCache
	c.listen.Do(func() { db.stopTokenListener = db.listenForTokens() })
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.trusted {
		return none, c.gen, false
	}
	m := entries(c)
	e, ok := m[hash]
	if ok && time.Since(e.readAt()) > tokenMaxAge {
		delete(m, hash)
		return none, c.gen, false
	}
	return e, c.gen, ok
}

// keep keeps the entry read for hash in one of the cache's maps unless the
// cache was emptied since gen was taken.
func keep[E any](db *DB, entries func(*tokenCache) *map[string]E, hash string, gen uint64, e E) {
	c := &db.tokenCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.trusted || c.gen != gen {
		return
	}
	m := entries(c)
	if *m == nil || len(*m) >= 10000 {
		*m = map[string]E{}
	}
	(*m)[hash] = e
}

// emptyLocked drops every entry; c.mu is held.
func (c *tokenCache) emptyLocked() {
	c.entries = nil
	c.sessions = nil
	c.gen++
}

// trust sets whether the cache may be used, emptying it either way.
func (c *tokenCache) trust(ok bool) {
	c.mu.Lock()
	c.emptyLocked()
	c.trusted = ok
	c.mu.Unlock()
}

// empty drops every entry.
func (c *tokenCache) empty() {
	c.mu.Lock()
	c.emptyLocked()
	c.mu.Unlock()
}

// forgetTokens, in a transaction that deletes tokens, tells the other
// processes to forget theirs when it commits; revocation names this
// deletion for tokensForgotten.
func (t *Tx) forgetTokens(ctx context.Context, revocation string) error {
	if t.db.engine != Postgres {
		return nil
	}
	_, err := t.exec(ctx, `SELECT pg_notify(?, ?)`, tokenChannel, "revoked:"+revocation)
	return err
}

// tokensForgotten, after the commit of a transaction that called
// forgetTokens, empties this process's cache and waits until every
// listening process has emptied its own: each gave up the shared lock when
// told, and takes it again once told this deletion is done.
func (db *DB) tokensForgotten(ctx context.Context, revocation string) {
	db.tokenCache.empty()
	if db.engine != Postgres {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenWait+time.Second)
	defer cancel()
	if tx, err := db.pool.Begin(ctx); err == nil {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '`+tokenWait.String()+`'`); err == nil {
			tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, tokenLock)
		}
		tx.Rollback(ctx)
	}
	db.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, tokenChannel, "done:"+revocation)
}

// newRevocation names a deletion of tokens.
func newRevocation() string { return newID("REVOCATION") }

// ForgetCachedAuth has every process forget the tokens and sessions it has
// cached, as a change made through this package does: for a change made to
// the database by other means (by hand, or by a test), which the caches
// would otherwise see only once their entries are tokenMaxAge old.
func (db *DB) ForgetCachedAuth(ctx context.Context) error {
	return db.inTxForgetting(ctx, func(*Tx) error { return nil })
}

// inTxForgetting runs fn in a transaction that changes what a cached
// session says (or ends it), and returns once every process has forgotten
// the sessions and tokens it had cached.
func (db *DB) inTxForgetting(ctx context.Context, fn func(tx *Tx) error) error {
	revocation := newRevocation()
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.forgetTokens(ctx, revocation)
	})
	if err == nil {
		db.tokensForgotten(ctx, revocation)
	}
	return err
}

// listenForTokens runs the listener until the returned func is
// called, connecting again after a lost connection.
func (db *DB) listenForTokens() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for wait := 100 * time.Millisecond; ctx.Err() == nil; {
			if db.listenOnce(ctx) {
				wait = 100 * time.Millisecond
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
				wait = min(2*wait, 5*time.Second)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// listenOnce listens on one connection until it fails; it reports whether
// it got as far as holding the lock.
func (db *DB) listenOnce(ctx context.Context) bool {
	c := &db.tokenCache
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = tokenListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	defer c.trust(false)
	lock := func() bool {
		_, err := conn.Exec(ctx, `SELECT pg_advisory_lock_shared($1)`, tokenLock)
		c.trust(err == nil) // rows read before now are not kept
		return err == nil
	}
	if _, err := conn.Exec(ctx, `LISTEN `+tokenChannel); err != nil || !lock() {
		return false
	}
	// The deletions told and not yet done, each with when to stop
	// waiting for it (its deleting process may have ended).
	pending := map[string]time.Time{}
	for {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		for _, until := range pending {
			if d, ok := wctx.Deadline(); !ok || until.Before(d) {
				cancel()
				wctx, cancel = context.WithDeadline(ctx, until)
			}
		}
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			kind, id, _ := strings.Cut(n.Payload, ":")
			switch kind {
			case "revoked":
				if len(pending) == 0 {
					c.trust(false)
					if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock_shared($1)`, tokenLock); err != nil {
						return true
					}
				}
				pending[id] = time.Now().Add(tokenWait + time.Second)
			case "done":
				if _, ok := pending[id]; !ok {
					continue
				}
				delete(pending, id)
			}
		case ctx.Err() == nil && pgconn.Timeout(err):
			for id, until := range pending {
				if !time.Now().Before(until) {
					delete(pending, id)
				}
			}
		default:
			return true
		}
		if len(pending) == 0 && !lock() {
			return true
		}
	}
}
