package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const allowlistBase = "/rest/whitelist/latest"

var jsonBody = map[string]string{"Accept": "application/json", "Content-Type": "application/json"}

// addTestLink stores a link the way the link endpoints do, rule included.
func addTestLink(t *testing.T, inst *Instance, link storedLink) {
	t.Helper()
	if err := inst.store.Update(func(st *state) error {
		st.Links = append(st.Links, link)
		addApplicationLinkRule(st, link.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func removeTestLink(t *testing.T, inst *Instance, id string, withRule bool) {
	t.Helper()
	if err := inst.store.Update(func(st *state) error {
		for i, l := range st.Links {
			if l.ID == id {
				st.Links = append(st.Links[:i], st.Links[i+1:]...)
				break
			}
		}
		if withRule {
			removeApplicationLinkRule(st, id)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func allowlistCall(t *testing.T, inst *Instance, user, method, path, body string) (int, string) {
	t.Helper()
	headers := acceptJSON
	if body != "" {
		headers = jsonBody
	}
	resp, got := send(t, inst.URL(), testRequest{method: method, path: allowlistBase + path, user: user, body: body, headers: headers})
	return resp.StatusCode, got
}

func expectCall(t *testing.T, inst *Instance, user, method, path, body string, wantStatus int, wantBody string) {
	t.Helper()
	status, got := allowlistCall(t, inst, user, method, path, body)
	if status != wantStatus || got != wantBody {
		t.Errorf("%s %s %s as %q: %d %s\nwant %d %s", method, path, body, user, status, got, wantStatus, wantBody)
	}
}

func TestAllowlistRuleLifecycle(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")

	expectCall(t, jira, "admin", http.MethodGet, "", "", 200, `{"rules":[],"page":0,"totalPages":0}`)

	// Create answers 200 with the bean; defaults are no inbound and
	// authentication required. Duplicates are allowed.
	const domain = `{"id":1,"expression":"https://www.Example.com","type":"whitelist.domain.name","iconUrl":"https://www.Example.com/favicon.ico","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.domain.name","expression":"https://www.Example.com"}`, 200, domain)
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.domain.name","expression":"https://www.Example.com"}`, 200,
		strings.Replace(domain, `"id":1`, `"id":2`, 1))
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.exact.url","expression":"https://h.example/a?b","allowInbound":true,"allowAnonymousUser":true,"unknown":1}`, 200,
		`{"id":3,"expression":"https://h.example/a?b","type":"whitelist.exact.url","iconUrl":"https://h.example/favicon.ico","allowInbound":true,"allowAnonymousUser":true,"allowEdit":true,"allowDelete":true}`)
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.wildcard.expression","expression":"http://*.example.com/*"}`, 200,
		`{"id":4,"expression":"http://*.example.com/*","type":"whitelist.wildcard.expression","iconUrl":"","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`)
	// The regex rule goes through the 1.0 path: both versions are served.
	resp, body := send(t, jira.URL(), testRequest{method: http.MethodPost, path: "/rest/whitelist/1.0/", user: "admin", headers: jsonBody,
		body: `{"type":"whitelist.regular.expression","expression":"https?://(www\\.)?example\\.org/.*"}`})
	if resp.StatusCode != 200 || !strings.Contains(body, `"id":5,`) {
		t.Fatalf("create through 1.0: %d %s", resp.StatusCode, body)
	}
	// A domain rule that is no URI has the icon Java's concatenation makes.
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.domain.name","expression":"example.net"}`, 200,
		`{"id":6,"expression":"example.net","type":"whitelist.domain.name","iconUrl":"null://null/favicon.ico","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`)

	// Partial update: absent fields keep their values.
	expectCall(t, jira, "admin", http.MethodPut, "/3", `{"allowInbound":false}`, 200,
		`{"id":3,"expression":"https://h.example/a?b","type":"whitelist.exact.url","iconUrl":"https://h.example/favicon.ico","allowInbound":false,"allowAnonymousUser":true,"allowEdit":true,"allowDelete":true}`)
	expectCall(t, jira, "admin", http.MethodPut, "/6", `{"type":"whitelist.wildcard.expression","expression":"https://*.example.net"}`, 200,
		`{"id":6,"expression":"https://*.example.net","type":"whitelist.wildcard.expression","iconUrl":"","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`)

	// The list is sorted by type, then expression ignoring case.
	status, list := allowlistCall(t, jira, "user", http.MethodGet, "", "")
	var parsed allowlistListEntity
	if err := json.Unmarshal([]byte(list), &parsed); status != 200 || err != nil {
		t.Fatalf("list: %d %s (%v)", status, list, err)
	}
	var order []int64
	for _, r := range parsed.Rules {
		order = append(order, r.ID)
	}
	if got := fmt.Sprint(order); got != "[1 2 3 4 6 5]" || parsed.Page != 1 || parsed.TotalPages != 1 {
		t.Errorf("order %s page %d/%d, want [1 2 3 4 6 5] 1/1", got, parsed.Page, parsed.TotalPages)
	}

	// Delete answers 200 with no body, also for an id that is gone.
	expectCall(t, jira, "admin", http.MethodDelete, "/2", "", 200, "")
	expectCall(t, jira, "admin", http.MethodDelete, "/2", "", 200, "")
	expectCall(t, jira, "admin", http.MethodDelete, "/999", "", 200, "")
	// Ids come from a sequence and are never reused.
	status, created := allowlistCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.domain.name","expression":"https://x.example"}`)
	if status != 200 || !strings.HasPrefix(created, `{"id":7,`) {
		t.Errorf("create after delete: %d %s, want id 7", status, created)
	}
}

func TestAllowlistErrors(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	linkID := "4a2b6f3e-1c5d-3e7f-9a8b-0c1d2e3f4a5b"
	addTestLink(t, jira, storedLink{ID: linkID, TypeID: "confluence", Name: "Wiki", RPCURL: "http://wiki.internal:8090", DisplayURL: "https://wiki.example.com"})
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.regular.expression","expression":"a+"}`, 200,
		`{"id":2,"expression":"a+","type":"whitelist.regular.expression","iconUrl":"","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`)

	const notAllowed = `{"status-code":401,"message":"The current user is not allowed to change the whitelist."}`
	tests := []struct {
		name, user, method, path, body string
		wantStatus                     int
		wantBody                       string
	}{
		{"no expression", "admin", "POST", "", `{"type":"whitelist.domain.name"}`, 400, `{"errors":{"expression":"Please enter an expression."}}`},
		// The expression is checked before the caller.
		{"no expression from a manager", "manager", "POST", "", `{"type":"whitelist.domain.name"}`, 400, `{"errors":{"expression":"Please enter an expression."}}`},
		{"manager creates", "manager", "POST", "", `{"type":"whitelist.domain.name","expression":"https://a.example"}`, 401, notAllowed},
		{"user creates", "user", "POST", "", `{"type":"whitelist.domain.name","expression":"https://a.example"}`, 401, notAllowed},
		{"anonymous creates", "", "POST", "", `{"type":"whitelist.domain.name","expression":"https://a.example"}`, 401, jsonAuthRequired},
		{"application link rule", "admin", "POST", "", `{"type":"whitelist.application.link","expression":"` + linkID + `"}`, 400,
			`{"message":"Adding new application link whitelist rules is not supported, they are managed internally."}`},
		{"regex syntax", "admin", "POST", "", `{"type":"whitelist.regular.expression","expression":"(abc"}`, 400,
			`{"errors":{"expression":"Unclosed group near index 4\n(abc"}}`},
		{"unknown type", "admin", "POST", "", `{"type":"whitelist.url","expression":"x"}`, 400,
			`{"status-code":400,"message":"Can not deserialize the request body: Failed to find a matching whitelist type mapping for the given string 'whitelist.url'; known types are: [whitelist.application.link, whitelist.domain.name, whitelist.exact.url, whitelist.wildcard.expression, whitelist.regular.expression]"}`},
		{"no type", "admin", "POST", "", `{"expression":"x"}`, 400, `{"message":"A whitelist rule needs a type."}`},
		// Valid Java that RE2 cannot run (nesting multiplies past 1000): a
		// checked rule, not a 400; it is deleted again below.
		{"nested repetition", "admin", "POST", "", `{"type":"whitelist.regular.expression","expression":"https://((a{100}){100}){100}\\.example\\.com"}`, 200,
			`{"id":3,"expression":"https://((a{100}){100}){100}\\.example\\.com","type":"whitelist.regular.expression","iconUrl":"","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`},
		{"delete nested repetition", "admin", "DELETE", "/3", "", 200, ""},

		{"update unknown id", "admin", "PUT", "/99", `{"allowInbound":true}`, 400,
			`{"message":"This rule does not exist any more; it may have been deleted by another user."}`},
		{"update unknown id as manager", "manager", "PUT", "/99", `{"allowInbound":true}`, 400,
			`{"message":"This rule does not exist any more; it may have been deleted by another user."}`},
		{"manager updates", "manager", "PUT", "/2", `{"allowInbound":true}`, 401, notAllowed},
		// On update, a regex error is a plain message.
		{"update regex syntax", "admin", "PUT", "/2", `{"expression":"a{2,1}"}`, 400,
			`{"message":"Illegal repetition range near index 1\na{2,1}\n ^"}`},
		{"update to application link", "admin", "PUT", "/2", `{"type":"whitelist.application.link"}`, 400,
			`{"message":"Cannot change the type to application link."}`},
		{"link rule expression", "admin", "PUT", "/1", `{"expression":"Wiki (https://wiki.example.com)"}`, 400,
			`{"message":"Cannot change the type or expression of this application link whitelist rule."}`},
		{"link rule type", "admin", "PUT", "/1", `{"type":"whitelist.domain.name"}`, 400,
			`{"message":"Cannot change the type or expression of this application link whitelist rule."}`},
		{"non-numeric id", "admin", "PUT", "/abc", `{}`, 404, ""},

		{"delete link rule", "admin", "DELETE", "/1", "", 400,
			`{"message":"Adding new application link whitelist rules is not supported, they are managed internally."}`},
		{"manager deletes", "manager", "DELETE", "/2", "", 401, notAllowed},
		{"manager deletes unknown", "manager", "DELETE", "/99", "", 401, notAllowed},

		{"no restrictiveness", "admin", "PUT", "/settings", `{}`, 400,
			`{"errors":{"applicationLinkRestrictiveness":"Please select how application links are added to the allowlist."}}`},
		{"unknown restrictiveness", "admin", "PUT", "/settings", `{"applicationLinkRestrictiveness":"NONE"}`, 400,
			`{"status-code":400,"message":"Can not deserialize the request body: value not one of declared Enum instance names: [ALLOW_AUTHENTICATED, ALLOW_ANONYMOUS, DENY]"}`},
		{"anonymous lists", "", "GET", "", "", 401, jsonAuthRequired},
		{"check without url", "", "GET", "/check", "", 500, ""},
		{"check bad URI", "", "GET", "/check?url=" + "http://a%20b.example/x%20y%7Cz", "", 400,
			`{"message":"Illegal character in authority at index 8: http://a b.example/x y|z"}`},
		{"check bad path", "", "GET", "/check?url=" + "http://b.example/x%20y", "", 400,
			`{"message":"Illegal character in path at index 18: http://b.example/x y"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := allowlistCall(t, jira, tt.user, tt.method, tt.path, tt.body)
			if status != tt.wantStatus || (tt.wantBody != "" && got != tt.wantBody) {
				t.Errorf("got %d %s\nwant %d %s", status, got, tt.wantStatus, tt.wantBody)
			}
		})
	}
	// Nothing above left a rule changed.
	expectCall(t, jira, "admin", http.MethodGet, "", "", 200,
		`{"rules":[{"id":1,"expression":"Wiki (https://wiki.example.com)","type":"whitelist.application.link","iconUrl":"`+
			linkIcon(jira, "confluence")+`","allowInbound":false,"allowAnonymousUser":false,"allowEdit":false,"allowDelete":false},`+
			`{"id":2,"expression":"a+","type":"whitelist.regular.expression","iconUrl":"","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}],"page":1,"totalPages":1}`)
}

func TestAllowlistSwitchAndAdminPage(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"})
	wiki := srv.Instance("wiki")
	page := func(user string) (int, string, string) {
		resp, body := send(t, wiki.URL(), testRequest{path: "/plugins/servlet/whitelist", user: user})
		return resp.StatusCode, resp.Header.Get("Location"), body
	}
	if status, _, body := page("admin"); status != 200 || !strings.Contains(body, `<p id="allowlist-status" data-enabled="true">`) {
		t.Fatalf("page: %d %s", status, body)
	}
	// Body-less POSTs need the XSRF header.
	resp, body := send(t, wiki.URL(), testRequest{method: http.MethodPost, path: allowlistBase + "/disable", user: "admin"})
	if resp.StatusCode != 403 || body != "XSRF check failed" {
		t.Errorf("disable without header: %d %s", resp.StatusCode, body)
	}
	noCheck := map[string]string{"X-Atlassian-Token": "no-check"}
	resp, body = send(t, wiki.URL(), testRequest{method: http.MethodPost, path: allowlistBase + "/disable", user: "manager", headers: noCheck})
	if resp.StatusCode != 401 || !strings.Contains(body, "not allowed to change the whitelist") {
		t.Errorf("disable as manager: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, wiki.URL(), testRequest{method: http.MethodPost, path: allowlistBase + "/disable", user: "admin", headers: noCheck})
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("disable: %d %q", resp.StatusCode, body)
	}
	if status, _, body := page("admin"); status != 200 || !strings.Contains(body, `data-enabled="false"`) {
		t.Errorf("page after disable: %d %s", status, body)
	}
	// Everything is allowed while the allowlist is off.
	expectCall(t, wiki, "", http.MethodGet, "/check?url=https://anywhere.example/x", "", 200, `{"outbound":true,"outboundWithAuth":true,"inbound":true}`)
	resp, _ = send(t, wiki.URL(), testRequest{method: http.MethodPost, path: allowlistBase + "/enable", user: "admin", headers: noCheck})
	if resp.StatusCode != 200 {
		t.Errorf("enable: %d", resp.StatusCode)
	}
	if _, _, body := page("admin"); !strings.Contains(body, `data-enabled="true"`) {
		t.Errorf("page after enable: %s", body)
	}
	expectCall(t, wiki, "", http.MethodGet, "/check?url=https://anywhere.example/x", "", 200, `{"outbound":false,"outboundWithAuth":false,"inbound":false}`)
	// Anyone but a system administrator is sent to the login page.
	for _, user := range []string{"manager", ""} {
		status, location, _ := page(user)
		if status != http.StatusFound || !strings.HasPrefix(location, wiki.URL()+"/login.jsp?") {
			t.Errorf("page as %q: %d to %q", user, status, location)
		}
	}
}

func TestAllowlistApplicationLinkRules(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	wikiID, bbID, bambooID := "11111111-2222-3333-4444-555555555555", "22222222-2222-3333-4444-555555555555", "33333333-2222-3333-4444-555555555555"
	addTestLink(t, jira, storedLink{ID: wikiID, TypeID: "confluence", Name: "Wiki", RPCURL: "http://wiki.internal:8090/wiki", DisplayURL: "https://wiki.example.com/wiki"})
	addTestLink(t, jira, storedLink{ID: bbID, TypeID: "stash", Name: "Alpha Bitbucket", RPCURL: "http://bb.internal:7990", DisplayURL: "https://bb.example.com"})
	addTestLink(t, jira, storedLink{ID: bambooID, TypeID: "bamboo", Name: "Builds", RPCURL: "http://bamboo.internal", DisplayURL: "http://bamboo.internal"})
	expectCall(t, jira, "admin", http.MethodPost, "", `{"type":"whitelist.domain.name","expression":"https://a.example"}`, 200,
		`{"id":4,"expression":"https://a.example","type":"whitelist.domain.name","iconUrl":"https://a.example/favicon.ico","allowInbound":false,"allowAnonymousUser":false,"allowEdit":true,"allowDelete":true}`)

	listed := func() string {
		t.Helper()
		var parsed allowlistListEntity
		_, body := allowlistCall(t, jira, "admin", http.MethodGet, "", "")
		if err := json.Unmarshal([]byte(body), &parsed); err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, r := range parsed.Rules {
			rows = append(rows, fmt.Sprintf("%d %s %q inbound=%t anonymous=%t", r.ID, strings.TrimPrefix(r.Type, "whitelist."), r.Expression, r.AllowInbound, r.AllowAnonymousUser))
		}
		return strings.Join(rows, "\n")
	}
	// Link rules first, by the link's type id (bamboo < confluence < stash).
	want := `3 application.link "Builds (http://bamboo.internal)" inbound=false anonymous=false
1 application.link "Wiki (https://wiki.example.com/wiki)" inbound=false anonymous=false
2 application.link "Alpha Bitbucket (https://bb.example.com)" inbound=false anonymous=false
4 domain.name "https://a.example" inbound=false anonymous=false`
	if got := listed(); got != want {
		t.Errorf("list:\n%s\nwant\n%s", got, want)
	}

	// A link rule's flags can be edited by leaving out type and expression.
	expectCall(t, jira, "admin", http.MethodPut, "/1", `{"allowInbound":true}`, 200,
		`{"id":1,"expression":"Wiki (https://wiki.example.com/wiki)","type":"whitelist.application.link","iconUrl":"`+linkIcon(jira, "confluence")+
			`","allowInbound":true,"allowAnonymousUser":false,"allowEdit":false,"allowDelete":false}`)
	// The link rule matches below the link's RPC URL, not its display URL.
	expectCall(t, jira, "admin", http.MethodGet, "/check?url=http://wiki.internal:8090/wiki/rest/api", "", 200, `{"outbound":false,"outboundWithAuth":true,"inbound":true}`)
	expectCall(t, jira, "admin", http.MethodGet, "/check?url=http://wiki.internal:8090/other", "", 200, `{"outbound":false,"outboundWithAuth":false,"inbound":false}`)
	expectCall(t, jira, "admin", http.MethodGet, "/check?url=https://wiki.example.com/wiki", "", 200, `{"outbound":false,"outboundWithAuth":false,"inbound":false}`)

	// DENY removes every link rule; switching back re-creates them (with new
	// ids, default flags) for every link.
	expectCall(t, jira, "manager", http.MethodPut, "/settings", `{"applicationLinkRestrictiveness":"DENY"}`, 200, `{"applicationLinkRestrictiveness":"DENY"}`)
	expectCall(t, jira, "user", http.MethodGet, "/settings", "", 200, `{"applicationLinkRestrictiveness":"DENY"}`)
	if got := listed(); got != `4 domain.name "https://a.example" inbound=false anonymous=false` {
		t.Errorf("list under DENY:\n%s", got)
	}
	// A link added under DENY gets no rule.
	addTestLink(t, jira, storedLink{ID: "44444444-2222-3333-4444-555555555555", TypeID: "crowd", Name: "Users", RPCURL: "http://crowd.internal", DisplayURL: "http://crowd.internal"})
	expectCall(t, jira, "admin", http.MethodPut, "/settings", `{"applicationLinkRestrictiveness":"ALLOW_ANONYMOUS"}`, 200, `{"applicationLinkRestrictiveness":"ALLOW_ANONYMOUS"}`)
	want = `7 application.link "Builds (http://bamboo.internal)" inbound=false anonymous=true
5 application.link "Wiki (https://wiki.example.com/wiki)" inbound=false anonymous=true
8 application.link "Users (http://crowd.internal)" inbound=false anonymous=true
6 application.link "Alpha Bitbucket (https://bb.example.com)" inbound=false anonymous=true
4 domain.name "https://a.example" inbound=false anonymous=false`
	if got := listed(); got != want {
		t.Errorf("list after ALLOW_ANONYMOUS:\n%s\nwant\n%s", got, want)
	}
	// ALLOW_AUTHENTICATED keeps the rules and sets their flag.
	expectCall(t, jira, "admin", http.MethodPut, "/settings", `{"applicationLinkRestrictiveness":"ALLOW_AUTHENTICATED"}`, 200, `{"applicationLinkRestrictiveness":"ALLOW_AUTHENTICATED"}`)
	if got := listed(); !strings.HasPrefix(got, `7 application.link "Builds (http://bamboo.internal)" inbound=false anonymous=false`) || strings.Count(got, "anonymous=true") != 0 {
		t.Errorf("list after ALLOW_AUTHENTICATED:\n%s", got)
	}

	// A rule whose link vanished is not listed; a link deleted normally
	// takes its rule along.
	removeTestLink(t, jira, wikiID, false)
	removeTestLink(t, jira, bbID, true)
	if got := listed(); strings.Contains(got, "Wiki") || strings.Contains(got, "Bitbucket") || strings.Count(got, "\n") != 2 {
		t.Errorf("list after removing links:\n%s", got)
	}
	var stored int
	jira.store.View(func(st *state) { stored = len(st.AllowlistRules) })
	if stored != 4 { // Builds, Users, the orphaned Wiki rule, the domain rule
		t.Errorf("stored rules = %d, want 4", stored)
	}
}

func TestRenameApplicationLinkRule(t *testing.T) {
	st := &state{}
	addApplicationLinkRule(st, "old")
	addApplicationLinkRule(st, "old") // a second add for the same link is ignored
	st.appendAllowlistRule(storedAllowlistRule{Type: allowlistTypeApplicationLink, Expression: "old"})
	renameApplicationLinkRule(st, "old", "new")
	if len(st.AllowlistRules) != 1 || st.AllowlistRules[0].Expression != "new" || st.AllowlistRules[0].ID != 1 {
		t.Errorf("rules after rename: %+v", st.AllowlistRules)
	}
}

// TestAllowlistCheck asserts the product's matching semantics for each rule
// type against URLs that match and URLs that do not.
func TestAllowlistCheck(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0", ContextPath: "/jira"})
	jira := srv.Instance("jira")
	for _, body := range []string{
		`{"type":"whitelist.domain.name","expression":"https://Domain.example:8443","allowAnonymousUser":true}`,
		`{"type":"whitelist.exact.url","expression":"https://exact.example/a%2fb?q=1","allowAnonymousUser":true,"allowInbound":true}`,
		`{"type":"whitelist.wildcard.expression","expression":"http://*.wild.example/api/v?/*","allowAnonymousUser":true}`,
		`{"type":"whitelist.regular.expression","expression":"https://re\\.example/(a|b)/[0-9]+"}`,
		`{"type":"whitelist.regular.expression","expression":"https://look\\.example/(?!admin).*"}`,
		`{"type":"whitelist.wildcard.expression","expression":"https://broken.example/(*","allowAnonymousUser":true}`,
		`{"type":"whitelist.exact.url","expression":"not a url","allowAnonymousUser":true}`,
	} {
		if status, got := allowlistCall(t, jira, "admin", http.MethodPost, "", body); status != 200 {
			t.Fatalf("create %s: %d %s", body, status, got)
		}
	}
	const (
		all      = `{"outbound":true,"outboundWithAuth":true,"inbound":true}`
		outbound = `{"outbound":true,"outboundWithAuth":true,"inbound":false}`
		withAuth = `{"outbound":false,"outboundWithAuth":true,"inbound":false}`
		none     = `{"outbound":false,"outboundWithAuth":false,"inbound":false}`
	)
	tests := []struct {
		url, user, want string
	}{
		// Domain: scheme://authority, ignoring case; the port is part of it.
		{"https://domain.example:8443/any/path?x", "", outbound},
		{"HTTPS://DOMAIN.EXAMPLE:8443", "", outbound},
		{"https://user:pw@domain.example:8443/x#frag", "", outbound},
		{"https://domain.example/x", "", none},
		{"http://domain.example:8443/x", "", none},
		// Exact: equal URIs; scheme and host ignore case, escapes' hex too.
		{"https://EXACT.example/a%2Fb?q=1", "", all},
		{"https://exact.example/a%2fb?q=1#top", "", all},
		{"https://exact.example/a%2fb?q=2", "", none},
		{"https://exact.example/A%2fb?q=1", "", none},
		{"https://exact.example/a/b?q=1", "", none},
		// Wildcard: * is .*, dots and ? are literal, case ignored.
		{"http://api.wild.example/api/v?/users", "", outbound},
		{"HTTP://X.Y.WILD.EXAMPLE/API/V?/", "", outbound},
		{"http://api.wild.example/api/v1/users", "", none},
		{"http://apiXwild.example/api/v?/users", "", none},
		// Regex: Java full match, case-sensitive; needs authentication,
		// which an anonymous caller cannot offer.
		{"https://re.example/a/42", "", none},
		{"https://re.example/a/42", "user", withAuth},
		{"https://re.example/a/42/more", "", none},
		{"https://RE.example/a/42", "", none},
		// Java-only look-ahead: valid, but the emulator cannot run it.
		{"https://look.example/public", "", none},
		// The instance's own URL below its context path is always allowed.
		{jira.URL() + "/rest/api/2/issue", "", all},
		{strings.TrimSuffix(jira.URL(), "/jira") + "/other", "", none},
		// Without scheme or host nothing matches.
		{"relative/path", "", none},
		{"", "", none},
		{"mailto:someone@domain.example", "", none},
	}
	for _, tt := range tests {
		resp, got := send(t, jira.URL(), testRequest{path: allowlistBase + "/check?url=" + urlQueryEscape(tt.url), user: tt.user, headers: acceptJSON})
		if resp.StatusCode != 200 || got != tt.want {
			t.Errorf("check %q as %q: %d %s, want %s", tt.url, tt.user, resp.StatusCode, got, tt.want)
		}
	}
	// An authenticated caller's outboundWithAuth counts rules that require
	// authentication.
	expectCall(t, jira, "user", http.MethodGet, "/check?url=https://re.example/b/7", "", 200, withAuth)
	expectCall(t, jira, "", http.MethodGet, "/check?url=https://re.example/b/7", "", 200, none)
}

func linkIcon(inst *Instance, typeID string) string {
	var icon string
	inst.store.View(func(st *state) { icon = inst.allowlistLinkIconURL(st, typeID) })
	return icon
}

func urlQueryEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", "?", "%3F", " ", "%20").Replace(s)
}

func TestWildcardToJavaRegex(t *testing.T) {
	if got := wildcardToJavaRegex("http://*.a.com/v?[1]+|x"); got != `http://.*\.a\.com/v\?\[1\]\+\|x` {
		t.Errorf("got %s", got)
	}
	re, err := compileJavaRegex(wildcardToJavaRegex("https://*.Example.com"), true)
	if err != nil || re == nil || !re.MatchString("https://api.example.COM") || re.MatchString("https://example.com.evil") {
		t.Errorf("wildcard regex %v %v", re, err)
	}
}

// The listing's order follows String.CASE_INSENSITIVE_ORDER.
func TestCompareIgnoringCase(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		sign int
	}{
		{"abc", "ABC", 0},
		{"abc", "abd", -1},
		{"B", "a", 1},
		{"ab", "ABC", -1},
		{"Ärger", "ärger", 0},
		{"é", "f", 1},
		{"", "a", -1},
		{"Straße", "STRASSE", 1}, // char by char, no full case folding
	} {
		got := compareIgnoringCase(tc.a, tc.b)
		if (got > 0) != (tc.sign > 0) || (got < 0) != (tc.sign < 0) {
			t.Errorf("compareIgnoringCase(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.sign)
		}
	}
}
