package ui_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const samlMetadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.acme.example/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
</md:EntityDescriptor>`

// upload posts a multipart form with one file.
func (b *browser) upload(path string, fields url.Values, fileField, fileName, content string) *page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(fileField, fileName)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.en.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return &page{Status: res.StatusCode, Header: res.Header, Body: string(raw), Location: res.Header.Get("Location")}
}

// option returns the value of the first <option> whose label contains label.
func (p *page) option(t testing.TB, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<option value="([^"]+)"[^>]*>[^<]*` + regexp.QuoteMeta(label)).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no option %q", label)
	}
	return m[1]
}

// createTemplate walks the template wizard with SAML metadata uploaded and
// returns the template's page path.
func (a *admin) createTemplate(t testing.TB, name string) string {
	t.Helper()
	p := a.get("/templates/new").must(t, 303)
	if p.Location != "/templates/wizard/new/offer" {
		t.Fatalf("new template went to %q", p.Location)
	}
	a.get(p.Location).must(t, 200).contains(t, "Offer type")
	a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}}).must(t, 303)
	prim := a.get("/templates/wizard/new/primary").must(t, 200)
	admin := prim.option(t, a.email)
	sub := prim.option(t, "Wholesale")
	a.post("/templates/wizard/new/primary", url.Values{"name": {name}, "country": {"US"}, "admin": {admin}, "subscription": {sub}, "emailLanguage": {"en"}}).must(t, 303)
	a.get("/templates/wizard/new/calling").must(t, 200).contains(t, "not recommended")
	a.post("/templates/wizard/new/calling", url.Values{"pstnVendor": {""}}).must(t, 303)
	a.upload("/templates/wizard/new/auth", url.Values{"authMethod": {"saml"}}, "metadata", "idp.xml", samlMetadata).must(t, 303)
	a.post("/templates/wizard/new/email", url.Values{"brandName": {name + " Cloud"}}).must(t, 303)
	a.get("/templates/wizard/new/summary").must(t, 200).contains(t, "https://idp.acme.example/saml", name+" Cloud")
	p = a.post("/templates/wizard/new/summary", url.Values{}).must(t, 303)
	if !strings.HasPrefix(p.Location, "/templates/") {
		t.Fatalf("submit went to %q", p.Location)
	}
	return p.Location
}

func TestTemplateWizard(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.get("/templates").must(t, 200).contains(t, "No templates yet")
		a.get("/templates/new").must(t, 303)

		// A step cannot be skipped to.
		if p := a.get("/templates/wizard/new/summary").must(t, 303); p.Location != "/templates/wizard/new/offer" {
			t.Fatalf("jumped ahead to %q", p.Location)
		}
		// No offer type: an error next to the field.
		p := a.post("/templates/wizard/new/offer", url.Values{}).must(t, 400)
		if p.fieldError(t, "f-offers") == "" {
			t.Fatalf("no error next to the offer types:\n%s", clip(p.Body))
		}
		a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}, "offer_broadworks": {"on"}}).must(t, 303)
		// A primary-settings error re-renders with the input kept.
		p = a.post("/templates/wizard/new/primary", url.Values{"name": {"Gold"}, "country": {""}, "emailLanguage": {"en"}}).must(t, 400)
		p.contains(t, `value="Gold"`, "error-summary")
		for _, id := range []string{"f-country", "f-admin", "f-subscription"} {
			if p.fieldError(t, id) == "" {
				t.Errorf("no error next to %s", id)
			}
		}
		// A reload keeps what was typed.
		prim := a.get("/templates/wizard/new/primary").must(t, 200).contains(t, `value="Gold"`)
		a.post("/templates/wizard/new/primary", url.Values{"name": {"Gold"}, "country": {"SE"}, "admin": {prim.option(t, "ada@acme.example")},
			"subscription": {prim.option(t, "Wholesale")}, "emailLanguage": {"sv"}}).must(t, 303)
		a.post("/templates/wizard/new/calling", url.Values{"pstnVendor": {"Telia"}}).must(t, 303)
		// Back keeps the values.
		if p := a.post("/templates/wizard/new/auth", url.Values{"nav": {"back"}}).must(t, 303); p.Location != "/templates/wizard/new/calling" {
			t.Fatalf("back went to %q", p.Location)
		}
		a.get("/templates/wizard/new/calling").must(t, 200).contains(t, `value="Telia"`)
		// A file that is not SAML metadata is a field error.
		p = a.upload("/templates/wizard/new/auth", url.Values{"authMethod": {"saml"}}, "metadata", "notes.txt", "hello").must(t, 400)
		if p.fieldError(t, "f-metadata") == "" {
			t.Fatalf("no error next to the metadata file:\n%s", clip(p.Body))
		}
		// SAML without an Entity ID (T3).
		p = a.post("/templates/wizard/new/auth", url.Values{"authMethod": {"saml"}}).must(t, 400)
		if p.fieldError(t, "f-idpEntityId") == "" {
			t.Fatal("no error next to the entity id")
		}
		a.post("/templates/wizard/new/auth", url.Values{"authMethod": {"oidc"}, "idpName": {"Okta"}}).must(t, 303)
		// Both offer types: the Webex-to-Webex toggle is offered (T5).
		a.get("/templates/wizard/new/email").must(t, 200).contains(t, `name="w2w"`)
		a.post("/templates/wizard/new/email", url.Values{"brandName": {"Gold Cloud"}, "w2w": {"on"}}).must(t, 303)
		sum := a.get("/templates/wizard/new/summary").must(t, 200).contains(t, "Gold Cloud", "Okta", "Telia", "/templates/wizard/new/primary?return=summary")
		_ = sum
		// Edit from the summary returns to the summary.
		a.get("/templates/wizard/new/offer?return=summary").must(t, 200).contains(t, `name="return" value="summary"`)
		if p := a.post("/templates/wizard/new/offer", url.Values{"offer_wholesale": {"on"}, "return": {"summary"}}).must(t, 303); p.Location != "/templates/wizard/new/summary" {
			t.Fatalf("edit went to %q", p.Location)
		}
		// With one offer type the toggle is gone, and so is its value.
		a.get("/templates/wizard/new/email").must(t, 200).lacks(t, `name="w2w"`)
		p = a.post("/templates/wizard/new/summary", url.Values{}).must(t, 303)
		tpl := a.get(p.Location).must(t, 200).contains(t, "Gold", "Provisioning ID", "readonly", "Okta")
		if !regexp.MustCompile(`id="provisioning-id" value="[^"]+"`).MatchString(tpl.Body) {
			t.Error("no provisioning id field")
		}
		a.get("/templates").must(t, 200).contains(t, "Gold")

		// A second template of the same name: the error is shown on the primary step.
		path := a.createTemplate(t, "Silver")
		id := strings.TrimPrefix(path, "/templates/")
		a.get("/templates/"+id+"/edit").must(t, 303)
		a.post("/templates/wizard/"+id+"/primary", url.Values{"name": {"gold"}, "country": {"US"}, "admin": {prim.option(t, "ada@acme.example")},
			"subscription": {prim.option(t, "Wholesale")}, "emailLanguage": {"en"}, "return": {"summary"}}).must(t, 303)
		p = a.post("/templates/wizard/"+id+"/summary", url.Values{}).must(t, 409) // a conflict, as the API answers it
		if p.fieldError(t, "f-name") == "" {
			t.Fatalf("name taken not shown next to the name:\n%s", clip(p.Body))
		}
		a.post("/templates/wizard/"+id+"/primary", url.Values{"name": {"Silver 2"}, "country": {"US"}, "admin": {prim.option(t, "ada@acme.example")},
			"subscription": {prim.option(t, "Wholesale")}, "emailLanguage": {"en"}, "return": {"summary"}}).must(t, 303)
		a.post("/templates/wizard/"+id+"/summary", url.Values{}).must(t, 303)
		a.get(path).must(t, 200).contains(t, "Silver 2", "https://idp.acme.example/saml")

		// Delete: an unused template goes.
		a.post(path+"/delete", url.Values{}).must(t, 303)
		a.get(path).must(t, 404)
	})
}
