package ui

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// templatePage shows one template with its provisioning ID (the value the
// API's provisioningId takes), and its edit and delete actions.
type templatePage struct {
	Template *tenantry.Template
	Admin    string // the service-provider admin's email
	Sub      string // the subscription's name
}

func (s *Server) loadTemplatePage(r *http.Request) (*templatePage, error) {
	a := state(r).actor
	t, err := s.svc.Templates.Template(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &templatePage{Template: t, Admin: t.ServiceProviderAdminID, Sub: t.SubscriptionID}
	if admins, err := s.svc.Partners.Admins(r.Context(), a.OrgID); err == nil {
		for _, ad := range admins {
			if ad.ID == t.ServiceProviderAdminID {
				p.Admin = ad.DisplayName + " <" + ad.Email + ">"
			}
		}
	}
	if subs, err := s.svc.Partners.Subscriptions(r.Context(), a.OrgID); err == nil {
		for _, sub := range subs {
			if sub.ID == t.SubscriptionID {
				p.Sub = sub.Name
			}
		}
	}
	return p, nil
}

func (s *Server) templatePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadTemplatePage(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.template.title")
	v.Nav = "templates"
	v.Page = p
	return s.render(w, r, "template_page", v)
}

// templateDelete deletes an unused template; one that customers use is
// refused, and the template's page says why.
func (s *Server) templateDelete(w http.ResponseWriter, r *http.Request) error {
	err := s.svc.Templates.DeleteTemplate(r.Context(), state(r).actor, r.PathValue("id"))
	if tenantry.ErrorCode(err) == tenantry.ECONFLICT {
		p, lerr := s.loadTemplatePage(r)
		if lerr != nil {
			return lerr
		}
		v := s.view(r, "hub.template.title")
		v.Nav = "templates"
		v.Page = p
		s.formProblems(v, err, nil, nil)
		return s.renderStatus(w, r, http.StatusConflict, "template_page", v)
	}
	if err != nil {
		return err
	}
	s.flash(w, "hub.template.deleted")
	return redirect(w, r, "/templates")
}
