package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
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
	if code != 0 || !strings.Contains(out, "completed; 3 of 3 rows done; 2 users would be created") || !strings.Contains(out, "line 4: phone_number:") {
		t.Errorf("dry run: exit %d\n%s", code, out)
	}
	// The file may come first, and the flags after it.
	code, out, stderr := run(file, "--customer", customerID)
	if code != 0 || !strings.Contains(out, "completed; 3 of 3 rows done; 2 users created; 1 rows refused") ||
		!strings.Contains(out, "line 4: phone_number: ") || !strings.Contains(out, "+14089999999") {
		t.Errorf("import: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "phone_number: phone_number") {
		t.Errorf("a row error repeats its field:\n%s", out)
	}
	// stderr is not a terminal: plain lines, no carriage-return frames.
	if !strings.Contains(stderr, "importing: 3 of 3 rows done\n") || strings.Contains(stderr, "\r") {
		t.Errorf("progress on a file: %q", stderr)
	}
	// import status follows an import again, by its id.
	m := regexp.MustCompile(`import (\S+): completed`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no import id in %q", out)
	}
	var sout, serr bytes.Buffer
	code = Main(ctx, []string{"import", "status", "--url", b.base, "--token", b.boot.Token, "--customer", customerID, m[1]}, &sout, &serr)
	if code != 0 || !strings.Contains(sout.String(), "import "+m[1]+": completed; 3 of 3 rows done; 2 users created") {
		t.Errorf("import status: exit %d\n%s%s", code, sout.String(), serr.String())
	}
	code, _, stderr = run("--customer", "no-such-customer", file)
	if code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("unknown customer: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := run(file); code != 2 {
		t.Errorf("no --customer: exit %d, want 2", code)
	}
}

// TestImportReattaches: when the connection to the server drops while an
// import runs, the CLI says that the import goes on and how to follow it,
// keeps trying, and shows the outcome once the server answers again.
func TestImportReattaches(t *testing.T) {
	var polls atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"id":"imp-1","url":%q}`, srv.URL+"/v1/wholesale/customers/c-1/imports/imp-1")
			return
		}
		if polls.Add(1) <= 3 {
			// The connection drops.
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		fmt.Fprint(w, `{"id":"imp-1","status":"completed","total":1,"done":1,"created":1,"errors":[]}`)
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "users.csv")
	os.WriteFile(file, []byte("first_name,last_name,email,package,location,phone_number,extension\n"), 0o600)
	var out, errOut bytes.Buffer
	code := Main(t.Context(), []string{"import", "users", "--url", srv.URL, "--token", "t", "--poll", "1ms", "--customer", "c-1", file}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "import imp-1: completed") {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"lost the connection", "The import goes on in the server", "tenantry import status --url " + srv.URL + " --customer c-1 imp-1", "reached the server again"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if n := strings.Count(errOut.String(), "lost the connection"); n != 1 {
		t.Errorf("the drop was told %d times", n)
	}
}
