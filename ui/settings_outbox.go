package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/tenantry/tenantry"
)

// outboxPageSize is how many mails the outbox list shows at once.
const outboxPageSize = 25

// outboxListPage is the email outbox: mails filtered by kind and state,
// newest first.
type outboxListPage struct {
	Kind, State string
	Kinds       []option
	States      []option
	Messages    []outboxRow
	Total       int
	From, To    int
	Prev, Next  string
}

type outboxRow struct {
	*tenantry.Message
	KindLabel string
}

// outboxMessagePage is one mail as its recipient sees it: the text part,
// and the HTML part in a sandboxed frame (outboxHTML).
type outboxMessagePage struct {
	Message      *tenantry.Message
	KindLabel    string
	CustomerName string // "" when the customer is gone
}

// kindLabel names a kind of mail in the page's language; a kind with no
// name of its own shows as it is stored.
func (v *view) kindLabel(k tenantry.MailKind) string {
	if key := "hub.outbox.kind." + string(k); v.s.tr.Has(v.Lang, key) {
		return v.T(key)
	}
	return string(k)
}

func (s *Server) outboxList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := s.view(r, "hub.outbox.title")
	v.Nav, v.Tab = "settings", "outbox"
	p := outboxListPage{}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := tenantry.OutboxFilter{Page: tenantry.Page{Offset: offset, Max: outboxPageSize}}
	// An unknown filter value (an old bookmark) is ignored, as the
	// customer list does.
	if k := tenantry.MailKind(q.Get("kind")); slices.Contains(tenantry.MailKinds, k) {
		f.Kind, p.Kind = k, string(k)
	}
	if st := tenantry.MailStatus(q.Get("state")); slices.Contains(tenantry.MailStatuses, st) {
		f.Status, p.State = st, string(st)
	}
	for _, k := range tenantry.MailKinds {
		p.Kinds = append(p.Kinds, option{Value: string(k), Label: v.kindLabel(k), Selected: string(k) == p.Kind})
	}
	for _, st := range tenantry.MailStatuses {
		p.States = append(p.States, option{Value: string(st), Label: v.T("hub.outbox.state." + string(st)), Selected: string(st) == p.State})
	}
	ms, total, err := s.svc.Outbox.OutboxMessages(r.Context(), state(r).actor, f)
	if err != nil {
		return err
	}
	p.Total = total
	for _, m := range ms {
		p.Messages = append(p.Messages, outboxRow{Message: m, KindLabel: v.kindLabel(m.Kind)})
	}
	if len(ms) > 0 {
		p.From, p.To = offset+1, offset+len(ms)
	}
	at := func(off int) string {
		u := url.Values{}
		if p.Kind != "" {
			u.Set("kind", p.Kind)
		}
		if p.State != "" {
			u.Set("state", p.State)
		}
		if off > 0 {
			u.Set("offset", strconv.Itoa(off))
		}
		if len(u) == 0 {
			return "/settings/outbox"
		}
		return "/settings/outbox?" + u.Encode()
	}
	if offset > 0 {
		p.Prev = at(max(offset-outboxPageSize, 0))
	}
	if offset+outboxPageSize < total {
		p.Next = at(offset + outboxPageSize)
	}
	v.Page = p
	return s.render(w, r, "settings_outbox", v)
}

// outboxMessage shows one mail. Its HTML part is framed from outboxHTML,
// so this page's policy allows frames of the hub's own origin.
func (s *Server) outboxMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.Outbox.OutboxMessage(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := s.view(r, "hub.outbox.message_title")
	v.Nav, v.Tab = "settings", "outbox"
	p := outboxMessagePage{Message: m, KindLabel: v.kindLabel(m.Kind)}
	if m.CustomerID != "" {
		c, err := s.svc.Customers.Customer(r.Context(), state(r).actor, m.CustomerID)
		switch {
		case err == nil:
			p.CustomerName = c.Name
		case tenantry.ErrorCode(err) != tenantry.ENOTFOUND:
			return err
		}
	}
	v.Page = p
	w.Header().Set("Content-Security-Policy", w.Header().Get("Content-Security-Policy")+"; frame-src 'self'")
	return s.render(w, r, "settings_outbox_message", v)
}

// mailFramePolicy is the policy of a mail's HTML part: a sandbox (no
// script, no forms, no navigation of the hub, an origin of its own), no
// fetch of anything but inline images and the mail's inline styles, and
// framing by the hub only.
const mailFramePolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"

// outboxHTML serves a mail's HTML part, as the outbox keeps it (links that
// act for the recipient without their token), for the frame of
// outboxMessage. It replaces the hub's policy, which forbids framing, with
// mailFramePolicy: the hub's headers are set before any handler runs.
func (s *Server) outboxHTML(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.Outbox.OutboxMessage(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", mailFramePolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(m.HTML))
	return err
}
