package tenantry_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

func parseFile(t *testing.T, name string) (*tenantry.Directory, []tenantry.DirectoryError) {
	t.Helper()
	path := filepath.Join("testdata", "directory", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tenantry.ParseDirectory(path, data)
}

// where is a row error as line, field and reason.
func where(errs []tenantry.DirectoryError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, itoa(e.Line)+" "+e.Field+" "+e.Reason)
	}
	return out
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

// TestParseDirectoryExamples: the example files of the README parse
// without a problem, JSON and CSV alike, with every field.
func TestParseDirectoryExamples(t *testing.T) {
	d, errs := parseFile(t, "directory.json")
	if len(errs) != 0 {
		t.Fatalf("directory.json: %v", where(errs))
	}
	want := []tenantry.DirectoryOrg{
		{Line: 3, ExistingOrg: tenantry.ExistingOrg{OrgID: "org-globex", Name: "Globex Corporation", UserCount: 240, VerifiedDomain: true,
			VerifiedDomains: []string{"globex.example"}, ClaimedDomains: []string{}, LegacyPackages: []tenantry.Package{}}},
		{Line: 11, ExistingOrg: tenantry.ExistingOrg{OrgID: "org-initech", Name: "Initech", UserCount: 12, VerifiedDomains: []string{},
			ClaimedDomains: []string{}, LegacyPackages: []tenantry.Package{tenantry.LegacyStandard}}},
		{Line: 17, ExistingOrg: tenantry.ExistingOrg{OrgID: "org-corner-shop", Name: "Corner Shop", UserCount: 4, VerifiedDomains: []string{}, ClaimedDomains: []string{}}},
	}
	if diff := cmp.Diff(want, d.Orgs); diff != "" {
		t.Errorf("organizations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tenantry.FreeAccount{{Line: 24, Email: "ada@freemail.example", Name: "Ada Lovelace"}}, d.FreeAccounts); diff != "" {
		t.Errorf("free accounts (-want +got):\n%s", diff)
	}

	d, errs = parseFile(t, "organizations.csv")
	if len(errs) != 0 || len(d.Orgs) != 3 || len(d.FreeAccounts) != 0 {
		t.Fatalf("organizations.csv: %v, %+v", where(errs), d)
	}
	if o := d.Orgs[1]; o.Line != 3 || !o.ClaimedDomain || o.VerifiedDomain || !cmp.Equal(o.ClaimedDomains, []string{"hooli.example", "hooli-mail.example"}) {
		t.Errorf("hooli = %+v", o)
	}
	if o := d.Orgs[2]; !cmp.Equal(o.LegacyPackages, []tenantry.Package{tenantry.LegacyBasic, tenantry.LegacyPremium}) {
		t.Errorf("vandelay = %+v", o)
	}
	d, errs = parseFile(t, "free-accounts.csv")
	if len(errs) != 0 || len(d.FreeAccounts) != 2 || d.FreeAccounts[1].Line != 3 || d.FreeAccounts[0].Name != "Grace Hopper" {
		t.Fatalf("free-accounts.csv: %v, %+v", where(errs), d)
	}
}

// TestParseDirectoryErrors: every bad row is reported with its line and
// field, JSON and CSV alike.
func TestParseDirectoryErrors(t *testing.T) {
	_, errs := parseFile(t, "bad-organizations.csv")
	want := []string{
		"03 orgId required",
		"04 users directory_user_count",
		"05 verifiedDomains directory_domain_invalid",
		"06 legacyPackages invalid_value",
		"07 orgId import_value_repeated",
	}
	if diff := cmp.Diff(want, where(errs)); diff != "" {
		t.Errorf("bad-organizations.csv (-want +got):\n%s", diff)
	}
	_, errs = parseFile(t, "bad-accounts.json")
	want = []string{
		"04 freeAccounts[1].email invalid_email",
		"05 freeAccounts[2].nickname unknown_field",
		"06 freeAccounts[3].email wrong_type",
	}
	if diff := cmp.Diff(want, where(errs)); diff != "" {
		t.Errorf("bad-accounts.json (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ name, data, want string }{
		{"empty.csv", "", "01 file import_no_header"},
		{"header-only.csv", "email,name\n", "00 file directory_empty"},
		{"unknown-column.csv", "email,phone\n", "01 phone directory_column_unknown"},
		{"both-kinds.csv", "orgId,email\n", "01 file directory_csv_kind"},
		{"quotes.csv", "email,name\n\"a@b.example,x\n", "02 file import_csv_malformed"},
		{"broken.json", "{\n\"organizations\": [\n{\"orgId\": }\n]}", "03 file malformed_json"},
		{"wrong.json", "{\"organizations\": {}}", "01 organizations wrong_type"},
		{"sniffed", "{\"freeAccounts\": [{\"email\": \"x\"}]}", "01 freeAccounts[0].email invalid_email"},
	} {
		_, errs := tenantry.ParseDirectory(tt.name, []byte(tt.data))
		if got := where(errs); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: %v, want [%s]", tt.name, got, tt.want)
		}
	}
}

// TestCheckDirectory: an org id or an address in two files of one import.
func TestCheckDirectory(t *testing.T) {
	a, _ := tenantry.ParseDirectory("a.csv", []byte("email\nada@x.example\n"))
	b, _ := tenantry.ParseDirectory("b.json", []byte(`{"freeAccounts": [{"email": "bob@x.example"}, {"email": "ADA@x.example"}]}`))
	errs := tenantry.CheckDirectory([]string{"a.csv", "b.json"}, []*tenantry.Directory{a, b})
	if len(errs) != 1 || errs[0].File != "b.json" || errs[0].Line != 1 || errs[0].Params["detail"] != "a.csv:2" {
		t.Errorf("CheckDirectory = %+v", errs)
	}
}
