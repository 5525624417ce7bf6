package validators

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// originPattern splits "scheme://authority" followed by anything else.
var originPattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$`)

// hostnamePattern is a DNS name of letters, digits and inner dashes.
var hostnamePattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$`)

// CheckOrigin checks an origin, "scheme://host" or "scheme://host:port"
// with nothing after it, such as "https://www.example.com". It returns ""
// or what is wrong, as the end of a sentence.
func CheckOrigin(raw string) string {
	if userinfoPassword.MatchString(raw) {
		// Checked first: the pattern below would end the authority inside
		// a password holding "/" and quote the rest.
		return userinfoInOrigin
	}
	m := originPattern.FindStringSubmatch(raw)
	if m == nil {
		if !strings.Contains(raw, "://") {
			return fmt.Sprintf("has no scheme; write it with one, such as %q", RedactURL("https://"+strings.TrimLeft(raw, "/")))
		}
		return "does not start with a valid scheme such as https://"
	}
	authority, rest := m[2], m[3]
	if rest != "" {
		return fmt.Sprintf("has %q after the host; an origin ends at the host or port (use %q)", rest, RedactURL(m[1]+"://"+authority))
	}
	return checkAuthority(authority)
}

const userinfoInOrigin = "contains user information before the host, which an origin cannot have"

func checkAuthority(authority string) string {
	if strings.Contains(authority, "@") {
		return userinfoInOrigin
	}
	host, port := authority, ""
	if i := strings.LastIndex(authority, ":"); i >= 0 && !strings.HasSuffix(authority, "]") {
		host, port = authority[:i], authority[i+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port != strconv.Itoa(n) {
			return fmt.Sprintf("has the port %q, which is not a number between 1 and 65535", port)
		}
	}
	switch {
	case host == "":
		return "has no host"
	case strings.HasPrefix(host, "["):
		if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); ip == nil || !strings.HasSuffix(host, "]") {
			return fmt.Sprintf("has the host %q, which is not a valid bracketed IPv6 address", host)
		}
	case !hostnamePattern.MatchString(host):
		return fmt.Sprintf("has the host %q, which is not a valid host name (letters, digits, dashes and dots; international names in their xn-- form)", host)
	}
	return ""
}

const userinfoInURL = "contains user information, which the server ignores when it compares URLs"

// javaIllegalURLChars are characters java.net.URI refuses anywhere in a
// URL; they must be percent-encoded.
const javaIllegalURLChars = " \"<>\\^`{|}"

// CheckAbsoluteURL checks an absolute URL with a scheme and a host, written
// as Java's URI class accepts it. User information and fragments are
// refused: a server comparing URLs drops them. It returns "" or what is
// wrong, as the end of a sentence.
func CheckAbsoluteURL(raw string) string {
	if userinfoPassword.MatchString(raw) {
		if _, err := url.Parse(raw); err != nil || strings.ContainsAny(raw, javaIllegalURLChars) {
			// The checks below would quote a piece of the password.
			return userinfoInURL
		}
	}
	if i := strings.IndexFunc(raw, func(r rune) bool {
		return strings.ContainsRune(javaIllegalURLChars, r) || r < 0x20 || r == 0x7f
	}); i >= 0 {
		return fmt.Sprintf("contains %q at offset %d, which must be percent-encoded (for example %q)", raw[i:i+1], i, fmt.Sprintf("%%%02X", raw[i]))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return parseProblem(raw, err, userinfoInURL)
	case u.Scheme == "":
		return "has no scheme; write an absolute URL such as \"https://www.example.com/path\""
	case u.Opaque != "" || !strings.HasPrefix(raw[len(u.Scheme)+1:], "//"):
		return "is not a hierarchical URL of the form scheme://host/path"
	case u.User != nil:
		return userinfoInURL
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return "has a fragment (#...), which the server ignores when it compares URLs"
	}
	return checkAuthority(u.Host)
}
