package api

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// subPartnerJSON is the wholesale SubPartner, with its name, which is
// Tenantry's (set only when the client asked for Tenantry's fields).
type subPartnerJSON struct {
	OrgID             string             `json:"orgId"`
	Name              string             `json:"name,omitempty"`
	SubscriptionID    string             `json:"subscriptionId"`
	ProvisioningState string             `json:"provisioningState"`
	Created           tenantry.Timestamp `json:"created"`
	BillingStartDate  tenantry.Timestamp `json:"billingStartDate"`
}

func (s *Server) principal(r *http.Request) *tenantry.Principal {
	p, _ := r.Context().Value(principalKey).(*tenantry.Principal)
	return p
}

func (s *Server) listSubPartners(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := page(q)
	if err != nil {
		return err
	}
	state := q.Get("provisioningState")
	if state != "" && state != tenantry.PartnerActive && state != tenantry.PartnerSuspended {
		return tenantry.FieldError(tenantry.EINVALID, "provisioningState", tenantry.ReasonInvalidEnum, "value", state, "allowed", "active, suspended")
	}
	ps, total, err := s.svc.Partners.SubPartners(r.Context(), s.principal(r).PartnerID, state, p)
	if err != nil {
		return err
	}
	ext := extensions(r)
	items := make([]subPartnerJSON, len(ps))
	for i, sp := range ps {
		items[i] = subPartnerJSON{OrgID: sp.ID, SubscriptionID: sp.SubscriptionID, ProvisioningState: sp.ProvisioningState, Created: tenantry.Timestamp(sp.Created), BillingStartDate: tenantry.Timestamp(sp.BillingStartDate)}
		if ext {
			items[i].Name = sp.Name
		}
	}
	setLinks(w, r, p, total)
	// The reference's schema names the list `items`, its own example and
	// the public Postman collection `subPartners`: both carry the page,
	// whatever the client asked, so that scripts written against either
	// read it; a client generated from the schema refuses the second name
	// (NOTES.md: which clients each choice breaks).
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "subPartners": items})
}

func (s *Server) listAdmins(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	as, err := s.svc.Partners.Admins(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	items := make([]map[string]string, len(as))
	for i, ad := range as {
		items[i] = map[string]string{"id": ad.ID, "email": ad.Email, "displayName": ad.DisplayName, "role": ad.Role, "language": ad.Language}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	ss, err := s.svc.Partners.Subscriptions(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(ss))
	for i, sub := range ss {
		items[i] = map[string]any{"id": sub.ID, "name": sub.Name, "maxQuantity": sub.MaxQuantity, "created": tenantry.Timestamp(sub.Created)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
