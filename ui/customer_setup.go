package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// The set-up wizard of a provisioned customer: locations besides the
// headquarters → users (up to MaxManualUsers rows, rule U7) → phone numbers
// and extensions of the users with calling → review → Create users → the
// outcome of each user. Its rows live in a draft keyed by the session and
// the customer, so Back, an error and a reload keep every one of them.
//
// Every check is the domain's: locations are checked by
// LocationInput.Validate and created by the location service; users are
// prechecked by PrecheckSubscriber (with NumberLater before their numbers
// are chosen), checked against each other by CheckManualRepeats and U7's
// CheckManualAdd, and created one by one by CreateSubscriber, as the API
// creates them.
//
// Locations are created when the admin leaves the locations step, not at
// the end: a user's location must exist for PrecheckSubscriber to accept
// it, and a location's numbers can only be chosen (and added to its
// inventory) once it exists. A location is an independent resource that
// the admin has just confirmed; creating it early loses nothing if the
// admin never finishes the users.

var setupSteps = []string{"locations", "users", "numbers", "review"}

// setupRowsCap bounds how many rows a posted form may carry, well above
// MaxManualUsers: more rows than U7 allows are refused by the domain, more
// than this are not read at all.
const setupRowsCap = 4 * tenantry.MaxManualUsers

// setupNewRows is how many empty user rows a new draft offers.
const setupNewRows = 3

func setupDraftKind(customerID string) string { return "customer:setup:" + customerID }

// setupDraft is the wizard's state between steps.
type setupDraft struct {
	Locations []setupLocation `json:"locations"`
	Users     []setupUser     `json:"users"`
	Reached   int             `json:"reached"`
	Results   []setupResult   `json:"results,omitempty"`
}

// setupLocation is a location row, as typed.
type setupLocation struct {
	Name      string `json:"name"`
	Line1     string `json:"line1"`
	Line2     string `json:"line2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postal    string `json:"postal"`
	TimeZone  string `json:"timeZone"`
	Language  string `json:"language"`
	Emergency string `json:"emergency"`
}

func (l setupLocation) empty() bool {
	return strings.TrimSpace(l.Name+l.Line1+l.Line2+l.City+l.State+l.Postal+l.Emergency) == ""
}

func (l setupLocation) input(country string) *tenantry.LocationInput {
	tr := strings.TrimSpace
	return &tenantry.LocationInput{
		Name:     tr(l.Name),
		Address:  tenantry.Address{Line1: tr(l.Line1), Line2: tr(l.Line2), City: tr(l.City), State: tr(l.State), PostalCode: tr(l.Postal), Country: country},
		TimeZone: l.TimeZone, Language: l.Language, EmergencyLocationID: tr(l.Emergency),
	}
}

// setupUser is a user row, as typed.
type setupUser struct {
	First     string   `json:"first"`
	Last      string   `json:"last"`
	Email     string   `json:"email"`
	Package   string   `json:"package"`
	AddOns    []string `json:"addOns"`
	Location  string   `json:"location"`
	Number    string   `json:"number"`
	Extension string   `json:"extension"`
}

func (u setupUser) empty() bool {
	return strings.TrimSpace(u.First+u.Last+u.Email) == "" && u.Package == ""
}

// calling reports whether the row's package includes calling.
func (u setupUser) calling() bool { return tenantry.Package(u.Package).Calling() }

// input is the domain's request for the row. A package without calling
// takes no number or extension, whatever an earlier choice left.
func (u setupUser) input(customerID string) *tenantry.SubscriberInput {
	tr := strings.TrimSpace
	in := &tenantry.SubscriberInput{CustomerID: customerID, Email: tr(u.Email), FirstName: tr(u.First), LastName: tr(u.Last), LocationID: u.Location}
	// The packages list is always given, so that a row without a package
	// is refused on a precheck too (U1), not only on create.
	in.Packages = []string{}
	if u.Package != "" {
		in.Packages = append(in.Packages, u.Package)
	}
	in.Packages = append(in.Packages, u.AddOns...)
	if u.calling() {
		in.PrimaryPhoneNumber, in.Extension = tr(u.Number), tr(u.Extension)
	}
	return in
}

// setupResult is the outcome of one user's creation.
type setupResult struct {
	Name     string             `json:"name"`
	Email    string             `json:"email"`
	Status   string             `json:"status"` // a SubscriberStatus, or "error"
	Reason   string             `json:"reason,omitempty"`
	Params   map[string]string  `json:"params,omitempty"`
	Problems []tenantry.Problem `json:"problems,omitempty"`
}

// setupLocationFields maps a location request's field paths to a row's.
var setupLocationFields = map[string]string{
	tenantry.FieldLocationName: "name", tenantry.FieldLocationAddress: "line1", "address.addressLine1": "line1",
	"address.addressLine2": "line2", "address.city": "city", "address.stateOrProvince": "state",
	"address.zipOrPostalCode": "postal", tenantry.FieldLocationCountry: "line1", tenantry.FieldLocationTimeZone: "timeZone",
	tenantry.FieldLocationLanguage: "language", tenantry.FieldLocationEmergency: "emergency",
}

var setupLocationLabels = map[string]string{
	"name": "hub.setup.location.name", "line1": "hub.address.line1", "line2": "hub.address.line2", "city": "hub.address.city",
	"state": "hub.address.state", "postal": "hub.address.postal", "timeZone": "hub.wizard.time_zone",
	"language": "hub.customer.language", "emergency": "hub.setup.location.emergency",
}

// setupUserFields maps a subscriber request's field paths to a row's, and
// says on which step each is shown.
var setupUserFields = map[string]string{
	tenantry.FieldSubscriberEmail: "email", tenantry.FieldFirstName: "first", tenantry.FieldLastName: "last",
	tenantry.FieldSubscriberPackage: "package", tenantry.FieldSubscriberPackages: "package", tenantry.FieldSubscriberPackages + "[": "package",
	tenantry.FieldLocationID: "location", tenantry.FieldPrimaryNumber: "number", tenantry.FieldExtension: "extension",
	tenantry.FieldSubscriberParams: "number",
}

var setupUserLabels = map[string]string{
	"email": "hub.field.email", "first": "hub.setup.user.first", "last": "hub.setup.user.last", "package": "hub.customer.package",
	"location": "hub.setup.user.location", "number": "hub.setup.user.number", "extension": "hub.setup.user.extension",
}

func setupUserStep(field string) string {
	if field == "number" || field == "extension" {
		return "numbers"
	}
	return "users"
}

// setupCustomer reads the customer (ENOTFOUND for another partner's) and
// its draft.
func (s *Server) setupCustomer(r *http.Request) (*tenantry.Customer, *setupDraft, error) {
	c, err := s.svc.Customers.Customer(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	d := &setupDraft{}
	ok, err := s.loadDraft(r, setupDraftKind(c.ID), d)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		d = newSetupDraft()
	}
	return c, d, nil
}

func newSetupDraft() *setupDraft {
	return &setupDraft{Users: make([]setupUser, setupNewRows)}
}

// customerSetupStart is the set-up tab: it says why a customer cannot be
// set up yet, or opens the wizard where the admin left it.
func (s *Server) customerSetupStart(w http.ResponseWriter, r *http.Request) error {
	c, d, err := s.setupCustomer(r)
	if err != nil {
		return err
	}
	if !c.Status.AcceptsSubscribers() || !canWrite(state(r).session.Admin) {
		return s.renderSetup(w, r, http.StatusOK, c, "", d, nil)
	}
	if d.Results != nil {
		// After Create users the draft holds only the users that were
		// not created (none: it is new again); the outcome is done with.
		d.Results = nil
		if err := s.saveDraft(r, setupDraftKind(c.ID), d); err != nil {
			return err
		}
	}
	return redirect(w, r, "/customers/"+c.ID+"/setup/"+setupSteps[min(d.Reached, len(setupSteps)-1)])
}

func (s *Server) customerSetupPage(w http.ResponseWriter, r *http.Request) error {
	c, d, err := s.setupCustomer(r)
	if err != nil {
		return err
	}
	step := r.PathValue("step")
	if !c.Status.AcceptsSubscribers() {
		return s.renderSetup(w, r, http.StatusConflict, c, "", d, nil)
	}
	if step == "result" {
		if d.Results == nil {
			return redirect(w, r, "/customers/"+c.ID+"/setup")
		}
		return s.renderSetup(w, r, http.StatusOK, c, step, d, nil)
	}
	i, err := stepOf(setupSteps, step)
	if err != nil {
		return err
	}
	if i > d.Reached {
		return redirect(w, r, "/customers/"+c.ID+"/setup/"+setupSteps[d.Reached])
	}
	return s.renderSetup(w, r, http.StatusOK, c, step, d, nil)
}

func (s *Server) customerSetupPost(w http.ResponseWriter, r *http.Request) error {
	c, d, err := s.setupCustomer(r)
	if err != nil {
		return err
	}
	if !c.Status.AcceptsSubscribers() {
		return s.renderSetup(w, r, http.StatusConflict, c, "", d, nil)
	}
	step := r.PathValue("step")
	i, err := stepOf(setupSteps, step)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonRequired, "field", "form")
	}
	base := "/customers/" + c.ID + "/setup/"
	nav := r.FormValue("nav")
	d.Results = nil
	// A form without its rows (not one of the wizard's) changes none.
	switch _, rows := r.PostForm[step]; {
	case step == "locations" && rows:
		applySetupLocations(r, d)
	case step == "users" && rows:
		applySetupUsers(r, d)
	case step == "numbers":
		applySetupNumbers(r, d)
	}
	// Rows added or removed, and Back, save what was typed and go on
	// without checking it.
	switch {
	case nav == "addlocation":
		d.Locations = append(d.Locations, setupLocation{Language: c.Language})
		return s.saveAndGo(w, r, c, d, base+step+"#"+fieldID("loc."+strconv.Itoa(len(d.Locations)-1)+".name"))
	case nav == "adduser":
		if len(d.Users) < tenantry.MaxManualUsers {
			d.Users = append(d.Users, setupUser{})
		}
		return s.saveAndGo(w, r, c, d, base+step+"#"+fieldID("user."+strconv.Itoa(len(d.Users)-1)+".first"))
	case strings.HasPrefix(nav, "removelocation."):
		if k, err := strconv.Atoi(strings.TrimPrefix(nav, "removelocation.")); err == nil && k >= 0 && k < len(d.Locations) {
			d.Locations = slices.Delete(d.Locations, k, k+1)
		}
		return s.saveAndGo(w, r, c, d, base+step)
	case strings.HasPrefix(nav, "removeuser."):
		if k, err := strconv.Atoi(strings.TrimPrefix(nav, "removeuser.")); err == nil && k >= 0 && k < len(d.Users) {
			d.Users = slices.Delete(d.Users, k, k+1)
		}
		if len(d.Users) == 0 {
			d.Users = []setupUser{{}}
		}
		return s.saveAndGo(w, r, c, d, base+step)
	case nav == "back":
		if i == 0 {
			return s.saveAndGo(w, r, c, d, "/customers/"+c.ID)
		}
		return s.saveAndGo(w, r, c, d, base+setupSteps[i-1])
	}
	var stepErr error
	switch step {
	case "locations":
		stepErr = s.setupCreateLocations(r, c, d)
	case "users":
		stepErr = s.setupCheckUsers(r, c, d, "users")
	case "numbers":
		stepErr = s.setupCheckUsers(r, c, d, "numbers")
	case "review":
		return s.setupCreateUsers(w, r, c, d)
	}
	if _, rows := stepErr.(*setupErrors); stepErr != nil && !rows && tenantry.ErrorCode(stepErr) == tenantry.EINTERNAL {
		return stepErr
	}
	if stepErr == nil && (i+1 > d.Reached || step == "users") {
		// Changed users must have their numbers checked again before
		// the review: the steps after them are reached anew.
		d.Reached = i + 1
	}
	if err := s.saveDraft(r, setupDraftKind(c.ID), d); err != nil {
		return err
	}
	if stepErr != nil {
		return s.renderSetup(w, r, http.StatusBadRequest, c, step, d, stepErr)
	}
	return redirect(w, r, base+setupSteps[i+1])
}

func (s *Server) saveAndGo(w http.ResponseWriter, r *http.Request, c *tenantry.Customer, d *setupDraft, to string) error {
	if err := s.saveDraft(r, setupDraftKind(c.ID), d); err != nil {
		return err
	}
	return redirect(w, r, to)
}

// rowCount is how many rows of prefix a form carries.
func rowCount(r *http.Request, name string) int {
	n, _ := strconv.Atoi(r.FormValue(name))
	return max(0, min(n, setupRowsCap))
}

func applySetupLocations(r *http.Request, d *setupDraft) {
	n := rowCount(r, "locations")
	d.Locations = make([]setupLocation, n)
	for k := range n {
		p := "loc." + strconv.Itoa(k) + "."
		f := r.FormValue
		d.Locations[k] = setupLocation{Name: f(p + "name"), Line1: f(p + "line1"), Line2: f(p + "line2"), City: f(p + "city"),
			State: f(p + "state"), Postal: f(p + "postal"), TimeZone: f(p + "timeZone"), Language: f(p + "language"), Emergency: f(p + "emergency")}
	}
}

func applySetupUsers(r *http.Request, d *setupDraft) {
	n := rowCount(r, "users")
	old := d.Users
	d.Users = make([]setupUser, n)
	for k := range n {
		p := "user." + strconv.Itoa(k) + "."
		f := r.FormValue
		u := setupUser{First: f(p + "first"), Last: f(p + "last"), Email: f(p + "email"), Package: f(p + "package"), Location: f(p + "location")}
		for _, a := range tenantry.Packages {
			if a.AddOn() && f(p+"addon."+string(a)) == "on" {
				u.AddOns = append(u.AddOns, string(a))
			}
		}
		if k < len(old) { // chosen on the numbers step
			u.Number, u.Extension = old[k].Number, old[k].Extension
		}
		d.Users[k] = u
	}
}

func applySetupNumbers(r *http.Request, d *setupDraft) {
	for k := range d.Users {
		p := "user." + strconv.Itoa(k) + "."
		if _, ok := r.Form[p+"extension"]; ok {
			d.Users[k].Number, d.Users[k].Extension = r.FormValue(p+"number"), r.FormValue(p+"extension")
		}
	}
}

// setupErrors collects the problems of rows, each under its row's prefix.
type setupErrors struct {
	rows []setupRowError
}

type setupRowError struct {
	prefix string // "loc.2." or "user.0."
	kind   string // "location" or "user"
	err    error
}

func (e *setupErrors) Error() string { return "set-up rows have problems" }

// setupCreateLocations checks every new location row with the domain's
// rules, and when all pass creates them through the location service. A
// row the service refuses stays with its error; those created leave the
// draft (they are listed among the customer's locations from then on).
func (s *Server) setupCreateLocations(r *http.Request, c *tenantry.Customer, d *setupDraft) error {
	d.Locations = slices.DeleteFunc(d.Locations, setupLocation.empty)
	errs := &setupErrors{}
	for k, l := range d.Locations {
		if err := tenantry.Invalid(l.input(c.Address.Country).Validate()); err != nil {
			errs.rows = append(errs.rows, setupRowError{"loc." + strconv.Itoa(k) + ".", "location", err})
		}
	}
	if len(errs.rows) > 0 {
		return errs
	}
	var left []setupLocation
	for k, l := range d.Locations {
		if _, err := s.svc.Locations.CreateLocation(r.Context(), state(r).actor, c.ID, l.input(c.Address.Country)); err != nil {
			if tenantry.ErrorCode(err) == tenantry.EINTERNAL {
				d.Locations = append(left, d.Locations[k:]...)
				return err
			}
			errs.rows = append(errs.rows, setupRowError{"loc." + strconv.Itoa(len(left)) + ".", "location", err})
			left = append(left, l)
		}
	}
	d.Locations = left
	if len(errs.rows) > 0 {
		return errs
	}
	return nil
}

// setupCheckUsers checks the user rows: U7 on their count, the domain's
// precheck of each (on the users step with the numbers left for later)
// and the repeats within the add. It keeps the problems of step.
func (s *Server) setupCheckUsers(r *http.Request, c *tenantry.Customer, d *setupDraft, step string) error {
	if step == "users" {
		d.Users = slices.DeleteFunc(d.Users, setupUser.empty)
		if len(d.Users) == 0 {
			d.Users = []setupUser{{}}
			return tenantry.CheckManualAdd(0)
		}
	}
	if err := tenantry.CheckManualAdd(len(d.Users)); err != nil {
		return err
	}
	ins := make([]*tenantry.SubscriberInput, len(d.Users))
	for k, u := range d.Users {
		ins[k] = u.input(c.ID)
	}
	repeats := tenantry.CheckManualRepeats(ins)
	errs := &setupErrors{}
	var earlier []tenantry.Package
	for k, in := range ins {
		in.NumberLater = step == "users"
		// The users before this one take their seats first (quantity rules).
		in.Earlier = slices.Clone(earlier)
		for _, p := range in.Packages {
			earlier = append(earlier, tenantry.Package(p))
		}
		var ps []tenantry.Problem
		err := s.svc.Subscribers.PrecheckSubscriber(r.Context(), state(r).actor, in)
		if tenantry.ErrorCode(err) == tenantry.EINTERNAL {
			return err
		}
		code := tenantry.EINVALID
		if err != nil {
			e := tenantry.AsError(err)
			code = e.Code
			ps = append(ps, e.Problems...)
			if len(e.Problems) == 0 {
				ps = append(ps, tenantry.Problem{Reason: e.Reason, Params: e.Params})
			}
		}
		ps = append(ps, repeats[k]...)
		var keep []tenantry.Problem
		for _, p := range ps {
			f := formField(setupUserFields, p.Field)
			// The numbers step's precheck is the whole one: a problem of
			// an earlier field (an email taken meanwhile) is shown too.
			if setupUserStep(f) == step || step == "numbers" {
				keep = append(keep, p)
			}
		}
		if len(keep) > 0 {
			errs.rows = append(errs.rows, setupRowError{"user." + strconv.Itoa(k) + ".", "user", &tenantry.Error{Code: code, Reason: keep[0].Reason, Params: keep[0].Params, Problems: keep}})
		}
	}
	if len(errs.rows) > 0 {
		return errs
	}
	return nil
}

// setupCreateUsers creates each user through the subscriber service, as
// the API does, and records each one's outcome. The users that were not
// created stay in the draft, so the admin can correct and retry them.
func (s *Server) setupCreateUsers(w http.ResponseWriter, r *http.Request, c *tenantry.Customer, d *setupDraft) error {
	users := slices.DeleteFunc(slices.Clone(d.Users), setupUser.empty)
	if err := tenantry.CheckManualAdd(len(users)); err != nil {
		return s.renderSetup(w, r, http.StatusBadRequest, c, "review", d, err)
	}
	var failed []setupUser
	results := make([]setupResult, 0, len(users))
	for _, u := range users {
		res := setupResult{Name: strings.TrimSpace(strings.TrimSpace(u.First) + " " + strings.TrimSpace(u.Last)), Email: strings.TrimSpace(u.Email)}
		sub, err := s.svc.Subscribers.CreateSubscriber(r.Context(), state(r).actor, u.input(c.ID))
		switch {
		case err == nil:
			res.Status = string(sub.Status)
		case tenantry.ErrorCode(err) == tenantry.EINTERNAL:
			return err
		default:
			e := tenantry.AsError(err)
			res.Status, res.Reason, res.Params, res.Problems = "error", e.Reason, e.Params, e.Problems
			failed = append(failed, u)
		}
		results = append(results, res)
	}
	d.Results, d.Users = results, failed
	if len(failed) == 0 {
		d.Users, d.Reached = newSetupDraft().Users, 0
	} else {
		d.Reached = slices.Index(setupSteps, "review")
	}
	if err := s.saveDraft(r, setupDraftKind(c.ID), d); err != nil {
		return err
	}
	return redirect(w, r, "/customers/"+c.ID+"/setup/result")
}
