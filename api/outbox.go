package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tenantry/tenantry"
)

// outboxRoutes lists the routes of the mail outbox: what was (or will be)
// mailed on the partner's behalf, readable whether or not SMTP is set up.
func (s *Server) outboxRoutes() []route {
	const cr = tenantry.ScopeCustomersRead
	return []route{
		{"GET", "/v1/partner/outbox", cr, s.listOutbox},
		{"GET", "/v1/partner/outbox/{messageId}", cr, s.getOutboxMessage},
	}
}

// messageJSON is an outbox message on the wire.
type messageJSON struct {
	ID          string             `json:"id"`
	CustomerID  string             `json:"customerId,omitempty"`
	Kind        string             `json:"kind"`
	To          string             `json:"to"`
	Language    string             `json:"language"`
	Subject     string             `json:"subject"`
	Text        string             `json:"text"`
	HTML        string             `json:"html"`
	Status      string             `json:"status"`
	Attempts    int                `json:"attempts"`
	LastError   string             `json:"lastError"`
	NextAttempt tenantry.Timestamp `json:"nextAttempt,omitzero"`
	Created     tenantry.Timestamp `json:"created"`
	Sent        tenantry.Timestamp `json:"sent,omitzero"`
}

func toMessageJSON(m *tenantry.Message) messageJSON {
	out := messageJSON{
		ID: m.ID, CustomerID: m.CustomerID, Kind: string(m.Kind), To: m.To, Language: m.Language, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Status: string(m.Status), Attempts: m.Attempts, LastError: m.LastError, Created: tenantry.Timestamp(m.Created),
	}
	if m.Status == tenantry.MailQueued {
		out.NextAttempt = tenantry.Timestamp(m.NextAttempt)
	}
	if !m.Sent.IsZero() {
		out.Sent = tenantry.Timestamp(m.Sent)
	}
	return out
}

func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	q := r.URL.Query()
	p, err := page(q)
	if err := collect(aerr, err); err != nil {
		return err
	}
	f := tenantry.OutboxFilter{Status: tenantry.MailStatus(q.Get("status")), Kind: tenantry.MailKind(q.Get("kind")), CustomerID: q.Get("customerId"), Page: p}
	if f.Kind != "" && !slices.Contains(tenantry.MailKinds, f.Kind) {
		allowed := make([]string, len(tenantry.MailKinds))
		for i, k := range tenantry.MailKinds {
			allowed[i] = string(k)
		}
		return tenantry.FieldError(tenantry.EINVALID, "kind", tenantry.ReasonInvalidEnum, "value", string(f.Kind), "allowed", strings.Join(allowed, ", "))
	}
	if f.Status != "" && !slices.Contains(tenantry.MailStatuses, f.Status) {
		allowed := make([]string, len(tenantry.MailStatuses))
		for i, st := range tenantry.MailStatuses {
			allowed[i] = string(st)
		}
		return tenantry.FieldError(tenantry.EINVALID, "status", tenantry.ReasonInvalidEnum, "value", string(f.Status), "allowed", strings.Join(allowed, ", "))
	}
	ms, total, err := s.svc.Outbox.OutboxMessages(r.Context(), a, f)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, ms, toMessageJSON)
}

func (s *Server) getOutboxMessage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	m, err := s.svc.Outbox.OutboxMessage(r.Context(), a, r.PathValue("messageId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMessageJSON(m))
}
