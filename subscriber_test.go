package tenantry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
)

// validSubscriber is a create request that passes every static rule: a
// calling package with a location, a number and an extension.
func validSubscriber() *tenantry.SubscriberInput {
	return &tenantry.SubscriberInput{
		CustomerID: "cust-1", Email: "John.Andersen@acme.example", Packages: []string{"webex_calling"},
		FirstName: "John", LastName: "Andersen", PrimaryPhoneNumber: "+12025550123", Extension: "0123", LocationID: "loc-1",
	}
}

// TestSubscriberInputValidate is rules U1 and U2 (as far as the request
// alone decides them) and the name and email rules, on create.
func TestSubscriberInputValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(in *tenantry.SubscriberInput)
		want []string
	}{
		{"valid", func(in *tenantry.SubscriberInput) {}, nil},
		{"deprecated package field", func(in *tenantry.SubscriberInput) { in.Packages, in.Package = nil, "webex_calling" }, nil},
		{"meetings without any calling detail", func(in *tenantry.SubscriberInput) {
			in.Packages, in.PrimaryPhoneNumber, in.Extension, in.LocationID = []string{"webex_meetings"}, "", "", ""
		}, nil},
		{"meetings with a location", func(in *tenantry.SubscriberInput) {
			in.Packages, in.PrimaryPhoneNumber, in.Extension = []string{"webex_meetings"}, "", ""
		}, nil},
		{"contact center agent package", func(in *tenantry.SubscriberInput) {
			in.Packages, in.PrimaryPhoneNumber, in.Extension = []string{"cx_premium_agent"}, "", ""
		}, nil},
		{"number only", func(in *tenantry.SubscriberInput) { in.Extension = "" }, nil},
		{"extension only", func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = "" }, nil},
		{"add-on on top", func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_calling", "attendant_console"} }, nil},
		{"add-on first", func(in *tenantry.SubscriberInput) { in.Packages = []string{"attendant_console", "cx_essentials"} }, nil},

		// U1
		{"package and packages", func(in *tenantry.SubscriberInput) { in.Package = "webex_calling" },
			[]string{"packages: package_and_packages"}},
		{"neither package nor packages", func(in *tenantry.SubscriberInput) { in.Packages = nil },
			[]string{"packages: no_packages"}},
		{"empty packages", func(in *tenantry.SubscriberInput) { in.Packages = []string{} },
			[]string{"packages: no_packages"}},
		{"two packages", func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_calling", "webex_meetings"} },
			[]string{"packages: one_package_per_user"}},
		{"only an add-on", func(in *tenantry.SubscriberInput) { in.Packages = []string{"attendant_console"} },
			[]string{"packages: one_package_per_user"}},
		{"only an add-on, deprecated field", func(in *tenantry.SubscriberInput) { in.Packages, in.Package = nil, "attendant_console" },
			[]string{"package: one_package_per_user"}},
		{"add-on without what it needs", func(in *tenantry.SubscriberInput) {
			in.Packages, in.PrimaryPhoneNumber, in.Extension = []string{"webex_meetings", "attendant_console"}, "", ""
		}, []string{"packages[1]: package_dependency"}},
		{"unknown package", func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_calling", "webex_bogus"} },
			[]string{"packages[1]: unknown_package"}},
		{"a workspace package", func(in *tenantry.SubscriberInput) { in.Packages = []string{"common_area_calling"} },
			[]string{"packages[0]: package_not_for_users"}},
		{"an organization add-on", func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_calling", "cisco_calling_plan"} },
			[]string{"packages[1]: package_not_for_users"}},
		{"a package twice", func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_calling", "webex_calling"} },
			[]string{"packages[1]: duplicate_package"}},

		// U2
		{"calling without number or extension", func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber, in.Extension = "", "" },
			[]string{"provisioningParameters: number_or_extension_required"}},
		{"calling without location", func(in *tenantry.SubscriberInput) { in.LocationID = "" },
			[]string{"provisioningParameters.locationId: subscriber_location_required"}},
		{"calling with nothing", func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber, in.Extension, in.LocationID = "", "", "" },
			[]string{"provisioningParameters: number_or_extension_required", "provisioningParameters.locationId: subscriber_location_required"}},
		{"extension of one digit", func(in *tenantry.SubscriberInput) { in.Extension = "7" },
			[]string{"provisioningParameters.extension: invalid_extension"}},
		{"extension of eleven digits", func(in *tenantry.SubscriberInput) { in.Extension = "12345678901" },
			[]string{"provisioningParameters.extension: invalid_extension"}},
		{"extension with letters", func(in *tenantry.SubscriberInput) { in.Extension = "12a4" },
			[]string{"provisioningParameters.extension: invalid_extension"}},
		{"extension with non-ASCII digits", func(in *tenantry.SubscriberInput) { in.Extension = "١٢٣" },
			[]string{"provisioningParameters.extension: invalid_extension"}},
		{"number not E.164", func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = "202-555-0123" },
			[]string{"provisioningParameters.primaryPhoneNumber: phone_number_invalid"}},
		{"number for meetings", func(in *tenantry.SubscriberInput) { in.Packages, in.Extension = []string{"webex_meetings"}, "" },
			[]string{"provisioningParameters.primaryPhoneNumber: package_without_calling"}},
		{"extension for meetings", func(in *tenantry.SubscriberInput) {
			in.Packages, in.PrimaryPhoneNumber = []string{"webex_meetings"}, ""
		},
			[]string{"provisioningParameters.extension: package_without_calling"}},

		// The rest of the request
		{"no customer", func(in *tenantry.SubscriberInput) { in.CustomerID = " " }, []string{"customerId: required"}},
		{"no email", func(in *tenantry.SubscriberInput) { in.Email = "" }, []string{"email: required"}},
		{"bad email", func(in *tenantry.SubscriberInput) { in.Email = "John <john@acme.example>" }, []string{"email: invalid_email"}},
		{"long first name", func(in *tenantry.SubscriberInput) { in.FirstName = strings.Repeat("é", tenantry.MaxPersonName+1) },
			[]string{"provisioningParameters.firstName: too_long"}},
		{"last name at the limit", func(in *tenantry.SubscriberInput) { in.LastName = strings.Repeat("é", tenantry.MaxPersonName) }, nil},
		{"control character in a name", func(in *tenantry.SubscriberInput) { in.LastName = "An\x00dersen" },
			[]string{"provisioningParameters.lastName: forbidden_character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validSubscriber()
			tt.edit(in)
			ps := in.Validate(tenantry.ModeCreate)
			checkWellFormed(t, ps)
			checkProblems(t, ps, tt.want)
		})
	}
}

// TestSubscriberInputModes: an update needs no customer, email or package
// and leaves U2's "needs" to the result; a precheck needs an email, and
// either a customer or the template and admin of a customer to be.
func TestSubscriberInputModes(t *testing.T) {
	tests := []struct {
		name string
		mode tenantry.Mode
		in   tenantry.SubscriberInput
		want []string
	}{
		{"empty update", tenantry.ModeUpdate, tenantry.SubscriberInput{}, nil},
		{"update to calling without number", tenantry.ModeUpdate, tenantry.SubscriberInput{Package: "webex_calling"}, nil},
		{"update with both package fields", tenantry.ModeUpdate, tenantry.SubscriberInput{Package: "webex_calling", Packages: []string{"webex_calling"}},
			[]string{"packages: package_and_packages"}},
		{"update with a bad extension", tenantry.ModeUpdate, tenantry.SubscriberInput{Extension: "x"},
			[]string{"provisioningParameters.extension: invalid_extension"}},
		{"update ignores email and customer", tenantry.ModeUpdate, tenantry.SubscriberInput{Email: "not an email", CustomerID: ""}, nil},
		{"precheck of an existing customer", tenantry.ModePrecheck, tenantry.SubscriberInput{CustomerID: "c", Email: "a@b.example"}, nil},
		{"precheck of a calling user", tenantry.ModePrecheck, tenantry.SubscriberInput{CustomerID: "c", Email: "a@b.example", Package: "webex_calling"},
			[]string{"provisioningParameters: number_or_extension_required", "provisioningParameters.locationId: subscriber_location_required"}},
		{"precheck of a customer to be", tenantry.ModePrecheck,
			tenantry.SubscriberInput{ProvisioningID: "p", CustomerPrimaryEmail: "admin@b.example", Email: "a@b.example", Package: "webex_calling"}, nil},
		{"precheck with nothing", tenantry.ModePrecheck, tenantry.SubscriberInput{},
			[]string{"email: required", "provisioningId: required", "customerInfo.primaryEmail: required"}},
		{"precheck with a bad admin email", tenantry.ModePrecheck, tenantry.SubscriberInput{ProvisioningID: "p", CustomerPrimaryEmail: "x", Email: "a@b.example"},
			[]string{"customerInfo.primaryEmail: invalid_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := tt.in.Validate(tt.mode)
			checkWellFormed(t, ps)
			checkProblems(t, ps, tt.want)
		})
	}
}

// TestSubscriberApplyUpdate: what an update makes of a subscriber, and U2
// on the result.
func TestSubscriberApplyUpdate(t *testing.T) {
	calling := tenantry.Subscriber{
		ID: "s1", Package: tenantry.WebexCalling, AddOns: []tenantry.Package{tenantry.AttendantConsole},
		FirstName: "John", LocationID: "loc-1", PrimaryPhoneNumber: "+12025550123", Extension: "0123",
	}
	meetings := tenantry.Subscriber{ID: "s2", Package: tenantry.WebexMeetings, LocationID: "loc-1"}
	tests := []struct {
		name     string
		cur      tenantry.Subscriber
		in       tenantry.SubscriberInput
		want     tenantry.Subscriber
		problems []string
	}{
		{"nothing", calling, tenantry.SubscriberInput{}, calling, nil},
		{"names", calling, tenantry.SubscriberInput{FirstName: "Jon", LastName: "A"}, with(calling, func(s *tenantry.Subscriber) { s.FirstName, s.LastName = "Jon", "A" }), nil},
		{"new number", calling, tenantry.SubscriberInput{PrimaryPhoneNumber: "+12025550199"},
			with(calling, func(s *tenantry.Subscriber) { s.PrimaryPhoneNumber = "+12025550199" }), nil},
		{"package replaces the add-ons", calling, tenantry.SubscriberInput{Packages: []string{"webex_suite"}},
			with(calling, func(s *tenantry.Subscriber) { s.Package, s.AddOns = tenantry.WebexSuite, nil }), nil},
		{"to meetings drops number and extension", calling, tenantry.SubscriberInput{Package: "webex_meetings"},
			with(calling, func(s *tenantry.Subscriber) {
				s.Package, s.AddOns, s.PrimaryPhoneNumber, s.Extension = tenantry.WebexMeetings, nil, "", ""
			}), nil},
		{"to calling needs a number or extension", meetings, tenantry.SubscriberInput{Package: "webex_calling"},
			with(meetings, func(s *tenantry.Subscriber) { s.Package = tenantry.WebexCalling }),
			[]string{"provisioningParameters: number_or_extension_required"}},
		{"to calling with an extension", meetings, tenantry.SubscriberInput{Package: "webex_calling", Extension: "44"},
			with(meetings, func(s *tenantry.Subscriber) { s.Package, s.Extension = tenantry.WebexCalling, "44" }), nil},
		{"a number for meetings", meetings, tenantry.SubscriberInput{PrimaryPhoneNumber: "+12025550123"}, meetings,
			[]string{"provisioningParameters.primaryPhoneNumber: package_without_calling"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.cur
			before.AddOns = slices.Clone(tt.cur.AddOns)
			got, ps := tt.cur.ApplyUpdate(&tt.in)
			checkWellFormed(t, ps)
			checkProblems(t, ps, tt.problems)
			if tt.problems == nil {
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("updated subscriber (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(before, tt.cur, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the current subscriber changed:\n%s", diff)
			}
		})
	}
}

func with(s tenantry.Subscriber, edit func(*tenantry.Subscriber)) tenantry.Subscriber {
	s.AddOns = slices.Clone(s.AddOns)
	edit(&s)
	return s
}

// TestCheckSubscriberPackages: the customer accepts users, each package is
// one of its provisioned ones (U1), and no quantity is exceeded.
func TestCheckSubscriberPackages(t *testing.T) {
	customer := func(quantities bool, status tenantry.CustomerStatus) *tenantry.Customer {
		return &tenantry.Customer{Status: status, Quantities: quantities, Packages: []tenantry.CustomerPackage{
			{Name: tenantry.WebexCalling, Status: tenantry.PackageProvisioned, Quantity: 2},
			{Name: tenantry.AttendantConsole, Status: tenantry.PackageProvisioned, Quantity: 1},
			{Name: tenantry.WebexMeetings, Status: tenantry.PackageError, Quantity: 5},
		}}
	}
	req := func(ps ...string) []tenantry.RequestedPackage {
		out := make([]tenantry.RequestedPackage, len(ps))
		for i, p := range ps {
			out[i] = tenantry.RequestedPackage{Package: tenantry.Package(p), Field: "packages[" + string(rune('0'+i)) + "]"}
		}
		return out
	}
	full := map[tenantry.Package]int{tenantry.WebexCalling: 2, tenantry.AttendantConsole: 1}
	tests := []struct {
		name    string
		c       *tenantry.Customer
		rs      []tenantry.RequestedPackage
		usage   map[tenantry.Package]int
		held    []tenantry.Package
		code    string
		reason  string
		problem []string
	}{
		{"free", customer(true, tenantry.StatusProvisioned), req("webex_calling", "attendant_console"), map[tenantry.Package]int{tenantry.WebexCalling: 1}, nil, "", "", nil},
		{"with errors is fine", customer(true, tenantry.StatusProvisionedWithErrors), req("webex_calling"), nil, nil, "", "", nil},
		{"still provisioning", customer(true, tenantry.StatusProvisioning), req("webex_calling"), nil, nil,
			tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady, []string{"customerId: customer_not_provisioned"}},
		{"updating", customer(true, tenantry.StatusUpdating), req("webex_calling"), nil, nil,
			tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady, []string{"customerId: customer_not_provisioned"}},
		{"not the customer's", customer(true, tenantry.StatusProvisioned), req("webex_suite"), nil, nil,
			tenantry.EINVALID, tenantry.ReasonInvalidRequest, []string{"packages[0]: package_not_provisioned"}},
		{"in error", customer(true, tenantry.StatusProvisioned), req("webex_meetings"), nil, nil,
			tenantry.EINVALID, tenantry.ReasonInvalidRequest, []string{"packages[0]: package_not_provisioned"}},
		{"exhausted", customer(true, tenantry.StatusProvisioned), req("webex_calling", "attendant_console"), full, nil,
			tenantry.ECONFLICT, tenantry.ReasonQuantityExhausted,
			[]string{"packages[0]: package_quantity_exhausted", "packages[1]: package_quantity_exhausted"}},
		{"exhausted but held already", customer(true, tenantry.StatusProvisioned), req("webex_calling", "attendant_console"), full,
			[]tenantry.Package{tenantry.WebexCalling, tenantry.AttendantConsole}, "", "", nil},
		{"without quantities nothing runs out", customer(false, tenantry.StatusProvisioned), req("webex_calling"),
			map[tenantry.Package]int{tenantry.WebexCalling: 1000}, nil, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tenantry.CheckSubscriberPackages(tt.c, tt.rs, tt.usage, tt.held)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			e := tenantry.AsError(err)
			if e.Code != tt.code || e.Reason != tt.reason {
				t.Fatalf("err = %v, want %s %s", err, tt.code, tt.reason)
			}
			checkWellFormed(t, e.Problems)
			checkProblems(t, e.Problems, tt.problem)
		})
	}
}

func TestValidExtension(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "1": false, "12": true, "0123": true, "1234567890": true, "12345678901": false,
		"12 3": false, "-12": false, "+12": false, "１２": false, "12\n": false,
	} {
		if got := tenantry.ValidExtension(s); got != want {
			t.Errorf("ValidExtension(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSubscriberPackagesForUsers(t *testing.T) {
	var forUsers []tenantry.Package
	for _, p := range tenantry.Packages {
		if p.ForUsers() {
			forUsers = append(forUsers, p)
		}
	}
	// The wholesale API's WholesalePackagesSubscriber enum, in catalog order.
	want := []tenantry.Package{"webex_calling", "webex_meetings", "webex_suite", "webex_voice", "cx_essentials",
		"webex_calling_standard", "attendant_console", "cx_premium_agent", "cx_standard_agent"}
	if diff := cmp.Diff(want, forUsers); diff != "" {
		t.Errorf("packages for users (-want +got):\n%s", diff)
	}
}

// FuzzSubscriberInput feeds Validate arbitrary requests in every mode. It
// must not panic, must be deterministic, must leave the input alone, and
// every problem must be well formed; an input that passes on create must
// satisfy U1 and U2.
func FuzzSubscriberInput(f *testing.F) {
	f.Add(uint8(0), "cust-1", "john@acme.example", "", "webex_calling", "John", "Andersen", "+12025550123", "0123", "loc-1", "", "", true)
	f.Add(uint8(0), "cust-1", "john@acme.example", "webex_meetings", "", "", "", "", "", "", "", "", false)
	f.Add(uint8(0), "c", "a@b.example", "webex_calling", "webex_calling,attendant_console", "", "", "", "", "", "", "", true)
	f.Add(uint8(1), "", "", "attendant_console", "", "\xff", "", "+0", "1", "", "", "", false)
	f.Add(uint8(2), "", "a@b.example", "", "cx_essentials,attendant_console,attendant_console", "", "", "", "١٢", "", "p", "admin@b.example", true)
	f.Add(uint8(0), " ", "A <a@b.example>", "", ",,", strings.Repeat("x", 65), "", "12025550123", "12345678901", "", "", "", true)
	f.Fuzz(func(t *testing.T, mode uint8, customerID, email, pkg, pkgs, first, last, number, extension, location, provisioningID, adminEmail string, list bool) {
		m := tenantry.Mode(mode % 3)
		in := &tenantry.SubscriberInput{
			CustomerID: customerID, Email: email, Package: pkg, FirstName: first, LastName: last, PrimaryPhoneNumber: number,
			Extension: extension, LocationID: location, ProvisioningID: provisioningID, CustomerPrimaryEmail: adminEmail,
		}
		if list {
			in.Packages = strings.Split(pkgs, ",")
			if pkgs == "" {
				in.Packages = []string{}
			}
		}
		before := *in
		before.Packages = slices.Clone(in.Packages)
		ps := in.Validate(m)
		checkWellFormed(t, ps)
		checkDeterministic(t, ps, func() []tenantry.Problem { return in.Validate(m) })
		if diff := cmp.Diff(&before, in); diff != "" {
			t.Fatalf("Validate changed its input:\n%s", diff)
		}
		if len(ps) > 0 || m != tenantry.ModeCreate {
			return
		}
		rs := in.Requested()
		base, addOns := tenantry.SplitPackages(rs)
		if !base.ForUsers() || base.AddOn() || len(rs) != 1+len(addOns) {
			t.Fatalf("accepted %v: want one package for users and add-ons", rs)
		}
		if (in.Package == "") == (in.Packages == nil) {
			t.Fatalf("accepted package %q with packages %v", in.Package, in.Packages)
		}
		if !tenantry.ValidEmail(in.Email) {
			t.Fatalf("accepted email %q", in.Email)
		}
		if in.Extension != "" && !tenantry.ValidExtension(in.Extension) {
			t.Fatalf("accepted extension %q", in.Extension)
		}
		if base.Calling() && (in.LocationID == "" || (in.PrimaryPhoneNumber == "" && in.Extension == "")) {
			t.Fatalf("accepted calling user without location or number/extension: %+v", in)
		}
		if !base.Calling() && (in.PrimaryPhoneNumber != "" || in.Extension != "") {
			t.Fatalf("accepted a number or extension for %s", base)
		}
	})
}

// TestCheckManualAdd is rule U7: a manual add takes 1 to 25 users; more go
// through a CSV import.
func TestCheckManualAdd(t *testing.T) {
	if tenantry.MaxManualUsers != 25 {
		t.Fatalf("MaxManualUsers = %d, want 25 (rule U7)", tenantry.MaxManualUsers)
	}
	for _, tt := range []struct {
		n      int
		reason string // "" when accepted
		params map[string]string
	}{
		{1, "", nil},
		{24, "", nil},
		{25, "", nil},
		{26, tenantry.ReasonManualAddLimit, map[string]string{"max": "25", "count": "26"}},
		{1000, tenantry.ReasonManualAddLimit, map[string]string{"max": "25", "count": "1000"}},
		{0, tenantry.ReasonRequired, map[string]string{}},
		{-1, tenantry.ReasonRequired, map[string]string{}},
	} {
		err := tenantry.CheckManualAdd(tt.n)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("CheckManualAdd(%d) = %v, want nil", tt.n, err)
			}
			continue
		}
		e := tenantry.AsError(err)
		if err == nil || e.Code != tenantry.EINVALID || len(e.Problems) != 1 {
			t.Errorf("CheckManualAdd(%d) = %v, want one EINVALID problem", tt.n, err)
			continue
		}
		p := e.Problems[0]
		if p.Field != tenantry.FieldManualUsers || p.Reason != tt.reason || !cmp.Equal(p.Params, tt.params, cmpopts.EquateEmpty()) {
			t.Errorf("CheckManualAdd(%d): problem %+v, want %s on %s with %v", tt.n, p, tt.reason, tenantry.FieldManualUsers, tt.params)
		}
	}
}

// TestNumberLater: a precheck may leave U2's number or extension for
// later, and nothing else.
func TestNumberLater(t *testing.T) {
	in := tenantry.SubscriberInput{CustomerID: "c", Email: "a@b.example", Package: "webex_calling", NumberLater: true}
	checkProblems(t, in.Validate(tenantry.ModePrecheck), []string{"provisioningParameters.locationId: subscriber_location_required"})
	in.LocationID = "loc"
	checkProblems(t, in.Validate(tenantry.ModePrecheck), nil)
	in.Extension = "x"
	checkProblems(t, in.Validate(tenantry.ModePrecheck), []string{"provisioningParameters.extension: invalid_extension"})
	// Create ignores it: U2 holds.
	in.Extension = ""
	checkProblems(t, in.Validate(tenantry.ModeCreate), []string{"provisioningParameters: number_or_extension_required"})
}

// TestCheckManualRepeats: within one manual add, an email, a number or an
// extension given twice is a problem of the later row.
func TestCheckManualRepeats(t *testing.T) {
	ins := []*tenantry.SubscriberInput{
		{Email: "Ann@B.example", PrimaryPhoneNumber: "+14085550100", Extension: "101"},
		{Email: "bob@b.example", Extension: "102"},
		{Email: "ann@b.example ", PrimaryPhoneNumber: "+14085550100"},
		{Email: "cy@b.example", Extension: "102"},
		{Email: "", Extension: ""},
		{Email: ""},
	}
	got := map[int][]string{}
	for i, ps := range tenantry.CheckManualRepeats(ins) {
		checkWellFormed(t, ps)
		for _, p := range ps {
			got[i] = append(got[i], p.Field+": "+p.Reason+" "+p.Params["value"])
		}
	}
	want := map[int][]string{
		2: {"email: manual_email_repeated ann@b.example", "provisioningParameters.primaryPhoneNumber: manual_number_repeated +14085550100"},
		3: {"provisioningParameters.extension: manual_extension_repeated 102"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repeats (-want +got):\n%s", diff)
	}
}
