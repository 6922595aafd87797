package ui

import "net/http"

// The partner's settings, for full admins only (the routes' access is
// fullAdmin): its admins, API tokens and webhooks (settings_admins.go,
// settings_tokens.go, settings_webhooks.go), and the sections beside them.

// settings opens the first section a full admin usually needs.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	return redirect(w, r, "/settings/admins")
}

// settingsView is the common part of a settings page.
func (s *Server) settingsView(r *http.Request, title, tab string) *view {
	v := s.view(r, title)
	v.Nav, v.Tab = "settings", tab
	return v
}

// GroupError is the error shown next to a group of controls (a fieldset of
// checkboxes), "" when none.
func (v *view) GroupError(field string) string { return v.Errors.byField[field] }
