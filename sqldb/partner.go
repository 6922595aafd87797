package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// DefaultMaxQuantity is the package quantity ceiling of a bootstrapped
// subscription (rule Q4).
const DefaultMaxQuantity = 10000

// Bootstrap creates a partner with its first full admin, a default
// subscription and an API token holding every scope: the four wholesale
// scopes and the one that manages tokens.
func (db *DB) Bootstrap(ctx context.Context, in tenantry.BootstrapInput) (*tenantry.BootstrapResult, error) {
	res, err := db.newBootstrap(in)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error { return tx.bootstrap(ctx, res) })
	if err != nil {
		if isConflict(err) {
			// Another bootstrap of the same name won the race; name it.
			var existing string
			db.queryRow(ctx, `SELECT id FROM partners WHERE parent_id = '' AND name_key = ?`, nameKey(res.Partner.Name)).Scan(&existing)
			return nil, tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonPartnerExists, "name", res.Partner.Name, "id", existing)
		}
		return nil, err
	}
	return res, nil
}

// newBootstrap checks in and builds what bootstrapping it creates.
func (db *DB) newBootstrap(in tenantry.BootstrapInput) (*tenantry.BootstrapResult, error) {
	var ps []tenantry.Problem
	if strings.TrimSpace(in.PartnerName) == "" || len(in.PartnerName) > 255 {
		ps = append(ps, tenantry.Problem{Field: "partner", Reason: tenantry.ReasonRequired})
	}
	if !tenantry.ValidEmail(in.AdminEmail) {
		ps = append(ps, tenantry.Problem{Field: "email", Reason: tenantry.ReasonInvalidEmail})
	}
	if err := tenantry.Invalid(ps); err != nil {
		return nil, err
	}
	now := db.now().UTC()
	lang := in.Language
	if lang == "" {
		lang = "en"
	}
	res := &tenantry.BootstrapResult{
		Partner: &tenantry.Partner{ID: newID("PARTNER"), Name: strings.TrimSpace(in.PartnerName), ProvisioningState: tenantry.PartnerActive, Created: now, BillingStartDate: now},
	}
	res.Subscription = &tenantry.Subscription{ID: newID("SUBSCRIPTION"), PartnerID: res.Partner.ID, Name: "Wholesale", MaxQuantity: DefaultMaxQuantity, Created: now}
	res.Partner.SubscriptionID = res.Subscription.ID
	res.Admin = &tenantry.PartnerAdmin{ID: newID("PEOPLE"), PartnerID: res.Partner.ID, Email: in.AdminEmail, DisplayName: displayName(in), Role: tenantry.RoleFullAdmin, Language: lang, Created: now}
	return res, nil
}

// bootstrap writes what Bootstrap (or the hub's first-run setup) creates.
func (tx *Tx) bootstrap(ctx context.Context, res *tenantry.BootstrapResult) error {
	now := res.Partner.Created
	var existing string
	err := tx.queryRow(ctx, `SELECT id FROM partners WHERE parent_id = '' AND name_key = ?`, nameKey(res.Partner.Name)).Scan(&existing)
	if err == nil {
		return tenantry.Errorf(tenantry.ECONFLICT, tenantry.ReasonPartnerExists, "name", res.Partner.Name, "id", existing)
	}
	if err := tx.insertPartner(ctx, res.Partner); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO subscriptions (id, partner_id, name, max_quantity, created) VALUES (?, ?, ?, ?, ?)`,
		res.Subscription.ID, res.Partner.ID, res.Subscription.Name, res.Subscription.MaxQuantity, now.UnixMicro()); err != nil {
		return err
	}
	a := res.Admin
	if _, err := tx.exec(ctx, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.PartnerID, a.Email, a.DisplayName, a.Role, a.Language, now.UnixMicro()); err != nil {
		return err
	}
	_, res.Token, err = tx.createToken(ctx, a.PartnerID, a.ID, &tenantry.TokenInput{Name: "bootstrap", Scopes: tenantry.KnownScopes})
	if err != nil {
		return err
	}
	return tx.audit(ctx, res.Partner.ID, a.ID, "partner.bootstrap", "partner", res.Partner.ID, map[string]string{"name": res.Partner.Name, "admin": a.Email})
}

func (t *Tx) insertPartner(ctx context.Context, p *tenantry.Partner) error {
	_, err := t.exec(ctx, `INSERT INTO partners (id, name, name_key, parent_id, provisioning_state, subscription_id, created, billing_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, nameKey(p.Name), p.ParentID, p.ProvisioningState, p.SubscriptionID, p.Created.UnixMicro(), p.BillingStartDate.UnixMicro())
	return err
}

// CreateSubPartner creates a sub-partner under parentID. It shares the
// parent's subscription and gets one of its own for quantity limits.
func (db *DB) CreateSubPartner(ctx context.Context, parentID, name string) (*tenantry.Partner, error) {
	if strings.TrimSpace(name) == "" {
		return nil, tenantry.FieldError(tenantry.EINVALID, "name", tenantry.ReasonRequired)
	}
	now := db.now().UTC()
	p := &tenantry.Partner{ID: newID("ORGANIZATION"), Name: strings.TrimSpace(name), ParentID: parentID, ProvisioningState: tenantry.PartnerActive, Created: now, BillingStartDate: now}
	err := db.inTx(ctx, func(tx *Tx) error {
		var sub string
		if err := tx.queryRow(ctx, `SELECT subscription_id FROM partners WHERE id = ? AND parent_id = ''`, parentID).Scan(&sub); err != nil {
			return mapError(err)
		}
		p.SubscriptionID = newID("SUBSCRIPTION")
		if err := tx.insertPartner(ctx, p); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO subscriptions (id, partner_id, name, max_quantity, created) VALUES (?, ?, ?, ?, ?)`,
			p.SubscriptionID, p.ID, "Wholesale", DefaultMaxQuantity, now.UnixMicro()); err != nil {
			return err
		}
		// The parent's admins manage the sub-partner's templates too.
		if _, err := tx.exec(ctx, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created)
			SELECT id || '.' || ?, ?, email, display_name, role, language, created FROM partner_admins WHERE partner_id = ?`, p.ID, p.ID, parentID); err != nil {
			return err
		}
		return tx.audit(ctx, parentID, originActor(ctx), "subpartner.create", "partner", p.ID, map[string]string{"name": p.Name})
	})
	if isConflict(err) {
		var existing string
		db.queryRow(ctx, `SELECT id FROM partners WHERE parent_id = ? AND name_key = ?`, parentID, nameKey(p.Name)).Scan(&existing)
		return nil, tenantry.FieldError(tenantry.ECONFLICT, "name", tenantry.ReasonPartnerExists, "name", p.Name, "id", existing)
	}
	return p, err
}

// SetSubPartnerState suspends or reactivates a sub-partner of parentID.
func (db *DB) SetSubPartnerState(ctx context.Context, parentID, subID, state string) error {
	if state != tenantry.PartnerActive && state != tenantry.PartnerSuspended {
		return tenantry.FieldError(tenantry.EINVALID, "provisioningState", tenantry.ReasonInvalidEnum, "value", state, "allowed", "active, suspended")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE partners SET provisioning_state = ? WHERE id = ? AND parent_id = ?`, state, subID, parentID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "subPartner")
		}
		return tx.audit(ctx, parentID, originActor(ctx), "subpartner.state", "partner", subID, map[string]string{"provisioningState": state})
	})
}

// ResolveActor returns who a request acts for: the principal's own partner,
// or one of its sub-partners.
func (db *DB) ResolveActor(ctx context.Context, p *tenantry.Principal, subOrgID string) (*tenantry.Actor, error) {
	a := &tenantry.Actor{Principal: *p, OrgID: p.PartnerID}
	if subOrgID == "" {
		return a, nil
	}
	sp, err := db.partner(ctx, subOrgID)
	if err != nil || sp.ParentID != p.PartnerID {
		return nil, tenantry.FieldError(tenantry.EINVALID, "onBehalfOfSubPartnerOrgId", tenantry.ReasonSubPartnerNotFound)
	}
	a.OrgID, a.SubPartner = sp.ID, sp
	return a, nil
}

func (db *DB) partner(ctx context.Context, id string) (*tenantry.Partner, error) {
	rows, err := db.query(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	ps, err := scanPartners(rows)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "partner")
	}
	return ps[0], nil
}

const partnerCols = `id, name, parent_id, provisioning_state, subscription_id, created, billing_start`

func scanPartners(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]*tenantry.Partner, error) {
	defer rows.Close()
	var out []*tenantry.Partner
	for rows.Next() {
		var p tenantry.Partner
		var created, billing int64
		if err := rows.Scan(&p.ID, &p.Name, &p.ParentID, &p.ProvisioningState, &p.SubscriptionID, &created, &billing); err != nil {
			return nil, err
		}
		p.Created, p.BillingStartDate = fromMicro(created), fromMicro(billing)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// SubPartners lists a partner's sub-partners, oldest first.
func (db *DB) SubPartners(ctx context.Context, partnerID, state string, page tenantry.Page) ([]*tenantry.Partner, int, error) {
	where, args := `parent_id = ?`, []any{partnerID}
	if state != "" {
		where += ` AND provisioning_state = ?`
		args = append(args, state)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM partners WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+partnerCols+` FROM partners WHERE `+where+` ORDER BY created, id LIMIT ? OFFSET ?`, append(args, page.Max, page.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	ps, err := scanPartners(rows)
	return ps, total, err
}

// Admins lists a partner's admins.
func (db *DB) Admins(ctx context.Context, partnerID string) ([]*tenantry.PartnerAdmin, error) {
	rows, err := db.query(ctx, `SELECT id, partner_id, email, display_name, role, language, created FROM partner_admins WHERE partner_id = ? ORDER BY created, id`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.PartnerAdmin
	for rows.Next() {
		var a tenantry.PartnerAdmin
		var created int64
		if err := rows.Scan(&a.ID, &a.PartnerID, &a.Email, &a.DisplayName, &a.Role, &a.Language, &created); err != nil {
			return nil, err
		}
		a.Created = fromMicro(created)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Subscriptions lists a partner's subscriptions.
func (db *DB) Subscriptions(ctx context.Context, partnerID string) ([]*tenantry.Subscription, error) {
	rows, err := db.query(ctx, `SELECT id, partner_id, name, max_quantity, created FROM subscriptions WHERE partner_id = ? ORDER BY created, id`, partnerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tenantry.Subscription
	for rows.Next() {
		var s tenantry.Subscription
		var created int64
		if err := rows.Scan(&s.ID, &s.PartnerID, &s.Name, &s.MaxQuantity, &created); err != nil {
			return nil, err
		}
		s.Created = fromMicro(created)
		out = append(out, &s)
	}
	return out, rows.Err()
}

// displayName is the admin's name, or the email when none was given.
func displayName(in tenantry.BootstrapInput) string {
	if n := strings.TrimSpace(in.AdminName); n != "" {
		return n
	}
	return in.AdminEmail
}

func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func fromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

var _ tenantry.PartnerService = (*DB)(nil)
