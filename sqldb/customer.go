package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// storedPackage is how a customer's package is kept in its row's JSON.
type storedPackage struct {
	Name       tenantry.Package       `json:"name"`
	Status     tenantry.PackageStatus `json:"status"`
	Quantity   int                    `json:"quantity,omitempty"`
	Errors     []tenantry.Notice      `json:"errors,omitempty"`
	Warnings   []tenantry.Notice      `json:"warnings,omitempty"`
	LicenseIDs []string               `json:"licenseIds,omitempty"`
}

const customerCols = `id, partner_id, org_id, external_id, name, primary_email, language, template_id, address, region, status,
	packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors, version, created, updated`

// customerListCols are customerCols as a list reads them: without the
// calling location, which no list shows; decoding its JSON was 18% of the
// allocations of a page of 100 (BenchmarkCustomerList).
var customerListCols = strings.Replace(customerCols, "calling,", "'null',", 1)

// customerBriefCols are customerListCols as a brief list reads them
// (CustomerFilter.Brief): without the address, packages and errors either,
// whose JSON was most of what reading a page of the hub's list cost in Go.
var customerBriefCols = strings.NewReplacer("address,", "'null',", "packages,", "'null',", "errors,", "'[]',").Replace(customerListCols)

func scanCustomer(row interface{ Scan(...any) error }) (*tenantry.Customer, error) {
	return new(customerScanner).scan(row)
}

// customerScan returns where the columns of customerCols are read into and
// what completes c once they are.
func customerScan(c *tenantry.Customer) ([]any, func() error) {
	s := new(customerScanner)
	return s.dest(c), func() error { return s.finish(c) }
}

// customerScanner reads rows of customerCols. A list reads all its rows
// with one: a page of 100 made a closure and the columns' destinations of
// its own for every row, a tenth of its allocations.
type customerScanner struct {
	address, packages, calling, errs string
	quantities, e911                 int
	created, updated                 int64
	dst                              []any
}

// scan reads one row into a new customer.
func (s *customerScanner) scan(row interface{ Scan(...any) error }) (*tenantry.Customer, error) {
	c := new(tenantry.Customer)
	if err := row.Scan(s.dest(c)...); err != nil {
		return nil, mapError(err)
	}
	return c, s.finish(c)
}

// dest are where a row's columns are read into: c's own fields, and the
// scanner's for the columns finish decodes.
func (s *customerScanner) dest(c *tenantry.Customer) []any {
	if s.dst == nil {
		s.dst = make([]any, 21)
	}
	d := s.dst
	d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = &c.ID, &c.PartnerID, &c.OrgID, &c.ExternalID, &c.Name, &c.PrimaryEmail, &c.Language, &c.TemplateID
	d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15] = &s.address, &c.Region, &c.Status, &s.packages, &s.quantities, &s.calling, &c.MeetingsTimeZone, &c.SubPartnerAdminEmail
	d[16], d[17], d[18], d[19], d[20] = &s.e911, &s.errs, &c.Version, &s.created, &s.updated
	return d
}

// finish decodes what dest read into c.
func (s *customerScanner) finish(c *tenantry.Customer) error {
	var sp []storedPackage
	errs := s.errs
	if errs == "[]" {
		errs = "" // what a nil slice already is
	}
	if s.address != "null" {
		if err := decodeAddress(s.address, &c.Address); err != nil {
			return err
		}
	}
	if s.packages != "null" {
		if err := decodePackages(s.packages, &sp); err != nil {
			return err
		}
	}
	if err := unmarshalAll([]string{s.calling, errs}, &c.Calling, &c.Errors); err != nil {
		return err
	}
	c.Packages = make([]tenantry.CustomerPackage, len(sp))
	for i, p := range sp {
		c.Packages[i] = tenantry.CustomerPackage(p)
	}
	c.Quantities, c.E911Enabled = s.quantities == 1, s.e911 == 1
	c.Created, c.Updated = fromMicro(s.created), fromMicro(s.updated)
	return nil
}

func unmarshalAll(docs []string, dst ...any) error {
	for i, d := range docs {
		if d == "" || d == "null" {
			continue
		}
		if err := json.Unmarshal([]byte(d), dst[i]); err != nil {
			return err
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own plain structs are marshalled
	}
	return string(b)
}

func packagesJSON(c *tenantry.Customer) string {
	sp := make([]storedPackage, len(c.Packages))
	for i, p := range c.Packages {
		sp[i] = storedPackage(p)
	}
	return mustJSON(sp)
}

func errorsJSON(ns []tenantry.Notice) string {
	if len(ns) == 0 {
		return "[]"
	}
	return mustJSON(ns)
}

func notFound(resource string) error {
	return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", resource)
}

func suspended() error {
	return tenantry.FieldError(tenantry.EFORBIDDEN, "onBehalfOfSubPartnerOrgId", tenantry.ReasonSubPartnerSuspended)
}

// maxQuantity is the partner's allowed maximum per package (rule Q4), from
// the subscription of the template.
func (t *Tx) maxQuantity(ctx context.Context, tpl *tenantry.Template) (int, error) {
	var max int
	err := t.queryRow(ctx, `SELECT max_quantity FROM subscriptions WHERE id = ?`, tpl.SubscriptionID).Scan(&max)
	return max, mapError(err)
}

// usage counts, per package, the users of a customer that hold it.
func (t *Tx) usage(ctx context.Context, customerID string) (map[tenantry.Package]int, error) {
	out, err := t.subscriberUsage(ctx, customerID) // users' packages and add-ons
	if err != nil {
		return nil, err
	}
	// Customer admins hold a package too: an update may not take it away (C5).
	rows, err := t.query(ctx, `SELECT package, COUNT(*) FROM customer_admins WHERE customer_id = ? AND package <> '' GROUP BY package`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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

func externalIDTaken(v string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldExternalID, tenantry.ReasonExternalIDTaken, "value", v)
}

// checkCreate runs every check of a creation that needs the database, and
// returns the template and the quantity plan.
func (t *Tx) checkCreate(ctx context.Context, a *tenantry.Actor, in *tenantry.CustomerInput, mode tenantry.Mode) (*tenantry.Template, tenantry.QuantityPlan, error) {
	var plan tenantry.QuantityPlan
	var tpl *tenantry.Template
	if in.ProvisioningID != "" || mode == tenantry.ModeCreate {
		var err error
		if tpl, err = t.templateByProvisioningID(ctx, a, in.ProvisioningID); err != nil {
			return nil, plan, err
		}
	}
	if in.ExternalID != "" && mode == tenantry.ModePrecheck {
		// On create the unique index answers the same question in the insert.
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE partner_id = ? AND external_id = ?`, a.OrgID, in.ExternalID).Scan(&n); err != nil {
			return nil, plan, err
		}
		if n > 0 {
			return nil, plan, externalIDTaken(in.ExternalID)
		}
	}
	if in.OrgID != "" {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE org_id = ? AND org_id <> ''`, in.OrgID).Scan(&n); err != nil {
			return nil, plan, err
		}
		if n > 0 {
			return nil, plan, tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldOrgID, tenantry.ReasonOrgAttachConflict)
		}
	}
	max := 0
	if tpl != nil && len(in.Limits) > 0 {
		var err error
		if max, err = t.maxQuantity(ctx, tpl); err != nil {
			return nil, plan, err
		}
	}
	var legacy []tenantry.Package
	if len(in.Limits) > 0 {
		// An attached organization brings its legacy packages (Q8).
		var err error
		if legacy, err = t.legacyPackages(ctx, in.OrgID); err != nil {
			return nil, plan, err
		}
	}
	plan, ps := tenantry.CheckQuantities(nil, legacy, packageList(in.Packages), in.Limits, nil, max)
	return tpl, plan, tenantry.Invalid(ps)
}

func packageList(raw []string) []tenantry.Package {
	out := make([]tenantry.Package, len(raw))
	for i, r := range raw {
		out[i] = tenantry.Package(r)
	}
	return out
}

// CreateCustomer accepts a customer for provisioning.
func (db *DB) CreateCustomer(ctx context.Context, a *tenantry.Actor, in *tenantry.CustomerInput) (*tenantry.Customer, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	if err := tenantry.Invalid(in.Validate(tenantry.ModeCreate)); err != nil {
		return nil, err
	}
	now := db.now().UTC()
	c := &tenantry.Customer{
		ID: newID("CUSTOMER"), PartnerID: a.OrgID, OrgID: in.OrgID, ExternalID: in.ExternalID, Address: *in.Address,
		Region: tenantry.RegionFor(in.Address.Country), Status: tenantry.StatusProvisioning, Calling: in.Calling,
		MeetingsTimeZone: in.MeetingsTimeZone, SubPartnerAdminEmail: in.SubPartnerAdminEmail, Version: 1, Created: now, Updated: now,
	}
	if in.Info != nil {
		c.Name, c.PrimaryEmail, c.Language = in.Info.Name, in.Info.PrimaryEmail, in.Info.Language
	}
	err := db.inGroupedTx(ctx, true, func(tx *Tx) error {
		tpl, plan, err := tx.checkCreate(ctx, a, in, tenantry.ModeCreate)
		if err != nil {
			return err
		}
		c.TemplateID = tpl.ID
		if c.Language == "" {
			c.Language = tpl.EmailLanguage
		}
		c.Quantities = plan.Enabled
		c.Packages = nil // a deadlock victim runs again (batch.go)
		for _, p := range in.Packages {
			c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: tenantry.Package(p), Status: tenantry.PackageProvisioning, Quantity: plan.Quantities[tenantry.Package(p)]})
		}
		insertError := func(err error) error {
			switch {
			case isConflict(err, "external_id"):
				return externalIDTaken(c.ExternalID)
			case isForeignKey(err):
				// The template was deleted while this request ran.
				return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldProvisioningID, tenantry.ReasonTemplateNotFound)
			}
			return err
		}
		err = tx.write(ctx, insertError, `INSERT INTO customers (`+customerCols+`, country, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.PartnerID, c.OrgID, c.ExternalID, c.Name, c.PrimaryEmail, c.Language, c.TemplateID, mustJSON(c.Address),
			c.Region, c.Status, packagesJSON(c), boolInt(c.Quantities), mustJSON(c.Calling), c.MeetingsTimeZone,
			c.SubPartnerAdminEmail, 0, "[]", c.Version, now.UnixMicro(), now.UnixMicro(), c.Address.Country, foldName(c.Name))
		if err != nil {
			return err
		}
		if err := tx.attachOrg(ctx, c); err != nil { // rule C7: may wait for the admin's approval
			return err
		}
		if in.LocationConfirmedBy != "" {
			if err := tx.write(ctx, nil, `INSERT INTO customer_location_confirmations (customer_id, admin_id, confirmed) VALUES (?, ?, ?)`,
				c.ID, in.LocationConfirmedBy, now.UnixMicro()); err != nil {
				return err
			}
		}
		tx.enqueue(tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version})
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "customer.create", "customer", c.ID, in); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// PrecheckCustomer runs the checks of CreateCustomer and writes nothing.
func (db *DB) PrecheckCustomer(ctx context.Context, a *tenantry.Actor, in *tenantry.CustomerInput) error {
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
	_, _, err = tx.checkCreate(ctx, a, in, tenantry.ModePrecheck)
	return err
}

// Customer returns one of the actor's customers.
func (db *DB) Customer(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("customer")
	}
	return c, err
}

// Customers lists the actor's customers, oldest first. The total is exact
// up to tenantry.CustomerCountBound (CustomerSearchCountBound with a
// search, f.CountBound when set) and on the last page; beyond the bound
// it is a lower bound greater than the page's end (so a next page is known
// to exist), and a count never reads more than the bound's rows. With
// f.SkipTotal nothing is counted: the total is then exact on the last page
// and otherwise only one more than the page's end.
//
// Every filter reads the partner's rows in list order from an index
// (customers_list, or customers_status_list for one status but provisioned) and stops after
// the page: the page's ids come from the index alone and only the page's
// rows are read whole. A search that is exactly an external id or admin
// email reads those customers from their own indexes instead.
func (db *DB) Customers(ctx context.Context, a *tenantry.Actor, f tenantry.CustomerFilter) ([]*tenantry.Customer, int, error) {
	if err := tenantry.Invalid(f.Validate()); err != nil {
		return nil, 0, err
	}
	return db.customers(ctx, a, f, true)
}

// customers is Customers; withAnchors lets a deep page start from the
// list's anchors (customer_anchor.go).
func (db *DB) customers(ctx context.Context, a *tenantry.Actor, f tenantry.CustomerFilter, withAnchors bool) ([]*tenantry.Customer, int, error) {
	page, count, anchor, err := db.customerListStatements(ctx, a.OrgID, f, withAnchors)
	if err != nil {
		return nil, 0, err
	}
	// A list's count runs beside its page; a search's only after it, when
	// the page is full: counting matches repeats the search's work, which
	// would be wasted on the short page most searches have.
	var counted func() (int, error)
	if count != nil && strings.TrimSpace(f.Search) == "" {
		counted = db.countAside(ctx, count)
	}
	rows, err := db.queryStatement(ctx, page)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*tenantry.Customer, 0, min(f.Max+1, 128))
	var scan customerScanner
	for rows.Next() {
		c, err := scan.scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if len(out) == 0 && anchor != nil {
		// Past the list's end, or the list changed since the anchor was
		// learnt: then it is read from its start.
		epoch, err := db.listEpoch(ctx)
		if err != nil {
			return nil, 0, err
		}
		if epoch != anchor.epoch {
			db.forgetAnchors(a.OrgID)
			return db.customers(ctx, a, f, false)
		}
	}
	// One more customer than the page tells whether a next page exists;
	// on the last page the total is known without counting.
	total := f.Offset + len(out)
	if len(out) > f.Max || (len(out) == 0 && f.Offset > 0) {
		out = out[:min(len(out), f.Max)]
		if count != nil {
			if counted == nil {
				counted = func() (int, error) { return db.count(ctx, count) }
			}
			n, err := counted()
			if err != nil {
				return nil, 0, err
			}
			total = max(n, total)
		}
	}
	if len(out) == 0 {
		return nil, total, nil
	}
	return out, total, nil
}

// customerPageSQL reads a page of the customers of cond, in list order;
// its last two arguments are the limit and the offset. The page's ids come
// from an index alone (customers_list, or customers_status_list for one
// status but provisioned), skipping the offset's rows there, and only the
// page's rows are read whole: one statement, one round trip.
func customerPageSQL(cond string, brief bool) string {
	cols := customerListCols
	if brief {
		cols = customerBriefCols
	}
	return `SELECT ` + cols + ` FROM customers WHERE id IN (SELECT id FROM customers WHERE ` + cond +
		` ORDER BY created, id LIMIT ? OFFSET ?) ORDER BY created, id`
}

// CustomerListSQL is the statement Customers reads a page of f's customers
// of a partner with (CustomerListStatements' page).
func (db *DB) CustomerListSQL(ctx context.Context, partnerID string, f tenantry.CustomerFilter) (string, []any, error) {
	page, _, err := db.CustomerListStatements(ctx, partnerID, f)
	return page.SQL, page.Args, err
}

// CustomerListStatements does what Customers does before it reads (a
// search's look-ups of exact ids and emails and of the trigram index) and
// returns the statements it then runs, in the engine's dialect: the page
// (one customer more than f.Max) and, when f.SkipTotal is not set, the
// count it runs when there is a next page. Benchmarks time it as the bare
// SQL of a page.
func (db *DB) CustomerListStatements(ctx context.Context, partnerID string, f tenantry.CustomerFilter) (page Statement, count *Statement, err error) {
	page, count, _, err = db.customerListStatements(ctx, partnerID, f, true)
	if err != nil {
		return Statement{}, nil, err
	}
	page.SQL = db.rebind(page.SQL) // InOrder stays
	if count != nil {
		count = &Statement{SQL: db.rebind(count.SQL), Args: count.Args, InOrder: count.InOrder}
	}
	return page, count, nil
}

// customerListStatements is CustomerListStatements with ? placeholders,
// as db.query takes them; a page started from an anchor of the list
// (withAnchors) comes with its anchor.
func (db *DB) customerListStatements(ctx context.Context, partnerID string, f tenantry.CustomerFilter, withAnchors bool) (page Statement, count *Statement, anchor *listAnchor, err error) {
	cond, args, inOrder, err := db.customerListCond(ctx, partnerID, f)
	if err != nil {
		return Statement{}, nil, nil, err
	}
	page = Statement{SQL: customerPageSQL(cond, f.Brief), Args: append(slices.Clone(args), f.Max+1, f.Offset), InOrder: inOrder, sorts: true}
	if withAnchors && anchored(f) {
		a, ok, err := db.listAnchorFor(ctx, partnerID, f.Offset)
		if err != nil {
			return Statement{}, nil, nil, err
		}
		if ok {
			page = Statement{SQL: anchoredPageSQL(f.Brief), Args: []any{partnerID, a.key.created, a.key.id, a.epoch, f.Max + 1, f.Offset - a.offset}}
			anchor = &a
		}
	}
	if !f.SkipTotal {
		count = &Statement{SQL: customerCountSQL(cond, customerCountBound(f)), Args: args, InOrder: inOrder}
	}
	return page, count, anchor, nil
}

// customerCountBound is the most customers a list of f counts.
func customerCountBound(f tenantry.CustomerFilter) int {
	switch {
	case f.CountBound > 0:
		return f.CountBound
	case strings.TrimSpace(f.Search) != "":
		return tenantry.CustomerSearchCountBound
	}
	return tenantry.CustomerCountBound
}

// customerCountSQL counts the customers of cond in list order, up to one
// past bound, with the bound written out: PostgreSQL's generic plan of a
// prepared count with neither chose a full scan of the table for a rare
// status (650 ms on 100,000 customers).
func customerCountSQL(cond string, bound int) string {
	return `SELECT COUNT(*) FROM (SELECT 1 FROM customers WHERE ` + cond + ` ORDER BY created, id LIMIT ` + strconv.Itoa(bound+1) + `) AS t`
}

// exactSearch is the condition of the customers whose external id or admin
// email is the (lower-cased) search text: on PostgreSQL
// customers_external_id_folded and customers_email_folded serve it; on
// SQLite the rows are found first (exactMatches).
var exactSearch = exactCond("")

// exactMatches finds, on SQLite, the rowids of the partner's customers
// whose external id or admin email is lq: from customers_keys and among
// the rows still pending for it (migration 0031), each compared as it is
// now. It returns how many there are and, when there are few enough, the
// rowids as a JSON array.
func (db *DB) exactMatches(ctx context.Context, partnerID, lq string) (int, string, error) {
	var n int
	var keys sql.NullString
	few := strconv.Itoa(trigramLimit)
	err := db.queryRow(ctx, `SELECT COUNT(*), CASE WHEN COUNT(*) <= `+few+` THEN json_group_array(rowid) END FROM (
		SELECT c.rowid FROM customers_keys k CROSS JOIN customers c ON c.rowid = k.customer
			WHERE k.key = ? AND c.partner_id = ? AND `+exactCond("c.")+`
		UNION SELECT c.rowid FROM customers_trgm_pending p CROSS JOIN customers c ON c.rowid = p.rowid
			WHERE c.partner_id = ? AND `+exactCond("c.")+`)`,
		partnerID+" "+lq, partnerID, lq, lq, partnerID, lq, lq).Scan(&n, &keys)
	return n, keys.String, err
}

// exactCond is exactSearch on the columns of alias ("" or "c.").
func exactCond(alias string) string {
	return `(LOWER(` + alias + `external_id) = ? OR LOWER(` + alias + `primary_email) = ?)`
}

// customerListCond is the WHERE clause of a customer list and its
// arguments. A search that is exactly some customer's external id or admin
// email (ignoring case) lists those customers: an identifier names what
// the admin looks for, and it spares reading every name for a text no name
// contains. Any other search looks for the text in company names: from
// the trigram index of names when few names contain it (trigram.go).
func (db *DB) customerListCond(ctx context.Context, partnerID string, f tenantry.CustomerFilter) (cond string, args []any, inOrder bool, err error) {
	where := []string{"partner_id = ?"}
	args = []any{partnerID}
	if f.ExternalID != "" {
		where, args = append(where, "external_id = ?"), append(args, f.ExternalID)
	}
	if f.OrgID != "" {
		where, args = append(where, "org_id = ?"), append(args, f.OrgID)
	}
	switch len(f.Statuses) {
	case 0:
	case 1:
		// "status = ?" (not IN) lets both engines read customers_status_list
		// in list order; the index holds no provisioned customer, and an
		// engine uses it only when the query repeats its condition.
		where, args = append(where, "status = ?"), append(args, string(f.Statuses[0]))
		if f.Statuses[0] != tenantry.StatusProvisioned {
			where = append(where, "status <> 'provisioned'")
		}
	default:
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.Statuses)), ", ")
		where = append(where, "status IN ("+marks+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		lq := strings.ToLower(q)
		var n int
		var rowids string
		if db.engine == SQLite {
			n, rowids, err = db.exactMatches(ctx, partnerID, lq)
		} else {
			// Each branch is one probe of its index.
			err = db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM customers WHERE partner_id = ? AND LOWER(external_id) = ?
			UNION ALL SELECT 1 FROM customers WHERE partner_id = ? AND LOWER(primary_email) = ? LIMIT 1) AS t`, partnerID, lq, partnerID, lq).Scan(&n)
		}
		if err != nil {
			return "", nil, false, err
		}
		if n > 0 {
			if rowids != "" {
				// As with the trigram rows below: only these rows are read.
				where[0] = "+partner_id = ?"
				where, args = append(where, "rowid IN (SELECT value FROM json_each(?))"), append(args, rowids)
			}
			where, args = append(where, exactSearch), append(args, lq, lq)
		} else {
			// name_folded is the name folded in Go, so a search in any
			// script compares like with like. A text few names contain is
			// looked up in the trigram index, and only its customers are
			// read (trigram.go).
			folded := foldName(q)
			m, err := db.trigramMatches(ctx, customerNames, folded)
			if err != nil {
				return "", nil, false, err
			}
			inOrder = m != nil && m.many // the list in order (trigram.go)
			if m != nil && !m.many {
				if m.sqlite {
					// The indexes a list's other conditions could use all
					// start with the partner: "+" keeps SQLite, which has no
					// statistics to weigh them, from reading all the
					// partner's rows in one of them instead.
					where[0] = "+partner_id = ?"
				}
				where, args = append(where, m.cond("")), append(args, m.keys)
			}
			where, args = append(where, `name_folded LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(folded)+"%")
		}
	}
	return strings.Join(where, " AND "), args, inOrder, nil
}

// scanStrings reads a query of one text column, and closes it.
func scanStrings(rows rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// foldName is a company name as the search compares it: lower-cased by Go's
// Unicode tables, the same on both engines ("ÅSA" and "åsa" alike; scripts
// without case unchanged).
func foldName(s string) string {
	return strings.ToLower(s)
}

// likeEscaper escapes LIKE's wildcards (and its escape character).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeEscape escapes LIKE's wildcards (and its escape character) in s.
func likeEscape(s string) string { return likeEscaper.Replace(s) }

// foldNames fills in name_folded for customers written before the column
// existed.
func (db *DB) foldNames(ctx context.Context) error {
	return db.fillFolded(ctx, `SELECT id, name FROM customers WHERE name_folded IS NULL LIMIT 1000`, 2,
		`UPDATE customers SET name_folded = ? WHERE id = ?`, func(c []string) string { return foldName(c[0]) })
}

// fillFolded fills in a folded search column for rows written before it
// existed, in Go, since SQL's LOWER folds only ASCII on SQLite: sel reads
// the id and the n-1 columns fold needs of up to a batch of unfilled rows,
// update sets the column of one id. Open runs it before any request or job.
func (db *DB) fillFolded(ctx context.Context, sel string, n int, update string, fold func(cols []string) string) error {
	for {
		rows, err := db.query(ctx, sel)
		if err != nil {
			return err
		}
		var ids, folded []string
		for rows.Next() {
			vals := make([]string, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			ids, folded = append(ids, vals[0]), append(folded, fold(vals[1:]))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, db.rebind(update), folded[i], id); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}

// lockCustomer reads a customer of the actor for change.
func (t *Tx) lockCustomer(ctx context.Context, orgID, id string) (*tenantry.Customer, error) {
	q := `SELECT ` + customerCols + ` FROM customers WHERE id = ?`
	args := []any{id}
	if orgID != "" {
		q += ` AND partner_id = ?`
		args = append(args, orgID)
	}
	c, err := scanCustomer(t.queryRow(ctx, q+t.db.forUpdate(), args...))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("customer")
	}
	return c, err
}

// save writes back every mutable column of a customer.
func (t *Tx) save(ctx context.Context, c *tenantry.Customer) error {
	c.Updated = t.db.now().UTC()
	return t.write(ctx, saveError(c), `UPDATE customers SET org_id = ?, external_id = ?, name = ?, primary_email = ?, language = ?, address = ?, country = ?,
		region = ?, status = ?, packages = ?, quantities = ?, calling = ?, meetings_tz = ?, sub_partner_admin_email = ?, e911 = ?,
		errors = ?, version = ?, updated = ?, name_folded = ? WHERE id = ?`,
		c.OrgID, c.ExternalID, c.Name, c.PrimaryEmail, c.Language, mustJSON(c.Address), c.Address.Country, c.Region, c.Status,
		packagesJSON(c), boolInt(c.Quantities), mustJSON(c.Calling), c.MeetingsTimeZone, c.SubPartnerAdminEmail,
		boolInt(c.E911Enabled), errorsJSON(c.Errors), c.Version, c.Updated.UnixMicro(), foldName(c.Name), c.ID)
}

// saveError names the field of a save's unique violation.
func saveError(c *tenantry.Customer) func(error) error {
	return func(err error) error {
		if isConflict(err, "external_id") {
			return externalIDTaken(c.ExternalID)
		}
		return err
	}
}

// UpdateCustomer accepts an update: the package set is replaced (rule C5)
// and the update job enqueued.
func (db *DB) UpdateCustomer(ctx context.Context, a *tenantry.Actor, id string, in *tenantry.CustomerInput) (*tenantry.Customer, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	// The customer is read first so that a missing one is a 404 before any
	// validation problem of the body.
	var c *tenantry.Customer
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if c, err = tx.lockCustomer(ctx, a.OrgID, id); err != nil {
			return err
		}
		if err := tenantry.Invalid(in.Validate(tenantry.ModeUpdate)); err != nil {
			return err
		}
		if !c.Status.Settled() {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonCustomerBusy, "status", string(c.Status))
		}
		before := *c
		pkgs := packageList(in.Packages)
		usage, err := tx.usage(ctx, c.ID)
		if err != nil {
			return err
		}
		tpl, err := scanTemplate(tx.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE id = ?`, c.TemplateID))
		if err != nil {
			return err
		}
		max, err := tx.maxQuantity(ctx, tpl)
		if err != nil {
			return err
		}
		ps := tenantry.CheckRemovals(c, pkgs, usage)
		ps = append(ps, tenantry.CheckCallingLocation(c, pkgs, in.Calling)...)
		var legacy []tenantry.Package
		if len(in.Limits) > 0 {
			if legacy, err = tx.legacyPackages(ctx, c.OrgID); err != nil {
				return err
			}
		}
		plan, qps := tenantry.CheckQuantities(c, legacy, pkgs, in.Limits, usage, max)
		if err := tenantry.Invalid(append(ps, qps...)); err != nil {
			return err
		}
		if tenantry.GainsCallingLocation(c, in.Calling) {
			if err := tx.callingHeadquarters(ctx, c, in.Calling); err != nil {
				return err
			}
		}
		applyUpdate(c, in, pkgs, plan)
		if err := tx.save(ctx, c); err != nil {
			return err
		}
		tx.enqueue(tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: c.Version})
		return tx.audit(ctx, a.OrgID, a.AdminID, "customer.update", "customer", c.ID, map[string]any{"before": customerAudit(&before), "request": in})
	})
	return c, err
}

// applyUpdate changes c as an accepted update asks: fields given replace
// the old ones, new packages start provisioning, left-out ones are deleting.
func applyUpdate(c *tenantry.Customer, in *tenantry.CustomerInput, pkgs []tenantry.Package, plan tenantry.QuantityPlan) {
	if in.ExternalID != "" {
		c.ExternalID = in.ExternalID
	}
	if in.Address != nil {
		c.Address = *in.Address
		c.Region = tenantry.RegionFor(c.Address.Country)
	}
	if in.Info != nil {
		if in.Info.Name != "" {
			c.Name = in.Info.Name
		}
		if in.Info.PrimaryEmail != "" {
			c.PrimaryEmail = in.Info.PrimaryEmail
		}
		if in.Info.Language != "" {
			c.Language = in.Info.Language
		}
	}
	if in.Calling != nil {
		c.Calling = in.Calling
	}
	if in.MeetingsTimeZone != "" {
		c.MeetingsTimeZone = in.MeetingsTimeZone
	}
	if in.SubPartnerAdminEmail != "" {
		c.SubPartnerAdminEmail = in.SubPartnerAdminEmail
	}
	for i := range c.Packages {
		p := &c.Packages[i]
		if !slices.Contains(pkgs, p.Name) {
			p.Status = tenantry.PackageDeleting
		} else if q, ok := plan.Quantities[p.Name]; ok {
			p.Quantity = q
		}
	}
	for _, p := range pkgs {
		if c.Package(p) == nil {
			c.Packages = append(c.Packages, tenantry.CustomerPackage{Name: p, Status: tenantry.PackageProvisioning, Quantity: plan.Quantities[p]})
		}
	}
	c.Status = tenantry.StatusUpdating
	c.Errors = nil
	c.Version++
}

// customerAudit is the part of a customer recorded in the audit log.
func customerAudit(c *tenantry.Customer) map[string]any {
	return map[string]any{"status": c.Status, "externalId": c.ExternalID, "packages": c.PackageNames(), "address": c.Address, "version": c.Version}
}

// DeleteCustomer marks a customer deleting and enqueues its removal. A
// suspended sub-partner may still delete.
func (db *DB) DeleteCustomer(ctx context.Context, a *tenantry.Actor, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if c.Status == tenantry.StatusDeleting {
			return nil // already on its way out; deleting twice is the same request
		}
		c.Status = tenantry.StatusDeleting
		for i := range c.Packages {
			c.Packages[i].Status = tenantry.PackageDeleting
		}
		c.Version++
		if err := tx.save(ctx, c); err != nil {
			return err
		}
		tx.enqueue(tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: c.Version})
		return tx.audit(ctx, a.OrgID, a.AdminID, "customer.delete", "customer", c.ID, customerAudit(c))
	})
}

var _ tenantry.CustomerService = (*DB)(nil)
