package sqldb_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestAssistanceRequests: a request is stored for the actor's customer;
// with no operations address it waits unmailed, setting the address mails
// it (once), and later requests are mailed in their own transaction. Lists
// are newest first and scoped to the partner.
func TestAssistanceRequests(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newSubFixture(t, e)
		ctx := t.Context()
		in := &tenantry.AssistanceInput{CustomerID: f.cust.ID, ContactName: "Bo Berg", ContactEmail: "bo@contoso.example",
			Topics: []tenantry.AssistanceTopic{tenantry.TopicNumbers, tenantry.TopicSSO}, Details: "Port 40 numbers", Language: "sv"}

		ps, err := f.db.PartnerSettings(ctx, f.actor)
		if err != nil || ps.Name != "Acme" || ps.ID != f.actor.OrgID || ps.OperationsEmail != "" {
			t.Fatalf("settings %+v, %v", ps, err)
		}
		first, err := f.db.RequestAssistance(ctx, f.actor, in)
		if err != nil {
			t.Fatal(err)
		}
		if first.State() != tenantry.AssistanceUnsent || first.CustomerName != f.cust.Name || first.Language != "sv" {
			t.Errorf("without an address: %+v", first)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM outbox WHERE kind = 'setup_assistance'`); n != 0 {
			t.Errorf("%d mails without an address", n)
		}

		// Bad input is refused whole; another partner's customer is not found.
		bad := *in
		bad.ContactEmail, bad.Topics, bad.Details = "nope", nil, ""
		err = func() error { _, err := f.db.RequestAssistance(ctx, f.actor, &bad); return err }()
		wantProblem(t, err, tenantry.EINVALID, "contactEmail", tenantry.ReasonInvalidEmail)
		wantProblem(t, err, tenantry.EINVALID, "topics", tenantry.ReasonAssistanceHelp)
		_, other := addPartner(t, f.db, "Globex")
		_, err = f.db.RequestAssistance(ctx, other, in)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, err = f.db.SetOperationsEmail(ctx, f.actor, "not an address")
		wantProblem(t, err, tenantry.EINVALID, "operationsEmail", tenantry.ReasonInvalidEmail)

		// Setting the address mails the waiting request, with an audit row.
		n, err := f.db.SetOperationsEmail(ctx, f.actor, " ops@acme.example ")
		if err != nil || n != 1 {
			t.Fatalf("set address: mailed %d, %v", n, err)
		}
		if n, err := f.db.SetOperationsEmail(ctx, f.actor, "ops@acme.example"); err != nil || n != 0 {
			t.Fatalf("same address again: mailed %d, %v", n, err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'partner.operations_email' AND resource_id = ?`, f.actor.OrgID); n != 1 {
			t.Errorf("%d audit rows for the address", n)
		}
		got, err := f.db.AssistanceRequest(ctx, f.actor, first.ID)
		if err != nil || got.State() != tenantry.AssistanceQueued || got.MailTo != "ops@acme.example" || got.RequestedBy != f.actor.AdminID {
			t.Fatalf("after the address: %+v, %v", got, err)
		}
		m, err := f.db.OutboxMessage(ctx, f.actor, got.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != tenantry.MailAssistance || m.To != "ops@acme.example" || m.Language != "sv" || m.CustomerID != f.cust.ID ||
			!strings.Contains(m.Text, "Bo Berg") || !strings.Contains(m.Text, "Port 40 numbers") || !strings.Contains(m.Text, "/assistance/"+first.ID) {
			t.Errorf("mail: %+v\n%s", m, m.Text)
		}

		// With an address, a request is mailed at once.
		in.Topics, in.Details = nil, "Train two admins"
		second, err := f.db.RequestAssistance(ctx, f.actor, in)
		if err != nil || second.State() != tenantry.AssistanceQueued || second.MailTo != "ops@acme.example" {
			t.Fatalf("second: %+v, %v", second, err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM outbox WHERE kind = 'setup_assistance'`); n != 2 {
			t.Errorf("%d assistance mails, want 2", n)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'assistance.request'`); n != 2 {
			t.Errorf("%d audit rows for requests", n)
		}

		list, total, err := f.db.AssistanceRequests(ctx, f.actor, tenantry.AssistanceFilter{Page: tenantry.Page{Max: 10}})
		if err != nil || total != 2 || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
			t.Fatalf("list: %d %v %v", total, list, err)
		}
		page, total, err := f.db.AssistanceRequests(ctx, f.actor, tenantry.AssistanceFilter{CustomerID: f.cust.ID, Page: tenantry.Page{Offset: 1, Max: 1}})
		if err != nil || total != 2 || len(page) != 1 || page[0].ID != first.ID {
			t.Fatalf("second page: %d %v %v", total, page, err)
		}
		if l, total, _ := f.db.AssistanceRequests(ctx, other, tenantry.AssistanceFilter{Page: tenantry.Page{Max: 10}}); total != 0 || len(l) != 0 {
			t.Errorf("another partner lists %d", total)
		}
		_, err = f.db.AssistanceRequest(ctx, other, first.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)

		// The kind filter of the outbox.
		ms, total, err := f.db.OutboxMessages(ctx, f.actor, tenantry.OutboxFilter{Kind: tenantry.MailAssistance, Page: tenantry.Page{Max: 10}})
		if err != nil || total != 2 || len(ms) != 2 || ms[0].Kind != tenantry.MailAssistance {
			t.Errorf("outbox by kind: %d %v", total, err)
		}

		// Sent mail the outbox has pruned still reads as sent, to the address.
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE outbox SET status = 'sent' WHERE id = ?`), second.MessageID); err != nil {
			t.Fatal(err)
		}
		if got, err := f.db.AssistanceRequest(ctx, f.actor, second.ID); err != nil || got.State() != tenantry.AssistanceSent || got.MailPruned {
			t.Errorf("sent: %+v, %v", got, err)
		}
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `DELETE FROM outbox WHERE id = ?`), second.MessageID); err != nil {
			t.Fatal(err)
		}
		if got, err := f.db.AssistanceRequest(ctx, f.actor, second.ID); err != nil || got.State() != tenantry.AssistanceSent || !got.MailPruned || got.MailTo != "ops@acme.example" {
			t.Errorf("pruned: %+v, %v", got, err)
		}

		// Clearing the address: later requests wait again.
		if _, err := f.db.SetOperationsEmail(ctx, f.actor, ""); err != nil {
			t.Fatal(err)
		}
		third, err := f.db.RequestAssistance(ctx, f.actor, in)
		if err != nil || third.State() != tenantry.AssistanceUnsent {
			t.Fatalf("third: %+v, %v", third, err)
		}
	})
}
