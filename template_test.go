package tenantry_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
)

func TestTemplateNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   tenantry.Template
		want tenantry.Template
	}{
		{"defaults",
			tenantry.Template{Name: "Gold"},
			tenantry.Template{Name: "Gold", BrandName: "Gold", EmailLanguage: "en",
				Auth:       tenantry.Authentication{Method: tenantry.AuthPlatform},
				OfferTypes: []tenantry.OfferType{tenantry.OfferWholesale}}},
		{"keeps what is set",
			tenantry.Template{Name: "Gold", BrandName: "Acme Voice", EmailLanguage: "sv", AllowAdminInviteEmails: true,
				Auth:       tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: "https://idp.example/saml"},
				OfferTypes: []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks}, WebexToWebexCalling: true},
			tenantry.Template{Name: "Gold", BrandName: "Acme Voice", EmailLanguage: "sv", AllowAdminInviteEmails: true,
				Auth:       tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: "https://idp.example/saml"},
				OfferTypes: []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks}, WebexToWebexCalling: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize (-want +got):\n%s", diff)
			}
			again := got
			again.Normalize()
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Normalize is not idempotent (-once +twice):\n%s", diff)
			}
		})
	}
}

// TestTemplateDefaults pins rules T3 and T4 on a template built the way the
// hub and the API build one: only what the partner typed, then Normalize.
func TestTemplateDefaults(t *testing.T) {
	tpl := tenantry.Template{Name: "Gold", Country: "US", ServiceProviderAdminID: "a", SubscriptionID: "s"}
	tpl.Normalize()
	if tpl.Auth.Method != tenantry.AuthPlatform {
		t.Errorf("default method = %q, want platform (T3)", tpl.Auth.Method)
	}
	if tpl.AllowAdminInviteEmails {
		t.Error("admin-invite emails on by default, want off (T4)")
	}
	if tpl.WebexToWebexCalling || tpl.OffersWebexToWebex() {
		t.Error("Webex-to-Webex calling offered with the wholesale type only (T5)")
	}
	if ps := tpl.Validate(); len(ps) != 0 {
		t.Errorf("problems: %v", fieldReasons(ps))
	}
}

func TestTemplateValidate(t *testing.T) {
	both := []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks}
	tests := []struct {
		name   string
		modify func(*tenantry.Template)
		want   []string
	}{
		{"valid", func(*tenantry.Template) {}, nil},

		// T2: required fields.
		{"name missing", func(t *tenantry.Template) { t.Name = "" }, []string{"name: required"}},
		{"name blank", func(t *tenantry.Template) { t.Name = "   " }, []string{"name: required"}},
		{"name of 80", func(t *tenantry.Template) { t.Name = strings.Repeat("n", 80) }, nil},
		{"name of 80 multi-byte", func(t *tenantry.Template) { t.Name = strings.Repeat("ñ", 80) }, nil},
		{"name of 81", func(t *tenantry.Template) { t.Name = strings.Repeat("n", 81) }, []string{"name: too_long"}},
		{"country missing", func(t *tenantry.Template) { t.Country = "" }, []string{"country: required"}},
		{"country lower case", func(t *tenantry.Template) { t.Country = "us" }, []string{"country: invalid_country"}},
		{"country XX", func(t *tenantry.Template) { t.Country = "XX" }, []string{"country: invalid_country"}},
		{"service-provider admin missing", func(t *tenantry.Template) { t.ServiceProviderAdminID = "" },
			[]string{"serviceProviderAdminId: required"}},
		{"subscription missing", func(t *tenantry.Template) { t.SubscriptionID = "" },
			[]string{"subscriptionId: required"}},
		{"subscription blank", func(t *tenantry.Template) { t.SubscriptionID = " " },
			[]string{"subscriptionId: required"}},
		{"all required missing", func(t *tenantry.Template) { *t = tenantry.Template{}; t.Normalize() },
			[]string{"name: required", "country: required", "serviceProviderAdminId: required", "subscriptionId: required"}},

		// Email language.
		{"email language pt-BR", func(t *tenantry.Template) { t.EmailLanguage = "pt-BR" }, nil},
		{"email language ar", func(t *tenantry.Template) { t.EmailLanguage = "ar" }, nil},
		{"email language fr", func(t *tenantry.Template) { t.EmailLanguage = "fr" }, []string{"emailLanguage: invalid_value"}},
		{"email language lower-case region", func(t *tenantry.Template) { t.EmailLanguage = "pt-br" }, []string{"emailLanguage: invalid_value"}},
		{"email language empty", func(t *tenantry.Template) { t.EmailLanguage = "" }, []string{"emailLanguage: invalid_value"}},

		// Free text.
		{"brand name of 81", func(t *tenantry.Template) { t.BrandName = strings.Repeat("b", 81) }, []string{"brandName: too_long"}},
		{"PSTN vendor", func(t *tenantry.Template) { t.PSTNVendor = "Acme PSTN" }, nil},
		{"PSTN vendor of 81", func(t *tenantry.Template) { t.PSTNVendor = strings.Repeat("p", 81) }, []string{"pstnVendor: too_long"}},

		// T3: authentication.
		{"platform", func(t *tenantry.Template) { t.Auth = tenantry.Authentication{Method: tenantry.AuthPlatform} }, nil},
		{"SAML with entity id", func(t *tenantry.Template) {
			t.Auth = tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: "https://idp.example/metadata"}
		}, nil},
		{"SAML without entity id", func(t *tenantry.Template) { t.Auth = tenantry.Authentication{Method: tenantry.AuthSAML} },
			[]string{"authentication.idpEntityId: idp_entity_id_required"}},
		{"SAML with only an IdP name", func(t *tenantry.Template) {
			t.Auth = tenantry.Authentication{Method: tenantry.AuthSAML, IdPName: "Okta"}
		}, []string{"authentication.idpEntityId: idp_entity_id_required"}},
		{"SAML entity id of 1025", func(t *tenantry.Template) {
			t.Auth = tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: strings.Repeat("e", 1025)}
		}, []string{"authentication.idpEntityId: too_long"}},
		{"OIDC with IdP name", func(t *tenantry.Template) {
			t.Auth = tenantry.Authentication{Method: tenantry.AuthOIDC, IdPName: "Okta"}
		}, nil},
		{"OIDC without IdP name", func(t *tenantry.Template) { t.Auth = tenantry.Authentication{Method: tenantry.AuthOIDC} },
			[]string{"authentication.idpName: idp_name_required"}},
		{"OIDC with only an entity id", func(t *tenantry.Template) {
			t.Auth = tenantry.Authentication{Method: tenantry.AuthOIDC, IdPEntityID: "https://idp.example"}
		}, []string{"authentication.idpName: idp_name_required"}},
		{"unknown method", func(t *tenantry.Template) { t.Auth.Method = "kerberos" },
			[]string{"authentication.method: invalid_value"}},
		{"method in upper case", func(t *tenantry.Template) { t.Auth.Method = "SAML" },
			[]string{"authentication.method: invalid_value"}},

		// T5: Webex-to-Webex calling needs both template types.
		{"webex-to-webex with wholesale only", func(t *tenantry.Template) { t.WebexToWebexCalling = true },
			[]string{"webexToWebexCalling: webex_to_webex_needs_both_types"}},
		{"webex-to-webex with broadworks only", func(t *tenantry.Template) {
			t.OfferTypes, t.WebexToWebexCalling = []tenantry.OfferType{tenantry.OfferBroadWorks}, true
		}, []string{"webexToWebexCalling: webex_to_webex_needs_both_types"}},
		{"webex-to-webex with both types", func(t *tenantry.Template) { t.OfferTypes, t.WebexToWebexCalling = both, true }, nil},
		{"webex-to-webex with both types reversed", func(t *tenantry.Template) {
			t.OfferTypes = []tenantry.OfferType{tenantry.OfferBroadWorks, tenantry.OfferWholesale}
			t.WebexToWebexCalling = true
		}, nil},
		{"both types without webex-to-webex", func(t *tenantry.Template) { t.OfferTypes = both }, nil},
		{"unknown offer type", func(t *tenantry.Template) {
			t.OfferTypes = []tenantry.OfferType{tenantry.OfferWholesale, "cloud"}
		}, []string{"offerTypes[1]: invalid_value"}},

		// T4: admin-invite emails may be turned on.
		{"admin-invite emails on", func(t *tenantry.Template) { t.AllowAdminInviteEmails = true }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := validTemplate()
			tt.modify(tpl)
			got := tpl.Validate()
			checkProblems(t, got, tt.want)
			checkWellFormed(t, got)
		})
	}
}

// TestTemplateValidateBlankIdP: every other required text is refused when it
// holds only spaces; an IdP entity id or name of spaces names no IdP (T3).
func TestTemplateValidateBlankIdP(t *testing.T) {
	tests := []struct {
		name string
		auth tenantry.Authentication
		want []string
	}{
		{"SAML entity id of spaces", tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: "   "},
			[]string{"authentication.idpEntityId: idp_entity_id_required"}},
		{"OIDC IdP name of spaces", tenantry.Authentication{Method: tenantry.AuthOIDC, IdPName: " "},
			[]string{"authentication.idpName: idp_name_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := validTemplate()
			tpl.Auth = tt.auth
			checkProblems(t, tpl.Validate(), tt.want)
		})
	}
}

func TestTemplateValidateParams(t *testing.T) {
	tpl := validTemplate()
	tpl.EmailLanguage = "fr"
	tpl.Country = "XX"
	got := tpl.Validate()
	want := []tenantry.Problem{
		{Field: "country", Reason: tenantry.ReasonInvalidCountry, Params: map[string]string{"value": "XX"}},
		{Field: "emailLanguage", Reason: tenantry.ReasonInvalidEnum, Params: map[string]string{"value": "fr", "allowed": "en, pt-BR, es, sv, ko, ar"}},
	}
	byField := cmpopts.SortSlices(func(a, b tenantry.Problem) bool { return a.Field < b.Field })
	if diff := cmp.Diff(want, got, byField); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestOffersWebexToWebex(t *testing.T) {
	tests := []struct {
		types []tenantry.OfferType
		want  bool
	}{
		{nil, false},
		{[]tenantry.OfferType{tenantry.OfferWholesale}, false},
		{[]tenantry.OfferType{tenantry.OfferBroadWorks}, false},
		{[]tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks}, true},
		{[]tenantry.OfferType{tenantry.OfferBroadWorks, tenantry.OfferWholesale, tenantry.OfferBroadWorks}, true},
	}
	for _, tt := range tests {
		tpl := tenantry.Template{OfferTypes: tt.types}
		if got := tpl.OffersWebexToWebex(); got != tt.want {
			t.Errorf("OffersWebexToWebex(%v) = %v, want %v", tt.types, got, tt.want)
		}
	}
}
