package ui

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tenantry/tenantry"
)

// handler is a page or form handler; it returns its error for adapt to
// render.
type handler func(w http.ResponseWriter, r *http.Request) error

type ctxKey struct{}

// reqState is what adapt learns about a request before its handler runs.
type reqState struct {
	session *tenantry.Session
	token   string // the session cookie's value
	actor   *tenantry.Actor
	lang    string
	// onBehalf is the sub-partner the session acts for (onbehalf.go), also
	// on the settings pages, which concern the admin's own partner.
	onBehalf *tenantry.Partner
}

func state(r *http.Request) *reqState {
	st, _ := r.Context().Value(ctxKey{}).(*reqState)
	if st == nil {
		st = &reqState{lang: "en"}
	}
	return st
}

// errMethod is a route's path asked with a method it does not take: 405.
const errMethod = "method"

// errSignIn sends a signed-out browser to the sign-in page.
var errSignIn = errors.New("sign in")

// adapt resolves the session and the language, checks access, runs h and
// renders its error: a signed-out request goes to sign-in, a read-only
// admin's write is 403, a missing or foreign resource 404, and anything
// unexpected a 500 whose detail is only logged.
func (s *Server) adapt(acc access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if sess, err := s.svc.Hub.Session(r.Context(), c.Value); err == nil {
				st.session, st.token = sess, c.Value
			} else if tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
				s.renderError(w, r, err)
				return
			}
		}
		st.lang = s.language(r, st)
		err := s.check(r, st, acc)
		if err == nil && st.session != nil { // who and through what, for the audit log
			r = r.WithContext(tenantry.WithOrigin(r.Context(), tenantry.Origin{Via: tenantry.ViaHub, AdminID: st.session.Admin.ID}))
		}
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

// check enforces a route's access and builds the actor of a signed-in admin.
func (s *Server) check(r *http.Request, st *reqState, acc access) error {
	if st.session == nil {
		if acc == public {
			return nil
		}
		return errSignIn
	}
	a := st.session.Admin
	p := &tenantry.Principal{PartnerID: a.PartnerID, AdminID: a.ID, Scopes: scopesOf(a.Role)}
	// Acting on behalf of a sub-partner: see onbehalf.go.
	actor, err := s.resolveActor(r, st, p, acc)
	if err != nil {
		return err
	}
	st.actor = actor
	if acc == writer && !canWrite(a) {
		return tenantry.Errorf(tenantry.EFORBIDDEN, tenantry.ReasonReadOnlyAdmin)
	}
	if acc == fullAdmin && a.Role != tenantry.RoleFullAdmin {
		return tenantry.Errorf(tenantry.EFORBIDDEN, tenantry.ReasonFullAdminOnly)
	}
	return nil
}

// scopesOf are the wholesale API scopes that match an admin's role: a
// read-only admin reads, the others read and write. (The hub manages
// tokens by role, on the settings pages of full admins.)
func scopesOf(role string) []string {
	return slices.DeleteFunc(slices.Clone(tenantry.RoleScopes(role)), func(s string) bool { return s == tenantry.ScopeTokens })
}

// canWrite reports whether an admin may change things.
func canWrite(a *tenantry.PartnerAdmin) bool {
	return a != nil && (a.Role == tenantry.RoleFullAdmin || a.Role == tenantry.RoleProvisioningAdmin)
}

// errorPage is the data of the error page.
type errorPage struct {
	Message string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errSignIn) {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet || strings.HasPrefix(next, "/customers/status") {
			next = "/"
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	e := tenantry.AsError(err)
	status := http.StatusInternalServerError
	switch e.Code {
	case tenantry.ENOTFOUND:
		status = http.StatusNotFound
	case tenantry.EFORBIDDEN:
		status = http.StatusForbidden
	case tenantry.EINVALID, tenantry.EUNPROCESSABLE:
		status = http.StatusBadRequest
	case tenantry.ECONFLICT:
		status = http.StatusConflict
	case tenantry.ETOOLARGE:
		status = http.StatusRequestEntityTooLarge
	case tenantry.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case tenantry.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	case errMethod:
		status = http.StatusMethodNotAllowed
	default:
		s.log.Error("hub request", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := s.view(r, "hub.error.title")
	params := e.Params
	if res, ok := params["resource"]; ok && s.tr.Has(v.Lang, "hub.resource."+res) {
		params = map[string]string{"resource": s.message(v.Lang, "hub.resource."+res, nil)}
	}
	v.Page = errorPage{Message: s.message(v.Lang, e.Reason, params)}
	s.renderStatus(w, r, status, "error", v)
}

// render writes a page with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, v *view) error {
	return s.renderStatus(w, r, http.StatusOK, page, v)
}

// renderStatus executes a page into a buffer first, so that a template
// error becomes a 500 rather than half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, v *view) error {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := s.pages.execute(buf, v.Lang, page, v); err != nil {
		s.log.Error("hub template", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil
	}
	// Every page shows the flash (the layout does): once shown, it goes.
	s.consumeFlash(w, r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// pageBuffers are the buffers pages are executed into: a page grew its
// own from nothing to 12–40 KB, a copy at each doubling.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// putPageBuffer returns a buffer to pageBuffers, unless a very long page
// (a large import's errors, say) made it too large to keep.
func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// redirect answers a form with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// message translates a reason with its params.
func (s *Server) message(lang, key string, params map[string]string) string {
	return s.tr.Message(lang, key, params)
}

// statusOf is the status every refused form is shown with, as the API
// answers: 400 for bad input, 409 for a conflict with what is stored, 403
// when forbidden.
func statusOf(err error) int {
	switch tenantry.ErrorCode(err) {
	case tenantry.ECONFLICT:
		return http.StatusConflict
	case tenantry.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}
