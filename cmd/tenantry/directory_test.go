package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// directoryFiles are the README's example files.
var directoryFiles = []string{
	filepath.Join("..", "..", "testdata", "directory", "directory.json"),
	filepath.Join("..", "..", "testdata", "directory", "organizations.csv"),
	filepath.Join("..", "..", "testdata", "directory", "free-accounts.csv"),
}

// TestDirectoryImportCommand runs `tenantry directory import` on both
// engines: bad files are refused with each row's line and field and
// nothing written; the example files (JSON and CSV) import, and again
// without change; then rules C7, U3 and Q8 hold through the API for what
// was imported: attaching a large organization waits for approval, a small
// one attaches at once, a free account's address makes a user wait for
// consent, and a customer attached to an organization with legacy packages
// gets no quantities.
func TestDirectoryImportCommand(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		ctx := t.Context()
		pg := ""
		if e.Name == "postgres" {
			pg = os.Getenv("TENANTRY_TEST_POSTGRES_URL")
		}
		b, err := startBench(ctx, pg, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer b.close()
		run := func(args ...string) (int, string, string) {
			var out, errOut bytes.Buffer
			code := Main(ctx, append([]string{"directory", "import", "--database-url", b.url, "--lang", "en"}, args...), &out, &errOut)
			return code, out.String(), errOut.String()
		}
		rows := func() int {
			var orgs, free int
			if err := b.db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organizations), (SELECT COUNT(*) FROM free_accounts)`).Scan(&orgs, &free); err != nil {
				t.Fatal(err)
			}
			return orgs + free
		}

		// Bad rows: every one named with its line and field, nothing
		// written, not even the good rows of the good file given with them.
		bad := []string{filepath.Join("..", "..", "testdata", "directory", "bad-organizations.csv"),
			filepath.Join("..", "..", "testdata", "directory", "bad-accounts.json")}
		code, out, stderr := run(append(append([]string{}, directoryFiles[0]), bad...)...)
		if code != 1 || !strings.Contains(stderr, "nothing was imported") {
			t.Errorf("bad files: exit %d, stderr %q", code, stderr)
		}
		for _, want := range []string{
			"bad-organizations.csv: line 3: orgId is required.",
			"bad-organizations.csv: line 4: users: many is not a number of users",
			"bad-organizations.csv: line 5: verifiedDomains: bad_domain! is not a domain name",
			"bad-organizations.csv: line 6: legacyPackages: webex_calling is not a valid value",
			"bad-organizations.csv: line 7: orgId: org-ok is already used on line 2",
			"bad-accounts.json: line 4: freeAccounts[1].email",
			"bad-accounts.json: line 5: freeAccounts[2].nickname",
			"bad-accounts.json: line 6: freeAccounts[3].email",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if n := rows(); n != 0 {
			t.Errorf("%d rows written by a refused import", n)
		}

		code, out, stderr = run(directoryFiles...)
		if code != 0 || !strings.Contains(out, "imported 6 organizations (6 new, 0 updated) and 3 free accounts (3 new, 0 updated)") {
			t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
		}
		// The flags may come after the files; a second import changes nothing.
		code, out, stderr = run(append(append([]string{}, directoryFiles...), "--dry-run")...)
		if code != 0 || !strings.Contains(out, "6 organizations (0 new, 6 updated) and 3 free accounts (0 new, 3 updated)") {
			t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
		}
		code, out, stderr = run(directoryFiles...)
		if code != 0 || !strings.Contains(out, "imported 6 organizations (0 new, 6 updated) and 3 free accounts (0 new, 3 updated)") {
			t.Fatalf("import again: exit %d\n%s%s", code, out, stderr)
		}
		if n := rows(); n != 9 {
			t.Errorf("%d rows after importing twice, want 9", n)
		}

		var tpl struct{ ProvisioningID string }
		if err := b.expect(ctx, http.StatusCreated, "POST", "/v1/wholesale/templates", map[string]any{
			"name": "Directory", "country": "US", "serviceProviderAdminId": b.boot.Admin.ID, "subscriptionId": b.boot.Subscription.ID,
		}, &tpl); err != nil {
			t.Fatal(err)
		}
		create := func(i int, orgID string, limits map[string]int) (*http.Response, []byte) {
			t.Helper()
			body := benchCustomer(tpl.ProvisioningID, i)
			if orgID != "" {
				body["orgId"] = orgID
			}
			if limits != nil {
				body["provisioningParameters"].(map[string]any)["packages"] = map[string]any{"limits": limits}
			}
			resp, rb, err := b.call(ctx, "POST", "/v1/wholesale/customers", body)
			if err != nil {
				t.Fatal(err)
			}
			return resp, rb
		}
		customerPath := func(resp *http.Response, rb []byte) string {
			t.Helper()
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("create: %d %s", resp.StatusCode, rb)
			}
			u, _ := url.Parse(resp.Header.Get("Location"))
			return u.Path
		}

		// C7: Globex has 240 users and a verified domain; Hooli (CSV) a
		// claimed domain; the corner shop is small.
		for i, org := range []string{"org-globex", "org-hooli"} {
			p := customerPath(create(i, org, nil))
			waitApproval(t, b, p, "pending")
		}
		small := customerPath(create(2, "org-corner-shop", nil))
		waitStatus(t, b, small, "provisioned")
		waitApproval(t, b, small, "none")

		// U3: a user with a free account's address waits for its consent
		// (202: accepted, not yet created).
		customerID, err := url.PathUnescape(strings.TrimPrefix(small, "/v1/wholesale/customers/"))
		if err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"ada@freemail.example", "grace@freemail.example"} {
			var sub struct{ Status string }
			if err := b.expect(ctx, http.StatusAccepted, "POST", "/v1/wholesale/subscribers", map[string]any{
				"customerId": customerID, "email": email, "package": "webex_meetings",
			}, &sub); err != nil {
				t.Fatal(err)
			}
			if sub.Status != "pending_user_migration" {
				t.Errorf("user %s is %s, want pending_user_migration", email, sub.Status)
			}
		}

		// Q8: Initech (JSON) and Vandelay (CSV) hold legacy packages.
		limits := map[string]int{"webex_calling": 10, "webex_meetings": 10}
		for i, org := range []string{"org-initech", "org-vandelay"} {
			resp, rb := create(10+i, org, limits)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(rb), "provisioningParameters.packages.limits") {
				t.Errorf("quantities for a customer of %s: %d %s, want 400 on the limits", org, resp.StatusCode, rb)
			}
		}
		// Umbrella holds none: quantities are fine there (and 150 users
		// make it wait for approval).
		waitApproval(t, b, customerPath(create(12, "org-umbrella", limits)), "pending")
	})
}

func waitStatus(t *testing.T, b *benchEnv, path, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var c struct{ Status string }
		if err := b.expect(t.Context(), http.StatusOK, "GET", path, nil, &c); err != nil {
			t.Fatal(err)
		}
		if c.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %s, want %s", path, c.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitApproval(t *testing.T, b *benchEnv, path, want string) {
	t.Helper()
	var a struct{ State string }
	if err := b.expect(context.Background(), http.StatusOK, "GET", path+"/approval", nil, &a); err != nil {
		t.Fatal(err)
	}
	if a.State != want {
		t.Errorf("approval of %s = %q, want %q", path, a.State, want)
	}
}
