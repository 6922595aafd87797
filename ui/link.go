package ui

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// linkPage is the page of a one-time sign-in link: the admin sets a
// password. Opening it changes nothing; only the form's POST uses the link.
type linkPage struct {
	Email string
}

var linkFields = map[string]string{"password": "password", "confirm": "confirm"}
var linkLabels = map[string]string{"password": "hub.field.password", "confirm": "hub.link.confirm"}

func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) error {
	admin, err := s.svc.Hub.CheckLink(r.Context(), tenantry.LinkSignIn, r.PathValue("token"))
	if err != nil {
		return err
	}
	v := s.view(r, "hub.link.title")
	v.Page = linkPage{Email: admin.Email}
	return s.render(w, r, "link", v)
}

func (s *Server) useLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	showErr := func(err error) error {
		admin, lerr := s.svc.Hub.CheckLink(r.Context(), tenantry.LinkSignIn, token)
		if lerr != nil {
			return lerr
		}
		v := s.view(r, "hub.link.title")
		v.Page = linkPage{Email: admin.Email}
		if !s.formProblems(v, err, linkFields, linkLabels) {
			return err
		}
		return s.renderStatus(w, r, statusOf(err), "link", v)
	}
	if pw != confirm {
		return showErr(tenantry.FieldError(tenantry.EINVALID, "confirm", tenantry.ReasonPasswordsMismatch))
	}
	admin, err := s.svc.Hub.UseSignInLink(r.Context(), token, pw)
	if err != nil {
		if tenantry.ErrorCode(err) == tenantry.EINVALID {
			return showErr(err)
		}
		return err
	}
	if err := s.startSession(w, r, admin.ID); err != nil {
		return err
	}
	return redirect(w, r, "/")
}
