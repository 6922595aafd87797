package api

import (
	"net/http"
	"net/url"

	"github.com/tenantry/tenantry"
)

// adminRoutes lists the routes of customer admins and of the approval of
// attached organizations (rules U4 and C7).
func (s *Server) adminRoutes() []route {
	const (
		cr     = tenantry.ScopeCustomersRead
		cw     = tenantry.ScopeCustomersWrite
		admins = "/v1/wholesale/customers/{customerId}/admins"
		admin  = admins + "/{adminId}"
		appr   = "/v1/wholesale/customers/{customerId}/approval"
	)
	return []route{
		{"GET", admins, cr, s.listCustomerAdmins},
		{"POST", admins, cw, s.addCustomerAdmin},
		{"GET", admin, cr, s.getCustomerAdmin},
		{"PUT", admin, cw, s.updateCustomerAdmin},
		{"DELETE", admin, cw, s.removeCustomerAdmin},
		{"GET", appr, cr, s.getApproval},
		{"POST", appr, cw, s.decideApproval},
		// The links in the invitation lead to pages (linkpage.go).
	}
}

// adminJSON is a customer admin on the wire.
type adminJSON struct {
	ID         string             `json:"id"`
	CustomerID string             `json:"customerId"`
	Email      string             `json:"email"`
	Role       string             `json:"role"`
	Package    string             `json:"package"`
	Created    tenantry.Timestamp `json:"created"`
}

func toAdminJSON(a *tenantry.CustomerAdmin) adminJSON {
	return adminJSON{ID: a.ID, CustomerID: a.CustomerID, Email: a.Email, Role: string(a.Role), Package: string(a.Package), Created: tenantry.Timestamp(a.Created)}
}

// adminRequest adds an admin; adminUpdate changes one (its address never
// changes). Both are closed: unknown and read-only fields are refused.
type adminRequest struct {
	Email   string `json:"email"`
	Role    string `json:"role"`
	Package string `json:"package"`
}

type adminUpdate struct {
	Role    string `json:"role"`
	Package string `json:"package"`
}

func adminsURL(r *http.Request, customerID string) string {
	return baseURL(r) + "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/admins"
}

func (s *Server) listCustomerAdmins(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	p, err := page(r.URL.Query())
	if err := collect(aerr, err); err != nil {
		return err
	}
	as, total, err := s.svc.Admins.CustomerAdmins(r.Context(), a, r.PathValue("customerId"), p)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, as, toAdminJSON)
}

func (s *Server) addCustomerAdmin(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q adminRequest
	if err := collect(aerr, decode(r, &q, true)); err != nil {
		return err
	}
	in := &tenantry.CustomerAdminInput{Email: q.Email, Role: tenantry.AdminRole(q.Role), Package: tenantry.Package(q.Package)}
	render := func(ad *tenantry.CustomerAdmin) answer {
		return answer{status: http.StatusCreated, location: adminsURL(r, ad.CustomerID) + "/" + url.PathEscape(ad.ID), body: toAdminJSON(ad)}
	}
	answerWith(r, render)
	ad, err := s.svc.Admins.AddCustomerAdmin(r.Context(), a, r.PathValue("customerId"), in)
	if err != nil {
		return err
	}
	return render(ad).write(w)
}

func (s *Server) getCustomerAdmin(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	ad, err := s.svc.Admins.CustomerAdmin(r.Context(), a, r.PathValue("customerId"), r.PathValue("adminId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAdminJSON(ad))
}

func (s *Server) updateCustomerAdmin(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q adminUpdate
	if err := collect(aerr, decode(r, &q, true)); err != nil {
		return err
	}
	in := &tenantry.CustomerAdminInput{Role: tenantry.AdminRole(q.Role), Package: tenantry.Package(q.Package)}
	ad, err := s.svc.Admins.UpdateCustomerAdmin(r.Context(), a, r.PathValue("customerId"), r.PathValue("adminId"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAdminJSON(ad))
}

func (s *Server) removeCustomerAdmin(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Admins.RemoveCustomerAdmin(r.Context(), a, r.PathValue("customerId"), r.PathValue("adminId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// approvalJSON is where the approval of an attachment stands: none (no
// approval needed), pending, approved or rejected.
type approvalJSON struct {
	State string `json:"state"`
}

func toApprovalJSON(a tenantry.Approval) approvalJSON {
	if a == tenantry.ApprovalNone {
		return approvalJSON{State: "none"}
	}
	return approvalJSON{State: string(a)}
}

func (s *Server) getApproval(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	st, err := s.svc.Admins.CustomerApproval(r.Context(), a, r.PathValue("customerId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toApprovalJSON(st))
}

// decideApproval approves or rejects for the partner; the customer's
// status tells how it went on, so the answer is that of an asynchronous
// customer operation.
func (s *Server) decideApproval(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var q struct {
		Approve *bool `json:"approve"`
	}
	if err := decode(r, &q, true); err != nil {
		return err
	}
	if q.Approve == nil {
		return tenantry.FieldError(tenantry.EINVALID, "approve", tenantry.ReasonRequired)
	}
	answerWith(r, func(c *tenantry.Customer) answer { return s.acceptedAnswer(r, c.ID) })
	c, err := s.svc.Admins.DecideApproval(r.Context(), a, r.PathValue("customerId"), *q.Approve)
	if err != nil {
		return err
	}
	return s.accepted(w, r, c.ID)
}
