package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// subFixture is a fixture with a provisioned customer whose headquarters
// has numbers in its inventory.
type subFixture struct {
	*fixture
	tpl  *tenantry.Template
	cust *tenantry.Customer
	hq   string // the headquarters location's id
}

// Numbers of the headquarters' inventory.
var hqNumbers = []string{"+14085550100", "+14085550101", "+14085550102"}

func newSubFixture(t *testing.T, e sqldbtest.Engine) *subFixture {
	t.Helper()
	f := &subFixture{fixture: newFixture(t, e)}
	f.tpl = f.template(t, "Standard")
	f.cust, f.hq = f.customerWith(t, "ext-1", nil, "webex_calling", "webex_meetings", "attendant_console")
	f.addNumbers(t, f.cust.ID, f.hq, hqNumbers...)
	return f
}

// customerWith provisions a customer with pkgs (and quantities, when
// limits is set) and returns it with its headquarters location's id.
func (f *subFixture) customerWith(t *testing.T, ext string, limits map[string]int, pkgs ...string) (*tenantry.Customer, string) {
	t.Helper()
	ctx := t.Context()
	in := customerInput(f.tpl, ext)
	in.Packages, in.Limits = pkgs, limits
	c, err := f.db.CreateCustomer(ctx, f.actor, in)
	if err != nil {
		t.Fatalf("create customer %s: %v", ext, err)
	}
	if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
		t.Fatalf("provision %s: %v", ext, err)
	}
	c = f.get(t, c.ID)
	if c.Status != tenantry.StatusProvisioned {
		t.Fatalf("customer %s is %s", ext, c.Status)
	}
	var hq string
	if err := f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT id FROM locations WHERE customer_id = ? AND headquarters = 1`), c.ID).Scan(&hq); err != nil {
		t.Fatalf("headquarters of %s: %v", ext, err)
	}
	return c, hq
}

func (f *subFixture) addNumbers(t *testing.T, customerID, locationID string, numbers ...string) {
	t.Helper()
	if _, err := f.db.AddNumbers(t.Context(), f.actor, customerID, locationID, &tenantry.NumbersInput{PhoneNumbers: numbers}); err != nil {
		t.Fatalf("add numbers %v: %v", numbers, err)
	}
}

// branch adds a location to the fixture's customer.
func (f *subFixture) branch(t *testing.T, name string) string {
	t.Helper()
	l, err := f.db.CreateLocation(t.Context(), f.actor, f.cust.ID, &tenantry.LocationInput{
		Name: name, Address: usAddress(), TimeZone: "America/Los_Angeles", Language: "en_us",
	})
	if err != nil {
		t.Fatalf("create location %s: %v", name, err)
	}
	return l.ID
}

// input is a valid request for a calling user of the fixture's customer.
func (f *subFixture) input(email, number, extension string) *tenantry.SubscriberInput {
	return &tenantry.SubscriberInput{
		CustomerID: f.cust.ID, Email: email, Packages: []string{"webex_calling"}, FirstName: "Ada", LastName: "Lovelace",
		PrimaryPhoneNumber: number, Extension: extension, LocationID: f.hq,
	}
}

func (f *subFixture) create(t *testing.T, in *tenantry.SubscriberInput) *tenantry.Subscriber {
	t.Helper()
	s, err := f.db.CreateSubscriber(t.Context(), f.actor, in)
	if err != nil {
		t.Fatalf("create subscriber %s: %v", in.Email, err)
	}
	return s
}

// number returns the state of a number and the subscriber holding it.
func number(t *testing.T, db *sqldb.DB, n string) (string, string) {
	t.Helper()
	var state string
	var holder *string
	if err := db.SQL().QueryRowContext(t.Context(), rebind(db, `SELECT state, subscriber_id FROM phone_numbers WHERE phone_number = ?`), n).Scan(&state, &holder); err != nil {
		t.Fatalf("number %s: %v", n, err)
	}
	if holder == nil {
		return state, ""
	}
	return state, *holder
}

func wantNumber(t *testing.T, db *sqldb.DB, n, state, holder string) {
	t.Helper()
	if gotState, gotHolder := number(t, db, n); gotState != state || gotHolder != holder {
		t.Errorf("number %s: %s held by %q, want %s held by %q", n, gotState, gotHolder, state, holder)
	}
}

// TestCreateSubscriber: a calling user gets its number from the inventory
// and is provisioned at once; reading it back gives what creation returned;
// the write is in the audit log.
func TestCreateSubscriber(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		in := f.input("Ada.Lovelace@Contoso.example", hqNumbers[0], "100")
		in.Packages = []string{"webex_calling", "attendant_console"}
		s := f.create(t, in)

		want := &tenantry.Subscriber{
			ID: s.ID, CustomerID: f.cust.ID, PartnerID: f.boot.Partner.ID, ExternalCustomerID: "ext-1", Email: "ada.lovelace@contoso.example",
			FirstName: "Ada", LastName: "Lovelace", Package: tenantry.WebexCalling, AddOns: []tenantry.Package{tenantry.AttendantConsole},
			Status: tenantry.SubscriberProvisioned, LocationID: f.hq, PrimaryPhoneNumber: hqNumbers[0], Extension: "100",
		}
		ignore := cmpopts.IgnoreFields(tenantry.Subscriber{}, "PersonID", "Created", "Updated", "LastStatusChange")
		if diff := cmp.Diff(want, s, ignore); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		if s.PersonID == "" || s.Created.IsZero() || !s.LastStatusChange.Equal(s.Created) {
			t.Errorf("person %q created %v last status change %v", s.PersonID, s.Created, s.LastStatusChange)
		}
		got, err := f.db.Subscriber(ctx, f.actor, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("stored (-created +read):\n%s", diff)
		}
		wantNumber(t, f.db, hqNumbers[0], "assigned", s.ID)
		wantNumber(t, f.db, hqNumbers[1], "available", "")
		if got := actions(t, f.db, f.boot.Partner.ID, "subscriber", s.ID); !slices.Equal(got, []string{"subscriber.create"}) {
			t.Errorf("audit = %v", got)
		}

		meetings := f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "grace@contoso.example", Package: "webex_meetings"})
		if meetings.Package != tenantry.WebexMeetings || meetings.LocationID != "" || meetings.Status != tenantry.SubscriberProvisioned {
			t.Errorf("meetings user: %+v", meetings)
		}
	})
}

// TestCreateSubscriberRefused: every refusal names its field, and leaves no
// user, no assigned number and no audit entry behind.
func TestCreateSubscriberRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		taken := f.create(t, f.input("taken@contoso.example", hqNumbers[0], "100"))
		branch := f.branch(t, "Branch")
		f.addNumbers(t, f.cust.ID, branch, "+14085550199")
		other, otherHQ := f.customerWith(t, "ext-2", nil, "webex_calling")
		f.addNumbers(t, other.ID, otherHQ, "+14085550188")
		busy := f.customer(t, f.tpl, "ext-busy") // still provisioning
		_, actor2 := addPartner(t, f.db, "Globex")
		sub, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetSubPartnerState(ctx, f.boot.Partner.ID, sub.ID, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		suspended, err := f.db.ResolveActor(ctx, &f.actor.Principal, sub.ID)
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name   string
			actor  *tenantry.Actor
			edit   func(in *tenantry.SubscriberInput)
			code   string
			field  string
			reason string
		}{
			{"invalid input", f.actor, func(in *tenantry.SubscriberInput) { in.Extension = "1" },
				tenantry.EINVALID, "provisioningParameters.extension", tenantry.ReasonInvalidExtension},
			{"unknown customer", f.actor, func(in *tenantry.SubscriberInput) { in.CustomerID = "nope" },
				tenantry.EINVALID, "customerId", tenantry.ReasonCustomerNotFound},
			{"another partner's customer", actor2, func(in *tenantry.SubscriberInput) {},
				tenantry.EINVALID, "customerId", tenantry.ReasonCustomerNotFound},
			{"customer still provisioning", f.actor, func(in *tenantry.SubscriberInput) {
				in.CustomerID, in.PrimaryPhoneNumber, in.LocationID = busy.ID, "", "x"
			},
				tenantry.ECONFLICT, "customerId", tenantry.ReasonCustomerNotReady},
			{"package the customer lacks", f.actor, func(in *tenantry.SubscriberInput) { in.Packages = []string{"webex_suite"} },
				tenantry.EINVALID, "packages[0]", tenantry.ReasonPackageUnavailable},
			{"location of another customer", f.actor, func(in *tenantry.SubscriberInput) { in.LocationID, in.PrimaryPhoneNumber = otherHQ, "" },
				tenantry.EINVALID, "provisioningParameters.locationId", tenantry.ReasonSubscriberLocationNotFound},
			{"number of another customer", f.actor, func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = "+14085550188" },
				tenantry.EINVALID, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonNumberNotInInventory},
			{"number nobody has", f.actor, func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = "+14085550177" },
				tenantry.EINVALID, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonNumberNotInInventory},
			{"number of another location", f.actor, func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = "+14085550199" },
				tenantry.EINVALID, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonPhoneNumberElsewhere},
			{"number assigned", f.actor, func(in *tenantry.SubscriberInput) { in.PrimaryPhoneNumber = hqNumbers[0] },
				tenantry.ECONFLICT, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonNumberUnavailable},
			{"extension taken", f.actor, func(in *tenantry.SubscriberInput) { in.Extension = "100" },
				tenantry.ECONFLICT, "provisioningParameters.extension", tenantry.ReasonExtensionTaken},
			{"email taken", f.actor, func(in *tenantry.SubscriberInput) { in.Email = "TAKEN@contoso.example" },
				tenantry.ECONFLICT, "email", tenantry.ReasonEmailTaken},
			{"suspended sub-partner", suspended, func(in *tenantry.SubscriberInput) {},
				tenantry.EFORBIDDEN, "onBehalfOfSubPartnerOrgId", tenantry.ReasonSubPartnerSuspended},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := f.input("new@contoso.example", hqNumbers[1], "101")
				tt.edit(in)
				_, err := f.db.CreateSubscriber(ctx, tt.actor, in)
				wantProblem(t, err, tt.code, tt.field, tt.reason)
				if n := count(t, f.db, `SELECT COUNT(*) FROM subscribers`); n != 1 {
					t.Errorf("%d subscribers, want 1", n)
				}
				if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'subscriber.create'`); n != 1 {
					t.Errorf("%d subscriber.create audit entries, want 1", n)
				}
				wantNumber(t, f.db, hqNumbers[1], "available", "")
				wantNumber(t, f.db, hqNumbers[0], "assigned", taken.ID)
			})
		}

		// Precheck gives the same answers and writes nothing.
		for _, tt := range tests {
			t.Run("precheck/"+tt.name, func(t *testing.T) {
				in := f.input("new@contoso.example", hqNumbers[1], "101")
				tt.edit(in)
				err := f.db.PrecheckSubscriber(ctx, tt.actor, in)
				wantProblem(t, err, tt.code, tt.field, tt.reason)
			})
		}
		if err := f.db.PrecheckSubscriber(ctx, f.actor, f.input("new@contoso.example", hqNumbers[1], "101")); err != nil {
			t.Errorf("precheck of a valid user: %v", err)
		}
		t.Run("precheck of a customer to be", func(t *testing.T) {
			in := &tenantry.SubscriberInput{ProvisioningID: f.tpl.ProvisioningID, CustomerPrimaryEmail: "admin@new.example", Email: "new@new.example", Package: "webex_calling"}
			if err := f.db.PrecheckSubscriber(ctx, f.actor, in); err != nil {
				t.Errorf("precheck: %v", err)
			}
			in.ProvisioningID = "no-such-template"
			wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.EINVALID, "provisioningId", tenantry.ReasonTemplateNotFound)
			in.ProvisioningID, in.Email = f.tpl.ProvisioningID, "taken@contoso.example"
			wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.ECONFLICT, "email", tenantry.ReasonEmailTaken)
		})
		if n := count(t, f.db, `SELECT COUNT(*) FROM subscribers`); n != 1 {
			t.Errorf("%d subscribers after the prechecks, want 1", n)
		}
	})
}

// TestSubscriberNumbers: a number moves from the inventory to the user and
// back: on delete, on a new number, and on a package without calling.
func TestSubscriberNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		s := f.create(t, f.input("ada@contoso.example", hqNumbers[0], "100"))
		wantNumber(t, f.db, hqNumbers[0], "assigned", s.ID)

		// A new number: the old one goes back.
		u, err := f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{PrimaryPhoneNumber: hqNumbers[1]})
		if err != nil {
			t.Fatal(err)
		}
		if u.PrimaryPhoneNumber != hqNumbers[1] || u.Extension != "100" {
			t.Errorf("after a new number: %q ext %q", u.PrimaryPhoneNumber, u.Extension)
		}
		wantNumber(t, f.db, hqNumbers[0], "available", "")
		wantNumber(t, f.db, hqNumbers[1], "assigned", s.ID)

		// Moving to a branch with the number of the headquarters is refused.
		branch := f.branch(t, "Branch")
		_, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{LocationID: branch})
		wantProblem(t, err, tenantry.EINVALID, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonPhoneNumberElsewhere)
		f.addNumbers(t, f.cust.ID, branch, "+14085550199")
		if u, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{LocationID: branch, PrimaryPhoneNumber: "+14085550199"}); err != nil {
			t.Fatal(err)
		}
		if u.PrimaryPhoneNumber != "+14085550199" || u.LocationID != branch {
			t.Errorf("after the move: number %q at %q, want +14085550199 at the branch", u.PrimaryPhoneNumber, u.LocationID)
		}
		wantNumber(t, f.db, hqNumbers[1], "available", "")
		wantNumber(t, f.db, "+14085550199", "assigned", s.ID)

		// To a package without calling: number and extension go.
		if u, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Package: "webex_meetings"}); err != nil {
			t.Fatal(err)
		}
		if u.Package != tenantry.WebexMeetings || u.PrimaryPhoneNumber != "" || u.Extension != "" || u.LocationID != branch {
			t.Errorf("after moving to meetings: %+v", u)
		}
		wantNumber(t, f.db, "+14085550199", "available", "")
		// The extension is free for someone else now.
		other := f.create(t, f.input("grace@contoso.example", hqNumbers[0], "100"))

		// Back to calling needs a number or an extension.
		_, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Package: "webex_calling"})
		wantProblem(t, err, tenantry.EINVALID, "provisioningParameters", tenantry.ReasonNumberOrExtension)
		_, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Package: "webex_calling", Extension: "100"})
		wantProblem(t, err, tenantry.ECONFLICT, "provisioningParameters.extension", tenantry.ReasonExtensionTaken)
		_, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Package: "webex_calling", PrimaryPhoneNumber: hqNumbers[0]})
		wantProblem(t, err, tenantry.EINVALID, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonPhoneNumberElsewhere)
		_, err = f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Package: "webex_calling", PrimaryPhoneNumber: hqNumbers[0], LocationID: f.hq})
		wantProblem(t, err, tenantry.ECONFLICT, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonNumberUnavailable)

		// Delete returns the number, which the next user can have.
		if err := f.db.DeleteSubscriber(ctx, f.actor, other.ID); err != nil {
			t.Fatal(err)
		}
		wantNumber(t, f.db, hqNumbers[0], "available", "")
		if _, err := f.db.Subscriber(ctx, f.actor, other.ID); tenantry.ErrorCode(err) != tenantry.ENOTFOUND {
			t.Errorf("deleted subscriber: %v, want ENOTFOUND", err)
		}
		third := f.create(t, f.input("grace@contoso.example", hqNumbers[0], "100"))
		wantNumber(t, f.db, hqNumbers[0], "assigned", third.ID)
		if got := actions(t, f.db, f.boot.Partner.ID, "subscriber", other.ID); !slices.Equal(got, []string{"subscriber.create", "subscriber.delete"}) {
			t.Errorf("audit of the deleted user = %v", got)
		}
		if got := actions(t, f.db, f.boot.Partner.ID, "subscriber", s.ID); !slices.Equal(got, []string{"subscriber.create", "subscriber.update", "subscriber.update", "subscriber.update"}) {
			t.Errorf("audit of the updated user = %v", got)
		}
	})
}

// TestSubscriberNumberRace: of many users asking for one number at once,
// exactly one gets it.
func TestSubscriberNumberRace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = f.db.CreateSubscriber(t.Context(), f.actor, f.input(fmt.Sprintf("u%d@contoso.example", i), hqNumbers[2], ""))
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantProblem(t, err, tenantry.ECONFLICT, "provisioningParameters.primaryPhoneNumber", tenantry.ReasonNumberUnavailable)
		}
		if won != 1 || count(t, f.db, `SELECT COUNT(*) FROM subscribers`) != 1 {
			t.Errorf("%d users got the number, %d stored; want 1", won, count(t, f.db, `SELECT COUNT(*) FROM subscribers`))
		}
	})
}

// TestSubscriberQuantitiesConcurrently: with a quantity of 5, twenty users
// created at once end in exactly five, and the others are told which
// package ran out. Deleting one frees a license.
func TestSubscriberQuantitiesConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		c, _ := f.customerWith(t, "ext-q", map[string]int{"webex_calling": 50, "webex_meetings": 5}, "webex_calling", "webex_meetings")
		const quantity, tries = 5, 20
		ids := make([]string, tries)
		errs := make([]error, tries)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range tries {
			wg.Go(func() {
				<-start
				var s *tenantry.Subscriber
				s, errs[i] = f.db.CreateSubscriber(ctx, f.actor, &tenantry.SubscriberInput{
					CustomerID: c.ID, Email: fmt.Sprintf("user%02d@q.example", i), Packages: []string{"webex_meetings"},
				})
				if s != nil {
					ids[i] = s.ID
				}
			})
		}
		close(start)
		wg.Wait()
		won := 0
		var winner string
		for _, err := range errs {
			if err != nil {
				p := wantProblem(t, err, tenantry.ECONFLICT, "packages[0]", tenantry.ReasonQuantityExhausted)
				if p.Params["package"] != "webex_meetings" || p.Params["count"] != "5" {
					t.Errorf("exhausted params = %v", p.Params)
				}
				continue
			}
			won++
		}
		for _, id := range ids {
			if id != "" {
				winner = id
			}
		}
		if won != quantity {
			t.Errorf("%d creates succeeded, want %d", won, quantity)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM subscribers WHERE customer_id = ?`, c.ID); n != quantity {
			t.Errorf("%d users stored, want %d", n, quantity)
		}

		// A user moving to the exhausted package is refused too; one who
		// already holds it may change other things.
		calling := f.create(t, &tenantry.SubscriberInput{CustomerID: c.ID, Email: "caller@q.example", Package: "webex_calling", Extension: "10", LocationID: f.locationOf(t, c.ID)})
		_, err := f.db.UpdateSubscriber(ctx, f.actor, calling.ID, &tenantry.SubscriberInput{Package: "webex_meetings"})
		wantProblem(t, err, tenantry.ECONFLICT, "package", tenantry.ReasonQuantityExhausted)
		if _, err := f.db.UpdateSubscriber(ctx, f.actor, winner, &tenantry.SubscriberInput{Package: "webex_meetings", FirstName: "Renamed"}); err != nil {
			t.Errorf("update of a holder: %v", err)
		}

		if err := f.db.DeleteSubscriber(ctx, f.actor, winner); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.CreateSubscriber(ctx, f.actor, &tenantry.SubscriberInput{CustomerID: c.ID, Email: "late@q.example", Package: "webex_meetings"}); err != nil {
			t.Errorf("create after a delete freed a license: %v", err)
		}
	})
}

func (f *subFixture) locationOf(t *testing.T, customerID string) string {
	t.Helper()
	var id string
	if err := f.db.SQL().QueryRowContext(t.Context(), rebind(f.db, `SELECT id FROM locations WHERE customer_id = ? AND headquarters = 1`), customerID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSubscriberAddOnQuantity: add-ons count against their own quantity.
func TestSubscriberAddOnQuantity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		c, hq := f.customerWith(t, "ext-ac", map[string]int{"webex_calling": 10, "attendant_console": 1}, "webex_calling", "attendant_console")
		in := func(email, ext string) *tenantry.SubscriberInput {
			return &tenantry.SubscriberInput{CustomerID: c.ID, Email: email, Packages: []string{"webex_calling", "attendant_console"}, Extension: ext, LocationID: hq}
		}
		first := f.create(t, in("one@ac.example", "10"))
		_, err := f.db.CreateSubscriber(t.Context(), f.actor, in("two@ac.example", "11"))
		wantProblem(t, err, tenantry.ECONFLICT, "packages[1]", tenantry.ReasonQuantityExhausted)
		// Dropping the add-on frees it.
		if _, err := f.db.UpdateSubscriber(t.Context(), f.actor, first.ID, &tenantry.SubscriberInput{Packages: []string{"webex_calling"}}); err != nil {
			t.Fatal(err)
		}
		second := f.create(t, in("two@ac.example", "11"))
		if !slices.Equal(second.AddOns, []tenantry.Package{tenantry.AttendantConsole}) {
			t.Errorf("add-ons = %v", second.AddOns)
		}
		got, err := f.db.Subscriber(t.Context(), f.actor, first.ID)
		if err != nil || len(got.AddOns) != 0 {
			t.Errorf("first user after dropping the add-on: %+v, %v", got, err)
		}
	})
}

// TestSubscriberEmailUnique: an address is one user across customers and
// partners, whatever its case, also when requests race (U3).
func TestSubscriberEmailUnique(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		other, _ := f.customerWith(t, "ext-2", nil, "webex_meetings")
		boot2, actor2 := addPartner(t, f.db, "Globex")
		f2 := &subFixture{fixture: &fixture{db: f.db, boot: boot2, actor: actor2}}
		f2.tpl = f2.template(t, "Standard")
		globex, _ := f2.customerWith(t, "ext-g", nil, "webex_meetings")

		f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "ada@shared.example", Package: "webex_meetings"})
		for _, tt := range []struct {
			name     string
			actor    *tenantry.Actor
			customer string
			email    string
		}{
			{"same customer", f.actor, f.cust.ID, "ada@shared.example"},
			{"another customer", f.actor, other.ID, "ada@shared.example"},
			{"another partner", actor2, globex.ID, "ada@shared.example"},
			{"another case", actor2, globex.ID, "ADA@Shared.Example"},
		} {
			_, err := f.db.CreateSubscriber(ctx, tt.actor, &tenantry.SubscriberInput{CustomerID: tt.customer, Email: tt.email, Package: "webex_meetings"})
			p := wantProblem(t, err, tenantry.ECONFLICT, "email", tenantry.ReasonEmailTaken)
			if p.Params["value"] != "ada@shared.example" {
				t.Errorf("%s: value %q", tt.name, p.Params["value"])
			}
		}

		// Racing for one address from two partners: one wins.
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			a, cust := f.actor, other.ID
			if i%2 == 1 {
				a, cust = actor2, globex.ID
			}
			wg.Go(func() {
				_, errs[i] = f.db.CreateSubscriber(ctx, a, &tenantry.SubscriberInput{CustomerID: cust, Email: "race@shared.example", Package: "webex_meetings"})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				wantProblem(t, err, tenantry.ECONFLICT, "email", tenantry.ReasonEmailTaken)
			}
		}
		if won != 1 {
			t.Errorf("%d creates of one address succeeded, want 1", won)
		}
	})
}

// TestSubscriberPendingUserMigration: an address of a free account makes the
// user wait for consent; consent can be asked again, and once given the
// user is provisioned (U3).
func TestSubscriberPendingUserMigration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		if err := f.db.AddFreeAccount(ctx, "Free.User@Gmail.example"); err != nil {
			t.Fatal(err)
		}
		if err := f.db.AddFreeAccount(ctx, "free.user@gmail.example"); err != nil {
			t.Errorf("adding an address twice: %v", err)
		}
		wantProblem(t, f.db.AddFreeAccount(ctx, "not an address"), tenantry.EINVALID, "email", tenantry.ReasonInvalidEmail)

		s := f.create(t, f.input("free.user@gmail.example", hqNumbers[0], "100"))
		if s.Status != tenantry.SubscriberPendingUserMigration || s.PersonID != "" || s.ConsentRequests != 1 {
			t.Fatalf("created: status %s person %q consent requests %d", s.Status, s.PersonID, s.ConsentRequests)
		}
		wantNumber(t, f.db, hqNumbers[0], "assigned", s.ID) // held for the user meanwhile

		if err := f.db.ResendConsent(ctx, f.actor, s.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.Subscriber(ctx, f.actor, s.ID)
		if err != nil || got.ConsentRequests != 2 || got.Status != tenantry.SubscriberPendingUserMigration {
			t.Fatalf("after resend: %+v, %v", got, err)
		}
		_, actor2 := addPartner(t, f.db, "Globex")
		wantError(t, f.db.ResendConsent(ctx, actor2, s.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		if list, _, err := f.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{Statuses: []tenantry.SubscriberStatus{tenantry.SubscriberPendingUserMigration}, Page: tenantry.Page{Max: 10}}); err != nil || len(list) != 1 || list[0].ID != s.ID {
			t.Errorf("pending users: %v, %v", list, err)
		}

		accepted, err := f.db.AcceptConsent(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if accepted.Status != tenantry.SubscriberProvisioned || accepted.PersonID == "" || !accepted.LastStatusChange.After(s.LastStatusChange) {
			t.Errorf("accepted: %+v", accepted)
		}
		if got, _ := f.db.Subscriber(ctx, f.actor, s.ID); got.Status != tenantry.SubscriberProvisioned || got.PersonID != accepted.PersonID {
			t.Errorf("stored after consent: %+v", got)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM free_accounts`); n != 0 {
			t.Errorf("%d free accounts left, want 0", n)
		}
		_, err = f.db.AcceptConsent(ctx, s.ID)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending)
		wantError(t, f.db.ResendConsent(ctx, f.actor, s.ID), tenantry.ECONFLICT, tenantry.ReasonSubscriberNotPending)
		_, err = f.db.AcceptConsent(ctx, "no-such-user")
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		want := []string{"subscriber.create", "subscriber.consent_requested", "subscriber.consent_accepted"}
		if got := actions(t, f.db, f.boot.Partner.ID, "subscriber", s.ID); !slices.Equal(got, want) {
			t.Errorf("audit = %v, want %v", got, want)
		}
	})
}

// TestSubscriberList: filters, order, paging, and only the actor's users.
func TestSubscriberList(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		other, _ := f.customerWith(t, "ext-2", nil, "webex_meetings")
		if err := f.db.AddFreeAccount(ctx, "pending@list.example"); err != nil {
			t.Fatal(err)
		}
		var made []*tenantry.Subscriber
		for i, c := range []string{f.cust.ID, f.cust.ID, other.ID, other.ID} {
			made = append(made, f.create(t, &tenantry.SubscriberInput{CustomerID: c, Email: fmt.Sprintf("u%d@list.example", i), Package: "webex_meetings"}))
		}
		pending := f.create(t, &tenantry.SubscriberInput{CustomerID: other.ID, Email: "pending@list.example", Package: "webex_meetings"})
		if _, err := f.db.AcceptConsent(ctx, pending.ID); err != nil {
			t.Fatal(err)
		}
		// Another partner's users never show.
		boot2, actor2 := addPartner(t, f.db, "Globex")
		f2 := &subFixture{fixture: &fixture{db: f.db, boot: boot2, actor: actor2}}
		f2.tpl = f2.template(t, "Standard")
		globex, _ := f2.customerWith(t, "ext-1", nil, "webex_meetings") // the same external id as f.cust
		f2.create(t, &tenantry.SubscriberInput{CustomerID: globex.ID, Email: "g@list.example", Package: "webex_meetings"})

		ids := func(ss []*tenantry.Subscriber) []string {
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = s.Email
			}
			return out
		}
		tests := []struct {
			name  string
			f     tenantry.SubscriberFilter
			want  []string
			total int
		}{
			{"all", tenantry.SubscriberFilter{}, []string{"u0@list.example", "u1@list.example", "u2@list.example", "u3@list.example", "pending@list.example"}, 5},
			{"customer", tenantry.SubscriberFilter{CustomerID: other.ID}, []string{"u2@list.example", "u3@list.example", "pending@list.example"}, 3},
			{"external customer id", tenantry.SubscriberFilter{ExternalCustomerID: "ext-1"}, []string{"u0@list.example", "u1@list.example"}, 2},
			{"email, any case", tenantry.SubscriberFilter{Email: "U1@List.example"}, []string{"u1@list.example"}, 1},
			{"person", tenantry.SubscriberFilter{PersonID: made[2].PersonID}, []string{"u2@list.example"}, 1},
			{"created after", tenantry.SubscriberFilter{After: made[2].Created}, []string{"u3@list.example", "pending@list.example"}, 2},
			{"status changed after", tenantry.SubscriberFilter{LastStatusChange: made[3].Created}, []string{"pending@list.example"}, 1},
			{"status", tenantry.SubscriberFilter{Statuses: []tenantry.SubscriberStatus{tenantry.SubscriberPendingUserMigration}}, nil, 0},
			{"newest first", tenantry.SubscriberFilter{Descending: true}, []string{"pending@list.example", "u3@list.example", "u2@list.example", "u1@list.example", "u0@list.example"}, 5},
			{"by status change, newest first", tenantry.SubscriberFilter{SortBy: tenantry.SortByLastStatusChange, Descending: true},
				[]string{"pending@list.example", "u3@list.example", "u2@list.example", "u1@list.example", "u0@list.example"}, 5},
			{"page", tenantry.SubscriberFilter{Page: tenantry.Page{Offset: 1, Max: 2}}, []string{"u1@list.example", "u2@list.example"}, 5},
			{"another partner's customer", tenantry.SubscriberFilter{CustomerID: globex.ID}, nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.f.Max == 0 {
					tt.f.Max = 100
				}
				got, total, err := f.db.Subscribers(ctx, f.actor, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, ids(got), cmpopts.EquateEmpty()); diff != "" || total != tt.total {
					t.Errorf("total %d (want %d); emails (-want +got):\n%s", total, tt.total, diff)
				}
			})
		}
		got, total, err := f.db.Subscribers(ctx, actor2, tenantry.SubscriberFilter{Page: tenantry.Page{Max: 100}})
		if err != nil || total != 1 || len(got) != 1 || got[0].Email != "g@list.example" {
			t.Errorf("Globex's list: %v (%d), %v", ids(got), total, err)
		}
	})
}

// TestSubscriberIsolation: another partner's user is not found by any
// method, and nothing of it changes.
func TestSubscriberIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		s := f.create(t, f.input("ada@contoso.example", hqNumbers[0], "100"))
		_, actor2 := addPartner(t, f.db, "Globex")
		_, err := f.db.Subscriber(ctx, actor2, s.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.UpdateSubscriber(ctx, actor2, s.ID, &tenantry.SubscriberInput{FirstName: "Mallory"})
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteSubscriber(ctx, actor2, s.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		got, err := f.db.Subscriber(ctx, f.actor, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("changed by another partner (-before +after):\n%s", diff)
		}
		wantNumber(t, f.db, hqNumbers[0], "assigned", s.ID)
	})
}

// TestSubscriberMailAndEvents: a provisioned user gets the welcome and (in
// the US, with calling) the E911 confirmation; a meetings-only user no E911
// confirmation (U6); a customer admin made a user gets no welcome (U5) and
// no second E911 confirmation (U6); a pending user gets them once it consents; every change is
// a webhook event; a refused request sends and emits nothing.
func TestSubscriberMailAndEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		webhook(t, f.db, f.actor, "https://hooks.example/users", tenantry.EventSubscriberCreated, tenantry.EventSubscriberUpdated, tenantry.EventSubscriberDeleted)
		mails := func(to string) []string {
			t.Helper()
			ms, _, err := f.db.OutboxMessages(ctx, f.actor, tenantry.OutboxFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Max: 100}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				if m.To == to {
					out = append(out, string(m.Kind))
				}
			}
			slices.Sort(out)
			return out
		}
		events := func(typ string) int {
			t.Helper()
			return count(t, f.db, `SELECT COUNT(*) FROM webhook_events WHERE type = ?`, typ)
		}
		both := []string{string(tenantry.MailE911Confirmation), string(tenantry.MailWelcome)}

		ada := f.create(t, f.input("ada@contoso.example", hqNumbers[0], "100"))
		if got := mails("ada@contoso.example"); !slices.Equal(got, both) {
			t.Errorf("mail to a new user = %v, want %v", got, both)
		}
		// The full admin (holding calling, told of E911 at provisioning)
		// made a calling user: no welcome (U5), and still one E911
		// confirmation (U6: one per person).
		admin := f.create(t, f.input(strings.ToUpper(f.cust.PrimaryEmail), hqNumbers[1], "102"))
		if got, want := mails(f.cust.PrimaryEmail), []string{string(tenantry.MailAdminInvitation), string(tenantry.MailE911Confirmation)}; !slices.Equal(got, want) {
			t.Errorf("mail to the customer admin made a user = %v, want %v: one E911 confirmation and no welcome", got, want)
		}
		// A meetings-only user has no calling: no E911 confirmation (U6).
		f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "meet@contoso.example", Package: "webex_meetings"})
		if got := mails("meet@contoso.example"); !slices.Equal(got, []string{string(tenantry.MailWelcome)}) {
			t.Errorf("mail to a meetings-only user = %v, want only the welcome", got)
		}

		if err := f.db.AddFreeAccount(ctx, "free@gmail.example"); err != nil {
			t.Fatal(err)
		}
		free := f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "free@gmail.example", Package: "webex_meetings"})
		consent := []string{string(tenantry.MailConsent)}
		if got := mails("free@gmail.example"); !slices.Equal(got, consent) {
			t.Errorf("mail to a pending user = %v, want only the consent email before consent", got)
		}
		if _, err := f.db.AcceptConsent(ctx, free.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := mails("free@gmail.example"), append(consent, string(tenantry.MailWelcome)); !slices.Equal(got, want) {
			t.Errorf("mail after consent = %v, want %v (meetings only: no E911)", got, want)
		}

		_, err := f.db.CreateSubscriber(ctx, f.actor, f.input("refused@contoso.example", hqNumbers[0], "101"))
		wantError(t, err, tenantry.ECONFLICT, "")
		if got := mails("refused@contoso.example"); len(got) != 0 {
			t.Errorf("mail for a refused user = %v", got)
		}
		if _, err := f.db.UpdateSubscriber(ctx, f.actor, ada.ID, &tenantry.SubscriberInput{FirstName: "Augusta"}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteSubscriber(ctx, f.actor, admin.ID); err != nil {
			t.Fatal(err)
		}
		if c, u, d := events(tenantry.EventSubscriberCreated), events(tenantry.EventSubscriberUpdated), events(tenantry.EventSubscriberDeleted); c != 4 || u != 2 || d != 1 {
			t.Errorf("events: %d created, %d updated, %d deleted; want 4, 2 (an update and a consent), 1", c, u, d)
		}
		if got := mails("ada@contoso.example"); !slices.Equal(got, both) {
			t.Errorf("mail to ada after an update = %v, want still %v", got, both)
		}
	})
}

// TestPrecheckNumberLater: a precheck that leaves the number for later
// still checks everything else against storage: the email (U3), the
// package (U1) and the location; a number or extension given is checked.
func TestPrecheckNumberLater(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		f.create(t, f.input("taken@contoso.example", hqNumbers[0], "100"))
		later := func(email string) *tenantry.SubscriberInput {
			in := f.input(email, "", "")
			in.NumberLater = true
			return in
		}
		if err := f.db.PrecheckSubscriber(ctx, f.actor, later("new@contoso.example")); err != nil {
			t.Errorf("precheck without a number yet: %v", err)
		}
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, later("taken@contoso.example")), tenantry.ECONFLICT, "email", tenantry.ReasonEmailTaken)
		in := later("new@contoso.example")
		in.Packages = []string{"webex_suite"}
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.EINVALID, "packages[0]", tenantry.ReasonPackageUnavailable)
		in = later("new@contoso.example")
		in.LocationID = "no-such-location"
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.EINVALID, tenantry.FieldLocationID, tenantry.ReasonSubscriberLocationNotFound)
		in = later("new@contoso.example")
		in.Extension = "100"
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.ECONFLICT, tenantry.FieldExtension, tenantry.ReasonExtensionTaken)
		// Without NumberLater, U2 still needs the number or the extension.
		in = later("new@contoso.example")
		in.NumberLater = false
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.EINVALID, tenantry.FieldSubscriberParams, tenantry.ReasonNumberOrExtension)
		if n := count(t, f.db, `SELECT COUNT(*) FROM subscribers`); n != 1 {
			t.Errorf("%d subscribers after the prechecks, want 1", n)
		}
	})
}

// TestPrecheckEarlier: a precheck counts the packages of the users created
// before it in the same manual add against the customer's quantities.
func TestPrecheckEarlier(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		c, hq := f.customerWith(t, "counted", map[string]int{"webex_calling": 5, "webex_meetings": 2}, "webex_calling", "webex_meetings")
		in := &tenantry.SubscriberInput{CustomerID: c.ID, Email: "one@counted.example", Packages: []string{"webex_meetings"}, LocationID: hq}
		if _, err := f.db.CreateSubscriber(ctx, f.actor, in); err != nil {
			t.Fatal(err)
		}
		in = &tenantry.SubscriberInput{CustomerID: c.ID, Email: "two@counted.example", Packages: []string{"webex_meetings"}, LocationID: hq}
		if err := f.db.PrecheckSubscriber(ctx, f.actor, in); err != nil {
			t.Errorf("the second of two seats: %v", err)
		}
		in.Earlier = []tenantry.Package{tenantry.WebexCalling} // another package takes no seat of this one
		if err := f.db.PrecheckSubscriber(ctx, f.actor, in); err != nil {
			t.Errorf("with an earlier user of another package: %v", err)
		}
		in.Earlier = []tenantry.Package{tenantry.WebexMeetings}
		wantProblem(t, f.db.PrecheckSubscriber(ctx, f.actor, in), tenantry.ECONFLICT, "packages[0]", tenantry.ReasonQuantityExhausted)
		if n := count(t, f.db, `SELECT COUNT(*) FROM subscribers WHERE customer_id = '`+c.ID+`'`); n != 1 {
			t.Errorf("%d users after the prechecks, want 1", n)
		}
	})
}
