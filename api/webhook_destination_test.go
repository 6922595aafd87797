package api_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/sqldb"
	"github.com/tenantry/tenantry/sqldb/sqldbtest"
)

// strictWebhooks is the default policy of a server: no private
// destinations.
func strictWebhooks(o *sqldb.Options) { o.Webhooks = tenantry.WebhookPolicy{} }

// TestWebhookAPIRefusesInsideDestinations: every way of pointing a webhook
// inside the network is a 400 naming url, in the caller's language, and
// nothing is stored.
func TestWebhookAPIRefusesInsideDestinations(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, e sqldbtest.Engine) {
		t.Parallel()
		en := withWebhooks(t, newEnv(t, e, strictWebhooks))
		a := en.bootstrap(t, "Partner A")
		ev := []string{"customer.updated"}
		for _, u := range []string{
			"http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://0.0.0.0/", "http://169.254.169.254/latest/meta-data/",
			"http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/", "http://metadata.google.internal/",
			"http://hooks.example.com:99999/", "http://10.0.0.5:8080/", "http://192.168.1.10/", "http://100.64.0.1/",
			"http://[fd00::1]/", "http://224.0.0.1/", "http://255.255.255.255/", "http://api.localhost/", "http://hooks.internal/",
			"http://hooks.example.com:0/",
		} {
			a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": u, "events": ev}, nil).wantField(t, 400, "url")
		}
		// In the caller's language.
		for lang, word := range map[string]string{"en": "public address", "es": "dirección pública", "ko": "공인 주소", "ar": "عنوان عام"} {
			le := a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "http://127.0.0.1/", "events": ev}, map[string]string{"Accept-Language": lang}).wantField(t, 400, "url")
			if !strings.Contains(le.Errors[0].Description, word) {
				t.Errorf("%s: %q", lang, le.Errors[0].Description)
			}
		}
		pe := a.do(t, "POST", "/v1/partner/webhooks", map[string]any{"url": "https://hooks.example.com:99999/", "events": ev}, map[string]string{"Accept-Language": "sv"}).wantField(t, 400, "url")
		if !strings.Contains(pe.Errors[0].Description, "99999") || !strings.Contains(pe.Errors[0].Description, "porten") {
			t.Errorf("port: %q", pe.Errors[0].Description)
		}
		var l struct{ Items []webhookDoc }
		a.do(t, "GET", "/v1/partner/webhooks", nil, nil).wantStatus(t, 200).decode(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("refused webhooks were stored: %+v", l.Items)
		}
		// A public name is fine.
		a.createWebhook(t, "https://hooks.example.com/tenantry", "customer.updated")
	})
}
