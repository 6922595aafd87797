package tenantry

import (
	"strings"
	"testing"
)

func TestSAMLEntityID(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"entity", `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"><md:IDPSSODescriptor/></md:EntityDescriptor>`, "https://idp.example.com/saml"},
		{"default namespace", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID=" urn:idp:1 "/>`, "urn:idp:1"},
		{"entities", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature><ds:X/></ds:Signature><md:EntityDescriptor entityID="urn:second"/></md:EntitiesDescriptor>`, "urn:second"},
		{"not xml", `hello`, ""},
		{"other xml", `<html><body>EntityDescriptor</body></html>`, ""},
		{"no entity id", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`, ""},
		{"wrong namespace", `<EntityDescriptor xmlns="urn:other" entityID="x"/>`, ""},
		{"empty", ``, ""},
	} {
		got, err := SAMLEntityID(strings.NewReader(tc.doc), "metadata")
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		if tc.want == "" && (err == nil || err.(*Error).Problems[0].Field != "metadata" || err.(*Error).Reason != ReasonSAMLMetadata) {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}
