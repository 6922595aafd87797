package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

func TestWebhookAllowPrivateFlag(t *testing.T) {
	read := func(args ...string) bool {
		t.Helper()
		var c Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c.flags(fs, true)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return c.WebhookAllowPrivate
	}
	if read() {
		t.Error("private webhook destinations are allowed by default")
	}
	if !read("--webhook-allow-private") {
		t.Error("--webhook-allow-private is not read")
	}
	t.Setenv("TENANTRY_WEBHOOK_ALLOW_PRIVATE", "true")
	if !read() {
		t.Error("TENANTRY_WEBHOOK_ALLOW_PRIVATE=true is not read")
	}
	if read("--webhook-allow-private=false") {
		t.Error("the flag does not override the variable")
	}
}

// TestServeWebhookDestinations: serve refuses a webhook on 127.0.0.1
// (400 naming url) unless started with --webhook-allow-private.
func TestServeWebhookDestinations(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
		if code != 0 {
			t.Fatalf("bootstrap exit %d: %s", code, errOut)
		}
		boot := decodeOne(t, out)
		hook := map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"customer.updated"}}
		for _, tt := range []struct {
			flags []string
			want  int
		}{
			{nil, http.StatusBadRequest},
			{[]string{"--webhook-allow-private"}, http.StatusCreated},
		} {
			ctx, cancel := context.WithCancel(t.Context())
			log := &syncBuffer{}
			exited := make(chan struct{})
			go func() {
				defer close(exited)
				Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--workers", "0", "--database-url", url}, tt.flags...), io.Discard, log)
			}()
			c := newClient(waitListening(t, log, exited), boot.Token)
			resp, body, err := c.do(t.Context(), "POST", "/v1/partner/webhooks", hook)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.want || (tt.want == 400 && !strings.Contains(string(body), `"field":"url"`)) {
				t.Errorf("serve %v: POST webhook on 127.0.0.1 = %d %s, want %d", tt.flags, resp.StatusCode, body, tt.want)
			}
			cancel()
			select {
			case <-exited:
			case <-time.After(60 * time.Second):
				t.Fatalf("serve did not stop:\n%s", log.String())
			}
		}
	})
}
