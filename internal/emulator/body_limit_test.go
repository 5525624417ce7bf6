package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// allowlistRuleOfSize is a create request for an allowlist rule of exactly
// size bytes. The padding comes first, so a handler that saw a truncated
// body would miss the rule itself and answer 400.
func allowlistRuleOfSize(t *testing.T, size int) []byte {
	t.Helper()
	rule := `{"expression":"https://padded.example.com","type":"whitelist.domain.name"}`
	if size < len(rule) {
		t.Fatalf("size %d is below the rule's own %d bytes", size, len(rule))
	}
	return []byte(strings.Repeat(" ", size-len(rule)) + rule)
}

// onlyReader hides bytes.Reader's Len, so http.NewRequest cannot learn the
// length and the request goes out chunked.
type onlyReader struct{ io.Reader }

func TestRequestBodyLimit(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()

	tests := []struct {
		name    string
		size    int
		chunked bool
		want    int
	}{
		{name: "at the limit", size: maxRequestBody, want: http.StatusOK},
		{name: "one byte over", size: maxRequestBody + 1, want: http.StatusRequestEntityTooLarge},
		{name: "far over", size: 3 * maxRequestBody, want: http.StatusRequestEntityTooLarge},
		{name: "chunked at the limit", size: maxRequestBody, chunked: true, want: http.StatusOK},
		{name: "chunked one byte over", size: maxRequestBody + 1, chunked: true, want: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(allowlistRuleOfSize(t, tt.size))
			if tt.chunked {
				body = onlyReader{body}
			}
			req, err := http.NewRequest(http.MethodPost, base+"/rest/whitelist/latest/", body)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("admin", "admin")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			if tt.chunked != (req.ContentLength <= 0) {
				t.Fatalf("ContentLength %d, want chunked=%t", req.ContentLength, tt.chunked)
			}
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tt.want, data)
			}
			if tt.want == http.StatusRequestEntityTooLarge {
				// Refused by the container, before any REST layer.
				if ct := resp.Header.Get("Content-Type"); ct != contentTypeHTML ||
					!strings.Contains(string(data), "<title>HTTP Status 413 – Request Entity Too Large</title>") {
					t.Errorf("413 answered with %q: %.300s", ct, data)
				}
			} else if !strings.Contains(string(data), `"expression":"https://padded.example.com"`) {
				t.Errorf("the handler did not see the whole body: %.300s", data)
			}

			// The instance still answers, on a new connection or a reused one.
			resp, manifest := send(t, base, testRequest{path: "/rest/applinks/1.0/manifest", headers: map[string]string{"Accept": "application/json"}})
			if resp.StatusCode != http.StatusOK || !strings.Contains(manifest, `"typeId":"jira"`) {
				t.Errorf("after the request the manifest answers %d: %.200s", resp.StatusCode, manifest)
			}
		})
	}
}

// A refused body leaves nothing behind: the rule was not created.
func TestRequestBodyLimitCreatesNothing(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	req, err := http.NewRequest(http.MethodPost, base+"/rest/whitelist/latest/", bytes.NewReader(allowlistRuleOfSize(t, maxRequestBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, list := send(t, base, testRequest{path: "/rest/whitelist/latest/", user: "admin", headers: map[string]string{"Accept": "application/json"}})
	if strings.Contains(list, "padded.example.com") {
		t.Errorf("a refused request created a rule: %s", list)
	}
}
