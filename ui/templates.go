package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"

	"github.com/tenantry/tenantry/locale"
)

//go:embed templates
var templateFS embed.FS

// pageNames lists every page; New fails when one has no template.
var pageNames = []string{
	"error", "signin", "setup", "link",
	"customer_list", "customer_panel", "customer_wizard", "customer_setup",
	"template_list", "template_page", "template_wizard",
	"customer_import", "customer_import_view", "locations", "location_page",
	"settings_subpartners", "settings_subpartners_act", "settings_audit",
	"settings_admins", "settings_tokens", "settings_webhooks", "settings_webhooks_page",
	"assistance", "assistance_list", "assistance_request",
	"settings_partner", "settings_outbox", "settings_outbox_message",
	"users", "user_page", "user_delete", "customer_admins",
}

// pages are the parsed pages, each with the layout and the shared partials.
type pages map[string]*template.Template

// languagePages are the pages of each language, with its constant
// translations folded in (fold.go), each parsed on first use.
type languagePages struct {
	folded map[string]func() (pages, error)
	// plain are the pages as written, which checkFolds renders too.
	plain func() (pages, error)
}

// checkFolds, set by the package's tests, has every page rendered from its
// plain templates as well as from its language's, and a difference
// answered as an error: every page the tests render checks the folding.
var checkFolds bool

func newLanguagePages(a *assets, tr *locale.Translator) languagePages {
	lp := languagePages{folded: map[string]func() (pages, error){}, plain: sync.OnceValues(func() (pages, error) { return parsePages(a) })}
	for _, lang := range locale.Languages {
		lp.folded[lang] = sync.OnceValues(func() (pages, error) {
			ps, err := parsePages(a)
			if err != nil {
				return nil, err
			}
			for name, t := range ps {
				if err := foldTranslations(t, func(key string) string { return tr.Message(lang, key, nil) }); err != nil {
					return nil, fmt.Errorf("ui: page %s: %w", name, err)
				}
			}
			return ps, nil
		})
	}
	return lp
}

// execute renders a page in a language (the default language when lang
// is none) into buf.
func (lp languagePages) execute(buf *bytes.Buffer, lang, name string, data any) error {
	load, ok := lp.folded[lang]
	if !ok {
		load = lp.folded[locale.Languages[0]]
	}
	if err := executePage(buf, load, name, data); err != nil || !checkFolds {
		return err
	}
	var plain bytes.Buffer
	if err := executePage(&plain, lp.plain, name, data); err != nil {
		return err
	}
	if !bytes.Equal(buf.Bytes(), plain.Bytes()) {
		i := 0
		for i < min(buf.Len(), plain.Len()) && buf.Bytes()[i] == plain.Bytes()[i] {
			i++
		}
		return fmt.Errorf("ui: page %s in %s folded differs from plain at byte %d: %q against %q", name, lang,
			i, clipAt(buf.Bytes(), i), clipAt(plain.Bytes(), i))
	}
	return nil
}

func executePage(buf *bytes.Buffer, load func() (pages, error), name string, data any) error {
	ps, err := load()
	if err != nil {
		return err
	}
	t, ok := ps[name]
	if !ok {
		panic("ui: no page " + name) // parsePages checked every page exists
	}
	return t.ExecuteTemplate(buf, "layout", data)
}

func clipAt(b []byte, i int) string { return string(b[max(i-40, 0):min(i+40, len(b))]) }

func parsePages(a *assets) (pages, error) {
	funcs := template.FuncMap{
		"static": a.url,
		"url":    safeURL,
		"join":   strings.Join,
		"add":    func(a, b int) int { return a + b },
		"list":   func(s ...string) []string { return s },
		"zoneOptions": func(zs []string) []option {
			out := make([]option, len(zs))
			for i, z := range zs {
				out[i] = option{Value: z, Label: strings.ReplaceAll(z, "_", " ")}
			}
			return out
		},
	}
	out := pages{}
	for _, name := range pageNames {
		t, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("ui: page %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("ui: page %s defines no content", name)
		}
		out[name] = t
	}
	// Every template file must be a page or shared: a file no page uses is
	// a page someone forgot to list.
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := strings.TrimSuffix(e.Name(), ".html")
		if _, ok := out[n]; !ok && n != "layout" && n != "partials" {
			return nil, fmt.Errorf("ui: template %s is not a listed page", e.Name())
		}
	}
	return out, nil
}
