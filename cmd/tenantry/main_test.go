package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// binDir holds the binary the process tests build once; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the tenantry binary once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "tenantry-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "tmp", "tenantry")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// syncBuffer is a buffer that a process (or a goroutine) writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`tenantry listening.* addr=(http://\S+)`)

// waitListening waits for serve's "tenantry listening" log line in log and
// returns the base URL it names. exited, when it fires, means the server
// stopped before listening.
func waitListening(t *testing.T, log *syncBuffer, exited <-chan struct{}) string {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		if m := listening.FindStringSubmatch(log.String()); m != nil {
			return m[1]
		}
		select {
		case <-exited:
			t.Fatalf("serve exited before listening:\n%s", log.String())
		case <-deadline:
			t.Fatalf("serve did not log 'tenantry listening' within 90s:\n%s", log.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// bootstrapped is the JSON object bootstrap prints.
type bootstrapped struct {
	PartnerID      string   `json:"partnerId"`
	PartnerName    string   `json:"partnerName"`
	AdminID        string   `json:"adminId"`
	AdminEmail     string   `json:"adminEmail"`
	SubscriptionID string   `json:"subscriptionId"`
	Token          string   `json:"token"`
	Scopes         []string `json:"scopes"`
}

// decodeOne decodes the only JSON object in out.
func decodeOne(t *testing.T, out string) bootstrapped {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var b bootstrapped
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("bootstrap output %q: %v", out, err)
	}
	if dec.More() {
		t.Fatalf("bootstrap printed more than one JSON value: %q", out)
	}
	if b.PartnerID == "" || b.AdminID == "" || b.SubscriptionID == "" || !strings.HasPrefix(b.Token, "tnt_") {
		t.Fatalf("bootstrap output lacks ids or token: %+v", b)
	}
	return b
}

// client talks to a running server with a partner's token.
type client struct {
	base, token string
	http        *http.Client
}

func newClient(base, token string) *client {
	return &client{base: base, token: token, http: &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	}}
}

// do sends a request with a JSON body (nil for none) and reads the answer.
func (c *client) do(ctx context.Context, method, path string, body any) (*http.Response, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = c.base + path
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// createTemplate creates a template and returns its provisioning id.
func (c *client) createTemplate(t *testing.T, b bootstrapped, name string) string {
	t.Helper()
	resp, body, err := c.do(t.Context(), "POST", "/v1/wholesale/templates", map[string]any{
		"name": name, "country": "US", "serviceProviderAdminId": b.AdminID, "subscriptionId": b.SubscriptionID,
	})
	if err != nil {
		t.Fatalf("create template: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create template: %s %s", resp.Status, body)
	}
	var tpl struct {
		ProvisioningID string `json:"provisioningId"`
	}
	if err := json.Unmarshal(body, &tpl); err != nil || tpl.ProvisioningID == "" {
		t.Fatalf("create template: %s (%v)", body, err)
	}
	return tpl.ProvisioningID
}

// customerBody is a valid wholesale customer request.
func customerBody(provisioningID, ext string) map[string]any {
	addr := map[string]string{"addressLine1": "771 Alder Drive", "city": "Milpitas", "stateOrProvince": "CA", "zipOrPostalCode": "95035", "country": "US"}
	return map[string]any{
		"provisioningId": provisioningID,
		"packages":       []string{"webex_calling", "webex_meetings"},
		"externalId":     ext,
		"address":        addr,
		"customerInfo":   map[string]string{"name": "Customer " + ext, "primaryEmail": "admin@" + ext + ".example"},
		"provisioningParameters": map[string]any{"calling": map[string]any{"location": map[string]any{
			"name": "Head Office", "address": addr, "timezone": "America/Los_Angeles", "language": "en_us"}}},
	}
}

// createCustomer posts a customer and returns its URL (the Location).
func (c *client) createCustomer(ctx context.Context, provisioningID, ext string) (string, error) {
	resp, body, err := c.do(ctx, "POST", "/v1/wholesale/customers", customerBody(provisioningID, ext))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("create customer %s: %s %s", ext, resp.Status, body)
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("create customer %s: 202 without Location", ext)
	}
	return loc, nil
}

// customerStatus reads a customer's status through the API.
func (c *client) customerStatus(ctx context.Context, url string) (string, error) {
	resp, body, err := c.do(ctx, "GET", url, nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get %s: %s %s", url, resp.Status, body)
	}
	var cu struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &cu); err != nil {
		return "", err
	}
	return cu.Status, nil
}

// waitProvisioned polls until every customer URL reads provisioned.
func (c *client) waitProvisioned(t *testing.T, urls []string, deadline time.Duration) {
	t.Helper()
	left := map[string]bool{}
	for _, u := range urls {
		left[u] = true
	}
	end := time.Now().Add(deadline)
	var last error
	for len(left) > 0 {
		for u := range left {
			st, err := c.customerStatus(t.Context(), u)
			switch {
			case err != nil:
				last = err
			case st == "provisioned":
				delete(left, u)
			default:
				last = fmt.Errorf("%s is %s", u, st)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%d of %d customers not provisioned after %v; last: %v", len(left), len(urls), deadline, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// runMain runs Main in process and returns its exit status and output.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestMainEndToEnd runs the real binary's Main in process: bootstrap,
// migrate, and serve on port 0 until its context ends.
func TestMainEndToEnd(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)

		code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
		if code != 0 {
			t.Fatalf("bootstrap exit %d: %s", code, errOut)
		}
		boot := decodeOne(t, out)
		if boot.PartnerName != "Acme" || boot.AdminEmail != "ops@acme.example" || len(boot.Scopes) != 5 {
			t.Errorf("bootstrap output = %+v", boot)
		}

		code, out, errOut = runMain(t, "bootstrap", "--partner", "Acme", "--email", "other@acme.example", "--database-url", url)
		if code == 0 {
			t.Errorf("second bootstrap of Acme exit 0, output %q", out)
		}
		if !strings.Contains(errOut, boot.PartnerID) {
			t.Errorf("second bootstrap stderr %q does not name the existing partner %s", errOut, boot.PartnerID)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("second bootstrap printed %q on stdout", out)
		}

		code, out, errOut = runMain(t, "migrate", "--database-url", url)
		if code != 0 || !strings.Contains(out, "up to date") {
			t.Errorf("migrate: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		code, _, errOut = runMain(t, "frobnicate")
		if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
			t.Errorf("unknown command: exit %d, stderr %q", code, errOut)
		}
		if code, _, _ := runMain(t); code != 2 {
			t.Errorf("no command: exit %d, want 2", code)
		}
		if code, _, errOut := runMain(t, "bootstrap", "--database-url", url); code != 2 {
			t.Errorf("bootstrap without --partner: exit %d (%s), want 2", code, errOut)
		}

		// serve, in process, until its context ends.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		log := &syncBuffer{}
		exited := make(chan struct{})
		var exit int
		go func() {
			defer close(exited)
			exit = Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", url}, io.Discard, log)
		}()
		base := waitListening(t, log, exited)
		c := newClient(base, boot.Token)

		resp, body, err := c.do(t.Context(), "GET", "/healthz", nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("healthz: %v %s", err, body)
		}
		pid := c.createTemplate(t, boot, "Standard")
		loc, err := c.createCustomer(t.Context(), pid, "ext-1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(loc, base+"/v1/wholesale/customers/") {
			t.Errorf("Location = %q, want under %s", loc, base)
		}
		c.waitProvisioned(t, []string{loc}, 30*time.Second)

		cancel()
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			t.Fatalf("serve did not stop within 60s of its context ending:\n%s", log.String())
		}
		if exit != 0 {
			t.Errorf("serve exit %d, want 0:\n%s", exit, log.String())
		}
		if !strings.Contains(log.String(), "stopped") {
			t.Errorf("serve log lacks the shutdown:\n%s", log.String())
		}
		if _, _, err := c.do(context.Background(), "GET", "/healthz", nil); err == nil {
			t.Errorf("server still answers after shutdown")
		}
	})
}
