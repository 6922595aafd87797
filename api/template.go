package api

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// templateJSON is a template on the wire; the same type reads requests
// (closed: unknown fields are refused) and writes responses.
type templateJSON struct {
	ID                     string                   `json:"id,omitempty"`
	ProvisioningID         string                   `json:"provisioningId,omitempty"`
	Name                   string                   `json:"name"`
	Country                string                   `json:"country"`
	ServiceProviderAdminID string                   `json:"serviceProviderAdminId"`
	SubscriptionID         string                   `json:"subscriptionId"`
	EmailLanguage          string                   `json:"emailLanguage,omitempty"`
	PSTNVendor             string                   `json:"pstnVendor,omitempty"`
	Authentication         *tenantry.Authentication `json:"authentication,omitempty"`
	BrandName              string                   `json:"brandName,omitempty"`
	AllowAdminInviteEmails bool                     `json:"allowAdminInviteEmails"`
	OfferTypes             []tenantry.OfferType     `json:"offerTypes,omitempty"`
	WebexToWebexCalling    bool                     `json:"webexToWebexCalling"`
	Created                tenantry.Timestamp       `json:"created,omitzero"`
	Updated                tenantry.Timestamp       `json:"updated,omitzero"`
}

// templateInput is the writable part of a template.
type templateInput struct {
	Name                   string                   `json:"name"`
	Country                string                   `json:"country"`
	ServiceProviderAdminID string                   `json:"serviceProviderAdminId"`
	SubscriptionID         string                   `json:"subscriptionId"`
	EmailLanguage          string                   `json:"emailLanguage"`
	PSTNVendor             string                   `json:"pstnVendor"`
	Authentication         *tenantry.Authentication `json:"authentication"`
	BrandName              string                   `json:"brandName"`
	AllowAdminInviteEmails bool                     `json:"allowAdminInviteEmails"`
	OfferTypes             []tenantry.OfferType     `json:"offerTypes"`
	WebexToWebexCalling    bool                     `json:"webexToWebexCalling"`
}

func (in *templateInput) template() *tenantry.Template {
	t := &tenantry.Template{
		Name: in.Name, Country: in.Country, ServiceProviderAdminID: in.ServiceProviderAdminID, SubscriptionID: in.SubscriptionID,
		EmailLanguage: in.EmailLanguage, PSTNVendor: in.PSTNVendor, BrandName: in.BrandName,
		AllowAdminInviteEmails: in.AllowAdminInviteEmails, OfferTypes: in.OfferTypes, WebexToWebexCalling: in.WebexToWebexCalling,
	}
	if in.Authentication != nil {
		t.Auth = *in.Authentication
	}
	return t
}

func toTemplateJSON(t *tenantry.Template) templateJSON {
	auth := t.Auth
	return templateJSON{
		ID: t.ID, ProvisioningID: t.ProvisioningID, Name: t.Name, Country: t.Country, ServiceProviderAdminID: t.ServiceProviderAdminID,
		SubscriptionID: t.SubscriptionID, EmailLanguage: t.EmailLanguage, PSTNVendor: t.PSTNVendor, Authentication: &auth,
		BrandName: t.BrandName, AllowAdminInviteEmails: t.AllowAdminInviteEmails, OfferTypes: t.OfferTypes,
		WebexToWebexCalling: t.WebexToWebexCalling, Created: tenantry.Timestamp(t.Created), Updated: tenantry.Timestamp(t.Updated),
	}
}

func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var in templateInput
	if err := collect(aerr, decode(r, &in, true)); err != nil {
		return err
	}
	t := in.template()
	render := func(tpl *tenantry.Template) answer {
		return answer{status: http.StatusCreated, location: baseURL(r) + "/v1/wholesale/templates/" + tpl.ID, body: toTemplateJSON(tpl)}
	}
	answerWith(r, render)
	if err := s.svc.Templates.CreateTemplate(r.Context(), a, t); err != nil {
		return err
	}
	return render(t).write(w)
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	t, err := s.svc.Templates.Template(r.Context(), a, r.PathValue("templateId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTemplateJSON(t))
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	p, err := page(r.URL.Query())
	if err := collect(aerr, err); err != nil {
		return err
	}
	ts, total, err := s.svc.Templates.Templates(r.Context(), a, p)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, ts, toTemplateJSON)
}

func (s *Server) updateTemplate(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var in templateInput
	if err := collect(aerr, decode(r, &in, true)); err != nil {
		return err
	}
	t := in.template()
	t.ID = r.PathValue("templateId")
	if err := s.svc.Templates.UpdateTemplate(r.Context(), a, t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toTemplateJSON(t))
}

func (s *Server) deleteTemplate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Templates.DeleteTemplate(r.Context(), a, r.PathValue("templateId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
