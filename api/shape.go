package api

import (
	"net/http"
	"strings"
)

// PreferExtensions is the preference (RFC 7240) a client sends, as
// `Prefer: tenantry-extensions`, to have the answers of the public
// wholesale operations carry Tenantry's own fields as well.
const PreferExtensions = "tenantry-extensions"

// publicPaths are the paths of the operations the public wholesale
// provisioning API defines (every method Tenantry serves on them is one
// of its operations). Clients generated from that API's OpenAPI document
// refuse an answer holding a field its schema lacks, so these operations
// answer with the public fields alone unless the client asks for more.
var publicPaths = map[string]bool{
	"/v1/wholesale/customers":                           true,
	"/v1/wholesale/customers/validate":                  true,
	"/v1/wholesale/customers/{customerId}":              true,
	"/v1/wholesale/subPartners":                         true,
	"/v1/wholesale/subscribers":                         true,
	"/v1/wholesale/subscribers/validate":                true,
	"/v1/wholesale/subscribers/{subscriberId}":          true,
	"/v1/subscribers/{subscriberId}/emails/consentMove": true,
}

// shape is which fields an answer holds.
type shape int

const (
	// shapeTenantry: an operation of Tenantry's own, whose answers always
	// hold all of Tenantry's fields.
	shapeTenantry shape = iota
	// shapePublic: a public operation answered with the public fields only.
	shapePublic
	// shapeExtended: a public operation whose client asked for Tenantry's
	// fields too.
	shapeExtended
)

// negotiate settles the shape of the answer to r, which the mux has
// routed, and says so in the headers: the answers of a public operation
// vary with Prefer, and name the preference when they honour it.
func negotiate(w http.ResponseWriter, r *http.Request) shape {
	_, path, _ := strings.Cut(r.Pattern, " ")
	if !publicPaths[path] {
		return shapeTenantry
	}
	w.Header().Add("Vary", "Prefer")
	if !prefers(r.Header, PreferExtensions) {
		return shapePublic
	}
	w.Header().Set("Preference-Applied", PreferExtensions)
	return shapeExtended
}

// prefers reports whether the Prefer headers of h hold the preference
// name. Preference names are case-insensitive and may come with a value
// and parameters, in any of several headers or comma-separated in one.
// A quoted value is not parsed: a comma in one could only make a value
// read as a preference named like Tenantry's own, which no client sends.
func prefers(h http.Header, name string) bool {
	for _, v := range h.Values("Prefer") {
		for _, pref := range strings.Split(v, ",") {
			token, _, _ := strings.Cut(pref, ";")
			token, _, _ = strings.Cut(token, "=")
			if strings.EqualFold(strings.TrimSpace(token), name) {
				return true
			}
		}
	}
	return false
}

// extensions reports whether the answer to r holds Tenantry's own fields:
// always on Tenantry's operations, on a public one when the client asked.
func extensions(r *http.Request) bool {
	s, _ := r.Context().Value(shapeKey).(shape)
	return s != shapePublic
}

// extended reports whether r is a public operation whose client asked for
// Tenantry's fields.
func extended(r *http.Request) bool {
	s, _ := r.Context().Value(shapeKey).(shape)
	return s == shapeExtended
}
