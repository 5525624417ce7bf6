package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestPutBaseURL(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	listening := jira.URL()
	put := func(user, body string, headers map[string]string) (*http.Response, string) {
		if headers == nil {
			headers = map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
		}
		return send(t, listening, testRequest{method: http.MethodPut, path: "/rest/api/2/settings/baseUrl", user: user, body: body, headers: headers})
	}

	refusals := []struct {
		name       string
		user, body string
		headers    map[string]string
		wantStatus int
		wantBody   string
	}{
		{name: "anonymous", body: `"https://jira.example.com"`, wantStatus: http.StatusUnauthorized, wantBody: jsonAuthRequired},
		{
			name: "administrator who is not sysadmin", user: "manager", body: `"https://jira.example.com"`,
			wantStatus: http.StatusForbidden,
			wantBody:   `{"status-code":403,"message":"Client must be authenticated as a system administrator to access this resource."}`,
		},
		{
			name: "not a JSON string", user: "admin", body: `https://jira.example.com`,
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"errorMessages":["The base URL must be an absolute http or https URL."],"errors":{}}`,
		},
		{
			name: "relative URL", user: "admin", body: `"/jira"`,
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"errorMessages":["The base URL must be an absolute http or https URL."],"errors":{}}`,
		},
		{
			name: "other scheme", user: "admin", body: `"ftp://jira.example.com"`,
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"errorMessages":["The base URL must be an absolute http or https URL."],"errors":{}}`,
		},
		{
			name: "text body", user: "admin", body: `"https://jira.example.com"`,
			headers:    map[string]string{"Content-Type": "text/plain"},
			wantStatus: http.StatusUnsupportedMediaType,
		},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := put(tt.user, tt.body, tt.headers)
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("status %d body %q; want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if jira.URL() != listening {
				t.Errorf("URL changed to %q by a refused request", jira.URL())
			}
		})
	}

	resp, body := put("admin", `"https://jira.example.com/jira/"`, nil)
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Fatalf("status %d body %q, want 204 and no body", resp.StatusCode, body)
	}
	const moved = "https://jira.example.com/jira"
	if jira.URL() != moved {
		t.Errorf("URL() = %q, want %q", jira.URL(), moved)
	}
	_, manifest := send(t, listening, testRequest{path: "/rest/applinks/1.0/manifest", headers: acceptJSON})
	if !strings.Contains(manifest, `"url":"`+moved+`","iconUrl":"`+moved+`/s/`) {
		t.Errorf("manifest does not report the new base URL: %s", manifest)
	}
	_, consumer := send(t, listening, testRequest{path: "/plugins/servlet/oauth/consumer-info"})
	if !strings.Contains(consumer, "<description>Atlassian Jira at "+moved+"</description>") {
		t.Errorf("consumer info does not report the new base URL: %s", consumer)
	}
}

func TestBaseURLOverrideIsPersisted(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(Options{DataDir: dir}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := send(t, first.Instance("jira").URL(), testRequest{
		method: http.MethodPut, path: "/rest/api/2/settings/baseUrl", user: "admin",
		body: `"http://jira.internal:8080"`, headers: map[string]string{"Content-Type": "application/json"},
	})
	first.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT status %d", resp.StatusCode)
	}
	second := startTestServer(t, Options{DataDir: dir}, nil, loopback("jira", "jira"))
	if got := second.Instance("jira").URL(); got != "http://jira.internal:8080" {
		t.Errorf("URL() after restart = %q", got)
	}
}
