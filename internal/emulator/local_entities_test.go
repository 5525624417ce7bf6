package emulator

import (
	"net/http"
	"testing"
)

// Each product creates its own entities through its own API, refuses keys
// it does not take and answers only on its own product type.
func TestLocalEntitiesThroughTheProductsAPIs(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"),
		loopback("bb", "stash"), loopback("bamboo", "bamboo"), loopback("fe", "fecru"))
	jira, wiki, bb, bamboo, fe := srv.Instance("jira"), srv.Instance("wiki"), srv.Instance("bb"), srv.Instance("bamboo"), srv.Instance("fe")

	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"PROJ","name":"Project","projectTypeKey":"software","lead":"admin"}`), http.StatusCreated)
	body := expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"proj","name":"Lower"}`), http.StatusBadRequest)
	if want := `{"errorMessages":[],"errors":{"projectKey":"` + msgJiraProjectKeyInvalid + `"}}`; body != want {
		t.Errorf("lower-case Jira key: %s", body)
	}
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"PROJ","name":"Again"}`), http.StatusBadRequest)
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "user", `{"key":"USR","name":"User's"}`), http.StatusUnauthorized)
	expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/api/2/project/PROJ", "user", ""), http.StatusOK)
	expect(t, jira.URL(), jsonCall(http.MethodGet, "/rest/api/2/project/proj", "user", ""), http.StatusNotFound)
	// Not Jira: the path is not there.
	expect(t, wiki.URL(), jsonCall(http.MethodPost, "/rest/api/2/project", "admin", `{"key":"PROJ","name":"Project"}`), http.StatusNotFound)

	// A Confluence space's creator administers it.
	expect(t, wiki.URL(), jsonCall(http.MethodPost, "/rest/api/space", "user", `{"key":"DOCS","name":"Docs"}`), http.StatusOK)
	if e, _ := wiki.localEntityCopy(kindConfluenceSpace, "DOCS"); len(e.Admins) != 1 || e.Admins[0] != "user" {
		t.Errorf("space admins: %v", e.Admins)
	}
	expect(t, wiki.URL(), jsonCall(http.MethodGet, "/rest/api/space/DOCS", "user", ""), http.StatusOK)

	expect(t, bb.URL(), jsonCall(http.MethodPost, "/rest/api/1.0/projects", "admin", `{"key":"CODE","name":"Code"}`), http.StatusCreated)
	expect(t, bb.URL(), jsonCall(http.MethodPost, "/rest/api/1.0/projects", "admin", `{"key":"1X","name":"Digit"}`), http.StatusBadRequest)
	expect(t, bb.URL(), jsonCall(http.MethodPost, "/rest/api/1.0/projects/CODE/repos", "admin", `{"name":"My Repo","scmId":"git"}`), http.StatusCreated)
	if repos := bb.localEntitiesOf(kindBitbucketRepo, "CODE"); len(repos) != 1 || repos[0].Key != "my-repo" {
		t.Errorf("repositories: %+v", repos)
	}
	expect(t, bb.URL(), jsonCall(http.MethodPut, "/rest/api/1.0/projects/CODE/permissions/users?name=user&permission=PROJECT_ADMIN", "admin", ""), http.StatusNoContent)
	// Now a project admin, the user may add repositories.
	expect(t, bb.URL(), jsonCall(http.MethodPost, "/rest/api/1.0/projects/CODE/repos", "user", `{"name":"Second"}`), http.StatusCreated)

	expect(t, bamboo.URL(), jsonCall(http.MethodPost, "/rest/api/latest/project", "admin", `{"key":"BUILD","name":"Build"}`), http.StatusCreated)
	expect(t, bamboo.URL(), jsonCall(http.MethodPost, "/rest/api/latest/project/BUILD/plan", "admin", `{"key":"CI","name":"CI"}`), http.StatusCreated)
	expect(t, fe.URL(), jsonCall(http.MethodPost, "/rest-service-fecru/admin/repositories", "admin", `{"type":"git","name":"mirror"}`), http.StatusCreated)
	expect(t, fe.URL(), jsonCall(http.MethodPost, "/rest-service-fecru/admin/projects", "admin", `{"key":"CR","name":"Reviews"}`), http.StatusCreated)

	// The Jira Administrators role is the project admin right.
	expect(t, jira.URL(), jsonCall(http.MethodPost, "/rest/api/2/project/PROJ/role/10002", "admin", `{"user":["user"]}`), http.StatusOK)
	if e, _ := jira.localEntityCopy(kindJiraProject, "PROJ"); len(e.Admins) != 1 {
		t.Errorf("project admins: %v", e.Admins)
	}
}
