package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// keyedAnswer is what one POST with an Idempotency-Key got.
type keyedAnswer struct {
	status   int // 0: no answer (the connection failed)
	location string
	replayed bool
	body     string
}

// postKeyed creates the customer ext under the Idempotency-Key key.
func (c *client) postKeyed(ctx context.Context, provisioningID, ext, key string) keyedAnswer {
	b, _ := json.Marshal(customerBody(provisioningID, ext))
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/wholesale/customers", bytes.NewReader(b))
	if err != nil {
		return keyedAnswer{body: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		return keyedAnswer{body: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return keyedAnswer{body: err.Error()}
	}
	return keyedAnswer{status: resp.StatusCode, location: resp.Header.Get("Location"), replayed: resp.Header.Get("Idempotent-Replayed") == "true", body: string(body)}
}

// pending reports whether the answer says the key's first request still
// holds it.
func (a keyedAnswer) pending() bool {
	return a.status == http.StatusConflict && bytes.Contains([]byte(a.body), []byte("Idempotency-Key"))
}

// settleKey retries key until it is answered 202, as a client does after a
// crash, a 5xx or a dropped connection: while the first request's
// reservation holds (its lease), the answer is 409 "still running". Any
// other answer (a 409 saying the external id is taken, say: the first
// request's work committed and its key forgot it) is returned as it is.
func (c *client) settleKey(ctx context.Context, provisioningID, ext, key string, deadline time.Time) keyedAnswer {
	for {
		a := c.postKeyed(ctx, provisioningID, ext, key)
		if a.status != 0 && a.status < 500 && !a.pending() || time.Now().After(deadline) {
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkKeysSettled checks, once every key is settled, that a customer was
// made once for each external id, the one its key answers, and that every
// key now replays that answer.
func checkKeysSettled(t *testing.T, c *client, dbURL, pid string, first, settled map[string]keyedAnswer) {
	t.Helper()
	ctx := t.Context()
	for key, a := range settled {
		if a.status != http.StatusAccepted {
			t.Errorf("%s: settled with %d %s, want 202", key, a.status, a.body)
			continue
		}
		if f := first[key]; f.status == http.StatusAccepted && path.Base(f.location) != path.Base(a.location) {
			t.Errorf("%s: first answered %s, the retry %s", key, f.location, a.location)
		}
		again := c.postKeyed(ctx, pid, key, key)
		if again.status != http.StatusAccepted || !again.replayed || path.Base(again.location) != path.Base(a.location) {
			t.Errorf("%s: replay answered %d %s (replayed %v), want 202 %s", key, again.status, again.location, again.replayed, a.location)
		}
	}
	db := openDatabase(t, dbURL)
	rows, err := db.SQL().QueryContext(ctx, `SELECT external_id, id FROM customers WHERE external_id LIKE 'key-%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	made := map[string][]string{}
	for rows.Next() {
		var ext, id string
		if err := rows.Scan(&ext, &id); err != nil {
			t.Fatal(err)
		}
		made[ext] = append(made[ext], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for key, a := range settled {
		ids := made[key]
		if len(ids) != 1 || ids[0] != path.Base(a.location) {
			t.Errorf("%s: customers %v, want the one answered (%s)", key, ids, path.Base(a.location))
		}
	}
	if len(made) != len(settled) {
		t.Errorf("%d external ids have customers, %d keys were sent", len(made), len(settled))
	}
}

// TestIdempotencyAfterKill kills serve (SIGKILL) while customers are
// created under Idempotency-Keys, starts it again, and retries every key:
// each is either answered with its original response or free and reusable
// (never "still running" for good, never a second customer), and a
// customer whose creation committed is the one its key answers, even
// when the kill cut off its answer.
func TestIdempotencyAfterKill(t *testing.T) {
	bin := binary(t)
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		dbURL := e.URL(t)
		boot := bootstrapWith(t, bin, dbURL)
		// On SQLite the restart frees the keys of the killed process (the
		// lease is longer than the test); on PostgreSQL, where other
		// processes may hold keys, they are free when their lease runs out.
		lease := "TENANTRY_IDEMPOTENCY_LEASE=3s"
		if e.Name == sqldb.SQLite {
			lease = "TENANTRY_IDEMPOTENCY_LEASE=1h"
		}
		env := []string{lease, "TENANTRY_JOB_TIMEOUT=2s", "TENANTRY_JOB_RESCUE_AFTER=3s", "TENANTRY_SHUTDOWN_TIMEOUT=10s"}
		srv := startServe(t, bin, dbURL, env...)
		c := newClient(srv.base, boot.Token)
		pid := c.createTemplate(t, boot, "Standard")

		const total, clients, killAfter = 400, 16, 120
		first := make(map[string]keyedAnswer, total)
		var (
			mu       sync.Mutex
			answered atomic.Int64
			killOnce sync.Once
			wg       sync.WaitGroup
		)
		ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
		defer cancel()
		keys := make(chan string)
		for range clients {
			wg.Go(func() {
				for key := range keys {
					a := c.postKeyed(ctx, pid, key, key)
					mu.Lock()
					first[key] = a
					mu.Unlock()
					if a.status == http.StatusAccepted && answered.Add(1) == killAfter {
						killOnce.Do(srv.kill)
					}
				}
			})
		}
		for i := range total {
			keys <- fmt.Sprintf("key-%03d", i)
		}
		close(keys)
		wg.Wait()
		srv.kill()
		lost := 0
		for _, a := range first {
			if a.status != http.StatusAccepted {
				lost++
			}
		}
		t.Logf("%s: %d of %d keys answered 202 before SIGKILL, %d cut off", e.Name, total-lost, total, lost)
		if answered.Load() < killAfter {
			t.Fatalf("only %d customers accepted, want at least %d", answered.Load(), killAfter)
		}

		srv2 := startServe(t, bin, dbURL, env...)
		c2 := newClient(srv2.base, boot.Token)
		settled := make(map[string]keyedAnswer, total)
		deadline := time.Now().Add(60 * time.Second)
		for key := range first {
			settled[key] = c2.settleKey(t.Context(), pid, key, key, deadline)
		}
		checkKeysSettled(t, c2, dbURL, pid, first, settled)
		srv2.stop(t)
		if t.Failed() {
			t.Logf("log of the killed server:\n%s\nlog after the restart:\n%s", srv.log.String(), srv2.log.String())
		}
	})
}

// TestIdempotencyDroppedConnections terminates the server's PostgreSQL
// connections (pg_terminate_backend) again and again while customers are
// created under Idempotency-Keys, and has every client retry its key after
// a 5xx or a dropped connection, as a client should: each key ends with
// one customer and the answer that made it, including creations that
// committed while their answer was lost with the connection.
func TestIdempotencyDroppedConnections(t *testing.T) {
	base := os.Getenv("TENANTRY_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("TENANTRY_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TENANTRY_TEST_REQUIRE_POSTGRES=1 but TENANTRY_TEST_POSTGRES_URL is not set")
		}
		t.Skip("needs PostgreSQL: set TENANTRY_TEST_POSTGRES_URL")
	}
	bin := binary(t)
	dbURL := sqldbtest.PostgresURL(t, base)
	boot := bootstrapWith(t, bin, dbURL)
	srv := startServe(t, bin, dbURL, "TENANTRY_IDEMPOTENCY_LEASE=3s", "TENANTRY_SHUTDOWN_TIMEOUT=10s")
	c := newClient(srv.base, boot.Token)
	pid := c.createTemplate(t, boot, "Standard")

	// The terminator: every server connection of the test's database,
	// every 100-300 ms, while the clients send their keys.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	killer, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(context.Background())
	var terminated atomic.Int64
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for i := 0; ctx.Err() == nil; i++ {
			time.Sleep(time.Duration(100+i%5*50) * time.Millisecond)
			var n int64
			if err := killer.QueryRow(ctx, `SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err == nil {
				terminated.Add(n)
			}
		}
	}()

	// Each key is sent, and sent again after a 5xx, a dropped connection
	// or a "still running", up to three times while connections drop;
	// every 202 a key gets must name the same customer.
	const total, clients = 150, 12
	first := make(map[string]keyedAnswer, total)
	seen := make(map[string][]keyedAnswer, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed atomic.Int64
	keys := make(chan string)
	for range clients {
		wg.Go(func() {
			for key := range keys {
				var as []keyedAnswer
				for range 3 {
					a := c.postKeyed(t.Context(), pid, key, key)
					as = append(as, a)
					if a.status != 0 && a.status < 500 && !a.pending() {
						break
					}
					if !a.pending() {
						failed.Add(1)
					}
				}
				mu.Lock()
				first[key], seen[key] = as[0], as
				mu.Unlock()
			}
		})
	}
	for i := range total {
		keys <- fmt.Sprintf("key-%03d", i)
	}
	close(keys)
	wg.Wait()
	cancel()
	<-stopped
	t.Logf("%d connections terminated; %d requests failed with a 5xx or a dropped connection", terminated.Load(), failed.Load())
	if terminated.Load() == 0 || failed.Load() == 0 {
		t.Errorf("no connection was dropped under a request: nothing was tested")
	}

	// The database is back: every key settles, and every answer a key got
	// names the customer it settles on.
	settled := make(map[string]keyedAnswer, total)
	deadline := time.Now().Add(60 * time.Second)
	for key, as := range seen {
		last := as[len(as)-1]
		if last.status != http.StatusAccepted {
			last = c.settleKey(t.Context(), pid, key, key, deadline)
		}
		settled[key] = last
		for _, a := range as {
			if a.status == http.StatusAccepted && path.Base(a.location) != path.Base(last.location) {
				t.Errorf("%s: answered %s, later %s", key, a.location, last.location)
			}
			if a.status != 0 && a.status < 500 && a.status != http.StatusAccepted && !a.pending() {
				t.Errorf("%s: answered %d %s", key, a.status, a.body)
			}
		}
	}
	checkKeysSettled(t, c, dbURL, pid, first, settled)
	srv.stop(t)
	if t.Failed() {
		log := srv.log.String()
		t.Logf("server log (end):\n%s", log[max(0, len(log)-20000):])
	}
}
