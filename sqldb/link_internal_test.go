package sqldb

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestLinksMigrationRedactsSentMail runs the statements of migration 0011
// that strip link tokens from the data of mail already sent or failed,
// over rows written the way mail was queued before it: a sent consent mail
// and a failed approval invitation lose their tokens (both of the
// approval's links), a queued mail keeps its own for the sender, and mail
// without links is untouched.
func TestLinksMigrationRedactsSentMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		db := openBatchDB(t, e)
		ctx := t.Context()
		boot, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Old Mail", AdminEmail: "ops@old.example"})
		if err != nil {
			t.Fatal(err)
		}
		const tok = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE" // 43 characters, as the links had
		if len(tok) != 43 {
			t.Fatal("the token must have 43 characters")
		}
		rows := []struct{ id, status, data string }{
			{"m-consent", "sent", `{"BrandName":"B","Link":"http://h/v1/consents/` + tok + `?decision=accept"}`},
			{"m-approval", "failed", `{"BrandName":"B","ApproveURL":"http://h/v1/approvals/` + tok + `?decision=approve","RejectURL":"http://h/v1/approvals/` + tok + `?decision=reject"}`},
			{"m-queued", "queued", `{"BrandName":"B","Link":"http://h/v1/consents/` + tok + `?decision=accept"}`},
			{"m-welcome", "sent", `{"BrandName":"Bé","Link":"http://h/start"}`},
		}
		for _, r := range rows {
			if _, err := db.SQL().ExecContext(ctx, db.rebind(`INSERT INTO outbox (id, partner_id, customer_id, kind, recipient, language, from_name,
				subject, text_body, html_body, status, attempts, last_error, next_attempt, created, sent, data)
				VALUES (?, ?, 'c', 'consent', 'a@b.example', 'en', 'B', '', '', '', ?, 1, '', 0, 0, 0, ?)`),
				r.id, boot.Partner.ID, r.status, r.data); err != nil {
				t.Fatal(err)
			}
		}
		body, err := fs.ReadFile(migrations, "migrations/"+db.engine+"/0011_links.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range strings.Split(string(body), ";\n") {
			var code []string
			for _, l := range strings.Split(stmt, "\n") {
				if !strings.HasPrefix(strings.TrimSpace(l), "--") {
					code = append(code, l)
				}
			}
			if q := strings.TrimSpace(strings.Join(code, "\n")); strings.HasPrefix(q, "UPDATE") {
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		want := map[string]string{
			"m-consent":  `{"BrandName":"B","Link":"http://h/v1/consents/…?decision=accept"}`,
			"m-approval": `{"BrandName":"B","ApproveURL":"http://h/v1/approvals/…?decision=approve","RejectURL":"http://h/v1/approvals/…?decision=reject"}`,
			"m-queued":   rows[2].data,
			"m-welcome":  rows[3].data,
		}
		for id, w := range want {
			var got string
			if err := db.SQL().QueryRowContext(ctx, db.rebind(`SELECT data FROM outbox WHERE id = ?`), id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s: data %s, want %s", id, got, w)
			}
		}
	})
}
