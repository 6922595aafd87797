package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Backups and restores of a SQLite database. A backup is VACUUM INTO: one
// read transaction copies the database as it stood when it began (the WAL
// gives a reader a snapshot while the server keeps writing), compacted,
// into a new file that is a database of its own, without a WAL.
//
// Every process that opens a SQLite database holds a shared lock on a file
// beside it (the database's path plus ".lock"; lock_unix.go). A restore
// takes that lock exclusively, so it refuses to replace a database that a
// server, or any other command, has open.

// SQLitePath returns the file path a SQLite database URL names, and false
// for a PostgreSQL URL.
func SQLitePath(url string) (string, bool) {
	if isPostgresURL(url) {
		return "", false
	}
	return strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:"), true
}

// BackupSQLite copies the SQLite database at path into dest, a file that
// must not exist yet, while other processes may go on writing. It returns
// the schema version of the copy.
func BackupSQLite(ctx context.Context, path, dest string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	if _, err := os.Stat(dest); err == nil {
		return 0, fmt.Errorf("%s exists already: a backup never overwrites a file", dest)
	}
	src, err := sql.Open(sqliteDriver, "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	version, err := schemaVersion(ctx, src)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return 0, fmt.Errorf("copy %s to %s: %w", path, dest, err)
	}
	return version, nil
}

// RestoreSQLite replaces the SQLite database at path with the backup src,
// after checking that src is a sound Tenantry database at a schema version
// this build knows. It refuses while any process has the database at path
// open. It returns the schema version of the restored database.
func RestoreSQLite(ctx context.Context, src, path string) (int, error) {
	version, err := CheckSQLiteBackup(ctx, src)
	if err != nil {
		return 0, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return 0, fmt.Errorf("create database directory: %w", err)
		}
	}
	unlock, err := lockDatabase(path, true)
	if err != nil {
		return 0, err
	}
	defer unlock()
	// Copy beside the target, then rename over it: a restore cut off
	// leaves the old database whole.
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".restore-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	in, err := os.Open(src)
	if err != nil {
		tmp.Close()
		return 0, err
	}
	_, err = io.Copy(tmp, in)
	in.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", src, err)
	}
	// The old database's WAL and shared memory belong to it, not to the
	// copy: left beside it, SQLite would replay them into the copy.
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	return version, nil
}

// CheckSQLiteBackup checks that the file at path is a sound SQLite
// database of Tenantry at a schema version this build knows, and returns
// that version.
func CheckSQLiteBackup(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	db, err := sql.Open(sqliteDriver, "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&ok); err != nil {
		return 0, fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if ok != "ok" {
		return 0, fmt.Errorf("%s is damaged: %s", path, ok)
	}
	version, err := schemaVersion(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return version, nil
}

// schemaVersion returns the schema version of a Tenantry database: its
// newest migration, which must be one this build knows.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM tenantry_migrations`).Scan(&version); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, errors.New("not a Tenantry database (no tenantry_migrations table)")
		}
		return 0, err
	}
	if !version.Valid {
		return 0, errors.New("not a Tenantry database (no migration applied)")
	}
	if latest := LatestMigration(); int(version.Int64) > latest {
		return 0, fmt.Errorf("schema version %d is newer than this build's %d: use a newer tenantry", version.Int64, latest)
	}
	return int(version.Int64), nil
}

func isPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}
