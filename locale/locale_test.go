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
			base, _, _ := strings.Cut(k, pluralSep) // a plural variant is its reason's
			if !slices.Contains(tenantry.AllReasons, base) {
				t.Errorf("%s: %q is not a reason in tenantry.AllReasons", lang, k)
			}
		}
	}
}

// TestEveryLanguageHasEnglishKeys fails when a locale lacks a key English
// has, or has one English lacks, in any catalog file. Plural variants
// ("key#one") are each language's own: TestPluralVariants checks them.
func TestEveryLanguageHasEnglishKeys(t *testing.T) {
	tr := newTranslator(t)
	en := tr.catalogs["en"]
	for _, lang := range Languages[1:] {
		cat := tr.catalogs[lang]
		for k := range en {
			if isVariant(k) {
				continue
			}
			if v, ok := cat[k]; !ok {
				t.Errorf("%s: missing %q", lang, k)
			} else if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
		for k := range cat {
			if _, ok := en[k]; !ok && !isVariant(k) {
				t.Errorf("%s: %q is not in English", lang, k)
			}
		}
	}
}

func isVariant(key string) bool { return strings.Contains(key, pluralSep) }

// TestPluralVariants checks every plural variant ("key#form") of every
// language: its form is one the language has, its key without the form is
// in the same catalog, it is not empty, and it has the placeholders of the
// English sentence. It may leave {count} out only where its form stands for
// one number alone in that language (Arabic "two" is 2, "one" is 1), so that
// a dual can read "ثانيتين" rather than "2 ثانيتين"; Portuguese "one" is 0
// and 1, so it keeps the number.
func TestPluralVariants(t *testing.T) {
	tr := newTranslator(t)
	for _, lang := range Languages {
		cat := tr.catalogs[lang]
		numbers := map[string][]int{} // form → the numbers 0…1000 of that form
		for n := range 1001 {
			f := pluralForm(tr.tags[lang], n)
			numbers[f] = append(numbers[f], n)
		}
		for k, msg := range cat {
			base, form, ok := strings.Cut(k, pluralSep)
			if !ok {
				continue
			}
			if !slices.Contains(pluralForms, form) {
				t.Errorf("%s %s: %q is not a plural form (%v)", lang, k, form, pluralForms)
				continue
			}
			if len(numbers[form]) == 0 {
				t.Errorf("%s %s: %s has no %q form", lang, k, lang, form)
			}
			if _, ok := cat[base]; !ok {
				t.Errorf("%s %s: a variant of %q, which the catalog lacks", lang, k, base)
				continue
			}
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s %s is empty", lang, k)
			}
			want, _ := placeholders(tr.catalogs["en"][base])
			got, ok := placeholders(msg)
			if !ok {
				t.Errorf("%s %s: stray brace in %q", lang, k, msg)
			}
			if !slices.Contains(want, countParam) {
				t.Errorf("%s %s: %q has no {count} to choose a variant by", lang, k, base)
			}
			if !slices.Contains(got, countParam) && len(numbers[form]) == 1 {
				got = append(got, countParam)
				slices.Sort(got)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, English %s has %v", lang, k, got, base, want)
			}
		}
	}
}

// TestTopicPlaceholdersMatchEnglish checks every key, not only reasons: a
// translation must use exactly the placeholders of its English sentence.
func TestTopicPlaceholdersMatchEnglish(t *testing.T) {
	tr := newTranslator(t)
	for k, msg := range tr.catalogs["en"] {
		if isVariant(k) {
			continue // TestPluralVariants
		}
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
	"type", "detail", "resource", "status", "name", "id", "char", "allowed", "want", "example", "alternative",
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

// catalogTranslator is a Translator of the given catalogs, for tests of the
// lookup itself.
func catalogTranslator(t *testing.T, cats map[string]map[string]string) *Translator {
	t.Helper()
	tr := newTranslator(t)
	for lang := range tr.catalogs {
		tr.catalogs[lang] = cats[lang]
	}
	return tr
}

func TestMessagePluralVariants(t *testing.T) {
	tr := catalogTranslator(t, map[string]map[string]string{
		"en":    {"x": "{count} things", "x#one": "{count} thing"},
		"pt-BR": {"x": "{count} coisas", "x#one": "{count} coisa"},
		"es":    {"x": "{count} cosas", "x#one": "{count} cosa"},
		"sv":    {"x": "{count} saker"}, // no variant: the plain sentence
		"ko":    {"x": "{count}개"},
		"ar": {"x": "{count} other", "x#zero": "zero", "x#one": "one", "x#two": "two",
			"x#few": "{count} few", "x#many": "{count} many", "y": "{count} plain", "y#one": "one"},
	})
	tests := []struct {
		lang, key, count, want string
	}{
		{"en", "x", "0", "0 things"},
		{"en", "x", "1", "1 thing"},
		{"en", "x", "2", "2 things"},
		{"en", "x", "21", "21 things"},
		{"en", "x", "1,001", "1,001 things"},
		{"en-GB", "x", "1", "1 thing"}, // a matched language's rules
		{"fr", "x", "1", "1 thing"},    // English, with English rules
		{"pt-BR", "x", "0", "0 coisa"}, // CLDR: Portuguese "one" is 0 and 1
		{"pt-BR", "x", "1", "1 coisa"},
		{"pt-BR", "x", "2", "2 coisas"},
		{"pt", "x", "1", "1 coisa"},
		{"es", "x", "0", "0 cosas"},
		{"es", "x", "1", "1 cosa"},
		{"sv", "x", "1", "1 saker"},
		{"ko", "x", "1", "1개"},
		{"ar", "x", "0", "zero"},
		{"ar", "x", "1", "one"},
		{"ar", "x", "2", "two"},
		{"ar", "x", "3", "3 few"},
		{"ar", "x", "10", "10 few"},
		{"ar", "x", "11", "11 many"},
		{"ar", "x", "99", "99 many"},
		{"ar", "x", "100", "100 other"},
		{"ar", "x", "101", "101 other"},
		{"ar", "x", "102", "102 other"},
		{"ar", "x", "103", "103 few"},
		{"ar", "x", "1,003", "1,003 few"},
		{"ar", "x", "12\u00a0345", "12\u00a0345 many"},
		{"ar", "x", "1000000", "1000000 other"},
		{"ar", "y", "2", "2 plain"}, // a missing variant reads the plain sentence
		{"ar", "y", "1", "one"},
		// A count that is not a whole number chooses no variant.
		{"en", "x", "1.5", "1.5 things"},
		{"en", "x", "-1", "-1 things"},
		{"en", "x", "one", "one things"},
		{"en", "x", "", " things"},
		{"en", "x", "1,00", "1,00 things"},
		{"en", "x", "1000,000", "1000,000 things"},
		{"en", "x", ",001", ",001 things"},
		{"en", "x", "1,", "1, things"},
	}
	for _, tt := range tests {
		if got := tr.Message(tt.lang, tt.key, map[string]string{"count": tt.count}); got != tt.want {
			t.Errorf("Message(%q, %q, count=%q) = %q, want %q", tt.lang, tt.key, tt.count, got, tt.want)
		}
	}
	if got := tr.Message("en", "x", nil); got != "{count} things" {
		t.Errorf("no count: %q", got)
	}
	if got := tr.Message("en", "x#one", nil); got != "{count} thing" {
		t.Errorf("a variant by its key: %q", got)
	}
}

func TestParseCount(t *testing.T) {
	good := map[string]int{"0": 0, "7": 7, "1234": 1234, "1,234": 1234, "1.234": 1234, "12 345": 12345,
		"1\u00a0234\u00a0567": 1234567, "007": 7}
	for in, want := range good {
		if n, ok := parseCount(in); !ok || n != want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "+1", "1.5", "1,23", "1234,567", ",123", "123,", "1,,234", "1e3", "٣", "1 2", "99999999999999999999"} {
		if n, ok := parseCount(in); ok {
			t.Errorf("parseCount(%q) = %d, want no count", in, n)
		}
	}
}

// TestPluralMessages reads the catalogs' plural variants the way the hub and
// the API ask for them.
func TestPluralMessages(t *testing.T) {
	tr := newTranslator(t)
	tests := []struct {
		lang, key, count, want string
	}{
		{"en", tenantry.ReasonTemplateInUse, "1", "The template is used by 1 customer and cannot be deleted."},
		{"en", tenantry.ReasonTemplateInUse, "2", "The template is used by 2 customers and cannot be deleted."},
		{"en", "sign_in_slowed", "1", "Too many failed sign-ins. Please wait 1 second and try again."},
		{"en", "auth_rate_limited", "1", "Too many failed authentications from your address. Try again in 1 second."},
		{"en", "more_errors", "1", "1 more problem is not listed; fix these and try again."},
		{"en", "partner_admin_in_template", "1", "This admin is the admin of 1 template. Choose another admin in that template first."},
		{"en", "partner_admin_in_template", "3", "This admin is the admin of 3 templates. Choose another admin in those templates first."},
		{"en", "hub.setup.result.failed", "1", "1 user was not created; it is kept so you can correct it."},
		{"en", "hub.cadmins.list", "1", "1 admin"},
		{"en", "hub.cadmins.list", "5", "5 admins"},
		{"pt-BR", "sign_in_slowed", "1", "Muitas tentativas de acesso sem sucesso. Aguarde 1 segundo e tente novamente."},
		{"pt-BR", "sign_in_slowed", "2", "Muitas tentativas de acesso sem sucesso. Aguarde 2 segundos e tente novamente."},
		{"es", "auth_rate_limited", "1", "Demasiados intentos de autenticación fallidos desde su dirección. Vuelva a intentarlo en 1 segundo."},
		{"sv", "sign_in_slowed", "1", "För många misslyckade inloggningar. Vänta 1 sekund och försök igen."},
		{"sv", "hub.cadmins.list", "1", "1 administratör"},
		{"ko", "sign_in_slowed", "1", "로그인 실패가 너무 많습니다. 1초 기다린 후 다시 시도하세요."},
		{"ar", "sign_in_slowed", "1", "محاولات دخول فاشلة كثيرة. يُرجى الانتظار ثانية واحدة ثم المحاولة مجددًا."},
		{"ar", "sign_in_slowed", "2", "محاولات دخول فاشلة كثيرة. يُرجى الانتظار ثانيتين ثم المحاولة مجددًا."},
		{"ar", "sign_in_slowed", "5", "محاولات دخول فاشلة كثيرة. يُرجى الانتظار 5 ثوانٍ ثم المحاولة مجددًا."},
		{"ar", "sign_in_slowed", "30", "محاولات دخول فاشلة كثيرة. يُرجى الانتظار 30 ثانية ثم المحاولة مجددًا."},
		{"ar", tenantry.ReasonTemplateInUse, "2", "القالب مستخدم لدى عميلين، ولا يمكن حذفه."},
	}
	for _, tt := range tests {
		if got := tr.Message(tt.lang, tt.key, map[string]string{"count": tt.count}); got != tt.want {
			t.Errorf("%s %s count=%s: %q, want %q", tt.lang, tt.key, tt.count, got, tt.want)
		}
	}
	// The messages that count something read right for one in every
	// language that has a singular ("one" form).
	for _, key := range []string{tenantry.ReasonTemplateInUse, "sign_in_slowed", "auth_rate_limited", "more_errors",
		"partner_admin_in_template", "hub.setup.result.failed", "hub.cadmins.list"} {
		for _, lang := range []string{"en", "pt-BR", "es", "sv", "ar"} {
			if _, ok := tr.catalogs[lang][key+"#one"]; !ok && !(lang == "sv" && key == "more_errors") {
				t.Errorf("%s: %s has no variant for one", lang, key)
			}
		}
		if _, ok := tr.catalogs["ar"][key+"#two"]; !ok {
			t.Errorf("ar: %s has no variant for two", key)
		}
	}
}
