package ui

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// signInForm is the sign-in page's data.
type signInForm struct {
	Email      string
	Next       string
	NeedsSetup bool
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if state(r).session != nil {
		return redirect(w, r, localPath(r.URL.Query().Get("next"), "/"))
	}
	needs, err := s.svc.Hub.NeedsSetup(r.Context())
	if err != nil {
		return err
	}
	v := s.view(r, "hub.signin.title")
	v.Page = signInForm{Next: localPath(r.URL.Query().Get("next"), "/"), NeedsSetup: needs}
	return s.render(w, r, "signin", v)
}

// signIn checks an email and password. Failures are counted per account
// and per address and slowed down (throttle); the page never says whether
// the email or the password was wrong.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	f := signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"), "/")}
	password := r.PostFormValue("password")
	keys := []string{"email:" + strings.ToLower(f.Email), "addr:" + clientAddr(r)}
	v := s.view(r, "hub.signin.title")
	v.Page = f
	if wait := s.throttle.wait(keys...); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		v.Errors.add("", s.message(v.Lang, tenantry.ReasonSignInSlowed, map[string]string{"count": strconv.Itoa(secs)}))
		return s.renderStatus(w, r, http.StatusTooManyRequests, "signin", v)
	}
	admin, err := s.svc.Hub.SignIn(r.Context(), f.Email, password)
	if err != nil {
		if tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			return err
		}
		s.throttle.fail(keys...)
		v.Errors.add("", s.message(v.Lang, tenantry.ReasonSignInFailed, nil))
		return s.renderStatus(w, r, http.StatusUnauthorized, "signin", v)
	}
	s.throttle.reset(keys[0])
	if err := s.startSession(w, r, admin.ID); err != nil {
		return err
	}
	return redirect(w, r, f.Next)
}

// clientAddr is the address a request came from (the proxy's, behind one).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Hub.EndSession(r.Context(), state(r).token); err != nil {
		return err
	}
	s.clearSession(w)
	s.flash(w, "hub.signin.signed_out")
	return redirect(w, r, "/signin")
}
