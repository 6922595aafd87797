// Package provision is the background pipeline: the River workers that
// provision, update and delete customers. The work itself is the domain's
// (tenantry.Provision, tenantry.ApplyUpdate) applied through
// tenantry.CustomerJobs; this package adds retries and makes every failed
// attempt visible on the customer.
package provision

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/tenantry/tenantry"
)

// Fault, when set, is called before each job's work; an error it returns
// fails the attempt. Tests use it to stand for an outage of the outside
// world; production leaves it nil.
type Fault func(kind, customerID string, attempt int) error

// Store is everything the background jobs work on.
type Store interface {
	tenantry.CustomerJobs
	tenantry.WebhookJobs
	tenantry.ImportJobs
}

// Workers returns River's workers for every job.
func Workers(jobs Store, log *slog.Logger, fault Fault) *river.Workers {
	w := river.NewWorkers()
	addWebhookWorkers(w, jobs, log)
	addImportWorkers(w, jobs, log)
	river.AddWorker(w, &worker[tenantry.ProvisionCustomerJob]{jobs: jobs, log: log, fault: fault,
		do: func(ctx context.Context, a tenantry.ProvisionCustomerJob) error {
			return jobs.ProvisionCustomer(ctx, a)
		},
		id: func(a tenantry.ProvisionCustomerJob) (string, int) { return a.CustomerID, a.Version }})
	river.AddWorker(w, &worker[tenantry.UpdateCustomerJob]{jobs: jobs, log: log, fault: fault,
		do: func(ctx context.Context, a tenantry.UpdateCustomerJob) error {
			return jobs.FinishCustomerUpdate(ctx, a)
		},
		id: func(a tenantry.UpdateCustomerJob) (string, int) { return a.CustomerID, a.Version }})
	river.AddWorker(w, &worker[tenantry.DeleteCustomerJob]{jobs: jobs, log: log, fault: fault,
		do: func(ctx context.Context, a tenantry.DeleteCustomerJob) error {
			return jobs.FinishCustomerDeletion(ctx, a)
		},
		id: func(a tenantry.DeleteCustomerJob) (string, int) { return a.CustomerID, a.Version }})
	return w
}

type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	jobs  tenantry.CustomerJobs
	log   *slog.Logger
	fault Fault
	do    func(context.Context, T) error
	id    func(T) (string, int)
}

// Work runs one attempt. A failure is recorded on the customer before River
// retries it with backoff; the last failure leaves the customer in error.
func (w *worker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	err := w.attempt(tenantry.WithJobID(ctx, job.ID), job)
	if err == nil {
		return nil
	}
	id, version := w.id(job.Args)
	final := job.Attempt >= job.MaxAttempts
	w.log.Warn("job attempt failed", "kind", job.Kind, "customer", id, "attempt", job.Attempt, "final", final, "err", err)
	msg := fmt.Sprintf("Attempt %d of %d failed: %v", job.Attempt, job.MaxAttempts, err)
	if rerr := w.jobs.RecordJobFailure(context.WithoutCancel(ctx), id, version, msg, final); rerr != nil {
		w.log.Error("record job failure", "customer", id, "err", rerr)
	}
	return err
}

func (w *worker[T]) attempt(ctx context.Context, job *river.Job[T]) error {
	if w.fault != nil {
		id, _ := w.id(job.Args)
		if err := w.fault(job.Kind, id, job.Attempt); err != nil {
			return err
		}
	}
	return w.do(ctx, job.Args)
}
