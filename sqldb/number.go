package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/tenantry/tenantry"
)

// Phone numbers are rows of phone_numbers, whose primary key makes a number
// unique across the installation. Each row carries its partner, customer and
// location, so that every read is scoped by partner without a join.

const numberCols = `phone_number, partner_id, customer_id, location_id, state, subscriber_id, created`

func scanNumber(row interface{ Scan(...any) error }) (*tenantry.PhoneNumber, error) {
	var n tenantry.PhoneNumber
	var sub sql.NullString
	var created int64
	if err := row.Scan(&n.Number, &n.PartnerID, &n.CustomerID, &n.LocationID, &n.State, &sub, &created); err != nil {
		return nil, mapError(err)
	}
	n.SubscriberID, n.Created = sub.String, fromMicro(created)
	return &n, nil
}

// countNumbers counts a location's numbers, assigned or not.
func (t *Tx) countNumbers(ctx context.Context, locationID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM phone_numbers WHERE location_id = ?`, locationID).Scan(&n)
	return n, err
}

// batches splits n items into chunks of 256 and then powers of two, so that
// a bulk statement takes one of nine shapes and each is prepared once.
func batches(n int) []int {
	var out []int
	for n > 0 {
		size := 256
		for size > n {
			size /= 2
		}
		out = append(out, size)
		n -= size
	}
	return out
}

// rowMarks is the placeholders of n rows of cols values: "(?, ?), (?, ?)".
func rowMarks(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// queryFunc runs a query in a transaction or outside one.
type queryFunc func(ctx context.Context, q string, args ...any) (rows, error)

// taken returns the problems of the items whose number exists already,
// anywhere in the installation, at most maxProblems of them.
func taken(ctx context.Context, query queryFunc, items []tenantry.NumberItem) ([]tenantry.Problem, error) {
	const maxProblems = 100
	var ps []tenantry.Problem
	for start, sizes := 0, batches(len(items)); len(sizes) > 0 && len(ps) < maxProblems; sizes = sizes[1:] {
		chunk := items[start : start+sizes[0]]
		start += sizes[0]
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = it.Number
		}
		rows, err := query(ctx, `SELECT phone_number FROM phone_numbers WHERE phone_number IN `+rowMarks(1, len(chunk)), args...)
		if err != nil {
			return nil, err
		}
		found := map[string]bool{}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			found[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, it := range chunk {
			if found[it.Number] && len(ps) < maxProblems {
				ps = append(ps, tenantry.Problem{Field: it.Field, Reason: tenantry.ReasonPhoneNumberTaken, Params: map[string]string{"value": it.Number}})
			}
		}
	}
	return ps, nil
}

// numbersTaken is the conflict of numbers that exist already.
func numbersTaken(ps []tenantry.Problem) error {
	if len(ps) == 1 {
		return &tenantry.Error{Code: tenantry.ECONFLICT, Reason: ps[0].Reason, Params: ps[0].Params, Problems: ps}
	}
	return &tenantry.Error{Code: tenantry.ECONFLICT, Reason: tenantry.ReasonInvalidRequest, Problems: ps}
}

// errRaced is a unique violation on insert: another request added one of
// the numbers between the check and the insert.
var errRaced = errors.New("a number was added concurrently")

// AddNumbers adds numbers to a location, all or nothing.
func (db *DB) AddNumbers(ctx context.Context, a *tenantry.Actor, customerID, locationID string, in *tenantry.NumbersInput) ([]*tenantry.PhoneNumber, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	for attempt := 1; ; attempt++ {
		out, items, err := db.addNumbers(ctx, a, customerID, locationID, in)
		if !errors.Is(err, errRaced) {
			return out, err
		}
		// The transaction is gone; say which numbers the other request
		// took. When it took none after all (it rolled back), try again.
		ps, err := taken(ctx, db.query, items)
		switch {
		case err != nil:
			return nil, err
		case len(ps) > 0:
			return nil, numbersTaken(ps)
		case attempt == 3:
			return nil, tenantry.Errorf(tenantry.EUNAVAILABLE, tenantry.ReasonUnavailable)
		}
	}
}

// addNumbers is one attempt of AddNumbers. It returns errRaced when another
// request inserted one of the numbers after this one checked them.
func (db *DB) addNumbers(ctx context.Context, a *tenantry.Actor, customerID, locationID string, in *tenantry.NumbersInput) ([]*tenantry.PhoneNumber, []tenantry.NumberItem, error) {
	var items []tenantry.NumberItem
	var out []*tenantry.PhoneNumber
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		l, err := tx.location(ctx, c, locationID)
		if err != nil {
			return err
		}
		var ps []tenantry.Problem
		if items, ps = in.Expand(l.Address.Country); len(ps) > 0 {
			return tenantry.Invalid(ps)
		}
		if !c.Status.AcceptsLocations() {
			return customerNotReady(c)
		}
		if ps, err := taken(ctx, tx.query, items); err != nil || len(ps) > 0 {
			if err != nil {
				return err
			}
			return numbersTaken(ps)
		}
		now := db.now().UTC()
		out = make([]*tenantry.PhoneNumber, len(items))
		for i, it := range items {
			out[i] = &tenantry.PhoneNumber{Number: it.Number, PartnerID: c.PartnerID, CustomerID: c.ID, LocationID: l.ID, State: tenantry.NumberAvailable, Created: now}
		}
		for start, sizes := 0, batches(len(out)); len(sizes) > 0; sizes = sizes[1:] {
			chunk := out[start : start+sizes[0]]
			start += sizes[0]
			args := make([]any, 0, len(chunk)*6)
			for _, n := range chunk {
				args = append(args, n.Number, n.PartnerID, n.CustomerID, n.LocationID, string(n.State), now.UnixMicro())
			}
			_, err := tx.exec(ctx, `INSERT INTO phone_numbers (phone_number, partner_id, customer_id, location_id, state, created) VALUES `+rowMarks(len(chunk), 6), args...)
			if isConflict(err, "phone_number") {
				return errRaced
			}
			if err != nil {
				return err
			}
		}
		added := make([]string, len(out))
		for i, n := range out {
			added[i] = n.Number
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "location.numbers_add", "location", l.ID, map[string]any{"customerId": c.ID, "phoneNumbers": added}); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, out)
	})
	if err != nil {
		return nil, items, err
	}
	return out, items, nil
}

// Numbers lists a location's numbers, in order.
func (db *DB) Numbers(ctx context.Context, a *tenantry.Actor, customerID, locationID string, f tenantry.NumberFilter) ([]*tenantry.PhoneNumber, int, error) {
	l, err := db.Location(ctx, a, customerID, locationID)
	if err != nil {
		return nil, 0, err
	}
	cond, args := `location_id = ? AND partner_id = ?`, []any{l.ID, a.OrgID}
	if f.State != "" {
		cond, args = cond+` AND state = ?`, append(args, string(f.State))
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM phone_numbers WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+numberCols+` FROM phone_numbers WHERE `+cond+` ORDER BY phone_number LIMIT ? OFFSET ?`, append(args, f.Max, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*tenantry.PhoneNumber
	for rows.Next() {
		n, err := scanNumber(rows)
		if err != nil {
			return nil, 0, err
		}
		n.MainNumber = n.Number == l.MainNumber
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// RemoveNumber removes an unassigned number of a location. A suspended
// sub-partner may still remove.
func (db *DB) RemoveNumber(ctx context.Context, a *tenantry.Actor, customerID, locationID, number string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		l, err := tx.location(ctx, c, locationID)
		if err != nil {
			return err
		}
		// The state is checked in the DELETE itself: an assignment that
		// does not take the customer's lock cannot slip in between.
		res, err := tx.exec(ctx, `DELETE FROM phone_numbers WHERE phone_number = ? AND location_id = ? AND partner_id = ? AND state = ?`,
			number, l.ID, c.PartnerID, string(tenantry.NumberAvailable))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			held, err := scanNumber(tx.queryRow(ctx, `SELECT `+numberCols+` FROM phone_numbers WHERE phone_number = ? AND location_id = ? AND partner_id = ?`,
				number, l.ID, c.PartnerID))
			if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
				return notFound("phone number")
			}
			if err != nil {
				return err
			}
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonPhoneNumberAssigned, "value", held.Number)
		}
		change := map[string]any{"customerId": c.ID, "phoneNumber": number}
		if l.MainNumber == number {
			if _, err := tx.exec(ctx, `UPDATE locations SET main_number = NULL WHERE id = ?`, l.ID); err != nil {
				return err
			}
			change["mainNumberCleared"] = true
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "location.number_remove", "location", l.ID, change)
	})
}

// SetMainNumber makes one of a location's numbers its main number.
func (db *DB) SetMainNumber(ctx context.Context, a *tenantry.Actor, customerID, locationID, number string) (*tenantry.Location, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var l *tenantry.Location
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		if l, err = tx.location(ctx, c, locationID); err != nil {
			return err
		}
		switch {
		case number == "":
			return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPhoneNumber, tenantry.ReasonRequired)
		case !tenantry.ValidE164(number):
			return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPhoneNumber, tenantry.ReasonPhoneNumberInvalid, "value", number)
		case !c.Status.AcceptsLocations():
			return customerNotReady(c)
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM phone_numbers WHERE phone_number = ? AND location_id = ?`, number, l.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPhoneNumber, tenantry.ReasonPhoneNumberElsewhere, "value", number)
		}
		before := l.MainNumber
		if _, err := tx.exec(ctx, `UPDATE locations SET main_number = ? WHERE id = ?`, number, l.ID); err != nil {
			return err
		}
		l.MainNumber = number
		return tx.audit(ctx, a.OrgID, a.AdminID, "location.main_number", "location", l.ID,
			map[string]any{"customerId": c.ID, "before": before, "mainNumber": number})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
