package tenantry_test

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

func TestLinkStateAt(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ttl := tenantry.DefaultApprovalLinkTTL
	tests := []struct {
		name string
		used time.Time
		ttl  time.Duration
		now  time.Time
		want tenantry.LinkState
	}{
		{"fresh", time.Time{}, ttl, created, tenantry.LinkOpen},
		{"a moment before the end", time.Time{}, ttl, created.Add(ttl - time.Microsecond), tenantry.LinkOpen},
		{"at the end", time.Time{}, ttl, created.Add(ttl), tenantry.LinkExpired},
		{"long after", time.Time{}, ttl, created.Add(10 * ttl), tenantry.LinkExpired},
		{"used", created.Add(time.Hour), ttl, created.Add(2 * time.Hour), tenantry.LinkUsed},
		{"used, then past the end", created.Add(time.Hour), ttl, created.Add(2 * ttl), tenantry.LinkUsed},
		{"no lifetime", time.Time{}, 0, created.Add(1000 * ttl), tenantry.LinkOpen},
	}
	for _, tt := range tests {
		if got := tenantry.LinkStateAt(created, tt.used, tt.ttl, tt.now); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if tenantry.DefaultApprovalLinkTTL != 14*24*time.Hour || tenantry.DefaultConsentLinkTTL != 30*24*time.Hour {
		t.Errorf("default lifetimes %v and %v, want 14 and 30 days", tenantry.DefaultApprovalLinkTTL, tenantry.DefaultConsentLinkTTL)
	}
}
