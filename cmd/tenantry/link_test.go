package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// TestLinkTTLFlags: the link lifetimes default to 14 and 30 days, come
// from TENANTRY_*_LINK_TTL or the flags, and serve refuses one that is not
// positive.
func TestLinkTTLFlags(t *testing.T) {
	parseServe := func(args ...string) Config {
		t.Helper()
		var c Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.flags(fs, true)
		if err := parse(fs, args); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := parseServe(); c.ApprovalLinkTTL != tenantry.DefaultApprovalLinkTTL || c.ConsentLinkTTL != tenantry.DefaultConsentLinkTTL {
		t.Errorf("defaults %v, %v", c.ApprovalLinkTTL, c.ConsentLinkTTL)
	}
	t.Setenv("TENANTRY_CONSENT_LINK_TTL", "72h")
	if c := parseServe("--approval-link-ttl", "48h"); c.ApprovalLinkTTL != 48*time.Hour || c.ConsentLinkTTL != 72*time.Hour {
		t.Errorf("from flag and environment: %v, %v", c.ApprovalLinkTTL, c.ConsentLinkTTL)
	}
	code, _, errOut := runMain(t, "serve", "--approval-link-ttl", "0", "--database-url", t.TempDir()+"/t.db")
	if code == 0 || !strings.Contains(errOut, "--approval-link-ttl") {
		t.Errorf("serve with a zero lifetime: exit %d, stderr %q", code, errOut)
	}
}
