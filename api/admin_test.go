package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

// The customer admin and approval operations are among those the document
// must describe.
func init() {
	const (
		admins = "/wholesale/customers/{customerId}/admins"
		admin  = admins + "/{adminId}"
		appr   = "/wholesale/customers/{customerId}/approval"
	)
	type op = struct{ method, path string }
	openapiOperations = append(openapiOperations,
		op{"GET", admins}, op{"POST", admins}, op{"GET", admin}, op{"PUT", admin}, op{"DELETE", admin},
		op{"GET", appr}, op{"POST", appr})
}

// withAdmins serves en's database with the customer admin service wired,
// as cmd/tenantry's serve does.
func withAdmins(t testing.TB, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Admins: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	sp := *en.specs
	sp.refRouter = adminRouter{ref: sp.refRouter, ours: sp.oursRouter}
	out.specs = &sp
	return &out
}

// adminRouter routes the reference document for the shared request helper:
// the admin and approval paths lie under /v1/wholesale/customers/ but are
// Tenantry's extension, so they are routed to Tenantry's own document.
type adminRouter struct{ ref, ours routers.Router }

func (r adminRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	p := req.URL.Path
	if strings.HasPrefix(p, "/v1/wholesale/customers/") && (strings.Contains(p, "/admins") || strings.HasSuffix(p, "/approval")) {
		return r.ours.FindRoute(req)
	}
	return r.ref.FindRoute(req)
}

type adminDoc struct {
	ID         string `json:"id"`
	CustomerID string `json:"customerId"`
	Email      string `json:"email"`
	Role       string `json:"role"`
	Package    string `json:"package"`
}

func adminsPath(customerID string) string {
	return "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/admins"
}

func (p *partner) listAdminsOf(t *testing.T, customerID string) []adminDoc {
	t.Helper()
	var l struct {
		Items []adminDoc `json:"items"`
	}
	p.do(t, "GET", adminsPath(customerID), nil, nil).wantStatus(t, 200).decode(t, &l)
	return l.Items
}

func (p *partner) approvalState(t *testing.T, customerID string) string {
	t.Helper()
	var a struct {
		State string `json:"state"`
	}
	p.do(t, "GET", "/v1/wholesale/customers/"+url.PathEscape(customerID)+"/approval", nil, nil).wantStatus(t, 200).decode(t, &a)
	return a.State
}

// TestCustomerAdminsAPI: the admin operations over HTTP, rule U4 at the
// edge, and another partner's admins not found.
func TestCustomerAdminsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withAdmins(t, en)
		p := en.bootstrap(t, "Admin Partner")
		other := en.bootstrap(t, "Other Partner")
		tpl := p.createTemplate(t, "Standard")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "adm-api", "US", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")

		as := p.listAdminsOf(t, id)
		if len(as) != 1 || as[0].Role != "full_admin" || as[0].Package != "webex_calling" || as[0].Email != "admin@adm-api.example.com" {
			t.Fatalf("admins = %+v, want the full admin", as)
		}
		full := as[0]

		// U4: the organization was created with webex_calling; every admin
		// holds that level, so a read-only admin with meetings is refused.
		p.do(t, "POST", adminsPath(id), map[string]any{"email": "ro@adm-api.example.com", "role": "read_only_admin", "package": "webex_meetings"}, nil).wantField(t, 400, "package")
		r := p.do(t, "POST", adminsPath(id), map[string]any{"email": "ro@adm-api.example.com", "role": "read_only_admin", "package": "webex_calling"}, nil).wantStatus(t, 201)
		var ad adminDoc
		r.decode(t, &ad)
		if loc := r.Header.Get("Location"); loc != en.srv.URL+adminsPath(id)+"/"+url.PathEscape(ad.ID) {
			t.Errorf("Location = %q", loc)
		}
		var got adminDoc
		p.do(t, "GET", adminsPath(id)+"/"+url.PathEscape(ad.ID), nil, nil).wantStatus(t, 200).decode(t, &got)
		if got != ad {
			t.Errorf("read %+v, added %+v", got, ad)
		}
		p.do(t, "PUT", adminsPath(id)+"/"+url.PathEscape(ad.ID), map[string]any{"role": "support_admin", "package": "webex_meetings"}, nil).wantField(t, 400, "package")
		p.do(t, "PUT", adminsPath(id)+"/"+url.PathEscape(ad.ID), map[string]any{"role": "support_admin", "package": "webex_calling"}, nil).wantStatus(t, 200).decode(t, &got)
		if got.Role != "support_admin" || got.Package != "webex_calling" {
			t.Errorf("updated %+v", got)
		}

		p.do(t, "POST", adminsPath(id), map[string]any{"email": "x@adm-api.example.com", "role": "full_admin", "package": "webex_calling"}, nil).wantField(t, 400, "role")
		p.do(t, "POST", adminsPath(id), map[string]any{"email": "x@adm-api.example.com", "role": "support_admin", "package": "webex_suite"}, nil).wantField(t, 400, "package")
		p.do(t, "POST", adminsPath(id), map[string]any{"email": "RO@adm-api.example.com", "role": "support_admin", "package": "webex_calling"}, nil).wantField(t, 409, "email")
		p.do(t, "PUT", adminsPath(id)+"/"+url.PathEscape(full.ID), map[string]any{"role": "full_admin", "package": "webex_meetings"}, nil).wantField(t, 400, "package")
		p.do(t, "PUT", adminsPath(id)+"/"+url.PathEscape(full.ID), map[string]any{"role": "read_only_admin", "package": "webex_calling"}, nil).wantField(t, 400, "role")
		p.do(t, "PUT", adminsPath(id)+"/"+url.PathEscape(full.ID), map[string]any{"email": "new@adm-api.example.com", "role": "full_admin", "package": "webex_calling"}, nil).wantStatus(t, 400)
		p.do(t, "DELETE", adminsPath(id)+"/"+url.PathEscape(full.ID), nil, nil).wantStatus(t, 409)

		// Another partner sees nothing of it.
		one := adminsPath(id) + "/" + url.PathEscape(ad.ID)
		other.do(t, "GET", adminsPath(id), nil, nil).wantStatus(t, 404)
		other.do(t, "GET", one, nil, nil).wantStatus(t, 404)
		other.do(t, "POST", adminsPath(id), map[string]any{"email": "y@adm-api.example.com", "role": "support_admin", "package": "webex_calling"}, nil).wantStatus(t, 404)
		other.do(t, "PUT", one, map[string]any{"role": "read_only_admin", "package": "webex_calling"}, nil).wantStatus(t, 404)
		other.do(t, "DELETE", one, nil, nil).wantStatus(t, 404)
		other.do(t, "GET", "/v1/wholesale/customers/"+url.PathEscape(id)+"/approval", nil, nil).wantStatus(t, 404)
		other.do(t, "POST", "/v1/wholesale/customers/"+url.PathEscape(id)+"/approval", map[string]any{"approve": true}, nil).wantStatus(t, 404)

		p.do(t, "DELETE", one, nil, nil).wantStatus(t, 204)
		p.do(t, "GET", one, nil, nil).wantStatus(t, 404)
		if as := p.listAdminsOf(t, id); len(as) != 1 || as[0].ID != full.ID {
			t.Errorf("admins after removal = %+v", as)
		}
		if s := p.approvalState(t, id); s != "none" {
			t.Errorf("approval of a new organization = %q, want none", s)
		}
	})
}

// invitationToken reads the token of the approval links mailed for a
// customer.
func invitationToken(t *testing.T, en *env, customerID string) string {
	t.Helper()
	q := `SELECT id, partner_id FROM outbox WHERE customer_id = ? AND kind = 'customer_admin_invitation'`
	if en.engine == "postgres" {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var id, partnerID string
	if err := en.db.SQL().QueryRowContext(t.Context(), q, customerID).Scan(&id, &partnerID); err != nil {
		t.Fatalf("invitation of %s: %v", customerID, err)
	}
	if !strings.Contains(renderedText(t, en, id, partnerID), "/v1/approvals/…?decision=approve") {
		t.Errorf("the outbox does not show the approval link redacted")
	}
	text := sentText(t, en, id) // as the sender sends it: the outbox has no token
	m := regexp.MustCompile(`/v1/approvals/([A-Za-z0-9_-]+)\?decision=approve`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no approval link in\n%s", text)
	}
	return m[1]
}

// waitJobDone waits until the customer's provisioning jobs have all run.
func waitJobDone(t *testing.T, en *env, customerID string) {
	t.Helper()
	arg := `json_extract(args, '$.customerId') = ?`
	if en.engine == "postgres" {
		arg = `args->>'customerId' = $1`
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		var pending int
		err := en.db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM river_job WHERE kind = 'provision_customer' AND state <> 'completed' AND `+arg, customerID).Scan(&pending)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("provisioning job of %s still not done", customerID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAttachApprovalAPI is rule C7 over HTTP: a small organization attaches
// at once; a large one waits until approved through the API; one with a
// verified domain is rejected through the mailed link, which works once.
func TestAttachApprovalAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withAdmins(t, en)
		ctx := t.Context()
		p := en.bootstrap(t, "Attach Partner")
		tpl := p.createTemplate(t, "Standard")
		for _, o := range []*tenantry.ExistingOrg{{OrgID: "org-large", UserCount: 250}, {OrgID: "org-verified", UserCount: 3, VerifiedDomain: true}} {
			if err := en.db.PutExistingOrg(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		attach := func(ext, org string) string {
			return p.createCustomer(t, set(customerBody(tpl.ProvisioningID, ext, "US", "webex_calling"), "orgId", org), "")
		}

		small := attach("att-small", "org-small")
		if c := p.waitStatus(t, small, "provisioned"); c.OrgID != "org-small" {
			t.Errorf("small org attached as %q", c.OrgID)
		}

		large := attach("att-large", "org-large")
		waitJobDone(t, en, large)
		if c := p.getCustomer(t, large, ""); c.Status != "provisioning" || p.approvalState(t, large) != "pending" {
			t.Fatalf("large org before approval: status %s, approval %s", c.Status, p.approvalState(t, large))
		}
		approval := "/v1/wholesale/customers/" + url.PathEscape(large) + "/approval"
		p.do(t, "POST", approval, map[string]any{}, nil).wantField(t, 400, "approve")
		r := p.do(t, "POST", approval, map[string]any{"approve": true}, nil).wantStatus(t, 202)
		if acceptedID(t, en, r) != large {
			t.Errorf("approval answered for another customer")
		}
		p.waitStatus(t, large, "provisioned")
		if s := p.approvalState(t, large); s != "approved" {
			t.Errorf("approval after approving = %q", s)
		}
		p.do(t, "POST", approval, map[string]any{"approve": false}, nil).wantStatus(t, 409)

		verified := attach("att-verified", "org-verified")
		token := invitationToken(t, en, verified)
		link := "/v1/approvals/" + token
		form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
		en.do(t, "POST", link, "", "decision=maybe", form).wantField(t, 400, "decision")
		en.do(t, "POST", "/v1/approvals/not-a-token", "", "decision=reject", form).wantStatus(t, 404)
		var st struct {
			State string `json:"state"`
		}
		en.do(t, "POST", link, "", "decision=reject", form).wantStatus(t, 200).decode(t, &st)
		if st.State != "rejected" {
			t.Errorf("link answered %q, want rejected", st.State)
		}
		en.do(t, "POST", link, "", "decision=approve", form).wantStatus(t, 410)
		c := p.waitStatus(t, verified, "error")
		if len(c.Errors) != 1 || c.Errors[0].ErrorCode != tenantry.NoticeAttachRejected {
			t.Errorf("rejected customer errors = %+v", c.Errors)
		}
		if as := p.listAdminsOf(t, verified); len(as) != 0 {
			t.Errorf("rejected customer has admins %+v", as)
		}
	})
}
