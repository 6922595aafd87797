package sqldb

import (
	"context"
	"database/sql"

	"github.com/tenantry/tenantry"
)

// Locations belong to a customer, so they are scoped to the partner through
// customers.partner_id. Every write locks the customer's row first: that
// serializes a customer's location and number changes with each other and
// with its jobs (which take the same lock), so that the checks made before
// a write (name free, no numbers left) still hold when it commits.

const locationCols = `l.id, l.customer_id, l.name, l.address, l.timezone, l.language, l.emergency_location_id, l.headquarters, l.main_number, l.created`

func scanLocation(row interface{ Scan(...any) error }) (*tenantry.Location, error) {
	var l tenantry.Location
	var address string
	var hq int
	var main sql.NullString
	var created int64
	err := row.Scan(&l.ID, &l.CustomerID, &l.Name, &address, &l.TimeZone, &l.Language, &l.EmergencyLocationID, &hq, &main, &created)
	if err != nil {
		return nil, mapError(err)
	}
	if err := unmarshalAll([]string{address}, &l.Address); err != nil {
		return nil, err
	}
	l.Headquarters, l.MainNumber, l.Created = hq == 1, main.String, fromMicro(created)
	return &l, nil
}

// locationByID reads a location of a customer of partnerID.
const locationByID = `SELECT ` + locationCols + ` FROM locations l JOIN customers c ON c.id = l.customer_id
	WHERE l.id = ? AND l.customer_id = ? AND c.partner_id = ?`

// Location returns one location of one of the actor's customers.
func (db *DB) Location(ctx context.Context, a *tenantry.Actor, customerID, id string) (*tenantry.Location, error) {
	l, err := scanLocation(db.queryRow(ctx, locationByID, id, customerID, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("location")
	}
	return l, err
}

// Locations lists a customer's locations, headquarters first.
func (db *DB) Locations(ctx context.Context, a *tenantry.Actor, customerID string, p tenantry.Page) ([]*tenantry.Location, int, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE id = ? AND partner_id = ?`, customerID, a.OrgID).Scan(&n); err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, notFound("customer")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, customerID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+locationCols+` FROM locations l WHERE l.customer_id = ?
		ORDER BY l.headquarters DESC, l.created, l.id LIMIT ? OFFSET ?`, customerID, p.Max, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*tenantry.Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, l)
	}
	return out, total, rows.Err()
}

func customerNotReady(c *tenantry.Customer) error {
	return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady, "status", string(c.Status))
}

// location reads a location of c in the transaction.
func (t *Tx) location(ctx context.Context, c *tenantry.Customer, id string) (*tenantry.Location, error) {
	l, err := scanLocation(t.queryRow(ctx, locationByID, id, c.ID, c.PartnerID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("location")
	}
	return l, err
}

// checkLocationName refuses a name another location of the customer has
// (SameLocationName); self is the location being renamed.
func (t *Tx) checkLocationName(ctx context.Context, customerID, self, name string) error {
	rows, err := t.query(ctx, `SELECT id, name FROM locations WHERE customer_id = ?`, customerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, other string
		if err := rows.Scan(&id, &other); err != nil {
			return err
		}
		if id != self && tenantry.SameLocationName(name, other) {
			return locationNameTaken(name)
		}
	}
	return rows.Err()
}

func locationNameTaken(name string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldLocationName, tenantry.ReasonLocationNameTaken, "value", name)
}

// locationAudit is the part of a location recorded in the audit log.
func locationAudit(l *tenantry.Location) map[string]any {
	return map[string]any{"customerId": l.CustomerID, "name": l.Name, "address": l.Address, "timezone": l.TimeZone,
		"language": l.Language, "emergencyLocationIdentifier": l.EmergencyLocationID, "headquarters": l.Headquarters, "mainNumber": l.MainNumber}
}

// CreateLocation adds a branch to a provisioned customer.
func (db *DB) CreateLocation(ctx context.Context, a *tenantry.Actor, customerID string, in *tenantry.LocationInput) (*tenantry.Location, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var l *tenantry.Location
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		if err := tenantry.Invalid(in.Validate()); err != nil {
			return err
		}
		if !c.Status.AcceptsLocations() {
			return customerNotReady(c)
		}
		if err := tx.checkLocationName(ctx, c.ID, "", in.Name); err != nil {
			return err
		}
		l = &tenantry.Location{
			ID: newID("LOCATION"), CustomerID: c.ID, Name: in.Name, Address: in.Address, TimeZone: in.TimeZone,
			Language: in.Language, EmergencyLocationID: in.EmergencyLocationID, Created: db.now().UTC(),
		}
		_, err = tx.exec(ctx, `INSERT INTO locations (id, customer_id, name, address, timezone, language, emergency_location_id, headquarters, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
			l.ID, l.CustomerID, l.Name, mustJSON(l.Address), l.TimeZone, l.Language, l.EmergencyLocationID, l.Created.UnixMicro())
		if isConflict(err, "name") {
			return locationNameTaken(in.Name)
		}
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "location.create", "location", l.ID, locationAudit(l)); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UpdateLocation replaces a location's settings. The country stays while
// the location holds numbers: they were validated for it.
func (db *DB) UpdateLocation(ctx context.Context, a *tenantry.Actor, customerID, id string, in *tenantry.LocationInput) (*tenantry.Location, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var l *tenantry.Location
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		if l, err = tx.location(ctx, c, id); err != nil {
			return err
		}
		if err := tenantry.Invalid(in.Validate()); err != nil {
			return err
		}
		if !c.Status.AcceptsLocations() {
			return customerNotReady(c)
		}
		if err := tx.checkLocationName(ctx, c.ID, l.ID, in.Name); err != nil {
			return err
		}
		if in.Address.Country != l.Address.Country {
			n, err := tx.countNumbers(ctx, l.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldLocationCountry, tenantry.ReasonLocationCountryLocked, "count", itoa(n))
			}
		}
		before := locationAudit(l)
		l.Name, l.Address, l.TimeZone, l.Language, l.EmergencyLocationID = in.Name, in.Address, in.TimeZone, in.Language, in.EmergencyLocationID
		_, err = tx.exec(ctx, `UPDATE locations SET name = ?, address = ?, timezone = ?, language = ?, emergency_location_id = ? WHERE id = ?`,
			l.Name, mustJSON(l.Address), l.TimeZone, l.Language, l.EmergencyLocationID, l.ID)
		if isConflict(err, "name") {
			return locationNameTaken(in.Name)
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "location.update", "location", l.ID, map[string]any{"before": before, "after": locationAudit(l)})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// DeleteLocation removes a branch that holds no numbers. A suspended
// sub-partner may still delete.
func (db *DB) DeleteLocation(ctx context.Context, a *tenantry.Actor, customerID, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, customerID)
		if err != nil {
			return err
		}
		l, err := tx.location(ctx, c, id)
		if err != nil {
			return err
		}
		if l.Headquarters {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonLocationHeadquarters)
		}
		n, err := tx.countNumbers(ctx, l.ID)
		if err != nil {
			return err
		}
		var users int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM subscribers WHERE location_id = ?`, l.ID).Scan(&users); err != nil {
			return err
		}
		if n += users; n > 0 {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonLocationInUse, "count", itoa(n))
		}
		if _, err := tx.exec(ctx, `DELETE FROM locations WHERE id = ?`, l.ID); err != nil {
			return err
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "location.delete", "location", l.ID, locationAudit(l))
	})
}

var _ tenantry.LocationService = (*DB)(nil)

// callingHeadquarters gives the headquarters of the locked customer c,
// made from its address while it had no calling location, the settings of
// the calling location it gains with an update (rule C4). A customer not
// provisioned yet has no headquarters: provisioning makes it from the
// calling location. The country stays while the headquarters holds
// numbers, as in UpdateLocation.
func (t *Tx) callingHeadquarters(ctx context.Context, c *tenantry.Customer, l *tenantry.CallingLocation) error {
	var id, address string
	err := mapError(t.queryRow(ctx, `SELECT id, address FROM locations WHERE customer_id = ? AND headquarters = 1`, c.ID).Scan(&id, &address))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	var old tenantry.Address
	if err := unmarshalAll([]string{address}, &old); err != nil {
		return err
	}
	if old.Country != l.Address.Country {
		n, err := t.countNumbers(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldCalling+".address.country", tenantry.ReasonLocationCountryLocked, "count", itoa(n))
		}
	}
	_, err = t.exec(ctx, `UPDATE locations SET name = ?, address = ?, timezone = ?, language = ?, emergency_location_id = ? WHERE id = ?`,
		l.Name, mustJSON(l.Address), l.TimeZone, l.Language, l.EmergencyLocationID, id)
	if isConflict(err, "name") {
		return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldCalling+".name", tenantry.ReasonLocationNameTaken, "value", l.Name)
	}
	return err
}
