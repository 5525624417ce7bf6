package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// jsonCall is a request as the provider sends it: JSON both ways and the
// XSRF bypass header.
func jsonCall(method, path, user, body string) testRequest {
	headers := map[string]string{"Accept": "application/json", "X-Atlassian-Token": "no-check"}
	if body != "" {
		headers["Content-Type"] = "application/json"
	}
	return testRequest{method: method, path: path, user: user, body: body, headers: headers}
}

// expect sends tr and fails the test unless the status is want; it
// returns the body.
func expect(t *testing.T, base string, tr testRequest, want int) string {
	t.Helper()
	resp, body := send(t, base, tr)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", tr.method, tr.path, resp.StatusCode, want, body)
	}
	return body
}

// decodeJSON decodes a response body into v.
func decodeJSON(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

// linkBody is a v2 create body.
func linkBody(typeID, name, rpcURL string, extra ...string) string {
	fields := append([]string{
		fmt.Sprintf(`"typeId":%q`, typeID), fmt.Sprintf(`"name":%q`, name),
		fmt.Sprintf(`"rpcUrl":%q`, rpcURL), fmt.Sprintf(`"displayUrl":%q`, rpcURL),
	}, extra...)
	return "{" + strings.Join(fields, ",") + "}"
}

// createLink creates a link through the v2 PUT and returns its id.
func createLink(t *testing.T, inst *Instance, body string) string {
	t.Helper()
	resp := expect(t, inst.URL(), jsonCall(http.MethodPut, "/rest/applinks/latest/applicationlink", "admin", body), http.StatusCreated)
	var created struct {
		Resources []struct{ Href string } `json:"resources-created"`
	}
	decodeJSON(t, resp, &created)
	if len(created.Resources) != 1 {
		t.Fatalf("create: %s", resp)
	}
	return created.Resources[0].Href[strings.LastIndex(created.Resources[0].Href, "/")+1:]
}

// storedLinks returns the instance's links from its store.
func storedLinks(inst *Instance) map[string]storedLink {
	links := make(map[string]storedLink)
	for _, l := range inst.links() {
		links[l.ID] = l
	}
	return links
}

// applicationLinkRules returns the expressions of the automatic allowlist
// rules.
func applicationLinkRules(inst *Instance) []string {
	var ids []string
	inst.store.View(func(st *state) {
		for _, r := range st.AllowlistRules {
			if r.Type == allowlistTypeApplicationLink {
				ids = append(ids, r.Expression)
			}
		}
	})
	return ids
}

const uncaughtPattern = `^\{"status-code":500,"message":%s,"stack-trace":"Please contact your admin passing attached Log''s referral number: [0-9a-f-]{36}"\}$`

func uncaught(message string) string {
	quoted, _ := json.Marshal(message)
	return fmt.Sprintf(uncaughtPattern, regexp.QuoteMeta(string(quoted)))
}

func TestV2CreateApplicationLink(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	givenID := "a4b5c6d7-0000-4000-8000-000000000001"
	tests := []struct {
		name       string
		version    string
		body       string
		wantStatus int
		wantBody   string
	}{
		{
			name:       "no id: the id derives from the rpcUrl, trailing slashes stripped",
			version:    "2.0",
			body:       linkBody("confluence", "Wiki", "http://wiki.example.com/"),
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"` + base + `/rest/applinks/2.0/applicationlink/` + GenerateApplicationID("http://wiki.example.com") + `","rel":"self"}]}`,
		},
		{
			name:       "given id is kept; the self link follows the request's version",
			version:    "3.0",
			body:       linkBody("jira", "Other Jira", "http://jira2.example.com", `"id":"`+givenID+`"`),
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"` + base + `/rest/applinks/3.0/applicationlink/` + givenID + `","rel":"self"}]}`,
		},
		{
			name:       "generic links ignore the given id",
			version:    "latest",
			body:       linkBody("generic", "CI", "https://ci.example.com", `"id":"a4b5c6d7-0000-4000-8000-000000000002"`),
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"` + base + `/rest/applinks/latest/applicationlink/` + GenerateApplicationID("https://ci.example.com") + `","rel":"self"}]}`,
		},
		{
			name:       "a duplicate id is a 400, not a 409",
			version:    "latest",
			body:       linkBody("jira", "Again", "http://jira3.example.com", `"id":"`+givenID+`"`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["An application link with the URL http://jira3.example.com already exists."]}`,
		},
		{
			name:       "an unknown type",
			version:    "2.0",
			body:       linkBody("refapp", "R", "http://r.example.com"),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["The application type refapp is not installed."]}`,
		},
		{
			name:       "a malformed body is an uncaught 500",
			version:    "2.0",
			body:       `{"typeId":`,
			wantStatus: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expect(t, base, jsonCall(http.MethodPut, "/rest/applinks/"+tt.version+"/applicationlink", "admin", tt.body), tt.wantStatus)
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body %s\nwant %s", body, tt.wantBody)
			}
		})
	}
	// v1 has no create without an id: the resource path only has GET.
	expect(t, base, jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink", "admin", linkBody("jira", "J", "http://j")), http.StatusMethodNotAllowed)
	link := storedLinks(jira)[GenerateApplicationID("http://wiki.example.com")]
	if link.RPCURL != "http://wiki.example.com" || link.DisplayURL != "http://wiki.example.com" {
		t.Errorf("stored URLs %q, %q: trailing slashes not stripped", link.RPCURL, link.DisplayURL)
	}
}

func TestCreateRenamesNameCollisions(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	for i, name := range []string{"Wiki", "Wiki", "Wiki", "Wiki - 2"} {
		createLink(t, jira, linkBody("confluence", name, fmt.Sprintf("http://wiki%d.example.com", i)))
	}
	var names []string
	for _, l := range jira.links() {
		names = append(names, l.Name)
	}
	// The product's suffix stripping uses String.replace, which is not a
	// regular expression, so "Wiki - 2" clashing becomes "Wiki - 2 - 2".
	if want := []string{"Wiki", "Wiki - 2", "Wiki - 3", "Wiki - 2 - 2"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
}

func TestConcurrentCreatesGetDistinctNames(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, body := send(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/latest/applicationlink", "admin",
				linkBody("confluence", "Wiki", fmt.Sprintf("http://wiki%d.example.com", i))))
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("create %d: %d %s", i, resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	names := make(map[string]bool)
	primaries := 0
	for _, l := range jira.links() {
		names[l.Name] = true
		if l.Primary {
			primaries++
		}
	}
	if len(names) != n || !names["Wiki"] || !names[fmt.Sprintf("Wiki - %d", n)] {
		t.Errorf("names %v: want %d distinct, Wiki to Wiki - %d", names, n, n)
	}
	if primaries != 1 {
		t.Errorf("%d primary links of one type, want 1", primaries)
	}
	if rules := applicationLinkRules(jira); len(rules) != n {
		t.Errorf("%d allowlist rules, want %d", len(rules), n)
	}
}

func TestPrimaryLinks(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	first := createLink(t, jira, linkBody("confluence", "First", "http://first.example.com"))
	second := createLink(t, jira, linkBody("confluence", "Second", "http://second.example.com"))
	third := createLink(t, jira, linkBody("confluence", "Third", "http://third.example.com", `"isPrimary":true`))
	bamboo := createLink(t, jira, linkBody("bamboo", "Bamboo", "http://bamboo.example.com"))

	primaryOf := func() map[string]bool {
		flags := make(map[string]bool)
		for id, l := range storedLinks(jira) {
			flags[id] = l.Primary
		}
		return flags
	}
	if got := primaryOf(); !got[third] || got[first] || got[second] || !got[bamboo] {
		t.Fatalf("primary flags %v: want the isPrimary link and the first bamboo link", got)
	}

	// The type list puts the primary first and keeps the others' order.
	body := expect(t, base, jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/type/confluence", "admin", ""), http.StatusOK)
	var list struct {
		ApplicationLinks []struct{ ID string } `json:"applicationLinks"`
	}
	decodeJSON(t, body, &list)
	var order []string
	for _, l := range list.ApplicationLinks {
		order = append(order, l.ID)
	}
	if want := []string{third, first, second}; !slices.Equal(order, want) {
		t.Errorf("type list order %v, want %v", order, want)
	}

	// POST primary needs the XSRF header: it has no body.
	resp, body := send(t, base, testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/applicationlink/primary/" + second, user: "admin"})
	if resp.StatusCode != http.StatusForbidden || body != "XSRF check failed" {
		t.Errorf("POST primary without XSRF header: %d %q", resp.StatusCode, body)
	}
	body = expect(t, base, jsonCall(http.MethodPost, "/rest/applinks/1.0/applicationlink/primary/"+second, "admin", ""), http.StatusOK)
	want := `{"status-code":200,"message":"The application link ` + second + ` is now the primary link of its type.","resources-updated":[{"href":"` + base + `/rest/applinks/1.0/applicationlink/` + second + `","rel":"self"}]}`
	if body != want {
		t.Errorf("POST primary: %s\nwant %s", body, want)
	}
	unknown := "00000000-0000-4000-8000-000000000000"
	body = expect(t, base, jsonCall(http.MethodPost, "/rest/applinks/1.0/applicationlink/primary/"+unknown, "admin", ""), http.StatusInternalServerError)
	if !regexp.MustCompile(uncaught("No application link with ID=" + unknown)).MatchString(body) {
		t.Errorf("POST primary of unknown id: %s", body)
	}

	// Deleting the primary hands the flag to the first remaining link.
	expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/1.0/applicationlink/"+second, "admin", ""), http.StatusOK)
	if got := primaryOf(); !got[first] || got[third] {
		t.Errorf("after deleting the primary: %v, want %s primary", got, first)
	}

	body = expect(t, base, jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/primary/confluence", "admin", ""), http.StatusOK)
	if !strings.Contains(body, `"id":"`+first+`"`) {
		t.Errorf("primary/confluence: %s", body)
	}
	body = expect(t, base, jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/primary/stash", "admin", ""), http.StatusNotFound)
	if want := `{"status-code":404,"message":"No primary application link of type class com.atlassian.applinks.application.bitbucket.BitbucketApplicationTypeImpl found."}`; body != want {
		t.Errorf("primary/stash: %s", body)
	}
	for _, path := range []string{"/rest/applinks/1.0/applicationlink/primary/nope", "/rest/applinks/1.0/applicationlink/type/nope"} {
		body = expect(t, base, jsonCall(http.MethodGet, path, "admin", ""), http.StatusBadRequest)
		if want := `{"status":400,"message":["No type with id nope installed"]}`; body != want {
			t.Errorf("%s: %s", path, body)
		}
	}
}

func TestV1GetApplicationLink(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://wiki.example.com"))
	images := base + "/s/en_US-ecdfj6/9120002/1/9.1.4/_/download/resources/com.atlassian.applinks.applinks-plugin:applinks-images/images"
	self := base + "/rest/applinks/1.0/applicationlink/" + id
	tests := []struct {
		name        string
		req         testRequest
		wantStatus  int
		wantBody    string
		wantPattern string
	}{
		{
			name:       "JSON",
			req:        jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/"+id, "admin", ""),
			wantStatus: http.StatusOK,
			wantBody: `{"link":[{"href":"` + self + `","rel":"self"}],"id":"` + id + `","typeId":"confluence","name":"Wiki",` +
				`"displayUrl":"http://wiki.example.com","iconUrl":"` + images + `/types/16confluence.png",` +
				`"iconUri":"` + images + `/config/logos/128x128/128confluence.png","rpcUrl":"http://wiki.example.com","isPrimary":true,"isSystem":false}`,
		},
		{
			name:       "XML without Accept",
			req:        testRequest{path: "/rest/applinks/1.0/applicationlink/" + id, user: "admin"},
			wantStatus: http.StatusOK,
			wantBody: xmlDeclaration + `<applicationLink><link href="` + self + `" rel="self"></link><id>` + id + `</id><typeId>confluence</typeId>` +
				`<name>Wiki</name><displayUrl>http://wiki.example.com</displayUrl><iconUrl>` + images + `/types/16confluence.png</iconUrl>` +
				`<iconUri>` + images + `/config/logos/128x128/128confluence.png</iconUri><rpcUrl>http://wiki.example.com</rpcUrl>` +
				`<isPrimary>true</isPrimary><isSystem>false</isSystem></applicationLink>`,
		},
		{
			name:        "unknown id is the 9.1.4 NPE, a 500",
			req:         jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/00000000-0000-4000-8000-000000000000", "admin", ""),
			wantStatus:  http.StatusInternalServerError,
			wantPattern: uncaught(msgNullLinkEntity),
		},
		{
			name:        "malformed id is a 500 too",
			req:         jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/not-a-uuid", "admin", ""),
			wantStatus:  http.StatusInternalServerError,
			wantPattern: uncaught("id must be a valid java.util.UUID string: not-a-uuid"),
		},
		{
			name:       "non-admins get the interceptor's 401",
			req:        jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/"+id, "user", ""),
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonApplinksNotAdmin,
		},
		{
			name:       "list wrapper",
			req:        jsonCall(http.MethodGet, "/rest/applinks/2.0/applicationlink", "manager", ""),
			wantStatus: http.StatusOK,
			wantPattern: `^\{"applicationLinks":\[\{"link":\[\{"href":"` + regexp.QuoteMeta(base+"/rest/applinks/2.0/applicationlink/"+id) +
				`","rel":"self"\}\],"id":"` + id + `",.*\}\]\}$`,
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

	// System links hide their rpcUrl.
	if err := jira.store.Update(func(st *state) error { st.linkByID(id).System = true; return nil }); err != nil {
		t.Fatal(err)
	}
	body := expect(t, base, jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/"+id, "admin", ""), http.StatusOK)
	if strings.Contains(body, "rpcUrl") || !strings.Contains(body, `"isSystem":true`) {
		t.Errorf("system link: %s", body)
	}
}

func TestApplicationLinkUpdates(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://wiki.example.com"))
	other := createLink(t, jira, linkBody("confluence", "Other", "http://other.example.com"))
	system := createLink(t, jira, linkBody("bamboo", "Bamboo", "http://bamboo.example.com"))
	if err := jira.store.Update(func(st *state) error { st.linkByID(system).System = true; return nil }); err != nil {
		t.Fatal(err)
	}
	newID := "0a0b0c0d-0000-4000-8000-00000000000a"
	updated := func(version, id string) string {
		return `{"status-code":200,"resources-updated":[{"href":"` + base + `/rest/applinks/` + version + `/applicationlink/` + id + `","rel":"self"}]}`
	}
	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{
			name:       "v1 PUT of an unknown path id creates with the body's id",
			req:        jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink/00000000-0000-4000-8000-0000000000ff", "admin", linkBody("jira", "Jira", "http://jira2.example.com", `"id":"`+newID+`"`)),
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"` + base + `/rest/applinks/1.0/applicationlink/` + newID + `","rel":"self"}]}`,
		},
		{
			name:       "v1 PUT updates name and display URL, ignoring isPrimary",
			req:        jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink/"+id, "admin", `{"id":"`+id+`","typeId":"confluence","name":"Renamed","rpcUrl":"http://wiki.example.com/","displayUrl":"https://wiki.example.com","isPrimary":false}`),
			wantStatus: http.StatusOK,
			wantBody:   updated("1.0", id),
		},
		{
			name:       "v1 PUT refuses an rpcUrl change",
			req:        jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink/"+id, "admin", `{"id":"`+id+`","typeId":"confluence","name":"Renamed","rpcUrl":"http://moved.example.com","displayUrl":"https://wiki.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["` + msgCannotUpdateRPCURL + `"]}`,
		},
		{
			name:       "v1 PUT refuses another link's name",
			req:        jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink/"+id, "admin", `{"id":"`+id+`","typeId":"confluence","name":"Other","rpcUrl":"http://wiki.example.com","displayUrl":"https://wiki.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["An application link with the name 'Other' already exists."]}`,
		},
		{
			name:       "v1 PUT on a system link needs a sysadmin",
			req:        jsonCall(http.MethodPut, "/rest/applinks/1.0/applicationlink/"+system, "manager", `{"id":"`+system+`","typeId":"bamboo","name":"B","rpcUrl":"http://bamboo.example.com","displayUrl":"http://bamboo.example.com"}`),
			wantStatus: http.StatusForbidden,
			wantBody:   `{"status-code":403,"message":"` + msgOnlySysadmin + `"}`,
		},
		{
			name:       "v1 PUT {id} does not exist on 2.0",
			req:        jsonCall(http.MethodPut, "/rest/applinks/2.0/applicationlink/"+id, "admin", linkBody("confluence", "X", "http://wiki.example.com")),
			wantStatus: http.StatusMethodNotAllowed,
		},
		{
			name:       "v2 POST updates",
			req:        jsonCall(http.MethodPost, "/rest/applinks/2.0/applicationlink/"+other, "admin", `{"id":"`+other+`","typeId":"confluence","name":"Other 2","rpcUrl":"http://other.example.com","displayUrl":"https://other.example.com"}`),
			wantStatus: http.StatusOK,
			wantBody:   updated("2.0", other),
		},
		{
			name:       "v2 POST refuses an rpcUrl change",
			req:        jsonCall(http.MethodPost, "/rest/applinks/latest/applicationlink/"+other, "admin", `{"id":"`+other+`","typeId":"confluence","name":"Other 2","rpcUrl":"http://moved.example.com","displayUrl":"https://other.example.com"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["` + msgCannotUpdateRPCURL + `"]}`,
		},
		{
			name:       "v2 POST of an unknown link is a 400 naming the body's name",
			req:        jsonCall(http.MethodPost, "/rest/applinks/3.0/applicationlink/00000000-0000-4000-8000-0000000000ee", "admin", linkBody("confluence", "Ghost", "http://ghost.example.com")),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["No application link with id Ghost found."]}`,
		},
		{
			name:       "v2 POST does not exist on 1.0",
			req:        jsonCall(http.MethodPost, "/rest/applinks/1.0/applicationlink/"+other, "admin", linkBody("confluence", "X", "http://other.example.com")),
			wantStatus: http.StatusMethodNotAllowed,
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
	links := storedLinks(jira)
	if l := links[id]; l.Name != "Renamed" || l.DisplayURL != "https://wiki.example.com" || l.RPCURL != "http://wiki.example.com" || !l.Primary {
		t.Errorf("updated link %+v", l)
	}
	if _, ok := links[newID]; !ok {
		t.Errorf("v1 PUT did not create %s", newID)
	}
	if l := links[other]; l.Name != "Other 2" || l.DisplayURL != "https://other.example.com" {
		t.Errorf("v2 updated link %+v", l)
	}
}

func TestDeleteApplicationLink(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	base := jira.URL()
	id := createLink(t, jira, linkBody("confluence", "Wiki", "http://wiki.example.com"))
	if rules := applicationLinkRules(jira); !slices.Equal(rules, []string{id}) {
		t.Fatalf("allowlist rules after create %v, want the link's rule", rules)
	}
	// Reciprocation needs outgoing authentication the link does not have.
	body := expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/1.0/applicationlink/"+id+"?reciprocate=true", "admin", ""), http.StatusUnauthorized)
	if want := `{"status-code":401,"message":"` + msgCredentialsRequired + `"}`; body != want {
		t.Errorf("reciprocal delete without auth: %s", body)
	}
	body = expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/3.0/applicationlink/"+id, "admin", ""), http.StatusOK)
	if want := `{"status-code":200,"message":"Deleted application with id '` + id + `'"}`; body != want {
		t.Errorf("delete: %s", body)
	}
	if rules := applicationLinkRules(jira); len(rules) != 0 {
		t.Errorf("allowlist rules after delete %v, want none", rules)
	}
	body = expect(t, base, jsonCall(http.MethodDelete, "/rest/applinks/1.0/applicationlink/"+id, "admin", ""), http.StatusNotFound)
	if want := `{"status-code":404,"message":"No application link with id ` + id + ` found."}`; body != want {
		t.Errorf("delete again: %s", body)
	}
}

func TestReciprocalDelete(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	toWiki := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	createLink(t, wiki, linkBody("jira", "Jira", jira.URL(), `"id":"`+jira.ServerID()+`"`))
	setProviders := func(classes ...string) {
		t.Helper()
		if err := jira.store.Update(func(st *state) error {
			l := st.linkByID(toWiki)
			l.OutgoingProviders = nil
			for _, c := range classes {
				registerProvider(l, c, nil)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	path := "/rest/applinks/1.0/applicationlink/" + toWiki + "?reciprocate=true"

	// 3LO alone needs a user token: credentials required, nothing deleted.
	setProviders(providerOAuth)
	expect(t, jira.URL(), jsonCall(http.MethodDelete, path, "admin", ""), http.StatusUnauthorized)
	// 2LO without impersonation reaches the peer anonymously and is refused.
	setProviders(providerOAuth, providerTwoLeggedOAuth)
	body := expect(t, jira.URL(), jsonCall(http.MethodDelete, path, "admin", ""), http.StatusInternalServerError)
	if want := `{"status-code":500,"message":"Failed to delete the application link on the remote application: Received 401 - Unauthorized"}`; body != want {
		t.Errorf("2LO reciprocal delete: %s", body)
	}
	if len(jira.links()) != 1 || len(wiki.links()) != 1 {
		t.Fatalf("a failed reciprocal delete deleted something: %d, %d links", len(jira.links()), len(wiki.links()))
	}
	// With impersonation the caller's identity reaches the peer.
	setProviders(providerOAuth, providerTwoLeggedOAuth, providerTwoLeggedImpersonation)
	expect(t, jira.URL(), jsonCall(http.MethodDelete, path, "admin", ""), http.StatusOK)
	if len(jira.links()) != 0 || len(wiki.links()) != 0 {
		t.Errorf("after reciprocal delete: %d, %d links, want none", len(jira.links()), len(wiki.links()))
	}
}

func TestAuthenticationProviders(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("bb", "stash"))
	bb := srv.Instance("bb")
	base := bb.URL()
	id := createLink(t, bb, linkBody("generic", "CI", "https://ci.example.com"))
	providers := "/rest/applinks/latest/applicationlink/" + id + "/authentication/provider"
	oauthBody := `{"provider":"` + providerOAuth + `","config":{"consumerKey.outbound":"ci-key","serviceProvider.requestTokenUrl":"/x/request-token"}}`
	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{
			name:       "none configured",
			req:        jsonCall(http.MethodGet, providers, "admin", ""),
			wantStatus: http.StatusOK,
			wantBody:   `{"authenticationProviders":[]}`,
		},
		{
			name:       "register OAuth: 201 with a relative href",
			req:        jsonCall(http.MethodPut, providers, "manager", oauthBody),
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"applicationlink/` + id + `/authentication/` + providerOAuth + `","rel":"self"}]}`,
		},
		{
			name:       "register 2LO",
			req:        jsonCall(http.MethodPut, providers, "manager", `{"provider":"`+providerTwoLeggedOAuth+`"}`),
			wantStatus: http.StatusCreated,
		},
		{
			name:       "2LO impersonation needs a sysadmin, answered as a 400",
			req:        jsonCall(http.MethodPut, providers, "manager", `{"provider":"`+providerTwoLeggedImpersonation+`"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["Only system administrators can enable ` + providerTwoLeggedImpersonation + ` for application link ` + id + `."]}`,
		},
		{
			name:       "unknown provider class",
			req:        jsonCall(http.MethodPut, providers, "admin", `{"provider":"com.example.Nope"}`),
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["The authentication provider type com.example.Nope for application link ` + id + ` is not recognized."]}`,
		},
		{
			name:       "list",
			req:        jsonCall(http.MethodGet, providers, "admin", ""),
			wantStatus: http.StatusOK,
			wantBody: `{"authenticationProviders":[` +
				`{"link":[{"href":"applicationlink/` + id + `/authentication/provider","rel":"self"}],"config":{"consumerKey.outbound":"ci-key","serviceProvider.requestTokenUrl":"/x/request-token"},"module":"com.atlassian.applinks.oauth.auth.OAuthAuthenticatorProviderPluginModule","provider":"` + providerOAuth + `"},` +
				`{"link":[{"href":"applicationlink/` + id + `/authentication/provider","rel":"self"}],"config":{},"module":"com.atlassian.applinks.oauth.auth.twolo.TwoLeggedOAuthAuthenticatorProviderPluginModule","provider":"` + providerTwoLeggedOAuth + `"}]}`,
		},
		{
			name:       "filtered by class",
			req:        jsonCall(http.MethodGet, providers+"/"+providerTwoLeggedOAuth, "admin", ""),
			wantStatus: http.StatusOK,
			wantBody:   `{"authenticationProviders":[{"link":[{"href":"applicationlink/` + id + `/authentication/provider","rel":"self"}],"config":{},"module":"com.atlassian.applinks.oauth.auth.twolo.TwoLeggedOAuthAuthenticatorProviderPluginModule","provider":"` + providerTwoLeggedOAuth + `"}]}`,
		},
		{
			name:       "unknown link",
			req:        jsonCall(http.MethodGet, "/rest/applinks/2.0/applicationlink/nope/authentication/provider", "admin", ""),
			wantStatus: http.StatusNotFound,
			wantBody:   `{"status-code":404,"message":"No application link with id nope found."}`,
		},
		{
			name:       "XML",
			req:        testRequest{path: providers + "/" + providerOAuth, user: "admin"},
			wantStatus: http.StatusOK,
			wantBody: xmlDeclaration + `<authenticationProviders><authenticationProviders><link href="applicationlink/` + id + `/authentication/provider" rel="self"></link>` +
				`<config><entry><key>consumerKey.outbound</key><value>ci-key</value></entry><entry><key>serviceProvider.requestTokenUrl</key><value>/x/request-token</value></entry></config>` +
				`<module>com.atlassian.applinks.oauth.auth.OAuthAuthenticatorProviderPluginModule</module><provider>` + providerOAuth + `</provider></authenticationProviders></authenticationProviders>`,
		},
		{
			name:       "not on v1",
			req:        jsonCall(http.MethodGet, "/rest/applinks/1.0/applicationlink/"+id+"/authentication/provider", "admin", ""),
			wantStatus: http.StatusNotFound,
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
}

func TestLinksPersistAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(Options{DataDir: dir}, loopback("jira", "jira"))
	if err != nil {
		t.Fatal(err)
	}
	id := createLink(t, first.Instance("jira"), linkBody("confluence", "Wiki", "http://wiki.example.com"))
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := startTestServer(t, Options{DataDir: dir}, nil, loopback("jira", "jira"))
	jira := second.Instance("jira")
	body := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/3.0/applinks/"+id, "admin", ""), http.StatusOK)
	if !strings.Contains(body, `"name":"Wiki"`) || !strings.Contains(body, `"primary":true`) {
		t.Errorf("after restart: %s", body)
	}
	if rules := applicationLinkRules(jira); !slices.Equal(rules, []string{id}) {
		t.Errorf("allowlist rules after restart %v", rules)
	}
}

func TestIsApplicationID(t *testing.T) {
	for id, want := range map[string]bool{
		"da2ba910-6b7f-3e7d-873f-9fc7a90c771b":   true,
		"DA2BA910-6B7F-3E7D-873F-9FC7A90C771B":   true,
		"1-2-3-4-5":                              true, // UUID.fromString is lenient
		"da2ba910-6b7f-3e7d-873f":                false,
		"da2ba910-6b7f-3e7d-873f-9fc7a90c771b-1": false,
		"da2ba910-6b7f-3e7d-873f-9fc7a90c771bb":  false,
		"xyz-1-2-3-4":                            false,
		"":                                       false,
	} {
		if got := isApplicationID(id); got != want {
			t.Errorf("isApplicationID(%q) = %v, want %v", id, got, want)
		}
	}
}
