package ui

// The tables of the two lists that grow to 100,000 rows — the customers,
// and a customer's users — have their rows written here rather than by the
// page's template, and so have their status filters' options and every
// page's language switcher. html/template runs each action through reflection, about
// a microsecond apiece; a row has a dozen actions with their escapers, so
// 25 rows took as long as all the database's work for the page. Every value
// written is escaped with html.EscapeString, which is right both in text
// and in a double-quoted attribute value (it escapes <, >, &, ' and "); the
// only other text is this file's constant markup. TestListRowsEscape checks
// it with hostile values.

import (
	"html"
	"html/template"
	"strings"

	"github.com/tenantry/tenantry/locale"
)

// rowWriter builds rows of a table.
type rowWriter struct{ b strings.Builder }

// markup writes constant markup: never anything that came from a value.
func (w *rowWriter) markup(s string) { w.b.WriteString(s) }

// text writes a value, escaped for text or a double-quoted attribute.
func (w *rowWriter) text(s string) { w.b.WriteString(html.EscapeString(s)) }

// html returns what was written, for the template to insert as it is.
func (w *rowWriter) html() template.HTML { return template.HTML(w.b.String()) }

// customerRowsHTML writes the customer list's table rows.
func customerRowsHTML(rows []customerRow) template.HTML {
	var w rowWriter
	w.b.Grow(len(rows) * 400)
	for _, r := range rows {
		if r.Selected {
			w.markup(`<tr class="selected">`)
		} else {
			w.markup(`<tr>`)
		}
		w.markup(`<td><a href="`)
		w.text(string(r.URL))
		w.markup(`"`)
		if r.Selected {
			w.markup(` aria-current="true"`)
		}
		w.markup(` dir="auto">`)
		w.text(r.Name)
		w.markup(`</a></td><td><span class="status status-`)
		w.text(r.Status)
		w.markup(`" data-customer="`)
		w.text(r.ID)
		w.markup(`"`)
		if r.Busy {
			w.markup(` data-busy`)
		}
		w.markup(`>`)
		w.text(r.StatusLabel)
		w.markup(`</span></td><td class="wide" dir="auto">`)
		w.text(r.ExternalID)
		w.markup(`</td><td class="wide" dir="ltr">`)
		w.text(r.Email)
		w.markup("</td></tr>\n")
	}
	return w.html()
}

// optionsHTML writes a select's options.
func optionsHTML(opts []option) template.HTML {
	var w rowWriter
	for _, o := range opts {
		w.markup(`<option value="`)
		w.text(o.Value)
		w.markup(`"`)
		if o.Selected {
			w.markup(` selected`)
		}
		w.markup(`>`)
		w.text(o.Label)
		w.markup(`</option>`)
	}
	return w.html()
}

// languageOptionsHTML writes the language switcher's options on a page in
// lang: every language, named in itself and marked with its tag.
func languageOptionsHTML(lang string) template.HTML {
	var w rowWriter
	for i, l := range locale.Languages {
		w.markup(`<option value="`)
		w.text(l)
		w.markup(`" lang="`)
		w.text(l)
		w.markup(`"`)
		if l == lang {
			w.markup(` selected`)
		}
		w.markup(`>`)
		w.text(selfNames[i])
		w.markup(`</option>`)
	}
	return w.html()
}

// userRowsHTML writes the user list's table rows.
func userRowsHTML(rows []userRow) template.HTML {
	var w rowWriter
	w.b.Grow(len(rows) * 600)
	for _, r := range rows {
		w.markup(`<tr><td><a href="`)
		w.text(string(r.URL))
		w.markup(`" dir="auto">`)
		w.text(r.Name)
		w.markup(`</a><br class="narrow-only"><span class="narrow-only email" dir="ltr">`)
		w.text(r.Email)
		w.markup(`</span></td><td dir="ltr" class="email wide">`)
		w.text(r.Email)
		w.markup(`</td><td class="wide">`)
		w.text(r.PackageName)
		for _, a := range r.AddOnNames {
			w.markup(`<br><small>`)
			w.text(a)
			w.markup(`</small>`)
		}
		w.markup(`</td><td><span class="status status-`)
		w.text(r.Status)
		w.markup(`">`)
		w.text(r.StatusName)
		w.markup(`</span></td><td class="wide"><span dir="ltr">`)
		w.text(r.PrimaryPhoneNumber)
		w.markup(`</span>`)
		if r.PrimaryPhoneNumber != "" && r.ExtText != "" {
			w.markup(` · `)
		}
		if r.ExtText != "" {
			w.markup(`<span dir="ltr">`)
			w.text(r.ExtText)
			w.markup(`</span>`)
		}
		w.markup("</td></tr>\n")
	}
	return w.html()
}
