package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestImportChunkOutlivesItsContext: a run of the import job whose context
// ends (its timeout, on a machine so loaded that a chunk outlasts it) still
// commits the chunk it began, and hands the job back. Before, the chunk
// was rolled back and begun again by every run, and the import never moved.
func TestImportChunkOutlivesItsContext(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		res, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Acme", AdminEmail: "ops@acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Authenticate(ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.ResolveActor(ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		tpl := &tenantry.Template{Name: "Standard", Country: "US", ServiceProviderAdminID: res.Admin.ID, SubscriptionID: res.Subscription.ID}
		if err := db.CreateTemplate(ctx, a, tpl); err != nil {
			t.Fatal(err)
		}
		c, err := db.CreateCustomer(ctx, a, &tenantry.CustomerInput{
			ProvisioningID: tpl.ProvisioningID, Packages: []string{"webex_meetings"}, ExternalID: "ext-1", MeetingsTimeZone: "America/Los_Angeles",
			Address: &tenantry.Address{Line1: "170 West Tasman Drive", City: "San Jose", State: "CA", PostalCode: "95134", Country: "US"},
			Info:    &tenantry.CustomerInfo{Name: "Contoso", PrimaryEmail: "admin@contoso.example", Language: "en"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		var file strings.Builder
		file.WriteString(tenantry.ImportHeader())
		for i := range tenantry.ImportChunk + 1 {
			fmt.Fprintf(&file, "User,%d,user%d@contoso.example,webex_meetings,,,\n", i, i)
		}
		rows, err := tenantry.ParseUserCSV(strings.NewReader(file.String()), tenantry.MaxImportRows)
		if err != nil {
			t.Fatal(err)
		}
		im, err := db.CreateImport(ctx, a, &tenantry.ImportInput{CustomerID: c.ID, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}

		w := &importWorker{jobs: db, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		job := &river.Job[tenantry.ImportUsersJob]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10}, Args: tenantry.ImportUsersJob{ImportID: im.ID}}
		ended, cancel := context.WithCancel(ctx)
		cancel()
		var snooze *river.JobSnoozeError
		if err := w.Work(ended, job); !errors.As(err, &snooze) {
			t.Errorf("run with its context ended = %v, want the job handed back (snoozed)", err)
		}
		got, err := db.Import(ctx, a, c.ID, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Done != tenantry.ImportChunk || got.Status != tenantry.ImportRunning {
			t.Errorf("import %s at %d rows, want running at %d (the chunk begun committed)", got.Status, got.Done, tenantry.ImportChunk)
		}
		if err := w.Work(ctx, job); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Import(ctx, a, c.ID, im.ID); got.Status != tenantry.ImportCompleted || got.Created != tenantry.ImportChunk+1 {
			t.Errorf("import after the next run: %s, %d created", got.Status, got.Created)
		}
	})
}
