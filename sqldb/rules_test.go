package sqldb_test

import (
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// meetingsInput is a valid create request on tpl for a meetings-only
// customer: no calling location.
func meetingsInput(tpl *tenantry.Template, ext string) *tenantry.CustomerInput {
	in := customerInput(tpl, ext)
	in.Packages, in.Calling, in.MeetingsTimeZone = []string{"webex_meetings"}, nil, "America/New_York"
	return in
}

// TestHeadquartersForEveryCustomer is rule C4 beyond calling: a
// meetings-only customer gets its headquarters address as its first
// location, named after it, in its meetings time zone.
func TestHeadquartersForEveryCustomer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c, err := f.db.CreateCustomer(ctx, f.actor, meetingsInput(tpl, "meet-hq"))
		if err != nil {
			t.Fatal(err)
		}
		c = f.provision(t, c)
		hq := f.headquarters(t, c.ID)
		if hq.Name != c.Name || hq.Address != c.Address || hq.TimeZone != "America/New_York" || hq.Language != "en" {
			t.Errorf("headquarters = %+v, want the customer's address named %q in America/New_York", hq, c.Name)
		}
		// A job that runs again keeps the one headquarters.
		if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c.ID); n != 1 {
			t.Errorf("%d locations, want 1", n)
		}
	})
}

// TestAddCallingNeedsLocation is rule C4 on update: a meetings-only
// customer that adds webex_calling must bring a calling location, and its
// headquarters then takes the calling location's settings; a calling
// customer's update may leave its location out.
func TestAddCallingNeedsLocation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c, err := f.db.CreateCustomer(ctx, f.actor, meetingsInput(tpl, "meet-up"))
		if err != nil {
			t.Fatal(err)
		}
		c = f.provision(t, c)
		hq := f.headquarters(t, c.ID)

		both := []string{"webex_meetings", "webex_calling"}
		_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldCalling, tenantry.ReasonCallingLocation)
		if got := f.get(t, c.ID); got.Status != tenantry.StatusProvisioned || len(got.Packages) != 1 || got.Version != c.Version {
			t.Errorf("refused update changed the customer: %+v", got)
		}

		loc := &tenantry.CallingLocation{Name: "Calling HQ", Address: usAddress(), TimeZone: "America/Los_Angeles", Language: "en_us", EmergencyLocationID: "ELIN-1"}
		up, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both, Calling: loc})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: up.Version}); err != nil {
			t.Fatal(err)
		}
		got := f.headquarters(t, c.ID)
		if got.ID != hq.ID || got.Name != loc.Name || got.Address != loc.Address || got.TimeZone != loc.TimeZone ||
			got.Language != loc.Language || got.EmergencyLocationID != loc.EmergencyLocationID {
			t.Errorf("headquarters after adding calling = %+v, want %s with the calling location's settings", got, hq.ID)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c.ID); n != 1 {
			t.Errorf("%d locations, want 1", n)
		}
		c = f.get(t, c.ID)
		if c.Status != tenantry.StatusProvisioned || c.Calling == nil || !c.E911Enabled {
			t.Errorf("after adding calling: status %s, calling %v, E911 %v", c.Status, c.Calling, c.E911Enabled)
		}

		// Now a calling customer: its location is held, an update need not
		// repeat it.
		if _, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_meetings", "webex_calling", "webex_suite"}}); err != nil {
			t.Errorf("update of a calling customer without its location: %v", err)
		}
	})
}

// TestLegacyOrgMigrating is rule Q8 for attached organizations: a customer
// attached to an organization the directory lists with legacy packages is
// in a migration phase and gets no quantities, on create and on update,
// until the directory lists none for it.
func TestLegacyOrgMigrating(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		legacy := &tenantry.ExistingOrg{OrgID: "org-legacy", UserCount: 3, LegacyPackages: []tenantry.Package{tenantry.LegacyStandard}}
		if err := f.db.PutExistingOrg(ctx, legacy); err != nil {
			t.Fatal(err)
		}
		limits := map[string]int{"webex_calling": 10, "webex_meetings": 10}
		in := customerInput(tpl, "legacy-1")
		in.OrgID, in.Limits = legacy.OrgID, limits
		_, err := f.db.CreateCustomer(ctx, f.actor, in)
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldLimits, tenantry.ReasonQuantityMigration)
		wantProblem(t, f.db.PrecheckCustomer(ctx, f.actor, in), tenantry.EINVALID, tenantry.FieldLimits, tenantry.ReasonQuantityMigration)

		// Known without legacy packages first: quantities are fine.
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: legacy.OrgID, UserCount: 3}); err != nil {
			t.Fatal(err)
		}
		c, err := f.db.CreateCustomer(ctx, f.actor, in)
		if err != nil {
			t.Fatal(err)
		}
		c = f.provision(t, c)
		// The directory now lists legacy packages: the update is refused.
		if err := f.db.PutExistingOrg(ctx, legacy); err != nil {
			t.Fatal(err)
		}
		up := &tenantry.CustomerInput{Packages: []string{"webex_calling", "webex_meetings"}, Limits: map[string]int{"webex_calling": 11, "webex_meetings": 10}}
		_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, up)
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldLimits, tenantry.ReasonQuantityMigration)
		// Migrated: the directory lists none any more.
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: legacy.OrgID, UserCount: 3}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, up); err != nil {
			t.Errorf("update once migrated: %v", err)
		}
	})
}

// TestE911WhenGainingCalling is rule U6 over time: a meetings-only user
// gets no E911 confirmation, gets one when moved to calling, and no second
// one when moved again; an admin the same.
func TestE911WhenGainingCalling(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		e911 := func(to string) int {
			t.Helper()
			n := 0
			for _, k := range f.mails(t, f.cust.ID, to) {
				if k == tenantry.MailE911Confirmation {
					n++
				}
			}
			return n
		}
		s := f.create(t, &tenantry.SubscriberInput{CustomerID: f.cust.ID, Email: "meet@contoso.example", Package: "webex_meetings"})
		if n := e911(s.Email); n != 0 {
			t.Fatalf("%d E911 confirmations to a meetings-only user", n)
		}
		for range 2 {
			if _, err := f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Packages: []string{"webex_calling"},
				PrimaryPhoneNumber: hqNumbers[2], Extension: "300", LocationID: f.hq}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.UpdateSubscriber(ctx, f.actor, s.ID, &tenantry.SubscriberInput{Packages: []string{"webex_meetings"}}); err != nil {
				t.Fatal(err)
			}
		}
		if n := e911(s.Email); n != 1 {
			t.Errorf("%d E911 confirmations to a user moved to calling twice, want 1", n)
		}

		ad, err := f.db.AddCustomerAdmin(ctx, f.actor, f.cust.ID, &tenantry.CustomerAdminInput{Email: "ro@contoso.example", Role: tenantry.AdminReadOnly, Package: tenantry.WebexCalling})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateCustomerAdmin(ctx, f.actor, f.cust.ID, ad.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminSupport, Package: tenantry.WebexCalling}); err != nil {
			t.Fatal(err)
		}
		if n := e911(ad.Email); n != 1 {
			t.Errorf("%d E911 confirmations to a calling admin, want 1", n)
		}
	})
}
