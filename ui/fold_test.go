package ui

import (
	"bytes"
	"flag"
	"html/template"
	"os"
	"strings"
	"testing"
)

// Every page any test of this package renders is rendered from its plain
// templates too, and a difference is a 500 (templates.go); not when
// benchmarks run, which time the pages as they are served.
func TestMain(m *testing.M) {
	flag.Parse()
	checkFolds = flag.Lookup("test.bench").Value.String() == ""
	os.Exit(m.Run())
}

// TestFoldTranslations: in every language every constant translation is
// folded, and a page reads the same folded or not.
func TestFoldTranslations(t *testing.T) {
	s := renderServer(t)
	for lang, load := range s.pages.folded {
		folded, err := load()
		if err != nil {
			t.Fatal(lang, err)
		}
		for name, ft := range folded {
			for _, tt := range ft.Templates() {
				// A template no page's layout reaches is never escaped,
				// nor run, and left as written.
				if tree := tt.Tree.Root.String(); strings.Contains(tree, "_html_template_") {
					for _, left := range constantTs(tree) {
						t.Errorf("%s %s %s: %s is not folded", lang, name, tt.Name(), left)
					}
				}
			}
		}
	}
	// The customer list in Arabic reads the same either way, with its
	// translations in place.
	var fbuf, pbuf bytes.Buffer
	v := &view{s: s, Lang: "ar", Dir: "rtl", Title: "hub.customers.title", Nav: "customers", Errors: &formErrors{}, LanguageOptions: s.languageOptions["ar"],
		Page: customerListPage{Total: 3, From: 1, To: 3}}
	if err := executePage(&fbuf, s.pages.folded["ar"], "customer_list", v); err != nil {
		t.Fatal(err)
	}
	if err := executePage(&pbuf, s.pages.plain, "customer_list", v); err != nil {
		t.Fatal(err)
	}
	if fbuf.String() != pbuf.String() {
		t.Errorf("folded and plain differ:\n%s\n%s", fbuf.String(), pbuf.String())
	}
	if want := foldEscape(s.tr.Message("ar", "hub.customers.search", nil)); !strings.Contains(fbuf.String(), want) {
		t.Errorf("the Arabic page lacks %q", want)
	}
}

// constantTs are the actions of a tree's text that translate a constant
// key and escape it: what folding should have replaced.
func constantTs(tree string) []string {
	var out []string
	for _, a := range strings.Split(tree, "{{")[1:] {
		a, _, _ = strings.Cut(a, "}}")
		f := strings.Fields(a)
		if len(f) == 4 && strings.HasSuffix(f[0], ".T") && strings.HasPrefix(f[1], `"`) && f[2] == "|" && foldedEscapers[f[3]] {
			out = append(out, "{{"+a+"}}")
		}
	}
	return out
}

// FuzzFoldEscape: foldEscape writes what html/template writes for a
// string in text, in a quoted attribute and in <title>.
func FuzzFoldEscape(f *testing.F) {
	for _, s := range []string{"", "Clientes", `<b>"x" & 'y'</b>`, "a+b", "\x00", "عملاء", "고객 ✓", "\xff\xfe", "&amp;"} {
		f.Add(s)
	}
	page := template.Must(template.New("").Parse(`{{.}}|<a title="{{.}}">|<title>{{.}}</title>`))
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		if err := page.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		e := foldEscape(s)
		if want := e + `|<a title="` + e + `">|<title>` + e + `</title>`; b.String() != want {
			t.Errorf("%q:\n got %s\nwant %s", s, want, b.String())
		}
	})
}
