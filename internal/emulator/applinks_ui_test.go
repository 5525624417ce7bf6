package emulator

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// fakePeer serves fixed answers by path and records the bodies it got.
type fakePeer struct {
	*httptest.Server
	mu       sync.Mutex
	received map[string]string
}

type fakeAnswer struct {
	status      int
	contentType string
	location    string
	body        string
}

func newFakePeer(t *testing.T, answers map[string]fakeAnswer) *fakePeer {
	p := &fakePeer{received: make(map[string]string)}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.received[r.Method+" "+r.URL.Path] = string(body)
		p.mu.Unlock()
		a, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if a.contentType != "" {
			w.Header().Set("Content-Type", a.contentType)
		}
		if a.location != "" {
			w.Header().Set("Location", a.location)
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *fakePeer) got(key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.received[key]
}

func TestManifestForm(t *testing.T) {
	srv := startTestServer(t, Options{AllowAllHosts: true}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	blocking := startTestServer(t, Options{}, nil, loopback("strict", "jira")).Instance("strict")
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	redirecting := newFakePeer(t, map[string]fakeAnswer{
		"GET /rest/applinks/1.0/manifest": {status: http.StatusFound, location: "http://elsewhere.example.com/rest/applinks/1.0/manifest"},
	})
	missing := newFakePeer(t, nil)
	refapp := newFakePeer(t, map[string]fakeAnswer{
		"GET /rest/applinks/1.0/manifest": {status: http.StatusOK, contentType: "application/json", body: `{"id":"0a0a0a0a-0000-4000-8000-000000000001","name":"RefApp","typeId":"refapp","buildNumber":1,"url":"http://refapp"}`},
	})
	down := closedURL(t)
	form := func(inst *Instance, target string) testRequest {
		return jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlinkForm/manifest?url="+url.QueryEscape(target), "admin", "")
	}
	linkToWiki := ""
	steps := []struct {
		name        string
		inst        *Instance
		req         testRequest
		before      func()
		wantStatus  int
		wantBody    string
		wantPattern string
		wantAbsent  string
	}{
		{name: "XSRF header required on this GET", inst: jira, req: testRequest{path: "/rest/applinks/1.0/applicationlinkForm/manifest?url=x", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusForbidden, wantBody: "XSRF check failed"},
		{name: "blank url", inst: jira, req: form(jira, " "),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["Please specify the URL of the application."]}`},
		{name: "loopback peer is blocked", inst: blocking, req: form(blocking, wiki.URL()),
			wantStatus: http.StatusForbidden, wantBody: `{"status-code":403,"message":"Application links to this host are not allowed."}`},
		{name: "a URL without host resolves to loopback", inst: blocking, req: form(blocking, "jira"),
			wantStatus: http.StatusForbidden},
		{name: "unresolvable host", inst: blocking, req: form(blocking, "http://no-such-host.invalid"),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["The URL is not valid or its host cannot be resolved."]}`},
		{name: "AllowAllHosts lifts the blocklist", inst: jira, req: form(jira, wiki.URL()),
			wantStatus:  http.StatusOK,
			wantPattern: `^\{"id":"` + wiki.ServerID() + `","name":"Confluence","typeId":"confluence","version":"8.7.2","buildNumber":9012,"applinksVersion":"9.1.4","inboundAuthenticationTypes":\[[^\]]+\],"outboundAuthenticationTypes":\[[^\]]+\],"publicSignup":false,"url":"` + regexp.QuoteMeta(wiki.URL()) + `",`,
			// Unknown authentication types, the placeholder among them, are dropped.
			wantAbsent: manifestPlaceholder},
		{name: "no scheme", inst: jira, req: form(jira, "jira"),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["The URL 'jira' is not valid."]}`},
		{name: "redirect is a 200 warning", inst: jira, req: form(jira, redirecting.URL),
			wantStatus: http.StatusOK,
			wantBody: `{"warning":"The application at this URL redirected to http://elsewhere.example.com/. Use that URL instead, or continue with this one.",` +
				`"code":"applinks.warning.redirected.host","params":{"redirectedUrl":"http://elsewhere.example.com/rest/applinks/1.0/manifest"}}`},
		{name: "no response is a 200 warning", inst: jira, req: form(jira, down),
			wantStatus: http.StatusOK, wantBody: `{"warning":"` + msgUnknownHostWarning + `","code":"applinks.warning.unknown.host"}`},
		{name: "no manifest is an empty 200", inst: jira, req: form(jira, missing.URL),
			wantStatus: http.StatusOK, wantBody: `{}`},
		{name: "no manifest, as XML", inst: jira, req: testRequest{path: "/rest/applinks/1.0/applicationlinkForm/manifest?url=" + url.QueryEscape(missing.URL), user: "admin", headers: map[string]string{"X-Atlassian-Token": "no-check"}},
			wantStatus: http.StatusOK, wantBody: xmlDeclaration + `<responseInfo></responseInfo>`},
		{name: "a type that is not installed", inst: jira, req: form(jira, refapp.URL),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["The application type refapp of the remote application is not supported."]}`},
		{name: "linking to itself", inst: jira, req: form(jira, jira.URL()),
			wantStatus: http.StatusConflict, wantBody: `{"status":409,"message":["` + msgApplinkItsMe + `"]}`},
		{name: "an existing link with the same display URL", inst: jira, req: form(jira, wiki.URL()),
			before: func() {
				linkToWiki = createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
			},
			wantStatus: http.StatusConflict, wantBody: `{"status":409,"message":["An application link to ` + wiki.URL() + ` already exists."]}`},
		{name: "an existing link under another URL hints at relocation", inst: jira, req: form(jira, wiki.URL()),
			before: func() {
				expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/applinks/"+linkToWiki, "admin",
					`{"name":"Wiki","rpcUrl":"http://old.example.com","displayUrl":"http://old.example.com"}`), http.StatusOK)
			},
			wantStatus: http.StatusConflict, wantBody: `{"status":409,"message":["` + msgApplinkExistsOtherURL + `"]}`},
	}
	for _, step := range steps {
		if step.before != nil {
			step.before()
		}
		body := expect(t, step.inst.URL(), step.req, step.wantStatus)
		if step.wantBody != "" && body != step.wantBody {
			t.Errorf("%s: body %s\nwant %s", step.name, body, step.wantBody)
		}
		if step.wantPattern != "" && !regexp.MustCompile(step.wantPattern).MatchString(body) {
			t.Errorf("%s: body %s\nwant match %s", step.name, body, step.wantPattern)
		}
		if step.wantAbsent != "" && strings.Contains(body, step.wantAbsent) {
			t.Errorf("%s: body %s contains %s", step.name, body, step.wantAbsent)
		}
	}
}

// createAppLinkBody is the wizard's request.
func createAppLinkBody(typeID, name, rpcURL, username, password string, twoWay, trust, share bool) string {
	body := map[string]any{
		"applicationLink":  map[string]any{"typeId": typeID, "name": name, "rpcUrl": rpcURL, "displayUrl": rpcURL, "isPrimary": true},
		"username":         username,
		"password":         password,
		"createTwoWayLink": twoWay,
		"customRpcURL":     false,
		"rpcUrl":           "",
		"configFormValues": map[string]bool{"trustEachOther": trust, "shareUserbase": share},
	}
	data, _ := json.Marshal(body)
	return string(data)
}

const createAppLinkPath = "/rest/applinks/1.0/applicationlinkForm/createAppLink"

func TestCreateAppLinkValidation(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	down := closedURL(t)
	tests := []struct {
		name       string
		user       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{name: "blank name", body: createAppLinkBody("confluence", " ", wiki.URL(), "", "", false, false, false),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["Please specify a name for the application."],"fields":["application-name"]}`},
		{name: "unknown type", body: createAppLinkBody("refapp", "R", wiki.URL(), "", "", false, false, false),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["Please select a valid application type."],"fields":["application-types"]}`},
		{name: "shared user base needs a sysadmin", user: "manager", body: createAppLinkBody("confluence", "W", wiki.URL(), "", "", false, true, true),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["` + msgOnlySysadmin + `"],"fields":["same-userbase"]}`},
		{name: "wrong credentials for the peer", body: createAppLinkBody("confluence", "W", wiki.URL(), "admin", "wrong", true, false, false),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["` + msgNotRemoteAdmin + `"],"fields":["authorization"]}`},
		{name: "a non-admin on the peer", body: createAppLinkBody("confluence", "W", wiki.URL(), "user", "user", true, false, false),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["` + msgNotRemoteAdmin + `"],"fields":["authorization"]}`},
		{name: "peer down for a two-way link", body: createAppLinkBody("confluence", "W", down, "admin", "admin", true, false, false),
			wantStatus: http.StatusInternalServerError, wantBody: `{"status-code":500,"message":"` + msgRemoteAuthResponse + `"}`},
		{name: "one-way to an offline peer gets the URL-derived id", body: createAppLinkBody("confluence", "Offline", down+"/", "", "", false, false, false),
			wantStatus: http.StatusOK},
		{name: "an rpcUrl already linked", body: createAppLinkBody("confluence", "Again", down, "", "", false, false, false),
			wantStatus: http.StatusBadRequest, wantBody: `{"status":400,"message":["` + msgRPCURLExists + `"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := tt.user
			if user == "" {
				user = "admin"
			}
			body := expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, user, tt.body), tt.wantStatus)
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body %s\nwant %s", body, tt.wantBody)
			}
		})
	}
	links := jira.links()
	if len(links) != 1 || links[0].ID != GenerateApplicationID(down) || links[0].RPCURL != down {
		t.Errorf("links %+v, want one to %s with its URL-derived id", links, down)
	}
	if len(wiki.links()) != 0 {
		t.Errorf("the peer got links: %+v", wiki.links())
	}
}

func TestCreateAppLinkOneWay(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	body := expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, "admin",
		createAppLinkBody("confluence", "Wiki", wiki.URL()+"/", "", "", false, false, false)), http.StatusOK)
	want := `^\{"applicationLink":\{"link":\[\{"href":"` + regexp.QuoteMeta(jira.URL()+"/rest/applinks/1.0/applicationlink/"+wiki.ServerID()) +
		`","rel":"self"\}\],"id":"` + wiki.ServerID() + `","typeId":"confluence","name":"Wiki","displayUrl":"` + regexp.QuoteMeta(wiki.URL()) +
		`",.*"rpcUrl":"` + regexp.QuoteMeta(wiki.URL()) + `","isPrimary":true,"isSystem":false\},"autoConfigurationSuccessful":true\}$`
	if !regexp.MustCompile(want).MatchString(body) {
		t.Errorf("body %s\nwant match %s", body, want)
	}
	if len(wiki.links()) != 0 {
		t.Errorf("a one-way link created links on the peer")
	}
	if rules := applicationLinkRules(jira); !slices.Equal(rules, []string{wiki.ServerID()}) {
		t.Errorf("allowlist rules %v", rules)
	}
}

func TestCreateAppLinkTwoWay(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	// A link on the peer already named like us gets renamed there.
	createLink(t, wiki, linkBody("bamboo", "Jira", "http://bamboo.example.com"))
	body := expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, "admin",
		createAppLinkBody("confluence", "Wiki", wiki.URL(), "admin", "admin", true, true, true)), http.StatusOK)
	if !strings.HasSuffix(body, `"autoConfigurationSuccessful":true}`) || !strings.Contains(body, `"id":"`+wiki.ServerID()+`"`) {
		t.Fatalf("create: %s", body)
	}
	back, ok := storedLinks(wiki)[jira.ServerID()]
	if !ok {
		t.Fatalf("no reciprocal link on the peer: %+v", wiki.links())
	}
	if back.TypeID != "jira" || back.Name != "Jira - 2" || back.RPCURL != jira.URL() || back.DisplayURL != jira.URL() || !back.Primary {
		t.Errorf("reciprocal link %+v", back)
	}
	// Trust and a shared user base configure 2LO with impersonation, both
	// ways, on both sides.
	full := `{"incoming":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true},"outgoing":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}}`
	for _, side := range []struct {
		inst *Instance
		peer *Instance
	}{{jira, wiki}, {wiki, jira}} {
		got := expect(t, side.inst.URL(), testRequest{path: "/rest/applinks/3.0/status/" + side.peer.ServerID() + "/oauth"}, http.StatusOK)
		if got != full {
			t.Errorf("%s OAuth status %s\nwant %s", side.inst.Name(), got, full)
		}
		if c := storedLinks(side.inst)[side.peer.ServerID()].IncomingConsumer; c == nil || c.Key != consumerKey(side.peer.Type(), side.peer.ServerID()) {
			t.Errorf("%s stored consumer %+v", side.inst.Name(), c)
		}
	}
}

func TestCreateAppLinkRemoteRefusal(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	putPath := "PUT /rest/applinks/1.0/applicationlink/" + jira.ServerID()
	refusing := newFakePeer(t, map[string]fakeAnswer{
		"GET /rest/applinks/1.0/authenticationinfo": {status: http.StatusOK},
		putPath: {status: http.StatusBadRequest, contentType: "application/json", body: `{"status":400,"message":["Remote says no"]}`},
	})
	garbling := newFakePeer(t, map[string]fakeAnswer{
		"GET /rest/applinks/1.0/authenticationinfo": {status: http.StatusOK},
		putPath: {status: http.StatusInternalServerError, contentType: "text/html", body: `<html>oops</html>`},
	})
	request := map[string]any{
		"applicationLink":  map[string]any{"typeId": "confluence", "name": "Wiki", "rpcUrl": refusing.URL, "displayUrl": refusing.URL},
		"username":         "admin",
		"password":         "secret",
		"createTwoWayLink": true,
		"customRpcURL":     true,
		"rpcUrl":           "http://jira.internal:8080/",
		"configFormValues": map[string]bool{},
	}
	data, _ := json.Marshal(request)
	body := expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, "admin", string(data)), http.StatusBadRequest)
	if want := `{"status":400,"message":["` + msgRemoteGeneral + `","Remote says no"]}`; body != want {
		t.Errorf("remote refusal: %s", body)
	}
	var sent applicationLinkEntity
	decodeJSON(t, refusing.got(putPath), &sent)
	if sent.ID != jira.ServerID() || sent.TypeID != "jira" || sent.RPCURL != "http://jira.internal:8080" || sent.DisplayURL != jira.URL() || sent.IsPrimary {
		t.Errorf("link sent to the peer %+v", sent)
	}

	link, ok := request["applicationLink"].(map[string]any)
	if !ok {
		t.Fatalf("the form has no applicationLink object: %v", request)
	}
	link["rpcUrl"] = garbling.URL
	data, _ = json.Marshal(request)
	body = expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, "admin", string(data)), http.StatusInternalServerError)
	if want := `{"status-code":500,"message":"` + msgRemoteResponse + `"}`; body != want {
		t.Errorf("unreadable refusal: %s", body)
	}
	if len(jira.links()) != 0 {
		t.Errorf("links created despite the refusal: %+v", jira.links())
	}
}

func TestRPCURLReachable(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
	}{
		{"the URL in the path, slashes and all", "/rest/applinks/1.0/authenticationinfo/id/" + wiki.ServerID() + "/url/" + wiki.URL(), http.StatusOK, jsonOK},
		{"the query parameter wins", "/rest/applinks/1.0/authenticationinfo/id/" + wiki.ServerID() + "/url/x?url=" + url.QueryEscape(wiki.URL()), http.StatusOK, jsonOK},
		{"another id", "/rest/applinks/1.0/authenticationinfo/id/" + jira.ServerID() + "/url/" + wiki.URL(), http.StatusNotFound, `{"status-code":404,"message":""}`},
		{"no manifest", "/rest/applinks/1.0/authenticationinfo/id/" + wiki.ServerID() + "/url/x?url=" + url.QueryEscape(closedURL(t)), http.StatusNotFound, `{"status-code":404,"message":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expect(t, jira.URL(), jsonCall(http.MethodGet, tt.path, "admin", ""), tt.wantStatus)
			if body != tt.wantBody {
				t.Errorf("body %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestListApplicationLinksUI(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	zeta := createLink(t, jira, linkBody("confluence", "Zeta", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	createLink(t, jira, linkBody("confluence", "Alpha", "http://alpha.example.com"))
	createLink(t, jira, linkBody("bamboo", "Bamboo", closedURL(t)))
	createLink(t, jira, linkBody("jira", "Another Jira", "http://jira2.example.com"))
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+zeta+"/oauth", "admin",
		`{"incoming":{"enabled":true},"outgoing":{"enabled":true,"twoLoEnabled":true}}`), http.StatusNoContent)

	body := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/listApplicationlinks", "admin", ""), http.StatusOK)
	var list struct {
		List []struct {
			Application struct {
				Name   string `json:"name"`
				TypeID string `json:"typeId"`
			} `json:"application"`
			Outbound      []string          `json:"configuredOutboundAuthenticators"`
			Inbound       []string          `json:"configuredInboundAuthenticators"`
			HasIncoming   *bool             `json:"hasIncomingAuthenticationProviders"`
			HasOutgoing   *bool             `json:"hasOutgoingAuthenticationProviders"`
			WebItems      []json.RawMessage `json:"webItems"`
			IsSystem      *bool             `json:"isSystem"`
			EntityTypeIDs []string          `json:"entityTypeIdStrings"`
		} `json:"list"`
	}
	decodeJSON(t, body, &list)
	var order []string
	for _, e := range list.List {
		order = append(order, e.Application.TypeID+"/"+e.Application.Name)
	}
	if want := []string{"bamboo/Bamboo", "confluence/Alpha", "confluence/Zeta", "jira/Another Jira"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	z := list.List[2]
	if !slices.Equal(z.Outbound, []string{providerOAuth, providerTwoLeggedOAuth}) || !slices.Equal(z.Inbound, []string{providerOAuth}) ||
		z.HasIncoming == nil || !*z.HasIncoming || z.HasOutgoing == nil || !*z.HasOutgoing ||
		z.WebItems == nil || z.IsSystem == nil || *z.IsSystem || !slices.Equal(z.EntityTypeIDs, []string{"confluence.space"}) {
		t.Errorf("element %+v", z)
	}
	if a := list.List[1]; len(a.Outbound) != 0 || a.Outbound == nil || len(a.Inbound) != 0 {
		t.Errorf("unconfigured element %+v", a)
	}
	resp, xmlBody := send(t, jira.URL(), testRequest{path: "/rest/applinks/1.0/listApplicationlinks", user: "admin"})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(xmlBody, xmlDeclaration+`<list><list><application><link href=`) {
		t.Errorf("XML: %d %.200s", resp.StatusCode, xmlBody)
	}
}

func TestApplicationLinkStates(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	ok := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	offline := createLink(t, jira, linkBody("confluence", "Down", closedURL(t)))
	upgradedToUAL := createLink(t, jira, linkBody("confluence", "Old id", wiki.URL(), `"id":"0b0b0b0b-0000-4000-8000-000000000001"`))
	// A jira link to a Confluence: the manifest has another type, so the
	// product synthesises one without an applinks version.
	upgraded := createLink(t, jira, linkBody("jira", "Wrong type", wiki.URL(), `"id":"0b0b0b0b-0000-4000-8000-000000000002"`))
	tests := []struct {
		id         string
		wantStatus int
		wantBody   string
	}{
		{ok, http.StatusOK, `{"appLinkState":"OK"}`},
		{offline, http.StatusOK, `{"appLinkState":"OFFLINE"}`},
		{upgradedToUAL, http.StatusOK, `{"appLinkState":"UPGRADED_TO_UAL"}`},
		{upgraded, http.StatusOK, `{"appLinkState":"UPGRADED"}`},
		{"00000000-0000-4000-8000-000000000000", http.StatusInternalServerError, `{"status-code":500,"message":"An error occurred when retrieving the list of application links: Couldn't find application link"}`},
		{"nope", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		body := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/listApplicationlinkstates/id/"+tt.id, "admin", ""), tt.wantStatus)
		if body != tt.wantBody {
			t.Errorf("%s: body %s, want %s", tt.id, body, tt.wantBody)
		}
	}
}

func TestApplicationLinkInfo(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://wiki.example.com"))
	body := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlinkInfo/id/"+id, "admin", ""), http.StatusOK)
	providers := `["` + strings.Join([]string{providerBasic, providerTrustedApps, providerOAuth, providerTwoLeggedOAuth, providerTwoLeggedImpersonation, providerCors}, `","`) + `"]`
	if want := `{"configuredAuthProviders":` + providers + `,"hostEntityTypes":["jira.project"],"remoteEntityTypes":["jira.project"],"numConfiguredEntities":0}`; body != want {
		t.Errorf("body %s\nwant %s", body, want)
	}
	expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlinkInfo/id/00000000-0000-4000-8000-000000000000", "admin", ""), http.StatusNotFound)
}

func TestRelocateApplicationLink(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	// The wiki reports a public base URL other than the one it listens on,
	// so the display URL a relocation takes from its manifest differs from
	// the new rpcUrl.
	if err := wiki.store.Update(func(st *state) error { st.BaseURL = "https://wiki.example.com"; return nil }); err != nil {
		t.Fatal(err)
	}
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://old.example.com"))
	jiraTyped := createLink(t, jira, linkBody("jira", "Jira", "http://jira2.example.com"))
	down := closedURL(t)
	relocate := func(id, newURL, extra, user string) testRequest {
		return jsonCall(http.MethodPost, "/rest/applinks/1.0/relocateApplicationlink/"+id+"?newUrl="+url.QueryEscape(newURL)+extra, user, "")
	}
	steps := []struct {
		name        string
		req         testRequest
		wantStatus  int
		wantBody    string
		wantPattern string
		wantRPC     string
		wantDisplay string
	}{
		{name: "admins who are not sysadmins", req: relocate(id, down, "", "manager"),
			wantStatus: http.StatusForbidden, wantBody: `{"status-code":403,"message":"` + msgOnlySysadmin + `"}`},
		{name: "no body, so XSRF applies", req: testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/relocateApplicationlink/" + id + "?newUrl=x", user: "admin"},
			wantStatus: http.StatusForbidden, wantBody: "XSRF check failed"},
		{name: "malformed id", req: relocate("nope", down, "", "admin"),
			wantStatus: http.StatusInternalServerError, wantPattern: `UUID string: nope`},
		{name: "newUrl is not a URI", req: relocate(id, "http://a b", "", "admin"),
			wantStatus: http.StatusInternalServerError, wantPattern: `^\{"status-code":500,"message":".+"\}$`},
		{name: "unknown id", req: relocate("00000000-0000-4000-8000-000000000000", down, "", "admin"),
			wantStatus: http.StatusNotFound, wantBody: `{"status-code":404,"message":"No application link with id 00000000-0000-4000-8000-000000000000 found."}`},
		{name: "unreachable target warns with an empty 409", req: relocate(id, down, "", "admin"),
			wantStatus: http.StatusConflict, wantBody: "", wantRPC: "http://old.example.com", wantDisplay: "http://old.example.com"},
		{name: "nowarning sets both URLs", req: relocate(id, down, "&nowarning=true", "admin"),
			wantStatus: http.StatusNoContent, wantRPC: down, wantDisplay: down},
		{name: "the manifest at the new URL supplies the display URL", req: relocate(id, wiki.listenURL, "&nowarning=false", "admin"),
			wantStatus: http.StatusNoContent, wantRPC: wiki.listenURL, wantDisplay: "https://wiki.example.com"},
		{name: "another type is a 400 with a bare string", req: relocate(jiraTyped, wiki.listenURL, "", "admin"),
			wantStatus: http.StatusBadRequest,
			wantBody:   "The application at " + wiki.listenURL + " is a Confluence application, but this application link is to a Jira application."},
	}
	for _, step := range steps {
		body := expect(t, jira.URL(), step.req, step.wantStatus)
		if step.wantPattern == "" && body != step.wantBody {
			t.Errorf("%s: body %q, want %q", step.name, body, step.wantBody)
		}
		if step.wantPattern != "" && !regexp.MustCompile(step.wantPattern).MatchString(body) {
			t.Errorf("%s: body %s, want match %s", step.name, body, step.wantPattern)
		}
		if step.wantRPC != "" {
			l, ok := storedLinks(jira)[id]
			if !ok || l.RPCURL != step.wantRPC || l.DisplayURL != step.wantDisplay {
				t.Errorf("%s: link %+v (found %v), want rpcUrl %s, displayUrl %s, same id", step.name, l, ok, step.wantRPC, step.wantDisplay)
			}
		}
	}
	// The id never changes, though the manifest names another server.
	if l := storedLinks(jira)[id]; l.ID == wiki.ServerID() {
		t.Errorf("relocation changed the id")
	}
	if l := storedLinks(jira)[jiraTyped]; l.RPCURL != "http://jira2.example.com" {
		t.Errorf("a refused relocation changed the link: %+v", l)
	}
}

func TestCatchAllTemplateSegment(t *testing.T) {
	pattern := splitPath("/rest/applinks/1.0/authenticationinfo/id/{applinkId}/url/{url:.*}")
	tests := []struct {
		path    string
		wantOK  bool
		wantURL string
	}{
		{"/rest/applinks/1.0/authenticationinfo/id/x/url/http://host:8080/jira", true, "http://host:8080/jira"},
		{"/rest/applinks/1.0/authenticationinfo/id/x/url/http%3A%2F%2Fhost", true, "http://host"},
		{"/rest/applinks/1.0/authenticationinfo/id/x/url", true, ""},
		{"/rest/applinks/1.0/authenticationinfo/id/x/uri/http://host", false, ""},
		{"/rest/applinks/1.0/authenticationinfo/id", false, ""},
	}
	for _, tt := range tests {
		params, ok := matchSegments(pattern, splitPath(tt.path))
		if ok != tt.wantOK || ok && (params["url"] != tt.wantURL || params["applinkId"] != "x") {
			t.Errorf("%s: %v %v, want %v %q", tt.path, params, ok, tt.wantOK, tt.wantURL)
		}
	}
}

// A create body flagged isSystem, as a provisioning script for Jira, Bamboo
// and Bitbucket sends on every call, makes an ordinary link whose rpcUrl is
// its display URL; a body without a display URL gets the rpcUrl as one.
func TestCreateBodyFlaggedIsSystem(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"), loopback("builds", "bamboo"))
	jira := srv.Instance("jira")
	internal := closedURL(t) // the rpcUrl the body names, which the product ignores
	for _, peer := range []*Instance{srv.Instance("wiki"), srv.Instance("builds")} {
		body, _ := json.Marshal(map[string]any{
			"applicationLink": map[string]any{"typeId": peer.Type(), "name": peer.Name(), "rpcUrl": internal,
				"displayUrl": peer.URL(), "isPrimary": true, "isSystem": true},
			"username": "", "password": "", "createTwoWayLink": false, "customRpcURL": false, "rpcUrl": "",
			"configFormValues": map[string]bool{"trustEachOther": false, "shareUserbase": false},
		})
		got := expect(t, jira.URL(), jsonCall(http.MethodPost, createAppLinkPath, "admin", string(body)), http.StatusOK)
		var created struct {
			ApplicationLink struct {
				ID       string `json:"id"`
				RPCURL   string `json:"rpcUrl"`
				IsSystem bool   `json:"isSystem"`
			} `json:"applicationLink"`
		}
		decodeJSON(t, got, &created)
		if created.ApplicationLink.ID != peer.ServerID() || created.ApplicationLink.RPCURL != peer.URL() || created.ApplicationLink.IsSystem {
			t.Errorf("link to %s: %s\nwant id %s and rpcUrl %s, not a system link", peer.Name(), got, peer.ServerID(), peer.URL())
		}
		if l := storedLinks(jira)[peer.ServerID()]; l.RPCURL != peer.URL() || l.DisplayURL != peer.URL() || l.System {
			t.Errorf("stored link to %s: %+v", peer.Name(), l)
		}
	}

	// The v2 create: the id of a generic link derives from the display URL
	// that stands in for the rpcUrl.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/2.0/applicationlink", "admin",
		`{"typeId":"generic","name":"CI","rpcUrl":"http://ci.internal:8080","displayUrl":"https://ci.example.com/","isSystem":true}`), http.StatusCreated)
	if l, ok := storedLinks(jira)[GenerateApplicationID("https://ci.example.com")]; !ok || l.RPCURL != "https://ci.example.com" || l.DisplayURL != "https://ci.example.com" {
		t.Errorf("v2 link flagged isSystem: %+v (found %t)", l, ok)
	}
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/2.0/applicationlink", "admin",
		`{"typeId":"generic","name":"Docs","rpcUrl":"https://docs.example.com"}`), http.StatusCreated)
	if l := storedLinks(jira)[GenerateApplicationID("https://docs.example.com")]; l.DisplayURL != "https://docs.example.com" {
		t.Errorf("v2 link without a display URL: %+v", l)
	}
}
