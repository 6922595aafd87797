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

// BenchmarkCustomerList measures one page of 100 customers as the API asks
// for it (no total) on each engine: the page's ids from the index, then its
// rows read and decoded. `tenantry bench lists` measures it at scale.
func BenchmarkCustomerList(b *testing.B) {
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
			c, err := db.CreateCustomer(ctx, a, customerInput(tpl, "model"))
			if err != nil {
				b.Fatal(err)
			}
			if err := db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
				b.Fatal(err)
			}
			sqldbtest.SeedCustomers(b, db.SQL(), e.Name == "postgres", c.ID, 999)
			f := tenantry.CustomerFilter{SkipTotal: true, Page: tenantry.Page{Max: 100}}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				cs, _, err := db.Customers(ctx, a, f)
				if err != nil || len(cs) != 100 {
					b.Fatal(len(cs), err)
				}
			}
		})
	}
}
