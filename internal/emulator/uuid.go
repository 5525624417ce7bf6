package emulator

import (
	"crypto/md5"
	"crypto/rand"
	"fmt"
	"strings"
)

// GenerateApplicationID returns the application link ID the products derive
// from a URL: Java's UUID.nameUUIDFromBytes over the ASCII form of the
// normalised URI with trailing slashes stripped (applinks ApplicationIdUtil).
// It is a version 3 UUID of the raw bytes with no namespace, which is why
// uuid.NewMD5 (which prepends a namespace) would give different IDs.
func GenerateApplicationID(url string) string {
	normalised := strings.TrimRight(normaliseURI(url), "/")
	sum := md5.Sum([]byte(normalised))
	sum[6] = (sum[6] & 0x0f) | 0x30
	sum[8] = (sum[8] & 0x3f) | 0x80
	return formatUUID(sum)
}

// newRandomUUID returns a random version 4 UUID, as the products use for
// their server ID.
func newRandomUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate UUID: %w", err)
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return formatUUID(b), nil
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// normaliseURI mirrors java.net.URI.normalize().toASCIIString() for the
// inputs applinks sees: dot segments are resolved and redundant slashes
// collapsed in the path, scheme and authority are left untouched (Java does
// not lower-case them), and non-ASCII characters are percent-encoded as
// UTF-8. Opaque URIs such as "mailto:x" are not normalised, as in Java.
func normaliseURI(raw string) string {
	rest := raw
	prefix := ""
	if scheme, afterScheme, ok := cutScheme(raw); ok {
		if !strings.HasPrefix(afterScheme, "/") {
			return toASCII(raw)
		}
		prefix = scheme + ":"
		rest = afterScheme
	}
	if strings.HasPrefix(rest, "//") {
		end := strings.IndexAny(rest[2:], "/?#")
		if end < 0 {
			return toASCII(prefix + rest)
		}
		prefix += rest[:2+end]
		rest = rest[2+end:]
	}
	path, suffix := rest, ""
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		path, suffix = rest[:i], rest[i:]
	}
	return toASCII(prefix + normalisePath(path) + suffix)
}

// cutScheme splits "scheme:rest" when raw starts with a syntactically valid
// scheme.
func cutScheme(raw string) (scheme, rest string, ok bool) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == ':':
			return raw[:i], raw[i+1:], i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", raw, false
		}
	}
	return "", raw, false
}

// normalisePath follows Java's URI path normalisation (RFC 2396 flavour):
// "." segments vanish, ".." removes a preceding non-".." segment and is kept
// otherwise, empty segments collapse, a trailing slash survives.
func normalisePath(path string) string {
	if path == "" {
		return ""
	}
	absolute := strings.HasPrefix(path, "/")
	trailingSlash := strings.HasSuffix(path, "/")
	var kept []string
	for _, segment := range strings.Split(path, "/") {
		switch {
		case segment == "":
		case segment == ".":
			trailingSlash = true
		case segment == ".." && len(kept) > 0 && kept[len(kept)-1] != "..":
			kept = kept[:len(kept)-1]
			trailingSlash = true
		default:
			kept = append(kept, segment)
			trailingSlash = strings.HasSuffix(path, "/")
		}
	}
	joined := strings.Join(kept, "/")
	if absolute {
		joined = "/" + joined
	}
	if trailingSlash && len(kept) > 0 {
		joined += "/"
	}
	return joined
}

// toASCII percent-encodes every byte outside US-ASCII, as
// URI.toASCIIString does for "other" characters.
func toASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isApplicationID reports whether Java's UUID.fromString accepts s, which
// is all ApplicationId checks: five dash-separated hexadecimal fields of
// at most 36 characters in all.
func isApplicationID(s string) bool {
	fields := strings.Split(s, "-")
	if len(s) > 36 || len(fields) != 5 {
		return false
	}
	for _, f := range fields {
		if f == "" || strings.Trim(f, "0123456789abcdefABCDEF") != "" {
			return false
		}
	}
	return true
}

// requireApplicationID is new ApplicationId(id) where the resource lets
// the IllegalArgumentException escape: a 500.
func requireApplicationID(id string) {
	if !isApplicationID(id) {
		panic(fmt.Sprintf(msgInvalidApplicationID, id))
	}
}
