package sqldb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// webhook registers a webhook of actor a for events.
func webhook(t *testing.T, db *sqldb.DB, a *tenantry.Actor, url string, events ...string) *tenantry.Webhook {
	t.Helper()
	w := &tenantry.Webhook{URL: url, Events: events, Active: true}
	if err := db.CreateWebhook(t.Context(), a, w); err != nil {
		t.Fatalf("create webhook %s: %v", url, err)
	}
	return w
}

// storedSecret is the secret column of a webhook, as the database holds it.
func storedSecret(t *testing.T, db *sqldb.DB, id string) string {
	t.Helper()
	var s string
	if err := db.SQL().QueryRowContext(t.Context(), rebind(db, `SELECT secret FROM webhooks WHERE id = ?`), id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// deliveryJobs lists the delivery jobs queued for a webhook, as event ids.
func deliveryJobs(t *testing.T, db *sqldb.DB, webhookID string) []string {
	t.Helper()
	arg := func(name string) string {
		if db.Engine() == sqldb.Postgres {
			return "args->>'" + name + "'"
		}
		return "json_extract(args, '$." + name + "')"
	}
	rows, err := db.SQL().QueryContext(t.Context(), rebind(db, `SELECT `+arg("eventId")+` FROM river_job WHERE kind = 'deliver_webhook' AND `+arg("webhookId")+` = ? ORDER BY id`), webhookID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func TestWebhookLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		w := webhook(t, f.db, f.actor, "https://hooks.example/a", tenantry.EventCustomerProvisioned, tenantry.EventCustomerDeleted)
		if w.ID == "" || w.PartnerID != f.boot.Partner.ID || w.Created.IsZero() {
			t.Errorf("created webhook = %+v", w)
		}
		if !strings.HasPrefix(w.Secret, "whsec_") || len(w.Secret) < 40 {
			t.Errorf("secret = %q, want whsec_ and 32 random bytes", w.Secret)
		}
		// Secrets are never stored in clear: the column holds a sealed
		// value that neither is nor contains the secret.
		stored := storedSecret(t, f.db, w.ID)
		if stored == w.Secret || strings.Contains(stored, strings.TrimPrefix(w.Secret, "whsec_")) || !strings.HasPrefix(stored, "v1:") {
			t.Errorf("stored secret %q is not sealed", stored)
		}
		// Nor in the audit log.
		entries, err := f.db.AuditLog(ctx, f.boot.Partner.ID, "webhook", w.ID)
		if err != nil || len(entries) != 1 || strings.Contains(entries[0].Change, strings.TrimPrefix(w.Secret, "whsec_")) {
			t.Errorf("audit log = %+v, %v: want one entry without the secret", entries, err)
		}

		got, err := f.db.Webhook(ctx, f.actor, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *w
		want.Secret = ""
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("Webhook (-want +got):\n%s", diff)
		}

		second := webhook(t, f.db, f.actor, "https://hooks.example/b", tenantry.EventImportFinished)
		if second.Secret == w.Secret || storedSecret(t, f.db, second.ID) == stored {
			t.Error("two webhooks share a secret")
		}
		list, total, err := f.db.Webhooks(ctx, f.actor, tenantry.Page{Max: 1})
		if err != nil || total != 2 || len(list) != 1 || list[0].ID != w.ID || list[0].Secret != "" {
			t.Errorf("Webhooks max 1 = %+v, %d, %v; want the first of 2, without secret", list, total, err)
		}
		list, _, _ = f.db.Webhooks(ctx, f.actor, tenantry.Page{Offset: 1, Max: 10})
		if len(list) != 1 || list[0].ID != second.ID {
			t.Errorf("Webhooks offset 1 = %+v, want the second", list)
		}

		if err := f.db.DeleteWebhook(ctx, f.actor, w.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Webhook(ctx, f.actor, w.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteWebhook(ctx, f.actor, w.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, _, err = f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 10})
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		if got := actions(t, f.db, f.boot.Partner.ID, "webhook", w.ID); !slices.Equal(got, []string{"webhook.create", "webhook.delete"}) {
			t.Errorf("audit = %v", got)
		}
	})
}

func TestCreateWebhookRefuses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		err := f.db.CreateWebhook(ctx, f.actor, &tenantry.Webhook{URL: "ftp://x.example/", Events: []string{tenantry.EventCustomerUpdated}})
		wantProblem(t, err, tenantry.EINVALID, "url", tenantry.ReasonWebhookURL)

		webhook(t, f.db, f.actor, "https://hooks.example/same", tenantry.EventCustomerUpdated)
		err = f.db.CreateWebhook(ctx, f.actor, &tenantry.Webhook{URL: "https://hooks.example/same", Events: []string{tenantry.EventCustomerDeleted}})
		wantProblem(t, err, tenantry.ECONFLICT, "url", tenantry.ReasonWebhookURLTaken)
		// Another partner may use the same URL.
		_, b := addPartner(t, f.db, "Beta")
		webhook(t, f.db, b, "https://hooks.example/same", tenantry.EventCustomerUpdated)

		for i := 1; i < tenantry.MaxWebhooks; i++ {
			webhook(t, f.db, f.actor, fmt.Sprintf("https://hooks.example/%d", i), tenantry.EventCustomerUpdated)
		}
		err = f.db.CreateWebhook(ctx, f.actor, &tenantry.Webhook{URL: "https://hooks.example/one-too-many", Events: []string{tenantry.EventCustomerUpdated}})
		if e := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonWebhookLimit); e.Params["max"] != fmt.Sprint(tenantry.MaxWebhooks) {
			t.Errorf("limit params = %v", e.Params)
		}
		if _, total, _ := f.db.Webhooks(ctx, f.actor, tenantry.Page{Max: 1}); total != tenantry.MaxWebhooks {
			t.Errorf("%d webhooks, want %d", total, tenantry.MaxWebhooks)
		}

		// A suspended sub-partner may delete, not create.
		sub, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		sa, err := f.db.ResolveActor(ctx, &f.actor.Principal, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		sw := webhook(t, f.db, sa, "https://reseller.example/", tenantry.EventCustomerUpdated)
		if err := f.db.SetSubPartnerState(ctx, f.boot.Partner.ID, sub.ID, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		if sa, err = f.db.ResolveActor(ctx, &f.actor.Principal, sub.ID); err != nil {
			t.Fatal(err)
		}
		err = f.db.CreateWebhook(ctx, sa, &tenantry.Webhook{URL: "https://reseller.example/2", Events: []string{tenantry.EventCustomerUpdated}})
		wantError(t, err, tenantry.EFORBIDDEN, tenantry.ReasonSubPartnerSuspended)
		if err := f.db.DeleteWebhook(ctx, sa, sw.ID); err != nil {
			t.Errorf("suspended sub-partner deletes its webhook: %v", err)
		}
	})
}

func TestWebhookPartnerIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		_, b := addPartner(t, f.db, "Beta")
		w := webhook(t, f.db, f.actor, "https://acme.example/hook", tenantry.EventCustomerUpdated)

		_, err := f.db.Webhook(ctx, b, w.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		_, _, err = f.db.WebhookDeliveries(ctx, b, w.ID, tenantry.Page{Max: 10})
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteWebhook(ctx, b, w.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		if list, total, err := f.db.Webhooks(ctx, b, tenantry.Page{Max: 10}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("Beta lists %+v (%d), %v; want none", list, total, err)
		}
		if _, err := f.db.Webhook(ctx, f.actor, w.ID); err != nil {
			t.Errorf("Acme's webhook after Beta's attempts: %v", err)
		}

		// Beta's events never reach Acme's webhook.
		if err := f.db.EmitEvent(ctx, b.OrgID, tenantry.EventCustomerUpdated, map[string]string{"customerId": "c"}); err != nil {
			t.Fatal(err)
		}
		if got := deliveryJobs(t, f.db, w.ID); len(got) != 0 {
			t.Errorf("Beta's event queued for Acme's webhook: %v", got)
		}
	})
}

// TestEmitEvent: an event is stored and queued once for every active
// webhook subscribed to its type, of the partner or of its parent; an event
// nobody wants stores nothing.
func TestEmitEvent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		events := func() int { return count(t, f.db, `SELECT COUNT(*) FROM webhook_events`) }

		if err := f.db.EmitEvent(ctx, f.actor.OrgID, tenantry.EventCustomerProvisioned, map[string]string{"customerId": "c0"}); err != nil {
			t.Fatal(err)
		}
		if n := events(); n != 0 {
			t.Errorf("%d events stored without any webhook, want 0", n)
		}

		wants := webhook(t, f.db, f.actor, "https://acme.example/provisioned", tenantry.EventCustomerProvisioned, tenantry.EventCustomerDeleted)
		other := webhook(t, f.db, f.actor, "https://acme.example/deleted", tenantry.EventCustomerDeleted)
		inactive := &tenantry.Webhook{URL: "https://acme.example/paused", Events: []string{tenantry.EventCustomerProvisioned}}
		if err := f.db.CreateWebhook(ctx, f.actor, inactive); err != nil {
			t.Fatal(err)
		}
		data := tenantry.CustomerEvent{CustomerID: "c1", ExternalID: "ext-1", Status: tenantry.StatusProvisioned, Packages: []tenantry.Package{"webex_calling"}}
		if err := f.db.EmitEvent(ctx, f.actor.OrgID, tenantry.EventCustomerProvisioned, data); err != nil {
			t.Fatal(err)
		}
		if n := events(); n != 1 {
			t.Fatalf("%d events stored, want 1", n)
		}
		jobs := deliveryJobs(t, f.db, wants.ID)
		if len(jobs) != 1 || len(deliveryJobs(t, f.db, other.ID)) != 0 || len(deliveryJobs(t, f.db, inactive.ID)) != 0 {
			t.Fatalf("jobs: subscribed %v, other %v, inactive %v; want one for the subscribed webhook only",
				jobs, deliveryJobs(t, f.db, other.ID), deliveryJobs(t, f.db, inactive.ID))
		}
		var body string
		if err := f.db.SQL().QueryRowContext(ctx, rebind(f.db, `SELECT body FROM webhook_events WHERE id = ?`), jobs[0]).Scan(&body); err != nil {
			t.Fatal(err)
		}
		var ev struct {
			tenantry.Event
			Data tenantry.CustomerEvent `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.ID != jobs[0] || ev.Type != tenantry.EventCustomerProvisioned || ev.PartnerID != f.actor.OrgID || ev.Created.IsZero() {
			t.Errorf("event = %+v", ev.Event)
		}
		if diff := cmp.Diff(data, ev.Data); diff != "" {
			t.Errorf("event data (-want +got):\n%s", diff)
		}

		// Both subscribed webhooks hear of a deletion, each through its own job.
		if err := f.db.EmitEvent(ctx, f.actor.OrgID, tenantry.EventCustomerDeleted, data); err != nil {
			t.Fatal(err)
		}
		if a, b := deliveryJobs(t, f.db, wants.ID), deliveryJobs(t, f.db, other.ID); len(a) != 2 || len(b) != 1 || a[1] != b[0] {
			t.Errorf("jobs after the deletion: %v and %v, want one more each for the same event", a, b)
		}

		// A sub-partner's events reach its parent's webhooks.
		sub, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.EmitEvent(ctx, sub.ID, tenantry.EventCustomerProvisioned, data); err != nil {
			t.Fatal(err)
		}
		if got := deliveryJobs(t, f.db, wants.ID); len(got) != 3 {
			t.Errorf("the parent's webhook has %d jobs after a sub-partner's event, want 3", len(got))
		}

		if err := f.db.EmitEvent(ctx, f.actor.OrgID, "customer.exploded", data); err == nil {
			t.Error("an unknown event type was emitted")
		}
	})
}

// sender is a fake receiver: it answers with the statuses given, in turn,
// and keeps what it was sent.
type sender struct {
	statuses []int
	err      error
	got      []*tenantry.WebhookRequest
	during   func(*tenantry.WebhookRequest)
}

func (s *sender) send(ctx context.Context, r *tenantry.WebhookRequest) (int, error) {
	s.got = append(s.got, r)
	if s.during != nil {
		s.during(r)
	}
	if s.err != nil {
		return 0, s.err
	}
	st := s.statuses[0]
	s.statuses = s.statuses[1:]
	return st, nil
}

// deliveryOf emits one event for webhook w and returns its job.
func deliveryOf(t *testing.T, db *sqldb.DB, a *tenantry.Actor, w *tenantry.Webhook) tenantry.DeliverWebhookJob {
	t.Helper()
	if err := db.EmitEvent(t.Context(), a.OrgID, w.Events[0], map[string]string{"customerId": "c1"}); err != nil {
		t.Fatal(err)
	}
	jobs := deliveryJobs(t, db, w.ID)
	return tenantry.DeliverWebhookJob{WebhookID: w.ID, EventID: jobs[len(jobs)-1]}
}

func TestDeliverWebhook(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		w := webhook(t, f.db, f.actor, "https://acme.example/hook", tenantry.EventCustomerUpdated)
		job := deliveryOf(t, f.db, f.actor, w)
		deliveries := func() []*tenantry.WebhookDelivery {
			t.Helper()
			ds, _, err := f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 100})
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}

		s := &sender{statuses: []int{500, 204}}
		s.during = func(r *tenantry.WebhookRequest) {
			// The attempt is visible, pending, while the request is under way.
			if ds := deliveries(); len(ds) == 0 || ds[0].ID != r.DeliveryID || ds[0].Status != tenantry.DeliveryPending {
				t.Errorf("deliveries during the request: %+v, want the attempt pending first", ds)
			}
		}
		err := f.db.DeliverWebhook(ctx, job, s.send)
		if err == nil || !strings.Contains(err.Error(), "500") {
			t.Errorf("first attempt: err = %v, want a failure naming the status", err)
		}
		if err := f.db.DeliverWebhook(ctx, job, s.send); err != nil {
			t.Errorf("second attempt: %v", err)
		}
		// Once delivered, a repeated job sends nothing.
		if err := f.db.DeliverWebhook(ctx, job, s.send); err != nil || len(s.got) != 2 {
			t.Errorf("repeated job: err %v, %d requests sent, want 2", err, len(s.got))
		}

		r := s.got[0]
		if r.URL != w.URL || r.Secret != w.Secret || r.EventType != tenantry.EventCustomerUpdated {
			t.Errorf("request = %+v, want the webhook's URL and secret", r)
		}
		if !slices.Equal(s.got[1].Body, r.Body) || s.got[1].DeliveryID == r.DeliveryID {
			t.Error("a retry must send the same body under a new delivery id")
		}
		var ev tenantry.Event
		if err := json.Unmarshal(r.Body, &ev); err != nil || ev.ID != job.EventID || string(ev.Data) != `{"customerId":"c1"}` {
			t.Errorf("body %s (%v), want the event", r.Body, err)
		}

		type attempt struct {
			ID, EventID, EventType string
			Attempt                int
			Status                 string
			ResponseStatus         int
		}
		var got []attempt
		for _, d := range deliveries() {
			got = append(got, attempt{d.ID, d.EventID, d.EventType, d.Attempt, d.Status, d.ResponseStatus})
			if d.WebhookID != w.ID || d.At.IsZero() {
				t.Errorf("delivery %+v", d)
			}
		}
		want := []attempt{ // newest first
			{s.got[1].DeliveryID, job.EventID, tenantry.EventCustomerUpdated, 2, tenantry.DeliverySucceeded, 204},
			{s.got[0].DeliveryID, job.EventID, tenantry.EventCustomerUpdated, 1, tenantry.DeliveryFailed, 500},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
		if ds := deliveries(); ds[1].Error != "HTTP 500" || ds[0].Error != "" {
			t.Errorf("errors: failed %q, succeeded %q; want only the failure explained, as HTTP 500", ds[1].Error, ds[0].Error)
		}
		// The request carries the attempt's time (the signature's) and the
		// installation's policy, which the sender checks again.
		if at := deliveries()[1].At; !r.At.Equal(at) || r.Policy != (tenantry.WebhookPolicy{}) {
			t.Errorf("request at %v with policy %+v; want the attempt's time %v and the strict policy", r.At, r.Policy, at)
		}
		if ds, total, _ := f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Offset: 1, Max: 1}); total != 2 || len(ds) != 1 || ds[0].Attempt != 1 {
			t.Errorf("deliveries offset 1 max 1: %d of %d", len(ds), total)
		}
	})
}

func TestDeliverWebhookFailures(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		w := webhook(t, f.db, f.actor, "https://acme.example/hook", tenantry.EventCustomerUpdated)
		job := deliveryOf(t, f.db, f.actor, w)

		// No answer at all: the partner reads why in words of a closed set,
		// never the sender's error, which tells what answered inside the
		// network; the error returned (for the server's log) keeps it.
		detail := errors.New("dial tcp 10.0.0.5:8080: connect: connection refused")
		s := &sender{err: detail}
		err := f.db.DeliverWebhook(ctx, job, s.send)
		if err == nil {
			t.Fatal("an unreachable receiver counts as delivered")
		}
		if !errors.Is(err, detail) {
			t.Errorf("returned error %v lacks the detail", err)
		}
		ds, _, _ := f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 10})
		if len(ds) != 1 || ds[0].Status != tenantry.DeliveryFailed || ds[0].ResponseStatus != 0 || ds[0].Error != tenantry.DeliveryErrorConnection {
			t.Errorf("deliveries = %+v, want failed with %q", ds, tenantry.DeliveryErrorConnection)
		}
		s = &sender{err: &tenantry.DeliveryError{Public: tenantry.DeliveryErrorTimeout, Err: detail}}
		if err := f.db.DeliverWebhook(ctx, job, s.send); !errors.Is(err, detail) {
			t.Errorf("returned error %v lacks the detail", err)
		}
		ds, _, _ = f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 10})
		if len(ds) != 2 || ds[0].Error != tenantry.DeliveryErrorTimeout {
			t.Errorf("deliveries = %+v, want the last failed with %q", ds, tenantry.DeliveryErrorTimeout)
		}
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `DELETE FROM webhook_deliveries WHERE id = ?`), ds[0].ID); err != nil {
			t.Fatal(err)
		}
		ds = ds[1:]

		// An attempt whose process died stays pending until the next
		// attempt of the job, which marks it failed.
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE webhook_deliveries SET status = 'pending' WHERE id = ?`), ds[0].ID); err != nil {
			t.Fatal(err)
		}
		s = &sender{statuses: []int{302}} // a redirect is not a delivery
		if err := f.db.DeliverWebhook(ctx, job, s.send); err == nil {
			t.Error("a redirect counts as delivered")
		}
		ds, _, _ = f.db.WebhookDeliveries(ctx, f.actor, w.ID, tenantry.Page{Max: 10})
		if len(ds) != 2 || ds[0].Attempt != 2 || ds[0].ResponseStatus != 302 || ds[1].Status != tenantry.DeliveryFailed || !strings.Contains(ds[1].Error, "interrupted") {
			t.Errorf("deliveries = %+v", ds)
		}

		// A sealed secret opens only on its own webhook.
		other := webhook(t, f.db, f.actor, "https://acme.example/other", tenantry.EventCustomerUpdated)
		otherJob := deliveryOf(t, f.db, f.actor, other)
		if _, err := f.db.SQL().ExecContext(ctx, rebind(f.db, `UPDATE webhooks SET secret = ? WHERE id = ?`), storedSecret(t, f.db, w.ID), other.ID); err != nil {
			t.Fatal(err)
		}
		s = &sender{statuses: []int{200}}
		if err := f.db.DeliverWebhook(ctx, otherJob, s.send); err == nil || len(s.got) != 0 {
			t.Errorf("a secret moved to another webhook opened (err %v, %d sent)", err, len(s.got))
		}

		// A deleted webhook's queued deliveries do nothing.
		if err := f.db.DeleteWebhook(ctx, f.actor, w.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeliverWebhook(ctx, job, s.send); err != nil || len(s.got) != 0 {
			t.Errorf("delivery to a deleted webhook: err %v, %d sent", err, len(s.got))
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?`, w.ID); n != 0 {
			t.Errorf("%d deliveries of the deleted webhook remain", n)
		}
	})
}

// TestWebhookKeySurvivesReopen: the key that seals secrets is the
// database's, so a secret sealed before a restart opens after it.
func TestWebhookKeySurvivesReopen(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		db, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		_, a := addPartner(t, db, "Acme")
		w := webhook(t, db, a, "https://acme.example/hook", tenantry.EventCustomerUpdated)
		job := deliveryOf(t, db, a, w)
		db.Close()

		db2, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		s := &sender{statuses: []int{200}}
		if err := db2.DeliverWebhook(t.Context(), job, s.send); err != nil || len(s.got) != 1 || s.got[0].Secret != w.Secret {
			t.Errorf("after reopening: err %v, sent %d", err, len(s.got))
		}
	})
}

// TestCreateWebhooksConcurrently: partners registering their first webhooks
// at once agree on one sealing key (every secret opens), and of requests
// racing to register one URL for one partner exactly one wins.
func TestCreateWebhooksConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		db := openDB(t, e)
		ctx := t.Context()
		const n = 6
		actors := make([]*tenantry.Actor, n)
		for i := range actors {
			_, actors[i] = addPartner(t, db, fmt.Sprintf("Partner%d", i))
		}
		hooks := make([]*tenantry.Webhook, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				hooks[i] = &tenantry.Webhook{URL: "https://hooks.example/", Events: []string{tenantry.EventCustomerUpdated}, Active: true}
				errs[i] = db.CreateWebhook(ctx, actors[i], hooks[i])
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("partner %d: %v", i, errs[i])
			}
			s := &sender{statuses: []int{200}}
			if err := db.DeliverWebhook(ctx, deliveryOf(t, db, actors[i], hooks[i]), s.send); err != nil || s.got[0].Secret != hooks[i].Secret {
				t.Errorf("partner %d: the secret does not open (%v)", i, err)
			}
		}
		if k := count(t, db, `SELECT COUNT(*) FROM server_keys`); k != 1 {
			t.Errorf("%d keys, want 1", k)
		}

		var won, taken atomic.Int32
		for range n {
			wg.Go(func() {
				err := db.CreateWebhook(ctx, actors[0], &tenantry.Webhook{URL: "https://hooks.example/race", Events: []string{tenantry.EventCustomerDeleted}})
				switch {
				case err == nil:
					won.Add(1)
				case tenantry.ErrorCode(err) == tenantry.ECONFLICT:
					taken.Add(1)
				default:
					t.Errorf("racing create: %v", err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 || taken.Load() != n-1 {
			t.Errorf("%d created and %d refused, want 1 and %d", won.Load(), taken.Load(), n-1)
		}
	})
}

// TestProvisioningEmitsEvents: the provisioning job, which reads the
// webhooks with its customer, queues its event for every active webhook
// subscribed to it, of the customer's partner and of its parent, and for no
// other.
func TestProvisioningEmitsEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		wants := webhook(t, f.db, f.actor, "https://acme.example/provisioned", tenantry.EventCustomerProvisioned)
		other := webhook(t, f.db, f.actor, "https://acme.example/deleted", tenantry.EventCustomerDeleted)
		inactive := &tenantry.Webhook{URL: "https://acme.example/paused", Events: []string{tenantry.EventCustomerProvisioned}}
		if err := f.db.CreateWebhook(ctx, f.actor, inactive); err != nil {
			t.Fatal(err)
		}
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "ext-1")
		if c.Status != tenantry.StatusProvisioned {
			t.Fatalf("status %s, want provisioned", c.Status)
		}
		if got := deliveryJobs(t, f.db, wants.ID); len(got) != 1 {
			t.Errorf("the subscribed webhook has %d jobs, want 1", len(got))
		}
		if n, m := len(deliveryJobs(t, f.db, other.ID)), len(deliveryJobs(t, f.db, inactive.ID)); n != 0 || m != 0 {
			t.Errorf("unsubscribed and inactive webhooks have %d and %d jobs, want none", n, m)
		}

		// A sub-partner's customer: the parent's webhook hears of it too.
		sp, err := f.db.CreateSubPartner(ctx, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := f.db.CreateCustomer(ctx, f.onBehalfOf(t, sp.ID), customerInput(tpl, "sub-1"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.ProvisionCustomer(ctx, tenantry.ProvisionCustomerJob{CustomerID: sc.ID, Version: sc.Version}); err != nil {
			t.Fatal(err)
		}
		if got := deliveryJobs(t, f.db, wants.ID); len(got) != 2 {
			t.Errorf("the parent's webhook has %d jobs after its sub-partner's customer, want 2", len(got))
		}
	})
}
