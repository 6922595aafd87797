package sqldb_test

import (
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// jobID returns the queue id of a customer's only job of kind.
func jobID(t *testing.T, f *fixture, kind, customerID string) int64 {
	t.Helper()
	var id int64
	if err := f.db.SQL().QueryRowContext(t.Context(), rebind(f.db, `SELECT id FROM river_job WHERE kind = ? AND `+jobArg(f.db)+` = ?`), kind, customerID).Scan(&id); err != nil {
		t.Fatalf("job %s of %s: %v", kind, customerID, err)
	}
	return id
}

// TestFinishedJobIDNotReused: a job finished with its work (its queue row
// deleted in that transaction, on SQLite) leaves its id to River's
// completer, which marks that id completed a moment later if it is still
// running. A job inserted meanwhile must not get the same id: SQLite gives
// a new row the largest id plus one, so a job inserted after the deletion
// of the newest row took the deleted row's id, and River's completer then
// marked that job (an import, in the crash test) completed while it ran;
// the import stopped half way with nothing left to resume it.
func TestFinishedJobIDNotReused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.customer(t, tpl, "ext-1")
		id := jobID(t, f, "provision_customer", c.ID)
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE river_job SET state = 'running' WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		if err := f.db.ProvisionCustomer(tenantry.WithJobID(ctx, id), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		d := f.customer(t, tpl, "ext-2")
		if next := jobID(t, f, "provision_customer", d.ID); next <= id {
			t.Errorf("the job inserted after job %d finished got id %d: River's completer would complete it", id, next)
		}
	})
}
