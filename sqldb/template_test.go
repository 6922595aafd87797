package sqldb_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestTemplateLifecycle creates, reads, lists, updates and deletes
// templates, with every field surviving the round trip.
func TestTemplateLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()

		plain := f.template(t, "Plain")
		want := tenantry.Template{
			ID: plain.ID, PartnerID: f.boot.Partner.ID, ProvisioningID: plain.ProvisioningID, Name: "Plain", Country: "US",
			ServiceProviderAdminID: f.boot.Admin.ID, SubscriptionID: f.boot.Subscription.ID, EmailLanguage: "en",
			Auth: tenantry.Authentication{Method: tenantry.AuthPlatform}, BrandName: "Plain",
			OfferTypes: []tenantry.OfferType{tenantry.OfferWholesale}, Created: plain.Created, Updated: plain.Updated,
		}
		if plain.ID == "" || plain.ProvisioningID == "" || plain.ID == plain.ProvisioningID || plain.Created.IsZero() {
			t.Fatalf("created template lacks ids or times: %+v", plain)
		}
		got, err := f.db.Template(ctx, f.actor, plain.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("stored defaults (-want +got):\n%s", diff)
		}

		full := &tenantry.Template{
			Name: "Full", Country: "SE", ServiceProviderAdminID: f.boot.Admin.ID, SubscriptionID: f.boot.Subscription.ID,
			EmailLanguage: "sv", PSTNVendor: "Telia", BrandName: "Nordic Calling",
			Auth:                   tenantry.Authentication{Method: tenantry.AuthSAML, IdPEntityID: "https://idp.example/saml"},
			AllowAdminInviteEmails: true, OfferTypes: []tenantry.OfferType{tenantry.OfferWholesale, tenantry.OfferBroadWorks},
			WebexToWebexCalling: true,
		}
		if err := f.db.CreateTemplate(ctx, f.actor, full); err != nil {
			t.Fatal(err)
		}
		got, err = f.db.Template(ctx, f.actor, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full, got); diff != "" {
			t.Errorf("round trip (-created +stored):\n%s", diff)
		}

		third := f.template(t, "Third")
		list, total, err := f.db.Templates(ctx, f.actor, tenantry.Page{Max: 10})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Third", "Full", "Plain"}, templateNames(list)); diff != "" || total != 3 {
			t.Errorf("templates, newest first (-want +got):\n%s total %d", diff, total)
		}
		list, total, err = f.db.Templates(ctx, f.actor, tenantry.Page{Offset: 1, Max: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Full"}, templateNames(list)); diff != "" || total != 3 {
			t.Errorf("second page (-want +got):\n%s total %d", diff, total)
		}

		// Update replaces the settings and keeps the ids and creation time.
		upd := &tenantry.Template{
			ID: full.ID, Name: "Full v2", Country: "NO", ServiceProviderAdminID: f.boot.Admin.ID, SubscriptionID: f.boot.Subscription.ID,
			EmailLanguage: "en", Auth: tenantry.Authentication{Method: tenantry.AuthOIDC, IdPName: "Okta"},
		}
		if err := f.db.UpdateTemplate(ctx, f.actor, upd); err != nil {
			t.Fatal(err)
		}
		got, err = f.db.Template(ctx, f.actor, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(upd, got); diff != "" {
			t.Errorf("after update (-returned +stored):\n%s", diff)
		}
		if got.ProvisioningID != full.ProvisioningID || !got.Created.Equal(full.Created) || !got.Updated.After(full.Updated) {
			t.Errorf("update: provisioning id %q created %v updated %v; want %q, %v, later than %v",
				got.ProvisioningID, got.Created, got.Updated, full.ProvisioningID, full.Created, full.Updated)
		}
		if got.AllowAdminInviteEmails || got.WebexToWebexCalling || got.PSTNVendor != "" || got.BrandName != "Full v2" {
			t.Errorf("update did not replace every setting: %+v", got)
		}
		// Renaming a template to its own name in another case is no conflict.
		upd.Name = "FULL V2"
		if err := f.db.UpdateTemplate(ctx, f.actor, upd); err != nil {
			t.Errorf("rename to own name in another case: %v", err)
		}

		if err := f.db.DeleteTemplate(ctx, f.actor, third.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Template(ctx, f.actor, third.ID)
		wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		wantError(t, f.db.DeleteTemplate(ctx, f.actor, third.ID), tenantry.ENOTFOUND, tenantry.ReasonNotFound)
		if _, total, _ := f.db.Templates(ctx, f.actor, tenantry.Page{Max: 10}); total != 2 {
			t.Errorf("%d templates after delete, want 2", total)
		}
		// The name of a deleted template is free again.
		f.template(t, "third")
	})
}

func templateNames(ts []*tenantry.Template) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// TestTemplateReferences: the service-provider admin and the subscription
// must be the partner's own (rule T2), on create and on update.
func TestTemplateReferences(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		other, _ := addPartner(t, f.db, "Globex")
		existing := f.template(t, "Existing")

		tests := []struct {
			name          string
			admin, sub    string
			field, reason string
		}{
			{"another partner's admin", other.Admin.ID, f.boot.Subscription.ID, "serviceProviderAdminId", tenantry.ReasonAdminNotFound},
			{"unknown admin", "no-such-admin", f.boot.Subscription.ID, "serviceProviderAdminId", tenantry.ReasonAdminNotFound},
			{"another partner's subscription", f.boot.Admin.ID, other.Subscription.ID, "subscriptionId", tenantry.ReasonSubscriptionNotFound},
			{"unknown subscription", f.boot.Admin.ID, "no-such-subscription", "subscriptionId", tenantry.ReasonSubscriptionNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tpl := &tenantry.Template{Name: "Refs " + tt.name, Country: "US", ServiceProviderAdminID: tt.admin, SubscriptionID: tt.sub}
				wantProblem(t, f.db.CreateTemplate(ctx, f.actor, tpl), tenantry.EINVALID, tt.field, tt.reason)

				upd := *existing
				upd.ServiceProviderAdminID, upd.SubscriptionID = tt.admin, tt.sub
				wantProblem(t, f.db.UpdateTemplate(ctx, f.actor, &upd), tenantry.EINVALID, tt.field, tt.reason)
			})
		}
		if _, total, _ := f.db.Templates(ctx, f.actor, tenantry.Page{Max: 10}); total != 1 {
			t.Errorf("%d templates, want only the existing one", total)
		}
		got, err := f.db.Template(ctx, f.actor, existing.ID)
		if err != nil || got.ServiceProviderAdminID != f.boot.Admin.ID || got.SubscriptionID != f.boot.Subscription.ID {
			t.Errorf("existing template after refused updates = %+v, %v", got, err)
		}
	})
}

// TestDeleteTemplateInUse: a template that customers use cannot be deleted
// until they are gone.
func TestDeleteTemplateInUse(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Used")
		c := f.provisioned(t, tpl, "ext-1")

		err := f.db.DeleteTemplate(ctx, f.actor, tpl.ID)
		if got := wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonTemplateInUse); got.Params["count"] != "1" {
			t.Errorf("params = %v, want count 1", got.Params)
		}
		if _, err := f.db.Template(ctx, f.actor, tpl.ID); err != nil {
			t.Fatalf("template after refused delete: %v", err)
		}

		if err := f.db.DeleteCustomer(ctx, f.actor, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.db.FinishCustomerDeletion(ctx, tenantry.DeleteCustomerJob{CustomerID: c.ID, Version: c.Version + 1}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteTemplate(ctx, f.actor, tpl.ID); err != nil {
			t.Errorf("delete once unused: %v", err)
		}
	})
}

// TestTemplateDeleteRacesCustomerCreate: deleting a template while
// customers are being created on it ends, for every call, in success or a
// domain error, never in a raw foreign-key violation; and no customer is
// left on a deleted template.
func TestTemplateDeleteRacesCustomerCreate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		for round := range 8 {
			tpl := f.template(t, fmt.Sprintf("Contested %d", round))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Go(func() {
					<-start
					_, err := f.db.CreateCustomer(ctx, f.actor, customerInput(tpl, fmt.Sprintf("ext-%d-%d", round, i)))
					if err != nil && tenantry.ErrorCode(err) != tenantry.EINVALID {
						t.Errorf("create while the template is deleted: %v, want success or EINVALID %s", err, tenantry.ReasonTemplateNotFound)
					}
				})
			}
			wg.Go(func() {
				<-start
				time.Sleep(time.Duration(round%4) * time.Millisecond)
				err := f.db.DeleteTemplate(ctx, f.actor, tpl.ID)
				if err != nil && tenantry.ErrorCode(err) != tenantry.ECONFLICT {
					t.Errorf("delete while customers are created: %v, want success or ECONFLICT %s", err, tenantry.ReasonTemplateInUse)
				}
			})
			close(start)
			wg.Wait()
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM templates t WHERE t.id = c.template_id)`); n != 0 {
			t.Errorf("%d customers on a deleted template", n)
		}
	})
}
