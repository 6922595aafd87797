package observe

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Health answers the probes: /healthz says the process lives and answers
// HTTP, /readyz that it can serve (its database answers, with the schema
// this build expects) and is not shutting down.
type Health struct {
	ready    func(context.Context) error
	log      *slog.Logger
	stopping atomic.Bool
}

// NewHealth returns the probes; ready reports why the server cannot serve,
// or nil.
func NewHealth(ready func(context.Context) error, log *slog.Logger) *Health {
	return &Health{ready: ready, log: log}
}

// Stopping marks the server as shutting down: /readyz answers 503 from now
// on, so that a load balancer sends no new requests while those in flight
// finish.
func (h *Health) Stopping() { h.stopping.Store(true) }

// Register adds GET /healthz and GET /readyz to mux.
func (h *Health) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", h.readyz)
}

func (h *Health) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if h.stopping.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := h.ready(ctx); err != nil {
		// The reason is logged, not shown: the probe is public, and a
		// driver's error may name hosts and users.
		h.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready")
		return
	}
	fmt.Fprintln(w, "ok")
}
