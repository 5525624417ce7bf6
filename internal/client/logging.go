package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

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

// logContext masks the credentials in everything logged with the returned
// context, behind the explicit redaction of headers and bodies, so a message
// that quotes them by accident still does not leak them.
func (c *Client) logContext(ctx context.Context) context.Context {
	if len(c.secrets) == 0 {
		return ctx // masking an empty string would mangle every log line
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, c.secrets...)
	return tflog.MaskMessageStrings(ctx, c.secrets...)
}

// scrub removes credentials and secret-looking JSON values from text that
// leaves the client in a log line or an error.
func (c *Client) scrub(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return secretJSONValue.ReplaceAllString(s, `${1}"`+redacted+`"`)
}

func (c *Client) scrubAll(values []string) []string {
	for i, v := range values {
		values[i] = c.scrub(v)
	}
	return values
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
