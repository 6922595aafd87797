package sqldb_test

import (
	"context"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// BenchmarkAuthenticate measures what every API request now pays to
// authenticate: one read of the token's row by its unique index (and, once
// a minute per token, the write of its last use). It replaced a 30-second
// in-memory cache under which a revoked token kept working. The parallel
// variant shows the read under concurrent requests (on SQLite they share
// the one connection).
func BenchmarkAuthenticate(b *testing.B) {
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
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.Authenticate(ctx, boot.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := db.Authenticate(ctx, boot.Token); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkTrivialRead is the floor BenchmarkAuthenticate is compared
// with: the cheapest statement a request can send through the pool.
func BenchmarkTrivialRead(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, e.URL(b), sqldb.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var n int
			for b.Loop() {
				if err := db.SQL().QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
