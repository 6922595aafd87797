package tenantry

import (
	"slices"
	"strings"
	"time"
)

// AuthMethod is how a template's customers' users sign in (rule T3).
type AuthMethod string

// Authentication methods; platform authentication is the default.
const (
	AuthPlatform AuthMethod = "platform"
	AuthSAML     AuthMethod = "saml"
	AuthOIDC     AuthMethod = "oidc"
)

// OfferType is the kind of offer a template provisions.
type OfferType string

// Offer types. The BroadWorks-style type exists only so that a template can
// offer Webex-to-Webex calling (rule T5).
const (
	OfferWholesale  OfferType = "wholesale"
	OfferBroadWorks OfferType = "broadworks"
)

// Authentication is a template's sign-in settings.
type Authentication struct {
	Method      AuthMethod `json:"method"`
	IdPEntityID string     `json:"idpEntityId,omitempty"`
	IdPName     string     `json:"idpName,omitempty"`
}

// Template is an onboarding template: settings shared by many customers.
// Its ProvisioningID is what the API's provisioningId refers to (rule T1).
type Template struct {
	ID                     string
	PartnerID              string
	ProvisioningID         string
	Name                   string
	Country                string
	ServiceProviderAdminID string
	SubscriptionID         string
	EmailLanguage          string
	PSTNVendor             string
	Auth                   Authentication
	BrandName              string
	AllowAdminInviteEmails bool
	OfferTypes             []OfferType
	WebexToWebexCalling    bool
	Created                time.Time
	Updated                time.Time
}

// Limits on template fields.
const (
	MaxTemplateName = 80
	MaxBrandName    = 80
)

// EmailLanguages are the languages Tenantry writes email in.
var EmailLanguages = []string{"en", "pt-BR", "es", "sv", "ko", "ar"}

// Normalize fills a template's defaults: platform authentication (T3),
// admin-invite emails off (T4, the zero value), the wholesale offer type and
// English email.
func (t *Template) Normalize() {
	if t.Auth.Method == "" {
		t.Auth.Method = AuthPlatform
	}
	if len(t.OfferTypes) == 0 {
		t.OfferTypes = []OfferType{OfferWholesale}
	}
	if t.EmailLanguage == "" {
		t.EmailLanguage = "en"
	}
	if t.BrandName == "" {
		t.BrandName = t.Name
	}
}

// Validate checks rules T2 (required fields), T3 (authentication) and T5
// (Webex-to-Webex calling). Whether the admin and subscription exist, and
// whether the name is unique, is for storage to say.
func (t *Template) Validate() []Problem {
	var ps problems
	requireText(&ps, "name", t.Name, MaxTemplateName)
	switch {
	case t.Country == "":
		ps.add("country", ReasonRequired)
	case !IsCountry(t.Country):
		ps.add("country", ReasonInvalidCountry, "value", t.Country)
	}
	requireText(&ps, "serviceProviderAdminId", t.ServiceProviderAdminID, 255)
	requireText(&ps, "subscriptionId", t.SubscriptionID, 255)
	if !slices.Contains(EmailLanguages, t.EmailLanguage) {
		ps.add("emailLanguage", ReasonInvalidEnum, "value", t.EmailLanguage, "allowed", "en, pt-BR, es, sv, ko, ar")
	}
	limitText(&ps, "pstnVendor", t.PSTNVendor, 80)
	limitText(&ps, "brandName", t.BrandName, MaxBrandName)
	switch t.Auth.Method {
	case AuthPlatform:
	case AuthSAML:
		requireTextAs(&ps, "authentication.idpEntityId", t.Auth.IdPEntityID, 1024, ReasonIdPEntityIDRequired)
	case AuthOIDC:
		requireTextAs(&ps, "authentication.idpName", t.Auth.IdPName, 255, ReasonIdPNameRequired)
	default:
		ps.add("authentication.method", ReasonInvalidEnum, "value", string(t.Auth.Method), "allowed", "platform, saml, oidc")
	}
	offers := t.OfferTypes
	if !CheckEntries(&ps, "offerTypes", len(offers), 2) {
		offers = nil
	}
	for i, o := range offers {
		if o != OfferWholesale && o != OfferBroadWorks {
			ps.add("offerTypes["+itoa(i)+"]", ReasonInvalidEnum, "value", string(o), "allowed", "wholesale, broadworks")
		}
	}
	if t.WebexToWebexCalling && !t.OffersWebexToWebex() {
		ps.add("webexToWebexCalling", ReasonWebexToWebex)
	}
	return ps
}

// OffersWebexToWebex reports whether the Webex-to-Webex calling toggle is
// offered: only when both template types are selected (rule T5).
func (t *Template) OffersWebexToWebex() bool {
	return slices.Contains(t.OfferTypes, OfferWholesale) && slices.Contains(t.OfferTypes, OfferBroadWorks)
}

func requireTextAs(ps *problems, field, v string, max int, reason string) {
	if strings.TrimSpace(v) == "" {
		ps.add(field, reason)
		return
	}
	limitText(ps, field, v, max)
}
