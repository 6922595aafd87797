// Package mail writes and delivers Tenantry's email. Render writes a mail of
// one kind in one of the six languages, as plain text and HTML, from
// templates embedded in the binary; the Sender delivers the outbox over SMTP,
// retrying with backoff, so that mail survives an SMTP server that is down.
package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"

	"golang.org/x/text/language"

	"github.com/tenantry/tenantry"
)

//go:embed templates
var files embed.FS

// set is the parsed templates of one kind in one language.
type set struct {
	text *texttemplate.Template // defines "subject" and "body"
	html *htmltemplate.Template // the layout with this kind's "content"
}

// sets holds every kind in every language, parsed when the package loads: a
// missing or broken template stops the binary at startup, not at the first
// mail.
var sets = mustParse()

func mustParse() map[string]set {
	out := map[string]set{}
	layout := htmltemplate.Must(htmltemplate.ParseFS(files, "templates/layout.html"))
	for _, lang := range tenantry.EmailLanguages {
		for _, kind := range tenantry.MailKinds {
			base := "templates/" + lang + "/" + string(kind)
			txt := texttemplate.Must(texttemplate.ParseFS(files, base+".txt"))
			for _, name := range []string{"subject", "body"} {
				if txt.Lookup(name) == nil {
					panic(fmt.Sprintf("mail: %s.txt does not define %q", base, name))
				}
			}
			h := htmltemplate.Must(htmltemplate.Must(layout.Clone()).ParseFS(files, base+".html"))
			if h.Lookup("content") == nil {
				panic(fmt.Sprintf("mail: %s.html does not define \"content\"", base))
			}
			out[lang+"/"+string(kind)] = set{text: txt, html: h}
		}
	}
	return out
}

// matcher picks the closest of the languages mail is written in.
var matcher = language.NewMatcher(func() []language.Tag {
	tags := make([]language.Tag, len(tenantry.EmailLanguages))
	for i, l := range tenantry.EmailLanguages {
		tags[i] = language.MustParse(l)
	}
	return tags
}())

// Language returns the language a mail is written in: one of
// tenantry.EmailLanguages, the first of tags (in order of preference: the
// customer's language, then the template's email language) that mail is
// written in. It accepts the API's forms ("en_us", "pt_BR") and falls back
// to English when it speaks none of them: a customer whose language it does
// not speak ("de") gets the template's language, not English.
func Language(tags ...string) string {
	for _, tag := range tags {
		t, err := language.Parse(strings.ReplaceAll(tag, "_", "-"))
		if err != nil {
			continue
		}
		if _, i, conf := matcher.Match(t); conf >= language.High {
			return tenantry.EmailLanguages[i]
		}
	}
	return tenantry.EmailLanguages[0]
}

// page is what the HTML layout gets.
type page struct {
	Lang, Dir, Subject string
	Data               tenantry.MailData
}

// Render writes a mail of kind in lang (matched by Language) from d: its
// subject, plain text and HTML. Every mail needs the brand and customer
// names; the consent mail needs the consent link and the address, and an
// invitation that asks for approval needs both links.
func Render(kind tenantry.MailKind, lang string, d tenantry.MailData) (subject, text, html string, err error) {
	lang = Language(lang)
	s, ok := sets[lang+"/"+string(kind)]
	if !ok {
		return "", "", "", fmt.Errorf("mail: unknown kind %q", kind)
	}
	if err := check(kind, d); err != nil {
		return "", "", "", err
	}
	var b bytes.Buffer
	if err := s.text.ExecuteTemplate(&b, "subject", d); err != nil {
		return "", "", "", err
	}
	// A subject is one line whatever the names in it hold.
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := s.text.ExecuteTemplate(&b, "body", d); err != nil {
		return "", "", "", err
	}
	text = tidy(b.String())
	b.Reset()
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	if err := s.html.ExecuteTemplate(&b, "layout", page{Lang: lang, Dir: dir, Subject: subject, Data: d}); err != nil {
		return "", "", "", err
	}
	return subject, text, tidy(b.String()), nil
}

// Check refuses data a kind of mail cannot be written without, and a kind
// there is no mail for: what Render would refuse, without rendering.
func Check(kind tenantry.MailKind, d tenantry.MailData) error {
	if _, ok := sets[tenantry.EmailLanguages[0]+"/"+string(kind)]; !ok {
		return fmt.Errorf("mail: unknown kind %q", kind)
	}
	return check(kind, d)
}

// check refuses data a kind cannot be written without.
func check(kind tenantry.MailKind, d tenantry.MailData) error {
	var missing []string
	need := func(name, v string) {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	need("brand name", d.BrandName)
	if kind != tenantry.MailPartnerAdminInvitation { // concerns the partner, no customer
		need("customer name", d.CustomerName)
	}
	switch {
	case kind == tenantry.MailPartnerAdminInvitation:
		need("sign-in link", d.Link)
		need("recipient email", d.RecipientEmail)
	case kind == tenantry.MailConsent:
		need("consent link", d.Link)
		need("recipient email", d.RecipientEmail)
	case kind == tenantry.MailAdminInvitation && (d.ApproveURL != "" || d.RejectURL != ""):
		need("approve link", d.ApproveURL)
		need("reject link", d.RejectURL)
	}
	if len(missing) > 0 {
		return errors.New("mail: " + string(kind) + " needs " + strings.Join(missing, ", "))
	}
	return nil
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidy lets templates be written for reading: it drops trailing spaces and
// runs of blank lines, and ends the mail with one newline.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
