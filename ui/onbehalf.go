package ui

// Acting on behalf of a sub-partner. A full or provisioning admin chooses
// one of its partner's sub-partners; the choice is stored with the session
// on the server (never in a cookie the browser could edit), and every page
// then resolves its actor exactly as the API does for
// onBehalfOfSubPartnerOrgId: customers, templates and every write concern
// the sub-partner. The partner settings (the full-admin pages) always
// concern the admin's own partner, whose admins, tokens and webhooks they
// are; the banner says so there. A suspended sub-partner's pages read, and
// the services refuse its creates and updates with the domain's reason.

import (
	"net/http"
	"strings"

	"github.com/tenantry/tenantry"
)

// resolveActor returns the actor of a signed-in admin's request: the
// sub-partner the session acts for, except on the partner settings, or the
// admin's own partner.
func (s *Server) resolveActor(r *http.Request, st *reqState, p *tenantry.Principal, acc access) (*tenantry.Actor, error) {
	ctx := r.Context()
	if sub := st.session.SubPartnerID; sub != "" && canWrite(st.session.Admin) {
		actor, err := s.svc.Partners.ResolveActor(ctx, p, sub)
		switch {
		case err == nil:
			st.onBehalf = actor.SubPartner
			if acc != fullAdmin {
				return actor, nil
			}
		case tenantry.ErrorCode(err) == tenantry.EINVALID:
			// No longer one of the partner's sub-partners: the session
			// goes back to the partner.
			if err := s.svc.Hub.SetSessionSubPartner(ctx, st.session.Hash, ""); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	return s.svc.Partners.ResolveActor(ctx, p, "")
}

// onBehalfPage lets a full or provisioning admin choose a sub-partner to
// act for.
type onBehalfPage struct {
	SubPartners []*tenantry.Partner
	Total       int
	Selected    string
}

func (s *Server) onBehalfPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderOnBehalf(w, r, http.StatusOK, "")
}

func (s *Server) renderOnBehalf(w http.ResponseWriter, r *http.Request, status int, selected string) error {
	st := state(r)
	ps, total, err := s.svc.Partners.SubPartners(r.Context(), st.actor.PartnerID, "", tenantry.Page{Max: tenantry.MaxPageMax})
	if err != nil {
		return err
	}
	v := s.view(r, "hub.onbehalf.title")
	if selected == "" && st.onBehalf != nil {
		selected = st.onBehalf.ID
	}
	if status != http.StatusOK {
		v.Errors.add("subPartner", s.message(v.Lang, tenantry.ReasonRequired, map[string]string{"field": s.message(v.Lang, "hub.onbehalf.sub_partner", nil)}))
	}
	v.Page = onBehalfPage{SubPartners: ps, Total: total, Selected: selected}
	return s.renderStatus(w, r, status, "settings_subpartners_act", v)
}

// onBehalfStart starts acting for a sub-partner. Another partner's
// sub-partner is not found.
func (s *Server) onBehalfStart(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	sub := strings.TrimSpace(r.PostFormValue("subPartner"))
	if sub == "" {
		return s.renderOnBehalf(w, r, http.StatusBadRequest, "")
	}
	if _, err := s.svc.Partners.ResolveActor(r.Context(), &st.actor.Principal, sub); err != nil {
		if tenantry.ErrorCode(err) == tenantry.EINVALID {
			return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "subPartner")
		}
		return err
	}
	if err := s.svc.Hub.SetSessionSubPartner(r.Context(), st.session.Hash, sub); err != nil {
		return err
	}
	s.flash(w, "hub.onbehalf.started")
	// The page the admin was on may be the partner's own resource, not
	// the sub-partner's: start from the customer list.
	return redirect(w, r, "/customers")
}

// onBehalfStop goes back to acting for the admin's own partner.
func (s *Server) onBehalfStop(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := s.svc.Hub.SetSessionSubPartner(r.Context(), st.session.Hash, ""); err != nil {
		return err
	}
	s.flash(w, "hub.onbehalf.stopped")
	return redirect(w, r, "/customers")
}
