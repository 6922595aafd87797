package tenantry

import (
	"regexp"
	"strings"
)

// isoCountries holds every ISO 3166-1 alpha-2 code that is officially
// assigned.
var isoCountries = func() map[string]bool {
	const codes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO
IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
	m := make(map[string]bool, 249)
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// IsCountry reports whether code is an assigned ISO 3166-1 alpha-2 code
// (upper case, as the API sends it).
func IsCountry(code string) bool { return isoCountries[code] }

// addressRule says what an address in one country must carry beyond the
// common fields. Countries not listed need neither a state nor a postal code.
type addressRule struct {
	state  bool
	postal bool
	// states, when set, lists the accepted state or province codes, and
	// stateExample is one of them that errors show.
	states, stateExample string
	// postalPattern, when set, is the shape of a valid postal code, and
	// postalExamples show it to a person: one example of each form it
	// takes (a ZIP code and a ZIP+4), at most two.
	postalPattern  *regexp.Regexp
	postalExamples []string
}

// addressRules is the table behind rule C1: where a state/province and a
// postal code are required, and what they look like where we know it.
var addressRules = map[string]addressRule{
	"US": {state: true, postal: true, stateExample: "TX",
		states:        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM",
		postalPattern: regexp.MustCompile(`^\d{5}(-\d{4})?$`), postalExamples: []string{"12345", "12345-6789"}},
	"CA": {state: true, postal: true, stateExample: "ON",
		states:        "AB BC MB NB NL NS NT NU ON PE QC SK YT",
		postalPattern: regexp.MustCompile(`^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$`), postalExamples: []string{"A1A 1A1"}},
	"AU": {state: true, postal: true, stateExample: "NSW", states: "ACT NSW NT QLD SA TAS VIC WA",
		postalPattern: regexp.MustCompile(`^\d{4}$`), postalExamples: []string{"1234"}},
	"BR": {state: true, postal: true, postalPattern: regexp.MustCompile(`^\d{5}-?\d{3}$`), postalExamples: []string{"12345-678"}},
	"MX": {state: true, postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"IN": {state: true, postal: true, postalPattern: regexp.MustCompile(`^\d{6}$`), postalExamples: []string{"123456"}},
	"JP": {state: true, postal: true, postalPattern: regexp.MustCompile(`^\d{3}-?\d{4}$`), postalExamples: []string{"123-4567"}},
	"GB": {postal: true, postalPattern: regexp.MustCompile(`^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$`), postalExamples: []string{"SW1A 1AA"}},
	"DE": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"FR": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"ES": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"IT": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"NL": {postal: true, postalPattern: regexp.MustCompile(`^\d{4} ?[A-Za-z]{2}$`), postalExamples: []string{"1234 AB"}},
	"SE": {postal: true, postalPattern: regexp.MustCompile(`^\d{3} ?\d{2}$`), postalExamples: []string{"123 45"}},
	"KR": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}$`), postalExamples: []string{"12345"}},
	"SG": {postal: true, postalPattern: regexp.MustCompile(`^\d{6}$`), postalExamples: []string{"123456"}},
	"SA": {postal: true, postalPattern: regexp.MustCompile(`^\d{5}(-\d{4})?$`), postalExamples: []string{"12345", "12345-6789"}},
	"PT": {postal: true, postalPattern: regexp.MustCompile(`^\d{4}-\d{3}$`), postalExamples: []string{"1234-567"}},
	"NZ": {postal: true, postalPattern: regexp.MustCompile(`^\d{4}$`), postalExamples: []string{"1234"}},
	"BE": {postal: true}, "CH": {postal: true}, "AT": {postal: true}, "DK": {postal: true},
	"NO": {postal: true}, "FI": {postal: true}, "PL": {postal: true},
}

// The errors of rule C1 show the examples of a country's rule: each rule
// with a pattern or a list has them, and they fit it.
func init() {
	for c, r := range addressRules {
		if r.postalPattern != nil && (len(r.postalExamples) == 0 || len(r.postalExamples) > 2) {
			panic("address rule of " + c + ": a postal pattern needs one or two examples")
		}
		for _, ex := range r.postalExamples {
			if r.postalPattern == nil || !r.postalPattern.MatchString(ex) {
				panic("address rule of " + c + ": postal example " + ex + " does not fit")
			}
		}
		if (r.states == "") != (r.stateExample == "") || r.states != "" && !hasWord(r.states, r.stateExample) {
			panic("address rule of " + c + ": a state list needs an example from it")
		}
	}
}

// RequiresState reports whether addresses in country need a state/province.
func RequiresState(country string) bool { return addressRules[country].state }

// RequiresPostalCode reports whether addresses in country need a postal code.
func RequiresPostalCode(country string) bool { return addressRules[country].postal }

// Region is where a customer's data lives (data residency).
type Region string

// The regions a partner may create customers in.
const (
	RegionUS Region = "US"
	RegionEU Region = "EU"
	RegionCA Region = "CA"
	RegionUK Region = "UK"
	RegionJP Region = "JP"
	RegionAU Region = "AU"
	RegionSG Region = "SG"
	RegionSA Region = "SA"
	RegionAE Region = "AE"
)

// eeaCountries are the countries whose customers' data lives in the EU region.
const eeaCountries = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO CH"

// RegionFor returns the data region for a customer in country: the country's
// own region where one exists, the EU for the European Economic Area and
// Switzerland, and the US otherwise.
func RegionFor(country string) Region {
	switch country {
	case "US", "PR", "VI", "GU", "AS", "MP", "UM":
		return RegionUS
	case "CA":
		return RegionCA
	case "GB", "IM", "JE", "GG":
		return RegionUK
	case "JP":
		return RegionJP
	case "AU", "NZ":
		return RegionAU
	case "SG":
		return RegionSG
	case "SA":
		return RegionSA
	case "AE":
		return RegionAE
	}
	if hasWord(eeaCountries, country) {
		return RegionEU
	}
	return RegionUS
}

// E911Required reports whether customers in country get the emergency
// services (E911) provider enabled automatically (rule U6).
func E911Required(country string) bool { return country == "US" || country == "CA" }
