package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCreateCustomerEnqueuesInSameTransaction: an accepted customer is
// stored as provisioning with exactly one provisioning job; a refused one
// leaves neither a row nor a job.
func TestCreateCustomerEnqueuesInSameTransaction(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")

		c := f.customer(t, tpl, "ext-1")
		if c.Status != tenantry.StatusProvisioning || c.Version != 1 || c.TemplateID != tpl.ID || c.PartnerID != f.boot.Partner.ID {
			t.Errorf("created: status %s version %d template %s partner %s", c.Status, c.Version, c.TemplateID, c.PartnerID)
		}
		for _, p := range c.Packages {
			if p.Status != tenantry.PackageProvisioning {
				t.Errorf("package %s is %s, want provisioning", p.Name, p.Status)
			}
		}
		if diff := cmp.Diff(c, f.get(t, c.ID), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("stored customer (-returned +stored):\n%s", diff)
		}
		if n := jobs(t, f.db, "provision_customer", c.ID); n != 1 {
			t.Errorf("%d provisioning jobs for the customer, want 1", n)
		}

		refused := []struct {
			name  string
			input func() *tenantry.CustomerInput
			code  string
		}{
			{"invalid input", func() *tenantry.CustomerInput {
				in := customerInput(tpl, "ext-2")
				in.Info.Name = ""
				return in
			}, tenantry.EINVALID},
			{"unknown template", func() *tenantry.CustomerInput {
				in := customerInput(tpl, "ext-2")
				in.ProvisioningID = "no-such-template"
				return in
			}, tenantry.EINVALID},
			{"quantity above the subscription's maximum", func() *tenantry.CustomerInput {
				in := customerInput(tpl, "ext-2")
				in.Limits = map[string]int{"webex_calling": sqldb.DefaultMaxQuantity + 1, "webex_meetings": 1}
				return in
			}, tenantry.EINVALID},
			{"external id taken", func() *tenantry.CustomerInput { return customerInput(tpl, "ext-1") }, tenantry.ECONFLICT},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.db.CreateCustomer(ctx, f.actor, tt.input())
				wantError(t, err, tt.code, "")
				if n := count(t, f.db, `SELECT COUNT(*) FROM customers`); n != 1 {
					t.Errorf("%d customers, want 1", n)
				}
				if n := count(t, f.db, `SELECT COUNT(*) FROM river_job`); n != 1 {
					t.Errorf("%d jobs, want 1", n)
				}
				if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create'`); n != 1 {
					t.Errorf("%d customer.create audit entries, want 1", n)
				}
			})
		}
	})
}

// TestProvisionCustomer runs the provisioning job in place of a worker, then
// runs it again and with an outdated version: only the first changes
// anything.
func TestProvisionCustomer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")

		c := f.customer(t, tpl, "ext-1")
		job := tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}
		if err := f.db.ProvisionCustomer(ctx, job); err != nil {
			t.Fatal(err)
		}
		got := f.get(t, c.ID)
		if got.Status != tenantry.StatusProvisioned || got.OrgID == "" || got.Region != tenantry.RegionUS || !got.E911Enabled {
			t.Errorf("provisioned: status %s org %q region %s e911 %v; want provisioned, an org, US, e911", got.Status, got.OrgID, got.Region, got.E911Enabled)
		}
		if got.MeetingsTimeZone != "America/Los_Angeles" {
			t.Errorf("meetings time zone = %q, want the calling location's", got.MeetingsTimeZone)
		}
		for _, p := range got.Packages {
			if p.Status != tenantry.PackageProvisioned || len(p.LicenseIDs) != 1 {
				t.Errorf("package %s: %s with licenses %v", p.Name, p.Status, p.LicenseIDs)
			}
		}
		if !got.Updated.After(c.Updated) || !got.Created.Equal(c.Created) {
			t.Errorf("times: created %v updated %v, was %v %v", got.Created, got.Updated, c.Created, c.Updated)
		}
		var name, tz, lang string
		var hq int
		err := f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT name, timezone, language, headquarters FROM locations WHERE customer_id = ?`), c.ID).Scan(&name, &tz, &lang, &hq)
		if err != nil || name != "Headquarters" || tz != "America/Los_Angeles" || lang != "en_us" || hq != 1 {
			t.Errorf("headquarters location: %q %q %q hq=%d (%v)", name, tz, lang, hq, err)
		}
		var email, role string
		err = f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT email, role FROM customer_admins WHERE customer_id = ?`), c.ID).Scan(&email, &role)
		if err != nil || email != "admin@ext-1.example" || role != "full_admin" {
			t.Errorf("first admin: %q %q (%v)", email, role, err)
		}

		snapshot := func() (*tenantry.Customer, []string, int, int) {
			return f.get(t, c.ID), actions(t, f.db, f.boot.Partner.ID, "customer", c.ID),
				count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c.ID),
				count(t, f.db, `SELECT COUNT(*) FROM customer_admins WHERE customer_id = ?`, c.ID)
		}
		before, audit, locs, admins := snapshot()
		if !slices.Equal(audit, []string{"customer.create", "customer.provisioned"}) || locs != 1 || admins != 1 {
			t.Fatalf("after provisioning: audit %v, %d locations, %d admins", audit, locs, admins)
		}

		t.Run("duplicate job", func(t *testing.T) {
			if err := f.db.ProvisionCustomer(ctx, job); err != nil {
				t.Fatal(err)
			}
			after, audit2, locs2, admins2 := snapshot()
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("customer changed by a repeated job (-before +after):\n%s", diff)
			}
			if !slices.Equal(audit, audit2) || locs2 != locs || admins2 != admins {
				t.Errorf("repeated job: audit %v, %d locations, %d admins", audit2, locs2, admins2)
			}
		})

		t.Run("stale version", func(t *testing.T) {
			c2 := f.customer(t, tpl, "ext-2")
			for _, v := range []int{c2.Version - 1, c2.Version + 1} {
				if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c2.ID, Version: v}); err != nil {
					t.Fatalf("version %d: %v", v, err)
				}
			}
			if diff := cmp.Diff(c2, f.get(t, c2.ID), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("customer changed by a stale job (-before +after):\n%s", diff)
			}
			if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c2.ID); n != 0 {
				t.Errorf("stale job created %d locations", n)
			}
			if got := actions(t, f.db, f.boot.Partner.ID, "customer", c2.ID); !slices.Equal(got, []string{"customer.create"}) {
				t.Errorf("stale job audit = %v", got)
			}
		})

		t.Run("unknown customer", func(t *testing.T) {
			if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: "gone", Version: 1}); err != nil {
				t.Errorf("job for a missing customer = %v, want nil (nothing to do)", err)
			}
		})

		t.Run("outside the US", func(t *testing.T) {
			in := customerInput(tpl, "ext-de")
			de := tenantry.Address{Line1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", Country: "DE"}
			in.Address = &de
			in.Calling.Address, in.Calling.TimeZone, in.Calling.Language = de, "Europe/Berlin", "de_de"
			c, err := f.db.CreateCustomer(ctx, f.actor, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
				t.Fatal(err)
			}
			got := f.get(t, c.ID)
			if got.Status != tenantry.StatusProvisioned || got.Region != tenantry.RegionEU || got.E911Enabled {
				t.Errorf("DE customer: status %s region %s e911 %v; want provisioned, EU, no e911", got.Status, got.Region, got.E911Enabled)
			}
		})
	})
}

// TestUpdateCustomer covers the update rules that need storage: a busy
// customer (C6), packages in use (C5) and quantities never lowered (Q3),
// then settles an accepted update.
func TestUpdateCustomer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		both := []string{"webex_calling", "webex_meetings"}

		t.Run("busy while provisioning", func(t *testing.T) {
			c := f.customer(t, tpl, "ext-busy")
			_, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both})
			if got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonCustomerBusy); got.Params["status"] != "provisioning" {
				t.Errorf("params = %v, want status provisioning", got.Params)
			}
			if n := jobs(t, f.db, "update_customer", c.ID); n != 0 {
				t.Errorf("%d update jobs for a refused update", n)
			}
		})

		t.Run("package in use", func(t *testing.T) {
			c := f.provisioned(t, tpl, "ext-used")
			if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `INSERT INTO subscribers (id, customer_id, email, package, status, created) VALUES (?, ?, ?, ?, ?, ?)`),
				"sub-1", c.ID, "user@ext-used.example", "webex_meetings", "active", int64(1)); err != nil {
				t.Fatal(err)
			}
			_, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_calling"}})
			p := wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPackages, tenantry.ReasonPackageInUse)
			if p.Params["package"] != "webex_meetings" || p.Params["count"] != "1" {
				t.Errorf("params = %v, want webex_meetings held by 1", p.Params)
			}
			if diff := cmp.Diff(c, f.get(t, c.ID)); diff != "" {
				t.Errorf("refused update changed the customer (-before +after):\n%s", diff)
			}
			// The other package is the one the organization was created
			// with: its full admin holds it (U4), so it stays too.
			_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_meetings"}})
			p = wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPackages, tenantry.ReasonPackageInUse)
			if p.Params["package"] != "webex_calling" || p.Params["count"] != "1" {
				t.Errorf("params = %v, want webex_calling held by 1 (the full admin)", p.Params)
			}
			// Keeping both and adding one is fine.
			if _, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_calling", "webex_meetings", "webex_suite"}}); err != nil {
				t.Errorf("add a package: %v", err)
			}
		})

		t.Run("quantity lowered", func(t *testing.T) {
			in := customerInput(tpl, "ext-q")
			in.Limits = map[string]int{"webex_calling": 10, "webex_meetings": 10}
			c, err := f.db.CreateCustomer(ctx, f.actor, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
				t.Fatal(err)
			}
			_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both, Limits: map[string]int{"webex_calling": 5, "webex_meetings": 10}})
			p := wantProblem(t, err, tenantry.EINVALID, tenantry.FieldLimits+".webex_calling", tenantry.ReasonQuantityLower)
			if p.Params["current"] != "10" {
				t.Errorf("params = %v, want current 10", p.Params)
			}
			_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both})
			wantProblem(t, err, tenantry.EINVALID, tenantry.FieldLimits, tenantry.ReasonQuantityDisable)

			up, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both, Limits: map[string]int{"webex_calling": 20, "webex_meetings": 10}})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: up.Version}); err != nil {
				t.Fatal(err)
			}
			if got := f.get(t, c.ID).Package(tenantry.WebexCalling); got == nil || got.Quantity != 20 {
				t.Errorf("webex_calling after raising = %+v, want quantity 20", got)
			}
		})

		t.Run("accepted and settled", func(t *testing.T) {
			c := f.provisioned(t, tpl, "ext-up")
			up, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{
				Packages: []string{"webex_calling", "webex_suite"},
				Info:     &tenantry.CustomerInfo{Name: "Renamed"},
			})
			if err != nil {
				t.Fatal(err)
			}
			stored := f.get(t, c.ID)
			if stored.Status != tenantry.StatusUpdating || stored.Version != c.Version+1 || stored.Name != "Renamed" {
				t.Errorf("accepted update: status %s version %d name %q", stored.Status, stored.Version, stored.Name)
			}
			if p := stored.Package(tenantry.WebexMeetings); p == nil || p.Status != tenantry.PackageDeleting {
				t.Errorf("dropped package = %+v, want deleting", p)
			}
			if n := jobs(t, f.db, "update_customer", c.ID); n != 1 {
				t.Errorf("%d update jobs, want 1", n)
			}
			// A second update must wait for the first.
			_, err = f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: both})
			wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonCustomerBusy)

			// A stale job changes nothing.
			if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stored, f.get(t, c.ID)); diff != "" {
				t.Errorf("stale update job changed the customer (-before +after):\n%s", diff)
			}

			job := tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: up.Version}
			if err := f.db.FinishCustomerUpdate(ctx, job); err != nil {
				t.Fatal(err)
			}
			settled := f.get(t, c.ID)
			if settled.Status != tenantry.StatusProvisioned {
				t.Errorf("status after the update job = %s, want provisioned", settled.Status)
			}
			if diff := cmp.Diff([]tenantry.Package{tenantry.WebexCalling, tenantry.WebexSuite}, settled.PackageNames()); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			for _, p := range settled.Packages {
				if p.Status != tenantry.PackageProvisioned || len(p.LicenseIDs) != 1 {
					t.Errorf("package %s: %s licenses %v", p.Name, p.Status, p.LicenseIDs)
				}
			}
			if err := f.db.FinishCustomerUpdate(ctx, job); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(settled, f.get(t, c.ID)); diff != "" {
				t.Errorf("repeated update job changed the customer (-before +after):\n%s", diff)
			}
			if got := actions(t, f.db, f.boot.Partner.ID, "customer", c.ID); !slices.Equal(got, []string{"customer.create", "customer.provisioned", "customer.update", "customer.updated"}) {
				t.Errorf("audit = %v", got)
			}
		})
	})
}

// TestDeleteCustomer removes a customer with everything provisioning made.
func TestDeleteCustomer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "ext-del")
		keep := f.provisioned(t, tpl, "ext-keep")
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `INSERT INTO subscribers (id, customer_id, email, package, status, created) VALUES (?, ?, ?, ?, ?, ?)`),
			"sub-1", c.ID, "user@ext-del.example", "webex_meetings", "active", int64(1)); err != nil {
			t.Fatal(err)
		}

		if err := f.db.DeleteCustomer(ctx, f.actor, c.ID); err != nil {
			t.Fatal(err)
		}
		deleting := f.get(t, c.ID)
		if deleting.Status != tenantry.StatusDeleting || deleting.Version != c.Version+1 {
			t.Errorf("after delete: status %s version %d", deleting.Status, deleting.Version)
		}
		if n := jobs(t, f.db, "delete_customer", c.ID); n != 1 {
			t.Errorf("%d delete jobs, want 1", n)
		}
		// Deleting again is the same request: no second job.
		if err := f.db.DeleteCustomer(ctx, f.actor, c.ID); err != nil {
			t.Errorf("second delete: %v", err)
		}
		if n := jobs(t, f.db, "delete_customer", c.ID); n != 1 {
			t.Errorf("%d delete jobs after deleting twice, want 1", n)
		}
		// A stale job leaves it.
		if err := f.db.FinishCustomerDeletion(ctx, tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(deleting, f.get(t, c.ID)); diff != "" {
			t.Errorf("stale delete job changed the customer (-before +after):\n%s", diff)
		}

		job := tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: deleting.Version}
		if err := f.db.FinishCustomerDeletion(ctx, job); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.Customer(ctx, f.actor, c.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		for _, table := range []string{"locations", "customer_admins", "subscribers"} {
			if n := count(t, f.db, `SELECT COUNT(*) FROM `+table+` WHERE customer_id = ?`, c.ID); n != 0 {
				t.Errorf("%d %s rows left for the deleted customer", n, table)
			}
			if n := count(t, f.db, `SELECT COUNT(*) FROM `+table+` WHERE customer_id = ?`, keep.ID); table != "subscribers" && n != 1 {
				t.Errorf("%d %s rows for the other customer, want 1", n, table)
			}
		}
		if err := f.db.FinishCustomerDeletion(ctx, job); err != nil {
			t.Errorf("repeated delete job: %v", err)
		}
		if diff := cmp.Diff(keep, f.get(t, keep.ID)); diff != "" {
			t.Errorf("other customer changed (-before +after):\n%s", diff)
		}
		// Its external id is free again.
		f.customer(t, tpl, "ext-del")
	})
}

// TestRecordJobFailure: a failed attempt shows on the customer; the last one
// puts it (and its unsettled packages) in error.
func TestRecordJobFailure(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.customer(t, tpl, "ext-1")

		if err := f.db.RecordJobFailure(ctx, c.ID, c.Version, "Attempt 1 of 10 failed: timeout", false); err != nil {
			t.Fatal(err)
		}
		got := f.get(t, c.ID)
		if got.Status != tenantry.StatusProvisioning || got.Version != c.Version {
			t.Errorf("after a failed attempt: status %s version %d, want provisioning %d", got.Status, got.Version, c.Version)
		}
		if diff := cmp.Diff([]tenantry.Notice{{Code: tenantry.NoticeJobFailed, Description: "Attempt 1 of 10 failed: timeout"}}, got.Errors); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		for _, p := range got.Packages {
			if p.Status != tenantry.PackageProvisioning {
				t.Errorf("package %s is %s after a retryable failure", p.Name, p.Status)
			}
		}

		// A failure of an outdated job is not shown.
		if err := f.db.RecordJobFailure(ctx, c.ID, c.Version+1, "stale", true); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, f.get(t, c.ID)); diff != "" {
			t.Errorf("stale failure changed the customer (-before +after):\n%s", diff)
		}
		// Nor is one for a customer that is gone.
		if err := f.db.RecordJobFailure(ctx, "gone", 1, "x", true); err != nil {
			t.Errorf("failure of a missing customer: %v", err)
		}

		if err := f.db.RecordJobFailure(ctx, c.ID, c.Version, "Attempt 10 of 10 failed: timeout", true); err != nil {
			t.Fatal(err)
		}
		got = f.get(t, c.ID)
		if got.Status != tenantry.StatusError {
			t.Errorf("status after the last attempt = %s, want error", got.Status)
		}
		gaveUp := []tenantry.Notice{{Code: tenantry.NoticeJobGaveUp, Description: "Attempt 10 of 10 failed: timeout"}}
		if diff := cmp.Diff(gaveUp, got.Errors); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		for _, p := range got.Packages {
			if p.Status != tenantry.PackageError || !cmp.Equal(p.Errors, gaveUp) {
				t.Errorf("package %s: %s %v, want error with the notice", p.Name, p.Status, p.Errors)
			}
		}
		// The job gave up, so a late run of it changes nothing.
		if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if f.get(t, c.ID).Status != tenantry.StatusError {
			t.Errorf("a job after giving up changed the status")
		}
	})
}

// TestProvisionedHasAnOrganization: whatever path leads a customer to
// provisioned, it then has its organization, headquarters location and
// first admin. One path is an update of a customer whose provisioning gave
// up (status error, which counts as settled).
func TestProvisionedHasAnOrganization(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.customer(t, tpl, "ext-gave-up")
		if err := f.db.RecordJobFailure(ctx, c.ID, c.Version, "Attempt 10 of 10 failed: outage", true); err != nil {
			t.Fatal(err)
		}
		// The update is accepted and its job provisions the customer
		// the first provisioning never made.
		up, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_calling", "webex_meetings"}})
		if err != nil {
			t.Fatalf("update after giving up: %v", err)
		}
		if err := f.db.FinishCustomerUpdate(ctx, tenantry.UpdateCustomerJob{CustomerID: c.ID, Version: up.Version}); err != nil {
			t.Fatal(err)
		}
		got := f.get(t, c.ID)
		if got.Status != tenantry.StatusProvisioned {
			t.Fatalf("after the update's job the customer is %s, want provisioned", got.Status)
		}
		locs := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c.ID)
		admins := count(t, f.db, `SELECT COUNT(*) FROM customer_admins WHERE customer_id = ?`, c.ID)
		if got.OrgID == "" || locs != 1 || admins != 1 {
			t.Errorf("customer is %s with org id %q, %d headquarters locations and %d admins; want an org, 1 and 1",
				got.Status, got.OrgID, locs, admins)
		}
	})
}

// TestCustomerListPlaceholders binds several parameters in one query (the
// partner, external id, org id, a list of statuses, limit and offset), so
// that a placeholder bound to the wrong value shows as wrong rows: ? on
// SQLite, $n on PostgreSQL.
func TestCustomerListPlaceholders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")

		// ext-0..ext-7 attach org-0..org-7, created in that order, and end in:
		status := []tenantry.CustomerStatus{
			tenantry.StatusProvisioning, tenantry.StatusProvisioning, tenantry.StatusProvisioned, tenantry.StatusProvisioned,
			tenantry.StatusProvisioned, tenantry.StatusError, tenantry.StatusDeleting, tenantry.StatusProvisioned,
		}
		for i, st := range status {
			ext := fmt.Sprintf("ext-%d", i)
			in := customerInput(tpl, ext)
			in.OrgID = fmt.Sprintf("org-%d", i)
			c, err := f.db.CreateCustomer(ctx, f.actor, in)
			if err != nil {
				t.Fatalf("create %s: %v", ext, err)
			}
			switch st {
			case tenantry.StatusProvisioned:
				err = f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version})
			case tenantry.StatusError:
				err = f.db.RecordJobFailure(ctx, c.ID, c.Version, "gave up", true)
			case tenantry.StatusDeleting:
				err = f.db.DeleteCustomer(ctx, f.actor, c.ID)
			}
			if err != nil {
				t.Fatalf("move %s to %s: %v", ext, st, err)
			}
			if got := f.get(t, c.ID).Status; got != st {
				t.Fatalf("%s status = %s, want %s", ext, got, st)
			}
		}
		// Another partner's customers with the same external and org ids
		// must never show: the partner is the first parameter bound.
		other := &fixture{db: f.db}
		other.boot, other.actor = addPartner(t, f.db, "Globex")
		otherTpl := other.template(t, "Standard")
		for i := range 3 {
			in := customerInput(otherTpl, fmt.Sprintf("ext-%d", i+4))
			if _, err := f.db.CreateCustomer(ctx, other.actor, in); err != nil {
				t.Fatal(err)
			}
		}

		type st = tenantry.CustomerStatus
		const (
			prov  = tenantry.StatusProvisioning
			done  = tenantry.StatusProvisioned
			fail  = tenantry.StatusError
			going = tenantry.StatusDeleting
		)
		tests := []struct {
			name   string
			filter tenantry.CustomerFilter
			want   []string
			total  int
		}{
			{"statuses with limit and offset",
				tenantry.CustomerFilter{Statuses: []st{done, fail}, Page: tenantry.Page{Offset: 1, Max: 2}},
				[]string{"ext-3", "ext-4"}, 5},
			{"external id, org id and statuses",
				tenantry.CustomerFilter{ExternalID: "ext-5", OrgID: "org-5", Statuses: []st{done, fail, going}, Page: tenantry.Page{Max: 10}},
				[]string{"ext-5"}, 1},
			{"external id and org id of different customers",
				tenantry.CustomerFilter{ExternalID: "ext-5", OrgID: "org-4", Statuses: []st{done, fail, going}, Page: tenantry.Page{Max: 10}},
				nil, 0},
			{"external id with a status it does not have",
				tenantry.CustomerFilter{ExternalID: "ext-5", OrgID: "org-5", Statuses: []st{done, going}, Page: tenantry.Page{Max: 10}},
				nil, 0},
			{"org id, one status, limit 1",
				tenantry.CustomerFilter{OrgID: "org-6", Statuses: []st{going}, Page: tenantry.Page{Max: 1}},
				[]string{"ext-6"}, 1},
			{"every status, last page",
				tenantry.CustomerFilter{Statuses: []st{prov, going, fail, done}, Page: tenantry.Page{Offset: 5, Max: 3}},
				[]string{"ext-5", "ext-6", "ext-7"}, 8},
			{"offset past the only match",
				tenantry.CustomerFilter{ExternalID: "ext-1", Statuses: []st{prov}, Page: tenantry.Page{Offset: 1, Max: 1}},
				nil, 1},
			{"no filter, middle page",
				tenantry.CustomerFilter{Page: tenantry.Page{Offset: 2, Max: 3}},
				[]string{"ext-2", "ext-3", "ext-4"}, 8},
			{"external id of the other partner only",
				tenantry.CustomerFilter{ExternalID: "ext-9", Page: tenantry.Page{Max: 10}},
				nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cs, total, err := f.db.Customers(ctx, f.actor, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, externalIDs(cs), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("customers (-want +got):\n%s", diff)
				}
				if total != tt.total {
					t.Errorf("total = %d, want %d", total, tt.total)
				}
				for _, c := range cs {
					if c.PartnerID != f.boot.Partner.ID {
						t.Errorf("customer %s belongs to %s, not the actor's partner", c.ExternalID, c.PartnerID)
					}
				}
			})
		}
	})
}

// TestJobFinishedWithItsWork: a provisioning job told its queue id
// (tenantry.WithJobID) is finished in the transaction of its work on
// SQLite, where River would otherwise complete it in a long transaction of
// its own; on PostgreSQL River completes it. A job whose work does not
// commit keeps its row for River to retry.
func TestJobFinishedWithItsWork(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		c := f.customer(t, f.template(t, "Standard"), "ext-1")
		var id int64
		if err := f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT id FROM river_job WHERE kind = 'provision_customer' AND `+jobArg(f.db)+` = ?`), c.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		// As River's fetch leaves it while a worker runs it.
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE river_job SET state = 'running' WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		jobCtx := tenantry.WithJobID(ctx, id)
		if err := f.db.ProvisionCustomer(jobCtx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version + 1}); err != nil {
			t.Fatal(err) // a stale job: nothing to do, and done
		}
		if err := f.db.ProvisionCustomer(jobCtx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t, c.ID).Status; got != tenantry.StatusProvisioned {
			t.Fatalf("status %s, want provisioned", got)
		}
		want := 0
		if e.Name == sqldb.Postgres {
			want = 1
		}
		if n := jobs(t, f.db, "provision_customer", c.ID); n != want {
			t.Errorf("%d queue rows left for the finished job, want %d", n, want)
		}

		// A job whose work does not commit (its worker gave up) is left to
		// River.
		d := f.customer(t, f.template(t, "Other"), "ext-2")
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE river_job SET state = 'running' WHERE kind = 'provision_customer' AND `+jobArg(f.db)+` = ?`), d.ID); err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(jobCtx)
		cancel()
		if err := f.db.ProvisionCustomer(canceled, tenantry.ProvisionCustomerJob{CustomerID: d.ID, Version: d.Version}); err == nil {
			t.Fatal("a cancelled job's work committed")
		}
		if n := jobs(t, f.db, "provision_customer", d.ID); n != 1 {
			t.Errorf("%d queue rows for the failed job, want 1", n)
		}
	})
}
