package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

const importHeader = "First Name,Last Name,Email,Package,Location,Phone Number,Extension\n"

// importFixture is a provisioned customer with ten numbers at its
// headquarters (+14085550001…10) and one user already there.
func importFixture(t *testing.T, e sqldbtest.Engine) (*fixture, *tenantry.Customer, *tenantry.Location) {
	t.Helper()
	f := newFixture(t, e)
	c := f.provisioned(t, f.template(t, "Standard"), "imp-1")
	hq := f.headquarters(t, c.ID)
	in := numberRange(1, 10)
	if _, err := f.db.AddNumbers(t.Context(), f.actor, c.ID, hq.ID, &in); err != nil {
		t.Fatalf("add numbers: %v", err)
	}
	if _, err := f.db.CreateSubscriber(t.Context(), f.actor, &tenantry.SubscriberInput{
		CustomerID: c.ID, Email: "taken@example.com", Package: "webex_meetings",
	}); err != nil {
		t.Fatalf("create subscriber: %v", err)
	}
	return f, c, hq
}

// startImport parses file and stores it as an import of c.
func startImport(t *testing.T, f *fixture, c *tenantry.Customer, file string, dryRun bool) *tenantry.Import {
	t.Helper()
	rows, err := tenantry.ParseUserCSV(strings.NewReader(file), tenantry.MaxImportRows)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	im, err := f.db.CreateImport(t.Context(), f.actor, &tenantry.ImportInput{CustomerID: c.ID, DryRun: dryRun, Rows: rows})
	if err != nil {
		t.Fatalf("create import: %v", err)
	}
	if im.Status != tenantry.ImportQueued || im.Total != len(rows) {
		t.Fatalf("import = %+v, want queued with %d rows", im, len(rows))
	}
	return im
}

func importErrors(im *tenantry.Import) []string {
	var out []string
	for _, e := range im.Errors {
		out = append(out, fmt.Sprintf("%d %s %s", e.Row, e.Field, e.Reason))
	}
	return out
}

func (f *fixture) subscriberEmails(t *testing.T, customerID string) []string {
	t.Helper()
	subs, _, err := f.db.Subscribers(t.Context(), f.actor, tenantry.SubscriberFilter{CustomerID: customerID, Page: tenantry.Page{Max: 1000}})
	if err != nil {
		t.Fatalf("subscribers: %v", err)
	}
	var out []string
	for _, s := range subs {
		out = append(out, s.Email)
	}
	return out
}

func (f *fixture) assignedNumbers(t *testing.T, c *tenantry.Customer, hq *tenantry.Location) int {
	t.Helper()
	ns, _, err := f.db.Numbers(t.Context(), f.actor, c.ID, hq.ID, tenantry.NumberFilter{State: tenantry.NumberAssigned, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatalf("numbers: %v", err)
	}
	return len(ns)
}

// mixedFile has valid rows (a location by name and by id) and rows refused
// by the file alone and by the database.
func mixedFile(hq *tenantry.Location) string {
	return importHeader +
		"Ada,Lovelace,ada@example.com,webex_calling,headquarters,+14085550001,1001\n" + // 2: by name, any case
		"Bob,B,bob@example.com,webex_calling," + hq.ID + ",,1002\n" + // 3: by id
		"Cy,C,not-an-email,webex_meetings,,,\n" + // 4: the file
		"Di,D,TAKEN@example.com,webex_meetings,,,\n" + // 5: email taken
		"Ed,E,ed@example.com,webex_calling,Headquarters,+14085559999,\n" + // 6: not in inventory
		"Fe,F,fe@example.com,webex_calling,Nowhere,,1003\n" + // 7: no such location
		"Gi,G,gi@example.com,webex_meetings;attendant_console,,,\n" + // 8: add-on needs calling
		"Hu,H,hu@example.com,webex_meetings,,,\n" // 9
}

var mixedErrors = []string{
	"4 email invalid_email",
	"5 email email_taken",
	"6 phone_number phone_number_not_in_inventory",
	"7 location subscriber_location_not_found",
	"8 package package_dependency",
}

// TestImportUsers: valid rows become users through the subscriber rules,
// with their numbers; refused rows are reported by line and column and
// leave nothing behind; the import ends completed.
func TestImportUsers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, hq := importFixture(t, e)
		ctx := t.Context()
		webhook(t, f.db, f.actor, "https://hooks.example.com/t", tenantry.EventImportFinished)
		im := startImport(t, f, c, mixedFile(hq), false)
		if err := f.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: im.ID}); err != nil {
			t.Fatalf("run import: %v", err)
		}
		got, err := f.db.Import(ctx, f.actor, c.ID, im.ID)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if got.Status != tenantry.ImportCompleted || got.Total != 8 || got.Done != 8 || got.Created != 3 {
			t.Errorf("import = %+v, want completed 8/8 with 3 created", got)
		}
		if diff := cmp.Diff(mixedErrors, importErrors(got)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		want := []string{"taken@example.com", "ada@example.com", "bob@example.com", "hu@example.com"}
		if diff := cmp.Diff(want, f.subscriberEmails(t, c.ID)); diff != "" {
			t.Errorf("subscribers (-want +got):\n%s", diff)
		}
		if n := f.assignedNumbers(t, c, hq); n != 1 {
			t.Errorf("%d numbers assigned, want 1", n)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM webhook_events WHERE type = ? AND body LIKE ?`,
			tenantry.EventImportFinished, `%"importId":"`+im.ID+`"%`); n != 1 {
			t.Errorf("%d import.finished events, want 1", n)
		}
		// Running the job again (a retry, a rescue) changes nothing.
		if err := f.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: im.ID}); err != nil {
			t.Fatalf("run import again: %v", err)
		}
		if n := len(f.subscriberEmails(t, c.ID)); n != 4 {
			t.Errorf("%d subscribers after a second run, want 4", n)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM webhook_events WHERE type = ?`, tenantry.EventImportFinished); n != 1 {
			t.Errorf("%d import.finished events after a second run, want 1", n)
		}
	})
}

// TestImportDryRun: a dry run reports what a real run would, including
// what only the database knows, and writes no user.
func TestImportDryRun(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, hq := importFixture(t, e)
		ctx := t.Context()
		im := startImport(t, f, c, mixedFile(hq), true)
		if err := f.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: im.ID}); err != nil {
			t.Fatalf("run import: %v", err)
		}
		got, err := f.db.Import(ctx, f.actor, c.ID, im.ID)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if got.Status != tenantry.ImportCompleted || !got.DryRun || got.Done != 8 || got.Created != 0 {
			t.Errorf("import = %+v, want a completed dry run with nothing created", got)
		}
		if diff := cmp.Diff(mixedErrors, importErrors(got)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"taken@example.com"}, f.subscriberEmails(t, c.ID)); diff != "" {
			t.Errorf("subscribers (-want +got):\n%s", diff)
		}
		if n := f.assignedNumbers(t, c, hq); n != 0 {
			t.Errorf("%d numbers assigned by a dry run", n)
		}
	})
}

// TestImportResume: a job cut off after its first chunk resumes after it;
// every row exists exactly once.
func TestImportResume(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, _ := importFixture(t, e)
		ctx := t.Context()
		file := importHeader
		var want []string
		want = append(want, "taken@example.com")
		for i := 1; i <= 7; i++ {
			file += fmt.Sprintf("U%d,L,u%d@example.com,webex_calling,Headquarters,%s,%d\n", i, i, usNumber(i), 2000+i)
			want = append(want, fmt.Sprintf("u%d@example.com", i))
		}
		im := startImport(t, f, c, file, false)
		job := tenantry.ImportUsersJob{ImportID: im.ID}
		finished, err := f.db.RunImportChunk(ctx, job, 3)
		if err != nil || finished {
			t.Fatalf("first chunk: finished %v, err %v", finished, err)
		}
		mid, err := f.db.Import(ctx, f.actor, c.ID, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if mid.Status != tenantry.ImportRunning || mid.Done != 3 || mid.Created != 3 {
			t.Errorf("after one chunk: %+v, want running 3/7", mid)
		}
		// The process dies here; the job runs again from the start.
		if err := f.db.RunImport(ctx, job); err != nil {
			t.Fatalf("resume: %v", err)
		}
		got, err := f.db.Import(ctx, f.actor, c.ID, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tenantry.ImportCompleted || got.Done != 7 || got.Created != 7 || len(got.Errors) != 0 {
			t.Errorf("import = %+v, want 7 created without errors", got)
		}
		if diff := cmp.Diff(want, f.subscriberEmails(t, c.ID)); diff != "" {
			t.Errorf("subscribers (-want +got):\n%s", diff)
		}
	})
}

// TestImportIsolation: another partner's customer and import are not found.
func TestImportIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, hq := importFixture(t, e)
		ctx := t.Context()
		im := startImport(t, f, c, mixedFile(hq), true)
		_, other := addPartner(t, f.db, "Globex")
		rows, _ := tenantry.ParseUserCSV(strings.NewReader(mixedFile(hq)), 100)
		_, err := f.db.CreateImport(ctx, other, &tenantry.ImportInput{CustomerID: c.ID, Rows: rows})
		wantError(t, err, tenantry.ENOTFOUND, "")
		_, err = f.db.Import(ctx, other, c.ID, im.ID)
		wantError(t, err, tenantry.ENOTFOUND, "")
	})
}

// TestImportFreeAccounts: rule U3 holds in an import as for one user: an
// email of a free account waits for its owner's consent, the others are
// provisioned, whatever their case in the file.
func TestImportFreeAccounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, _ := importFixture(t, e)
		ctx := t.Context()
		for _, email := range []string{"free1@example.com", "free2@example.com"} {
			if err := f.db.AddFreeAccount(ctx, email); err != nil {
				t.Fatal(err)
			}
		}
		file := importHeader +
			"A,A,Free1@Example.com,webex_meetings,,,\n" +
			"B,B,paid@example.com,webex_meetings,,,\n" +
			"C,C,free2@example.com,webex_meetings,,,\n"
		im := startImport(t, f, c, file, false)
		if err := f.db.RunImport(ctx, tenantry.ImportUsersJob{ImportID: im.ID}); err != nil {
			t.Fatalf("run import: %v", err)
		}
		subs, _, err := f.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{CustomerID: c.ID, Page: tenantry.Page{Max: 100}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]tenantry.SubscriberStatus{}
		for _, s := range subs {
			got[s.Email] = s.Status
		}
		want := map[string]tenantry.SubscriberStatus{
			"taken@example.com": tenantry.SubscriberProvisioned,
			"free1@example.com": tenantry.SubscriberPendingUserMigration,
			"paid@example.com":  tenantry.SubscriberProvisioned,
			"free2@example.com": tenantry.SubscriberPendingUserMigration,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
	})
}

// TestImportList: a customer's imports, newest first, at most max; another
// partner's customer is not found.
func TestImportList(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f, c, hq := importFixture(t, e)
		ctx := t.Context()
		first := startImport(t, f, c, mixedFile(hq), true)
		second := startImport(t, f, c, mixedFile(hq), false)
		got, err := f.db.Imports(ctx, f.actor, c.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, im := range got {
			ids = append(ids, im.ID)
		}
		if diff := cmp.Diff([]string{second.ID, first.ID}, ids); diff != "" {
			t.Errorf("imports (-want +got):\n%s", diff)
		}
		if len(got) == 2 && (!got[1].DryRun || got[0].DryRun || got[0].Total != 8) {
			t.Errorf("imports = %+v %+v", got[0], got[1])
		}
		if got, _ := f.db.Imports(ctx, f.actor, c.ID, 1); len(got) != 1 || got[0].ID != second.ID {
			t.Errorf("imports max 1 = %v", got)
		}
		_, other := addPartner(t, f.db, "Globex")
		_, err = f.db.Imports(ctx, other, c.ID, 10)
		wantError(t, err, tenantry.ENOTFOUND, "")
	})
}
