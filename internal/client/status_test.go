package client

import (
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

const statusLinkID = "b3c1a6e2-0000-3000-8000-000000000001"

func TestGetApplicationLinkStatus(t *testing.T) {
	link := `"link":{"id":"` + statusLinkID + `","name":"Wiki","displayUrl":"https://wiki.example.com","rpcUrl":"http://wiki:8090","type":"confluence"}`
	on := `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false}`
	off := `{"enabled":false,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	tests := []struct {
		name       string
		body       string
		wantRemote *OAuthStatus
		wantError  *LinkError
	}{
		{
			name: "working",
			body: `{` + link + `,"working":true,"localAuthentication":{"incoming":` + on + `,"outgoing":` + on + `},` +
				`"remoteAuthentication":{"incoming":` + on + `,"outgoing":` + on + `}}`,
			wantRemote: &OAuthStatus{Incoming: OAuthConfig{Enabled: true, TwoLoEnabled: true}, Outgoing: OAuthConfig{Enabled: true, TwoLoEnabled: true}},
		},
		{
			name: "network error: no remote levels",
			body: `{` + link + `,"working":false,"localAuthentication":{"incoming":` + on + `,"outgoing":` + off + `},` +
				`"error":{"category":"NETWORK_ERROR","type":"CONNECTION_REFUSED","details":"java.net.ConnectException: Connection refused"}}`,
			wantError: &LinkError{Category: "NETWORK_ERROR", Type: "CONNECTION_REFUSED", Details: "java.net.ConnectException: Connection refused"},
		},
		{
			name: "token error with an authorisation URI",
			body: `{` + link + `,"working":false,"localAuthentication":{"incoming":` + on + `,"outgoing":` + on + `},` +
				`"error":{"category":"ACCESS_ERROR","type":"LOCAL_AUTH_TOKEN_REQUIRED","authorisationUri":"https://wiki.example.com/authorize"}}`,
			wantError: &LinkError{Category: "ACCESS_ERROR", Type: "LOCAL_AUTH_TOKEN_REQUIRED", AuthorisationURI: "https://wiki.example.com/authorize"},
		},
		{
			name:      "broken without an error",
			body:      `{` + link + `,"working":false,"localAuthentication":{"incoming":` + off + `,"outgoing":` + off + `}}`,
			wantError: &LinkError{Category: "UNKNOWN", Type: "UNKNOWN"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					t.Error("status request sent without credentials")
				}
				respond(w, 200, "application/json;charset=UTF-8", tt.body)
			})
			c, _ := newTestClient(t, srv.URL+"/jira", nil)
			got, err := c.GetApplicationLinkStatus(t.Context(), statusLinkID)
			if err != nil {
				t.Fatal(err)
			}
			if (*seen)[0].path != "/jira/rest/applinks/3.0/status/"+statusLinkID {
				t.Errorf("path %s", (*seen)[0].path)
			}
			wantLink := StatusLink{ID: statusLinkID, Name: "Wiki", TypeID: "confluence", RPCURL: "http://wiki:8090", DisplayURL: "https://wiki.example.com"}
			if got.Link != wantLink || got.Working != (tt.wantError == nil) || got.LocalAuthentication.Incoming != (OAuthConfig{Enabled: true, TwoLoEnabled: true}) &&
				tt.name != "broken without an error" {
				t.Errorf("status %+v", got)
			}
			if (got.RemoteAuthentication == nil) != (tt.wantRemote == nil) || got.RemoteAuthentication != nil && *got.RemoteAuthentication != *tt.wantRemote {
				t.Errorf("remote %+v, want %+v", got.RemoteAuthentication, tt.wantRemote)
			}
			if (got.Error == nil) != (tt.wantError == nil) || got.Error != nil && *got.Error != *tt.wantError {
				t.Errorf("error %+v, want %+v", got.Error, tt.wantError)
			}
		})
	}

	t.Run("unknown link", func(t *testing.T) {
		srv, _ := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
			respond(w, 404, "application/json", `{"status":404,"errors":[{"summary":"No application link with id x found."}]}`)
		})
		c, _ := newTestClient(t, srv.URL, nil)
		_, err := c.GetApplicationLinkStatus(t.Context(), statusLinkID)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "No application link with id x found.") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestGetApplicationLinkState(t *testing.T) {
	srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, 200, "application/json", `{"appLinkState":"UPGRADED_TO_UAL"}`)
	})
	c, _ := newTestClient(t, srv.URL, nil)
	state, err := c.GetApplicationLinkState(t.Context(), statusLinkID)
	if err != nil || state != LinkStateUpgradedToUAL {
		t.Fatalf("state %q, error %v", state, err)
	}
	if (*seen)[0].path != "/rest/applinks/1.0/listApplicationlinkstates/id/"+statusLinkID {
		t.Errorf("path %s", (*seen)[0].path)
	}

	empty, _ := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, 200, "application/json", `{}`) })
	c, _ = newTestClient(t, empty.URL, nil)
	if _, err := c.GetApplicationLinkState(t.Context(), statusLinkID); err == nil {
		t.Fatal("an answer without a state was accepted")
	}
}

func TestGetLinkedManifest(t *testing.T) {
	tests := []struct {
		name            string
		status          int
		body            string
		wantPlaceholder bool
		wantErr         error
	}{
		{"downloaded", 200, `{"id":"` + statusLinkID + `","typeId":"confluence","applinksVersion":"9.1.4","buildNumber":9012,"url":"https://wiki.example.com"}`, false, nil},
		{"made up by the instance", 200, `{"id":"da2ba910-6b7f-3e7d-873f-9fc7a90c771b","typeId":"confluence","buildNumber":0,"url":"http://jira.example.com"}`, true, nil},
		{"unknown link", 400, `{"status":400,"message":["No application link with id ` + statusLinkID + `"]}`, false, ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := recordingServer(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, tt.status, "application/json", tt.body) })
			c, _ := newTestClient(t, srv.URL, nil)
			m, err := c.GetLinkedManifest(t.Context(), statusLinkID)
			if (*seen)[0].path != "/rest/applinks/1.0/manifest/"+statusLinkID {
				t.Errorf("path %s", (*seen)[0].path)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || m.IsPlaceholder() != tt.wantPlaceholder {
				t.Fatalf("manifest %+v (placeholder %t), error %v", m, m.IsPlaceholder(), err)
			}
		})
	}
}

// The anonymous fetch may go to any server: it must never carry the
// provider's credentials, in any form, nor follow a redirect elsewhere.
func TestFetchManifestAtIsAnonymous(t *testing.T) {
	var requests atomic.Int32
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		for name := range r.Header {
			if value := r.Header.Get(name); strings.Contains(value, testPassword) || strings.Contains(value, testToken) ||
				strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Cookie") {
				t.Errorf("credential header %s: %s", name, value)
			}
		}
		if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "terraform-provider-applinks/") {
			t.Errorf("headers %v", r.Header)
		}
		switch r.URL.Path {
		case "/new/rest/applinks/1.0/manifest":
			respond(w, 200, "application/json", `{"id":"`+statusLinkID+`","typeId":"confluence","applinksVersion":"9.1.4","url":"https://wiki.example.com"}`)
		case "/moved/rest/applinks/1.0/manifest":
			w.Header().Set("Location", "https://elsewhere.example.com/rest/applinks/1.0/manifest")
			respond(w, 302, "", "")
		case "/html/rest/applinks/1.0/manifest":
			respond(w, 200, "text/html", "<html><head><title>Log in</title></head></html>")
		case "/other/rest/applinks/1.0/manifest":
			respond(w, 200, "application/json", `{"name":"not a manifest"}`)
		default:
			respond(w, 404, "text/html", "<html><head><title>Not Found</title></head></html>")
		}
	}))
	srv.Start()
	t.Cleanup(srv.Close)

	for _, auth := range []func(*Config){nil, func(c *Config) { c.Username, c.Password, c.Token = "", "", testToken }} {
		c, waits := newTestClient(t, srv.URL, auth)
		m, err := c.FetchManifestAt(t.Context(), srv.URL+"/new/")
		if err != nil || m.ID != statusLinkID || m.URL != "https://wiki.example.com" {
			t.Fatalf("manifest %+v, error %v", m, err)
		}
		for path, want := range map[string]error{"/moved": ErrUnexpectedResponse, "/html": ErrUnexpectedResponse, "/other": ErrUnexpectedResponse, "/gone": ErrUnexpectedResponse} {
			_, err := c.FetchManifestAt(t.Context(), srv.URL+path)
			if !errors.Is(err, want) || strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), testToken) {
				t.Errorf("%s: error %v, want %v", path, err, want)
			}
		}
		if len(*waits) != 0 {
			t.Errorf("the diagnosis was retried: %v", *waits)
		}
	}
	if n := requests.Load(); n != 10 {
		t.Errorf("%d requests, want 10 (a redirect followed, or a retry)", n)
	}
}

func TestFetchManifestAtFailures(t *testing.T) {
	c, _ := newTestClient(t, "http://jira.example.com", nil)
	if _, err := c.FetchManifestAt(t.Context(), "ftp://wiki.example.com"); err == nil {
		t.Error("a non-HTTP URL was accepted")
	}
	if _, err := c.FetchManifestAt(t.Context(), "https://admin:secret@wiki.example.com"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("URL with credentials: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	if _, err := c.FetchManifestAt(t.Context(), closed); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("closed port: %v", err)
	}
}

// The anonymous fetch trusts what the provider trusts (ca_cert_pem).
func TestFetchManifestAtUsesTheProvidersCA(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		respond(w, 200, "application/json", `{"id":"`+statusLinkID+`","applinksVersion":"9.1.4"}`)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	plain, _ := newTestClient(t, "https://jira.example.com", nil)
	if _, err := plain.FetchManifestAt(t.Context(), srv.URL); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
	trusting, _ := newTestClient(t, "https://jira.example.com", func(c *Config) { c.CACertPEM = caPEM })
	if m, err := trusting.FetchManifestAt(t.Context(), srv.URL); err != nil || m.ID != statusLinkID {
		t.Errorf("manifest %+v, error %v", m, err)
	}
}
