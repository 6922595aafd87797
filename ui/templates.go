package ui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
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
