package ui

// countryZones are the IANA time zones offered for a headquarters in a
// country, most populous first. A country not listed gets a free text
// field, which the domain checks against the time zone database.
var countryZones = map[string][]string{
	"US": {"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"},
	"CA": {"America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Halifax", "America/Regina", "America/St_Johns"},
	"BR": {"America/Sao_Paulo", "America/Bahia", "America/Fortaleza", "America/Recife", "America/Belem", "America/Manaus", "America/Cuiaba", "America/Porto_Velho", "America/Rio_Branco", "America/Noronha"},
	"MX": {"America/Mexico_City", "America/Monterrey", "America/Tijuana", "America/Cancun", "America/Chihuahua", "America/Hermosillo", "America/Mazatlan"},
	"AU": {"Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth", "Australia/Adelaide", "Australia/Hobart", "Australia/Darwin"},
	"ES": {"Europe/Madrid", "Atlantic/Canary", "Africa/Ceuta"},
	"PT": {"Europe/Lisbon", "Atlantic/Madeira", "Atlantic/Azores"},
	"GB": {"Europe/London"}, "IE": {"Europe/Dublin"}, "SE": {"Europe/Stockholm"}, "NO": {"Europe/Oslo"},
	"DK": {"Europe/Copenhagen"}, "FI": {"Europe/Helsinki"}, "DE": {"Europe/Berlin"}, "FR": {"Europe/Paris"},
	"IT": {"Europe/Rome"}, "NL": {"Europe/Amsterdam"}, "BE": {"Europe/Brussels"}, "CH": {"Europe/Zurich"},
	"AT": {"Europe/Vienna"}, "PL": {"Europe/Warsaw"}, "KR": {"Asia/Seoul"}, "JP": {"Asia/Tokyo"},
	"SG": {"Asia/Singapore"}, "SA": {"Asia/Riyadh"}, "AE": {"Asia/Dubai"}, "IN": {"Asia/Kolkata"},
	"NZ": {"Pacific/Auckland", "Pacific/Chatham"}, "AR": {"America/Argentina/Buenos_Aires"}, "CL": {"America/Santiago"},
	"CO": {"America/Bogota"}, "PE": {"America/Lima"}, "EG": {"Africa/Cairo"}, "QA": {"Asia/Qatar"}, "KW": {"Asia/Kuwait"},
	"BH": {"Asia/Bahrain"}, "OM": {"Asia/Muscat"}, "JO": {"Asia/Amman"}, "MA": {"Africa/Casablanca"}, "ZA": {"Africa/Johannesburg"},
}

// zonesOf returns the time zones offered for a country (nil: type one).
func zonesOf(country string) []string { return countryZones[country] }
