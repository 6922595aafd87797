package tenantry_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// huge is a list of n entries, each a different bad value, as an attacker
// would send to make every entry a problem of its own.
func huge(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "bad-" + strconv.Itoa(i)
	}
	return out
}

// TestListFieldCaps: a list field longer than the domain allows is one
// problem naming the field and the max, found before any entry is looked
// at; at the max, entries are still judged one by one.
func TestListFieldCaps(t *testing.T) {
	const n = 100000
	catalog := strconv.Itoa(len(tenantry.Packages))
	limits := map[string]int{}
	for _, p := range huge(n) {
		limits[p] = 1
	}
	manyRanges := make([]tenantry.NumberRange, n)
	tests := []struct {
		name     string
		problems func() []tenantry.Problem
		field    string
		max      string
	}{
		{"customer packages", func() []tenantry.Problem {
			in := validInput()
			in.Packages = huge(n)
			return in.Validate(tenantry.ModeCreate)
		}, tenantry.FieldPackages, catalog},
		{"customer quantities", func() []tenantry.Problem {
			in := validInput()
			in.Limits = limits
			return in.Validate(tenantry.ModeCreate)
		}, tenantry.FieldLimits, catalog},
		{"subscriber packages", func() []tenantry.Problem {
			in := &tenantry.SubscriberInput{CustomerID: "c", Email: "a@b.example", Packages: huge(n)}
			return in.Validate(tenantry.ModeCreate)
		}, tenantry.FieldSubscriberPackages, catalog},
		{"template offer types", func() []tenantry.Problem {
			tpl := validTemplate()
			tpl.OfferTypes = nil
			for _, o := range huge(n) {
				tpl.OfferTypes = append(tpl.OfferTypes, tenantry.OfferType(o))
			}
			return tpl.Validate()
		}, "offerTypes", "2"},
		{"webhook events", func() []tenantry.Problem {
			w := &tenantry.Webhook{URL: "https://hooks.example.com/x", Events: huge(n)}
			return w.Validate()
		}, tenantry.FieldWebhookEvents, strconv.Itoa(len(tenantry.WebhookEvents))},
		{"token scopes", func() []tenantry.Problem {
			in := &tenantry.TokenInput{Name: "x", Scopes: huge(n)}
			return in.Validate(time.Now())
		}, tenantry.FieldTokenScopes, strconv.Itoa(len(tenantry.KnownScopes))},
		{"number ranges", func() []tenantry.Problem {
			in := &tenantry.NumbersInput{PhoneNumbers: []string{"+14085550100"}, Ranges: manyRanges}
			_, ps := in.Expand("US")
			return ps
		}, tenantry.FieldRanges, strconv.Itoa(tenantry.MaxNumbersPerRequest - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []tenantry.Problem
			for _, p := range tt.problems() {
				if p.Field == tt.field {
					got = append(got, p)
				}
			}
			want := []tenantry.Problem{{Field: tt.field, Reason: tenantry.ReasonTooManyEntries, Params: map[string]string{"count": strconv.Itoa(n), "max": tt.max}}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems on %s (-want +got):\n%s", tt.field, diff)
			}
		})
	}
}

// TestListFieldAtCap: a list as long as the domain allows is judged entry
// by entry, as before.
func TestListFieldAtCap(t *testing.T) {
	in := validInput()
	in.Packages = huge(len(tenantry.Packages))
	ps := in.Validate(tenantry.ModeCreate)
	if len(ps) != len(tenantry.Packages) {
		t.Fatalf("%d bad packages at the cap: %d problems, want one each: %v", len(tenantry.Packages), len(ps), fieldReasons(ps))
	}
	for i, p := range ps {
		if p.Field != tenantry.FieldPackages+"["+strconv.Itoa(i)+"]" || p.Reason != tenantry.ReasonUnknownPackage {
			t.Errorf("problem %d: %s %s", i, p.Field, p.Reason)
		}
	}
}

// BenchmarkValidateHugePackages measures the refusal of a 100,000-entry
// package list (it was seconds: each entry was compared with every other).
func BenchmarkValidateHugePackages(b *testing.B) {
	in := validInput()
	in.Packages = huge(100000)
	for b.Loop() {
		in.Validate(tenantry.ModeCreate)
	}
}
