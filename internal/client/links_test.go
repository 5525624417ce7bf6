package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestApplicationIDForURL(t *testing.T) {
	t.Parallel()
	// Test vectors of design/api.md §2.1 (Java's UUID.nameUUIDFromBytes).
	tests := map[string]string{
		"http://jira.example.com":                  "da2ba910-6b7f-3e7d-873f-9fc7a90c771b",
		"http://jira.example.com/":                 "da2ba910-6b7f-3e7d-873f-9fc7a90c771b",
		"http://jira.example.com///":               "da2ba910-6b7f-3e7d-873f-9fc7a90c771b",
		"https://confluence.example.com/wiki":      "80b89917-61f7-322e-b6eb-60fdedbedcbb",
		"https://confluence.example.com/x/../wiki": "80b89917-61f7-322e-b6eb-60fdedbedcbb",
	}
	for in, want := range tests {
		if got := ApplicationIDForURL(in); got != want {
			t.Errorf("ApplicationIDForURL(%q) = %s, want %s", in, got, want)
		}
	}
}

// recorded is one request as the test server saw it.
type recorded struct {
	method, path, rawQuery, body string
}

func recordingServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *[]recorded) {
	t.Helper()
	var seen []recorded
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen = append(seen, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(body)})
		handle(w, r)
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestCreateApplicationLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"201 with resources-created", 201,
			`{"status-code":201,"resources-created":[{"href":"http://h/rest/applinks/3.0/applicationlink/11111111-2222-3333-4444-555555555555","rel":"self"}]}`,
			"11111111-2222-3333-4444-555555555555"},
		// Generic links get an id derived from rpcUrl whatever the body says.
		{"server chose another id", 201,
			`{"status-code":201,"resources-created":[{"href":"applicationlink/da2ba910-6b7f-3e7d-873f-9fc7a90c771b","rel":"self"}]}`,
			"da2ba910-6b7f-3e7d-873f-9fc7a90c771b"},
		{"200 without resources-created", 200, `{"status-code":200}`, "aaaaaaaa-0000-3000-8000-000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
				respond(w, tt.status, "application/json", tt.body)
			})
			c, _ := newTestClient(t, srv.URL+"/jira", nil)
			id, err := c.CreateApplicationLink(context.Background(), NewApplicationLink{
				ID: "aaaaaaaa-0000-3000-8000-000000000000", TypeID: "confluence", Name: "Wiki",
				RPCURL: "http://wiki", DisplayURL: "https://wiki.example.com", Primary: true,
			})
			if err != nil || id != tt.want {
				t.Fatalf("got %q, %v; want %q", id, err, tt.want)
			}
			got := (*seen)[0]
			if got.method != http.MethodPut || got.path != "/jira/rest/applinks/latest/applicationlink" {
				t.Errorf("request %s %s", got.method, got.path)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(got.body), &body); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"id": "aaaaaaaa-0000-3000-8000-000000000000", "typeId": "confluence", "name": "Wiki",
				"rpcUrl": "http://wiki", "displayUrl": "https://wiki.example.com", "isPrimary": true,
			}
			for k, v := range want {
				if body[k] != v {
					t.Errorf("body %s = %v, want %v", k, body[k], v)
				}
			}
		})
	}
}

func TestCreateApplicationLinkIsNotRepeated(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		respond(w, http.StatusServiceUnavailable, "text/html", "<html><title>Service Unavailable</title></html>")
	}))
	srv.Start()
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.CreateApplicationLink(context.Background(), NewApplicationLink{ID: "x", TypeID: "jira", Name: "J", RPCURL: "http://j", DisplayURL: "http://j"})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("create sent %d times, want once", calls.Load())
	}
}

func TestApplicationLinkUncached(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/missing") {
			respond(w, 404, "application/json", `{"status":404,"errors":[{"summary":"No application link with id missing"}]}`)
			return
		}
		respond(w, 200, "application/json", `{"id":"a/b c","name":"Wiki","type":"confluence","rpcUrl":"http://wiki","displayUrl":"https://wiki.example.com","system":false,"primary":true,"properties":{},"data":{}}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)

	link, err := c.ApplicationLink(context.Background(), "a/b c", Uncached)
	if err != nil {
		t.Fatal(err)
	}
	want := ApplicationLink{ID: "a/b c", Name: "Wiki", TypeID: "confluence", RPCURL: "http://wiki", DisplayURL: "https://wiki.example.com", Primary: true}
	if *link != want {
		t.Errorf("got %+v, want %+v", *link, want)
	}
	if got := (*seen)[0].path; got != "/rest/applinks/3.0/applinks/a%2Fb%20c" {
		t.Errorf("id not escaped into one segment: %s", got)
	}

	_, err = c.ApplicationLink(context.Background(), "missing", Uncached)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "No application link with id missing") {
		t.Errorf("want ErrNotFound quoting the server, got %v", err)
	}
}

func TestRelocateApplicationLink(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("nowarning") == "false" {
			w.WriteHeader(http.StatusConflict) // the products' empty 409
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, srv.URL, nil)

	err := c.RelocateApplicationLink(context.Background(), "id-1", "http://new:8090/wiki", false)
	if !errors.Is(err, ErrPeerNotResponding) || !errors.Is(err, ErrConflict) {
		t.Fatalf("want ErrPeerNotResponding, got %v", err)
	}
	if err := c.RelocateApplicationLink(context.Background(), "id-1", "http://new:8090/wiki", true); err != nil {
		t.Fatal(err)
	}
	got := (*seen)[1]
	if got.method != http.MethodPost || got.path != "/rest/applinks/1.0/relocateApplicationlink/id-1" ||
		got.rawQuery != "newUrl=http%3A%2F%2Fnew%3A8090%2Fwiki&nowarning=true" || got.body != "" {
		t.Errorf("request %+v", got)
	}
}

func TestDiscoverPeer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body  string
		wantID      string
		wantWarning string
	}{
		{"manifest", `{"id":"5c6e","name":"Wiki","typeId":"confluence","buildNumber":9012,"url":"http://wiki"}`, "5c6e", ""},
		{"no answer", `{"code":"applinks.warning.unknown.host","warning":"No response"}`, "", "applinks.warning.unknown.host"},
		{"redirect", `{"code":"applinks.warning.redirected.host","warning":"moved","params":{"redirectedUrl":"https://x"}}`, "", "applinks.warning.redirected.host"},
		{"null manifest", `{}`, "", "applinks.warning.no.manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
				respond(w, 200, "application/json", tt.body)
			})
			c, _ := newTestClient(t, srv.URL, nil)
			peer, err := c.DiscoverPeer(context.Background(), "http://wiki:8090")
			if err != nil {
				t.Fatal(err)
			}
			if (*seen)[0].rawQuery != "url=http%3A%2F%2Fwiki%3A8090" {
				t.Errorf("query %s", (*seen)[0].rawQuery)
			}
			gotID := ""
			if peer.Manifest != nil {
				gotID = peer.Manifest.ID
			}
			if gotID != tt.wantID || peer.WarningCode != tt.wantWarning {
				t.Errorf("got id %q warning %q, want %q %q", gotID, peer.WarningCode, tt.wantID, tt.wantWarning)
			}
		})
	}
}

func TestOAuthStatusRoundTrip(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		respond(w, 200, "application/json", `{"incoming":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false},"outgoing":{"enabled":false,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	status, err := c.GetOAuthStatus(context.Background(), "id-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (OAuthStatus{Incoming: OAuthConfig{Enabled: true, TwoLoEnabled: true}}); *status != want {
		t.Errorf("got %+v", *status)
	}
	status.Outgoing = OAuthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}
	if err := c.SetOAuthStatus(context.Background(), "id-1", *status); err != nil {
		t.Fatal(err)
	}
	put := (*seen)[1]
	want := `{"incoming":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false},"outgoing":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}}`
	if put.path != "/rest/applinks/3.0/status/id-1/oauth" || put.body != want {
		t.Errorf("PUT %s %s", put.path, put.body)
	}
}
