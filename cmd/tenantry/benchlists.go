package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
)

// benchLists measures the customer list with many customers of one partner:
// it seeds them with plain inserts, then times each list over HTTP (first
// and last page, each status, searches) beside the bare SQL statement that
// reads the same page, in the same run, and the store's query in process
// (the API less HTTP and JSON).
func benchLists(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench lists", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 100000, "customers of the one partner")
	reqs := fs.Int("requests", 200, "requests per case")
	dbURL := fs.String("database-url", "", "postgres:// URL of a server to create a scratch database on; SQLite when empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 200 {
		return usageError{msg: "bench lists: want -n 200 or more"}
	}
	b, err := startBench(ctx, *dbURL, 0)
	if err != nil {
		return err
	}
	defer b.close()
	var tpl struct{ ProvisioningID string }
	if err := b.expect(ctx, http.StatusCreated, "POST", "/v1/wholesale/templates", map[string]any{
		"name": "Bench", "country": "US", "serviceProviderAdminId": b.boot.Admin.ID, "subscriptionId": b.boot.Subscription.ID,
	}, &tpl); err != nil {
		return err
	}
	// One customer made through the API gives every column a real value;
	// the seeds copy it with their own id, names and status.
	if err := b.expect(ctx, http.StatusAccepted, "POST", "/v1/wholesale/customers", benchCustomer(tpl.ProvisioningID, -1), nil); err != nil {
		return err
	}
	var modelID string
	if err := b.db.SQL().QueryRowContext(ctx, `SELECT id FROM customers`).Scan(&modelID); err != nil {
		return err
	}
	start := time.Now()
	if err := seedCustomers(ctx, b.db, modelID, *n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var total int
	if err := b.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&total); err != nil {
		return err
	}
	if total != *n+1 {
		return fmt.Errorf("seed: %d customers, want %d", total, *n+1)
	}
	fmt.Fprintf(stdout, "bench lists: n=%d requests=%d engine=%s (seeded in %v)\n", total, *reqs, b.db.Engine(), time.Since(start).Round(time.Millisecond))

	principal, err := b.db.Authenticate(ctx, b.boot.Token)
	if err != nil {
		return err
	}
	actor, err := b.db.ResolveActor(ctx, principal, "")
	if err != nil {
		return err
	}
	type listCase struct {
		name string
		f    tenantry.CustomerFilter
	}
	page := func(offset int) tenantry.Page { return tenantry.Page{Offset: offset, Max: 100} }
	cases := []listCase{
		{"first page", tenantry.CustomerFilter{Page: page(0)}},
		{"last page", tenantry.CustomerFilter{Page: page(total - total%100)}},
	}
	for _, st := range tenantry.CustomerStatuses {
		cases = append(cases, listCase{"status=" + string(st), tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{st}, Page: page(0)}})
	}
	cases = append(cases,
		listCase{"search name part", tenantry.CustomerFilter{Search: "HOLDINGS", Page: page(0)}},
		listCase{"search Korean name part", tenantry.CustomerFilter{Search: "통신", Page: page(0)}},
		listCase{"search external id", tenantry.CustomerFilter{Search: benchListExternalID(*n / 2), Page: page(0)}},
	)
	for _, c := range cases {
		q := url.Values{"max": {strconv.Itoa(c.f.Max)}, "offset": {strconv.Itoa(c.f.Offset)}}
		for _, st := range c.f.Statuses {
			q.Add("status", string(st))
		}
		if c.f.Search != "" {
			q.Set("search", c.f.Search)
		}
		path := "/v1/wholesale/customers?" + q.Encode()
		var apiBytes, sqlRows int
		api := func() error {
			resp, body, err := b.call(ctx, "GET", path, nil)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
			}
			apiBytes = len(body)
			return nil
		}
		stmt, sqlArgs := b.db.CustomerListSQL(b.boot.Partner.ID, c.f)
		bare := func() (err error) { sqlRows, err = readAll(ctx, b.db.SQL(), stmt, sqlArgs); return err }
		apiLat, err := timeRuns(*reqs, api)
		if err != nil {
			return err
		}
		sqlLat, err := timeRuns(*reqs, bare)
		if err != nil {
			return err
		}
		// The store's query in process: the API less HTTP and JSON.
		storeLat, err := timeRuns(*reqs, func() error { _, _, err := b.db.Customers(ctx, actor, c.f); return err })
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-30s %3d rows %6d B  api p50 %-9v p99 %-9v  store p50 %-9v p99 %-9v  sql p50 %-9v p99 %-9v  api/sql p50 %.2f p99 %.2f  store/sql p50 %.2f p99 %.2f\n",
			c.name, sqlRows, apiBytes, pct(apiLat, 50), pct(apiLat, 99), pct(storeLat, 50), pct(storeLat, 99), pct(sqlLat, 50), pct(sqlLat, 99),
			ratio(pct(apiLat, 50), pct(sqlLat, 50)), ratio(pct(apiLat, 99), pct(sqlLat, 99)),
			ratio(pct(storeLat, 50), pct(sqlLat, 50)), ratio(pct(storeLat, 99), pct(sqlLat, 99)))
	}
	return nil
}

// seedCustomers writes n customers of the model's partner, copies of the
// model with their own id, external id, name, email, status and time, 100
// rows a statement and 10,000 a transaction. Names are Latin, Korean or
// Arabic; one in 50 of each status but provisioned, and none in error.
func seedCustomers(ctx context.Context, db *sqldb.DB, modelID string, n int) error {
	const perStmt, perTx = 100, 10000
	statuses := []tenantry.CustomerStatus{tenantry.StatusProvisioning, tenantry.StatusProvisionedWithErrors,
		tenantry.StatusPendingRPLReview, tenantry.StatusUpdating, tenantry.StatusDeleting}
	latin := []string{"Acme Holdings", "Nordic Åsa Partners", "Blue River Telecom", "Sol Comunicações"}
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).UnixMicro()
	var tx *sql.Tx
	for i := 0; i < n; i += perStmt {
		if i%perTx == 0 {
			if tx != nil {
				if err := tx.Commit(); err != nil {
					return err
				}
			}
			var err error
			if tx, err = db.SQL().BeginTx(ctx, nil); err != nil {
				return err
			}
		}
		var values []string
		var args []any
		for j := i; j < min(i+perStmt, n); j++ {
			name := fmt.Sprintf("%s %d", latin[j%len(latin)], j)
			switch j % 10 {
			case 0:
				name = fmt.Sprintf("한빛통신 %d", j)
			case 5:
				name = fmt.Sprintf("شركة النور %d", j)
			}
			status := tenantry.StatusProvisioned
			if j%50 < len(statuses) {
				status = statuses[j%50]
			}
			values = append(values, "(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, fmt.Sprintf("benchlist-%09d", j), benchListExternalID(j), name, strings.ToLower(name),
				fmt.Sprintf("admin%d@example.com", j), string(status), strconv.FormatInt(base+int64(j)*1000, 10))
		}
		args = append(args, modelID)
		q := `INSERT INTO customers (id, partner_id, org_id, external_id, name, name_folded, primary_email, language, template_id,
			address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
			version, created, updated, approval)
			SELECT v.column1, c.partner_id, '', v.column2, v.column3, v.column4, v.column5, c.language, c.template_id,
			c.address, c.country, c.region, v.column6, c.packages, c.quantities, c.calling, c.meetings_tz, c.sub_partner_admin_email,
			c.e911, c.errors, c.version, CAST(v.column7 AS BIGINT), CAST(v.column7 AS BIGINT), c.approval
			FROM (VALUES ` + strings.Join(values, ", ") + `) AS v, customers c WHERE c.id = ?`
		if db.Engine() == sqldb.Postgres {
			q = dollarParams(q)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Fresh statistics (and on PostgreSQL a visibility map, for index-only
	// scans), as a database that grew over time would have from autovacuum.
	analyze := "ANALYZE"
	if db.Engine() == sqldb.Postgres {
		analyze = "VACUUM ANALYZE customers"
	}
	_, err := db.SQL().ExecContext(ctx, analyze)
	return err
}

func benchListExternalID(i int) string { return fmt.Sprintf("EXT-%07d", i) }

// dollarParams numbers the ? placeholders of q as PostgreSQL's $n.
func dollarParams(q string) string {
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// readAll runs a query and reads every column of every row.
func readAll(ctx context.Context, db *sql.DB, q string, args []any) (int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	dst := make([]any, len(cols))
	for i := range dst {
		dst[i] = new(sql.RawBytes)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// timeRuns times n runs of fn after a few unmeasured ones.
func timeRuns(n int, fn func() error) ([]time.Duration, error) {
	for range 5 {
		if err := fn(); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		t0 := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		out[i] = time.Since(t0)
	}
	return out, nil
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
