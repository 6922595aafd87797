package sqldb_test

import (
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestUpdateKeepsAdminsPackages: rule C5 counts customer admins as holders
// of their package, the full admin too (it holds the package the
// organization was created with, U4), so an update cannot take it away
// from them.
func TestUpdateKeepsAdminsPackages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		c := f.provisioned(t, f.template(t, "Standard"), "ext-admin-pkg")
		if _, err := f.db.AddCustomerAdmin(ctx, f.actor, c.ID, &tenantry.CustomerAdminInput{
			Email: "helpdesk@ext-admin-pkg.example", Role: tenantry.AdminReadOnly, Package: tenantry.WebexCalling,
		}); err != nil {
			t.Fatalf("add admin: %v", err)
		}
		_, err := f.db.UpdateCustomer(ctx, f.actor, c.ID, &tenantry.CustomerInput{Packages: []string{"webex_meetings"}})
		e2 := tenantry.AsError(err)
		if e2.Code != tenantry.EINVALID || len(e2.Problems) != 1 || e2.Problems[0].Reason != tenantry.ReasonPackageInUse ||
			e2.Problems[0].Params["package"] != "webex_calling" || e2.Problems[0].Params["count"] != "2" {
			t.Fatalf("update dropping the admins' package: %v, want EINVALID package_in_use for webex_calling held by 2", err)
		}
	})
}
