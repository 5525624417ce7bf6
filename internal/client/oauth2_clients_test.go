package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

const oauth2ClientFixture = `{"id":"c-1","clientId":"abc","clientSecret":"s3cret","name":"CI","redirects":["https://ci/cb"],"userKey":"admin","scope":"WRITE"}`

func TestOAuth2ClientWireFormat(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			if strings.Contains(r.URL.Path, "/reset/") {
				respond(w, http.StatusOK, "application/json", strings.Replace(oauth2ClientFixture, "s3cret", "n3w", 1))
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			// A version answering 201 instead of 200 is taken too.
			respond(w, http.StatusCreated, "application/json", oauth2ClientFixture)
		default:
			respond(w, http.StatusOK, "application/json", oauth2ClientFixture)
		}
	})
	c, _ := newTestClient(t, srv.URL+"/jira", nil)
	ctx := context.Background()
	created, err := c.CreateOAuth2Client(ctx, OAuth2ClientInput{Name: "CI", Redirects: []string{"https://ci/cb"}, Scope: "WRITE"})
	if err != nil || created.ClientSecret != "s3cret" {
		t.Fatalf("create: %+v %v", created, err)
	}
	if _, err := c.UpdateOAuth2Client(ctx, "c-1", OAuth2ClientInput{Name: "CI"}); err != nil {
		t.Fatal(err)
	}
	reset, err := c.ResetOAuth2ClientSecret(ctx, "abc")
	if err != nil || reset.ClientSecret != "n3w" || reset.ClientID != "abc" {
		t.Fatalf("reset: %+v %v", reset, err)
	}
	want := []recorded{
		{http.MethodPost, "/jira/rest/oauth2/latest/client", "", `{"name":"CI","redirects":["https://ci/cb"],"scope":"WRITE"}`},
		{http.MethodPut, "/jira/rest/oauth2/latest/client/c-1", "", `{"name":"CI","redirects":null,"scope":""}`},
		{http.MethodGet, "/jira/rest/oauth2/latest/client/c-1", "", ""},
		{http.MethodPut, "/jira/rest/oauth2/latest/client/reset/abc", "", ""},
	}
	if len(*seen) != len(want) {
		t.Fatalf("requests %+v", *seen)
	}
	for i, w := range want {
		if (*seen)[i] != w {
			t.Errorf("request %d: %+v, want %+v", i, (*seen)[i], w)
		}
	}
}

func TestOAuth2ClientTolerance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, contentType, body string
		status                  int
		want                    error
	}{
		{"proxy page", "text/html", "<html><title>Login</title></html>", http.StatusOK, ErrUnexpectedResponse},
		{"JSON without an id", "application/json", `{"name":"CI"}`, http.StatusOK, ErrUnexpectedResponse},
		{"deleted", "application/json", `{"status":404,"errors":[{"summary":"gone"}]}`, http.StatusNotFound, ErrNotFound},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, tt.status, tt.contentType, tt.body) })
			c, _ := newTestClient(t, srv.URL, nil)
			if _, err := c.OAuth2Client(context.Background(), "c-1"); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestOAuth2ConfigWireFormat(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/get-redirect-uri"):
			respond(w, http.StatusOK, "application/json", `{"redirectUri":"https://jira/cb/sfx","redirectUriSuffix":"sfx"}`)
		case strings.Contains(r.URL.Path, "/name/"):
			respond(w, http.StatusNotFound, "application/json", `{"status":404,"errors":[]}`)
		default:
			respond(w, http.StatusOK, "application/json", `{"id":"g-1","name":"g","type":"GOOGLE","clientId":"id","scopes":["email"],"redirectUriSuffix":"sfx"}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := context.Background()
	uri, suffix, err := c.OAuth2RedirectURI(ctx, "https://accounts.google.com/auth")
	if err != nil || suffix != "sfx" || uri != "https://jira/cb/sfx" {
		t.Fatalf("redirect uri %q %q %v", uri, suffix, err)
	}
	if found, err := c.OAuth2ConfigByName(ctx, "nope"); found != nil || err != nil {
		t.Errorf("by name of a missing one: %+v %v, want nil, nil", found, err)
	}
	config, err := c.CreateOAuth2Config(ctx, OAuth2ConfigInput{Name: "g", Type: "GOOGLE", ClientID: "id", ClientSecret: "top", Scopes: []string{"email"}})
	if err != nil || config.RedirectURI("https://jira") != "https://jira"+oauth2CallbackPath+"sfx" {
		t.Fatalf("create %+v %v", config, err)
	}
	if (*seen)[0].rawQuery != "authorizationEndpoint=https%3A%2F%2Faccounts.google.com%2Fauth" || (*seen)[1].path != "/rest/oauth2-client/latest/config/name/nope" {
		t.Errorf("requests %+v", *seen)
	}
	if _, err := c.UpdateOAuth2Config(ctx, "g-1", OAuth2ConfigInput{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if body := (*seen)[3].body; strings.Contains(body, "clientSecret") {
		t.Errorf("update without a secret sent %s, want the field left out", body)
	}
}
