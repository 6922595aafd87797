package sqldb

import (
	"fmt"
	"path/filepath"
	"testing"
)

func TestPlannedOnce(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT id FROM t ORDER BY id LIMIT ? OFFSET ?`, `SELECT id FROM t ORDER BY id LIMIT ?+0 OFFSET ?+0`},
		{"WHERE id IN (SELECT id FROM t LIMIT ?3\n)", "WHERE id IN (SELECT id FROM t LIMIT ?3+0\n)"},
		{`SELECT id FROM (SELECT id FROM t LIMIT ?) AS x`, `SELECT id FROM (SELECT id FROM t LIMIT ?+0) AS x`},
		{`SELECT id FROM t LIMIT ?+0 OFFSET ?+0`, `SELECT id FROM t LIMIT ?+0 OFFSET ?+0`},
		{`SELECT id FROM t LIMIT 25`, `SELECT id FROM t LIMIT 25`},
		{`SELECT id FROM t LIMIT ?, ?`, `SELECT id FROM t LIMIT ?, ?`},
		{`SELECT id FROM t WHERE a = ?`, `SELECT id FROM t WHERE a = ?`},
		{`SELECT id FROM t WHERE note = 'NOLIMIT ?'`, `SELECT id FROM t WHERE note = 'NOLIMIT ?'`},
	} {
		if got := plannedOnce(c.in); got != c.want {
			t.Errorf("plannedOnce(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestSQLiteLimitParameters: a page's statement, prepared once and run with
// one limit and offset after another, returns each page, as it did with
// the parameters bare.
func TestSQLiteLimitParameters(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.SQL()
	if _, err := s.ExecContext(t.Context(), `CREATE TABLE pages (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExecContext(t.Context(), `INSERT INTO pages (n) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) SELECT i FROM c`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		limit, offset any
		want          string
	}{
		{3, 0, "[1 2 3]"}, {2, 10, "[11 12]"}, {5, 98, "[99 100]"}, {int64(1), int64(0), "[1]"}, {"2", "4", "[5 6]"}, {0, 0, "[]"},
	} {
		rows, err := s.QueryContext(t.Context(), `SELECT n FROM pages ORDER BY n LIMIT ? OFFSET ?`, c.limit, c.offset)
		if err != nil {
			t.Fatal(err)
		}
		got := []int{}
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		rows.Close()
		if fmt.Sprint(got) != c.want {
			t.Errorf("LIMIT %v OFFSET %v: %v, want %s", c.limit, c.offset, got, c.want)
		}
	}
	// A statement prepared by the caller is rewritten the same way.
	st, err := s.PrepareContext(t.Context(), `SELECT COUNT(*) FROM (SELECT n FROM pages ORDER BY n LIMIT ? OFFSET ?)`)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct{ limit, offset, want int }{{10, 95, 5}, {10, 0, 10}} {
		var n int
		if err := st.QueryRowContext(t.Context(), c.limit, c.offset).Scan(&n); err != nil || n != c.want {
			t.Errorf("prepared, LIMIT %d OFFSET %d: %d rows (%v), want %d", c.limit, c.offset, n, err, c.want)
		}
	}
}
