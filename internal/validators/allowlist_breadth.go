package validators

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// The allowlist matches a rule against the whole URL, so a rule can let
// through URLs its author never meant: a wildcard's "*" matches "/", "?"
// and "@" as well as host characters (design/api.md §8.1), and some regular
// expressions take Java exponential time on URLs that almost match. These
// checks find both; the rules work, so callers warn rather than refuse.

// schemePrefix is "scheme://" at the start of an expression.
var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// WildcardHostHole describes a wildcard rule whose "*" stands where the
// scheme or host is, so that it matches URLs of any host. It returns a URL
// on another host that the rule allows, and where the "*" stands ("has no
// scheme", "in the host"), or "" when every "*" is in the path or query.
func WildcardHostHole(wildcard string) (allowedURL, where string) {
	if !strings.Contains(wildcard, "*") {
		return "", ""
	}
	if strings.Trim(wildcard, "*") == "" {
		return "https://evil.test/", "is only \"*\", which matches every URL"
	}
	prefix := schemePrefix.FindString(wildcard)
	if prefix == "" {
		// A "*" anywhere then also stands for the scheme and host: the
		// product prepends nothing.
		star := strings.Index(wildcard, "*")
		return strings.ReplaceAll(wildcard[:star]+"https://evil.test/?"+wildcard[star+1:], "*", ""),
			"has no scheme, so its \"*\" stands for the scheme and host as well"
	}
	end := len(wildcard)
	if i := strings.Index(wildcard[len(prefix):], "/"); i >= 0 {
		end = len(prefix) + i
	}
	star := strings.Index(wildcard[:end], "*")
	if star < 0 {
		return "", ""
	}
	filler := "evil.test/?"
	if star > 0 && wildcard[star-1] != '.' && !strings.HasSuffix(wildcard[:star], "://") {
		filler = ".evil.test/?"
	}
	where = "has a \"*\" in the host"
	if star < len(prefix) {
		where = "has a \"*\" in the scheme"
	}
	return strings.ReplaceAll(wildcard[:star]+filler+wildcard[star+1:], "*", ""), where
}

// SubdomainRegexFor suggests the regular expression that allows what a
// wildcard such as "https://*.example.com" was meant to: the domain and its
// subdomains, on the given scheme, with any path. It returns "" when the
// wildcard names no domain after its "*".
func SubdomainRegexFor(wildcard string) string {
	scheme := "https"
	if prefix := schemePrefix.FindString(wildcard); prefix != "" && !strings.Contains(prefix, "*") {
		scheme = strings.ToLower(strings.TrimSuffix(prefix, "://"))
		wildcard = wildcard[len(prefix):]
	}
	host := wildcard
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	star := strings.LastIndex(host, "*")
	domain := strings.TrimPrefix(host[star+1:], ".")
	if star < 0 || !strings.Contains(domain, ".") || !hostnamePattern.MatchString(strings.Split(domain, ":")[0]) {
		return ""
	}
	return "(?i)" + regexp.QuoteMeta(scheme) + `://([a-z0-9-]+\.)*` + regexp.QuoteMeta(domain) + `(/.*)?`
}

// CatastrophicBacktracking finds a repetition of something that itself
// repeats in a way that lets one text match in many ways, such as (a+)+ or
// (.*a)*: a backtracking engine like Java's tries every way before it gives
// up on a URL that almost matches, which takes exponential time. It returns
// the offending piece, or "" when none is found (or Go cannot parse the
// pattern; CheckJavaRegex reports that).
func CatastrophicBacktracking(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	return findAmbiguousRepeat(re)
}

func findAmbiguousRepeat(re *syntax.Regexp) string {
	if repeatsMany(re) && ambiguousBody(re.Sub[0]) {
		// Go writes the flags it parsed with around the piece.
		piece := re.String()
		if strings.HasPrefix(piece, "(?-s:") {
			piece = strings.TrimSuffix(strings.TrimPrefix(piece, "(?-s:"), ")")
		}
		return piece
	}
	for _, sub := range re.Sub {
		if found := findAmbiguousRepeat(sub); found != "" {
			return found
		}
	}
	return ""
}

// repeatsMany reports whether re repeats its operand more than once.
func repeatsMany(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpStar, syntax.OpPlus:
		return true
	case syntax.OpRepeat:
		return re.Max == -1 || re.Max > 1
	}
	return false
}

// ambiguousBody reports whether one repetition of body can itself repeat
// an inner part with nothing between two turns that tells them apart: the
// body is an inner repetition alone, or one whose neighbours in the body
// may be empty or match characters the inner part matches too.
func ambiguousBody(body *syntax.Regexp) bool {
	for body.Op == syntax.OpCapture {
		body = body.Sub[0]
	}
	if repeatsMany(body) {
		return true
	}
	if body.Op != syntax.OpConcat {
		return false
	}
	for i, part := range body.Sub {
		inner := part
		for inner.Op == syntax.OpCapture {
			inner = inner.Sub[0]
		}
		if !repeatsMany(inner) {
			continue
		}
		innerChars := charsOf(inner.Sub[0])
		ambiguous := true
		for j, other := range body.Sub {
			if j != i && !nullable(other) && !overlaps(innerChars, charsOf(other)) {
				ambiguous = false
				break
			}
		}
		if ambiguous {
			return true
		}
	}
	return false
}

// charsOf is the set of characters a one-character expression matches, as
// syntax.OpCharClass ranges; nil means "could be anything".
func charsOf(re *syntax.Regexp) []rune {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return nil
		}
		set := []rune{re.Rune[0], re.Rune[0]}
		if re.Flags&syntax.FoldCase != 0 {
			for r := unicode.SimpleFold(re.Rune[0]); r != re.Rune[0]; r = unicode.SimpleFold(r) {
				set = append(set, r, r)
			}
		}
		return set
	case syntax.OpCharClass:
		return re.Rune
	case syntax.OpCapture:
		return charsOf(re.Sub[0])
	}
	return nil
}

// overlaps reports whether two character sets share a character; an
// unknown set (nil) overlaps everything.
func overlaps(a, b []rune) bool {
	if a == nil || b == nil {
		return true
	}
	for i := 0; i+1 < len(a); i += 2 {
		for j := 0; j+1 < len(b); j += 2 {
			if a[i] <= b[j+1] && b[j] <= a[i+1] {
				return true
			}
		}
	}
	return false
}

// nullable reports whether re can match the empty string.
func nullable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpStar, syntax.OpQuest, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpRepeat:
		return re.Min == 0 || nullable(re.Sub[0])
	case syntax.OpCapture, syntax.OpPlus:
		return nullable(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !nullable(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if nullable(sub) {
				return true
			}
		}
	}
	return false
}
