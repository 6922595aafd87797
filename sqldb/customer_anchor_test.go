package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCustomerDeepPages: a page deep in a partner's list of customers is
// the list's page at its offset as the list is now, whatever was learnt of
// the list before (a deep page starts from the list's anchors,
// customer_anchor.go): while its customers are too recent to anchor on,
// after customers before an anchor are deleted, after others are added at
// the end, after one is moved, after the list grows; and once anchors are
// learnt again, after one was inserted among them by hand.
func TestCustomerDeepPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		// A clock the test moves: only customers created a while ago are
		// anchors.
		var now atomic.Int64
		now.Store(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).UnixMicro())
		f := newFixtureWith(t, e, func() time.Time { return time.UnixMicro(now.Add(1000)).UTC() })
		pg := f.db.Engine() == sqldb.Postgres
		tpl := f.template(t, "Deep")
		model := f.customer(t, tpl, "model")
		sqldbtest.SeedCustomers(t, f.db.SQL(), pg, model.ID, 3499) // 3,500 customers in all
		exec := func(q string, args ...any) {
			t.Helper()
			if pg {
				q = sqldbtest.Rebind(q)
			}
			if _, err := f.db.SQL().ExecContext(t.Context(), q, args...); err != nil {
				t.Fatal(err)
			}
		}
		check := func(step string) {
			t.Helper()
			q := `SELECT external_id FROM customers WHERE partner_id = ? ORDER BY created, id LIMIT 100 OFFSET ?`
			if pg {
				q = sqldbtest.Rebind(q)
			}
			for _, off := range []int{0, 999, 1000, 1001, 1999, 2000, 2500, 3400, 3450, 3499, 3500, 4200} {
				cs, total, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{SkipTotal: true, Page: tenantry.Page{Offset: off, Max: 99}})
				if err != nil {
					t.Fatal(err)
				}
				rows, err := f.db.SQL().QueryContext(t.Context(), q, f.actor.OrgID, off)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					want = append(want, id)
				}
				rows.Close()
				if got := externalIDs(cs); !slices.Equal(got, want[:min(len(want), 99)]) {
					t.Fatalf("%s: page at %d starts %v, want %v", step, off, head(got), head(want))
				}
				if wantTotal := off + len(want); total != wantTotal {
					t.Errorf("%s: page at %d: total %d, want %d", step, off, total, wantTotal)
				}
			}
		}
		check("seeded")
		if n := sqldb.ListAnchors(f.db, f.actor.OrgID); n != 0 {
			t.Fatalf("%d anchors among customers created a moment ago, want none", n)
		}
		now.Add((2 * time.Minute).Microseconds())
		check("seeded two minutes ago")
		if n := sqldb.ListAnchors(f.db, f.actor.OrgID); n != 3 {
			t.Fatalf("%d anchors of a list of 3,500, want 3", n)
		}
		exec(`DELETE FROM customers WHERE external_id IN ('seed-0000010', 'seed-0001500')`)
		check("two deleted before the anchors")
		// A customer inserted by hand among the others, bypassing the store
		// and dated in the past: seen once the anchors are learnt again.
		exec(`INSERT INTO customers (id, partner_id, org_id, external_id, name, name_folded, primary_email, language, template_id,
			address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
			version, created, updated, approval)
			SELECT 'early', partner_id, '', 'early', name, name_folded, primary_email, language, template_id,
			address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
			version, created + 500, updated, approval FROM customers WHERE id = ?`, model.ID)
		now.Add((11 * time.Minute).Microseconds())
		check("one inserted by hand among the others, eleven minutes ago")
		for _, ext := range []string{"late-1", "late-2"} {
			f.customer(t, tpl, ext)
		}
		check("two created at the end")
		exec(`UPDATE customers SET created = created + 1000000 WHERE external_id = 'seed-0000020'`)
		check("one moved to the end")

		// The list grows at its end past its last anchor, in order (as
		// creations do): once the newcomers have settled, anchors reach them.
		last := f.customer(t, tpl, "late-3")
		for i := 0; i < 1200; i += 100 {
			var values []string
			for j := i; j < i+100; j++ {
				values = append(values, fmt.Sprintf("('grow-%04d', %d)", j, j+1))
			}
			exec(`INSERT INTO customers (id, partner_id, org_id, external_id, name, name_folded, primary_email, language, template_id,
				address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
				version, created, updated, approval)
				SELECT v.column1, partner_id, '', v.column1, name, name_folded, primary_email, language, template_id,
				address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
				version, created + v.column2, updated, approval FROM (VALUES `+strings.Join(values, ", ")+`) AS v, customers WHERE id = ?`, last.ID)
		}
		check("grown by 1,200 just now")
		now.Add((2 * time.Minute).Microseconds())
		check("grown by 1,200 two minutes ago")
		if n := sqldb.ListAnchors(f.db, f.actor.OrgID); n != 4 {
			t.Errorf("%d anchors of a list of 4,700 customers, want 4", n)
		}
	})
}

func head(ids []string) string {
	return strings.Join(ids[:min(3, len(ids))], ",")
}
