package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOAuth2OutgoingFlowBetweenInstances links jira to wiki: wiki's
// incoming client, jira's outgoing configuration, the flow over real HTTP,
// and a call from jira to wiki's REST API with the token.
func TestOAuth2OutgoingFlowBetweenInstances(t *testing.T) {
	srv := startTestServer(t, Options{OAuth2SkipBaseURLHTTPS: true, OAuth2SkipRedirectURLHTTPS: true}, nil,
		loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira").URL(), srv.Instance("wiki").URL()

	resp, body := send(t, jira, testRequest{path: "/rest/oauth2-client/latest/config/get-redirect-uri?authorizationEndpoint=" +
		url.QueryEscape(wiki+"/rest/oauth2/latest/authorize"), user: "admin", headers: jsonHeaders})
	var redirect redirectURIEntity
	if err := json.Unmarshal([]byte(body), &redirect); err != nil || resp.StatusCode != http.StatusOK ||
		redirect.RedirectURI != jira+oauth2CallbackPath+redirect.RedirectURISuffix {
		t.Fatalf("get-redirect-uri: %d %s", resp.StatusCode, body)
	}
	client := createTestOAuth2Client(t, wiki, `{"name":"jira","redirects":["`+redirect.RedirectURI+`"],"scope":"READ"}`)

	config := `{"name":"wiki","type":"STANDARD","clientId":"` + client.ClientID + `","clientSecret":"` + client.ClientSecret +
		`","authorizationEndpoint":"` + wiki + `/rest/oauth2/latest/authorize","tokenEndpoint":"` + wiki +
		`/rest/oauth2/latest/token","scopes":["READ"],"redirectUriSuffix":"` + redirect.RedirectURISuffix + `"}`
	resp, body = send(t, jira, testRequest{method: http.MethodPost, path: "/rest/oauth2-client/latest/config", user: "admin", body: config, headers: jsonHeaders})
	var created oauth2ClientConfigEntity
	if err := json.Unmarshal([]byte(body), &created); err != nil || resp.StatusCode != http.StatusCreated || strings.Contains(body, client.ClientSecret) {
		t.Fatalf("create config: %d %s (the secret must not come back)", resp.StatusCode, body)
	}
	resp, body = send(t, jira, testRequest{method: http.MethodPost, path: "/rest/oauth2-client/latest/config", user: "admin", body: config, headers: jsonHeaders})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, msgOAuth2ConfigNameTaken) {
		t.Errorf("duplicate name: %d %s", resp.StatusCode, body)
	}
	if _, body := send(t, jira, testRequest{path: "/rest/oauth2-client/latest/config/is-name-unique?name=wiki", user: "admin", headers: jsonHeaders}); body != "false" {
		t.Errorf("is-name-unique: %s, want false", body)
	}

	resp, body = send(t, jira, testRequest{method: http.MethodPost, path: "/rest/oauth2-client/latest/config/flow?id=" + created.ID +
		"&callbackUrl=" + url.QueryEscape("https://done.example.com/"), user: "admin", headers: map[string]string{"Accept": "application/json", "X-Atlassian-Token": "no-check"}})
	var flow flowStartEntity
	if err := json.Unmarshal([]byte(body), &flow); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("start flow: %d %s", resp.StatusCode, body)
	}
	// The admin's browser: consent at wiki, then back to jira's callback.
	authorizeURL := strings.TrimPrefix(flow.AuthorizationURL, wiki)
	resp, _ = send(t, wiki, testRequest{path: authorizeURL, user: "user"})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize at wiki: %d", resp.StatusCode)
	}
	resp, body = send(t, jira, testRequest{path: strings.TrimPrefix(resp.Header.Get("Location"), jira)})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://done.example.com/" {
		t.Fatalf("callback at jira: %d %s", resp.StatusCode, body)
	}
	_, body = send(t, jira, testRequest{path: "/rest/oauth2-client/latest/config/flow/" + flow.FlowRequestID, user: "admin", headers: jsonHeaders})
	if !strings.Contains(body, flowCompleted) {
		t.Fatalf("flow: %s", body)
	}

	status, answer, err := srv.Instance("jira").OAuth2Call(context.Background(), created.ID, http.MethodGet, "/rest/api/2/myself")
	if err != nil || status != http.StatusOK || !strings.Contains(string(answer), `"name":"user"`) {
		t.Fatalf("jira calling wiki: %d %s %v", status, answer, err)
	}
	status, _, _ = srv.Instance("jira").OAuth2Call(context.Background(), created.ID, http.MethodPut, "/rest/api/2/settings/baseUrl")
	if status != http.StatusForbidden {
		t.Errorf("a write through the READ link: %d, want 403", status)
	}
}

func TestOAuth2ClientConfigValidationAndAccess(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	valid := map[string]any{"name": "g", "type": "GOOGLE", "clientId": "id", "clientSecret": "s",
		"authorizationEndpoint": "https://accounts.google.com/o/oauth2/v2/auth", "tokenEndpoint": "https://oauth2.googleapis.com/token"}
	post := func(user string, change map[string]any) (*http.Response, string) {
		body := map[string]any{}
		for k, v := range valid {
			body[k] = v
		}
		for k, v := range change {
			body[k] = v
		}
		data, _ := json.Marshal(body)
		return send(t, base, testRequest{method: http.MethodPost, path: "/rest/oauth2-client/latest/config", user: user, body: string(data), headers: jsonHeaders})
	}
	if resp, _ := post("user", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("non-admin: %d, want 403", resp.StatusCode)
	}
	for field, value := range map[string]any{"type": "OKTA", "tokenEndpoint": "not a url", "authorizationEndpoint": "ftp://x", "clientSecret": ""} {
		if resp, body := post("admin", map[string]any{field: value}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"context":"`+field+`"`) {
			t.Errorf("bad %s: %d %s", field, resp.StatusCode, body)
		}
	}
	resp, body := post("manager", nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("admin create: %d %s", resp.StatusCode, body)
	}
	var c oauth2ClientConfigEntity
	_ = json.Unmarshal([]byte(body), &c)
	resp, body = send(t, base, testRequest{method: http.MethodPut, path: "/rest/oauth2-client/latest/config/" + c.ID, user: "admin",
		body: `{"name":"g2","type":"GOOGLE","clientId":"id2","authorizationEndpoint":"https://a.example.com","tokenEndpoint":"https://t.example.com","scopes":["email"]}`, headers: jsonHeaders})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"redirectUriSuffix":"`+c.RedirectURISuffix+`"`) {
		t.Errorf("update keeping the secret and suffix: %d %s", resp.StatusCode, body)
	}
	srv.Instance("jira").store.View(func(st *state) {
		if st.OAuth2.Configs[0].ClientSecret != "s" {
			t.Errorf("secret %q after an update without one, want kept", st.OAuth2.Configs[0].ClientSecret)
		}
	})
	if resp, _ := send(t, base, testRequest{path: "/rest/oauth2-client/latest/config/name/g2", user: "admin", headers: jsonHeaders}); resp.StatusCode != http.StatusOK {
		t.Errorf("by name: %d", resp.StatusCode)
	}
	if resp, _ := send(t, base, testRequest{method: http.MethodDelete, path: "/rest/oauth2-client/latest/config/" + c.ID, user: "admin", headers: jsonHeaders}); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := send(t, base, testRequest{path: "/rest/oauth2-client/latest/config/" + c.ID, user: "admin", headers: jsonHeaders}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after delete: %d", resp.StatusCode)
	}
}
