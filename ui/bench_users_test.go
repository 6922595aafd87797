package ui_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/internal/benchhttp"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// benchUsers is how many users BenchmarkHubUsers gives one customer.
const benchUsers = 100000

// benchRuns is how many times each list is timed, page and bare query in turn.
const benchRuns = 300

// BenchmarkHubUsers seeds 100,000 users in one customer on each engine and
// times, in the same run, each user list page rendered by the hub through
// HTTP (session, customer, list, count, template) against the page's own
// SQL statements run directly (SubscriberListSQL: ids, bounded count, rows,
// add-ons, every row read), and
// prints p50 and p99 of both. Run it with
//
//	go test -run '^$' -bench BenchmarkHubUsers -timeout 60m ./ui/
//
// (with TENANTRY_TEST_POSTGRES_URL for PostgreSQL). The ns/op it reports is
// the first page through HTTP.
func BenchmarkHubUsers(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) { benchHubUsers(b, e) })
	}
}

func benchHubUsers(b *testing.B, e sqldbtest.Engine) {
	en := newHubEnv(b, e.URL(b), e.Name)
	f := newUserFixture(b, en)
	ctx := context.Background()
	model := f.user(b, tenantry.SubscriberInput{Email: "model@cafe.example", Package: "webex_meetings", FirstName: "Model", LastName: "User"})
	start := time.Now()
	sqldbtest.SeedSubscribers(b, en.db.SQL(), e.Name == "postgres", model.ID, benchUsers-1, sqldb.SubscriberSearchText)
	// Fresh statistics: on SQLite what the server's own refresh gathers
	// (Optimize, on open and hourly), on PostgreSQL what autovacuum gives a
	// table that grew over time, with a visibility map for index-only scans.
	if err := en.db.FlushSearchIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	if err := en.db.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	if e.Name == "postgres" {
		if _, err := en.db.SQL().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	// The table goes to standard output whole: a benchmark's log is cut
	// after ten lines unless -v is given.
	fmt.Printf("%s: %d users in one customer, seeded in %v\n", e.Name, benchUsers, time.Since(start).Round(time.Millisecond))

	list := "/customers/" + f.customerID + "/users"
	// keyAt is the place of the n-th user (from 0) of a status ("" any),
	// as the list's Next link writes it, and its filter key.
	keyAt := func(status string, n int) (string, *tenantry.SubscriberKey) {
		q, args := `SELECT created, id FROM subscribers WHERE customer_id = ? ORDER BY created, id LIMIT 1 OFFSET `+strconv.Itoa(n), []any{f.customerID}
		if status != "" {
			q, args = `SELECT created, id FROM subscribers WHERE customer_id = ? AND status = ? ORDER BY created, id LIMIT 1 OFFSET `+strconv.Itoa(n), []any{f.customerID, status}
		}
		var created int64
		var id string
		if err := en.db.SQL().QueryRowContext(ctx, rebind(en, q), args...).Scan(&created, &id); err != nil {
			b.Fatal(err)
		}
		return strconv.FormatInt(created, 10) + ":" + id, &tenantry.SubscriberKey{Created: time.UnixMicro(created), ID: id}
	}
	mid, midKey := keyAt("", 49999)
	end, endKey := keyAt("", 99974)
	pmid, pmidKey := keyAt("provisioned", 49999)
	provisioned := []tenantry.SubscriberStatus{tenantry.SubscriberProvisioned}
	cases := []struct {
		name string
		q    url.Values
		f    tenantry.SubscriberFilter
	}{
		{"first page", url.Values{}, tenantry.SubscriberFilter{}},
		{"page at 50,000 (Next)", url.Values{"after": {mid}, "at": {"50000"}}, tenantry.SubscriberFilter{Key: midKey}},
		{"page before 50,000 (Prev)", url.Values{"before": {mid}, "at": {"49974"}}, tenantry.SubscriberFilter{Key: midKey, Backward: true}},
		{"last page (Next)", url.Values{"after": {end}, "at": {"99975"}}, tenantry.SubscriberFilter{Key: endKey}},
		{"search a last name (1 in 50)", url.Values{"q": {"nakamura"}}, tenantry.SubscriberFilter{Search: "nakamura"}},
		{"search Öberg, any case", url.Values{"q": {"ÖBERG"}}, tenantry.SubscriberFilter{Search: "ÖBERG"}},
		{"status pending (1 in 100)", url.Values{"status": {"pending_user_migration"}},
			tenantry.SubscriberFilter{Statuses: []tenantry.SubscriberStatus{tenantry.SubscriberPendingUserMigration}}},
		{"status provisioned", url.Values{"status": {"provisioned"}}, tenantry.SubscriberFilter{Statuses: provisioned}},
		{"provisioned at 50,000 (Next)", url.Values{"status": {"provisioned"}, "after": {pmid}, "at": {"50000"}},
			tenantry.SubscriberFilter{Statuses: provisioned, Key: pmidKey}},
		{"one exact address", url.Values{"q": {"Seed-0050000@seed.example"}}, tenantry.SubscriberFilter{Search: "Seed-0050000@seed.example"}},
		{"search part of an address (rare)", url.Values{"q": {"seed-0050000@"}}, tenantry.SubscriberFilter{Search: "seed-0050000@"}},
	}
	// Pages are timed as a load generator would, on one kept-alive
	// connection with the signed-in admin's cookie (benchhttp).
	srvURL, _ := url.Parse(en.srv.URL)
	var cookies []string
	for _, c := range f.a.c.Jar.Cookies(srvURL) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	lean := benchhttp.New(en.srv.URL)
	defer lean.Close()
	header := []string{"Cookie: " + strings.Join(cookies, "; "), "Accept-Language: en"}
	fmt.Printf("%-34s %5s  %-21s %-21s %-21s %s\n", "list", "rows", "page p50 / p99", "store p50 / p99", "bare SQL p50 / p99", "page÷SQL p50 / p99")
	for _, c := range cases {
		path := list + "?" + c.q.Encode()
		// The hub's filter: a user more than the page, counted to 1,000.
		c.f.CustomerID, c.f.Max, c.f.CountBound = f.customerID, 26, 1000
		var pageT, storeT, sqlT []time.Duration
		rows := 0
		for range benchRuns {
			t0 := time.Now()
			status, body, err := lean.Get(path, header...)
			pageT = append(pageT, time.Since(t0))
			if err != nil || status != 200 || !strings.Contains(string(body), `class="count"`) {
				b.Fatalf("%s: status %d, %v", path, status, err)
			}
			// The store's method in process: the page less the session,
			// the customer, HTTP and the template.
			t0 = time.Now()
			if _, _, err := en.db.Subscribers(ctx, f.actor, c.f); err != nil {
				b.Fatal(err)
			}
			storeT = append(storeT, time.Since(t0))
			// The page's statements bare, with the look-up a search makes
			// first (SubscriberListSQL runs it).
			t0 = time.Now()
			n, err := bareList(ctx, en.db, en.db.ReadSQL(), en.db.SubscriberListSQL(f.a.partnerID, c.f), c.f)
			sqlT = append(sqlT, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			rows = n
		}
		pp50, pp99, sp50, sp99 := pct(pageT, 50), pct(pageT, 99), pct(sqlT, 50), pct(sqlT, 99)
		fmt.Printf("%-34s %5d  %-9v / %-9v  %-9v / %-9v  %-9v / %-9v  %.2f / %.2f\n", c.name, rows, pp50, pp99, pct(storeT, 50), pct(storeT, 99), sp50, sp99,
			float64(pp50)/float64(sp50), float64(pp99)/float64(sp99))
	}
	for b.Loop() {
		f.a.get(list).must(b, 200)
	}
}

// bareList runs the page's own statements directly, as Subscribers runs
// them: the ids, the bounded count when Subscribers counts, the rows and
// their add-ons, every column of every row read. It returns the rows.
func bareList(ctx context.Context, store *sqldb.DB, db *sql.DB, st sqldb.SubscriberListStatements, f tenantry.SubscriberFilter) (int, error) {
	// The ids as the store reads them (on PostgreSQL a search of a text
	// many users contain is held to the index's order).
	ids, err := store.StatementIDs(ctx, st.IDs)
	if err != nil {
		return 0, err
	}
	if st.Count != nil && (f.Key != nil || len(ids) > f.Max) {
		if _, err := readRows(ctx, db, st.Count.SQL, st.Count.Args, nil); err != nil {
			return 0, err
		}
	}
	if f.Key == nil {
		ids = ids[:min(len(ids), f.Max)]
	}
	if len(ids) == 0 {
		return 0, nil
	}
	rs := st.Rows(ids)
	n, err := readRows(ctx, db, rs.SQL, rs.Args, nil)
	if err != nil {
		return 0, err
	}
	as := st.AddOns(ids)
	_, err = readRows(ctx, db, as.SQL, as.Args, nil)
	return n, err
}

// readRows runs a statement and reads every column of every row, as a
// caller of the bare query would.
func readRows(ctx context.Context, db *sql.DB, stmt string, args []any, each func([]any)) (int, error) {
	rs, err := db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return 0, err
		}
		if each != nil {
			each(vals)
		}
		n++
	}
	return n, rs.Err()
}

// pct is the p-th percentile of ds.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)].Round(10 * time.Microsecond)
}
