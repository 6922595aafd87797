package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// mailSink is an in-process SMTP server that keeps what it receives.
type mailSink struct {
	addr string
	mu   sync.Mutex
	mail map[string][]string // recipient → plain-text bodies
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	s := &mailSink{mail: map[string][]string{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// waitFor waits for a mail to to arrive and returns its text.
func (s *mailSink) waitFor(t *testing.T, to string) string {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		s.mu.Lock()
		got := s.mail[to]
		s.mu.Unlock()
		if len(got) > 0 {
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail reached %s", to)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type sinkSession struct {
	s  *mailSink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	text, err := plainText(b)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	for _, to := range ss.to {
		ss.s.mail[to] = append(ss.s.mail[to], text)
	}
	ss.s.mu.Unlock()
	return nil
}

// plainText is the decoded text/plain part of a multipart mail.
func plainText(data []byte) (string, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
			continue
		}
		var body io.Reader = part
		if part.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(body)
		return string(b), err
	}
}

// liveToken finds a usable token of a decision link: base64url of 32 bytes.
var liveToken = regexp.MustCompile(`/v1/(?:approvals|consents)/([A-Za-z0-9_-]{43})`)

// TestOutboxHidesLinkTokens: a partner reading its outbox (list and one
// message) never sees a usable approval or consent token, nor does the
// outbox row hold one; the mail the SMTP server receives has the working
// link, and following it works.
func TestOutboxHidesLinkTokens(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := linkEnv(t, e, nil)
		p := en.bootstrap(t, "Outbox Partner")
		tpl := p.createTemplate(t, "Northwind")
		if err := en.db.PutExistingOrg(t.Context(), &tenantry.ExistingOrg{OrgID: "org-claimed", ClaimedDomain: true}); err != nil {
			t.Fatal(err)
		}
		attached := p.createCustomer(t, set(customerBody(tpl.ProvisioningID, "att-mail", "US", "webex_calling"), "orgId", "org-claimed"), "")
		waitJobDone(t, en, attached)
		cid := p.createCustomer(t, customerBody(tpl.ProvisioningID, "ext-mail", "US", "webex_meetings"), "")
		p.waitStatus(t, cid, "provisioned")
		if err := en.db.AddFreeAccount(t.Context(), "owner@free.example"); err != nil {
			t.Fatal(err)
		}
		p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(cid, "owner@free.example", nil, "webex_meetings"), nil).wantStatus(t, 202)

		// What the partner reads.
		var l messageList
		r := p.do(t, "GET", "/v1/partner/outbox?max=100", nil, nil).wantStatus(t, 200)
		r.decode(t, &l)
		if m := liveToken.FindString(string(r.Body)); m != "" {
			t.Errorf("the outbox list shows a live link %s", m)
		}
		kinds := map[string]bool{}
		for _, m := range l.Items {
			one := p.do(t, "GET", "/v1/partner/outbox/"+m.ID, nil, nil).wantStatus(t, 200)
			if tok := liveToken.FindString(string(one.Body)); tok != "" {
				t.Errorf("outbox message %s (%s) shows a live link %s", m.ID, m.Kind, tok)
			}
			if strings.Contains(string(one.Body), "/v1/consents/…") || strings.Contains(string(one.Body), "/v1/approvals/…") {
				kinds[m.Kind] = true
			}
		}
		if !kinds["consent"] || !kinds["customer_admin_invitation"] {
			t.Errorf("redacted links shown in %v, want the consent mail and the approval invitation", kinds)
		}

		// What the SMTP server receives: the working links.
		sink := startMailSink(t)
		stop, err := mail.StartSender(t.Context(), en.db, mail.Config{SMTPURL: "smtp://" + sink.addr, From: "hub@tenantry.test",
			PollInterval: 10 * time.Millisecond, Timeout: 5 * time.Second}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		approvalText := sink.waitFor(t, "admin@att-mail.example.com")
		consentText := sink.waitFor(t, "owner@free.example")
		approval, consent := liveToken.FindStringSubmatch(approvalText), liveToken.FindStringSubmatch(consentText)
		if approval == nil || consent == nil {
			t.Fatalf("delivered mails lack their links:\n%s\n---\n%s", approvalText, consentText)
		}

		// No row of the outbox holds either token, in any column.
		for _, tok := range []string{approval[1], consent[1]} {
			q := `SELECT COUNT(*) FROM outbox WHERE data LIKE ? OR sealed LIKE ? OR text_body LIKE ? OR html_body LIKE ? OR subject LIKE ?`
			if en.engine == "postgres" {
				q = `SELECT COUNT(*) FROM outbox WHERE data LIKE $1 OR sealed LIKE $1 OR text_body LIKE $1 OR html_body LIKE $1 OR subject LIKE $1`
			}
			args := []any{"%" + tok + "%"}
			if en.engine != "postgres" {
				args = []any{args[0], args[0], args[0], args[0], args[0]}
			}
			var n int
			if err := en.db.SQL().QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d outbox rows hold the token %s", n, tok)
			}
		}

		// Following the delivered links works.
		en.page(t, "GET", approval[0], "", nil).want(t, 200, "en", "ltr")
		en.page(t, "POST", approval[0], "approve", nil).want(t, 200, "en", "ltr")
		p.waitStatus(t, attached, "provisioned")
		en.page(t, "POST", consent[0], "accept", nil).want(t, 200, "en", "ltr")
		var s subscriberDoc
		var list struct {
			Items []subscriberDoc `json:"items"`
		}
		p.do(t, "GET", "/v1/wholesale/subscribers?customerId="+cid, nil, nil).wantStatus(t, 200).decode(t, &list)
		for _, it := range list.Items {
			if it.Email == "owner@free.example" {
				s = it
			}
		}
		if s.Status != "provisioned" {
			t.Errorf("after the delivered consent link the user is %q", s.Status)
		}
	})
}
