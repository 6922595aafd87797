package tenantry

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers are E.164 ("+", the country code and the national number,
// digits only, at most 15) and must be valid, by libphonenumber's rules, in
// the country of the location that holds them (rule U2). The domain imports
// libphonenumber, its one dependency outside the standard library: which
// numbers exist in which country is a rule of the domain, and a table that
// large is not ours to keep.

// MaxNumbersPerRequest caps the numbers one request adds, ranges expanded.
const MaxNumbersPerRequest = 10000

// maxNumberProblems caps the problems one request reports, so that ten
// thousand bad numbers still give a readable answer.
const maxNumberProblems = 100

// Field paths of a numbers request, used in problems.
const (
	FieldPhoneNumbers = "phoneNumbers"
	FieldRanges       = "ranges"
	FieldPhoneNumber  = "phoneNumber"
)

// ParseNumber checks that s is a phone number in E.164 form that is valid in
// country (ISO 3166-1 alpha-2). The error is EINVALID with reason
// ReasonPhoneNumberInvalid (not E.164, or no valid number anywhere) or
// ReasonPhoneNumberCountry (a valid number of another country), and params
// value and country.
func ParseNumber(s, country string) error {
	var n phonenumbers.PhoneNumber
	if reason := checkNumber(s, country, &n); reason != "" {
		return Errorf(EINVALID, reason, "value", s, "country", country)
	}
	return nil
}

// ValidE164 reports whether s has the shape of an E.164 number, whatever
// the country.
func ValidE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizePhoneNumber returns s in E.164 form when s is an E.164 number
// written with the visual separators people and spreadsheets add ("+1 240
// 555 1212", "+1-240-555-1212", "+1 (240) 555.1212"); anything else comes
// back unchanged (only surrounding spaces trimmed), for validation to name
// as it was given. The number inventory itself takes E.164 only.
func NormalizePhoneNumber(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") || ValidE164(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '-', '.', '(', ')':
		default:
			b = append(b, c)
		}
	}
	if n := string(b); ValidE164(n) {
		return n
	}
	return s
}

// checkNumber returns the reason s is refused in country, or "". n is
// scratch space, so that a range does not allocate a number per member.
func checkNumber(s, country string, n *phonenumbers.PhoneNumber) string {
	if !ValidE164(s) {
		return ReasonPhoneNumberInvalid
	}
	if err := phonenumbers.ParseToNumber(s, "", n); err != nil {
		return ReasonPhoneNumberInvalid
	}
	// A number with a national trunk prefix ("+44 020…") parses, but is not
	// the form the number is stored and looked up in.
	if phonenumbers.Format(n, phonenumbers.E164) != s {
		return ReasonPhoneNumberInvalid
	}
	// IsCountry first: libphonenumber reads "001" as the region of the
	// non-geographic numbers (+800, +882…), which no location is in.
	if IsCountry(country) && phonenumbers.IsValidNumberForRegion(n, country) {
		return ""
	}
	if phonenumbers.IsValidNumber(n) {
		return ReasonPhoneNumberCountry
	}
	return ReasonPhoneNumberInvalid
}

// NumberRange is a block of consecutive numbers, both ends included.
type NumberRange struct {
	Start string
	End   string
}

// NumbersInput is a request to add numbers to a location: single numbers,
// ranges, or both.
type NumbersInput struct {
	PhoneNumbers []string
	Ranges       []NumberRange
}

// NumberItem is one number a request adds, with the field it came from
// ("phoneNumbers[3]", "ranges[0]"), so that a later refusal (the number is
// taken) can name the item.
type NumberItem struct {
	Number string
	Field  string
}

// Expand validates in for a location in country and returns every number it
// adds, in request order. Each number must be E.164 and valid in country;
// a range must have ends of one length, start ≤ end, and every number
// between them valid (a range is judged as a whole: one gap refuses it); no
// number may appear twice; and there are at most MaxNumbersPerRequest in
// all. On any problem it returns no items.
func (in *NumbersInput) Expand(country string) ([]NumberItem, []Problem) {
	var ps problems
	full := func() bool { return len(ps) >= maxNumberProblems }
	if len(in.PhoneNumbers) == 0 && len(in.Ranges) == 0 {
		ps.add(FieldPhoneNumbers, ReasonNoPhoneNumbers)
		return nil, ps
	}
	total := len(in.PhoneNumbers)
	if total > MaxNumbersPerRequest {
		ps.add(FieldPhoneNumbers, ReasonTooManyPhoneNumbers, "max", itoa(MaxNumbersPerRequest))
		return nil, ps
	}
	// Every range adds one number at least.
	if !CheckEntries(&ps, FieldRanges, len(in.Ranges), MaxNumbersPerRequest-total) {
		return nil, ps
	}
	var n phonenumbers.PhoneNumber
	items := make([]NumberItem, 0, total)
	seen := make(map[string]bool, total)
	for i, s := range in.PhoneNumbers {
		if full() {
			break
		}
		f := FieldPhoneNumbers + "[" + itoa(i) + "]"
		switch reason := checkNumber(s, country, &n); {
		case s == "":
			ps.add(f, ReasonRequired)
		case reason != "":
			ps.add(f, reason, "value", s, "country", country)
		case seen[s]:
			ps.add(f, ReasonPhoneNumberRepeated, "value", s)
		default:
			seen[s] = true
			items = append(items, NumberItem{Number: s, Field: f})
		}
	}
	for i, r := range in.Ranges {
		if full() {
			break
		}
		f := FieldRanges + "[" + itoa(i) + "]"
		start, end, ok := rangeEnds(r, f, country, &n, &ps)
		if !ok {
			continue
		}
		size := end - start + 1
		if total += int(min(size, MaxNumbersPerRequest+1)); total > MaxNumbersPerRequest {
			ps.add(f, ReasonTooManyPhoneNumbers, "max", itoa(MaxNumbersPerRequest))
			break
		}
		for v := start; v <= end && !full(); v++ {
			s := "+" + strconv.FormatUint(v, 10)
			if reason := checkNumber(s, country, &n); reason != "" {
				ps.add(f, ReasonRangeGap, "value", s, "country", country)
				break
			}
			if seen[s] {
				ps.add(f, ReasonPhoneNumberRepeated, "value", s)
				break
			}
			seen[s] = true
			items = append(items, NumberItem{Number: s, Field: f})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return items, nil
}

// rangeEnds checks the ends of a range and returns them as integers (the
// digits after "+"; at most 15 of them, so they fit).
func rangeEnds(r NumberRange, f, country string, n *phonenumbers.PhoneNumber, ps *problems) (uint64, uint64, bool) {
	ok := true
	for _, end := range []struct{ field, v string }{{f + ".start", r.Start}, {f + ".end", r.End}} {
		switch reason := checkNumber(end.v, country, n); {
		case end.v == "":
			ps.add(end.field, ReasonRequired)
			ok = false
		case reason != "":
			ps.add(end.field, reason, "value", end.v, "country", country)
			ok = false
		}
	}
	if !ok {
		return 0, 0, false
	}
	if len(r.Start) != len(r.End) {
		ps.add(f+".end", ReasonRangeMismatch)
		return 0, 0, false
	}
	start, _ := strconv.ParseUint(r.Start[1:], 10, 64)
	end, _ := strconv.ParseUint(r.End[1:], 10, 64)
	if end < start {
		ps.add(f+".end", ReasonRangeReversed)
		return 0, 0, false
	}
	return start, end, true
}
