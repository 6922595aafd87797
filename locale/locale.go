// Package locale translates the domain's error reasons (tenantry.Reason*)
// into the languages the hub speaks, and picks one of them from a browser's
// Accept-Language header.
//
// The catalogs are JSON files under messages/, embedded in the binary and
// parsed once by New: messages/LANG.json holds the domain's reasons, and
// messages/TOPIC/LANG.json the strings of one topic (the hub's pages, the
// link pages, …), so that work on one topic never edits another's file. All
// files of a language are merged into one catalog; a key defined twice is an
// error. Each maps a message id to a sentence whose placeholders, written
// {name}, are filled from the error's Params.
//
// A sentence that counts something ({count}) may have plural variants,
// keyed "ID#FORM" where FORM is one of a language's CLDR plural forms other
// than "other" (zero, one, two, few, many): Message uses the variant of the
// count's form when the catalog has it, and the plain sentence otherwise.
// Variants are optional and per language (Korean needs none, Arabic up to
// five), so English need not have those of another language.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Languages lists the supported language tags. The first is the default and
// the fallback for anything the others do not cover.
var Languages = []string{"en", "pt-BR", "es", "sv", "ko", "ar"}

//go:embed messages
var messages embed.FS

// Translator holds the parsed catalogs and a language matcher. It is safe for
// concurrent use once built.
type Translator struct {
	catalogs map[string]map[string]string // language → reason → message
	tags     map[string]language.Tag      // language → its tag, for plural rules
	matcher  language.Matcher
}

// New parses the embedded catalog of every language in Languages. It fails
// when a catalog is missing or is not a flat JSON object of strings, so that a
// broken translation stops the binary at startup rather than at the first
// error it would have shown.
func New() (*Translator, error) {
	t := &Translator{catalogs: make(map[string]map[string]string, len(Languages)), tags: make(map[string]language.Tag, len(Languages))}
	tags := make([]language.Tag, len(Languages))
	for i, lang := range Languages {
		tag, err := language.Parse(lang)
		if err != nil {
			return nil, fmt.Errorf("locale: language %q: %w", lang, err)
		}
		tags[i] = tag
		t.tags[lang] = tag
		cat, err := loadCatalog(lang)
		if err != nil {
			return nil, err
		}
		t.catalogs[lang] = cat
	}
	t.matcher = language.NewMatcher(tags)
	return t, nil
}

// catalogFiles returns the paths of every catalog file of lang: the reasons
// file first, then one per topic directory, in name order.
func catalogFiles(lang string) ([]string, error) {
	files := []string{"messages/" + lang + ".json"}
	entries, err := fs.ReadDir(messages, "messages")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() {
			files = append(files, path.Join("messages", e.Name(), lang+".json"))
		}
	}
	return files, nil
}

// loadCatalog merges every catalog file of lang. A topic directory that
// lacks the language's file is an error, as is a key defined in two files.
func loadCatalog(lang string) (map[string]string, error) {
	files, err := catalogFiles(lang)
	if err != nil {
		return nil, fmt.Errorf("locale: %w", err)
	}
	merged := make(map[string]string)
	for _, name := range files {
		f, err := messages.Open(name)
		if err != nil {
			return nil, fmt.Errorf("locale: %w", err)
		}
		cat, err := parseCatalog(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		for k, v := range cat {
			if _, dup := merged[k]; dup {
				return nil, fmt.Errorf("locale: %s: key %q is defined in another file too", name, k)
			}
			merged[k] = v
		}
	}
	return merged, nil
}

// Has reports whether the catalog of lang (or of its closest match) has key.
func (t *Translator) Has(lang, key string) bool {
	cat, ok := t.catalogs[lang]
	if !ok {
		cat = t.catalogs[t.Match(lang)]
	}
	_, ok = cat[key]
	return ok
}

// parseCatalog reads a flat JSON object of strings. It walks the tokens
// rather than decoding into a map because a map would silently keep the last
// of two equal keys, hiding a copy-and-paste mistake.
func parseCatalog(r io.Reader) (map[string]string, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object (%v)", err)
	}
	cat := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object, a key is always a string
		var msg string
		if err := dec.Decode(&msg); err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		if _, dup := cat[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		cat[key] = msg
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the object")
	}
	return cat, nil
}

// Match returns the supported language that best fits an HTTP
// Accept-Language header value, or "en" when none fits or the header cannot
// be parsed.
func (t *Translator) Match(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Languages[0]
	}
	_, i, conf := t.matcher.Match(prefs...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}

// Message returns the sentence for reason in lang with its placeholders
// filled from params. A lang that is not one of Languages is matched to the
// closest one ("pt" reads pt-BR, "fr" reads en). A country code in the
// country param is shown as the country's name in lang. When the count
// param is a whole number, the sentence is the plural variant of its form
// in lang ("reason#one"), if the catalog has one. An unknown reason returns the
// reason id itself, so a missing translation shows up but breaks nothing; a
// placeholder without a param stays as written.
func (t *Translator) Message(lang, reason string, params map[string]string) string {
	cat, ok := t.catalogs[lang]
	if !ok {
		lang = t.Match(lang)
		cat = t.catalogs[lang]
	}
	msg, ok := cat[reason]
	if !ok {
		return reason
	}
	if form := t.countForm(lang, params); form != "" {
		if v, ok := cat[reason+pluralSep+form]; ok {
			msg = v
		}
	}
	return fill(msg, localizeParams(lang, params))
}

// countParam is the name of the param that selects a message's plural
// variant, and pluralSep what separates a variant's form from its message
// id in a catalog key.
const (
	countParam = "count"
	pluralSep  = "#"
)

// pluralForms are the names of the CLDR plural forms a variant may have;
// "other" is the plain sentence itself.
var pluralForms = []string{"zero", "one", "two", "few", "many"}

var formNames = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// countForm is the CLDR plural form, in lang, of the count param ("" for
// "other", or when there is no count or it is not a whole number).
func (t *Translator) countForm(lang string, params map[string]string) string {
	c, ok := params[countParam]
	if !ok {
		return ""
	}
	n, ok := parseCount(c)
	if !ok {
		return ""
	}
	return pluralForm(t.tags[lang], n)
}

// pluralForm is the name of n's CLDR plural form in the language of tag:
// one of pluralForms, or "" for "other".
func pluralForm(tag language.Tag, n int) string {
	// The rules look at the last digits only; MatchPlural asks for values
	// that fit in an int to be passed modulo 10,000,000.
	return formNames[plural.Cardinal.MatchPlural(tag, n%10_000_000, 0, 0, 0, 0)]
}

// parseCount reads a count param: a whole number of decimal digits, which
// may be grouped by threes with a comma, a period or a (no-break) space as
// the hub's pages write large numbers ("12,345").
func parseCount(s string) (int, bool) {
	n, digits, group := 0, 0, -1 // group: digits since the last separator, -1 before the first
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if n > 1e15 {
				return 0, false
			}
			n = n*10 + int(c-'0')
			digits++
			if group >= 0 {
				group++
			}
		case c == ',' || c == '.' || c == ' ' || c == '\u00a0':
			if digits == 0 || digits > 3 && group < 0 || group >= 0 && group != 3 {
				return 0, false
			}
			group = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || group >= 0 && group != 3 {
		return 0, false
	}
	return n, true
}

// fill replaces each {name} in msg that has a param. It makes one pass so
// that a param value containing braces is never expanded in turn.
func fill(msg string, params map[string]string) string {
	if len(params) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		end += open
		name := msg[open+1 : end]
		if strings.Contains(name, "{") { // a stray brace: keep it, look again after it
			b.WriteString(msg[:open+1])
			msg = msg[open+1:]
			continue
		}
		b.WriteString(msg[:open])
		if v, ok := params[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(msg[open : end+1])
		}
		msg = msg[end+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// Dir returns the text direction of lang for the dir attribute of <html>:
// "rtl" for Arabic, "ltr" for the rest.
func Dir(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if base, _ := tag.Base(); base.String() == "ar" {
		return "rtl"
	}
	return "ltr"
}
