package mail_test

// End to end: mail queued in a real database (every engine) is delivered by
// the Sender to a real SMTP server, go-smtp run in process.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// waitTimeout bounds every wait for the sender; tests never assert on time.
const waitTimeout = 15 * time.Second

// received is one mail the SMTP server accepted.
type received struct {
	From string
	To   []string
	Data []byte
}

// smtpServer is an SMTP server on a loopback port that keeps what it
// receives. It takes PLAIN authentication as user/pass and refuses
// recipients at refuse.example with 550.
type smtpServer struct {
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	mail []received
}

// startSMTP starts a server on addr ("127.0.0.1:0" for any port), with TLS
// from the first byte when tlsCfg is set. It stops when the test ends.
func startSMTP(t *testing.T, addr string, tlsCfg *tls.Config) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "mx.test"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	var ln net.Listener
	var err error
	if tlsCfg != nil {
		ln, err = tls.Listen("tcp", addr, tlsCfg)
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		t.Fatalf("listen for SMTP on %s: %v", addr, err)
	}
	s.addr = ln.Addr().String()
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mail...)
}

type session struct {
	s    *smtpServer
	auth bool
	cur  received
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "tenantry" || pass != "s3cret" {
			return errors.New("invalid credentials")
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.cur = received{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refuse.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = b
	ss.s.mu.Lock()
	ss.s.mail = append(ss.s.mail, ss.cur)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.cur = received{} }
func (ss *session) Logout() error { return nil }

// parsed is a received mail read back: headers, and the text and HTML parts
// decoded.
type parsed struct {
	Header     netmail.Header
	Subject    string
	Text, HTML string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read mail: %v\n%s", err, data)
	}
	var p parsed
	p.Header = m.Header
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if part.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = quotedprintable.NewReader(part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		}
	}
	return p
}

// clock is a database clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Microsecond)
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// outbox is a fresh database of one engine with one partner.
type outbox struct {
	db    *sqldb.DB
	url   string
	actor *tenantry.Actor
}

func newOutbox(t *testing.T, e sqldbtest.Engine, now tenantry.Clock) *outbox {
	t.Helper()
	o := &outbox{url: e.URL(t)}
	o.db = openDB(t, o.url, now)
	ctx := t.Context()
	res, err := o.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Northwind", AdminEmail: "ops@northwind.example"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.db.Authenticate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	if o.actor, err = o.db.ResolveActor(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	return o
}

func openDB(t *testing.T, url string, now tenantry.Clock) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), url, sqldb.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queue queues an invitation in lang for to.
func (o *outbox) queue(t *testing.T, to, lang string) *tenantry.Message {
	t.Helper()
	msg := &tenantry.Message{PartnerID: o.actor.OrgID, CustomerID: "cust-1", Kind: tenantry.MailAdminInvitation, To: to, Language: lang}
	d := tenantry.MailData{BrandName: "Northwind Voice", CustomerName: "Contoso Ltd", RecipientName: "Ana Souza"}
	if err := o.db.QueueMail(t.Context(), msg, d); err != nil {
		t.Fatal(err)
	}
	// The outbox keeps the data and renders when the mail is read or sent;
	// the message as queued carries what that rendering must give.
	if msg.Subject != "" || msg.Text != "" {
		t.Fatalf("queueing rendered the mail: %q", msg.Subject)
	}
	d.RecipientEmail = to
	var err error
	if msg.Subject, msg.Text, msg.HTML, err = mail.Render(msg.Kind, msg.Language, d); err != nil {
		t.Fatal(err)
	}
	return msg
}

func (o *outbox) read(t *testing.T, id string) *tenantry.Message {
	t.Helper()
	m, err := o.db.OutboxMessage(t.Context(), o.actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// watchedQueue is the outbox as a sender sees it, counting the sender's
// looks at it (claims answered), so that a test waits for the sender to
// have looked instead of sleeping and hoping it did.
type watchedQueue struct {
	tenantry.MailQueue
	looks atomic.Int64
}

// ClaimMail claims from the outbox and counts the look.
func (q *watchedQueue) ClaimMail(ctx context.Context, max int, lease time.Duration) ([]*tenantry.Message, error) {
	ms, err := q.MailQueue.ClaimMail(ctx, max, lease)
	q.looks.Add(1)
	return ms, err
}

// discard is the senders' log: failures show in the outbox, which the tests read.
var discard = slog.New(slog.DiscardHandler)

func config(addr string) mail.Config {
	return mail.Config{
		SMTPURL: "smtp://tenantry:s3cret@" + addr, From: "Tenantry <hub@northwind.example>",
		PollInterval: 10 * time.Millisecond, RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond, Timeout: 5 * time.Second,
	}
}

// TestSenderDelivers: a queued mail reaches the SMTP server once, to its
// recipient, from the brand at the configured address, with the subject
// and both bodies as rendered; the outbox then shows it sent.
func TestSenderDelivers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		o := newOutbox(t, e, nil)
		srv := startSMTP(t, "127.0.0.1:0", nil)
		msg := o.queue(t, "ana.souza@contoso.example", "pt-BR")
		s, err := mail.NewSender(o.db, config(srv.addr), discard)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.SendQueued(t.Context()); err != nil || n != 1 {
			t.Fatalf("SendQueued = %d, %v; want 1 message", n, err)
		}
		if n, err := s.SendQueued(t.Context()); err != nil || n != 0 {
			t.Fatalf("second SendQueued = %d, %v; want nothing left", n, err)
		}
		got := srv.received()
		if len(got) != 1 {
			t.Fatalf("server received %d mails, want 1", len(got))
		}
		if got[0].From != "hub@northwind.example" || len(got[0].To) != 1 || got[0].To[0] != "ana.souza@contoso.example" {
			t.Errorf("envelope from %s to %v", got[0].From, got[0].To)
		}
		p := parse(t, got[0].Data)
		from, err := p.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "Northwind Voice" || from[0].Address != "hub@northwind.example" {
			t.Errorf("From %v (%v), want Northwind Voice <hub@northwind.example>", from, err)
		}
		if p.Subject != msg.Subject || !strings.Contains(p.Subject, "Contoso Ltd") {
			t.Errorf("Subject %q, want %q", p.Subject, msg.Subject)
		}
		if p.Header.Get("Content-Language") != "pt-BR" || !strings.HasPrefix(p.Header.Get("Message-Id"), "<"+msg.ID+"@northwind.example>") {
			t.Errorf("Content-Language %q, Message-Id %q", p.Header.Get("Content-Language"), p.Header.Get("Message-Id"))
		}
		if strings.TrimSpace(strings.ReplaceAll(p.Text, "\r\n", "\n")) != strings.TrimSpace(msg.Text) {
			t.Errorf("text body:\n%s\nwant:\n%s", p.Text, msg.Text)
		}
		if !strings.Contains(p.HTML, `<html lang="pt-BR" dir="ltr">`) || !strings.Contains(p.HTML, "Olá, Ana Souza,") {
			t.Errorf("HTML body:\n%s", p.HTML)
		}
		m := o.read(t, msg.ID)
		if m.Status != tenantry.MailSent || m.Attempts != 1 || m.Sent.IsZero() || m.LastError != "" {
			t.Errorf("outbox: %s, attempts %d, sent %v, error %q", m.Status, m.Attempts, m.Sent, m.LastError)
		}
	})
}

// TestSenderSurvivesOutage: while the SMTP server is down, mail stays
// queued with the error and the attempt count; a sender started after a
// restart delivers it once the server is up, and exactly once.
func TestSenderSurvivesOutage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		o := newOutbox(t, e, nil)
		// A port with nothing listening: the server is down.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		msg := o.queue(t, "ana.souza@contoso.example", "sv")

		stop, err := mail.StartSender(t.Context(), o.db, config(addr), discard)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "two failed attempts", func() bool { return o.read(t, msg.ID).Attempts >= 2 })
		stop() // the process goes down too
		m := o.read(t, msg.ID)
		if m.Status != tenantry.MailQueued || !strings.Contains(m.LastError, "connect to "+addr) || !m.Sent.IsZero() {
			t.Fatalf("while the server is down: %s, error %q, sent %v", m.Status, m.LastError, m.Sent)
		}
		attempts := m.Attempts

		srv := startSMTP(t, addr, nil)
		q := &watchedQueue{MailQueue: o.db}
		stop, err = mail.StartSender(t.Context(), q, config(addr), discard)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		waitFor(t, "delivery", func() bool { return o.read(t, msg.ID).Status == tenantry.MailSent })
		// Two more looks at the outbox: the look that delivered has ended
		// and a whole poll after it too, and nothing was sent twice.
		looked := q.looks.Load()
		waitFor(t, "two more looks at the outbox", func() bool { return q.looks.Load() >= looked+2 })
		if got := srv.received(); len(got) != 1 || got[0].To[0] != "ana.souza@contoso.example" {
			t.Fatalf("server received %d mails, want the one", len(got))
		}
		if m := o.read(t, msg.ID); m.Attempts != attempts+1 || !strings.Contains(m.LastError, "connect to") {
			t.Errorf("after delivery: attempts %d (want %d), last error %q kept", m.Attempts, attempts+1, m.LastError)
		}
	})
}

// TestSenderRefused: a recipient the server refuses for good (550) is
// retried up to MaxAttempts and then failed, with the server's answer;
// other mail in the same batch goes out.
func TestSenderRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		clk := &clock{now: time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)}
		o := newOutbox(t, e, clk.Now)
		srv := startSMTP(t, "127.0.0.1:0", nil)
		bad := o.queue(t, "nobody@refuse.example", "en")
		good := o.queue(t, "ana.souza@contoso.example", "en")
		cfg := config(srv.addr)
		cfg.MaxAttempts, cfg.RetryBase, cfg.RetryMax = 2, time.Minute, time.Hour
		s, err := mail.NewSender(o.db, cfg, discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendQueued(t.Context()); err != nil {
			t.Fatal(err)
		}
		if m := o.read(t, good.ID); m.Status != tenantry.MailSent {
			t.Errorf("the deliverable mail is %s", m.Status)
		}
		m := o.read(t, bad.ID)
		if m.Status != tenantry.MailQueued || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
			t.Fatalf("after the first refusal: %s, attempts %d, error %q", m.Status, m.Attempts, m.LastError)
		}
		if n, _ := s.SendQueued(t.Context()); n != 0 {
			t.Fatalf("retried %d messages before the backoff ended", n)
		}
		clk.advance(time.Minute)
		if n, _ := s.SendQueued(t.Context()); n != 1 {
			t.Fatalf("retried %d messages after the backoff, want 1", n)
		}
		if m := o.read(t, bad.ID); m.Status != tenantry.MailFailed || m.Attempts != 2 || !strings.Contains(m.LastError, "no such user") {
			t.Errorf("after the last refusal: %s, attempts %d, error %q", m.Status, m.Attempts, m.LastError)
		}
		if got := srv.received(); len(got) != 1 {
			t.Errorf("server received %d mails, want 1", len(got))
		}
	})
}

// TestSendersShareTheOutbox: senders of several processes deliver one
// outbox together, each mail exactly once.
func TestSendersShareTheOutbox(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		o := newOutbox(t, e, nil)
		srv := startSMTP(t, "127.0.0.1:0", nil)
		const n = 40
		for i := range n {
			o.queue(t, fmt.Sprintf("user%02d@contoso.example", i), "ko")
		}
		for range 3 {
			db := openDB(t, o.url, nil) // another process
			cfg := config(srv.addr)
			cfg.Batch = 4
			stop, err := mail.StartSender(t.Context(), db, cfg, discard)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
		}
		waitFor(t, "every mail delivered", func() bool {
			_, sent, err := o.db.OutboxMessages(t.Context(), o.actor, tenantry.OutboxFilter{Status: tenantry.MailSent, Page: tenantry.Page{Max: 1}})
			return err == nil && sent == n
		})
		seen := map[string]int{}
		for _, r := range srv.received() {
			seen[r.To[0]]++
		}
		if len(seen) != n {
			t.Errorf("%d recipients got mail, want %d", len(seen), n)
		}
		for to, k := range seen {
			if k != 1 {
				t.Errorf("%s got %d copies", to, k)
			}
		}
	})
}

// TestSenderImplicitTLS: smtps:// speaks TLS from the first byte and checks
// the server's certificate.
func TestSenderImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		o := newOutbox(t, e, nil)
		srv := startSMTP(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		msg := o.queue(t, "ana.souza@contoso.example", "ar")
		cfg := config(srv.addr)
		cfg.SMTPURL = "smtps://tenantry:s3cret@" + srv.addr

		untrusted, err := mail.NewSender(o.db, cfg, discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := untrusted.SendQueued(t.Context()); err != nil {
			t.Fatal(err)
		}
		if m := o.read(t, msg.ID); m.Status != tenantry.MailQueued || !strings.Contains(m.LastError, "certificate") {
			t.Fatalf("with an unknown certificate: %s, error %q", m.Status, m.LastError)
		}
		if err := o.db.MarkMailFailed(t.Context(), msg.ID, 1, "retry now", time.Nanosecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)

		cfg.TLS = &tls.Config{RootCAs: pool}
		trusted, err := mail.NewSender(o.db, cfg, discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := trusted.SendQueued(t.Context()); err != nil {
			t.Fatal(err)
		}
		if m := o.read(t, msg.ID); m.Status != tenantry.MailSent {
			t.Fatalf("over trusted TLS: %s, error %q", m.Status, m.LastError)
		}
		got := srv.received()
		if len(got) != 1 {
			t.Fatalf("server received %d mails", len(got))
		}
		if p := parse(t, got[0].Data); !strings.Contains(p.HTML, `<html lang="ar" dir="rtl">`) {
			t.Errorf("Arabic HTML is not right-to-left:\n%s", p.HTML)
		}
	})
}

// TestStartSenderWithoutSMTP: with no SMTP URL nothing is sent and mail
// stays queued; a bad URL or sender address stops startup.
func TestStartSenderWithoutSMTP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		o := newOutbox(t, e, nil)
		msg := o.queue(t, "ana.souza@contoso.example", "es")
		q := &watchedQueue{MailQueue: o.db}
		stop, err := mail.StartSender(t.Context(), q, mail.Config{}, discard)
		if err != nil {
			t.Fatal(err)
		}
		stop()
		// No sender was started: nothing ever looked at the outbox (stop
		// has returned, so no look can come later).
		if n := q.looks.Load(); n != 0 {
			t.Errorf("without SMTP the outbox was claimed from %d times", n)
		}
		if m := o.read(t, msg.ID); m.Status != tenantry.MailQueued || m.Attempts != 0 {
			t.Errorf("without SMTP: %s after %d attempts", m.Status, m.Attempts)
		}
		for _, cfg := range []mail.Config{
			{SMTPURL: "http://mail.example.com", From: "hub@example.com"},
			{SMTPURL: "smtp://mail.example.com"},
		} {
			if _, err := mail.StartSender(t.Context(), o.db, cfg, discard); err == nil {
				t.Errorf("%+v: started", cfg)
			}
		}
	})
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
