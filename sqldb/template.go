package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tenantry/tenantry"
)

const templateCols = `id, partner_id, provisioning_id, name, country, sp_admin_id, subscription_id, email_language, pstn_vendor,
	auth_method, idp_entity_id, idp_name, brand_name, allow_admin_invites, offer_types, webex_to_webex, created, updated`

func scanTemplate(row interface{ Scan(...any) error }) (*tenantry.Template, error) {
	var t tenantry.Template
	dst, finish := templateScan(&t)
	if err := row.Scan(dst...); err != nil {
		return nil, mapError(err)
	}
	finish()
	return &t, nil
}

// templateScan returns where the columns of templateCols are read into and
// what completes t once they are.
func templateScan(t *tenantry.Template) ([]any, func()) {
	var allow, w2w int
	var offers string
	var created, updated int64
	dst := []any{&t.ID, &t.PartnerID, &t.ProvisioningID, &t.Name, &t.Country, &t.ServiceProviderAdminID, &t.SubscriptionID,
		&t.EmailLanguage, &t.PSTNVendor, &t.Auth.Method, &t.Auth.IdPEntityID, &t.Auth.IdPName, &t.BrandName, &allow, &offers, &w2w, &created, &updated}
	return dst, func() {
		t.AllowAdminInviteEmails, t.WebexToWebexCalling = allow == 1, w2w == 1
		for _, o := range strings.Fields(offers) {
			t.OfferTypes = append(t.OfferTypes, tenantry.OfferType(o))
		}
		t.Created, t.Updated = fromMicro(created), fromMicro(updated)
	}
}

func offerString(os []tenantry.OfferType) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = string(o)
	}
	return strings.Join(s, " ")
}

// checkTemplateRefs checks that the service-provider admin and the
// subscription belong to the template's partner (rule T2).
func (t *Tx) checkTemplateRefs(ctx context.Context, tpl *tenantry.Template) error {
	var ps []tenantry.Problem
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM partner_admins WHERE id = ? AND partner_id = ?`, tpl.ServiceProviderAdminID, tpl.PartnerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		ps = append(ps, tenantry.Problem{Field: "serviceProviderAdminId", Reason: tenantry.ReasonAdminNotFound})
	}
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM subscriptions WHERE id = ? AND partner_id = ?`, tpl.SubscriptionID, tpl.PartnerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		ps = append(ps, tenantry.Problem{Field: "subscriptionId", Reason: tenantry.ReasonSubscriptionNotFound})
	}
	return tenantry.Invalid(ps)
}

func nameTaken(name string) error {
	return tenantry.FieldError(tenantry.ECONFLICT, "name", tenantry.ReasonTemplateNameTaken, "value", name)
}

// CreateTemplate stores a new onboarding template.
func (db *DB) CreateTemplate(ctx context.Context, a *tenantry.Actor, tpl *tenantry.Template) error {
	if !a.CanWrite() {
		return tenantry.FieldError(tenantry.EFORBIDDEN, "onBehalfOfSubPartnerOrgId", tenantry.ReasonSubPartnerSuspended)
	}
	tpl.PartnerID = a.OrgID
	tpl.Normalize()
	if err := tenantry.Invalid(tpl.Validate()); err != nil {
		return err
	}
	now := db.now().UTC()
	tpl.ID, tpl.ProvisioningID, tpl.Created, tpl.Updated = newID("TEMPLATE"), newID("PROVISIONING"), now, now
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.checkTemplateRefs(ctx, tpl); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO templates (`+templateCols+`, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tpl.ID, tpl.PartnerID, tpl.ProvisioningID, tpl.Name, tpl.Country, tpl.ServiceProviderAdminID, tpl.SubscriptionID,
			tpl.EmailLanguage, tpl.PSTNVendor, tpl.Auth.Method, tpl.Auth.IdPEntityID, tpl.Auth.IdPName, tpl.BrandName,
			boolInt(tpl.AllowAdminInviteEmails), offerString(tpl.OfferTypes), boolInt(tpl.WebexToWebexCalling),
			now.UnixMicro(), now.UnixMicro(), nameKey(tpl.Name))
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, a.OrgID, a.AdminID, "template.create", "template", tpl.ID, tpl); err != nil {
			return err
		}
		return tx.answerIdempotently(ctx, tpl)
	})
	if isConflict(err, "name") {
		return nameTaken(tpl.Name)
	}
	return err
}

// Template returns one of the actor's templates.
func (db *DB) Template(ctx context.Context, a *tenantry.Actor, id string) (*tenantry.Template, error) {
	t, err := scanTemplate(db.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE id = ? AND partner_id = ?`, id, a.OrgID))
	if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
		return nil, tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "template")
	}
	return t, err
}

// Templates lists the actor's templates, newest first.
func (db *DB) Templates(ctx context.Context, a *tenantry.Actor, page tenantry.Page) ([]*tenantry.Template, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM templates WHERE partner_id = ?`, a.OrgID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+templateCols+` FROM templates WHERE partner_id = ? ORDER BY created DESC, id LIMIT ? OFFSET ?`, a.OrgID, page.Max, page.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*tenantry.Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// UpdateTemplate replaces a template's settings; its id and provisioning id
// stay.
func (db *DB) UpdateTemplate(ctx context.Context, a *tenantry.Actor, tpl *tenantry.Template) error {
	if !a.CanWrite() {
		return tenantry.FieldError(tenantry.EFORBIDDEN, "onBehalfOfSubPartnerOrgId", tenantry.ReasonSubPartnerSuspended)
	}
	tpl.PartnerID = a.OrgID
	tpl.Normalize()
	if err := tenantry.Invalid(tpl.Validate()); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		old, err := scanTemplate(tx.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE id = ? AND partner_id = ?`+db.forUpdate(), tpl.ID, a.OrgID))
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
				return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "template")
			}
			return err
		}
		if err := tx.checkTemplateRefs(ctx, tpl); err != nil {
			return err
		}
		tpl.ProvisioningID, tpl.Created, tpl.Updated = old.ProvisioningID, old.Created, db.now().UTC()
		_, err = tx.exec(ctx, `UPDATE templates SET name = ?, name_key = ?, country = ?, sp_admin_id = ?, subscription_id = ?, email_language = ?,
			pstn_vendor = ?, auth_method = ?, idp_entity_id = ?, idp_name = ?, brand_name = ?, allow_admin_invites = ?, offer_types = ?,
			webex_to_webex = ?, updated = ? WHERE id = ?`,
			tpl.Name, nameKey(tpl.Name), tpl.Country, tpl.ServiceProviderAdminID, tpl.SubscriptionID, tpl.EmailLanguage, tpl.PSTNVendor,
			tpl.Auth.Method, tpl.Auth.IdPEntityID, tpl.Auth.IdPName, tpl.BrandName, boolInt(tpl.AllowAdminInviteEmails),
			offerString(tpl.OfferTypes), boolInt(tpl.WebexToWebexCalling), tpl.Updated.UnixMicro(), tpl.ID)
		if err != nil {
			return err
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "template.update", "template", tpl.ID, map[string]any{"before": old, "after": tpl})
	})
	if isConflict(err, "name") {
		return nameTaken(tpl.Name)
	}
	return err
}

// DeleteTemplate removes a template no customer uses.
func (db *DB) DeleteTemplate(ctx context.Context, a *tenantry.Actor, id string) error {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		old, err := scanTemplate(tx.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE id = ? AND partner_id = ?`+db.forUpdate(), id, a.OrgID))
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
				return notFound("template")
			}
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE partner_id = ? AND template_id = ?`, a.OrgID, id).Scan(&n); err != nil {
			return err
		}
		r, err := tx.exec(ctx, `DELETE FROM templates WHERE id = ? AND partner_id = ? AND NOT EXISTS (SELECT 1 FROM customers WHERE partner_id = ? AND template_id = ?)`, id, a.OrgID, a.OrgID, id)
		if err != nil {
			return err
		}
		if k, _ := r.RowsAffected(); k == 0 {
			var owned int
			tx.queryRow(ctx, `SELECT COUNT(*) FROM templates WHERE id = ? AND partner_id = ?`, id, a.OrgID).Scan(&owned)
			if owned == 0 {
				return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "template")
			}
			return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonTemplateInUse, "count", itoa(n))
		}
		return tx.audit(ctx, a.OrgID, a.AdminID, "template.delete", "template", id, old)
	})
	if isForeignKey(err) {
		// A customer was created with it while it was being deleted.
		return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonTemplateInUse, "count", itoa(max(n, 1)))
	}
	return err
}

// cacheTemplate keeps tpl as read in this transaction.
func (t *Tx) cacheTemplate(tpl *tenantry.Template) {
	if t.templates == nil {
		t.templates = map[string]*tenantry.Template{}
	}
	t.templates[tpl.ID] = tpl
}

// templateByID reads a template by id, once per transaction. Templates are
// cached by id and by what templateByProvisioningID was asked.
func (t *Tx) templateByID(ctx context.Context, id string) (*tenantry.Template, error) {
	if tpl, ok := t.templates[id]; ok {
		return tpl, nil
	}
	tpl, err := scanTemplate(t.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	t.cacheTemplate(tpl)
	return tpl, nil
}

// templateByProvisioningID finds the template a customer request names
// (rule T1): it must be the actor's own, or its parent partner's when the
// actor is a sub-partner.
func (t *Tx) templateByProvisioningID(ctx context.Context, a *tenantry.Actor, pid string) (*tenantry.Template, error) {
	key := "provisioning/" + pid + "/" + a.OrgID + "/" + a.PartnerID
	if tpl, ok := t.templates[key]; ok {
		return tpl, nil
	}
	tpl, err := scanTemplate(t.queryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE provisioning_id = ? AND (partner_id = ? OR partner_id = ?)`, pid, a.OrgID, a.PartnerID))
	if err != nil {
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
			return nil, tenantry.FieldError(tenantry.EINVALID, tenantry.FieldProvisioningID, tenantry.ReasonTemplateNotFound)
		}
		return nil, err
	}
	t.cacheTemplate(tpl)
	t.templates[key] = tpl
	return tpl, nil
}

var _ = sql.ErrNoRows
var _ tenantry.TemplateService = (*DB)(nil)
