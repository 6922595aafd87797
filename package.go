package tenantry

import (
	"slices"
	"strings"
)

// Package is a wholesale package or add-on a customer can hold (rule C2).
type Package string

// The package catalog (rule C2). The order is the order of the wholesale
// API's enum, which is also the order packages are listed in.
const (
	CommonAreaCalling    Package = "common_area_calling"
	WebexCalling         Package = "webex_calling"
	WebexMeetings        Package = "webex_meetings"
	WebexSuite           Package = "webex_suite"
	WebexVoice           Package = "webex_voice"
	CXEssentials         Package = "cx_essentials"
	WebexCallingStandard Package = "webex_calling_standard"
	CiscoCallingPlan     Package = "cisco_calling_plan"
	AttendantConsole     Package = "attendant_console"
	CXPremiumAgent       Package = "cx_premium_agent"
	CXStandardAgent      Package = "cx_standard_agent"
	CXVoicePorts         Package = "cx_voice_ports"
	CXAIAssistant        Package = "cx_ai_assistant"
	WebexAIAgent         Package = "webex_ai_agent"
)

// Legacy BroadWorks-style packages. A customer that holds any of them next to
// wholesale packages is in a migration phase (rule Q8). The wholesale API
// never offers them; they arrive only with migrated organizations.
const (
	LegacyBasic    Package = "broadworks_basic"
	LegacyStandard Package = "broadworks_standard"
	LegacyPremium  Package = "broadworks_premium"
)

// Packages lists the wholesale catalog in API order.
var Packages = []Package{
	CommonAreaCalling, WebexCalling, WebexMeetings, WebexSuite, WebexVoice, CXEssentials,
	WebexCallingStandard, CiscoCallingPlan, AttendantConsole, CXPremiumAgent, CXStandardAgent,
	CXVoicePorts, CXAIAssistant, WebexAIAgent,
}

var legacyPackages = []Package{LegacyBasic, LegacyStandard, LegacyPremium}

// packageDeps is rule C3: an add-on needs at least one of these packages.
var packageDeps = map[Package][]Package{
	CiscoCallingPlan: {CommonAreaCalling, WebexCalling, WebexSuite, WebexVoice, CXEssentials, WebexCallingStandard},
	AttendantConsole: {WebexCalling, WebexSuite, CXEssentials},
}

// callingPackages need a calling location (rule C4) and, on users, a number
// or an extension (rule U2).
var callingPackages = []Package{CommonAreaCalling, WebexCalling, WebexCallingStandard, WebexSuite, WebexVoice, CXEssentials}

// Known reports whether p is in the wholesale catalog.
func (p Package) Known() bool { return slices.Contains(Packages, p) }

// Legacy reports whether p is a legacy BroadWorks-style package.
func (p Package) Legacy() bool { return slices.Contains(legacyPackages, p) }

// AddOn reports whether p comes on top of a user's one package (rule U1).
func (p Package) AddOn() bool { return p == CiscoCallingPlan || p == AttendantConsole }

// Calling reports whether p includes calling (rules C4 and U2).
func (p Package) Calling() bool { return slices.Contains(callingPackages, p) }

// TakesQuantity reports whether p can carry a quantity: packages that no user
// or workspace can hold take none (rule Q5).
func (p Package) TakesQuantity() bool { return p != CiscoCallingPlan }

// Requires lists the packages of which p needs at least one (rule C3).
func (p Package) Requires() []Package { return packageDeps[p] }

// HasCalling reports whether any of ps includes calling.
func HasCalling(ps []Package) bool { return slices.ContainsFunc(ps, Package.Calling) }

// joinPackages renders ps for a message.
func joinPackages(ps []Package) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// validatePackages checks a package set against rules C1 (at least one), C2
// (the catalog) and C3 (add-on dependencies). It returns the parsed set.
func validatePackages(field string, raw []string, ps *problems) []Package {
	if len(raw) == 0 {
		ps.add(field, ReasonNoPackages)
		return nil
	}
	if !CheckEntries(ps, field, len(raw), len(Packages)) {
		return nil
	}
	out := make([]Package, 0, len(raw))
	at := make([]int, 0, len(raw)) // each accepted package's index in the request
	for i, r := range raw {
		p := Package(r)
		f := field + "[" + itoa(i) + "]"
		switch {
		case !p.Known():
			ps.add(f, ReasonUnknownPackage, "value", r)
		case slices.Contains(out, p):
			ps.add(f, ReasonDuplicatePackage, "value", r)
		default:
			out = append(out, p)
			at = append(at, i)
		}
	}
	for i, p := range out {
		deps := p.Requires()
		if len(deps) > 0 && !slices.ContainsFunc(out, func(q Package) bool { return slices.Contains(deps, q) }) {
			ps.add(field+"["+itoa(at[i])+"]", ReasonPackageDependency, "package", string(p), "requires", joinPackages(deps))
		}
	}
	return out
}
