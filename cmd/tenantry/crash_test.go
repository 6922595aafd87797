package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// child is a tenantry process started from the built binary.
type child struct {
	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{}
	base   string
}

// childEnv is the test's environment without TENANTRY_* settings, which
// would change what the child does, plus env.
func childEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENANTRY_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// startChild starts the binary with args; it is killed when the test ends.
func startChild(t *testing.T, bin string, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(env...)
	c := &child{cmd: cmd, log: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.log, c.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	go func() {
		cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.kill)
	return c
}

// startServe starts `serve` on a free port and waits until it listens.
func startServe(t *testing.T, bin, dbURL string, env ...string) *child {
	t.Helper()
	c := startChild(t, bin, env, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL)
	c.base = waitListening(t, c.log, c.exited)
	return c
}

// kill sends SIGKILL, if the process still runs, and waits for it.
func (c *child) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	c.cmd.Process.Kill()
	<-c.exited
}

// stop asks the process to shut down as SIGINT does and checks that it
// exits 0.
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop within 60s of SIGINT:\n%s", c.log.String())
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("serve exit %d after SIGINT, want 0:\n%s", code, c.log.String())
	}
}

// bootstrapWith runs `bootstrap` with the binary.
func bootstrapWith(t *testing.T, bin, dbURL string) bootstrapped {
	t.Helper()
	cmd := exec.Command(bin, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", dbURL)
	cmd.Env = childEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bootstrap: %v\n%s", err, stderr.String())
	}
	return decodeOne(t, string(out))
}

// customerURL is a customer's URL on the server at base.
func customerURL(base, id string) string { return base + "/v1/wholesale/customers/" + id }

// openDatabase opens the database the servers used, once they are stopped
// (SQLite has one process at a time).
func openDatabase(t *testing.T, dbURL string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), dbURL, sqldb.Options{MaxConns: 4})
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dbCustomer is a customer row as the checks read it.
type dbCustomer struct{ id, externalID, status string }

// checkNothingLostOrRepeated reads the database after the servers stopped:
// every customer is there once and provisioned, with exactly one
// customer.provisioned audit entry and one of each record provisioning
// makes. want maps external ids to the ids the API accepted.
func checkNothingLostOrRepeated(t *testing.T, db *sqldb.DB, want map[string]string) {
	t.Helper()
	ctx := t.Context()
	rows, err := db.SQL().QueryContext(ctx, `SELECT id, external_id, status FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	byExt := map[string][]dbCustomer{}
	var all []dbCustomer
	for rows.Next() {
		var c dbCustomer
		if err := rows.Scan(&c.id, &c.externalID, &c.status); err != nil {
			t.Fatal(err)
		}
		byExt[c.externalID] = append(byExt[c.externalID], c)
		all = append(all, c)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for ext, cs := range byExt {
		if len(cs) > 1 {
			t.Errorf("external id %s has %d customer rows", ext, len(cs))
		}
	}
	for ext, id := range want {
		cs := byExt[ext]
		switch {
		case len(cs) == 0:
			t.Errorf("accepted customer %s (%s) is lost", ext, id)
		case cs[0].id != id:
			t.Errorf("accepted customer %s: row id %s, the API answered %s", ext, cs[0].id, id)
		}
	}
	notProvisioned := 0
	for _, c := range all {
		if c.status != "provisioned" {
			notProvisioned++
			if notProvisioned <= 5 {
				t.Errorf("customer %s (%s) ended %s, want provisioned", c.externalID, c.id, c.status)
			}
		}
	}
	if notProvisioned > 5 {
		t.Errorf("... %d customers in all not provisioned", notProvisioned)
	}

	perCustomer := func(q string) map[string]int {
		t.Helper()
		rows, err := db.SQL().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			out[id] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	provisioned := perCustomer(`SELECT resource_id, COUNT(*) FROM audit_log WHERE action = 'customer.provisioned' GROUP BY resource_id`)
	locations := perCustomer(`SELECT customer_id, COUNT(*) FROM locations GROUP BY customer_id`)
	admins := perCustomer(`SELECT customer_id, COUNT(*) FROM customer_admins GROUP BY customer_id`)
	bad := 0
	for _, c := range all {
		if provisioned[c.id] != 1 || locations[c.id] != 1 || admins[c.id] != 1 {
			bad++
			if bad <= 5 {
				t.Errorf("customer %s: %d customer.provisioned audit entries, %d locations, %d admins; want 1 of each",
					c.externalID, provisioned[c.id], locations[c.id], admins[c.id])
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d customers in all with a wrong count", bad)
	}
	for id, n := range provisioned {
		if !slicesContainsID(all, id) {
			t.Errorf("%d customer.provisioned entries for %s, which does not exist", n, id)
		}
	}
}

func slicesContainsID(cs []dbCustomer, id string) bool {
	for _, c := range cs {
		if c.id == id {
			return true
		}
	}
	return false
}

// jobStates summarises River's jobs by state, to show what the kill cut off.
func jobStates(t *testing.T, dbURL string) string {
	t.Helper()
	db, err := sqldb.Open(t.Context(), dbURL, sqldb.Options{MaxConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	defer db.Close()
	rows, err := db.SQL().QueryContext(t.Context(), `SELECT state, COUNT(*) FROM river_job GROUP BY state ORDER BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", state, n)
	}
	return b.String()
}

// waitNoneProvisioning waits until the API lists no customer as provisioning.
func (c *client) waitNoneProvisioning(t *testing.T, deadline time.Duration) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		resp, body, err := c.do(t.Context(), "GET", "/v1/wholesale/customers?status=provisioning&max=1", nil)
		if err == nil && resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"items":[]`) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("customers still provisioning after %v: %v %s", deadline, err, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestCrashSafety kills serve with SIGKILL while customers are being
// accepted and provisioned, restarts it on the same database, and checks
// that every accepted customer is provisioned exactly once: nothing lost,
// nothing visibly repeated.
func TestCrashSafety(t *testing.T) {
	bin := binary(t)
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		dbURL := e.URL(t)
		boot := bootstrapWith(t, bin, dbURL)
		env := []string{"TENANTRY_JOB_TIMEOUT=2s", "TENANTRY_JOB_RESCUE_AFTER=3s", "TENANTRY_SHUTDOWN_TIMEOUT=10s"}
		srv := startServe(t, bin, dbURL, env...)
		c := newClient(srv.base, boot.Token)
		pid := c.createTemplate(t, boot, "Standard")
		// Wait for the workers to be at work, so that the kill cuts off
		// jobs as well as requests.
		warm, err := c.createCustomer(t.Context(), pid, "warm-up")
		if err != nil {
			t.Fatal(err)
		}
		c.waitProvisioned(t, []string{warm}, 60*time.Second)

		const total, killAfter = 300, 100
		var (
			mu       sync.Mutex
			accepted = map[string]string{} // external id → customer id
			n        atomic.Int64
			killOnce sync.Once
			wg       sync.WaitGroup
		)
		accepted["warm-up"] = path.Base(warm)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		start := make(chan struct{})
		for i := range total {
			ext := fmt.Sprintf("crash-%03d", i)
			wg.Go(func() {
				<-start
				loc, err := c.createCustomer(ctx, pid, ext)
				if err != nil {
					// Cut off by the kill: the customer may or may not
					// exist, and either is fine as long as it is whole.
					if strings.Contains(err.Error(), "create customer") {
						t.Errorf("a request before the kill was refused: %v", err)
					}
					return
				}
				mu.Lock()
				accepted[ext] = path.Base(loc)
				mu.Unlock()
				if n.Add(1) == killAfter {
					killOnce.Do(srv.kill)
				}
			})
		}
		close(start)
		wg.Wait()
		srv.kill()
		t.Logf("%s: %d of %d customers accepted before SIGKILL", e.Name, len(accepted), total)
		if len(accepted) < killAfter {
			t.Fatalf("only %d customers accepted, want at least %d", len(accepted), killAfter)
		}

		t.Logf("%s: jobs after the kill: %s", e.Name, jobStates(t, dbURL))

		srv2 := startServe(t, bin, dbURL, env...)
		c2 := newClient(srv2.base, boot.Token)
		urls := make([]string, 0, len(accepted))
		for _, id := range accepted {
			urls = append(urls, customerURL(srv2.base, id))
		}
		c2.waitProvisioned(t, urls, 120*time.Second)
		// Customers whose 202 was lost to the kill are provisioned too.
		c2.waitNoneProvisioning(t, 30*time.Second)
		srv2.stop(t)

		checkNothingLostOrRepeated(t, openDatabase(t, dbURL), accepted)
	})
}
