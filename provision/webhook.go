package provision

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/tenantry/tenantry"
)

// WebhookTimeout bounds one delivery attempt, from connecting to the end of
// the response.
const WebhookTimeout = 10 * time.Second

// Headers of a webhook delivery.
const (
	HeaderEvent     = "X-Tenantry-Event"     // the event type
	HeaderDelivery  = "X-Tenantry-Delivery"  // the attempt's id, as the deliveries list shows it
	HeaderSignature = "X-Tenantry-Signature" // "t=<unix seconds>,v1=<hex HMAC-SHA256>" (tenantry.SignWebhook)
)

// addWebhookWorkers registers the webhook delivery worker.
func addWebhookWorkers(w *river.Workers, s Store, log *slog.Logger) {
	river.AddWorker(w, newWebhookWorker(s, log, systemLookup, time.Now))
}

// webhookWorker works DeliverWebhookJob: one attempt per run; a failure
// returns an error, and River retries with its backoff until the job's
// last attempt.
type webhookWorker struct {
	river.WorkerDefaults[tenantry.DeliverWebhookJob]
	jobs     tenantry.WebhookJobs
	failures *failureLog
	// clients by policy: a connection dialed under one policy is never
	// reused under the other.
	strict, open *http.Client
}

func newWebhookWorker(jobs tenantry.WebhookJobs, log *slog.Logger, lookup lookupFunc, now func() time.Time) *webhookWorker {
	return &webhookWorker{
		jobs:     jobs,
		failures: newFailureLog(log, now),
		strict:   webhookClient(tenantry.WebhookPolicy{}, lookup),
		open:     webhookClient(tenantry.WebhookPolicy{AllowPrivate: true}, lookup),
	}
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[tenantry.DeliverWebhookJob]) error {
	var host string
	err := w.jobs.DeliverWebhook(ctx, job.Args, func(ctx context.Context, d *tenantry.WebhookRequest) (int, error) {
		if u, err := url.Parse(d.URL); err == nil {
			host = u.Host
		}
		return w.send(ctx, d)
	})
	switch {
	case err != nil:
		w.failures.failed(job.Args.WebhookID, host, job.Attempt >= job.MaxAttempts, err)
	case host != "": // sent, and acknowledged
		w.failures.succeeded(job.Args.WebhookID)
	}
	return err
}

// send POSTs one delivery and returns the receiver's status, or a
// *tenantry.DeliveryError.
func (w *webhookWorker) send(ctx context.Context, d *tenantry.WebhookRequest) (int, error) {
	// The policy may have changed since the webhook was registered.
	if err := d.Policy.CheckWebhookURL(d.URL); err != nil {
		return 0, &tenantry.DeliveryError{Public: tenantry.DeliveryErrorDestination, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, &tenantry.DeliveryError{Public: tenantry.DeliveryErrorConnection, Err: err}
	}
	at := d.At
	if at.IsZero() {
		at = time.Now()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tenantry-Webhooks/1")
	req.Header.Set(HeaderEvent, d.EventType)
	req.Header.Set(HeaderDelivery, d.DeliveryID)
	req.Header.Set(HeaderSignature, tenantry.SignWebhook(d.Secret, at, d.Body))
	client := w.strict
	if d.Policy.AllowPrivate {
		client = w.open
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, deliveryError(ctx, err)
	}
	defer resp.Body.Close()
	// Drain a little of the body so that the connection can be reused; what
	// the receiver says is not kept.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
