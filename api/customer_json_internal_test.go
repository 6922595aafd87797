package api

import (
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// writeCustomerPage writes what writePage (encoding/json) would, for
// customers whose every field is filled, left empty or holds text
// encoding/json escapes: a field added to customerJSON (or a type in it)
// that appendCustomer does not write makes the two differ.
func TestAppendCustomer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		cs := make([]customerJSON, rng.IntN(4))
		for i := range cs {
			fill(rng, reflect.ValueOf(&cs[i]).Elem())
		}
		checkCustomerPage(t, cs)
	}
	checkCustomerPage(t, []customerJSON{{}})
	checkCustomerPage(t, nil)
}

// FuzzAppendString checks appendString against encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range texts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}

var texts = []string{"", "Acme", "Smith & Sons <HQ>", "a\"b\\c", "tab\there\nnewline", "São Paulo", "서울특별시", "الرياض",
	"\u2028\u2029", "bad \xff utf-8", "\x00\x1f\x7f", "emoji 🚀"}

func checkCustomerPage(t *testing.T, cs []customerJSON) {
	t.Helper()
	want := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/v1/wholesale/customers", nil)
	if err := writePage(want, r, tenantry.Page{Max: 100}, len(cs), cs, func(c customerJSON) customerJSON { return c }); err != nil {
		t.Fatal(err)
	}
	got := httptest.NewRecorder()
	if err := writeCustomerPage(got, r, tenantry.Page{Max: 100}, len(cs), cs); err != nil {
		t.Fatal(err)
	}
	if got.Body.String() != want.Body.String() {
		t.Fatalf("writeCustomerPage:\n%s\nencoding/json:\n%s", got.Body, want.Body)
	}
	if !reflect.DeepEqual(got.Header(), want.Header()) || got.Code != want.Code {
		t.Fatalf("headers %v %d, want %v %d", got.Header(), got.Code, want.Header(), want.Code)
	}
}

// fill sets v, recursively, to random values: each string one of texts,
// each slice nil, empty or up to three elements, each number zero or not.
func fill(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(texts[rng.IntN(len(texts))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -7, 4001}[rng.IntN(4)])
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[tenantry.Timestamp]() {
			v.Set(reflect.ValueOf(tenantry.Timestamp(time.UnixMicro(rng.Int64N(4e15)).In(time.FixedZone("x", 3600)))))
			return
		}
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case reflect.Slice:
		switch n := rng.IntN(5); n {
		case 0: // nil
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fill(rng, s.Index(i))
			}
			v.Set(s)
		}
	default:
		panic("fill: add " + v.Kind().String())
	}
}

// TestAppendPublicCustomer: without Tenantry's extensions, appendCustomer
// writes what it writes with them, less exactly the fields the public
// Customer and Package lack.
func TestAppendPublicCustomer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	decode := func(b []byte) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("appendCustomer wrote no JSON object: %v\n%s", err, b)
		}
		return m
	}
	for i := range 300 {
		var c customerJSON
		if i > 0 {
			fill(rng, reflect.ValueOf(&c).Elem())
		}
		want := decode(appendCustomer(nil, &c, true))
		for _, k := range []string{"customerInfo", "dataRegion", "e911Enabled", "created", "updated"} {
			if _, ok := want[k]; !ok {
				t.Fatalf("with extensions, no %s: %v", k, want)
			}
			delete(want, k)
		}
		if pkgs, _ := want["resourceDetails"].(map[string]any)["packages"].([]any); pkgs != nil {
			for _, p := range pkgs {
				delete(p.(map[string]any), "quantity")
			}
		}
		if got := decode(appendCustomer(nil, &c, false)); !reflect.DeepEqual(got, want) {
			t.Fatalf("without extensions:\n%v\nwant\n%v", got, want)
		}
	}
}
