package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCustomerListSearchAndStatus: the search finds a company by any part of
// its name in any script and any case ("ÅSA" and "åsa"), or by its external
// id or admin email exactly; one status or several; with paging.
func TestCustomerListSearchAndStatus(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		tpl := f.template(t, "List")
		names := map[string]string{"asa": "ÅSA Telecom", "kr": "서울 통신 주식회사", "sa": "شركة الرياض للاتصالات", "de": "Ölwerk GmbH", "pl": "Plain Corp"}
		for _, ext := range []string{"asa", "kr", "sa", "de", "pl"} {
			in := customerInput(tpl, ext)
			in.Info.Name = names[ext]
			c, err := f.db.CreateCustomer(t.Context(), f.actor, in)
			if err != nil {
				t.Fatal(err)
			}
			if ext != "pl" && ext != "de" {
				if err := f.db.ProvisionCustomer(t.Context(), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for q, want := range map[string][]string{
			"åsa": {"asa"}, "ÅSA": {"asa"}, "Åsa tel": {"asa"}, "통신": {"kr"}, "서울 통신": {"kr"}, "الرياض": {"sa"},
			"ÖLWERK": {"de"}, "gmbh": {"de"}, "DE": {"de"}, "ADMIN@KR.example": {"kr"}, "o": {"asa", "pl"},
			"%": nil, "_": nil, "Åsa telecom ": {"asa"}, "admin@": nil,
		} {
			got, total := f.list(t, tenantry.CustomerFilter{Search: q})
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("search %q: %v (total %d), want %v", q, got, total, want)
			}
		}
		provisioned := []tenantry.CustomerStatus{tenantry.StatusProvisioned}
		if got, total := f.list(t, tenantry.CustomerFilter{Statuses: provisioned}); !slices.Equal(got, []string{"asa", "kr", "sa"}) || total != 3 {
			t.Errorf("provisioned: %v (total %d)", got, total)
		}
		if got, _ := f.list(t, tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{tenantry.StatusProvisioning, tenantry.StatusError}}); !slices.Equal(got, []string{"de", "pl"}) {
			t.Errorf("provisioning or error: %v", got)
		}
		if got, total := f.list(t, tenantry.CustomerFilter{Statuses: []tenantry.CustomerStatus{tenantry.StatusError}}); len(got) != 0 || total != 0 {
			t.Errorf("error: %v (total %d)", got, total)
		}
		if got, _ := f.list(t, tenantry.CustomerFilter{Statuses: provisioned, Search: "o"}); !slices.Equal(got, []string{"asa"}) {
			t.Errorf("provisioned and o: %v", got)
		}
		// A page in the middle counts; the last page knows its total.
		for _, tc := range []struct {
			page  tenantry.Page
			want  []string
			total int
		}{
			{tenantry.Page{Offset: 0, Max: 2}, []string{"asa", "kr"}, 5},
			{tenantry.Page{Offset: 2, Max: 2}, []string{"sa", "de"}, 5},
			{tenantry.Page{Offset: 4, Max: 2}, []string{"pl"}, 5},
			{tenantry.Page{Offset: 5, Max: 2}, nil, 5},
			{tenantry.Page{Offset: 9, Max: 2}, nil, 9},
		} {
			if got, total := f.list(t, tenantry.CustomerFilter{Page: tc.page}); !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("page %+v: %v (total %d), want %v (total %d)", tc.page, got, total, tc.want, tc.total)
			}
		}
		// A brief list (the hub's) finds the same customers, with their
		// names, status and times, and leaves out the address and packages.
		full, fullTotal, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{Search: "o", Page: tenantry.Page{Max: 1}})
		if err != nil {
			t.Fatal(err)
		}
		brief, briefTotal, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{Search: "o", Brief: true, Page: tenantry.Page{Max: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if len(brief) != 1 || len(full) != 1 || briefTotal != fullTotal {
			t.Fatalf("brief %d customers (total %d), full %d (total %d)", len(brief), briefTotal, len(full), fullTotal)
		}
		b, c := brief[0], full[0]
		if b.ID != c.ID || b.Name != c.Name || b.Status != c.Status || b.ExternalID != c.ExternalID || b.PrimaryEmail != c.PrimaryEmail || !b.Created.Equal(c.Created) {
			t.Errorf("brief %+v, full %+v", b, c)
		}
		if b.Address.Country != "" || len(b.Packages) != 0 || len(c.Packages) == 0 || c.Address.Country == "" {
			t.Errorf("brief has address %+v and packages %v; full %+v and %v", b.Address, b.Packages, c.Address, c.Packages)
		}
	})
}

// TestCustomerListCountBound: past tenantry.CustomerCountBound a list stops
// counting and reports a total above the page's end, so a next page is
// known; the last page knows its exact total whatever its offset.
func TestCustomerListCountBound(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		tpl := f.template(t, "Many")
		model := f.customer(t, tpl, "model")
		const n = tenantry.CustomerCountBound + 50 // the model and its copies
		sqldbtest.SeedCustomers(t, f.db.SQL(), f.db.Engine() == sqldb.Postgres, model.ID, n-1)
		for _, tc := range []struct {
			page  tenantry.Page
			rows  int
			total int
		}{
			{tenantry.Page{Offset: 0, Max: 100}, 100, tenantry.CustomerCountBound + 1},
			{tenantry.Page{Offset: 9900, Max: 100}, 100, tenantry.CustomerCountBound + 1},
			{tenantry.Page{Offset: 9950, Max: 100}, 100, n}, // the last page: exact
			{tenantry.Page{Offset: 10000, Max: 100}, 50, n},
			{tenantry.Page{Offset: 10050, Max: 100}, 0, n}, // past the end: no next page
		} {
			cs, total, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{Page: tc.page})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != tc.rows || total != tc.total {
				t.Errorf("page %+v: %d rows, total %d; want %d, %d", tc.page, len(cs), total, tc.rows, tc.total)
			}
			if tc.page.Offset == 10000 && (len(cs) == 0 || cs[len(cs)-1].ExternalID != "seed-0010048") {
				t.Errorf("last page ends with %v", externalIDs(cs[len(cs)-1:]))
			}
		}
		// Asked for no total, a list counts nothing: the total only tells
		// that a next page exists, and is exact on the last page.
		for _, tc := range []struct {
			page  tenantry.Page
			total int
		}{
			{tenantry.Page{Offset: 0, Max: 100}, 101},
			{tenantry.Page{Offset: 9900, Max: 100}, 10001},
			{tenantry.Page{Offset: 10000, Max: 100}, n},
		} {
			_, total, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{SkipTotal: true, Page: tc.page})
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.total {
				t.Errorf("page %+v without a total: %d, want %d", tc.page, total, tc.total)
			}
		}
		// On PostgreSQL a name more customers have than the trigram index
		// answers for is read in the list's index order, as the store runs
		// it: no table read whole, no bitmap (trigram.go).
		if f.db.Engine() == sqldb.Postgres {
			page, count, err := f.db.CustomerListStatements(t.Context(), f.actor.OrgID, tenantry.CustomerFilter{Search: "seeded", Page: tenantry.Page{Max: 25}})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []sqldb.Statement{page, *count} {
				plan, err := sqldb.ExplainAsRun(f.db, st)
				if err != nil {
					t.Fatal(err)
				}
				if !st.InOrder || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Bitmap") {
					t.Errorf("a name many customers have: in order %v; plan:\n%s", st.InOrder, plan)
				}
			}
		}
		// A search matching few counts them all; one matching many stops
		// at its own bound.
		for q, want := range map[string]int{"seeded 1004": 10, "seeded": tenantry.CustomerSearchCountBound + 1} { // 1004 and 10040–10048
			cs, total, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{Search: q, Page: tenantry.Page{Max: 5}})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 5 || total != want {
				t.Errorf("search %q: %d rows, total %d (want %d): %v", q, len(cs), total, want, externalIDs(cs))
			}
		}
	})
}

// TestCustomerSearchExactMatch: a search that is exactly some customers'
// external id or admin email (ignoring case) lists those customers, with
// the status filter, even when names contain it too; any other search
// looks in names. A list leaves the calling location out. On SQLite the
// same holds while the customers are pending for customers_keys and once
// moved into it, and after an external id changes: the new one is found,
// the old one no more.
func TestCustomerSearchExactMatch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		sqldb.StopTrigramFlush(f.db) // the rows stay pending until flushTrigrams
		tpl := f.template(t, "Exact")
		for _, c := range []struct{ ext, name, email string }{
			{"telecom", "Plain Corp", "ops@plain.example"},
			{"rt-1", "River Telecom", "Shared@Example.com"},
			{"rt-2", "Telecom Norte", "shared@example.com"},
			{"Mixed-ID", "Other Telecom", "other@example.com"},
		} {
			in := customerInput(tpl, c.ext)
			in.Info.Name, in.Info.PrimaryEmail = c.name, c.email
			cust, err := f.db.CreateCustomer(t.Context(), f.actor, in)
			if err != nil {
				t.Fatal(err)
			}
			if c.ext == "rt-2" {
				if err := f.db.ProvisionCustomer(t.Context(), tenantry.ProvisionCustomerJob{CustomerID: cust.ID, Version: cust.Version}); err != nil {
					t.Fatal(err)
				}
			}
		}
		provisioned := []tenantry.CustomerStatus{tenantry.StatusProvisioned}
		type search struct {
			q        string
			statuses []tenantry.CustomerStatus
			want     []string
		}
		check := func(when string, cases []search) {
			t.Helper()
			for _, tc := range cases {
				cs, total, err := f.db.Customers(t.Context(), f.actor, tenantry.CustomerFilter{Search: tc.q, Statuses: tc.statuses, Page: tenantry.Page{Max: 10}})
				if err != nil {
					t.Fatal(err)
				}
				if got := externalIDs(cs); !slices.Equal(got, tc.want) || total != len(tc.want) {
					t.Errorf("%s: search %q %v: %v (total %d), want %v", when, tc.q, tc.statuses, got, total, tc.want)
				}
				for _, c := range cs {
					if c.Calling != nil || c.Address.Country != "US" || len(c.Packages) != 2 {
						t.Errorf("search %q: %s listed with calling %v, address %+v, packages %v", tc.q, c.ExternalID, c.Calling, c.Address, c.Packages)
					}
				}
			}
		}
		cases := []search{
			{"TELECOM", nil, []string{"telecom"}},                 // an external id, though three names contain it
			{"telecom", provisioned, nil},                         // that customer is not provisioned
			{"teleco", nil, []string{"rt-1", "rt-2", "Mixed-ID"}}, // no id or email: names
			{"SHARED@example.COM", nil, []string{"rt-1", "rt-2"}}, // an email two customers share
			{"shared@example.com", provisioned, []string{"rt-2"}}, // with the status filter
			{"mixed-id", nil, []string{"Mixed-ID"}},               // the id in another case
			{"shared@example", nil, nil},                          // a part of an email is no match
			{"rt-", nil, nil},                                     // nor a part of an id
		}
		check("pending", cases)
		flushTrigrams(t, f.db)
		check("indexed", cases)

		if _, err := f.db.SQL().ExecContext(t.Context(), `UPDATE customers SET external_id = 'Renamed-9' WHERE external_id = 'Mixed-ID'`); err != nil {
			t.Fatal(err)
		}
		renamed := []search{{"mixed-id", nil, nil}, {"renamed-9", nil, []string{"Renamed-9"}}, {"other@example.com", nil, []string{"Renamed-9"}}}
		check("renamed, pending", renamed)
		flushTrigrams(t, f.db)
		check("renamed, indexed", renamed)

		// Another partner's customer with the same external id is not found.
		_, other := addPartner(t, f.db, "Other")
		if cs, _, err := f.db.Customers(t.Context(), other, tenantry.CustomerFilter{Search: "telecom", Page: tenantry.Page{Max: 10}}); err != nil || len(cs) != 0 {
			t.Errorf("another partner's search: %v, %v", externalIDs(cs), err)
		}
	})
}

// TestCustomerNamesFoldedOnOpen: customers written before name_folded
// existed are folded when the store opens, and then found by any case.
func TestCustomerNamesFoldedOnOpen(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		db, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		boot, a := addPartner(t, db, "Acme")
		f := &fixture{db: db, boot: boot, actor: a}
		in := customerInput(f.template(t, "Fold"), "de")
		in.Info.Name = "Ölwerk GmbH"
		if _, err := db.CreateCustomer(t.Context(), a, in); err != nil {
			t.Fatal(err)
		}
		search := func(db *sqldb.DB, q string) []string {
			t.Helper()
			cs, _, err := db.Customers(t.Context(), a, tenantry.CustomerFilter{Search: q, Page: tenantry.Page{Max: 10}})
			if err != nil {
				t.Fatal(err)
			}
			return externalIDs(cs)
		}
		if _, err := db.SQL().ExecContext(t.Context(), `UPDATE customers SET name_folded = NULL`); err != nil {
			t.Fatal(err)
		}
		if got := search(db, "ölwerk"); len(got) != 0 {
			t.Fatalf("an unfolded name matched: %v", got)
		}
		db.Close()
		db, err = sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := search(db, "ÖLWERK"); !slices.Equal(got, []string{"de"}) {
			t.Errorf("after reopening: %v, want [de]", got)
		}
	})
}
