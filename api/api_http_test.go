package api_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

// linkRE reads one entry of an RFC 5988 Link header.
var linkRE = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="([^"]*)"`)

// links returns the Link header of r by relation.
func links(r *response) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(r.Header.Get("Link"), -1) {
		out[m[2]] = m[1]
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestCustomerLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")

		// The template is listed and readable.
		var tl struct {
			Items []templateDoc `json:"items"`
		}
		p.do(t, "GET", "/v1/wholesale/templates", nil, nil).wantStatus(t, 200).decode(t, &tl)
		if len(tl.Items) != 1 || tl.Items[0].ID != tpl.ID || tl.Items[0].ProvisioningID != tpl.ProvisioningID {
			t.Errorf("templates = %+v, want the one created", tl.Items)
		}
		var got templateDoc
		p.do(t, "GET", "/v1/wholesale/templates/"+tpl.ID, nil, nil).wantStatus(t, 200).decode(t, &got)
		if got != tpl {
			t.Errorf("template = %+v, want %+v", got, tpl)
		}

		// Create: 202, Location and {url}; the customer is visible at once.
		// Its info, region and E911 are Tenantry's fields: px asks for them.
		px := p.withExtensions()
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "lc-1", "US", "webex_calling", "webex_meetings"), "")
		c := px.getCustomer(t, id, "")
		// A read names the customer in Location, as the public document has it.
		if loc := p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 200).Header.Get("Location"); loc != en.srv.URL+"/v1/wholesale/customers/"+id {
			t.Errorf("GET customer: Location %q, want the customer's URL", loc)
		}
		if c.Status != "provisioning" && c.Status != "provisioned" {
			t.Errorf("status right after create = %q, want provisioning or provisioned", c.Status)
		}
		if c.ID != id || c.ExternalID != "lc-1" || c.CustomerInfo.PrimaryEmail != "admin@lc-1.example.com" || c.Address["country"] != "US" {
			t.Errorf("customer after create = %+v", c)
		}
		if diff := cmp.Diff([]string{"webex_calling", "webex_meetings"}, sorted(c.Packages)); diff != "" {
			t.Errorf("packages (-want +got):\n%s", diff)
		}

		// Provisioned: organization, region, E911, every package provisioned.
		c = px.waitStatus(t, id, "provisioned")
		if c.OrgID == "" {
			t.Error("provisioned customer has no orgId")
		}
		if c.DataRegion != "US" {
			t.Errorf("dataRegion = %q, want US", c.DataRegion)
		}
		if !c.E911Enabled {
			t.Error("US customer: e911Enabled = false, want true (rule U6)")
		}
		if len(c.ResourceDetails.Packages) != 2 {
			t.Errorf("resourceDetails.packages = %+v, want two", c.ResourceDetails.Packages)
		}
		for _, pk := range c.ResourceDetails.Packages {
			if pk.Status != "provisioned" || len(pk.Errors) > 0 {
				t.Errorf("package %s: status %s errors %v, want provisioned", pk.Name, pk.Status, pk.Errors)
			}
			if len(pk.LicenseIDs) != 0 {
				t.Errorf("package %s: licenseIds %v without includePackageLicenseInfo", pk.Name, pk.LicenseIDs)
			}
		}
		withLicenses := p.getCustomer(t, id, "includePackageLicenseInfo=true")
		for _, pk := range withLicenses.ResourceDetails.Packages {
			if len(pk.LicenseIDs) == 0 || pk.LicenseIDs[0] == "" {
				t.Errorf("package %s: no licenseIds with includePackageLicenseInfo=true", pk.Name)
			}
		}

		// Two more customers to list: one meetings-only, one held for review.
		id2 := p.createCustomer(t, customerBody(tpl.ProvisioningID, "lc-2", "US", "webex_meetings"), "")
		id3 := p.createCustomer(t, customerBody(tpl.ProvisioningID, "lc-3", "CU", "webex_meetings"), "")
		p.waitStatus(t, id2, "provisioned")
		p.waitStatus(t, id3, "pending_rpl_review")

		all := sorted([]string{id, id2, id3})
		filters := []struct {
			query string
			want  []string
		}{
			{"", all},
			{"externalId=lc-2", []string{id2}},
			{"externalId=nobody", nil},
			{"orgId=" + url.QueryEscape(c.OrgID), []string{id}},
			{"status=pending_rpl_review", []string{id3}},
			{"status=provisioned&status=pending_rpl_review", all},
			{"status=provisioned,pending_rpl_review", all},
			{"status=provisioned", sorted([]string{id, id2})},
			{"status=error", nil},
			{"externalId=lc-1&status=pending_rpl_review", nil},
		}
		for _, f := range filters {
			l, _ := p.listCustomers(t, f.query)
			if diff := cmp.Diff(f.want, l.ids()); diff != "" {
				t.Errorf("list ?%s (-want +got):\n%s", f.query, diff)
			}
		}

		// Paging: offset/max with a Link header.
		page1, r := p.listCustomers(t, "max=2")
		lk := links(r)
		if len(page1.Items) != 2 || lk["next"] == "" {
			t.Fatalf("first page: %d items, Link %q; want 2 and a next link", len(page1.Items), r.Header.Get("Link"))
		}
		if _, ok := lk["prev"]; ok {
			t.Errorf("first page has a prev link: %q", r.Header.Get("Link"))
		}
		next, err := url.Parse(lk["next"])
		if err != nil || next.Query().Get("offset") != "2" || next.Query().Get("max") != "2" {
			t.Errorf("next link %q: want offset=2 and max=2", lk["next"])
		}
		var page2 customerList
		r = p.do(t, "GET", lk["next"], nil, nil).wantStatus(t, 200)
		r.decode(t, &page2)
		if lk := links(r); lk["next"] != "" || lk["prev"] == "" {
			t.Errorf("last page Link %q: want a prev link and no next", r.Header.Get("Link"))
		}
		if diff := cmp.Diff(all, sorted(append(page1.ids(), page2.ids()...))); diff != "" {
			t.Errorf("pages together (-want +got):\n%s", diff)
		}
		if l, _ := p.listCustomers(t, "offset=1&max=1"); len(l.Items) != 1 || l.Items[0].ID == page1.Items[0].ID {
			t.Errorf("offset=1&max=1 = %v, want the second customer", l.ids())
		}

		// Update: the package set is replaced (rule C5).
		r = p.do(t, "PUT", "/v1/wholesale/customers/"+id, map[string]any{"packages": []string{"webex_calling", "webex_suite"}}, nil).wantStatus(t, 202)
		if acceptedID(t, en, r) != id {
			t.Errorf("PUT Location names another customer: %q", r.Header.Get("Location"))
		}
		c = p.getCustomer(t, id, "")
		switch c.Status {
		case "updating":
			if pk := c.pkg("webex_meetings"); pk == nil || pk.Status != "deleting" {
				t.Errorf("updating: webex_meetings = %+v, want deleting", pk)
			}
			if pk := c.pkg("webex_suite"); pk == nil || (pk.Status != "provisioning" && pk.Status != "provisioned") {
				t.Errorf("updating: webex_suite = %+v, want provisioning", pk)
			}
		case "provisioned":
		default:
			t.Errorf("status right after PUT = %q, want updating or provisioned", c.Status)
		}
		c = p.waitStatus(t, id, "provisioned")
		if diff := cmp.Diff([]string{"webex_calling", "webex_suite"}, sorted(c.Packages)); diff != "" {
			t.Errorf("packages after update (-want +got):\n%s", diff)
		}
		var names []string
		for _, pk := range c.ResourceDetails.Packages {
			names = append(names, pk.Name)
			if pk.Status != "provisioned" {
				t.Errorf("after update: package %s is %s", pk.Name, pk.Status)
			}
		}
		if diff := cmp.Diff([]string{"webex_calling", "webex_suite"}, sorted(names)); diff != "" {
			t.Errorf("resourceDetails after update (-want +got):\n%s", diff)
		}

		// Delete: 202, then the customer is gone.
		r = p.do(t, "DELETE", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 202)
		if len(strings.TrimSpace(string(r.Body))) != 0 {
			t.Errorf("DELETE body = %q, want none", r.Body)
		}
		p.waitGone(t, id)
		if l, _ := p.listCustomers(t, "externalId=lc-1"); len(l.Items) != 0 {
			t.Errorf("deleted customer still listed: %v", l.ids())
		}
		if l, _ := p.listCustomers(t, ""); !cmp.Equal(l.ids(), sorted([]string{id2, id3})) {
			t.Errorf("after delete, list = %v, want the other two", l.ids())
		}
	})
}

// TestProvisioningOutcomes checks the end state the background pipeline
// gives a customer by country (rules C6 and U6).
func TestProvisioningOutcomes(t *testing.T) {
	tests := []struct {
		name, country string
		pkgs          []string
		status        string
		region        string
		e911          bool
		pkgStatus     map[string]string
	}{
		{"US", "US", []string{"webex_calling", "webex_meetings"}, "provisioned", "US", true,
			map[string]string{"webex_calling": "provisioned", "webex_meetings": "provisioned"}},
		{"calling unavailable in AR", "AR", []string{"webex_calling", "webex_meetings"}, "provisioned_with_errors", "US", false,
			map[string]string{"webex_calling": "error", "webex_meetings": "provisioned"}},
		{"only calling in AR", "AR", []string{"webex_calling"}, "error", "US", false,
			map[string]string{"webex_calling": "error"}},
		{"denied party review in CU", "CU", []string{"webex_calling", "webex_meetings"}, "pending_rpl_review", "US", false,
			map[string]string{"webex_calling": "provisioning", "webex_meetings": "provisioning"}},
	}
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		ids := make([]string, len(tests))
		for i, tt := range tests {
			ids[i] = p.createCustomer(t, customerBody(tpl.ProvisioningID, "outcome-"+strings.ToLower(tt.country)+"-"+string(rune('a'+i)), tt.country, tt.pkgs...), "")
		}
		px := p.withExtensions() // region and E911 are Tenantry's fields
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := px.waitStatus(t, ids[i], tt.status)
				if c.DataRegion != tt.region {
					t.Errorf("dataRegion = %q, want %q", c.DataRegion, tt.region)
				}
				if c.E911Enabled != tt.e911 {
					t.Errorf("e911Enabled = %v, want %v", c.E911Enabled, tt.e911)
				}
				got := map[string]string{}
				for _, pk := range c.ResourceDetails.Packages {
					got[pk.Name] = pk.Status
					if pk.Status == "error" && len(pk.Errors) == 0 {
						t.Errorf("package %s is in error without an error", pk.Name)
					}
					if pk.Status != "error" && len(pk.Errors) > 0 {
						t.Errorf("package %s is %s with errors %v", pk.Name, pk.Status, pk.Errors)
					}
				}
				if diff := cmp.Diff(tt.pkgStatus, got); diff != "" {
					t.Errorf("package states (-want +got):\n%s", diff)
				}
				if tt.status == "pending_rpl_review" && c.OrgID != "" {
					t.Errorf("customer held for review got an organization %q", c.OrgID)
				}
			})
		}
	})
}

// TestCustomerValidation checks that bad customer requests are refused with
// one error per problem, each naming its field.
func TestCustomerValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A").withExtensions() // the field at fault is Tenantry's
		other := en.bootstrap(t, "Partner B")
		tpl := p.createTemplate(t, "Standard")
		otherTpl := other.createTemplate(t, "Theirs")
		valid := func() map[string]any {
			return customerBody(tpl.ProvisioningID, "valid-1", "US", "webex_calling", "webex_meetings")
		}
		// Each case is sent to create and to precheck. A precheck runs every
		// check a creation would (tenantry.CustomerService), but asks less:
		// no provisioningId or externalId, and only the admin's email of the
		// customer info. pre lists the precheck's fields when they differ
		// from the creation's; preOK means the precheck succeeds.
		tests := []struct {
			name   string
			body   map[string]any
			fields []string // every field at fault, sorted
			pre    []string
			preOK  bool
		}{
			{name: "empty body", body: map[string]any{},
				fields: []string{"address", "customerInfo", "externalId", "packages", "provisioningId"},
				pre:    []string{"address", "customerInfo.primaryEmail"}},
			{name: "no provisioningId or externalId", body: del(del(valid(), "provisioningId"), "externalId"),
				fields: []string{"externalId", "provisioningId"}, preOK: true},
			// A precheck reads an empty list as none (generated clients send one).
			{name: "no packages", body: set(valid(), "packages", []string{}), fields: []string{"packages"}, preOK: true},
			{name: "unknown and duplicate package", body: set(valid(), "packages", []string{"webex_calling", "webex_bogus", "webex_calling"}),
				fields: []string{"packages[1]", "packages[2]"}},
			{name: "address lines", body: set(set(valid(), "address.addressLine1", strings.Repeat("a", 51)), "address.city", ""),
				fields: []string{"address.addressLine1", "address.city"}},
			{name: "US address without state and postal code", body: del(del(valid(), "address.stateOrProvince"), "address.zipOrPostalCode"),
				fields: []string{"address.stateOrProvince", "address.zipOrPostalCode"}},
			{name: "unknown country", body: set(valid(), "address.country", "XX"), fields: []string{"address.country"}},
			{name: "customer info", body: set(set(valid(), "customerInfo.name", "50% Off"), "customerInfo.primaryEmail", "not an email"),
				fields: []string{"customerInfo.name", "customerInfo.primaryEmail"}},
			{name: "no customer admin", body: del(valid(), "customerInfo.primaryEmail"), fields: []string{"customerInfo.primaryEmail"}},
			{name: "calling without location (C4)", body: del(valid(), "provisioningParameters.calling"),
				fields: []string{"provisioningParameters.calling.location"}},
			{name: "bad calling location", body: set(set(valid(), "provisioningParameters.calling.location.timezone", "Mars/Olympus"),
				"provisioningParameters.calling.location.name", strings.Repeat("n", 81)),
				fields: []string{"provisioningParameters.calling.location.name", "provisioningParameters.calling.location.timezone"}},
			{name: "bad meetings time zone", body: set(valid(), "provisioningParameters.meetings.timezone", "Nowhere"),
				fields: []string{"provisioningParameters.meetings.timezone"}},
			{name: "unknown provisioningId", body: set(valid(), "provisioningId", "no-such-template"), fields: []string{"provisioningId"}},
			{name: "template of another partner (T1)", body: set(valid(), "provisioningId", otherTpl.ProvisioningID), fields: []string{"provisioningId"}},
			{name: "attendant_console needs calling (C3)", body: set(valid(), "packages", []string{"webex_voice", "attendant_console"}),
				fields: []string{"packages[1]"}},
			{name: "cisco_calling_plan alone (C3)", body: set(valid(), "packages", []string{"cisco_calling_plan"}), fields: []string{"packages[0]"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkFields(t, p.do(t, "POST", "/v1/wholesale/customers", tt.body, nil), tt.fields)
				r := p.do(t, "POST", "/v1/wholesale/customers/validate", tt.body, nil)
				switch {
				case tt.preOK:
					checkPrecheckOK(t, r.wantStatus(t, 200))
				case tt.pre != nil:
					checkFields(t, r, tt.pre)
				default:
					checkFields(t, r, tt.fields)
				}
			})
		}
		if l, _ := p.listCustomers(t, ""); len(l.Items) != 0 {
			t.Errorf("refused requests created customers: %v", l.ids())
		}

		// Duplicate external id: 409 naming externalId, on create and precheck.
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "dup", "US", "webex_meetings"), "")
		p.do(t, "POST", "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "dup", "US", "webex_meetings"), nil).wantField(t, 409, "externalId")
		p.do(t, "POST", "/v1/wholesale/customers/validate", customerBody(tpl.ProvisioningID, "dup", "US", "webex_meetings"), nil).wantField(t, 409, "externalId")
		// The same external id is free for another partner.
		other.createCustomer(t, customerBody(otherTpl.ProvisioningID, "dup", "US", "webex_meetings"), "")
	})
}

// checkFields checks that r is a 400 with exactly one error per field in
// fields, each naming its field in the description.
func checkFields(t *testing.T, r *response, fields []string) {
	t.Helper()
	if r.Status != 400 {
		t.Errorf("%s %s: status %d, want 400; body %s", r.Method, r.Path, r.Status, r.Body)
		return
	}
	e := r.errorDoc(t)
	if diff := cmp.Diff(fields, e.fields()); diff != "" {
		t.Errorf("%s %s: fields at fault (-want +got):\n%s\nbody: %s", r.Method, r.Path, diff, r.Body)
	}
	for _, x := range e.Errors {
		if !strings.Contains(x.Description, x.Field) {
			t.Errorf("%s %s: the error on %s does not name it: %q", r.Method, r.Path, x.Field, x.Description)
		}
	}
}

// TestQuantityRules checks the package quantity rules through the API.
func TestQuantityRules(t *testing.T) {
	const limits = "provisioningParameters.packages.limits"
	forEachEngine(t, func(t *testing.T, en *env) {
		// Fields at fault, warnings and quantities are Tenantry's.
		p := en.bootstrap(t, "Partner A").withExtensions()
		tpl := p.createTemplate(t, "Standard")
		body := func(ext string, lim map[string]any) map[string]any {
			b := customerBody(tpl.ProvisioningID, ext, "US", "webex_calling", "webex_meetings")
			if lim != nil {
				set(b, limits, lim)
			}
			return b
		}

		// Q1: a quantity for every package once any is given.
		p.do(t, "POST", "/v1/wholesale/customers", body("q1", map[string]any{"webex_calling": 10}), nil).
			wantField(t, 400, limits+".webex_meetings")
		// Q8: never zero.
		p.do(t, "POST", "/v1/wholesale/customers", body("q8", map[string]any{"webex_calling": 0, "webex_meetings": 5}), nil).
			wantField(t, 400, limits+".webex_calling")
		// Q4: at most the subscription's maximum.
		p.do(t, "POST", "/v1/wholesale/customers", body("q4", map[string]any{"webex_calling": 10001, "webex_meetings": 5}), nil).
			wantField(t, 400, limits+".webex_calling")
		// Q5: cisco_calling_plan takes no quantity.
		b := body("q5", map[string]any{"webex_calling": 5, "webex_meetings": 5, "cisco_calling_plan": 5})
		set(b, "packages", []string{"webex_calling", "webex_meetings", "cisco_calling_plan"})
		p.do(t, "POST", "/v1/wholesale/customers", b, nil).wantField(t, 400, limits+".cisco_calling_plan")
		// A quantity for a package the customer does not get is ignored,
		// with a warning (the reference's examples send one for every
		// package); one for a name that is no package is refused.
		var ignored struct{ Warnings []errorEntry }
		r := p.do(t, "POST", "/v1/wholesale/customers", body("qx", map[string]any{"webex_calling": 5, "webex_meetings": 5, "webex_suite": 5}), nil).wantStatus(t, 202)
		r.decode(t, &ignored)
		if len(ignored.Warnings) != 1 || ignored.Warnings[0].Field != limits+".webex_suite" {
			t.Errorf("warnings = %+v, want one on %s.webex_suite", ignored.Warnings, limits)
		}
		p.do(t, "POST", "/v1/wholesale/customers", body("qy", map[string]any{"webex_calling": 5, "webex_meetings": 5, "webex_fax": 5}), nil).
			wantField(t, 400, limits+".webex_fax")

		// A customer with quantities.
		qid := p.createCustomer(t, body("quantities", map[string]any{"webex_calling": 10, "webex_meetings": 20}), "")
		c := p.waitStatus(t, qid, "provisioned")
		if pk := c.pkg("webex_calling"); pk == nil || pk.Quantity != 10 {
			t.Errorf("webex_calling quantity: %+v, want 10", pk)
		}
		update := func(lim map[string]any) map[string]any {
			u := map[string]any{"packages": []string{"webex_calling", "webex_meetings"}}
			if lim != nil {
				set(u, limits, lim)
			}
			return u
		}
		// Q3: a lower quantity is refused.
		p.do(t, "PUT", "/v1/wholesale/customers/"+qid, update(map[string]any{"webex_calling": 5, "webex_meetings": 20}), nil).
			wantField(t, 400, limits+".webex_calling")
		// Q2: quantities can never be disabled.
		p.do(t, "PUT", "/v1/wholesale/customers/"+qid, update(nil), nil).wantField(t, 400, limits)
		// A higher quantity is accepted.
		p.do(t, "PUT", "/v1/wholesale/customers/"+qid, update(map[string]any{"webex_calling": 15, "webex_meetings": 20}), nil).wantStatus(t, 202)
		c = p.waitStatus(t, qid, "provisioned")
		if pk := c.pkg("webex_calling"); pk == nil || pk.Quantity != 15 {
			t.Errorf("webex_calling quantity after raise: %+v, want 15", pk)
		}

		// Q6: a customer created without quantities never gets them.
		fid := p.createCustomer(t, body("free", nil), "")
		p.waitStatus(t, fid, "provisioned")
		p.do(t, "PUT", "/v1/wholesale/customers/"+fid, update(map[string]any{"webex_calling": 5, "webex_meetings": 5}), nil).
			wantField(t, 400, limits)
		c = p.getCustomer(t, fid, "")
		if c.Status != "provisioned" {
			t.Errorf("refused update changed the status to %s", c.Status)
		}
	})
}

// refExample returns the request example of an operation of the reference
// document, as raw JSON exactly as the document has it.
func refExample(t *testing.T, s *specs, path, method string) json.RawMessage {
	t.Helper()
	var v any = s.refRaw
	for _, k := range []string{"paths", path, method, "requestBody", "content", "application/json", "example"} {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("reference: no request example for %s %s", method, path)
		}
		v = m[k]
	}
	if v == nil {
		t.Fatalf("reference: no request example for %s %s", method, path)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReferenceExamples sends the reference document's own request examples.
// The create and update examples carry literal quote characters inside
// their strings (`"\"US\""`), so they are invalid requests: they must be
// refused with a 4xx naming the problems, never a 5xx.
func TestReferenceExamples(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A").withExtensions() // the fields at fault are Tenantry's
		tpl := p.createTemplate(t, "Standard")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "existing", "US", "webex_calling"), "")
		p.waitStatus(t, id, "provisioned")

		create := refExample(t, en.specs, "/wholesale/customers", "post")
		update := refExample(t, en.specs, "/wholesale/customers/{customerId}", "put")
		precheck := refExample(t, en.specs, "/wholesale/customers/validate", "post")
		if !strings.Contains(string(create), `\"US\"`) {
			t.Fatalf("the create example no longer has quoted values: %s", create)
		}
		// The create example with our own provisioningId, so that what is
		// refused is the example's values, not the template.
		var withPID map[string]any
		if err := json.Unmarshal(create, &withPID); err != nil {
			t.Fatal(err)
		}
		withPID["provisioningId"] = tpl.ProvisioningID

		tests := []struct {
			name, method, path string
			body               any
			fields             []string // some of the fields that must be named
		}{
			{"create", "POST", "/v1/wholesale/customers", create, []string{"address.country", "customerInfo.primaryEmail"}},
			{"create with our provisioningId", "POST", "/v1/wholesale/customers", withPID,
				[]string{"address.country", "customerInfo.primaryEmail", "provisioningParameters.calling.location.timezone"}},
			{"update", "PUT", "/v1/wholesale/customers/" + id, update, []string{"address.country"}},
			{"precheck of the create example", "POST", "/v1/wholesale/customers/validate", create, []string{"address.country"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := p.do(t, tt.method, tt.path, tt.body, nil)
				if r.Status < 400 || r.Status >= 500 {
					t.Fatalf("status %d, want a 4xx; body %s", r.Status, r.Body)
				}
				got := r.errorDoc(t).fields()
				for _, f := range tt.fields {
					if !slices.Contains(got, f) {
						t.Errorf("no error on %s; errors on %v", f, got)
					}
				}
			})
		}
		if l, _ := p.listCustomers(t, ""); len(l.Items) != 1 {
			t.Errorf("refused examples created customers: %v", l.ids())
		}
		if c := p.getCustomer(t, id, ""); c.Status != "provisioned" || !cmp.Equal(c.Packages, []string{"webex_calling"}) {
			t.Errorf("refused update changed the customer: %+v", c)
		}

		// The precheck example has no quotes: it is the "address and admin
		// email" variant of a precheck, and a valid one.
		r := p.do(t, "POST", "/v1/wholesale/customers/validate", precheck, nil).wantStatus(t, 200)
		checkPrecheckOK(t, r)
	})
}

// checkPrecheckOK checks a successful precheck's body.
func checkPrecheckOK(t *testing.T, r *response) {
	t.Helper()
	var ok struct {
		Message string `json:"message"`
		Info    []struct {
			InfoCode    *int   `json:"infoCode"`
			Description string `json:"description"`
		} `json:"info"`
	}
	r.decode(t, &ok)
	if ok.Message != "success" || len(ok.Info) != 1 || ok.Info[0].InfoCode == nil || *ok.Info[0].InfoCode != api.PrecheckInfoCode || ok.Info[0].Description == "" {
		t.Errorf("precheck body = %s, want success with infoCode 100", r.Body)
	}
}

func TestPrecheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		full := customerBody(tpl.ProvisioningID, "pre-1", "US", "webex_calling", "webex_meetings")
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"full request", full, 200, ""},
			{"address and admin email", map[string]any{"address": address("US"), "customerInfo": map[string]any{"primaryEmail": "a@b.example.com"}}, 200, ""},
			{"no address", map[string]any{"customerInfo": map[string]any{"primaryEmail": "a@b.example.com"}}, 400, "address"},
			{"no admin email", map[string]any{"address": address("US")}, 400, "customerInfo.primaryEmail"},
			{"bad state", set(customerBody(tpl.ProvisioningID, "pre-2", "US", "webex_meetings"), "address.stateOrProvince", "ZZ"), 400, "address.stateOrProvince"},
			{"unknown template", set(customerBody("nope", "pre-3", "US", "webex_meetings"), "provisioningId", "nope"), 400, "provisioningId"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := p.do(t, "POST", "/v1/wholesale/customers/validate", tt.body, nil)
				if tt.status == 200 {
					checkPrecheckOK(t, r.wantStatus(t, 200))
					return
				}
				// The field at fault is Tenantry's.
				p.withExtensions().do(t, "POST", "/v1/wholesale/customers/validate", tt.body, nil).wantField(t, tt.status, tt.field)
				if e := r.wantStatus(t, tt.status).errorDoc(t); len(e.fields()) != 1 || e.fields()[0] != "" {
					t.Errorf("without the preference, errors name fields: %s", r.Body)
				}
			})
		}
		// The success is worded in the caller's language.
		var ok struct {
			Info []struct{ Description string }
		}
		p.do(t, "POST", "/v1/wholesale/customers/validate", full, map[string]string{"Accept-Language": "ko"}).wantStatus(t, 200).decode(t, &ok)
		if len(ok.Info) != 1 || ok.Info[0].Description != en.tr.Message("ko", tenantry.ReasonPrecheckOK, nil) ||
			ok.Info[0].Description == en.tr.Message("en", tenantry.ReasonPrecheckOK, nil) {
			t.Errorf("Korean precheck = %+v, want the Korean sentence", ok.Info)
		}
		// A precheck writes nothing.
		if l, _ := p.listCustomers(t, ""); len(l.Items) != 0 {
			t.Errorf("precheck created customers: %v", l.ids())
		}
		p.createCustomer(t, full, "")
	})
}

func TestAuth(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		// A partner whose token only reads, changed before it is ever used
		// (tokens are cached in memory once seen).
		reader := en.bootstrap(t, "Reader")
		q := `UPDATE api_tokens SET scopes = 'spark-admin:wholesale_customers_read' WHERE partner_id = ?`
		if en.engine == "postgres" {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := en.db.SQL().ExecContext(context.Background(), q, reader.ID); err != nil {
			t.Fatal(err)
		}
		body := customerBody(tpl.ProvisioningID, "auth-1", "US", "webex_meetings")

		tests := []struct {
			name          string
			method, path  string
			token         string
			authorization string // sent as is when set
			body          any
			status        int
		}{
			{"no token", "GET", "/v1/wholesale/customers", "", "", nil, 401},
			{"no token on create", "POST", "/v1/wholesale/customers", "", "", body, 401},
			{"unknown token", "GET", "/v1/wholesale/customers", "tnt_" + strings.Repeat("A", 43), "", nil, 401},
			{"garbage token", "GET", "/v1/partner/admins", "not-a-token", "", nil, 401},
			{"basic auth", "GET", "/v1/wholesale/customers", "", "Basic dXNlcjpwYXNz", nil, 401},
			{"empty bearer", "GET", "/v1/wholesale/templates", "", "Bearer ", nil, 401},
			{"read scope reads", "GET", "/v1/wholesale/customers", reader.Token, "", nil, 200},
			{"read scope cannot create", "POST", "/v1/wholesale/customers", reader.Token, "", body, 403},
			{"read scope cannot precheck", "POST", "/v1/wholesale/customers/validate", reader.Token, "", body, 403},
			{"read scope cannot create templates", "POST", "/v1/wholesale/templates", reader.Token, "", reader.templateBody("T"), 403},
			{"full token", "GET", "/v1/wholesale/customers", p.Token, "", nil, 200},
			// RFC 7235 §2.1: the authentication scheme is case-insensitive.
			{"lower-case scheme", "GET", "/v1/wholesale/customers", "", "bearer " + p.Token, nil, 200},
			{"upper-case scheme", "GET", "/v1/wholesale/customers", "", "BEARER " + p.Token, nil, 200},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var h map[string]string
				if tt.authorization != "" {
					h = map[string]string{"Authorization": tt.authorization}
				}
				r := en.do(t, tt.method, tt.path, tt.token, tt.body, h).wantStatus(t, tt.status)
				if tt.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without a Bearer challenge: %q", r.Header.Get("WWW-Authenticate"))
				}
				if tt.status == 403 && !strings.Contains(r.errorDoc(t).Message, "spark-admin:wholesale_customers_write") {
					t.Errorf("403 does not name the missing scope: %s", r.Body)
				}
			})
		}

		// The API's own document needs no token.
		r := en.do(t, "GET", "/v1/openapi.json", "", nil, nil).wantStatus(t, 200)
		if string(r.Body) != string(api.Document) {
			t.Error("GET /v1/openapi.json is not the embedded document")
		}
		var doc struct {
			OpenAPI string `json:"openapi"`
			Servers []struct {
				URL string `json:"url"`
			} `json:"servers"`
		}
		r.decode(t, &doc)
		if doc.OpenAPI != "3.0.3" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/v1" {
			t.Errorf("document: openapi %q servers %v", doc.OpenAPI, doc.Servers)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		other := en.bootstrap(t, "Partner B")
		tpl := p.createTemplate(t, "Standard")
		otherTpl := other.createTemplate(t, "Standard")
		body := customerBody(tpl.ProvisioningID, "idem-1", "US", "webex_meetings")
		key := map[string]string{"Idempotency-Key": "order-1"}

		first := p.do(t, "POST", "/v1/wholesale/customers", body, key).wantStatus(t, 202)
		second := p.do(t, "POST", "/v1/wholesale/customers", body, key).wantStatus(t, 202)
		if string(first.Body) != string(second.Body) || first.Header.Get("Location") != second.Header.Get("Location") {
			t.Errorf("replay differs:\nfirst  %s %s\nsecond %s %s", first.Header.Get("Location"), first.Body, second.Header.Get("Location"), second.Body)
		}
		if second.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay has no Idempotent-Replayed header")
		}
		// The same key asking for Tenantry's fields asks for another
		// answer than the one stored: refused, never replayed.
		p.do(t, "POST", "/v1/wholesale/customers", body, map[string]string{"Idempotency-Key": "order-1", "Prefer": api.PreferExtensions}).wantStatus(t, 422)
		id := acceptedID(t, en, first)
		if l, _ := p.listCustomers(t, "externalId=idem-1"); !cmp.Equal(l.ids(), []string{id}) {
			t.Errorf("customers with idem-1 = %v, want only %s", l.ids(), id)
		}

		// The same key with another body is refused.
		changed := customerBody(tpl.ProvisioningID, "idem-2", "US", "webex_meetings")
		p.do(t, "POST", "/v1/wholesale/customers", changed, key).wantStatus(t, 422)
		if l, _ := p.listCustomers(t, "externalId=idem-2"); len(l.Items) != 0 {
			t.Errorf("refused replay created %v", l.ids())
		}
		// Keys belong to a partner: another partner may use the same one.
		other.do(t, "POST", "/v1/wholesale/customers", customerBody(otherTpl.ProvisioningID, "idem-1", "US", "webex_meetings"), key).wantStatus(t, 202)

		// A refused request is replayed as refused, and creates nothing later.
		bad := set(customerBody(tpl.ProvisioningID, "idem-bad", "US", "webex_meetings"), "address.country", "XX")
		badKey := map[string]string{"Idempotency-Key": "order-bad"}
		b1 := p.do(t, "POST", "/v1/wholesale/customers", bad, badKey).wantStatus(t, 400)
		b2 := p.do(t, "POST", "/v1/wholesale/customers", bad, badKey).wantStatus(t, 400)
		if string(b1.Body) != string(b2.Body) {
			t.Errorf("replayed error differs:\n%s\n%s", b1.Body, b2.Body)
		}

		// Idempotency keys are honoured on template creation too.
		tk := map[string]string{"Idempotency-Key": "tpl-1"}
		t1 := p.do(t, "POST", "/v1/wholesale/templates", p.templateBody("Second"), tk).wantStatus(t, 201)
		t2 := p.do(t, "POST", "/v1/wholesale/templates", p.templateBody("Second"), tk).wantStatus(t, 201)
		if string(t1.Body) != string(t2.Body) || t1.Header.Get("Location") != t2.Header.Get("Location") {
			t.Errorf("template replay differs:\n%s\n%s", t1.Body, t2.Body)
		}

		// A key longer than 255 characters is refused.
		p.withExtensions().do(t, "POST", "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "idem-long", "US", "webex_meetings"),
			map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}).wantField(t, 400, "Idempotency-Key")

		// Without a key, two requests are two customers.
		a := p.createCustomer(t, customerBody(tpl.ProvisioningID, "nokey-1", "US", "webex_meetings"), "")
		b := p.createCustomer(t, customerBody(tpl.ProvisioningID, "nokey-2", "US", "webex_meetings"), "")
		if a == b {
			t.Errorf("two creations without a key gave one customer %s", a)
		}
		if l, _ := p.listCustomers(t, ""); !cmp.Equal(l.ids(), sorted([]string{id, a, b})) {
			t.Errorf("customers = %v, want %v", l.ids(), sorted([]string{id, a, b}))
		}
	})
}

func TestSubPartners(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		ctx := context.Background()
		p := en.bootstrap(t, "Partner A")
		other := en.bootstrap(t, "Partner B")
		tpl := p.createTemplate(t, "Standard")
		sp, err := en.db.CreateSubPartner(ctx, p.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		otherSP, err := en.db.CreateSubPartner(ctx, other.ID, "Their Reseller")
		if err != nil {
			t.Fatal(err)
		}

		type subPartner struct {
			OrgID, Name, SubscriptionID, ProvisioningState string
		}
		px := p.withExtensions()
		listSubs := func(query string) []subPartner {
			var l struct{ Items, SubPartners []subPartner }
			px.do(t, "GET", withQuery("/v1/wholesale/subPartners", query), nil, nil).wantStatus(t, 200).decode(t, &l)
			// The reference's schema says items, its example subPartners:
			// both carry the same page.
			if l.Items == nil || !cmp.Equal(l.Items, l.SubPartners) {
				t.Errorf("items %v and subPartners %v differ", l.Items, l.SubPartners)
			}
			// Without Tenantry's fields, the same page without names.
			var plain struct{ Items, SubPartners []subPartner }
			p.do(t, "GET", withQuery("/v1/wholesale/subPartners", query), nil, nil).wantStatus(t, 200).decode(t, &plain)
			for i := range l.Items {
				l.Items[i].Name = ""
			}
			if !cmp.Equal(plain.Items, l.Items) || !cmp.Equal(plain.SubPartners, l.Items) {
				t.Errorf("without the preference: items %v, subPartners %v; want %v in both", plain.Items, plain.SubPartners, l.Items)
			}
			for i := range l.SubPartners {
				l.SubPartners[i].Name = ""
			}
			return l.Items
		}
		want := []subPartner{{OrgID: sp.ID, SubscriptionID: sp.SubscriptionID, ProvisioningState: "active"}}
		if diff := cmp.Diff(want, listSubs("")); diff != "" {
			t.Errorf("sub-partners (-want +got):\n%s", diff)
		}
		if got := listSubs("provisioningState=suspended"); len(got) != 0 {
			t.Errorf("suspended sub-partners = %v, want none", got)
		}
		px.do(t, "GET", "/v1/wholesale/subPartners?provisioningState=paused", nil, nil).wantField(t, 400, "provisioningState")

		// A customer on behalf of the sub-partner, from the partner's template.
		obo := "onBehalfOfSubPartnerOrgId=" + url.QueryEscape(sp.ID)
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "sub-1", "US", "webex_meetings"), obo)
		p.waitStatus(t, id, "provisioned", obo)
		own := p.createCustomer(t, customerBody(tpl.ProvisioningID, "own-1", "US", "webex_meetings"), "")
		// Visible only on the sub-partner's behalf.
		p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 404)
		if l, _ := p.listCustomers(t, ""); !cmp.Equal(l.ids(), []string{own}) {
			t.Errorf("partner's own list = %v, want only %s", l.ids(), own)
		}
		if l, _ := p.listCustomers(t, obo); !cmp.Equal(l.ids(), []string{id}) {
			t.Errorf("sub-partner's list = %v, want only %s", l.ids(), id)
		}

		// An id that is not one of the partner's sub-partners.
		for _, bad := range []string{"no-such-org", otherSP.ID, other.ID, p.ID} {
			q := "onBehalfOfSubPartnerOrgId=" + url.QueryEscape(bad)
			px.do(t, "POST", withQuery("/v1/wholesale/customers", q), customerBody(tpl.ProvisioningID, "sub-bad", "US", "webex_meetings"), nil).
				wantField(t, 400, "onBehalfOfSubPartnerOrgId")
			px.do(t, "GET", withQuery("/v1/wholesale/customers", q), nil, nil).wantField(t, 400, "onBehalfOfSubPartnerOrgId")
		}

		// Suspended: no create, update or precheck; delete still works.
		if err := en.db.SetSubPartnerState(ctx, p.ID, sp.ID, "suspended"); err != nil {
			t.Fatal(err)
		}
		if got := listSubs("provisioningState=suspended"); len(got) != 1 || got[0].OrgID != sp.ID {
			t.Errorf("suspended sub-partners = %v, want %s", got, sp.ID)
		}
		p.do(t, "POST", withQuery("/v1/wholesale/customers", obo), customerBody(tpl.ProvisioningID, "sub-2", "US", "webex_meetings"), nil).wantStatus(t, 403)
		p.do(t, "POST", withQuery("/v1/wholesale/customers/validate", obo), customerBody(tpl.ProvisioningID, "sub-2", "US", "webex_meetings"), nil).wantStatus(t, 403)
		p.do(t, "PUT", withQuery("/v1/wholesale/customers/"+id, obo), map[string]any{"packages": []string{"webex_meetings", "webex_suite"}}, nil).wantStatus(t, 403)
		p.do(t, "DELETE", withQuery("/v1/wholesale/customers/"+id, obo), nil, nil).wantStatus(t, 202)
		p.waitGone(t, id, obo)
		// The partner itself is not suspended.
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "own-2", "US", "webex_meetings"), "")
	})
}

func TestPartnerAdminsAndSubscriptions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		other := en.bootstrap(t, "Partner B")
		var admins struct {
			Items []struct{ ID, Email, Role, Language string }
		}
		p.do(t, "GET", "/v1/partner/admins", nil, nil).wantStatus(t, 200).decode(t, &admins)
		if len(admins.Items) != 1 || admins.Items[0].ID != p.AdminID || admins.Items[0].Email != p.AdminEmail || admins.Items[0].Role != "full_admin" {
			t.Errorf("admins = %+v, want the bootstrapped admin %s", admins.Items, p.AdminID)
		}
		var subs struct {
			Items []struct {
				ID, Name    string
				MaxQuantity int
			}
		}
		p.do(t, "GET", "/v1/partner/subscriptions", nil, nil).wantStatus(t, 200).decode(t, &subs)
		if len(subs.Items) != 1 || subs.Items[0].ID != p.SubscriptionID || subs.Items[0].MaxQuantity <= 0 {
			t.Errorf("subscriptions = %+v, want the bootstrapped one %s", subs.Items, p.SubscriptionID)
		}
		other.do(t, "GET", "/v1/partner/admins", nil, nil).wantStatus(t, 200).decode(t, &admins)
		if len(admins.Items) != 1 || admins.Items[0].ID != other.AdminID {
			t.Errorf("other partner's admins = %+v, want only %s", admins.Items, other.AdminID)
		}
	})
}

// TestCustomerConflicts checks requests that clash with the state of a
// customer or with each other.
func TestCustomerConflicts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")

		// A customer held for review is busy: no update, but it can go.
		held := p.createCustomer(t, customerBody(tpl.ProvisioningID, "held", "CU", "webex_meetings"), "")
		p.waitStatus(t, held, "pending_rpl_review")
		r := p.do(t, "PUT", "/v1/wholesale/customers/"+held, map[string]any{"packages": []string{"webex_meetings", "webex_suite"}}, nil).wantStatus(t, 409)
		if e := r.errorDoc(t); e.Errors[0].ErrorCode != api.ErrorCodeOf(tenantry.ReasonCustomerBusy) {
			t.Errorf("update of a held customer: %s, want customer_busy", r.Body)
		}
		p.do(t, "DELETE", "/v1/wholesale/customers/"+held, nil, nil).wantStatus(t, 202)
		p.waitGone(t, held)
		// Its external id is free again.
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "held", "US", "webex_meetings"), "")

		// An update may not take another customer's external id.
		one := p.createCustomer(t, customerBody(tpl.ProvisioningID, "one", "US", "webex_meetings"), "")
		two := p.createCustomer(t, customerBody(tpl.ProvisioningID, "two", "US", "webex_meetings"), "")
		p.waitStatus(t, one, "provisioned")
		p.waitStatus(t, two, "provisioned")
		p.withExtensions().do(t, "PUT", "/v1/wholesale/customers/"+two, map[string]any{"externalId": "one", "packages": []string{"webex_meetings"}}, nil).
			wantField(t, 409, "externalId")
		if c := p.getCustomer(t, two, ""); c.ExternalID != "two" || c.Status != "provisioned" {
			t.Errorf("refused update changed the customer: %+v", c)
		}
		// An update may rename it to a free one.
		p.do(t, "PUT", "/v1/wholesale/customers/"+two, map[string]any{"externalId": "deux", "packages": []string{"webex_meetings"}}, nil).wantStatus(t, 202)
		if c := p.waitStatus(t, two, "provisioned"); c.ExternalID != "deux" {
			t.Errorf("externalId after rename = %q, want deux", c.ExternalID)
		}

		// Attaching an existing organization: no customer info needed, the
		// organization is kept, and it cannot be attached twice.
		attach := func(ext string) map[string]any {
			b := customerBody(tpl.ProvisioningID, ext, "US", "webex_meetings")
			delete(b, "customerInfo")
			b["orgId"] = "existing-org-1"
			return b
		}
		aid := p.createCustomer(t, attach("attach-1"), "")
		if c := p.waitStatus(t, aid, "provisioned"); c.OrgID != "existing-org-1" {
			t.Errorf("attached customer orgId = %q, want existing-org-1", c.OrgID)
		}
		px := p.withExtensions() // the field at fault is Tenantry's
		px.do(t, "POST", "/v1/wholesale/customers/validate", set(attach("attach-2"), "customerInfo.primaryEmail", "a@b.example.com"), nil).wantField(t, 409, "orgId")
		px.do(t, "POST", "/v1/wholesale/customers", attach("attach-2"), nil).wantField(t, 409, "orgId")

		// Concurrent creations with one external id: one wins, the rest
		// conflict; never a server error, never two customers.
		const n = 6
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = p.do(t, "POST", "/v1/wholesale/customers", customerBody(tpl.ProvisioningID, "race", "US", "webex_meetings"), nil).Status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != 202 || slices.Contains(statuses[1:], 202) || slices.ContainsFunc(statuses[1:], func(s int) bool { return s != 409 }) {
			t.Errorf("concurrent creations of one external id: %v, want one 202 and the rest 409", statuses)
		}
		if l, _ := p.listCustomers(t, "externalId=race"); len(l.Items) != 1 {
			t.Errorf("customers with external id race: %v, want one", l.ids())
		}

		// Concurrent retries with one Idempotency-Key: one customer, and
		// every answer is the first one or a conflict while it runs.
		key := map[string]string{"Idempotency-Key": "race-key"}
		body := customerBody(tpl.ProvisioningID, "race-key", "US", "webex_meetings")
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = p.do(t, "POST", "/v1/wholesale/customers", body, key).Status
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 202 && s != 409 {
				t.Errorf("concurrent retries with one key: %v, want 202s and 409s", statuses)
				break
			}
		}
		if l, _ := p.listCustomers(t, "externalId=race-key"); len(l.Items) != 1 {
			t.Errorf("customers from one key: %v, want one", l.ids())
		}
		p.do(t, "POST", "/v1/wholesale/customers", body, key).wantStatus(t, 202)
	})
}

// TestTemplates checks the template operations Tenantry adds to the
// wholesale API.
func TestTemplates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		other := p.createTemplate(t, "Other")

		var full struct {
			templateDoc
			Country                string `json:"country"`
			EmailLanguage          string `json:"emailLanguage"`
			BrandName              string `json:"brandName"`
			AllowAdminInviteEmails *bool  `json:"allowAdminInviteEmails"`
			OfferTypes             []string
			Authentication         struct{ Method, IdpEntityID, IdpName string }
		}
		p.do(t, "GET", "/v1/wholesale/templates/"+tpl.ID, nil, nil).wantStatus(t, 200).decode(t, &full)
		// Defaults: platform authentication (T3), no admin-invite emails
		// (T4), the wholesale offer, English, the name as brand.
		if full.Authentication.Method != "platform" || full.AllowAdminInviteEmails == nil || *full.AllowAdminInviteEmails ||
			!cmp.Equal(full.OfferTypes, []string{"wholesale"}) || full.EmailLanguage != "en" || full.BrandName != "Standard" {
			t.Errorf("template defaults: %+v", full)
		}

		// Update: settings change, the ids stay.
		upd := set(set(p.templateBody("Standard Plus"), "emailLanguage", "sv"), "authentication", map[string]any{"method": "saml", "idpEntityId": "urn:idp:example"})
		set(upd, "offerTypes", []string{"wholesale", "broadworks"})
		set(upd, "webexToWebexCalling", true)
		var after templateDoc
		p.do(t, "PUT", "/v1/wholesale/templates/"+tpl.ID, upd, nil).wantStatus(t, 200).decode(t, &after)
		if after.ID != tpl.ID || after.ProvisioningID != tpl.ProvisioningID || after.Name != "Standard Plus" {
			t.Errorf("after update: %+v, want the same ids and the new name", after)
		}
		p.do(t, "GET", "/v1/wholesale/templates/"+tpl.ID, nil, nil).wantStatus(t, 200).decode(t, &full)
		if full.Name != "Standard Plus" || full.EmailLanguage != "sv" || full.Authentication.Method != "saml" || full.Authentication.IdpEntityID != "urn:idp:example" {
			t.Errorf("template after update: %+v", full)
		}
		// The provisioning id still provisions.
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "after-update", "US", "webex_meetings"), "")

		// A name another template has (in any case) is taken.
		p.do(t, "PUT", "/v1/wholesale/templates/"+tpl.ID, p.templateBody("OTHER"), nil).wantField(t, 409, "name")
		p.do(t, "POST", "/v1/wholesale/templates", p.templateBody(" other "), nil).wantField(t, 409, "name")
		// OIDC needs the IdP's name (T3).
		p.do(t, "POST", "/v1/wholesale/templates", set(p.templateBody("OIDC"), "authentication", map[string]any{"method": "oidc"}), nil).
			wantField(t, 400, "authentication.idpName")
		p.do(t, "PUT", "/v1/wholesale/templates/"+other.ID, set(p.templateBody("Other"), "emailLanguage", "de"), nil).wantField(t, 400, "emailLanguage")
		p.do(t, "PUT", "/v1/wholesale/templates/nothing", p.templateBody("Nothing"), nil).wantStatus(t, 404)

		// Paging of templates.
		var page struct{ Items []templateDoc }
		r := p.do(t, "GET", "/v1/wholesale/templates?max=1", nil, nil).wantStatus(t, 200)
		r.decode(t, &page)
		if len(page.Items) != 1 || links(r)["next"] == "" {
			t.Errorf("templates?max=1: %d items, Link %q", len(page.Items), r.Header.Get("Link"))
		}
	})
}
