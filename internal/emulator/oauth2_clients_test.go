package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

var jsonHeaders = map[string]string{"Content-Type": "application/json", "Accept": "application/json"}

// createTestOAuth2Client registers a client as admin and returns it.
func createTestOAuth2Client(t *testing.T, base, body string) oauth2ClientEntity {
	t.Helper()
	resp, out := send(t, base, testRequest{method: http.MethodPost, path: "/rest/oauth2/latest/client", user: "admin", body: body, headers: jsonHeaders})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST client: status %d body %s", resp.StatusCode, out)
	}
	var c oauth2ClientEntity
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOAuth2ClientLifecycle(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["https://ci.example.com/cb"],"scope":"WRITE"}`)
	if len(c.ClientID) != 32 || len(c.ClientSecret) != 64 || c.UserKey != "admin" || c.Scope != "WRITE" {
		t.Fatalf("created %+v", c)
	}

	resp, body := send(t, base, testRequest{path: "/rest/oauth2/latest/client/" + c.ID, user: "admin", headers: jsonHeaders})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.ClientSecret) {
		t.Errorf("GET: status %d body %s, want the secret readable again", resp.StatusCode, body)
	}
	resp, body = send(t, base, testRequest{method: http.MethodPut, path: "/rest/oauth2/latest/client/" + c.ID, user: "admin",
		body: `{"name":"CI 2","redirects":["https://ci.example.com/cb2"],"scope":"READ"}`, headers: jsonHeaders})
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("PUT: status %d body %q, want 204", resp.StatusCode, body)
	}
	resp, body = send(t, base, testRequest{method: http.MethodPut, path: "/rest/oauth2/latest/client/reset/" + c.ClientID, user: "admin", headers: jsonHeaders})
	var reset oauth2ClientEntity
	_ = json.Unmarshal([]byte(body), &reset)
	if resp.StatusCode != http.StatusOK || reset.ClientID != c.ClientID || reset.ClientSecret == c.ClientSecret || reset.Name != "CI 2" {
		t.Errorf("reset: status %d %+v, want the same client id with a new secret", resp.StatusCode, reset)
	}
	resp, _ = send(t, base, testRequest{method: http.MethodDelete, path: "/rest/oauth2/latest/client/" + c.ID, user: "admin", headers: jsonHeaders})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("DELETE: status %d, want 200", resp.StatusCode)
	}
	resp, _ = send(t, base, testRequest{path: "/rest/oauth2/latest/client/" + c.ID, user: "admin", headers: jsonHeaders})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET after delete: status %d, want 404", resp.StatusCode)
	}
}

func TestOAuth2ClientIsForSystemAdministrators(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	resp, body := send(t, srv.Instance("jira").URL(), testRequest{path: "/rest/oauth2/latest/client", user: "manager", headers: jsonHeaders})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, msgSysadminRequired) {
		t.Errorf("administrator: status %d body %s, want the sysadmin 403", resp.StatusCode, body)
	}
}

func TestOAuth2ClientValidation(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	createTestOAuth2Client(t, base, `{"name":"Taken","redirects":["https://a.example.com/cb"],"scope":"READ"}`)
	cases := []struct{ name, body, context, text string }{
		{"blank name", `{"name":" ","redirects":["https://a.example.com"],"scope":"READ"}`, "name", msgOAuth2ClientNameRequired},
		{"duplicate name", `{"name":"Taken","redirects":["https://a.example.com"],"scope":"READ"}`, "name", msgOAuth2ClientNameTaken},
		{"no redirect", `{"name":"x","redirects":[],"scope":"READ"}`, "redirects", msgOAuth2RedirectRequired},
		{"relative redirect", `{"name":"x","redirects":["/cb"],"scope":"READ"}`, "redirects", msgOAuth2RedirectInvalid},
		{"http redirect", `{"name":"x","redirects":["http://a.example.com/cb"],"scope":"READ"}`, "redirects", propertySkipRedirectURLHTTPS},
		{"unknown scope", `{"name":"x","redirects":["https://a.example.com"],"scope":"ALL"}`, "scope", msgOAuth2ScopeInvalid},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, base, testRequest{method: http.MethodPost, path: "/rest/oauth2/latest/client", user: "admin", body: tt.body, headers: jsonHeaders})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"context":"`+tt.context+`"`) || !strings.Contains(body, tt.text) {
				t.Errorf("status %d body %s", resp.StatusCode, body)
			}
		})
	}
	var count int
	srv.Instance("jira").store.View(func(st *state) { count = len(st.OAuth2.Clients) })
	if count != 1 {
		t.Errorf("%d clients stored, want only the first", count)
	}
}

func TestOAuth2ClientHTTPRedirectAllowedByProperty(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipRedirectURLHTTPS: true}, nil, loopback("jira", "jira"))
	createTestOAuth2Client(t, srv.Instance("jira").URL(), `{"name":"dev","redirects":["http://localhost:8080/cb"],"scope":"READ"}`)
}
