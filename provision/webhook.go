package provision

import (
	"log/slog"

	"github.com/riverqueue/river"
)

// addWebhookWorkers registers the webhook delivery workers.
func addWebhookWorkers(w *river.Workers, s Store, log *slog.Logger) {}
