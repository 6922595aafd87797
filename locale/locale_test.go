package locale

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/tenantry/tenantry"
)

func newTranslator(t *testing.T) *Translator {
	t.Helper()
	tr, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tr
}

func TestCatalogsHaveEveryReason(t *testing.T) {
	tr := newTranslator(t)
	if len(tr.catalogs) != len(Languages) {
		t.Fatalf("got %d catalogs, want %d", len(tr.catalogs), len(Languages))
	}
	for _, lang := range Languages {
		cat := tr.catalogs[lang]
		for _, r := range tenantry.AllReasons {
			msg, ok := cat[r]
			switch {
			case !ok:
				t.Errorf("%s: missing %q", lang, r)
			case strings.TrimSpace(msg) == "":
				t.Errorf("%s: %q is empty", lang, r)
			}
		}
	}
}

// TestReasonsFileHasOnlyReasons keeps messages/LANG.json to the domain's
// reasons; other strings belong in a topic directory.
func TestReasonsFileHasOnlyReasons(t *testing.T) {
	for _, lang := range Languages {
		f, err := messages.Open("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		cat, err := parseCatalog(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for k := range cat {
			if !slices.Contains(tenantry.AllReasons, k) {
				t.Errorf("%s: %q is not a reason in tenantry.AllReasons", lang, k)
			}
		}
	}
}

// TestEveryLanguageHasEnglishKeys fails when a locale lacks a key English
// has, or has one English lacks, in any catalog file.
func TestEveryLanguageHasEnglishKeys(t *testing.T) {
	tr := newTranslator(t)
	en := tr.catalogs["en"]
	for _, lang := range Languages[1:] {
		cat := tr.catalogs[lang]
		for k := range en {
			if v, ok := cat[k]; !ok {
				t.Errorf("%s: missing %q", lang, k)
			} else if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
		for k := range cat {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %q is not in English", lang, k)
			}
		}
	}
}

// TestTopicPlaceholdersMatchEnglish checks every key, not only reasons: a
// translation must use exactly the placeholders of its English sentence.
func TestTopicPlaceholdersMatchEnglish(t *testing.T) {
	tr := newTranslator(t)
	for k, msg := range tr.catalogs["en"] {
		want, ok := placeholders(msg)
		if !ok {
			t.Errorf("en %s: stray brace in %q", k, msg)
		}
		for _, lang := range Languages[1:] {
			other, ok := tr.catalogs[lang][k]
			if !ok {
				continue
			}
			got, ok := placeholders(other)
			if !ok {
				t.Errorf("%s %s: stray brace in %q", lang, k, other)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, English has %v", lang, k, got, want)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// placeholders returns the sorted, distinct placeholder names in msg, and
// whether every brace in msg belongs to one (a "{field" typo does not).
func placeholders(msg string) ([]string, bool) {
	found := placeholder.FindAllStringSubmatch(msg, -1)
	var names []string
	for _, m := range found {
		names = append(names, m[1])
	}
	slices.Sort(names)
	balanced := strings.Count(msg, "{") == len(found) && strings.Count(msg, "}") == len(found)
	return slices.Compact(names), balanced
}

// paramNames are the params the domain passes (see the comments in
// reason.go); an English placeholder outside this list is a typo that no
// caller would ever fill.
var paramNames = []string{
	"field", "max", "value", "package", "requires", "country", "count", "current", "scope",
	"type", "detail", "resource", "status", "name", "id", "char", "allowed", "want",
}

func TestPlaceholdersMatchEnglish(t *testing.T) {
	tr := newTranslator(t)
	en := tr.catalogs["en"]
	for _, r := range tenantry.AllReasons {
		want, ok := placeholders(en[r])
		if !ok {
			t.Errorf("en %s: stray brace in %q", r, en[r])
		}
		for _, name := range want {
			if !slices.Contains(paramNames, name) {
				t.Errorf("en %s: unknown placeholder {%s}", r, name)
			}
		}
		for _, lang := range Languages[1:] {
			msg, ok := tr.catalogs[lang][r]
			if !ok {
				continue // reported by TestCatalogsHaveEveryReasonAndNoOther
			}
			got, ok := placeholders(msg)
			if !ok {
				t.Errorf("%s %s: stray brace in %q", lang, r, msg)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, English has %v", lang, r, got, want)
			}
		}
	}
}

// TestTranslationsAreTranslated guards against a catalog copied from English
// and left half done. A few messages may legitimately read the same, so it
// allows up to a tenth of them.
func TestTranslationsAreTranslated(t *testing.T) {
	tr := newTranslator(t)
	en := tr.catalogs["en"]
	for _, lang := range Languages[1:] {
		var same []string
		for _, r := range tenantry.AllReasons {
			if msg, ok := tr.catalogs[lang][r]; ok && msg == en[r] {
				same = append(same, r)
			}
		}
		if len(same) > len(tenantry.AllReasons)/10 {
			t.Errorf("%s: %d of %d messages are identical to English: %v", lang, len(same), len(tenantry.AllReasons), same)
		}
	}
}

// TestScripts checks that the Korean and Arabic messages are written in
// their own script, which an English sentence with a few words changed is not.
func TestScripts(t *testing.T) {
	tr := newTranslator(t)
	for lang, script := range map[string]*unicode.RangeTable{"ko": unicode.Hangul, "ar": unicode.Arabic} {
		for _, r := range tenantry.AllReasons {
			msg := tr.catalogs[lang][r]
			if !strings.ContainsFunc(msg, func(c rune) bool { return unicode.Is(script, c) }) {
				t.Errorf("%s %s: %q has no letter of its script", lang, r, msg)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	tr := newTranslator(t)
	tests := []struct {
		header string
		want   string
	}{
		{"", "en"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"en-GB", "en"},
		{"pt-BR", "pt-BR"},
		{"pt", "pt-BR"},
		{"pt-PT", "pt-BR"},
		{"pt-pt,pt;q=0.8", "pt-BR"},
		{"es", "es"},
		{"es-MX", "es"},
		{"es-419,es;q=0.9", "es"},
		{"sv", "sv"},
		{"sv-SE", "sv"},
		{"ko", "ko"},
		{"ko-KR", "ko"},
		{"ar", "ar"},
		{"ar-SA", "ar"},
		{"ar-EG,ar;q=0.9,en;q=0.5", "ar"},
		{"fr-FR,fr;q=0.9,sv;q=0.8,en;q=0.5", "sv"},
		{"fr, es;q=0.5", "es"},
		{"de;q=0.9, ko;q=0.8", "ko"},
		{"en;q=0.1, ko;q=0.9", "ko"},
		{"fr", "en"},
		{"zh-CN", "en"},
		{"*", "en"},
		{"garbage!!", "en"},
		{";;;q=x", "en"},
	}
	for _, tt := range tests {
		if got := tr.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestMessage(t *testing.T) {
	tr := newTranslator(t)
	tests := []struct {
		name         string
		lang, reason string
		params       map[string]string
		want         string
	}{
		{"fills params", "en", tenantry.ReasonTooLong,
			map[string]string{"field": "name", "max": "80"},
			"name must be at most 80 characters."},
		{"fills every occurrence and ignores extras", "es", tenantry.ReasonPackageDependency,
			map[string]string{"field": "packages[1]", "package": "webex_calling", "requires": "common_area_calling", "unused": "x"},
			"packages[1]: webex_calling requiere al menos uno de estos paquetes: common_area_calling."},
		{"leaves a placeholder without a param", "en", tenantry.ReasonTooLong,
			map[string]string{"max": "80"},
			"{field} must be at most 80 characters."},
		{"does not expand braces in a value", "en", tenantry.ReasonRequired,
			map[string]string{"field": "{max}", "max": "80"},
			"{max} is required."},
		{"no params", "en", tenantry.ReasonPrecheckOK, nil,
			"Provisioning precheck validation successful."},
		{"unknown language falls back to English", "fr", tenantry.ReasonRequired,
			map[string]string{"field": "name"}, "name is required."},
		{"empty language falls back to English", "", tenantry.ReasonRequired,
			map[string]string{"field": "name"}, "name is required."},
		{"a close language is matched", "pt", tenantry.ReasonRequired,
			map[string]string{"field": "nome"}, "nome é obrigatório."},
		{"unknown reason returns its id", "sv", "no_such_reason",
			map[string]string{"field": "name"}, "no_such_reason"},
		{"Korean", "ko", tenantry.ReasonCustomerBusy,
			map[string]string{"status": "provisioning"}, "고객이 provisioning 상태입니다. 작업이 끝난 후 다시 시도하십시오."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.Message(tt.lang, tt.reason, tt.params); got != tt.want {
				t.Errorf("Message(%q, %q) = %q, want %q", tt.lang, tt.reason, got, tt.want)
			}
		})
	}
}

// TestMessageFillsEveryLanguage renders every message with every
// placeholder set and checks that none is left behind.
func TestMessageFillsEveryLanguage(t *testing.T) {
	tr := newTranslator(t)
	params := make(map[string]string)
	for _, name := range paramNames {
		params[name] = "<" + name + ">"
	}
	for _, lang := range Languages {
		for _, r := range tenantry.AllReasons {
			got := tr.Message(lang, r, params)
			if got == r || strings.ContainsAny(got, "{}") {
				t.Errorf("%s %s: %q", lang, r, got)
			}
		}
	}
}

func TestFillStrayBraces(t *testing.T) {
	params := map[string]string{"a": "A", "b": "B"}
	tests := map[string]string{
		"{a {b}":      "{a B",
		"{a} } {b":    "A } {b",
		"x{}y{a}":     "x{}yA",
		"{a}{b}{c}":   "AB{c}",
		"no braces":   "no braces",
		"{":           "{",
		"}{a}{":       "}A{",
		"{{a}}":       "{A}",
		"{a}\u00a0ok": "A\u00a0ok",
	}
	for in, want := range tests {
		if got := fill(in, params); got != want {
			t.Errorf("fill(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDir(t *testing.T) {
	tests := map[string]string{
		"ar": "rtl", "ar-SA": "rtl",
		"en": "ltr", "pt-BR": "ltr", "es": "ltr", "sv": "ltr", "ko": "ltr",
		"": "ltr", "nonsense!": "ltr",
	}
	for lang, want := range tests {
		if got := Dir(lang); got != want {
			t.Errorf("Dir(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestParseCatalogRejectsBadFiles(t *testing.T) {
	bad := map[string]string{
		"not JSON":        `required: x`,
		"array":           `["required"]`,
		"number value":    `{"required": 1}`,
		"nested object":   `{"required": {"en": "x"}}`,
		"duplicate key":   `{"required": "a", "required": "b"}`,
		"truncated":       `{"required": "a"`,
		"trailing object": `{"required": "a"} {}`,
		"empty input":     ``,
	}
	for name, in := range bad {
		if _, err := parseCatalog(strings.NewReader(in)); err == nil {
			t.Errorf("%s: parseCatalog(%q) succeeded, want an error", name, in)
		}
	}
	got, err := parseCatalog(strings.NewReader(`{"required": "{field} is required.", "too_long": "x"}`))
	if err != nil {
		t.Fatalf("parseCatalog: %v", err)
	}
	if len(got) != 2 || got["required"] != "{field} is required." {
		t.Errorf("parseCatalog = %v", got)
	}
}
