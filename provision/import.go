package provision

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/tenantry/tenantry"
)

// addImportWorkers registers the worker of user imports.
func addImportWorkers(w *river.Workers, s Store, log *slog.Logger) {
	river.AddWorker(w, &importWorker{jobs: s, log: log})
}

// importWorker works ImportUsersJob. The storage resumes after the last
// chunk that committed, so a retry or a rescued job repeats nothing; the
// last failed attempt marks the import failed.
type importWorker struct {
	river.WorkerDefaults[tenantry.ImportUsersJob]
	jobs tenantry.ImportJobs
	log  *slog.Logger
}

// importBudget is how long one run of an import job works before it hands
// the job back to the queue (snoozed, which costs no attempt), so that a
// large import never runs into the job timeout or the rescuer, and a
// shutdown does not wait for it.
const importBudget = 5 * time.Second

func (w *importWorker) Work(ctx context.Context, job *river.Job[tenantry.ImportUsersJob]) error {
	start, budget := time.Now(), importBudget
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline)/2)
	}
	// A chunk once begun runs to its commit, whatever happens to ctx: a
	// chunk is bounded work, and one cut off by the job's timeout was rolled
	// back and begun again by the next run, so that on a machine slow
	// enough for a chunk to outlast the timeout (PostgreSQL under load) an
	// import made no progress at all. ctx is checked between chunks.
	chunkCtx := context.WithoutCancel(ctx)
	var err error
	for {
		var finished bool
		finished, err = w.jobs.RunImportChunk(chunkCtx, job.Args, tenantry.ImportChunk)
		if err != nil || finished {
			break
		}
		if time.Since(start) > budget || ctx.Err() != nil {
			return river.JobSnooze(0)
		}
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		// Cut off by shutdown or the timeout: the chunk rolled back, and
		// the next run resumes where the last one committed.
		return river.JobSnooze(0)
	}
	final := job.Attempt >= job.MaxAttempts
	w.log.Warn("import attempt failed", "import", job.Args.ImportID, "attempt", job.Attempt, "final", final, "err", err)
	if final {
		msg := fmt.Sprintf("Attempt %d of %d failed: %v", job.Attempt, job.MaxAttempts, err)
		if ferr := w.jobs.FailImport(context.WithoutCancel(ctx), job.Args, msg); ferr != nil {
			w.log.Error("record import failure", "import", job.Args.ImportID, "err", ferr)
		}
	}
	return err
}
