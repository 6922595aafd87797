package api

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tenantry/tenantry"
)

// importRoutes lists the routes of user imports. They create users, so
// they take the subscriber scopes.
func (s *Server) importRoutes() []route {
	const (
		sr = tenantry.ScopeSubscribersRead
		sw = tenantry.ScopeSubscribersWrite
	)
	return []route{
		{"POST", "/v1/wholesale/customers/{customerId}/imports", sw, s.createImport},
		{"GET", "/v1/wholesale/customers/{customerId}/imports/template.csv", sr, s.importTemplate},
		{"GET", "/v1/wholesale/customers/{customerId}/imports/{importId}", sr, s.getImport},
	}
}

// importJSON is an import as the API shows it; a row error's message is in
// the caller's language.
type importJSON struct {
	ID         string            `json:"id"`
	CustomerID string            `json:"customerId"`
	Status     string            `json:"status"`
	DryRun     bool              `json:"dryRun"`
	Total      int               `json:"total"`
	Done       int               `json:"done"`
	Created    int               `json:"created"`
	Errors     []importErrorJSON `json:"errors"`
}

type importErrorJSON struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (s *Server) importURL(r *http.Request, customerID, id string) string {
	return baseURL(r) + "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/imports/" + url.PathEscape(id)
}

// createImport takes a CSV file (text/csv) and answers 202 with the
// import's URL; the rows are worked by a job.
func (s *Server) createImport(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
		return tenantry.Errorf(tenantry.EUNSUPPORTED, tenantry.ReasonUnsupportedMedia, "type", ct, "want", "text/csv")
	}
	dryRun := false
	if v := r.URL.Query().Get("dryRun"); v != "" {
		if dryRun, err = strconv.ParseBool(v); err != nil {
			return tenantry.FieldError(tenantry.EINVALID, "dryRun", tenantry.ReasonInvalidEnum, "value", v, "allowed", "true, false")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, tenantry.MaxImportBytes+1))
	if err != nil {
		return tenantry.FieldError(tenantry.EINVALID, "file", tenantry.ReasonImportMalformed, "detail", "1")
	}
	if len(body) > tenantry.MaxImportBytes {
		return tenantry.Errorf(tenantry.ETOOLARGE, tenantry.ReasonBodyTooLarge, "max", strconv.Itoa(tenantry.MaxImportBytes))
	}
	customerID := r.PathValue("customerId")
	// An unknown customer is a 404 before anything is said of the file.
	if _, err := s.svc.Customers.Customer(r.Context(), a, customerID); err != nil {
		return err
	}
	rows, err := tenantry.ParseUserCSV(bytes.NewReader(body), tenantry.MaxImportRows)
	if err != nil {
		return err
	}
	render := func(im *tenantry.Import) answer {
		u := s.importURL(r, customerID, im.ID)
		return answer{status: http.StatusAccepted, location: u, body: map[string]string{"id": im.ID, "url": u}}
	}
	answerWith(r, render)
	im, err := s.svc.Imports.CreateImport(r.Context(), a, &tenantry.ImportInput{CustomerID: customerID, DryRun: dryRun, Rows: rows})
	if err != nil {
		return err
	}
	return render(im).write(w)
}

// readIdempotentBody reads the body of a POST with an Idempotency-Key: a
// CSV file up to MaxImportBytes (the import), or JSON as readBody reads it.
func readIdempotentBody(r *http.Request) ([]byte, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return readBody(r)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, tenantry.MaxImportBytes+1))
	if err != nil {
		return nil, tenantry.FieldError(tenantry.EINVALID, "file", tenantry.ReasonImportMalformed, "detail", "1")
	}
	if len(b) > tenantry.MaxImportBytes {
		return nil, tenantry.Errorf(tenantry.ETOOLARGE, tenantry.ReasonBodyTooLarge, "max", strconv.Itoa(tenantry.MaxImportBytes))
	}
	return b, nil
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	im, err := s.svc.Imports.Import(r.Context(), a, r.PathValue("customerId"), r.PathValue("importId"))
	if err != nil {
		return err
	}
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	out := importJSON{
		ID: im.ID, CustomerID: im.CustomerID, Status: string(im.Status), DryRun: im.DryRun, Total: im.Total, Done: im.Done, Created: im.Created,
		Errors: make([]importErrorJSON, len(im.Errors)),
	}
	for i, e := range im.Errors {
		out.Errors[i] = importErrorJSON{Row: e.Row, Field: e.Field, Message: s.tr.Message(lang, e.Reason, withField(e.Params, e.Field))}
	}
	w.Header().Set("Content-Language", lang)
	return writeJSON(w, http.StatusOK, out)
}

// importTemplate is the CSV template: the header row alone.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("customerId")); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="users.csv"`)
	_, err = io.WriteString(w, tenantry.ImportHeader())
	return err
}
