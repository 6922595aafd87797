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
	"net/url"
	"time"

	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/mail"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
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
	if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--public-url %q: want an http or https URL", cfg.PublicURL)
	}
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, sqldb.Options{PublicURL: cfg.PublicURL})
	if err != nil {
		return fmt.Errorf("open database (%s): %w", where(cfg.DatabaseURL), err)
	}
	defer db.Close()
	h, err := handler(db, log)
	if err != nil {
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
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
func handler(db *sqldb.DB, log *slog.Logger) (http.Handler, error) {
	tr, err := locale.New()
	if err != nil {
		return nil, err
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db, Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
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
