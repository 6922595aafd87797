package mail

import (
	"testing"
	"time"
)

// TestParseURL: the SMTP URL decides the port, the credentials and how the
// connection is protected: implicit TLS for smtps, STARTTLS required for
// smtp to another machine, and STARTTLS only when offered on this one.
func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want server
		tls  string
	}{
		{"smtp://mail.example.com", server{host: "mail.example.com", port: 587}, "starttls"},
		{"smtp://user:p%40ss@mail.example.com:2525", server{host: "mail.example.com", port: 2525, user: "user", pass: "p@ss"}, "starttls"},
		{"smtps://user:pass@mail.example.com", server{host: "mail.example.com", port: 465, user: "user", pass: "pass", implicit: true}, "implicit"},
		{"smtps://mail.example.com:4650/", server{host: "mail.example.com", port: 4650, implicit: true}, "implicit"},
		{"smtp://localhost:25", server{host: "localhost", port: 25, local: true}, "starttls-if-offered"},
		{"smtp://127.0.0.1:1025", server{host: "127.0.0.1", port: 1025, local: true}, "starttls-if-offered"},
		{"smtp://[::1]:1025", server{host: "::1", port: 1025, local: true}, "starttls-if-offered"},
		{"smtp://apikey@smtp.example.net", server{host: "smtp.example.net", port: 587, user: "apikey"}, "starttls"},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.url)
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.url, got, tt.want)
		}
		if mode := (&Sender{srv: got}).tlsMode(); mode != tt.tls {
			t.Errorf("%s: TLS %s, want %s", tt.url, mode, tt.tls)
		}
	}
	for _, bad := range []string{
		"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp://:25",
		"smtp://mail.example.com:0", "smtp://mail.example.com:99999", "smtp://mail.example.com:x",
		"smtp://mail.example.com/path", "smtp://mail.example.com?tls=off", "smtp://%zz",
	} {
		if got, err := parseURL(bad); err == nil {
			t.Errorf("%q: parsed as %+v, want an error", bad, got)
		}
	}
}

func TestNewSenderNeedsAFromAddress(t *testing.T) {
	for _, from := range []string{"", "  ", "not an address"} {
		if _, err := NewSender(nil, Config{SMTPURL: "smtp://localhost", From: from}, nil); err == nil {
			t.Errorf("From %q: accepted", from)
		}
	}
	s, err := NewSender(nil, Config{SMTPURL: "smtp://localhost", From: "Hub <hub@northwind.example>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.from.Address != "hub@northwind.example" || s.from.Name != "Hub" {
		t.Errorf("from %+v", s.from)
	}
}

// TestBackoff: the wait doubles from RetryBase after each failed attempt and
// stops growing at RetryMax.
func TestBackoff(t *testing.T) {
	s := &Sender{cfg: Config{RetryBase: 30 * time.Second, RetryMax: 10 * time.Minute}}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := s.backoff(i + 1); got != w {
			t.Errorf("after attempt %d: %v, want %v", i+1, got, w)
		}
	}
	if got := s.backoff(1000); got != 10*time.Minute {
		t.Errorf("after attempt 1000: %v", got)
	}
}
