package sqldb

import (
	"context"

	"github.com/tenantry/tenantry"
)

// The directory of existing organizations (rules C7 and Q8) and free
// accounts (rule U3), as an operator imports it.

// ImportDirectory writes every organization and free account of ds in one
// transaction: all of them, or none when anything fails. An organization is
// upserted by its org id and a free account by its address, so importing
// the same files again changes nothing; a row replaces what the directory
// knew of it (an organization listed without legacy packages ends its
// customer's migration phase). The files must have been checked
// (tenantry.ParseDirectory and CheckDirectory): EINVALID otherwise. With
// dryRun nothing is written and the counts say what would be.
func (db *DB) ImportDirectory(ctx context.Context, ds []*tenantry.Directory, dryRun bool) (tenantry.DirectoryResult, error) {
	var res tenantry.DirectoryResult
	err := db.inTx(ctx, func(tx *Tx) error {
		res = tenantry.DirectoryResult{} // a transaction may run again
		now := db.now().UnixMicro()
		for _, d := range ds {
			for i := range d.Orgs {
				o := &d.Orgs[i].ExistingOrg
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM organizations WHERE org_id = ?`, o.OrgID).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					res.OrgsUpdated++
				} else {
					res.OrgsCreated++
				}
				if dryRun {
					continue
				}
				if err := tx.putOrg(ctx, o, now); err != nil {
					return err
				}
			}
			for _, a := range d.FreeAccounts {
				var n int
				if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM free_accounts WHERE email = ?`, a.Email).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					res.FreeAccountsUpdated++
				} else {
					res.FreeAccountsCreated++
				}
				if dryRun {
					continue
				}
				if _, err := tx.exec(ctx, `INSERT INTO free_accounts (email, name, created) VALUES (?, ?, ?)
					ON CONFLICT (email) DO UPDATE SET name = excluded.name`, a.Email, a.Name, now); err != nil {
					return err
				}
			}
		}
		if dryRun {
			return nil
		}
		return tx.audit(ctx, "", "operator", "directory.import", "directory", "", map[string]any{
			"organizations": res.OrgsCreated + res.OrgsUpdated, "freeAccounts": res.FreeAccountsCreated + res.FreeAccountsUpdated,
		})
	})
	return res, err
}

// putOrg upserts an organization of the directory.
func (t *Tx) putOrg(ctx context.Context, o *tenantry.ExistingOrg, now int64) error {
	verified, claimed, legacy := o.VerifiedDomains, o.ClaimedDomains, o.LegacyPackages
	if verified == nil {
		verified = []string{}
	}
	if claimed == nil {
		claimed = []string{}
	}
	if legacy == nil {
		legacy = []tenantry.Package{}
	}
	_, err := t.exec(ctx, `INSERT INTO organizations (org_id, user_count, verified_domain, claimed_domain, name, verified_domains, claimed_domains, legacy_packages, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET user_count = excluded.user_count, verified_domain = excluded.verified_domain,
		claimed_domain = excluded.claimed_domain, name = excluded.name, verified_domains = excluded.verified_domains,
		claimed_domains = excluded.claimed_domains, legacy_packages = excluded.legacy_packages, updated = excluded.updated`,
		o.OrgID, o.UserCount, boolInt(o.VerifiedDomain || len(o.VerifiedDomains) > 0), boolInt(o.ClaimedDomain || len(o.ClaimedDomains) > 0),
		o.Name, mustJSON(verified), mustJSON(claimed), mustJSON(legacy), now)
	return err
}

// legacyPackages lists the legacy packages the directory lists for the
// organization orgID (none for an organization it does not know), which a
// customer attached to it holds (rule Q8).
func (t *Tx) legacyPackages(ctx context.Context, orgID string) ([]tenantry.Package, error) {
	if orgID == "" {
		return nil, nil
	}
	o, err := t.existingOrg(ctx, orgID)
	if o == nil || err != nil {
		return nil, err
	}
	return o.LegacyPackages, nil
}
