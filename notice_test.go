package tenantry_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tenantry/tenantry"
)

// TestNoticeResolved: notices stored as English text before reasons were
// kept get their reason back; others stay as they are.
func TestNoticeResolved(t *testing.T) {
	plain := func(n tenantry.Notice) tenantry.Notice {
		return tenantry.Notice{Code: n.Code, Description: n.Description}
	}
	for _, n := range []tenantry.Notice{
		tenantry.CallingUnavailableNotice("AR"), tenantry.MeetingsTimeZoneNotice(), tenantry.AttachRejectedNotice("org-1"),
	} {
		if got := plain(n).Resolved(); !cmp.Equal(got, n) {
			t.Errorf("Resolved(%+v) = %+v, want %+v", plain(n), got, n)
		}
	}
	for _, n := range []tenantry.Notice{
		{Code: tenantry.NoticeJobFailed, Description: "upstream timeout"},
		{Code: tenantry.NoticeCallingUnavailable, Description: "Calling is not available in ZZ."},
		{Code: tenantry.NoticeCallingUnavailable, Description: "something else"},
	} {
		if got := n.Resolved(); !cmp.Equal(got, n) {
			t.Errorf("Resolved(%+v) = %+v, want it unchanged", n, got)
		}
	}
}

// TestNoticeText: a notice reads through the reader's translation when it
// has a reason, or gets one back; otherwise as its stored text.
func TestNoticeText(t *testing.T) {
	message := func(reason string, params map[string]string) string {
		return "<" + reason + " " + params["country"] + ">"
	}
	tests := []struct {
		n    tenantry.Notice
		want string
	}{
		{tenantry.CallingUnavailableNotice("EG"), "<" + tenantry.ReasonCallingNotOffered + " EG>"},
		{tenantry.Notice{Code: tenantry.NoticeCallingUnavailable, Description: "Calling is not available in EG."}, "<" + tenantry.ReasonCallingNotOffered + " EG>"},
		{tenantry.Notice{Code: tenantry.NoticeMeetingsTimeZone, Description: tenantry.MeetingsTimeZoneNotice().Description}, "<" + tenantry.ReasonMeetingsUTC + " >"},
		{tenantry.Notice{Code: tenantry.NoticeJobFailed, Description: "upstream timeout"}, "upstream timeout"},
	}
	for _, tt := range tests {
		if got := tt.n.Text(message); got != tt.want {
			t.Errorf("Text(%+v) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
