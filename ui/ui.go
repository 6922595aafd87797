// Package ui is the hub: the partner admins' web pages, rendered on the
// server from html/template, over the same domain services as the API.
//
// Every page is a handler that returns an error (one adapter renders it),
// one template under templates/ sharing layout.html, and a typed data
// struct. Templates and static files are embedded; New parses the pages
// and fails when one is missing or broken. Each language has its own copy
// of the pages with its constant translations folded in (fold.go). Every
// page works without JavaScript; a little script (static/hub.js) only
// makes status live and adds a copy button.
package ui

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/internal/routes"
	"github.com/tenantry/tenantry/locale"
)

// Services are what the hub works on: the same services as the API, and
// the hub's own storage of sessions, passwords and drafts.
type Services struct {
	Hub         tenantry.HubService
	Partners    tenantry.PartnerService
	Templates   tenantry.TemplateService
	Customers   tenantry.CustomerService
	Locations   tenantry.LocationService
	Subscribers tenantry.SubscriberService
	Admins      tenantry.CustomerAdminService
	Imports     tenantry.ImportService
	Webhooks    tenantry.WebhookService
	Outbox      tenantry.OutboxService
	Audit       tenantry.AuditService
	Assistance  tenantry.AssistanceService
}

// Options configure the hub.
type Options struct {
	// PublicURL is where the hub is reached; an https URL makes the
	// session cookie Secure.
	PublicURL string
	// Now is the clock; time.Now when nil.
	Now tenantry.Clock
	// Log receives internal errors; slog.Default when nil.
	Log *slog.Logger
}

// Server serves the hub.
type Server struct {
	svc    Services
	tr     *locale.Translator
	log    *slog.Logger
	now    tenantry.Clock
	secure bool
	pages  languagePages
	// languageOptions are the language switcher's, by page language.
	languageOptions map[string]template.HTML
	static          *assets
	throttle        *throttle
}

// New parses the embedded pages and assets; it fails when one is missing.
func New(svc Services, tr *locale.Translator, opt Options) (*Server, error) {
	s := &Server{svc: svc, tr: tr, log: opt.Log, now: opt.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if u, err := url.Parse(opt.PublicURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	var err error
	if s.static, err = loadAssets(); err != nil {
		return nil, err
	}
	// The default language's pages are parsed now, so that a broken
	// template fails here; the others (the same templates) on first use.
	s.pages = newLanguagePages(s.static, tr)
	if _, err := s.pages.folded[locale.Languages[0]](); err != nil {
		return nil, err
	}
	s.languageOptions = make(map[string]template.HTML, len(locale.Languages))
	for _, l := range locale.Languages {
		s.languageOptions[l] = languageOptionsHTML(l)
	}
	s.throttle = newThrottle(s.now)
	return s, nil
}

// route is one page or form of the hub.
type route struct {
	pattern string
	access  access
	h       handler
}

// access says who may use a route.
type access int

const (
	public    access = iota // anyone, signed in or not
	signedIn                // any admin
	writer                  // admins who may change things (not read-only)
	fullAdmin               // full admins only: the partner's settings
)

// routes lists every page and form of the hub.
func (s *Server) routes() []route {
	rs := []route{
		{"GET /{$}", signedIn, s.home},
		{"GET /signin", public, s.signInPage},
		{"POST /signin", public, s.signIn},
		{"POST /signout", signedIn, s.signOut},
		{"GET /setup/{token}", public, s.setupPage},
		{"POST /setup/{token}", public, s.setup},
		{"GET /link/{token}", public, s.linkPage},
		{"POST /link/{token}", public, s.useLink},
		{"POST /language", public, s.setLanguage},

		{"GET /customers", signedIn, s.customerList},
		{"GET /customers/status", signedIn, s.customerStatus},
		{"GET /customers/new", writer, s.customerWizardStart},
		{"POST /customers/new", writer, s.customerWizardRestart},
		{"GET /customers/{id}", signedIn, s.customerPanel},
		{"GET /customers/{id}/setup", signedIn, s.customerSetupStart},
		{"GET /customers/{id}/setup/{step}", writer, s.customerSetupPage},
		{"POST /customers/{id}/setup/{step}", writer, s.customerSetupPost},
		{"GET /customers/{id}/assistance", signedIn, s.assistancePage},
		{"POST /customers/{id}/assistance", writer, s.requestAssistance},
		{"GET /assistance", signedIn, s.assistanceList},
		{"GET /assistance/{id}", signedIn, s.assistanceRequest},
		{"GET /settings/partner", fullAdmin, s.partnerSettings},
		{"POST /settings/partner", fullAdmin, s.savePartnerSettings},
		{"GET /settings/outbox", fullAdmin, s.outboxList},
		{"GET /settings/outbox/{id}", fullAdmin, s.outboxMessage},
		{"GET /settings/outbox/{id}/html", fullAdmin, s.outboxHTML},

		{"GET /customers/{id}/import", signedIn, s.customerImport},
		{"POST /customers/{id}/import", writer, s.importUpload},
		{"GET /customers/{id}/import/template.csv", signedIn, s.importTemplate},
		{"GET /customers/{id}/import/{importId}", signedIn, s.importView},
		{"GET /customers/{id}/import/{importId}/status", signedIn, s.importStatus},
		{"GET /customers/{id}/import/{importId}/errors.csv", signedIn, s.importErrorsCSV},
		{"GET /customers/{id}/locations", signedIn, s.customerLocations},
		{"POST /customers/{id}/locations", writer, s.createLocation},
		{"GET /customers/{id}/locations/{locationId}", signedIn, s.locationView},
		{"POST /customers/{id}/locations/{locationId}/numbers", writer, s.addNumbers},
		{"POST /customers/{id}/locations/{locationId}/numbers/remove", writer, s.removeNumber},
		{"POST /customers/{id}/locations/{locationId}/main", writer, s.setMainNumber},
		{"POST /customers/{id}/locations/{locationId}/delete", writer, s.deleteLocation},
		{"GET /customers/{id}/users", signedIn, s.userList},
		{"GET /customers/{id}/users/{userId}", signedIn, s.userPageGet},
		{"POST /customers/{id}/users/{userId}", writer, s.userUpdate},
		{"GET /customers/{id}/users/{userId}/delete", writer, s.userDeletePage},
		{"POST /customers/{id}/users/{userId}/delete", writer, s.userDelete},
		{"POST /customers/{id}/users/{userId}/consent", writer, s.userResendConsent},
		{"GET /customers/{id}/admins", signedIn, s.customerAdmins},
		{"POST /customers/{id}/admins", writer, s.customerAdminInvite},
		{"POST /customers/{id}/admins/{adminId}", writer, s.customerAdminChange},
		{"GET /customers/{id}/admins/{adminId}/remove", writer, s.customerAdminRemovePage},
		{"POST /customers/{id}/admins/{adminId}/remove", writer, s.customerAdminRemove},

		{"GET /templates", signedIn, s.templateList},
		{"GET /templates/new", writer, s.templateWizardStart},
		{"POST /templates/new", writer, s.templateWizardRestart},
		{"GET /templates/{id}", signedIn, s.templatePage},
		{"GET /templates/{id}/edit", writer, s.templateEditStart},
		{"POST /templates/{id}/delete", writer, s.templateDelete},
		{"GET /templates/wizard/{draft}/{step}", writer, s.templateWizardPage},
		{"POST /templates/wizard/{draft}/{step}", writer, s.templateWizardPost},

		{"GET /settings", fullAdmin, s.settings},
		{"GET /settings/admins", fullAdmin, s.settingsAdmins},
		{"POST /settings/admins", fullAdmin, s.inviteAdmin},
		{"POST /settings/admins/{id}/role", fullAdmin, s.setAdminRole},
		{"POST /settings/admins/{id}/resend", fullAdmin, s.resendInvitation},
		{"POST /settings/admins/{id}/remove", fullAdmin, s.removeAdmin},
		{"GET /settings/tokens", fullAdmin, s.settingsTokens},
		{"POST /settings/tokens", fullAdmin, s.createToken},
		{"POST /settings/tokens/{id}/revoke", fullAdmin, s.revokeToken},
		{"GET /settings/webhooks", fullAdmin, s.settingsWebhooks},
		{"POST /settings/webhooks", fullAdmin, s.createWebhook},
		{"GET /settings/webhooks/{id}", fullAdmin, s.webhookPage},
		{"POST /settings/webhooks/{id}/test", fullAdmin, s.testWebhook},
		{"POST /settings/webhooks/{id}/delete", fullAdmin, s.deleteWebhook},
		{"GET /settings/subpartners", fullAdmin, s.subPartnersPage},
		{"POST /settings/subpartners", fullAdmin, s.subPartnerCreate},
		{"POST /settings/subpartners/{id}/state", fullAdmin, s.subPartnerState},
		{"GET /settings/audit", fullAdmin, s.auditPage},
		{"GET /onbehalf", writer, s.onBehalfPage},
		{"POST /onbehalf", writer, s.onBehalfStart},
		{"POST /onbehalf/stop", signedIn, s.onBehalfStop},
	}
	// The customer wizard's steps are literal paths: a wildcard step
	// (/customers/new/{step}) would clash with a customer's tabs
	// (/customers/{id}/import), neither pattern being more specific.
	for _, step := range customerSteps {
		rs = append(rs, route{"GET /customers/new/" + step, writer, withStep(step, s.customerWizardPage)},
			route{"POST /customers/new/" + step, writer, withStep(step, s.customerWizardPost)})
	}
	return rs
}

// withStep gives a wizard's handler the step its literal path names.
func withStep(step string, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.SetPathValue("step", step)
		return h(w, r)
	}
}

// Handler returns the hub's HTTP handler. State-changing requests from
// another site are refused by http.CrossOriginProtection, with a page in
// the visitor's language (crossSiteRefused).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.adapt(rt.access, rt.h))
	}
	mux.Handle("GET /static/{name}", http.HandlerFunc(s.static.serve))
	mux.Handle("/", s.adapt(public, func(w http.ResponseWriter, r *http.Request) error {
		if allow := routes.Allowed(mux, r, "/", http.MethodGet, http.MethodPost); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return tenantry.Errorf(errMethod, tenantry.ReasonMethodNotAllowed)
		}
		return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "page")
	}))
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossSiteRefused))
	return securityHeaders(cop.Handler(mux))
}

// crossSiteRefused answers a form sent from another site, which
// http.CrossOriginProtection refused before any handler ran: 403, with a
// page saying so in the visitor's language. Nothing is written: the
// session, if any, is read only for its admin's language (it is not
// marked used, as adapt would), and the page is that of a signed-out
// visitor.
func (s *Server) crossSiteRefused(w http.ResponseWriter, r *http.Request) {
	var chosen string
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		lang, err := s.svc.Hub.SessionLanguage(r.Context(), c.Value)
		if err != nil {
			s.log.Error("hub cross-site refusal", "path", r.URL.Path, "err", err)
		}
		chosen = lang
	}
	st := &reqState{lang: s.languageFor(r, chosen)}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	v := s.view(r, "hub.error.title")
	v.Path = "/" // the language switcher's way back: the refused path may take no GET
	v.Page = errorPage{Message: s.message(v.Lang, "hub.error.cross_site", nil)}
	s.renderStatus(w, r, http.StatusForbidden, "error", v)
}

// securityHeaders sets what every response of the hub carries: a strict
// Content-Security-Policy (no inline script or style, nothing from another
// origin, no framing), nosniff and a referrer policy.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
	return nil
}
