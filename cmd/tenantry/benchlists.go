package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/internal/benchhttp"
	"github.com/tenantry/tenantry/sqldb"
)

// benchLists measures the customer list with many customers of one partner:
// it seeds them with plain inserts, then times each list over HTTP (first
// and last page, each status, searches) beside the bare SQL statement that
// reads the same page, in the same run, and the store's query in process
// (the API less HTTP and JSON). The bare statements are the store's own:
// the page and, when there is a next page, its count.
func benchLists(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench lists", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 100000, "customers of the one partner")
	reqs := fs.Int("requests", 200, "requests per case")
	only := fs.String("only", "", "run only the cases whose name contains this")
	surfaces := fs.String("surface", "api,hub", "the surfaces to time: api, hub or both")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the timed requests to this file")
	dbURL := fs.String("database-url", "", "postgres:// URL of a server to create a scratch database on; SQLite when empty")
	writeRate := fs.Int("write-rate", 0, "customers a second created through the API (and provisioned) while the lists are timed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 200 {
		return usageError{msg: "bench lists: want -n 200 or more"}
	}
	if *writeRate < 0 || *writeRate > 1000 {
		return usageError{msg: "bench lists: -write-rate takes 0 to 1000"}
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
	session, err := b.db.CreateSession(ctx, b.boot.Admin.ID)
	if err != nil {
		return err
	}
	lean := benchhttp.New(b.base)
	defer lean.Close()
	type listCase struct {
		name string
		last bool // the last page rather than the first
		f    tenantry.CustomerFilter
	}
	cases := []listCase{{name: "first page"}, {name: "last page", last: true}}
	for _, st := range tenantry.CustomerStatuses {
		cases = append(cases, listCase{name: "status=" + string(st), f: tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{st}}})
	}
	mid := *n / 2
	for mid%20 != 2 { // "Blue River Telecom <mid>"
		mid++
	}
	cases = append(cases,
		listCase{name: "search name part", f: tenantry.CustomerFilter{Search: "HOLDINGS"}},
		listCase{name: "search Korean name part", f: tenantry.CustomerFilter{Search: "통신"}},
		listCase{name: "search external id", f: tenantry.CustomerFilter{Search: benchListExternalID(mid)}},
		listCase{name: "search admin email", f: tenantry.CustomerFilter{Search: benchListEmail(mid)}},
		listCase{name: "search rare name part", f: tenantry.CustomerFilter{Search: fmt.Sprintf("telecom %d", mid)}},
		listCase{name: "provisioning + name part", f: tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{tenantry.StatusProvisioning}, Search: "nordic"}},
	)
	if *only != "" {
		cases = slices.DeleteFunc(cases, func(c listCase) bool { return !strings.Contains(c.name, *only) })
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *writeRate > 0 {
		stop := b.createWhileTiming(ctx, tpl.ProvisioningID, *writeRate)
		defer func() {
			created, failed := stop()
			fmt.Fprintf(stdout, "  while timing: %d customers created through the API (%d refused or failed)\n", created, failed)
		}()
	}
	// The floor: an answer of the same server on the same connection that
	// reads no database and renders nothing. No list can answer faster.
	floor, err := timeRuns(*reqs, func() error {
		status, _, err := lean.Get("/healthz")
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("GET /healthz: %d", status)
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  http floor (GET /healthz: no database, no page) p50 %v p99 %v\n", pct(floor, 50), pct(floor, 99))
	fmt.Fprintf(stdout, "  (api: GET /v1/wholesale/customers, 100 a page, no total; hub: GET /customers, 25 a page with its count to 1,000;\n   http: from request to whole answer on one kept-alive connection (no net/http client);\n   store: the store's method in process; sql: the store's statements run bare, on the connections it reads with: a search's look-ups, the page (one row more than shown) and its count)\n")
	for _, c := range cases {
		for _, surface := range strings.Split(*surfaces, ",") {
			if surface != "api" && surface != "hub" {
				return usageError{msg: "bench lists: -surface takes api, hub or api,hub"}
			}
			f := c.f
			f.Max = 100
			if surface == "hub" {
				f.Max = 25                                       // the hub's page size
				f.CountBound = tenantry.CustomerSearchCountBound // and its count
				f.Brief = true                                   // and only what it shows
			} else {
				f.SkipTotal = true // as the API asks
			}
			if c.last {
				f.Offset = (total - 1) / f.Max * f.Max
			}
			var path string
			if surface == "api" {
				q := url.Values{"max": {strconv.Itoa(f.Max)}, "offset": {strconv.Itoa(f.Offset)}}
				for _, st := range f.Statuses {
					q.Add("status", string(st))
				}
				if f.Search != "" {
					q.Set("search", f.Search)
				}
				path = "/v1/wholesale/customers?" + q.Encode()
			} else {
				q := url.Values{}
				if f.Offset > 0 {
					q.Set("offset", strconv.Itoa(f.Offset))
				}
				for _, st := range f.Statuses {
					q.Add("status", string(st))
				}
				if f.Search != "" {
					q.Set("q", f.Search)
				}
				path = "/customers?" + q.Encode()
			}
			var httpBytes, sqlRows int
			header := "Authorization: Bearer " + b.boot.Token
			if surface == "hub" {
				header = "Cookie: tenantry_session=" + session
			}
			get := func() error {
				status, body, err := lean.Get(path, header)
				if err != nil {
					return err
				}
				// 200 and not a redirect (to the sign-in page, say).
				if status != http.StatusOK {
					return fmt.Errorf("GET %s: %d", path, status)
				}
				httpBytes = len(body)
				return nil
			}
			// The store's statements, bare: its look-ups (an exact id or
			// email, the trigram index), the page, and its count when there
			// is a next page, as Customers runs them.
			bare := func() error {
				page, count, err := b.db.CustomerListStatements(ctx, b.boot.Partner.ID, f)
				if err != nil {
					return err
				}
				if sqlRows, err = b.db.RunStatement(ctx, page); err != nil || count == nil || sqlRows <= f.Max {
					return err
				}
				_, err = b.db.RunStatement(ctx, *count)
				return err
			}
			// The store's method in process: the page less HTTP and rendering.
			store := func() error { _, _, err := b.db.Customers(ctx, actor, f); return err }
			lat, err := timeRounds(*reqs, get, bare, store)
			if err != nil {
				return err
			}
			httpLat, sqlLat, storeLat := lat[0], lat[1], lat[2]
			fmt.Fprintf(stdout, "  %-26s %s %3d rows %6d B  http p50 %-8v p99 %-8v  store p50 %-8v p99 %-8v  sql p50 %-8v p99 %-8v  http/sql p50 %5.2f p99 %5.2f\n",
				c.name, surface, min(sqlRows, f.Max), httpBytes, pct(httpLat, 50), pct(httpLat, 99), pct(storeLat, 50), pct(storeLat, 99), pct(sqlLat, 50), pct(sqlLat, 99),
				ratio(quantile(httpLat, 50), quantile(sqlLat, 50)), ratio(quantile(httpLat, 99), quantile(sqlLat, 99)))
		}
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
	// One a minute, the newest a minute old: a list that grew over weeks.
	base := time.Now().Add(-time.Duration(n+1) * time.Minute).UnixMicro()
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
			args = append(args, benchListID(base, j), benchListExternalID(j), name, strings.ToLower(name),
				benchListEmail(j), string(status), strconv.FormatInt(benchListCreated(base, j), 10))
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
	// As a database that grew over time has them: on SQLite the seeded
	// names in the search index (which the server moves there in the
	// background) and the statistics of the server's own refresh (sqldb's
	// Optimize, on open and hourly); on PostgreSQL what autovacuum gives,
	// statistics and a visibility map (for index-only scans).
	if db.Engine() != sqldb.Postgres {
		if err := db.FlushSearchIndexes(ctx); err != nil {
			return err
		}
		return db.Optimize(ctx)
	}
	_, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE customers")
	return err
}

// benchListCreated is the creation time of seeded customer i, in
// microseconds, from the seeds' first.
func benchListCreated(base int64, i int) int64 { return base + int64(i)*time.Minute.Microseconds() }

// benchListID is the id of seeded customer i, made as the store makes ids
// (a version 7 UUID, base64url-encoded with its kind): index entries as long
// as real ones, in the order of their times. base is the seeds' first time,
// in microseconds.
func benchListID(base int64, i int) string {
	ms := uint64(benchListCreated(base, i) / 1000)
	uuid := fmt.Sprintf("%08x-%04x-7%03x-%04x-%012x", ms>>16, ms&0xffff, i&0xfff, 0x8000|i&0x3fff, uint64(i)*2654435761)
	return base64.RawURLEncoding.EncodeToString([]byte("tenantry:CUSTOMER:" + uuid))
}

func benchListExternalID(i int) string { return fmt.Sprintf("EXT-%07d", i) }

func benchListEmail(i int) string { return fmt.Sprintf("admin%d@example.com", i) }

// createWhileTiming creates rate customers a second through the API, each
// due at its time whatever the answers (an open loop), until the function
// it returns is called; that returns how many were created and how many
// were not. The workers provision them: the lists are timed beside the
// writes a partner's onboarding makes.
func (b *benchEnv) createWhileTiming(ctx context.Context, provisioningID string, rate int) func() (created, failed int) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var ok, bad atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := b.expect(ctx, http.StatusAccepted, "POST", "/v1/wholesale/customers", benchCustomer(provisioningID, i), nil); err != nil {
					if ctx.Err() == nil { // not one cut short at the end
						bad.Add(1)
					}
					return
				}
				ok.Add(1)
			}()
		}
	}()
	return func() (int, int) {
		cancel()
		wg.Wait()
		return int(ok.Load()), int(bad.Load())
	}
}

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

// timeRuns times n runs of fn after a few unmeasured ones.
func timeRuns(n int, fn func() error) ([]time.Duration, error) {
	lat, err := timeRounds(n, fn)
	if err != nil {
		return nil, err
	}
	return lat[0], nil
}

// timeRounds times n rounds, each running every fn once in turn, after a
// few unmeasured ones, and returns each fn's times. Taken in turns rather
// than one fn's runs after another's, the times compared are of the same
// moments of the machine: a second in which it runs slower (another
// process, the collector, a checkpoint) slows every fn alike.
func timeRounds(n int, fns ...func() error) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(fns))
	for i := range out {
		out[i] = make([]time.Duration, 0, n)
	}
	for round := range n + 5 {
		for i, fn := range fns {
			t0 := time.Now()
			if err := fn(); err != nil {
				return nil, err
			}
			if round >= 5 {
				out[i] = append(out[i], time.Since(t0))
			}
		}
	}
	return out, nil
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
