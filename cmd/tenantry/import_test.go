package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportUsersCommand runs `tenantry import users` in process against a
// server started by the test: a dry run, a real run with a refused row, and
// a customer the token cannot see.
func TestImportUsersCommand(t *testing.T) {
	ctx := context.Background()
	b, err := startBench(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	customerID, _, hq, err := b.callingCustomer(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "users.csv")
	csv := "First Name,Last Name,Email,Package,Location,Phone Number,Extension\n" +
		"Ada,Lovelace,ada@example.com,webex_calling," + hq.Name + "," + benchNumber(0) + ",1001\n" +
		"Bob,B,bob@example.com,webex_calling," + hq.Name + "," + benchNumber(1) + ",1002\n" +
		"Cy,C,cy@example.com,webex_calling," + hq.Name + ",+14089999999,1003\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(ctx, append([]string{"import", "users", "--url", b.base, "--token", b.boot.Token, "--lang", "en"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, _ := run("--customer", customerID, "--dry-run", file)
	if code != 0 || !strings.Contains(out, "completed; 3 of 3 rows done; 2 users would be created") || !strings.Contains(out, "line 4, phone_number:") {
		t.Errorf("dry run: exit %d\n%s", code, out)
	}
	// The file may come first, and the flags after it.
	code, out, stderr := run(file, "--customer", customerID)
	if code != 0 || !strings.Contains(out, "completed; 3 of 3 rows done; 2 users created; 1 rows refused") ||
		!strings.Contains(out, "line 4, phone_number: ") || !strings.Contains(out, "+14089999999") {
		t.Errorf("import: exit %d\n%s", code, out)
	}
	if !strings.Contains(stderr, "3/3") {
		t.Errorf("no progress bar on stderr: %q", stderr)
	}
	code, _, stderr = run("--customer", "no-such-customer", file)
	if code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("unknown customer: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := run(file); code != 2 {
		t.Errorf("no --customer: exit %d, want 2", code)
	}
}
