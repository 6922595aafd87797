package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestServePrintsSetupLink: on a database with no partner, serve prints a
// one-time setup link; opening it and sending its form creates the partner
// and signs the admin in.
func TestServePrintsSetupLink(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		dbURL := e.URL(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		log := &syncBuffer{}
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", dbURL, "--workers", "0"}, io.Discard, log)
		}()
		base := waitListening(t, log, exited)
		m := regexp.MustCompile(`(?m)^Tenantry is not set up yet: open (http://\S+/setup/(\S+)) to`).FindStringSubmatch(log.String())
		if m == nil {
			t.Fatalf("no setup line:\n%s", log.String())
		}
		if !strings.Contains(log.String(), "first-run setup link") {
			t.Error("the setup link is not in the log")
		}
		path := "/setup/" + m[2]
		res, err := http.Get(base + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("setup page: %v %v", res, err)
		}
		res.Body.Close()
		form := url.Values{"partner": {"Acme"}, "name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"correct horse battery"}}
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err = c.Do(req)
		if err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setup: %v %v", res, err)
		}
		res.Body.Close()
		var signedIn bool
		for _, ck := range res.Cookies() {
			signedIn = signedIn || (ck.Name == "tenantry_session" && ck.HttpOnly && ck.Value != "")
		}
		if !signedIn {
			t.Error("setup did not sign the admin in")
		}
		cancel()
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			t.Fatal("serve did not stop")
		}
	})
}

// TestBootstrapAndAdminLinkPrintSignInURLs: bootstrap's JSON has a one-time
// sign-in link, and admin link prints a fresh one.
func TestBootstrapAndAdminLinkPrintSignInURLs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		dbURL := e.URL(t)
		code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", dbURL, "--public-url", "https://hub.acme.example/")
		if code != 0 {
			t.Fatalf("bootstrap: %s", errOut)
		}
		var boot struct {
			SignInURL string `json:"signInUrl"`
		}
		json.Unmarshal([]byte(out), &boot)
		if !strings.HasPrefix(boot.SignInURL, "https://hub.acme.example/link/") {
			t.Errorf("signInUrl %q", boot.SignInURL)
		}
		code, out, errOut = runMain(t, "admin", "link", "--email", "OPS@acme.example", "--database-url", dbURL)
		var link struct {
			Email     string `json:"email"`
			SignInURL string `json:"signInUrl"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &link) != nil || link.Email != "ops@acme.example" ||
			!strings.HasPrefix(link.SignInURL, "http://127.0.0.1:8080/link/") || link.SignInURL == boot.SignInURL {
			t.Errorf("admin link: exit %d, %q, %s", code, out, errOut)
		}
		if code, _, _ := runMain(t, "admin", "link", "--email", "nobody@acme.example", "--database-url", dbURL); code == 0 {
			t.Error("admin link for an unknown email succeeded")
		}
	})
}
