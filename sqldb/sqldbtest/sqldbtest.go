// Package sqldbtest gives tests fresh databases on every engine: a SQLite
// file in the test's temporary directory always, and a new PostgreSQL
// database when TENANTRY_TEST_POSTGRES_URL is set. When
// TENANTRY_TEST_REQUIRE_POSTGRES=1 (CI sets it) a missing URL fails the test
// instead of running SQLite alone.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Engine is one database engine a test runs on.
type Engine struct {
	Name string // "sqlite" or "postgres"
	// URL returns the URL of a fresh, empty database, removed when the test ends.
	URL func(t testing.TB) string
}

// Engines returns the engines to run on.
func Engines(t testing.TB) []Engine {
	t.Helper()
	out := []Engine{{Name: "sqlite", URL: sqliteURL}}
	pg := os.Getenv("TENANTRY_TEST_POSTGRES_URL")
	switch {
	case pg != "":
		out = append(out, Engine{Name: "postgres", URL: func(t testing.TB) string { return PostgresURL(t, pg) }})
	case os.Getenv("TENANTRY_TEST_REQUIRE_POSTGRES") == "1":
		t.Fatal("TENANTRY_TEST_REQUIRE_POSTGRES=1 but TENANTRY_TEST_POSTGRES_URL is not set")
	}
	return out
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

func sqliteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "tenantry.db")
}

// PostgresURL creates a new database on the server of base and returns its
// URL; it is dropped when the test ends.
func PostgresURL(t testing.TB, base string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TENANTRY_TEST_POSTGRES_URL: %v", err)
	}
	defer conn.Close(ctx)
	var b [8]byte
	rand.Read(b[:])
	name := "tenantry_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
