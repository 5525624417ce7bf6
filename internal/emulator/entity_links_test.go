package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// linkedJiraAndWiki starts a Jira with project PROJ and a Confluence with
// space DOCS, linked both ways with OAuth 2LO with impersonation, as the
// products' "OAuth (impersonation)" level sets them up.
func linkedJiraAndWiki(t *testing.T) (jira, wiki *Instance) {
	t.Helper()
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki = srv.Instance("jira"), srv.Instance("wiki")
	createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	createLink(t, wiki, linkBody("jira", "Jira", jira.URL(), `"id":"`+jira.ServerID()+`"`))
	impersonation := `{"incoming":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true},"outgoing":{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}}`
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+wiki.ServerID()+"/oauth", "admin", impersonation), http.StatusNoContent)
	expect(t, wiki.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+jira.ServerID()+"/oauth", "admin", impersonation), http.StatusNoContent)
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"PROJ","name":"Project"}`), http.StatusCreated)
	expect(t, wiki.URL(), jsonCall(http.MethodPost, "/rest/api/space", "admin", `{"key":"DOCS","name":"Docs"}`), http.StatusOK)
	return jira, wiki
}

func entityLinkBody(applicationID, typeID, key, name string) string {
	return `{"applicationId":"` + applicationID + `","typeId":"` + typeID + `","key":"` + key + `","name":"` + name + `"}`
}

func TestEntityLinkPrimaryPerRemoteType(t *testing.T) {
	jira, wiki := linkedJiraAndWiki(t)
	put := "/rest/applinks/1.0/entitylink/jira.project/PROJ"
	body := expect(t, jira.URL(), jsonCall(http.MethodPut, put, "admin", entityLinkBody(wiki.ServerID(), "confluence.space", "DOCS", "Docs")), http.StatusCreated)
	var created struct {
		Key        string `json:"key"`
		IsPrimary  bool   `json:"isPrimary"`
		DisplayURL string `json:"displayUrl"`
	}
	decodeJSON(t, body, &created)
	if !created.IsPrimary || created.Key != "DOCS" || created.DisplayURL != wiki.URL()+"/display/DOCS" {
		t.Errorf("first link of its type: %s", body)
	}
	expect(t, jira.URL(), jsonCall(http.MethodPut, put, "admin", entityLinkBody(wiki.ServerID(), "confluence.space", "MORE", "More")), http.StatusCreated)
	primaries := func() string {
		var keys []string
		for _, l := range jira.entityLinksUnder(kindJiraProject, "PROJ") {
			if l.Primary {
				keys = append(keys, l.Key)
			}
		}
		return strings.Join(keys, ",")
	}
	if got := primaries(); got != "DOCS" {
		t.Errorf("after a second link: primary %q, want DOCS", got)
	}
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/applinks/1.0/entitylink/primary/jira.project/PROJ?typeId=confluence.space&key=MORE&applicationId="+wiki.ServerID(), "admin", ""), http.StatusOK)
	if got := primaries(); got != "MORE" {
		t.Errorf("after making MORE primary: %q", got)
	}
	// Renaming keeps the flag.
	expect(t, jira.URL(), jsonCall(http.MethodPut, put, "admin", entityLinkBody(wiki.ServerID(), "confluence.space", "MORE", "Renamed")), http.StatusCreated)
	if got := primaries(); got != "MORE" || len(jira.entityLinksUnder(kindJiraProject, "PROJ")) != 2 {
		t.Errorf("after a rename: primary %q, %d links", got, len(jira.entityLinksUnder(kindJiraProject, "PROJ")))
	}
	// Deleting the primary hands the flag on.
	expect(t, jira.URL(), jsonCall(http.MethodDelete, put+"?typeId=confluence.space&key=MORE&applicationId="+wiki.ServerID(), "admin", ""), http.StatusOK)
	if got := primaries(); got != "DOCS" {
		t.Errorf("after deleting the primary: %q", got)
	}
	list := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/entitylink/list/jira.project/PROJ", "admin", ""), http.StatusOK)
	if !strings.HasPrefix(list, `{"entity":[{"applicationId":"`+wiki.ServerID()+`","typeId":"confluence.space","key":"DOCS"`) {
		t.Errorf("list: %s", list)
	}
	// Deleting the application link deletes its entity links.
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks/1.0/applicationlink/"+wiki.ServerID(), "admin", ""), http.StatusOK)
	if n := len(jira.entityLinksUnder(kindJiraProject, "PROJ")); n != 0 {
		t.Errorf("%d entity links outlived their application link", n)
	}
}

func TestEntityLinkPermissionsAndErrors(t *testing.T) {
	jira, wiki := linkedJiraAndWiki(t)
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"OTHER","name":"Other"}`), http.StatusCreated)
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project/PROJ/role/10002", "admin", `{"user":["user"]}`), http.StatusOK)
	link := entityLinkBody(wiki.ServerID(), "confluence.space", "DOCS", "Docs")
	// A project admin who is no Jira admin manages that project's links only.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/PROJ", "user", link), http.StatusCreated)
	body := expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/OTHER", "user", link), http.StatusUnauthorized)
	if want := `{"status-code":401,"message":"You are not authorized to create a link for entity  with key 'OTHER' and type 'class com.atlassian.applinks.application.jira.JiraProjectEntityTypeImpl'"}`; body != want {
		t.Errorf("another project: %s", body)
	}
	// An unknown or wrongly spelt key is the same 401, even for an admin.
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/proj", "admin", link), http.StatusUnauthorized)
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/PROJ", "admin",
		entityLinkBody("11111111-1111-1111-1111-111111111111", "confluence.space", "DOCS", "Docs")), http.StatusNotFound)
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/PROJ", "admin",
		entityLinkBody(wiki.ServerID(), "confluence.page", "DOCS", "Docs")), http.StatusBadRequest)
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks/1.0/entitylink/jira.project/PROJ?typeId=confluence.space&key=NONE&applicationId="+wiki.ServerID(), "admin", ""), http.StatusNotFound)
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks/1.0/entitylink/jira.project/PROJ?key=DOCS&applicationId="+wiki.ServerID(), "admin", ""), http.StatusBadRequest)
	expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/entitylink/list/jira.project/PROJ", "", ""), http.StatusUnauthorized)
	refs := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/entitylink/localEntitiesWithLinksTo/"+wiki.ServerID(), "admin", ""), http.StatusOK)
	if refs != `{"entity":[{"key":"PROJ","name":"Project","typeId":"jira.project"}]}` {
		t.Errorf("localEntitiesWithLinksTo: %s", refs)
	}
}

// reciprocate=true makes and removes the link back on the peer through a
// signed call across the application link, and nothing when the peer
// refuses.
func TestEntityLinkReciprocate(t *testing.T) {
	jira, wiki := linkedJiraAndWiki(t)
	put := "/rest/applinks/1.0/entitylink/jira.project/PROJ?reciprocate=true"
	link := entityLinkBody(wiki.ServerID(), "confluence.space", "DOCS", "Docs")
	expect(t, jira.URL(), jsonCall(http.MethodPut, put, "admin", link), http.StatusCreated)
	back := wiki.entityLinksUnder(kindConfluenceSpace, "DOCS")
	if len(back) != 1 || back[0].Key != "PROJ" || back[0].TypeID != "jira.project" || back[0].ApplicationID != jira.ServerID() || back[0].Name != "Project" || !back[0].Primary {
		t.Fatalf("link back: %+v", back)
	}
	// The remote entities are the peer's, read across the link.
	remote := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/entities/"+wiki.ServerID(), "admin", ""), http.StatusOK)
	if remote != `{"entity":[{"key":"DOCS","name":"Docs","typeId":"confluence.space"}]}` {
		t.Errorf("remote entities: %s", remote)
	}
	// A user the peer does not let manage the space: the peer refuses,
	// nothing is made on either side.
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project/PROJ/role/10002", "admin", `{"user":["user"]}`), http.StatusOK)
	refused := expect(t, jira.URL(), jsonCall(http.MethodPut, put, "user", entityLinkBody(wiki.ServerID(), "confluence.space", "DOCS2", "x")), http.StatusInternalServerError)
	if !strings.Contains(refused, "Received 401 - Unauthorized") {
		t.Errorf("refused reciprocal create: %s", refused)
	}
	if n := len(jira.entityLinksUnder(kindJiraProject, "PROJ")); n != 1 {
		t.Errorf("%d links after a refused reciprocal create, want 1", n)
	}
	// 3LO only: credentials required.
	if err := jira.store.Update(func(st *state) error {
		l := st.linkByID(wiki.ServerID())
		l.OutgoingProviders = nil
		registerProvider(l, providerOAuth, nil)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks/1.0/entitylink/jira.project/PROJ?reciprocate=true&typeId=confluence.space&key=DOCS&applicationId="+wiki.ServerID(), "admin", ""), http.StatusUnauthorized)
	if err := jira.store.Update(func(st *state) error {
		registerProvider(st.linkByID(wiki.ServerID()), providerTwoLeggedImpersonation, nil)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	expect(t, jira.URL(), jsonCall(http.MethodDelete, "/rest/applinks/1.0/entitylink/jira.project/PROJ?reciprocate=true&typeId=confluence.space&key=DOCS&applicationId="+wiki.ServerID(), "admin", ""), http.StatusOK)
	if n, m := len(jira.entityLinksUnder(kindJiraProject, "PROJ")), len(wiki.entityLinksUnder(kindConfluenceSpace, "DOCS")); n != 0 || m != 0 {
		t.Errorf("after a reciprocal delete: %d and %d links", n, m)
	}
}

// Relocating an application link keeps its entity links: they name the
// link by its id, which relocation keeps (design/api.md §3.9.1), and their
// URLs follow the link's new display URL.
func TestEntityLinksSurviveRelocation(t *testing.T) {
	jira, wiki := linkedJiraAndWiki(t)
	expect(t, jira.URL(), jsonCall(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/PROJ", "admin",
		entityLinkBody(wiki.ServerID(), "confluence.space", "DOCS", "Docs")), http.StatusCreated)
	moved := closedURL(t)
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/applinks/1.0/relocateApplicationlink/"+wiki.ServerID()+
		"?nowarning=true&newUrl="+url.QueryEscape(moved), "admin", ""), http.StatusNoContent)
	links := jira.entityLinksUnder(kindJiraProject, "PROJ")
	if len(links) != 1 || links[0].Key != "DOCS" || !links[0].Primary {
		t.Fatalf("after relocation: %+v, want the one primary link to DOCS", links)
	}
	list := expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/applinks/1.0/entitylink/list/jira.project/PROJ", "admin", ""), http.StatusOK)
	if !strings.Contains(list, `"applicationId":"`+wiki.ServerID()+`"`) || !strings.Contains(list, `"displayUrl":"`+moved+`/display/DOCS"`) {
		t.Errorf("the listing does not follow the relocated link: %s", list)
	}
}
