package emulator

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// A model of java.net.URI for the allowlist, where Go's net/url differs:
// parsing a string as URI's parser does, its URISyntaxException messages,
// and URI.equals.

// javaURI is what java.net.URI keeps of a parsed string. Components are raw
// (still percent-encoded); nil pointers are Java's nulls.
type javaURI struct {
	input     string
	scheme    *string
	opaque    bool
	ssp       string
	authority *string
	userInfo  *string
	host      string // "" when the authority is registry-based or absent
	port      int    // -1 when absent
	path      string
	query     *string
	fragment  *string
}

// uriSyntaxError is URISyntaxException.
type uriSyntaxError struct {
	input  string
	reason string
	index  int
}

func (e *uriSyntaxError) Error() string {
	if e.index > -1 {
		return fmt.Sprintf("%s at index %d: %s", e.reason, e.index, e.input)
	}
	return e.reason + ": " + e.input
}

// equals is URI.equals: scheme and host ignore case, the other components
// compare exactly except for the case of percent-escapes.
func (u *javaURI) equals(v *javaURI) bool {
	switch {
	case u.opaque != v.opaque,
		!equalFoldPtr(u.scheme, v.scheme),
		!equalEscapedPtr(u.fragment, v.fragment):
		return false
	case u.opaque:
		return equalEscaped(u.ssp, v.ssp)
	case !equalEscaped(u.path, v.path), !equalEscapedPtr(u.query, v.query):
		return false
	case u.host != "":
		return equalEscapedPtr(u.userInfo, v.userInfo) && strings.EqualFold(u.host, v.host) && u.port == v.port
	}
	return equalEscapedPtr(u.authority, v.authority)
}

func equalFoldPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return strings.EqualFold(*a, *b)
}

func equalEscapedPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return equalEscaped(*a, *b)
}

// equalEscaped compares raw components as URI.equal does: exactly, except
// that the two hex digits after a "%" ignore case.
func equalEscaped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != '%' {
			if a[i] != b[i] {
				return false
			}
			continue
		}
		if b[i] != '%' || i+2 >= len(a) ||
			!strings.EqualFold(a[i+1:i+3], b[i+1:i+3]) {
			return false
		}
		i += 2
	}
	return true
}

// decodeJavaURI decodes percent-escapes as URI.getPath does.
func decodeJavaURI(s string) string {
	if decoded, err := url.PathUnescape(s); err == nil {
		return decoded
	}
	return s
}

// Character classes of java.net.URI (RFC 2396).
const (
	uriMark     = "-_.!~*'()"
	uriReserved = ";/?:@&=+$,[]"
)

func isAlpha(c rune) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c rune) bool    { return '0' <= c && c <= '9' }
func isAlnum(c rune) bool    { return isAlpha(c) || isDigit(c) }
func isHexDigit(c rune) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isURIOther is the "other" category: non-ASCII characters that are
// neither space nor control characters.
func isURIOther(c rune) bool {
	return c > 0x7f && !unicode.IsControl(c) && !unicode.In(c, unicode.Zs, unicode.Zl, unicode.Zp)
}

func isUnreserved(c rune) bool { return isAlnum(c) || strings.ContainsRune(uriMark, c) }

type uriCharset func(rune) bool

var (
	uricChars     uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(uriReserved, c) || isURIOther(c) }
	pathChars     uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(":@&=+$,;/", c) || isURIOther(c) }
	userInfoChars uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(";:&=+$,", c) || isURIOther(c) }
	regNameChars  uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune("$,;:@&=+", c) || isURIOther(c) }
	serverChars   uriCharset = func(c rune) bool { return userInfoChars(c) || strings.ContainsRune("-.:@[]", c) }
)

// uriParser follows java.net.URI.Parser for strings (not the multi-argument
// constructors). Indexes count characters, as Java's do for the BMP.
type uriParser struct {
	in  []rune
	raw string
	u   *javaURI
}

func parseJavaURI(s string) (*javaURI, error) {
	p := &uriParser{in: []rune(s), raw: s, u: &javaURI{input: s, port: -1}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.u, nil
}

func (p *uriParser) fail(reason string, index int) error {
	return &uriSyntaxError{input: p.raw, reason: reason, index: index}
}

func (p *uriParser) substring(start, end int) string { return string(p.in[start:end]) }

func (p *uriParser) at(i int, c rune) bool { return i < len(p.in) && p.in[i] == c }

// scan returns the index of the first character in [start, end) that is
// one of stop, or end.
func (p *uriParser) scan(start, end int, stop string) int {
	for i := start; i < end; i++ {
		if strings.ContainsRune(stop, p.in[i]) {
			return i
		}
	}
	return end
}

// check reports the first character of [start, end) outside the charset,
// with percent-escapes allowed.
func (p *uriParser) check(start, end int, allowed uriCharset, what string) error {
	for i := start; i < end; i++ {
		c := p.in[i]
		if c == '%' {
			if i+2 >= end || !isHexDigit(p.in[i+1]) || !isHexDigit(p.in[i+2]) {
				return p.fail("Malformed escape pair", i)
			}
			i += 2
			continue
		}
		if !allowed(c) {
			return p.fail("Illegal character in "+what, i)
		}
	}
	return nil
}

func (p *uriParser) parse() error {
	n := len(p.in)
	sspStart := 0
	if i := p.scan(0, n, ":/?#"); i < n && p.in[i] == ':' {
		if i == 0 {
			return p.fail("Expected scheme name", 0)
		}
		if !isAlpha(p.in[0]) {
			return p.fail("Illegal character in scheme name", 0)
		}
		for j := 1; j < i; j++ {
			if c := p.in[j]; !isAlnum(c) && !strings.ContainsRune("+-.", c) {
				return p.fail("Illegal character in scheme name", j)
			}
		}
		scheme := p.substring(0, i)
		p.u.scheme = &scheme
		sspStart = i + 1
		if p.at(sspStart, '/') {
			end, err := p.parseHierarchical(sspStart, n)
			if err != nil {
				return err
			}
			p.u.ssp = p.substring(sspStart, end)
			return p.parseFragment(end)
		}
		end := p.scan(sspStart, n, "#")
		if end <= sspStart {
			return p.fail("Expected scheme-specific part", sspStart)
		}
		if err := p.check(sspStart, end, uricChars, "opaque part"); err != nil {
			return err
		}
		p.u.opaque = true
		p.u.ssp = p.substring(sspStart, end)
		return p.parseFragment(end)
	}
	end, err := p.parseHierarchical(0, n)
	if err != nil {
		return err
	}
	p.u.ssp = p.substring(0, end)
	return p.parseFragment(end)
}

func (p *uriParser) parseFragment(at int) error {
	n := len(p.in)
	if p.at(at, '#') {
		if err := p.check(at+1, n, uricChars, "fragment"); err != nil {
			return err
		}
		fragment := p.substring(at+1, n)
		p.u.fragment = &fragment
		return nil
	}
	if at < n {
		return p.fail("Expected end of URI", at)
	}
	return nil
}

func (p *uriParser) parseHierarchical(start, n int) (int, error) {
	i := start
	if p.at(i, '/') && p.at(i+1, '/') {
		i += 2
		end := p.scan(i, n, "/?#")
		switch {
		case end > i:
			if err := p.parseAuthority(i, end); err != nil {
				return 0, err
			}
			i = end
		case end < n:
			// An empty authority is allowed before a path, query or fragment.
		default:
			return 0, p.fail("Expected authority", i)
		}
	}
	end := p.scan(i, n, "?#")
	if err := p.check(i, end, pathChars, "path"); err != nil {
		return 0, err
	}
	p.u.path = p.substring(i, end)
	i = end
	if p.at(i, '?') {
		i++
		end = p.scan(i, n, "#")
		if err := p.check(i, end, uricChars, "query"); err != nil {
			return 0, err
		}
		query := p.substring(i, end)
		p.u.query = &query
		i = end
	}
	return i, nil
}

// parseAuthority prefers a server-based authority (user info, host, port)
// and falls back to a registry-based one, which has no host: Java then
// keeps the authority but getHost() is null.
func (p *uriParser) parseAuthority(start, end int) error {
	authority := p.substring(start, end)
	allIn := func(allowed uriCharset) bool { return p.check(start, end, allowed, "authority") == nil }
	server, registry := allIn(serverChars), allIn(regNameChars)
	if server {
		if err := p.parseServer(start, end); err == nil {
			p.u.authority = &authority
			return nil
		} else if !registry {
			return err
		}
		p.u.userInfo, p.u.host, p.u.port = nil, "", -1
	}
	if registry {
		p.u.authority = &authority
		return nil
	}
	return p.check(start, end, regNameChars, "authority")
}

func (p *uriParser) parseServer(start, end int) error {
	i := start
	if at := p.scan(i, end, "@"); at < end {
		if err := p.check(i, at, userInfoChars, "user info"); err != nil {
			return err
		}
		userInfo := p.substring(i, at)
		p.u.userInfo = &userInfo
		i = at + 1
	}
	hostEnd, err := p.parseHost(i, end)
	if err != nil {
		return err
	}
	p.u.host = p.substring(i, hostEnd)
	i = hostEnd
	if p.at(i, ':') {
		i++
		digits := i
		for i < end && isDigit(p.in[i]) {
			i++
		}
		if i > digits {
			port, err := strconv.Atoi(p.substring(digits, i))
			if err != nil {
				return p.fail("Malformed port number", digits)
			}
			p.u.port = port
		}
	}
	if i < end {
		return p.fail("Expected port number", i)
	}
	return nil
}

func (p *uriParser) parseHost(start, end int) (int, error) {
	if p.at(start, '[') {
		closing := p.scan(start, end, "]")
		if closing >= end {
			return 0, p.fail("Expected closing bracket for IPv6 address", end)
		}
		address := p.substring(start+1, closing)
		if zone := strings.IndexByte(address, '%'); zone >= 0 {
			address = address[:zone]
		}
		if ip := net.ParseIP(address); ip == nil || !strings.Contains(address, ":") {
			return 0, p.fail("Malformed IPv6 address", start+1)
		}
		return closing + 1, nil
	}
	hostEnd := p.scan(start, end, ":")
	host := p.substring(start, hostEnd)
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil && strings.Count(host, ".") == 3 {
		return hostEnd, nil
	}
	return p.parseHostname(start, end)
}

// parseHostname: dot-separated labels of letters, digits and inner dashes;
// when there is more than one label the last must start with a letter.
func (p *uriParser) parseHostname(start, end int) (int, error) {
	i, lastLabel := start, -1
	for i < end {
		if !isAlnum(p.in[i]) {
			break
		}
		lastLabel = i
		for i < end && (isAlnum(p.in[i]) || p.in[i] == '-') {
			i++
		}
		if p.in[i-1] == '-' {
			return 0, p.fail("Illegal character in hostname", i-1)
		}
		if !p.at(i, '.') {
			break
		}
		i++
	}
	if i < end && !p.at(i, ':') {
		return 0, p.fail("Illegal character in hostname", i)
	}
	if lastLabel < 0 {
		return 0, p.fail("Expected hostname", start)
	}
	if lastLabel > start && !isAlpha(p.in[lastLabel]) {
		return 0, p.fail("Illegal character in hostname", lastLabel)
	}
	return i, nil
}
