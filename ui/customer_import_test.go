package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/api"
	"github.com/tenantry/tenantry/locale"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
	"github.com/tenantry/tenantry/ui"
)

// callingCustomer makes a US customer with calling through the wizards,
// waits for it to be provisioned and returns it with its headquarters.
func (a *admin) callingCustomer(t testing.TB, en *hubEnv, template, name, extID string) (*tenantry.Customer, *tenantry.Location) {
	t.Helper()
	id := a.createCustomer(t, template, name, extID, "US")
	act := a.actor(t, en)
	ctx := context.Background()
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := en.db.Customer(ctx, act, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == tenantry.StatusProvisioned {
			ls, _, err := en.db.Locations(ctx, act, id, tenantry.Page{Max: 10})
			if err != nil || len(ls) == 0 {
				t.Fatalf("locations of %s: %v %v", id, ls, err)
			}
			return c, ls[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("customer %s is %s after %v", id, c.Status, waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// addNumbers adds +1408555<from…to> (four digits) to a location.
func addNumbers(t testing.TB, en *hubEnv, act *tenantry.Actor, c *tenantry.Customer, l *tenantry.Location, from, to int) {
	t.Helper()
	in := &tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: fmt.Sprintf("+1408555%04d", from), End: fmt.Sprintf("+1408555%04d", to)}}}
	if _, err := en.db.AddNumbers(context.Background(), act, c.ID, l.ID, in); err != nil {
		t.Fatal(err)
	}
}

// setRole changes an admin's role in place (its session stays).
func (en *hubEnv) setRole(t testing.TB, a *admin, role string) {
	t.Helper()
	if _, err := en.db.SQL().ExecContext(context.Background(), rebind(en, `UPDATE partner_admins SET role = ? WHERE id = ?`), role, a.adminID); err != nil {
		t.Fatal(err)
	}
	if err := en.db.ForgetCachedAuth(context.Background()); err != nil { // the processes' cached sessions
		t.Fatal(err)
	}
}

type importStatusDoc struct {
	Status   string
	Done     int
	Total    int
	Created  int
	Failed   int `json:"failedRows"`
	Finished bool
	Text     string
}

// waitImport polls an import's status, as the page's script does, until it
// is finished.
func (a *admin) waitImport(t testing.TB, path string) importStatusDoc {
	t.Helper()
	return a.waitImportFor(t, path, waitTimeout)
}

func (a *admin) waitImportFor(t testing.TB, path string, limit time.Duration) importStatusDoc {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		p := a.get(path+"/status").must(t, 200)
		var st importStatusDoc
		if err := json.Unmarshal([]byte(p.Body), &st); err != nil {
			t.Fatalf("status: %v: %s", err, p.Body)
		}
		if st.Finished {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s at %+v after %v", path, st, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var importPathRE = regexp.MustCompile(`^/customers/[^/]+/import/[^/]+$`)

func TestImportPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		c, hq := a.callingCustomer(t, en, "Gold", "Import Corp", "IMP-1")
		act := a.actor(t, en)
		addNumbers(t, en, act, c, hq, 1, 10)
		tab := "/customers/" + c.ID + "/import"

		a.get(tab).must(t, 200).contains(t, `enctype="multipart/form-data"`, `href="/customers/`+c.ID+`/import/template.csv"`,
			`aria-current="page">CSV import`, "No file has been imported")
		tpl := a.get(tab+"/template.csv").must(t, 200)
		if tpl.Body != tenantry.ImportHeader() || !strings.HasPrefix(tpl.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("template: %q %q", tpl.Header.Get("Content-Type"), tpl.Body)
		}

		// A file the domain cannot read: the problem is next to the file field, with a 400.
		p := a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", "first_name,email\nAda,ada@example.com\n").must(t, 400)
		if e := p.fieldError(t, "f-file"); !strings.Contains(e, "last_name") {
			t.Errorf("missing column error = %q", e)
		}
		p.contains(t, "error-summary", `value="import" checked`)
		if e := a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", tenantry.ImportHeader()).must(t, 400).fieldError(t, "f-file"); e == "" {
			t.Error("a file without rows has no error")
		}
		if e := a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", "a,\"b\n").must(t, 400).fieldError(t, "f-file"); e == "" {
			t.Error("malformed CSV has no error")
		}
		if e := a.post(tab, url.Values{"mode": {"import"}}).must(t, 400).fieldError(t, "f-file"); !strings.Contains(e, "required") {
			t.Errorf("no file: %q", e)
		}

		file := tenantry.ImportHeader() +
			"Ada,Lovelace,ada@example.com,webex_calling," + hq.Name + ",+14085550001,1001\r\n" + // 2
			"Cy,C,not-an-email,webex_meetings,,,\r\n" + // 3: the file
			"Ed,E,ed@example.com,webex_calling," + hq.Name + ",+14085559999,\r\n" + // 4: not in the inventory
			"Hu,H,hu@example.com,webex_meetings,,,\r\n" // 5

		// A dry run creates nothing and lists the same errors.
		p = a.upload(tab, url.Values{"mode": {"dry_run"}}, "file", "users.csv", file).must(t, 303)
		if !importPathRE.MatchString(p.Location) {
			t.Fatalf("upload went to %q", p.Location)
		}
		dry := p.Location
		if st := a.waitImport(t, dry); st.Status != "completed" || st.Created != 0 || st.Failed != 2 || st.Done != 4 {
			t.Errorf("dry run = %+v", st)
		}
		a.get(dry).must(t, 200).contains(t, "Dry run for Import Corp", "Dry run: no user is created", `<td class="num">3</td>`, `<td class="num">4</td>`).
			lacks(t, `http-equiv="refresh"`)

		p = a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", file).must(t, 303)
		real := p.Location
		st := a.waitImport(t, real)
		if st.Status != "completed" || st.Created != 2 || st.Failed != 2 || st.Total != 4 || !strings.Contains(st.Text, "4 of 4") {
			t.Errorf("import = %+v", st)
		}
		page := a.get(real).must(t, 200)
		page.contains(t, "Import into Import Corp", `<progress id="import-bar" max="4" value="4">`, "Finished", "Row errors",
			`<code dir="ltr">email</code>`, `<code dir="ltr">phone_number</code>`, "is not a valid email address", "&#43;14085559999 is not one of", real+"/errors.csv")
		got, _, err := en.db.Subscribers(context.Background(), act, tenantry.SubscriberFilter{CustomerID: c.ID, Page: tenantry.Page{Max: 10}})
		if err != nil || len(got) != 2 {
			t.Errorf("users after the import: %d %v", len(got), err)
		}

		csvPage := a.get(real+"/errors.csv").must(t, 200)
		if !strings.HasPrefix(csvPage.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csvPage.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("errors.csv headers: %v", csvPage.Header)
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csvPage.Body, "\ufeff")), "\r\n")
		if len(lines) != 3 || lines[0] != "Row,Column,Problem" || !strings.HasPrefix(lines[1], "3,email,") || !strings.HasPrefix(lines[2], "4,phone_number,") ||
			!strings.Contains(lines[2], "+14085559999") {
			t.Errorf("errors.csv:\n%s", csvPage.Body)
		}
		// The messages are in the admin's language.
		a.post("/language", url.Values{"lang": {"es"}, "next": {real}}).must(t, 303)
		es := a.get(real+"/errors.csv").must(t, 200).Body
		if !strings.Contains(es, "Fila,Columna,Problema") || strings.Contains(es, "is not") {
			t.Errorf("errors.csv in Spanish:\n%s", es)
		}
		a.post("/language", url.Values{"lang": {"en"}, "next": {real}}).must(t, 303)

		// The tab lists both, newest first.
		tabPage := a.get(tab).must(t, 200).Body
		if i, j := strings.Index(tabPage, real), strings.Index(tabPage, dry); i < 0 || j < 0 || i > j {
			t.Errorf("recent imports: import at %d, dry run at %d", i, j)
		}

		// A read-only admin reads everything and writes nothing.
		en.setRole(t, a, tenantry.RoleReadOnlyAdmin)
		a.get(tab).must(t, 200).lacks(t, `enctype="multipart/form-data"`)
		a.get(real).must(t, 200)
		a.get(real+"/errors.csv").must(t, 200)
		a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", file).must(t, 403)
		en.setRole(t, a, tenantry.RoleFullAdmin)

		// Another partner finds neither the customer nor its imports.
		o := en.bootstrap(t, "Other Telecom", "olga@other.example", tenantry.RoleFullAdmin)
		for _, path := range []string{tab, tab + "/template.csv", real, real + "/status", real + "/errors.csv"} {
			o.get(path).must(t, 404)
		}
		o.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", file).must(t, 404)
		a.get(tab+"/IMPORT-nope").must(t, 404)
	})
}

// startHub is newHubEnv that the test stops itself (stop closes the server
// and the store, as a restart does), with the workers only when work.
func startHub(t *testing.T, dbURL, engine string, work bool) (*hubEnv, func()) {
	t.Helper()
	lw := &testLog{t: t}
	t.Cleanup(func() { lw.mu.Lock(); lw.done = true; lw.mu.Unlock() })
	log := slog.New(slog.NewTextHandler(lw, nil))
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dbURL, sqldb.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	if work {
		if err := db.Work(ctx, provision.Workers(db, log, nil), sqldb.QueueConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	hub, err := ui.New(ui.Services{Hub: db, Partners: db, Templates: db, Customers: db, Locations: db, Subscribers: db, Admins: db, Imports: db, Webhooks: db, Outbox: db},
		tr, ui.Options{PublicURL: "http://127.0.0.1", Now: clk.Now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Services{Partners: db, Templates: db, Customers: db, Idempotency: db, Locations: db, Outbox: db, Subscribers: db, Webhooks: db, Admins: db, Imports: db}, tr, log)
	mux := http.NewServeMux()
	mux.Handle("/v1/", a.Handler())
	mux.Handle("/", hub.Handler())
	srv := httptest.NewServer(mux)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			sctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			db.StopWork(sctx)
			db.Close()
		})
	}
	t.Cleanup(stop)
	return &hubEnv{engine: engine, db: db, srv: srv, clock: clk}, stop
}

// TestImportSurvivesRestart stops the hub and its store half way through an
// import started from the page, starts them again on the same database,
// and checks that the page picks the import up where it stood and that it
// finishes with every row worked exactly once.
func TestImportSurvivesRestart(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		ctx := context.Background()
		dbURL := e.URL(t)
		en, stop := startHub(t, dbURL, e.Name, true)
		a := en.setUp(t, "Acme Telecom", "ada@acme.example")
		a.createTemplate(t, "Gold")
		c, hq := a.callingCustomer(t, en, "Gold", "Restart Corp", "RST-1")
		addNumbers(t, en, a.actor(t, en), c, hq, 1, 10)
		// No worker takes the import: the test works it half way itself,
		// chunk by chunk as the job does, and then stops the server.
		if err := en.db.StopWork(ctx); err != nil {
			t.Fatal(err)
		}
		var file strings.Builder
		file.WriteString(tenantry.ImportHeader())
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(&file, "User,%d,user%d@example.com,webex_calling,%s,+1408555%04d,%d\r\n", i, i, hq.Name, i, 2000+i)
		}
		tab := "/customers/" + c.ID + "/import"
		path := a.upload(tab, url.Values{"mode": {"import"}}, "file", "users.csv", file.String()).must(t, 303).Location
		if !importPathRE.MatchString(path) {
			t.Fatalf("upload went to %q", path)
		}
		id := path[strings.LastIndex(path, "/")+1:]
		a.get(path).must(t, 200).contains(t, "Waiting", `value="0"`, "0 of 10 rows worked", `http-equiv="refresh"`, "data-running")
		for range 2 {
			if _, err := en.db.RunImportChunk(ctx, tenantry.ImportUsersJob{ImportID: id}, 2); err != nil {
				t.Fatal(err)
			}
		}
		a.get(path).must(t, 200).contains(t, "Running", `<progress id="import-bar" max="10" value="4">`, "4 of 10 rows worked", `http-equiv="refresh"`)
		a.get(tab).must(t, 200).contains(t, path, "Running")
		stop()

		// The restarted server (its workers and recovery, as serve starts
		// them) carries on; the browser keeps its session cookie.
		en2, _ := startHub(t, dbURL, e.Name, true)
		if _, err := en2.db.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		a2 := &admin{browser: &browser{t: t, en: en2, c: a.c, lang: "en"}, partnerID: a.partnerID, adminID: a.adminID, email: a.email}
		a2.get(tab).must(t, 200).contains(t, path)
		st := a2.waitImport(t, path)
		if st.Status != "completed" || st.Done != 10 || st.Created != 10 || st.Failed != 0 {
			t.Errorf("import after the restart = %+v", st)
		}
		a2.get(path).must(t, 200).contains(t, "Finished", `value="10"`, "No errors: every row was imported.").lacks(t, `http-equiv="refresh"`)
		subs, total, err := en2.db.Subscribers(ctx, a2.actor(t, en2), tenantry.SubscriberFilter{CustomerID: c.ID, Page: tenantry.Page{Max: 100}})
		if err != nil || total != 10 || len(subs) != 10 {
			t.Errorf("users after the restart: %d (%d) %v", len(subs), total, err)
		}
	})
}
