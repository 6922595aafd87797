package tenantry

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// samlMetadataNS is the namespace of SAML 2.0 metadata documents.
const samlMetadataNS = "urn:oasis:names:tc:SAML:2.0:metadata"

// MaxSAMLMetadata is the largest metadata document read.
const MaxSAMLMetadata = 1 << 20

// SAMLEntityID reads an identity provider's SAML 2.0 metadata document (an
// EntityDescriptor, or an EntitiesDescriptor holding some) and returns the
// entityID of its first entity: the IdP Entity ID rule T3 asks for. A
// document that is not SAML metadata, or has no entityID, is EINVALID
// (ReasonSAMLMetadata) on field.
func SAMLEntityID(r io.Reader, field string) (string, error) {
	bad := FieldError(EINVALID, field, ReasonSAMLMetadata)
	dec := xml.NewDecoder(io.LimitReader(r, MaxSAMLMetadata))
	root := true
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", bad
			}
			return "", bad
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space != samlMetadataNS {
			if root {
				return "", bad
			}
			if err := dec.Skip(); err != nil {
				return "", bad
			}
			continue
		}
		switch se.Name.Local {
		case "EntityDescriptor":
			for _, a := range se.Attr {
				if a.Name.Local == "entityID" && a.Name.Space == "" {
					if id := strings.TrimSpace(a.Value); id != "" && len(id) <= 1024 {
						return id, nil
					}
				}
			}
			return "", bad
		case "EntitiesDescriptor":
			root = false
		default:
			if root {
				return "", bad
			}
			if err := dec.Skip(); err != nil {
				return "", bad
			}
		}
	}
}
