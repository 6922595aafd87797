package locale_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// TestCountryNames: a message names a country by its name in the reader's
// language, never by its code.
func TestCountryNames(t *testing.T) {
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"en": "Argentina", "pt-BR": "Argentina", "es": "Argentina", "sv": "Argentina", "ko": "아르헨티나", "ar": "الأرجنتين"}
	for lang, name := range want {
		msg := tr.Message(lang, tenantry.ReasonCallingNotOffered, map[string]string{"country": "AR"})
		if !strings.Contains(msg, name) || strings.Contains(msg, "AR") {
			t.Errorf("%s: %q, want the name %q and not the code", lang, msg, name)
		}
	}
	for lang, name := range map[string]string{"en": "United States", "sv": "USA", "es": "Estados Unidos", "ko": "미국"} {
		msg := tr.Message(lang, tenantry.ReasonStateRequired, map[string]string{"field": "address.stateOrProvince", "country": "US"})
		if !strings.Contains(msg, name) || strings.Contains(msg, " US.") {
			t.Errorf("%s: %q, want %q", lang, msg, name)
		}
	}
	// A matched language ("fr" reads English) and codes that are no
	// country keep working.
	if msg := tr.Message("fr", tenantry.ReasonCallingNotOffered, map[string]string{"country": "DE"}); !strings.Contains(msg, "Germany") {
		t.Errorf("fr: %q", msg)
	}
	for _, code := range []string{"ZZ", "XX", "us", "USA", ""} {
		if got := locale.CountryName("en", code); got != code {
			t.Errorf("CountryName(%q) = %q, want the code back", code, got)
		}
	}
}
