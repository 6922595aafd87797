package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// subPartnersPageSize is how many sub-partners the settings page shows at
// once.
const subPartnersPageSize = 50

// subPartnersPage lists the partner's sub-partners (resellers) with their
// state, and creates, suspends and reactivates them.
type subPartnersPage struct {
	SubPartners []*tenantry.Partner
	Total       int
	From, To    int
	Prev, Next  string
	Name        string // the create form's input
	Acting      string // the sub-partner the session acts for
}

func (s *Server) subPartnersPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.subPartnersView(r, "")
	if err != nil {
		return err
	}
	return s.render(w, r, "settings_subpartners", v)
}

func (s *Server) subPartnersView(r *http.Request, name string) (*view, error) {
	st := state(r)
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	ps, total, err := s.svc.Partners.SubPartners(r.Context(), st.actor.PartnerID, "", tenantry.Page{Offset: offset, Max: subPartnersPageSize})
	if err != nil {
		return nil, err
	}
	p := subPartnersPage{SubPartners: ps, Total: total, Name: name}
	if st.onBehalf != nil {
		p.Acting = st.onBehalf.ID
	}
	if len(ps) > 0 {
		p.From, p.To = offset+1, offset+len(ps)
	}
	pageURL := func(off int) string {
		return "/settings/subpartners?" + url.Values{"offset": {strconv.Itoa(off)}}.Encode()
	}
	if offset > 0 {
		p.Prev = pageURL(max(offset-subPartnersPageSize, 0))
	}
	if offset+len(ps) < total {
		p.Next = pageURL(offset + subPartnersPageSize)
	}
	v := s.view(r, "hub.subpartners.title")
	v.Nav, v.Tab = "settings", "subpartners"
	v.Page = p
	return v, nil
}

// subPartnerCreate creates a sub-partner; a missing or taken name is shown
// next to the field.
func (s *Server) subPartnerCreate(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	_, err := s.svc.Partners.CreateSubPartner(r.Context(), state(r).actor.PartnerID, name)
	if err != nil {
		v, verr := s.subPartnersView(r, name)
		if verr != nil {
			return verr
		}
		if !s.formProblems(v, err, map[string]string{"name": "name"}, map[string]string{"name": "hub.subpartners.name"}) {
			return err
		}
		status := http.StatusBadRequest
		if tenantry.ErrorCode(err) == tenantry.ECONFLICT {
			status = http.StatusConflict
		}
		return s.renderStatus(w, r, status, "settings_subpartners", v)
	}
	s.flash(w, "hub.subpartners.flash_created")
	return redirect(w, r, "/settings/subpartners")
}

// subPartnerState suspends or reactivates a sub-partner of the partner;
// another partner's is not found.
func (s *Server) subPartnerState(w http.ResponseWriter, r *http.Request) error {
	st := r.PostFormValue("state")
	if err := s.svc.Partners.SetSubPartnerState(r.Context(), state(r).actor.PartnerID, r.PathValue("id"), st); err != nil {
		return err
	}
	if st == tenantry.PartnerSuspended {
		s.flash(w, "hub.subpartners.flash_suspended")
	} else {
		s.flash(w, "hub.subpartners.flash_reactivated")
	}
	return redirect(w, r, "/settings/subpartners")
}
