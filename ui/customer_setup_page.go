package ui

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// The pages of the set-up wizard: each step's rows as form fields, with the
// problems of each row next to its fields and, named by their row, in the
// summary.

// rowFields prefixes the form fields of a row ("user.3.email").
func rowFields(fields map[string]string, prefix string) map[string]string {
	f := make(map[string]string, len(fields))
	for k, v := range fields {
		f[k] = prefix + v
	}
	return f
}

func rowLabels(labels map[string]string, prefix string) map[string]string {
	l := make(map[string]string, len(labels))
	for k, v := range labels {
		l[prefix+k] = v
	}
	return l
}

// addRowProblems shows err's problems next to a row's fields; the summary
// names the row ("User 2: Email: …"). It returns false when err is not one
// to show on the form.
// A problem of a field that the page does not show (onPage false) is
// named in the summary only.
func (s *Server) addRowProblems(v *view, rowLabel string, err error, fields, labels map[string]string, onPage func(string) bool) bool {
	tmp := *v
	tmp.Errors = &formErrors{}
	if !s.formProblems(&tmp, err, fields, labels) {
		return false
	}
	byID := map[string]string{}
	for _, f := range fields {
		byID[fieldID(f)] = f
	}
	for _, e := range tmp.Errors.List {
		f := byID[e.ID]
		if onPage != nil && !onPage(f) {
			f = ""
		}
		v.Errors.addLabeled(f, rowLabel, e.Message)
	}
	return true
}

// addLabeled is add with the summary's message prefixed by label.
func (e *formErrors) addLabeled(field, label, msg string) {
	e.add(field, msg)
	e.List[len(e.List)-1].Message = label + ": " + msg
}

func fieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// setupPage is the data of a set-up wizard page.
type setupPage struct {
	Customer    *tenantry.Customer
	Step        string
	Steps       []stepLink
	NotReady    bool
	ReadOnly    bool
	Existing    []*tenantry.Location
	NeedsState  bool
	NeedsPostal bool
	Locations   []setupLocationRow
	Users       []setupUserRow
	CanAddRow   bool
	MaxUsers    int
	Calling     []setupNumberRow
	Review      []setupReviewRow
	Results     []setupResultRow
	Failed      int
	E911        bool // the customer's users with calling get an E911 confirmation (U6)
}

type setupLocationRow struct {
	Index                                                                  int
	Legend                                                                 string
	Name, Line1, Line2, City, State, Postal, TimeZone, Language, Emergency fieldView
}

type setupUserRow struct {
	Index                                 int
	Legend                                string
	First, Last, Email, Package, Location fieldView
	AddOns                                []setupAddOn
}

type setupAddOn struct {
	ID, Name, Label string
	Checked         bool
}

type setupNumberRow struct {
	Index             int
	Legend            string
	Email             string
	Location          *tenantry.Location
	Number, Extension fieldView
	NoNumbers         bool
}

type setupReviewRow struct {
	Name, Email, Package, Location, Number, Extension string
	AddOns                                            []string
}

type setupResultRow struct {
	Name, Email, Status string
	Errors              []string
}

// renderSetup renders a step of the wizard (or the outcome, or why the
// customer cannot be set up), with err's problems next to the fields.
func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, c *tenantry.Customer, step string, d *setupDraft, err error) error {
	v := s.view(r, "hub.setup.customer.title")
	v.Nav, v.Tab, v.Customer = "customers", "setup", c
	p := &setupPage{Customer: c, Step: step, MaxUsers: tenantry.MaxManualUsers}
	v.Page = p
	switch {
	case !c.Status.AcceptsSubscribers():
		p.NotReady = true
		return s.renderStatus(w, r, status, "customer_setup", v)
	case !v.CanWrite:
		p.ReadOnly = true
		return s.renderStatus(w, r, status, "customer_setup", v)
	}
	if step != "result" {
		p.Steps = wizardSteps(v, "/customers/"+c.ID+"/setup/", setupSteps, step, d.Reached)
		for k := range p.Steps {
			p.Steps[k].Label = v.T("hub.setup.step." + p.Steps[k].Name)
		}
	}
	locs, _, lerr := s.svc.Locations.Locations(r.Context(), state(r).actor, c.ID, tenantry.Page{Max: tenantry.MaxPageMax})
	if lerr != nil {
		return lerr
	}
	p.Existing = locs
	if err != nil {
		if err := s.setupProblems(v, step, err); err != nil {
			return err
		}
	}
	switch step {
	case "locations":
		p.NeedsState, p.NeedsPostal = tenantry.RequiresState(c.Address.Country), tenantry.RequiresPostalCode(c.Address.Country)
		p.Locations = setupLocationRows(v, p, d, zoneOptionsOf(zonesOf(c.Address.Country)))
	case "users":
		p.Users = setupUserRows(v, c, d, locs)
		p.CanAddRow = len(d.Users) < tenantry.MaxManualUsers
	case "numbers":
		if p.Calling, err = s.setupNumberRows(r, v, c, d, locs); err != nil {
			return err
		}
	case "review":
		p.E911 = tenantry.E911Required(c.Address.Country)
		p.Review = setupReviewRows(v, d, locs)
	case "result":
		p.Results, p.Failed = s.setupResultRows(v, d)
	}
	return s.renderStatus(w, r, status, "customer_setup", v)
}

// setupProblems shows a step's error on the page: each row's problems next
// to its fields, U7's on the users step. It returns err when it is not one
// to show on the form.
func (s *Server) setupProblems(v *view, step string, err error) error {
	errs, ok := err.(*setupErrors)
	if !ok {
		if !s.formProblems(v, err, map[string]string{tenantry.FieldManualUsers: "users"}, map[string]string{"users": "hub.setup.users"}) {
			return err
		}
		return nil
	}
	for _, re := range errs.rows {
		k, _ := strconv.Atoi(strings.Split(re.prefix, ".")[1])
		fields, labels := setupUserFields, setupUserLabels
		label := v.T("hub.setup.user.n", "n", k+1)
		if re.kind == "location" {
			fields, labels = setupLocationFields, setupLocationLabels
			label = v.T("hub.setup.location.n", "n", k+1)
		}
		var onPage func(string) bool
		if re.kind == "user" && step == "numbers" {
			onPage = func(f string) bool { return setupUserStep(strings.TrimPrefix(f, re.prefix)) == step }
		}
		if !s.addRowProblems(v, label, re.err, rowFields(fields, re.prefix), rowLabels(labels, re.prefix), onPage) {
			return re.err
		}
	}
	return nil
}

func setupLocationRows(v *view, p *setupPage, d *setupDraft, zones []option) []setupLocationRow {
	var langs []option
	for _, l := range customerLanguages {
		langs = append(langs, option{Value: l, Label: v.LangName(l)})
	}
	var rows []setupLocationRow
	for k, l := range d.Locations {
		pre := "loc." + strconv.Itoa(k) + "."
		row := setupLocationRow{Index: k, Legend: v.T("hub.setup.location.n", "n", k+1),
			Name:      v.Field(pre+"name", "hub.setup.location.name", l.Name, "required", "max=80", "dir=auto"),
			Line1:     v.Field(pre+"line1", "hub.address.line1", l.Line1, "required", "max=50", "autocomplete=off", "dir=auto"),
			Line2:     v.Field(pre+"line2", "hub.address.line2", l.Line2, "max=50", "autocomplete=off", "dir=auto"),
			City:      v.Field(pre+"city", "hub.address.city", l.City, "required", "max=50", "autocomplete=off", "dir=auto"),
			Language:  v.Select(pre+"language", "hub.customer.language", l.Language, langs, "required"),
			Emergency: v.Field(pre+"emergency", "hub.setup.location.emergency", l.Emergency, "max=64", "hint=hub.setup.location.emergency_hint"),
		}
		if p.NeedsState {
			row.State = v.Field(pre+"state", "hub.address.state", l.State, "required", "max=50", "autocomplete=off", "dir=auto")
		}
		if p.NeedsPostal {
			row.Postal = v.Field(pre+"postal", "hub.address.postal", l.Postal, "required", "max=16", "autocomplete=off", "dir=ltr")
		} else {
			row.Postal = v.Field(pre+"postal", "hub.address.postal_optional", l.Postal, "max=16", "autocomplete=off", "dir=ltr")
		}
		if len(zones) > 0 {
			row.TimeZone = v.Select(pre+"timeZone", "hub.wizard.time_zone", l.TimeZone, zones, "required")
		} else {
			row.TimeZone = v.Field(pre+"timeZone", "hub.wizard.time_zone", l.TimeZone, "required", "dir=ltr", "hint=hub.wizard.time_zone_hint")
		}
		rows = append(rows, row)
	}
	return rows
}

// setupUserRows offers the customer's packages that users hold, its
// add-ons as checkboxes, and its locations (the headquarters first, and
// chosen for a new row).
func setupUserRows(v *view, c *tenantry.Customer, d *setupDraft, locs []*tenantry.Location) []setupUserRow {
	var pkgs, addOns, places []option
	for _, cp := range c.Packages {
		if !cp.Name.ForUsers() {
			continue
		}
		o := option{Value: string(cp.Name), Label: v.Package(cp.Name)}
		if cp.Name.AddOn() {
			addOns = append(addOns, o)
		} else {
			pkgs = append(pkgs, o)
		}
	}
	hq := ""
	for _, l := range locs {
		label := l.Name
		if l.Headquarters {
			label, hq = v.T("hub.setup.location.hq_option", "name", l.Name), cmp.Or(hq, l.ID)
		}
		places = append(places, option{Value: l.ID, Label: label})
	}
	var rows []setupUserRow
	for k, u := range d.Users {
		pre := "user." + strconv.Itoa(k) + "."
		row := setupUserRow{Index: k, Legend: v.T("hub.setup.user.n", "n", k+1),
			First:    v.Field(pre+"first", "hub.setup.user.first", u.First, "max=64", "autocomplete=off", "dir=auto"),
			Last:     v.Field(pre+"last", "hub.setup.user.last", u.Last, "max=64", "autocomplete=off", "dir=auto"),
			Email:    v.Field(pre+"email", "hub.field.email", u.Email, "type=email", "required", "dir=ltr", "autocomplete=off"),
			Package:  v.Select(pre+"package", "hub.customer.package", u.Package, pkgs, "required"),
			Location: v.Select(pre+"location", "hub.setup.user.location", cmp.Or(u.Location, hq), places, "required"),
		}
		for _, a := range addOns {
			row.AddOns = append(row.AddOns, setupAddOn{ID: fieldID(pre + "addon." + a.Value), Name: pre + "addon." + a.Value, Label: a.Label, Checked: slices.Contains(u.AddOns, a.Value)})
		}
		rows = append(rows, row)
	}
	return rows
}

// setupNumberRows offers each user with calling the free numbers of its
// location (read once a location) and an extension.
func (s *Server) setupNumberRows(r *http.Request, v *view, c *tenantry.Customer, d *setupDraft, locs []*tenantry.Location) ([]setupNumberRow, error) {
	free := map[string][]option{}
	var rows []setupNumberRow
	for k, u := range d.Users {
		if !u.calling() || u.empty() {
			continue
		}
		pre := "user." + strconv.Itoa(k) + "."
		opts, ok := free[u.Location]
		if !ok && u.Location != "" {
			nums, _, err := s.svc.Locations.Numbers(r.Context(), state(r).actor, c.ID, u.Location,
				tenantry.NumberFilter{State: tenantry.NumberAvailable, Page: tenantry.Page{Max: tenantry.MaxPageMax}})
			if err != nil && tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
				return nil, err
			}
			for _, n := range nums {
				opts = append(opts, option{Value: n.Number, Label: n.Number})
			}
			free[u.Location] = opts
		}
		row := setupNumberRow{Index: k, Legend: setupName(u), Email: u.Email, NoNumbers: len(opts) == 0}
		for _, l := range locs {
			if l.ID == u.Location {
				row.Location = l
			}
		}
		if u.Number != "" && !slices.ContainsFunc(opts, func(o option) bool { return o.Value == u.Number }) {
			opts = append([]option{{Value: u.Number, Label: u.Number}}, opts...)
		}
		row.Number = v.Select(pre+"number", "hub.setup.user.number", u.Number, opts)
		row.Extension = v.Field(pre+"extension", "hub.setup.user.extension", u.Extension, "max=10", "dir=ltr", "autocomplete=off", "hint=hub.setup.user.extension_hint")
		rows = append(rows, row)
	}
	return rows, nil
}

func setupReviewRows(v *view, d *setupDraft, locs []*tenantry.Location) []setupReviewRow {
	var rows []setupReviewRow
	for _, u := range d.Users {
		if u.empty() {
			continue
		}
		rr := setupReviewRow{Name: setupName(u), Email: u.Email, Package: v.Package(u.Package)}
		for _, l := range locs {
			if l.ID == u.Location {
				rr.Location = l.Name
			}
		}
		for _, a := range u.AddOns {
			rr.AddOns = append(rr.AddOns, v.Package(a))
		}
		if u.calling() {
			rr.Number, rr.Extension = u.Number, u.Extension
		}
		rows = append(rows, rr)
	}
	return rows
}

// setupResultRows are the outcomes, each error in the page's language.
func (s *Server) setupResultRows(v *view, d *setupDraft) ([]setupResultRow, int) {
	var rows []setupResultRow
	failed := 0
	for _, res := range d.Results {
		row := setupResultRow{Name: res.Name, Email: res.Email, Status: res.Status}
		if res.Status == "error" {
			failed++
			tmp := *v
			tmp.Errors = &formErrors{}
			s.formProblems(&tmp, &tenantry.Error{Code: tenantry.EINVALID, Reason: res.Reason, Params: res.Params, Problems: res.Problems}, setupUserFields, setupUserLabels)
			for _, m := range tmp.Errors.List {
				row.Errors = append(row.Errors, m.Message)
			}
		}
		rows = append(rows, row)
	}
	return rows, failed
}

// setupName is a row's name as the admin typed it, or its email.
func setupName(u setupUser) string {
	if n := strings.TrimSpace(strings.TrimSpace(u.First) + " " + strings.TrimSpace(u.Last)); n != "" {
		return n
	}
	return strings.TrimSpace(u.Email)
}

func zoneOptionsOf(zs []string) []option {
	out := make([]option, len(zs))
	for i, z := range zs {
		out[i] = option{Value: z, Label: z}
	}
	return out
}
