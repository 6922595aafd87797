package api

import (
	"net/http"
	"testing"
)

// TestPrefers reads Prefer headers as RFC 7240 writes them: several
// preferences in one header or several headers, any case, with values and
// parameters.
func TestPrefers(t *testing.T) {
	for _, tt := range []struct {
		headers []string
		want    bool
	}{
		{nil, false},
		{[]string{"tenantry-extensions"}, true},
		{[]string{"Tenantry-Extensions"}, true},
		{[]string{"return=minimal, tenantry-extensions"}, true},
		{[]string{"respond-async", "tenantry-extensions; x=1"}, true},
		{[]string{" tenantry-extensions =true "}, true},
		{[]string{"return=minimal"}, false},
		{[]string{"tenantry-extensions-v2"}, false},
		{[]string{"x=tenantry-extensions"}, false},
		{[]string{""}, false},
	} {
		h := http.Header{}
		for _, v := range tt.headers {
			h.Add("Prefer", v)
		}
		if got := prefers(h, PreferExtensions); got != tt.want {
			t.Errorf("Prefer %q: %v, want %v", tt.headers, got, tt.want)
		}
	}
}
