package api

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Option configures a Server beyond its services.
type Option func(*Server)

// WithPublicURL sets the URL the server is reached at from outside (e.g.
// https://hub.example.com). Location headers, the url fields of bodies and
// Link headers are built from it, never from the request's Host or
// X-Forwarded-Proto, which a client chooses; when it is https, responses
// carry Strict-Transport-Security. Without it, links name the address the
// request was accepted on (the listener's, not the client's Host).
func WithPublicURL(u string) Option {
	return func(s *Server) {
		s.public = strings.TrimRight(u, "/")
		s.hsts = strings.HasPrefix(strings.ToLower(u), "https://")
	}
}

// WithTrustedProxies names the reverse proxies whose X-Forwarded-For is
// believed when finding a client's address (for the limit on failed
// authentications). A request from any other peer is judged by its
// RemoteAddr alone.
func WithTrustedProxies(nets []netip.Prefix) Option {
	return func(s *Server) { s.proxies = nets }
}

// WithClock sets the clock of the limit on failed authentications; tests
// inject one.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithAuthFailureLimit sets how many failed authentications one client
// address may make at once (n), and how fast tries come back: n per
// window, evenly. The default is DefaultAuthFailures per
// DefaultAuthFailureWindow.
func WithAuthFailureLimit(n int, window time.Duration) Option {
	return func(s *Server) { s.failures = newFailureLimiter(n, window, maxLimitedClients) }
}

type securityKey int

const baseKey securityKey = 0

// secure sets the headers every API response carries and remembers the
// base URL links are built from.
func (s *Server) secure(w http.ResponseWriter, r *http.Request) *http.Request {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	// Answers hold customer data and one-time secrets: no cache, shared or
	// private, may keep them.
	h.Set("Cache-Control", "no-store")
	// Messages and descriptions are in the language Accept-Language asks
	// for.
	h.Add("Vary", "Accept-Language")
	if s.hsts {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if s.public == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), baseKey, s.public))
}

// baseURL is the scheme, host (and path prefix) links are built from: the
// configured public URL, or else the local address that accepted the
// request. The request's Host and X-Forwarded-Proto are never used: a
// client could point links anywhere with them.
func baseURL(r *http.Request) string {
	if v, ok := r.Context().Value(baseKey).(string); ok {
		return v
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return scheme + "://" + a.String()
	}
	return ""
}

// MaxTrackingID is the longest client TrackingID the API echoes.
const MaxTrackingID = 128

// requestTrackingID is the client's TrackingID when it is a plain token
// ([A-Za-z0-9._:-], at most MaxTrackingID), else a new one: it is echoed in
// a header and in bodies and written to logs, so nothing else may pass.
func requestTrackingID(r *http.Request) string {
	tid := r.Header.Get("TrackingID")
	if tid == "" || len(tid) > MaxTrackingID {
		return newTrackingID()
	}
	for i := 0; i < len(tid); i++ {
		c := tid[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return newTrackingID()
		}
	}
	return tid
}

// clientAddr is the address failed authentications are counted against:
// the peer's, or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !s.trusted(peer) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a hop we cannot read: judge the last proxy's peer
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteAddr(hostport string) netip.Addr {
	if ap, err := netip.ParseAddrPort(hostport); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(hostport)
	return a.Unmap()
}
