package tenantry_test

import (
	"net/netip"
	"testing"

	"github.com/tenantry/tenantry"
)

// refusedDestinations are webhook URLs that point inside the network, or
// nowhere: every one is refused at registration unless the policy allows
// private destinations (private: true), and some even then.
var refusedDestinations = []struct {
	url     string
	private bool // allowed with AllowPrivate
	reason  string
}{
	{"http://127.0.0.1/", true, tenantry.ReasonWebhookURLDestination},
	{"http://127.0.0.53:8080/", true, tenantry.ReasonWebhookURLDestination},
	{"http://localhost/", true, tenantry.ReasonWebhookURLDestination},
	{"http://LOCALHOST./", true, tenantry.ReasonWebhookURLDestination},
	{"http://api.localhost/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[::1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://0.0.0.0/", false, tenantry.ReasonWebhookURLDestination},
	{"http://[::]/", false, tenantry.ReasonWebhookURLDestination},
	{"http://169.254.169.254/latest/meta-data/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[fe80::1%25eth0]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://2130706433/", false, tenantry.ReasonWebhookURLDestination},
	{"http://0x7f.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://0x7f000001/", false, tenantry.ReasonWebhookURLDestination},
	{"http://127.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://0177.0.0.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://010.0.0.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://1.2.3.4.5/", false, tenantry.ReasonWebhookURLDestination},
	{"http://[::ffff:127.0.0.1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[::ffff:7f00:1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[::127.0.0.1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[64:ff9b::a9fe:a9fe]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[2002:7f00:1::]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://metadata.google.internal/computeMetadata/v1/", true, tenantry.ReasonWebhookURLDestination},
	{"http://db.corp.internal/", true, tenantry.ReasonWebhookURLDestination},
	{"http://printer.local/", true, tenantry.ReasonWebhookURLDestination},
	{"http://router.home.arpa/", true, tenantry.ReasonWebhookURLDestination},
	{"http://metadata/", true, tenantry.ReasonWebhookURLDestination},
	{"http://10.0.0.5:8080/", true, tenantry.ReasonWebhookURLDestination},
	{"http://172.16.3.4/", true, tenantry.ReasonWebhookURLDestination},
	{"http://192.168.1.1/", true, tenantry.ReasonWebhookURLDestination},
	{"http://100.64.0.1/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[fc00::1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://[fd12:3456::1]/", true, tenantry.ReasonWebhookURLDestination},
	{"http://224.0.0.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://[ff02::1]/", false, tenantry.ReasonWebhookURLDestination},
	{"http://255.255.255.255/", false, tenantry.ReasonWebhookURLDestination},
	{"http://240.0.0.1/", false, tenantry.ReasonWebhookURLDestination},
	{"http://hooks.example.com:99999/", false, tenantry.ReasonWebhookURLPort},
	{"http://hooks.example.com:0/", false, tenantry.ReasonWebhookURLPort},
	{"http://127.0.0.1:99999/", false, tenantry.ReasonWebhookURLPort},
}

func TestWebhookDestinationRefused(t *testing.T) {
	for _, tt := range refusedDestinations {
		t.Run(tt.url, func(t *testing.T) {
			w := &tenantry.Webhook{URL: tt.url, Events: []string{tenantry.EventCustomerUpdated}}
			checkProblems(t, w.Validate(), []string{"url: " + tt.reason})
			var want []string
			if !tt.private {
				want = []string{"url: " + tt.reason}
			}
			checkProblems(t, w.ValidateWith(tenantry.WebhookPolicy{AllowPrivate: true}), want)
			if err := (tenantry.WebhookPolicy{}).CheckWebhookURL(tt.url); err == nil {
				t.Error("CheckWebhookURL allows it")
			}
		})
	}
}

func TestWebhookDestinationAllowed(t *testing.T) {
	for _, u := range []string{
		"https://hooks.example.com/in", "https://hooks.example.com:8443/in", "http://93.184.215.14/",
		"https://[2606:4700:4700::1111]/", "https://[::ffff:93.184.215.14]/", "https://h.example.", "https://localhost.example.com/",
		"https://internal.example.com/", "https://0x7f.example.com/", "https://127.example.com/",
	} {
		w := &tenantry.Webhook{URL: u, Events: []string{tenantry.EventCustomerUpdated}}
		if ps := w.Validate(); len(ps) != 0 {
			t.Errorf("%s: %+v", u, ps)
		}
		if err := (tenantry.WebhookPolicy{}).CheckWebhookURL(u); err != nil {
			t.Errorf("%s: CheckWebhookURL = %v", u, err)
		}
	}
}

// TestWebhookPolicyAllowsAddr covers the addresses a resolver may return:
// the dialer asks about each.
func TestWebhookPolicyAllowsAddr(t *testing.T) {
	strict, open := tenantry.WebhookPolicy{}, tenantry.WebhookPolicy{AllowPrivate: true}
	for addr, want := range map[string][2]bool{ // strict, open
		"93.184.215.14":        {true, true},
		"8.8.8.8":              {true, true},
		"2606:4700::1111":      {true, true},
		"::ffff:8.8.8.8":       {true, true},
		"127.0.0.1":            {false, true},
		"127.255.255.254":      {false, true},
		"::1":                  {false, true},
		"::ffff:127.0.0.1":     {false, true},
		"10.1.2.3":             {false, true},
		"172.31.255.255":       {false, true},
		"172.32.0.1":           {true, true},
		"192.168.0.1":          {false, true},
		"100.64.0.1":           {false, true},
		"100.127.255.255":      {false, true},
		"100.128.0.1":          {true, true},
		"169.254.169.254":      {false, true},
		"fe80::1":              {false, true},
		"fd00:ec2::254":        {false, true},
		"198.18.0.1":           {false, true},
		"0.0.0.0":              {false, false},
		"0.1.2.3":              {false, false},
		"::":                   {false, false},
		"224.0.0.251":          {false, false},
		"239.255.255.250":      {false, false},
		"ff02::fb":             {false, false},
		"255.255.255.255":      {false, false},
		"64:ff9b::7f00:1":      {false, true},
		"64:ff9b::808:808":     {true, true},
		"2002:c0a8:101::1":     {false, true},
		"2002:808:808::1":      {true, true},
		"::ffff:0.0.0.0":       {false, false},
		"::ffff:224.0.0.1":     {false, false},
		"::ffff:169.254.1.1":   {false, true},
		"2001:0:4136:e378::1":  {false, true},
		"fec0::1":              {false, true},
		"::ffff:192.168.10.10": {false, true},
	} {
		ip := netip.MustParseAddr(addr)
		if got := [2]bool{strict.AllowsAddr(ip), open.AllowsAddr(ip)}; got != want {
			t.Errorf("%s: allowed (strict, private allowed) = %v, want %v", addr, got, want)
		}
	}
}

func TestValidPort(t *testing.T) {
	for port, want := range map[string]bool{"": true, "1": true, "80": true, "0080": true, "65535": true,
		"0": false, "65536": false, "99999": false, "-1": false, "+80": false, "http": false, "99999999999999999999": false} {
		if got := tenantry.ValidPort(port); got != want {
			t.Errorf("ValidPort(%q) = %v, want %v", port, got, want)
		}
	}
}
