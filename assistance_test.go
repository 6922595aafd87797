package tenantry_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

func TestAssistanceValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	valid := func() tenantry.AssistanceInput {
		return tenantry.AssistanceInput{CustomerID: "c1", ContactName: "Bo Berg", ContactEmail: "bo@contoso.example",
			Topics: []tenantry.AssistanceTopic{tenantry.TopicNumbers}}
	}
	tests := []struct {
		name   string
		modify func(*tenantry.AssistanceInput)
		want   []string
	}{
		{"valid", func(*tenantry.AssistanceInput) {}, nil},
		{"details instead of topics", func(in *tenantry.AssistanceInput) { in.Topics, in.Details = nil, "Port our numbers" }, nil},
		{"neither topics nor details", func(in *tenantry.AssistanceInput) { in.Topics, in.Details = nil, "  " },
			[]string{"topics: assistance_help_required"}},
		{"unknown topic", func(in *tenantry.AssistanceInput) { in.Topics = []tenantry.AssistanceTopic{"cooking"} },
			[]string{"topics: invalid_value"}},
		{"no contact", func(in *tenantry.AssistanceInput) { in.ContactName, in.ContactEmail = " ", "" },
			[]string{"contactName: required", "contactEmail: required"}},
		{"bad email", func(in *tenantry.AssistanceInput) { in.ContactEmail = "bo@" }, []string{"contactEmail: invalid_email"}},
		{"phone as people write it", func(in *tenantry.AssistanceInput) { in.ContactPhone = "+1 (512) 555-0100" }, nil},
		{"phone with letters", func(in *tenantry.AssistanceInput) { in.ContactPhone = "call me" },
			[]string{"contactPhone: assistance_phone_invalid"}},
		{"phone too short", func(in *tenantry.AssistanceInput) { in.ContactPhone = "12345" },
			[]string{"contactPhone: assistance_phone_invalid"}},
		{"details with lines", func(in *tenantry.AssistanceInput) { in.Details = "two\r\nlines\n" }, nil},
		{"details too long", func(in *tenantry.AssistanceInput) { in.Details = strings.Repeat("é", tenantry.MaxAssistanceDetails+1) },
			[]string{"details: too_long"}},
		{"details of exactly the limit", func(in *tenantry.AssistanceInput) { in.Details = strings.Repeat("é", tenantry.MaxAssistanceDetails) }, nil},
		{"date today", func(in *tenantry.AssistanceInput) { in.PreferredDate = "2026-03-01" }, nil},
		{"date yesterday (time zones)", func(in *tenantry.AssistanceInput) { in.PreferredDate = "2026-02-28" }, nil},
		{"date past", func(in *tenantry.AssistanceInput) { in.PreferredDate = "2026-02-27" }, []string{"preferredDate: assistance_date_past"}},
		{"date not a date", func(in *tenantry.AssistanceInput) { in.PreferredDate = "next week" }, []string{"preferredDate: assistance_date_invalid"}},
		{"date too far", func(in *tenantry.AssistanceInput) { in.PreferredDate = "2027-06-01" }, []string{"preferredDate: assistance_date_too_far"}},
		{"window", func(in *tenantry.AssistanceInput) { in.PreferredWindow = tenantry.WindowEvening }, nil},
		{"bad window", func(in *tenantry.AssistanceInput) { in.PreferredWindow = "midnight" }, []string{"preferredWindow: invalid_value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.modify(&in)
			var got []string
			for _, p := range in.Validate(now) {
				got = append(got, p.Field+": "+p.Reason)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAssistanceState(t *testing.T) {
	r := tenantry.AssistanceRequest{}
	if r.State() != tenantry.AssistanceUnsent {
		t.Errorf("no message: %s", r.State())
	}
	r.MessageID, r.MailState = "m1", tenantry.MailSent
	if r.State() != tenantry.AssistanceSent {
		t.Errorf("sent message: %s", r.State())
	}
}

func TestCheckOperationsEmail(t *testing.T) {
	for in, ok := range map[string]bool{"": true, "ops@acme.example": true, "ops": false, "ops@acme.example ": false} {
		if got := len(tenantry.CheckOperationsEmail(in)) == 0; got != ok {
			t.Errorf("%q: ok %v, want %v", in, got, ok)
		}
	}
	if !slices.Contains(tenantry.MailKinds, tenantry.MailAssistance) {
		t.Error("the assistance mail is not a mail kind")
	}
}
