package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// auditResources are the resource kinds the audit log's filter offers.
var auditResources = []string{"customer", "location", "subscriber", "customer_admin", "import", "template", "webhook", "token",
	"partner", "admin", "assistance_request", "directory"}

// auditActions are suggestions for the action filter, which takes any
// action, also one a newer version writes. TestAuditFiltersOfferEveryAction
// keeps them and auditResources in step with what the store writes.
var auditActions = []string{
	"customer.create", "customer.update", "customer.delete", "customer.approval", "customer.updated", "customer.deleted", "customer.failed",
	"location.create", "location.update", "location.delete", "location.numbers_add", "location.number_remove", "location.main_number",
	"subscriber.create", "subscriber.update", "subscriber.delete", "subscriber.consent_requested", "subscriber.consent_accepted", "subscriber.consent_rejected",
	"customer_admin.create", "customer_admin.update", "customer_admin.delete", "import.create", "import.failed", "directory.import",
	"template.create", "template.update", "template.delete", "webhook.create", "webhook.delete", "webhook.test",
	"token.create", "token.narrow", "token.revoke", "subpartner.create", "subpartner.state", "subpartner.act_start", "subpartner.act_stop",
	"admin.invite", "admin.invite_resent", "admin.role", "admin.remove", "admin.password",
	"partner.bootstrap", "partner.operations_email", "assistance.request",
}

// auditPage is the partner's audit log: filters and a page of entries,
// newest first, with links to the newer and older pages.
type auditPage struct {
	Filter       auditForm
	Orgs         []option
	Admins       []option
	Resources    []option
	Actions      []string
	Entries      []auditRow
	Newer, Older string // URLs, "" when none
	Filtered     bool
}

// auditForm is the filter form's input, kept as typed.
type auditForm struct {
	Org, Admin, Action, Resource, ResourceID, From, To string
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	tenantry.AuditEntry
	Change string // indented JSON
}

const dateLayout = "2006-01-02"

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	q := r.URL.Query()
	in := auditForm{Org: q.Get("org"), Admin: q.Get("admin"), Action: strings.TrimSpace(q.Get("action")), Resource: q.Get("resource"),
		ResourceID: strings.TrimSpace(q.Get("resourceId")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	v := s.view(r, "hub.audit.title")
	v.Nav, v.Tab = "settings", "audit"
	p := auditPage{Filter: in, Actions: auditActions, Filtered: in != auditForm{}}

	subs, _, err := s.svc.Partners.SubPartners(r.Context(), st.actor.PartnerID, "", tenantry.Page{Max: tenantry.MaxPageMax})
	if err != nil {
		return err
	}
	p.Orgs = []option{{Value: "", Label: v.T("hub.audit.own_partner")}}
	for _, sp := range subs {
		p.Orgs = append(p.Orgs, option{Value: sp.ID, Label: sp.Name})
	}
	admins, err := s.svc.Partners.Admins(r.Context(), st.actor.PartnerID)
	if err != nil {
		return err
	}
	p.Admins = []option{{Value: "", Label: v.T("hub.audit.anyone")}}
	for _, a := range admins {
		p.Admins = append(p.Admins, option{Value: a.ID, Label: a.DisplayName + " <" + a.Email + ">"})
	}
	p.Admins = append(p.Admins, option{Value: "system", Label: v.T("hub.audit.system")})
	p.Resources = []option{{Value: "", Label: v.T("hub.audit.any_resource")}}
	for _, res := range auditResources {
		p.Resources = append(p.Resources, option{Value: res, Label: v.T("hub.audit.kind." + res)})
	}

	f := tenantry.AuditFilter{OrgID: in.Org, AdminID: in.Admin, Action: in.Action, Resource: in.Resource, ResourceID: in.ResourceID}
	var ps []tenantry.Problem
	if in.From != "" {
		if f.From, err = time.Parse(dateLayout, in.From); err != nil {
			ps = append(ps, tenantry.Problem{Field: "from", Reason: tenantry.ReasonInvalidDate, Params: map[string]string{"value": in.From}})
		}
	}
	if in.To != "" {
		if t, err := time.Parse(dateLayout, in.To); err != nil {
			ps = append(ps, tenantry.Problem{Field: "to", Reason: tenantry.ReasonInvalidDate, Params: map[string]string{"value": in.To}})
		} else {
			f.To = t.AddDate(0, 0, 1) // the whole last day
		}
	}
	f.Before, f.After = parseCursor(q.Get("before")), parseCursor(q.Get("after"))
	if f.After != nil {
		f.Before = nil
	}
	if len(ps) == 0 {
		ps = f.Validate()
	}
	if len(ps) > 0 {
		s.formProblems(v, tenantry.Invalid(ps), map[string]string{"from": "from", "to": "to"},
			map[string]string{"from": "hub.audit.from", "to": "hub.audit.to"})
		v.Page = p
		return s.renderStatus(w, r, http.StatusBadRequest, "settings_audit", v)
	}
	entries, more, err := s.svc.Audit.AuditEntries(r.Context(), st.actor, f)
	if err != nil {
		return err
	}
	for _, e := range entries {
		row := auditRow{AuditEntry: e, Change: e.Change}
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(e.Change), "", "  ") == nil {
			row.Change = buf.String()
		}
		p.Entries = append(p.Entries, row)
	}
	if len(entries) > 0 {
		first, last := entries[0], entries[len(entries)-1]
		if (f.After != nil && more) || f.Before != nil {
			p.Newer = in.url("after", cursor(first))
		}
		if (f.After == nil && more) || f.After != nil {
			p.Older = in.url("before", cursor(last))
		}
	}
	v.Page = p
	return s.render(w, r, "settings_audit", v)
}

// url is the audit page with this filter and a cursor.
func (in auditForm) url(key, cur string) string {
	q := url.Values{}
	for k, val := range map[string]string{"org": in.Org, "admin": in.Admin, "action": in.Action, "resource": in.Resource,
		"resourceId": in.ResourceID, "from": in.From, "to": in.To} {
		if val != "" {
			q.Set(k, val)
		}
	}
	q.Set(key, cur)
	return "/settings/audit?" + q.Encode()
}

// cursor is an entry's position as the pager's links carry it.
func cursor(e tenantry.AuditEntry) string {
	return strconv.FormatInt(e.At.UnixMicro(), 10) + "-" + strconv.FormatInt(e.ID, 10)
}

// parseCursor reads a pager link's position; nil when absent or altered.
func parseCursor(s string) *tenantry.AuditCursor {
	at, id, ok := strings.Cut(s, "-")
	if !ok {
		return nil
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &tenantry.AuditCursor{At: time.UnixMicro(us).UTC(), ID: n}
}
