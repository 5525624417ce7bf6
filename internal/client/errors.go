package client

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinels for errors.Is. The status ones match an *APIError only when the
// product itself said so: an HTML 404 from a proxy is ErrUnexpectedResponse,
// never ErrNotFound, so a wrong base URL cannot look like a deleted object.
var (
	ErrNotFound     = errors.New("not found")                                 // 404
	ErrUnauthorized = errors.New("not authenticated or not an administrator") // 401
	ErrForbidden    = errors.New("forbidden")                                 // 403
	ErrConflict     = errors.New("conflict")                                  // 409
	ErrValidation   = errors.New("rejected as invalid")                       // 400
	ErrServer       = errors.New("server error")                              // 5xx

	// ErrXSRF is a 403 from the product's XSRF filter, which calls for a
	// different fix (a proxy stripping X-Atlassian-Token) than a missing
	// permission, so it does not match ErrForbidden.
	ErrXSRF = errors.New("XSRF check failed")

	// ErrTimeout: the server did not answer within the request timeout.
	ErrTimeout = errors.New("timed out")

	// ErrOutcomeUnknown wraps the failure of a non-idempotent call (a create)
	// that may have been carried out: look the object up before repeating.
	ErrOutcomeUnknown = errors.New("outcome unknown")

	// ErrCreateConflict: after a create whose outcome is unknown, the
	// instance holds an object like the one asked for that nothing shows
	// this create made. The products have no idempotency keys, so another
	// client (a second Terraform workspace, a person) may have made it at
	// the same moment: it must be neither adopted nor deleted.
	ErrCreateConflict = errors.New("an object like the one being created exists, but this create cannot be shown to have made it")

	// ErrUnexpectedResponse: the answer is not the product's API speaking,
	// e.g. an HTML page from a proxy, a truncated body or a redirect.
	ErrUnexpectedResponse = errors.New("unexpected response")

	// ErrBadCredentials is a 401 the login itself failed with (Seraph's
	// X-Seraph-LoginReason), as opposed to a user who logged in but is not
	// an administrator. It also matches ErrUnauthorized.
	ErrBadCredentials = errors.New("credentials refused")

	// ErrRateLimited is a 429 that outlasted the retries.
	ErrRateLimited = errors.New("rate limited")

	// ErrRequestTooLarge is a 413: the instance, or a proxy in front of it,
	// refused the request body as too large.
	ErrRequestTooLarge = errors.New("request body too large")

	// ErrResponseTooLarge: the answer was larger than the client reads. It
	// also matches ErrUnexpectedResponse.
	ErrResponseTooLarge = errors.New("response body too large")
)

// loginFailureReasons are the X-Seraph-LoginReason values of a failed login
// (AUTHENTICATION_DENIED: too many failures, a CAPTCHA is required).
var loginFailureReasons = []string{"AUTHENTICATED_FAILED", "AUTHENTICATION_DENIED"}

var statusSentinels = map[int]error{
	http.StatusBadRequest:      ErrValidation,
	http.StatusUnauthorized:    ErrUnauthorized,
	http.StatusForbidden:       ErrForbidden,
	http.StatusNotFound:        ErrNotFound,
	http.StatusConflict:        ErrConflict,
	http.StatusTooManyRequests: ErrRateLimited,
}

const (
	xsrfFailure     = "XSRF check failed"
	maxErrorBody    = 2 << 10
	maxErrorMessage = 500
	maxTitle        = 200
	// maxMessages bounds how many of the server's messages an error quotes,
	// so an error list of any length gives an error text of bounded size.
	maxMessages = 10
)

type errorKind int

const (
	kindStatus           errorKind = iota // an error status with a body the product wrote
	kindXSRF                              // the XSRF filter's plain-text 403
	kindNotJSON                           // a body that is not the product's JSON
	kindRedirect                          // a 3xx, which is never followed
	kindUnexpectedStatus                  // a status the call does not accept
	kindTooLarge                          // a body over the read limit
	kindTruncated                         // a body that ended before its Content-Length
	kindRequestTooLarge                   // a 413 for the request's body
)

// APIError is an answer the call could not use. Messages hold the server's
// own words; Field names the offending input when the server says which.
type APIError struct {
	StatusCode int
	Method     string
	URL        string
	Messages   []string
	Field      string
	Body       string // truncated, with credentials removed

	kind        errorKind
	loginFailed bool // the 401 carries Seraph's failed-login reason
	contentType string
	detail      string // what the kind needs to explain itself
	cause       error
}

func (e *APIError) Error() string {
	switch e.kind {
	case kindNotJSON:
		return fmt.Sprintf("expected JSON from %s %s but got %s (HTTP %d)%s",
			e.Method, e.URL, orNone(e.contentType), e.StatusCode, e.detail)
	case kindRedirect:
		return fmt.Sprintf("%s %s was redirected (HTTP %d) to %q: the base URL must be the product's own address, not one that redirects",
			e.Method, e.URL, e.StatusCode, e.detail)
	case kindUnexpectedStatus:
		return fmt.Sprintf("%s %s: unexpected HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	case kindTooLarge:
		return fmt.Sprintf("%s %s: response body (HTTP %d, %s) is larger than the %s-byte limit; not read",
			e.Method, e.URL, e.StatusCode, orNone(e.contentType), e.detail)
	case kindTruncated:
		return fmt.Sprintf("%s %s: response body (HTTP %d, %s) ended %s: the connection was cut, or a proxy in front "+
			"of the instance dropped the rest of the answer", e.Method, e.URL, e.StatusCode, orNone(e.contentType), e.detail)
	case kindRequestTooLarge:
		return fmt.Sprintf("%s %s: HTTP 413 Request Entity Too Large: the instance, or a proxy in front of it, refused "+
			"the request body (%s) as too large%s", e.Method, e.URL, e.detail, e.said())
	}
	return fmt.Sprintf("%s %s: HTTP %d %s%s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode), e.said())
}

// said quotes the server, or the start of its body when no message was found.
func (e *APIError) said() string {
	var b strings.Builder
	switch {
	case len(e.Messages) > 0:
		quoted := make([]string, 0, min(len(e.Messages), maxMessages))
		for _, m := range e.Messages[:min(len(e.Messages), maxMessages)] {
			quoted = append(quoted, strconv.Quote(m))
		}
		b.WriteString(": " + strings.Join(quoted, "; "))
		if more := len(e.Messages) - maxMessages; more > 0 {
			fmt.Fprintf(&b, " (and %d more)", more)
		}
	case e.Body != "":
		b.WriteString(": " + strconv.Quote(truncate(e.Body, maxTitle)))
	default:
		b.WriteString(" (empty body)")
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %q)", truncate(e.Field, maxTitle))
	}
	return b.String()
}

func (e *APIError) Is(target error) bool {
	switch target {
	case ErrServer:
		return e.StatusCode >= 500
	case ErrXSRF:
		return e.kind == kindXSRF
	case ErrUnexpectedResponse:
		return e.kind != kindStatus && e.kind != kindXSRF && e.kind != kindRequestTooLarge
	case ErrResponseTooLarge:
		return e.kind == kindTooLarge
	case ErrRequestTooLarge:
		return e.kind == kindRequestTooLarge
	case ErrBadCredentials:
		return e.kind == kindStatus && e.loginFailed
	}
	return e.kind == kindStatus && statusSentinels[e.StatusCode] == target
}

func (e *APIError) Unwrap() error { return e.cause }

func orNone(contentType string) string {
	if contentType == "" {
		return "no content type"
	}
	return contentType
}

// answerError holds what every error about an answer carries.
func (c *Client) answerError(method, u string, res attemptResult, kind errorKind) *APIError {
	return &APIError{
		StatusCode:  res.status,
		Method:      method,
		URL:         u,
		Body:        truncate(c.scrub(string(res.body)), maxErrorBody),
		kind:        kind,
		contentType: res.header.Get("Content-Type"),
	}
}

// newAPIError explains a status the call does not accept.
func (c *Client) newAPIError(method, u string, res attemptResult) *APIError {
	e := c.answerError(method, u, res, kindStatus)
	text := strings.TrimSpace(string(res.body))
	switch {
	case res.status >= 300 && res.status < 400:
		e.kind, e.detail = kindRedirect, res.header.Get("Location")
	case res.status < 300:
		e.kind = kindUnexpectedStatus
	case res.status == http.StatusForbidden && text == xsrfFailure:
		e.kind, e.Messages = kindXSRF, []string{xsrfFailure}
	case res.status == http.StatusRequestEntityTooLarge:
		// Whoever refused (the container, or a proxy's HTML page), the fix
		// is the same; quote its words when it gave some.
		e.kind, e.detail = kindRequestTooLarge, strconv.Itoa(res.requestBytes)+" bytes"
		if messages, field, err := errorDetails(e.contentType, text); err == nil {
			e.Messages, e.Field = c.serverWords(messages), truncate(c.scrub(field), maxTitle)
		} else if title := htmlTitle(string(res.body)); title != "" {
			e.Messages = []string{truncate(c.scrub(title), maxTitle)}
		}
	default:
		messages, field, err := errorDetails(e.contentType, text)
		if err != nil {
			return c.notJSONError(method, u, res, err)
		}
		e.Messages, e.Field = c.serverWords(messages), truncate(c.scrub(field), maxTitle)
		e.loginFailed = res.status == http.StatusUnauthorized &&
			slices.Contains(loginFailureReasons, strings.ToUpper(res.header.Get("X-Seraph-LoginReason")))
	}
	return e
}

// notJSONError reports a body that is not the product's JSON, quoting an
// HTML page's title (a proxy's or SSO's own words) but never the page.
func (c *Client) notJSONError(method, u string, res attemptResult, cause error) *APIError {
	e := c.answerError(method, u, res, kindNotJSON)
	switch title := htmlTitle(string(res.body)); {
	case title != "":
		e.Messages = []string{truncate(c.scrub(title), maxTitle)}
		e.detail = fmt.Sprintf(", a page titled %q", e.Messages[0])
	case strings.TrimSpace(string(res.body)) == "":
		e.detail = ", an empty body"
	case cause != nil:
		e.cause = cause
		// A parser's message can quote the body (XML element names), so
		// it is scrubbed and bounded like the body itself.
		e.detail = ": " + truncate(c.scrub(cause.Error()), maxErrorMessage)
	}
	return e
}

// errNotProductBody marks an HTML page: never the product's REST layer.
var errNotProductBody = errors.New("HTML page")

// errorDetails extracts the server's words from an error body in each shape
// these APIs use (design/api.md §1.5 and §8). It fails for bodies the product's
// REST layer would not write, such as HTML or malformed JSON.
func errorDetails(contentType, text string) (messages []string, field string, err error) {
	switch {
	case isHTML(contentType, text):
		// Even an empty one: the product's REST layer never answers HTML,
		// so a proxy's empty 404 must not read as a deleted object.
		return nil, "", errNotProductBody
	case text == "":
		return nil, "", nil
	case text[0] == '{' || text[0] == '[':
		return fromJSON(text)
	case strings.Contains(contentType, "xml") || text[0] == '<':
		return fromXML(text)
	}
	// Some resources answer with a bare string, e.g. relocation's type error.
	return []string{text}, "", nil
}

// jsonErrorBody is the union of the four REST families and the allowlist's
// ad-hoc shapes. Each field stays raw because its type differs by family.
type jsonErrorBody struct {
	Message    json.RawMessage `json:"message"`     // string, or a list in ErrorListEntity
	Fields     json.RawMessage `json:"fields"`      // ErrorListEntity form fields
	Errors     json.RawMessage `json:"errors"`      // RestErrors list, or the allowlist's {field: message}
	StackTrace json.RawMessage `json:"stack-trace"` // UncaughtException: the log referral number
}

type restError struct {
	Context string `json:"context"`
	Summary string `json:"summary"`
	// Details is a list in the reference's RestErrors, but some services
	// put a single exception text there, so both shapes are read.
	Details json.RawMessage `json:"details"`
}

func fromJSON(text string) ([]string, string, error) {
	var b jsonErrorBody
	if err := json.Unmarshal([]byte(text), &b); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, "", nil // valid JSON of another shape: Error() quotes the body
		}
		return nil, "", err
	}
	messages := slices.Concat(stringsOf(b.Message), stringsOf(b.StackTrace))
	fields := stringsOf(b.Fields)
	more, field := fromErrors(b.Errors)
	messages = append(messages, more...)
	if field == "" && len(fields) > 0 {
		field = fields[0]
	}
	return messages, field, nil
}

// fromErrors reads "errors" as RestErrors' list, whose context names the
// field, or as the allowlist's object, whose key does.
func fromErrors(raw json.RawMessage) (messages []string, field string) {
	var list []restError
	if json.Unmarshal(raw, &list) == nil {
		for _, e := range list {
			messages = append(messages, restErrorText(e))
			if field == "" {
				field = e.Context
			}
		}
		return messages, field
	}
	var byField map[string]json.RawMessage
	if json.Unmarshal(raw, &byField) == nil {
		keys := slices.Sorted(maps.Keys(byField))
		for _, k := range keys {
			messages = append(messages, stringsOf(byField[k])...)
		}
		if len(keys) > 0 {
			field = keys[0]
		}
	}
	return messages, field
}

func restErrorText(e restError) string {
	details := strings.Join(stringsOf(e.Details), "; ")
	switch {
	case e.Summary == "":
		return details
	case details == "":
		return e.Summary
	}
	return e.Summary + " (" + details + ")"
}

// stringsOf reads a JSON string or list of strings; anything else is none.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return nonEmpty([]string{one})
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return nonEmpty(many)
	}
	return nil
}

// xmlErrorBody reads the Status and ErrorListEntity families as served to
// clients that did not ask for JSON.
type xmlErrorBody struct {
	Messages []string `xml:"message"`
	Fields   []string `xml:"fields"`
}

func fromXML(text string) ([]string, string, error) {
	var b xmlErrorBody
	if err := xml.Unmarshal([]byte(text), &b); err != nil {
		return nil, "", err
	}
	field := ""
	if len(b.Fields) > 0 {
		field = b.Fields[0]
	}
	return nonEmpty(b.Messages), field, nil
}

func isHTML(contentType, text string) bool {
	lower := strings.ToLower(text[:min(len(text), 64)])
	return strings.Contains(contentType, "html") ||
		strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html")
}

var titlePattern = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func htmlTitle(page string) string {
	m := titlePattern.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(m[1])), " ")
}

func nonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// serverWords makes the messages a server sent fit for an error: secrets
// removed first, so that cutting a long message short can never leave the
// start of a secret behind, then each message bounded.
func (c *Client) serverWords(messages []string) []string {
	for i, m := range messages {
		messages[i] = truncate(c.scrub(m), maxErrorMessage)
	}
	return messages
}

// truncate cuts s to at most n bytes without splitting a character and says
// that it did.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(truncated)"
}
