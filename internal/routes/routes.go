// Package routes answers what a ServeMux with a catch-all pattern cannot:
// which methods its other patterns serve a path with, for a 405 rather
// than the catch-all's 404.
package routes

import "net/http"

// Allowed returns the methods, of those given, with which a pattern of mux
// other than catchAll would serve r's path; r's own method is skipped.
func Allowed(mux *http.ServeMux, r *http.Request, catchAll string, methods ...string) []string {
	var allow []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		other := r.Clone(r.Context())
		other.Method = m
		if _, pattern := mux.Handler(other); pattern != "" && pattern != catchAll {
			allow = append(allow, m)
		}
	}
	return allow
}
