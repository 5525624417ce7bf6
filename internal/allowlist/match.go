// Package allowlist answers, without a server, whether a rule of the
// products' URL allowlist allows a URL, with the matchers of the whitelist
// plugin as design/api.md §8.1 describes them. The provider's functions and
// checks use it; it imports neither the plugin framework nor the emulator,
// whose matcher is written from the same reference on its own, so that a
// test comparing the two catches a mistake in either.
package allowlist

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Kind is a rule type that matches URLs by its expression alone.
// Application-link rules match the link's URL and are not covered.
type Kind int

const (
	// Domain matches the scheme and authority of a URL, ignoring case.
	Domain Kind = iota
	// ExactURL matches one URL, as java.net.URI.equals compares them.
	ExactURL
	// Wildcard matches the whole URL, ignoring case, "*" standing for any
	// characters.
	Wildcard
	// Regex is a Java regular expression that must match the whole URL.
	Regex
)

// ErrNotEvaluable is returned for a regular expression (or wildcard) that
// uses Java syntax Go's regular expressions lack, such as look-around or
// back-references: the product may accept it, but it cannot be evaluated
// here.
var ErrNotEvaluable = errors.New("cannot be evaluated without the server")

// Allows reports whether a rule of the kind and expression allows rawURL.
// A URL without a scheme or host is allowed by no rule, as the products'
// matchers refuse it before they look at the rule; a string that is no URL
// at all is an error, as the products' check answers 400 for it.
func Allows(kind Kind, expression, rawURL string) (bool, error) {
	target, err := url.Parse(rawURL)
	if err != nil {
		return false, fmt.Errorf("%q is not a URL: %w", rawURL, err)
	}
	normalised, ok := normalise(target, rawURL)
	if !ok {
		return false, nil
	}
	switch kind {
	case Domain:
		return strings.EqualFold(expression, normalised.Scheme+"://"+normalised.Host), nil
	case ExactURL:
		if rule, err := url.Parse(expression); err == nil {
			want, ok := normalise(rule, expression)
			return ok && sameURI(want, normalised), nil
		}
		return false, nil // an exact rule that is no URI matches nothing
	case Wildcard:
		return matchWhole("(?i)"+WildcardToRegex(expression), normalisedString(normalised, rawURL))
	case Regex:
		return matchWhole(expression, normalisedString(normalised, rawURL))
	}
	return false, fmt.Errorf("unknown rule kind %d", kind)
}

// normalise is what every matcher does first (design/api.md §8.1, "the
// normalised URL"): a URL without scheme or host matches nothing; one
// without user info and fragment is taken as it is, case and default port
// included; otherwise scheme and host are lower-cased and the user info
// and fragment dropped.
func normalise(u *url.URL, raw string) (*url.URL, bool) {
	if u.Scheme == "" || u.Host == "" {
		return nil, false
	}
	if u.User == nil && u.Fragment == "" && !strings.Contains(raw, "#") {
		return u, true
	}
	rebuilt := *u
	rebuilt.Scheme, rebuilt.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	rebuilt.User, rebuilt.Fragment, rebuilt.RawFragment = nil, "", ""
	return &rebuilt, true
}

// normalisedString is the string the pattern matchers see: the URL as
// given, unless normalising rebuilt it.
func normalisedString(u *url.URL, raw string) string {
	if u.User == nil && u.Fragment == "" && !strings.Contains(raw, "#") {
		return raw
	}
	return u.String()
}

// EquivalentURLs reports whether two URLs are the same URI as
// java.net.URI.equals compares them (see sameURI); two strings of which one
// is no URL are not.
func EquivalentURLs(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && sameURI(ua, ub)
}

// sameURI compares as java.net.URI.equals does: scheme and host ignoring
// case, the port exactly (a default port written out is a difference),
// path and query exactly except for the case of the hex digits of
// percent-escapes.
func sameURI(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) &&
		a.Port() == b.Port() && a.Opaque == b.Opaque &&
		equalIgnoringEscapeCase(a.EscapedPath(), b.EscapedPath()) &&
		equalIgnoringEscapeCase(a.RawQuery, b.RawQuery) && a.ForceQuery == b.ForceQuery
}

func equalIgnoringEscapeCase(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] == '%' && b[i] == '%' && i+2 < len(a) {
			if !strings.EqualFold(a[i+1:i+3], b[i+1:i+3]) {
				return false
			}
			i += 2
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// WildcardToRegex is how the products read a wildcard (design/api.md
// §8.1): ". ? + | [ ]" are literal, "*" is any run of characters, and
// every other character keeps its regular-expression meaning.
func WildcardToRegex(wildcard string) string {
	for _, c := range []string{".", "?", "+", "|", "[", "]"} {
		wildcard = strings.ReplaceAll(wildcard, c, `\`+c)
	}
	return strings.ReplaceAll(wildcard, "*", ".*")
}

// matchWhole matches as Java's Matcher.matches does: the pattern must
// match the whole input, not a part of it.
func matchWhole(pattern, input string) (bool, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return false, fmt.Errorf("the pattern %q %w (%s)", pattern, ErrNotEvaluable, err)
	}
	return re.MatchString(input), nil
}
