package ui_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

var webhookLinkRe = regexp.MustCompile(`href="/settings/webhooks/([A-Za-z0-9_-]+)"`)

func TestSettingsWebhooks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, en *hubEnv) {
		ada := en.bootstrap(t, "Acme", "ada@acme.example", tenantry.RoleFullAdmin)
		ada.get("/settings/webhooks").must(t, 200).contains(t, "There are no webhooks yet.", "Customer provisioned")

		// Bad input: the destination rules' errors next to the URL, and
		// the events' next to them.
		p := ada.post("/settings/webhooks", url.Values{"url": {"http://localhost:8080/hook"}}).must(t, 400)
		if e := p.fieldError(t, "f-url"); !strings.Contains(e, "public address") {
			t.Errorf("loopback destination: error %q", e)
		}
		if p.fieldError(t, "f-events") == "" {
			t.Error("no error next to the events")
		}
		p.contains(t, `value="http://localhost:8080/hook"`)
		p = ada.post("/settings/webhooks", url.Values{"url": {"ftp://hooks.acme.example/x"}, "events": {tenantry.EventCustomerUpdated}}).must(t, 400)
		if p.fieldError(t, "f-url") == "" {
			t.Error("no error next to an ftp URL")
		}
		p.contains(t, `id="event-customer.updated" name="events" value="customer.updated" checked`)

		// Created: the secret is shown once.
		hook := "https://hooks.acme.example/tenantry"
		p = ada.post("/settings/webhooks", url.Values{"url": {hook}, "events": {tenantry.EventCustomerProvisioned, tenantry.EventImportFinished}}).must(t, 200)
		m := secretRe.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no secret shown:\n%s", clip(p.Body))
		}
		secret := m[1]
		id := webhookLinkRe.FindStringSubmatch(p.Body)[1]
		ada.get("/settings/webhooks").must(t, 200).contains(t, hook, "import.finished").lacks(t, secret, `id="secret"`)
		p = ada.post("/settings/webhooks", url.Values{"url": {hook}, "events": {tenantry.EventCustomerUpdated}}).must(t, 409)
		if p.fieldError(t, "f-url") == "" {
			t.Error("no error next to a URL registered already")
		}

		// Its page, a test event, and the delivery log with each attempt.
		ada.get("/settings/webhooks/"+id).must(t, 200).contains(t, hook, "No delivery attempts yet.", "Send a test event").lacks(t, secret)
		p = ada.post("/settings/webhooks/"+id+"/test", nil).must(t, 303)
		if p.Location != "/settings/webhooks/"+id+"?sent=1" {
			t.Errorf("after the test event: %q", p.Location)
		}
		// The receiver's name does not resolve here: the attempt fails,
		// and the log says so.
		deadline := time.Now().Add(waitTimeout)
		for {
			p = ada.get("/settings/webhooks/"+id+"?sent=1").must(t, 200)
			if strings.Contains(p.Body, "Failed") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no failed attempt in the log:\n%s", clip(p.Body))
			}
			time.Sleep(50 * time.Millisecond)
		}
		p.contains(t, tenantry.EventWebhookTest, "Attempts 1–", "The connection failed.").lacks(t, `http-equiv="refresh"`)

		// Another partner's webhook is not found.
		eve := en.bootstrap(t, "Evil", "eve@evil.example", tenantry.RoleFullAdmin)
		eve.get("/settings/webhooks/"+id).must(t, 404)
		eve.post("/settings/webhooks/"+id+"/test", nil).must(t, 404)
		eve.post("/settings/webhooks/"+id+"/delete", nil).must(t, 404)
		eve.get("/settings/webhooks").must(t, 200).lacks(t, hook)

		ada.post("/settings/webhooks/"+id+"/delete", nil).must(t, 303)
		ada.get("/settings/webhooks").must(t, 200).lacks(t, hook).contains(t, "The webhook was deleted.")
		ada.get("/settings/webhooks/"+id).must(t, 404)
	})
}
