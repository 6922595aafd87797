package mail_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenData is what every golden mail is written from: every field set, so
// that the golden files show every sentence a kind can have.
func goldenData(kind tenantry.MailKind) tenantry.MailData {
	d := tenantry.MailData{
		BrandName: "Northwind Voice", RecipientName: "Ana Souza", RecipientEmail: "ana.souza@contoso.example",
		CustomerName: "Contoso Ltd", Link: "https://hub.northwind.example/start?c=8f2e",
	}
	if kind == tenantry.MailConsent {
		d.Link = "https://hub.northwind.example/consent/3c9d?lang=x&y=1"
	}
	if kind == tenantry.MailPartnerAdminInvitation {
		d.CustomerName = "" // it concerns the partner (the brand), no customer
	}
	if kind == tenantry.MailAssistance {
		d.Link = "https://hub.northwind.example/assistance/a1"
		d.Assistance = &tenantry.AssistanceMail{ContactName: "Bo Berg", ContactEmail: "bo@contoso.example", ContactPhone: "+1 512 555 0100",
			Topics: []string{"numbers", "sso"}, Details: "Port 40 numbers.\nTwo sites <first>.", PreferredDate: "2026-03-10", PreferredWindow: "morning",
			RequestedBy: "Ada Admin"}
	}
	return d
}

// TestGolden renders every kind in every language, as text and HTML, and
// compares each with its golden file; `go test ./mail -update` rewrites them.
func TestGolden(t *testing.T) {
	for _, lang := range tenantry.EmailLanguages {
		for _, kind := range tenantry.MailKinds {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				subject, text, html, err := mail.Render(kind, lang, goldenData(kind))
				if err != nil {
					t.Fatal(err)
				}
				base := filepath.Join("testdata", string(kind)+"."+lang)
				golden(t, base+".txt", "Subject: "+subject+"\n\n"+text)
				golden(t, base+".html", html)
			})
		}
	}
}

// TestGoldenApproval covers the invitation that asks a customer admin to
// approve attaching an existing organization (rule C7), and mails without
// the optional link, in English and Arabic.
func TestGoldenVariants(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		approval := goldenData(tenantry.MailAdminInvitation)
		approval.ApproveURL, approval.RejectURL = "https://hub.northwind.example/approve/77", "https://hub.northwind.example/reject/77"
		noLink := goldenData(tenantry.MailAdminInvitation)
		noLink.Link, noLink.RecipientName = "", ""
		for _, v := range []struct {
			name string
			kind tenantry.MailKind
			data tenantry.MailData
		}{
			{"approval", tenantry.MailAdminInvitation, approval},
			{"nolink", tenantry.MailAdminInvitation, noLink},
			{"nolink", tenantry.MailWelcome, noLink},
			{"nolink", tenantry.MailE911Confirmation, noLink},
		} {
			t.Run(lang+"/"+string(v.kind)+"/"+v.name, func(t *testing.T) {
				subject, text, html, err := mail.Render(v.kind, lang, v.data)
				if err != nil {
					t.Fatal(err)
				}
				base := filepath.Join("testdata", string(v.kind)+"."+v.name+"."+lang)
				golden(t, base+".txt", "Subject: "+subject+"\n\n"+text)
				golden(t, base+".html", html)
			})
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./mail -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-golden +rendered; run go test ./mail -update if intended):\n%s", path, diff)
	}
}

// TestRenderFacts checks what must hold in every mail, whatever its words:
// the brand and customer names are in it, the HTML page declares its
// language and direction, and the link is there.
func TestRenderFacts(t *testing.T) {
	for _, lang := range tenantry.EmailLanguages {
		for _, kind := range tenantry.MailKinds {
			d := goldenData(kind)
			subject, text, html, err := mail.Render(kind, lang, d)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			dir := "ltr"
			if lang == "ar" {
				dir = "rtl"
			}
			checks := []struct {
				what string
				ok   bool
			}{
				{"subject names the brand or the customer", strings.Contains(subject, d.BrandName) || strings.Contains(subject, d.CustomerName)},
				{"text has the brand name", strings.Contains(text, d.BrandName)},
				{"text has the customer name", strings.Contains(text, d.CustomerName)},
				{"text has the link", strings.Contains(text, d.Link)},
				{"html has the brand name", strings.Contains(html, d.BrandName)},
				{"html has the customer name", strings.Contains(html, d.CustomerName)},
				{"html has the link, escaped", strings.Contains(html, `href="`+strings.ReplaceAll(d.Link, "&", "&amp;")+`"`)},
				{"html declares language and direction", strings.Contains(html, `<html lang="`+lang+`" dir="`+dir+`">`)},
				{"html greets by name", strings.Contains(html, d.RecipientName)},
				{"subject is one line", !strings.ContainsAny(subject, "\r\n")},
			}
			for _, c := range checks {
				if !c.ok {
					t.Errorf("%s %s: %s\nsubject: %s\ntext:\n%s\nhtml:\n%s", lang, kind, c.what, subject, text, html)
				}
			}
		}
	}
}

// TestRenderLanguages: mail is written in the closest of the six languages,
// and in English when none is close.
func TestRenderLanguages(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"en", "en"}, {"en_us", "en"}, {"en-GB", "en"},
		{"pt-BR", "pt-BR"}, {"pt_BR", "pt-BR"}, {"pt", "pt-BR"},
		{"es", "es"}, {"es_MX", "es"}, {"es-419", "es"},
		{"sv", "sv"}, {"sv_SE", "sv"},
		{"ko", "ko"}, {"ko_KR", "ko"},
		{"ar", "ar"}, {"ar-SA", "ar"},
		{"fr", "en"}, {"de_DE", "en"}, {"zh", "en"}, {"", "en"}, {"not a tag", "en"},
	}
	for _, tt := range tests {
		if got := mail.Language(tt.tag); got != tt.want {
			t.Errorf("Language(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
	d := goldenData(tenantry.MailWelcome)
	for _, tt := range tests {
		subject, _, _, err := mail.Render(tenantry.MailWelcome, tt.tag, d)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _, _ := mail.Render(tenantry.MailWelcome, tt.want, d)
		if subject != want {
			t.Errorf("welcome in %q: subject %q, want the %s one %q", tt.tag, subject, tt.want, want)
		}
	}
}

// TestRenderEscapes: names go into the HTML as text, links only when they are
// safe, and a name cannot add a line to the subject.
func TestRenderEscapes(t *testing.T) {
	d := tenantry.MailData{
		BrandName: "Brand <b>", RecipientName: `<script>alert("x")</script>`, RecipientEmail: "a@b.example",
		CustomerName: "Evil\r\nBcc: victim@example.com", Link: "javascript:alert(1)",
	}
	subject, text, html, err := mail.Render(tenantry.MailWelcome, "en", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>") {
		t.Errorf("html holds unescaped names:\n%s", html)
	}
	if strings.Contains(html, "javascript:") {
		t.Errorf("html links to javascript:\n%s", html)
	}
	if strings.ContainsAny(subject, "\r\n") {
		t.Errorf("subject %q spans lines", subject)
	}
	if !strings.Contains(text, `<script>alert("x")</script>`) {
		t.Errorf("text mail changed the name:\n%s", text)
	}
}

// TestRenderRefuses: a mail that would be incomplete is an error.
func TestRenderRefuses(t *testing.T) {
	full := goldenData(tenantry.MailConsent)
	tests := []struct {
		name string
		kind tenantry.MailKind
		edit func(*tenantry.MailData)
	}{
		{"unknown kind", "newsletter", func(*tenantry.MailData) {}},
		{"no brand", tenantry.MailWelcome, func(d *tenantry.MailData) { d.BrandName = " " }},
		{"no customer", tenantry.MailE911Confirmation, func(d *tenantry.MailData) { d.CustomerName = "" }},
		{"consent without link", tenantry.MailConsent, func(d *tenantry.MailData) { d.Link = "" }},
		{"consent without address", tenantry.MailConsent, func(d *tenantry.MailData) { d.RecipientEmail = "" }},
		{"approval without reject link", tenantry.MailAdminInvitation, func(d *tenantry.MailData) { d.ApproveURL = "https://x.example/a" }},
	}
	for _, tt := range tests {
		d := full
		tt.edit(&d)
		if _, _, _, err := mail.Render(tt.kind, "en", d); err == nil {
			t.Errorf("%s: rendered, want an error", tt.name)
		}
	}
}

// TestLanguageFallback: the first language mail is written in wins; a
// customer language Tenantry does not write falls back to the next (the
// template's), then English.
func TestLanguageFallback(t *testing.T) {
	for _, tt := range []struct {
		tags []string
		want string
	}{
		{[]string{"de", "sv"}, "sv"},
		{[]string{"ja", "pt_BR"}, "pt-BR"},
		{[]string{"ko", "sv"}, "ko"},
		{[]string{"es-MX", "sv"}, "es"},
		{[]string{"de", "ja"}, "en"},
		{[]string{"", "ar"}, "ar"},
		{nil, "en"},
	} {
		if got := mail.Language(tt.tags...); got != tt.want {
			t.Errorf("Language(%q) = %s, want %s", tt.tags, got, tt.want)
		}
	}
}
