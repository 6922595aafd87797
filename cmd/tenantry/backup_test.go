package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb"
)

// TestBackupDuringLoad backs up the SQLite database of a running server
// while clients keep creating customers through the API, then opens the
// copy: every customer the API accepted (202) before the backup started
// is in it.
func TestBackupDuringLoad(t *testing.T) {
	dir := t.TempDir()
	url := filepath.Join(dir, "tenantry.db")
	code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
	if code != 0 {
		t.Fatalf("bootstrap: %s", errOut)
	}
	if !strings.Contains(errOut, "tenantry: database sqlite "+url) {
		t.Errorf("bootstrap does not say which database it opened: %q", errOut)
	}
	boot := decodeOne(t, out)
	base, _, stop := serveInProcess(t, url)
	c := newClient(base, boot.Token)
	pid := c.createTemplate(t, boot, "Standard")

	var mu sync.Mutex
	var accepted []string
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				loc, err := c.createCustomer(ctx, pid, fmt.Sprintf("ext-%d-%d", w, i))
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("create customer during backup: %v", err)
					}
					return
				}
				mu.Lock()
				accepted = append(accepted, loc[strings.LastIndex(loc, "/")+1:])
				mu.Unlock()
			}
		})
	}
	// Let the load run, then back up while it goes on.
	for {
		mu.Lock()
		n := len(accepted)
		mu.Unlock()
		if n >= 50 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), accepted...)
	mu.Unlock()
	copyPath := filepath.Join(dir, "copy.db")
	code, out, errOut = runMain(t, "backup", "--database-url", url, copyPath)
	if code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: exit %d, %s %s", code, out, errOut)
	}
	mu.Lock()
	during := len(accepted) - len(before)
	mu.Unlock()
	cancel()
	wg.Wait()
	stop()
	if during == 0 {
		t.Logf("no customer was accepted while the backup ran")
	}

	cp, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var total int
	if err := cp.QueryRow(`SELECT COUNT(*) FROM customers`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range before {
		var n int
		if err := cp.QueryRow(`SELECT COUNT(*) FROM customers WHERE id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d customers accepted before the backup are not in the copy", missing, len(before))
	}
	if total < len(before) {
		t.Errorf("the copy has %d customers, fewer than the %d accepted before the backup", total, len(before))
	}
	t.Logf("%d customers accepted before the backup, %d during it; the copy has %d", len(before), during, total)

	// A second backup to the same file is refused: nothing is overwritten.
	if code, _, errOut := runMain(t, "backup", "--database-url", url, copyPath); code == 0 || !strings.Contains(errOut, "exists already") {
		t.Errorf("backup over an existing file: exit %d, %s", code, errOut)
	}
}

// TestRestore: a restore refuses a database in use, and files that are not
// Tenantry databases at a known schema; with the server stopped it
// replaces the database, which then serves the backup's data.
func TestRestore(t *testing.T) {
	dir := t.TempDir()
	url := filepath.Join(dir, "live.db")
	code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
	if code != 0 {
		t.Fatalf("bootstrap: %s", errOut)
	}
	boot := decodeOne(t, out)
	backupPath := filepath.Join(dir, "backup.db")
	if code, _, errOut := runMain(t, "backup", "--database-url", url, backupPath); code != 0 {
		t.Fatalf("backup: %s", errOut)
	}
	other := filepath.Join(dir, "other.db")
	if code, _, errOut := runMain(t, "bootstrap", "--partner", "Other", "--email", "ops@other.example", "--database-url", other); code != 0 {
		t.Fatalf("bootstrap other: %s", errOut)
	}

	_, _, stop := serveInProcess(t, other)
	code, _, errOut = runMain(t, "restore", "--database-url", other, backupPath)
	if code == 0 || !strings.Contains(errOut, "in use") {
		t.Errorf("restore over a database in use: exit %d, %s", code, errOut)
	}
	stop()

	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte("not a database"), 0o600)
	plain := filepath.Join(dir, "plain.db")
	pdb, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	pdb.Exec(`CREATE TABLE t (x INTEGER)`)
	pdb.Close()
	future := filepath.Join(dir, "future.db")
	if code, _, errOut := runMain(t, "backup", "--database-url", url, future); code != 0 {
		t.Fatalf("backup: %s", errOut)
	}
	fdb, err := sql.Open("sqlite", future)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec(`INSERT INTO tenantry_migrations (version, applied) VALUES (?, 0)`, sqldb.LatestMigration()+1); err != nil {
		t.Fatal(err)
	}
	fdb.Close()
	for file, want := range map[string]string{notDB: "not a SQLite database", plain: "not a Tenantry database", future: "newer than this build"} {
		if code, _, errOut := runMain(t, "restore", "--database-url", other, file); code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("restore %s: exit %d, %q, want %q", filepath.Base(file), code, errOut, want)
		}
	}

	code, out, errOut = runMain(t, "restore", "--database-url", other, backupPath)
	if code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d, %s %s", code, out, errOut)
	}
	// The restored database holds Acme, not Other: Acme's token works.
	base, _, _ := serveInProcess(t, other)
	resp, body, err := newClient(base, boot.Token).do(t.Context(), "GET", "/v1/partner/admins", nil)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "ops@acme.example") {
		t.Errorf("after the restore: %v %s", err, body)
	}
}
