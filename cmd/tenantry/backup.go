package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"github.com/tenantry/tenantry/sqldb"
)

// backup copies the SQLite database to FILE while serve may run; on
// PostgreSQL it prints the pg_dump command to use instead.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if fs.NArg() != 1 {
		return usageError{msg: "backup: want one FILE to write the copy to: tenantry backup [--database-url URL] FILE"}
	}
	dest := fs.Arg(0)
	path, ok := sqldb.SQLitePath(cfg.DatabaseURL)
	if !ok {
		fmt.Fprintln(stderr, "tenantry: backup copies SQLite databases; back PostgreSQL up with pg_dump (it gives a consistent copy while tenantry runs):")
		fmt.Fprintf(stdout, "pg_dump --format=custom --file=%s '%s'\n", dest, redacted(cfg.DatabaseURL))
		return usageError{msg: "backup: not a SQLite database"}
	}
	abs, _ := filepath.Abs(path)
	version, err := sqldb.BackupSQLite(ctx, path, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s (sqlite, schema %d) to %s\n", abs, version, dest)
	return nil
}

// restore replaces the SQLite database with a backup, refusing while any
// process has it open.
func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	if err := fs.Parse(args); err != nil {
		return parseError(err)
	}
	if fs.NArg() != 1 {
		return usageError{msg: "restore: want one FILE, a copy made by tenantry backup: tenantry restore [--database-url URL] FILE"}
	}
	path, ok := sqldb.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return usageError{msg: "restore: restores SQLite databases; restore PostgreSQL with pg_restore"}
	}
	abs, _ := filepath.Abs(path)
	version, err := sqldb.RestoreSQLite(ctx, fs.Arg(0), path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s (schema %d) into %s; serve brings the schema up to date when it starts\n", fs.Arg(0), version, abs)
	return nil
}

// redacted is a database URL without its password, to print.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
