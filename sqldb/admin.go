package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/mail"
)

// Customer admins and the approval of attached organizations (rules U4,
// U5, U6 and C7). Admins belong to a customer and are scoped to the partner
// through customers.partner_id; every write locks the customer's row first,
// like locations, so that it serializes with the customer's jobs.

// DefaultPublicURL is where links in mail point when Options.PublicURL is
// empty: the server's default address.
const DefaultPublicURL = "http://127.0.0.1:8080"

const adminCols = `id, customer_id, email, role, package, created`

func scanAdmin(row interface{ Scan(...any) error }) (*tenantry.CustomerAdmin, error) {
	var a tenantry.CustomerAdmin
	var created int64
	if err := row.Scan(&a.ID, &a.CustomerID, &a.Email, &a.Role, &a.Package, &created); err != nil {
		return nil, mapError(err)
	}
	a.Created = fromMicro(created)
	return &a, nil
}

// effective fills the package of the full admin written at provisioning,
// which holds the organization's package until it is changed (rule U4).
func effective(c *tenantry.Customer, a *tenantry.CustomerAdmin) *tenantry.CustomerAdmin {
	if a.Package == "" && a.Role == tenantry.AdminFull {
		a.Package = tenantry.OrgPackage(c)
	}
	return a
}

// ownedCustomer reads a customer of the actor, locking it when lock is set.
func (t *Tx) ownedCustomer(ctx context.Context, a *tenantry.Actor, id string, lock bool) (*tenantry.Customer, error) {
	if lock {
		return t.lockCustomer(ctx, a.OrgID, id)
	}
	c, err := scanCustomer(t.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("customer")
	}
	return c, err
}

func (t *Tx) admin(ctx context.Context, c *tenantry.Customer, id string) (*tenantry.CustomerAdmin, error) {
	a, err := scanAdmin(t.queryRow(ctx, `SELECT `+adminCols+` FROM customer_admins WHERE id = ? AND customer_id = ?`, id, c.ID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, notFound("customer admin")
	}
	if err != nil {
		return nil, err
	}
	return effective(c, a), nil
}

// fullAdmin reads the full admin of c, whose package holds the level the
// organization was created with (tenantry.OrgLevel), or nil when it has none.
func (t *Tx) fullAdmin(ctx context.Context, c *tenantry.Customer) (*tenantry.CustomerAdmin, error) {
	a, err := scanAdmin(t.queryRow(ctx, `SELECT `+adminCols+` FROM customer_admins WHERE customer_id = ? AND role = ? ORDER BY created, id LIMIT 1`,
		c.ID, tenantry.AdminFull))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return effective(c, a), nil
}

// readTx runs fn in a transaction that writes nothing.
func (db *DB) readTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return mapError(err)
	}
	defer tx.rollback()
	return fn(tx)
}

// CustomerAdmins lists a customer's admins, oldest first.
func (db *DB) CustomerAdmins(ctx context.Context, a *tenantry.Actor, customerID string, p tenantry.Page) ([]*tenantry.CustomerAdmin, int, error) {
	var out []*tenantry.CustomerAdmin
	var total int
	err := db.readTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, false)
		if err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customer_admins WHERE customer_id = ?`, c.ID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT `+adminCols+` FROM customer_admins WHERE customer_id = ? ORDER BY created, id LIMIT ? OFFSET ?`,
			c.ID, p.Max, p.Offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ad, err := scanAdmin(rows)
			if err != nil {
				return err
			}
			out = append(out, effective(c, ad))
		}
		return rows.Err()
	})
	return out, total, err
}

// CustomerAdmin returns one admin of one of the actor's customers.
func (db *DB) CustomerAdmin(ctx context.Context, a *tenantry.Actor, customerID, id string) (*tenantry.CustomerAdmin, error) {
	var out *tenantry.CustomerAdmin
	err := db.readTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, false)
		if err != nil {
			return err
		}
		out, err = tx.admin(ctx, c, id)
		return err
	})
	return out, err
}

func adminEmailTaken(v string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, tenantry.FieldAdminEmail, tenantry.ReasonAdminEmailTaken, "value", v)
}

// AddCustomerAdmin adds an admin to a provisioned customer and queues the
// mails an admin gets: the invitation and, with a calling package in the US
// and Canada, the E911 confirmation (rule U6); never a welcome (rule U5).
func (db *DB) AddCustomerAdmin(ctx context.Context, a *tenantry.Actor, customerID string, in *tenantry.CustomerAdminInput) (*tenantry.CustomerAdmin, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var out *tenantry.CustomerAdmin
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, true)
		if err != nil {
			return err
		}
		full, err := tx.fullAdmin(ctx, c)
		if err != nil {
			return err
		}
		if err := tenantry.Invalid(tenantry.CheckAdmin(c, full, nil, in)); err != nil {
			return err
		}
		switch c.Status {
		case tenantry.StatusProvisioned, tenantry.StatusProvisionedWithErrors, tenantry.StatusUpdating:
		default:
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonAdminsNotReady, "status", string(c.Status))
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customer_admins WHERE customer_id = ? AND LOWER(email) = ?`,
			c.ID, strings.ToLower(in.Email)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return adminEmailTaken(in.Email)
		}
		now := db.now().UTC()
		out = &tenantry.CustomerAdmin{ID: newID("PEOPLE"), CustomerID: c.ID, Email: in.Email, Role: in.Role, Package: in.Package, Created: now}
		_, err = tx.exec(ctx, `INSERT INTO customer_admins (`+adminCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
			out.ID, out.CustomerID, out.Email, out.Role, out.Package, now.UnixMicro())
		if isConflict(err) {
			return adminEmailTaken(in.Email)
		}
		if err != nil {
			return err
		}
		delete(tx.admins, c.ID) // read again by the mail rules below
		if err := tx.queueCustomerMail(ctx, c, tenantry.MailAdminInvitation, out.Email, "admin/"+out.ID+"/"+string(tenantry.MailAdminInvitation), tenantry.MailData{}); err != nil {
			return err
		}
		// The E911 confirmation goes where calling does, once per person of
		// the customer (U6): the outbox looks up what this person holds, as
		// admin and as user, and keys the mail by the address.
		if err := tx.queueCustomerMail(ctx, c, tenantry.MailE911Confirmation, out.Email, "", tenantry.MailData{}); err != nil {
			return err
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "customer_admin.create", "customer_admin", out.ID, adminAudit(out)); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queueCustomerMail queues a mail of kind about customer c to one
// recipient, in the customer's language with the template's brand name.
// queueMail applies U5 and U6 (an E911 confirmation outside the US and
// Canada is not queued).
func (t *Tx) queueCustomerMail(ctx context.Context, c *tenantry.Customer, kind tenantry.MailKind, to, key string, d tenantry.MailData) error {
	tpl, err := t.templateByID(ctx, c.TemplateID)
	if err != nil {
		return err
	}
	d.BrandName = tpl.BrandName
	if d.BrandName == "" {
		d.BrandName = tpl.Name
	}
	d.CustomerName = c.Name
	if d.CustomerName == "" {
		d.CustomerName = c.ExternalID // an attached organization may come without customerInfo
	}
	lang := mail.Language(c.Language, tpl.EmailLanguage)
	msg := &tenantry.Message{PartnerID: c.PartnerID, CustomerID: c.ID, Kind: kind, To: to, Language: lang, Key: key}
	return t.queueMail(ctx, msg, d)
}

func adminAudit(a *tenantry.CustomerAdmin) map[string]any {
	return map[string]any{"email": a.Email, "role": a.Role, "package": a.Package}
}

// UpdateCustomerAdmin changes an admin's role and package.
func (db *DB) UpdateCustomerAdmin(ctx context.Context, a *tenantry.Actor, customerID, id string, in *tenantry.CustomerAdminInput) (*tenantry.CustomerAdmin, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var out *tenantry.CustomerAdmin
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, true)
		if err != nil {
			return err
		}
		cur, err := tx.admin(ctx, c, id)
		if err != nil {
			return err
		}
		full, err := tx.fullAdmin(ctx, c)
		if err != nil {
			return err
		}
		if err := tenantry.Invalid(tenantry.CheckAdmin(c, full, cur, in)); err != nil {
			return err
		}
		before := *cur
		cur.Role, cur.Package = in.Role, in.Package
		if _, err := tx.exec(ctx, `UPDATE customer_admins SET role = ?, package = ? WHERE id = ?`, cur.Role, cur.Package, cur.ID); err != nil {
			return err
		}
		if cur.Package != before.Package {
			// An admin who gains calling gets the E911 confirmation unless
			// told before (U6; the outbox decides).
			if err := tx.queueCustomerMail(ctx, c, tenantry.MailE911Confirmation, cur.Email, "", tenantry.MailData{}); err != nil {
				return err
			}
		}
		out = cur
		return tx.audit(ctx, a.OrgID, a.AdminID, "customer_admin.update", "customer_admin", cur.ID,
			map[string]any{"before": adminAudit(&before), "after": adminAudit(cur)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveCustomerAdmin removes an admin other than the full admin. A
// suspended sub-partner may still remove.
func (db *DB) RemoveCustomerAdmin(ctx context.Context, a *tenantry.Actor, customerID, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, true)
		if err != nil {
			return err
		}
		cur, err := tx.admin(ctx, c, id)
		if err != nil {
			return err
		}
		if cur.Role == tenantry.AdminFull {
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonFullAdminRemoval)
		}
		if _, err := tx.exec(ctx, `DELETE FROM customer_admins WHERE id = ?`, cur.ID); err != nil {
			return err
		}
		delete(tx.admins, cur.CustomerID)
		return tx.audit(ctx, a.OrgID, a.AdminID, "customer_admin.delete", "customer_admin", cur.ID, adminAudit(cur))
	})
}

// PutExistingOrg records (or replaces) what is known of an existing
// organization, for rules C7 and Q8. Operators bring organizations in with
// ImportDirectory; tests call this.
func (db *DB) PutExistingOrg(ctx context.Context, o *tenantry.ExistingOrg) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.putOrg(ctx, o, db.now().UnixMicro()) })
}

// existingOrg reads a known organization, or nil for one not known.
func (t *Tx) existingOrg(ctx context.Context, orgID string) (*tenantry.ExistingOrg, error) {
	o := tenantry.ExistingOrg{OrgID: orgID}
	var verified, claimed int
	var verifiedDomains, claimedDomains, legacy string
	err := t.queryRow(ctx, `SELECT user_count, verified_domain, claimed_domain, name, verified_domains, claimed_domains, legacy_packages
		FROM organizations WHERE org_id = ?`, orgID).
		Scan(&o.UserCount, &verified, &claimed, &o.Name, &verifiedDomains, &claimedDomains, &legacy)
	if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o.VerifiedDomain, o.ClaimedDomain = verified == 1, claimed == 1
	if err := unmarshalAll([]string{verifiedDomains, claimedDomains, legacy}, &o.VerifiedDomains, &o.ClaimedDomains, &o.LegacyPackages); err != nil {
		return nil, err
	}
	return &o, nil
}

// attachOrg applies rule C7 to a customer being created: an existing
// organization that needs its admin's approval leaves the customer waiting
// (approval pending), and the admin gets the invitation with links to
// approve or reject. Any other customer goes on to provisioning at once.
//
// The invitation carries the key of the provisioning invitation, so that
// provisioning after the approval does not invite the admin a second time.
// It goes out whatever the template's admin-invite setting (T4): without
// it the admin could not give the approval the attachment waits for.
func (t *Tx) attachOrg(ctx context.Context, c *tenantry.Customer) error {
	if c.OrgID == "" {
		return nil
	}
	org, err := t.existingOrg(ctx, c.OrgID)
	if err != nil || !org.NeedsApproval() {
		return err
	}
	if c.PrimaryEmail == "" {
		return tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPrimaryEmail, tenantry.ReasonApprovalNeedsAdmin)
	}
	if _, err := t.exec(ctx, `UPDATE customers SET approval = ? WHERE id = ?`, tenantry.ApprovalPending, c.ID); err != nil {
		return err
	}
	var raw [32]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	lang, err := t.customerMailLanguage(ctx, c)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO approval_tokens (token_hash, customer_id, created, language) VALUES (?, ?, ?, ?)`,
		hashToken(token), c.ID, t.db.now().UnixMicro(), lang); err != nil {
		return err
	}
	base := t.db.public
	if base == "" {
		base = DefaultPublicURL
	}
	// Both links open the same page, which asks again: the decision in
	// the query only says which button the recipient chose in the mail.
	link := strings.TrimRight(base, "/") + approvalPath + token + "?decision="
	d := tenantry.MailData{ApproveURL: link + "approve", RejectURL: link + "reject"}
	return t.queueCustomerMail(ctx, c, tenantry.MailAdminInvitation, c.PrimaryEmail, "provisioning/"+c.ID+"/"+string(tenantry.MailAdminInvitation), d)
}

// awaitingApproval reports whether customer id waits for its admin's
// approval (rule C7); its provisioning job does nothing meanwhile.
func (t *Tx) awaitingApproval(ctx context.Context, id string) (bool, error) {
	a, err := t.approval(ctx, id)
	return a == tenantry.ApprovalPending, err
}

func (t *Tx) approval(ctx context.Context, id string) (tenantry.Approval, error) {
	var a tenantry.Approval
	err := t.queryRow(ctx, `SELECT approval FROM customers WHERE id = ?`, id).Scan(&a)
	return a, mapError(err)
}

// CustomerApproval returns where the approval of a customer's attachment
// stands.
func (db *DB) CustomerApproval(ctx context.Context, a *tenantry.Actor, customerID string) (tenantry.Approval, error) {
	var out tenantry.Approval
	err := db.readTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, false)
		if err != nil {
			return err
		}
		out, err = tx.approval(ctx, c.ID)
		return err
	})
	return out, err
}

// DecideApproval approves or rejects a pending attachment for the partner.
func (db *DB) DecideApproval(ctx context.Context, a *tenantry.Actor, customerID string, approve bool) (*tenantry.Customer, error) {
	if !a.CanWrite() {
		return nil, suspended()
	}
	var out *tenantry.Customer
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.ownedCustomer(ctx, a, customerID, true)
		if err != nil {
			return err
		}
		out = c
		if err := tx.decide(ctx, c, approve, a.AdminID); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DecideApprovalByToken approves or rejects a pending attachment for the
// customer admin who follows a link of the invitation. A link works once,
// and not after its lifetime (Options.ApprovalLinkTTL).
func (db *DB) DecideApprovalByToken(ctx context.Context, token string, approve bool) (tenantry.Approval, error) {
	var out tenantry.Approval
	err := db.inTx(ctx, func(tx *Tx) error {
		// The customer's row lock comes first, as in DecideApproval: links
		// are used up only under it, so reading used after it is exact.
		var customerID string
		err := tx.queryRow(ctx, `SELECT customer_id FROM approval_tokens WHERE token_hash = ?`, hashToken(token)).Scan(&customerID)
		if tenantry.ErrorCode(mapError(err)) == tenantry.ENOTFOUND {
			return notFound("approval")
		}
		if err != nil {
			return err
		}
		c, err := tx.lockCustomer(ctx, "", customerID)
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return notFound("approval")
		}
		if err != nil {
			return err
		}
		var created, used int64
		if err := tx.queryRow(ctx, `SELECT created, used FROM approval_tokens WHERE token_hash = ?`, hashToken(token)).Scan(&created, &used); err != nil {
			return mapError(err)
		}
		switch tenantry.LinkStateAt(fromMicro(created), usedAt(used), db.links.approval, db.now()) {
		case tenantry.LinkUsed:
			state, err := tx.approval(ctx, c.ID)
			if err != nil {
				return err
			}
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonApprovalNotPending, "status", approvalName(state))
		case tenantry.LinkExpired:
			return linkExpired(fromMicro(created).Add(db.links.approval))
		}
		if err := tx.decide(ctx, c, approve, "customer_admin"); err != nil {
			return err
		}
		out, err = tx.approval(ctx, c.ID)
		return err
	})
	return out, err
}

func approvalName(a tenantry.Approval) string {
	if a == tenantry.ApprovalNone {
		return "none"
	}
	return string(a)
}

// decide settles a pending attachment of the locked customer c. Approving
// enqueues its provisioning job again, in this transaction: the first one
// found the customer waiting and did nothing. Rejecting puts the customer
// in error with nothing provisioned. Either way every link is used up.
func (t *Tx) decide(ctx context.Context, c *tenantry.Customer, approve bool, actorID string) error {
	state, err := t.approval(ctx, c.ID)
	if err != nil {
		return err
	}
	if state != tenantry.ApprovalPending || c.Status != tenantry.StatusProvisioning {
		return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonApprovalNotPending, "status", approvalName(state))
	}
	next := tenantry.ApprovalApproved
	if !approve {
		next = tenantry.ApprovalRejected
		tenantry.RejectAttachment(c)
		if err := t.save(ctx, c); err != nil {
			return err
		}
		if err := t.emitCustomerEvent(ctx, tenantry.EventCustomerProvisioningFailed, c); err != nil {
			return err
		}
	} else {
		t.enqueue(tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version})
	}
	if _, err := t.exec(ctx, `UPDATE customers SET approval = ? WHERE id = ?`, next, c.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE approval_tokens SET used = ? WHERE customer_id = ? AND used = 0`, t.db.now().UnixMicro(), c.ID); err != nil {
		return err
	}
	return t.audit(ctx, c.PartnerID, actorID, "customer.approval", "customer", c.ID, map[string]any{"approval": next, "orgId": c.OrgID})
}

var _ tenantry.CustomerAdminService = (*DB)(nil)
