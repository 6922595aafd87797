// Package api is Tenantry's REST API: JSON under /v1, wire-compatible with the
// wholesale provisioning API for customers and sub-partners, and extended in
// the same conventions (templates, partner admins and subscriptions). The
// handlers are thin: they decode, call the domain's services and render.
package api

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/internal/routes"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/observe"
)

// Document is the OpenAPI document the server publishes at /v1/openapi.json.
//
//go:embed openapi.json
var Document []byte

// Services are what the API works on.
type Services struct {
	Partners    tenantry.PartnerService
	Templates   tenantry.TemplateService
	Customers   tenantry.CustomerService
	Idempotency tenantry.IdempotencyStore
	Locations   tenantry.LocationService
	Outbox      tenantry.OutboxService
	Subscribers tenantry.SubscriberService
	Webhooks    tenantry.WebhookService
	Admins      tenantry.CustomerAdminService
	Imports     tenantry.ImportService
}

// Server serves the API.
type Server struct {
	svc Services
	tr  *locale.Translator
	log *slog.Logger

	public   string           // WithPublicURL, without a trailing slash
	hsts     bool             // the public URL is https
	proxies  []netip.Prefix   // WithTrustedProxies
	now      func() time.Time // WithClock
	failures *failureLimiter  // failed authentications per client address
}

// New returns an API server over svc.
func New(svc Services, tr *locale.Translator, log *slog.Logger, opts ...Option) *Server {
	s := &Server{svc: svc, tr: tr, log: log, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.failures == nil {
		s.failures = newFailureLimiter(DefaultAuthFailures, DefaultAuthFailureWindow, maxLimitedClients)
	}
	return s
}

// handler is an HTTP handler that returns its error for one adapter to render.
type handler func(w http.ResponseWriter, r *http.Request) error

// route is one operation of the API.
type route struct {
	method, path string
	scope        string // the scope it needs; "" for public
	h            handler
}

// routes lists every operation of the API.
func (s *Server) routes() []route {
	const (
		cr = tenantry.ScopeCustomersRead
		cw = tenantry.ScopeCustomersWrite
	)
	routes := []route{
		{"GET", "/v1/openapi.json", "", s.openAPI},
		{"GET", "/v1/wholesale/customers", cr, s.listCustomers},
		{"POST", "/v1/wholesale/customers", cw, s.createCustomer},
		{"POST", "/v1/wholesale/customers/validate", cw, s.precheckCustomer},
		{"GET", "/v1/wholesale/customers/{customerId}", cr, s.getCustomer},
		{"PUT", "/v1/wholesale/customers/{customerId}", cw, s.updateCustomer},
		{"DELETE", "/v1/wholesale/customers/{customerId}", cw, s.deleteCustomer},
		{"GET", "/v1/wholesale/subPartners", cr, s.listSubPartners},
		{"GET", "/v1/wholesale/templates", cr, s.listTemplates},
		{"POST", "/v1/wholesale/templates", cw, s.createTemplate},
		{"GET", "/v1/wholesale/templates/{templateId}", cr, s.getTemplate},
		{"PUT", "/v1/wholesale/templates/{templateId}", cw, s.updateTemplate},
		{"DELETE", "/v1/wholesale/templates/{templateId}", cw, s.deleteTemplate},
		{"GET", "/v1/partner/admins", cr, s.listAdmins},
		{"GET", "/v1/partner/subscriptions", cr, s.listSubscriptions},
	}
	routes = append(routes, s.locationRoutes()...)
	routes = append(routes, s.outboxRoutes()...)
	routes = append(routes, s.subscriberRoutes()...)
	routes = append(routes, s.webhookRoutes()...)
	routes = append(routes, s.importRoutes()...)
	routes = append(routes, s.adminRoutes()...)
	routes = append(routes, s.tokenRoutes()...)
	return routes
}

// Handler returns the API's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.h
		if rt.method == http.MethodPost {
			h = s.idempotent(h)
		}
		if rt.scope != "" {
			h = s.authorize(rt.scope, h)
		}
		mux.Handle(rt.method+" "+rt.path, s.adapt(h))
	}
	for _, rt := range s.linkRoutes() { // pages of the mailed links (linkpage.go)
		mux.Handle(rt.method+" "+rt.path, s.linkHandler(rt.h))
	}
	mux.Handle("/v1/", s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		// Nothing matched: a 405 when the path has other methods, else a 404.
		if allow := routes.Allowed(mux, r, "/v1/", "GET", "POST", "PUT", "DELETE"); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return tenantry.Errorf(errMethod, tenantry.ReasonMethodNotAllowed)
		}
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "resource")
	}))
	return mux
}

// errMethod is the one code the API adds at its edge: a method the path
// does not have.
const errMethod = "method"

type ctxKey int

const (
	principalKey ctxKey = iota
	trackingKey
	shapeKey
)

// adapt turns a handler into an http.Handler: it gives the request a
// tracking id, settles the shape of its answer (negotiate) and renders a
// returned error as the wholesale error body.
func (s *Server) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tid := requestTrackingID(r)
		w.Header().Set("TrackingID", tid)
		r = s.secure(w, r)
		ctx := context.WithValue(r.Context(), trackingKey, tid)
		r = r.WithContext(context.WithValue(ctx, shapeKey, negotiate(w, r)))
		if err := checkText(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// checkText refuses a path, query value or Idempotency-Key that is not text
// (invalid UTF-8 or control characters): no id or filter can hold one, and
// PostgreSQL would refuse it deep inside a query.
func checkText(r *http.Request) error {
	bad := func(s string) bool {
		return !utf8.ValidString(s) || strings.ContainsFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f })
	}
	if bad(r.URL.Path) {
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "resource")
	}
	for name, vs := range r.URL.Query() {
		for _, v := range vs {
			if bad(name) || bad(v) {
				return tenantry.FieldError(tenantry.EINVALID, name, tenantry.ReasonForbiddenChar, "char", "control")
			}
		}
	}
	if bad(r.Header.Get("Idempotency-Key")) {
		return tenantry.FieldError(tenantry.EINVALID, "Idempotency-Key", tenantry.ReasonForbiddenChar, "char", "control")
	}
	return nil
}

func newTrackingID() string {
	var b [12]byte
	rand.Read(b[:])
	return "TENANTRY_" + hex.EncodeToString(b[:])
}

func trackingID(r *http.Request) string {
	v, _ := r.Context().Value(trackingKey).(string)
	return v
}

// authorize checks the bearer token and the scope the route needs.
func (s *Server) authorize(scope string, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The scheme is case-insensitive (RFC 7235, section 2.1).
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tenantry"`)
			return s.refuseFailure(w, r, tenantry.Errorf(tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized))
		}
		p, err := s.svc.Partners.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tenantry", error="invalid_token"`)
				return s.refuseFailure(w, r, err)
			}
			return err
		}
		observe.SetPartner(r.Context(), p.PartnerID) // the access log's partner
		if !p.Has(scope) {
			return tenantry.Errorf(tenantry.EFORBIDDEN, tenantry.ReasonMissingScope, "scope", scope)
		}
		ctx := context.WithValue(r.Context(), principalKey, p)
		ctx = tenantry.WithOrigin(ctx, tenantry.Origin{Via: tenantry.ViaAPI, AdminID: p.AdminID, TokenID: p.TokenID}) // for the audit log
		return h(w, r.WithContext(ctx))
	}
}

// actor resolves who the request acts for, honouring
// onBehalfOfSubPartnerOrgId.
func (s *Server) actor(r *http.Request) (*tenantry.Actor, error) {
	p, _ := r.Context().Value(principalKey).(*tenantry.Principal)
	if p == nil {
		return nil, errors.New("api: no principal on an authorized route")
	}
	return s.svc.Partners.ResolveActor(r.Context(), p, r.URL.Query().Get("onBehalfOfSubPartnerOrgId"))
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(Document)
	return err
}
