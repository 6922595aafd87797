package sqldb_test

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// branchInput is a valid US location.
func branchInput(name string) *tenantry.LocationInput {
	return &tenantry.LocationInput{Name: name, Address: usAddress(), TimeZone: "America/Los_Angeles", Language: "en_us"}
}

// headquarters returns the customer's headquarters, checking the list.
func (f *fixture) headquarters(t *testing.T, customerID string) *tenantry.Location {
	t.Helper()
	ls, total, err := f.db.Locations(t.Context(), f.actor, customerID, tenantry.Page{Max: 100})
	if err != nil {
		t.Fatalf("locations of %s: %v", customerID, err)
	}
	if total < 1 || len(ls) < 1 || !ls[0].Headquarters {
		t.Fatalf("locations of %s = %+v (total %d), want the headquarters first", customerID, ls, total)
	}
	return ls[0]
}

// numberRange is the numbers from +1408555<first> on, n of them, as a
// NumbersInput range.
func numberRange(first, n int) tenantry.NumbersInput {
	return tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: usNumber(first), End: usNumber(first + n - 1)}}}
}

func usNumber(i int) string { return "+1408555" + fmt.Sprintf("%04d", i) }

func phoneNumbers(ns []*tenantry.PhoneNumber) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Number
	}
	return out
}

// TestLocationLifecycle: the headquarters from provisioning, a branch
// created, read, renamed and deleted, with the rules that refuse on the way
// and an audit entry for every write.
func TestLocationLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "loc-1")
		hq := f.headquarters(t, c.ID)
		if hq.Name != "Headquarters" || hq.TimeZone != "America/Los_Angeles" || hq.Address != usAddress() || hq.MainNumber != "" {
			t.Errorf("headquarters = %+v", hq)
		}

		in := branchInput("Branch East")
		in.EmergencyLocationID = "ELIN-1"
		b, err := f.db.CreateLocation(ctx, f.actor, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if b.Headquarters || b.CustomerID != c.ID || b.Name != "Branch East" || b.EmergencyLocationID != "ELIN-1" {
			t.Errorf("created %+v", b)
		}
		got, err := f.db.Location(ctx, f.actor, c.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}

		// Names are unique per customer, case and spaces aside.
		for _, name := range []string{"Branch East", "branch EAST", " Headquarters "} {
			_, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput(name))
			p := wantProblem(t, err, tenantry.ECONFLICT, "name", tenantry.ReasonLocationNameTaken)
			if p.Params["value"] != name {
				t.Errorf("params %v, want value %q", p.Params, name)
			}
		}
		// ... but another customer may use them.
		other := f.provisioned(t, tpl, "loc-2")
		if _, err := f.db.CreateLocation(ctx, f.actor, other.ID, branchInput("Branch East")); err != nil {
			t.Errorf("the same name in another customer: %v", err)
		}

		bad := branchInput("")
		bad.TimeZone = "Mars/Olympus"
		_, err = f.db.CreateLocation(ctx, f.actor, c.ID, bad)
		wantProblem(t, err, tenantry.EINVALID, "name", tenantry.ReasonRequired)
		wantProblem(t, err, tenantry.EINVALID, "timezone", tenantry.ReasonInvalidTimeZone)
		_, err = f.db.CreateLocation(ctx, f.actor, "no-such-customer", branchInput("X"))
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		// Renaming keeps its own name free and refuses another's.
		up := branchInput("branch east")
		up.TimeZone = "America/New_York"
		u, err := f.db.UpdateLocation(ctx, f.actor, c.ID, b.ID, up)
		if err != nil {
			t.Fatalf("rename to its own name in another case: %v", err)
		}
		if u.Name != "branch east" || u.TimeZone != "America/New_York" || u.EmergencyLocationID != "" || u.ID != b.ID {
			t.Errorf("updated %+v", u)
		}
		_, err = f.db.UpdateLocation(ctx, f.actor, c.ID, b.ID, branchInput("HEADQUARTERS"))
		wantProblem(t, err, tenantry.ECONFLICT, "name", tenantry.ReasonLocationNameTaken)
		_, err = f.db.UpdateLocation(ctx, f.actor, c.ID, "no-such-location", branchInput("X"))
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.UpdateLocation(ctx, f.actor, other.ID, b.ID, branchInput("X"))
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		// Headquarters first, then oldest first; paging with a total.
		for i := range 3 {
			if _, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput("Branch "+strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		ls, total, err := f.db.Locations(ctx, f.actor, c.ID, tenantry.Page{Offset: 1, Max: 2})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		if total != 5 || !cmp.Equal(names, []string{"branch east", "Branch 0"}) {
			t.Errorf("page = %v of %d, want [branch east Branch 0] of 5", names, total)
		}
		_, _, err = f.db.Locations(ctx, f.actor, "no-such-customer", tenantry.Page{Max: 10})
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		// The headquarters cannot go; a branch can.
		wantError(t, f.db.DeleteLocation(ctx, f.actor, c.ID, hq.ID), tenantry.ECONFLICT, tenantry.ReasonLocationHeadquarters)
		if err := f.db.DeleteLocation(ctx, f.actor, c.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Location(ctx, f.actor, c.ID, b.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteLocation(ctx, f.actor, c.ID, b.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		want := []string{"location.create", "location.update", "location.delete"}
		if diff := cmp.Diff(want, actions(t, f.db, f.boot.Partner.ID, "location", b.ID)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

// TestLocationsNeedProvisionedCustomer: locations and numbers are added
// only to a customer that is provisioned (or provisioned with errors).
func TestLocationsNeedProvisionedCustomer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.customer(t, tpl, "busy-1") // provisioning: its job has not run
		_, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput("Early"))
		got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady)
		if got.Params["status"] != string(tenantry.StatusProvisioning) {
			t.Errorf("params %v", got.Params)
		}

		p := f.provisioned(t, tpl, "busy-2")
		hq := f.headquarters(t, p.ID)
		// While an update is under way, nothing is added either.
		in := customerInput(tpl, "busy-2")
		in.ProvisioningID, in.Address, in.Info, in.Calling = "", nil, nil, nil
		if _, err := f.db.UpdateCustomer(ctx, f.actor, p.ID, in); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.CreateLocation(ctx, f.actor, p.ID, branchInput("During update"))
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady)
		nums := numberRange(100, 2)
		_, err = f.db.AddNumbers(ctx, f.actor, p.ID, hq.ID, &nums)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonCustomerNotReady)
		if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id IN (?, ?)`, c.ID, p.ID); n != 1 {
			t.Errorf("%d locations, want only the headquarters", n)
		}
	})
}

// TestAddNumbersAllOrNothing: a request adds every number or none; a
// number is unique across the installation, and the refusal names the
// item that holds it.
func TestAddNumbersAllOrNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "num-1")
		hq := f.headquarters(t, c.ID)
		br, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput("Branch"))
		if err != nil {
			t.Fatal(err)
		}

		in := numberRange(100, 100)
		in.PhoneNumbers = []string{"+12015550123"}
		added, err := f.db.AddNumbers(ctx, f.actor, c.ID, hq.ID, &in)
		if err != nil {
			t.Fatal(err)
		}
		if len(added) != 101 || added[0].Number != "+12015550123" || added[1].Number != usNumber(100) || added[100].Number != usNumber(199) {
			t.Fatalf("added %d numbers: %v…", len(added), phoneNumbers(added[:3]))
		}
		for _, n := range added {
			if n.State != tenantry.NumberAvailable || n.LocationID != hq.ID || n.CustomerID != c.ID || n.PartnerID != f.boot.Partner.ID {
				t.Fatalf("added %+v", n)
			}
		}
		total := func() int { return count(t, f.db, `SELECT COUNT(*) FROM phone_numbers`) }
		if n := total(); n != 101 {
			t.Fatalf("%d numbers stored, want 101", n)
		}

		// A range with one number already there adds nothing.
		dup := numberRange(199, 50)
		_, err = f.db.AddNumbers(ctx, f.actor, c.ID, br.ID, &dup)
		p := wantProblem(t, err, tenantry.ECONFLICT, "ranges[0]", tenantry.ReasonPhoneNumberTaken)
		if p.Params["value"] != usNumber(199) {
			t.Errorf("params %v, want the number %s", p.Params, usNumber(199))
		}
		// Several taken numbers are each named.
		several := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(300), usNumber(150), "+12015550123"}}
		_, err = f.db.AddNumbers(ctx, f.actor, c.ID, br.ID, &several)
		wantProblem(t, err, tenantry.ECONFLICT, "phoneNumbers[1]", tenantry.ReasonPhoneNumberTaken)
		wantProblem(t, err, tenantry.ECONFLICT, "phoneNumbers[2]", tenantry.ReasonPhoneNumberTaken)
		if got := len(tenantry.AsError(err).Problems); got != 2 {
			t.Errorf("%d problems, want 2: %v", got, err)
		}
		// Invalid input is refused before anything is looked up.
		invalid := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(300), "+441212345678"}}
		_, err = f.db.AddNumbers(ctx, f.actor, c.ID, br.ID, &invalid)
		wantProblem(t, err, tenantry.EINVALID, "phoneNumbers[1]", tenantry.ReasonPhoneNumberCountry)
		if n := total(); n != 101 {
			t.Errorf("%d numbers after refused requests, want 101", n)
		}

		// Another customer's, and another partner's, customers cannot hold
		// the same number.
		other := f.provisioned(t, tpl, "num-2")
		one := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(100)}}
		_, err = f.db.AddNumbers(ctx, f.actor, other.ID, f.headquarters(t, other.ID).ID, &one)
		wantProblem(t, err, tenantry.ECONFLICT, "phoneNumbers[0]", tenantry.ReasonPhoneNumberTaken)
		g := &fixture{db: f.db}
		g.boot, g.actor = addPartner(t, f.db, "Globex")
		gc := g.provisioned(t, g.template(t, "Standard"), "g-1")
		_, err = f.db.AddNumbers(ctx, g.actor, gc.ID, g.headquarters(t, gc.ID).ID, &one)
		wantProblem(t, err, tenantry.ECONFLICT, "phoneNumbers[0]", tenantry.ReasonPhoneNumberTaken)

		// The most one request may add, in one go.
		big := numberRange(0, tenantry.MaxNumbersPerRequest)
		big.Ranges[0].Start, big.Ranges[0].End = "+14155550000", "+14155559999"
		bigAdded, err := f.db.AddNumbers(ctx, f.actor, c.ID, br.ID, &big)
		if err != nil || len(bigAdded) != tenantry.MaxNumbersPerRequest {
			t.Fatalf("adding %d numbers: %d, %v", tenantry.MaxNumbersPerRequest, len(bigAdded), err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM phone_numbers WHERE location_id = ?`, br.ID); n != tenantry.MaxNumbersPerRequest {
			t.Errorf("%d numbers in the branch, want %d", n, tenantry.MaxNumbersPerRequest)
		}

		acts := actions(t, f.db, f.boot.Partner.ID, "location", hq.ID)
		if !cmp.Equal(acts, []string{"location.numbers_add"}) {
			t.Errorf("audit of the headquarters = %v, want one numbers_add", acts)
		}
	})
}

// TestAddNumbersConcurrently: two requests adding overlapping ranges to
// different customers race; one wins whole, the other adds nothing and is
// told which number it lost.
func TestAddNumbersConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		type target struct{ customer, location string }
		var targets []target
		for i := range 4 {
			c := f.provisioned(t, tpl, "race-"+strconv.Itoa(i))
			targets = append(targets, target{c.ID, f.headquarters(t, c.ID).ID})
		}
		for round := range 5 {
			first := 1000 + round*100
			errs := make([]error, len(targets))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, tg := range targets {
				wg.Go(func() {
					<-start
					// Each range overlaps every other in the number first+50.
					in := numberRange(first+i*10, 60)
					_, errs[i] = f.db.AddNumbers(ctx, f.actor, tg.customer, tg.location, &in)
				})
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				if err == nil {
					won++
					continue
				}
				e := wantError(t, err, tenantry.ECONFLICT, "")
				if len(e.Problems) == 0 || e.Problems[0].Field != "ranges[0]" || e.Problems[0].Params["value"] == "" {
					t.Errorf("round %d, request %d: %+v", round, i, e)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d requests won, want 1 (%v)", round, won, errs)
			}
			lo, hi := usNumber(first), usNumber(first+len(targets)*10+60)
			if n := count(t, f.db, `SELECT COUNT(*) FROM phone_numbers WHERE phone_number >= ? AND phone_number < ?`, lo, hi); n != 60 {
				t.Errorf("round %d: %d numbers stored, want the 60 of the winner", round, n)
			}
		}
	})
}

// TestNumbersListRemoveAndMain: numbers by state with paging, the main
// number, and removal of unassigned numbers only.
func TestNumbersListRemoveAndMain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "list-1")
		hq := f.headquarters(t, c.ID)
		br, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput("Branch"))
		if err != nil {
			t.Fatal(err)
		}
		in := numberRange(100, 5)
		if _, err := f.db.AddNumbers(ctx, f.actor, c.ID, hq.ID, &in); err != nil {
			t.Fatal(err)
		}
		// A user holds one of them.
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE phone_numbers SET state = 'assigned', subscriber_id = ? WHERE phone_number = ?`),
			"subscriber-1", usNumber(101)); err != nil {
			t.Fatal(err)
		}
		list := func(f2 tenantry.NumberFilter) ([]string, int) {
			t.Helper()
			ns, total, err := f.db.Numbers(ctx, f.actor, c.ID, hq.ID, f2)
			if err != nil {
				t.Fatal(err)
			}
			return phoneNumbers(ns), total
		}
		if got, total := list(tenantry.NumberFilter{Page: tenantry.Page{Offset: 1, Max: 2}}); total != 5 || !cmp.Equal(got, []string{usNumber(101), usNumber(102)}) {
			t.Errorf("page = %v of %d", got, total)
		}
		ns, total, err := f.db.Numbers(ctx, f.actor, c.ID, hq.ID, tenantry.NumberFilter{State: tenantry.NumberAssigned, Page: tenantry.Page{Max: 10}})
		if err != nil || total != 1 || len(ns) != 1 || ns[0].SubscriberID != "subscriber-1" || ns[0].State != tenantry.NumberAssigned {
			t.Errorf("assigned = %+v (%d), %v", ns, total, err)
		}
		if got, total := list(tenantry.NumberFilter{State: tenantry.NumberAvailable, Page: tenantry.Page{Max: 10}}); total != 4 || slices.Contains(got, usNumber(101)) {
			t.Errorf("available = %v of %d", got, total)
		}

		// The main number is one of the location's numbers.
		l, err := f.db.SetMainNumber(ctx, f.actor, c.ID, hq.ID, usNumber(100))
		if err != nil || l.MainNumber != usNumber(100) {
			t.Fatalf("set main number: %+v, %v", l, err)
		}
		ns, _, _ = f.db.Numbers(ctx, f.actor, c.ID, hq.ID, tenantry.NumberFilter{Page: tenantry.Page{Max: 10}})
		for _, n := range ns {
			if n.MainNumber != (n.Number == usNumber(100)) {
				t.Errorf("%+v", n)
			}
		}
		_, err = f.db.SetMainNumber(ctx, f.actor, c.ID, br.ID, usNumber(100))
		wantProblem(t, err, tenantry.EINVALID, "phoneNumber", tenantry.ReasonPhoneNumberElsewhere)
		_, err = f.db.SetMainNumber(ctx, f.actor, c.ID, hq.ID, "not a number")
		wantProblem(t, err, tenantry.EINVALID, "phoneNumber", tenantry.ReasonPhoneNumberInvalid)
		if got, _ := f.db.Location(ctx, f.actor, c.ID, br.ID); got.MainNumber != "" {
			t.Errorf("branch main number %q", got.MainNumber)
		}

		// Removing: assigned stays, unknown or elsewhere is not found, the
		// main number goes and clears the main number.
		wantError(t, f.db.RemoveNumber(ctx, f.actor, c.ID, hq.ID, usNumber(101)), tenantry.ECONFLICT, tenantry.ReasonPhoneNumberAssigned)
		wantError(t, f.db.RemoveNumber(ctx, f.actor, c.ID, br.ID, usNumber(102)), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.RemoveNumber(ctx, f.actor, c.ID, hq.ID, usNumber(999)), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		if err := f.db.RemoveNumber(ctx, f.actor, c.ID, hq.ID, usNumber(100)); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.Location(ctx, f.actor, c.ID, hq.ID); got.MainNumber != "" {
			t.Errorf("main number %q after removing it", got.MainNumber)
		}
		if got, total := list(tenantry.NumberFilter{Page: tenantry.Page{Max: 10}}); total != 4 || slices.Contains(got, usNumber(100)) {
			t.Errorf("after removal = %v of %d", got, total)
		}
		want := []string{"location.numbers_add", "location.main_number", "location.number_remove"}
		if diff := cmp.Diff(want, actions(t, f.db, f.boot.Partner.ID, "location", hq.ID)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}

		// A location with numbers, or with users, stays; so does its country.
		movedIn := branchInput("Branch")
		movedIn.Address = tenantry.Address{Line1: "Kungsgatan 1", City: "Stockholm", PostalCode: "111 43", Country: "SE"}
		one := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(500)}}
		if _, err := f.db.AddNumbers(ctx, f.actor, c.ID, br.ID, &one); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.UpdateLocation(ctx, f.actor, c.ID, br.ID, movedIn)
		wantProblem(t, err, tenantry.ECONFLICT, "address.country", tenantry.ReasonLocationCountryLocked)
		wantError(t, f.db.DeleteLocation(ctx, f.actor, c.ID, br.ID), tenantry.ECONFLICT, tenantry.ReasonLocationInUse)
		if err := f.db.RemoveNumber(ctx, f.actor, c.ID, br.ID, usNumber(500)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `INSERT INTO subscribers (id, customer_id, email, package, status, created, location_id)
			VALUES ('subscriber-2', ?, 'user@list.example', 'webex_calling', 'provisioned', 0, ?)`), c.ID, br.ID); err != nil {
			t.Fatal(err)
		}
		wantError(t, f.db.DeleteLocation(ctx, f.actor, c.ID, br.ID), tenantry.ECONFLICT, tenantry.ReasonLocationInUse)
		if _, err := f.db.SQL().ExecContext(ctx, `DELETE FROM subscribers WHERE id = 'subscriber-2'`); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.UpdateLocation(ctx, f.actor, c.ID, br.ID, movedIn); err != nil {
			t.Errorf("moving an empty location to another country: %v", err)
		}
		if err := f.db.DeleteLocation(ctx, f.actor, c.ID, br.ID); err != nil {
			t.Errorf("deleting an empty branch: %v", err)
		}
	})
}

// TestLocationPartnerIsolation: another partner's customers, locations and
// numbers are not found by any method; a suspended sub-partner may delete
// but not add.
func TestLocationPartnerIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		c := f.provisioned(t, f.template(t, "Standard"), "iso-a")
		hq := f.headquarters(t, c.ID)
		in := numberRange(100, 2)
		if _, err := f.db.AddNumbers(ctx, f.actor, c.ID, hq.ID, &in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SetMainNumber(ctx, f.actor, c.ID, hq.ID, usNumber(100)); err != nil {
			t.Fatal(err)
		}

		g := &fixture{db: f.db}
		g.boot, g.actor = addPartner(t, f.db, "Globex")
		gc := g.provisioned(t, g.template(t, "Standard"), "iso-g")
		b := g.actor
		nums := tenantry.NumbersInput{PhoneNumbers: []string{usNumber(300)}}
		calls := map[string]func() error{
			"Location":  func() error { _, err := f.db.Location(ctx, b, c.ID, hq.ID); return err },
			"Locations": func() error { _, _, err := f.db.Locations(ctx, b, c.ID, tenantry.Page{Max: 10}); return err },
			"CreateLocation": func() error {
				_, err := f.db.CreateLocation(ctx, b, c.ID, branchInput("Taken over"))
				return err
			},
			"UpdateLocation": func() error {
				_, err := f.db.UpdateLocation(ctx, b, c.ID, hq.ID, branchInput("Taken over"))
				return err
			},
			"DeleteLocation": func() error { return f.db.DeleteLocation(ctx, b, c.ID, hq.ID) },
			"AddNumbers":     func() error { _, err := f.db.AddNumbers(ctx, b, c.ID, hq.ID, &nums); return err },
			"Numbers": func() error {
				_, _, err := f.db.Numbers(ctx, b, c.ID, hq.ID, tenantry.NumberFilter{Page: tenantry.Page{Max: 10}})
				return err
			},
			"RemoveNumber":  func() error { return f.db.RemoveNumber(ctx, b, c.ID, hq.ID, usNumber(101)) },
			"SetMainNumber": func() error { _, err := f.db.SetMainNumber(ctx, b, c.ID, hq.ID, usNumber(101)); return err },
			// Its own customer with A's location.
			"Location of own customer":     func() error { _, err := f.db.Location(ctx, b, gc.ID, hq.ID); return err },
			"RemoveNumber of own customer": func() error { return f.db.RemoveNumber(ctx, b, gc.ID, hq.ID, usNumber(101)) },
			"AddNumbers to own customer":   func() error { _, err := f.db.AddNumbers(ctx, b, gc.ID, hq.ID, &nums); return err },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				wantError(t, call(), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			})
		}
		got, err := f.db.Location(ctx, f.actor, c.ID, hq.ID)
		if err != nil || got.Name != hq.Name || got.MainNumber != usNumber(100) {
			t.Errorf("A's location after B's attempts: %+v, %v", got, err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM phone_numbers`); n != 2 {
			t.Errorf("%d numbers after B's attempts, want 2", n)
		}

		// A suspended sub-partner may delete, not add.
		sp, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		obo := f.onBehalfOf(t, sp.ID)
		sc, err := f.db.CreateCustomer(ctx, obo, customerInput(f.template(t, "For resellers"), "sub-1"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: sc.ID, Version: sc.Version}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.CreateLocation(ctx, f.actor, sc.ID, branchInput("Not the partner's own"))
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		sb, err := f.db.CreateLocation(ctx, obo, sc.ID, branchInput("Branch"))
		if err != nil {
			t.Fatal(err)
		}
		two := numberRange(700, 2)
		if _, err := f.db.AddNumbers(ctx, obo, sc.ID, sb.ID, &two); err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetSubPartnerState(ctx, f.boot.Partner.ID, sp.ID, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		obo = f.onBehalfOf(t, sp.ID)
		_, err = f.db.CreateLocation(ctx, obo, sc.ID, branchInput("While suspended"))
		wantError(t, err, tenantry.EFORBIDDEN, tenantry.ReasonSubPartnerSuspended)
		_, err = f.db.UpdateLocation(ctx, obo, sc.ID, sb.ID, branchInput("Renamed"))
		wantError(t, err, tenantry.EFORBIDDEN, tenantry.ReasonSubPartnerSuspended)
		_, err = f.db.AddNumbers(ctx, obo, sc.ID, sb.ID, &nums)
		wantError(t, err, tenantry.EFORBIDDEN, tenantry.ReasonSubPartnerSuspended)
		_, err = f.db.SetMainNumber(ctx, obo, sc.ID, sb.ID, usNumber(700))
		wantError(t, err, tenantry.EFORBIDDEN, tenantry.ReasonSubPartnerSuspended)
		for _, n := range []string{usNumber(700), usNumber(701)} {
			if err := f.db.RemoveNumber(ctx, obo, sc.ID, sb.ID, n); err != nil {
				t.Errorf("suspended sub-partner removes %s: %v", n, err)
			}
		}
		if err := f.db.DeleteLocation(ctx, obo, sc.ID, sb.ID); err != nil {
			t.Errorf("suspended sub-partner deletes a location: %v", err)
		}
	})
}

// TestOneHeadquarters: an update that renames the calling location does not
// give the customer a second headquarters.
func TestOneHeadquarters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "hq-1")
		hq := f.headquarters(t, c.ID)
		in := customerInput(tpl, "hq-1")
		in.ProvisioningID = ""
		in.Calling.Name = "New Head Office"
		up, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: up.Version}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ? AND headquarters = 1`, c.ID); n != 1 {
			t.Errorf("%d headquarters after the update, want 1", n)
		}
		if got := f.headquarters(t, c.ID); got.ID != hq.ID {
			t.Errorf("headquarters %s, want %s", got.ID, hq.ID)
		}
	})
}

// TestCustomerDeletionRemovesNumbers: deleting a customer removes its
// numbers with its locations, assigned or not, and frees them.
func TestCustomerDeletionRemovesNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "del-1")
		hq := f.headquarters(t, c.ID)
		br, err := f.db.CreateLocation(ctx, f.actor, c.ID, branchInput("Branch"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{hq.ID, br.ID} {
			in := numberRange(100, 3)
			if l == br.ID {
				in = numberRange(200, 3)
			}
			if _, err := f.db.AddNumbers(ctx, f.actor, c.ID, l, &in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE phone_numbers SET state = 'assigned', subscriber_id = 'subscriber-1' WHERE phone_number = ?`), usNumber(100)); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteCustomer(ctx, f.actor, c.ID); err != nil {
			t.Fatal(err)
		}
		d := f.get(t, c.ID)
		if err := f.db.FinishCustomerDeletion(ctx, tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: d.Version}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM phone_numbers`); n != 0 {
			t.Errorf("%d numbers left after deleting their customer", n)
		}
		// The numbers are free for another customer.
		other := f.provisioned(t, tpl, "del-2")
		in := numberRange(100, 3)
		if _, err := f.db.AddNumbers(ctx, f.actor, other.ID, f.headquarters(t, other.ID).ID, &in); err != nil {
			t.Errorf("adding freed numbers: %v", err)
		}
	})
}
