package validators

import (
	"strings"
	"testing"
)

func TestCheckOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw         string
		wantProblem string
	}{
		{raw: "https://www.example.com"},
		{raw: "http://localhost:8080"},
		{raw: "https://WWW.Example.COM"},
		{raw: "http://[::1]:7990"},
		{raw: "http://10.0.0.1"},
		{raw: "www.example.com", wantProblem: `has no scheme; write it with one, such as "https://www.example.com"`},
		{raw: "https://www.example.com/", wantProblem: `has "/" after the host; an origin ends at the host or port (use "https://www.example.com")`},
		{raw: "https://www.example.com/path?q", wantProblem: `has "/path?q" after the host`},
		{raw: "https://user@example.com", wantProblem: "contains user information"},
		{raw: "https://example.com:0", wantProblem: `has the port "0"`},
		{raw: "https://example.com:http", wantProblem: `has the port "http"`},
		{raw: "https://", wantProblem: "has no host"},
		{raw: "https://ex_ample.com", wantProblem: `has the host "ex_ample.com", which is not a valid host name`},
		{raw: "https://*.example.com", wantProblem: `has the host "*.example.com"`},
		{raw: "https://[zz]", wantProblem: "not a valid bracketed IPv6 address"},
		{raw: "1https://x", wantProblem: "does not start with a valid scheme"},
	}
	for _, tt := range tests {
		got := CheckOrigin(tt.raw)
		if tt.wantProblem == "" && got != "" || !strings.Contains(got, tt.wantProblem) {
			t.Errorf("CheckOrigin(%q) = %q, want %q", tt.raw, got, tt.wantProblem)
		}
	}
}

func TestCheckAbsoluteURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw         string
		wantProblem string
	}{
		{raw: "https://www.example.com"},
		{raw: "https://www.example.com/a/b?c=d&e=%20f"},
		{raw: "http://[::1]:8080/x"},
		{raw: "https://www.example.com/a b", wantProblem: `contains " " at offset 25, which must be percent-encoded (for example "%20")`},
		{raw: "https://www.example.com/{id}", wantProblem: `contains "{"`},
		{raw: "/relative/path", wantProblem: "has no scheme"},
		{raw: "mailto:a@example.com", wantProblem: "is not a hierarchical URL"},
		{raw: "https:///path", wantProblem: "has no host"},
		{raw: "https://user:pw@example.com/", wantProblem: "contains user information"},
		{raw: "https://example.com/#top", wantProblem: "has a fragment"},
		{raw: "https://example.com:99999/", wantProblem: `has the port "99999"`},
		{raw: "https://exa%mple.com/", wantProblem: "is not a valid URL"},
	}
	for _, tt := range tests {
		got := CheckAbsoluteURL(tt.raw)
		if tt.wantProblem == "" && got != "" || !strings.Contains(got, tt.wantProblem) {
			t.Errorf("CheckAbsoluteURL(%q) = %q, want %q", tt.raw, got, tt.wantProblem)
		}
	}
}
