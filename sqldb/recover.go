package sqldb

import (
	"context"

	"github.com/tenantry/tenantry"
)

// Recovered is what Recover found left over by the last process.
type Recovered struct {
	// IdempotencyKeys is how many unanswered Idempotency-Key reservations
	// were freed (SQLite).
	IdempotencyKeys int
	// Imports lists the unfinished imports that had no job left and were
	// given one again.
	Imports []string
}

// Recover settles, when a server starts, what a crash of an earlier
// process may have left: on SQLite, where that process was the file's only
// user, its unanswered Idempotency-Key reservations are freed (work that
// committed stored its answer with it, so their requests did nothing); on
// both engines an import still queued or running whose job is gone or
// ended gets a job again, which resumes it after its last committed chunk.
// Running it again, or on several processes at once, changes nothing more.
func (db *DB) Recover(ctx context.Context) (Recovered, error) {
	var out Recovered
	err := db.inTx(ctx, func(tx *Tx) error {
		out = Recovered{}
		if db.engine == Postgres {
			// Processes starting together take turns, so that one import
			// gets one job.
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7361003)`); err != nil {
				return err
			}
		} else {
			n, err := tx.freeIdempotencyKeys(ctx)
			if err != nil {
				return err
			}
			out.IdempotencyKeys = int(n)
		}
		arg := `json_extract(j.args, '$.importId')`
		if db.engine == Postgres {
			arg = `j.args->>'importId'`
		}
		rows, err := tx.query(ctx, `SELECT i.id FROM imports i WHERE i.status IN (?, ?) AND NOT EXISTS (
			SELECT 1 FROM river_job j WHERE j.kind = ? AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled') AND `+arg+` = i.id)
			ORDER BY i.id`, tenantry.ImportQueued, tenantry.ImportRunning, tenantry.ImportUsersJob{}.Kind())
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			out.Imports = append(out.Imports, id)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range out.Imports {
			tx.enqueue(tenantry.ImportUsersJob{ImportID: id})
		}
		return nil
	})
	return out, err
}
