package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/ui"
)

// serve runs the HTTP server and the job workers until ctx ends, then shuts
// down gracefully: requests in flight finish, running jobs get the shutdown
// timeout to end and are otherwise resumed by the next process.
// ready, when set, receives the address listened on.
func serve(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, true)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := cfg.logger(stderr)
	if u, err := url.Parse(cfg.PublicURL); cfg.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("--public-url %q: want an http or https URL", cfg.PublicURL)
	}
	if cfg.ApprovalLinkTTL <= 0 || cfg.ConsentLinkTTL <= 0 {
		return fmt.Errorf("--approval-link-ttl and --consent-link-ttl must be positive")
	}
	proxies, err := parseCIDRs(cfg.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	// Listening comes first so that, with no public URL set, links name
	// the address actually listened on (port 0 included).
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + localURLHost(ln.Addr())
	}
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{PublicURL: cfg.PublicURL,
		ApprovalLinkTTL: cfg.ApprovalLinkTTL, ConsentLinkTTL: cfg.ConsentLinkTTL,
		Webhooks:         tenantry.WebhookPolicy{AllowPrivate: cfg.WebhookAllowPrivate},
		IdempotencyLease: cfg.IdempotencyLease})
	if err != nil {
		return fmt.Errorf("open database (%s): %w", where(cfg.DatabaseURL), err)
	}
	defer db.Close()
	// What a crash of the last process left: keys and imports (sqldb/recover.go).
	if rec, err := db.Recover(ctx); err != nil {
		return fmt.Errorf("recover: %w", err)
	} else if rec.IdempotencyKeys > 0 || len(rec.Imports) > 0 {
		log.Info("recovered after a crash", "idempotencyKeysFreed", rec.IdempotencyKeys, "importsResumed", rec.Imports)
	}
	h, err := handler(db, log, api.WithPublicURL(cfg.PublicURL), api.WithTrustedProxies(proxies))
	if err != nil {
		return err
	}
	if err := announceSetup(ctx, db, stderr, log); err != nil {
		return err
	}
	h, health, metrics := observed(h, db, cfg, log)
	if cfg.Workers > 0 {
		qc := sqldb.QueueConfig{MaxWorkers: cfg.Workers, JobTimeout: cfg.JobTimeout, RescueAfter: cfg.RescueAfter, Retention: cfg.Retention, Log: log}
		if err := db.Work(context.WithoutCancel(ctx), provision.Workers(db, log, nil), qc); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
	}
	stopMail, err := mail.StartSender(ctx, db, cfg.Mail, log)
	if err != nil {
		return fmt.Errorf("start mail sender: %w", err)
	}
	defer stopMail() // before db.Close: the batch in flight finishes
	errc := make(chan error, 2)
	if cfg.MetricsAddr != "" {
		msrv, err := serveMetrics(cfg.MetricsAddr, metrics, errc, log)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	log.Info("tenantry listening", "addr", "http://"+ln.Addr().String(), "database", where(cfg.DatabaseURL))
	if ready != nil {
		ready(ln.Addr().String())
	}
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	health.Stopping()
	if cfg.DrainDelay > 0 {
		// Requests keep being served while load balancers see /readyz fail.
		log.Info("draining", "for", cfg.DrainDelay)
		time.Sleep(cfg.DrainDelay)
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("http shutdown", "err", err)
	}
	if err := db.StopWork(sctx); err != nil {
		log.Error("stop workers", "err", err)
	}
	log.Info("stopped")
	return nil
}

// handler builds the whole HTTP surface over db.
func handler(db *sqldb.DB, log *slog.Logger, opts ...api.Option) (http.Handler, error) {
	tr, err := locale.New()
	if err != nil {
		return nil, err
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db, Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log, opts...)
	hub, err := ui.New(ui.Services{Hub: db, Partners: db, Templates: db, Customers: db, Locations: db, Subscribers: db, Admins: db, Imports: db, Webhooks: db, Outbox: db, Audit: db, Assistance: db}, tr, ui.Options{PublicURL: db.PublicURL(), Log: log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	mux.Handle("/", hub.Handler())
	return mux, nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openConfigured(ctx, cfg, sqldb.Options{}, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database (%s) is up to date at schema %d\n", where(cfg.DatabaseURL), sqldb.LatestMigration())
	return nil
}

// parseCIDRs reads a comma-separated list of CIDRs; a bare address is a
// network of one.
func parseCIDRs(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// localURLHost is the host:port of a listener's address as a link on this
// machine names it: an unspecified address (all interfaces) is 127.0.0.1.
func localURLHost(a net.Addr) string {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return a.String()
	}
	if ap.Addr().IsUnspecified() {
		ap = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ap.Port())
	}
	return ap.String()
}
