package locale

import (
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryParam is the name of the message param that holds an ISO 3166-1
// alpha-2 country code ("US"). Messages name countries by that param, and
// the translator shows the country's name in the reader's language ("the
// United States", "Estados Unidos", "미국") instead of the code.
const CountryParam = "country"

// regionNamers holds a display.Namer per catalog language, made on first
// use (they are small views over x/text's shared tables).
var regionNamers sync.Map // lang → display.Namer

// CountryName returns the name of the country with ISO code code in lang
// (one of Languages, or matched to one), or code itself when it is not an
// assigned country or has no name in that language.
func CountryName(lang, code string) string {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return code
	}
	r, err := language.ParseRegion(code)
	if err != nil || r.String() != code || !r.IsCountry() {
		return code
	}
	n, ok := regionNamers.Load(lang)
	if !ok {
		tag, err := language.Parse(lang)
		if err != nil {
			return code
		}
		n, _ = regionNamers.LoadOrStore(lang, display.Regions(tag))
	}
	if name := n.(display.Namer).Name(r); name != "" {
		return name
	}
	return code
}

// localizeParams returns params with each country code replaced by the
// country's name in lang; params itself is never changed.
func localizeParams(lang string, params map[string]string) map[string]string {
	code, ok := params[CountryParam]
	if !ok {
		return params
	}
	name := CountryName(lang, code)
	if name == code {
		return params
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		out[k] = v
	}
	out[CountryParam] = name
	return out
}
