package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// The pages behind the links of approval (rule C7) and consent (rule U3)
// mails. Mail scanners and link previews fetch every link they see, so GET
// and HEAD only show what is asked, in the language the mail was written
// in, with the buttons whose POST (form field decision, to the same URL)
// decides. The POST is refused cross-site (http.CrossOriginProtection): a
// page elsewhere cannot make the recipient's browser decide. A client that
// asks for JSON (Accept: application/json) gets the API's JSON answers and
// error bodies instead of pages.
//
// The pages carry no script and load only their own style sheet; since the
// URL holds the token, no referrer leaves them and nothing may frame them.

//go:embed templates/link.html templates/link.css
var linkFiles embed.FS

var (
	linkTemplate = template.Must(template.ParseFS(linkFiles, "templates/link.html"))
	linkCSS      = mustRead(linkFiles, "templates/link.css")
	// linkCSSPath names the style sheet by its content, so that it can be
	// cached for good and a new build's sheet is fetched anew.
	linkCSSPath = func() string {
		sum := sha256.Sum256(linkCSS)
		return "/v1/links/link-" + hex.EncodeToString(sum[:6]) + ".css"
	}()
)

func mustRead(fs embed.FS, name string) []byte {
	b, err := fs.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// linkCSP is the pages' Content-Security-Policy: their own style sheet, a
// form that posts to their own origin, and nothing else.
const linkCSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// linkRoutes lists the routes of the mailed links. They need no bearer
// token (the link's own token is the credential) and take no
// Idempotency-Key: a link decides once whatever is sent again.
func (s *Server) linkRoutes() []route {
	return []route{
		{"GET", "/v1/approvals/{token}", "", s.linkPageOf(approvalLink{})},
		{"POST", "/v1/approvals/{token}", "", s.linkDecideOf(approvalLink{})},
		{"GET", "/v1/consents/{token}", "", s.linkPageOf(consentLink{})},
		{"POST", "/v1/consents/{token}", "", s.linkDecideOf(consentLink{})},
		{"GET", linkCSSPath, "", s.linkStyle},
	}
}

// linkHandler adds the headers every link response carries.
func (s *Server) linkHandler(h handler) http.Handler {
	return s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		hd := w.Header()
		hd.Set("Content-Security-Policy", linkCSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		if hd.Get("Cache-Control") == "" {
			hd.Set("Cache-Control", "no-store")
		}
		return h(w, r)
	})
}

func (s *Server) linkStyle(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write(linkCSS)
	return err
}

// linkService is what answers the links: the admin or subscriber service,
// when it does (sqldb does). Without it every link is unknown.
func (s *Server) linkService() (tenantry.LinkService, bool) {
	for _, v := range []any{s.svc.Admins, s.svc.Subscribers} {
		if ls, ok := v.(tenantry.LinkService); ok {
			return ls, true
		}
	}
	return nil, false
}

// crossOrigin refuses non-safe requests a browser sends from another site.
var crossOrigin = http.NewCrossOriginProtection()

// wantsJSON reports whether the client asked for JSON rather than a page.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// linkPage is what the link template shows: one question or one outcome.
type linkPage struct {
	Lang, Dir string
	CSS       string
	Title     string
	Alert     string // an error above the question (a form sent without an answer)
	Lines     []string
	Facts     []linkFact
	Form      *linkForm
}

type linkFact struct{ Label, Value string }

type linkForm struct {
	Legend  string
	Buttons []linkButton
}

type linkButton struct {
	Value, Label string
	Primary      bool
}

// pageText translates the link pages' strings.
type pageText struct {
	tr   *locale.Translator
	lang string
}

func (p pageText) t(key string, kv ...string) string {
	params := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		params[kv[i]] = kv[i+1]
	}
	return p.tr.Message(p.lang, key, params)
}

// linkLanguage is the page's language: the mail's (one of the languages
// mail is written in, which the pages speak too) when the link recorded
// it, else the browser's.
func (s *Server) linkLanguage(r *http.Request, mailLang string) pageText {
	if mailLang != "" {
		return pageText{tr: s.tr, lang: s.tr.Match(mailLang)}
	}
	return pageText{tr: s.tr, lang: s.tr.Match(r.Header.Get("Accept-Language"))}
}

// renderLink writes a page with status.
func (s *Server) renderLink(w http.ResponseWriter, status int, tx pageText, p linkPage) error {
	p.Lang, p.Dir, p.CSS = tx.lang, locale.Dir(tx.lang), ".."+strings.TrimPrefix(linkCSSPath, "/v1")
	var b bytes.Buffer
	if err := linkTemplate.Execute(&b, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", tx.lang)
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// notFoundPage answers a token nobody issued.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) error {
	tx := s.linkLanguage(r, "")
	return s.renderLink(w, http.StatusNotFound, tx, linkPage{Title: tx.t("links.notfound.title"), Lines: []string{tx.t("links.notfound.body")}})
}

// expiredPage answers a link past its lifetime.
func (s *Server) expiredPage(w http.ResponseWriter, tx pageText, brand string, expires time.Time) error {
	return s.renderLink(w, http.StatusGone, tx, linkPage{Title: tx.t("links.expired.title"),
		Lines: []string{tx.t("links.expired.body", "date", day(expires), "brand", brand)}})
}

// usedPage answers a link already used; outcome says how the question was
// settled, when known.
func (s *Server) usedPage(w http.ResponseWriter, tx pageText, outcome string) error {
	lines := []string{tx.t("links.used.body")}
	if outcome != "" {
		lines = append(lines, tx.t("links.outcome."+outcome))
	}
	return s.renderLink(w, http.StatusGone, tx, linkPage{Title: tx.t("links.used.title"), Lines: lines})
}

// crossSitePage answers a POST another site made the browser send.
func (s *Server) crossSitePage(w http.ResponseWriter, tx pageText) error {
	return s.renderLink(w, http.StatusForbidden, tx, linkPage{Title: tx.t("links.forbidden.title"), Lines: []string{tx.t("links.forbidden.body")}})
}

// closedPage answers a decision the question no longer takes (it was
// settled another way, or the user is gone).
func (s *Server) closedPage(w http.ResponseWriter, tx pageText) error {
	return s.renderLink(w, http.StatusConflict, tx, linkPage{Title: tx.t("links.closed.title"), Lines: []string{tx.t("links.closed.body")}})
}

// linkStatus is the status of a link's refused decision: 410 for a link
// used or expired, else the code's.
func linkStatus(err error) int {
	switch tenantry.AsError(err).Reason {
	case tenantry.ReasonLinkExpired, tenantry.ReasonConsentLinkUsed, tenantry.ReasonApprovalNotPending:
		return http.StatusGone
	}
	return 0
}

// renderLinkError writes a refused decision as the API's error body, with
// linkStatus's status when it has one.
func (s *Server) renderLinkError(w http.ResponseWriter, r *http.Request, err error) error {
	if st := linkStatus(err); st != 0 {
		w = &statusWriter{ResponseWriter: w, status: st}
	}
	s.renderError(w, r, err)
	return nil
}

// statusWriter writes another status than the one asked for.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(int) { w.ResponseWriter.WriteHeader(w.status) }

// linkKind is one kind of mailed link, approval (C7) or consent (U3): what
// its page asks and how its form decides. One page handler and one decide
// handler serve both kinds.
type linkKind interface {
	// resource names the kind: in a JSON not-found error, and as the
	// prefix of its messages (links.<resource>.done_<outcome>).
	resource() string
	// decisions are the form's answers.
	decisions() []string
	// usedReason is the reason of a decision refused because the link
	// was used up.
	usedReason() string
	// request reads what the link with token asks.
	request(ctx context.Context, ls tenantry.LinkService, token string) (*linkRequest, error)
	// decide decides d through the link: the outcome names the result (for
	// the page), body is the JSON answer.
	decide(ctx context.Context, ls tenantry.LinkService, token, d string) (outcome string, body any, err error)
}

// linkRequest is what a link asks and where it stands, whatever its kind.
type linkRequest struct {
	state    tenantry.LinkState
	language string // the mail's
	customer string // the organization's name
	brand    string
	expires  time.Time
	outcome  string                     // how the question was settled, once it is
	ask      func(tx pageText) linkPage // the question: title, lines, facts and form
}

// approvalLink is the approval link of an attached organization (C7).
type approvalLink struct{}

func (approvalLink) resource() string    { return "approval" }
func (approvalLink) decisions() []string { return []string{"approve", "reject"} }
func (approvalLink) usedReason() string  { return tenantry.ReasonApprovalNotPending }

func (approvalLink) request(ctx context.Context, ls tenantry.LinkService, token string) (*linkRequest, error) {
	q, err := ls.ApprovalRequest(ctx, token)
	if err != nil {
		return nil, err
	}
	return &linkRequest{state: q.State, language: q.Language, customer: q.CustomerName, brand: q.BrandName, expires: q.Expires,
		outcome: approvalOutcome(q.Approval), ask: func(tx pageText) linkPage { return approvalQuestion(tx, q) }}, nil
}

func (approvalLink) decide(ctx context.Context, ls tenantry.LinkService, token, d string) (string, any, error) {
	st, err := ls.DecideApprovalByToken(ctx, token, d == "approve")
	if err != nil {
		return "", nil, err
	}
	return approvalOutcome(st), toApprovalJSON(st), nil
}

// approvalFacts are what an approval page names.
func approvalFacts(tx pageText, q *tenantry.ApprovalRequest) []linkFact {
	facts := []linkFact{{tx.t("links.fact.organization"), q.CustomerName}}
	if q.OrgID != "" {
		facts = append(facts, linkFact{tx.t("links.fact.org_id"), q.OrgID})
	}
	return append(facts, linkFact{tx.t("links.fact.partner"), q.BrandName}, linkFact{tx.t("links.fact.expires"), day(q.Expires)})
}

// approvalQuestion is the page that asks an admin to approve.
func approvalQuestion(tx pageText, q *tenantry.ApprovalRequest) linkPage {
	return linkPage{
		Title: tx.t("links.approval.title", "organization", q.CustomerName),
		Lines: []string{tx.t("links.approval.body", "organization", q.CustomerName, "brand", q.BrandName)},
		Facts: approvalFacts(tx, q),
		Form: &linkForm{Legend: tx.t("links.approval.question", "brand", q.BrandName), Buttons: []linkButton{
			{Value: "approve", Label: tx.t("links.approval.approve"), Primary: true},
			{Value: "reject", Label: tx.t("links.approval.reject")},
		}},
	}
}

// approvalOutcome names how an approval was settled, for usedPage.
func approvalOutcome(a tenantry.Approval) string {
	switch a {
	case tenantry.ApprovalApproved:
		return "approved"
	case tenantry.ApprovalRejected:
		return "rejected"
	}
	return ""
}

// consentLink is the consent link of a user whose address belongs to a
// free account (U3).
type consentLink struct{}

func (consentLink) resource() string { return "consent" }
func (consentLink) decisions() []string {
	return []string{string(tenantry.ConsentAccept), string(tenantry.ConsentReject)}
}
func (consentLink) usedReason() string { return tenantry.ReasonConsentLinkUsed }

func (consentLink) request(ctx context.Context, ls tenantry.LinkService, token string) (*linkRequest, error) {
	q, err := ls.ConsentRequest(ctx, token)
	if err != nil {
		return nil, err
	}
	return &linkRequest{state: q.State, language: q.Language, customer: q.CustomerName, brand: q.BrandName, expires: q.Expires,
		outcome: consentOutcome(q.Decision), ask: func(tx pageText) linkPage { return consentQuestion(tx, q) }}, nil
}

func (consentLink) decide(ctx context.Context, ls tenantry.LinkService, token, d string) (string, any, error) {
	res, err := ls.DecideConsentByToken(ctx, token, tenantry.ConsentDecision(d))
	if err != nil {
		return "", nil, err
	}
	return consentOutcome(res.Decision), consentJSON{Decision: string(res.Decision), Status: string(res.Status)}, nil
}

// consentFacts are what a consent page names.
func consentFacts(tx pageText, q *tenantry.ConsentRequest) []linkFact {
	var facts []linkFact
	if q.RecipientName != "" {
		facts = append(facts, linkFact{tx.t("links.fact.user"), q.RecipientName})
	}
	return append(facts,
		linkFact{tx.t("links.fact.email"), q.Email},
		linkFact{tx.t("links.fact.organization"), q.CustomerName},
		linkFact{tx.t("links.fact.partner"), q.BrandName},
		linkFact{tx.t("links.fact.expires"), day(q.Expires)})
}

// consentQuestion is the page that asks the owner of an address to agree.
func consentQuestion(tx pageText, q *tenantry.ConsentRequest) linkPage {
	return linkPage{
		Title: tx.t("links.consent.title", "organization", q.CustomerName),
		Lines: []string{tx.t("links.consent.body", "organization", q.CustomerName, "email", q.Email, "brand", q.BrandName)},
		Facts: consentFacts(tx, q),
		Form: &linkForm{Legend: tx.t("links.consent.question"), Buttons: []linkButton{
			{Value: "accept", Label: tx.t("links.consent.accept"), Primary: true},
			{Value: "reject", Label: tx.t("links.consent.reject")},
		}},
	}
}

// consentOutcome names what a used consent link decided, for usedPage.
func consentOutcome(d tenantry.ConsentDecision) string {
	switch d {
	case tenantry.ConsentAccept:
		return "accepted"
	case tenantry.ConsentReject:
		return "declined"
	}
	return ""
}

// question writes the page that asks q, with alert above it ("" for none).
func (s *Server) question(w http.ResponseWriter, status int, tx pageText, q *linkRequest, alert string) error {
	p := q.ask(tx)
	p.Alert = alert
	return s.renderLink(w, status, tx, p)
}

// linkPageOf shows what a link of kind k asks. It changes nothing.
func (s *Server) linkPageOf(k linkKind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ls, ok := s.linkService()
		if !ok {
			return s.notFoundPage(w, r)
		}
		q, err := k.request(r.Context(), ls, r.PathValue("token"))
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return s.notFoundPage(w, r)
		}
		if err != nil {
			return err
		}
		tx := s.linkLanguage(r, q.language)
		switch q.state {
		case tenantry.LinkUsed:
			return s.usedPage(w, tx, q.outcome)
		case tenantry.LinkExpired:
			return s.expiredPage(w, tx, q.brand, q.expires)
		}
		return s.question(w, http.StatusOK, tx, q, "")
	}
}

// linkDecideOf decides through a link of kind k: the form's POST.
func (s *Server) linkDecideOf(k linkKind) handler {
	page := s.linkPageOf(k)
	return func(w http.ResponseWriter, r *http.Request) error {
		ls, ok := s.linkService()
		if !ok {
			if wantsJSON(r) {
				return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", k.resource())
			}
			return s.notFoundPage(w, r)
		}
		ctx, token := r.Context(), r.PathValue("token")
		if wantsJSON(r) {
			if err := crossOrigin.Check(r); err != nil {
				return tenantry.Errorf(tenantry.EFORBIDDEN, tenantry.ReasonCrossOrigin)
			}
			d, err := linkDecision(w, r, k.decisions()...)
			if err != nil {
				return err
			}
			_, body, err := k.decide(ctx, ls, token, d)
			if err != nil {
				return s.renderLinkError(w, r, err)
			}
			return writeJSON(w, http.StatusOK, body)
		}
		q, err := k.request(ctx, ls, token)
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return s.notFoundPage(w, r)
		}
		if err != nil {
			return err
		}
		tx := s.linkLanguage(r, q.language)
		if err := crossOrigin.Check(r); err != nil {
			return s.crossSitePage(w, tx)
		}
		d, err := linkDecision(w, r, k.decisions()...)
		if err != nil {
			if q.state != tenantry.LinkOpen {
				return page(w, r)
			}
			return s.question(w, http.StatusBadRequest, tx, q, tx.t("links.choose"))
		}
		outcome, _, err := k.decide(ctx, ls, token, d)
		switch {
		case tenantry.ErrorCode(err) == tenantry.ENOTFOUND:
			return s.notFoundPage(w, r)
		case tenantry.AsError(err).Reason == tenantry.ReasonLinkExpired:
			return s.expiredPage(w, tx, q.brand, q.expires)
		case tenantry.AsError(err).Reason == k.usedReason():
			// Used, or settled another way meanwhile: where it stands.
			if q, err := k.request(ctx, ls, token); err == nil {
				return s.usedPage(w, tx, q.outcome)
			}
			return s.usedPage(w, tx, "")
		case tenantry.ErrorCode(err) == tenantry.ECONFLICT:
			return s.closedPage(w, tx)
		case err != nil:
			return err
		}
		key := "links." + k.resource() + ".done_" + outcome
		return s.renderLink(w, http.StatusOK, tx, linkPage{
			Title: tx.t(key + "_title"),
			Lines: []string{tx.t(key, "organization", q.customer, "brand", q.brand)},
		})
	}
}

// linkDecision reads the form field decision of a link's POST, one of
// allowed.
func linkDecision(w http.ResponseWriter, r *http.Request, allowed ...string) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		return "", tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonRequired)
	}
	v := r.PostForm.Get("decision")
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	if v == "" {
		return "", tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonRequired)
	}
	return "", tenantry.FieldError(tenantry.EINVALID, "decision", tenantry.ReasonInvalidEnum, "value", v, "allowed", strings.Join(allowed, ", "))
}
