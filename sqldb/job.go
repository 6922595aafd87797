package sqldb

import (
	"context"
	"strings"

	"github.com/tenantry/tenantry"
)

// The background side of customers. Each method takes the customer's row
// lock, checks that the job is still the one the customer waits for (status
// and version), and does nothing otherwise: a job that runs twice, after a
// crash or a rescue, changes nothing the second time.

// inCustomerJob runs fn as the grouped transaction of a customer job. On
// SQLite, when fn succeeds, it also finishes the job (tenantry.WithJobID):
// its queue row is removed with the same commit as its work, and River's
// completer finds it gone and passes over it. That completer marks jobs
// completed with one UPDATE each, in one transaction of all the jobs ended
// since its last run (about 100, holding the one connection 5–13 ms: the
// longest wait a request met); a removal queued with the job's own writes
// costs a fraction of that. On PostgreSQL River completes jobs with one
// statement for all of them, and the removal only added work.
func (db *DB) inCustomerJob(ctx context.Context, fn func(*Tx) error) error {
	return db.inGroupedTx(ctx, false, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if id, ok := tenantry.JobID(ctx); ok && db.engine == SQLite {
			// Before the deletion can commit: no job inserted from now on
			// takes this id (queue.go, sqliteJobInsert).
			db.queue.finishedWithWork(id)
			return tx.write(ctx, nil, `DELETE FROM river_job WHERE id = ? AND state = 'running'`, id)
		}
		return nil
	})
}

// jobCustomer loads the customer a job is about, or nil when the job is
// stale. The one statement also reads the customer's template and the
// webhooks its events go to, which the job's mail and event need: it is
// the job's only read, so that on PostgreSQL the job takes two round trips,
// this read (with BEGIN) and its writes (with COMMIT).
func (t *Tx) jobCustomer(ctx context.Context, id string, version int, status tenantry.CustomerStatus) (*tenantry.Customer, error) {
	var c tenantry.Customer
	var tpl tenantry.Template
	var hooks string
	cd, finishCustomer := customerScan(&c)
	td, finishTemplate := templateScan(&tpl)
	q := `SELECT ` + columnsOf("c", customerCols) + `, ` + columnsOf("t", templateCols) + `, ` + t.db.hooksJSON("c.partner_id") + `
		FROM customers c JOIN templates t ON t.id = c.template_id WHERE c.id = ?` + t.db.forUpdateOf("c")
	err := mapError(t.queryRow(ctx, q, id).Scan(append(append(cd, td...), &hooks)...))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := finishCustomer(); err != nil {
		return nil, err
	}
	finishTemplate()
	t.cacheTemplate(&tpl)
	hs, err := parseHooks(hooks)
	if err != nil {
		return nil, err
	}
	t.cacheHooks(c.PartnerID, hs)
	if c.Status != status || c.Version != version {
		return nil, nil
	}
	return &c, nil
}

// columnsOf qualifies each column of the list cols with the table alias.
func columnsOf(alias, cols string) string {
	out := strings.Split(cols, ",")
	for i, c := range out {
		out[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(out, ", ")
}

// ProvisionCustomer creates the organization of an accepted customer: its
// org id and region, the headquarters calling location, package allocations,
// the first customer admin and, for US/CA, the E911 provider.
func (db *DB) ProvisionCustomer(ctx context.Context, job tenantry.ProvisionCustomerJob) error {
	return db.inCustomerJob(ctx, func(tx *Tx) error {
		c, err := tx.jobCustomer(ctx, job.CustomerID, job.Version, tenantry.StatusProvisioning)
		if c == nil || err != nil {
			return err
		}
		// Only an attached organization (orgId given before provisioning)
		// can await its admin's approval (rule C7); approving enqueues this
		// job again.
		if c.OrgID != "" {
			if waiting, err := tx.awaitingApproval(ctx, c.ID); waiting || err != nil {
				return err
			}
		}
		tenantry.Provision(c, newID("ORGANIZATION"), func(p tenantry.Package) string { return newID("LICENSE") })
		if c.Status != tenantry.StatusPendingRPLReview {
			if err := tx.provisionOrg(ctx, c); err != nil {
				return err
			}
		}
		if err := tx.save(ctx, c); err != nil {
			return err
		}
		if err := tx.queueProvisioningMail(ctx, c); err != nil {
			return err
		}
		if err := tx.emitCustomerEvent(ctx, tenantry.ProvisioningEvent(c.Status), c); err != nil {
			return err
		}
		action := "customer.provisioned"
		if c.Status == tenantry.StatusPendingRPLReview {
			action = "customer.held_for_review"
		}
		return tx.audit(ctx, c.PartnerID, "system", action, "customer", c.ID, customerAudit(c))
	})
}

// provisionOrg writes the records provisioning creates beside the customer.
func (t *Tx) provisionOrg(ctx context.Context, c *tenantry.Customer) error {
	now := t.db.now().UnixMicro()
	// Every customer gets its first location (rule C4): the calling
	// location, or the headquarters address. A job that runs again, or an
	// update, finds it made and keeps it.
	l := tenantry.Headquarters(c)
	if err := t.write(ctx, nil, `INSERT INTO locations (id, customer_id, name, address, timezone, language, emergency_location_id, headquarters, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
		newID("LOCATION"), c.ID, l.Name, mustJSON(l.Address), l.TimeZone, l.Language, l.EmergencyLocationID, now); err != nil {
		return err
	}
	if c.PrimaryEmail != "" {
		// The full admin holds the package the organization is created with:
		// its level is the one every admin of the customer holds (U4).
		if err := t.write(ctx, nil, `INSERT INTO customer_admins (id, customer_id, email, role, package, created) VALUES (?, ?, ?, 'full_admin', ?, ?) ON CONFLICT DO NOTHING`,
			newID("PEOPLE"), c.ID, c.PrimaryEmail, tenantry.OrgPackage(c), now); err != nil {
			return err
		}
		delete(t.admins, c.ID)
	}
	return nil
}

// FinishCustomerUpdate settles an accepted update.
func (db *DB) FinishCustomerUpdate(ctx context.Context, job tenantry.UpdateCustomerJob) error {
	return db.inCustomerJob(ctx, func(tx *Tx) error {
		c, err := tx.jobCustomer(ctx, job.CustomerID, job.Version, tenantry.StatusUpdating)
		if c == nil || err != nil {
			return err
		}
		license := func(p tenantry.Package) string { return newID("LICENSE") }
		tenantry.ApplyUpdate(c, license)
		// An update may change the country (region, E911, compliance review)
		// or follow a first provisioning that gave up before the organization
		// existed: provisioning again settles all of it, keeping what exists.
		tenantry.Provision(c, newID("ORGANIZATION"), license)
		if c.Status != tenantry.StatusPendingRPLReview {
			if err := tx.provisionOrg(ctx, c); err != nil {
				return err
			}
		}
		if err := tx.save(ctx, c); err != nil {
			return err
		}
		if err := tx.emitCustomerEvent(ctx, tenantry.EventCustomerUpdated, c); err != nil {
			return err
		}
		return tx.audit(ctx, c.PartnerID, "system", "customer.updated", "customer", c.ID, customerAudit(c))
	})
}

// FinishCustomerDeletion removes a customer that is deleting, with its
// locations, admins and users.
func (db *DB) FinishCustomerDeletion(ctx context.Context, job tenantry.DeleteCustomerJob) error {
	return db.inCustomerJob(ctx, func(tx *Tx) error {
		c, err := tx.jobCustomer(ctx, job.CustomerID, job.Version, tenantry.StatusDeleting)
		if c == nil || err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM subscribers WHERE customer_id = ?`, `DELETE FROM customer_admins WHERE customer_id = ?`,
			`DELETE FROM locations WHERE customer_id = ?`, `DELETE FROM customers WHERE id = ?`} {
			if _, err := tx.exec(ctx, q, c.ID); err != nil {
				return err
			}
		}
		if err := tx.emitCustomerEvent(ctx, tenantry.EventCustomerDeleted, c); err != nil {
			return err
		}
		return tx.audit(ctx, c.PartnerID, "system", "customer.deleted", "customer", c.ID, customerAudit(c))
	})
}

// RecordJobFailure shows a failed attempt on the customer. After the last
// attempt the customer and its unsettled packages are in error.
func (db *DB) RecordJobFailure(ctx context.Context, id string, version int, msg string, final bool) error {
	return db.inJobTx(ctx, func(tx *Tx) error {
		c, err := tx.lockCustomer(ctx, "", id)
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return nil
		}
		if err != nil || c.Version != version {
			return err
		}
		code := tenantry.NoticeJobFailed
		if final {
			code = tenantry.NoticeJobGaveUp
			c.Status = tenantry.StatusError
			for i := range c.Packages {
				if p := &c.Packages[i]; p.Status != tenantry.PackageProvisioned {
					p.Status = tenantry.PackageError
					p.Errors = []tenantry.Notice{{Code: code, Description: msg}}
				}
			}
		}
		c.Errors = []tenantry.Notice{{Code: code, Description: msg}}
		if err := tx.save(ctx, c); err != nil {
			return err
		}
		if !final {
			return nil
		}
		if err := tx.emitCustomerEvent(ctx, tenantry.EventCustomerProvisioningFailed, c); err != nil {
			return err
		}
		return tx.audit(ctx, c.PartnerID, "system", "customer.failed", "customer", c.ID, map[string]any{"status": c.Status, "error": msg})
	})
}

var _ tenantry.CustomerJobs = (*DB)(nil)
