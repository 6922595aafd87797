package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
)

// The import operations are among those the document must describe.
func init() {
	type op = struct{ method, path string }
	openapiOperations = append(openapiOperations,
		op{"POST", "/wholesale/customers/{customerId}/imports"},
		op{"GET", "/wholesale/customers/{customerId}/imports/template.csv"},
		op{"GET", "/wholesale/customers/{customerId}/imports/{importId}"},
	)
}

// withImports serves en's database with the import services wired, as
// cmd/tenantry's serve does. The import paths are Tenantry's extension
// under the wholesale customer paths: they are checked against Tenantry's
// document, not the reference.
func withImports(t testing.TB, en *env) *env {
	t.Helper()
	db := en.db
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Subscribers: db, Imports: db},
		en.tr, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	out := *en
	out.srv = srv
	sp := *en.specs
	sp.refRouter = importRouter{extensionRouter{ref: sp.refRouter, ours: sp.oursRouter}}
	out.specs = &sp
	return &out
}

type importRouter struct{ extensionRouter }

func (r importRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	if strings.Contains(req.URL.Path, "/imports") && strings.HasPrefix(req.URL.Path, "/v1/wholesale/customers/") {
		return r.ours.FindRoute(req)
	}
	return r.extensionRouter.FindRoute(req)
}

type importDoc struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	DryRun  bool   `json:"dryRun"`
	Total   int    `json:"total"`
	Done    int    `json:"done"`
	Created int    `json:"created"`
	Errors  []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func importsPath(customerID string) string {
	return "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/imports"
}

var csvType = map[string]string{"Content-Type": "text/csv"}

// upload posts file and waits for the import to finish.
func (p *partner) upload(t *testing.T, customerID, query, file, lang string) importDoc {
	t.Helper()
	r := p.do(t, "POST", withQuery(importsPath(customerID), query), file, csvType).wantStatus(t, 202)
	var acc struct{ ID, URL string }
	r.decode(t, &acc)
	if loc := r.Header.Get("Location"); loc == "" || loc != acc.URL || !strings.HasSuffix(loc, "/imports/"+url.PathEscape(acc.ID)) {
		t.Fatalf("Location %q, body url %q", loc, acc.URL)
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		var im importDoc
		p.do(t, "GET", acc.URL, nil, map[string]string{"Accept-Language": lang}).wantStatus(t, 200).decode(t, &im)
		if im.Status == "completed" || im.Status == "failed" {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %s after %v", im.Status, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestImportsAPI: a CSV upload over HTTP on every engine: media type, dry
// run, a real run with errors in the caller's language, the template, and
// another partner's view.
func TestImportsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *env) {
		en = withImports(t, en)
		p := en.bootstrap(t, "Partner A")
		cid := p.provisionedCustomer(t, p.createTemplate(t, "Standard"), "imp-1", "US", "provisioned")
		hq := p.listLocations(t, cid, "")[0]
		p.do(t, "POST", locationPath(cid, hq.ID)+"/numbers", map[string]any{"phoneNumbers": []string{"+14085550101", "+14085550102"}}, nil).wantStatus(t, 201)
		file := "First Name,Last Name,Email,Package,Location,Phone Number,Extension\r\n" +
			"Ada,Lovelace,ada@example.com,webex_calling," + hq.Name + ",+14085550101,1001\r\n" +
			"Bob,B,bob@example.com,webex_calling," + hq.ID + ",+14085550102,\r\n" +
			"Cy,C,cy@example.com,webex_calling,Nowhere,,1003\r\n"

		// Not CSV: the answer says what to send.
		if e := p.do(t, "POST", importsPath(cid), file, nil).wantStatus(t, 415).errorDoc(t); !strings.Contains(e.Message, "send text/csv") {
			t.Errorf("415 says %q", e.Message)
		}
		p.do(t, "POST", importsPath(cid), "email\r\n", csvType).wantStatus(t, 400)
		// A file past the size limit is refused whole, before any row is read.
		big := "First Name,Last Name,Email,Package,Location,Phone Number,Extension\r\n" +
			strings.Repeat("Ada,Lovelace,ada@example.com,webex_calling,HQ,,\r\n", tenantry.MaxImportBytes/45)
		p.do(t, "POST", importsPath(cid), big, csvType).wantStatus(t, 413)
		p.do(t, "POST", withQuery(importsPath(cid), "dryRun=maybe"), file, csvType).wantStatus(t, 400)

		dry := p.upload(t, cid, "dryRun=true", file, "en")
		if !dry.DryRun || dry.Total != 3 || dry.Done != 3 || dry.Created != 0 || len(dry.Errors) != 1 {
			t.Errorf("dry run = %+v", dry)
		}
		var subs struct{ Items []any }
		p.do(t, "GET", "/v1/wholesale/subscribers?customerId="+url.QueryEscape(cid), nil, nil).wantStatus(t, 200).decode(t, &subs)
		if len(subs.Items) != 0 {
			t.Errorf("a dry run created %d users", len(subs.Items))
		}

		im := p.upload(t, cid, "", file, "es")
		if im.Status != "completed" || im.Created != 2 || len(im.Errors) != 1 {
			t.Fatalf("import = %+v", im)
		}
		if e := im.Errors[0]; e.Row != 4 || e.Field != "location" || !strings.Contains(e.Message, "location") {
			t.Errorf("error = %+v", e)
		}
		es := im.Errors[0].Message
		en2 := dry.Errors[0].Message
		if es == en2 {
			t.Errorf("message %q not translated", es)
		}
		p.do(t, "GET", "/v1/wholesale/subscribers?customerId="+url.QueryEscape(cid), nil, nil).wantStatus(t, 200).decode(t, &subs)
		if len(subs.Items) != 2 {
			t.Errorf("%d users, want 2", len(subs.Items))
		}

		// Idempotency-Key: the same file again replays the first answer.
		key := map[string]string{"Content-Type": "text/csv", "Idempotency-Key": "import-1"}
		r1 := p.do(t, "POST", withQuery(importsPath(cid), "dryRun=true"), file, key).wantStatus(t, 202)
		r2 := p.do(t, "POST", withQuery(importsPath(cid), "dryRun=true"), file, key).wantStatus(t, 202)
		if string(r1.Body) != string(r2.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %s / %s (%v)", r1.Body, r2.Body, r2.Header)
		}

		// The template: the header row, as an attachment.
		req, _ := http.NewRequest("GET", en.srv.URL+importsPath(cid)+"/template.csv", nil)
		req.Header.Set("Authorization", "Bearer "+p.Token)
		resp, err := en.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("template: %d %v", resp.StatusCode, resp.Header)
		}
		if diff := cmp.Diff("first_name,last_name,email,package,location,phone_number,extension\r\n", string(body)); diff != "" {
			t.Errorf("template (-want +got):\n%s", diff)
		}

		// Another partner sees none of it.
		q := en.bootstrap(t, "Partner B")
		q.do(t, "POST", importsPath(cid), file, csvType).wantStatus(t, 404)
		q.do(t, "GET", importsPath(cid)+"/"+url.PathEscape(im.ID), nil, nil).wantStatus(t, 404)
		q.do(t, "GET", importsPath(cid)+"/template.csv", nil, nil).wantStatus(t, 404)
		p.do(t, "GET", importsPath(cid)+"/no-such-import", nil, nil).wantStatus(t, 404)
	})
}
