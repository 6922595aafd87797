package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/provision"
	"github.com/tenantry/tenantry/sqldb"
)

// benchEnv is Tenantry running in process on a scratch database for a
// benchmark: its workers, its API over HTTP, and a bootstrapped partner.
type benchEnv struct {
	db     *sqldb.DB
	url    string // the scratch database's URL, for commands that open it too
	base   string
	boot   *tenantry.BootstrapResult
	client *http.Client
	close  func()
}

// startBench opens a scratch database (SQLite, or a new database on the
// PostgreSQL server of pgURL), starts the workers and the API, and
// bootstraps a partner.
func startBench(ctx context.Context, pgURL string, workers int) (*benchEnv, error) {
	u, cleanup, err := scratchDatabase(ctx, pgURL)
	if err != nil {
		return nil, err
	}
	db, err := sqldb.Open(ctx, u, sqldb.Options{})
	if err != nil {
		cleanup()
		return nil, err
	}
	closeAll := func() { db.Close(); cleanup() }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.Work(ctx, provision.Workers(db, log, nil), sqldb.QueueConfig{MaxWorkers: workers}); err != nil {
		closeAll()
		return nil, err
	}
	h, err := handler(db, log)
	if err != nil {
		closeAll()
		return nil, err
	}
	// As serve wraps it: probes, metrics and the access log (discarded).
	h, _, _ = observed(h, db, Config{}, log)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeAll()
		return nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	boot, err := db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Bench Partner", AdminEmail: "bench@example.com"})
	if err != nil {
		srv.Close()
		closeAll()
		return nil, err
	}
	return &benchEnv{db: db, url: u, base: "http://" + ln.Addr().String(), boot: boot, client: &http.Client{Timeout: 5 * time.Minute},
		close: func() { srv.Close(); closeAll() }}, nil
}

// call sends a request to the API with the partner's token: body is JSON,
// or CSV when it is a string.
func (b *benchEnv) call(ctx context.Context, method, path string, body any) (*http.Response, []byte, error) {
	var rd io.Reader
	ct := "application/json"
	switch v := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(v), "text/csv"
	default:
		j, _ := json.Marshal(v)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+b.boot.Token)
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	return resp, rb, err
}

// expect calls the API and decodes the answer into out, failing on any
// other status than want.
func (b *benchEnv) expect(ctx context.Context, want int, method, path string, body, out any) error {
	resp, rb, err := b.call(ctx, method, path, body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, rb)
	}
	if out != nil {
		return json.Unmarshal(rb, out)
	}
	return nil
}

// benchImport measures a user import through the API: a provisioned US
// customer with webex_calling, a location with N numbers, and a CSV of N
// users with numbers and extensions; then the same rows written with the
// plainest loop, one transaction per row, as the baseline.
func benchImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10000, "users to import")
	dbURL := fs.String("database-url", "", "postgres:// URL of a server to create a scratch database on; SQLite when empty")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *n < 1 || *n > tenantry.MaxImportRows {
		return usageError{msg: fmt.Sprintf("bench import: -n must be 1 to %d", tenantry.MaxImportRows)}
	}
	b, err := startBench(ctx, *dbURL, 0)
	if err != nil {
		return err
	}
	defer b.close()
	customerID, cpath, hq, err := b.callingCustomer(ctx, *n)
	if err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString(tenantry.ImportHeader())
	for i := 0; i < *n; i++ {
		fmt.Fprintf(&csv, "User,%d,user%d@bench.example.com,webex_calling,%s,%s,%d\r\n", i, i, hq.Name, benchNumber(i), 100000+i)
	}
	fmt.Fprintf(stdout, "bench import: n=%d engine=%s\n", *n, b.db.Engine())
	start := time.Now()
	var acc struct{ URL string }
	if err := b.expect(ctx, http.StatusAccepted, "POST", cpath+"/imports", csv.String(), &acc); err != nil {
		return err
	}
	accepted := time.Since(start)
	var im struct {
		Status        string
		Done, Created int
		Errors        []struct {
			Row            int
			Field, Message string
		}
	}
	for {
		if err := b.expect(ctx, http.StatusOK, "GET", strings.TrimPrefix(acc.URL, b.base), nil, &im); err != nil {
			return err
		}
		if im.Status == "completed" || im.Status == "failed" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	total := time.Since(start)
	if im.Status != "completed" || im.Created != *n {
		for _, e := range im.Errors[:min(len(im.Errors), 5)] {
			fmt.Fprintf(stdout, "  line %d, %s: %s\n", e.Row, e.Field, e.Message)
		}
		return fmt.Errorf("import %s with %d of %d users created", im.Status, im.Created, *n)
	}
	rate := float64(*n) / total.Seconds()
	fmt.Fprintf(stdout, "  upload accepted in       %v\n", accepted.Round(time.Millisecond))
	fmt.Fprintf(stdout, "  import end to end        %.0f rows/s (%d users in %v)\n", rate, *n, total.Round(time.Millisecond))
	if err := b.db.StopWork(ctx); err != nil {
		return err
	}
	base, err := subscriberBaseline(ctx, b.db.SQL(), b.db.Engine(), customerID, b.boot.Partner.ID, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  baseline (plain loop, one transaction per row into subscribers)  %.0f rows/s\n", base)
	fmt.Fprintf(stdout, "  import / baseline        %.2f\n", rate/base)
	return nil
}

// benchNumber is the i-th phone number of the bench location.
func benchNumber(i int) string { return fmt.Sprintf("+1408%07d", 5000000+i) }

// benchLocation is a location as the API lists it.
type benchLocation struct{ ID, Name string }

// callingCustomer creates, through the API, a template and a provisioned
// US customer with webex_calling (no quantity limits) and adds numbers
// benchNumber(0…numbers-1) to its headquarters. It returns the customer's
// id, its API path and the headquarters.
func (b *benchEnv) callingCustomer(ctx context.Context, numbers int) (string, string, benchLocation, error) {
	var hq benchLocation
	var tpl struct{ ProvisioningID string }
	if err := b.expect(ctx, http.StatusCreated, "POST", "/v1/wholesale/templates", map[string]any{
		"name": "Bench", "country": "US", "serviceProviderAdminId": b.boot.Admin.ID, "subscriptionId": b.boot.Subscription.ID,
	}, &tpl); err != nil {
		return "", "", hq, err
	}
	var cust struct{ URL string }
	body := benchCustomer(tpl.ProvisioningID, 0)
	body["packages"] = []string{"webex_calling"}
	if err := b.expect(ctx, http.StatusAccepted, "POST", "/v1/wholesale/customers", body, &cust); err != nil {
		return "", "", hq, err
	}
	cpath := strings.TrimPrefix(cust.URL, b.base)
	customerID, err := url.PathUnescape(strings.TrimPrefix(cpath, "/v1/wholesale/customers/"))
	if err != nil {
		return "", "", hq, err
	}
	for {
		var c struct{ Status string }
		if err := b.expect(ctx, http.StatusOK, "GET", cpath, nil, &c); err != nil {
			return "", "", hq, err
		}
		if c.Status == "provisioned" {
			break
		}
		if c.Status != "provisioning" {
			return "", "", hq, fmt.Errorf("customer is %s", c.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var locs struct{ Items []benchLocation }
	if err := b.expect(ctx, http.StatusOK, "GET", cpath+"/locations", nil, &locs); err != nil || len(locs.Items) == 0 {
		return "", "", hq, fmt.Errorf("locations: %v", err)
	}
	hq = locs.Items[0]
	for start := 0; start < numbers; start += tenantry.MaxNumbersPerRequest {
		end := min(start+tenantry.MaxNumbersPerRequest, numbers) - 1
		if err := b.expect(ctx, http.StatusCreated, "POST", cpath+"/locations/"+url.PathEscape(hq.ID)+"/numbers",
			map[string]any{"ranges": []map[string]string{{"start": benchNumber(start), "end": benchNumber(end)}}}, nil); err != nil {
			return "", "", hq, err
		}
	}
	return customerID, cpath, hq, nil
}

// subscriberBaseline writes n subscriber rows with the plainest loop: one
// transaction per row, nothing else.
func subscriberBaseline(ctx context.Context, db *sql.DB, engine, customerID, partnerID string, n int) (float64, error) {
	q := `INSERT INTO subscribers (id, customer_id, partner_id, email, first_name, last_name, package, status, extension, created, updated, last_status_change)
		VALUES (?, ?, ?, ?, 'Base', 'Line', 'webex_calling', 'provisioned', ?, ?, ?, ?)`
	if engine == sqldb.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		now := time.Now().UnixMicro()
		if _, err := tx.ExecContext(ctx, q, fmt.Sprintf("baseline-%d", i), customerID, partnerID, fmt.Sprintf("baseline%d@bench.example.com", i),
			fmt.Sprint(900000+i), now, now, now); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
