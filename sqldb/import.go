package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/tenantry/tenantry"
)

// Imports of users. The rows of the file are stored with the import, in the
// transaction that enqueues its job; the job then works them in chunks of
// tenantry.ImportChunk rows, one transaction each: the chunk's users (through
// insertSubscriber, as the API creates them), its row errors and the
// import's progress (done) commit together, so a job cut off by a crash
// resumes after the last chunk that committed and no row is worked twice.
// Each row runs under a savepoint: a row refused half way leaves nothing.

const importCols = `id, partner_id, customer_id, status, dry_run, total, done, created_count, created, updated`

func scanImport(row interface{ Scan(...any) error }) (*tenantry.Import, error) {
	var im tenantry.Import
	var dry int
	var created, updated int64
	if err := row.Scan(&im.ID, &im.PartnerID, &im.CustomerID, &im.Status, &dry, &im.Total, &im.Done, &im.Created, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	im.DryRun, im.Started, im.Updated = dry == 1, fromMicro(created), fromMicro(updated)
	return &im, nil
}

// CreateImport stores an import and its rows and enqueues its job.
func (db *DB) CreateImport(ctx context.Context, a *tenantry.Actor, in *tenantry.ImportInput) (*tenantry.Import, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	if len(in.Rows) == 0 {
		return nil, tenantry.FieldError(tenantry.EINVALID, "file", tenantry.ReasonImportNoRows)
	}
	now := db.now().UTC()
	im := &tenantry.Import{
		ID: newID("IMPORT"), PartnerID: a.OrgID, CustomerID: in.CustomerID, Status: tenantry.ImportQueued, DryRun: in.DryRun,
		Total: len(in.Rows), Started: now, Updated: now,
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE id = ? AND partner_id = ?`, in.CustomerID, a.OrgID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("customer")
		}
		if _, err := tx.exec(ctx, `INSERT INTO imports (`+importCols+`, admin_id) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
			im.ID, im.PartnerID, im.CustomerID, im.Status, boolInt(im.DryRun), im.Total, now.UnixMicro(), now.UnixMicro(), a.AdminID); err != nil {
			return err
		}
		// Many rows per statement: a 10,000-row file is 20 statements.
		const batch = 500
		for start := 0; start < len(in.Rows); start += batch {
			end := min(start+batch, len(in.Rows))
			args := make([]any, 0, 3*(end-start))
			for i := start; i < end; i++ {
				b, err := json.Marshal(in.Rows[i])
				if err != nil {
					return err
				}
				args = append(args, im.ID, i, string(b))
			}
			q := `INSERT INTO import_rows (import_id, seq, data) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", end-start), ", ")
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return err
			}
		}
		tx.enqueue(tenantry.ImportUsersJob{ImportID: im.ID})
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "import.create", "import", im.ID,
			map[string]any{"customerId": im.CustomerID, "rows": im.Total, "dryRun": im.DryRun}); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, im)
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// Import returns one of the actor's imports with its row errors, in row order.
func (db *DB) Import(ctx context.Context, a *tenantry.Actor, customerID, id string) (*tenantry.Import, error) {
	im, err := scanImport(db.queryRow(ctx, `SELECT `+importCols+` FROM imports WHERE id = ? AND customer_id = ? AND partner_id = ?`, id, customerID, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("import")
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT line, field, reason, params FROM import_errors WHERE import_id = ? ORDER BY seq, n`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e tenantry.ImportError
		var params string
		if err := rows.Scan(&e.Row, &e.Field, &e.Reason, &params); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(params), &e.Params); err != nil {
			return nil, err
		}
		im.Errors = append(im.Errors, e)
	}
	return im, rows.Err()
}

// Imports lists the customer's most recent imports, newest first.
func (db *DB) Imports(ctx context.Context, a *tenantry.Actor, customerID string, max int) ([]*tenantry.Import, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE id = ? AND partner_id = ?`, customerID, a.OrgID).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, notFound("customer")
	}
	rows, err := db.query(ctx, `SELECT `+importCols+` FROM imports WHERE customer_id = ? AND partner_id = ? ORDER BY created DESC, id DESC LIMIT ?`,
		customerID, a.OrgID, max)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// RunImport works an import to its end, chunk by chunk, in one go (the
// queue's worker works it chunk by chunk with RunImportChunk instead).
func (db *DB) RunImport(ctx context.Context, job tenantry.ImportUsersJob) error {
	for {
		finished, err := db.RunImportChunk(ctx, job, tenantry.ImportChunk)
		if err != nil || finished {
			return err
		}
	}
}

// errRowRefused stops a chunk worked without savepoints at its first row
// the database refuses; the chunk is then worked again, row by row.
var errRowRefused = errors.New("sqldb: a row of the chunk was refused")

// RunImportChunk works the next size rows of an import in one transaction
// and reports whether the import is finished. RunImport calls it until it
// is; tests call it to stop half way, as a crash would.
//
// A chunk is first worked without a savepoint per row: savepoints are
// costly on both engines (SQLite writes a sub-journal, PostgreSQL slows
// down past 64 subtransactions), and most rows pass. When the database
// refuses a row, that transaction is rolled back and the chunk is worked
// again with a savepoint around each row, so that the refused rows leave
// nothing and the others are created.
func (db *DB) RunImportChunk(ctx context.Context, job tenantry.ImportUsersJob, size int) (bool, error) {
	finished, err := db.runImportChunk(ctx, job, size, false)
	if errors.Is(err, errRowRefused) {
		return db.runImportChunk(ctx, job, size, true)
	}
	return finished, err
}

func (db *DB) runImportChunk(ctx context.Context, job tenantry.ImportUsersJob, size int, careful bool) (bool, error) {
	finished := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var adminID string
		im, err := scanImport(tx.queryRow(ctx, `SELECT `+importCols+` FROM imports WHERE id = ?`+db.forUpdate(), job.ImportID))
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			finished = true // removed with its customer
			return nil
		}
		if err != nil {
			return err
		}
		if im.Status == tenantry.ImportCompleted || im.Status == tenantry.ImportFailed {
			finished = true
			return nil
		}
		if err := tx.queryRow(ctx, `SELECT admin_id FROM imports WHERE id = ?`, im.ID).Scan(&adminID); err != nil {
			return err
		}
		c, err := tx.lockCustomer(ctx, "", im.CustomerID)
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			finished = true
			return tx.finishImport(ctx, im, tenantry.ImportFailed)
		}
		if err != nil {
			return err
		}
		rows, err := tx.importRows(ctx, im.ID, im.Done, size)
		if err != nil {
			return err
		}
		locations, err := tx.locationNames(ctx, c.ID)
		if err != nil {
			return err
		}
		emails := make([]string, 0, len(rows))
		for _, r := range rows {
			if e := tenantry.NormalizeEmail(r.Email); e != "" {
				emails = append(emails, e)
			}
		}
		if err := tx.knowFreeAccounts(ctx, emails); err != nil {
			return err
		}
		usage := map[tenantry.Package]int{}
		if c.Quantities {
			if usage, err = tx.subscriberUsage(ctx, c.ID); err != nil {
				return err
			}
		}
		a := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: im.PartnerID, AdminID: adminID}, OrgID: im.PartnerID}
		if im.DryRun {
			// A dry run creates the users as a real run would, so that it
			// sees everything a real run would refuse, and takes them back.
			if err := tx.savepoint(ctx, "dry_run"); err != nil {
				return err
			}
		}
		jobs := len(tx.jobs)
		var rowErrors [][]tenantry.ImportError
		created := 0
		for _, row := range rows {
			errs, err := tx.importRow(ctx, a, c, usage, locations, row, careful)
			if err != nil {
				return err
			}
			if len(errs) == 0 {
				created++
			}
			rowErrors = append(rowErrors, errs)
		}
		if im.DryRun {
			if err := tx.rollbackTo(ctx, "dry_run"); err != nil {
				return err
			}
			if err := tx.releaseSavepoint(ctx, "dry_run"); err != nil {
				return err
			}
			tx.jobs, created = tx.jobs[:jobs], 0
		}
		for i, errs := range rowErrors {
			for n, e := range errs {
				if _, err := tx.exec(ctx, `INSERT INTO import_errors (import_id, seq, n, line, field, reason, params) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					im.ID, im.Done+i, n, e.Row, e.Field, e.Reason, mustJSON(nonNilParams(e.Params))); err != nil {
					return err
				}
			}
		}
		im.Done += len(rows)
		im.Created += created
		status := tenantry.ImportRunning
		if im.Done >= im.Total {
			status = tenantry.ImportCompleted
		}
		im.Status = status
		if _, err := tx.exec(ctx, `UPDATE imports SET status = ?, done = ?, created_count = ?, updated = ? WHERE id = ?`,
			im.Status, im.Done, im.Created, db.now().UnixMicro(), im.ID); err != nil {
			return err
		}
		if status == tenantry.ImportCompleted {
			finished = true
			return tx.finishImport(ctx, im, status)
		}
		return nil
	})
	return finished, err
}

func nonNilParams(p map[string]string) map[string]string {
	if p == nil {
		return map[string]string{}
	}
	return p
}

// importRow creates the user of one row, or returns the row's errors; err
// is a failure that is no row's fault. With careful, the row runs under a
// savepoint; without, a row the database refuses is errRowRefused.
func (t *Tx) importRow(ctx context.Context, a *tenantry.Actor, c *tenantry.Customer, usage map[tenantry.Package]int,
	locations map[string]string, row tenantry.ImportRow, careful bool) ([]tenantry.ImportError, error) {
	if len(row.Errors) > 0 {
		return row.Errors, nil
	}
	locationID := row.Location
	if id, ok := locations[strings.ToLower(row.Location)]; ok {
		locationID = id
	}
	in := row.Input(c.ID, locationID)
	if ps := in.Validate(tenantry.ModeCreate); len(ps) > 0 {
		return tenantry.ImportProblems(row.Line, ps), nil
	}
	rs := in.Requested()
	s := t.db.newSubscriber(in, rs)
	if !careful {
		err := t.insertSubscriber(ctx, a, c, rs, usage, s)
		if err == nil {
			for _, p := range s.Packages() {
				usage[p]++
			}
			return nil, nil
		}
		if e := tenantry.AsError(err); e.Code != tenantry.EINTERNAL {
			return nil, errRowRefused
		}
		return nil, err
	}
	if err := t.savepoint(ctx, "import_row"); err != nil {
		return nil, err
	}
	jobs := len(t.jobs)
	err := t.insertSubscriber(ctx, a, c, rs, usage, s)
	if err == nil {
		for _, p := range s.Packages() {
			usage[p]++
		}
		return nil, t.releaseSavepoint(ctx, "import_row")
	}
	t.jobs = t.jobs[:jobs]
	if rerr := t.rollbackTo(ctx, "import_row"); rerr != nil {
		return nil, rerr
	}
	if rerr := t.releaseSavepoint(ctx, "import_row"); rerr != nil {
		return nil, rerr
	}
	var e *tenantry.Error
	if !errors.As(err, &e) || e.Code == tenantry.EINTERNAL {
		return nil, err
	}
	ps := e.Problems
	if len(ps) == 0 {
		ps = []tenantry.Problem{{Field: "", Reason: e.Reason, Params: e.Params}}
	}
	out := tenantry.ImportProblems(row.Line, ps)
	for i := range out {
		if out[i].Field == "location" && out[i].Reason == tenantry.ReasonSubscriberLocationNotFound {
			out[i].Params = map[string]string{"value": row.Location}
		}
	}
	return out, nil
}

// locationNames maps the customer's location ids and lowercase names to ids.
func (t *Tx) locationNames(ctx context.Context, customerID string) (map[string]string, error) {
	rows, err := t.query(ctx, `SELECT id, name FROM locations WHERE customer_id = ?`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if _, ok := out[strings.ToLower(name)]; !ok {
			out[strings.ToLower(name)] = id
		}
	}
	return out, rows.Err()
}

func (t *Tx) importRows(ctx context.Context, importID string, from, size int) ([]tenantry.ImportRow, error) {
	rows, err := t.query(ctx, `SELECT data FROM import_rows WHERE import_id = ? AND seq >= ? ORDER BY seq LIMIT ?`, importID, from, size)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tenantry.ImportRow
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var r tenantry.ImportRow
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// finishImport settles an import: its stored rows go, its status is
// final, and import.finished is emitted.
func (t *Tx) finishImport(ctx context.Context, im *tenantry.Import, status tenantry.ImportStatus) error {
	im.Status = status
	if _, err := t.exec(ctx, `UPDATE imports SET status = ?, updated = ? WHERE id = ?`, status, t.db.now().UnixMicro(), im.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM import_rows WHERE import_id = ?`, im.ID); err != nil {
		return err
	}
	var failed int
	if err := t.queryRow(ctx, `SELECT COUNT(DISTINCT seq) FROM import_errors WHERE import_id = ?`, im.ID).Scan(&failed); err != nil {
		return err
	}
	return t.emitEvent(ctx, im.PartnerID, tenantry.EventImportFinished, tenantry.ImportEvent{
		ImportID: im.ID, CustomerID: im.CustomerID, Status: status, DryRun: im.DryRun, Total: im.Total, Created: im.Created, Failed: failed,
	})
}

// FailImport marks an unfinished import failed.
func (db *DB) FailImport(ctx context.Context, job tenantry.ImportUsersJob, msg string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		im, err := scanImport(tx.queryRow(ctx, `SELECT `+importCols+` FROM imports WHERE id = ?`+db.forUpdate(), job.ImportID))
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return nil
		}
		if err != nil || im.Status == tenantry.ImportCompleted || im.Status == tenantry.ImportFailed {
			return err
		}
		if err := tx.finishImport(ctx, im, tenantry.ImportFailed); err != nil {
			return err
		}
		return tx.audit(ctx, im.PartnerID, "system", "import.failed", "import", im.ID, map[string]any{"error": msg})
	})
}

var (
	_ tenantry.ImportService = (*DB)(nil)
	_ tenantry.ImportJobs    = (*DB)(nil)
)
