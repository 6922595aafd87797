package sqldb

import (
	"context"
	"fmt"
	"io/fs"
)

// Ready reports whether the database answers and holds every migration
// this build knows: a process started against a schema another (older)
// build left behind, or a database restored from an old copy, is not ready
// until it is migrated.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("database unavailable: %w", err)
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, v := range knownMigrations(db.engine) {
		if !applied[v] {
			return fmt.Errorf("schema not current: migration %04d not applied", v)
		}
	}
	return nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT version FROM tenantry_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// knownMigrations returns the versions of the engine's embedded migrations.
func knownMigrations(engine string) []int {
	entries, _ := fs.ReadDir(migrations, "migrations/"+engine)
	var out []int
	for _, e := range entries {
		var v int
		if _, err := fmt.Sscanf(e.Name(), "%04d_", &v); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// LatestMigration is the newest schema version this build knows.
func LatestMigration() int {
	vs := knownMigrations(SQLite)
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}
