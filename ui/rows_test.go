package ui

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"strings"
	"testing"
)

// The rows as the page's template wrote them before rows.go: for values
// without characters to escape, rows.go must write the same markup.
const (
	customerRowTemplate = `{{range .}}<tr{{if .Selected}} class="selected"{{end}}><td><a href="{{.URL}}"{{if .Selected}} aria-current="true"{{end}} dir="auto">{{.Name}}</a></td><td><span class="status status-{{.Status}}" data-customer="{{.ID}}"{{if .Busy}} data-busy{{end}}>{{.StatusLabel}}</span></td><td class="wide" dir="auto">{{.ExternalID}}</td><td class="wide" dir="ltr">{{.Email}}</td></tr>
{{end}}`
	userRowTemplate = `{{range .}}<tr><td><a href="{{.URL}}" dir="auto">{{.Name}}</a><br class="narrow-only"><span class="narrow-only email" dir="ltr">{{.Email}}</span></td><td dir="ltr" class="email wide">{{.Email}}</td><td class="wide">{{.PackageName}}{{range .AddOnNames}}<br><small>{{.}}</small>{{end}}</td><td><span class="status status-{{.Status}}">{{.StatusName}}</span></td><td class="wide"><span dir="ltr">{{.PrimaryPhoneNumber}}</span>{{if and .PrimaryPhoneNumber .ExtText}} · {{end}}{{with .ExtText}}<span dir="ltr">{{.}}</span>{{end}}</td></tr>
{{end}}`
)

func execute(t *testing.T, text string, data any) string {
	t.Helper()
	var b bytes.Buffer
	if err := template.Must(template.New("").Parse(text)).Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestListRowsMatchTemplate: plain values give the markup the template gave.
func TestListRowsMatchTemplate(t *testing.T) {
	cs := []customerRow{
		{ID: "c1", Name: "Blue River Telecom", ExternalID: "EXT-1", Email: "ada@example.com", Status: "provisioned", StatusLabel: "Provisioned", URL: "/customers?selected=c1"},
		{ID: "c2", Name: "서울 통신", ExternalID: "EXT-2", Email: "bo@example.com", Status: "provisioning", StatusLabel: "Provisioning", Busy: true, Selected: true, URL: "/customers?q=x&selected=c2"},
	}
	if got, want := string(customerRowsHTML(cs)), execute(t, customerRowTemplate, cs); got != want {
		t.Errorf("customer rows:\n got %s\nwant %s", got, want)
	}
	us := []userRow{
		{URL: "/customers/c1/users/u1", Name: "Ada Lovelace", Email: "ada@example.com", Status: "provisioned", StatusName: "Provisioned", PackageName: "Webex Calling", PrimaryPhoneNumber: "14155550100", ExtText: "ext. 12", AddOnNames: []string{"CX Essentials"}},
		{URL: "/customers/c1/users/u2", Name: "شركة", Email: "b@example.com", Status: "pending_user_migration", StatusName: "Pending", PackageName: "Webex Meetings"},
		{URL: "/customers/c1/users/u3", Name: "Bo", Email: "bo@example.com", Status: "provisioned", StatusName: "Provisioned", PackageName: "Webex Calling", ExtText: "ext. 7"},
	}
	if got, want := string(userRowsHTML(us)), execute(t, userRowTemplate, us); got != want {
		t.Errorf("user rows:\n got %s\nwant %s", got, want)
	}
}

// TestListRowsEscape: hostile values come out as text, in text and in
// attributes alike.
func TestListRowsEscape(t *testing.T) {
	hostile := []string{`<script>alert(1)</script>`, `x" onmouseover="alert(1)`, `a'b&c`, `</td></tr><tr><td>`}
	for _, h := range hostile {
		cs := []customerRow{{ID: h, Name: h, ExternalID: h, Email: h, Status: h, StatusLabel: h, URL: template.URL(h)}}
		us := []userRow{{URL: template.URL(h), Name: h, Email: h, Status: h, StatusName: h, PackageName: h, PrimaryPhoneNumber: h, ExtText: h, AddOnNames: []string{h}}}
		for name, out := range map[string]string{"customer": string(customerRowsHTML(cs)), "user": string(userRowsHTML(us))} {
			for _, bad := range []string{"<script", `" onmouseover`, "a'b", "&c", "</td></tr><tr>"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s row with %q has %q unescaped:\n%s", name, h, bad, out)
				}
			}
			if n := strings.Count(out, html.EscapeString(h)); n < 5 {
				t.Errorf("%s row with %q shows it escaped %d times:\n%s", name, h, n, out)
			}
			if strings.Count(out, "<tr") != 1 || strings.Count(out, "</tr>") != 1 {
				t.Errorf("%s row with %q is not one row:\n%s", name, h, out)
			}
		}
	}
}

// TestSelectURLParts: a row's link is the list's URL as url.Values writes
// it, with the search, the status and the customer.
func TestSelectURLParts(t *testing.T) {
	for _, p := range []customerListPage{{}, {Query: "blue river & co"}, {Status: "provisioning"}, {Query: "통신/?#", Status: "error"}} {
		for _, id := range []string{"c-1", "a b&c=d"} {
			v := url.Values{"selected": {id}}
			if p.Query != "" {
				v.Set("q", p.Query)
			}
			if p.Status != "" {
				v.Set("status", p.Status)
			}
			pre, post := p.selectURLParts()
			if got, want := pre+url.QueryEscape(id)+post, "/customers?"+v.Encode(); got != want {
				t.Errorf("%+v %q: got %s, want %s", p, id, got, want)
			}
		}
	}
}
