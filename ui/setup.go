package ui

import (
	"net/http"
	"strings"

	"github.com/tenantry/tenantry"
)

// setupForm is the first-run setup page: the partner organization and its
// first full admin.
type setupForm struct {
	Partner, Name, Email string
}

var setupFields = map[string]string{"partner": "partner", "name": "name", "email": "email", "password": "password"}

var setupLabels = map[string]string{
	"partner": "hub.setup.partner", "name": "hub.setup.name", "email": "hub.field.email", "password": "hub.field.password",
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.Hub.CheckLink(r.Context(), tenantry.LinkSetup, r.PathValue("token")); err != nil {
		return err
	}
	v := s.view(r, "hub.setup.title")
	v.Page = setupForm{}
	return s.render(w, r, "setup", v)
}

// setup creates the partner and its first full admin through the same
// bootstrap the command line uses, then signs the admin in.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	f := setupForm{Partner: strings.TrimSpace(r.PostFormValue("partner")), Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	in := tenantry.SetupInput{PartnerName: f.Partner, AdminName: f.Name, AdminEmail: f.Email, Password: r.PostFormValue("password")}
	res, err := s.svc.Hub.CompleteSetup(r.Context(), r.PathValue("token"), in)
	if err != nil {
		v := s.view(r, "hub.setup.title")
		v.Page = f
		if tenantry.ErrorCode(err) == tenantry.EINVALID && s.formProblems(v, err, setupFields, setupLabels) {
			return s.renderStatus(w, r, http.StatusBadRequest, "setup", v)
		}
		return err
	}
	// A language picked in the switcher before setup is the admin's
	// choice; otherwise the admin's browser keeps deciding.
	if lang := pickedLanguage(r); lang != "" {
		if err := s.svc.Hub.SetAdminLanguage(r.Context(), res.Admin.ID, lang); err != nil {
			return err
		}
	}
	if err := s.startSession(w, r, res.Admin.ID); err != nil {
		return err
	}
	s.flash(w, "hub.setup.done")
	return redirect(w, r, "/templates")
}
