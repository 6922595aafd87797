package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tenantry/tenantry"
)

// The onboarding-template wizard: offer type → primary settings → wholesale
// calling (the optional PSTN vendor) → authentication → email and common
// settings → summary → submit. Editing a template runs the same wizard from
// its summary.

var templateSteps = []string{"offer", "primary", "calling", "auth", "email", "summary"}

// templateDraft is the wizard's state between steps.
type templateDraft struct {
	Offers         []string `json:"offers"`
	Name           string   `json:"name"`
	Country        string   `json:"country"`
	AdminID        string   `json:"adminId"`
	SubscriptionID string   `json:"subscriptionId"`
	EmailLanguage  string   `json:"emailLanguage"`
	PSTNVendor     string   `json:"pstnVendor"`
	AuthMethod     string   `json:"authMethod"`
	IdPEntityID    string   `json:"idpEntityId"`
	IdPName        string   `json:"idpName"`
	MetadataFile   string   `json:"metadataFile"`
	BrandName      string   `json:"brandName"`
	AllowInvites   bool     `json:"allowInvites"`
	W2W            bool     `json:"w2w"`
	Reached        int      `json:"reached"` // the furthest step reached
}

// template builds the domain's template from the draft.
func (d *templateDraft) template() *tenantry.Template {
	t := &tenantry.Template{
		Name: strings.TrimSpace(d.Name), Country: d.Country, ServiceProviderAdminID: d.AdminID, SubscriptionID: d.SubscriptionID,
		EmailLanguage: d.EmailLanguage, PSTNVendor: strings.TrimSpace(d.PSTNVendor),
		Auth:      tenantry.Authentication{Method: tenantry.AuthMethod(d.AuthMethod)},
		BrandName: strings.TrimSpace(d.BrandName), AllowAdminInviteEmails: d.AllowInvites, WebexToWebexCalling: d.W2W && d.both(),
	}
	switch t.Auth.Method {
	case tenantry.AuthSAML:
		t.Auth.IdPEntityID = strings.TrimSpace(d.IdPEntityID)
	case tenantry.AuthOIDC:
		t.Auth.IdPName = strings.TrimSpace(d.IdPName)
	}
	for _, o := range d.Offers {
		t.OfferTypes = append(t.OfferTypes, tenantry.OfferType(o))
	}
	return t
}

// both reports whether both offer types are chosen: only then is the
// Webex-to-Webex calling toggle offered (rule T5).
func (d *templateDraft) both() bool {
	return slices.Contains(d.Offers, string(tenantry.OfferWholesale)) && slices.Contains(d.Offers, string(tenantry.OfferBroadWorks))
}

func draftFromTemplate(t *tenantry.Template) *templateDraft {
	d := &templateDraft{Name: t.Name, Country: t.Country, AdminID: t.ServiceProviderAdminID, SubscriptionID: t.SubscriptionID,
		EmailLanguage: t.EmailLanguage, PSTNVendor: t.PSTNVendor, AuthMethod: string(t.Auth.Method), IdPEntityID: t.Auth.IdPEntityID,
		IdPName: t.Auth.IdPName, BrandName: t.BrandName, AllowInvites: t.AllowAdminInviteEmails, W2W: t.WebexToWebexCalling,
		Reached: len(templateSteps) - 1}
	for _, o := range t.OfferTypes {
		d.Offers = append(d.Offers, string(o))
	}
	return d
}

// templateFields maps the domain's field paths to the wizard's fields.
var templateFields = map[string]string{
	"name": "name", "country": "country", "serviceProviderAdminId": "admin", "subscriptionId": "subscription",
	"emailLanguage": "emailLanguage", "pstnVendor": "pstnVendor", "authentication.method": "authMethod",
	"authentication.idpEntityId": "idpEntityId", "authentication.idpName": "idpName", "metadata": "metadata",
	"brandName": "brandName", "webexToWebexCalling": "w2w", "offerTypes": "offers", "offerTypes[": "offers",
}

var templateLabels = map[string]string{
	"name": "hub.template.name", "country": "hub.template.country", "admin": "hub.template.admin",
	"subscription": "hub.template.subscription", "emailLanguage": "hub.template.email_language",
	"pstnVendor": "hub.template.pstn", "authMethod": "hub.template.auth", "idpEntityId": "hub.template.idp_entity_id",
	"idpName": "hub.template.idp_name", "metadata": "hub.template.metadata", "brandName": "hub.template.brand",
	"w2w": "hub.template.w2w", "offers": "hub.template.offer",
}

func templateStepOf(field string) string {
	switch field {
	case "offers":
		return "offer"
	case "name", "country", "admin", "subscription", "emailLanguage":
		return "primary"
	case "pstnVendor":
		return "calling"
	case "authMethod", "idpEntityId", "idpName", "metadata":
		return "auth"
	case "brandName", "w2w":
		return "email"
	}
	return "summary"
}

// templateWizard is the data of a wizard page.
type templateWizard struct {
	Draft      *templateDraft
	Step       string
	Steps      []stepLink
	Base       string
	Editing    bool
	Return     bool // the step was opened from the summary's Edit link
	Admins     []option
	Subs       []option
	EmailLangs []option
	Both       bool
	AdminLabel string
	SubLabel   string
	Started    bool // a new template's draft with answers: its first step offers to start over
}

func draftKind(draft string) string { return "template:" + draft }

// templateWizardStart opens the new-template wizard, taking up a draft in
// progress where it was left (a GET changes nothing);
// templateWizardRestart discards it.
func (s *Server) templateWizardStart(w http.ResponseWriter, r *http.Request) error {
	return redirect(w, r, "/templates/wizard/new/offer")
}

// templateWizardRestart discards the new template's draft and starts again.
func (s *Server) templateWizardRestart(w http.ResponseWriter, r *http.Request) error {
	if err := s.saveDraft(r, draftKind("new"), nil); err != nil {
		return err
	}
	return redirect(w, r, "/templates/wizard/new/offer")
}

func (s *Server) templateEditStart(w http.ResponseWriter, r *http.Request) error {
	t, err := s.svc.Templates.Template(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.saveDraft(r, draftKind(t.ID), draftFromTemplate(t)); err != nil {
		return err
	}
	return redirect(w, r, "/templates/wizard/"+t.ID+"/summary")
}

// draftFor loads the draft of a wizard run; an edit whose draft is gone
// starts again from the template (which must be the actor's).
func (s *Server) templateDraftFor(r *http.Request, draft string) (*templateDraft, error) {
	d := &templateDraft{}
	ok, err := s.loadDraft(r, draftKind(draft), d)
	if err != nil || ok {
		return d, err
	}
	if draft == "new" {
		return &templateDraft{Offers: []string{string(tenantry.OfferWholesale)}, AuthMethod: string(tenantry.AuthPlatform), EmailLanguage: state(r).lang}, nil
	}
	t, err := s.svc.Templates.Template(r.Context(), state(r).actor, draft)
	if err != nil {
		return nil, err
	}
	return draftFromTemplate(t), nil
}

func (s *Server) templateWizardPage(w http.ResponseWriter, r *http.Request) error {
	draft, step := r.PathValue("draft"), r.PathValue("step")
	i, err := stepOf(templateSteps, step)
	if err != nil {
		return err
	}
	d, err := s.templateDraftFor(r, draft)
	if err != nil {
		return err
	}
	if i > d.Reached {
		return redirect(w, r, "/templates/wizard/"+draft+"/"+templateSteps[d.Reached])
	}
	return s.renderTemplateWizard(w, r, http.StatusOK, draft, step, d, nil)
}

func (s *Server) renderTemplateWizard(w http.ResponseWriter, r *http.Request, status int, draft, step string, d *templateDraft, err error) error {
	v := s.view(r, "hub.template.wizard_title")
	if draft != "new" {
		v.Title = "hub.template.edit_title"
	}
	v.Nav = "templates"
	base := "/templates/wizard/" + draft + "/"
	p := &templateWizard{Draft: d, Step: step, Base: base, Editing: draft != "new", Both: d.both(), Started: draft == "new" && (d.Reached > 0 || d.Name != ""),
		Return: r.FormValue("return") == "summary"}
	p.Steps = wizardSteps(v, base, templateSteps, step, d.Reached)
	a := state(r).actor
	admins, aerr := s.svc.Partners.Admins(r.Context(), a.OrgID)
	if aerr != nil {
		return aerr
	}
	for _, ad := range admins {
		label := ad.DisplayName + " (" + ad.Email + ")"
		if ad.DisplayName == ad.Email {
			label = ad.Email
		}
		p.Admins = append(p.Admins, option{Value: ad.ID, Label: label})
		if ad.ID == d.AdminID {
			p.AdminLabel = label
		}
	}
	subs, serr := s.svc.Partners.Subscriptions(r.Context(), a.OrgID)
	if serr != nil {
		return serr
	}
	for _, sub := range subs {
		p.Subs = append(p.Subs, option{Value: sub.ID, Label: sub.Name})
		if sub.ID == d.SubscriptionID {
			p.SubLabel = sub.Name
		}
	}
	for _, l := range tenantry.EmailLanguages {
		p.EmailLangs = append(p.EmailLangs, option{Value: l, Label: v.LangName(l)})
	}
	if err != nil && !s.formProblems(v, err, templateFields, templateLabels) {
		return err
	}
	v.Page = p
	return s.renderStatus(w, r, status, "template_wizard", v)
}

func (s *Server) templateWizardPost(w http.ResponseWriter, r *http.Request) error {
	draft, step := r.PathValue("draft"), r.PathValue("step")
	i, err := stepOf(templateSteps, step)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, tenantry.MaxSAMLMetadata+64<<10)
	d, err := s.templateDraftFor(r, draft)
	if err != nil {
		return err
	}
	if step == "summary" {
		return s.templateSubmit(w, r, draft, d)
	}
	if i > d.Reached {
		// A step not reached yet (or a form of a wizard that has ended)
		// cannot be answered: go to the furthest step reached.
		return redirect(w, r, "/templates/wizard/"+draft+"/"+templateSteps[d.Reached])
	}
	stepErr := s.applyTemplateStep(r, step, d)
	back := r.FormValue("nav") == "back"
	if !back && stepErr == nil {
		stepErr = onStep(s.checkTemplate(d), templateFields, templateStepOf, step)
	}
	if !back && stepErr == nil && i+1 > d.Reached {
		d.Reached = i + 1
	}
	if err := s.saveDraft(r, draftKind(draft), d); err != nil {
		return err
	}
	base := "/templates/wizard/" + draft + "/"
	switch {
	case back && i > 0:
		return redirect(w, r, base+templateSteps[i-1])
	case back:
		return redirect(w, r, "/templates")
	case stepErr != nil:
		return s.renderTemplateWizard(w, r, statusOf(stepErr), draft, step, d, stepErr)
	case r.FormValue("return") == "summary":
		return redirect(w, r, base+"summary")
	}
	return redirect(w, r, base+templateSteps[i+1])
}

// checkTemplate runs the domain's validation of the template so far.
func (s *Server) checkTemplate(d *templateDraft) error {
	t := d.template()
	t.Normalize()
	ps := t.Validate()
	if len(d.Offers) == 0 {
		ps = append(ps, tenantry.Problem{Field: "offerTypes", Reason: tenantry.ReasonRequired})
	}
	return tenantry.Invalid(ps)
}

// applyTemplateStep copies a step's form into the draft. An uploaded SAML
// metadata file fills the IdP Entity ID; a file that is not SAML metadata
// is an error on the file's field.
func (s *Server) applyTemplateStep(r *http.Request, step string, d *templateDraft) error {
	switch step {
	case "offer":
		d.Offers = nil
		for _, o := range []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks} {
			if r.FormValue("offer_"+string(o)) == "on" {
				d.Offers = append(d.Offers, string(o))
			}
		}
	case "primary":
		d.Name, d.Country = r.FormValue("name"), r.FormValue("country")
		d.AdminID, d.SubscriptionID, d.EmailLanguage = r.FormValue("admin"), r.FormValue("subscription"), r.FormValue("emailLanguage")
	case "calling":
		d.PSTNVendor = r.FormValue("pstnVendor")
	case "auth":
		d.AuthMethod = r.FormValue("authMethod")
		d.IdPEntityID, d.IdPName = r.FormValue("idpEntityId"), r.FormValue("idpName")
		f, hdr, err := r.FormFile("metadata")
		if err == nil {
			defer f.Close()
			id, perr := tenantry.SAMLEntityID(f, "metadata")
			if perr != nil {
				return perr
			}
			d.IdPEntityID, d.MetadataFile, d.AuthMethod = id, hdr.Filename, string(tenantry.AuthSAML)
		}
	case "email":
		d.BrandName = r.FormValue("brandName")
		d.AllowInvites = r.FormValue("allowInvites") == "on"
		d.W2W = r.FormValue("w2w") == "on" && d.both()
	}
	return nil
}

// templateSubmit creates (or updates) the template through the same
// service as the API. A problem is shown on the step its field belongs to.
func (s *Server) templateSubmit(w http.ResponseWriter, r *http.Request, draft string, d *templateDraft) error {
	base := "/templates/wizard/" + draft + "/"
	if r.FormValue("nav") == "back" {
		return redirect(w, r, base+"email")
	}
	last := len(templateSteps) - 1
	if d.Reached < last {
		// Not every step was answered (or the wizard has ended and this
		// form was sent again): go to the furthest step reached.
		return redirect(w, r, base+templateSteps[d.Reached])
	}
	// Every step's saved answers are checked again: a step whose last
	// answer was refused is shown with its errors rather than submitted.
	if step, serr := firstInvalidStep(s.checkTemplate(d), templateFields, templateStepOf, templateSteps[:last]); step != "" {
		return s.renderTemplateWizard(w, r, statusOf(serr), draft, step, d, serr)
	}
	t := d.template()
	a := state(r).actor
	var err error
	if draft == "new" {
		err = s.svc.Templates.CreateTemplate(r.Context(), a, t)
	} else {
		t.ID = draft
		err = s.svc.Templates.UpdateTemplate(r.Context(), a, t)
	}
	if err != nil {
		e := tenantry.AsError(err)
		if len(e.Problems) == 0 || e.Code == tenantry.EINTERNAL {
			return err
		}
		step := templateStepOf(formField(templateFields, e.Problems[0].Field))
		return s.renderTemplateWizard(w, r, statusOf(err), draft, step, d, onStep(err, templateFields, templateStepOf, step))
	}
	if err := s.saveDraft(r, draftKind(draft), nil); err != nil {
		return err
	}
	if draft == "new" {
		s.flash(w, "hub.template.created_flash")
	} else {
		s.flash(w, "hub.template.updated")
	}
	return redirect(w, r, "/templates/"+t.ID)
}
