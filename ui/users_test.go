package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// userFixture is a signed-in full admin with a provisioned US customer
// (Webex Calling and Meetings) whose headquarters has numbers.
type userFixture struct {
	en         *hubEnv
	a          *admin
	actor      *tenantry.Actor
	customerID string
	hq         string
}

var fixtureNumbers = []string{"+15125550100", "+15125550101", "+15125550102"}

func newUserFixture(t testing.TB, en *hubEnv) *userFixture {
	t.Helper()
	a := en.setUp(t, "Acme Telecom", "ada@acme.example")
	a.createTemplate(t, "Gold")
	f := &userFixture{en: en, a: a, customerID: a.createCustomer(t, "Gold", "Café Ltd", "EXT-1", "US")}
	f.actor = en.actorOf(t, a.partnerID, a.adminID)
	f.waitProvisioned(t, f.customerID)
	ctx := context.Background()
	locs, _, err := en.db.Locations(ctx, f.actor, f.customerID, tenantry.Page{Max: 10})
	if err != nil || len(locs) == 0 {
		t.Fatalf("locations: %v %v", locs, err)
	}
	f.hq = locs[0].ID
	if _, err := en.db.AddNumbers(ctx, f.actor, f.customerID, f.hq, &tenantry.NumbersInput{PhoneNumbers: fixtureNumbers}); err != nil {
		t.Fatal(err)
	}
	return f
}

// actorOf is the actor of a partner's admin, as the hub resolves it.
func (en *hubEnv) actorOf(t testing.TB, partnerID, adminID string) *tenantry.Actor {
	t.Helper()
	a, err := en.db.ResolveActor(context.Background(), &tenantry.Principal{PartnerID: partnerID, AdminID: adminID, Scopes: tenantry.AllScopes}, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *userFixture) waitProvisioned(t testing.TB, id string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := f.en.db.Customer(context.Background(), f.actor, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == tenantry.StatusProvisioned {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s is still %s", id, c.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// user creates a user of the fixture's customer through the store.
func (f *userFixture) user(t testing.TB, in tenantry.SubscriberInput) *tenantry.Subscriber {
	t.Helper()
	in.CustomerID = f.customerID
	if in.LocationID == "" {
		in.LocationID = f.hq
	}
	s, err := f.en.db.CreateSubscriber(context.Background(), f.actor, &in)
	if err != nil {
		t.Fatalf("create user %s: %v", in.Email, err)
	}
	return s
}

// esc is s as html/template writes it ("+" is escaped everywhere).
func esc(s string) string { return strings.ReplaceAll(s, "+", "&#43;") }

func (f *userFixture) userPath(id string) string {
	return "/customers/" + f.customerID + "/users/" + id
}

// readOnly signs in a read-only admin of the fixture's partner.
func (f *userFixture) readOnly(t testing.TB) *browser {
	t.Helper()
	ctx := context.Background()
	id := "reader-" + f.a.adminID
	if _, err := f.en.db.SQL().ExecContext(ctx, rebind(f.en, `INSERT INTO partner_admins (id, partner_id, email, display_name, role, language, created) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		id, f.a.partnerID, "rita@acme.example", "Rita Reader", tenantry.RoleReadOnlyAdmin, "en", 1); err != nil {
		t.Fatal(err)
	}
	token, err := f.en.db.CreateSignInLink(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b := f.en.browser(t)
	b.post("/link/"+token, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(t, 303)
	return b
}

// TestUserList: the Users tab pages, searches and filters by status; past
// the count bound it says "more than"; a read-only admin reads it; another
// partner's customer is not found.
func TestUserList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		f := newUserFixture(t, en)
		ctx := context.Background()
		if err := en.db.AddFreeAccount(ctx, "pending@cafe.example"); err != nil {
			t.Fatal(err)
		}
		for i := range 27 {
			f.user(t, tenantry.SubscriberInput{Email: fmt.Sprintf("u%02d@cafe.example", i), Package: "webex_meetings", FirstName: fmt.Sprintf("User%02d", i), LastName: "Lovelace"})
		}
		f.user(t, tenantry.SubscriberInput{Email: "grace@cafe.example", Package: "webex_meetings", FirstName: "Grace", LastName: "Hopper"})
		f.user(t, tenantry.SubscriberInput{Email: "pending@cafe.example", Package: "webex_meetings", FirstName: "Åsa", LastName: "Öberg"})
		list := "/customers/" + f.customerID + "/users"

		p := f.a.get(list).must(t, 200).contains(t, "Users 1–25 of 29", "u00@cafe.example", `rel="next"`, `aria-current="page">Users<`)
		p.lacks(t, "grace@cafe.example", `rel="prev"`)
		f.a.get(list+"?offset=25").must(t, 200).contains(t, "Users 26–29 of 29", "grace@cafe.example", "Waiting for consent", `rel="prev"`).lacks(t, `rel="next"`)
		f.a.get(list+"?q=HOPPER").must(t, 200).contains(t, "Users 1–1 of 1", "grace@cafe.example").lacks(t, "u00@cafe.example")
		f.a.get(list+"?q=åsa").must(t, 200).contains(t, "pending@cafe.example")
		f.a.get(list+"?q=u01@cafe").must(t, 200).contains(t, "Users 1–1 of 1", "u01@cafe.example")
		f.a.get(list+"?status=pending_user_migration").must(t, 200).contains(t, "Users 1–1 of 1", "pending@cafe.example")
		f.a.get(list+"?q=nobody").must(t, 200).contains(t, "No user matches.")
		f.a.get(list+"?status=bogus&offset=-3").must(t, 200).contains(t, "Users 1–25 of 29") // ignored, not an error

		// Past the count bound the list says "more than" it and still pages
		// on; a search is not counted past its page.
		model := f.user(t, tenantry.SubscriberInput{Email: "model@cafe.example", Package: "webex_meetings", FirstName: "Model", LastName: "User"})
		sqldbtest.SeedSubscribers(t, en.db.SQL(), en.engine == "postgres", model.ID, tenantry.SubscriberCountBound+30, sqldb.SubscriberSearchText)
		f.a.get(list).must(t, 200).contains(t, "Users 1–25 of more than 10,000", "offset=25")
		f.a.get(list+"?offset=10050").must(t, 200).contains(t, "Users 10,051–10,060 of 10,060")
		f.a.get(list+"?q=seed.example").must(t, 200).contains(t, "Users 1–25 of more than 25", "offset=25&amp;q=seed.example")
		f.a.get(list+"?q=seed.example&offset=10025").must(t, 200).contains(t, "Users 10,026–10,030 of 10,030").lacks(t, `rel="next"`)

		f.readOnly(t).get(list).must(t, 200).contains(t, "u00@cafe.example").lacks(t, `/setup"`+` class`)
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(list).must(t, 404)
		o.get(list+"?q=lovelace").must(t, 404)
	})
}

// TestUserPage: a user's page shows it and edits it through the same
// service as the API: names, package, location, number, extension; bad
// input is a 400 with the error next to the field and the input kept;
// delete asks first; the consent request of a pending user is sent again.
func TestUserPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		f := newUserFixture(t, en)
		ctx := context.Background()
		ada := f.user(t, tenantry.SubscriberInput{Email: "ada@cafe.example", Packages: []string{"webex_calling"}, FirstName: "Ada", LastName: "Lovelace", Extension: "100"})
		f.user(t, tenantry.SubscriberInput{Email: "grace@cafe.example", Packages: []string{"webex_calling"}, FirstName: "Grace", LastName: "Hopper", Extension: "200"})
		path := f.userPath(ada.ID)

		f.a.get(path).must(t, 200).contains(t, "Ada Lovelace", `dir="ltr">ada@cafe.example`, `value="100"`, esc(fixtureNumbers[0]), `name="firstName"`)

		form := func(kv ...string) url.Values {
			v := url.Values{"firstName": {"Ada"}, "lastName": {"Lovelace"}, "package": {"webex_calling"}, "locationId": {f.hq}, "number": {""}, "extension": {"100"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		// U2: an extension of one digit, next to its field, input kept.
		p := f.a.post(path, form("firstName", "Augusta", "extension", "1")).must(t, 400)
		if e := p.fieldError(t, "f-extension"); e == "" {
			t.Errorf("no error next to the extension:\n%s", clip(p.Body))
		}
		p.contains(t, `value="Augusta"`, `value="1"`, "error-summary")
		// U2: the extension of another user of the customer.
		p = f.a.post(path, form("extension", "200")).must(t, 409)
		if e := p.fieldError(t, "f-extension"); !strings.Contains(e, "200") {
			t.Errorf("extension taken: %q", e)
		}
		// U2: a number outside the inventory.
		p = f.a.post(path, form("number", "+15125559999")).must(t, 400)
		if p.fieldError(t, "f-number") == "" {
			t.Errorf("no error next to the number:\n%s", clip(p.Body))
		}
		p.contains(t, `value="`+esc("+15125559999")+`"`)
		// U1: no package.
		p = f.a.post(path, form("package", "")).must(t, 400)
		if p.fieldError(t, "f-package") == "" {
			t.Error("no error next to the package")
		}
		// U1: a package the customer does not have.
		p = f.a.post(path, form("package", "webex_suite")).must(t, 400)
		if e := p.fieldError(t, "f-package"); !strings.Contains(e, "Webex Suite") {
			t.Errorf("package unavailable: %q", e)
		}

		// A valid edit: names, a number from the inventory, a new extension.
		p = f.a.post(path, form("firstName", "Augusta Ada", "lastName", "King", "number", fixtureNumbers[1], "extension", "101")).must(t, 303)
		if p.Location != path {
			t.Errorf("saved and went to %q", p.Location)
		}
		f.a.get(path).must(t, 200).contains(t, "The user is saved.", "Augusta Ada King", esc(fixtureNumbers[1]))
		got, err := en.db.Subscriber(ctx, f.actor, ada.ID)
		if err != nil || got.FirstName != "Augusta Ada" || got.LastName != "King" || got.PrimaryPhoneNumber != fixtureNumbers[1] || got.Extension != "101" {
			t.Fatalf("after the edit: %+v %v", got, err)
		}
		// Moving to a package without calling drops the number and extension
		// left as they were (as the API does), and frees the number.
		f.a.post(path, form("firstName", "Augusta Ada", "lastName", "King", "package", "webex_meetings", "number", fixtureNumbers[1], "extension", "101")).must(t, 303)
		if got, _ = en.db.Subscriber(ctx, f.actor, ada.ID); got.Package != tenantry.WebexMeetings || got.PrimaryPhoneNumber != "" || got.Extension != "" {
			t.Errorf("after moving to meetings: %+v", got)
		}
		nums, _, _ := en.db.Numbers(ctx, f.actor, f.customerID, f.hq, tenantry.NumberFilter{State: tenantry.NumberAvailable, Page: tenantry.Page{Max: 10}})
		if len(nums) != len(fixtureNumbers) {
			t.Errorf("available numbers after the move: %d", len(nums))
		}

		// Resend consent: refused for a provisioned user, shown; sent for a pending one.
		p = f.a.post(path+"/consent", url.Values{}).must(t, 409)
		p.contains(t, "error-summary")
		if err := en.db.AddFreeAccount(ctx, "mover@cafe.example"); err != nil {
			t.Fatal(err)
		}
		mover := f.user(t, tenantry.SubscriberInput{Email: "mover@cafe.example", Package: "webex_meetings", FirstName: "Mo", LastName: "Ver"})
		f.a.get(f.userPath(mover.ID)).must(t, 200).contains(t, "Waiting for consent", "Consent requests sent: 1", "/consent")
		f.a.post(f.userPath(mover.ID)+"/consent", url.Values{}).must(t, 303)
		f.a.get(f.userPath(mover.ID)).must(t, 200).contains(t, "A new consent request is on its way", "Consent requests sent: 2")
		msgs, _, err := en.db.OutboxMessages(ctx, f.actor, tenantry.OutboxFilter{CustomerID: f.customerID, Page: tenantry.Page{Max: 100}})
		if err != nil {
			t.Fatal(err)
		}
		consents := 0
		for _, m := range msgs {
			if m.Kind == tenantry.MailConsent && m.To == "mover@cafe.example" {
				consents++
			}
		}
		if consents != 2 {
			t.Errorf("%d consent mails to the pending user, want 2", consents)
		}

		// A read-only admin reads, and every write is 403.
		r := f.readOnly(t)
		r.get(path).must(t, 200).contains(t, "Augusta Ada King").lacks(t, `name="firstName"`, "/delete", "/consent")
		r.post(path, form()).must(t, 403)
		r.get(path+"/delete").must(t, 403)
		r.post(path+"/delete", url.Values{}).must(t, 403)
		r.post(f.userPath(mover.ID)+"/consent", url.Values{}).must(t, 403)

		// Another partner: not found, and nothing changes.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(path).must(t, 404)
		o.post(path, form("firstName", "Mallory")).must(t, 404)
		o.post(path+"/delete", url.Values{}).must(t, 404)
		o.post(f.userPath(mover.ID)+"/consent", url.Values{}).must(t, 404)
		// A user under another customer's path is not found either.
		other := f.a.createCustomer(t, "Gold", "Other Ltd", "EXT-2", "US")
		f.a.get("/customers/"+other+"/users/"+ada.ID).must(t, 404)
		f.a.post("/customers/"+other+"/users/"+ada.ID+"/delete", url.Values{}).must(t, 404)

		// Delete asks first, then deletes.
		f.a.get(path+"/delete").must(t, 200).contains(t, "Delete the user?", "ada@cafe.example", `action="`+path+`/delete"`)
		p = f.a.post(path+"/delete", url.Values{}).must(t, 303)
		if p.Location != "/customers/"+f.customerID+"/users" {
			t.Errorf("deleted and went to %q", p.Location)
		}
		f.a.get("/customers/"+f.customerID+"/users").must(t, 200).contains(t, "The user is deleted.").lacks(t, "ada@cafe.example")
		f.a.get(path).must(t, 404)
		f.a.post("/language", url.Values{"lang": {"sv"}, "next": {path}}).must(t, 303)
		f.a.get(path).must(t, 404).contains(t, "sidan") // the message names the page in the admin's language
	})
}
