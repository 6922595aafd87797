package sqldb

import (
	"context"
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
// (with a search, each row is read and compared).

// SubscriberSearchText is what the user search compares with: the user's
// first and last name and address, lower-cased by Go's Unicode tables so
// that both engines fold every script alike. The store writes it with every
// user; a benchmark that seeds users writes it too.
func SubscriberSearchText(first, last, email string) string {
	return strings.ToLower(first + " " + last + " " + email)
}

// Subscribers lists the actor's subscribers.
func (db *DB) Subscribers(ctx context.Context, a *tenantry.Actor, f tenantry.SubscriberFilter) ([]*tenantry.Subscriber, int, error) {
	from, cond, order, args := subscriberListQuery(a.OrgID, f)
	ids, err := db.customerIDs(ctx, `SELECT s.id`+from+` WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, f.Max+1, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	total := f.Offset + len(ids)
	if strings.TrimSpace(f.Search) != "" {
		// A search is not counted past its page: counting its matches
		// reads and compares every row up to the bound, many times the
		// page's work when matches are few. One id more than the page
		// makes the total a lower bound past the page's end.
		ids = ids[:min(len(ids), f.Max)]
	} else if len(ids) > f.Max || (len(ids) == 0 && f.Offset > 0) {
		bound := tenantry.SubscriberCountBound
		// In list order with the bound written out, as the customer count
		// is (a generic plan of a prepared count may scan the table).
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` WHERE `+cond+` ORDER BY `+order+` LIMIT `+strconv.Itoa(bound+1)+`) AS t`, args...).Scan(&n); err != nil {
			return nil, 0, err
		}
		if n <= bound {
			total = n // exact, also past the end
		} else {
			total = max(n, total)
		}
		ids = ids[:min(len(ids), f.Max)]
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	rows, err := db.query(ctx, `SELECT `+subscriberCols+subscriberFrom+` WHERE s.id IN (`+marks(len(ids))+`) ORDER BY `+order, idArgs...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*tenantry.Subscriber, 0, len(ids))
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	return out, total, loadAddOns(ctx, db, out)
}

// SubscriberListSQL is the plainest statement that reads the page of f's
// users of a partner, in the engine's dialect, with its arguments: what
// Subscribers answers, less its total and add-ons. Benchmarks time it
// beside Subscribers.
func (db *DB) SubscriberListSQL(partnerID string, f tenantry.SubscriberFilter) (string, []any) {
	_, cond, order, args := subscriberListQuery(partnerID, f)
	return db.rebind(`SELECT ` + subscriberCols + subscriberFrom + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`), append(args, f.Max, f.Offset)
}

// subscriberListQuery is the FROM clause, WHERE clause, order and
// arguments of a user list.
func subscriberListQuery(partnerID string, f tenantry.SubscriberFilter) (from, cond, order string, args []any) {
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
	if q := strings.TrimSpace(f.Search); q != "" {
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
// column existed, in Go, since SQL's LOWER folds only ASCII on SQLite.
func (db *DB) foldSubscribers(ctx context.Context) error {
	for {
		rows, err := db.query(ctx, `SELECT id, first_name, last_name, email FROM subscribers WHERE search_folded IS NULL LIMIT 1000`)
		if err != nil {
			return err
		}
		var ids, texts []string
		for rows.Next() {
			var id, first, last, email string
			if err := rows.Scan(&id, &first, &last, &email); err != nil {
				rows.Close()
				return err
			}
			ids, texts = append(ids, id), append(texts, SubscriberSearchText(first, last, email))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		// Open runs this before any request or job: a plain transaction.
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE subscribers SET search_folded = ? WHERE id = ?`), texts[i], id); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}
