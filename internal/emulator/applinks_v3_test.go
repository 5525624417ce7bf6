package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
)

func TestApplinksV3Read(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://wiki.example.com"))
	images := base + "/s/en_US-ecdfj6/9120002/1/9.1.4/_/download/resources/com.atlassian.applinks.applinks-plugin:applinks-images/images"
	representation := `"id":"` + id + `","name":"Wiki","displayUrl":"http://wiki.example.com","rpcUrl":"http://wiki.example.com","type":"confluence","system":false,"primary":true`
	tests := []struct {
		name        string
		req         testRequest
		wantStatus  int
		wantBody    string
		wantPattern string
	}{
		{
			name:       "list is a bare array with empty properties and data",
			req:        jsonCall(http.MethodGet, "/rest/applinks/3.0/applinks", "admin", ""),
			wantStatus: http.StatusOK,
			wantBody:   `[{` + representation + `,"properties":{},"data":{}}]`,
		},
		{
			name:       "data and property keys; unknown ones are null",
			req:        jsonCall(http.MethodGet, "/rest/applinks/latest/applinks/"+id+"?data=iconUri&data=atlassian&data=nope&property=foo", "manager", ""),
			wantStatus: http.StatusOK,
			wantBody: `{` + representation + `,"properties":{"foo":null},"data":{"atlassian":true,"iconUri":"` +
				images + `/config/logos/128x128/128confluence.png","nope":null}}`,
		},
		{
			name:        "malformed id",
			req:         jsonCall(http.MethodGet, "/rest/applinks/3.0/applinks/nope", "admin", ""),
			wantStatus:  http.StatusBadRequest,
			wantPattern: `^\{"status":400,"errors":\[\{"summary":"'nope' is not a valid application link ID.","details":"com.atlassian.applinks.internal.common.exception.InvalidApplicationIdException: .*"\}\]\}$`,
		},
		{
			name:        "unknown id",
			req:         jsonCall(http.MethodGet, "/rest/applinks/3.0/applinks/00000000-0000-4000-8000-000000000000", "admin", ""),
			wantStatus:  http.StatusNotFound,
			wantPattern: `^\{"status":404,"errors":\[\{"summary":"No application link with id 00000000-0000-4000-8000-000000000000 found.","details":"com.atlassian.applinks.internal.common.exception.NoSuchApplinkException: .*"\}\]\}$`,
		},
		{
			name:        "non-admins get a 403",
			req:         jsonCall(http.MethodGet, "/rest/applinks/3.0/applinks", "user", ""),
			wantStatus:  http.StatusForbidden,
			wantPattern: `^\{"status":403,"errors":\[\{"summary":"You must be an administrator`,
		},
		{
			name:       "not on 2.0",
			req:        jsonCall(http.MethodGet, "/rest/applinks/2.0/applinks", "admin", ""),
			wantStatus: http.StatusNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expect(t, base, tt.req, tt.wantStatus)
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body %s\nwant %s", body, tt.wantBody)
			}
			if tt.wantPattern != "" && !regexp.MustCompile(tt.wantPattern).MatchString(body) {
				t.Errorf("body %s\nwant match %s", body, tt.wantPattern)
			}
		})
	}
}

func TestApplinksV3Update(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	first := createLink(t, jira, linkBody("confluence", "First", "http://first.example.com"))
	second := createLink(t, jira, linkBody("confluence", "Second", "http://second.example.com"))
	system := createLink(t, jira, linkBody("bamboo", "Bamboo", "http://bamboo.example.com"))
	if err := jira.store.Update(func(st *state) error { st.linkByID(system).System = true; return nil }); err != nil {
		t.Fatal(err)
	}
	put := func(id, user, body string) testRequest {
		return jsonCall(http.MethodPut, "/rest/applinks/3.0/applinks/"+id, user, body)
	}
	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{
			name:       "displayUrl is required",
			req:        put(second, "admin", `{"name":"S","rpcUrl":"http://second.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"Invalid or missing value for 'displayUrl'.","context":"displayUrl"}]}`,
		},
		{
			name:       "name is required",
			req:        put(second, "admin", `{"rpcUrl":"http://second.example.com","displayUrl":"http://second.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"Invalid or missing value for 'name'.","context":"name"}]}`,
		},
		{
			name:       "the other links' name, rpcUrl and displayUrl are taken",
			req:        put(second, "admin", `{"name":"First","rpcUrl":"http://first.example.com","displayUrl":"http://first.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody: `{"status":400,"errors":[{"summary":"An application link with the name 'First' already exists.","context":"name"},` +
				`{"summary":"An application link with this application URL already exists.","context":"rpcUrl"},` +
				`{"summary":"An application link with this display URL already exists.","context":"displayUrl"}]}`,
		},
		{
			name:       "URLs must be absolute",
			req:        put(second, "admin", `{"name":"S","rpcUrl":"second.example.com","displayUrl":"http://second.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"The URL must be absolute.","context":"rpcUrl"}]}`,
		},
		{
			name:       "system links cannot be updated",
			req:        put(system, "admin", `{"name":"B","rpcUrl":"http://bamboo.example.com","displayUrl":"http://bamboo.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"System application links cannot be modified."}]}`,
		},
		{
			name:       "rpcUrl changes without any check; primary:true makes primary",
			req:        put(second, "admin", `{"name":"Moved","rpcUrl":"http://moved.invalid:1","displayUrl":"https://moved.example.com","primary":true}`),
			wantStatus: http.StatusOK,
			wantBody:   `{"id":"` + second + `","name":"Moved","displayUrl":"https://moved.example.com","rpcUrl":"http://moved.invalid:1","type":"confluence","system":false,"primary":true}`,
		},
		{
			name:       "primary:false does not unset; keeping its own values is no clash",
			req:        put(second, "manager", `{"name":"Moved","rpcUrl":"http://moved.invalid:1","displayUrl":"https://moved.example.com","primary":false}`),
			wantStatus: http.StatusOK,
			wantBody:   `{"id":"` + second + `","name":"Moved","displayUrl":"https://moved.example.com","rpcUrl":"http://moved.invalid:1","type":"confluence","system":false,"primary":true}`,
		},
		{
			name:       "unknown link",
			req:        put("00000000-0000-4000-8000-000000000000", "admin", `{"name":"X","rpcUrl":"http://x.example.com","displayUrl":"http://x.example.com"}`),
			wantStatus: http.StatusNotFound,
		},
		{
			name:       "anonymous",
			req:        put(second, "", `{"name":"X","rpcUrl":"http://x.example.com","displayUrl":"http://x.example.com"}`),
			wantStatus: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expect(t, base, tt.req, tt.wantStatus)
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body %s\nwant %s", body, tt.wantBody)
			}
		})
	}
	if links := storedLinks(jira); links[first].Primary || !links[second].Primary {
		t.Errorf("primary flags: first %v, second %v", links[first].Primary, links[second].Primary)
	}
}

func TestApplinksV3Delete(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	first := createLink(t, jira, linkBody("confluence", "First", "http://first.example.com"))
	second := createLink(t, jira, linkBody("confluence", "Second", "http://second.example.com"))
	resp, body := send(t, base, jsonCall(http.MethodDelete, "/rest/applinks/3.0/applinks/"+first, "admin", ""))
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Fatalf("delete: %d %q", resp.StatusCode, body)
	}
	if links := storedLinks(jira); len(links) != 1 || !links[second].Primary {
		t.Errorf("after deleting the primary: %+v", links)
	}
	if rules := applicationLinkRules(jira); !slices.Equal(rules, []string{second}) {
		t.Errorf("allowlist rules %v, want only %s", rules, second)
	}
	expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/3.0/applinks/"+first, "admin", ""), http.StatusNotFound)
	expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/3.0/applinks/nope", "admin", ""), http.StatusBadRequest)
	expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/3.0/applinks/"+second, "user", ""), http.StatusForbidden)
}
