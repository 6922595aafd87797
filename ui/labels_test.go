package ui_test

import (
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// TestEveryMailKindHasALabel: the outbox viewer names each kind of mail in
// the admin's language; a new kind without its label would show a raw key.
func TestEveryMailKindHasALabel(t *testing.T) {
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range locale.Languages {
		for _, k := range tenantry.MailKinds {
			if !tr.Has(lang, "hub.outbox.kind."+string(k)) {
				t.Errorf("%s: no label for mail kind %s", lang, k)
			}
		}
	}
}
