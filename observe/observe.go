// Package observe makes a running Tenantry watchable: one access log line
// per request, Prometheus metrics of the requests, and the health and
// readiness probes. It wraps the whole HTTP surface and knows nothing of the
// domain: the layers inside tell it what only they learn (the partner a
// request acts for) through the request's context.
package observe

import (
	"context"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// note is what a request's inner layers learn about it for the access log.
// The middleware puts a pointer to one in the request's context; the API
// fills it after authentication, the mux's route pattern is read after the
// inner handler ran.
type note struct {
	mu        sync.Mutex
	partnerID string
	route     string
}

type noteKey struct{}

// SetPartner records, for the access log, the partner the request is
// authenticated as. It does nothing outside a request this package wraps.
func SetPartner(ctx context.Context, partnerID string) {
	if n, ok := ctx.Value(noteKey{}).(*note); ok {
		n.mu.Lock()
		n.partnerID = partnerID
		n.mu.Unlock()
	}
}

// SetRoute records the route pattern that served the request, for a layer
// that routes on a copy of the request (r.WithContext, http.StripPrefix):
// the pattern its mux sets on the copy would not be seen outside.
func SetRoute(r *http.Request) {
	if n, ok := r.Context().Value(noteKey{}).(*note); ok && r.Pattern != "" {
		n.mu.Lock()
		n.route = r.Pattern
		n.mu.Unlock()
	}
}

func (n *note) get() (partnerID, route string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.partnerID, n.route
}

// BuildInfo returns the gauge tenantry_build_info, always 1, whose labels
// say which build runs: the module version, the VCS revision and the Go
// version it was built with.
func BuildInfo() prometheus.Collector {
	version, revision := "(devel)", "unknown"
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "tenantry_build_info",
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	g.Set(1)
	return g
}
