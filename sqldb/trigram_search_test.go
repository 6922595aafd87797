package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// trigramCorpus is a partner's customers by external id: names in Latin,
// Korean and Arabic, with an underscore, a backslash and a double quote in
// them (a name has no "%"), and names that a search with LIKE's wildcards
// would match if those were not plain letters.
var trigramCorpus = map[string]string{
	"asa": "ÅSA Telecom 50 Off",
	"pct": "Fifty Percent 50 Ltd",
	"und": "Under_score Networks",
	"ros": "Rosa Transport",
	"bs":  `Back\slash Holdings`,
	"kr1": "한빛통신 주식회사",
	"kr2": "서울 통신",
	"ar":  "شركة النور للاتصالات",
	"q":   `The "Quoted" Company`,
	"de":  "Ölwerk GmbH",
	"nk":  "Nakamura Telecom",
}

// trigramSearches are searches of trigramCorpus: rare texts (all are, in
// so few customers), in any case and script, with wildcards and quotes,
// and searches shorter than a trigram.
var trigramSearches = []string{
	"50%", "0% o", "50", "r_s", "_score", `k\s`, `\`, "%", "_", "통신", "통신 주", "서울 통", "النور", "ركة ا", `"quoted"`, `"`,
	"åsa", "ÅSA TEL", "ölwerk", "telecom", "tel", "  nakamura  ", "com", "zzz", "ab", "a", "Rosa Transport", "back\\slash h",
}

// likeEscape escapes LIKE's wildcards and its escape character, as the
// reference searches write them.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace

// referenceCustomers is the plain LIKE the customer search was before the
// trigram index: the external ids of the partner's customers, of any of
// statuses, whose folded name contains the search, in list order.
func referenceCustomers(t *testing.T, db *sqldb.DB, partnerID, search string, statuses ...tenantry.CustomerStatus) []string {
	t.Helper()
	return referenceLike(t, db, `SELECT external_id FROM customers WHERE partner_id = ? AND name_folded LIKE ? ESCAPE '\'`, partnerID, search, statuses)
}

// referenceLike runs q, a plain LIKE of the folded search with the key
// (a partner or a customer), restricted to any of statuses, in list order,
// and returns the column it reads.
func referenceLike[S ~string](t *testing.T, db *sqldb.DB, q, key, search string, statuses []S) []string {
	t.Helper()
	args := []any{key, "%" + likeEscape(strings.ToLower(strings.TrimSpace(search))) + "%"}
	if len(statuses) > 0 {
		q += ` AND status IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ") + `)`
		for _, s := range statuses {
			args = append(args, string(s))
		}
	}
	rows, err := db.SQL().QueryContext(t.Context(), rebind(db, q+` ORDER BY created, id`), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// customerListPlan is the engine's plan of the statement that lists the
// page of f's customers (CustomerListSQL).
func customerListPlan(t *testing.T, db *sqldb.DB, partnerID string, f tenantry.CustomerFilter) string {
	t.Helper()
	stmt, args, err := db.CustomerListSQL(t.Context(), partnerID, f)
	if err != nil {
		t.Fatal(err)
	}
	return explain(t, db, stmt, args)
}

// explain is the plan of a statement, one line a step.
func explain(t *testing.T, db *sqldb.DB, stmt string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Engine() == sqldb.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.SQL().QueryContext(t.Context(), prefix+stmt, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", stmt, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// readsByKey tells whether a plan reads only the rows the trigram index
// found, by their keys (which the engine may still read as a scan of a
// table of a few rows): on SQLite the rowids of a JSON array, on
// PostgreSQL the ids of an array.
func readsByKey(db *sqldb.DB, plan string) bool {
	if db.Engine() == sqldb.Postgres {
		return strings.Contains(plan, "id = ANY (")
	}
	return strings.Contains(plan, "SCAN json_each VIRTUAL TABLE")
}

// readsByIndexOfKeys tells whether a plan looks the rows up by their keys
// in the table's primary index, as it should at scale.
func readsByIndexOfKeys(db *sqldb.DB, plan string) bool {
	if db.Engine() == sqldb.Postgres {
		return strings.Contains(plan, "Index Cond: (id = ANY (")
	}
	return strings.Contains(plan, "USING INTEGER PRIMARY KEY (rowid=?)")
}

// isTrigramSearch tells whether the trigram index answers a search: three
// characters or more.
func isTrigramSearch(q string) bool {
	return len([]rune(strings.TrimSpace(q))) >= 3
}

// flushTrigrams moves the rows SQLite's trigram indexes hold pending into
// them, so that what a search finds next comes from the indexes alone.
func flushTrigrams(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if err := sqldb.FlushTrigrams(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	if db.Engine() == sqldb.SQLite {
		if n := count(t, db, `SELECT (SELECT COUNT(*) FROM customers_trgm_pending) + (SELECT COUNT(*) FROM subscribers_trgm_pending)`); n != 0 {
			t.Fatalf("%d rows still pending", n)
		}
	}
}

// TestCustomerSearchTrigrams: a search for a text few names contain
// finds exactly the customers the plain LIKE finds, in any script and
// case, with LIKE's wildcards and a backslash as plain letters, and reads
// only those customers by key, whether the names are still pending (on
// SQLite) or in the index; a shorter search still works; with a status
// and paging; a text many names contain reads the list in order, with
// the same results.
func TestCustomerSearchTrigrams(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		sqldb.StopTrigramFlush(f.db)
		tpl := f.template(t, "Trigrams")
		exts := make([]string, 0, len(trigramCorpus))
		for ext := range trigramCorpus {
			exts = append(exts, ext)
		}
		slices.Sort(exts)
		for _, ext := range exts {
			in := customerInput(tpl, ext)
			in.Info.Name = trigramCorpus[ext]
			if _, err := f.db.CreateCustomer(t.Context(), f.actor, in); err != nil {
				t.Fatal(err)
			}
		}
		// Another partner's customer with the same name is not found.
		otherBoot, other := addPartner(t, f.db, "Other")
		otherTpl := (&fixture{db: f.db, boot: otherBoot, actor: other}).template(t, "Other")
		in := customerInput(otherTpl, "other-asa")
		in.Info.Name = trigramCorpus["asa"]
		if _, err := f.db.CreateCustomer(t.Context(), other, in); err != nil {
			t.Fatal(err)
		}
		partner := f.actor.OrgID
		for q, n := range map[string]int{"50%": 0, "50": 2, "r_s": 1, "ros": 1} {
			if got := len(referenceCustomers(t, f.db, partner, q)); got != n {
				t.Fatalf("%q matches %d customers, want %d: the corpus lost its decoys", q, got, n)
			}
		}
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
			}
			for _, q := range trigramSearches {
				want := referenceCustomers(t, f.db, partner, q)
				// The reference is the search as Go reads it, too.
				for _, ext := range want {
					if !strings.Contains(strings.ToLower(trigramCorpus[ext]), strings.ToLower(strings.TrimSpace(q))) {
						t.Fatalf("reference of %q: %s does not contain it", q, ext)
					}
				}
				got, total := f.list(t, tenantry.CustomerFilter{Search: q})
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s: search %q: %v (total %d), want %v", stage, q, got, total, want)
				}
				plan := customerListPlan(t, f.db, partner, tenantry.CustomerFilter{Search: q, Page: tenantry.Page{Max: 25}})
				if byKey := readsByKey(f.db, plan); byKey != isTrigramSearch(q) {
					t.Errorf("%s: search %q: read by key %v, want %v; plan:\n%s", stage, q, byKey, !byKey, plan)
				}
			}
		}

		// With a status and paging: six customers share a rare name, the
		// odd ones provisioned.
		for i := range 6 {
			in := customerInput(tpl, fmt.Sprintf("rw-%d", i))
			in.Info.Name = fmt.Sprintf("Rare Widget %d", i)
			c, err := f.db.CreateCustomer(t.Context(), f.actor, in)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 1 {
				if err := f.db.ProvisionCustomer(t.Context(), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
					t.Fatal(err)
				}
			}
		}
		flushTrigrams(t, f.db)
		provisioned := []tenantry.CustomerStatus{tenantry.StatusProvisioned}
		provisioning := []tenantry.CustomerStatus{tenantry.StatusProvisioning}
		for _, tc := range []struct {
			statuses []tenantry.CustomerStatus
			page     tenantry.Page
			skip     bool
			total    int
		}{
			{nil, tenantry.Page{Max: 4}, false, 6},
			{nil, tenantry.Page{Offset: 4, Max: 4}, false, 6},
			{nil, tenantry.Page{Offset: 8, Max: 4}, false, 8},
			{nil, tenantry.Page{Max: 4}, true, 5},
			{provisioned, tenantry.Page{Max: 2}, false, 3},
			{provisioned, tenantry.Page{Offset: 2, Max: 2}, false, 3},
			{provisioning, tenantry.Page{Max: 2}, false, 3},
			{provisioning, tenantry.Page{Max: 2}, true, 3},
			{[]tenantry.CustomerStatus{tenantry.StatusProvisioned, tenantry.StatusError}, tenantry.Page{Offset: 1, Max: 1}, false, 3},
			{[]tenantry.CustomerStatus{tenantry.StatusError}, tenantry.Page{Max: 2}, false, 0},
		} {
			filter := tenantry.CustomerFilter{Search: "RARE widget", Statuses: tc.statuses, Page: tc.page, SkipTotal: tc.skip}
			all := referenceCustomers(t, f.db, partner, "rare widget", tc.statuses...)
			want := all[min(tc.page.Offset, len(all)):min(tc.page.Offset+tc.page.Max, len(all))]
			got, total := f.list(t, filter)
			if !slices.Equal(got, want) || total != tc.total {
				t.Errorf("rare widget %v %+v (skip total %v): %v (total %d), want %v (total %d)", tc.statuses, tc.page, tc.skip, got, total, want, tc.total)
			}
			if plan := customerListPlan(t, f.db, partner, filter); !readsByKey(f.db, plan) {
				t.Errorf("rare widget %v %+v: not read by key; plan:\n%s", tc.statuses, tc.page, plan)
			}
		}

		// A text more names contain than the index gives reads the list in
		// order; a rarer one among them still comes from the index.
		model := f.customer(t, tpl, "model")
		sqldbtest.SeedCustomers(t, f.db.SQL(), f.db.Engine() == sqldb.Postgres, model.ID, 1100) // "Seeded 0" to "Seeded 1099"
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
				if _, err := f.db.SQL().ExecContext(t.Context(), `ANALYZE`); err != nil {
					t.Fatal(err)
				}
			}
			for _, tc := range []struct {
				q     string
				byKey bool
				page  tenantry.Page
				total int
			}{
				{"seeded", false, tenantry.Page{Max: 5}, tenantry.CustomerSearchCountBound + 1},
				{"seeded", false, tenantry.Page{Offset: 1095, Max: 10}, 1100},
				{"seeded 10", true, tenantry.Page{Max: 5}, 111}, // 10, 100–109, 1000–1099
				{"seeded 10", true, tenantry.Page{Offset: 105, Max: 5}, 111},
				{"seeded 10", true, tenantry.Page{Offset: 110, Max: 5}, 111},
				{"seeded 1099", true, tenantry.Page{Max: 5}, 1},
			} {
				all := referenceCustomers(t, f.db, partner, tc.q)
				want := all[min(tc.page.Offset, len(all)):min(tc.page.Offset+tc.page.Max, len(all))]
				got, total := f.list(t, tenantry.CustomerFilter{Search: tc.q, Page: tc.page})
				if !slices.Equal(got, want) || total != tc.total {
					t.Errorf("%s: search %q %+v: %v (total %d), want %v (total %d)", stage, tc.q, tc.page, got, total, want, tc.total)
				}
				// With more than a thousand rows pending, SQLite reads in
				// order until they are moved.
				wantByKey := tc.byKey && (stage == "indexed" || e.Name == sqldb.Postgres)
				plan := customerListPlan(t, f.db, partner, tenantry.CustomerFilter{Search: tc.q, Page: tc.page})
				if byKey := readsByKey(f.db, plan); byKey != wantByKey {
					t.Errorf("%s: search %q: read by key %v, want %v; plan:\n%s", stage, tc.q, byKey, wantByKey, plan)
				}
				// A search of one customer among a thousand, with the
				// engine's statistics: it is looked up by its key rather
				// than read with the partner's customers.
				if stage == "indexed" && tc.q == "seeded 1099" && !readsByIndexOfKeys(f.db, plan) {
					t.Errorf("search %q: not looked up by key; plan:\n%s", tc.q, plan)
				}
			}
		}
	})
}

// TestCustomerSearchTrigramsFollowNames: the trigram index follows the
// names, pending (on SQLite) and then in the index: a renamed customer is
// found by its new name and not its old one, a deleted one is gone, a
// name folded when the store opens is found, and the migration indexes
// the customers written before it.
func TestCustomerSearchTrigramsFollowNames(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		url := e.URL(t)
		db, err := sqldb.Open(ctx, url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { db.Close() }()
		sqldb.StopTrigramFlush(db)
		boot, a := addPartner(t, db, "Acme")
		f := &fixture{db: db, boot: boot, actor: a}
		tpl := f.template(t, "Names")
		named := func(ext, name string) *tenantry.Customer {
			in := customerInput(tpl, ext)
			in.Info.Name = name
			c, err := f.db.CreateCustomer(ctx, a, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
				t.Fatal(err)
			}
			return f.get(t, c.ID)
		}
		nk := named("nk", "Nakamura Telecom")
		named("ob", "Öberg Bygg AB")
		named("kr", "한빛통신 주식회사")
		// search checks a search as the change may still be pending, and
		// again from the index alone.
		search := func(t *testing.T, q string, want ...string) {
			t.Helper()
			for _, stage := range []string{"pending", "indexed"} {
				if stage == "indexed" {
					flushTrigrams(t, f.db)
				}
				cs, total, err := f.db.Customers(ctx, a, tenantry.CustomerFilter{Search: q, Page: tenantry.Page{Max: 10}})
				if err != nil {
					t.Fatal(err)
				}
				if got := externalIDs(cs); !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s: search %q: %v (total %d), want %v", stage, q, got, total, want)
				}
				if plan := customerListPlan(t, f.db, a.OrgID, tenantry.CustomerFilter{Search: q, Page: tenantry.Page{Max: 10}}); !readsByKey(f.db, plan) {
					t.Errorf("%s: search %q: not read by key; plan:\n%s", stage, q, plan)
				}
			}
		}
		search(t, "nakamura", "nk")

		// Renamed: found by the new name, not the old.
		if _, err := f.db.UpdateCustomer(ctx, a, nk.ID, &tenantry.CustomerInput{
			Packages: []string{"webex_calling", "webex_meetings"},
			Info:     &tenantry.CustomerInfo{Name: "Yamada Networks"},
		}); err != nil {
			t.Fatal(err)
		}
		search(t, "nakamura")
		search(t, "YAMADA net", "nk")

		// Deleted: gone.
		if err := f.db.DeleteCustomer(ctx, a, nk.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerDeletion(ctx, tenantry.DeleteCustomerJob{CustomerID: nk.ID, Version: f.get(t, nk.ID).Version}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers WHERE id = ?`, nk.ID); n != 0 {
			t.Fatalf("the deleted customer is still there")
		}
		search(t, "yamada")

		// A name the store folds when it opens reaches the index.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE customers SET name_folded = NULL WHERE external_id = 'ob'`); err != nil {
			t.Fatal(err)
		}
		search(t, "öberg")
		db.Close()
		if db, err = sqldb.Open(ctx, url, sqldb.Options{Now: steppingClock()}); err != nil {
			t.Fatal(err)
		}
		f.db = db
		sqldb.StopTrigramFlush(db)
		search(t, "ÖBERG bygg", "ob")

		// The migration indexes the customers there before it: undone and
		// done again, the index finds them.
		undo := []string{`DROP INDEX customers_name_trgm`}
		if e.Name == sqldb.SQLite {
			undo = []string{`DROP TRIGGER customers_trgm_insert`, `DROP TRIGGER customers_trgm_update`, `DROP TRIGGER customers_trgm_delete`,
				`DROP TABLE customers_trgm`, `DROP TABLE customers_trgm_pending`}
		}
		for _, q := range append(undo, `DELETE FROM tenantry_migrations WHERE version = 28`) {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		if db, err = sqldb.Open(ctx, url, sqldb.Options{Now: steppingClock()}); err != nil {
			t.Fatal(err)
		}
		f.db = db
		sqldb.StopTrigramFlush(db)
		if e.Name == sqldb.SQLite {
			if n := count(t, db, `SELECT COUNT(*) FROM customers_trgm_pending`); n != 0 {
				t.Fatalf("%d customers pending after the migration", n)
			}
		}
		search(t, "통신 주", "kr")
		search(t, "öberg", "ob")
	})
}

// referenceSubscribers is the plain LIKE the user search was before the
// trigram index: the addresses of the customer's users, of any of
// statuses, whose folded names and address contain the search, in list
// order.
func referenceSubscribers(t *testing.T, db *sqldb.DB, customerID, search string, statuses ...tenantry.SubscriberStatus) []string {
	t.Helper()
	return referenceLike(t, db, `SELECT email FROM subscribers WHERE customer_id = ? AND search_folded LIKE ? ESCAPE '\'`, customerID, search, statuses)
}

// subscriberIDsPlan is the engine's plan of the statement that reads the
// ids of the page of f's users (SubscriberListSQL).
func subscriberIDsPlan(t *testing.T, db *sqldb.DB, partnerID string, f tenantry.SubscriberFilter) string {
	t.Helper()
	st := db.SubscriberListSQL(partnerID, f)
	return explain(t, db, st.IDs.SQL, st.IDs.Args)
}

// TestSubscriberSearchTrigrams: a user search for a text few users
// contain finds exactly the users the plain LIKE finds, in any script and
// case, with LIKE's wildcards and a backslash as plain letters, and reads
// only those users by key, pending (on SQLite) or in the index; a shorter
// search and a whole address still work; with a status and pages by
// offset and by key; a renamed user is found by the new name and not the
// old, a deleted one is gone; a text many users contain reads the list in
// order, with the same results.
func TestSubscriberSearchTrigrams(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		f := &subFixture{fixture: newFixture(t, e)}
		sqldb.StopTrigramFlush(f.db)
		f.tpl = f.template(t, "Standard")
		f.cust, f.hq = f.customerWith(t, "ext-1", nil, "webex_meetings")
		other, _ := f.customerWith(t, "ext-2", nil, "webex_meetings")
		if err := f.db.AddFreeAccount(ctx, "pending@search.example"); err != nil {
			t.Fatal(err)
		}
		mk := func(customerID, email, first, last string) *tenantry.Subscriber {
			return f.create(t, &tenantry.SubscriberInput{CustomerID: customerID, Email: email, Package: "webex_meetings", FirstName: first, LastName: last})
		}
		model := mk(f.cust.ID, "asa@search.example", "Åsa", "Öberg")
		mk(f.cust.ID, "ji@search.example", "지수", "김민준")
		pct := mk(f.cust.ID, "pct@search.example", "Per", "Cent_50%")
		mk(f.cust.ID, "decoy@search.example", "Percy", "Cent 50 Lake")
		mk(f.cust.ID, "bs@search.example", "Back", `Sl\ash`)
		mk(f.cust.ID, "ar@search.example", "نور", "الهدى")
		mk(f.cust.ID, "pending@search.example", "ÅSA", "Lind")
		mk(other.ID, "asa2@search.example", "Åsa", "Other") // another customer's
		partner := f.actor.OrgID
		emails := func(ss []*tenantry.Subscriber) []string {
			out := make([]string, 0, len(ss))
			for _, s := range ss {
				out = append(out, s.Email)
			}
			return out
		}
		// check lists the filter's page and compares it, and its plan,
		// with the plain LIKE's.
		check := func(t *testing.T, stage string, filter tenantry.SubscriberFilter, all []string, byKey bool) {
			t.Helper()
			filter.CustomerID = f.cust.ID
			if filter.Max == 0 {
				filter.Max = 10
			}
			got, total, err := f.db.Subscribers(ctx, f.actor, filter)
			if err != nil {
				t.Fatal(err)
			}
			from := min(filter.Offset, len(all))
			want, wantTotal := all[from:min(from+filter.Max, len(all))], filter.Offset+min(len(all)-from, filter.Max+1)
			if filter.Key != nil {
				want, wantTotal = all[:min(filter.Max, len(all))], min(filter.Max, len(all))
			}
			if !slices.Equal(emails(got), want) || total != wantTotal {
				t.Errorf("%s: search %q %v %+v: %v (total %d), want %v (total %d)", stage, filter.Search, filter.Statuses, filter.Page, emails(got), total, want, wantTotal)
			}
			if plan := subscriberIDsPlan(t, f.db, partner, filter); readsByKey(f.db, plan) != byKey {
				t.Errorf("%s: search %q: read by key %v, want %v; plan:\n%s", stage, filter.Search, !byKey, byKey, plan)
			}
		}
		for q, n := range map[string]int{"50%": 1, "50": 2, "t_5": 1, "t 5": 1} {
			if got := len(referenceSubscribers(t, f.db, f.cust.ID, q)); got != n {
				t.Fatalf("%q matches %d users, want %d: the users lost their decoys", q, got, n)
			}
		}
		pending := []tenantry.SubscriberStatus{tenantry.SubscriberPendingUserMigration}
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
			}
			for _, q := range []string{"50%", "t_5", `l\a`, "öberg", "ÖBERG", "åsa öb", "지수", "김민", "النو", "ji@search", "@search.",
				"search.example", "cent", "asa2@", "zzz", "ab", "지", "%", "_", `\`} {
				check(t, stage, tenantry.SubscriberFilter{Search: q}, referenceSubscribers(t, f.db, f.cust.ID, q), isTrigramSearch(q))
			}
			// A whole address is that user, from the index of addresses.
			check(t, stage, tenantry.SubscriberFilter{Search: " PCT@search.example "}, []string{"pct@search.example"}, false)
			// With a status, and by pages.
			check(t, stage, tenantry.SubscriberFilter{Search: "åsa", Statuses: pending}, referenceSubscribers(t, f.db, f.cust.ID, "åsa", pending...), true)
			all := referenceSubscribers(t, f.db, f.cust.ID, "search.example")
			for _, page := range []tenantry.Page{{Max: 3}, {Offset: 3, Max: 3}, {Offset: 6, Max: 3}, {Offset: 9, Max: 3}} {
				check(t, stage, tenantry.SubscriberFilter{Search: "SEARCH.example", Page: page}, all, true)
			}
			users, _, err := f.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "search.example", Page: tenantry.Page{Max: 10}})
			if err != nil || len(users) != len(all) {
				t.Fatalf("all users: %v, %v", emails(users), err)
			}
			key := &tenantry.SubscriberKey{Created: users[2].Created, ID: users[2].ID}
			check(t, stage, tenantry.SubscriberFilter{Search: "search.example", Key: key, Page: tenantry.Page{Max: 2}}, all[3:], true)
			backward := slices.Clone(all[:2])
			slices.Reverse(backward)
			if got, _, err := f.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "search.example", Key: key, Backward: true,
				Page: tenantry.Page{Max: 5}}); err != nil || !slices.Equal(emails(got), all[:2]) {
				t.Errorf("%s: before the third: %v, %v; want %v", stage, emails(got), err, all[:2])
			}
		}

		// Renamed: found by the new name, not the old; deleted: gone.
		if _, err := f.db.UpdateSubscriber(ctx, f.actor, pct.ID, &tenantry.SubscriberInput{LastName: "Ström"}); err != nil {
			t.Fatal(err)
		}
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
			}
			check(t, stage, tenantry.SubscriberFilter{Search: "STRÖM"}, []string{"pct@search.example"}, true)
			check(t, stage, tenantry.SubscriberFilter{Search: "cent_50"}, nil, true)
		}
		if err := f.db.DeleteSubscriber(ctx, f.actor, pct.ID); err != nil {
			t.Fatal(err)
		}
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
			}
			check(t, stage, tenantry.SubscriberFilter{Search: "ström"}, nil, true)
			check(t, stage, tenantry.SubscriberFilter{Search: "pct@sea"}, nil, true)
		}

		// A text more users contain than the index gives reads the list in
		// order; a rarer one among them still comes from the index.
		sqldbtest.SeedSubscribers(t, f.db.SQL(), f.db.Engine() == sqldb.Postgres, model.ID, 1100, sqldb.SubscriberSearchText)
		for _, stage := range []string{"pending", "indexed"} {
			if stage == "indexed" {
				flushTrigrams(t, f.db)
				if _, err := f.db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
					t.Fatal(err)
				}
			}
			for _, tc := range []struct {
				q     string
				byKey bool
				page  tenantry.Page
			}{
				{"seed.example", false, tenantry.Page{Max: 5}},
				{"seed.example", false, tenantry.Page{Offset: 1095, Max: 10}},
				{"user 10", true, tenantry.Page{Max: 5}}, // 10, 100–109, 1000–1099
				{"user 10", true, tenantry.Page{Offset: 105, Max: 5}},
				{"seed-0001099@", true, tenantry.Page{Max: 5}},
			} {
				// With more than a thousand rows pending, SQLite reads in
				// order until they are moved.
				check(t, stage, tenantry.SubscriberFilter{Search: tc.q, Page: tc.page}, referenceSubscribers(t, f.db, f.cust.ID, tc.q),
					tc.byKey && (stage == "indexed" || e.Name == sqldb.Postgres))
			}
		}
		// On PostgreSQL a text more users contain than the index answers
		// for is read in the list's index order whatever the planner guesses
		// of how many contain it (a guess from a hundred sampled values
		// made it read and sort every user of the customer): the statement
		// is marked so, and as the store runs it, it reads no table whole,
		// no bitmap, and sorts nothing.
		if e.Name == sqldb.Postgres {
			st := f.db.SubscriberListSQL(partner, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "seed.example", Page: tenantry.Page{Max: 26}})
			plan, err := sqldb.ExplainAsRun(f.db, st.IDs)
			if err != nil {
				t.Fatal(err)
			}
			if !st.IDs.InOrder || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Bitmap") || strings.Contains(plan, "Sort") {
				t.Errorf("a text many users contain: in order %v; plan:\n%s", st.IDs.InOrder, plan)
			}
		}
		// One user among a thousand, with the engine's statistics: it is
		// looked up by its key rather than read with the customer's users.
		if plan := subscriberIDsPlan(t, f.db, partner, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "seed-0001099@", Page: tenantry.Page{Max: 26}}); !readsByIndexOfKeys(f.db, plan) {
			t.Errorf("one user: not looked up by key; plan:\n%s", plan)
		}
	})
}

// TestTrigramSearchWithoutIndex: a PostgreSQL server without pg_trgm
// migrates without the trigram indexes, and a search then reads the list
// in order, finding the same customers and users.
func TestTrigramSearchWithoutIndex(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		if e.Name != sqldb.Postgres {
			t.Skip("SQLite always has FTS5")
		}
		ctx := t.Context()
		f, url := searchFixture(t, e, "nk")
		db, a := f.db, f.actor
		f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "ji@search.example", Package: "webex_meetings", FirstName: "지수", LastName: "김민준"})
		// As the migrations leave a server without pg_trgm.
		for _, q := range []string{`DROP INDEX customers_name_trgm`, `DROP INDEX subscribers_search_trgm`} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		var err error
		if db, err = sqldb.Open(ctx, url, sqldb.Options{Now: steppingClock()}); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		customers := tenantry.CustomerFilter{Search: "TOMER nk", Page: tenantry.Page{Max: 10}}
		if cs, total, err := db.Customers(ctx, a, customers); err != nil || !slices.Equal(externalIDs(cs), []string{"nk"}) || total != 1 {
			t.Errorf("customers: %v (total %d), %v", externalIDs(cs), total, err)
		}
		if plan := customerListPlan(t, db, a.OrgID, customers); readsByKey(db, plan) {
			t.Errorf("customers read by key without an index; plan:\n%s", plan)
		}
		users := tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "김민준", Page: tenantry.Page{Max: 10}}
		if ss, _, err := db.Subscribers(ctx, a, users); err != nil || len(ss) != 1 || ss[0].Email != "ji@search.example" {
			t.Errorf("users: %v, %v", ss, err)
		}
		if plan := subscriberIDsPlan(t, db, a.OrgID, users); readsByKey(db, plan) {
			t.Errorf("users read by key without an index; plan:\n%s", plan)
		}
	})
}
