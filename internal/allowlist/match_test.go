package allowlist

import (
	"errors"
	"testing"
)

// matchCase is one row of the matcher's table; the provider's cross-check
// with the emulator's /check (internal/provider) has rows of its own.
type matchCase struct {
	Kind       Kind
	Expression string
	URL        string
	Allowed    bool
}

// matchCases are the products' edge cases: trailing slashes, case, default
// ports, regular-expression anchoring, user info and fragments.
var matchCases = []matchCase{
	{Domain, "https://www.example.com", "https://www.example.com/feed.xml", true},
	{Domain, "https://www.example.com", "https://www.example.com", true},
	{Domain, "https://www.example.com", "HTTPS://WWW.EXAMPLE.COM/feed", true},
	{Domain, "HTTPS://www.Example.com", "https://www.example.com/", true},
	{Domain, "https://www.example.com/", "https://www.example.com/feed", false},
	{Domain, "https://www.example.com", "https://www.example.com:443/feed", false},
	{Domain, "https://www.example.com:8443", "https://www.example.com:8443/x", true},
	{Domain, "https://www.example.com", "http://www.example.com/", false},
	{Domain, "https://example.com", "https://www.example.com/", false},
	{Domain, "https://www.example.com", "https://user@www.example.com/", true},
	{Domain, "https://www.example.com", "/relative/path", false},
	{ExactURL, "https://www.example.com/feed.xml", "https://www.example.com/feed.xml", true},
	{ExactURL, "https://www.example.com/feed.xml", "HTTPS://WWW.EXAMPLE.COM/feed.xml", true},
	{ExactURL, "https://www.example.com/feed.xml", "https://www.example.com/FEED.xml", false},
	{ExactURL, "https://www.example.com/feed", "https://www.example.com/feed/", false},
	{ExactURL, "https://www.example.com/", "https://www.example.com", false},
	{ExactURL, "https://www.example.com/a", "https://www.example.com:443/a", false},
	{ExactURL, "https://www.example.com/a%2fb", "https://www.example.com/a%2Fb", true},
	{ExactURL, "https://www.example.com/a?x=1", "https://www.example.com/a?x=1", true},
	{ExactURL, "https://www.example.com/a?x=1", "https://www.example.com/a?x=2", false},
	{ExactURL, "https://www.example.com/a", "https://www.example.com/a#top", true},
	{Wildcard, "https://www.example.com/*", "https://www.example.com/a/b?c=d", true},
	{Wildcard, "https://www.example.com/*", "HTTPS://WWW.EXAMPLE.COM/A", true},
	{Wildcard, "https://www.example.com/*", "https://www.example.com", false},
	{Wildcard, "https://*.example.com/*", "https://evil.org/.example.com/", true},
	{Wildcard, "https://www.example.com/feed.xml", "https://www.example.comXfeed.xml", false},
	{Wildcard, "https://www.example.com/a?b", "https://www.example.com/a?b", true},
	{Wildcard, "https://www.example.com/a", "https://www.example.com/a/b", false},
	{Regex, `https://www\.example\.com/.*`, "https://www.example.com/x", true},
	{Regex, `https://www\.example\.com/.*`, "https://www.example.com.evil.org/x", false},
	{Regex, `www\.example\.com`, "https://www.example.com/", false},
	{Regex, `https://www\.example\.com/.*`, "HTTPS://www.example.com/x", false},
	{Regex, `(?i)https://www\.example\.com/.*`, "HTTPS://www.example.com/x", true},
	{Regex, `https://a\.example\.com|https://b\.example\.com/.*`, "https://a.example.com/x", false},
	{Regex, `https://a\.example\.com|https://b\.example\.com/.*`, "https://a.example.com", true},
	{Regex, `https://www\.example\.com:443/.*`, "https://www.example.com/x", false},
}

func TestAllows(t *testing.T) {
	t.Parallel()
	for _, c := range matchCases {
		got, err := Allows(c.Kind, c.Expression, c.URL)
		if err != nil {
			t.Errorf("Allows(%d, %q, %q): %v", c.Kind, c.Expression, c.URL, err)
			continue
		}
		if got != c.Allowed {
			t.Errorf("Allows(%d, %q, %q) = %t, want %t", c.Kind, c.Expression, c.URL, got, c.Allowed)
		}
	}
}

func TestAllowsErrors(t *testing.T) {
	t.Parallel()
	if _, err := Allows(Regex, `(?<=a)b`, "https://a.example.com/b"); !errors.Is(err, ErrNotEvaluable) {
		t.Errorf("a look-behind must be reported as not evaluable, got %v", err)
	}
	if _, err := Allows(Domain, "https://www.example.com", "https://www.example.com/%zz"); err == nil {
		t.Error("a string that is no URL must be an error")
	}
}

// EquivalentURLs is the exact-URL matcher's comparison, which the
// provider also uses to tell a respelling of an exact-URL rule from a
// change.
func TestEquivalentURLs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://Example.COM/a%2fb?q=%7E", "HTTPS://example.com/a%2Fb?q=%7e", true},
		{"https://example.com/path", "https://example.com/Path", false},
		{"https://example.com", "https://example.com:443", false},
		{"https://example.com/", "https://example.com", false},
		{"https://example.com/%zz", "://bad", false},
	} {
		if got := EquivalentURLs(tc.a, tc.b); got != tc.want {
			t.Errorf("EquivalentURLs(%q, %q) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}
