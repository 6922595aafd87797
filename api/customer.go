package api

import (
	"net/http"
	"slices"

	"github.com/tenantry/tenantry"
)

// The wholesale customer request, as the reference document spells it.
type customerRequest struct {
	ProvisioningID         string                  `json:"provisioningId"`
	Packages               []string                `json:"packages"`
	OrgID                  string                  `json:"orgId"`
	ExternalID             string                  `json:"externalId"`
	Address                *tenantry.Address       `json:"address"`
	CustomerInfo           *customerInfo           `json:"customerInfo"`
	ProvisioningParameters *provisioningParameters `json:"provisioningParameters"`
	SubPartnerAdminEmail   string                  `json:"subPartnerAdminEmail"`
}

type customerInfo struct {
	Name         string `json:"name,omitempty"`
	PrimaryEmail string `json:"primaryEmail,omitempty"`
	Language     string `json:"language,omitempty"`
}

type provisioningParameters struct {
	Calling *struct {
		Location *callingLocation `json:"location"`
	} `json:"calling"`
	Meetings *struct {
		TimeZone string `json:"timezone"`
	} `json:"meetings"`
	Packages *struct {
		Limits map[string]int `json:"limits"`
	} `json:"packages"`
}

type callingLocation struct {
	Name                        string           `json:"name"`
	Address                     tenantry.Address `json:"address"`
	TimeZone                    string           `json:"timezone"`
	Language                    string           `json:"language"`
	EmergencyLocationIdentifier string           `json:"emergencyLocationIdentifier,omitempty"`
}

// input turns the request into the domain's input. A calling section
// without a location is reported as the location missing. An empty list
// of packages is no list (absentList).
func (q *customerRequest) input() *tenantry.CustomerInput {
	in := &tenantry.CustomerInput{
		ProvisioningID: q.ProvisioningID, Packages: absentList(q.Packages), OrgID: q.OrgID, ExternalID: q.ExternalID,
		Address: q.Address, SubPartnerAdminEmail: q.SubPartnerAdminEmail,
	}
	if q.CustomerInfo != nil {
		in.Info = &tenantry.CustomerInfo{Name: q.CustomerInfo.Name, PrimaryEmail: q.CustomerInfo.PrimaryEmail, Language: q.CustomerInfo.Language}
	}
	if pp := q.ProvisioningParameters; pp != nil {
		if pp.Calling != nil && pp.Calling.Location != nil {
			l := pp.Calling.Location
			in.Calling = &tenantry.CallingLocation{Name: l.Name, Address: l.Address, TimeZone: l.TimeZone, Language: l.Language, EmergencyLocationID: l.EmergencyLocationIdentifier}
		}
		if pp.Meetings != nil {
			in.MeetingsTimeZone = pp.Meetings.TimeZone
		}
		if pp.Packages != nil && pp.Packages.Limits != nil {
			in.Limits = pp.Packages.Limits
		}
	}
	return in
}

// customerJSON is the wholesale Customer, with Tenantry's additions
// (customerInfo and what follows it, and each package's quantity), which
// appendCustomer writes only when the client asked for them.
type customerJSON struct {
	ID              string             `json:"id"`
	OrgID           string             `json:"orgId,omitempty"`
	ExternalID      string             `json:"externalId"`
	Address         tenantry.Address   `json:"address"`
	Status          string             `json:"status"`
	Packages        []string           `json:"packages"`
	ResourceDetails resourceDetails    `json:"resourceDetails"`
	Errors          []noticeJSON       `json:"errors,omitempty"`
	CustomerInfo    customerInfo       `json:"customerInfo"`
	DataRegion      string             `json:"dataRegion"`
	E911Enabled     bool               `json:"e911Enabled"`
	Created         tenantry.Timestamp `json:"created"`
	Updated         tenantry.Timestamp `json:"updated"`
}

type resourceDetails struct {
	Packages []packageJSON `json:"packages"`
}

type packageJSON struct {
	Name       string       `json:"name"`
	Status     string       `json:"status"`
	Warnings   []noticeJSON `json:"warnings,omitempty"`
	Errors     []noticeJSON `json:"errors,omitempty"`
	LicenseIDs []string     `json:"licenseIds,omitempty"`
	Quantity   int          `json:"quantity,omitempty"`
}

// noticeJSON is a notice on the wire: the wholesale Error, its description
// in the reader's language.
type noticeJSON struct {
	ErrorCode   int    `json:"errorCode"`
	Description string `json:"description"`
}

// notices renders notices in lang: a notice with a reason is translated,
// one stored before reasons were kept is recognised if Tenantry wrote it
// (tenantry.Notice.Resolved), and any other keeps its stored text.
func (s *Server) notices(lang string, ns []tenantry.Notice) []noticeJSON {
	if len(ns) == 0 {
		return nil
	}
	message := func(reason string, params map[string]string) string { return s.tr.Message(lang, reason, params) }
	out := make([]noticeJSON, len(ns))
	for i, n := range ns {
		out[i] = noticeJSON{ErrorCode: n.Code, Description: n.Text(message)}
	}
	return out
}

// customerJSON renders c for the reader of r: its notices in the reader's
// language.
func (s *Server) customerJSON(r *http.Request, c *tenantry.Customer, licenses bool) customerJSON {
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	return toCustomerJSON(c, licenses, func(ns []tenantry.Notice) []noticeJSON { return s.notices(lang, ns) })
}

func toCustomerJSON(c *tenantry.Customer, licenses bool, notices func([]tenantry.Notice) []noticeJSON) customerJSON {
	out := customerJSON{
		ID: c.ID, OrgID: c.OrgID, ExternalID: c.ExternalID, Address: c.Address, Status: string(c.Status),
		Packages: []string{}, Errors: notices(c.Errors), DataRegion: string(c.Region), E911Enabled: c.E911Enabled,
		CustomerInfo: customerInfo{Name: c.Name, PrimaryEmail: c.PrimaryEmail, Language: c.Language},
		Created:      tenantry.Timestamp(c.Created), Updated: tenantry.Timestamp(c.Updated),
	}
	out.ResourceDetails.Packages = []packageJSON{}
	for _, p := range c.Packages {
		if p.Status != tenantry.PackageDeleting || c.Status == tenantry.StatusDeleting {
			out.Packages = append(out.Packages, string(p.Name))
		}
		pj := packageJSON{Name: string(p.Name), Status: string(p.Status), Warnings: notices(p.Warnings), Errors: notices(p.Errors), Quantity: p.Quantity}
		if licenses {
			pj.LicenseIDs = p.LicenseIDs
		}
		out.ResourceDetails.Packages = append(out.ResourceDetails.Packages, pj)
	}
	return out
}

// absentList reads an empty list of a request as an absent one. Clients
// generated from the public document (openapi-generator's Java client,
// for one) start every list of a request empty and send it so: `"packages":
// []` in a precheck, or in a subscriber update that changes only a number,
// is what such a client sends when its caller named no packages. No
// request means anything by an empty list that its absence does not: a
// customer or a user always holds a package.
func absentList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (s *Server) customerURL(r *http.Request, id string) string {
	return baseURL(r) + "/v1/wholesale/customers/" + id
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	a, in, err := s.customerRequestOf(r, tenantry.ModeCreate)
	if err != nil {
		return err
	}
	warnings := in.LimitWarnings()
	answerWith(r, func(c *tenantry.Customer) answer { return s.acceptedAnswer(r, c.ID, warnings...) })
	c, err := s.svc.Customers.CreateCustomer(r.Context(), a, in)
	if err != nil {
		return err
	}
	return s.accepted(w, r, c.ID, in.LimitWarnings()...)
}

// accepted answers an asynchronous customer operation: 202, the Location
// of the customer and the same URL in the body, with the warnings of what
// the request sent that was ignored, if any.
func (s *Server) accepted(w http.ResponseWriter, r *http.Request, id string, warnings ...tenantry.Problem) error {
	return s.acceptedAnswer(r, id, warnings...).write(w)
}

// acceptedAnswer is accepted's answer, also what an Idempotency-Key keeps.
func (s *Server) acceptedAnswer(r *http.Request, id string, warnings ...tenantry.Problem) answer {
	u := s.customerURL(r, id)
	return answer{status: http.StatusAccepted, location: u, body: acceptedJSON{URL: u, Warnings: s.warnings(r, warnings)}}
}

// acceptedJSON is the reference's ResourceURL with Tenantry's warnings
// (s.warnings leaves them out when the client did not ask for them).
type acceptedJSON struct {
	URL      string       `json:"url"`
	Warnings []errorEntry `json:"warnings,omitempty"`
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	licenses, err := boolParam(r, "includePackageLicenseInfo")
	if err := collect(aerr, err); err != nil {
		return err
	}
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("customerId"))
	if err != nil {
		return err
	}
	// The public document answers a read with the customer's Location, as
	// it does a subscriber's.
	w.Header().Set("Location", s.customerURL(r, c.ID))
	cj := s.customerJSON(r, c, licenses)
	return writeCustomer(w, r, &cj)
}

func boolParam(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, tenantry.FieldError(tenantry.EINVALID, name, tenantry.ReasonInvalidEnum, "value", v, "allowed", "true, false")
	}
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	q := r.URL.Query()
	p, perr := page(q)
	// The API shows no total: the Link header needs only to know whether a
	// next page exists, which the page itself tells.
	f := tenantry.CustomerFilter{ExternalID: q.Get("externalId"), OrgID: q.Get("orgId"), Search: q.Get("search"), SkipTotal: true, Page: p}
	var ps []tenantry.Problem
	for _, v := range q["status"] {
		for _, st := range splitComma(v) {
			if !slices.Contains(tenantry.CustomerStatuses, tenantry.CustomerStatus(st)) {
				ps = append(ps, tenantry.Problem{Field: "status", Reason: tenantry.ReasonInvalidEnum, Params: map[string]string{"value": st, "allowed": statusList()}})
				continue
			}
			if !slices.Contains(f.Statuses, tenantry.CustomerStatus(st)) { // a repeat would only lengthen the query
				f.Statuses = append(f.Statuses, tenantry.CustomerStatus(st))
			}
		}
	}
	if err := collect(aerr, perr, tenantry.Invalid(ps)); err != nil {
		return err
	}
	cs, total, err := s.svc.Customers.Customers(r.Context(), a, f)
	if err != nil {
		return err
	}
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	notices := func(ns []tenantry.Notice) []noticeJSON { return s.notices(lang, ns) }
	out := make([]customerJSON, len(cs))
	for i, c := range cs {
		out[i] = toCustomerJSON(c, false, notices)
	}
	return writeCustomerPage(w, r, p, total, out)
}

func statusList() string {
	s := ""
	for i, st := range tenantry.CustomerStatuses {
		if i > 0 {
			s += ", "
		}
		s += string(st)
	}
	return s
}

func splitComma(v string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' {
			if i > start {
				out = append(out, v[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	a, in, err := s.customerRequestOf(r, tenantry.ModeUpdate)
	if err != nil {
		return err
	}
	c, err := s.svc.Customers.UpdateCustomer(r.Context(), a, r.PathValue("customerId"), in)
	if err != nil {
		return err
	}
	return s.accepted(w, r, c.ID, in.LimitWarnings()...)
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Customers.DeleteCustomer(r.Context(), a, r.PathValue("customerId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// PrecheckInfoCode is the infoCode of a successful precheck.
const PrecheckInfoCode = 100

func (s *Server) precheckCustomer(w http.ResponseWriter, r *http.Request) error {
	a, in, err := s.customerRequestOf(r, tenantry.ModePrecheck)
	if err != nil {
		return err
	}
	if err := s.svc.Customers.PrecheckCustomer(r.Context(), a, in); err != nil {
		return err
	}
	return s.precheckOK(w, r, in.LimitWarnings()...)
}

// precheckOK answers a precheck that found nothing wrong, in the caller's
// language, with the warnings of what the request sent that would be
// ignored, if any (Tenantry's, as on creation: s.warnings).
func (s *Server) precheckOK(w http.ResponseWriter, r *http.Request, warnings ...tenantry.Problem) error {
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	body := map[string]any{
		"message": "success",
		"info":    []map[string]any{{"infoCode": PrecheckInfoCode, "description": s.tr.Message(lang, tenantry.ReasonPrecheckOK, nil)}},
	}
	if ws := s.warnings(r, warnings); ws != nil {
		body["warnings"] = ws
	}
	return writeJSON(w, http.StatusOK, body)
}
