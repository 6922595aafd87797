package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIExplainsItself: an unknown database URL scheme is an error that
// creates nothing; an unwritable data directory names the path and the
// cause; a flag error is printed once; the usage lists every command.
func TestCLIExplainsItself(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, _, errOut := runMain(t, "migrate", "--database-url", "mysql://x@y/z")
	if code == 0 || !strings.Contains(errOut, `unknown database URL scheme "mysql"`) {
		t.Errorf("migrate mysql://: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "mysql:")); err == nil {
		t.Errorf("migrate mysql:// made a directory")
	}

	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o500)
	if os.Getuid() != 0 { // root writes anywhere
		code, _, errOut = runMain(t, "migrate", "--database-url", filepath.Join(ro, "tenantry.db"))
		if code == 0 || !strings.Contains(errOut, filepath.Join(ro, "tenantry.db")) || !strings.Contains(errOut, "permission denied") {
			t.Errorf("unwritable directory: exit %d, %q", code, errOut)
		}
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	code, _, errOut = runMain(t, "migrate", "--database-url", filepath.Join(file, "tenantry.db"))
	if code == 0 || !strings.Contains(errOut, filepath.Join(file)) || !strings.Contains(errOut, "not a directory") {
		t.Errorf("database under a file: exit %d, %q", code, errOut)
	}

	code, out, errOut := runMain(t, "migrate", "--database-url", "data/tenantry.db")
	if code != 0 || !strings.Contains(errOut, "tenantry: database sqlite "+filepath.Join(dir, "data/tenantry.db")) || !strings.Contains(out, filepath.Join(dir, "data/tenantry.db")) {
		t.Errorf("migrate does not name the database it opened: %q %q", out, errOut)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"subpartner", "create"}, "--partner is required"},
		{[]string{"subpartner", "create", "--partner", "x"}, "--name is required"},
		{[]string{"subpartner", "create", "--partner", "nobody", "--name", "X"}, "partner nobody (--partner) was not found"},
		{[]string{"bootstrap", "--partner", "A", "--email", "not-an-address"}, "--email is not a valid email address"},
	} {
		code, _, errOut := runMain(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "{") {
			t.Errorf("%v: exit %d, %q, want %q and no placeholder", c.args, code, errOut, c.want)
		}
	}

	code, _, errOut = runMain(t, "serve", "--bogus")
	if code != 2 || strings.Count(errOut, "flag provided but not defined: -bogus") != 1 {
		t.Errorf("serve --bogus: exit %d, the error printed %d times:\n%s", code, strings.Count(errOut, "-bogus"), errOut)
	}
	_, _, errOut = runMain(t)
	for _, cmd := range []string{"bench customers", "bench import", "import users", "backup", "restore"} {
		if !strings.Contains(errOut, cmd) {
			t.Errorf("usage lacks %q", cmd)
		}
	}
	code, out, errOut = runMain(t, "backup", "--database-url", "postgres://tenantry:secret@db.example/tenantry", "t.dump")
	if code == 0 || !strings.Contains(out, "pg_dump --format=custom --file=t.dump 'postgres://tenantry:xxxxx@db.example/tenantry'") || strings.Contains(out+errOut, "secret") {
		t.Errorf("backup of PostgreSQL: exit %d, %q %q", code, out, errOut)
	}
}
