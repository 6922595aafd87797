package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestSubscriberSearch: the user search matches any part of the first
// name, last name or address, whatever the letters' case in any script,
// alone or with a status; it follows a change of name; LIKE's wildcards
// are plain letters; a whole address is that user only; a page by key
// reads after or before a place; and users written before the search column are found
// once the store has opened again.
func TestSubscriberSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		f, url := searchFixture(t, e, "ext-1")
		db, a := f.db, f.actor
		other, _ := f.customerWith(t, "ext-2", nil, "webex_meetings")
		if err := db.AddFreeAccount(ctx, "pending@search.example"); err != nil {
			t.Fatal(err)
		}
		mk := func(customerID, email, first, last string) *tenantry.Subscriber {
			return f.create(t, &tenantry.SubscriberInput{CustomerID: customerID, Email: email, Package: "webex_meetings", FirstName: first, LastName: last})
		}
		mk(f.cust.ID, "asa@search.example", "Åsa", "Öberg")
		mk(f.cust.ID, "ji@search.example", "지수", "김")
		renamed := mk(f.cust.ID, "pct@search.example", "Per", "Cent_50%")
		mk(f.cust.ID, "pending@search.example", "ÅSA", "Lind")
		mk(other.ID, "asa2@search.example", "Åsa", "Other") // another customer's
		emails := func(ss []*tenantry.Subscriber) []string {
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = s.Email
			}
			return out
		}
		list := func(t *testing.T, f tenantry.SubscriberFilter) ([]string, int) {
			t.Helper()
			f.Max = 10
			got, total, err := db.Subscribers(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			return emails(got), total
		}
		pending := []tenantry.SubscriberStatus{tenantry.SubscriberPendingUserMigration}
		tests := []struct {
			name   string
			search string
			status []tenantry.SubscriberStatus
			want   []string
		}{
			{"first name, any case", "åSA", nil, []string{"asa@search.example", "pending@search.example"}},
			{"last name", "öberg", nil, []string{"asa@search.example"}},
			{"first and last name", "åsa öb", nil, []string{"asa@search.example"}},
			{"address part", "JI@SEARCH", nil, []string{"ji@search.example"}},
			{"Korean", "지수", nil, []string{"ji@search.example"}},
			{"percent is a letter", "50%", nil, []string{"pct@search.example"}},
			{"underscore is a letter", "t_5", nil, []string{"pct@search.example"}},
			{"no match", "zzz", nil, nil},
			{"a whole address, any case", " ASA@Search.example ", nil, []string{"asa@search.example"}},
			{"another customer's address", "asa2@search.example", nil, nil},
			{"with a status", "åsa", pending, []string{"pending@search.example"}},
			{"a status alone", "", pending, []string{"pending@search.example"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total := list(t, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: tt.search, Statuses: tt.status})
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || total != len(tt.want) {
					t.Errorf("total %d; emails (-want +got):\n%s", total, diff)
				}
			})
		}
		if _, err := db.UpdateSubscriber(ctx, a, renamed.ID, &tenantry.SubscriberInput{LastName: "Ström"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := list(t, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "STRÖM"}); !cmp.Equal(got, []string{"pct@search.example"}) {
			t.Errorf("after the rename: %v", got)
		}

		// By key: the users after (or before) a place, in list order, of
		// this customer only, with a status or a search; the total is the
		// whole list's to the count bound (a search's: the page's length).
		all, _, err := db.Subscribers(ctx, a, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Max: 10}})
		if err != nil || len(all) != 4 {
			t.Fatalf("all: %v %v", emails(all), err)
		}
		key := func(s *tenantry.Subscriber) *tenantry.SubscriberKey {
			return &tenantry.SubscriberKey{Created: s.Created, ID: s.ID}
		}
		keyed := []struct {
			name  string
			f     tenantry.SubscriberFilter
			want  []string
			total int
		}{
			{"after the first", tenantry.SubscriberFilter{Key: key(all[0]), Page: tenantry.Page{Max: 2}}, emails(all[1:3]), 4},
			{"after the first, bound 2", tenantry.SubscriberFilter{Key: key(all[0]), CountBound: 2, Page: tenantry.Page{Max: 2}}, emails(all[1:3]), 3},
			{"before the last", tenantry.SubscriberFilter{Key: key(all[3]), Backward: true, Page: tenantry.Page{Max: 2}}, emails(all[1:3]), 4},
			{"before the second", tenantry.SubscriberFilter{Key: key(all[1]), Backward: true, Page: tenantry.Page{Max: 2}}, emails(all[:1]), 4},
			{"after the last", tenantry.SubscriberFilter{Key: key(all[3]), Page: tenantry.Page{Max: 2}}, nil, 4},
			{"offset ignored", tenantry.SubscriberFilter{Key: key(all[2]), Page: tenantry.Page{Offset: 3, Max: 2}}, emails(all[3:]), 4},
			{"with a status", tenantry.SubscriberFilter{Key: key(all[0]), Statuses: pending, Page: tenantry.Page{Max: 2}}, []string{"pending@search.example"}, 1},
			{"with a search", tenantry.SubscriberFilter{Key: key(all[0]), Search: "search.example", Page: tenantry.Page{Max: 2}}, emails(all[1:3]), 2},
			{"with a search, backwards", tenantry.SubscriberFilter{Key: key(all[3]), Backward: true, Search: "åsa", Page: tenantry.Page{Max: 2}}, []string{"asa@search.example"}, 1},
		}
		for _, tt := range keyed {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.CustomerID = f.cust.ID
				got, total, err := db.Subscribers(ctx, a, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, emails(got), cmpopts.EquateEmpty()); diff != "" || total != tt.total {
					t.Errorf("total %d, want %d; emails (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}

		// A page short of the end counts on; the last page is exact.
		got, total, err := db.Subscribers(ctx, a, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Max: 2}})
		if err != nil || len(got) != 2 || total != 4 {
			t.Errorf("first page of 2: %v, total %d, %v", emails(got), total, err)
		}
		got, total, err = db.Subscribers(ctx, a, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Offset: 2, Max: 2}})
		if err != nil || len(got) != 2 || total != 4 {
			t.Errorf("last page: %v, total %d, %v", emails(got), total, err)
		}
		got, total, err = db.Subscribers(ctx, a, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Offset: 20, Max: 2}})
		if err != nil || len(got) != 0 || total != 4 {
			t.Errorf("past the end: %v, total %d, %v", emails(got), total, err)
		}

		// Rows written before the column existed are folded when the store opens.
		if _, err := db.SQL().ExecContext(ctx, rebind(db, `UPDATE subscribers SET search_folded = NULL`)); err != nil {
			t.Fatal(err)
		}
		if got, _ := list(t, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "öberg"}); len(got) != 0 {
			t.Fatalf("unfolded rows matched: %v", got)
		}
		db.Close()
		if db, err = sqldb.Open(ctx, url, sqldb.Options{Now: steppingClock()}); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got, _ := list(t, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Search: "ÖBERG"}); !cmp.Equal(got, []string{"asa@search.example"}) {
			t.Errorf("after reopening: %v", got)
		}
	})
}

// searchFixture opens a store on e with the partner Acme, its template
// Standard and a Meetings customer of external id ext (f.cust); it
// returns the store's URL too, for the tests that open it again.
func searchFixture(t *testing.T, e sqldbtest.Engine, ext string) (*subFixture, string) {
	t.Helper()
	url := e.URL(t)
	db, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
	if err != nil {
		t.Fatal(err)
	}
	boot, a := addPartner(t, db, "Acme")
	f := &subFixture{fixture: &fixture{db: db, boot: boot, actor: a}}
	f.tpl = f.template(t, "Standard")
	f.cust, f.hq = f.customerWith(t, ext, nil, "webex_meetings")
	return f, url
}

// TestListsBesideTheWriter: a request is authenticated (API token, hub
// session) and the customer and user lists, with their counts, are read
// while a transaction holds the writer. On SQLite every write and
// transaction has one connection, and a read on it would wait for the
// transaction to end (here: for ever, the transaction being the test's
// own). A list sees what was committed before it, not the transaction's
// uncommitted change.
func TestListsBesideTheWriter(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, _ := searchFixture(t, e, "ext-1")
		f.customerWith(t, "ext-2", nil, "webex_meetings")
		for _, email := range []string{"a@beside.example", "b@beside.example", "c@beside.example"} {
			f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: email, Package: "webex_meetings", FirstName: "Beside", LastName: email[:1]})
		}
		session, err := f.db.CreateSession(t.Context(), f.boot.Admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := f.db.SQL().BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(t.Context(), rebind(f.db, `UPDATE customers SET name = 'Uncommitted' WHERE id = ?`), f.cust.ID); err != nil {
			t.Fatal(err)
		}
		// Not a timing: a read that waits for the writer fails here
		// rather than hanging the test.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		if p, err := f.db.Authenticate(ctx, f.boot.Token); err != nil || p.PartnerID != f.boot.Partner.ID {
			t.Fatalf("token beside a write transaction: %+v, %v", p, err)
		}
		if s, err := f.db.Session(ctx, session); err != nil || s.Admin.ID != f.boot.Admin.ID {
			t.Fatalf("session beside a write transaction: %+v, %v", s, err)
		}
		customers, total, err := f.db.Customers(ctx, f.actor, tenantry.CustomerFilter{Page: tenantry.Page{Max: 1}})
		if err != nil {
			t.Fatalf("customers beside a write transaction: %v", err)
		}
		if len(customers) != 1 || total != 2 || customers[0].ID != f.cust.ID || customers[0].Name == "Uncommitted" {
			t.Errorf("customers: %d (total %d), first %+v; want the committed first of 2", len(customers), total, customers)
		}
		users, total, err := f.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Max: 2}})
		if err != nil {
			t.Fatalf("users beside a write transaction: %v", err)
		}
		if len(users) != 2 || total != 3 {
			t.Errorf("users: %d (total %d), want 2 of 3", len(users), total)
		}
	})
}
