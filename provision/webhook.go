package provision

import (
	"bytes"
	"context"
	"errors"
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
	HeaderSignature = "X-Tenantry-Signature" // "sha256=" + hex HMAC-SHA256 of the body (tenantry.SignWebhook)
)

// addWebhookWorkers registers the webhook delivery worker.
func addWebhookWorkers(w *river.Workers, s Store, log *slog.Logger) {
	river.AddWorker(w, &webhookWorker{jobs: s, log: log, client: webhookClient()})
}

// webhookClient is the HTTP client of deliveries. It follows no redirect: a
// 3xx is the receiver's answer, and a failed attempt, so that a delivery
// never lands (signed) on a URL the partner did not register.
func webhookClient() *http.Client {
	return &http.Client{
		Timeout: WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// webhookWorker works DeliverWebhookJob: one attempt per run; a failure
// returns an error, and River retries with its backoff until the job's
// last attempt.
type webhookWorker struct {
	river.WorkerDefaults[tenantry.DeliverWebhookJob]
	jobs   tenantry.WebhookJobs
	log    *slog.Logger
	client *http.Client
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[tenantry.DeliverWebhookJob]) error {
	err := w.jobs.DeliverWebhook(ctx, job.Args, w.send)
	if err != nil {
		w.log.Warn("webhook delivery failed", "webhook", job.Args.WebhookID, "event", job.Args.EventID,
			"attempt", job.Attempt, "final", job.Attempt >= job.MaxAttempts, "err", err)
	}
	return err
}

// send POSTs one delivery and returns the receiver's status.
func (w *webhookWorker) send(ctx context.Context, d *tenantry.WebhookRequest) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tenantry-Webhooks/1")
	req.Header.Set(HeaderEvent, d.EventType)
	req.Header.Set(HeaderDelivery, d.DeliveryID)
	req.Header.Set(HeaderSignature, tenantry.SignWebhook(d.Secret, d.Body))
	resp, err := w.client.Do(req)
	if err != nil {
		// The URL is the partner's own and on the webhook already; the
		// cause is what the deliveries list should show.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return 0, err
	}
	defer resp.Body.Close()
	// Drain a little of the body so that the connection can be reused; what
	// the receiver says is not kept.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
