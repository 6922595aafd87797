package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// serveInProcess runs serve in process on port 0 with extra flags and returns
// its base URL, its log, a function that stops it and waits, and a channel
// closed when it exits.
func serveInProcess(t *testing.T, url string, extra ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	log := &syncBuffer{}
	exited := make(chan struct{})
	var exit int
	go func() {
		defer close(exited)
		exit = Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--database-url", url}, extra...), io.Discard, log)
	}()
	base := waitListening(t, log, exited)
	stop := func() int {
		cancel()
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			t.Fatalf("serve did not stop:\n%s", log.String())
		}
		return exit
	}
	t.Cleanup(func() { stop() })
	return base, log, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestObserve runs the real server on both engines: after some requests
// the access log has one line per request naming its route pattern,
// status and partner and never a token, /metrics holds every series the
// README documents, and the probes answer.
func TestObserve(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
		if code != 0 {
			t.Fatalf("bootstrap: %s", errOut)
		}
		boot := decodeOne(t, out)
		base, log, _ := serveInProcess(t, url)
		c := newClient(base, boot.Token)
		pid := c.createTemplate(t, boot, "Standard")
		loc, err := c.createCustomer(t.Context(), pid, "ext-1")
		if err != nil {
			t.Fatal(err)
		}
		c.waitProvisioned(t, []string{loc}, 30*time.Second)
		// A link page carries its token in the path.
		const linkToken = "secretlinktoken0123456789abcdef"
		if code, _ := get(t, base+"/v1/approvals/"+linkToken+"?decision=approve"); code != http.StatusNotFound {
			t.Errorf("unknown approval link: %d, want 404", code)
		}
		if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
			t.Errorf("healthz: %d %q", code, body)
		}
		if code, body := get(t, base+"/readyz"); code != 200 || strings.TrimSpace(body) != "ok" {
			t.Errorf("readyz: %d %q", code, body)
		}
		code, scrape := get(t, base+"/metrics")
		if code != 200 {
			t.Fatalf("metrics: %d", code)
		}
		customerID := loc[strings.LastIndex(loc, "/")+1:]
		for _, want := range []string{
			`tenantry_http_requests_total{route="POST /v1/wholesale/customers",status="202"} 1`,
			`tenantry_http_requests_total{route="GET /v1/wholesale/customers/{customerId}",status="200"}`,
			`tenantry_http_requests_total{route="GET /v1/approvals/{token}",status="404"} 1`,
			`tenantry_http_request_duration_seconds_bucket{route="POST /v1/wholesale/templates",status="201",le="+Inf"} 1`,
			`tenantry_http_request_duration_seconds_count{route="GET /healthz",status="200"} 1`,
			`tenantry_jobs_oldest_available_seconds `,
			`tenantry_mail{state="queued"} `,
			`tenantry_mail{state="sent"} 0`,
			`tenantry_mail_oldest_queued_seconds `,
			`tenantry_webhook_deliveries{result="succeeded"} 0`,
			`tenantry_db_connections{state="in_use"} `,
			`tenantry_db_connections_max `,
			`tenantry_db_connection_waits_total `,
			`tenantry_db_connection_wait_seconds_total `,
			`tenantry_database_up 1`,
			`tenantry_build_info{goversion="go`,
			`go_goroutines `,
		} {
			if !strings.Contains(scrape, want) {
				t.Errorf("scrape lacks %s", want)
			}
		}
		if e.Name == "postgres" {
			// Completed jobs stay on PostgreSQL; none is waiting.
			if strings.Contains(scrape, `state="available"`) && !regexp.MustCompile(`tenantry_jobs_oldest_available_seconds \d`).MatchString(scrape) {
				t.Errorf("jobs age missing")
			}
		}
		if strings.Contains(scrape, customerID) || strings.Contains(scrape, linkToken) {
			t.Errorf("scrape holds an id or a token")
		}

		logs := log.String()
		for _, secret := range []string{boot.Token, linkToken, customerID} {
			if strings.Contains(logs, secret) {
				t.Errorf("access log holds %q:\n%s", secret, logs)
			}
		}
		line := regexp.MustCompile(`msg=request method=POST route="POST /v1/wholesale/customers" status=202 duration=\S+ bytes=\d+ partner=` + boot.PartnerID + ` trackingId=TENANTRY_[0-9a-f]+`)
		if !line.MatchString(logs) {
			t.Errorf("no access log line for the customer's creation:\n%s", logs)
		}
		if !strings.Contains(logs, `route="GET /v1/approvals/{token}" status=404`) {
			t.Errorf("no access log line for the link page:\n%s", logs)
		}
		if n := strings.Count(logs, `route="POST /v1/wholesale/templates"`); n != 1 {
			t.Errorf("%d access log lines for one template creation", n)
		}
	})
}

// TestMetricsAddr serves /metrics on an address of its own: the API's port
// no longer has it.
func TestMetricsAddr(t *testing.T) {
	url := sqldbtest.Engines(t)[0].URL(t)
	base, log, _ := serveInProcess(t, url, "--metrics-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`metrics listening" addr=(http://\S+)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", log.String())
	}
	if code, body := get(t, m[1]); code != 200 || !strings.Contains(body, "tenantry_database_up 1") {
		t.Errorf("metrics on their own address: %d", code)
	}
	if code, _ := get(t, base+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the API's port: %d, want 404", code)
	}
}

// TestReadyzDuringShutdown: once serve is told to stop, /readyz answers
// 503 for the drain delay while requests are still served.
func TestReadyzDuringShutdown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		base, log, stop := serveInProcess(t, e.URL(t), "--drain-delay", "3s")
		if code, _ := get(t, base+"/readyz"); code != 200 {
			t.Fatalf("readyz before shutdown: %d", code)
		}
		done := make(chan int)
		go func() { done <- stop() }()
		// Wait for the drain to begin, then probe.
		for !strings.Contains(log.String(), "draining") {
			select {
			case <-done:
				t.Fatalf("serve stopped without draining:\n%s", log.String())
			case <-time.After(5 * time.Millisecond):
			}
		}
		code, body := get(t, base+"/readyz")
		if code != http.StatusServiceUnavailable || strings.TrimSpace(body) != "shutting down" {
			t.Errorf("readyz while draining: %d %q, want 503", code, body)
		}
		if code, _ := get(t, base+"/healthz"); code != 200 {
			t.Errorf("healthz while draining: %d, want 200", code)
		}
		if exit := <-done; exit != 0 {
			t.Errorf("serve exit %d", exit)
		}
	})
}
