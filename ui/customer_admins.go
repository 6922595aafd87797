package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry"
)

// customerAdminsPage is the Customer admins tab: the admins with a form
// each to change role and package, and the invitation form.
type customerAdminsPage struct {
	Admins   []*tenantry.CustomerAdmin
	Total    int
	Roles    []option
	Packages []option // the customer's packages an admin can hold
	Invite   adminForm
	// Changed is the admin whose change was refused, and Change what was
	// typed: that row shows it with the problems.
	Changed string
	Change  adminForm
	// Remove is the admin the page asks about removing ("" when none).
	Remove *tenantry.CustomerAdmin
}

// adminForm is an invitation or a change as typed.
type adminForm struct {
	Email, Role, Package string
}

// RowForm is what an admin's row shows in its form: what was typed when
// its change was refused, else what the admin holds.
func (p customerAdminsPage) RowForm(a *tenantry.CustomerAdmin) adminForm {
	if a.ID == p.Changed {
		return p.Change
	}
	return adminForm{Email: a.Email, Role: string(a.Role), Package: string(a.Package)}
}

var adminLabels = map[string]string{
	"email":   "hub.cadmins.email",
	"role":    "hub.cadmins.role",
	"package": "hub.cadmins.package",
}

// RowField is Field for a control of one admin's row: the name is the
// form's, the id (and the key of its error) carries the admin's id.
func (v *view) RowField(name, id, label, value string, options []option) fieldView {
	f := v.Select(name+"-"+id, label, value, options)
	f.Name = name
	return f
}

// renderAdmins shows the tab with status, the problems of v, and what was
// typed in p.
func (s *Server) renderAdmins(w http.ResponseWriter, r *http.Request, status int, v *view, c *tenantry.Customer, p customerAdminsPage) error {
	var err error
	if p.Admins, p.Total, err = s.svc.Admins.CustomerAdmins(r.Context(), state(r).actor, c.ID, tenantry.Page{Max: tenantry.MaxPageMax}); err != nil {
		return err
	}
	for _, role := range tenantry.AdminRoles {
		p.Roles = append(p.Roles, option{Value: string(role), Label: v.T("hub.cadmins.role." + string(role))})
	}
	for _, cp := range c.Packages {
		if tenantry.AdminPackage(cp.Name) {
			p.Packages = append(p.Packages, option{Value: string(cp.Name), Label: v.Package(cp.Name)})
		}
	}
	if p.Invite == (adminForm{}) {
		// A new invitation starts from a role most admins get and the
		// package of the full admin, whose level every admin holds (U4).
		p.Invite.Role = string(tenantry.AdminReadOnly)
		for _, ad := range p.Admins {
			if ad.Role == tenantry.AdminFull {
				p.Invite.Package = string(ad.Package)
			}
		}
	}
	v.Nav, v.Tab, v.Customer = "customers", "admins", c
	v.Page = p
	return s.renderStatus(w, r, status, "customer_admins", v)
}

// customerAdmins is the Customer admins tab.
func (s *Server) customerAdmins(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Customers.Customer(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := s.view(r, "hub.cadmins.title")
	return s.renderAdmins(w, r, http.StatusOK, v, c, customerAdminsPage{})
}

// customerAdminInvite adds an admin with a role and a package (U4) through
// the same AddCustomerAdmin as the API; the invitation is mailed.
func (s *Server) customerAdminInvite(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := adminForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role"), Package: r.PostFormValue("package")}
	in := &tenantry.CustomerAdminInput{Email: f.Email, Role: tenantry.AdminRole(f.Role), Package: tenantry.Package(f.Package)}
	if _, err := s.svc.Admins.AddCustomerAdmin(r.Context(), a, c.ID, in); err != nil {
		v := s.view(r, "hub.cadmins.title")
		if !s.formProblems(v, err, map[string]string{"email": "email", "role": "role", "package": "package"}, adminLabels) {
			return err
		}
		return s.renderAdmins(w, r, statusOf(err), v, c, customerAdminsPage{Invite: f})
	}
	s.flash(w, "hub.cadmins.invited")
	return redirect(w, r, adminsURL(c.ID))
}

// customerAdminChange changes an admin's role and package. A refusal (the
// full admin demoted or downgraded, a package of another level: U4) is
// shown next to that admin's controls.
func (s *Server) customerAdminChange(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	id := r.PathValue("adminId")
	f := adminForm{Role: r.PostFormValue("role"), Package: r.PostFormValue("package")}
	in := &tenantry.CustomerAdminInput{Role: tenantry.AdminRole(f.Role), Package: tenantry.Package(f.Package)}
	if _, err := s.svc.Admins.UpdateCustomerAdmin(r.Context(), a, c.ID, id, in); err != nil {
		v := s.view(r, "hub.cadmins.title")
		named(v, err)
		fields := map[string]string{"role": "role-" + id, "package": "package-" + id}
		labels := map[string]string{"role-" + id: adminLabels["role"], "package-" + id: adminLabels["package"]}
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND || !s.formProblems(v, err, fields, labels) {
			return pageNotFound(err)
		}
		return s.renderAdmins(w, r, statusOf(err), v, c, customerAdminsPage{Changed: id, Change: f})
	}
	s.flash(w, "hub.cadmins.changed")
	return redirect(w, r, adminsURL(c.ID))
}

// customerAdminRemovePage asks whether to remove an admin.
func (s *Server) customerAdminRemovePage(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	ad, err := s.svc.Admins.CustomerAdmin(r.Context(), a, c.ID, r.PathValue("adminId"))
	if err != nil {
		return pageNotFound(err)
	}
	v := s.view(r, "hub.cadmins.remove_title")
	return s.renderAdmins(w, r, http.StatusOK, v, c, customerAdminsPage{Remove: ad})
}

// customerAdminRemove removes an admin; the full admin's removal is
// refused (ECONFLICT) and the refusal shown on the tab.
func (s *Server) customerAdminRemove(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.svc.Admins.RemoveCustomerAdmin(r.Context(), a, c.ID, r.PathValue("adminId")); err != nil {
		v := s.view(r, "hub.cadmins.title")
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND || !s.formProblems(v, err, nil, nil) {
			return pageNotFound(err)
		}
		return s.renderAdmins(w, r, statusOf(err), v, c, customerAdminsPage{})
	}
	s.flash(w, "hub.cadmins.removed")
	return redirect(w, r, adminsURL(c.ID))
}

// named shows the package a U4 refusal says the full admin holds
// ("current") by its name in the page's language, as formProblems does
// for the other package params.
func named(v *view, err error) {
	for i, p := range tenantry.AsError(err).Problems {
		if cur, ok := p.Params["current"]; ok {
			params := map[string]string{}
			for k, val := range p.Params {
				params[k] = val
			}
			params["current"] = v.Package(cur)
			tenantry.AsError(err).Problems[i].Params = params
		}
	}
}

func adminsURL(customerID string) string {
	return "/customers/" + url.PathEscape(customerID) + "/admins"
}
