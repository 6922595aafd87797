package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

// Subscribers (users). Every write takes the customer's row lock first, so
// that the users of one customer change one at a time: the quantity check
// (count, compare, insert) cannot interleave with another one, on either
// engine. Numbers move between the inventory and the user in the same
// transaction, by a conditional update that only an available number of the
// right customer and location passes.

const subscriberCols = `s.id, s.customer_id, s.partner_id, c.external_id, s.person_id, s.email, s.first_name, s.last_name,
	s.package, s.status, s.location_id, s.primary_phone_number, s.extension, s.consent_requests, s.created, s.updated,
	s.last_status_change`

const subscriberFrom = ` FROM subscribers s JOIN customers c ON c.id = s.customer_id`

func scanSubscriber(row interface{ Scan(...any) error }) (*tenantry.Subscriber, error) {
	var s tenantry.Subscriber
	var created, updated, changed int64
	err := row.Scan(&s.ID, &s.CustomerID, &s.PartnerID, &s.ExternalCustomerID, &s.PersonID, &s.Email, &s.FirstName, &s.LastName,
		&s.Package, &s.Status, &s.LocationID, &s.PrimaryPhoneNumber, &s.Extension, &s.ConsentRequests, &created, &updated, &changed)
	if err != nil {
		return nil, mapError(err)
	}
	s.Created, s.Updated, s.LastStatusChange = fromMicro(created), fromMicro(updated), fromMicro(changed)
	return &s, nil
}

// addOnReader is what reads add-ons: a transaction or the database.
type addOnReader interface {
	query(ctx context.Context, q string, args ...any) (rows, error)
}

// loadAddOns fills the add-ons of subscribers, in catalog order.
func loadAddOns(ctx context.Context, r addOnReader, subs []*tenantry.Subscriber) error {
	if len(subs) == 0 {
		return nil
	}
	byID := make(map[string]*tenantry.Subscriber, len(subs))
	args := make([]any, len(subs))
	for i, s := range subs {
		byID[s.ID], args[i] = s, s.ID
	}
	rows, err := r.query(ctx, addOnsQuery(len(subs)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		byID[id].AddOns = append(byID[id].AddOns, tenantry.Package(p))
	}
	for _, s := range subs {
		slices.SortFunc(s.AddOns, func(a, b tenantry.Package) int {
			return slices.Index(tenantry.Packages, a) - slices.Index(tenantry.Packages, b)
		})
	}
	return rows.Err()
}

// addOnsQuery reads the add-ons of n subscribers.
func addOnsQuery(n int) string {
	return `SELECT subscriber_id, package FROM subscriber_add_ons WHERE subscriber_id IN (` + marks(n) + `)`
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func subscriberNotFound() error { return notFound("subscriber") }

// subscriberUsage counts, per package, the users of a customer that hold
// it, as their package or as an add-on.
func (t *Tx) subscriberUsage(ctx context.Context, customerID string) (map[tenantry.Package]int, error) {
	rows, err := t.query(ctx, `SELECT package, COUNT(*) FROM subscribers WHERE customer_id = ? GROUP BY package
		UNION ALL SELECT package, COUNT(*) FROM subscriber_add_ons WHERE customer_id = ? GROUP BY package`, customerID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[tenantry.Package]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[tenantry.Package(p)] += n
	}
	return out, rows.Err()
}

// subscriberCustomer reads, for change, the customer a request names. Any
// customer the actor cannot see is reported on the request's field.
func (t *Tx) subscriberCustomer(ctx context.Context, a *tenantry.Actor, id string, lock bool) (*tenantry.Customer, error) {
	var c *tenantry.Customer
	var err error
	if lock {
		c, err = t.lockCustomer(ctx, a.OrgID, id)
	} else {
		c, err = scanCustomer(t.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	}
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, tenantry.FieldError(tenantry.EINVALID, tenantry.FieldSubscriberCustomer, tenantry.ReasonCustomerNotFound)
	}
	return c, err
}

// checkLocation checks that a user's location is one of the customer's.
func (t *Tx) checkLocation(ctx context.Context, customerID, locationID string) error {
	if locationID == "" {
		return nil
	}
	key := customerID + "/" + locationID
	if t.locations[key] {
		return nil
	}
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM locations WHERE id = ? AND customer_id = ?`, locationID, customerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldLocationID, tenantry.ReasonSubscriberLocationNotFound)
	}
	if t.locations == nil {
		t.locations = map[string]bool{}
	}
	t.locations[key] = true
	return nil
}

// isAdmin reports whether email is one of the customer's admins, reading
// the customer's admins once per transaction (writes of admins forget them).
func (t *Tx) isAdmin(ctx context.Context, customerID, email string) (bool, error) {
	set, ok := t.admins[customerID]
	if !ok {
		rows, err := t.query(ctx, `SELECT email FROM customer_admins WHERE customer_id = ?`, customerID)
		if err != nil {
			return false, err
		}
		set = map[string]bool{}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return false, err
			}
			set[strings.ToLower(e)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, err
		}
		if t.admins == nil {
			t.admins = map[string]map[string]bool{}
		}
		t.admins[customerID] = set
	}
	return set[strings.ToLower(email)], nil
}

// numberProblem says why number is not an available number of the
// customer's location: not the customer's at all (another customer's reads
// the same, so nothing leaks), at another location, or assigned.
func (t *Tx) numberProblem(ctx context.Context, customerID, locationID, number string) error {
	var loc, state string
	err := t.queryRow(ctx, `SELECT location_id, state FROM phone_numbers WHERE phone_number = ? AND customer_id = ?`, number, customerID).Scan(&loc, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPrimaryNumber, tenantry.ReasonNumberNotInInventory, "value", number)
	case err != nil:
		return err
	case loc != locationID:
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPrimaryNumber, tenantry.ReasonPhoneNumberElsewhere, "value", number)
	case state != string(tenantry.NumberAvailable):
		return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldPrimaryNumber, tenantry.ReasonNumberUnavailable, "value", number)
	}
	return nil
}

// assignNumber takes number from the inventory for the subscriber: only an
// available number of the customer at the subscriber's location is taken,
// atomically, so two requests for one number cannot both have it.
func (t *Tx) assignNumber(ctx context.Context, s *tenantry.Subscriber) error {
	res, err := t.exec(ctx, `UPDATE phone_numbers SET state = 'assigned', subscriber_id = ?
		WHERE phone_number = ? AND customer_id = ? AND location_id = ? AND state = 'available'`,
		s.ID, s.PrimaryPhoneNumber, s.CustomerID, s.LocationID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	if err := t.numberProblem(ctx, s.CustomerID, s.LocationID, s.PrimaryPhoneNumber); err != nil {
		return err
	}
	// Available a moment ago and not now: another request took it.
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldPrimaryNumber, tenantry.ReasonNumberUnavailable, "value", s.PrimaryPhoneNumber)
}

// releaseNumber returns the subscriber's number to the inventory.
func (t *Tx) releaseNumber(ctx context.Context, subscriberID, number string) error {
	if number == "" {
		return nil
	}
	_, err := t.exec(ctx, `UPDATE phone_numbers SET state = 'available', subscriber_id = NULL WHERE phone_number = ? AND subscriber_id = ?`, number, subscriberID)
	return err
}

// extensionFree checks that no other user of the customer has extension.
func (t *Tx) extensionFree(ctx context.Context, customerID, extension, exceptID string) error {
	if extension == "" {
		return nil
	}
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM subscribers WHERE customer_id = ? AND extension = ? AND id <> ?`, customerID, extension, exceptID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return extensionTaken(extension)
	}
	return nil
}

func extensionTaken(v string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldExtension, tenantry.ReasonExtensionTaken, "value", v)
}

func emailTaken(v string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldSubscriberEmail, tenantry.ReasonEmailTaken, "value", v)
}

func numberTaken(v string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldPrimaryNumber, tenantry.ReasonNumberUnavailable, "value", v)
}

// subscriberConflict names the field of a unique violation on subscribers.
func subscriberConflict(err error, s *tenantry.Subscriber) error {
	// Email first: PostgreSQL's message quotes the values, and only the
	// email's could spell another constraint's name.
	switch {
	case isConflict(err, "subscribers_email_key", "subscribers.email"):
		return emailTaken(s.Email)
	case isConflict(err, "subscribers_extension", "subscribers.customer_id, subscribers.extension"):
		return extensionTaken(s.Extension)
	case isConflict(err, "subscribers_number", "subscribers.primary_phone_number"):
		return numberTaken(s.PrimaryPhoneNumber)
	}
	return err
}

// freeAccount reports whether email belongs to a free (self-signed-up)
// account elsewhere, whose owner must consent to its move (rule U3).
func (t *Tx) freeAccount(ctx context.Context, email string) (bool, error) {
	if free, ok := t.free[email]; ok {
		return free, nil
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM free_accounts WHERE email = ?`, email).Scan(&n)
	return n > 0, err
}

// knowFreeAccounts reads at once which of emails are free accounts, for
// freeAccount to answer without a query each.
func (t *Tx) knowFreeAccounts(ctx context.Context, emails []string) error {
	if len(emails) == 0 {
		return nil
	}
	if t.free == nil {
		t.free = map[string]bool{}
	}
	args := make([]any, len(emails))
	for i, e := range emails {
		args[i] = e
		t.free[e] = false
	}
	rows, err := t.query(ctx, `SELECT email FROM free_accounts WHERE email IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(emails)), ", ")+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		t.free[e] = true
	}
	return rows.Err()
}

func (t *Tx) insertAddOns(ctx context.Context, s *tenantry.Subscriber) error {
	for _, p := range s.AddOns {
		if _, err := t.exec(ctx, `INSERT INTO subscriber_add_ons (subscriber_id, customer_id, package) VALUES (?, ?, ?)`, s.ID, s.CustomerID, p); err != nil {
			return err
		}
	}
	return nil
}

// queueSubscriberMail queues what a user gets once provisioned: the welcome
// and, for users with calling in the US and Canada, the E911 confirmation,
// in the customer's language with the template's brand name. U5 (no welcome
// to a customer admin) and U6 are applied here; the keys make it once per
// user, and the E911 confirmation once per person of the customer, however
// often it is called.
func (t *Tx) queueSubscriberMail(ctx context.Context, c *tenantry.Customer, s *tenantry.Subscriber) error {
	tpl, err := t.templateByID(ctx, c.TemplateID)
	if err != nil {
		return err
	}
	d := tenantry.MailData{
		BrandName: cmp.Or(tpl.BrandName, tpl.Name), CustomerName: cmp.Or(c.Name, c.ExternalID),
		RecipientName: strings.TrimSpace(s.FirstName + " " + s.LastName),
	}
	// Rules U5 and U6 are applied here once for both mails, with what is
	// already known of the customer, instead of two lookups per mail.
	admin, err := t.isAdmin(ctx, c.ID, s.Email)
	if err != nil {
		return err
	}
	var msgs []*tenantry.Message
	for _, kind := range []tenantry.MailKind{tenantry.MailWelcome, tenantry.MailE911Confirmation} {
		if !tenantry.MailAllowed(kind, c.Address.Country, admin, s.Packages()) {
			continue
		}
		key := "subscriber/" + s.ID + "/" + string(kind)
		if kind == tenantry.MailE911Confirmation {
			key = tenantry.E911MailKey(c.ID, s.Email) // once per person, also an admin's (U6)
		}
		msgs = append(msgs, &tenantry.Message{
			PartnerID: s.PartnerID, CustomerID: c.ID, Kind: kind, To: s.Email, Language: mail.Language(c.Language, tpl.EmailLanguage),
			Key: key,
		})
	}
	return t.queueAllowedMails(ctx, msgs, d)
}

// subscriberAudit is the part of a subscriber recorded in the audit log.
func subscriberAudit(s *tenantry.Subscriber) map[string]any {
	return map[string]any{
		"customerId": s.CustomerID, "email": s.Email, "packages": s.Packages(), "status": s.Status,
		"locationId": s.LocationID, "primaryPhoneNumber": s.PrimaryPhoneNumber, "extension": s.Extension,
	}
}

// CreateSubscriber validates and stores a new user of a customer.
func (db *DB) CreateSubscriber(ctx context.Context, a *tenantry.Actor, in *tenantry.SubscriberInput) (*tenantry.Subscriber, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	if err := tenantry.Invalid(in.Validate(tenantry.ModeCreate)); err != nil {
		return nil, err
	}
	rs := in.Requested()
	s := db.newSubscriber(in, rs)
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.subscriberCustomer(ctx, a, in.CustomerID, true)
		if err != nil {
			return err
		}
		usage, err := tx.subscriberUsage(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := tx.insertSubscriber(ctx, a, c, rs, usage, s); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, s)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// newSubscriber is the user a valid create request describes, not stored yet.
func (db *DB) newSubscriber(in *tenantry.SubscriberInput, rs []tenantry.RequestedPackage) *tenantry.Subscriber {
	now := db.now().UTC()
	s := &tenantry.Subscriber{
		ID: newID("SUBSCRIBER"), Email: tenantry.NormalizeEmail(in.Email), FirstName: in.FirstName, LastName: in.LastName,
		LocationID: in.LocationID, PrimaryPhoneNumber: in.PrimaryPhoneNumber, Extension: in.Extension,
		Created: now, Updated: now, LastStatusChange: now,
	}
	s.Package, s.AddOns = tenantry.SplitPackages(rs)
	return s
}

// insertSubscriber checks a new user s against its customer c (locked by
// the caller; usage is its package usage) and stores it, with its number,
// mail, event and audit entry: the one way a user is created, from the
// API and from an import.
func (t *Tx) insertSubscriber(ctx context.Context, a *tenantry.Actor, c *tenantry.Customer, rs []tenantry.RequestedPackage,
	usage map[tenantry.Package]int, s *tenantry.Subscriber) error {
	now := s.Created
	s.CustomerID, s.PartnerID, s.ExternalCustomerID = c.ID, c.PartnerID, c.ExternalID
	if err := tenantry.CheckSubscriberPackages(c, rs, usage, nil); err != nil {
		return err
	}
	if err := t.checkLocation(ctx, c.ID, s.LocationID); err != nil {
		return err
	}
	free, err := t.freeAccount(ctx, s.Email)
	if err != nil {
		return err
	}
	if free {
		s.Status, s.ConsentRequests = tenantry.SubscriberPendingUserMigration, 1
	} else {
		s.Status, s.PersonID = tenantry.SubscriberProvisioned, newID("PEOPLE")
	}
	consentSent := int64(0)
	if free {
		consentSent = now.UnixMicro()
	}
	_, err = t.exec(ctx, `INSERT INTO subscribers (id, customer_id, partner_id, person_id, email, first_name, last_name, package, status,
		location_id, primary_phone_number, extension, consent_requests, consent_sent, created, updated, last_status_change, search_folded)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.CustomerID, s.PartnerID, s.PersonID, s.Email, s.FirstName, s.LastName, s.Package, s.Status,
		s.LocationID, s.PrimaryPhoneNumber, s.Extension, s.ConsentRequests, consentSent, now.UnixMicro(), now.UnixMicro(), now.UnixMicro(),
		SubscriberSearchText(s.FirstName, s.LastName, s.Email))
	if err != nil {
		return subscriberConflict(err, s)
	}
	if err := t.insertAddOns(ctx, s); err != nil {
		return err
	}
	if s.PrimaryPhoneNumber != "" {
		if err := t.assignNumber(ctx, s); err != nil {
			return err
		}
	}
	if s.Status == tenantry.SubscriberProvisioned {
		if err := t.queueSubscriberMail(ctx, c, s); err != nil {
			return err
		}
	} else if err := t.queueConsentMail(ctx, c, s, s.ConsentRequests); err != nil {
		return err
	}
	if err := t.emitEvent(ctx, s.PartnerID, tenantry.EventSubscriberCreated, tenantry.NewSubscriberEvent(s)); err != nil {
		return err
	}
	return t.audit(ctx, s.PartnerID, a.AdminID, "subscriber.create", "subscriber", s.ID, subscriberAudit(s))
}

// Subscriber returns one of the actor's subscribers.
func (db *DB) Subscriber(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.Subscriber, error) {
	s, err := scanSubscriber(db.queryRow(ctx, `SELECT `+subscriberCols+subscriberFrom+` WHERE s.id = ? AND s.partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, subscriberNotFound()
	}
	if err != nil {
		return nil, err
	}
	return s, loadAddOns(ctx, db, []*tenantry.Subscriber{s})
}

// lockSubscriber reads one of the actor's subscribers for change, after
// locking its customer (always the customer first, as creation does, so
// that two writers never wait for each other in opposite orders). orgID ""
// reads any partner's subscriber.
func (t *Tx) lockSubscriber(ctx context.Context, orgID, id string) (*tenantry.Subscriber, *tenantry.Customer, error) {
	q, args := `SELECT customer_id FROM subscribers WHERE id = ?`, []any{id}
	if orgID != "" {
		q, args = q+` AND partner_id = ?`, append(args, orgID)
	}
	var customerID string
	if err := t.queryRow(ctx, q, args...).Scan(&customerID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, subscriberNotFound()
		}
		return nil, nil, err
	}
	c, err := t.lockCustomer(ctx, orgID, customerID)
	if err != nil {
		return nil, nil, err
	}
	s, err := scanSubscriber(t.queryRow(ctx, `SELECT `+subscriberCols+subscriberFrom+` WHERE s.id = ? AND s.customer_id = ?`+t.db.forUpdate(), id, c.ID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, nil, subscriberNotFound() // deleted while we waited for the lock
	}
	if err != nil {
		return nil, nil, err
	}
	return s, c, loadAddOns(ctx, t, []*tenantry.Subscriber{s})
}

// UpdateSubscriber changes a subscriber's packages, names, location, number
// or extension.
func (db *DB) UpdateSubscriber(ctx context.Context, a *tenantry.Actor, id string, in *tenantry.SubscriberInput) (*tenantry.Subscriber, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var out *tenantry.Subscriber
	err := db.inTx(ctx, func(tx *Tx) error {
		// The subscriber is read first so that a missing one is a 404
		// before any validation problem of the body.
		cur, c, err := tx.lockSubscriber(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := tenantry.Invalid(in.Validate(tenantry.ModeUpdate)); err != nil {
			return err
		}
		next, ps := cur.ApplyUpdate(in)
		if err := tenantry.Invalid(ps); err != nil {
			return err
		}
		if !c.Status.AcceptsSubscribers() {
			return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldSubscriberCustomer, tenantry.ReasonCustomerNotReady, "status", string(c.Status))
		}
		if in.HasPackages() {
			usage, err := tx.subscriberUsage(ctx, c.ID)
			if err != nil {
				return err
			}
			if err := tenantry.CheckSubscriberPackages(c, in.Requested(), usage, cur.Packages()); err != nil {
				return err
			}
		}
		if next.LocationID != cur.LocationID {
			if err := tx.checkLocation(ctx, c.ID, next.LocationID); err != nil {
				return err
			}
		}
		if err := tx.extensionFree(ctx, c.ID, next.Extension, cur.ID); err != nil {
			return err
		}
		switch {
		case next.PrimaryPhoneNumber != cur.PrimaryPhoneNumber:
			if err := tx.releaseNumber(ctx, cur.ID, cur.PrimaryPhoneNumber); err != nil {
				return err
			}
			if next.PrimaryPhoneNumber != "" {
				if err := tx.assignNumber(ctx, &next); err != nil {
					return err
				}
			}
		case next.PrimaryPhoneNumber != "" && next.LocationID != cur.LocationID:
			// The user moves and keeps its number: the number must ring at
			// the new location too (U2).
			if err := tx.numberAt(ctx, &next); err != nil {
				return err
			}
		}
		next.Updated = tx.db.now().UTC()
		_, err = tx.exec(ctx, `UPDATE subscribers SET first_name = ?, last_name = ?, package = ?, location_id = ?, primary_phone_number = ?,
			extension = ?, updated = ?, search_folded = ? WHERE id = ?`,
			next.FirstName, next.LastName, next.Package, next.LocationID, next.PrimaryPhoneNumber, next.Extension, next.Updated.UnixMicro(),
			SubscriberSearchText(next.FirstName, next.LastName, next.Email), next.ID)
		if err != nil {
			return subscriberConflict(err, &next)
		}
		if !slices.Equal(next.AddOns, cur.AddOns) {
			if _, err := tx.exec(ctx, `DELETE FROM subscriber_add_ons WHERE subscriber_id = ?`, next.ID); err != nil {
				return err
			}
			if err := tx.insertAddOns(ctx, &next); err != nil {
				return err
			}
		}
		out = &next
		if next.Package != cur.Package && next.Status == tenantry.SubscriberProvisioned {
			// A user who gains calling in the US or Canada gets the E911
			// confirmation now, unless told before (U6; the outbox decides).
			d := tenantry.MailData{RecipientName: strings.TrimSpace(next.FirstName + " " + next.LastName)}
			if err := tx.queueCustomerMail(ctx, c, tenantry.MailE911Confirmation, next.Email, "", d); err != nil {
				return err
			}
		}
		if err := tx.emitEvent(ctx, next.PartnerID, tenantry.EventSubscriberUpdated, tenantry.NewSubscriberEvent(&next)); err != nil {
			return err
		}
		return tx.audit(ctx, next.PartnerID, a.AdminID, "subscriber.update", "subscriber", next.ID,
			map[string]any{"before": subscriberAudit(cur), "after": subscriberAudit(&next)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// numberAt checks that the subscriber's number is at its location.
func (t *Tx) numberAt(ctx context.Context, s *tenantry.Subscriber) error {
	var loc string
	err := t.queryRow(ctx, `SELECT location_id FROM phone_numbers WHERE phone_number = ? AND subscriber_id = ?`, s.PrimaryPhoneNumber, s.ID).Scan(&loc)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if loc != s.LocationID {
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPrimaryNumber, tenantry.ReasonPhoneNumberElsewhere, "value", s.PrimaryPhoneNumber)
	}
	return nil
}

// DeleteSubscriber removes a subscriber and returns its number to the
// inventory. A suspended sub-partner may still delete.
func (db *DB) DeleteSubscriber(ctx context.Context, a *tenantry.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		s, _, err := tx.lockSubscriber(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := tx.releaseNumber(ctx, s.ID, s.PrimaryPhoneNumber); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM subscriber_add_ons WHERE subscriber_id = ?`, s.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM subscribers WHERE id = ?`, s.ID); err != nil {
			return err
		}
		if err := tx.emitEvent(ctx, s.PartnerID, tenantry.EventSubscriberDeleted, tenantry.NewSubscriberEvent(s)); err != nil {
			return err
		}
		return tx.audit(ctx, s.PartnerID, a.AdminID, "subscriber.delete", "subscriber", s.ID, subscriberAudit(s))
	})
}

// PrecheckSubscriber runs the checks of CreateSubscriber and writes nothing.
func (db *DB) PrecheckSubscriber(ctx context.Context, a *tenantry.Actor, in *tenantry.SubscriberInput) error {
	if !a.CanWrite() {
		return suspended()
	}
	if err := tenantry.Invalid(in.Validate(tenantry.ModePrecheck)); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	// The customer (or the template of one to be created) must be the
	// caller's before anything is looked up about the user: answering
	// "email taken" for another partner's customer told that partner whom
	// its competitor serves.
	var c *tenantry.Customer
	if in.CustomerID == "" {
		// A customer to be created: its template must be the partner's (T1).
		if _, err := tx.templateByProvisioningID(ctx, a, in.ProvisioningID); err != nil {
			return err
		}
	} else if c, err = tx.subscriberCustomer(ctx, a, in.CustomerID, false); err != nil {
		return err
	}
	// An address belongs to one user across the installation (U3), so
	// this answer is the same whoever holds it, as on create.
	email := tenantry.NormalizeEmail(in.Email)
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM subscribers WHERE email = ?`, email).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return emailTaken(email)
	}
	if c == nil {
		return nil
	}
	if !c.Status.AcceptsSubscribers() {
		return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldSubscriberCustomer, tenantry.ReasonCustomerNotReady, "status", string(c.Status))
	}
	if in.HasPackages() {
		usage, err := tx.subscriberUsage(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, p := range in.Earlier {
			usage[p]++
		}
		if err := tenantry.CheckSubscriberPackages(c, in.Requested(), usage, nil); err != nil {
			return err
		}
	}
	if err := tx.checkLocation(ctx, c.ID, in.LocationID); err != nil {
		return err
	}
	if in.PrimaryPhoneNumber != "" {
		if err := tx.numberProblem(ctx, c.ID, in.LocationID, in.PrimaryPhoneNumber); err != nil {
			return err
		}
	}
	return tx.extensionFree(ctx, c.ID, in.Extension, "")
}

// ResendConsent records another consent request for a pending user (U3).
func (db *DB) ResendConsent(ctx context.Context, a *tenantry.Actor, id string) error {
	if !a.CanWrite() {
		return suspended()
	}
	return db.inTx(ctx, func(tx *Tx) error {
		s, c, err := tx.lockSubscriber(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if s.Status != tenantry.SubscriberPendingUserMigration {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending, "status", string(s.Status))
		}
		now := tx.db.now().UTC().UnixMicro()
		if _, err := tx.exec(ctx, `UPDATE subscribers SET consent_requests = consent_requests + 1, consent_sent = ? WHERE id = ?`, now, s.ID); err != nil {
			return err
		}
		if err := tx.queueConsentMail(ctx, c, s, s.ConsentRequests+1); err != nil {
			return err
		}
		if err := tx.audit(ctx, s.PartnerID, a.AdminID, "subscriber.consent_requested", "subscriber", s.ID, map[string]any{"email": s.Email, "requests": s.ConsentRequests + 1}); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, s)
	})
}

// AcceptConsent records that the owner of a pending user's address agreed
// to move its account (U3): the address is no longer a free account's, and
// the user is provisioned. It is what the consent email's link calls (in a
// later change); it is no partner's API, so it takes no actor. ENOTFOUND,
// ECONFLICT (ReasonSubscriberNotPending).
func (db *DB) AcceptConsent(ctx context.Context, subscriberID string) (*tenantry.Subscriber, error) {
	var s *tenantry.Subscriber
	err := db.inTx(ctx, func(tx *Tx) error {
		var c *tenantry.Customer
		var err error
		if s, c, err = tx.lockSubscriber(ctx, "", subscriberID); err != nil {
			return err
		}
		return tx.acceptConsent(ctx, c, s)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// acceptConsent provisions the pending user s of the locked customer c, as
// AcceptConsent describes; the consent link (consent.go) calls it too.
func (t *Tx) acceptConsent(ctx context.Context, c *tenantry.Customer, s *tenantry.Subscriber) error {
	if s.Status != tenantry.SubscriberPendingUserMigration {
		return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending, "status", string(s.Status))
	}
	now := t.db.now().UTC()
	s.Status, s.PersonID, s.LastStatusChange, s.Updated = tenantry.SubscriberProvisioned, newID("PEOPLE"), now, now
	if _, err := t.exec(ctx, `UPDATE subscribers SET status = ?, person_id = ?, last_status_change = ?, updated = ? WHERE id = ?`,
		s.Status, s.PersonID, now.UnixMicro(), now.UnixMicro(), s.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM free_accounts WHERE email = ?`, s.Email); err != nil {
		return err
	}
	if err := t.queueSubscriberMail(ctx, c, s); err != nil {
		return err
	}
	if err := t.emitEvent(ctx, s.PartnerID, tenantry.EventSubscriberUpdated, tenantry.NewSubscriberEvent(s)); err != nil {
		return err
	}
	return t.audit(ctx, s.PartnerID, "subscriber", "subscriber.consent_accepted", "subscriber", s.ID, map[string]any{"email": s.Email})
}

// AddFreeAccount records that email belongs to a free (self-signed-up)
// account outside any customer: a user created with it waits for its
// owner's consent (U3). Adding an address twice is not an error.
func (db *DB) AddFreeAccount(ctx context.Context, email string) error {
	if !tenantry.ValidEmail(email) {
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldSubscriberEmail, tenantry.ReasonInvalidEmail)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO free_accounts (email, created) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			tenantry.NormalizeEmail(email), tx.db.now().UnixMicro())
		return err
	})
}

var _ tenantry.SubscriberService = (*DB)(nil)
