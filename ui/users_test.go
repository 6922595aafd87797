package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
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

// pagerLink is the href of the page's pager link rel ("next" or "prev"),
// unescaped.
func pagerLink(t *testing.T, p *page, rel string) string {
	t.Helper()
	m := regexp.MustCompile(`href="([^"]+)" rel="` + rel + `"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no %s link in %s", rel, p.Body)
	}
	return html.UnescapeString(m[1])
}

// TestUserList: the Users tab pages by key (Next and Previous, with a
// status filter and a search), searches and filters by status; a whole
// address finds that user only; past 1,000 it says "more than" (the API
// still counts to 10,000); a read-only admin reads it; another customer's
// users never show, and another partner's customer is not found.
func TestUserList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		f := newUserFixture(t, en)
		ctx := context.Background()
		if err := en.db.AddFreeAccount(ctx, "pending@cafe.example"); err != nil {
			t.Fatal(err)
		}
		// Another customer of the same partner, whose users are created
		// between the fixture customer's.
		otherID := f.a.createCustomer(t, "Gold", "Other Ltd", "EXT-2", "US")
		f.waitProvisioned(t, otherID)
		locs, _, err := en.db.Locations(ctx, f.actor, otherID, tenantry.Page{Max: 10})
		if err != nil || len(locs) == 0 {
			t.Fatalf("locations: %v %v", locs, err)
		}
		var others []*tenantry.Subscriber
		for i := range 27 {
			f.user(t, tenantry.SubscriberInput{Email: fmt.Sprintf("u%02d@cafe.example", i), Package: "webex_meetings", FirstName: fmt.Sprintf("User%02d", i), LastName: "Lovelace"})
			if i%5 == 0 {
				o, err := en.db.CreateSubscriber(ctx, f.actor, &tenantry.SubscriberInput{CustomerID: otherID, LocationID: locs[0].ID,
					Email: fmt.Sprintf("o%02d@other.example", i), Package: "webex_meetings", FirstName: "Olga", LastName: "Lovelace"})
				if err != nil {
					t.Fatal(err)
				}
				others = append(others, o)
			}
		}
		f.user(t, tenantry.SubscriberInput{Email: "grace@cafe.example", Package: "webex_meetings", FirstName: "Grace", LastName: "Hopper"})
		f.user(t, tenantry.SubscriberInput{Email: "pending@cafe.example", Package: "webex_meetings", FirstName: "Åsa", LastName: "Öberg"})
		list := "/customers/" + f.customerID + "/users"

		// Next and Previous by key; Previous back to the start is the
		// plain first page.
		p := f.a.get(list).must(t, 200).contains(t, "Users 1–25 of 29", "u00@cafe.example", `rel="next"`, `aria-current="page">Users<`)
		p.lacks(t, "grace@cafe.example", `rel="prev"`, "other.example")
		next := pagerLink(t, p, "next")
		if !strings.Contains(next, "after=") || strings.Contains(next, "offset") {
			t.Fatalf("next link %q", next)
		}
		p2 := f.a.get(next).must(t, 200).contains(t, "Users 26–29 of 29", "u25@cafe.example", "grace@cafe.example", "Waiting for consent", `rel="prev"`)
		p2.lacks(t, `rel="next"`, "u24@cafe.example", "other.example")
		f.a.get(pagerLink(t, p2, "prev")).must(t, 200).contains(t, "Users 1–25 of 29", "u00@cafe.example", "u24@cafe.example").lacks(t, `rel="prev"`, "u25@")

		// With a status filter: 28 provisioned users.
		p = f.a.get(list+"?status=provisioned").must(t, 200).contains(t, "Users 1–25 of 28")
		p2 = f.a.get(pagerLink(t, p, "next")).must(t, 200).contains(t, "Users 26–28 of 28", "grace@cafe.example", `value="provisioned" selected`)
		p2.lacks(t, "pending@cafe.example", "u24@cafe.example", `rel="next"`, "other.example")
		f.a.get(pagerLink(t, p2, "prev")).must(t, 200).contains(t, "Users 1–25 of 28", "u24@cafe.example").lacks(t, `rel="prev"`)
		f.a.get(list+"?status=pending_user_migration").must(t, 200).contains(t, "Users 1–1 of 1", "pending@cafe.example")

		// With a search, which is not counted past its page: 27 of the
		// customer's users are Lovelaces (and the other customer's Olgas).
		p = f.a.get(list+"?q=LOVELACE").must(t, 200).contains(t, "Users 1–25 of more than 25").lacks(t, "other.example")
		next = pagerLink(t, p, "next")
		if !strings.Contains(next, "q=LOVELACE") {
			t.Fatalf("next link %q", next)
		}
		p2 = f.a.get(next).must(t, 200).contains(t, "Users 26–27 of 27", "u26@cafe.example", `value="LOVELACE"`).lacks(t, "grace@", "other.example", `rel="next"`)
		f.a.get(pagerLink(t, p2, "prev")).must(t, 200).contains(t, "Users 1–25 of more than 25", "u00@cafe.example").lacks(t, `rel="prev"`)
		f.a.get(list+"?q=åsa").must(t, 200).contains(t, "pending@cafe.example")
		f.a.get(list+"?q=u01@cafe").must(t, 200).contains(t, "Users 1–1 of 1", "u01@cafe.example")
		f.a.get(list+"?q=nobody").must(t, 200).contains(t, "No user matches.")

		// A whole address is that user only, in any case; another
		// customer's user is not found by it.
		f.user(t, tenantry.SubscriberInput{Email: "xgrace@cafe.example", Package: "webex_meetings", FirstName: "Xavier", LastName: "Grace"})
		f.a.get(list+"?q=grace@cafe").must(t, 200).contains(t, "grace@cafe.example", "xgrace@cafe.example") // part of an address
		f.a.get(list+"?q=+GRACE@Cafe.example+").must(t, 200).contains(t, "Users 1–1 of 1", "grace@cafe.example").lacks(t, "xgrace@")
		f.user(t, tenantry.SubscriberInput{Email: "anon@cafe.example", Package: "webex_meetings"})
		f.a.get(list+"?q=anon@cafe.example").must(t, 200).contains(t, "Users 1–1 of 1", ">(no name)</a>", "<td class=\"wide\">Webex Meetings</td>", `status-provisioned">Provisioned<`)
		f.a.get(list+"?q="+url.QueryEscape(others[0].Email)).must(t, 200).contains(t, "No user matches.")

		// Keys are only places: another customer's user's key, a bad key
		// or an offset never show another customer's users.
		after := url.Values{"after": {fmt.Sprintf("%d:%s", others[1].Created.UnixMicro(), others[1].ID)}, "at": {"5"}}
		f.a.get(list+"?"+after.Encode()).must(t, 200).contains(t, "u06@cafe.example", `rel="prev"`).lacks(t, "other.example", "u05@cafe.example")
		f.a.get(list+"?after=bogus&at=7").must(t, 200).contains(t, "Users 1–25 of 31").lacks(t, `rel="prev"`)
		f.a.get(list+"?status=bogus&offset=-3").must(t, 200).contains(t, "Users 1–25 of 31") // ignored, not an error

		// Past 1,000 the list says "more than" it and still pages on; the
		// API's list still counts to 10,000 (numbers are grouped from five
		// digits).
		model := f.user(t, tenantry.SubscriberInput{Email: "model@cafe.example", Package: "webex_meetings", FirstName: "Model", LastName: "User"})
		sqldbtest.SeedSubscribers(t, en.db.SQL(), en.engine == "postgres", model.ID, 1030, sqldb.SubscriberSearchText)
		p = f.a.get(list).must(t, 200).contains(t, "Users 1–25 of more than 1000")
		f.a.get(pagerLink(t, p, "next")).must(t, 200).contains(t, "Users 26–50 of more than 1000", `rel="prev"`, `rel="next"`)
		_, total, err := en.db.Subscribers(ctx, f.actor, tenantry.SubscriberFilter{CustomerID: f.customerID, Page: tenantry.Page{Max: 25}})
		if err != nil || total != 1062 {
			t.Fatalf("API total %d, %v; want 1062", total, err)
		}
		last, err := en.db.Subscriber(ctx, f.actor, "seed-user-0001019")
		if err != nil {
			t.Fatal(err)
		}
		end := url.Values{"after": {fmt.Sprintf("%d:%s", last.Created.UnixMicro(), last.ID)}, "at": {"1052"}}
		f.a.get(list+"?"+end.Encode()).must(t, 200).contains(t, "Users 1053–1062 of 1062", "seed-0001029@").lacks(t, `rel="next"`)
		p = f.a.get(list+"?q=seed.example").must(t, 200).contains(t, "Users 1–25 of more than 25")
		f.a.get(pagerLink(t, p, "next")).must(t, 200).contains(t, "Users 26–50 of more than 50", "q=seed.example")

		f.readOnly(t).get(list).must(t, 200).contains(t, "u00@cafe.example").lacks(t, `/setup"`+` class`)
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		o.get(list).must(t, 404)
		o.get(list+"?q=lovelace").must(t, 404)
		o.get(list+"?"+after.Encode()).must(t, 404)
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
