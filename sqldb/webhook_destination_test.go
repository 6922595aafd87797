package sqldb_test

import (
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestCreateWebhookDestinationPolicy: the database's policy decides at
// registration; a private destination is refused unless it allows them,
// and stored (then delivered to) when it does.
func TestCreateWebhookDestinationPolicy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		strict, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		defer strict.Close()
		_, a := addPartner(t, strict, "Acme")
		for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/", "http://metadata.google.internal/", "http://2130706433/"} {
			err := strict.CreateWebhook(t.Context(), a, &tenantry.Webhook{URL: u, Events: []string{tenantry.EventCustomerUpdated}})
			wantProblem(t, err, tenantry.EINVALID, "url", tenantry.ReasonWebhookURLDestination)
		}
		err = strict.CreateWebhook(t.Context(), a, &tenantry.Webhook{URL: "https://hooks.example:99999/", Events: []string{tenantry.EventCustomerUpdated}})
		wantProblem(t, err, tenantry.EINVALID, "url", tenantry.ReasonWebhookURLPort)
		strict.Close()

		open, err := sqldb.Open(t.Context(), url, sqldb.Options{Now: steppingClock(), Webhooks: tenantry.WebhookPolicy{AllowPrivate: true}})
		if err != nil {
			t.Fatal(err)
		}
		defer open.Close()
		w := webhook(t, open, a, "http://127.0.0.1:8080/hook", tenantry.EventCustomerUpdated)
		// Some destinations no policy allows.
		err = open.CreateWebhook(t.Context(), a, &tenantry.Webhook{URL: "http://0.0.0.0:8080/", Events: []string{tenantry.EventCustomerUpdated}})
		wantProblem(t, err, tenantry.EINVALID, "url", tenantry.ReasonWebhookURLDestination)

		// Each delivery carries the policy to the sender.
		job := deliveryOf(t, open, a, w)
		s := &sender{statuses: []int{200}}
		if err := open.DeliverWebhook(t.Context(), job, s.send); err != nil || len(s.got) != 1 || !s.got[0].Policy.AllowPrivate {
			t.Errorf("delivery: %v, requests %+v; want one carrying the open policy", err, s.got)
		}
	})
}
