package provider

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/applinks-iac/terraform-provider-applinks/internal/allowlist"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

// FuzzAllowlistExpression checks the plan-time validation of allowlist rule
// expressions for every type. Properties: it never panics and reports at
// most one error; a pattern CheckJavaRegex passes without a warning parses
// in Go, so it compiles with Go's regexp as the check claims (for a
// wildcard, after the product's translation); an accepted domain is an
// origin and an accepted exact URL an absolute URL without credentials or
// fragment; no message quotes a password written into the URL; and every
// expression is equivalent to itself.
func FuzzAllowlistExpression(f *testing.F) {
	for _, seed := range []struct{ typ, expression string }{
		{"regex", `https://(www\.)?example\.com/.*`},
		{"regex", `https://(www\.example\.com`},
		{"regex", `(?<=a)b`},
		{"regex", `a++`},
		{"regex", `\Qa{b\E`},
		{"regex", `x{2,1}`},
		{"regex", `[]a]`},
		{"regex", `(?P<n>x)`},
		{"regex", `\p{Lu}`},
		{"regex", `a{1001}`},
		{"regex", `(?i)HTTPS://.*`},
		{"wildcard", `https://*.example.com/*`},
		{"wildcard", `https://(*.example.com`},
		{"wildcard", `http?://[x]`},
		{"domain", "https://www.example.com"},
		{"domain", "https://bob:s3cret@www.example.com/path"},
		{"domain", "https://[::1]:8443"},
		{"domain", "www.example.com"},
		{"exact_url", "https://www.example.com/feed.xml?x=1"},
		{"exact_url", "https://bob:s3cret@www.example.com/feed"},
		{"exact_url", "https://www.example.com/my feed"},
		{"exact_url", "mailto:x@example.com"},
	} {
		f.Add(seed.typ, seed.expression)
	}
	types := []string{"regex", "wildcard", "domain", "exact_url"}
	f.Fuzz(func(t *testing.T, typ, expression string) {
		if !slices.Contains(types, typ) {
			typ = types[len(typ)%len(types)]
		}
		var diags diag.Diagnostics
		validateAllowlistExpression(typ, expression, &diags)
		if diags.ErrorsCount() > 1 {
			t.Fatalf("%d errors for one expression", diags.ErrorsCount())
		}
		if !equivalentExpressions(typ, expression, expression) {
			t.Fatalf("%q is not equivalent to itself", expression)
		}
		if u, err := url.Parse(expression); err == nil && u.User != nil {
			if password, ok := u.User.Password(); ok && len(password) >= 3 {
				for _, d := range diags {
					if strings.Contains(d.Detail(), ":"+password+"@") {
						t.Fatalf("%q quotes the password: %s", d.Summary(), d.Detail())
					}
				}
			}
		}
		if len(diags) > 0 {
			return
		}
		switch typ {
		case "regex", "wildcard":
			pattern := expression
			if typ == "wildcard" {
				pattern = allowlist.WildcardToRegex(expression)
			}
			if problem, warning := validators.CheckJavaRegex(pattern); problem != "" || warning != "" {
				t.Fatalf("no diagnostic, yet CheckJavaRegex says %q / %q", problem, warning)
			}
			if _, err := regexp.Compile(pattern); err != nil {
				t.Fatalf("%s %q passed the check without a warning but Go cannot compile %q: %v", typ, expression, pattern, err)
			}
		case "domain":
			u, err := url.Parse(expression)
			if err != nil || u.Host == "" || u.Scheme == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
				t.Fatalf("accepted %q as a domain (%v)", expression, err)
			}
		case "exact_url":
			u, err := url.Parse(expression)
			if err != nil || u.Host == "" || u.Scheme == "" || u.User != nil || u.Fragment != "" {
				t.Fatalf("accepted %q as an exact URL (%v)", expression, err)
			}
		}
	})
}
