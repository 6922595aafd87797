package sqldb

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// User lists. Like the customer lists (customer.go), a page is read as its
// ids from an index in list order, one more than the page telling whether a
// next page exists, then only those rows whole; the total is counted only
// when a next page exists, only up to a bound, and never past the page with
// a search. With a customer named,
// the partner is checked on the customer's row (one row by its key), so the
// ids come from subscribers_customer_list or, with one status,
// subscribers_customer_status (migration 0023) without reading a user row
// (with a search, each row is read and compared; a search of a text few
// users contain reads only the users the trigram index finds, by key:
// trigram.go).

// SubscriberSearchText is what the user search compares with: the user's
// first and last name and address, lower-cased by Go's Unicode tables so
// that both engines fold every script alike. The store writes it with every
// user; a benchmark that seeds users writes it too.
func SubscriberSearchText(first, last, email string) string {
	return strings.ToLower(first + " " + last + " " + email)
}

// Subscribers lists the actor's subscribers.
func (db *DB) Subscribers(ctx context.Context, a *tenantry.Actor, f tenantry.SubscriberFilter) ([]*tenantry.Subscriber, int, error) {
	l, err := db.subscriberList(ctx, a.OrgID, f)
	if err != nil {
		return nil, 0, err
	}
	ids, err := db.StatementIDs(ctx, l.IDs)
	if err != nil {
		return nil, 0, err
	}
	// The count runs beside the page's rows and add-ons (read.go).
	var counted func() (int, error)
	total := f.Offset + len(ids)
	switch {
	case f.Key != nil:
		// A page by key knows nothing of its place: the total is counted
		// from the list's start (without a search), and otherwise it is the
		// page's length.
		total = len(ids)
		if l.Count != nil {
			counted = db.countAside(ctx, l.Count)
		}
		if f.Backward {
			slices.Reverse(ids)
		}
	case strings.TrimSpace(f.Search) != "":
		// A search is not counted past its page: counting its matches
		// reads and compares every row up to the bound, many times the
		// page's work when matches are few. One id more than the page
		// makes the total a lower bound past the page's end.
		ids = ids[:min(len(ids), f.Max)]
	case len(ids) > f.Max || (len(ids) == 0 && f.Offset > 0):
		counted = db.countAside(ctx, l.Count)
		ids = ids[:min(len(ids), f.Max)]
	}
	var out []*tenantry.Subscriber
	if len(ids) > 0 {
		if out, err = db.subscriberRows(ctx, l.Rows(ids)); err != nil {
			return nil, 0, err
		}
	}
	if counted != nil {
		n, err := counted()
		if err != nil {
			return nil, 0, err
		}
		switch {
		case f.Key != nil:
			total = n
		case n <= l.bound:
			total = n // exact, also past the end
		default:
			total = max(n, total)
		}
	}
	return out, total, nil
}

// subscriberRows reads a page's users whole, with their add-ons.
func (db *DB) subscriberRows(ctx context.Context, st Statement) ([]*tenantry.Subscriber, error) {
	rows, err := db.query(ctx, st.SQL, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.Subscriber
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, loadAddOns(ctx, db, out)
}

// Statement is one SQL statement and its arguments.
type Statement struct {
	SQL  string
	Args []any
	// InOrder: on PostgreSQL, the statement reads a list in its index's
	// order and must not be planned otherwise (RunStatement).
	InOrder bool
	// sorts: the statement sorts what it has read (a page of customers
	// read whole, in list order), so the planner may sort.
	sorts bool
}

// SubscriberListStatements are the statements Subscribers runs for a page.
type SubscriberListStatements struct {
	// IDs reads the page's ids in list order from an index (one more than
	// the page with offset paging; backwards by key in reverse order).
	IDs Statement
	// Count is the bounded total, nil when the list is not counted (a
	// search). With offset paging Subscribers runs it only when IDs
	// returns more than the page; by key always.
	Count *Statement
	// Rows reads the page's rows whole, by id, in list order; AddOns
	// reads their add-ons.
	Rows, AddOns func(ids []string) Statement

	bound int
}

// SubscriberListSQL is the statements Subscribers runs for the page of f's
// users of a partner, in the engine's dialect, with their arguments.
// Benchmarks run them directly beside Subscribers. A search of a text few
// users contain is first looked up in the trigram index, as Subscribers
// does, and the statements read the rows it found; should that look-up
// fail, they are those of the search without the index, which find the
// same users.
func (db *DB) SubscriberListSQL(partnerID string, f tenantry.SubscriberFilter) SubscriberListStatements {
	l, err := db.subscriberList(context.Background(), partnerID, f)
	if err != nil {
		l = subscriberList(partnerID, f, nil)
	}
	rebind := func(st Statement) Statement { st.SQL = db.rebind(st.SQL); return st }
	l.IDs = rebind(l.IDs)
	if l.Count != nil {
		c := rebind(*l.Count)
		l.Count = &c
	}
	rows, addOns := l.Rows, l.AddOns
	l.Rows = func(ids []string) Statement { return rebind(rows(ids)) }
	l.AddOns = func(ids []string) Statement { return rebind(addOns(ids)) }
	return l
}

// subscriberList is the statements of a user list, with ? marks, after
// looking up a search of a text few users contain in the trigram index
// (trigram.go). A whole address is not looked up: the unique index of
// addresses answers it.
func (db *DB) subscriberList(ctx context.Context, partnerID string, f tenantry.SubscriberFilter) (SubscriberListStatements, error) {
	var m *trigramRows
	if q := strings.TrimSpace(f.Search); q != "" && !tenantry.ValidEmail(q) {
		var err error
		if m, err = db.trigramMatches(ctx, subscriberSearch, strings.ToLower(q)); err != nil {
			return SubscriberListStatements{}, err
		}
	}
	return subscriberList(partnerID, f, m), nil
}

// subscriberList is the statements of a user list, with ? marks; m, when
// not nil, are the rows of the trigram index its search reads.
func subscriberList(partnerID string, f tenantry.SubscriberFilter, m *trigramRows) SubscriberListStatements {
	from, cond, order, args := subscriberListQuery(partnerID, f, m)
	l := SubscriberListStatements{bound: tenantry.SubscriberCountBound}
	if f.CountBound > 0 {
		l.bound = f.CountBound
	}
	if f.Key != nil {
		// A row value comparison in the index's order: both engines start
		// the index range at the key (created, id).
		idCond, idOrder := cond+" AND (s.created, s.id) > (?, ?)", "s.created, s.id"
		if f.Backward {
			idCond, idOrder = cond+" AND (s.created, s.id) < (?, ?)", "s.created DESC, s.id DESC"
		}
		idArgs := append(slices.Clone(args), f.Key.Created.UnixMicro(), f.Key.ID)
		l.IDs = Statement{SQL: `SELECT s.id` + from + ` WHERE ` + idCond + ` ORDER BY ` + idOrder + ` LIMIT ` + strconv.Itoa(max(f.Max, 0)), Args: idArgs}
		order = "s.created, s.id"
	} else {
		l.IDs = Statement{SQL: `SELECT s.id` + from + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`, Args: append(slices.Clone(args), f.Max+1, f.Offset)}
	}
	// A text many users contain is looked for in list order (trigram.go).
	l.IDs.InOrder = m != nil && m.many
	if strings.TrimSpace(f.Search) == "" {
		// In list order with the bound written out, as the customer count
		// is (a generic plan of a prepared count may scan the table).
		l.Count = &Statement{SQL: `SELECT COUNT(*) FROM (SELECT 1` + from + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(l.bound+1) + `) AS t`, Args: args}
	}
	idArgs := func(ids []string) []any {
		a := make([]any, len(ids))
		for i, id := range ids {
			a[i] = id
		}
		return a
	}
	l.Rows = func(ids []string) Statement {
		return Statement{SQL: `SELECT ` + subscriberCols + subscriberFrom + ` WHERE s.id IN (` + marks(len(ids)) + `) ORDER BY ` + order, Args: idArgs(ids)}
	}
	l.AddOns = func(ids []string) Statement {
		return Statement{SQL: addOnsQuery(len(ids)), Args: idArgs(ids)}
	}
	return l
}

// subscriberListQuery is the FROM clause, WHERE clause, order and
// arguments of a user list; m, when not nil, are the rows of the trigram
// index its search reads.
func subscriberListQuery(partnerID string, f tenantry.SubscriberFilter, m *trigramRows) (from, cond, order string, args []any) {
	var where []string
	add := func(c string, v any) { where, args = append(where, c), append(args, v) }
	from = ` FROM subscribers s`
	if f.CustomerID != "" {
		// The partner is the customer's: one row read by its key, once (the
		// subquery is not correlated), so that the users' ids come from an
		// index alone; a join checked the customer at every user row.
		add("s.customer_id = ?", f.CustomerID)
		where = append(where, "EXISTS (SELECT 1 FROM customers o WHERE o.id = ? AND o.partner_id = ?)")
		args = append(args, f.CustomerID, partnerID)
	} else {
		add("s.partner_id = ?", partnerID)
	}
	if f.ExternalCustomerID != "" {
		from = subscriberFrom
		add("c.external_id = ?", f.ExternalCustomerID)
	}
	if f.PersonID != "" {
		add("s.person_id = ?", f.PersonID)
	}
	if f.Email != "" {
		add("s.email = ?", tenantry.NormalizeEmail(f.Email))
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		// Equality (not IN) lets the engines read subscribers_customer_status
		// in list order.
		add("s.status = ?", string(f.Statuses[0]))
	default:
		where = append(where, "s.status IN ("+marks(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if !f.After.IsZero() {
		add("s.created > ?", f.After.UnixMicro())
	}
	if !f.LastStatusChange.IsZero() {
		add("s.last_status_change > ?", f.LastStatusChange.UnixMicro())
	}
	if q := strings.TrimSpace(f.Search); tenantry.ValidEmail(q) {
		// A whole address names one user: the unique index on the address
		// (stored lower-cased by Go, as NormalizeEmail folds the search)
		// finds it, where a LIKE read every row when nothing matched.
		add("s.email = ?", tenantry.NormalizeEmail(q))
	} else if q != "" {
		if m != nil && !m.many {
			// Only the rows the trigram index found, by key.
			add(m.cond("s."), m.keys)
			if m.sqlite {
				// SQLite, which has no statistics to weigh them, would read
				// all the customer's users from an index of them instead.
				from = strings.Replace(from, " FROM subscribers s", " FROM subscribers s NOT INDEXED", 1)
			}
		}
		add(`s.search_folded LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(q))+"%")
	}
	key, dir := "s.created", " ASC"
	if f.SortBy == tenantry.SortByLastStatusChange {
		key = "s.last_status_change"
	}
	if f.Descending {
		dir = " DESC"
	}
	return from, strings.Join(where, " AND "), key + dir + ", s.id" + dir, args
}

// foldSubscribers fills in search_folded for users written before the
// column existed.
func (db *DB) foldSubscribers(ctx context.Context) error {
	return db.fillFolded(ctx, `SELECT id, first_name, last_name, email FROM subscribers WHERE search_folded IS NULL LIMIT 1000`, 4,
		`UPDATE subscribers SET search_folded = ? WHERE id = ?`, func(c []string) string { return SubscriberSearchText(c[0], c[1], c[2]) })
}
