package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// javaHeaders are the headers Cisco's reference application sends with
// the client openapi-generator made of the public document (Java,
// okhttp-gson): okhttp adds the charset to the JSON media type, and an
// operation without a body sends no Content-Type.
func javaHeaders(body bool) map[string]string {
	h := map[string]string{"Accept": "application/json", "User-Agent": "OpenAPI-Generator/1.0.0/java", "Content-Type": ""}
	if body {
		h["Content-Type"] = "application/json; charset=utf-8"
	}
	return h
}

// gson writes v as Gson does by default: fields without a value left out
// (the caller omits them), and <, >, &, = and ' escaped as \u003c… (Gson
// escapes HTML characters, encoding/json all but = and ').
func gson(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("=", `\u003d`, "'", `\u0027`).Replace(string(b))
}

// javaQuery writes query parameters as the generated client's ApiClient
// does: in the operation's order, each escaped by URLEncoder with %20 for
// a space, those without a value left out.
func javaQuery(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
		parts = append(parts, esc(kv[i])+"="+esc(kv[i+1]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// javaLinks reads a Link header as the reference application's PagingUtil
// does: from the header's values as Java prints a list ("[a, b]"), split at
// every comma and semicolon, the offset of each link cut from its URL.
func javaLinks(t *testing.T, r *response) map[string]int {
	t.Helper()
	header := "[" + strings.Join(r.Header.Values("Link"), ", ") + "]"
	out := map[string]int{}
	for _, part := range strings.Split(header, ",") {
		sections := strings.Split(part, ";")
		if len(sections) != 2 {
			continue
		}
		u := strings.TrimSpace(sections[0])
		u = u[1 : len(u)-1]
		rel := strings.NewReplacer(`"`, "", "]", "").Replace(strings.SplitN(strings.TrimSpace(sections[1]), "rel=", 2)[1])
		after := strings.SplitN(u, "offset=", 2)
		if len(after) != 2 {
			t.Fatalf("Link %q: a link without offset=, which the reference application cannot follow", header)
		}
		n, err := strconv.Atoi(strings.Split(after[1], "&")[0])
		if err != nil {
			t.Fatalf("Link %q: offset of %q: %v", header, u, err)
		}
		out[rel] = n
	}
	return out
}

// TestReferenceClientRequests sends requests exactly as the reference
// application's generated client does, and reads every answer as it does
// (do's strict client: the generated models refuse unknown fields). Its
// models start every list empty, so a request whose caller named no
// packages carries `"packages": []`: that is no list of packages.
func TestReferenceClientRequests(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withSubscribers(t, newEnv(t, e))
		p := en.bootstrap(t, "Acme")
		tpl := p.createTemplate(t, "Standard")
		addr := map[string]any{"addressLine1": "771 Alder Drive", "city": "Milpitas", "stateOrProvince": "CA", "zipOrPostalCode": "95035", "country": "US"}
		post := func(path string, v any) *response {
			t.Helper()
			return p.do(t, "POST", path, gson(t, v), javaHeaders(true))
		}
		get := func(path string) *response {
			t.Helper()
			return p.do(t, "GET", path, nil, javaHeaders(false))
		}

		// The precheck model with only an address and an admin.
		post("/v1/wholesale/customers/validate", map[string]any{"packages": []string{}, "address": addr,
			"customerInfo": map[string]any{"primaryEmail": "john@pizza.example"}}).wantStatus(t, 200)

		// Provisioning, as WholesaleCustomerMapper fills the model: a name
		// Gson escapes, no orgId, no subPartnerAdminEmail.
		var ids []string
		for _, ext := range []string{"ref-1", "ref-2", "ref-3"} {
			r := post("/v1/wholesale/customers", map[string]any{
				"provisioningId": tpl.ProvisioningID, "packages": []string{"webex_calling", "webex_meetings"}, "externalId": ext, "address": addr,
				"customerInfo": map[string]any{"name": "John's Pizza <" + ext + "> & Sons", "primaryEmail": "john@" + ext + ".example", "language": "en"},
				"provisioningParameters": map[string]any{
					"calling":  map[string]any{"location": map[string]any{"name": "Head Office", "address": addr, "timezone": "America/Los_Angeles", "language": "en_us"}},
					"meetings": map[string]any{"timezone": "America/Los_Angeles"},
				},
			}).wantStatus(t, 202)
			ids = append(ids, acceptedID(t, en, r))
		}
		for _, id := range ids {
			p.waitStatus(t, id, "provisioned")
		}
		// The name arrived as sent.
		px := p.withExtensions()
		if c := px.getCustomer(t, ids[0], ""); c.CustomerInfo.Name != "John's Pizza <ref-1> & Sons" {
			t.Errorf("name = %q", c.CustomerInfo.Name)
		}

		// The list, paged as the application pages it: offset and max as
		// text, links followed by the offsets PagingUtil cuts from them.
		var seen []string
		for offset, pages := 0, 0; ; pages++ {
			if pages > len(ids) {
				t.Fatalf("paging does not end: %v", seen)
			}
			r := get("/v1/wholesale/customers"+javaQuery("offset", strconv.Itoa(offset), "max", "2")).wantStatus(t, 200)
			var l customerList
			r.decode(t, &l)
			for _, c := range l.Items {
				seen = append(seen, c.ID)
			}
			next, ok := javaLinks(t, r)["next"]
			if !ok {
				break
			}
			offset = next
		}
		if !slices.Equal(sorted(seen), sorted(ids)) {
			t.Errorf("pages walked as the application walks them: %v, want %v", seen, ids)
		}
		// A status list: one text parameter (the application's client), or
		// the parameter repeated (openapi-generator's Go client, for the
		// document's array).
		for _, q := range []string{javaQuery("status", "provisioned,error"), "?status=provisioned&status=error"} {
			var l customerList
			get("/v1/wholesale/customers"+q).wantStatus(t, 200).decode(t, &l)
			if len(l.Items) != len(ids) {
				t.Errorf("%s: %v, want the %d provisioned", q, l.ids(), len(ids))
			}
		}
		get("/v1/wholesale/customers/"+ids[0]).wantStatus(t, 200)
		p.do(t, "PUT", "/v1/wholesale/customers/"+ids[2], gson(t, map[string]any{"packages": []string{"webex_calling", "webex_meetings", "webex_suite"}}), javaHeaders(true)).wantStatus(t, 202)
		p.do(t, "DELETE", "/v1/wholesale/customers/"+ids[2], nil, javaHeaders(false)).wantStatus(t, 202)

		// Subscribers, as WholesaleSubscriberMapper fills the model.
		cid, hq := p.setupCustomer(t, tpl, "ref-4", nil, nil, "webex_calling", "webex_meetings")
		var ada subscriberDoc
		post("/v1/wholesale/subscribers", map[string]any{"customerId": cid, "email": "ada@ref.example", "packages": []string{"webex_calling"},
			"provisioningParameters": map[string]any{"firstName": "Ada", "lastName": "O'Neil", "extension": "2001", "locationId": hq}}).
			wantStatus(t, 200).decode(t, &ada)
		// The deprecated package, beside the model's empty list.
		post("/v1/wholesale/subscribers", map[string]any{"customerId": cid, "email": "grace@ref.example", "package": "webex_meetings",
			"packages": []string{}, "provisioningParameters": map[string]any{}}).wantStatus(t, 200)
		// An update of the extension alone: the package stays.
		path := "/v1/wholesale/subscribers/" + url.PathEscape(ada.ID)
		p.do(t, "PUT", path, gson(t, map[string]any{"packages": []string{}, "provisioningParameters": map[string]any{"extension": "2002"}}), javaHeaders(true)).
			wantStatus(t, 200)
		var got subscriberDoc
		px.do(t, "GET", path, nil, javaHeaders(false)).wantStatus(t, 200).decode(t, &got)
		if !slices.Equal(got.Packages, []string{"webex_calling"}) || got.ProvisioningParameters.Extension != "2002" {
			t.Errorf("after an update of the extension: packages %v, extension %q", got.Packages, got.ProvisioningParameters.Extension)
		}
		post("/v1/wholesale/subscribers/validate", map[string]any{"customerId": cid, "email": "new@ref.example", "packages": []string{}}).wantStatus(t, 200)
		// The list as the application asks for it: max and offset first.
		var l subscriberList
		get("/v1/wholesale/subscribers"+javaQuery("max", "10", "offset", "0", "customerId", cid)).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 2 {
			t.Errorf("subscribers: %v", l.emails())
		}
		// consentMove has no body: the client sends an empty one without a
		// Content-Type.
		if err := en.db.AddFreeAccount(t.Context(), "free@ref.example"); err != nil {
			t.Fatal(err)
		}
		var pending subscriberDoc
		post("/v1/wholesale/subscribers", map[string]any{"customerId": cid, "email": "free@ref.example", "packages": []string{"webex_meetings"}}).
			wantStatus(t, 202).decode(t, &pending)
		p.do(t, "POST", "/v1/subscribers/"+url.PathEscape(pending.ID)+"/emails/consentMove", "", javaHeaders(false)).wantStatus(t, 204)
		p.do(t, "DELETE", path, nil, javaHeaders(false)).wantStatus(t, 204)
	})
}
