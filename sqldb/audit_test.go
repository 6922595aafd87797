package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// auditActions lists entries' actions, in the order given.
func auditActions(es []tenantry.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action
	}
	return out
}

// TestAuditEntries: the partner's log newest first, with who made each
// write and through what; every filter; keyset paging both ways; a
// sub-partner's log apart from the partner's; nothing of another partner.
func TestAuditEntries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		admin := f.boot.Admin
		hub := tenantry.WithOrigin(ctx, tenantry.Origin{Via: tenantry.ViaHub, AdminID: admin.ID})
		api := tenantry.WithOrigin(ctx, tenantry.Origin{Via: tenantry.ViaAPI, AdminID: admin.ID, TokenID: f.actor.TokenID})

		hubTpl := templateFor(f.boot, "From the hub")
		if err := f.db.CreateTemplate(hub, f.actor, hubTpl); err != nil {
			t.Fatal(err)
		}
		apiTpl := templateFor(f.boot, "From the API")
		if err := f.db.CreateTemplate(api, f.actor, apiTpl); err != nil {
			t.Fatal(err)
		}
		sub, err := f.db.CreateSubPartner(hub, f.boot.Partner.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetSubPartnerState(api, f.boot.Partner.ID, sub.ID, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		if err := f.db.SetSubPartnerState(ctx, f.boot.Partner.ID, sub.ID, tenantry.PartnerActive); err != nil { // no origin: a command
			t.Fatal(err)
		}
		subTpl := &tenantry.Template{Name: "For the reseller", Country: "US", ServiceProviderAdminID: admin.ID + "." + sub.ID, SubscriptionID: sub.SubscriptionID}
		if err := f.db.CreateTemplate(hub, f.onBehalfOf(t, sub.ID), subTpl); err != nil {
			t.Fatal(err)
		}
		_, other := addPartner(t, f.db, "Other")
		if err := f.db.CreateTemplate(hub, other, &tenantry.Template{Name: "Not yours", Country: "US", ServiceProviderAdminID: other.AdminID, SubscriptionID: subscriptionOf(t, f.db, other.PartnerID)}); err != nil {
			t.Fatal(err)
		}

		list := func(t *testing.T, fl tenantry.AuditFilter) ([]tenantry.AuditEntry, bool) {
			t.Helper()
			es, more, err := f.db.AuditEntries(ctx, f.actor, fl)
			if err != nil {
				t.Fatal(err)
			}
			return es, more
		}
		all, more := list(t, tenantry.AuditFilter{})
		want := []string{"subpartner.state", "subpartner.state", "subpartner.create", "template.create", "template.create", "partner.bootstrap", "token.create"}
		if got := auditActions(all); !slices.Equal(got, want) || more {
			t.Fatalf("log = %v (more %v), want %v", got, more, want)
		}
		t.Run("who and through what", func(t *testing.T) {
			type who struct{ Actor, Email, Via, Token string }
			var got []who
			for _, e := range all {
				got = append(got, who{e.ActorID, e.AdminEmail, e.Via, e.TokenName})
			}
			wantWho := []who{
				{"system", "", "", ""},
				{admin.ID, admin.Email, tenantry.ViaAPI, "bootstrap"},
				{admin.ID, admin.Email, tenantry.ViaHub, ""},
				{admin.ID, admin.Email, tenantry.ViaAPI, "bootstrap"},
				{admin.ID, admin.Email, tenantry.ViaHub, ""},
				{admin.ID, admin.Email, "", ""},
				{admin.ID, admin.Email, "", ""},
			}
			if !slices.Equal(got, wantWho) {
				t.Errorf("who:\n got %v\nwant %v", got, wantWho)
			}
			if all[1].TokenID != f.actor.TokenID || all[2].TokenID != "" {
				t.Errorf("token ids %q, %q", all[1].TokenID, all[2].TokenID)
			}
		})
		t.Run("filters", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				f    tenantry.AuditFilter
				want []string
			}{
				{"admin", tenantry.AuditFilter{AdminID: "system"}, []string{"subpartner.state"}},
				{"action", tenantry.AuditFilter{Action: "subpartner.state"}, []string{"subpartner.state", "subpartner.state"}},
				{"not a prefix", tenantry.AuditFilter{Action: "subpartner."}, nil},
				{"another action", tenantry.AuditFilter{Action: "template.create"}, []string{"template.create", "template.create"}},
				{"action with a wildcard is literal", tenantry.AuditFilter{Action: "%"}, nil},
				{"resource", tenantry.AuditFilter{Resource: "template"}, []string{"template.create", "template.create"}},
				{"resource id", tenantry.AuditFilter{Resource: "template", ResourceID: hubTpl.ID}, []string{"template.create"}},
				{"from", tenantry.AuditFilter{From: all[2].At}, []string{"subpartner.state", "subpartner.state", "subpartner.create"}},
				{"to", tenantry.AuditFilter{To: all[4].At}, []string{"partner.bootstrap", "token.create"}},
				{"range", tenantry.AuditFilter{From: all[4].At, To: all[2].At}, []string{"template.create", "template.create"}},
				{"admin and action", tenantry.AuditFilter{AdminID: admin.ID, Action: "subpartner.state"}, []string{"subpartner.state"}},
				{"sub-partner", tenantry.AuditFilter{OrgID: sub.ID}, []string{"template.create"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got, _ := list(t, tc.f)
					if !slices.Equal(auditActions(got), tc.want) {
						t.Errorf("got %v, want %v", auditActions(got), tc.want)
					}
				})
			}
		})
		t.Run("paging", func(t *testing.T) {
			p1, more := list(t, tenantry.AuditFilter{Limit: 4})
			if len(p1) != 4 || !more || p1[0].ID != all[0].ID {
				t.Fatalf("first page %v more %v", auditActions(p1), more)
			}
			p2, more := list(t, tenantry.AuditFilter{Limit: 4, Before: &tenantry.AuditCursor{At: p1[3].At, ID: p1[3].ID}})
			if len(p2) != 3 || more || p2[0].ID != all[4].ID || p2[2].ID != all[6].ID {
				t.Fatalf("second page %v more %v", auditActions(p2), more)
			}
			back, more := list(t, tenantry.AuditFilter{Limit: 4, After: &tenantry.AuditCursor{At: p2[0].At, ID: p2[0].ID}})
			if len(back) != 4 || more || back[0].ID != all[0].ID || back[3].ID != all[3].ID {
				t.Fatalf("back %v more %v", auditActions(back), more)
			}
			short, more := list(t, tenantry.AuditFilter{Limit: 2, After: &tenantry.AuditCursor{At: all[3].At, ID: all[3].ID}})
			if len(short) != 2 || !more || short[0].ID != all[1].ID || short[1].ID != all[2].ID {
				t.Fatalf("newer than the fourth, two at a time: %v more %v", auditActions(short), more)
			}
		})
		t.Run("another partner's organization is not found", func(t *testing.T) {
			_, _, err := f.db.AuditEntries(ctx, f.actor, tenantry.AuditFilter{OrgID: other.PartnerID})
			wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			otherSub, err := f.db.CreateSubPartner(ctx, other.PartnerID, "Theirs")
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.db.AuditEntries(ctx, f.actor, tenantry.AuditFilter{OrgID: otherSub.ID})
			wantError(t, err, tenantry.ENOTFOUND, tenantry.ReasonNotFound)
			theirs, _, err := f.db.AuditEntries(ctx, other, tenantry.AuditFilter{})
			if err != nil || !slices.Equal(auditActions(theirs), []string{"subpartner.create", "template.create", "partner.bootstrap", "token.create"}) {
				t.Errorf("other partner's log = %v, %v", auditActions(theirs), err)
			}
		})
		t.Run("a range that ends before it starts", func(t *testing.T) {
			_, _, err := f.db.AuditEntries(ctx, f.actor, tenantry.AuditFilter{From: all[0].At, To: all[6].At})
			wantProblem(t, err, tenantry.EINVALID, "to", tenantry.ReasonDateRange)
		})
	})
}

// subscriptionOf is a partner's first subscription.
func subscriptionOf(t *testing.T, db *sqldb.DB, partnerID string) string {
	t.Helper()
	ss, err := db.Subscriptions(t.Context(), partnerID)
	if err != nil || len(ss) == 0 {
		t.Fatalf("subscriptions of %s: %v %v", partnerID, ss, err)
	}
	return ss[0].ID
}

// TestSessionSubPartner: the sub-partner a hub session acts for is stored
// with the session and read back with it.
func TestSessionSubPartner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		token, err := f.db.CreateSession(ctx, f.boot.Admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.db.Session(ctx, token)
		if err != nil || s.SubPartnerID != "" {
			t.Fatalf("new session acts for %q (%v)", s.SubPartnerID, err)
		}
		if err := f.db.SetSessionSubPartner(ctx, s.Hash, "ORG-1"); err != nil {
			t.Fatal(err)
		}
		if s, err = f.db.Session(ctx, token); err != nil || s.SubPartnerID != "ORG-1" {
			t.Fatalf("session acts for %q (%v), want ORG-1", s.SubPartnerID, err)
		}
		if err := f.db.SetSessionSubPartner(ctx, s.Hash, ""); err != nil {
			t.Fatal(err)
		}
		if s, err = f.db.Session(ctx, token); err != nil || s.SubPartnerID != "" {
			t.Fatalf("stopped session acts for %q (%v)", s.SubPartnerID, err)
		}
		wantError(t, f.db.SetSessionSubPartner(ctx, "no such session", "ORG-1"), tenantry.EUNAUTHORIZED, tenantry.ReasonUnauthorized)
	})
}

// BenchmarkAuditEntries reads pages of a large audit log (one partner's
// share of it) with each kind of filter: the first page, a page deep in
// the log through its cursor, an admin, an action, and a date range far in
// the past. The log is filled with one statement so that setting up stays
// quick.
func BenchmarkAuditEntries(b *testing.B) {
	const rows = 200_000
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
			base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			// Nine rows in ten are the partner's; one in three of its rows is
			// the admin's, the rest background jobs'; one action in five is a
			// location's.
			q := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
				INSERT INTO audit_log (partner_id, actor_id, action, resource, resource_id, change, at, via, token_id)
				SELECT CASE WHEN i %% 10 = 0 THEN 'OTHER' ELSE '%s' END,
					CASE WHEN i %% 3 = 0 THEN '%s' ELSE 'system' END,
					CASE WHEN i %% 5 = 0 THEN 'location.update' ELSE 'customer.update' END,
					CASE WHEN i %% 5 = 0 THEN 'location' ELSE 'customer' END,
					'R' || (i %% 1000), '{"n":1}', %d + CAST(i AS BIGINT) * 1000000, 'api', ''
				FROM n`, rows, boot.Partner.ID, boot.Admin.ID, base.UnixMicro())
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
			if db.Engine() == sqldb.Postgres {
				db.SQL().ExecContext(ctx, `ANALYZE audit_log`)
			}
			a := &tenantry.Actor{Principal: tenantry.Principal{PartnerID: boot.Partner.ID, AdminID: boot.Admin.ID}, OrgID: boot.Partner.ID}
			first, _, err := db.AuditEntries(ctx, a, tenantry.AuditFilter{})
			if err != nil || len(first) != tenantry.AuditPageSize {
				b.Fatalf("first page: %d entries, %v", len(first), err)
			}
			deep := base.Add(rows / 10 * time.Second) // a tenth of the way from the oldest
			for _, bc := range []struct {
				name string
				f    tenantry.AuditFilter
			}{
				{"first-page", tenantry.AuditFilter{}},
				{"deep-page", tenantry.AuditFilter{Before: &tenantry.AuditCursor{At: deep, ID: rows / 10}}},
				{"admin", tenantry.AuditFilter{AdminID: boot.Admin.ID}},
				{"action", tenantry.AuditFilter{Action: "location.update"}},
				{"rare-action", tenantry.AuditFilter{Action: "partner.bootstrap"}},
				{"resource-id", tenantry.AuditFilter{Resource: "customer", ResourceID: "R7"}},
				{"old-range", tenantry.AuditFilter{From: base, To: base.Add(24 * time.Hour)}},
			} {
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						es, _, err := db.AuditEntries(ctx, a, bc.f)
						if err != nil || len(es) == 0 {
							b.Fatalf("%d entries, %v", len(es), err)
						}
					}
				})
			}
		})
	}
}
