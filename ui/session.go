package ui

import (
	"net/http"
	"slices"

	"github.com/tenantry/tenantry/locale"
)

// Cookies of the hub.
const (
	sessionCookie = "tenantry_session"
	langCookie    = "tenantry_lang"  // the language a signed-out visitor chose
	flashCookie   = "tenantry_flash" // a message key shown once on the next page
)

// startSession signs an admin in on this browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, adminID string) error {
	token, err := s.svc.Hub.CreateSession(r.Context(), adminID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// flash shows a message (a key) once, on the next page.
func (s *Server) flash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// consumeFlash removes the flash cookie once a page has shown it
// (renderStatus, for every page).
func (s *Server) consumeFlash(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
}

// language picks the page language: the signed-in admin's choice, else a
// signed-out visitor's choice, else the browser's Accept-Language.
func (s *Server) language(r *http.Request, st *reqState) string {
	var chosen string
	if st.session != nil {
		chosen = st.session.Language
	}
	return s.languageFor(r, chosen)
}

// languageFor is language with the admin's choice given ("" when none).
func (s *Server) languageFor(r *http.Request, chosen string) string {
	if slices.Contains(locale.Languages, chosen) {
		return chosen
	}
	if lang := pickedLanguage(r); lang != "" {
		return lang
	}
	return s.tr.Match(r.Header.Get("Accept-Language"))
}

// pickedLanguage is the language a visitor picked in the switcher before
// signing in (its cookie), "" when none.
func pickedLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && slices.Contains(locale.Languages, c.Value) {
		return c.Value
	}
	return ""
}

// setLanguage is the language switcher's form: the choice is stored for
// the admin, or in a cookie before sign-in.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !slices.Contains(locale.Languages, lang) {
		lang = locale.Languages[0]
	}
	st := state(r)
	if st.session != nil {
		if err := s.svc.Hub.SetAdminLanguage(r.Context(), st.session.Admin.ID, lang); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	return redirect(w, r, localPath(r.PostFormValue("next"), "/"))
}

// localPath returns p when it is a path on this site, else def: a form's
// "next" never sends the browser elsewhere. Browsers drop tabs and line
// breaks from a Location and read a backslash as a slash, so "/\t/evil"
// and "/\\evil" are other sites to them: p may hold neither, nor any
// other control character.
func localPath(p, def string) string {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && p[1] == '/') {
		return def
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return def
		}
	}
	return p
}
