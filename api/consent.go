package api

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// consentRoutes lists the route of the consent email's links (rule U3).
func (s *Server) consentRoutes() []route {
	return []route{
		// The link in the consent email: its recipient has no token; the
		// link's own unguessable, single-use token is the credential.
		{"GET", "/v1/consents/{token}", "", s.consentLink},
	}
}

// consentJSON is what a consent link answers: the decision recorded and
// where the user stands now.
type consentJSON struct {
	Decision string `json:"decision"`
	Status   string `json:"status"`
}

// consents is the service behind the links: the subscriber service, when
// it answers them (sqldb does). Without it every link is unknown.
func (s *Server) consents() (tenantry.ConsentService, bool) {
	cs, ok := s.svc.Subscribers.(tenantry.ConsentService)
	return cs, ok
}

// consentLink is where the consent email's links lead: accept provisions
// the user, reject leaves it pending. A link works once.
func (s *Server) consentLink(w http.ResponseWriter, r *http.Request) error {
	var d tenantry.ConsentDecision
	switch v := r.URL.Query().Get("decision"); v {
	case string(tenantry.ConsentAccept), string(tenantry.ConsentReject):
		d = tenantry.ConsentDecision(v)
	case "":
		return tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonRequired)
	default:
		return tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonInvalidEnum, "value", v, "allowed", "accept, reject")
	}
	cs, ok := s.consents()
	if !ok {
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "consent")
	}
	res, err := cs.DecideConsentByToken(r.Context(), r.PathValue("token"), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, consentJSON{Decision: string(res.Decision), Status: string(res.Status)})
}
