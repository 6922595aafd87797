package sqldbtest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// SeedCustomers writes n copies of the customer modelID with their own id,
// external id ("seed-0000042"), name ("Seeded 42") and a later created time,
// 100 rows a statement in one transaction: lists of thousands of customers
// without provisioning each. postgres numbers the placeholders.
func SeedCustomers(t testing.TB, db *sql.DB, postgres bool, modelID string, n int) {
	t.Helper()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := 0; i < n; i += 100 {
		var values []string
		var args []any
		for j := i; j < min(i+100, n); j++ {
			name := fmt.Sprintf("Seeded %d", j)
			values = append(values, "(?, ?, ?, ?, ?)")
			args = append(args, fmt.Sprintf("seed-%07d", j), fmt.Sprintf("seed-%07d", j), name, strings.ToLower(name), fmt.Sprint(j+1))
		}
		args = append(args, modelID)
		q := `INSERT INTO customers (id, partner_id, org_id, external_id, name, name_folded, primary_email, language, template_id,
			address, country, region, status, packages, quantities, calling, meetings_tz, sub_partner_admin_email, e911, errors,
			version, created, updated, approval)
			SELECT v.column1, c.partner_id, '', v.column2, v.column3, v.column4, c.primary_email, c.language, c.template_id,
			c.address, c.country, c.region, c.status, c.packages, c.quantities, c.calling, c.meetings_tz, c.sub_partner_admin_email,
			c.e911, c.errors, c.version, c.created + CAST(v.column5 AS BIGINT), c.updated, c.approval
			FROM (VALUES ` + strings.Join(values, ", ") + `) AS v, customers c WHERE c.id = ?`
		if postgres {
			q = Rebind(q)
		}
		if _, err := tx.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatalf("seed customers: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Rebind numbers a query's ? placeholders $1, $2, … for PostgreSQL.
func Rebind(q string) string {
	var b strings.Builder
	k := 0
	for _, r := range q {
		if r == '?' {
			k++
			fmt.Fprintf(&b, "$%d", k)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
