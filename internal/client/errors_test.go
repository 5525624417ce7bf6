package client

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var allSentinels = map[string]error{
	"ErrNotFound":           ErrNotFound,
	"ErrUnauthorized":       ErrUnauthorized,
	"ErrForbidden":          ErrForbidden,
	"ErrConflict":           ErrConflict,
	"ErrValidation":         ErrValidation,
	"ErrXSRF":               ErrXSRF,
	"ErrServer":             ErrServer,
	"ErrTimeout":            ErrTimeout,
	"ErrOutcomeUnknown":     ErrOutcomeUnknown,
	"ErrUnexpectedResponse": ErrUnexpectedResponse,
	"ErrBadCredentials":     ErrBadCredentials,
	"ErrRateLimited":        ErrRateLimited,
	"ErrRequestTooLarge":    ErrRequestTooLarge,
	"ErrResponseTooLarge":   ErrResponseTooLarge,
}

const proxyPage = `<!DOCTYPE html><html><head><title>
  502 Bad Gateway &amp; friends</title></head><body><h1>nginx internal detail</h1></body></html>`

func TestErrorBodyFamilies(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		header      map[string]string
		is          []string // every other sentinel must not match
		messages    []string
		field       string
	}{
		{
			name: "Status", status: 401, contentType: "application/json",
			body:     `{"status-code":401,"message":"Client must be authenticated to access this resource."}`,
			is:       []string{"ErrUnauthorized"},
			messages: []string{"Client must be authenticated to access this resource."},
		},
		{
			name: "ErrorListEntity", status: 400, contentType: "application/json",
			body:     `{"status":400,"message":["Application name is required.","Another problem"],"fields":["application-name"]}`,
			is:       []string{"ErrValidation"},
			messages: []string{"Application name is required.", "Another problem"},
			field:    "application-name",
		},
		{
			name: "RestErrors", status: 404, contentType: "application/json",
			body:     `{"status":404,"errors":[{"context":"rpcUrl","summary":"No application link found","details":["id 1234"]}]}`,
			is:       []string{"ErrNotFound"},
			messages: []string{"No application link found (id 1234)"},
			field:    "rpcUrl",
		},
		{
			name: "RestErrors with details as one string", status: 403, contentType: "application/json",
			body:     `{"status":403,"errors":[{"summary":"You must be an administrator to perform this operation.","details":"com.atlassian.applinks.internal.common.permission.PermissionException: user"}]}`,
			is:       []string{"ErrForbidden"},
			messages: []string{"You must be an administrator to perform this operation. (com.atlassian.applinks.internal.common.permission.PermissionException: user)"},
		},
		{
			name: "RestErrors without context", status: 409, contentType: "application/json",
			body:     `{"status":409,"errors":[{"summary":"Consumer information unavailable"}]}`,
			is:       []string{"ErrConflict"},
			messages: []string{"Consumer information unavailable"},
		},
		{
			name: "UncaughtException", status: 500, contentType: "application/json",
			body:     `{"status-code":500,"message":"java.lang.NullPointerException","stack-trace":"Please contact your admin passing attached Log's referral number: 5e1c"}`,
			is:       []string{"ErrServer"},
			messages: []string{"java.lang.NullPointerException", "Please contact your admin passing attached Log's referral number: 5e1c"},
		},
		{
			name: "allowlist message", status: 400, contentType: "application/json",
			body:     `{"message":"Adding new application link whitelist rules is not supported, they are managed internally."}`,
			is:       []string{"ErrValidation"},
			messages: []string{"Adding new application link whitelist rules is not supported, they are managed internally."},
		},
		{
			name: "allowlist errors by field", status: 400, contentType: "application/json",
			body:     `{"errors":{"expression":"Unclosed group near index 3"}}`,
			is:       []string{"ErrValidation"},
			messages: []string{"Unclosed group near index 3"},
			field:    "expression",
		},
		{
			name: "XSRF", status: 403, contentType: "text/plain",
			body:     "XSRF check failed",
			is:       []string{"ErrXSRF"},
			messages: []string{"XSRF check failed"},
		},
		{
			name: "forbidden", status: 403, contentType: "application/json",
			body:     `{"status-code":403,"message":"Client must be authenticated as a system administrator to access this resource."}`,
			is:       []string{"ErrForbidden"},
			messages: []string{"Client must be authenticated as a system administrator to access this resource."},
		},
		{
			name: "empty body", status: 409,
			is: []string{"ErrConflict"},
		},
		{
			name: "XML Status", status: 401, contentType: "application/xml",
			body:     `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><status><status-code>401</status-code><message>This resource requires WebSudo.</message></status>`,
			is:       []string{"ErrUnauthorized"},
			messages: []string{"This resource requires WebSudo."},
		},
		{
			name: "plain text", status: 400, contentType: "text/plain",
			body:     "applinks.error.relocate.type",
			is:       []string{"ErrValidation"},
			messages: []string{"applinks.error.relocate.type"},
		},
		{
			name: "unknown JSON shape", status: 400, contentType: "application/json",
			body: `{"reason":"mystery"}`,
			is:   []string{"ErrValidation"},
		},
		{
			name: "HTML 404 from a proxy is not a missing object", status: 404, contentType: "text/html",
			body:     proxyPage,
			is:       []string{"ErrUnexpectedResponse"},
			messages: []string{"502 Bad Gateway & friends"},
		},
		{
			name: "HTML 502", status: 502, contentType: "text/html; charset=utf-8",
			body:     proxyPage,
			is:       []string{"ErrUnexpectedResponse", "ErrServer"},
			messages: []string{"502 Bad Gateway & friends"},
		},
		{
			name: "failed login", status: 401, contentType: "application/json",
			header:   map[string]string{"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
			body:     `{"status-code":401,"message":"Client must be authenticated to access this resource."}`,
			is:       []string{"ErrUnauthorized", "ErrBadCredentials"},
			messages: []string{"Client must be authenticated to access this resource."},
		},
		{
			name: "413 page from the container or a proxy", status: 413, contentType: "text/html",
			body:     `<html><head><title>413 Request Entity Too Large</title></head><body><center>nginx</center></body></html>`,
			is:       []string{"ErrRequestTooLarge"},
			messages: []string{"413 Request Entity Too Large"},
		},
		{
			name: "413 without a body", status: 413,
			is: []string{"ErrRequestTooLarge"},
		},
		{
			name: "rate limited", status: 429, contentType: "application/json",
			body:     `{"message":"Rate limit exceeded."}`,
			is:       []string{"ErrRateLimited"},
			messages: []string{"Rate limit exceeded."},
		},
		{
			name: "truncated JSON", status: 500, contentType: "application/json",
			body: `{"status-code":500,"message":"Somethi`,
			is:   []string{"ErrUnexpectedResponse", "ErrServer"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for name, value := range tc.header {
					w.Header().Set(name, value)
				}
				respond(w, tc.status, tc.contentType, tc.body)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0 })

			err := c.CheckAdmin(t.Context())
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v, want an *APIError", err)
			}
			for name, sentinel := range allSentinels {
				want := contains(tc.is, name)
				if errors.Is(err, sentinel) != want {
					t.Errorf("errors.Is(err, %s) = %v, want %v (error: %v)", name, !want, want, err)
				}
			}
			if apiErr.StatusCode != tc.status || apiErr.Method != "GET" || apiErr.URL != srv.URL+"/rest/applinks/1.0/authenticationinfo" {
				t.Errorf("APIError status/method/URL = %d %s %s", apiErr.StatusCode, apiErr.Method, apiErr.URL)
			}
			if strings.Join(apiErr.Messages, "|") != strings.Join(tc.messages, "|") {
				t.Errorf("Messages = %q, want %q", apiErr.Messages, tc.messages)
			}
			if apiErr.Field != tc.field {
				t.Errorf("Field = %q, want %q", apiErr.Field, tc.field)
			}
			for _, m := range tc.messages {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Error() = %q, does not quote %q", err, m)
				}
			}
			if tc.field != "" && !strings.Contains(err.Error(), `field "`+tc.field+`"`) {
				t.Errorf("Error() = %q, does not name the field", err)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestErrorMessageWording(t *testing.T) {
	cases := map[string]struct {
		status      int
		contentType string
		body        string
		want        []string
		notWant     []string
	}{
		"status and quoted message": {
			status: 400, contentType: "application/json",
			body: `{"status":400,"message":["Name \"x\" is taken"],"fields":["application-name"]}`,
			want: []string{"GET ", "/authenticationinfo: HTTP 400 Bad Request: ", `"Name \"x\" is taken"`, `(field "application-name")`},
		},
		"unknown shape quotes the body": {
			status: 400, contentType: "application/json", body: `{"reason":"mystery"}`,
			want: []string{`HTTP 400 Bad Request: "{\"reason\":\"mystery\"}"`},
		},
		"empty body says so": {
			status: 409,
			want:   []string{"HTTP 409 Conflict (empty body)"},
		},
		"HTML page: title, never the page": {
			status: 502, contentType: "text/html; charset=utf-8", body: proxyPage,
			want:    []string{"expected JSON from GET ", "/authenticationinfo but got text/html; charset=utf-8 (HTTP 502)", `"502 Bad Gateway & friends"`},
			notWant: []string{"nginx internal detail", "<h1>"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				respond(w, tc.status, tc.contentType, tc.body)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0 })
			msg := c.CheckAdmin(t.Context()).Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Error() = %q\nmissing %q", msg, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("Error() = %q\nmust not contain %q", msg, w)
				}
			}
		})
	}
}

func TestUnexpectedSuccessBodies(t *testing.T) {
	cases := map[string]struct {
		contentType string
		body        string
		want        string
		notWant     string
	}{
		"SSO login page": {
			contentType: "text/html;charset=UTF-8",
			body:        `<html><head><title>Log in | Example SSO</title></head><body>form secret-ish markup</body></html>`,
			want:        `but got text/html;charset=UTF-8 (HTTP 200), a page titled "Log in | Example SSO"`,
			notWant:     "secret-ish",
		},
		"truncated JSON": {
			contentType: "application/json",
			body:        `{"id":"abc","name":"Jir`,
			want:        "but got application/json (HTTP 200): unexpected end of JSON input",
		},
		"empty body": {
			contentType: "application/json",
			want:        "but got application/json (HTTP 200), an empty body",
		},
		"no content type": {
			body: "OK",
			want: "but got no content type (HTTP 200)",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType == "" {
					w.Header()["Content-Type"] = nil // stop net/http from sniffing one
				}
				respond(w, 200, tc.contentType, tc.body)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, nil)
			_, err := c.GetManifest(t.Context())
			if !errors.Is(err, ErrUnexpectedResponse) {
				t.Fatalf("error = %v, want ErrUnexpectedResponse", err)
			}
			want := "expected JSON from GET " + srv.URL + "/rest/applinks/1.0/manifest " + tc.want
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("Error() = %q\nwant it to contain %q", err, want)
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Fatalf("Error() = %q quotes the page", err)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	var size int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A valid JSON array of exactly size bytes.
		respond(w, 200, "application/json", `["`+strings.Repeat("a", size-4)+`"]`)
	}))
	defer srv.Close()
	c, waits := newTestClient(t, srv.URL, nil)
	c.maxBody = limit

	size = limit
	if _, err := c.Capabilities(t.Context()); err != nil {
		t.Fatalf("a body of exactly the limit must be read: %v", err)
	}

	size = limit + 1
	_, err := c.Capabilities(t.Context())
	if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "larger than the 1024-byte limit") {
		t.Fatalf("error = %v, want ErrUnexpectedResponse naming the limit", err)
	}
	if len(*waits) != 0 {
		t.Fatalf("an oversized body was retried %d times", len(*waits))
	}
}

func TestAPIErrorBodyIsTruncatedAndScrubbed(t *testing.T) {
	body := `{"status-code":400,"message":"bad credentials ` + testPassword + `","password":"remote-admin-pw","pad":"` +
		strings.Repeat("x", 10000) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 400, "application/json", body)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.CheckAdmin(t.Context())
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v", err)
	}
	if len(apiErr.Body) > maxErrorBody+len("…(truncated)") || !strings.HasSuffix(apiErr.Body, "…(truncated)") {
		t.Fatalf("Body has %d bytes, want it truncated near %d", len(apiErr.Body), maxErrorBody)
	}
	for _, secret := range []string{testPassword, "remote-admin-pw"} {
		if strings.Contains(apiErr.Body, secret) || strings.Contains(err.Error(), secret) {
			t.Fatalf("error leaks %q: %v / %s", secret, err, apiErr.Body)
		}
	}
	if !strings.Contains(err.Error(), "bad credentials [redacted]") {
		t.Fatalf("Error() = %q, want the message with the password redacted", err)
	}
}

// A message cut short at the limit must not keep the start of a secret:
// secrets are removed before messages are shortened.
func TestLongMessageNeverKeepsPartOfASecret(t *testing.T) {
	for offset := maxErrorMessage - len(testPassword); offset <= maxErrorMessage; offset++ {
		message := strings.Repeat("x", offset) + testPassword + " tail"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			respond(w, 400, "application/json", `{"message":"`+message+`"}`)
		}))
		c, _ := newTestClient(t, srv.URL, nil)
		err := c.CheckAdmin(t.Context())
		srv.Close()
		if strings.Contains(err.Error(), testPassword[:len(testPassword)/2]) {
			t.Fatalf("offset %d: Error() keeps part of the password: %v", offset, err)
		}
	}
}

// Many messages are quoted up to a bound, so the error text stays short.
func TestManyMessagesAreBounded(t *testing.T) {
	list := `"` + strings.Repeat(strings.Repeat("m", 400)+`","`, 5000) + `last"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 400, "application/json", `{"status":400,"message":[`+list+`]}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	err := c.CheckAdmin(t.Context())
	if n := len(err.Error()); n > maxMessages*(maxErrorMessage+20)+500 || !strings.Contains(err.Error(), "(and 4991 more)") {
		t.Fatalf("Error() has %d bytes: %.300s", n, err)
	}
}

func TestRequestTooLargeWording(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(w, 413, "text/html", `<html><head><title>413 Request Entity Too Large</title></head></html>`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.CreateAllowlistRule(t.Context(), AllowlistRuleInput{Expression: new(string)})
	want := `HTTP 413 Request Entity Too Large: the instance, or a proxy in front of it, refused the request body (`
	if !errors.Is(err, ErrRequestTooLarge) || errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), `bytes) as too large: "413 Request Entity Too Large"`) {
		t.Fatalf("error = %v", err)
	}
}

func TestTruncatedResponseWording(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"id":"abc",`))
		if flusher, ok := w.(http.Flusher); ok {
			flusher.Flush()
		}
		panic(http.ErrAbortHandler)
	}))
	srv.Start()
	defer srv.Close()
	c, waits := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 1 })
	_, err := c.GetManifest(t.Context())
	want := "response body (HTTP 200, application/json) ended after 12 bytes of the 100 it announced (unexpected EOF): " +
		"the connection was cut, or a proxy in front of the instance dropped the rest of the answer (after 2 attempts)"
	if !errors.Is(err, ErrUnexpectedResponse) || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("error = %v\nwant it to end with %q", err, want)
	}
	if len(*waits) != 1 {
		t.Errorf("a GET cut short was retried %d times, want 1", len(*waits))
	}
}
