package ui

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// templateListPage lists the partner's onboarding templates.
type templateListPage struct {
	Templates []*tenantry.Template
	Total     int
}

func (s *Server) templateList(w http.ResponseWriter, r *http.Request) error {
	ts, total, err := s.svc.Templates.Templates(r.Context(), state(r).actor, tenantry.Page{Max: tenantry.MaxPageMax})
	if err != nil {
		return err
	}
	v := s.view(r, "hub.templates.title")
	v.Nav = "templates"
	v.Page = templateListPage{Templates: ts, Total: total}
	return s.render(w, r, "template_list", v)
}
