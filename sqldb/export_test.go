package sqldb

import "context"

// FlushTrigrams moves every pending row of SQLite's trigram indexes into
// them at once, for tests of the indexes alone.
func FlushTrigrams(ctx context.Context, db *DB) error {
	if db.engine != SQLite {
		return nil
	}
	return db.flushTrigrams(ctx)
}
