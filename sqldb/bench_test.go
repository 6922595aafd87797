package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// BenchmarkCustomerLifecycle measures the storage side of one customer on
// each engine: accepting it (with its job) and running its provisioning job,
// without HTTP or River's polling in between. `tenantry bench customers`
// measures the whole system.
func BenchmarkCustomerLifecycle(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, e.URL(b), sqldb.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			boot, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Bench", AdminEmail: "ops@bench.example"})
			if err != nil {
				b.Fatal(err)
			}
			p, _ := db.Authenticate(ctx, boot.Token)
			a, _ := db.ResolveActor(ctx, p, "")
			tpl := templateFor(boot, "Bench")
			if err := db.CreateTemplate(ctx, a, tpl); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				c, err := db.CreateCustomer(ctx, a, customerInput(tpl, fmt.Sprintf("bench-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				if err := db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
