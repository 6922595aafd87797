package api

import (
	"net/http"
	"slices"
	"time"

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
// without a location is reported as the location missing.
func (q *customerRequest) input() *tenantry.CustomerInput {
	in := &tenantry.CustomerInput{
		ProvisioningID: q.ProvisioningID, Packages: q.Packages, OrgID: q.OrgID, ExternalID: q.ExternalID,
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

// customerJSON is the wholesale Customer, with Tenantry's additions.
type customerJSON struct {
	ID              string            `json:"id"`
	OrgID           string            `json:"orgId,omitempty"`
	ExternalID      string            `json:"externalId"`
	Address         tenantry.Address  `json:"address"`
	Status          string            `json:"status"`
	Packages        []string          `json:"packages"`
	ResourceDetails resourceDetails   `json:"resourceDetails"`
	Errors          []tenantry.Notice `json:"errors,omitempty"`
	CustomerInfo    customerInfo      `json:"customerInfo"`
	DataRegion      string            `json:"dataRegion"`
	E911Enabled     bool              `json:"e911Enabled"`
	Created         time.Time         `json:"created"`
	Updated         time.Time         `json:"updated"`
}

type resourceDetails struct {
	Packages []packageJSON `json:"packages"`
}

type packageJSON struct {
	Name       string            `json:"name"`
	Status     string            `json:"status"`
	Warnings   []tenantry.Notice `json:"warnings,omitempty"`
	Errors     []tenantry.Notice `json:"errors,omitempty"`
	LicenseIDs []string          `json:"licenseIds,omitempty"`
	Quantity   int               `json:"quantity,omitempty"`
}

func toCustomerJSON(c *tenantry.Customer, licenses bool) customerJSON {
	out := customerJSON{
		ID: c.ID, OrgID: c.OrgID, ExternalID: c.ExternalID, Address: c.Address, Status: string(c.Status),
		Packages: []string{}, Errors: c.Errors, DataRegion: string(c.Region), E911Enabled: c.E911Enabled,
		CustomerInfo: customerInfo{Name: c.Name, PrimaryEmail: c.PrimaryEmail, Language: c.Language},
		Created:      c.Created, Updated: c.Updated,
	}
	out.ResourceDetails.Packages = []packageJSON{}
	for _, p := range c.Packages {
		if p.Status != tenantry.PackageDeleting || c.Status == tenantry.StatusDeleting {
			out.Packages = append(out.Packages, string(p.Name))
		}
		pj := packageJSON{Name: string(p.Name), Status: string(p.Status), Warnings: p.Warnings, Errors: p.Errors, Quantity: p.Quantity}
		if licenses {
			pj.LicenseIDs = p.LicenseIDs
		}
		out.ResourceDetails.Packages = append(out.ResourceDetails.Packages, pj)
	}
	return out
}

func (s *Server) customerURL(r *http.Request, id string) string {
	return baseURL(r) + "/v1/wholesale/customers/" + id
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var q customerRequest
	if err := decode(r, &q, false); err != nil {
		return err
	}
	c, err := s.svc.Customers.CreateCustomer(r.Context(), a, q.input())
	if err != nil {
		return err
	}
	return s.accepted(w, r, c.ID)
}

// accepted answers an asynchronous customer operation: 202, the Location
// of the customer and the same URL in the body.
func (s *Server) accepted(w http.ResponseWriter, r *http.Request, id string) error {
	u := s.customerURL(r, id)
	w.Header().Set("Location", u)
	return writeJSON(w, http.StatusAccepted, map[string]string{"url": u})
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	licenses, err := boolParam(r, "includePackageLicenseInfo")
	if err != nil {
		return err
	}
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("customerId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCustomerJSON(c, licenses))
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
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	f := tenantry.CustomerFilter{ExternalID: q.Get("externalId"), OrgID: q.Get("orgId"), Search: q.Get("search"), Page: p}
	for _, v := range q["status"] {
		for _, st := range splitComma(v) {
			if !slices.Contains(tenantry.CustomerStatuses, tenantry.CustomerStatus(st)) {
				return tenantry.FieldError(tenantry.EINVALID, "status", tenantry.ReasonInvalidEnum, "value", st, "allowed", statusList())
			}
			f.Statuses = append(f.Statuses, tenantry.CustomerStatus(st))
		}
	}
	cs, total, err := s.svc.Customers.Customers(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, cs, func(c *tenantry.Customer) customerJSON { return toCustomerJSON(c, false) })
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
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var q customerRequest
	if err := decode(r, &q, false); err != nil {
		return err
	}
	c, err := s.svc.Customers.UpdateCustomer(r.Context(), a, r.PathValue("customerId"), q.input())
	if err != nil {
		return err
	}
	return s.accepted(w, r, c.ID)
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
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var q customerRequest
	if err := decode(r, &q, false); err != nil {
		return err
	}
	if err := s.svc.Customers.PrecheckCustomer(r.Context(), a, q.input()); err != nil {
		return err
	}
	return s.precheckOK(w, r)
}

// precheckOK answers a precheck that found nothing wrong, in the caller's
// language.
func (s *Server) precheckOK(w http.ResponseWriter, r *http.Request) error {
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	return writeJSON(w, http.StatusOK, map[string]any{
		"message": "success",
		"info":    []map[string]any{{"infoCode": PrecheckInfoCode, "description": s.tr.Message(lang, tenantry.ReasonPrecheckOK, nil)}},
	})
}
