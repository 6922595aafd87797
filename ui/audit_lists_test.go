package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestAuditFiltersOfferEveryAction: every action and resource the store
// writes to the audit log (a literal in sqldb's tx.audit calls) is offered
// by the audit page's filters, and every resource has a translated label.
func TestAuditFiltersOfferEveryAction(t *testing.T) {
	files, err := filepath.Glob("../sqldb/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("sqldb sources: %v", err)
	}
	call := regexp.MustCompile(`\.audit\(ctx, [^,]+, [^,]+, "([a-z_.]+)", "([a-z_]+)"`)
	seen := 0
	for _, f := range files {
		if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			seen++
			if !slices.Contains(auditActions, m[1]) {
				t.Errorf("%s writes action %q, which the filter does not suggest", filepath.Base(f), m[1])
			}
			if !slices.Contains(auditResources, m[2]) {
				t.Errorf("%s writes resource %q, which the filter does not offer", filepath.Base(f), m[2])
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found %d audit calls in sqldb; the pattern no longer matches them", seen)
	}
	s := renderServer(t)
	for _, res := range auditResources {
		for _, lang := range []string{"en", "ar"} {
			if !s.tr.Has(lang, "hub.audit.kind."+res) {
				t.Errorf("resource %q has no label in %s", res, lang)
			}
		}
	}
}
