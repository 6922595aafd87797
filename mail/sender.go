package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tenantry/tenantry"
)

// Config is how the sender reaches the SMTP server and how it retries. Only
// SMTPURL and From come from the command line; the rest have defaults that
// tests shorten.
type Config struct {
	// SMTPURL is the server: smtp://user:pass@host:587 (STARTTLS, required
	// unless the host is this machine) or smtps://user:pass@host:465
	// (implicit TLS). Empty: nothing is sent, and mail stays in the outbox.
	SMTPURL string
	// From is the sender's address ("hub@example.com" or "Hub
	// <hub@example.com>"); each mail shows its brand name as the display name.
	From string
	// TLS is the TLS configuration; nil uses the system's roots.
	TLS *tls.Config

	PollInterval time.Duration // how often the outbox is checked (default 5s)
	Batch        int           // messages claimed at once (default 20)
	Lease        time.Duration // how long a claim lasts if its sender dies (default 5m)
	Timeout      time.Duration // bound on each SMTP exchange (default 30s)
	RetryBase    time.Duration // wait after the first failed attempt, doubling after each (default 30s)
	RetryMax     time.Duration // the longest wait between attempts (default 1h)
	// MaxAttempts is how many attempts a message the server refuses for good
	// (a 5xx reply) gets before it is failed (default 5). A server that
	// cannot be reached or answers 4xx is retried without end: mail is never
	// lost to an outage.
	MaxAttempts int
}

// Flags declares --smtp-url and --mail-from on fs, defaulting to
// TENANTRY_SMTP_URL and TENANTRY_MAIL_FROM.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTPURL, "smtp-url", os.Getenv("TENANTRY_SMTP_URL"), "SMTP server, smtp://user:pass@host:587 or smtps://…; empty keeps mail in the outbox (TENANTRY_SMTP_URL)")
	fs.StringVar(&c.From, "mail-from", os.Getenv("TENANTRY_MAIL_FROM"), "sender address of outgoing mail (TENANTRY_MAIL_FROM)")
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, 5*time.Second)
	def(&c.Lease, 5*time.Minute)
	def(&c.Timeout, 30*time.Second)
	def(&c.RetryBase, 30*time.Second)
	def(&c.RetryMax, time.Hour)
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
}

// server is a parsed SMTP URL.
type server struct {
	host       string
	port       int
	user, pass string
	implicit   bool // smtps: TLS from the first byte
	local      bool // this machine: STARTTLS when offered, plain otherwise
}

// parseURL reads an SMTP URL.
func parseURL(raw string) (server, error) {
	var s server
	u, err := url.Parse(raw)
	if err != nil {
		return s, errors.New("mail: the SMTP URL is not a URL")
	}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return s, fmt.Errorf("mail: SMTP URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.host = u.Hostname(); s.host == "" {
		return s, errors.New("mail: the SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return s, fmt.Errorf("mail: SMTP URL port %q is not a port", p)
		}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return s, errors.New("mail: the SMTP URL takes no path or options")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	ip := net.ParseIP(s.host)
	s.local = s.host == "localhost" || (ip != nil && ip.IsLoopback())
	return s, nil
}

// Sender delivers the outbox over SMTP. Several senders, in one process or
// many, may work one outbox.
type Sender struct {
	q    tenantry.MailQueue
	cfg  Config
	srv  server
	from *netmail.Address
	log  *slog.Logger
}

// NewSender returns a sender of q's mail through the server of cfg.SMTPURL.
// It fails on a URL or sender address it cannot use, so that a bad
// configuration stops the server at startup.
func NewSender(q tenantry.MailQueue, cfg Config, log *slog.Logger) (*Sender, error) {
	cfg.defaults()
	srv, err := parseURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("mail: a sender address (TENANTRY_MAIL_FROM) is required to send mail")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %v", cfg.From, err)
	}
	return &Sender{q: q, cfg: cfg, srv: srv, from: from, log: log}, nil
}

// StartSender starts delivering q's mail in the background until ctx ends
// or stop is called; stop waits for the batch in flight. Without an SMTP URL
// it starts nothing: mail stays queued in the outbox.
func StartSender(ctx context.Context, q tenantry.MailQueue, cfg Config, log *slog.Logger) (stop func(), err error) {
	if cfg.SMTPURL == "" {
		log.Info("mail: no SMTP server configured (--smtp-url, TENANTRY_SMTP_URL); mail stays in the outbox")
		return func() {}, nil
	}
	s, err := NewSender(q, cfg, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	log.Info("mail: sending through SMTP", "host", s.srv.host, "port", s.srv.port, "tls", s.tlsMode())
	return func() { cancel(); wg.Wait() }, nil
}

func (s *Sender) tlsMode() string {
	switch {
	case s.srv.implicit:
		return "implicit"
	case s.srv.local:
		return "starttls-if-offered"
	}
	return "starttls"
}

// Run delivers due mail until ctx ends, checking the outbox every poll
// interval and at once again after a full batch. A batch that has started is
// finished even when ctx ends, so that no delivered mail is left unmarked.
func (s *Sender) Run(ctx context.Context) {
	for {
		n, err := s.SendQueued(context.WithoutCancel(ctx))
		if err != nil {
			s.log.Error("mail: reading the outbox", "err", err)
		}
		wait := s.cfg.PollInterval
		if err == nil && n == s.cfg.Batch {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// SendQueued delivers one batch of due mail and returns how many messages it
// tried. Failed attempts are recorded on the messages, not returned: the
// error is the outbox's own.
func (s *Sender) SendQueued(ctx context.Context) (int, error) {
	msgs, err := s.q.ClaimMail(ctx, s.cfg.Batch, s.cfg.Lease)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	client, err := s.client()
	if err == nil {
		err = client.DialWithContext(ctx)
	}
	if err != nil {
		for _, m := range msgs {
			s.failed(ctx, m, fmt.Errorf("connect to %s:%d: %w", s.srv.host, s.srv.port, err))
		}
		return len(msgs), nil
	}
	defer client.Close()
	for _, m := range msgs {
		gm, err := s.message(m)
		if err == nil {
			err = client.Send(gm)
		}
		if err != nil {
			s.failed(ctx, m, err)
			continue
		}
		if err := s.q.MarkMailSent(ctx, m.ID, m.Attempts); err != nil {
			// Delivered but not marked: the lease ends and it goes again.
			// The Message-ID is the same, so the receiver can tell.
			s.log.Error("mail: marking sent", "id", m.ID, "err", err)
			continue
		}
		s.log.Debug("mail: sent", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	}
	return len(msgs), nil
}

// failed records a failed attempt with its retry.
func (s *Sender) failed(ctx context.Context, m *tenantry.Message, err error) {
	retry := s.backoff(m.Attempts)
	if permanent(err) && m.Attempts >= s.cfg.MaxAttempts {
		retry = 0
	}
	if err := s.q.MarkMailFailed(ctx, m.ID, m.Attempts, err.Error(), retry); err != nil {
		s.log.Error("mail: recording a failed attempt", "id", m.ID, "err", err)
		return
	}
	if retry == 0 {
		s.log.Error("mail: giving up", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", err)
		return
	}
	s.log.Warn("mail: delivery failed, will retry", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "retryIn", retry, "err", err)
}

// backoff is the wait after the given failed attempt: RetryBase doubling
// each time, up to RetryMax.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// permanent reports whether the server refused for good (a 5xx reply), or
// the message cannot be sent as it is.
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	var be badMessage
	return errors.As(err, &be)
}

// badMessage is a message that cannot be written as mail (its address).
type badMessage struct{ err error }

func (e badMessage) Error() string { return e.err.Error() }

// client returns an SMTP client for one batch.
func (s *Sender) client() (*gomail.Client, error) {
	tlsCfg := s.cfg.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsCfg = tlsCfg.Clone()
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = s.srv.host
	}
	opts := []gomail.Option{gomail.WithPort(s.srv.port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSConfig(tlsCfg)}
	switch {
	case s.srv.implicit:
		opts = append(opts, gomail.WithSSL())
	case s.srv.local:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.srv.user != "" {
		opts = append(opts, gomail.WithUsername(s.srv.user), gomail.WithPassword(s.srv.pass))
		if s.srv.local {
			// Credentials may cross this machine's loopback in the clear.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	return gomail.NewClient(s.srv.host, opts...)
}

// message writes an outbox message as mail: from the configured address with
// the brand as display name, as text with an HTML alternative, with a
// Message-ID made from the outbox id (a repeated delivery repeats it).
func (s *Sender) message(m *tenantry.Message) (*gomail.Msg, error) {
	gm := gomail.NewMsg()
	name := m.FromName
	if name == "" {
		name = s.from.Name
	}
	if err := gm.FromFormat(name, s.from.Address); err != nil {
		return nil, badMessage{fmt.Errorf("sender address: %w", err)}
	}
	if err := gm.To(m.To); err != nil {
		return nil, badMessage{fmt.Errorf("recipient address: %w", err)}
	}
	gm.Subject(m.Subject)
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	gm.SetMessageIDWithValue(m.ID + "@" + domain)
	gm.SetDate()
	gm.SetGenHeader(gomail.HeaderContentLang, m.Language)
	gm.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	gm.SetBodyString(gomail.TypeTextPlain, m.Text)
	gm.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return gm, nil
}
