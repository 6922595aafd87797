package sqldb

import (
	"context"
	"strings"
)

// FlushTrigrams moves every pending row of SQLite's trigram indexes into
// them at once, for tests of the indexes alone.
func FlushTrigrams(ctx context.Context, db *DB) error { return db.FlushSearchIndexes(ctx) }

// StopTrigramFlush stops moving the pending rows of SQLite's trigram (and
// audit) indexes in the background, so that a test decides when they move
// (FlushTrigrams).
func StopTrigramFlush(db *DB) { db.stopBackgroundIndexing() }

// ListAnchors is how many anchors of the partner's customer list the store
// keeps (customer_anchor.go).
func ListAnchors(db *DB, partnerID string) int {
	db.anchors.mu.Lock()
	defer db.anchors.mu.Unlock()
	if s := db.anchors.sets[partnerID]; s != nil {
		return len(s.keys)
	}
	return 0
}

// ExplainAsRun is the plan of st as the store runs it (queryStatement: on
// PostgreSQL a statement marked InOrder is planned with its settings).
func ExplainAsRun(db *DB, st Statement) (string, error) {
	st.SQL = "EXPLAIN " + st.SQL
	r, err := db.queryStatement(context.Background(), st)
	if err != nil {
		return "", err
	}
	lines, err := scanStrings(r)
	return strings.Join(lines, "\n"), err
}
