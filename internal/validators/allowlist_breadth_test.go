package validators

import (
	"regexp"
	"strings"
	"testing"
)

func TestWildcardHostHole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		wildcard, wantAllowed, wantWhere, wantRegex string
	}{
		{wildcard: "https://www.example.com/*"},
		{wildcard: "https://www.example.com/feeds/*.xml"},
		{wildcard: "https://www.example.com"},
		{"*", "https://evil.test/", `is only "*"`, ""},
		{"*.example.com", "https://evil.test/?.example.com", "has no scheme", `(?i)https://([a-z0-9-]+\.)*example\.com(/.*)?`},
		{"https://*.example.com", "https://evil.test/?.example.com", `has a "*" in the host`, `(?i)https://([a-z0-9-]+\.)*example\.com(/.*)?`},
		{"http://*.example.com/*", "http://evil.test/?.example.com/", `has a "*" in the host`, `(?i)http://([a-z0-9-]+\.)*example\.com(/.*)?`},
		{"https://www.example.com*", "https://www.example.com.evil.test/?", `has a "*" in the host`, ""},
	}
	for _, tt := range tests {
		allowed, where := WildcardHostHole(tt.wildcard)
		if allowed != tt.wantAllowed || !strings.Contains(where, tt.wantWhere) || (tt.wantWhere == "") != (where == "") {
			t.Errorf("%q: allows %q (%q), want %q (%q)", tt.wildcard, allowed, where, tt.wantAllowed, tt.wantWhere)
		}
		if allowed != "" {
			// The product's reading: the whole URL, ignoring case, "*" as ".*".
			pattern := "(?i)^" + strings.ReplaceAll(regexp.QuoteMeta(tt.wildcard), `\*`, ".*") + "$"
			if !regexp.MustCompile(pattern).MatchString(allowed) {
				t.Errorf("%q does not match its own example %q", tt.wildcard, allowed)
			}
		}
		regex := SubdomainRegexFor(tt.wildcard)
		if regex != tt.wantRegex && allowed != "" {
			t.Errorf("%q: suggests %q, want %q", tt.wildcard, regex, tt.wantRegex)
		}
		if regex != "" {
			re := regexp.MustCompile("^(?:" + regex + ")$")
			intended := strings.ReplaceAll(strings.ReplaceAll(tt.wildcard, "*.", "api."), "*", "x")
			if !strings.Contains(intended, "://") {
				intended = "https://" + intended
			}
			if re.MatchString(allowed) || !re.MatchString(intended) {
				t.Errorf("%q: the suggested %q lets %q through or refuses the intended host", tt.wildcard, regex, allowed)
			}
			if problem, warning := CheckJavaRegex(regex); problem != "" || warning != "" || CatastrophicBacktracking(regex) != "" {
				t.Errorf("the suggested %q is not a clean Java pattern: %q %q", regex, problem, warning)
			}
		}
	}
}

func TestCatastrophicBacktracking(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		`(a+)+$`:                                  "(a+)+",
		`https://(\w+\d*)*\.example\.com`:         `([0-9A-Z_a-z]+[0-9]*)*`,
		`(.*a){10}`:                               "(.*a){10}",
		`https://(www\.)?example\.com/.*`:         "",
		`https://([a-z0-9-]+\.)+example\.com`:     "",
		`(?i)https://([a-z0-9-]+\.)*example\.com`: "",
		`a+b+c+`: "",
		`(ab)+`:  "",
		`(a`:     "",
	} {
		if got := CatastrophicBacktracking(pattern); got != want {
			t.Errorf("%q: found %q, want %q", pattern, got, want)
		}
	}
}
