package sqldb_test

import (
	"path/filepath"
	"testing"

	"github.com/tenantry/tenantry/sqldb"
)

// TestSQLiteStatisticsOnOpen: a SQLite database that grew without
// statistics has them for its tables once opened, so that the planner
// picks indexes by what they hold (without them an exact search read every
// customer in list order).
func TestSQLiteStatisticsOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := sqldb.Open(t.Context(), path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Rows written behind the planner's back, and no statistics at all.
	s := db.SQL()
	for _, q := range []string{
		`INSERT INTO partners (id, name, name_key, parent_id, provisioning_state, subscription_id, created, billing_start)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
			SELECT 'p' || i, 'Partner ' || i, 'partner ' || i, '', 'active', '', i, 0 FROM n`,
		`DROP TABLE IF EXISTS sqlite_stat1`,
	} {
		if _, err := s.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db, err = sqldb.Open(t.Context(), path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'partners'`).Scan(&n); err != nil {
		t.Fatalf("no statistics after open: %v", err)
	}
	if n == 0 {
		t.Error("partners has no statistics after open")
	}
	// Optimize is safe to run again at any time, and does nothing on
	// PostgreSQL.
	if err := db.Optimize(t.Context()); err != nil {
		t.Fatal(err)
	}
}
