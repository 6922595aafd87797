package sqldb

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestAuditIndexedLater: on SQLite an audit row is written pending, in
// none of the log's filter indexes, and a read of the log moves every
// pending row into them first, more than one transaction's worth too, so
// that it shows the writes made just before; each page's statement is
// answered from one of the partial indexes, not by reading the table. On
// PostgreSQL rows are indexed as they are written.
func TestAuditIndexedLater(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		url := e.URL(t)
		db, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.stopBackgroundIndexing()
		boot, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Audited", AdminEmail: "ops@audited.example"})
		if err != nil {
			t.Fatal(err)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, db.rebind(q), args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if e.Name != SQLite {
			if n := count(`SELECT COUNT(*) FROM audit_log`); n != 2 {
				t.Fatalf("%d audit rows after the bootstrap, want 2", n)
			}
			if err := db.indexAudit(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE pending = 1`); n != 2 {
			t.Fatalf("%d audit rows pending after the bootstrap, want 2", n)
		}

		// More pending rows than one transaction moves, as a burst of
		// writes leaves them.
		const burst = 2*auditIndexRows + 17
		if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id, pending)
			SELECT ?, ?, 'location.update', 'location', 'L' || i, '{}', ? + i, 'api', '', 1 FROM n`, burst),
			boot.Partner.ID, boot.Admin.ID, time.Now().UnixMicro()); err != nil {
			t.Fatal(err)
		}
		a := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: boot.Partner.ID, AdminID: boot.Admin.ID}, OrgID: boot.Partner.ID}
		es, more, err := db.AuditEntries(ctx, a, tenantry.AuditFilter{Action: "partner.bootstrap"})
		if err != nil || len(es) != 1 || more {
			t.Fatalf("the bootstrap's entry: %d entries (more %v), %v", len(es), more, err)
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE pending = 1`); n != 0 {
			t.Errorf("%d audit rows still pending after a read", n)
		}
		if mark, last := count(`SELECT id FROM audit_indexed`), count(`SELECT MAX(id) FROM audit_log`); mark != last {
			t.Errorf("mark %d, want the last id %d", mark, last)
		}
		if es, _, err := db.AuditEntries(ctx, a, tenantry.AuditFilter{Action: "location.update", Limit: tenantry.MaxAuditPageSize}); err != nil || len(es) != tenantry.MaxAuditPageSize {
			t.Fatalf("the burst: %d entries, %v", len(es), err)
		}
		log, err := db.AuditLog(ctx, boot.Partner.ID, "location", "L7")
		if err != nil || len(log) != 1 {
			t.Fatalf("one location's log: %d entries, %v", len(log), err)
		}

		// A row written now is pending until the next read.
		if _, _, err := db.CreateToken(ctx, boot.Partner.ID, &tenantry.Principal{PartnerID: boot.Partner.ID, AdminID: boot.Admin.ID, Scopes: []string{tenantry.ScopeTokens, tenantry.ScopeCustomersRead}},
			&tenantry.TokenInput{Name: "later", Scopes: []string{tenantry.ScopeCustomersRead}}); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE pending = 1`); n != 1 {
			t.Fatalf("%d audit rows pending after a token's creation, want 1", n)
		}
		if es, _, err := db.AuditEntries(ctx, a, tenantry.AuditFilter{}); err != nil || len(es) == 0 || es[0].Action != "token.create" {
			t.Fatalf("newest entry: %v, %v", es, err)
		}

		// A row still pending when the server stops is there after a
		// restart.
		if _, _, err := db.CreateToken(ctx, boot.Partner.ID, &tenantry.Principal{PartnerID: boot.Partner.ID, AdminID: boot.Admin.ID, Scopes: []string{tenantry.ScopeTokens, tenantry.ScopeCustomersRead}},
			&tenantry.TokenInput{Name: "before the restart", Scopes: []string{tenantry.ScopeCustomersRead}}); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE pending = 1`); n != 1 {
			t.Fatalf("%d audit rows pending before the restart, want 1", n)
		}
		db.Close()
		if db, err = Open(ctx, url, Options{}); err != nil {
			t.Fatal(err)
		}
		if es, _, err := db.AuditEntries(ctx, a, tenantry.AuditFilter{Action: "token.create"}); err != nil || len(es) != 3 {
			t.Fatalf("after the restart: %d token creations, %v; want 3 (the bootstrap's and two)", len(es), err)
		}

		// Every filter's page is read from a partial index.
		if _, err := db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		cursor := &tenantry.AuditCursor{At: time.Now(), ID: 10}
		for name, f := range map[string]tenantry.AuditFilter{
			"none": {}, "admin": {AdminID: boot.Admin.ID}, "action": {Action: "location.update"},
			"resource": {Resource: "location", ResourceID: "L7"}, "range": {From: time.Now().Add(-time.Hour), To: time.Now()},
			"before": {Before: cursor}, "after": {After: cursor},
		} {
			q, args := db.auditQuery(boot.Partner.ID, f, tenantry.AuditPageSize)
			rows, err := db.SQL().QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			if p := strings.Join(plan, "; "); !strings.Contains(p, "SEARCH l USING INDEX audit_log_") {
				t.Errorf("%s: plan %q reads no index of the log", name, p)
			}
		}
	})
}
