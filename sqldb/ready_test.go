package sqldb_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestReady: a migrated database is ready; one missing a migration this
// build knows (an old copy restored, say) is not, and says which.
func TestReady(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		db := openDB(t, e)
		if err := db.Ready(t.Context()); err != nil {
			t.Fatalf("Ready on a migrated database: %v", err)
		}
		latest := sqldb.LatestMigration()
		if latest < 10 {
			t.Fatalf("LatestMigration() = %d", latest)
		}
		if _, err := db.SQL().ExecContext(t.Context(), `DELETE FROM tenantry_migrations WHERE version = 3`); err != nil {
			t.Fatal(err)
		}
		err := db.Ready(t.Context())
		if err == nil || !strings.Contains(err.Error(), "migration 0003 not applied") {
			t.Errorf("Ready without migration 3 = %v", err)
		}
	})
}
