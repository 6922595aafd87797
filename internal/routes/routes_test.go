package routes

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestAllowed(t *testing.T) {
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux.Handle("GET /things/{id}", ok)
	mux.Handle("DELETE /things/{id}", ok)
	mux.Handle("POST /signout", ok)
	mux.Handle("/", ok)
	for _, c := range []struct {
		method, path string
		want         []string
	}{
		{"PUT", "/things/1", []string{"GET", "DELETE"}},
		{"GET", "/signout", []string{"POST"}},
		{"GET", "/nowhere", nil},
		{"POST", "/", nil},
	} {
		got := Allowed(mux, httptest.NewRequest(c.method, c.path, nil), "/", "GET", "POST", "PUT", "DELETE")
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.method, c.path, got, c.want)
		}
	}
}
