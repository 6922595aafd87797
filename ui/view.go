package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// view is what every page needs: the admin, the language and direction,
// the flash message and the form errors; a page's handler adds only its own
// data (Page).
type view struct {
	s        *Server
	Lang     string
	Dir      string
	Title    string             // a message key
	Nav      string             // the section of the navigation that is current
	Tab      string             // the current tab of a customer's or the settings' pages
	Customer *tenantry.Customer // set on a customer's pages: their tabs link to it
	Admin    *tenantry.PartnerAdmin
	CanWrite bool
	OnBehalf *tenantry.Partner // the sub-partner the admin acts for (onbehalf.go)
	Flash    string
	Path     string // where the language switcher returns to
	// LanguageOptions are the language switcher's options (rows.go).
	LanguageOptions template.HTML
	Errors          *formErrors
	Refresh         int // seconds; a no-JS page that waits for a change reloads itself
	Page            any
}

// selfNames are the names of locale.Languages, each in itself, for the
// language switcher of every page.
var selfNames = func() []string {
	out := make([]string, len(locale.Languages))
	for i, l := range locale.Languages {
		out[i] = display.Self.Name(language.MustParse(l))
	}
	return out
}()

// view builds the common part of a page.
func (s *Server) view(r *http.Request, title string) *view {
	st := state(r)
	v := &view{s: s, Lang: st.lang, Dir: locale.Dir(st.lang), Title: title, Path: r.URL.RequestURI(), Errors: &formErrors{}}
	if r.Method != http.MethodGet {
		v.Path = r.URL.Path
	}
	if st.session != nil {
		v.Admin = st.session.Admin
		v.CanWrite = canWrite(v.Admin)
		v.OnBehalf = st.onBehalf
	}
	v.LanguageOptions = s.languageOptions[st.lang]
	if c, err := r.Cookie(flashCookie); err == nil {
		v.Flash = s.tr.Message(st.lang, c.Value, nil)
		if !s.tr.Has(st.lang, c.Value) {
			v.Flash = ""
		}
	}
	return v
}

// T translates a message key; kv are placeholder names and values.
func (v *view) T(key string, kv ...any) string {
	var params map[string]string
	if len(kv) > 0 {
		params = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			params[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
		}
	}
	return v.s.tr.Message(v.Lang, key, params)
}

// Country is a country's name in the page's language.
func (v *view) Country(code string) string {
	return countryName(v.Lang, code)
}

func countryName(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.MustParse(lang)).Name(r); n != "" {
		return n
	}
	return code
}

// Status is a customer or package status in the page's language.
func (v *view) Status(st any) string {
	return v.s.tr.Message(v.Lang, "hub.status."+text(st), nil)
}

// Notice is an error or a warning a job recorded on a customer or one of
// its packages, in the page's language, as the API reads it
// (tenantry.Notice.Text).
func (v *view) Notice(n tenantry.Notice) string {
	return n.Text(v.message)
}

// message translates a reason with its params into the page's language.
func (v *view) message(reason string, params map[string]string) string {
	return v.s.tr.Message(v.Lang, reason, params)
}

// Package is a package's name in the page's language.
func (v *view) Package(p any) string {
	return v.s.packageName(v.Lang, text(p))
}

// packageName is the name of package p in lang; a value that is no package
// (one typed into a form or a request) is shown as it was given.
func (s *Server) packageName(lang, p string) string {
	key := "hub.package." + p
	if name := s.tr.Message(lang, key, nil); name != key {
		return name
	}
	return p
}

// text is a status's or a package's name; the lists call Status and
// Package for every row, where fmt.Sprint's reflection showed.
func text(v any) string {
	switch v := v.(type) {
	case tenantry.CustomerStatus:
		return string(v)
	case tenantry.PackageStatus:
		return string(v)
	case tenantry.Package:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// Date formats a time for the page's language.
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	s := t.UTC().Format(v.T("hub.format.datetime"))
	if v.Dir == "rtl" {
		// Isolated left to right: in a right-to-left paragraph the date's
		// runs would otherwise be reordered ("UTC 15:04 2026-12-05").
		return "\u2066" + s + "\u2069"
	}
	return s
}

// Number formats an integer with the language's digit grouping
// (hub.format.group names the separator: comma, period or space).
func (v *view) Number(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 4 || n < 0 {
		return s
	}
	var sep string
	switch v.T("hub.format.group") {
	case "comma":
		sep = ","
	case "period":
		sep = "."
	case "space":
		sep = "\u00a0"
	}
	if sep == "" {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// countText is a list's line "from–to of total" (list is the messages'
// prefix), or "of more than" its count's bound when more is set.
func (v *view) countText(list string, from, to, total, more int) string {
	key := list + ".count"
	if more > 0 {
		key, total = list+".count_more", more
	}
	return v.s.tr.Message(v.Lang, key, map[string]string{"from": v.Number(from), "to": v.Number(to), "total": v.Number(total)})
}

// Busy reports whether a customer status is one a job is working on.
func (v *view) Busy(st tenantry.CustomerStatus) bool { return busy(st) }

func busy(st tenantry.CustomerStatus) bool {
	return st == tenantry.StatusProvisioning || st == tenantry.StatusUpdating || st == tenantry.StatusDeleting
}

// Field describes one form control for the "field" template: its label,
// value, and error (with the ids aria-describedby points to).
func (v *view) Field(name, label string, value any, opts ...string) fieldView {
	f := fieldView{ID: "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name), Name: name, Label: v.T(label), Type: "text"}
	if value != nil {
		f.Value = fmt.Sprint(value)
	}
	for _, o := range opts {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = val
		case "required":
			f.Required = true
		case "autocomplete":
			f.Autocomplete = val
		case "hint":
			f.Hint = v.T(val)
		case "max":
			f.MaxLength = val
		case "dir":
			f.Dir = val
		}
	}
	f.Error = v.Errors.byField[name]
	return f
}

type fieldView struct {
	ID, Name, Label, Value, Type, Autocomplete, Hint, Error, MaxLength, Dir string
	Required                                                                bool
	Options                                                                 []option
}

type option struct {
	Value, Label string
	Selected     bool
}

// Select is Field for a choice among options.
func (v *view) Select(name, label string, value string, options []option, opts ...string) fieldView {
	f := v.Field(name, label, value, opts...)
	f.Type = "select"
	for _, o := range options {
		o.Selected = o.Value == value
		f.Options = append(f.Options, o)
	}
	return f
}

// Countries lists every country for a select, by name in the page's
// language.
func (v *view) Countries() []option {
	return countryOptions(v.Lang)
}

func countryOptions(lang string) []option {
	var out []option
	for _, c := range tenantry.Countries() {
		out = append(out, option{Value: c, Label: countryName(lang, c)})
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// formErrors are a form's problems: by field (shown next to it) and in
// order (the summary at the top of the page).
type formErrors struct {
	byField map[string]string
	List    []formError
}

type formError struct {
	ID, Message string // ID is the control's id, "" when no field matches
}

// Any reports whether there are errors.
func (e *formErrors) Any() bool { return e != nil && len(e.List) > 0 }

// add records an error on a form field ("" for the form as a whole).
func (e *formErrors) add(field, msg string) {
	if e.byField == nil {
		e.byField = map[string]string{}
	}
	id := ""
	if field != "" {
		if _, dup := e.byField[field]; dup {
			e.byField[field] += " " + msg
		} else {
			e.byField[field] = msg
		}
		id = "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(field)
	}
	e.List = append(e.List, formError{ID: id, Message: msg})
}

// formProblems turns a domain error into form errors: each problem's field
// path is mapped to a form field (fields maps domain path → form field;
// label keys name the field in the message), the rest go to the summary.
// It returns false when err is not one to show on the form.
func (s *Server) formProblems(v *view, err error, fields map[string]string, labels map[string]string) bool {
	e := tenantry.AsError(err)
	if e.Code != tenantry.EINVALID && e.Code != tenantry.ECONFLICT && e.Code != tenantry.EFORBIDDEN {
		return false
	}
	if len(e.Problems) == 0 {
		v.Errors.add("", s.message(v.Lang, e.Reason, e.Params))
		return true
	}
	for _, p := range e.Problems {
		field := formField(fields, p.Field)
		ok := field != ""
		params := map[string]string{}
		for k, val := range p.Params {
			params[k] = val
		}
		if lk, ok := labels[field]; ok {
			params["field"] = s.message(v.Lang, lk, nil)
		} else if lk, ok := labels[strings.SplitN(field, ".", 2)[0]]; ok {
			params["field"] = s.message(v.Lang, lk, nil) // "limit.webex_calling": a quantity
		} else if p.Field == "onBehalfOfSubPartnerOrgId" { // acting on behalf: onbehalf.go
			params["field"] = s.message(v.Lang, "hub.onbehalf.sub_partner", nil)
		} else {
			params["field"] = p.Field
		}
		if pk, ok := params["package"]; ok {
			params["package"] = s.packageName(v.Lang, pk)
		}
		if req, ok := params["requires"]; ok {
			names := strings.Split(req, ", ")
			for i, n := range names {
				names[i] = s.packageName(v.Lang, n)
			}
			params["requires"] = strings.Join(names, ", ")
		}
		msg := s.message(v.Lang, p.Reason, params)
		if !ok {
			field = ""
		}
		v.Errors.add(field, msg)
	}
	return true
}

// safeURL marks a same-site path as safe for an href.
func safeURL(s string) template.URL { return template.URL(s) }

// LangName is a language's name in that language ("Deutsch", "한국어").
func (v *view) LangName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	return display.Self.Name(t)
}

// pagerView is what the "pager" partial shows: links to the previous and
// next pages ("" when there is none).
type pagerView struct {
	V          *view
	Prev, Next string
}

// Pager builds the pager of a list.
func (v *view) Pager(prev, next string) pagerView { return pagerView{V: v, Prev: prev, Next: next} }
