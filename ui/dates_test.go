package ui_test

import (
	"regexp"
	"testing"
)

// TestDatesReadLeftToRight: in Arabic a date is isolated as left to right,
// so that its parts keep their order inside right-to-left text; in English
// it is plain.
func TestDatesReadLeftToRight(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.bootstrap(t, "Acme Telecom", "ada@acme.example", "full_admin")
		isolated := regexp.MustCompile("\u2066[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\u2069")
		a.lang = "ar"
		if p := a.get("/settings/admins").must(t, 200); !isolated.MatchString(p.Body) {
			t.Errorf("Arabic page without an isolated date:\n%s", clip(p.Body))
		}
		a.lang = "en"
		if p := a.get("/settings/admins").must(t, 200); isolated.MatchString(p.Body) || regexp.MustCompile("[\u2066\u2069]").MatchString(p.Body) {
			t.Errorf("English page with bidi isolation marks")
		}
	})
}
