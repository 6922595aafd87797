package observe

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Observer writes the access log and the request metrics of the handler it
// wraps.
type Observer struct {
	log      *slog.Logger
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// unmatched is the route of a request no pattern matched: the raw path is
// never a label (it holds ids and link tokens, and would grow without end).
const unmatched = "unmatched"

// New returns an Observer that logs to log and registers its metrics with
// reg.
func New(reg prometheus.Registerer, log *slog.Logger) *Observer {
	o := &Observer{
		log: log,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tenantry_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tenantry_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by route pattern and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
	}
	reg.MustRegister(o.requests, o.latency)
	return o
}

// Wrap returns next with one access log line and the metrics of each
// request. The line names the route pattern the request matched (as
// "GET /v1/wholesale/customers/{customerId}"), never the raw path or query,
// which may hold a link's token; and no header, where tokens travel.
func (o *Observer) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		n := &note{}
		r = r.WithContext(context.WithValue(r.Context(), noteKey{}, n))
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// The muxes inside set the pattern on this very request (a
			// ServeMux routes in place); a layer that routes a copy says so
			// with SetRoute.
			partner, route := n.get()
			if route == "" {
				route = r.Pattern
			}
			if route == "" {
				route = unmatched
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if p := recover(); p != nil {
				// net/http answers a panic by closing the connection; the
				// caller saw no status, the log says 500.
				status = http.StatusInternalServerError
				defer panic(p)
			}
			d := time.Since(start)
			code := strconv.Itoa(status)
			o.requests.WithLabelValues(route, code).Inc()
			o.latency.WithLabelValues(route, code).Observe(d.Seconds())
			o.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.Int64("bytes", rec.bytes),
				slog.String("partner", partner),
				slog.String("trackingId", w.Header().Get("TrackingID")),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status and counts the body bytes of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush passes a flush on, for answers streamed in parts.
func (r *recorder) Flush() {
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
