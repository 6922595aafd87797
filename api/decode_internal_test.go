package api

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// decodeTargets are request types of the API, each with whether it is
// read closed (unknown fields refused), as its handler reads it.
var decodeTargets = []struct {
	name   string
	new    func() any
	closed bool
}{
	{"customer", func() any { return new(customerRequest) }, false},
	{"subscriber", func() any { return new(subscriberRequest) }, false},
	{"template", func() any { return new(templateInput) }, true},
	{"location", func() any { return new(locationRequest) }, true},
	{"admin", func() any { return new(adminRequest) }, true},
	{"webhook", func() any { return new(webhookRequest) }, true},
}

// checkQuickDecode fails when decodeQuick accepts a body that the walk
// refuses, or reads it into a different value.
func checkQuickDecode(t *testing.T, body []byte) {
	t.Helper()
	for _, target := range decodeTargets {
		quick, walked := target.new(), target.new()
		if !decodeQuick(body, quick, target.closed) {
			continue
		}
		if err := decodeWalked(body, walked, target.closed); err != nil {
			t.Fatalf("%s: the quick decode took %q, which the walk refuses: %v", target.name, body, err)
		}
		if !reflect.DeepEqual(quick, walked) {
			t.Fatalf("%s: %q decodes to\n%#v quickly and to\n%#v walked", target.name, body, quick, walked)
		}
	}
}

func TestDecodeQuickAgreesWithWalk(t *testing.T) {
	for i, body := range []string{
		`{"provisioningId":"p","packages":["webex_calling"],"externalId":"e","address":{"addressLine1":"a","city":"c","country":"US"},"customerInfo":{"name":"n","primaryEmail":"a@b.co"}}`,
		`{"name":"Standard","country":"US"}`,
		`{"packages":"webex_calling"}`,
		`{"unknownField":1}`,
		`{"name":1}`,
		`{} {}`,
		`null`,
		`[]`,
		`{"onBehalfOfSubPartnerOrgId":"x"}`,
		`{"ONBEHALFOFSUBPARTNERORGID":"x"}`,
		"{\"onBehalfOf\u017fubPartnerOrgId\":\"x\"}",
		`{"on\u0042ehalfOfSubPartnerOrgId":"x"}`,
		`{"NAME":"x","Country":"US"}`,
		`{"provisioningParameters":{"packages":{"limits":{"webex_calling":1e99}}}}`,
	} {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkQuickDecode(t, []byte(body)) })
	}
}

// The quick decode must refuse every body that names a query-only
// parameter in any case or spelling, so that the walk reports it.
func TestDecodeQuickLeavesQueryOnlyToWalk(t *testing.T) {
	for _, body := range []string{
		`{"onBehalfOfSubPartnerOrgId":"x"}`,
		`{"onbehalfofsubpartnerorgid":"x"}`,
		`{"ONBEHALFOFSUBPARTNERORGID":"x"}`,
		"{\"onBehalfOf\u017fubPartnerOrgId\":\"x\"}", // ſ folds to s
		`{"onBehalfOf\u0053ubPartnerOrgId":"x"}`,
	} {
		var q customerRequest
		if decodeQuick([]byte(body), &q, false) {
			t.Errorf("quick decode took %s", body)
		}
		err := decodeBytes([]byte(body), &q, false)
		if err == nil || !strings.Contains(err.Error(), "onBehalfOfSubPartnerOrgId") {
			t.Errorf("%s: got %v, want the query-only parameter refused", body, err)
		}
	}
}

// FuzzDecodeQuick checks the quick decode against the walk on any body;
// its seeds include the corpus of FuzzCustomerRequest.
//
//	go test ./api -run=^$ -fuzz=FuzzDecodeQuick -fuzztime=30s
func FuzzDecodeQuick(f *testing.F) {
	f.Add([]byte(`{"provisioningId":"p","packages":["webex_calling"]}`))
	f.Add([]byte(`{"name":"Standard","country":"US","unknown":true}`))
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzCustomerRequest/*")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// The corpus files hold one []byte("...") value on their second line.
		lines := strings.SplitN(string(b), "\n", 3)
		if len(lines) < 2 {
			continue
		}
		v := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
		if s, err := strconv.Unquote(v); err == nil {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkQuickDecode(t, body) })
}
