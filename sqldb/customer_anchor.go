package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/tenantry/tenantry"
)

// A page of a partner's customers deep in the list (the API's offset
// paging: offset=100000) made the database step through every entry before
// it in customers_list: 13 ms on SQLite and 17 ms on PostgreSQL for
// 100,000 customers with real ids, over 20 ms at p99 on a busy machine.
// The store now keeps the list's anchors: the key (created, id) of every
// listAnchorStep-th customer of a partner's whole list, learnt by walking
// it once, and starts a deep page from the anchor before its offset, so
// that no page steps through more than listAnchorStep entries (plus the
// customers too recent to anchor on, below).
//
// An anchor says that exactly its offset's customers come before its key.
// A deletion can make that false, and so could a change of a customer's
// partner or creation time (which the store never makes): each adds one to
// customer_list_epoch in its own transaction (the triggers of the
// migrations customer_list_epoch). Anchors are kept with the epoch they
// were learnt at, read before the walk that learns them and again after it
// (a change between the two discards them), and a page started from an
// anchor reads the epoch in its own statement: it answers no row when the
// epoch moved, and the list is then read from its start.
//
// Creating a customer appends it to its partner's list, but two creations
// in flight can commit in another order than their times, the later one
// first: no customer created less than anchorSettle ago is an anchor, as a
// creation still in flight could yet come before it. (A trigger that moved
// the epoch on such an insertion cost 4–7% of creations: it happens often
// under concurrent creations, and each wrote the epoch too.) A customer
// inserted with a past time by hand, bypassing the store, would go unseen:
// anchors are learnt again anchorMaxAge after they were, so that such a
// change is not seen wrongly for longer than that.
const listAnchorStep = 1000

// anchorSettle is how old a customer must be to anchor on: longer than
// any creation's transaction lasts, from taking its time to its commit.
const anchorSettle = time.Minute

// anchorMaxAge is how long anchors are used before they are learnt again.
const anchorMaxAge = 10 * time.Minute

// listKey is a customer's place in list order.
type listKey struct {
	created int64
	id      string
}

// anchorSet is what is known of one partner's list: keys[i] is the key of
// the customer at offset (i+1)*listAnchorStep, as the list was at epoch.
// When a walk stopped short of where a page wanted to start, at the list's
// end or at a customer too recent to anchor on, the walk is not tried
// again before retry: by then the list may have grown, or the customer
// settled.
type anchorSet struct {
	epoch  int64
	keys   []listKey
	retry  time.Time
	learnt time.Time // when the first key was
}

// listAnchors are the anchor sets of the partners whose deep pages were
// asked for, at most maxAnchorSets of them.
type listAnchors struct {
	mu   sync.Mutex
	sets map[string]*anchorSet
}

const maxAnchorSets = 1000

// listAnchor is where a deep page starts: the key of the customer at
// offset, read at epoch.
type listAnchor struct {
	key    listKey
	offset int
	epoch  int64
}

// anchored reports whether a list of f may start from an anchor: a
// partner's whole list (no filter, no search), deep enough to gain.
func anchored(f tenantry.CustomerFilter) bool {
	return f.Offset >= listAnchorStep && f.ExternalID == "" && f.OrgID == "" && len(f.Statuses) == 0 && f.Search == ""
}

// listAnchorFor returns the anchor at or before offset in the partner's
// list, walking the list up to offset when it is not known that far; ok is
// false when the list changed during the walk.
func (db *DB) listAnchorFor(ctx context.Context, partnerID string, offset int) (a listAnchor, ok bool, err error) {
	want := offset/listAnchorStep - 1 // the index of the key needed
	db.anchors.mu.Lock()
	s := db.anchors.sets[partnerID]
	db.anchors.mu.Unlock()
	now := db.now()
	if s != nil && now.Sub(s.learnt) > anchorMaxAge {
		s = nil // learnt again from the list's start
	}
	if s == nil || (len(s.keys) <= want && !now.Before(s.retry)) {
		if s, err = db.walkAnchors(ctx, partnerID, s, want); err != nil || s == nil {
			return listAnchor{}, false, err
		}
	}
	if len(s.keys) == 0 {
		return listAnchor{}, false, nil // a list shorter than one step
	}
	i := min(want, len(s.keys)-1)
	return listAnchor{key: s.keys[i], offset: (i + 1) * listAnchorStep, epoch: s.epoch}, true, nil
}

// walkAnchors extends the partner's anchors (from the set known, when it
// still holds) to index want, keeps them, and returns them; nil when the
// list changed during the walk.
func (db *DB) walkAnchors(ctx context.Context, partnerID string, known *anchorSet, want int) (*anchorSet, error) {
	epoch, err := db.listEpoch(ctx)
	if err != nil {
		return nil, err
	}
	s := &anchorSet{epoch: epoch, learnt: db.now()}
	if known != nil && known.epoch == epoch {
		s.keys, s.learnt = known.keys[:len(known.keys):len(known.keys)], known.learnt
	}
	settle := db.now().Add(-anchorSettle)
	for len(s.keys) <= want {
		var k listKey
		var err error
		if n := len(s.keys); n == 0 {
			err = db.queryRow(ctx, `SELECT created, id FROM customers WHERE partner_id = ? ORDER BY created, id LIMIT 1 OFFSET ?`,
				partnerID, listAnchorStep).Scan(&k.created, &k.id)
		} else {
			last := s.keys[n-1]
			err = db.queryRow(ctx, `SELECT created, id FROM customers WHERE partner_id = ? AND (created, id) > (?, ?) ORDER BY created, id LIMIT 1 OFFSET ?`,
				partnerID, last.created, last.id, listAnchorStep-1).Scan(&k.created, &k.id)
		}
		if errors.Is(err, sql.ErrNoRows) {
			s.retry = db.now().Add(anchorSettle) // the end, for now
			break
		}
		if err != nil {
			return nil, err
		}
		if k.created > settle.UnixMicro() {
			s.retry = fromMicro(k.created).Add(anchorSettle)
			break
		}
		s.keys = append(s.keys, k)
	}
	after, err := db.listEpoch(ctx)
	if err != nil || after != epoch {
		db.forgetAnchors(partnerID)
		return nil, err
	}
	db.anchors.mu.Lock()
	defer db.anchors.mu.Unlock()
	if cur := db.anchors.sets[partnerID]; cur != nil && cur.epoch == epoch && !cur.learnt.Before(s.learnt) && len(cur.keys) > len(s.keys) {
		return cur, nil // another walk as recent went further meanwhile
	}
	if db.anchors.sets == nil || len(db.anchors.sets) >= maxAnchorSets {
		db.anchors.sets = map[string]*anchorSet{}
	}
	db.anchors.sets[partnerID] = s
	return s, nil
}

// forgetAnchors drops the partner's anchors.
func (db *DB) forgetAnchors(partnerID string) {
	db.anchors.mu.Lock()
	delete(db.anchors.sets, partnerID)
	db.anchors.mu.Unlock()
}

// listEpoch reads the count of changes that can move customers in a list.
func (db *DB) listEpoch(ctx context.Context) (int64, error) {
	var e int64
	err := db.queryRow(ctx, `SELECT epoch FROM customer_list_epoch WHERE id = 1`).Scan(&e)
	return e, err
}

// anchoredPageSQL is customerPageSQL for a page started from an anchor:
// its arguments are the partner, the anchor's created and id, its epoch,
// the limit and the offset from the anchor. It reads no row when the epoch
// is not the anchor's.
func anchoredPageSQL(brief bool) string {
	return customerPageSQL(`partner_id = ? AND (created, id) >= (?, ?) AND (SELECT epoch FROM customer_list_epoch WHERE id = 1) = ?`, brief)
}
