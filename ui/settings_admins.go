package ui

import (
	"net/http"
	"strings"

	"github.com/tenantry/tenantry"
)

// adminsPage lists the partner's admins, each with its role (changeable)
// and a remove action, and the form that invites one more.
type adminsPage struct {
	Admins []*tenantry.PartnerAdmin
	Roles  []string
	Form   inviteForm
}

type inviteForm struct {
	Email, Name, Role string
}

var inviteFields = map[string]string{
	tenantry.FieldPartnerAdminEmail: "email", tenantry.FieldPartnerAdminName: "name", tenantry.FieldPartnerAdminRole: "role",
}

var inviteLabels = map[string]string{
	"email": "hub.field.email", "name": "hub.settings.admins.name", "role": "hub.settings.admins.role",
}

// RoleOptions are the roles for a select, in the page's language.
func (v *view) RoleOptions() []option {
	out := make([]option, len(tenantry.PartnerAdminRoles))
	for i, r := range tenantry.PartnerAdminRoles {
		out[i] = option{Value: r, Label: v.T("hub.settings.admins.role." + r)}
	}
	return out
}

func (s *Server) adminsView(r *http.Request, f inviteForm) (*view, error) {
	admins, err := s.svc.Partners.PartnerAdmins(r.Context(), state(r).actor)
	if err != nil {
		return nil, err
	}
	v := s.settingsView(r, "hub.settings.admins.title", "admins")
	v.Page = adminsPage{Admins: admins, Roles: tenantry.PartnerAdminRoles, Form: f}
	return v, nil
}

func (s *Server) settingsAdmins(w http.ResponseWriter, r *http.Request) error {
	v, err := s.adminsView(r, inviteForm{Role: tenantry.RoleProvisioningAdmin})
	if err != nil {
		return err
	}
	return s.render(w, r, "settings_admins", v)
}

// inviteAdmin adds an admin, who gets an email with a one-time link to
// choose a password; the invitation is written in the inviting admin's
// hub language.
func (s *Server) inviteAdmin(w http.ResponseWriter, r *http.Request) error {
	f := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Role: r.PostFormValue("role")}
	in := &tenantry.PartnerAdminInput{Email: f.Email, Name: f.Name, Role: f.Role, Language: state(r).lang}
	if _, err := s.svc.Partners.InvitePartnerAdmin(r.Context(), state(r).actor, in); err != nil {
		return s.adminsProblem(w, r, f, err, inviteFields, inviteLabels)
	}
	s.flash(w, "hub.settings.admins.invited")
	return redirect(w, r, "/settings/admins")
}

// adminsProblem shows the admins page again with a domain error: on the
// invitation's fields, or next to an admin's role, or above the list.
// fields maps the domain's field paths to the form's fields, and labels
// the form's fields to the message keys that name them in the errors.
func (s *Server) adminsProblem(w http.ResponseWriter, r *http.Request, f inviteForm, err error, fields, labels map[string]string) error {
	v, lerr := s.adminsView(r, f)
	if lerr != nil {
		return lerr
	}
	if !s.formProblems(v, err, fields, labels) {
		return err
	}
	status := http.StatusBadRequest
	if tenantry.ErrorCode(err) == tenantry.ECONFLICT {
		status = http.StatusConflict
	}
	return s.renderStatus(w, r, status, "settings_admins", v)
}

func (s *Server) setAdminRole(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	// Each admin's row names its select after the admin (role-<id>), so
	// that an error goes next to the right one.
	role := r.PostFormValue("role-" + id)
	if _, err := s.svc.Partners.SetPartnerAdminRole(r.Context(), state(r).actor, id, role); err != nil {
		// The role's problem goes next to that admin's role, which it names
		// as the invitation's role select is named.
		return s.adminsProblem(w, r, inviteForm{Role: tenantry.RoleProvisioningAdmin}, err,
			map[string]string{tenantry.FieldPartnerAdminRole: "role-" + id}, map[string]string{"role-" + id: inviteLabels["role"]})
	}
	s.flash(w, "hub.settings.admins.role_changed")
	return redirect(w, r, "/settings/admins")
}

// resendInvitation sends a pending admin a new invitation, whose link
// replaces the earlier ones'.
func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Partners.ResendPartnerAdminInvitation(r.Context(), state(r).actor, r.PathValue("id")); err != nil {
		return s.adminsProblem(w, r, inviteForm{Role: tenantry.RoleProvisioningAdmin}, err, nil, nil)
	}
	s.flash(w, "hub.settings.admins.invitation_resent")
	return redirect(w, r, "/settings/admins")
}

// removeAdmin removes an admin: their sessions end and their API tokens
// are revoked. Removing oneself signs out.
func (s *Server) removeAdmin(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.svc.Partners.RemovePartnerAdmin(r.Context(), state(r).actor, id); err != nil {
		return s.adminsProblem(w, r, inviteForm{Role: tenantry.RoleProvisioningAdmin}, err, nil, nil)
	}
	if id == state(r).actor.AdminID {
		s.clearSession(w)
		return redirect(w, r, "/signin")
	}
	s.flash(w, "hub.settings.admins.removed")
	return redirect(w, r, "/settings/admins")
}
