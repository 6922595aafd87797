package ui

import (
	"net/http"
	"strings"

	"github.com/tenantry/tenantry"
)

// partnerSettingsPage is the organization's settings: its name and id, and
// the operations address setup-assistance requests are mailed to.
type partnerSettingsPage struct {
	Settings        *tenantry.PartnerSettings
	OperationsEmail string // as typed: kept on errors
}

func (s *Server) partnerSettings(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Assistance.PartnerSettings(r.Context(), state(r).actor)
	if err != nil {
		return err
	}
	return s.renderPartnerSettings(w, r, http.StatusOK, ps, ps.OperationsEmail, nil)
}

func (s *Server) renderPartnerSettings(w http.ResponseWriter, r *http.Request, status int, ps *tenantry.PartnerSettings, typed string, formErr error) error {
	v := s.view(r, "hub.org.title")
	v.Nav, v.Tab = "settings", "partner"
	if formErr != nil && !s.formProblems(v, formErr, map[string]string{"operationsEmail": "operationsEmail"}, map[string]string{"operationsEmail": "hub.org.ops"}) {
		return formErr
	}
	v.Page = partnerSettingsPage{Settings: ps, OperationsEmail: typed}
	return s.renderStatus(w, r, status, "settings_partner", v)
}

// savePartnerSettings sets the operations address; requests that waited
// for one are mailed to it, and the flash says so.
func (s *Server) savePartnerSettings(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	typed := strings.TrimSpace(r.PostFormValue("operationsEmail"))
	mailed, err := s.svc.Assistance.SetOperationsEmail(r.Context(), a, typed)
	if err != nil {
		if tenantry.ErrorCode(err) != tenantry.EINVALID {
			return err
		}
		ps, perr := s.svc.Assistance.PartnerSettings(r.Context(), a)
		if perr != nil {
			return perr
		}
		return s.renderPartnerSettings(w, r, http.StatusBadRequest, ps, typed, err)
	}
	if mailed > 0 {
		s.flash(w, "hub.org.flash.mailed")
	} else {
		s.flash(w, "hub.org.flash.saved")
	}
	return redirect(w, r, "/settings/partner")
}
