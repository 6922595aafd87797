package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// TestTokenCommands: `tenantry token` creates a token with the scopes,
// name and lifetime asked for (its secret printed once), lists it without
// the secret, and revokes it, after which it no longer authenticates.
func TestTokenCommands(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		url := e.URL(t)
		code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
		if code != 0 {
			t.Fatalf("bootstrap exit %d: %s", code, errOut)
		}
		boot := decodeOne(t, out)

		before := time.Now()
		code, out, errOut = runMain(t, "token", "create", "--partner", boot.PartnerID, "--name", "billing export",
			"--scope", tenantry.ScopeCustomersRead, "--scope", tenantry.ScopeSubscribersRead, "--expires-in", "720h", "--database-url", url)
		if code != 0 {
			t.Fatalf("token create exit %d: %s", code, errOut)
		}
		var made struct {
			ID, Name, Token string
			Scopes          []string
			Expires         time.Time
		}
		if err := json.Unmarshal([]byte(out), &made); err != nil {
			t.Fatalf("token create output %q: %v", out, err)
		}
		if made.Name != "billing export" || !strings.HasPrefix(made.Token, "tnt_") ||
			!slices.Equal(made.Scopes, []string{tenantry.ScopeCustomersRead, tenantry.ScopeSubscribersRead}) ||
			made.Expires.Before(before.Add(719*time.Hour)) || made.Expires.After(time.Now().Add(721*time.Hour)) {
			t.Errorf("token create printed %s", out)
		}

		ctx := context.Background()
		db, err := sqldb.Open(ctx, url, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p, err := db.Authenticate(ctx, made.Token)
		if err != nil || p.PartnerID != boot.PartnerID || p.AdminID != boot.AdminID || !slices.Equal(p.Scopes, made.Scopes) {
			t.Fatalf("the created token authenticates as %+v, %v", p, err)
		}

		code, out, errOut = runMain(t, "token", "list", "--partner", boot.PartnerID, "--database-url", url)
		if code != 0 {
			t.Fatalf("token list exit %d: %s", code, errOut)
		}
		var list struct {
			Items []struct {
				ID, Name string
				Scopes   []string
				LastUsed *time.Time
			}
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("token list output %q: %v", out, err)
		}
		if len(list.Items) != 2 || list.Items[1].ID != made.ID || list.Items[1].LastUsed == nil || strings.Contains(out, "tnt_") {
			t.Errorf("token list printed %s", out)
		}

		code, _, errOut = runMain(t, "token", "revoke", "--partner", boot.PartnerID, "--token", made.ID, "--database-url", url)
		if code != 0 {
			t.Fatalf("token revoke exit %d: %s", code, errOut)
		}
		if _, err := db.Authenticate(ctx, made.Token); tenantry.ErrorCode(err) != tenantry.EUNAUTHORIZED {
			t.Errorf("a revoked token authenticates: %v", err)
		}
		if code, _, errOut = runMain(t, "token", "revoke", "--partner", boot.PartnerID, "--token", made.ID, "--database-url", url); code != 1 || !strings.Contains(errOut, "not found") {
			t.Errorf("second revoke: exit %d, %s", code, errOut)
		}

		code, _, errOut = runMain(t, "token", "create", "--partner", boot.PartnerID, "--name", "x", "--scope", "spark-admin:everything", "--database-url", url)
		if code != 1 || !strings.Contains(errOut, "spark-admin:everything") {
			t.Errorf("unknown scope: exit %d, %s", code, errOut)
		}
		if code, _, errOut := runMain(t, "token", "create", "--name", "x", "--database-url", url); code != 2 {
			t.Errorf("no --partner: exit %d, %s", code, errOut)
		}
		if code, _, errOut := runMain(t, "token", "frobnicate"); code != 2 {
			t.Errorf("unknown subcommand: exit %d, %s", code, errOut)
		}
	})
}

// TestServePublicURL: serve builds the API's links from --public-url
// (never from the request's Host), sends HSTS when it is https, and
// refuses a --trusted-proxies list it cannot read.
func TestServePublicURL(t *testing.T) {
	url := sqldbtest.Engines(t)[0].URL(t)
	code, out, errOut := runMain(t, "bootstrap", "--partner", "Acme", "--email", "ops@acme.example", "--database-url", url)
	if code != 0 {
		t.Fatalf("bootstrap exit %d: %s", code, errOut)
	}
	boot := decodeOne(t, out)
	if code, _, errOut := runMain(t, "serve", "--addr", "127.0.0.1:0", "--database-url", url, "--trusted-proxies", "10.0.0.0/8,nonsense"); code != 1 || !strings.Contains(errOut, "--trusted-proxies") {
		t.Errorf("serve with a bad --trusted-proxies: exit %d, %s", code, errOut)
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := &syncBuffer{}
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database-url", url, "--workers", "0",
			"--public-url", "https://hub.example.com/tenantry", "--trusted-proxies", "10.0.0.0/8, 192.0.2.1"}, io.Discard, log)
	}()
	defer func() { cancel(); <-exited }()
	base := waitListening(t, log, exited)
	body, _ := json.Marshal(map[string]any{"name": "Standard", "country": "US", "serviceProviderAdminId": boot.AdminID, "subscriptionId": boot.SubscriptionID})
	req, _ := http.NewRequest("POST", base+"/v1/wholesale/templates", bytes.NewReader(body))
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Proto", "http")
	req.Header.Set("Authorization", "Bearer "+boot.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.HasPrefix(resp.Header.Get("Location"), "https://hub.example.com/tenantry/v1/wholesale/templates/") {
		t.Errorf("template: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if h := resp.Header.Get("Strict-Transport-Security"); h == "" {
		t.Errorf("no Strict-Transport-Security with an https public URL")
	}
}
