package tenantry_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// numberReason returns the reason ParseNumber refuses s with, or "".
func numberReason(s, country string) string {
	if err := tenantry.ParseNumber(s, country); err != nil {
		return tenantry.AsError(err).Reason
	}
	return ""
}

// TestParseNumber covers rule U2's number format: E.164, valid in the
// location's country by libphonenumber's rules.
func TestParseNumber(t *testing.T) {
	const (
		ok      = ""
		invalid = tenantry.ReasonPhoneNumberInvalid
		country = tenantry.ReasonPhoneNumberCountry
	)
	tests := []struct {
		number, country, want string
	}{
		// Valid numbers, fixed line and mobile.
		{"+12015550123", "US", ok},
		{"+14155550100", "US", ok},
		{"+441212345678", "GB", ok},
		{"+447400123456", "GB", ok},
		{"+468123456", "SE", ok},
		{"+46701234567", "SE", ok},
		{"+8222123456", "KR", ok},
		{"+821020000000", "KR", ok},
		{"+551123456789", "BR", ok},
		{"+5511961234567", "BR", ok},
		{"+390612345678", "IT", ok}, // Italy keeps its leading zero
		// Valid numbers of another country.
		{"+441212345678", "US", country},
		{"+12015550123", "GB", country},
		{"+15062345678", "US", country}, // a Canadian number shares +1
		{"+12015550123", "CA", country},
		{"+46701234567", "KR", country},
		{"+551123456789", "SE", country},
		// Not E.164.
		{"", "US", invalid},
		{"12015550123", "US", invalid},
		{"+1 201 555 0123", "US", invalid},
		{"+1-201-555-0123", "US", invalid},
		{"+1(201)5550123", "US", invalid},
		{"+", "US", invalid},
		{"+0123456789", "US", invalid},
		{"++12015550123", "US", invalid},
		{"+1201555012345678", "US", invalid}, // 16 digits
		{"+12015550123x1", "US", invalid},
		{"+١٢٠١٥٥٥٠١٢٣", "US", invalid},   // Arabic-Indic digits
		{"+4401212345678", "GB", invalid}, // the national trunk prefix is not E.164
		// E.164 in shape, but no such number.
		{"+12020000000", "US", invalid}, // exchanges never start with 0
		{"+1201555012", "US", invalid},  // too short
		{"+120155501234", "US", invalid},
		{"+44121234567", "GB", invalid},
		{"+999123456789", "US", invalid}, // no such country code
		// A country with no numbering plan, or none at all.
		{"+12015550123", "", country},
		{"+12015550123", "XX", country},
	}
	for _, tt := range tests {
		t.Run(tt.country+" "+tt.number, func(t *testing.T) {
			err := tenantry.ParseNumber(tt.number, tt.country)
			if got := numberReason(tt.number, tt.country); got != tt.want {
				t.Fatalf("ParseNumber(%q, %q) = %v, want reason %q", tt.number, tt.country, err, tt.want)
			}
			if err == nil {
				return
			}
			e := tenantry.AsError(err)
			if e.Code != tenantry.EINVALID || e.Params["value"] != tt.number || e.Params["country"] != tt.country {
				t.Errorf("error = %+v, want EINVALID with value and country", e)
			}
		})
	}
}

func TestValidE164(t *testing.T) {
	for s, want := range map[string]bool{
		"+12015550123": true, "+999": true, "+123456789012345": true,
		"+1234567890123456": false, "+0": false, "+1": false, "1": false, "": false, "+1 2": false, "+12a": false,
	} {
		if got := tenantry.ValidE164(s); got != want {
			t.Errorf("ValidE164(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNormalizePhoneNumber(t *testing.T) {
	for in, want := range map[string]string{
		"+12405551212":        "+12405551212",
		" +12405551212 ":      "+12405551212",
		"+1-240-555-1212":     "+12405551212", // the reference's update example
		"+1 240 555 1212":     "+12405551212",
		"+1 (240) 555.1212":   "+12405551212",
		"+44 121 234 5678":    "+441212345678",
		"":                    "",
		"12405551212":         "12405551212",         // no "+": not E.164, left for validation
		"240-555-1212":        "240-555-1212",        // likewise
		"+1-240-555-1212 x12": "+1-240-555-1212 x12", // not a number once separators go
		"+1/240/555/1212":     "+1/240/555/1212",     // not a separator
		"+0-123":              "+0-123",
		"+1-234567890123456":  "+1-234567890123456", // 16 digits
		"++1-240-555-1212":    "++1-240-555-1212",
		"+١٢٠١٥٥٥٠١٢٣":        "+١٢٠١٥٥٥٠١٢٣",
	} {
		if got := tenantry.NormalizePhoneNumber(in); got != want {
			t.Errorf("NormalizePhoneNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// numbers returns the numbers of items.
func numbers(items []tenantry.NumberItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Number
	}
	return out
}

// TestNumbersExpand covers adding numbers: single numbers and ranges
// validated as a whole, no repeats, and at most MaxNumbersPerRequest.
func TestNumbersExpand(t *testing.T) {
	tests := []struct {
		name    string
		country string
		in      tenantry.NumbersInput
		want    []string // numbers, when valid
		fields  []string // "field: reason" of the problems, when not
	}{
		{"single numbers", "US", tenantry.NumbersInput{PhoneNumbers: []string{"+14155550100", "+12015550123"}},
			[]string{"+14155550100", "+12015550123"}, nil},
		{"a range", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+14155550198", End: "+14155550202"}}},
			[]string{"+14155550198", "+14155550199", "+14155550200", "+14155550201", "+14155550202"}, nil},
		{"a range of one", "GB", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+441212345678", End: "+441212345678"}}},
			[]string{"+441212345678"}, nil},
		{"numbers then ranges", "SE", tenantry.NumbersInput{
			PhoneNumbers: []string{"+46701234567"},
			Ranges:       []tenantry.NumberRange{{Start: "+468123450", End: "+468123451"}},
		}, []string{"+46701234567", "+468123450", "+468123451"}, nil},
		{"a Korean range", "KR", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+8222123456", End: "+8222123457"}}},
			[]string{"+8222123456", "+8222123457"}, nil},
		{"a Brazilian range across a ten", "BR", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+551123456789", End: "+551123456790"}}},
			[]string{"+551123456789", "+551123456790"}, nil},

		{"nothing", "US", tenantry.NumbersInput{}, nil, []string{"phoneNumbers: no_phone_numbers"}},
		{"invalid numbers name their item", "US", tenantry.NumbersInput{PhoneNumbers: []string{"+14155550100", "4155550101", "", "+441212345678"}},
			nil, []string{"phoneNumbers[1]: phone_number_invalid", "phoneNumbers[2]: required", "phoneNumbers[3]: phone_number_wrong_country"}},
		{"a repeated number", "US", tenantry.NumbersInput{PhoneNumbers: []string{"+14155550100", "+14155550101", "+14155550100"}},
			nil, []string{"phoneNumbers[2]: phone_number_repeated"}},
		{"a range repeating a single number", "US", tenantry.NumbersInput{
			PhoneNumbers: []string{"+14155550150"},
			Ranges:       []tenantry.NumberRange{{Start: "+14155550100", End: "+14155550199"}},
		}, nil, []string{"ranges[0]: phone_number_repeated"}},
		{"overlapping ranges", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{
			{Start: "+14155550100", End: "+14155550110"}, {Start: "+14155550110", End: "+14155550120"},
		}}, nil, []string{"ranges[1]: phone_number_repeated"}},
		{"reversed", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+14155550199", End: "+14155550100"}}},
			nil, []string{"ranges[0].end: number_range_reversed"}},
		{"ends of different lengths", "SE", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+468123456", End: "+46701234567"}}},
			nil, []string{"ranges[0].end: number_range_mismatch"}},
		{"an end missing", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+14155550100"}}},
			nil, []string{"ranges[0].end: required"}},
		{"ends invalid", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+1415555", End: "+447400123456"}}},
			nil, []string{"ranges[0].start: phone_number_invalid", "ranges[0].end: phone_number_wrong_country"}},
		// Both ends are valid British numbers; +44 1524 38xxx is not.
		{"a range crossing invalid numbers", "GB", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+44152437999", End: "+44152439000"}}},
			nil, []string{"ranges[0]: number_range_invalid_number"}},
		{"a range too long", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+14155550000", End: "+14155560000"}}},
			nil, []string{"ranges[0]: too_many_phone_numbers"}},
		{"a range of every number there is", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+12012000000", End: "+19899999999"}}},
			nil, []string{"ranges[0]: too_many_phone_numbers"}},
		{"numbers and ranges together too many", "US", tenantry.NumbersInput{
			PhoneNumbers: []string{"+12015550123"},
			Ranges:       []tenantry.NumberRange{{Start: "+14155550000", End: "+14155559999"}},
		}, nil, []string{"ranges[0]: too_many_phone_numbers"}},
		{"one valid range and one invalid: nothing", "US", tenantry.NumbersInput{Ranges: []tenantry.NumberRange{
			{Start: "+14155550100", End: "+14155550101"}, {Start: "+14155550100", End: "+441212345678"},
		}}, nil, []string{"ranges[1].end: phone_number_wrong_country"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, ps := tt.in.Expand(tt.country)
			checkWellFormed(t, ps)
			checkProblems(t, ps, tt.fields)
			if diff := cmp.Diff(tt.want, numbers(items)); len(tt.fields) == 0 && diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
			if len(ps) > 0 && items != nil {
				t.Errorf("items %v returned with problems", numbers(items))
			}
		})
	}
}

// TestNumbersExpandLimits: exactly MaxNumbersPerRequest numbers pass, each
// naming its item; one more is refused; and ten thousand bad numbers give a
// bounded list of problems.
func TestNumbersExpandLimits(t *testing.T) {
	full := tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+14155550000", End: "+14155559999"}}}
	items, ps := full.Expand("US")
	if len(ps) != 0 || len(items) != tenantry.MaxNumbersPerRequest {
		t.Fatalf("a range of %d: %d items, problems %v", tenantry.MaxNumbersPerRequest, len(items), fieldReasons(ps))
	}
	if items[0].Field != "ranges[0]" || items[9999].Number != "+14155559999" {
		t.Errorf("items[0] = %+v, items[9999] = %+v", items[0], items[9999])
	}

	// Exactly the limit in single numbers passes: the check is "more
	// than", not "as many as".
	var many []string
	for i := range tenantry.MaxNumbersPerRequest + 1 {
		many = append(many, "+1415"+strconv.Itoa(5550000+i))
	}
	items, ps = (&tenantry.NumbersInput{PhoneNumbers: many[:tenantry.MaxNumbersPerRequest]}).Expand("US")
	if len(ps) != 0 || len(items) != tenantry.MaxNumbersPerRequest {
		t.Fatalf("%d single numbers: %d items, problems %v", tenantry.MaxNumbersPerRequest, len(items), fieldReasons(ps))
	}
	if items[9999].Field != "phoneNumbers[9999]" {
		t.Errorf("items[9999] = %+v", items[9999])
	}
	_, ps = (&tenantry.NumbersInput{PhoneNumbers: many}).Expand("US")
	checkProblems(t, ps, []string{"phoneNumbers: too_many_phone_numbers"})

	bad := make([]string, tenantry.MaxNumbersPerRequest)
	for i := range bad {
		bad[i] = "bad"
	}
	_, ps = (&tenantry.NumbersInput{PhoneNumbers: bad}).Expand("US")
	if len(ps) == 0 || len(ps) > 100 {
		t.Errorf("%d problems for %d bad numbers, want between 1 and 100", len(ps), len(bad))
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []struct{ number, country string }{
		{"+12015550123", "US"}, {"+441212345678", "GB"}, {"+46701234567", "SE"}, {"+821020000000", "KR"},
		{"+5511961234567", "BR"}, {"+390612345678", "IT"}, {"+15062345678", "US"}, {"", ""}, {"+", "US"},
		{"+1 201 555 0123", "US"}, {"+4401212345678", "GB"}, {"+999123456789", "ZZ"}, {"+١٢٠١٥٥٥٠١٢٣", "US"},
		{"+123456789012345678901234567890", "US"}, {"\xff", "\x00"},
	} {
		f.Add(s.number, s.country, s.number, uint16(3))
	}
	f.Fuzz(func(t *testing.T, number, country, end string, span uint16) {
		err := tenantry.ParseNumber(number, country)
		if (err == nil) != (tenantry.ParseNumber(number, country) == nil) {
			t.Fatal("not deterministic")
		}
		if err != nil {
			e := tenantry.AsError(err)
			if e.Code != tenantry.EINVALID || (e.Reason != tenantry.ReasonPhoneNumberInvalid && e.Reason != tenantry.ReasonPhoneNumberCountry) {
				t.Fatalf("error %+v", e)
			}
		} else {
			// What passes is E.164: "+", no leading zero, 15 digits at most.
			if !tenantry.ValidE164(number) || len(number) > 16 || strings.TrimLeft(number[1:], "0123456789") != "" {
				t.Fatalf("%q accepted", number)
			}
			if !tenantry.IsCountry(country) {
				t.Fatalf("%q accepted in country %q", number, country)
			}
		}

		// A range from number: either refused with problems, or every
		// number it returns is valid, distinct, ascending and in bounds.
		if !tenantry.ValidE164(number) || len(number) < 4 {
			return
		}
		if end == number || end == "" {
			v, _ := strconv.ParseUint(number[1:], 10, 64)
			end = "+" + strconv.FormatUint(v+uint64(span%200), 10)
		}
		in := tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: number, End: end}}}
		items, ps := in.Expand(country)
		checkWellFormed(t, ps)
		if len(ps) > 0 {
			if items != nil {
				t.Fatal("items returned with problems")
			}
			for _, p := range ps {
				if !strings.HasPrefix(p.Field, "ranges[0]") {
					t.Errorf("problem on %q", p.Field)
				}
			}
			return
		}
		if len(items) == 0 || len(items) > tenantry.MaxNumbersPerRequest {
			t.Fatalf("%d items", len(items))
		}
		if items[0].Number != number || items[len(items)-1].Number != end {
			t.Fatalf("range %s..%s gave %s..%s", number, end, items[0].Number, items[len(items)-1].Number)
		}
		for i, it := range items {
			if err := tenantry.ParseNumber(it.Number, country); err != nil {
				t.Fatalf("item %s: %v", it.Number, err)
			}
			if i > 0 && !(len(it.Number) == len(items[i-1].Number) && it.Number > items[i-1].Number) {
				t.Fatalf("items not ascending: %s after %s", it.Number, items[i-1].Number)
			}
		}
	})
}

// TestNumbersExpandGap: a range is refused at its first invalid number,
// which the problem names.
func TestNumbersExpandGap(t *testing.T) {
	for _, s := range []string{"+44152437999", "+44152439000"} {
		if err := tenantry.ParseNumber(s, "GB"); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	in := tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: "+44152437999", End: "+44152439000"}}}
	_, ps := in.Expand("GB")
	p := findProblem(t, ps, "ranges[0]", tenantry.ReasonRangeGap)
	if p.Params["value"] != "+44152438000" || p.Params["country"] != "GB" {
		t.Errorf("params = %v, want the first invalid number +44152438000 in GB", p.Params)
	}
}

// FuzzNormalizePhoneNumber: the result is the input (trimmed) or an E.164
// number made of the input's digits; an E.164 input is kept; normalizing
// twice changes nothing.
func FuzzNormalizePhoneNumber(f *testing.F) {
	for _, s := range []string{"+12405551212", "+1-240-555-1212", " +1 (240) 555.1212 ", "240-555-1212", "+", "+-", "+١٢٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := tenantry.NormalizePhoneNumber(s)
		trimmed := strings.TrimSpace(s)
		switch {
		case tenantry.ValidE164(trimmed) && n != trimmed:
			t.Fatalf("NormalizePhoneNumber(%q) = %q, want the E.164 input kept", s, n)
		case n != trimmed && !tenantry.ValidE164(n):
			t.Fatalf("NormalizePhoneNumber(%q) = %q: changed, but not E.164", s, n)
		case n != trimmed && strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '+' {
				return r
			}
			return -1
		}, trimmed) != n:
			t.Fatalf("NormalizePhoneNumber(%q) = %q: not the input's digits", s, n)
		}
		if again := tenantry.NormalizePhoneNumber(n); again != n {
			t.Fatalf("NormalizePhoneNumber(%q) = %q, again %q", s, n, again)
		}
	})
}
