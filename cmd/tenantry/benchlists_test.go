package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestBenchLists runs the list benchmark small and checks that it prints,
// for every case, the API's and the bare SQL's p50 and p99 and their ratio.
func TestBenchLists(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		args := []string{"bench", "lists", "-n", "300", "-requests", "3"}
		if e.Name == "postgres" {
			args = append(args, "-database-url", os.Getenv("TENANTRY_TEST_POSTGRES_URL"))
		}
		var stdout, stderr bytes.Buffer
		if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		}
		out := stdout.String()
		if !regexp.MustCompile(`bench lists: n=301 requests=3 engine=` + e.Name).MatchString(out) {
			t.Errorf("no header:\n%s", out)
		}
		// The floor, the same server's answer that reads no database.
		if !regexp.MustCompile(`http floor \(GET /healthz: no database, no page\) p50 \S+ p99 \S+`).MatchString(out) {
			t.Errorf("no floor:\n%s", out)
		}
		for _, c := range []string{"first page", "last page", "status=provisioned ", "status=error", "search name part", "search Korean name part",
			"search external id", "search admin email", "search rare name part"} {
			for _, surface := range []string{"api", "hub"} {
				re := regexp.MustCompile(regexp.QuoteMeta(c) + ` +` + surface + ` .* rows .*http p50 \S+ +p99 \S+ +store p50 \S+ +p99 \S+ +sql p50 \S+ +p99 \S+ +http/sql p50 +[\d.]+ p99 +[\d.]+`)
				if !re.MatchString(out) {
					t.Errorf("no %s figures for %q:\n%s", surface, c, out)
				}
			}
		}
		// The searches find what the seeds hold: one customer by its external
		// id, its email or a rare part of its name; Korean names (30, 25 on a
		// hub page).
		for _, want := range []string{`search external id +api +1 rows`, `search admin email +hub +1 rows`, `search rare name part +api +1 rows`,
			`search Korean name part +api +30 rows`, `search Korean name part +hub +25 rows`} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("no %q:\n%s", want, out)
			}
		}
	})
}

// TestBenchListsWhileWriting: with -write-rate the lists are timed while
// customers are created through the API, and the benchmark says how many
// were created, none refused; a rate out of range is a usage error.
func TestBenchListsWhileWriting(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "lists", "-n", "300", "-requests", "200", "-only", "first page", "-write-rate", "200"}
	if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
	}
	m := regexp.MustCompile(`while timing: (\d+) customers created through the API \((\d+) refused or failed\)`).FindStringSubmatch(stdout.String())
	if m == nil || m[1] == "0" || m[2] != "0" {
		t.Errorf("no customers created while timing, or some refused:\n%s", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := Main(t.Context(), []string{"bench", "lists", "-write-rate", "-1"}, &stdout, &stderr); code != 2 || !bytes.Contains(stderr.Bytes(), []byte("-write-rate")) {
		t.Errorf("-write-rate -1: exit %d, %s", code, stderr.String())
	}
}
