package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCluster runs two serve processes on one PostgreSQL database, as a
// cluster does, and checks that they share the work: every customer is
// provisioned once, by one attempt, and both processes worked jobs.
func TestCluster(t *testing.T) {
	base := os.Getenv("TENANTRY_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("TENANTRY_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TENANTRY_TEST_REQUIRE_POSTGRES=1 but TENANTRY_TEST_POSTGRES_URL is not set")
		}
		t.Skip("needs PostgreSQL: set TENANTRY_TEST_POSTGRES_URL")
	}
	bin := binary(t)
	dbURL := sqldbtest.PostgresURL(t, base)

	// Both processes start at once on the fresh database, as a cluster
	// rolling out does; each must come up on its own.
	servers := make([]*child, 2)
	for i := range servers {
		servers[i] = startChild(t, bin, []string{"TENANTRY_SHUTDOWN_TIMEOUT=10s"}, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL)
	}
	for i, s := range servers {
		s.base = waitListeningOrExit(t, s)
		if s.base == "" {
			t.Errorf("server %d failed to start next to the other on a fresh database:\n%s", i, s.log.String())
			// Start it again so that the rest of the test still runs.
			servers[i] = startServe(t, bin, dbURL, "TENANTRY_SHUTDOWN_TIMEOUT=10s")
		}
	}
	if servers[0].base == servers[1].base {
		t.Fatalf("both servers listen on %s", servers[0].base)
	}

	boot := bootstrapWith(t, bin, dbURL)
	clients := []*client{newClient(servers[0].base, boot.Token), newClient(servers[1].base, boot.Token)}
	pid := clients[0].createTemplate(t, boot, "Standard")

	const total = 200
	ids := make([]string, total)
	sem := make(chan struct{}, 20)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for i := range total {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			loc, err := clients[i%2].createCustomer(ctx, pid, fmt.Sprintf("cluster-%03d", i))
			if err != nil {
				t.Errorf("server %d: %v", i%2, err)
				return
			}
			ids[i] = path.Base(loc)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	db := openDatabase(t, dbURL)
	end := time.Now().Add(60 * time.Second)
	for {
		var left int
		if err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM customers WHERE status <> 'provisioned'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d customers not provisioned after 60s", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// River marks jobs completed in batches, shortly after the work.
	end = time.Now().Add(30 * time.Second)
	for {
		var left int
		if err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM river_job WHERE kind = 'provision_customer' AND state <> 'completed'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d provisioning jobs not completed after 30s", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range servers {
		s.stop(t)
	}

	want := map[string]string{}
	for i, id := range ids {
		want[fmt.Sprintf("cluster-%03d", i)] = id
	}
	checkNothingLostOrRepeated(t, db, want)

	var jobs, firstAttempts int
	if err := db.SQL().QueryRowContext(t.Context(),
		`SELECT COUNT(*), COUNT(*) FILTER (WHERE attempt = 1) FROM river_job WHERE kind = 'provision_customer'`).Scan(&jobs, &firstAttempts); err != nil {
		t.Fatal(err)
	}
	if jobs != total || firstAttempts != total {
		t.Errorf("%d provisioning jobs, %d done in one attempt; want %d and %d", jobs, firstAttempts, total, total)
	}
	rows, err := db.SQL().QueryContext(t.Context(),
		`SELECT client, COUNT(*) FROM (SELECT unnest(attempted_by) AS client FROM river_job WHERE kind = 'provision_customer' AND state = 'completed') w GROUP BY client ORDER BY client`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	worked := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		worked[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("jobs per client: %v", worked)
	if len(worked) < 2 {
		t.Errorf("jobs were worked by %d client(s) %v, want both processes", len(worked), worked)
	}
}

// waitListeningOrExit is waitListening for a server that may fail to
// start: it returns "" when the process exits first.
func waitListeningOrExit(t *testing.T, c *child) string {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		if m := listening.FindStringSubmatch(c.log.String()); m != nil {
			return m[1]
		}
		select {
		case <-c.exited:
			return ""
		case <-deadline:
			t.Fatalf("serve did not log 'tenantry listening' within 90s:\n%s", c.log.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
