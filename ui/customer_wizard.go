package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// The create-customer wizard: customer information (with the
// supported-location confirmation) → packages and add-ons (with the optional
// package quantities) → headquarters location → summary → Create. Every
// check is the domain's: the wizard runs CustomerInput.Validate on each
// step and CreateCustomer at the end, showing each problem on its step.

var customerSteps = []string{"info", "packages", "location", "summary"}

const customerDraftKind = "customer:new"

// customerDraft is the wizard's state between steps.
type customerDraft struct {
	Name         string            `json:"name"`
	Email        string            `json:"email"`
	ExternalID   string            `json:"externalId"`
	Country      string            `json:"country"`
	TemplateID   string            `json:"templateId"`
	Confirmed    bool              `json:"confirmed"`
	Packages     []string          `json:"packages"`
	Quantities   bool              `json:"quantities"`
	Limits       map[string]string `json:"limits"` // as typed, so a bad number is shown back
	Line1        string            `json:"line1"`
	Line2        string            `json:"line2"`
	City         string            `json:"city"`
	State        string            `json:"state"`
	Postal       string            `json:"postal"`
	LocationName string            `json:"locationName"`
	TimeZone     string            `json:"timeZone"`
	Language     string            `json:"language"`
	// HQCountry is the country the headquarters step was answered for:
	// its time zone, state and postal code are that country's. When the
	// customer's country is changed, they no longer count (hqStale).
	HQCountry string `json:"hqCountry,omitempty"`
	Reached   int    `json:"reached"`
	// Created is set once the wizard has created its customer: a second
	// Create (a form sent again) goes to that customer.
	Created string `json:"created,omitempty"`
}

// hqStale reports whether the headquarters answers were given for another
// country than the customer's.
func (d *customerDraft) hqStale() bool {
	return d.HQCountry != "" && d.HQCountry != d.Country
}

// input builds the domain's request from the draft. provisioningID is the
// chosen template's.
func (d *customerDraft) input(provisioningID, adminID string) *tenantry.CustomerInput {
	tr := strings.TrimSpace
	addr := &tenantry.Address{Line1: tr(d.Line1), Line2: tr(d.Line2), City: tr(d.City), PostalCode: tr(d.Postal), Country: d.Country}
	if tenantry.RequiresState(d.Country) {
		addr.State = tr(d.State) // the step asks for one only there
	}
	in := &tenantry.CustomerInput{
		ProvisioningID: provisioningID, Packages: slices.Clone(d.Packages), ExternalID: tr(d.ExternalID), Address: addr,
		Info:             &tenantry.CustomerInfo{Name: tr(d.Name), PrimaryEmail: tr(d.Email), Language: d.Language},
		MeetingsTimeZone: d.TimeZone, LocationConfirmedBy: adminID,
	}
	if in.Packages == nil {
		in.Packages = []string{}
	}
	pkgs := make([]tenantry.Package, len(d.Packages))
	for i, p := range d.Packages {
		pkgs[i] = tenantry.Package(p)
	}
	if tenantry.HasCalling(pkgs) {
		name := tr(d.LocationName)
		if name == "" {
			name = tr(d.Name)
			if len([]rune(name)) > tenantry.MaxLocationName {
				name = string([]rune(name)[:tenantry.MaxLocationName])
			}
		}
		in.Calling = &tenantry.CallingLocation{Name: name, Address: *addr, TimeZone: d.TimeZone, Language: d.Language}
	}
	if d.Quantities {
		in.Limits = map[string]int{}
		for _, p := range d.Packages {
			raw, ok := d.Limits[p]
			if !ok || strings.TrimSpace(raw) == "" {
				continue // the domain says which quantities are missing (Q1)
			}
			n, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil {
				n = 0 // not a number: the domain's "at least 1" (Q8) names the field
			}
			in.Limits[p] = n
		}
	}
	return in
}

// customerFields maps the domain's field paths to the wizard's fields.
var customerFields = map[string]string{
	tenantry.FieldName: "name", "customerInfo": "name", tenantry.FieldPrimaryEmail: "email", tenantry.FieldExternalID: "externalId",
	tenantry.FieldProvisioningID: "template", "address.country": "country", "confirm": "confirm",
	tenantry.FieldPackages: "packages", tenantry.FieldPackages + "[": "packages", tenantry.FieldLimits: "quantities", tenantry.FieldLimits + ".": "limit.",
	"address": "line1", "address.addressLine1": "line1", "address.addressLine2": "line2", "address.city": "city",
	"address.stateOrProvince": "state", "address.zipOrPostalCode": "postal",
	tenantry.FieldCalling: "locationName", tenantry.FieldCalling + ".name": "locationName",
	tenantry.FieldCalling + ".timezone": "timeZone", tenantry.FieldCalling + ".language": "language",
	tenantry.FieldCalling + ".address.addressLine1": "line1", tenantry.FieldCalling + ".address.addressLine2": "line2",
	tenantry.FieldCalling + ".address.city": "city", tenantry.FieldCalling + ".address.stateOrProvince": "state",
	tenantry.FieldCalling + ".address.zipOrPostalCode": "postal", tenantry.FieldCalling + ".address.country": "country",
	tenantry.FieldCalling + ".emergencyLocationIdentifier": "locationName",
	tenantry.FieldMeetingsTZ:                               "timeZone", tenantry.FieldLanguage: "language",
}

var customerLabels = map[string]string{
	"name": "hub.customers.name", "email": "hub.customer.admin_email", "externalId": "hub.customer.external_id",
	"template": "hub.customer.template", "country": "hub.wizard.country", "confirm": "hub.customer.confirmed",
	"packages": "hub.customer.packages", "quantities": "hub.wizard.quantities",
	"line1": "hub.address.line1", "line2": "hub.address.line2", "city": "hub.address.city", "state": "hub.address.state",
	"postal": "hub.address.postal", "locationName": "hub.wizard.location_name", "timeZone": "hub.wizard.time_zone",
	"language": "hub.customer.language", "limit": "hub.customer.quantity",
}

func customerStepOf(field string) string {
	switch {
	case field == "name" || field == "email" || field == "externalId" || field == "template" || field == "country" || field == "confirm":
		return "info"
	case field == "packages" || field == "quantities" || strings.HasPrefix(field, "limit."):
		return "packages"
	case field == "":
		return "summary"
	}
	return "location"
}

// customerWizard is the data of a wizard page.
type customerWizard struct {
	Draft       *customerDraft
	Started     bool // the draft holds answers: the first step offers to start over
	Step        string
	Steps       []stepLink
	Return      bool
	Templates   []option
	Template    string // the chosen template's name
	Packages    []packageChoice
	MaxQuantity int
	NeedsState  bool
	NeedsPostal bool
	Calling     bool
	TimeZones   []string
	Languages   []option
	Region      tenantry.Region
}

// packageChoice is one package on the packages step.
type packageChoice struct {
	Name     string
	Label    string
	Hint     string
	AddOn    bool
	Checked  bool
	Quantity string
	TakesQty bool
	Error    string
	QtyError string
}

// customerWizardStart opens the wizard: a draft in progress is taken up
// where it was left (a GET changes nothing: a link's prefetch loses no
// typing); customerWizardRestart discards it.
func (s *Server) customerWizardStart(w http.ResponseWriter, r *http.Request) error {
	return redirect(w, r, "/customers/new/info")
}

// customerWizardRestart discards the draft in progress and starts again.
func (s *Server) customerWizardRestart(w http.ResponseWriter, r *http.Request) error {
	if err := s.saveDraft(r, customerDraftKind, nil); err != nil {
		return err
	}
	return redirect(w, r, "/customers/new/info")
}

// started reports whether the draft holds anything typed or chosen.
func (d *customerDraft) started() bool {
	return d.Reached > 0 || d.Name != "" || d.Email != "" || d.ExternalID != "" || d.Country != "" || d.TemplateID != ""
}

// customerDraft loads the wizard's draft. The draft of a wizard that has
// created its customer keeps only the customer's id, returned as created;
// the wizard then starts over.
func (s *Server) customerDraft(r *http.Request) (d *customerDraft, created string, err error) {
	d = &customerDraft{}
	ok, err := s.loadDraft(r, customerDraftKind, d)
	if err != nil {
		return nil, "", err
	}
	if !ok || d.Created != "" {
		return &customerDraft{Language: state(r).lang}, d.Created, nil
	}
	return d, "", nil
}

func (s *Server) customerWizardPage(w http.ResponseWriter, r *http.Request) error {
	step := r.PathValue("step")
	i, err := stepOf(customerSteps, step)
	if err != nil {
		return err
	}
	d, _, err := s.customerDraft(r)
	if err != nil {
		return err
	}
	if i > d.Reached {
		return redirect(w, r, "/customers/new/"+customerSteps[d.Reached])
	}
	var stale error
	if step == "location" && d.hqStale() {
		// The country was changed since: say at once which answers
		// were given for the other one.
		stale = tenantry.Invalid(d.staleHQ())
	}
	return s.renderCustomerWizard(w, r, http.StatusOK, step, d, stale)
}

// templates returns the actor's templates.
func (s *Server) templates(r *http.Request) ([]*tenantry.Template, error) {
	ts, _, err := s.svc.Templates.Templates(r.Context(), state(r).actor, tenantry.Page{Max: tenantry.MaxPageMax})
	return ts, err
}

func provisioningIDOf(ts []*tenantry.Template, id string) string {
	if t := templateOf(ts, id); t != nil {
		return t.ProvisioningID
	}
	return ""
}

func templateOf(ts []*tenantry.Template, id string) *tenantry.Template {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// maxQuantity is the partner's maximum package quantity (rule Q4) for
// customers of tpl: that of the template's subscription, as the create
// reads it. Without a template it is the first subscription's, for the
// packages step's hint; 0 when there is none (no maximum).
func (s *Server) maxQuantity(r *http.Request, tpl *tenantry.Template) (int, error) {
	subs, err := s.svc.Partners.Subscriptions(r.Context(), state(r).actor.OrgID)
	if err != nil || len(subs) == 0 {
		return 0, err
	}
	if tpl == nil {
		return subs[0].MaxQuantity, nil
	}
	for _, sub := range subs {
		if sub.ID == tpl.SubscriptionID {
			return sub.MaxQuantity, nil
		}
	}
	return 0, nil
}

func (s *Server) renderCustomerWizard(w http.ResponseWriter, r *http.Request, status int, step string, d *customerDraft, err error) error {
	v := s.view(r, "hub.wizard.customer_title")
	v.Nav = "customers"
	p := &customerWizard{Draft: d, Step: step, Return: r.FormValue("return") == "summary", Started: d.started(),
		NeedsState: tenantry.RequiresState(d.Country), NeedsPostal: tenantry.RequiresPostalCode(d.Country),
		TimeZones: zonesOf(d.Country), Region: tenantry.RegionFor(d.Country)}
	p.Steps = wizardSteps(v, "/customers/new/", customerSteps, step, d.Reached)
	ts, terr := s.templates(r)
	if terr != nil {
		return terr
	}
	for _, t := range ts {
		p.Templates = append(p.Templates, option{Value: t.ID, Label: t.Name})
		if t.ID == d.TemplateID {
			p.Template = t.Name
		}
	}
	if max, merr := s.maxQuantity(r, templateOf(ts, d.TemplateID)); merr == nil {
		p.MaxQuantity = max
	}
	if err != nil && !s.formProblems(v, err, customerFields, customerLabels) {
		return err
	}
	var pkgs []tenantry.Package
	for _, name := range tenantry.Packages {
		pc := packageChoice{Name: string(name), Label: v.Package(name), AddOn: name.AddOn(), Checked: slices.Contains(d.Packages, string(name)),
			Quantity: d.Limits[string(name)], TakesQty: name.TakesQuantity(), QtyError: v.Errors.byField["limit."+string(name)]}
		if req := name.Requires(); len(req) > 0 {
			var names []string
			for _, q := range req {
				names = append(names, v.Package(q))
			}
			pc.Hint = v.T("hub.wizard.needs_one_of", "packages", strings.Join(names, ", "))
		}
		p.Packages = append(p.Packages, pc)
		if pc.Checked {
			pkgs = append(pkgs, name)
		}
	}
	p.Calling = tenantry.HasCalling(pkgs)
	for _, l := range customerLanguages {
		p.Languages = append(p.Languages, option{Value: l, Label: v.LangName(l)})
	}
	v.Page = p
	return s.renderStatus(w, r, status, "customer_wizard", v)
}

// customerLanguages are the languages offered for a customer's users and
// location; the domain accepts any language tag.
var customerLanguages = []string{"en", "pt-BR", "es", "sv", "ko", "ar", "de", "fr", "it", "ja", "nl", "zh-CN"}

func (s *Server) customerWizardPost(w http.ResponseWriter, r *http.Request) error {
	step := r.PathValue("step")
	i, err := stepOf(customerSteps, step)
	if err != nil {
		return err
	}
	d, created, err := s.customerDraft(r)
	if err != nil {
		return err
	}
	back := r.FormValue("nav") == "back"
	if step == "summary" {
		switch {
		case back:
			return redirect(w, r, "/customers/new/location")
		case created != "":
			// The customer was created by this very form, sent again
			// (Back, then Create): show it rather than make another.
			return redirect(w, r, "/customers?selected="+url.QueryEscape(created))
		}
		return s.customerCreate(w, r, d)
	}
	if i > d.Reached {
		// A step not reached yet (or a form of a wizard that has ended)
		// cannot be answered: go to the furthest step reached.
		return redirect(w, r, "/customers/new/"+customerSteps[d.Reached])
	}
	applyCustomerStep(r, step, d)
	var stepErr error
	if !back {
		stepErr = s.checkCustomerStep(r, step, d)
	}
	if err := tenantry.ErrorCode(stepErr); err == tenantry.EINTERNAL {
		return stepErr
	}
	if !back && stepErr == nil && i+1 > d.Reached {
		d.Reached = i + 1
	}
	if err := s.saveDraft(r, customerDraftKind, d); err != nil {
		return err
	}
	switch {
	case back && i > 0:
		return redirect(w, r, "/customers/new/"+customerSteps[i-1])
	case back:
		return redirect(w, r, "/customers")
	case stepErr != nil:
		return s.renderCustomerWizard(w, r, statusOf(stepErr), step, d, stepErr)
	case r.FormValue("return") == "summary" && step == "info" && d.hqStale():
		// The country changed: the headquarters needs answers for it.
		return redirect(w, r, "/customers/new/location?return=summary")
	case r.FormValue("return") == "summary":
		return redirect(w, r, "/customers/new/summary")
	}
	return redirect(w, r, "/customers/new/"+customerSteps[i+1])
}

func applyCustomerStep(r *http.Request, step string, d *customerDraft) {
	switch step {
	case "info":
		d.Name, d.Email, d.ExternalID = r.FormValue("name"), r.FormValue("email"), r.FormValue("externalId")
		d.Country, d.TemplateID, d.Confirmed = r.FormValue("country"), r.FormValue("template"), r.FormValue("confirm") == "on"
	case "packages":
		d.Packages = nil
		d.Limits = map[string]string{}
		for _, p := range tenantry.Packages {
			if r.FormValue("pkg."+string(p)) == "on" {
				d.Packages = append(d.Packages, string(p))
			}
			if q := strings.TrimSpace(r.FormValue("limit." + string(p))); q != "" {
				d.Limits[string(p)] = q
			}
		}
		// The customer does not exist yet, so quantity selection may still
		// be turned off here; rule Q2 holds from Create on.
		d.Quantities = r.FormValue("quantities") == "on"
	case "location":
		d.Line1, d.Line2, d.City = r.FormValue("line1"), r.FormValue("line2"), r.FormValue("city")
		d.State, d.Postal = r.FormValue("state"), r.FormValue("postal")
		d.LocationName, d.TimeZone, d.Language = r.FormValue("locationName"), r.FormValue("timeZone"), r.FormValue("language")
		// The form says which country it was shown for: one shown for a
		// country since changed (Back to an older page) is that country's.
		d.HQCountry = r.FormValue("hqCountry")
		if d.HQCountry == "" {
			d.HQCountry = d.Country
		}
	}
}

// checkCustomerStep runs the domain's checks and keeps those of the step.
func (s *Server) checkCustomerStep(r *http.Request, step string, d *customerDraft) error {
	return onStep(s.customerProblems(r, d), customerFields, customerStepOf, step)
}

// customerProblems runs the checks of every step on the draft: the
// domain's checks of the request (CustomerInput.Validate) and the quantity
// rules the create checks against the partner's maximum (CheckQuantities),
// the confirmation and chosen template of the info step, and whether the
// headquarters answers are for the customer's country.
func (s *Server) customerProblems(r *http.Request, d *customerDraft) error {
	ts, err := s.templates(r)
	if err != nil {
		return err
	}
	tpl := templateOf(ts, d.TemplateID)
	in := d.input(provisioningIDOf(ts, d.TemplateID), state(r).session.Admin.ID)
	ps := in.Validate(tenantry.ModeCreate)
	if in.Limits != nil && len(in.Limits) == 0 {
		// Quantity selection is on but no quantity was typed: to the
		// domain an empty set means "off", so rule Q1 is named here.
		for _, p := range in.Packages {
			if tenantry.Package(p).TakesQuantity() {
				ps = append(ps, tenantry.Problem{Field: tenantry.FieldLimits + "." + p, Reason: tenantry.ReasonQuantityRequired, Params: map[string]string{"package": p}})
			}
		}
	}
	if len(in.Limits) > 0 {
		max := 0
		if tpl != nil {
			if max, err = s.maxQuantity(r, tpl); err != nil {
				return err
			}
		}
		// As CreateCustomer checks them: a new customer (no current
		// state, no users) attached to no existing organization.
		_, qps := tenantry.CheckQuantities(nil, nil, packageList(in.Packages), in.Limits, nil, max)
		ps = append(ps, qps...)
	}
	if !d.Confirmed {
		ps = append(ps, tenantry.Problem{Field: "confirm", Reason: tenantry.ReasonLocationConfirm})
	}
	if d.TemplateID != "" && tpl == nil {
		ps = append(ps, tenantry.Problem{Field: tenantry.FieldProvisioningID, Reason: tenantry.ReasonTemplateNotFound})
	}
	if d.hqStale() {
		ps = append(ps, d.staleHQ()...)
	} else if zs := zonesOf(d.Country); zs != nil && d.TimeZone != "" && !slices.Contains(zs, d.TimeZone) {
		// The time zone is a choice among the country's (the location
		// step offers no other): a value from a page of another country
		// is not one of them.
		ps = append(ps, tenantry.Problem{Field: tenantry.FieldMeetingsTZ, Reason: tenantry.ReasonInvalidEnum,
			Params: map[string]string{"value": d.TimeZone, "allowed": strings.Join(zs, ", ")}})
	}
	return tenantry.Invalid(ps)
}

// staleHQ names the headquarters answers given for another country than
// the customer's: they must be given again for its country.
func (d *customerDraft) staleHQ() []tenantry.Problem {
	var ps []tenantry.Problem
	state := d.State
	if !tenantry.RequiresState(d.Country) {
		state = "" // not asked for this country, and not sent
	}
	for _, f := range []struct{ path, value string }{
		{"address.stateOrProvince", state}, {"address.zipOrPostalCode", d.Postal}, {tenantry.FieldMeetingsTZ, d.TimeZone},
	} {
		if strings.TrimSpace(f.value) != "" {
			ps = append(ps, tenantry.Problem{Field: f.path, Reason: tenantry.ReasonHQCountryChanged})
		}
	}
	return ps
}

func packageList(raw []string) []tenantry.Package {
	out := make([]tenantry.Package, len(raw))
	for i, p := range raw {
		out[i] = tenantry.Package(p)
	}
	return out
}

// customerCreate creates the customer through the same service as the
// API; it is then provisioned in the background, and the list shows its
// status change by itself.
func (s *Server) customerCreate(w http.ResponseWriter, r *http.Request, d *customerDraft) error {
	last := len(customerSteps) - 1
	if d.Reached < last {
		return redirect(w, r, "/customers/new/"+customerSteps[d.Reached])
	}
	// Every step's saved answers are checked again: a step whose last
	// answer was refused, or whose answers an earlier step's change made
	// void, is shown with its errors rather than created from.
	if err := s.customerProblems(r, d); err != nil {
		if tenantry.ErrorCode(err) == tenantry.EINTERNAL {
			return err
		}
		if step, serr := firstInvalidStep(err, customerFields, customerStepOf, customerSteps[:last]); step != "" {
			return s.renderCustomerWizard(w, r, statusOf(serr), step, d, serr)
		}
	}
	ts, err := s.templates(r)
	if err != nil {
		return err
	}
	in := d.input(provisioningIDOf(ts, d.TemplateID), state(r).session.Admin.ID)
	c, err := s.svc.Customers.CreateCustomer(r.Context(), state(r).actor, in)
	if err != nil {
		e := tenantry.AsError(err)
		if len(e.Problems) == 0 || e.Code == tenantry.EINTERNAL {
			return err
		}
		step := customerStepOf(formField(customerFields, e.Problems[0].Field))
		if step == "summary" {
			step = "info"
		}
		return s.renderCustomerWizard(w, r, statusOf(err), step, d, onStep(err, customerFields, customerStepOf, step))
	}
	if err := s.saveDraft(r, customerDraftKind, &customerDraft{Created: c.ID}); err != nil {
		return err
	}
	s.flash(w, "hub.wizard.customer_created")
	return redirect(w, r, "/customers?selected="+c.ID)
}
