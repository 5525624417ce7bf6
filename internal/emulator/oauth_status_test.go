package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
)

func TestOAuthStatus(t *testing.T) {
	jiraSrv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	wikiSrv := startTestServer(t, Options{}, nil, loopback("wiki", "confluence"))
	jira, wiki := jiraSrv.Instance("jira"), wikiSrv.Instance("wiki")
	id := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	path := "/rest/applinks/3.0/status/" + id + "/oauth"
	unknownPath := "/rest/applinks/3.0/status/00000000-0000-4000-8000-000000000000/oauth"
	off := `{"enabled":false,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	full := `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}`
	twoLO := `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false}`
	threeLO := `{"enabled":true,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	status := func(incoming, outgoing string) string {
		return `{"incoming":` + incoming + `,"outgoing":` + outgoing + `}`
	}

	// Steps run in order: each leaves the link in the state the next
	// expects.
	steps := []struct {
		name        string
		req         testRequest
		wantStatus  int
		wantBody    string
		wantPattern string
		// afterwards, the levels GET must report
		wantLevels string
	}{
		{
			name:       "GET is anonymous",
			req:        testRequest{path: path, headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   status(off, off),
		},
		{
			name:       "GET of a malformed id",
			req:        testRequest{path: "/rest/applinks/3.0/status/nope/oauth"},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"id must be a valid java.util.UUID string: nope"}]}`,
		},
		{
			name:        "GET of an unknown id",
			req:         testRequest{path: unknownPath},
			wantStatus:  http.StatusNotFound,
			wantPattern: `NoSuchApplinkException`,
		},
		{
			name:       "PUT finds the link before checking permissions",
			req:        jsonCall(http.MethodPut, unknownPath, "", status(off, off)),
			wantStatus: http.StatusNotFound,
		},
		{
			name:        "PUT anonymous",
			req:         jsonCall(http.MethodPut, path, "", status(off, off)),
			wantStatus:  http.StatusUnauthorized,
			wantPattern: `NotAuthenticatedException`,
		},
		{
			name:        "PUT by a non-admin",
			req:         jsonCall(http.MethodPut, path, "user", status(off, off)),
			wantStatus:  http.StatusForbidden,
			wantPattern: `PermissionException`,
		},
		{
			name:       "PUT needs both directions",
			req:        jsonCall(http.MethodPut, path, "admin", `{"incoming":`+off+`}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"Invalid or missing value for 'outgoing'.","context":"outgoing"}]}`,
		},
		{
			name:        "PUT of malformed JSON is a 500",
			req:         jsonCall(http.MethodPut, path, "admin", `{"incoming":`),
			wantStatus:  http.StatusInternalServerError,
			wantPattern: `^\{"status-code":500,"message":"Malformed entity`,
		},
		{
			name:        "impersonation needs a sysadmin",
			req:         jsonCall(http.MethodPut, path, "manager", status(off, `{"enabled":true,"twoLoImpersonationEnabled":true}`)),
			wantStatus:  http.StatusForbidden,
			wantPattern: `system administrator`,
		},
		{
			name:       "disabled wins over impersonation, so an admin may send it",
			req:        jsonCall(http.MethodPut, path, "manager", status(off, `{"enabled":false,"twoLoImpersonationEnabled":true}`)),
			wantStatus: http.StatusNoContent,
			wantLevels: status(off, off),
		},
		{
			name:       "enabling incoming fetches the peer's consumer; impersonation implies 2LO",
			req:        jsonCall(http.MethodPut, path, "admin", status(`{"enabled":true,"twoLoEnabled":true}`, `{"enabled":true,"twoLoImpersonationEnabled":true}`)),
			wantStatus: http.StatusNoContent,
			wantLevels: status(twoLO, full),
		},
		{
			name:       "lowering the levels unregisters providers",
			req:        jsonCall(http.MethodPut, path, "manager", status(threeLO, threeLO)),
			wantStatus: http.StatusNoContent,
			wantLevels: status(threeLO, threeLO),
		},
		{
			name:       "disabling incoming removes the consumer",
			req:        jsonCall(http.MethodPut, path, "admin", status(off, twoLO)),
			wantStatus: http.StatusNoContent,
			wantLevels: status(off, twoLO),
		},
	}
	for _, step := range steps {
		body := expect(t, jira.URL(), step.req, step.wantStatus)
		if step.wantBody != "" && body != step.wantBody {
			t.Errorf("%s: body %s\nwant %s", step.name, body, step.wantBody)
		}
		if step.wantPattern != "" && !regexp.MustCompile(step.wantPattern).MatchString(body) {
			t.Errorf("%s: body %s\nwant match %s", step.name, body, step.wantPattern)
		}
		if step.wantLevels != "" {
			if got := expect(t, jira.URL(), testRequest{path: path}, http.StatusOK); got != step.wantLevels {
				t.Errorf("%s: levels %s\nwant %s", step.name, got, step.wantLevels)
			}
		}
		if step.name == "enabling incoming fetches the peer's consumer; impersonation implies 2LO" {
			link := storedLinks(jira)[id]
			wantKey := consumerKey("confluence", wiki.ServerID())
			if c := link.IncomingConsumer; c == nil || c.Key != wantKey || c.PublicKey == "" || !c.TwoLOAllowed || c.TwoLOImpersonationAllowed {
				t.Errorf("stored consumer %+v, want key %s with 2LO only", c, wantKey)
			}
			var classes []string
			for _, p := range link.OutgoingProviders {
				classes = append(classes, p.Class)
			}
			if want := []string{providerOAuth, providerTwoLeggedOAuth, providerTwoLeggedImpersonation}; !slices.Equal(classes, want) {
				t.Errorf("outgoing providers %v, want %v", classes, want)
			}
		}
	}
	if c := storedLinks(jira)[id].IncomingConsumer; c != nil {
		t.Errorf("consumer kept after disabling incoming: %+v", c)
	}
	// Only the local side changed.
	if links := wiki.links(); len(links) != 0 {
		t.Errorf("the peer has links: %+v", links)
	}

	// With the peer down and no consumer stored, enabling incoming is a 409
	// and changes nothing.
	if err := wikiSrv.Close(); err != nil {
		t.Fatal(err)
	}
	body := expect(t, jira.URL(), jsonCall(http.MethodPut, path, "admin", status(threeLO, full)), http.StatusConflict)
	if want := `^\{"status":409,"errors":\[\{"summary":"The OAuth consumer information of the application 'Wiki' is not available.","details":"com.atlassian.applinks.internal.common.exception.ConsumerInformationUnavailableException: `; !regexp.MustCompile(want).MatchString(body) {
		t.Errorf("peer down: %s", body)
	}
	if got := expect(t, jira.URL(), testRequest{path: path}, http.StatusOK); got != status(off, twoLO) {
		t.Errorf("levels after the 409: %s", got)
	}
}

func TestOAuthLevelNormalisation(t *testing.T) {
	tests := []struct {
		in, want oauthConfig
	}{
		{oauthConfig{}, oauthConfig{}},
		{oauthConfig{TwoLoEnabled: true, TwoLoImpersonationEnabled: true}, oauthConfig{}},
		{oauthConfig{Enabled: true}, oauthConfig{Enabled: true}},
		{oauthConfig{Enabled: true, TwoLoEnabled: true}, oauthConfig{Enabled: true, TwoLoEnabled: true}},
		{oauthConfig{Enabled: true, TwoLoImpersonationEnabled: true}, oauthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}},
	}
	for _, tt := range tests {
		if got := tt.in.normalised(); got != tt.want {
			t.Errorf("%+v normalised = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
