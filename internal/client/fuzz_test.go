package client

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// maxErrorText bounds Error() whatever the body: at most maxMessages
// messages of maxErrorMessage bytes, each at most four times longer once
// quoted, plus the fixed words, the URL, a title and a parser's message.
const maxErrorText = 32 << 10

// FuzzParseErrorBody feeds the error-body parsing every shape the products
// write (the four REST families, the allowlist's, XML, the XSRF string) and
// what proxies write instead (HTML, truncated JSON, anything). Properties:
// it never panics; Error() never holds a credential and stays bounded; the
// typed error agrees with the status and the kind of body.
func FuzzParseErrorBody(f *testing.F) {
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))
	seeds := []struct {
		status      int
		contentType string
		body        string
	}{
		{401, "application/json", `{"status-code":401,"message":"Client must be authenticated to access this resource."}`},
		{400, "application/json", `{"status":400,"message":["Application name is required.","Another"],"fields":["application-name"]}`},
		{404, "application/json", `{"status":404,"errors":[{"context":"rpcUrl","summary":"No link","details":["id 1"]}]}`},
		{403, "application/json", `{"status":403,"errors":[{"summary":"You must be an administrator.","details":"PermissionException: x"}]}`},
		{500, "application/json", `{"status-code":500,"message":"java.lang.NullPointerException","stack-trace":"referral number: 5e1c"}`},
		{400, "application/json", `{"errors":{"expression":"Unclosed group near index 3"}}`},
		{400, "application/json", `{"message":"bad credentials ` + testPassword + `","password":"remote-admin-pw"}`},
		{400, "application/json", `{"message":["` + strings.Repeat("x", 495) + testPassword + `"]}`},
		{403, "text/plain", "XSRF check failed"},
		{401, "application/xml", `<?xml version="1.0"?><status><status-code>401</status-code><message>This resource requires WebSudo.</message></status>`},
		{400, "application/xml", `<error status="400"><message>` + testPassword + `</message><fields>name</fields></error>`},
		{400, "application/xml", `<` + testPassword + `></x>`},
		{502, "text/html", `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`},
		{404, "text/html", `<html><title>` + testPassword + ` &amp; ` + basic + `</title></html>`},
		{413, "text/html", `<html><head><title>413 Request Entity Too Large</title></head></html>`},
		{429, "application/json", `{"message":"Rate limit exceeded."}`},
		{500, "application/json", `{"status-code":500,"message":"Somethi`},
		{400, "text/plain", "applinks.error.relocate.type"},
		{409, "", ""},
		{404, "text/html;charset=UTF-8", ""},
		{302, "", ""},
		{400, "application/json", `[1,2,3]`},
		{400, "application/json", `{"message":{"nested":true},"errors":[{"details":[1]}]}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.contentType, s.body)
	}
	c, err := New(Config{BaseURL: "https://jira.example.com", Username: testUser, Password: testPassword})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		if status < 300 || status > 599 {
			status = 300 + (status%300+300)%300
		}
		res := attemptResult{status: status, header: http.Header{"Content-Type": {contentType}}, body: []byte(body)}
		err := c.newAPIError(http.MethodGet, "https://jira.example.com/rest/applinks/1.0/x", res)
		text := err.Error()
		for _, secret := range []string{testPassword, basic} {
			if strings.Contains(text, secret) || strings.Contains(err.Body, secret) {
				t.Fatalf("error holds a credential: %q", text)
			}
		}
		if len(text) > maxErrorText {
			t.Fatalf("Error() has %d bytes", len(text))
		}
		for _, m := range err.Messages {
			if len(m) > maxErrorMessage+len("…(truncated)") {
				t.Fatalf("a message has %d bytes", len(m))
			}
		}

		unexpected := errors.Is(err, ErrUnexpectedResponse)
		sentinel, hasSentinel := statusSentinels[status]
		switch {
		case status < 400:
			if !unexpected {
				t.Fatalf("HTTP %d is not an unexpected response: %v", status, err)
			}
		case errors.Is(err, ErrXSRF):
			if status != http.StatusForbidden || unexpected || errors.Is(err, ErrForbidden) {
				t.Fatalf("XSRF error is inconsistent: HTTP %d, %v", status, err)
			}
		case status == http.StatusRequestEntityTooLarge:
			if !errors.Is(err, ErrRequestTooLarge) || unexpected {
				t.Fatalf("HTTP 413 is not ErrRequestTooLarge: %v", err)
			}
		case unexpected:
			// Not the product speaking: no status sentinel may match, so a
			// proxy's 404 page never reads as a deleted object.
			if hasSentinel && errors.Is(err, sentinel) {
				t.Fatalf("an unexpected body matches %v: %v", sentinel, err)
			}
		case hasSentinel && !errors.Is(err, sentinel):
			t.Fatalf("HTTP %d from the product does not match %v: %v", status, sentinel, err)
		}
		if isHTML(contentType, strings.TrimSpace(body)+" ") && status != http.StatusRequestEntityTooLarge && !unexpected {
			t.Fatalf("an HTML page is taken for the product's answer: %v", err)
		}
		if errors.Is(err, ErrServer) != (status >= 500) {
			t.Fatalf("ErrServer disagrees with HTTP %d", status)
		}
	})
}
