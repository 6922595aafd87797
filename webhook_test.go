package tenantry_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
)

func TestWebhookValidate(t *testing.T) {
	events := []string{tenantry.EventCustomerProvisioned}
	tests := []struct {
		name   string
		url    string
		events []string
		want   []string
	}{
		{"https", "https://hooks.example.com/tenantry", events, nil},
		{"http with port, path and query", "http://hooks.example.com:8080/in?source=tenantry", events, nil},
		{"public IPv4", "https://93.184.215.14/hook", events, nil},
		{"highest port", "https://h.example:65535/", events, nil},
		{"upper-case scheme", "HTTPS://hooks.example.com/", events, nil},
		{"IPv6 host", "https://[2001:db8::1]:8443/hook", events, nil},
		{"every event", "https://h.example/", tenantry.WebhookEvents, nil},
		{"longest URL", "https://h.example/" + strings.Repeat("a", tenantry.MaxWebhookURL-len("https://h.example/")), events, nil},

		{"no URL", "", events, []string{"url: required"}},
		{"blank URL", "   ", events, []string{"url: required"}},
		{"too long", "https://h.example/" + strings.Repeat("a", tenantry.MaxWebhookURL), events, []string{"url: too_long"}},
		{"ftp", "ftp://h.example/", events, []string{"url: webhook_url_invalid"}},
		{"javascript", "javascript:alert(1)", events, []string{"url: webhook_url_invalid"}},
		{"no scheme", "h.example/hook", events, []string{"url: webhook_url_invalid"}},
		{"relative", "/hook", events, []string{"url: webhook_url_invalid"}},
		{"no host", "https:///hook", events, []string{"url: webhook_url_invalid"}},
		{"port only", "https://:443/hook", events, []string{"url: webhook_url_invalid"}},
		{"opaque", "https:h.example", events, []string{"url: webhook_url_invalid"}},
		{"bad port", "https://h.example:http/", events, []string{"url: webhook_url_invalid"}},
		{"port 0", "https://h.example:0/", events, []string{"url: webhook_url_port"}},
		{"port 65536", "https://h.example:65536/", events, []string{"url: webhook_url_port"}},
		{"private address", "http://10.0.0.5:8080/in", events, []string{"url: webhook_url_destination"}},
		{"space", "https://h.example/a b", events, []string{"url: webhook_url_invalid"}},
		{"control character", "https://h.example/\x00", events, []string{"url: webhook_url_invalid"}},
		{"invalid UTF-8", "https://h.example/\xff", events, []string{"url: webhook_url_invalid"}},
		{"user and password", "https://user:pass@h.example/", events, []string{"url: webhook_url_credentials"}},
		{"user only", "https://user@h.example/", events, []string{"url: webhook_url_credentials"}},

		{"no events", "https://h.example/", nil, []string{"events: required"}},
		{"unknown event", "https://h.example/", []string{"customer.provisioned", "customer.exploded"}, []string{"events[1]: invalid_value"}},
		{"repeated event", "https://h.example/", []string{"customer.deleted", "customer.updated", "customer.deleted"}, []string{"events[2]: webhook_event_repeated"}},
		{"everything wrong", "ftp://x", []string{""}, []string{"url: webhook_url_invalid", "events[0]: invalid_value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &tenantry.Webhook{URL: tt.url, Events: tt.events}
			checkProblems(t, w.Validate(), tt.want)
		})
	}
}

// TestWebhookProblemsHaveTheirParams: the messages of webhook problems are
// filled with the value at fault.
func TestWebhookProblemsHaveTheirParams(t *testing.T) {
	w := &tenantry.Webhook{URL: "https://h.example/", Events: []string{"customer.updated", "nope", "customer.updated"}}
	ps := w.Validate()
	if len(ps) != 2 {
		t.Fatalf("problems = %+v, want two", ps)
	}
	if ps[0].Params["value"] != "nope" || !strings.Contains(ps[0].Params["allowed"], tenantry.EventImportFinished) {
		t.Errorf("unknown event params = %v", ps[0].Params)
	}
	if ps[1].Params["value"] != "customer.updated" {
		t.Errorf("repeated event params = %v", ps[1].Params)
	}
}

func TestWebhookEventsAreTheProductsList(t *testing.T) {
	want := "customer.provisioned customer.provisioning_failed customer.updated customer.deleted " +
		"subscriber.created subscriber.updated subscriber.deleted import.finished"
	if got := strings.Join(tenantry.WebhookEvents, " "); got != want {
		t.Errorf("WebhookEvents = %s, want %s", got, want)
	}
}

func TestDelivered(t *testing.T) {
	for status, want := range map[int]bool{0: false, 199: false, 200: true, 202: true, 204: true, 299: true,
		301: false, 302: false, 304: false, 400: false, 410: false, 500: false, 503: false} {
		if got := tenantry.Delivered(status); got != want {
			t.Errorf("Delivered(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestProvisioningEvent(t *testing.T) {
	for status, want := range map[tenantry.CustomerStatus]string{
		tenantry.StatusProvisioned:           tenantry.EventCustomerProvisioned,
		tenantry.StatusProvisionedWithErrors: tenantry.EventCustomerProvisioned,
		tenantry.StatusError:                 tenantry.EventCustomerProvisioningFailed,
		tenantry.StatusPendingRPLReview:      tenantry.EventCustomerProvisioningFailed,
	} {
		if got := tenantry.ProvisioningEvent(status); got != want {
			t.Errorf("ProvisioningEvent(%s) = %s, want %s", status, got, want)
		}
	}
}

func TestWebhookReasonsAreListed(t *testing.T) {
	for _, r := range []string{tenantry.ReasonWebhookURL, tenantry.ReasonWebhookURLCredentials, tenantry.ReasonWebhookURLTaken,
		tenantry.ReasonWebhookEventRepeated, tenantry.ReasonWebhookLimit} {
		n := 0
		for _, a := range tenantry.AllReasons {
			if a == r {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in AllReasons %d times, want once", r, n)
		}
	}
}
