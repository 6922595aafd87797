package tenantry

import (
	"strings"
	"unicode/utf8"
)

// MaxAddressLine is the longest an address line may be (rule C1).
const MaxAddressLine = 50

// Address is a postal address as the wholesale API carries it.
type Address struct {
	Line1      string `json:"addressLine1"`
	Line2      string `json:"addressLine2,omitempty"`
	City       string `json:"city"`
	State      string `json:"stateOrProvince,omitempty"`
	PostalCode string `json:"zipOrPostalCode,omitempty"`
	Country    string `json:"country"`
}

// Validate checks a against rule C1 and reports each problem under prefix
// (the JSON path of the address in the request).
func (a Address) Validate(prefix string) []Problem {
	var ps problems
	a.validate(prefix, &ps)
	return ps
}

func (a Address) validate(prefix string, ps *problems) {
	f := func(name string) string { return prefix + "." + name }
	requireText(ps, f("addressLine1"), a.Line1, MaxAddressLine)
	limitText(ps, f("addressLine2"), a.Line2, MaxAddressLine)
	requireText(ps, f("city"), a.City, MaxAddressLine)
	limitText(ps, f("stateOrProvince"), a.State, MaxAddressLine)
	limitText(ps, f("zipOrPostalCode"), a.PostalCode, 16)
	switch {
	case a.Country == "":
		ps.add(f("country"), ReasonRequired)
		return
	case !IsCountry(a.Country):
		ps.add(f("country"), ReasonInvalidCountry, "value", a.Country)
		return
	}
	rule := addressRules[a.Country]
	state := strings.TrimSpace(a.State)
	switch {
	case rule.state && state == "":
		ps.add(f("stateOrProvince"), ReasonStateRequired, "country", a.Country)
	case rule.states != "" && !hasWord(rule.states, strings.ToUpper(state)):
		ps.add(f("stateOrProvince"), ReasonInvalidState, "value", a.State, "country", a.Country, "example", rule.stateExample)
	}
	postal := strings.TrimSpace(a.PostalCode)
	switch {
	case rule.postal && postal == "":
		ps.add(f("zipOrPostalCode"), ReasonPostalRequired, "country", a.Country)
	case postal != "" && rule.postalPattern != nil && !rule.postalPattern.MatchString(postal):
		// A person reads an example of each form, not the pattern.
		if ex := rule.postalExamples; len(ex) > 1 {
			ps.add(f("zipOrPostalCode"), ReasonInvalidPostalCodeEither, "value", a.PostalCode, "country", a.Country, "example", ex[0], "alternative", ex[1])
		} else {
			ps.add(f("zipOrPostalCode"), ReasonInvalidPostalCode, "value", a.PostalCode, "country", a.Country, "example", ex[0])
		}
	}
}

func hasWord(list, w string) bool {
	if w == "" {
		return false
	}
	for x := range strings.FieldsSeq(list) {
		if x == w {
			return true
		}
	}
	return false
}

// requireText reports a missing or blank value, then its length.
func requireText(ps *problems, field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		ps.add(field, ReasonRequired)
		return
	}
	limitText(ps, field, v, max)
}

// limitText reports a value longer than max characters, or one that is not
// text at all (invalid UTF-8 or control characters).
func limitText(ps *problems, field, v string, max int) {
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		ps.add(field, ReasonForbiddenChar, "char", "control")
		return
	}
	if n := utf8.RuneCountInString(v); n > max {
		ps.add(field, ReasonTooLong, "max", itoa(max))
	}
}
