package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// The location and number operations are among those the document must
// describe.
func init() {
	const (
		locs = "/wholesale/customers/{customerId}/locations"
		loc  = locs + "/{locationId}"
	)
	type op = struct{ method, path string }
	openapiOperations = append(openapiOperations,
		op{"GET", locs}, op{"POST", locs}, op{"GET", loc}, op{"PUT", loc}, op{"DELETE", loc},
		op{"GET", loc + "/numbers"}, op{"POST", loc + "/numbers"}, op{"DELETE", loc + "/numbers/{phoneNumber}"},
		op{"PUT", loc + "/mainNumber"})
}

// withLocations serves en's database with locations wired, as
// cmd/tenantry's serve does.
func withLocations(t testing.TB, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db}, en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	sp := *en.specs
	sp.refRouter = extensionRouter{ref: sp.refRouter, ours: sp.oursRouter}
	out.specs = &sp
	return &out
}

// extensionRouter routes the reference document for the shared request
// helper. The location paths lie under /v1/wholesale/customers/, which the
// helper checks against the reference, but they are Tenantry's extension
// and the reference does not describe them: they are routed to Tenantry's
// own document (which do has checked them against already) instead of
// failing as operations the reference lacks. Every other path is the
// reference's, unchanged.
type extensionRouter struct{ ref, ours routers.Router }

func (r extensionRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	if strings.Contains(req.URL.Path, "/locations") && strings.HasPrefix(req.URL.Path, "/v1/wholesale/customers/") {
		return r.ours.FindRoute(req)
	}
	return r.ref.FindRoute(req)
}

// wantFields fails unless r has status and errors on exactly fields, each
// named in its description.
func wantFields(t *testing.T, r *response, status int, fields []string) {
	t.Helper()
	r.wantStatus(t, status)
	e := r.errorDoc(t)
	if diff := cmp.Diff(fields, e.fields()); diff != "" {
		t.Errorf("%s %s: fields at fault (-want +got):\n%s\nbody: %s", r.Method, r.Path, diff, r.Body)
	}
	for _, x := range e.Errors {
		if !strings.Contains(x.Description, x.Field) {
			t.Errorf("%s %s: the error on %s does not name it: %q", r.Method, r.Path, x.Field, x.Description)
		}
	}
}

// locationDoc is a location as the API returns it.
type locationDoc struct {
	ID                          string            `json:"id"`
	Name                        string            `json:"name"`
	Address                     map[string]string `json:"address"`
	TimeZone                    string            `json:"timezone"`
	Language                    string            `json:"language"`
	EmergencyLocationIdentifier string            `json:"emergencyLocationIdentifier"`
	Headquarters                bool              `json:"headquarters"`
	MainNumber                  string            `json:"mainNumber"`
}

// numberDoc is a number of a location as the API returns it.
type numberDoc struct {
	PhoneNumber  string `json:"phoneNumber"`
	State        string `json:"state"`
	SubscriberID string `json:"subscriberId"`
	MainNumber   bool   `json:"mainNumber"`
}

type numberList struct {
	Items []numberDoc `json:"items"`
}

func (l numberList) numbers() []string {
	out := []string{}
	for _, n := range l.Items {
		out = append(out, n.PhoneNumber)
	}
	return out
}

func locationsPath(customerID string) string {
	return "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/locations"
}

func locationPath(customerID, locationID string) string {
	return locationsPath(customerID) + "/" + url.PathEscape(locationID)
}

// locationBody is a valid location request in country.
func locationBody(name, country string) map[string]any {
	return map[string]any{"name": name, "address": address(country), "timezone": timeZones[country], "language": "en_us"}
}

// provisionedCustomer creates a customer with a calling package in country
// and waits until it is provisioned (or provisioned with errors).
func (p *partner) provisionedCustomer(t *testing.T, tpl templateDoc, ext, country, status string) string {
	t.Helper()
	id := p.createCustomer(t, customerBody(tpl.ProvisioningID, ext, country, "webex_calling", "webex_meetings"), "")
	p.waitStatus(t, id, status)
	return id
}

// listLocations lists a customer's locations.
func (p *partner) listLocations(t *testing.T, customerID, query string) []locationDoc {
	t.Helper()
	var l struct{ Items []locationDoc }
	p.do(t, "GET", withQuery(locationsPath(customerID), query), nil, nil).wantStatus(t, 200).decode(t, &l)
	return l.Items
}

// listNumbers lists a location's numbers.
func (p *partner) listNumbers(t *testing.T, customerID, locationID, query string) (numberList, *response) {
	t.Helper()
	var l numberList
	r := p.do(t, "GET", withQuery(locationPath(customerID, locationID)+"/numbers", query), nil, nil).wantStatus(t, 200)
	r.decode(t, &l)
	return l, r
}

// createLocation adds a branch and checks the answer: 201, and a Location
// header that reads the same location back.
func (p *partner) createLocation(t *testing.T, customerID string, body map[string]any) locationDoc {
	t.Helper()
	r := p.do(t, "POST", locationsPath(customerID), body, nil).wantStatus(t, 201)
	var l locationDoc
	r.decode(t, &l)
	if loc := r.Header.Get("Location"); loc != p.en.srv.URL+locationPath(customerID, l.ID) {
		t.Errorf("Location = %q, want the location's URL", loc)
	}
	var again locationDoc
	p.do(t, "GET", r.Header.Get("Location"), nil, nil).wantStatus(t, 200).decode(t, &again)
	if diff := cmp.Diff(l, again); diff != "" {
		t.Errorf("read back (-created +read):\n%s", diff)
	}
	return l
}

// execSQL runs a statement without parameters on the test's database.
func execSQL(t *testing.T, en *env, q string) {
	t.Helper()
	if _, err := en.db.SQL().ExecContext(t.Context(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestLocationsAPI walks a customer's locations through the API: the
// headquarters from provisioning, a branch created, renamed and deleted,
// and the rules that refuse (names, the headquarters, locations in use).
func TestLocationsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		cid := p.provisionedCustomer(t, tpl, "loc-1", "US", "provisioned")

		ls := p.listLocations(t, cid, "")
		if len(ls) != 1 || !ls[0].Headquarters || ls[0].Name != "Head Office" || ls[0].TimeZone != "America/Los_Angeles" ||
			ls[0].Language != "en_us" || ls[0].Address["city"] != "Milpitas" {
			t.Fatalf("locations after provisioning = %+v, want the headquarters", ls)
		}
		hq := ls[0]

		body := locationBody("Branch East", "US")
		body["emergencyLocationIdentifier"] = "ELIN-1"
		b := p.createLocation(t, cid, body)
		if b.Headquarters || b.Name != "Branch East" || b.EmergencyLocationIdentifier != "ELIN-1" || b.MainNumber != "" || b.ID == hq.ID {
			t.Errorf("created %+v", b)
		}
		if got := p.listLocations(t, cid, ""); len(got) != 2 || got[0].ID != hq.ID || got[1].ID != b.ID {
			t.Errorf("list = %+v, want the headquarters then the branch", got)
		}

		// Names are unique per customer, whatever their case.
		p.do(t, "POST", locationsPath(cid), locationBody("  head OFFICE ", "US"), nil).wantField(t, 409, "name")
		p.do(t, "PUT", locationPath(cid, b.ID), locationBody("Head Office", "US"), nil).wantField(t, 409, "name")

		// Every problem of a request is named.
		bad := locationBody(strings.Repeat("n", 81), "US")
		bad["timezone"] = "Mars/Olympus_Mons"
		delete(bad["address"].(map[string]any), "stateOrProvince")
		r := p.do(t, "POST", locationsPath(cid), bad, nil).wantStatus(t, 400)
		checkFields(t, r, []string{"address.stateOrProvince", "name", "timezone"})
		p.do(t, "POST", locationsPath(cid), map[string]any{"name": "x"}, nil).wantField(t, 400, "address.addressLine1")
		p.do(t, "POST", locationsPath(cid), set(locationBody("Extra", "US"), "headquarters", true), nil).wantField(t, 400, "headquarters")
		p.do(t, "POST", locationsPath(cid), set(locationBody("Extra", "US"), "name", 5), nil).wantField(t, 400, "name")
		p.do(t, "POST", locationsPath(cid), `{"name":`, nil).wantStatus(t, 400)
		p.do(t, "POST", locationsPath(cid), "x", map[string]string{"Content-Type": "text/plain"}).wantStatus(t, 415)
		if got := p.listLocations(t, cid, ""); len(got) != 2 {
			t.Errorf("%d locations after refused requests, want 2", len(got))
		}

		// An update replaces the settings.
		upd := locationBody("Branch West", "US")
		upd["timezone"] = "America/Denver"
		var u locationDoc
		p.do(t, "PUT", locationPath(cid, b.ID), upd, nil).wantStatus(t, 200).decode(t, &u)
		if u.ID != b.ID || u.Name != "Branch West" || u.TimeZone != "America/Denver" || u.EmergencyLocationIdentifier != "" {
			t.Errorf("updated %+v", u)
		}

		// Paging, with Link.
		for i := range 3 {
			p.createLocation(t, cid, locationBody(fmt.Sprintf("Branch %d", i), "US"))
		}
		r = p.do(t, "GET", locationsPath(cid)+"?max=2", nil, nil).wantStatus(t, 200)
		var page struct{ Items []locationDoc }
		r.decode(t, &page)
		if len(page.Items) != 2 || page.Items[0].ID != hq.ID || links(r)["next"] == "" {
			t.Errorf("first page %+v, links %q", page.Items, r.Header.Get("Link"))
		}
		var last struct{ Items []locationDoc }
		p.do(t, "GET", links(r)["next"], nil, nil).wantStatus(t, 200).decode(t, &last)
		p.do(t, "GET", locationsPath(cid)+"?offset=4&max=2", nil, nil).wantStatus(t, 200).decode(t, &last)
		if len(last.Items) != 1 || last.Items[0].Name != "Branch 2" {
			t.Errorf("last page %+v", last.Items)
		}
		p.do(t, "GET", locationsPath(cid)+"?max=0", nil, nil).wantField(t, 400, "max")

		// The headquarters stays; a branch with numbers stays.
		p.do(t, "DELETE", locationPath(cid, hq.ID), nil, nil).wantStatus(t, 409)
		p.do(t, "POST", locationPath(cid, b.ID)+"/numbers", map[string]any{"phoneNumbers": []string{"+14085550100"}}, nil).wantStatus(t, 201)
		e := p.do(t, "DELETE", locationPath(cid, b.ID), nil, nil).wantStatus(t, 409).errorDoc(t)
		if e.Errors[0].ErrorCode != api.ErrorCodeOf(tenantry.ReasonLocationInUse) {
			t.Errorf("error %+v, want %s", e, tenantry.ReasonLocationInUse)
		}
		// The country is fixed while the location has numbers.
		p.do(t, "PUT", locationPath(cid, b.ID), locationBody("Branch West", "AR"), nil).wantField(t, 409, "address.country")
		p.do(t, "DELETE", locationPath(cid, b.ID)+"/numbers/"+url.PathEscape("+14085550100"), nil, nil).wantStatus(t, 204)
		p.do(t, "DELETE", locationPath(cid, b.ID), nil, nil).wantStatus(t, 204)
		p.do(t, "GET", locationPath(cid, b.ID), nil, nil).wantStatus(t, 404)
		p.do(t, "DELETE", locationPath(cid, b.ID), nil, nil).wantStatus(t, 404)

		// Unknown customers and locations are 404, also on writes.
		p.do(t, "GET", locationsPath("no-such-customer"), nil, nil).wantStatus(t, 404)
		p.do(t, "POST", locationsPath("no-such-customer"), locationBody("X", "US"), nil).wantStatus(t, 404)
		p.do(t, "PUT", locationPath(cid, "no-such-location"), locationBody("X", "US"), nil).wantStatus(t, 404)
		p.do(t, "GET", locationPath(cid, hq.ID)+"/numbers", nil, nil).wantStatus(t, 200)
		p.do(t, "GET", locationPath(cid, "no-such-location")+"/numbers", nil, nil).wantStatus(t, 404)

		// Every write left an audit entry.
		entries, err := en.db.AuditLog(context.Background(), p.ID, "location", b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, e := range entries {
			acts = append(acts, e.Action)
		}
		want := []string{"location.create", "location.update", "location.numbers_add", "location.number_remove", "location.delete"}
		if diff := cmp.Diff(want, acts); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

// TestLocationsNeedProvisionedCustomer: locations are added only to a
// customer that is provisioned or provisioned with errors.
func TestLocationsNeedProvisionedCustomer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		// Calling is not offered in Argentina: provisioned with errors.
		ar := p.provisionedCustomer(t, tpl, "ar-1", "AR", "provisioned_with_errors")
		p.createLocation(t, ar, locationBody("Córdoba", "AR"))
		// Cuba waits for a compliance review.
		cu := p.provisionedCustomer(t, tpl, "cu-1", "CU", "pending_rpl_review")
		e := p.do(t, "POST", locationsPath(cu), locationBody("Branch", "CU"), nil).wantStatus(t, 409).errorDoc(t)
		if e.Errors[0].ErrorCode != api.ErrorCodeOf(tenantry.ReasonCustomerNotReady) || !strings.Contains(e.Message, "pending_rpl_review") {
			t.Errorf("error %+v, want %s naming the status", e, tenantry.ReasonCustomerNotReady)
		}
		if ls := p.listLocations(t, cu, ""); len(ls) != 0 {
			t.Errorf("locations of a customer held for review: %+v", ls)
		}
	})
}

// TestPhoneNumbersAPI adds numbers and ranges, all or nothing, lists them by
// state with paging, sets the main number and removes numbers.
func TestPhoneNumbersAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		cid := p.provisionedCustomer(t, tpl, "num-1", "US", "provisioned")
		hq := p.listLocations(t, cid, "")[0]
		br := p.createLocation(t, cid, locationBody("Branch", "US"))
		numbers := locationPath(cid, hq.ID) + "/numbers"

		r := p.do(t, "POST", numbers, map[string]any{
			"phoneNumbers": []string{"+14085550100", "+12015550123"},
			"ranges":       []map[string]string{{"start": "+14155550198", "end": "+14155550201"}},
		}, nil).wantStatus(t, 201)
		var added numberList
		r.decode(t, &added)
		want := []string{"+14085550100", "+12015550123", "+14155550198", "+14155550199", "+14155550200", "+14155550201"}
		if diff := cmp.Diff(want, added.numbers()); diff != "" {
			t.Errorf("added (-want +got):\n%s", diff)
		}
		if loc := r.Header.Get("Location"); loc != en.srv.URL+numbers {
			t.Errorf("Location = %q", loc)
		}
		for _, n := range added.Items {
			if n.State != "available" || n.MainNumber || n.SubscriberID != "" {
				t.Errorf("added %+v", n)
			}
		}
		listed, _ := p.listNumbers(t, cid, hq.ID, "")
		sorted := slices.Sorted(slices.Values(want))
		if diff := cmp.Diff(sorted, listed.numbers()); diff != "" {
			t.Errorf("listed (-want +got):\n%s", diff)
		}

		// All or nothing: one number taken, one repeated, one invalid.
		tests := []struct {
			name   string
			body   any
			status int
			fields []string
		}{
			{"a range with one number already there", map[string]any{"ranges": []map[string]string{{"start": "+14155550195", "end": "+14155550198"}}},
				409, []string{"ranges[0]"}},
			{"a number already there", map[string]any{"phoneNumbers": []string{"+14085550199", "+14085550100"}}, 409, []string{"phoneNumbers[1]"}},
			{"a number in the branch taken by the headquarters", map[string]any{"phoneNumbers": []string{"+12015550123"}}, 409, []string{"phoneNumbers[0]"}},
			{"a number repeated", map[string]any{"phoneNumbers": []string{"+14085550199", "+14085550199"}}, 400, []string{"phoneNumbers[1]"}},
			{"invalid numbers", map[string]any{"phoneNumbers": []string{"+14085550199", "408-555-0198", "+441212345678"}},
				400, []string{"phoneNumbers[1]", "phoneNumbers[2]"}},
			{"range ends", map[string]any{"ranges": []map[string]string{{"start": "+14085550199", "end": "+14085550100"}, {"start": "+1408555", "end": ""}}},
				400, []string{"ranges[0].end", "ranges[1].end", "ranges[1].start"}},
			{"a range too long", map[string]any{"ranges": []map[string]string{{"start": "+14085550000", "end": "+14085570000"}}}, 400, []string{"ranges[0]"}},
			{"nothing", map[string]any{}, 400, []string{"phoneNumbers"}},
			{"unknown field", map[string]any{"numbers": []string{"+14085550199"}}, 400, []string{"numbers"}},
			{"number not a string", map[string]any{"phoneNumbers": []any{14085550199}}, 400, []string{"phoneNumbers[0]"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := numbers
				if strings.Contains(tt.name, "branch") {
					path = locationPath(cid, br.ID) + "/numbers"
				}
				wantFields(t, p.do(t, "POST", path, tt.body, nil), tt.status, tt.fields)
			})
		}
		if after, _ := p.listNumbers(t, cid, hq.ID, ""); !cmp.Equal(after.numbers(), sorted) {
			t.Errorf("numbers after refused requests = %v, want %v", after.numbers(), sorted)
		}
		if after, _ := p.listNumbers(t, cid, br.ID, ""); len(after.Items) != 0 {
			t.Errorf("branch numbers after refused requests = %v", after.numbers())
		}

		// The main number.
		var l locationDoc
		p.do(t, "PUT", locationPath(cid, hq.ID)+"/mainNumber", map[string]any{"phoneNumber": "+14155550200"}, nil).wantStatus(t, 200).decode(t, &l)
		if l.MainNumber != "+14155550200" || l.ID != hq.ID {
			t.Errorf("after setting the main number: %+v", l)
		}
		listed, _ = p.listNumbers(t, cid, hq.ID, "")
		for _, n := range listed.Items {
			if n.MainNumber != (n.PhoneNumber == "+14155550200") {
				t.Errorf("number %+v", n)
			}
		}
		p.do(t, "PUT", locationPath(cid, br.ID)+"/mainNumber", map[string]any{"phoneNumber": "+14155550200"}, nil).wantField(t, 400, "phoneNumber")
		p.do(t, "PUT", locationPath(cid, hq.ID)+"/mainNumber", map[string]any{"phoneNumber": "4155550200"}, nil).wantField(t, 400, "phoneNumber")
		p.do(t, "PUT", locationPath(cid, hq.ID)+"/mainNumber", map[string]any{}, nil).wantField(t, 400, "phoneNumber")

		// States and paging.
		execSQL(t, en, `UPDATE phone_numbers SET state = 'assigned', subscriber_id = 'subscriber-1' WHERE phone_number = '+14085550100'`)
		assigned, _ := p.listNumbers(t, cid, hq.ID, "state=assigned")
		if diff := cmp.Diff([]numberDoc{{PhoneNumber: "+14085550100", State: "assigned", SubscriberID: "subscriber-1"}}, assigned.Items); diff != "" {
			t.Errorf("assigned (-want +got):\n%s", diff)
		}
		if avail, _ := p.listNumbers(t, cid, hq.ID, "state=available"); len(avail.Items) != 5 {
			t.Errorf("available = %v, want 5", avail.numbers())
		}
		p.do(t, "GET", numbers+"?state=free", nil, nil).wantField(t, 400, "state")
		first, r := p.listNumbers(t, cid, hq.ID, "max=4")
		if len(first.Items) != 4 || links(r)["next"] == "" || links(r)["prev"] != "" {
			t.Errorf("first page %v, links %q", first.numbers(), r.Header.Get("Link"))
		}
		var rest numberList
		p.do(t, "GET", links(r)["next"], nil, nil).wantStatus(t, 200).decode(t, &rest)
		if diff := cmp.Diff(sorted, append(first.numbers(), rest.numbers()...)); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}

		// Removing: an assigned number stays; the main number goes and
		// clears the main number; an unknown one is 404.
		num := func(n string) string { return numbers + "/" + url.PathEscape(n) }
		e := p.do(t, "DELETE", num("+14085550100"), nil, nil).wantStatus(t, 409).errorDoc(t)
		if e.Errors[0].ErrorCode != api.ErrorCodeOf(tenantry.ReasonPhoneNumberAssigned) {
			t.Errorf("error %+v", e)
		}
		p.do(t, "DELETE", num("+14155550200"), nil, nil).wantStatus(t, 204)
		var cleared locationDoc
		p.do(t, "GET", locationPath(cid, hq.ID), nil, nil).wantStatus(t, 200).decode(t, &cleared)
		if cleared.MainNumber != "" {
			t.Errorf("main number %q after removing it", cleared.MainNumber)
		}
		p.do(t, "DELETE", num("+14155550200"), nil, nil).wantStatus(t, 404)
		p.do(t, "DELETE", locationPath(cid, br.ID)+"/numbers/"+url.PathEscape("+14155550201"), nil, nil).wantStatus(t, 404)
		p.do(t, "DELETE", numbers+"/%2B14155550201", nil, nil).wantStatus(t, 204)
		p.do(t, "DELETE", numbers+"/+14155550199", nil, nil).wantStatus(t, 204)

		// Idempotency-Key on POST replays the first answer and adds nothing.
		key := map[string]string{"Idempotency-Key": "numbers-1"}
		body := map[string]any{"phoneNumbers": []string{"+14085550111"}}
		first1 := p.do(t, "POST", numbers, body, key).wantStatus(t, 201)
		again := p.do(t, "POST", numbers, body, key).wantStatus(t, 201)
		if string(first1.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay %s, first %s", again.Body, first1.Body)
		}

		entries, err := en.db.AuditLog(context.Background(), p.ID, "location", hq.ID)
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, e := range entries {
			acts = append(acts, e.Action)
		}
		wantActs := []string{"location.numbers_add", "location.main_number", "location.number_remove", "location.number_remove",
			"location.number_remove", "location.numbers_add"}
		if diff := cmp.Diff(wantActs, acts); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

// TestPhoneNumbersCountries: numbers must be valid in the location's
// country.
func TestPhoneNumbersCountries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		cid := p.provisionedCustomer(t, tpl, "ctry-1", "US", "provisioned")
		ar := p.createLocation(t, cid, locationBody("Buenos Aires", "AR"))
		path := locationPath(cid, ar.ID) + "/numbers"
		r := p.do(t, "POST", path, map[string]any{"phoneNumbers": []string{"+5491123456789", "+14085550100"}}, nil).wantStatus(t, 400)
		e := r.errorDoc(t)
		if len(e.Errors) != 1 || e.Errors[0].Field != "phoneNumbers[1]" || !strings.Contains(e.Errors[0].Description, "Argentina") {
			t.Errorf("errors %+v, want phoneNumbers[1] not valid in Argentina (the country by its name)", e.Errors)
		}
		p.do(t, "POST", path, map[string]any{"phoneNumbers": []string{"+5491123456789", "+541123456789"}}, nil).wantStatus(t, 201)
		// The errors speak the caller's language.
		r = p.do(t, "POST", path, map[string]any{"phoneNumbers": []string{"+14085550100"}}, map[string]string{"Accept-Language": "sv"}).wantStatus(t, 400)
		if r.Header.Get("Content-Language") != "sv" {
			t.Errorf("Content-Language %q", r.Header.Get("Content-Language"))
		}
	})
}

// TestLocationsIsolation: another partner's customers, locations and numbers
// are not found by any operation; a number is unique across partners.
func TestLocationsIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		a := en.bootstrap(t, "Partner A")
		b := en.bootstrap(t, "Partner B")
		aCust := a.provisionedCustomer(t, a.createTemplate(t, "Standard"), "iso-a", "US", "provisioned")
		bCust := b.provisionedCustomer(t, b.createTemplate(t, "Standard"), "iso-b", "US", "provisioned")
		aHQ := a.listLocations(t, aCust, "")[0]
		bHQ := b.listLocations(t, bCust, "")[0]
		a.do(t, "POST", locationPath(aCust, aHQ.ID)+"/numbers", map[string]any{"phoneNumbers": []string{"+14085550100"}}, nil).wantStatus(t, 201)

		num := locationPath(aCust, aHQ.ID) + "/numbers"
		tests := []struct {
			method, path string
			body         any
		}{
			{"GET", locationsPath(aCust), nil},
			{"POST", locationsPath(aCust), locationBody("Taken over", "US")},
			{"GET", locationPath(aCust, aHQ.ID), nil},
			{"PUT", locationPath(aCust, aHQ.ID), locationBody("Taken over", "US")},
			{"DELETE", locationPath(aCust, aHQ.ID), nil},
			{"GET", num, nil},
			{"POST", num, map[string]any{"phoneNumbers": []string{"+14085550101"}}},
			{"DELETE", num + "/" + url.PathEscape("+14085550100"), nil},
			{"PUT", locationPath(aCust, aHQ.ID) + "/mainNumber", map[string]any{"phoneNumber": "+14085550100"}},
			// B's customer with A's location.
			{"GET", locationPath(bCust, aHQ.ID), nil},
			{"DELETE", locationPath(bCust, aHQ.ID) + "/numbers/" + url.PathEscape("+14085550100"), nil},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				b.do(t, tt.method, tt.path, tt.body, nil).wantStatus(t, 404)
			})
		}
		// A number is one across the installation.
		b.do(t, "POST", locationPath(bCust, bHQ.ID)+"/numbers", map[string]any{"phoneNumbers": []string{"+14085550100"}}, nil).
			wantField(t, 409, "phoneNumbers[0]")
		if l, _ := a.listNumbers(t, aCust, aHQ.ID, ""); !cmp.Equal(l.numbers(), []string{"+14085550100"}) {
			t.Errorf("A's numbers after B's attempts = %v", l.numbers())
		}
		if ls := a.listLocations(t, aCust, ""); len(ls) != 1 || !cmp.Equal(ls[0], aHQ) {
			t.Errorf("A's locations after B's attempts = %+v", ls)
		}
	})
}

// TestLocationsScopesAndSubPartners: reads need the read scope, writes the
// write scope; a partner works on a sub-partner's customers on its behalf,
// and a suspended sub-partner may delete but not add.
func TestLocationsScopesAndSubPartners(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withLocations(t, en)
		ctx := context.Background()
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		sp, err := en.db.CreateSubPartner(ctx, p.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		obo := "onBehalfOfSubPartnerOrgId=" + url.QueryEscape(sp.ID)
		cid := p.createCustomer(t, customerBody(tpl.ProvisioningID, "sub-1", "US", "webex_calling"), obo)
		p.waitStatus(t, cid, "provisioned", obo)

		// Not the partner's own customer.
		p.do(t, "GET", locationsPath(cid), nil, nil).wantStatus(t, 404)
		ls := p.listLocations(t, cid, obo)
		if len(ls) != 1 {
			t.Fatalf("locations on behalf = %+v", ls)
		}
		br := locationBody("Branch", "US")
		r := p.do(t, "POST", withQuery(locationsPath(cid), obo), br, nil).wantStatus(t, 201)
		var l locationDoc
		r.decode(t, &l)
		if !strings.HasPrefix(r.Header.Get("Location"), en.srv.URL+locationPath(cid, l.ID)) {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}

		read := scopedToken(t, en, p, []string{tenantry.ScopeCustomersRead})
		write := scopedToken(t, en, p, []string{tenantry.ScopeCustomersWrite})
		subs := scopedToken(t, en, p, []string{tenantry.ScopeSubscribersRead, tenantry.ScopeSubscribersWrite})
		path := withQuery(locationsPath(cid), obo)
		en.do(t, "GET", path, read, nil, nil).wantStatus(t, 200)
		en.do(t, "GET", path, write, nil, nil).wantStatus(t, 403)
		en.do(t, "GET", path, subs, nil, nil).wantStatus(t, 403)
		en.do(t, "POST", path, read, locationBody("By reader", "US"), nil).wantStatus(t, 403)
		en.do(t, "POST", path, write, locationBody("By writer", "US"), nil).wantStatus(t, 201)
		en.do(t, "GET", path, "", nil, nil).wantStatus(t, 401)
		en.do(t, "DELETE", withQuery(locationPath(cid, l.ID), obo), read, nil, nil).wantStatus(t, 403)

		if err := en.db.SetSubPartnerState(ctx, p.ID, sp.ID, tenantry.PartnerSuspended); err != nil {
			t.Fatal(err)
		}
		p.do(t, "POST", path, locationBody("While suspended", "US"), nil).wantField(t, 403, "onBehalfOfSubPartnerOrgId")
		p.do(t, "PUT", withQuery(locationPath(cid, l.ID), obo), locationBody("Renamed", "US"), nil).wantStatus(t, 403)
		p.do(t, "POST", withQuery(locationPath(cid, l.ID)+"/numbers", obo), map[string]any{"phoneNumbers": []string{"+14085550100"}}, nil).wantStatus(t, 403)
		p.do(t, "DELETE", withQuery(locationPath(cid, l.ID), obo), nil, nil).wantStatus(t, 204)
		if got := p.listLocations(t, cid, obo); len(got) != 2 {
			t.Errorf("locations after the suspended delete = %+v", got)
		}
	})
}

// FuzzLocationRequest posts arbitrary bytes as the body of every location
// and number write. Whatever the body, the answer is never a 5xx, and do
// checks it against the OpenAPI document and the error shape.
//
//	go test ./api -run=^$ -fuzz=FuzzLocationRequest -fuzztime=30s
func FuzzLocationRequest(f *testing.F) {
	var engine sqldbtest.Engine
	for _, e := range sqldbtest.Engines(f) {
		if e.Name == "sqlite" {
			engine = e
		}
	}
	if engine.URL == nil {
		f.Fatal("no SQLite engine")
	}
	en := withLocations(f, newEnv(f, engine))
	p := en.bootstrap(f, "Fuzz Partner")
	tpl := p.createTemplate(f, "Standard")
	cid := p.createCustomer(f, customerBody(tpl.ProvisioningID, "fuzz-1", "US", "webex_calling"), "")
	p.waitStatus(f, cid, "provisioned")
	var ls struct{ Items []locationDoc }
	p.do(f, "GET", locationsPath(cid), nil, nil).wantStatus(f, 200).decode(f, &ls)
	hq := locationPath(cid, ls.Items[0].ID)

	valid, err := json.Marshal(locationBody("Fuzz branch", "US"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		valid,
		[]byte(`{}`), []byte(`null`), []byte(`[]`), []byte(``), []byte(`"x"`),
		[]byte(`{"name":"\u0000","address":{"country":"US"},"timezone":"Local","language":"x"}`),
		[]byte(`{"name":"Branch","address":{"addressLine1":"1 Main","city":"c","country":"SE"},"timezone":"Europe/Stockholm","language":"sv","emergencyLocationIdentifier":"\ud800"}`),
		[]byte(`{"phoneNumbers":["+14085550100"],"ranges":[{"start":"+14085550101","end":"+14085550103"}]}`),
		[]byte(`{"ranges":[{"start":"+14085550199","end":"+14085550100"}]}`),
		[]byte(`{"ranges":[{"start":"+12012000000","end":"+19899999999"}]}`),
		[]byte(`{"phoneNumbers":null,"ranges":[null,{}]}`),
		[]byte(`{"phoneNumber":"+14085550100"}`),
		[]byte(`{"phoneNumber":1}`),
		[]byte("{\"name\":\"\xff\xfe\"}"),
	} {
		f.Add(seed)
	}
	writes := []struct{ method, path string }{
		{"POST", locationsPath(cid)}, {"PUT", hq}, {"POST", hq + "/numbers"}, {"PUT", hq + "/mainNumber"},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, w := range writes {
			r := p.do(t, w.method, w.path, body, nil)
			switch {
			case r.Status >= 500:
				t.Fatalf("%s %s: %d for body %q", w.method, w.path, r.Status, body)
			case r.Status >= 400:
				if !slices.Contains([]int{400, 409, 413}, r.Status) {
					t.Errorf("%s %s: unexpected status %d: %s", w.method, w.path, r.Status, r.Body)
				}
			case w.method == "POST":
				r.wantStatus(t, 201)
			default:
				r.wantStatus(t, 200)
			}
		}
	})
}
