package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestImportCrashSafety kills the server (SIGKILL) while an import job is
// half way, starts it again, and checks that the import finishes with
// every row created exactly once: no row is lost, and none is worked twice
// (a second try would be refused as email taken, a row error).
func TestImportCrashSafety(t *testing.T) {
	bin := binary(t)
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		dbURL := e.URL(t)
		boot := bootstrapWith(t, bin, dbURL)
		env := []string{"TENANTRY_JOB_TIMEOUT=2s", "TENANTRY_JOB_RESCUE_AFTER=3s", "TENANTRY_SHUTDOWN_TIMEOUT=10s"}
		srv := startServe(t, bin, dbURL, env...)
		b := &benchEnv{base: srv.base, client: &http.Client{Timeout: 30 * time.Second}, boot: &tenantry.BootstrapResult{
			Admin: &tenantry.PartnerAdmin{ID: boot.AdminID}, Subscription: &tenantry.Subscription{ID: boot.SubscriptionID}, Token: boot.Token,
		}}
		ctx := t.Context()
		const total = 3000
		_, cpath, hq, err := b.callingCustomer(ctx, total)
		if err != nil {
			t.Fatal(err)
		}
		var csv strings.Builder
		csv.WriteString(tenantry.ImportHeader())
		for i := range total {
			fmt.Fprintf(&csv, "User,%d,user%d@crash.example.com,webex_calling,%s,%s,%d\n", i, i, hq.Name, benchNumber(i), 100000+i)
		}
		var acc struct{ URL string }
		if err := b.expect(ctx, http.StatusAccepted, "POST", cpath+"/imports", csv.String(), &acc); err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(acc.URL, srv.base)
		type importDoc struct {
			Status        string
			Done, Created int
			Errors        []struct {
				Row            int
				Field, Message string
			}
		}
		var im importDoc
		servers := []*child{srv}
		// fail stops the servers and shows what a stalled import needs to
		// be understood: the queue's rows, the imports and every log.
		fail := func(format string, args ...any) {
			t.Helper()
			for _, s := range servers {
				s.kill()
			}
			t.Errorf(format, args...)
			t.Logf("jobs:\n%s", jobRows(t, dbURL))
			for i, s := range servers {
				t.Logf("log of server %d:\n%s", i+1, s.log.String())
			}
			t.FailNow()
		}
		deadline := time.Now().Add(120 * time.Second)
		for im.Done < 400 {
			if err := b.expect(ctx, http.StatusOK, "GET", path, nil, &im); err != nil {
				fail("%v", err)
			}
			if time.Now().After(deadline) {
				fail("import at %d rows after 120s", im.Done)
			}
			time.Sleep(2 * time.Millisecond)
		}
		srv.kill()
		if im.Done >= total {
			t.Fatalf("the import finished before the kill; nothing was tested")
		}
		t.Logf("%s: killed with %d of %d rows done", e.Name, im.Done, total)

		srv2 := startServe(t, bin, dbURL, env...)
		servers = append(servers, srv2)
		b.base = srv2.base
		deadline = time.Now().Add(180 * time.Second)
		for im.Status != "completed" && im.Status != "failed" {
			if err := b.expect(ctx, http.StatusOK, "GET", path, nil, &im); err != nil {
				fail("%v", err)
			}
			if time.Now().After(deadline) {
				fail("import %s at %d rows after restart", im.Status, im.Done)
			}
			time.Sleep(20 * time.Millisecond)
		}
		srv2.stop(t)
		if im.Status != "completed" || im.Done != total || im.Created != total || len(im.Errors) != 0 {
			fail("import %s, %d done, %d created, errors %v", im.Status, im.Done, im.Created, im.Errors[:min(len(im.Errors), 3)])
		}
		db := openDatabase(t, dbURL)
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM subscribers WHERE email LIKE '%@crash.example.com'`:                     total,
			`SELECT COUNT(*) FROM phone_numbers WHERE state = 'assigned'`:                                 total,
			`SELECT COUNT(*) FROM audit_log WHERE action = 'subscriber.create'`:                           total,
			`SELECT COUNT(*) FROM outbox WHERE kind = 'welcome' AND recipient LIKE '%@crash.example.com'`: total,
		} {
			var n int
			if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Errorf("%s: %v", q, err)
			} else if n != want {
				t.Errorf("%s = %d, want %d", q, n, want)
			}
		}
	})
}

// jobRows lists River's jobs and the imports, once the servers are
// stopped, for a failure's report.
func jobRows(t *testing.T, dbURL string) string {
	t.Helper()
	db, err := sqldb.Open(context.WithoutCancel(t.Context()), dbURL, sqldb.Options{MaxConns: 2})
	if err != nil {
		return fmt.Sprintf("open %s: %v", dbURL, err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, kind, state, attempt, max_attempts, CAST(args AS TEXT), COALESCE(CAST(errors AS TEXT), '') FROM river_job ORDER BY id`,
		`SELECT id, status, total, done, created_count, '', '' FROM imports ORDER BY id`,
	} {
		if db.Engine() == sqldb.SQLite {
			q = strings.ReplaceAll(strings.ReplaceAll(q, "CAST(args AS TEXT)", "json(args)"), "CAST(errors AS TEXT)", "json(errors)")
		}
		rows, err := db.SQL().QueryContext(context.WithoutCancel(t.Context()), q)
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", q, err)
			continue
		}
		for rows.Next() {
			var id, kind, state, attempt, max, args, errs string
			if err := rows.Scan(&id, &kind, &state, &attempt, &max, &args, &errs); err != nil {
				fmt.Fprintf(&b, "scan: %v\n", err)
				break
			}
			fmt.Fprintf(&b, "%s %s %s %s/%s %s %s\n", id, kind, state, attempt, max, args, errs)
		}
		rows.Close()
	}
	return b.String()
}
