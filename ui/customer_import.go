package ui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// The CSV import tab of a customer: upload a file of users (dry run or
// import), follow an import's progress and read its row errors. The file
// is read and checked by the domain (tenantry.ParseUserCSV) and worked by
// the same import service and job as the API's imports, so an import
// survives a restart of the server: its state is in the database, and its
// page shows wherever it stands.

// recentImports is how many of a customer's imports the tab lists.
const recentImports = 10

// maxShownImportErrors bounds the row errors an import's page shows in its
// table; the CSV download has every one.
const maxShownImportErrors = 500

// importTab is the data of the import tab.
type importTab struct {
	Customer *tenantry.Customer
	DryRun   bool
	Recent   []*tenantry.Import
}

// importPage is the data of one import's page.
type importPage struct {
	Customer *tenantry.Customer
	Import   *tenantry.Import
	Errors   []importErrorRow
	Shown    int  // row errors in the table
	Rows     int  // rows with errors
	Finished bool // completed or failed
}

// importErrorRow is a row error as the admin reads it.
type importErrorRow struct {
	Row     int
	Field   string
	Message string
}

// Percent is how far the import is, 0 to 100.
func (p importPage) Percent() int {
	if p.Import.Total == 0 {
		return 0
	}
	return p.Import.Done * 100 / p.Import.Total
}

func (s *Server) importCustomer(r *http.Request) (*tenantry.Customer, error) {
	return s.svc.Customers.Customer(r.Context(), state(r).actor, r.PathValue("id"))
}

// customerImport is the import tab: the upload form, the template and the
// customer's recent imports.
func (s *Server) customerImport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.importCustomer(r)
	if err != nil {
		return err
	}
	return s.renderImportTab(w, r, http.StatusOK, c, true, nil)
}

func (s *Server) renderImportTab(w http.ResponseWriter, r *http.Request, status int, c *tenantry.Customer, dryRun bool, formErr error) error {
	v := s.view(r, "hub.import.title")
	v.Nav, v.Tab, v.Customer = "customers", "import", c
	p := importTab{Customer: c, DryRun: dryRun}
	recent, err := s.svc.Imports.Imports(r.Context(), state(r).actor, c.ID, recentImports)
	if err != nil {
		return err
	}
	p.Recent = recent
	for _, im := range recent {
		if !importFinished(im) {
			v.Refresh = 5
		}
	}
	if formErr != nil {
		e := tenantry.AsError(formErr)
		switch e.Code {
		case tenantry.ETOOLARGE:
			v.Errors.add("file", s.message(v.Lang, e.Reason, e.Params))
		case tenantry.EINVALID:
			// A file's problems are the file's: the column a problem names
			// (a missing column) is part of the message.
			if len(e.Problems) == 0 {
				v.Errors.add("file", s.message(v.Lang, e.Reason, withFieldParam(e.Params, s.message(v.Lang, "hub.import.file", nil))))
			}
			for _, pr := range e.Problems {
				v.Errors.add("file", s.message(v.Lang, pr.Reason, withFieldParam(pr.Params, s.message(v.Lang, "hub.import.file", nil))))
			}
		default:
			if !s.formProblems(v, formErr, map[string]string{"file": "file"}, map[string]string{"file": "hub.import.file"}) {
				return formErr
			}
		}
	}
	v.Page = p
	return s.renderStatus(w, r, status, "customer_import", v)
}

func withFieldParam(params map[string]string, field string) map[string]string {
	out := make(map[string]string, len(params)+1)
	for k, v := range params {
		out[k] = v
	}
	out["field"] = field
	return out
}

// importUpload takes the uploaded file and starts an import (or a dry
// run); a file the domain cannot read comes back with its problem next to
// the file field.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.importCustomer(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, tenantry.MaxImportBytes+1<<20)
	// Files past 8 MiB wait on disk rather than in memory.
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return s.renderImportTab(w, r, http.StatusBadRequest, c, true,
				tenantry.Errorf(tenantry.ETOOLARGE, tenantry.ReasonBodyTooLarge, "max", strconv.Itoa(tenantry.MaxImportBytes)))
		}
		return s.renderImportTab(w, r, http.StatusBadRequest, c, true, tenantry.FieldError(tenantry.EINVALID, "file", tenantry.ReasonRequired))
	}
	dryRun := r.FormValue("mode") != "import"
	f, _, ferr := r.FormFile("file")
	if ferr != nil {
		return s.renderImportTab(w, r, http.StatusBadRequest, c, dryRun, tenantry.FieldError(tenantry.EINVALID, "file", tenantry.ReasonRequired))
	}
	defer f.Close()
	rows, err := tenantry.ParseUserCSV(f, tenantry.MaxImportRows)
	if err == nil {
		var im *tenantry.Import
		im, err = s.svc.Imports.CreateImport(r.Context(), state(r).actor, &tenantry.ImportInput{CustomerID: c.ID, DryRun: dryRun, Rows: rows})
		if err == nil {
			s.flash(w, "hub.import.started")
			return redirect(w, r, importPath(c.ID, im.ID))
		}
	}
	if code := tenantry.ErrorCode(err); code == tenantry.EINVALID || code == tenantry.ETOOLARGE {
		return s.renderImportTab(w, r, http.StatusBadRequest, c, dryRun, err)
	}
	return err
}

func importPath(customerID, importID string) string {
	return "/customers/" + url.PathEscape(customerID) + "/import/" + url.PathEscape(importID)
}

func importFinished(im *tenantry.Import) bool {
	return im.Status == tenantry.ImportCompleted || im.Status == tenantry.ImportFailed
}

// loadImport reads an import of the customer in the path.
func (s *Server) loadImport(r *http.Request) (*tenantry.Customer, *tenantry.Import, error) {
	c, err := s.importCustomer(r)
	if err != nil {
		return nil, nil, err
	}
	im, err := s.svc.Imports.Import(r.Context(), state(r).actor, c.ID, r.PathValue("importId"))
	if err != nil {
		return nil, nil, err
	}
	return c, im, nil
}

// importOnly reads an import without its customer: the import service
// scopes it to the customer and the partner, so another partner's is not
// found. The status endpoint, polled while an import runs, stays light.
func (s *Server) importOnly(r *http.Request) (*tenantry.Import, error) {
	return s.svc.Imports.Import(r.Context(), state(r).actor, r.PathValue("id"), r.PathValue("importId"))
}

// importErrorRows are an import's row errors in lang, at most max (all
// when max < 0).
func (s *Server) importErrorRows(lang string, im *tenantry.Import, max int) []importErrorRow {
	n := len(im.Errors)
	if max >= 0 {
		n = min(n, max)
	}
	out := make([]importErrorRow, n)
	for i, e := range im.Errors[:n] {
		out[i] = importErrorRow{Row: e.Row, Field: e.Field, Message: s.message(lang, e.Reason, withFieldParam(e.Params, e.Field))}
	}
	return out
}

// importView is one import: its progress while it runs (the page reloads
// itself without JavaScript; hub.js polls the status instead), then its
// row errors.
func (s *Server) importView(w http.ResponseWriter, r *http.Request) error {
	c, im, err := s.loadImport(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.import.progress_title")
	v.Nav, v.Tab, v.Customer = "customers", "import", c
	p := importPage{Customer: c, Import: im, Finished: importFinished(im), Errors: s.importErrorRows(v.Lang, im, maxShownImportErrors)}
	p.Shown = len(p.Errors)
	p.Rows = errorRows(im)
	if !p.Finished {
		v.Refresh = 2
	}
	v.Page = p
	return s.render(w, r, "customer_import_view", v)
}

// errorRows counts the rows that have errors.
func errorRows(im *tenantry.Import) int {
	n, last := 0, -1
	for _, e := range im.Errors {
		if e.Row != last {
			n, last = n+1, e.Row
		}
	}
	return n
}

// importStatus answers hub.js: where an import stands.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request) error {
	im, err := s.importOnly(r)
	if err != nil {
		return err
	}
	lang := state(r).lang
	out := struct {
		Status   string `json:"status"`
		Label    string `json:"label"`
		Done     int    `json:"done"`
		Total    int    `json:"total"`
		Created  int    `json:"created"`
		Failed   int    `json:"failedRows"`
		Finished bool   `json:"finished"`
		Text     string `json:"text"`
	}{Status: string(im.Status), Label: s.message(lang, "hub.import.status."+string(im.Status), nil), Done: im.Done, Total: im.Total,
		Created: im.Created, Failed: errorRows(im), Finished: importFinished(im),
		Text: s.message(lang, "hub.import.done_of", map[string]string{"done": strconv.Itoa(im.Done), "total": strconv.Itoa(im.Total)})}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}

// importErrorsCSV downloads an import's row errors: row, column and the
// message in the admin's language.
func (s *Server) importErrorsCSV(w http.ResponseWriter, r *http.Request) error {
	im, err := s.importOnly(r)
	if err != nil {
		return err
	}
	lang := state(r).lang
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // spreadsheets read the file as UTF-8
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write([]string{s.message(lang, "hub.import.row", nil), s.message(lang, "hub.import.column", nil), s.message(lang, "hub.import.message", nil)})
	for _, e := range s.importErrorRows(lang, im, -1) {
		cw.Write([]string{strconv.Itoa(e.Row), e.Field, spreadsheetSafe(e.Message)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-errors-`+safeFileName(im.ID)+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// spreadsheetSafe keeps a cell from being read as a formula: a message may
// quote a value of the uploaded file.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// importTemplate downloads the CSV template: the header row.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.importCustomer(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="users.csv"`)
	_, err := io.WriteString(w, tenantry.ImportHeader())
	return err
}
