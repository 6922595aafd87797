package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
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
		deadline := time.Now().Add(120 * time.Second)
		for im.Done < 400 {
			if err := b.expect(ctx, http.StatusOK, "GET", path, nil, &im); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("import at %d rows after 120s", im.Done)
			}
			time.Sleep(2 * time.Millisecond)
		}
		srv.kill()
		if im.Done >= total {
			t.Fatalf("the import finished before the kill; nothing was tested")
		}
		t.Logf("%s: killed with %d of %d rows done", e.Name, im.Done, total)

		srv2 := startServe(t, bin, dbURL, env...)
		b.base = srv2.base
		deadline = time.Now().Add(180 * time.Second)
		for im.Status != "completed" && im.Status != "failed" {
			if err := b.expect(ctx, http.StatusOK, "GET", path, nil, &im); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("import %s at %d rows after restart", im.Status, im.Done)
			}
			time.Sleep(20 * time.Millisecond)
		}
		srv2.stop(t)
		if im.Status != "completed" || im.Done != total || im.Created != total || len(im.Errors) != 0 {
			t.Fatalf("import %s, %d done, %d created, errors %v", im.Status, im.Done, im.Created, im.Errors[:min(len(im.Errors), 3)])
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
