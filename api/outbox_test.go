package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The outbox operations are among those the document must describe.
func init() {
	openapiOperations = append(openapiOperations,
		struct{ method, path string }{"GET", "/partner/outbox"},
		struct{ method, path string }{"GET", "/partner/outbox/{messageId}"})
}

// withOutbox serves en's database with the outbox wired, as
// cmd/tenantry's serve does.
func withOutbox(t *testing.T, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Outbox: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	return &out
}

// messageDoc is an outbox message as the API returns it.
type messageDoc struct {
	ID          string     `json:"id"`
	CustomerID  string     `json:"customerId"`
	Kind        string     `json:"kind"`
	To          string     `json:"to"`
	Language    string     `json:"language"`
	Subject     string     `json:"subject"`
	Text        string     `json:"text"`
	HTML        string     `json:"html"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"lastError"`
	NextAttempt *time.Time `json:"nextAttempt"`
	Created     time.Time  `json:"created"`
	Sent        *time.Time `json:"sent"`
}

type messageList struct {
	Items []messageDoc `json:"items"`
}

func (l messageList) recipients() []string {
	var out []string
	for _, m := range l.Items {
		out = append(out, m.To)
	}
	return out
}

// queueMail queues a mail of p's, as a change of the partner's would.
func (p *partner) queueMail(t *testing.T, kind tenantry.MailKind, to, lang, customerID string) *tenantry.Message {
	t.Helper()
	msg := &tenantry.Message{PartnerID: p.ID, CustomerID: customerID, Kind: kind, To: to, Language: lang}
	d := tenantry.MailData{BrandName: p.Name + " Voice", CustomerName: "Contoso Ltd", Link: "https://hub.example/consent/1"}
	if err := p.en.db.QueueMail(context.Background(), msg, d); err != nil {
		t.Fatalf("queue mail: %v", err)
	}
	// The outbox renders when read: the message as queued carries what
	// reading it must show.
	d.RecipientEmail = to
	var err error
	if msg.Subject, msg.Text, msg.HTML, err = mail.Render(kind, msg.Language, d); err != nil {
		t.Fatal(err)
	}
	return msg
}

// renderedText returns the text of a partner's mail as the outbox shows it.
func renderedText(t *testing.T, en *env, id, partnerID string) string {
	t.Helper()
	m, err := en.db.OutboxMessage(t.Context(), &tenantry.Actor{OrgID: partnerID}, id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}

func (p *partner) listOutbox(t *testing.T, query string) (messageList, *response) {
	t.Helper()
	var l messageList
	r := p.do(t, "GET", withQuery("/v1/partner/outbox", query), nil, nil).wantStatus(t, 200)
	r.decode(t, &l)
	return l, r
}

// TestOutboxAPI: a partner reads its outbox over HTTP, newest first, in
// pages, filtered by status and customer, each message with its content and
// delivery state; another partner's message is not found.
func TestOutboxAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withOutbox(t, newEnv(t, e))
		acme, other := en.bootstrap(t, "Acme"), en.bootstrap(t, "Other")
		first := acme.queueMail(t, tenantry.MailAdminInvitation, "admin@contoso.example", "pt_BR", "cust-a")
		acme.queueMail(t, tenantry.MailConsent, "user@contoso.example", "ar", "cust-b")
		last := acme.queueMail(t, tenantry.MailAdminInvitation, "second@contoso.example", "fr", "cust-a")
		theirs := other.queueMail(t, tenantry.MailAdminInvitation, "admin@fabrikam.example", "en", "cust-z")

		l, _ := acme.listOutbox(t, "")
		if diff := cmp.Diff([]string{"second@contoso.example", "user@contoso.example", "admin@contoso.example"}, l.recipients()); diff != "" {
			t.Fatalf("outbox, newest first (-want +got):\n%s", diff)
		}
		m := l.Items[2]
		if m.ID != first.ID || m.CustomerID != "cust-a" || m.Kind != "customer_admin_invitation" || m.Language != "pt-BR" ||
			m.Subject != first.Subject || m.Text != first.Text || m.HTML != first.HTML || m.Status != "queued" ||
			m.Attempts != 0 || m.LastError != "" || m.NextAttempt == nil || m.Sent != nil || m.Created.IsZero() {
			t.Errorf("queued message: %+v", m)
		}
		if !strings.Contains(m.Subject, "Acme Voice") || !strings.Contains(m.HTML, `<html lang="pt-BR" dir="ltr">`) {
			t.Errorf("message is not the rendered mail: %q\n%s", m.Subject, m.HTML)
		}
		if l.Items[1].Language != "ar" || !strings.Contains(l.Items[1].HTML, `dir="rtl"`) || l.Items[0].Language != "en" {
			t.Errorf("languages %s, %s", l.Items[1].Language, l.Items[0].Language)
		}

		var one messageDoc
		acme.do(t, "GET", "/v1/partner/outbox/"+url.PathEscape(last.ID), nil, nil).wantStatus(t, 200).decode(t, &one)
		if diff := cmp.Diff(l.Items[0], one); diff != "" {
			t.Errorf("one message differs from the list's (-list +one):\n%s", diff)
		}

		// Paging, with the Link header.
		page, r := acme.listOutbox(t, "max=2")
		if len(page.Items) != 2 || !strings.Contains(r.Header.Get("Link"), `rel="next"`) || !strings.Contains(r.Header.Get("Link"), "offset=2") {
			t.Errorf("first page: %d items, Link %q", len(page.Items), r.Header.Get("Link"))
		}
		next, r := acme.listOutbox(t, "max=2&offset=2")
		if len(next.Items) != 1 || next.Items[0].ID != first.ID || strings.Contains(r.Header.Get("Link"), `rel="next"`) {
			t.Errorf("last page: %v, Link %q", next.recipients(), r.Header.Get("Link"))
		}

		// Filters, after the sender delivered one and gave up on another.
		claimed, err := en.db.ClaimMail(context.Background(), 2, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		if err := en.db.MarkMailSent(context.Background(), claimed[0].ID, claimed[0].Attempts); err != nil {
			t.Fatal(err)
		}
		if err := en.db.MarkMailFailed(context.Background(), claimed[1].ID, claimed[1].Attempts, "550 5.1.1 no such user", 0); err != nil {
			t.Fatal(err)
		}
		for status, want := range map[string]string{"sent": claimed[0].ID, "failed": claimed[1].ID} {
			f, _ := acme.listOutbox(t, "status="+status)
			if len(f.Items) != 1 || f.Items[0].ID != want || f.Items[0].Status != status || f.Items[0].Attempts != 1 || f.Items[0].NextAttempt != nil {
				t.Errorf("status=%s: %+v", status, f.Items)
			}
			if status == "sent" && f.Items[0].Sent == nil {
				t.Error("a sent message has no sent time")
			}
			if status == "failed" && f.Items[0].LastError != "550 5.1.1 no such user" {
				t.Errorf("a failed message's error: %q", f.Items[0].LastError)
			}
		}
		byCustomer, _ := acme.listOutbox(t, "customerId=cust-a")
		if diff := cmp.Diff([]string{"second@contoso.example", "admin@contoso.example"}, byCustomer.recipients()); diff != "" {
			t.Errorf("customerId filter (-want +got):\n%s", diff)
		}
		byKind, _ := acme.listOutbox(t, "kind=consent")
		if diff := cmp.Diff([]string{"user@contoso.example"}, byKind.recipients()); diff != "" {
			t.Errorf("kind filter (-want +got):\n%s", diff)
		}

		// Partner isolation.
		acme.do(t, "GET", "/v1/partner/outbox/"+url.PathEscape(theirs.ID), nil, nil).wantStatus(t, 404)
		acme.do(t, "GET", "/v1/partner/outbox/no-such-message", nil, nil).wantStatus(t, 404)
		if ol, _ := other.listOutbox(t, ""); len(ol.Items) != 1 || ol.Items[0].ID != theirs.ID {
			t.Errorf("the other partner's outbox: %v", ol.recipients())
		}
		if none, _ := acme.listOutbox(t, "customerId=cust-z"); len(none.Items) != 0 {
			t.Errorf("another partner's customer's mail is listed: %v", none.recipients())
		}

		// Bad input.
		acme.do(t, "GET", "/v1/partner/outbox?status=bounced", nil, nil).wantField(t, 400, "status")
		acme.do(t, "GET", "/v1/partner/outbox?kind=postcard", nil, nil).wantField(t, 400, "kind")
		acme.do(t, "GET", "/v1/partner/outbox?max=0", nil, nil).wantField(t, 400, "max")
		en.do(t, "GET", "/v1/partner/outbox", "", nil, nil).wantStatus(t, 401)
		acme.do(t, "DELETE", "/v1/partner/outbox/"+url.PathEscape(last.ID), nil, nil).wantStatus(t, 405)
	})
}
