package sqldb_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// mails returns the kinds of the messages queued for a customer to one
// recipient, oldest first.
func (f *fixture) mails(t *testing.T, customerID, to string) []tenantry.MailKind {
	t.Helper()
	ms, _, err := f.db.OutboxMessages(t.Context(), f.actor, tenantry.OutboxFilter{CustomerID: customerID, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var out []tenantry.MailKind
	for _, m := range slices.Backward(ms) {
		if m.To == to {
			out = append(out, m.Kind)
		}
	}
	return out
}

func (f *fixture) admins(t *testing.T, customerID string) []*tenantry.CustomerAdmin {
	t.Helper()
	as, total, err := f.db.CustomerAdmins(t.Context(), f.actor, customerID, tenantry.Page{Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(as) {
		t.Errorf("total %d, listed %d", total, len(as))
	}
	return as
}

// TestCustomerAdminLifecycle: the full admin from provisioning, an admin
// added (with its invitation and E911 confirmation, never a welcome), read,
// changed and removed, and rule U4 on the way.
func TestCustomerAdminLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		c := f.provisioned(t, tpl, "adm-1")

		as := f.admins(t, c.ID)
		if len(as) != 1 || as[0].Role != tenantry.AdminFull || as[0].Email != c.PrimaryEmail || as[0].Package != tenantry.WebexCalling {
			t.Fatalf("admins after provisioning = %+v, want the full admin holding webex_calling", as)
		}
		full := as[0]

		// U4: the organization was created with webex_calling; a read-only
		// admin with webex_meetings is of another level.
		_, err := f.db.AddCustomerAdmin(ctx, f.actor, c.ID, &tenantry.CustomerAdminInput{Email: "ro@adm-1.example", Role: tenantry.AdminReadOnly, Package: tenantry.WebexMeetings})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel)
		in := &tenantry.CustomerAdminInput{Email: "ro@adm-1.example", Role: tenantry.AdminReadOnly, Package: tenantry.WebexCalling}
		ad, err := f.db.AddCustomerAdmin(ctx, f.actor, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if ad.ID == "" || ad.CustomerID != c.ID || ad.Email != in.Email || ad.Role != in.Role || ad.Package != in.Package {
			t.Errorf("added %+v", ad)
		}
		got, err := f.db.CustomerAdmin(ctx, f.actor, c.ID, ad.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ad, got); diff != "" {
			t.Errorf("read back (-added +read):\n%s", diff)
		}
		want := []tenantry.MailKind{tenantry.MailAdminInvitation, tenantry.MailE911Confirmation}
		if diff := cmp.Diff(want, f.mails(t, c.ID, in.Email)); diff != "" {
			t.Errorf("mails to the new admin (-want +got):\n%s", diff)
		}
		// U5: a welcome to an admin is never queued, whoever asks.
		if err := f.db.QueueMail(ctx, &tenantry.Message{PartnerID: f.actor.OrgID, CustomerID: c.ID, Kind: tenantry.MailWelcome, To: in.Email, Language: "en"},
			tenantry.MailData{BrandName: "B", CustomerName: "C"}); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(f.mails(t, c.ID, in.Email), tenantry.MailWelcome) {
			t.Error("an admin got a welcome mail")
		}

		_, err = f.db.AddCustomerAdmin(ctx, f.actor, c.ID, &tenantry.CustomerAdminInput{Email: "RO@adm-1.example", Role: tenantry.AdminSupport, Package: tenantry.WebexCalling})
		wantProblem(t, err, tenantry.ECONFLICT, tenantry.FieldAdminEmail, tenantry.ReasonAdminEmailTaken)
		_, err = f.db.AddCustomerAdmin(ctx, f.actor, c.ID, &tenantry.CustomerAdminInput{Email: "x@adm-1.example", Role: tenantry.AdminSupport, Package: tenantry.WebexSuite})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldAdminPackage, tenantry.ReasonAdminPackage)

		_, err = f.db.UpdateCustomerAdmin(ctx, f.actor, c.ID, ad.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminUserDevice, Package: tenantry.WebexMeetings})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldAdminPackage, tenantry.ReasonAdminLevel)
		up, err := f.db.UpdateCustomerAdmin(ctx, f.actor, c.ID, ad.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminUserDevice, Package: tenantry.WebexCalling})
		if err != nil {
			t.Fatal(err)
		}
		if up.Role != tenantry.AdminUserDevice || up.Package != tenantry.WebexCalling || up.Email != in.Email {
			t.Errorf("updated %+v", up)
		}

		// The full admin: never demoted, never downgraded, never removed.
		_, err = f.db.UpdateCustomerAdmin(ctx, f.actor, c.ID, full.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminReadOnly, Package: tenantry.WebexCalling})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldAdminRole, tenantry.ReasonFullAdminDemoted)
		_, err = f.db.UpdateCustomerAdmin(ctx, f.actor, c.ID, full.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminFull, Package: tenantry.WebexMeetings})
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldAdminPackage, tenantry.ReasonAdminDowngrade)
		wantError(t, f.db.RemoveCustomerAdmin(ctx, f.actor, c.ID, full.ID), tenantry.ECONFLICT, tenantry.ReasonFullAdminRemoval)
		if as := f.admins(t, c.ID); len(as) != 2 || as[0].ID != full.ID || as[0].Package != tenantry.WebexCalling {
			t.Errorf("admins = %+v, want the full admin unchanged and the new one", as)
		}

		if err := f.db.RemoveCustomerAdmin(ctx, f.actor, c.ID, ad.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.CustomerAdmin(ctx, f.actor, c.ID, ad.ID)
		wantError(t, err, tenantry.ENOTFOUND, "")
		wantError(t, f.db.RemoveCustomerAdmin(ctx, f.actor, c.ID, ad.ID), tenantry.ENOTFOUND, "")
		if diff := cmp.Diff([]string{"customer_admin.create", "customer_admin.update", "customer_admin.delete"},
			actions(t, f.db, f.actor.OrgID, "customer_admin", ad.ID)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

// TestCustomerAdminNotReady: admins are added once the organization exists.
func TestCustomerAdminNotReady(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		c := f.customer(t, f.template(t, "Standard"), "adm-2")
		_, err := f.db.AddCustomerAdmin(t.Context(), f.actor, c.ID, &tenantry.CustomerAdminInput{Email: "x@adm-2.example", Role: tenantry.AdminSupport, Package: tenantry.WebexCalling})
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonAdminsNotReady)
		if as := f.admins(t, c.ID); len(as) != 0 {
			t.Errorf("admins before provisioning = %+v", as)
		}
	})
}

// TestCustomerAdminIsolation: another partner's customers and admins are
// not found, for every operation.
func TestCustomerAdminIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		c := f.provisioned(t, f.template(t, "Standard"), "adm-3")
		full := f.admins(t, c.ID)[0]
		_, other := addPartner(t, f.db, "Globex")
		in := &tenantry.CustomerAdminInput{Email: "x@adm-3.example", Role: tenantry.AdminSupport, Package: tenantry.WebexCalling}

		_, _, err := f.db.CustomerAdmins(ctx, other, c.ID, tenantry.Page{Max: 10})
		wantError(t, err, tenantry.ENOTFOUND, "")
		_, err = f.db.CustomerAdmin(ctx, other, c.ID, full.ID)
		wantError(t, err, tenantry.ENOTFOUND, "")
		_, err = f.db.AddCustomerAdmin(ctx, other, c.ID, in)
		wantError(t, err, tenantry.ENOTFOUND, "")
		_, err = f.db.UpdateCustomerAdmin(ctx, other, c.ID, full.ID, &tenantry.CustomerAdminInput{Role: tenantry.AdminFull, Package: tenantry.WebexCalling})
		wantError(t, err, tenantry.ENOTFOUND, "")
		wantError(t, f.db.RemoveCustomerAdmin(ctx, other, c.ID, full.ID), tenantry.ENOTFOUND, "")
		_, err = f.db.CustomerApproval(ctx, other, c.ID)
		wantError(t, err, tenantry.ENOTFOUND, "")
		_, err = f.db.DecideApproval(ctx, other, c.ID, true)
		wantError(t, err, tenantry.ENOTFOUND, "")
		if as := f.admins(t, c.ID); len(as) != 1 {
			t.Errorf("admins = %+v, want only the full admin", as)
		}
	})
}

var approvalLink = regexp.MustCompile(`https?://[^\s"<>]+/v1/approvals/([A-Za-z0-9_-]+)\?decision=(approve|reject)`)

// approvalToken returns the token of the approval links mailed to a
// customer's first admin.
func (f *fixture) approvalToken(t *testing.T, c *tenantry.Customer) string {
	t.Helper()
	ms, _, err := f.db.OutboxMessages(t.Context(), f.actor, tenantry.OutboxFilter{CustomerID: c.ID, Page: tenantry.Page{Max: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind != tenantry.MailAdminInvitation || m.To != c.PrimaryEmail {
			continue
		}
		if approvalLink.MatchString(m.Text + m.HTML) {
			t.Errorf("the outbox shows a usable approval link:\n%s", m.Text)
		}
		m, err := f.db.MessageToSend(t.Context(), m.ID) // as the sender sends it
		if err != nil {
			t.Fatal(err)
		}
		links := approvalLink.FindAllStringSubmatch(m.Text, -1)
		if len(links) != 2 || links[0][1] != links[1][1] || links[0][2] != "approve" || links[1][2] != "reject" ||
			!strings.HasPrefix(links[0][0], "http://127.0.0.1:8080/") || !strings.Contains(m.HTML, links[0][1]) {
			t.Fatalf("invitation links = %v in\n%s", links, m.Text)
		}
		return links[0][1]
	}
	t.Fatalf("no invitation to %s", c.PrimaryEmail)
	return ""
}

func (f *fixture) approval(t *testing.T, id string) tenantry.Approval {
	t.Helper()
	a, err := f.db.CustomerApproval(t.Context(), f.actor, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// attach creates a customer attaching the existing organization orgID.
func (f *fixture) attach(t *testing.T, tpl *tenantry.Template, ext, orgID string) *tenantry.Customer {
	t.Helper()
	in := customerInput(tpl, ext)
	in.OrgID = orgID
	c, err := f.db.CreateCustomer(t.Context(), f.actor, in)
	if err != nil {
		t.Fatalf("attach %s: %v", orgID, err)
	}
	return c
}

func (f *fixture) provision(t *testing.T, c *tenantry.Customer) *tenantry.Customer {
	t.Helper()
	if err := f.db.ProvisionCustomer(t.Context(), tenantry.ProvisionCustomerJob{CustomerID: c.ID, Version: c.Version}); err != nil {
		t.Fatalf("provision %s: %v", c.ExternalID, err)
	}
	return f.get(t, c.ID)
}

// TestAttachSmallOrg: an organization that is not known, or known to be
// small, attaches at once (rule C7).
func TestAttachSmallOrg(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		tpl := f.template(t, "Standard")
		if err := f.db.PutExistingOrg(t.Context(), &tenantry.ExistingOrg{OrgID: "org-small", UserCount: 99}); err != nil {
			t.Fatal(err)
		}
		for i, org := range []string{"org-unknown", "org-small"} {
			c := f.attach(t, tpl, "small-"+strconv.Itoa(i), org)
			if a := f.approval(t, c.ID); a != tenantry.ApprovalNone {
				t.Errorf("%s: approval %q, want none", org, a)
			}
			c = f.provision(t, c)
			if c.Status != tenantry.StatusProvisioned || c.OrgID != org {
				t.Errorf("%s: status %s, org %s after the job", org, c.Status, c.OrgID)
			}
		}
	})
}

// TestAttachApproved: a large organization waits for its admin; the job
// does nothing meanwhile; approving enqueues it again and it provisions.
func TestAttachApproved(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-big", UserCount: 100}); err != nil {
			t.Fatal(err)
		}
		c := f.attach(t, tpl, "big-1", "org-big")
		if a := f.approval(t, c.ID); a != tenantry.ApprovalPending {
			t.Fatalf("approval %q, want pending", a)
		}
		f.approvalToken(t, c)
		if got := f.provision(t, c); got.Status != tenantry.StatusProvisioning || got.Version != c.Version {
			t.Fatalf("job while pending: status %s, version %d", got.Status, got.Version)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM locations WHERE customer_id = ?`, c.ID); n != 0 {
			t.Errorf("%d locations provisioned while pending", n)
		}
		if n := jobs(t, f.db, "provision_customer", c.ID); n != 1 {
			t.Fatalf("%d provisioning jobs, want 1", n)
		}
		if _, err := f.db.DecideApproval(ctx, f.actor, c.ID, true); err != nil {
			t.Fatal(err)
		}
		if n := jobs(t, f.db, "provision_customer", c.ID); n != 2 {
			t.Errorf("%d provisioning jobs after approval, want 2", n)
		}
		got := f.provision(t, c)
		if got.Status != tenantry.StatusProvisioned || got.OrgID != "org-big" || f.approval(t, c.ID) != tenantry.ApprovalApproved {
			t.Errorf("after approval: status %s, org %s", got.Status, got.OrgID)
		}
		// One invitation (the one with the links) and the E911 confirmation.
		want := []tenantry.MailKind{tenantry.MailAdminInvitation, tenantry.MailE911Confirmation}
		if diff := cmp.Diff(want, f.mails(t, c.ID, c.PrimaryEmail)); diff != "" {
			t.Errorf("mails to the admin (-want +got):\n%s", diff)
		}
		_, err := f.db.DecideApproval(ctx, f.actor, c.ID, false)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonApprovalNotPending)
	})
}

// TestAttachRejectedByLink: a verified-domain organization waits; its
// admin rejects through the mailed link, which works once.
func TestAttachRejectedByLink(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-domain", UserCount: 4, VerifiedDomain: true}); err != nil {
			t.Fatal(err)
		}
		c := f.attach(t, tpl, "dom-1", "org-domain")
		token := f.approvalToken(t, c)
		_, err := f.db.DecideApprovalByToken(ctx, token+"x", false)
		wantError(t, err, tenantry.ENOTFOUND, "")
		a, err := f.db.DecideApprovalByToken(ctx, token, false)
		if err != nil || a != tenantry.ApprovalRejected {
			t.Fatalf("reject by link = %q, %v", a, err)
		}
		_, err = f.db.DecideApprovalByToken(ctx, token, true)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonApprovalNotPending)
		got := f.provision(t, c) // the job of the original version: stale, nothing happens
		if got.Status != tenantry.StatusError || len(got.Errors) != 1 || got.Errors[0].Code != tenantry.NoticeAttachRejected {
			t.Errorf("after rejection: status %s, errors %v", got.Status, got.Errors)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM customer_admins WHERE customer_id = ?`, c.ID); n != 0 {
			t.Errorf("%d admins provisioned after rejection", n)
		}
		if slices.Contains(actions(t, f.db, f.actor.OrgID, "customer", c.ID), "customer.provisioned") {
			t.Error("a rejected customer was provisioned")
		}
	})
}

// TestAttachNeedsAdminEmail: approval needs someone to ask.
func TestAttachNeedsAdminEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		tpl := f.template(t, "Standard")
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-claimed", ClaimedDomain: true}); err != nil {
			t.Fatal(err)
		}
		in := customerInput(tpl, "cl-1")
		in.OrgID, in.Info = "org-claimed", nil
		_, err := f.db.CreateCustomer(ctx, f.actor, in)
		wantProblem(t, err, tenantry.EINVALID, tenantry.FieldPrimaryEmail, tenantry.ReasonApprovalNeedsAdmin)
		if n := count(t, f.db, `SELECT COUNT(*) FROM customers WHERE external_id = ?`, "cl-1"); n != 0 {
			t.Errorf("%d customers left behind", n)
		}
	})
}

// TestAttachRejectedByPartner: the partner rejects through the API; the
// links mailed to the admin are used up with it.
func TestAttachRejectedByPartner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		if err := f.db.PutExistingOrg(ctx, &tenantry.ExistingOrg{OrgID: "org-many", UserCount: 1000}); err != nil {
			t.Fatal(err)
		}
		c := f.attach(t, f.template(t, "Standard"), "many-1", "org-many")
		token := f.approvalToken(t, c)
		got, err := f.db.DecideApproval(ctx, f.actor, c.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tenantry.StatusError || f.approval(t, c.ID) != tenantry.ApprovalRejected {
			t.Errorf("after rejection: status %s, approval %s", got.Status, f.approval(t, c.ID))
		}
		_, err = f.db.DecideApprovalByToken(ctx, token, true)
		wantError(t, err, tenantry.ECONFLICT, tenantry.ReasonApprovalNotPending)
		if n := jobs(t, f.db, "provision_customer", c.ID); n != 1 {
			t.Errorf("%d provisioning jobs after rejection, want the first only", n)
		}
	})
}

// TestCustomerAdminMailOutsideNorthAmerica: outside the US and Canada an
// admin gets the invitation and no E911 confirmation (rule U6).
func TestCustomerAdminMailOutsideNorthAmerica(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		f := newFixture(t, e)
		ctx := t.Context()
		in := customerInput(f.template(t, "Standard"), "gb-1")
		addr := tenantry.Address{Line1: "1 Poultry", City: "London", PostalCode: "EC2R 8EJ", Country: "GB"}
		in.Address, in.Calling.Address, in.Calling.TimeZone = &addr, addr, "Europe/London"
		c, err := f.db.CreateCustomer(ctx, f.actor, in)
		if err != nil {
			t.Fatal(err)
		}
		if c = f.provision(t, c); c.Status != tenantry.StatusProvisioned {
			t.Fatalf("status %s", c.Status)
		}
		ad, err := f.db.AddCustomerAdmin(ctx, f.actor, c.ID, &tenantry.CustomerAdminInput{Email: "it@gb-1.example", Role: tenantry.AdminUserDevice, Package: tenantry.WebexCalling})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]tenantry.MailKind{tenantry.MailAdminInvitation}, f.mails(t, c.ID, ad.Email)); diff != "" {
			t.Errorf("mails (-want +got):\n%s", diff)
		}
	})
}
