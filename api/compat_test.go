package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// newCompatEnv is newEnv with every service wired and a clock whose times
// always carry sub-millisecond digits (456,789 ns past a millisecond), so that
// a time written with more precision than the wire format shows up.
func newCompatEnv(t *testing.T, e sqldbtest.Engine) *env {
	t.Helper()
	sp, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	clock := func() time.Time { return time.Now().Truncate(time.Millisecond).Add(456789 * time.Nanosecond) }
	db, err := sqldb.Open(ctx, e.URL(t), sqldb.Options{Now: clock})
	if err != nil {
		t.Fatalf("open %s database: %v", e.Name, err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := db.StopWork(sctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	if err := db.Work(ctx, provision.Workers(db, log, nil), sqldb.QueueConfig{}); err != nil {
		t.Fatalf("start workers: %v", err)
	}
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db,
		Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	en := &env{engine: e.Name, db: db, srv: srv, client: &http.Client{Timeout: 30 * time.Second}, specs: sp, tr: tr}
	// The admin and approval paths are Tenantry's own under the wholesale
	// prefix: route them to our document, as withAdmins does.
	s := *en.specs
	s.refRouter = adminRouter{ref: s.refRouter, ours: s.oursRouter}
	en.specs = &s
	return en
}

// wireTime is the one format of every time on the wire.
var wireTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// TestTimestampsOneFormat: every time field is RFC 3339 in UTC with
// milliseconds, and the answer to a POST shows the same strings as a later
// GET of the same object (storage keeps microseconds, the clock nanoseconds).
func TestTimestampsOneFormat(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := newCompatEnv(t, e)
		// A customer's created and updated, and a subscriber's updated, are
		// Tenantry's fields.
		p := en.bootstrap(t, "Clockwork").withExtensions()

		// times returns the named time fields of a JSON object, checking
		// each against the wire format.
		times := func(r *response, fields ...string) map[string]string {
			t.Helper()
			var m map[string]any
			r.decode(t, &m)
			out := map[string]string{}
			for _, f := range fields {
				v, _ := m[f].(string)
				if !wireTime.MatchString(v) {
					t.Errorf("%s %s: %s = %q, want RFC 3339 UTC with milliseconds", r.Method, r.Path, f, v)
				}
				out[f] = v
			}
			return out
		}
		same := func(what string, posted, got map[string]string) {
			t.Helper()
			for f, v := range posted {
				if got[f] != v {
					t.Errorf("%s %s: POST answered %q, GET %q", what, f, v, got[f])
				}
			}
		}

		r := p.do(t, "POST", "/v1/wholesale/templates", p.templateBody("Standard"), nil).wantStatus(t, 201)
		posted := times(r, "created", "updated")
		var tpl templateDoc
		r.decode(t, &tpl)
		same("template", posted, times(p.do(t, "GET", "/v1/wholesale/templates/"+url.PathEscape(tpl.ID), nil, nil).wantStatus(t, 200), "created", "updated"))

		r = p.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example/clock", "events": []string{"customer.provisioned"}}, nil).wantStatus(t, 201)
		posted = times(r, "created")
		var wh struct{ ID string }
		r.decode(t, &wh)
		same("webhook", posted, times(p.do(t, "GET", "/v1/partner/webhooks/"+url.PathEscape(wh.ID), nil, nil).wantStatus(t, 200), "created"))

		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "clock-1", "US", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned")
		times(p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, nil).wantStatus(t, 200), "created", "updated")

		r = p.do(t, "POST", adminsPath(id), map[string]any{"email": "sa@clock-1.example.com", "role": "support_admin", "package": "webex_calling"}, nil).wantStatus(t, 201)
		posted = times(r, "created")
		var ad struct{ ID string }
		r.decode(t, &ad)
		same("admin", posted, times(p.do(t, "GET", adminsPath(id)+"/"+url.PathEscape(ad.ID), nil, nil).wantStatus(t, 200), "created"))

		r = p.do(t, "POST", "/v1/wholesale/subscribers", subscriberBody(id, "user@clock-1.example.com", nil, "webex_meetings"), nil).wantStatus(t, 200)
		posted = times(r, "created", "updated", "lastStatusChange")
		var sub struct{ ID string }
		r.decode(t, &sub)
		same("subscriber", posted, times(p.do(t, "GET", "/v1/wholesale/subscribers/"+url.PathEscape(sub.ID), nil, nil).wantStatus(t, 200),
			"created", "updated", "lastStatusChange"))

		var box struct{ Items []map[string]any }
		p.do(t, "GET", "/v1/partner/outbox", nil, nil).wantStatus(t, 200).decode(t, &box)
		if len(box.Items) == 0 {
			t.Fatal("no mail in the outbox")
		}
		for _, m := range box.Items {
			for _, f := range []string{"created", "nextAttempt", "sent"} {
				if v, ok := m[f].(string); ok && !wireTime.MatchString(v) {
					t.Errorf("outbox %s = %q, want RFC 3339 UTC with milliseconds", f, v)
				}
			}
		}
	})
}

// unquote strips the literal quote characters the reference's examples put
// inside their strings (`"\"US\""`, `"'en'"`), leaving every other byte of
// the example as it is.
func unquote(v any) any {
	switch x := v.(type) {
	case string:
		return strings.Trim(x, `"'`)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = unquote(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unquote(e)
		}
		return out
	}
	return v
}

// TestReferenceLimitsIgnored: both public customer examples send a quantity
// for every package while ordering one; those quantities are accepted,
// ignored and reported as warnings, never refused.
func TestReferenceLimitsIgnored(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		// The fields at fault and quantities are Tenantry's.
		plain := en.bootstrap(t, "Partner A")
		p := plain.withExtensions()
		tpl := p.createTemplate(t, "Standard")
		create := refExample(t, en.specs, "/wholesale/customers", "post")
		update := refExample(t, en.specs, "/wholesale/customers/{customerId}", "put")
		ignored := []string{"attendant_console", "cx_essentials", "webex_calling", "webex_calling_standard", "webex_meetings", "webex_suite", "webex_voice"}
		limits := "provisioningParameters.packages.limits"
		var wantFields []string
		for _, k := range ignored {
			wantFields = append(wantFields, limits+"."+k)
		}

		// The exact bodies are refused for their quoted values, and for
		// nothing about the quantities.
		for _, tt := range []struct {
			method, path string
			body         json.RawMessage
		}{
			{"POST", "/v1/wholesale/customers", create},
			{"POST", "/v1/wholesale/customers/validate", create},
		} {
			r := p.do(t, tt.method, tt.path, tt.body, nil)
			if r.Status != 400 {
				t.Fatalf("%s %s: status %d, want 400 for the quoted values; %s", tt.method, tt.path, r.Status, r.Body)
			}
			for _, e := range r.errorDoc(t).Errors {
				if strings.HasPrefix(e.Field, limits) || e.ErrorCode == api.ErrorCodeOf(tenantry.ReasonQuantityUnknown) {
					t.Errorf("%s %s: the example's quantities are refused: %+v", tt.method, tt.path, e)
				}
			}
		}

		// The same bodies without the quotes (and with our template, and
		// no existing organization to attach) are accepted with a warning
		// per ignored quantity.
		var body map[string]any
		if err := json.Unmarshal(create, &body); err != nil {
			t.Fatal(err)
		}
		body = unquote(body).(map[string]any)
		body["provisioningId"] = tpl.ProvisioningID
		delete(body, "orgId")
		type accepted struct {
			URL      string
			Warnings []errorEntry
		}
		checkWarnings := func(what string, ws []errorEntry) {
			t.Helper()
			var got []string
			for _, w := range ws {
				got = append(got, w.Field)
				if w.ErrorCode != api.ErrorCodeOf(tenantry.ReasonQuantityIgnored) || !strings.Contains(w.Description, w.Field) {
					t.Errorf("%s: warning %+v", what, w)
				}
			}
			if !cmp.Equal(got, wantFields) {
				t.Errorf("%s: warnings on %v, want %v", what, got, wantFields)
			}
		}
		var pre struct{ Warnings []errorEntry }
		p.do(t, "POST", "/v1/wholesale/customers/validate", body, nil).wantStatus(t, 200).decode(t, &pre)
		checkWarnings("precheck", pre.Warnings)
		// A client that asked for no more than the public fields is told
		// all the same, each warning naming its field in its description.
		pre.Warnings = nil
		plain.do(t, "POST", "/v1/wholesale/customers/validate", body, nil).wantStatus(t, 200).decode(t, &pre)
		if len(pre.Warnings) != len(wantFields) {
			t.Errorf("precheck without the preference: %d warnings, want %d", len(pre.Warnings), len(wantFields))
		}
		for i, w := range pre.Warnings {
			if w.Field != "" || i < len(wantFields) && !strings.Contains(w.Description, wantFields[i]) {
				t.Errorf("precheck without the preference: warning %+v, want one naming %s in its description alone", w, wantFields[i])
			}
		}

		var a accepted
		r := p.do(t, "POST", "/v1/wholesale/customers", body, nil).wantStatus(t, 202)
		r.decode(t, &a)
		checkWarnings("create", a.Warnings)
		id := acceptedID(t, en, r)
		c := p.waitStatus(t, id, "provisioned")
		if pk := c.pkg("common_area_calling"); !cmp.Equal(c.Packages, []string{"common_area_calling"}) || pk == nil || pk.Quantity != 50 {
			t.Errorf("customer = %+v, want common_area_calling with 50", c)
		}

		r = p.do(t, "PUT", "/v1/wholesale/customers/"+id, update, nil)
		if r.Status != 400 {
			t.Fatalf("PUT of the exact example: status %d, want 400 for the quoted values; %s", r.Status, r.Body)
		}
		for _, e := range r.errorDoc(t).Errors {
			if strings.HasPrefix(e.Field, limits) || e.ErrorCode == api.ErrorCodeOf(tenantry.ReasonQuantityUnknown) {
				t.Errorf("PUT: the example's quantities are refused: %+v", e)
			}
		}
		if err := json.Unmarshal(update, &body); err != nil {
			t.Fatal(err)
		}
		body = unquote(body).(map[string]any)
		a = accepted{}
		p.do(t, "PUT", "/v1/wholesale/customers/"+id, body, map[string]string{"Accept-Language": "sv"}).wantStatus(t, 202).decode(t, &a)
		checkWarnings("update", a.Warnings)
		if len(a.Warnings) > 0 && a.Warnings[0].Description != en.tr.Message("sv", tenantry.ReasonQuantityIgnored, map[string]string{"field": a.Warnings[0].Field, "package": "attendant_console"}) {
			t.Errorf("warning not in Swedish: %q", a.Warnings[0].Description)
		}
		p.waitStatus(t, id, "provisioned")

		// A name that is no package at all is still refused.
		bad := set(customerBody(tpl.ProvisioningID, "lim-bad", "US", "webex_calling"), limits, map[string]any{"webex_calling": 5, "webex_fax": 5})
		p.do(t, "POST", "/v1/wholesale/customers", bad, nil).wantField(t, 400, limits+".webex_fax")
	})
}

// TestValidationReportsEverything: one answer lists every problem of a
// request: a refused onBehalfOfSubPartnerOrgId with the body's problems,
// every mistyped field by its path, and query parameters together.
func TestValidationReportsEverything(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := newCompatEnv(t, e)
		p := en.bootstrap(t, "Partner A").withExtensions() // the fields at fault are Tenantry's
		tpl := p.createTemplate(t, "Standard")
		sp, err := en.db.CreateSubPartner(t.Context(), p.ID, "Reseller")
		if err != nil {
			t.Fatal(err)
		}
		obo := "onBehalfOfSubPartnerOrgId"
		wantFields := func(r *response, fields ...string) {
			t.Helper()
			if r.Status != 400 {
				t.Fatalf("%s %s: status %d, want 400; %s", r.Method, r.Path, r.Status, r.Body)
			}
			got := r.errorDoc(t).fields()
			for _, f := range fields {
				if !slices.Contains(got, f) {
					t.Errorf("%s %s: no error on %s; errors on %v", r.Method, r.Path, f, got)
				}
			}
		}

		// A bad sub-partner and the body's own problems, in one answer.
		body := set(set(customerBody(tpl.ProvisioningID, "all-1", "US", "webex_meetings"), "address.country", "ZZ"), "customerInfo.primaryEmail", "nope")
		for _, path := range []string{"/v1/wholesale/customers", "/v1/wholesale/customers/validate"} {
			wantFields(p.do(t, "POST", path+"?"+obo+"=no-such-org", body, nil), obo, "address.country", "customerInfo.primaryEmail")
		}

		// Every mistyped field, each by its path, with the sub-partner.
		typed := customerBody(tpl.ProvisioningID, "all-2", "US", "webex_calling")
		typed = set(typed, "packages", []any{"webex_calling", 7})
		typed = set(typed, "address.city", 12)
		typed = set(typed, "customerInfo.name", true)
		typed = set(typed, "provisioningParameters.packages.limits", map[string]any{"webex_calling": "10", "webex_meetings": 1.5})
		r := p.do(t, "POST", "/v1/wholesale/customers?"+obo+"=no-such-org", typed, nil)
		wantFields(r, obo, "packages[1]", "address.city", "customerInfo.name",
			"provisioningParameters.packages.limits.webex_calling", "provisioningParameters.packages.limits.webex_meetings")
		for _, e := range r.errorDoc(t).Errors {
			if e.Field != obo && e.ErrorCode != api.ErrorCodeOf(tenantry.ReasonWrongType) {
				t.Errorf("unexpected error %+v", e)
			}
		}

		// Query parameters together: the sub-partner, paging and a filter.
		wantFields(p.do(t, "GET", "/v1/wholesale/customers?"+obo+"=nope&max=0&status=bogus", nil, nil), obo, "max", "status")

		// The subscriber API alike.
		wantFields(p.do(t, "POST", "/v1/wholesale/subscribers?"+obo+"=nope", map[string]any{"email": "not-an-address", "packages": []any{"webex_meetings", 3}}, nil),
			obo, "packages[1]")
		wantFields(p.do(t, "POST", "/v1/wholesale/subscribers?"+obo+"=nope", map[string]any{"email": "not-an-address", "packages": []string{"webex_meetings"}}, nil),
			obo, "customerId", "email")

		// Closed bodies: every unknown field.
		wantFields(p.do(t, "POST", "/v1/wholesale/templates", set(set(p.templateBody("T2"), "colour", "red"), "size", 3), nil), "colour", "size")

		// onBehalfOfSubPartnerOrgId in the body is refused, not ignored:
		// nothing is created under the partner itself.
		inBody := set(customerBody(tpl.ProvisioningID, "all-3", "US", "webex_meetings"), obo, sp.ID)
		p.do(t, "POST", "/v1/wholesale/customers", inBody, nil).wantField(t, 400, obo)
		if l, _ := p.listCustomers(t, ""); len(l.Items) != 0 {
			t.Errorf("a refused request created %v", l.ids())
		}
		if l, _ := p.listCustomers(t, obo+"="+url.QueryEscape(sp.ID)); len(l.Items) != 0 {
			t.Errorf("a refused request created %v for the sub-partner", l.ids())
		}
		// In the query it acts for the sub-partner, as before.
		p.createCustomer(t, customerBody(tpl.ProvisioningID, "all-3", "US", "webex_meetings"), obo+"="+url.QueryEscape(sp.ID))
	})
}

// TestNoticesInReadersLanguage: a notice a provisioning job recorded is
// stored as a reason with its params and read in the reader's language,
// the country by its name; a notice stored as English text before reasons
// were kept reads the same way.
func TestNoticesInReadersLanguage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		p := en.bootstrap(t, "Partner A")
		tpl := p.createTemplate(t, "Standard")
		id := p.createCustomer(t, customerBody(tpl.ProvisioningID, "ar-1", "AR", "webex_calling", "webex_meetings"), "")
		p.waitStatus(t, id, "provisioned_with_errors")

		callingError := func(lang string) string {
			t.Helper()
			var c customerDoc
			p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, map[string]string{"Accept-Language": lang}).wantStatus(t, 200).decode(t, &c)
			pk := c.pkg("webex_calling")
			if pk == nil || len(pk.Errors) != 1 || pk.Errors[0].ErrorCode != tenantry.NoticeCallingUnavailable {
				t.Fatalf("webex_calling = %+v, want the calling notice", pk)
			}
			return pk.Errors[0].Description
		}
		want := map[string]string{"en": "Argentina", "ko": "아르헨티나", "ar": "الأرجنتين", "es": "Argentina"}
		check := func(when string) {
			t.Helper()
			for lang, name := range want {
				got := callingError(lang)
				if got != en.tr.Message(lang, tenantry.ReasonCallingNotOffered, map[string]string{"country": "AR"}) || !strings.Contains(got, name) {
					t.Errorf("%s, %s: %q, want the notice naming %s", when, lang, got, name)
				}
			}
		}
		check("stored as a reason")

		// The row keeps the reason and its params, not only the text.
		q := `SELECT packages FROM customers WHERE id = ?`
		upd := `UPDATE customers SET packages = ? WHERE id = ?`
		if en.engine == "postgres" {
			q, upd = strings.Replace(q, "?", "$1", 1), `UPDATE customers SET packages = $1 WHERE id = $2`
		}
		var raw string
		if err := en.db.SQL().QueryRowContext(t.Context(), q, id).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(raw, tenantry.ReasonCallingNotOffered) || !strings.Contains(raw, `"country":"AR"`) {
			t.Fatalf("stored packages %s: no reason and params", raw)
		}

		// A row written before: notices as English text only, and one
		// notice Tenantry cannot recognise (a failed attempt's error).
		var pkgs []map[string]any
		if err := json.Unmarshal([]byte(raw), &pkgs); err != nil {
			t.Fatal(err)
		}
		for _, pk := range pkgs {
			for _, k := range []string{"errors", "warnings"} {
				ns, _ := pk[k].([]any)
				for _, n := range ns {
					delete(n.(map[string]any), "reason")
					delete(n.(map[string]any), "params")
				}
			}
			if pk["name"] == "webex_meetings" {
				pk["errors"] = []any{map[string]any{"errorCode": 2570, "description": "upstream timeout"}}
			}
		}
		legacy, _ := json.Marshal(pkgs)
		if _, err := en.db.SQL().ExecContext(t.Context(), upd, string(legacy), id); err != nil {
			t.Fatal(err)
		}
		check("stored as English text")
		var c customerDoc
		p.do(t, "GET", "/v1/wholesale/customers/"+id, nil, map[string]string{"Accept-Language": "ko"}).wantStatus(t, 200).decode(t, &c)
		if pk := c.pkg("webex_meetings"); pk == nil || len(pk.Errors) != 1 || pk.Errors[0].Description != "upstream timeout" {
			t.Errorf("an unrecognised stored notice: %+v, want its text", pk)
		}
	})
}

// TestMailLanguageFallback: a customer whose language Tenantry does not
// write mail in gets mail in its template's email language, then English;
// one whose language it writes gets that.
func TestMailLanguageFallback(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := newCompatEnv(t, e)
		p := en.bootstrap(t, "Partner A")
		var sv, plain templateDoc
		p.do(t, "POST", "/v1/wholesale/templates", set(p.templateBody("Svensk"), "emailLanguage", "sv"), nil).wantStatus(t, 201).decode(t, &sv)
		p.do(t, "POST", "/v1/wholesale/templates", p.templateBody("Plain"), nil).wantStatus(t, 201).decode(t, &plain)
		for _, tt := range []struct {
			name, pid, language, want string
		}{
			{"de-sv", sv.ProvisioningID, "de", "sv"},
			{"ja-sv", sv.ProvisioningID, "ja", "sv"},
			{"ko-sv", sv.ProvisioningID, "ko", "ko"},
			{"ptbr-sv", sv.ProvisioningID, "pt_BR", "pt-BR"},
			{"de-plain", plain.ProvisioningID, "de", "en"},
		} {
			id := p.createCustomer(t, set(customerBody(tt.pid, tt.name, "US", "webex_calling"), "customerInfo.language", tt.language), "")
			p.waitStatus(t, id, "provisioned")
			var box struct {
				Items []struct{ Kind, Language, To string }
			}
			p.do(t, "GET", "/v1/partner/outbox?customerId="+url.QueryEscape(id), nil, nil).wantStatus(t, 200).decode(t, &box)
			if len(box.Items) == 0 {
				t.Fatalf("%s: no mail queued", tt.name)
			}
			for _, m := range box.Items {
				if m.Language != tt.want {
					t.Errorf("customer language %s, template %s: %s mail in %s, want %s", tt.language, tt.pid, m.Kind, m.Language, tt.want)
				}
			}
		}
	})
}
