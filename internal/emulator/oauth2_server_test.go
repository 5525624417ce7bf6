package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testRedirect = "https://ci.example.com/cb"

// authorize runs the authorize step as user and returns the redirect's
// query.
func authorize(t *testing.T, base, user string, params url.Values) (*http.Response, url.Values) {
	t.Helper()
	resp, body := send(t, base, testRequest{path: "/rest/oauth2/latest/authorize?" + params.Encode(), user: user})
	if resp.StatusCode != http.StatusFound {
		return resp, url.Values{"body": {body}}
	}
	location, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return resp, location.Query()
}

func tokenRequest(t *testing.T, base string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, body := send(t, base, testRequest{method: http.MethodPost, path: "/rest/oauth2/latest/token", body: form.Encode(),
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	var out map[string]any
	_ = json.Unmarshal([]byte(body), &out)
	return resp.StatusCode, out
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestOAuth2AuthorizationCodeWithPKCE(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["`+testRedirect+`"],"scope":"ADMIN"}`)
	verifier := strings.Repeat("v", 50)
	_, redirect := authorize(t, base, "admin", url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"state": {"xyz"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
	if redirect.Get("state") != "xyz" || redirect.Get("code") == "" {
		t.Fatalf("redirect query %v, want a code and the state back", redirect)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {redirect.Get("code")}, "redirect_uri": {testRedirect},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	if status, out := tokenRequest(t, base, form); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("without verifier: %d %v, want invalid_grant", status, out)
	}
	// The refused attempt spent the code.
	_, redirect = authorize(t, base, "admin", url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
	form.Set("code", redirect.Get("code"))
	form.Set("code_verifier", verifier)
	status, out := tokenRequest(t, base, form)
	if status != http.StatusOK || out["token_type"] != "bearer" || out["scope"] != "ADMIN" {
		t.Fatalf("token: %d %v", status, out)
	}
	if status, again := tokenRequest(t, base, form); status != http.StatusBadRequest || again["error"] != "invalid_grant" {
		t.Errorf("second use of the code: %d %v, want invalid_grant", status, again)
	}

	access := stringField(t, out, "access_token")
	bearer := map[string]string{"Authorization": "Bearer " + access, "Accept": "application/json"}
	resp, body := send(t, base, testRequest{path: "/rest/api/2/myself", headers: bearer})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"name":"admin"`) {
		t.Errorf("myself with the token: %d %s", resp.StatusCode, body)
	}
	// ADMIN, not SYSTEM_ADMIN: the sysadmin-only client resource refuses.
	resp, _ = send(t, base, testRequest{path: "/rest/oauth2/latest/client", headers: bearer})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sysadmin API with an ADMIN token: %d, want 403", resp.StatusCode)
	}
	resp, _ = send(t, base, testRequest{path: "/rest/applinks/latest/applicationlink", headers: bearer})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("admin API with an ADMIN token: %d, want 200", resp.StatusCode)
	}

	refreshed, next := tokenRequest(t, base, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {stringField(t, out, "refresh_token")},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}})
	if refreshed != http.StatusOK || next["access_token"] == access {
		t.Errorf("refresh: %d %v", refreshed, next)
	}
	resp, _ = send(t, base, testRequest{path: "/rest/api/2/myself", headers: bearer})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replaced access token: %d, want 401", resp.StatusCode)
	}
}

func TestOAuth2TokenScopeAndUserRights(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["`+testRedirect+`"],"scope":"SYSTEM_ADMIN"}`)
	token := func(user, scope string) string {
		_, redirect := authorize(t, base, user, url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "scope": {scope}})
		status, out := tokenRequest(t, base, url.Values{"grant_type": {"authorization_code"}, "code": {redirect.Get("code")},
			"redirect_uri": {testRedirect}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}})
		if status != http.StatusOK {
			t.Fatalf("token for %s %s: %d %v", user, scope, status, out)
		}
		return stringField(t, out, "access_token")
	}
	var lastBody string
	put := func(token string) int {
		resp, body := send(t, base, testRequest{method: http.MethodPut, path: "/rest/api/2/settings/baseUrl", body: `"` + base + `"`,
			headers: map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"}})
		lastBody = body
		return resp.StatusCode
	}
	// Refused for its scope before the resource's own sysadmin check.
	if status := put(token("admin", "READ")); status != http.StatusForbidden || !strings.Contains(lastBody, msgOAuth2ScopeTooLow) {
		t.Errorf("write with a READ token: %d %s, want the scope's 403", status, lastBody)
	}
	if status := put(token("admin", "SYSTEM_ADMIN")); status != http.StatusNoContent {
		t.Errorf("write with a SYSTEM_ADMIN token of the sysadmin: %d, want 204", status)
	}
	if status := put(token("user", "SYSTEM_ADMIN")); status != http.StatusForbidden {
		t.Errorf("SYSTEM_ADMIN token of a plain user: %d, want 403", status)
	}
}

func TestOAuth2AuthorizeErrors(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["`+testRedirect+`"],"scope":"READ"}`)
	params := func(extra ...string) url.Values {
		v := url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "state": {"s"}}
		for i := 0; i < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	if resp, _ := authorize(t, base, "", params()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", resp.StatusCode)
	}
	for _, tt := range []struct {
		name   string
		params url.Values
	}{
		{"unknown client", params("client_id", "nope")},
		{"redirect not registered", params("redirect_uri", testRedirect+"/other")},
		{"redirect prefix only", params("redirect_uri", "https://ci.example.com/c")},
	} {
		if resp, q := authorize(t, base, "admin", tt.params); resp.StatusCode != http.StatusBadRequest || !strings.Contains(q.Get("body"), "invalid_request") {
			t.Errorf("%s: %d %v, want 400 without a redirect", tt.name, resp.StatusCode, q)
		}
	}
	for _, tt := range []struct {
		name, want string
		params     url.Values
	}{
		{"implicit grant", "unsupported_response_type", params("response_type", "token")},
		{"scope above the client's", "invalid_scope", params("scope", "WRITE")},
		{"plain PKCE", "invalid_request", params("code_challenge", "abc", "code_challenge_method", "plain")},
	} {
		if resp, q := authorize(t, base, "admin", tt.params); resp.StatusCode != http.StatusFound || q.Get("error") != tt.want || q.Get("state") != "s" {
			t.Errorf("%s: %d %v, want a redirect with %s and the state", tt.name, resp.StatusCode, q, tt.want)
		}
	}
}

func TestOAuth2CodeExpiresAndSecretRotationAndDelete(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["`+testRedirect+`"],"scope":"READ"}`)
	code := func() string {
		_, q := authorize(t, base, "user", url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}})
		return q.Get("code")
	}
	form := func(code, secret string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}, "client_id": {c.ClientID}, "client_secret": {secret}}
	}
	expired := code()
	_ = jira.store.Update(func(st *state) error {
		for i := range st.OAuth2.Codes {
			st.OAuth2.Codes[i].Expires = time.Now().Add(-time.Second)
		}
		return nil
	})
	if status, out := tokenRequest(t, base, form(expired, c.ClientSecret)); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("expired code: %d %v", status, out)
	}
	status, out := tokenRequest(t, base, form(code(), c.ClientSecret))
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, out)
	}
	access := stringField(t, out, "access_token")

	send(t, base, testRequest{method: http.MethodPut, path: "/rest/oauth2/latest/client/reset/" + c.ClientID, user: "admin", headers: jsonHeaders})
	if status, out := tokenRequest(t, base, form(code(), c.ClientSecret)); status != http.StatusUnauthorized || out["error"] != "invalid_client" {
		t.Errorf("old secret after reset: %d %v, want invalid_client", status, out)
	}
	bearer := map[string]string{"Authorization": "Bearer " + access, "Accept": "application/json"}
	if resp, _ := send(t, base, testRequest{path: "/rest/api/2/myself", headers: bearer}); resp.StatusCode != http.StatusOK {
		t.Errorf("token after reset: %d, want still valid", resp.StatusCode)
	}
	send(t, base, testRequest{method: http.MethodDelete, path: "/rest/oauth2/latest/client/" + c.ID, user: "admin", headers: jsonHeaders})
	if resp, _ := send(t, base, testRequest{path: "/rest/api/2/myself", headers: bearer}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token after delete: %d, want 401", resp.StatusCode)
	}
}

func TestOAuth2RequiresHTTPSBaseURL(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	resp, body := send(t, srv.Instance("jira").URL(), testRequest{path: "/rest/oauth2/latest/authorize?client_id=x", user: "admin"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, propertySkipBaseURLHTTPS) {
		t.Errorf("http base URL: %d %s, want 400 naming the property", resp.StatusCode, body)
	}
}

func TestOAuth2TokenEndpointTakesBasicClientCredentials(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	c := createTestOAuth2Client(t, base, `{"name":"CI","redirects":["`+testRedirect+`"],"scope":"READ"}`)
	_, q := authorize(t, base, "user", url.Values{"client_id": {c.ClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}})
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirect}}
	req, _ := http.NewRequest(http.MethodPost, base+"/rest/oauth2/latest/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Basic client credentials: %d, want 200 (not a failed user login)", resp.StatusCode)
	}
}

// stringField is a string member of a decoded JSON object.
func stringField(t *testing.T, object map[string]any, name string) string {
	t.Helper()
	value, ok := object[name].(string)
	if !ok {
		t.Fatalf("%s is not a string in %v", name, object)
	}
	return value
}
