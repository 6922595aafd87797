package tenantry_test

import (
	"net/mail"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// The fuzz tests feed the validators arbitrary text. None may panic, every
// problem must name a field and carry a reason that has a translation, the
// same input must always give the same answer, and an input that passes must
// really satisfy the rules it was checked against.

// customerFields are the roots of every field path a customer request can
// have problems under.
var customerFields = []string{
	"provisioningId", "externalId", "packages", "address", "customerInfo",
	"provisioningParameters.calling.location", "provisioningParameters.meetings.timezone",
	"provisioningParameters.packages.limits", "subPartnerAdminEmail", "orgId",
}

func hasRoot(field string, roots []string) bool {
	return slices.ContainsFunc(roots, func(r string) bool {
		return field == r || strings.HasPrefix(field, r+".") || strings.HasPrefix(field, r+"[")
	})
}

// checkDeterministic runs validate twice and compares the problems.
func checkDeterministic(t *testing.T, first []tenantry.Problem, validate func() []tenantry.Problem) {
	t.Helper()
	if diff := cmp.Diff(first, validate()); diff != "" {
		t.Fatalf("not deterministic (-first +second):\n%s", diff)
	}
}

func textOK(s string, max int) bool {
	return strings.TrimSpace(s) != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= max
}

func FuzzCustomerInputValidate(f *testing.F) {
	f.Add(uint8(0), "prov-1", "ext-1", "webex_calling,webex_meetings", "170 West Tasman Drive", "San Jose", "CA", "95134", "US",
		"Acme Inc", "admin@acme.example", "en", "HQ", "America/Los_Angeles", "en_us", "webex_calling", 10, true, false)
	f.Add(uint8(0), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", 0, false, false)
	f.Add(uint8(0), "prov-1", "ext-1", "cisco_calling_plan,attendant_console", "1 Yonge St", "Toronto", "ON", "K1A 0B1", "CA",
		"100% Acme", "Admin <a@b.com>", "fr-CA", "", "Mars/Olympus", "", "cisco_calling_plan", 5, true, true)
	f.Add(uint8(1), "", "", "webex_meetings,webex_meetings,bogus", "x", "y", "", "", "us", "", "", "", "", "", "", "webex_meetings", 0, false, true)
	f.Add(uint8(2), "", "", "webex_voice,attendant_console", "شارع الملك فهد", "الرياض", "", "12345", "SA",
		"شركة", "مدير@مثال.السعودية", "ar", "المقر", "Asia/Riyadh", "ar", "webex_voice", -1, true, true)
	f.Add(uint8(0), "p", "e", "webex_calling", strings.Repeat("é", 51), "\xff", "ZZ", "9513", "US",
		"n", "a@b.c", "english", strings.Repeat("L", 81), "Local", "en-", "bogus", 1, true, true)
	f.Fuzz(func(t *testing.T, mode uint8, provisioningID, externalID, packages, line1, city, state, postal, country,
		name, email, language, callingName, timeZone, callingLanguage, limitPkg string, limitQty int, withCalling, withLimits bool) {
		m := tenantry.Mode(mode % 3)
		addr := tenantry.Address{Line1: line1, City: city, State: state, PostalCode: postal, Country: country}
		in := &tenantry.CustomerInput{
			ProvisioningID: provisioningID,
			ExternalID:     externalID,
			Address:        &addr,
			Info:           &tenantry.CustomerInfo{Name: name, PrimaryEmail: email, Language: language},
		}
		if packages != "" {
			in.Packages = strings.Split(packages, ",")
		}
		if withCalling {
			in.Calling = &tenantry.CallingLocation{Name: callingName, Address: addr, TimeZone: timeZone, Language: callingLanguage}
		}
		if withLimits {
			in.Limits = map[string]int{limitPkg: limitQty}
			for _, p := range in.Packages {
				if _, ok := in.Limits[p]; !ok && len(in.Limits) < 4 {
					in.Limits[p] = limitQty + 1
				}
			}
		}
		before := *in
		beforeLimits := maps(in.Limits)

		ps := in.Validate(m)
		checkWellFormed(t, ps)
		for _, p := range ps {
			if !hasRoot(p.Field, customerFields) {
				t.Errorf("problem on unexpected field %q", p.Field)
			}
		}
		checkDeterministic(t, ps, func() []tenantry.Problem { return in.Validate(m) })
		if diff := cmp.Diff(before, *in); diff != "" {
			t.Fatalf("Validate changed the input:\n%s", diff)
		}
		if diff := cmp.Diff(beforeLimits, in.Limits); diff != "" {
			t.Fatalf("Validate changed the limits:\n%s", diff)
		}
		if (tenantry.Invalid(ps) == nil) != (len(ps) == 0) {
			t.Fatal("Invalid disagrees with the problems")
		}

		// Limits at or below zero on a package that takes a quantity are
		// always refused (Q8).
		if withLimits && limitQty <= 0 && slices.Contains(in.Packages, limitPkg) && tenantry.Package(limitPkg).Known() &&
			tenantry.Package(limitPkg).TakesQuantity() {
			findProblem(t, ps, "provisioningParameters.packages.limits."+limitPkg, tenantry.ReasonQuantityPositive)
		}
		if len(ps) != 0 {
			return
		}
		// What passed must hold.
		if strings.Contains(name, "%") {
			t.Errorf("company name %q with %% accepted", name)
		}
		if strings.TrimSpace(email) != "" && !tenantry.ValidEmail(email) {
			t.Errorf("invalid email %q accepted", email)
		}
		if !tenantry.IsCountry(country) {
			t.Errorf("country %q accepted", country)
		}
		if !textOK(line1, tenantry.MaxAddressLine) || !textOK(city, tenantry.MaxAddressLine) {
			t.Errorf("address line %q / city %q accepted", line1, city)
		}
		if tenantry.RequiresState(country) && strings.TrimSpace(state) == "" {
			t.Errorf("no state accepted in %s", country)
		}
		if tenantry.RequiresPostalCode(country) && strings.TrimSpace(postal) == "" {
			t.Errorf("no postal code accepted in %s", country)
		}
		for _, p := range in.Packages {
			if !tenantry.Package(p).Known() {
				t.Errorf("package %q accepted", p)
			}
		}
		if m != tenantry.ModePrecheck && len(in.Packages) == 0 {
			t.Error("no packages accepted")
		}
		if m == tenantry.ModeCreate {
			if !textOK(externalID, tenantry.MaxExternalID) || !textOK(provisioningID, 255) || !textOK(name, tenantry.MaxCompanyName) ||
				!tenantry.ValidEmail(email) {
				t.Errorf("create accepted external id %q, provisioning id %q, name %q, email %q", externalID, provisioningID, name, email)
			}
			pkgs := make([]tenantry.Package, len(in.Packages))
			for i, p := range in.Packages {
				pkgs[i] = tenantry.Package(p)
			}
			if tenantry.HasCalling(pkgs) && !withCalling {
				t.Error("calling package accepted without a calling location")
			}
		}
		if withCalling {
			if !textOK(callingName, tenantry.MaxLocationName) || !tenantry.ValidTimeZone(timeZone) || !tenantry.ValidLanguageTag(callingLanguage) {
				t.Errorf("calling location %q %q %q accepted", callingName, timeZone, callingLanguage)
			}
		}
		if withLimits && len(in.Limits) > 0 {
			for k, q := range in.Limits {
				if q <= 0 || !slices.Contains(in.Packages, k) || !tenantry.Package(k).TakesQuantity() {
					t.Errorf("limit %s=%d accepted", k, q)
				}
			}
		}
	})
}

func maps(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func FuzzAddressValidate(f *testing.F) {
	f.Add("170 West Tasman Drive", "", "San Jose", "CA", "95134", "US")
	f.Add("1 Yonge St", "Suite 100", "Toronto", "ON", "K1A 0B1", "CA")
	f.Add("1 George St", "", "Sydney", "NSW", "2000", "AU")
	f.Add("Sheikh Zayed Rd", "", "Dubai", "", "", "AE")
	f.Add(strings.Repeat("é", 50), strings.Repeat("東", 51), "Ville", "", "75001", "FR")
	f.Add("", "", "", "", "", "")
	f.Add("x\n", "\x7f", "\xff\xfe", "ca", "95134-1706", "us")
	f.Add("1 Main", "", "City", "California", "ABCDE", "US")
	f.Fuzz(func(t *testing.T, line1, line2, city, state, postal, country string) {
		a := tenantry.Address{Line1: line1, Line2: line2, City: city, State: state, PostalCode: postal, Country: country}
		ps := a.Validate("address")
		checkWellFormed(t, ps)
		for _, p := range ps {
			if !strings.HasPrefix(p.Field, "address.") {
				t.Errorf("problem outside the prefix: %q", p.Field)
			}
		}
		checkDeterministic(t, ps, func() []tenantry.Problem { return a.Validate("address") })

		onField := func(name string) bool {
			return slices.ContainsFunc(ps, func(p tenantry.Problem) bool { return p.Field == "address."+name })
		}
		if utf8.RuneCountInString(line1) > tenantry.MaxAddressLine && !onField("addressLine1") {
			t.Errorf("line1 of %d characters accepted", utf8.RuneCountInString(line1))
		}
		if utf8.RuneCountInString(line2) > tenantry.MaxAddressLine && !onField("addressLine2") {
			t.Errorf("line2 of %d characters accepted", utf8.RuneCountInString(line2))
		}
		if len(ps) != 0 {
			return
		}
		if !textOK(line1, tenantry.MaxAddressLine) || !textOK(city, tenantry.MaxAddressLine) {
			t.Errorf("line1 %q / city %q accepted", line1, city)
		}
		if line2 != "" && (!utf8.ValidString(line2) || utf8.RuneCountInString(line2) > tenantry.MaxAddressLine) {
			t.Errorf("line2 %q accepted", line2)
		}
		if !tenantry.IsCountry(country) {
			t.Errorf("country %q accepted", country)
		}
		if tenantry.RequiresState(country) && strings.TrimSpace(state) == "" {
			t.Errorf("no state accepted in %s", country)
		}
		if tenantry.RequiresPostalCode(country) && strings.TrimSpace(postal) == "" {
			t.Errorf("no postal code accepted in %s", country)
		}
		if utf8.RuneCountInString(postal) > 16 {
			t.Errorf("postal code %q accepted", postal)
		}
		if country == "US" {
			zip := strings.TrimSpace(postal)
			if len(zip) != 5 && len(zip) != 10 {
				t.Errorf("US ZIP %q accepted", postal)
			}
		}
	})
}

func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{
		"admin@acme.example", "a@b.c", "", "@", "a@", "@b.c", "a@b", "a@b.", "Admin <a@b.com>", `"a b"@c.com`,
		"a@[1.2.3.4]", "a@b.com (c)", "a..b@c.com", "用户@例子.广告", "a@b.com\n", strings.Repeat("a", 250) + "@b.co",
		"a@b@c.com", "a\x00@b.com", "=?utf-8?q?x?=@b.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := tenantry.ValidEmail(s)
		if ok != tenantry.ValidEmail(s) {
			t.Fatal("not deterministic")
		}
		if !ok {
			return
		}
		if len(s) > tenantry.MaxEmail {
			t.Errorf("%d bytes accepted", len(s))
		}
		if !utf8.ValidString(s) || strings.ContainsAny(s, " \t\r\n<>,;") {
			t.Errorf("%q accepted", s)
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			t.Errorf("%q accepted but parses as %v, %v", s, a, err)
		}
		at := strings.LastIndexByte(s, '@')
		if at <= 0 {
			t.Fatalf("%q accepted without a local part", s)
		}
		if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, ".") {
			t.Errorf("%q accepted with domain %q", s, domain)
		}
		// An email the helper accepts is accepted in a request.
		in := validInput()
		in.Info.PrimaryEmail = s
		checkProblems(t, in.Validate(tenantry.ModeCreate), nil)
	})
}

func FuzzTemplateValidate(f *testing.F) {
	f.Add("Standard", "US", "admin-1", "sub-1", "en", "platform", "", "", "", "", "wholesale", "", false, false)
	f.Add("Gold", "GB", "admin-1", "sub-1", "pt-BR", "saml", "https://idp.example/saml", "", "Acme Voice", "PSTN Co", "wholesale", "broadworks", true, true)
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", false, false)
	f.Add("OIDC", "se", " ", "\xff", "fr", "oidc", "", "", strings.Repeat("b", 81), "", "broadworks", "", true, false)
	f.Add("n", "XX", "a", "s", "ar", "kerberos", "e", "n", "\n", "\x00", "cloud", "wholesale", true, true)
	f.Fuzz(func(t *testing.T, name, country, admin, sub, lang, method, entityID, idpName, brand, pstn, offer1, offer2 string,
		webexToWebex, invite bool) {
		tpl := tenantry.Template{
			Name: name, Country: country, ServiceProviderAdminID: admin, SubscriptionID: sub, EmailLanguage: lang,
			Auth:      tenantry.Authentication{Method: tenantry.AuthMethod(method), IdPEntityID: entityID, IdPName: idpName},
			BrandName: brand, PSTNVendor: pstn, WebexToWebexCalling: webexToWebex, AllowAdminInviteEmails: invite,
		}
		for _, o := range []string{offer1, offer2} {
			if o != "" {
				tpl.OfferTypes = append(tpl.OfferTypes, tenantry.OfferType(o))
			}
		}
		tpl.Normalize()
		if tpl.Auth.Method == "" || len(tpl.OfferTypes) == 0 || tpl.EmailLanguage == "" {
			t.Fatalf("Normalize left a default unset: %+v", tpl)
		}
		if method == "" && tpl.Auth.Method != tenantry.AuthPlatform {
			t.Errorf("default method %q", tpl.Auth.Method)
		}
		if tpl.AllowAdminInviteEmails != invite {
			t.Error("Normalize changed AllowAdminInviteEmails")
		}
		again := tpl
		again.Normalize()
		if diff := cmp.Diff(tpl, again); diff != "" {
			t.Fatalf("Normalize not idempotent:\n%s", diff)
		}

		ps := tpl.Validate()
		checkWellFormed(t, ps)
		checkDeterministic(t, ps, tpl.Validate)
		if len(ps) != 0 {
			return
		}
		if !textOK(name, tenantry.MaxTemplateName) || !tenantry.IsCountry(country) || !textOK(admin, 255) || !textOK(sub, 255) {
			t.Errorf("accepted name %q, country %q, admin %q, subscription %q", name, country, admin, sub)
		}
		if !slices.Contains(tenantry.EmailLanguages, tpl.EmailLanguage) {
			t.Errorf("email language %q accepted", tpl.EmailLanguage)
		}
		switch tpl.Auth.Method {
		case tenantry.AuthPlatform:
		case tenantry.AuthSAML:
			if entityID == "" {
				t.Error("SAML accepted without an IdP entity id")
			}
		case tenantry.AuthOIDC:
			if idpName == "" {
				t.Error("OIDC accepted without an IdP name")
			}
		default:
			t.Errorf("method %q accepted", tpl.Auth.Method)
		}
		if tpl.WebexToWebexCalling && !tpl.OffersWebexToWebex() {
			t.Errorf("Webex-to-Webex calling accepted with %v", tpl.OfferTypes)
		}
		for _, o := range tpl.OfferTypes {
			if o != tenantry.OfferWholesale && o != tenantry.OfferBroadWorks {
				t.Errorf("offer type %q accepted", o)
			}
		}
	})
}
