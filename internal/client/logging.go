package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	redacted = "[redacted]"

	// logBodyMax keeps TRACE logs readable; the full body still reaches the
	// caller.
	logBodyMax = 4 << 10
)

var sensitiveHeaders = []string{"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization"}

// secretJSONValue finds the values of JSON keys that name a secret, such as
// the remote admin password of a two-way link or an OAuth shared secret,
// which the client does not know as values. An unterminated value, cut by
// truncation, is matched to the end.
var secretJSONValue = regexp.MustCompile(`("[^"]*(?i:password|secret|token)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"?`)

// namesASecret reports text with a key that names a secret somewhere in it,
// the words of secretJSONValue in any case, so that the regular expression,
// the slow part of scrubbing, runs only on the few bodies that need it.
func namesASecret(text string) bool {
	return nextSecretWord(text, 0) >= 0
}

// nextSecretWord returns where the next of secretJSONValue's words starts
// at or after from, in any case, or -1.
func nextSecretWord(text string, from int) int {
	for i := from; i < len(text); i++ {
		var word string
		switch text[i] | 0x20 { // ASCII lower case
		case 'p':
			word = "password"
		case 's':
			word = "secret"
		case 't':
			word = "token"
		default:
			continue
		}
		if len(text)-i >= len(word) && strings.EqualFold(text[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}

// scrubNestedSecretValues is secretJSONValue for JSON quoted inside JSON
// strings, at any depth, as an error message that repeats a request body
// carries it (`"message":"{\"password\":\"x\u003cy\"}"`). At depth n every
// quote of the inner text is preceded by 2^n-1 backslashes, and any quote
// inside a value by more, so the value ends at the first quote preceded by
// no more backslashes than the key's. A regular expression cannot count
// them; a scan can, and runs in one pass.
func scrubNestedSecretValues(text string) string {
	var b strings.Builder
	written := 0
	for word := nextSecretWord(text, 0); word >= 0; word = nextSecretWord(text, word+1) {
		keyStart := word
		for keyStart > 0 && text[keyStart-1] != '"' && text[keyStart-1] != '\\' {
			keyStart--
		}
		if keyStart == 0 || text[keyStart-1] != '"' || keyStart-1 < written {
			continue
		}
		depth := backslashesBefore(text, keyStart-1)
		if depth == 0 {
			continue // plain JSON: secretJSONValue's
		}
		quote := strings.Repeat(`\`, depth) + `"`
		keyEnd := word
		for keyEnd < len(text) && text[keyEnd] != '"' && text[keyEnd] != '\\' {
			keyEnd++
		}
		rest, ok := strings.CutPrefix(text[keyEnd:], quote)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t\r\n")
		if rest, ok = strings.CutPrefix(rest, ":"); !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \t\r\n")
		if rest, ok = strings.CutPrefix(rest, quote); !ok {
			continue
		}
		valueStart := len(text) - len(rest)
		valueEnd := len(text) // cut by truncation: to the end
		for q := valueStart; q < len(text); q++ {
			if n := backslashesBefore(text, q); text[q] == '"' && n <= depth {
				valueEnd = max(valueStart, q-n)
				break
			}
		}
		b.WriteString(text[written:valueStart])
		b.WriteString(redacted)
		written = valueEnd
		word = max(word, valueEnd-1)
	}
	if written == 0 {
		return text
	}
	b.WriteString(text[written:])
	return b.String()
}

// backslashesBefore counts the backslashes right before text[i].
func backslashesBefore(text string, i int) int {
	n := 0
	for i-n > 0 && text[i-n-1] == '\\' {
		n++
	}
	return n
}

// scrubber replaces every spelling of the secrets it knows, then the values
// of keys that name a secret.
type scrubber struct {
	secrets []spelledSecret
	// longest is the length of the longest spelling, how far a secret can
	// reach across the point where a logged body is cut.
	longest int
	// spellings are all of them, for tflog's masks.
	spellings []string
}

type spelledSecret struct {
	// anchor is the longest run of the secret's bytes that every spelling
	// keeps as it is (letters, digits, "-", ".", "_", "~"): text without it
	// holds no spelling, so one search skips them all.
	anchor    string
	spellings []string // longest first, so that no shorter one cuts a longer one apart
	// wholeWords is set for a short secret: a match inside a longer word
	// is that word, not the secret. The emulator's and many test
	// instances' password is "admin", and "system administrator" in the
	// products' messages read "system [redacted]istrator".
	wholeWords bool
}

// shortSecret is the length below which a secret is matched as a whole
// word only. A secret this short is guessed faster than it is hidden, and
// inside a longer word it says nothing.
const shortSecret = 8

// minAnchor is the shortest anchor worth searching for first; a secret
// with a shorter one has all its spellings searched.
const minAnchor = 4

func newScrubber(values ...string) scrubber {
	var s scrubber
	return s.with(values...)
}

// with returns a scrubber that also knows values, leaving s unchanged.
func (s scrubber) with(values ...string) scrubber {
	out := scrubber{secrets: slices.Clone(s.secrets), longest: s.longest, spellings: slices.Clone(s.spellings)}
	for _, v := range values {
		if v == "" {
			continue
		}
		spellings := secretSpellings(v)
		out.secrets = append(out.secrets, spelledSecret{anchor: longestVerbatimRun(v), spellings: spellings, wholeWords: len(v) < shortSecret})
		out.longest = max(out.longest, len(spellings[0]))
		out.spellings = append(out.spellings, spellings...)
	}
	return out
}

func (s scrubber) scrub(text string) string {
	text = s.scrubValues(text)
	if !namesASecret(text) {
		return text
	}
	text = secretJSONValue.ReplaceAllString(text, `${1}"`+redacted+`"`)
	if strings.Contains(text, `\"`) {
		text = scrubNestedSecretValues(text)
	}
	return text
}

// secretSpellings lists the ways a secret can be written in a body or a
// message: raw; JSON-escaped as the products' and Go's encoders do it, with
// or without HTML escaping (Gson's also escapes "=" and "'"), with non-ASCII
// as \uXXXX, with "/" as "\/", with hex digits in either case; Go-quoted as
// in a %q error; and percent-encoded for a query, a path and OAuth 1.0a
// (RFC 5849), again in either case. The longest come first.
func secretSpellings(secret string) []string {
	seen := map[string]bool{}
	var spellings []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			spellings = append(spellings, s)
		}
	}
	add(secret)
	for _, html := range []string{"", "<>&", "<>&='"} {
		for _, asciiOnly := range []bool{false, true} {
			for _, slash := range []bool{false, true} {
				for _, upper := range []bool{false, true} {
					add(jsonSpelling(secret, html, asciiOnly, slash, upper))
				}
			}
		}
	}
	quoted := strconv.Quote(secret)
	add(quoted[1 : len(quoted)-1])
	quoted = strconv.QuoteToASCII(secret)
	add(quoted[1 : len(quoted)-1])
	for _, encoded := range []string{url.QueryEscape(secret), url.PathEscape(secret), rfc5849Encode(secret)} {
		add(encoded)
		add(lowerPercentHex(encoded))
	}
	slices.SortStableFunc(spellings, func(a, b string) int { return len(b) - len(a) })
	return spellings
}

// jsonSpelling escapes s as a JSON string's content: quotes, backslashes
// and control characters always, U+2028 and U+2029 as Go does, the
// characters in html, and, as asked, non-ASCII and "/".
func jsonSpelling(s, html string, asciiOnly, slash, upper bool) string {
	hexDigits := "0123456789abcdef"
	if upper {
		hexDigits = "0123456789ABCDEF"
	}
	u := func(b *strings.Builder, r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x2028 || r == 0x2029 || strings.ContainsRune(html, r):
			u(&b, r)
		case r == '/' && slash:
			b.WriteString(`\/`)
		case r > 0x7e && asciiOnly:
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				u(&b, hi)
				u(&b, lo)
			} else {
				u(&b, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rfc5849Encode percent-encodes everything but the unreserved characters,
// as OAuth 1.0a signs parameters (RFC 5849 §3.6).
func rfc5849Encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isVerbatim(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// lowerPercentHex writes the hex digits of every %XX in lower case, as some
// encoders do.
func lowerPercentHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = toLowerASCII(b[i+1]), toLowerASCII(b[i+2])
		}
	}
	return string(b)
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isVerbatim reports the bytes no spelling changes: RFC 3986's unreserved
// characters, which no JSON or percent encoding escapes.
func isVerbatim(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func longestVerbatimRun(s string) string {
	best, start := "", 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isVerbatim(s[i]) {
			continue
		}
		if i-start > len(best) {
			best = s[start:i]
		}
		start = i + 1
	}
	return best
}

// callSecretsKey carries secrets that one call sends, such as an OAuth
// shared secret, to the logging transport, which knows only the client's.
type callSecretsKey struct{}

// withCallSecrets makes the wire log of calls made with ctx scrub values as
// it scrubs the client's credentials, in every spelling.
func withCallSecrets(ctx context.Context, values ...string) context.Context {
	s, _ := ctx.Value(callSecretsKey{}).(scrubber)
	return context.WithValue(ctx, callSecretsKey{}, s.with(values...))
}

func callSecrets(ctx context.Context) scrubber {
	s, _ := ctx.Value(callSecretsKey{}).(scrubber)
	return s
}

// redactSecret removes every spelling of one secret from text.
func redactSecret(text, secret string) string {
	return newScrubber(secret).scrubValues(text)
}

// scrubValues replaces the spellings of the known secrets only.
func (s scrubber) scrubValues(text string) string {
	for _, secret := range s.secrets {
		if len(secret.anchor) >= minAnchor && !strings.Contains(text, secret.anchor) {
			continue
		}
		for _, spelling := range secret.spellings {
			if secret.wholeWords {
				text = replaceWholeWords(text, spelling, redacted)
			} else {
				text = strings.ReplaceAll(text, spelling, redacted)
			}
		}
	}
	return text
}

// replaceWholeWords replaces each occurrence of old in text that is not
// part of a longer word: neither neighbour is a letter or digit where old's
// own end is one.
func replaceWholeWords(text, old, replacement string) string {
	var b strings.Builder
	for start := 0; ; {
		i := strings.Index(text[start:], old)
		if i < 0 {
			b.WriteString(text[start:])
			return b.String()
		}
		i += start
		end := i + len(old)
		inWord := (i > 0 && isWordByte(text[i-1]) && isWordByte(old[0])) ||
			(end < len(text) && isWordByte(text[end]) && isWordByte(old[len(old)-1]))
		b.WriteString(text[start:i])
		if inWord {
			b.WriteString(old)
		} else {
			b.WriteString(replacement)
		}
		start = end
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// logContext masks the credentials in everything logged with the returned
// context, behind the explicit redaction of headers and bodies, so a message
// that quotes them by accident still does not leak them.
func (c *Client) logContext(ctx context.Context) context.Context {
	spellings := c.scrubber.spellings
	if extra := callSecrets(ctx).spellings; len(extra) > 0 {
		spellings = append(slices.Clip(spellings), extra...)
	}
	if len(spellings) == 0 {
		return ctx // masking an empty string would mangle every log line
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, spellings...)
	return tflog.MaskMessageStrings(ctx, spellings...)
}

// scrub removes credentials and secret-looking JSON values from text that
// leaves the client in a log line or an error.
func (c *Client) scrub(s string) string {
	return c.scrubber.scrub(s)
}

// loggingTransport is the single place that logs the wire: every attempt,
// retries included, passes through it.
type loggingTransport struct {
	next  http.RoundTripper
	scrub func(string) string
	// longestSecret is the length of the longest credential: a response
	// body is peeked that much beyond what the log shows, so a secret
	// across the cut is scrubbed whole before the text is shortened.
	longestSecret int
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !tflog.IsTrace(ctx) {
		return t.next.RoundTrip(req)
	}
	if extra := callSecrets(ctx); len(extra.secrets) > 0 {
		scrubbed, clientScrub := *t, t.scrub
		scrubbed.scrub = func(s string) string { return clientScrub(extra.scrubValues(s)) }
		scrubbed.longestSecret = max(t.longestSecret, extra.longest)
		t = &scrubbed
	}
	line := req.Method + " " + req.URL.String()
	tflog.Trace(ctx, "HTTP request: "+line, map[string]any{
		"http_method":          req.Method,
		"http_url":             req.URL.String(),
		"http_request_headers": t.headers(req.Header),
		"http_request_body":    t.requestBody(req),
	})

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields := map[string]any{
		"http_method": req.Method,
		"http_url":    req.URL.String(),
		"duration":    time.Since(start).String(),
	}
	if err != nil {
		fields["error"] = t.scrub(err.Error())
		tflog.Trace(ctx, "HTTP request failed: "+line, fields)
		return nil, err
	}
	fields["http_status"] = resp.StatusCode
	fields["http_response_headers"] = t.headers(resp.Header)
	fields["http_response_body"] = t.peekBody(resp)
	tflog.Trace(ctx, fmt.Sprintf("HTTP response: %s: %d", line, resp.StatusCode), fields)
	return resp, nil
}

// headers renders headers as one string: tflog masks string values only.
func (t *loggingTransport) headers(h http.Header) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(h)) {
		value := strings.Join(h[name], ", ")
		if slices.Contains(sensitiveHeaders, name) {
			value = redacted
		}
		fmt.Fprintf(&b, "%s: %s\n", name, t.scrub(value))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// requestBody reads a copy through GetBody, leaving the request untouched.
// Request bodies are small JSON, so it is scrubbed whole before truncating.
func (t *loggingTransport) requestBody(req *http.Request) string {
	if req.GetBody == nil {
		return ""
	}
	body, err := req.GetBody()
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return truncate(t.scrub(string(b)), logBodyMax)
}

// peekBody reads the start of the response body for the log and puts it
// back in front of the rest, so the caller still reads the whole body and
// meets any read error at the same point.
func (t *loggingTransport) peekBody(resp *http.Response) string {
	peeked, err := io.ReadAll(io.LimitReader(resp.Body, int64(logBodyMax+t.longestSecret+1)))
	rest := io.Reader(resp.Body)
	if err != nil {
		rest = errReader{err}
	}
	resp.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(peeked), rest), Closer: resp.Body}
	return truncate(t.scrub(string(peeked)), logBodyMax)
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type readCloser struct {
	io.Reader
	io.Closer
}
