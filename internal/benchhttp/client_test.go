package benchhttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClient: answers with a length, chunked, and refused come back whole
// with their status and the request's headers reach the server; the
// connection is kept between requests, and dialled again after the
// server closed it.
func TestClient(t *testing.T) {
	var conns []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(conns) == 0 || conns[len(conns)-1] != r.RemoteAddr {
			conns = append(conns, r.RemoteAddr)
		}
		switch r.URL.Path {
		case "/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "part %d;", i)
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "/missing":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Length", "11")
			w.Write([]byte(r.Header.Get("Cookie")[:11]))
		}
	}))
	defer srv.Close()
	c := New(srv.URL)
	defer c.Close()
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/length", 200, "tenantry_se"},
		{"/chunked", 200, "part 0;part 1;part 2;"},
		{"/missing", 404, "404 page not found\n"},
		{"/close", 200, "bye"},
		{"/length", 200, "tenantry_se"},
	} {
		status, body, err := c.Get(tc.path, "Cookie: tenantry_session=abc", "Accept-Language: ar")
		if err != nil || status != tc.status || string(body) != tc.body {
			t.Errorf("GET %s = %d %q, %v; want %d %q", tc.path, status, body, err, tc.status, tc.body)
		}
	}
	if len(conns) != 2 {
		t.Errorf("connections: %v, want one until the server closed it, then another", conns)
	}
	if _, _, err := New(strings.Replace(srv.URL, "127.0.0.1", "127.0.0.1:1", 1)).Get("/"); err == nil {
		t.Error("a bad address: no error")
	}
}
