package ui

import (
	"net/url"
	"strings"
	"testing"
)

// TestLocalPath: a "next" that a browser would read as another site, after
// dropping tabs and line breaks and reading backslashes as slashes, is
// replaced by the default.
func TestLocalPath(t *testing.T) {
	for p, want := range map[string]string{
		"/customers?q=a":          "/customers?q=a",
		"/templates/x/edit":       "/templates/x/edit",
		"":                        "/",
		"customers":               "/",
		"https://evil.example/":   "/",
		"//evil.example/x":        "/",
		"/\\evil.example":         "/",
		"/\t/evil.example":        "/",
		"/\n/evil.example":        "/",
		"/\r\n/evil.example":      "/",
		"/\x00/evil.example":      "/",
		"/a\\b":                   "/",
		"/customers?next=//x.com": "/customers?next=//x.com", // a query is no host
	} {
		if got := localPath(p, "/"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", p, got, want)
		}
	}
}

// FuzzLocalPath: whatever localPath lets through stays on this site when a
// browser follows it.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/customers", "//evil.example", "/\t/evil.example", "/\\evil", "/%09/x", "/ /x", "/.//x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://hub.example/customers")
	f.Fuzz(func(t *testing.T, p string) {
		got := localPath(p, "/")
		if got == "/" {
			return
		}
		// As a browser reads a Location (the URL standard): tabs and line
		// breaks dropped, backslashes read as slashes.
		seen := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		u, err := base.Parse(seen)
		if err != nil {
			return // a browser would not follow it either
		}
		if u.Host != "hub.example" || u.Scheme != "https" {
			t.Fatalf("localPath(%q) = %q, which a browser reads as %s", p, got, u)
		}
	})
}
