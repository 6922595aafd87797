package sqldb

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tenantry/tenantry"
)

// The fast paths decode what encoding/json writes, and defer to it for
// anything else: each case's result must be encoding/json's, and the
// documents mustJSON writes must take the fast path.
func TestStoredJSON(t *testing.T) {
	addr := tenantry.Address{Line1: "771 Alder Drive", City: "Milpitas", State: "CA", PostalCode: "95035", Country: "US"}
	pkgs := []storedPackage{
		{Name: "webex_calling", Status: "provisioned", Quantity: 25, LicenseIDs: []string{"L-1", "L-2"}},
		{Name: "webex_meetings", Status: "provisioning"},
	}
	fast := []string{
		mustJSON(addr),
		mustJSON(tenantry.Address{Line1: "Rua Augusta, 1500", Line2: "Conjunto 42", City: "São Paulo", State: "SP", PostalCode: "01304-001", Country: "BR"}),
		mustJSON(tenantry.Address{Line1: "서울특별시 중구 세종대로 110", City: "서울", Country: "KR"}),
		mustJSON(pkgs), `[]`, `{}`,
		`{ "city" : "Milpitas", "country": "US" }`, // PostgreSQL's jsonb spacing
		`[{"name":"webex_calling","status":"provisioned","licenseIds":[]}]`,
		`[{"name":"a","quantity":-0}]`,
	}
	for _, doc := range fast {
		if _, ok := fastPackages(doc); !ok {
			var f flatObject
			if !f.parse(doc) {
				t.Errorf("%s: not read by the fast path", doc)
			}
		}
		checkStoredJSON(t, doc)
	}
	slow := []string{
		mustJSON(tenantry.Address{Line1: "Smith & Sons <HQ>", City: "Oslo", Country: "NO"}), // escaped by encoding/json
		mustJSON([]storedPackage{{Name: "webex_calling", Status: "error", Errors: []tenantry.Notice{{Code: 1, Description: "x"}}}}),
		`{"City":"Milpitas"}`, `{"city":null}`, `{"city":5}`, `{"city":"a\u00e9"}`, `{"city":"a"}x`,
		`[{"quantity":1.5}]`, `[{"quantity":1e2}]`, `[{"quantity":05}]`, `[{"quantity":99999999999999999999}]`,
		`[{"name":"a"},]`, `[{"name":"a"}`, `{"city":"` + "\xff" + `"}`, `{"city":"a` + "\n" + `"}`,
		`[{"licenseIds":["a",1]}]`, `[{"licenseIds":"a"}]`, `[{"name":"a","name":"b"}]`,
		`{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9"}`,
		``, `null`, `[`, `{`, `"x"`,
	}
	for _, doc := range slow {
		checkStoredJSON(t, doc)
	}
}

// FuzzStoredJSON checks that decodeAddress and decodePackages give what
// encoding/json gives, whatever the document.
func FuzzStoredJSON(f *testing.F) {
	f.Add(`{"addressLine1":"771 Alder Drive","city":"Milpitas","stateOrProvince":"CA","zipOrPostalCode":"95035","country":"US"}`)
	f.Add(`[{"name":"webex_calling","status":"provisioned","quantity":3,"licenseIds":["L-1"]}]`)
	f.Add(`[{"name":"webex_calling","status":"error","errors":[{"errorCode":1,"description":"x"}]}]`)
	f.Add(`{ "city" : "a\"b" , "country":"SE"}`)
	f.Fuzz(checkStoredJSON)
}

func checkStoredJSON(t *testing.T, doc string) {
	t.Helper()
	var want, got tenantry.Address
	wantErr := json.Unmarshal([]byte(doc), &want)
	gotErr := decodeAddress(doc, &got)
	if (wantErr == nil) != (gotErr == nil) || !reflect.DeepEqual(want, got) {
		t.Errorf("address %q: got %+v, %v; encoding/json %+v, %v", doc, got, gotErr, want, wantErr)
	}
	var wantP, gotP []storedPackage
	wantErr = json.Unmarshal([]byte(doc), &wantP)
	gotErr = decodePackages(doc, &gotP)
	if (wantErr == nil) != (gotErr == nil) || !reflect.DeepEqual(wantP, gotP) {
		t.Errorf("packages %q: got %+v, %v; encoding/json %+v, %v", doc, gotP, gotErr, wantP, wantErr)
	}
}
