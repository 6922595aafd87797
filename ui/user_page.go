package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tenantry/tenantry"
)

// userPage is one user of a customer: what it holds, the form that edits
// it, and (on /delete) the question whether to delete it.
type userPage struct {
	User      *tenantry.Subscriber
	Form      userForm
	Packages  []option // the customer's packages a user holds alone
	AddOns    []option // the customer's add-ons a user can have
	Locations []option
	Location  string   // the user's location's name
	Numbers   []string // available numbers of the user's location
}

// userForm is the edit form as typed.
type userForm struct {
	FirstName, LastName, Package, LocationID, Number, Extension string
	AddOns                                                      []string
}

// HasAddOn reports whether the form has add-on p ticked.
func (f userForm) HasAddOn(p string) bool { return slices.Contains(f.AddOns, p) }

// userFields maps the problems of a subscriber update to the form's fields.
var userFields = map[string]string{
	tenantry.FieldFirstName:                "firstName",
	tenantry.FieldLastName:                 "lastName",
	tenantry.FieldSubscriberPackage:        "package",
	tenantry.FieldSubscriberPackages:       "package",
	tenantry.FieldSubscriberPackages + "[": "package",
	tenantry.FieldLocationID:               "locationId",
	tenantry.FieldPrimaryNumber:            "number",
	tenantry.FieldExtension:                "extension",
	tenantry.FieldSubscriberParams:         "number",
}

var userLabels = map[string]string{
	"firstName":  "hub.users.first_name",
	"lastName":   "hub.users.last_name",
	"package":    "hub.users.package",
	"locationId": "hub.users.location",
	"number":     "hub.users.number",
	"extension":  "hub.users.extension",
}

// loadUser reads the customer and the user a path names; a user of another
// customer, or of another partner, is not found.
func (s *Server) loadUser(r *http.Request) (*tenantry.Customer, *tenantry.Subscriber, error) {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	u, err := s.svc.Subscribers.Subscriber(r.Context(), a, r.PathValue("userId"))
	if err == nil && u.CustomerID != c.ID {
		err = tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound)
	}
	return c, u, pageNotFound(err)
}

// pageNotFound tells a missing user or admin as a missing page, a resource
// the hub names in every language.
func pageNotFound(err error) error {
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "page")
	}
	return err
}

func formOf(u *tenantry.Subscriber) userForm {
	f := userForm{FirstName: u.FirstName, LastName: u.LastName, Package: string(u.Package), LocationID: u.LocationID,
		Number: u.PrimaryPhoneNumber, Extension: u.Extension}
	for _, p := range u.AddOns {
		f.AddOns = append(f.AddOns, string(p))
	}
	return f
}

// userPageData fills what the user's page shows beside the form.
func (s *Server) userPageData(r *http.Request, v *view, c *tenantry.Customer, u *tenantry.Subscriber, f userForm) (*userPage, error) {
	a := state(r).actor
	p := &userPage{User: u, Form: f}
	for _, cp := range c.Packages {
		if !cp.Name.ForUsers() {
			continue
		}
		o := option{Value: string(cp.Name), Label: v.Package(cp.Name)}
		if cp.Name.AddOn() {
			p.AddOns = append(p.AddOns, o)
		} else {
			p.Packages = append(p.Packages, o)
		}
	}
	locs, _, err := s.svc.Locations.Locations(r.Context(), a, c.ID, tenantry.Page{Max: tenantry.MaxPageMax})
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		p.Locations = append(p.Locations, option{Value: l.ID, Label: l.Name})
		if l.ID == u.LocationID {
			p.Location = l.Name
		}
	}
	loc := f.LocationID
	if loc == "" {
		loc = u.LocationID
	}
	if loc != "" {
		nums, _, err := s.svc.Locations.Numbers(r.Context(), a, c.ID, loc, tenantry.NumberFilter{State: tenantry.NumberAvailable, Page: tenantry.Page{Max: 100}})
		if err != nil && tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			return nil, err
		}
		for _, n := range nums {
			p.Numbers = append(p.Numbers, n.Number)
		}
	}
	return p, nil
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, page string, v *view, c *tenantry.Customer, u *tenantry.Subscriber, f userForm) error {
	p, err := s.userPageData(r, v, c, u, f)
	if err != nil {
		return err
	}
	v.Nav, v.Tab, v.Customer = "customers", "users", c
	v.Page = p
	return s.renderStatus(w, r, status, page, v)
}

// userPageGet shows a user with the form that edits it.
func (s *Server) userPageGet(w http.ResponseWriter, r *http.Request) error {
	c, u, err := s.loadUser(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.users.user_title")
	return s.renderUser(w, r, http.StatusOK, "user_page", v, c, u, formOf(u))
}

// userUpdate saves the edit form through the same UpdateSubscriber as the
// API. A number or an extension left as it was is not sent, so that moving
// to a package without calling drops them as the API does (U2).
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	c, u, err := s.loadUser(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonRequired, "field", "form")
	}
	f := userForm{
		FirstName: strings.TrimSpace(r.PostFormValue("firstName")), LastName: strings.TrimSpace(r.PostFormValue("lastName")),
		Package: r.PostFormValue("package"), LocationID: r.PostFormValue("locationId"),
		Number: strings.TrimSpace(r.PostFormValue("number")), Extension: strings.TrimSpace(r.PostFormValue("extension")),
		AddOns: r.PostForm["addOns"],
	}
	in := &tenantry.SubscriberInput{FirstName: f.FirstName, LastName: f.LastName, LocationID: f.LocationID}
	if f.Package != "" {
		in.Packages = append([]string{f.Package}, f.AddOns...)
	}
	if f.Number != u.PrimaryPhoneNumber {
		in.PrimaryPhoneNumber = f.Number
	}
	if f.Extension != u.Extension {
		in.Extension = f.Extension
	}
	v := s.view(r, "hub.users.user_title")
	if f.Package == "" {
		v.Errors.add("package", s.message(v.Lang, tenantry.ReasonRequired, map[string]string{"field": s.message(v.Lang, userLabels["package"], nil)}))
		return s.renderUser(w, r, http.StatusBadRequest, "user_page", v, c, u, f)
	}
	if _, err := s.svc.Subscribers.UpdateSubscriber(r.Context(), state(r).actor, u.ID, in); err != nil {
		if !s.formProblems(v, err, userFields, userLabels) {
			return pageNotFound(err)
		}
		return s.renderUser(w, r, statusOf(err), "user_page", v, c, u, f)
	}
	s.flash(w, "hub.users.saved")
	return redirect(w, r, userURL(c.ID, u.ID))
}

// userDeletePage asks whether to delete the user.
func (s *Server) userDeletePage(w http.ResponseWriter, r *http.Request) error {
	c, u, err := s.loadUser(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.users.delete_title")
	return s.renderUser(w, r, http.StatusOK, "user_delete", v, c, u, formOf(u))
}

// userDelete deletes the user; its number goes back to the inventory.
func (s *Server) userDelete(w http.ResponseWriter, r *http.Request) error {
	c, u, err := s.loadUser(r)
	if err != nil {
		return err
	}
	if err := s.svc.Subscribers.DeleteSubscriber(r.Context(), state(r).actor, u.ID); err != nil {
		return pageNotFound(err)
	}
	s.flash(w, "hub.users.deleted")
	return redirect(w, r, "/customers/"+url.PathEscape(c.ID)+"/users")
}

// userResendConsent mails the owner of a pending user's address a new
// consent link (U3).
func (s *Server) userResendConsent(w http.ResponseWriter, r *http.Request) error {
	c, u, err := s.loadUser(r)
	if err != nil {
		return err
	}
	if err := s.svc.Subscribers.ResendConsent(r.Context(), state(r).actor, u.ID); err != nil {
		v := s.view(r, "hub.users.user_title")
		if !s.formProblems(v, err, nil, nil) {
			return pageNotFound(err)
		}
		return s.renderUser(w, r, statusOf(err), "user_page", v, c, u, formOf(u))
	}
	s.flash(w, "hub.users.consent_sent")
	return redirect(w, r, userURL(c.ID, u.ID))
}

func userURL(customerID, id string) string {
	return "/customers/" + url.PathEscape(customerID) + "/users/" + url.PathEscape(id)
}
