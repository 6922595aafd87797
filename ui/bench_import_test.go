package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// benchImportRows is the size of the benchmark's file.
const benchImportRows = 10_000

// BenchmarkImportPageVsAPI imports a file of 10,000 users with calling
// numbers and extensions twice on each engine, in the same run: once
// uploaded through the hub's page (a multipart form, then the page's status
// endpoint polled) and once through the API (text/csv, then the import
// polled), each into a customer of its own, and reports both in rows/s
// from the upload to the import's end. Run it with -benchtime=1x:
//
//	go test -run '^$' -bench ImportPageVsAPI -benchtime=1x ./ui/
func BenchmarkImportPageVsAPI(b *testing.B) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			en := newHubEnv(b, e.URL(b), e.Name)
			a, token := benchAdmin(b, en)
			a.createTemplate(b, "Bench")
			for i := 0; b.Loop(); i++ {
				// Two imports each way, in the order page, API, API, page, so
				// that neither gains from going first or from a quieter moment.
				var t [4]benchTarget
				for j := range t {
					t[j] = benchCustomer(b, en, a, fmt.Sprintf("%d-%d", i, j), 4*i+j)
				}
				p1 := benchPageImport(b, a, t[0])
				a1 := benchAPIImport(b, en, token, t[1])
				a2 := benchAPIImport(b, en, token, t[2])
				p2 := benchPageImport(b, a, t[3])
				pageRate, apiRate := (p1+p2)/2, (a1+a2)/2
				b.ReportMetric(pageRate, "page-rows/s")
				b.ReportMetric(apiRate, "api-rows/s")
				b.Logf("%s: page %.0f and %.0f rows/s, API %.0f and %.0f rows/s; page/API %.2f", e.Name, p1, p2, a1, a2, pageRate/apiRate)
			}
		})
	}
}

// benchAdmin bootstraps a partner, keeps its API token and signs its full
// admin in to the hub.
func benchAdmin(b *testing.B, en *hubEnv) (*admin, string) {
	ctx := context.Background()
	res, err := en.db.Bootstrap(ctx, tenantry.BootstrapInput{PartnerName: "Bench Partner", AdminEmail: "bench@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	link, err := en.db.CreateSignInLink(ctx, res.Admin.ID)
	if err != nil {
		b.Fatal(err)
	}
	br := en.browser(b)
	br.post("/link/"+link, url.Values{"password": {"correct horse battery"}, "confirm": {"correct horse battery"}}).must(b, 303)
	return &admin{browser: br, partnerID: res.Partner.ID, adminID: res.Admin.ID, email: "bench@example.com"}, res.Token
}

// benchCustomer is a provisioned calling customer whose headquarters holds
// the file's numbers, and the file.
type benchTarget struct {
	customer *tenantry.Customer
	file     string
}

func benchCustomer(b *testing.B, en *hubEnv, a *admin, tag string, block int) benchTarget {
	c, hq := a.callingCustomer(b, en, "Bench", "Bench "+tag, "BENCH-"+tag)
	// Numbers are unique in the installation: each customer has a block.
	number := func(i int) string { return fmt.Sprintf("+1408%07d", 5000000+block*benchImportRows+i) }
	in := &tenantry.NumbersInput{Ranges: []tenantry.NumberRange{{Start: number(0), End: number(benchImportRows - 1)}}}
	if _, err := en.db.AddNumbers(context.Background(), a.actor(b, en), c.ID, hq.ID, in); err != nil {
		b.Fatal(err)
	}
	var f strings.Builder
	f.WriteString(tenantry.ImportHeader())
	for i := range benchImportRows {
		fmt.Fprintf(&f, "User,%d,user%d.%s@bench.example.com,webex_calling,%s,%s,%d\r\n", i, i, strings.ToLower(tag), hq.Name, number(i), 100000+i)
	}
	return benchTarget{customer: c, file: f.String()}
}

// benchPageImport uploads the file through the page and polls the page's
// status endpoint, as its script does, until the import ends.
func benchPageImport(b *testing.B, a *admin, t benchTarget) float64 {
	start := time.Now()
	p := a.upload("/customers/"+t.customer.ID+"/import", url.Values{"mode": {"import"}}, "file", "users.csv", t.file).must(b, 303)
	st := a.waitImportFor(b, p.Location, 5*time.Minute)
	elapsed := time.Since(start)
	if st.Status != "completed" || st.Created != benchImportRows {
		b.Fatalf("page import: %+v", st)
	}
	return benchImportRows / elapsed.Seconds()
}

// benchAPIImport posts the file to the API and polls the import until it
// ends, as the bench import command does.
func benchAPIImport(b *testing.B, en *hubEnv, token string, t benchTarget) float64 {
	call := func(method, path, body string) (int, []byte) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, en.srv.URL+path, rd)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "text/csv")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, raw
	}
	start := time.Now()
	status, raw := call("POST", "/v1/wholesale/customers/"+url.PathEscape(t.customer.ID)+"/imports", t.file)
	var acc struct{ URL string }
	if status != http.StatusAccepted || json.Unmarshal(raw, &acc) != nil {
		b.Fatalf("API upload: %d %s", status, raw)
	}
	path := strings.TrimPrefix(acc.URL, en.srv.URL)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var im struct {
			Status  string
			Created int
		}
		status, raw := call("GET", path, "")
		if status != http.StatusOK || json.Unmarshal(raw, &im) != nil {
			b.Fatalf("API import: %d %s", status, raw)
		}
		if im.Status == "completed" || im.Status == "failed" {
			elapsed := time.Since(start)
			if im.Status != "completed" || im.Created != benchImportRows {
				b.Fatalf("API import: %s with %d created", im.Status, im.Created)
			}
			return benchImportRows / elapsed.Seconds()
		}
		if time.Now().After(deadline) {
			b.Fatalf("API import still %s", im.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
