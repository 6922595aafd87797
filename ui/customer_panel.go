package ui

import (
	"net/http"
	"time"

	"github.com/tenantry/tenantry"
)

// customerPanel is what the customer panel shows: the customer with each
// package's status, its template and who confirmed its location.
type customerPanel struct {
	Customer    *tenantry.Customer
	Template    *tenantry.Template
	ConfirmedBy string
	ConfirmedAt time.Time
}

// loadPanel reads what a customer's panel shows. Another partner's
// customer is ENOTFOUND.
func (s *Server) loadPanel(r *http.Request, id string) (*customerPanel, error) {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	p := &customerPanel{Customer: c}
	if t, err := s.svc.Templates.Template(r.Context(), a, c.TemplateID); err == nil {
		p.Template = t
	} else if tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
		return nil, err
	}
	adminID, at, err := s.svc.Hub.LocationConfirmation(r.Context(), a, c.ID)
	if err != nil {
		return nil, err
	}
	p.ConfirmedAt = at
	if adminID != "" {
		p.ConfirmedBy = adminID
		if admins, err := s.svc.Partners.Admins(r.Context(), a.OrgID); err == nil {
			for _, ad := range admins {
				if ad.ID == adminID {
					p.ConfirmedBy = ad.Email
				}
			}
		}
	}
	return p, nil
}

// customerPanel is the customer's page: the panel on a page of its own.
func (s *Server) customerPanel(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadPanel(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := s.view(r, "hub.customer.title")
	v.Nav, v.Tab, v.Customer = "customers", "overview", p.Customer
	v.Page = p
	if busy(p.Customer.Status) {
		v.Refresh = 5
	}
	return s.render(w, r, "customer_panel", v)
}
