package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tenantry/tenantry/observe"
	"github.com/tenantry/tenantry/sqldb"
)

// observed wraps the HTTP surface h with the probes (/healthz, /readyz),
// the metrics (/metrics, unless --metrics-addr serves them apart) and the
// access log. It returns the wrapped handler, the probes (serve marks them
// stopping when it shuts down) and the metrics handler.
func observed(h http.Handler, db *sqldb.DB, cfg Config, log *slog.Logger) (http.Handler, *observe.Health, http.Handler) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		observe.BuildInfo(),
		db.Collector(),
	)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)})
	health := observe.NewHealth(db.Ready, log)
	mux := http.NewServeMux()
	health.Register(mux)
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", metrics)
	}
	mux.Handle("/", h)
	return observe.New(reg, log).Wrap(mux), health, metrics
}

// serveMetrics serves /metrics alone on addr; a failure after the start is
// sent to errc.
func serveMetrics(addr string, metrics http.Handler, errc chan<- error, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("metrics listening", "addr", "http://"+ln.Addr().String()+"/metrics")
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return srv, nil
}
