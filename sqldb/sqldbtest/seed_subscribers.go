package sqldbtest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// SeedLastNames are the last names SeedSubscribers gives in turn: a search
// for one of them matches one seeded user in len(SeedLastNames).
var SeedLastNames = []string{"Lovelace", "Hopper", "Turing", "Noether", "Curie", "Öberg", "Nakamura", "Haddad", "Kim", "Silva",
	"García", "Johansson", "Okafor", "Novak", "Rossi", "Dubois", "Schmidt", "Kowalski", "Yilmaz", "Park",
	"Andersson", "Moreau", "Costa", "Fischer", "Ivanova", "Tanaka", "Nguyen", "Singh", "Murphy", "Jensen",
	"Kaya", "Romero", "Müller", "Lindqvist", "Petrov", "Ali", "Santos", "Weber", "Larsen", "Cohen",
	"Bauer", "Sato", "Pereira", "Lopez", "Berg", "Wagner", "Mendes", "Ahmed", "Horvat", "Virtanen"}

// SeedPendingEvery makes every SeedPendingEvery-th seeded user wait for
// consent (pending_user_migration); the others are provisioned.
const SeedPendingEvery = 100

// SeedSubscribers writes n users of the customer of the user modelID,
// shaped as the store writes them: each with its own id, address
// ("seed-0000042@seed.example"), first name ("User 42"), a last name of
// SeedLastNames in turn, a later created time, search text from fold (the
// store's), and every SeedPendingEvery-th one pending; 100 rows a statement
// in one transaction. postgres numbers the placeholders.
func SeedSubscribers(t testing.TB, db *sql.DB, postgres bool, modelID string, n int, fold func(first, last, email string) string) {
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
			id := fmt.Sprintf("seed-user-%07d", j)
			email := fmt.Sprintf("seed-%07d@seed.example", j)
			first, last := fmt.Sprintf("User %d", j), SeedLastNames[j%len(SeedLastNames)]
			status, person, consents := "provisioned", "seed-person-"+id, 0
			if j%SeedPendingEvery == SeedPendingEvery-1 {
				status, person, consents = "pending_user_migration", "", 1
			}
			values = append(values, "(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, id, email, first, last, status, person, fmt.Sprint(consents), fmt.Sprint(j+1), fold(first, last, email))
		}
		args = append(args, modelID)
		q := `INSERT INTO subscribers (id, customer_id, partner_id, person_id, email, first_name, last_name, package, status,
			location_id, primary_phone_number, extension, consent_requests, consent_sent, created, updated, last_status_change, search_folded)
			SELECT v.column1, s.customer_id, s.partner_id, v.column6, v.column2, v.column3, v.column4, s.package, v.column5,
			s.location_id, '', '', CAST(v.column7 AS BIGINT), 0, s.created + CAST(v.column8 AS BIGINT), s.updated, s.last_status_change, v.column9
			FROM (VALUES ` + strings.Join(values, ", ") + `) AS v, subscribers s WHERE s.id = ?`
		if postgres {
			q = Rebind(q)
		}
		if _, err := tx.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatalf("seed subscribers: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
