package tenantry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ImportStatus is where a bulk import of users stands.
type ImportStatus string

// Import statuses: accepted and waiting for the job, being worked, done
// (whatever the rows' outcomes), or given up after the job failed.
const (
	ImportQueued    ImportStatus = "queued"
	ImportRunning   ImportStatus = "running"
	ImportCompleted ImportStatus = "completed"
	ImportFailed    ImportStatus = "failed"
)

// Limits of a user import file.
const (
	MaxImportRows  = 100_000
	MaxImportBytes = 32 << 20
)

// ImportChunk is how many rows of an import one transaction works: a crash
// resumes after the last chunk that committed.
const ImportChunk = 200

// ImportColumns are the columns of a user import file, as the template's
// header row names them. Every one must be present (a value may be empty).
var ImportColumns = []string{"first_name", "last_name", "email", "package", "location", "phone_number", "extension"}

// ImportHeader is the header row of the downloadable CSV template.
func ImportHeader() string { return strings.Join(ImportColumns, ",") + "\r\n" }

// Import is a bulk import of users into one customer from a CSV file. Rows
// are worked in order; Done counts those worked, Created the users made
// (none on a dry run), and Errors lists every problem of every refused row.
type Import struct {
	ID         string
	PartnerID  string
	CustomerID string
	Status     ImportStatus
	DryRun     bool
	Total      int
	Done       int
	Created    int
	Errors     []ImportError
	Started    time.Time
	Updated    time.Time
}

// ImportError is one problem of one row: the file's line where the row
// starts (the header is line 1), the column, and a reason with its params.
type ImportError struct {
	Row    int               `json:"row"`
	Field  string            `json:"field"`
	Reason string            `json:"reason"`
	Params map[string]string `json:"params,omitempty"`
}

// ImportRow is one user of an import file, as written, with the problems
// the file alone shows. Location is a location id or a location name.
type ImportRow struct {
	Line        int           `json:"line"`
	FirstName   string        `json:"firstName,omitempty"`
	LastName    string        `json:"lastName,omitempty"`
	Email       string        `json:"email,omitempty"`
	Package     string        `json:"package,omitempty"`
	Location    string        `json:"location,omitempty"`
	PhoneNumber string        `json:"phoneNumber,omitempty"`
	Extension   string        `json:"extension,omitempty"`
	Errors      []ImportError `json:"errors,omitempty"`
}

// Input is the row as a create request for the customer, at the location
// with id locationID (the row's Location once resolved). Several packages
// are separated by ';' (a package and its add-ons).
func (r *ImportRow) Input(customerID, locationID string) *SubscriberInput {
	in := &SubscriberInput{
		CustomerID: customerID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		PrimaryPhoneNumber: r.PhoneNumber, Extension: r.Extension, LocationID: locationID,
	}
	if strings.Contains(r.Package, ";") {
		for _, p := range strings.Split(r.Package, ";") {
			in.Packages = append(in.Packages, strings.TrimSpace(p))
		}
	} else {
		in.Package = r.Package
	}
	return in
}

// ImportProblems turns the problems of a create request for row line into
// row errors named after the file's columns.
func ImportProblems(line int, ps []Problem) []ImportError {
	out := make([]ImportError, len(ps))
	for i, p := range ps {
		out[i] = ImportError{Row: line, Field: importColumn(p.Field), Reason: p.Reason, Params: p.Params}
	}
	return out
}

// importColumn is the column of the file a request field comes from.
func importColumn(field string) string {
	switch {
	case field == FieldFirstName:
		return "first_name"
	case field == FieldLastName:
		return "last_name"
	case field == FieldSubscriberEmail:
		return "email"
	case field == FieldSubscriberPackage, strings.HasPrefix(field, FieldSubscriberPackages):
		return "package"
	case field == FieldLocationID:
		return "location"
	case field == FieldPrimaryNumber, field == FieldSubscriberParams:
		return "phone_number"
	case field == FieldExtension:
		return "extension"
	}
	return field
}

// headerName is the canonical column name of a header cell: case, spaces,
// dashes and underscores do not matter ("First Name", "first_name",
// "FIRST-NAME"); "phone" and "number" name the phone number column.
func headerName(cell string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(cell) {
		switch {
		case r == ' ' || r == '-' || r == '_':
			b.WriteByte('_')
		case unicode.IsPrint(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	name := strings.Trim(b.String(), "_")
	for strings.Contains(name, "__") {
		name = strings.ReplaceAll(name, "__", "_")
	}
	switch name {
	case "firstname", "given_name":
		return "first_name"
	case "lastname", "surname", "family_name":
		return "last_name"
	case "email_address", "e_mail", "mail":
		return "email"
	case "phone", "number", "phonenumber", "primary_phone_number":
		return "phone_number"
	case "location_id", "location_name":
		return "location"
	case "packages":
		return "package"
	}
	return name
}

// ParseUserCSV reads a user import file: a header row naming every column
// of ImportColumns (in any order and spelling, see headerName; other
// columns are ignored), then one user per row. A UTF-8 byte order mark is
// skipped; a phone number written with separators is read as E.164
// (NormalizePhoneNumber). It returns every row with the problems the file
// alone shows (SubscriberInput.Validate, and values repeated in the file), or an
// EINVALID error for a file it cannot read as a whole (no header, a
// missing column, malformed CSV, no rows, more than max rows) and ETOOLARGE
// past MaxImportBytes.
func ParseUserCSV(r io.Reader, max int) ([]ImportRow, error) {
	lr := &io.LimitedReader{R: r, N: MaxImportBytes + 1}
	br := bufio.NewReader(lr)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if lr.N <= 0 {
			return nil, tooLarge()
		}
		if errors.Is(err, io.EOF) {
			return nil, FieldError(EINVALID, "file", ReasonImportNoHeader)
		}
		return nil, malformed(err)
	}
	index := map[string]int{}
	for i, cell := range header {
		name := headerName(cell)
		if _, dup := index[name]; dup && name != "" {
			return nil, FieldError(EINVALID, "file", ReasonImportColumnRepeated, "value", cell)
		}
		index[name] = i
	}
	var missing problems
	for _, col := range ImportColumns {
		if _, ok := index[col]; !ok {
			missing.add(col, ReasonImportColumnMissing, "value", col)
		}
	}
	if len(missing) > 0 {
		return nil, Invalid(missing)
	}
	var rows []ImportRow
	seen := map[string]int{} // column + value → first line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.N <= 0 {
			return nil, tooLarge()
		}
		if err != nil {
			return nil, malformed(err)
		}
		if allBlank(rec) {
			continue // a row of empty cells, as spreadsheets export them
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= max {
			return nil, FieldError(EINVALID, "file", ReasonImportTooManyRows, "max", itoa(max))
		}
		get := func(col string) string {
			if i := index[col]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := ImportRow{
			Line: line, FirstName: get("first_name"), LastName: get("last_name"), Email: get("email"), Package: get("package"),
			Location: get("location"), PhoneNumber: NormalizePhoneNumber(get("phone_number")), Extension: get("extension"),
		}
		// The customer is the import's; "-" stands for it here, so that
		// only the row's own fields are judged.
		row.Errors = ImportProblems(line, row.Input("-", row.Location).Validate(ModeCreate))
		for _, v := range []struct{ col, value string }{
			{"email", NormalizeEmail(row.Email)}, {"phone_number", row.PhoneNumber}, {"extension", row.Extension},
		} {
			if v.value == "" || slices.ContainsFunc(row.Errors, func(e ImportError) bool { return e.Field == v.col }) {
				continue
			}
			if first, ok := seen[v.col+"\x00"+v.value]; ok {
				row.Errors = append(row.Errors, ImportError{Row: line, Field: v.col, Reason: ReasonImportRepeated,
					Params: map[string]string{"value": v.value, "detail": itoa(first)}})
				continue
			}
			seen[v.col+"\x00"+v.value] = line
		}
		rows = append(rows, row)
	}
	if lr.N <= 0 {
		return nil, tooLarge()
	}
	if len(rows) == 0 {
		return nil, FieldError(EINVALID, "file", ReasonImportNoRows)
	}
	return rows, nil
}

func allBlank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func tooLarge() error {
	return Errorf(ETOOLARGE, ReasonBodyTooLarge, "max", itoa(MaxImportBytes))
}

func malformed(err error) error {
	line := "1"
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = itoa(pe.StartLine)
	}
	return FieldError(EINVALID, "file", ReasonImportMalformed, "detail", line)
}

// ImportInput is a request to import users into a customer.
type ImportInput struct {
	CustomerID string
	DryRun     bool
	Rows       []ImportRow
}

// ImportService imports users in bulk. Every method is scoped to the
// actor's organization: another partner's customer or import is ENOTFOUND.
type ImportService interface {
	// CreateImport stores the rows with a new queued import of the
	// customer and enqueues its job in the same transaction. ENOTFOUND
	// (the customer), EINVALID (no rows), EFORBIDDEN (suspended
	// sub-partner).
	CreateImport(ctx context.Context, a *Actor, in *ImportInput) (*Import, error)
	// Import returns one import of a customer with its row errors. ENOTFOUND.
	Import(ctx context.Context, a *Actor, customerID, id string) (*Import, error)
	// Imports lists a customer's most recent imports, newest first, at
	// most max of them, without their row errors. ENOTFOUND (customer).
	Imports(ctx context.Context, a *Actor, customerID string, max int) ([]*Import, error)
}

// ImportUsersJob works an import's rows.
type ImportUsersJob struct {
	ImportID string `json:"importId"`
}

// Kind is the job's kind in the queue.
func (ImportUsersJob) Kind() string { return "import_users" }

// ImportJobs is what the background pipeline does to imports.
type ImportJobs interface {
	// RunImportChunk works the next size rows of the import in one
	// transaction, after the last chunk that committed, and reports whether
	// the import is finished: every row becomes a user or row errors
	// exactly once, however often it runs. A finished import is left as it
	// is.
	RunImportChunk(ctx context.Context, job ImportUsersJob, size int) (bool, error)
	// FailImport marks an unfinished import failed after its job's last
	// attempt.
	FailImport(ctx context.Context, job ImportUsersJob, msg string) error
}

// ImportEvent is the data of the import.finished webhook event.
type ImportEvent struct {
	ImportID   string       `json:"importId"`
	CustomerID string       `json:"customerId"`
	Status     ImportStatus `json:"status"`
	DryRun     bool         `json:"dryRun"`
	Total      int          `json:"total"`
	Created    int          `json:"created"`
	Failed     int          `json:"failedRows"`
}
