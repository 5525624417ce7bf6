package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// The products' own APIs for the things entity links join (design/api.md
// §3.9.3): Jira projects, Confluence spaces, Bitbucket projects and
// repositories, Bamboo projects and plans, Fisheye/Crucible repositories
// and projects. Each product type answers only its own API, and keeps only
// what entity links need: the key, the name and who administers the
// entity. Instance admins administer every entity (design/api.md §3.9.1).

// Entity kinds. The linkable ones are the applinks entity type ids
// (design/api.md §3.9.1); repositories and plans are not linkable and only
// hold their parent's key.
const (
	kindJiraProject      = "jira.project"
	kindConfluenceSpace  = "confluence.space"
	kindBitbucketProject = "bitbucket.project"
	kindBitbucketRepo    = "bitbucket.repository"
	kindBambooProject    = "bamboo.project"
	kindBambooPlan       = "bamboo.plan"
	kindFecruRepository  = "fecru.repository"
	kindFecruProject     = "fecru.project"
)

// storedLocalEntity is one project, space, repository or plan.
type storedLocalEntity struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	Name string `json:"name"`
	// Parent is the project key of a repository or plan.
	Parent string `json:"parent,omitempty"`
	// Admins are the users with the entity's own admin right (Jira's
	// Administrators role, a Confluence space admin, PROJECT_ADMIN).
	Admins []string `json:"admins,omitempty"`
}

// localEntity returns the entity of the kind with exactly the key.
func (st *state) localEntity(kind, key string) *storedLocalEntity {
	for i := range st.LocalEntities {
		if e := &st.LocalEntities[i]; e.Kind == kind && e.Key == key {
			return e
		}
	}
	return nil
}

// canManage is the host's canManageEntityLinksFor: instance admins
// everywhere, others where they hold the entity's admin right. Inferred:
// an entity that does not exist cannot be managed (design/api.md §3.9.1).
func (e *storedLocalEntity) canManage(u *user) bool {
	if e == nil || u == nil {
		return false
	}
	return u.isAdmin() || slices.Contains(e.Admins, u.name)
}

// hostsKind reports whether this instance's product has entities of kind.
func (i *Instance) hostsKind(kind string) bool {
	t, ok := linkTypeByID(i.product.typeID)
	return ok && slices.Contains(t.entityTypes, kind)
}

// onlyOn limits an endpoint to one product type; the others answer what
// Jersey answers for a path it does not have.
func onlyOn(typeID string, ep endpoint) endpoint {
	handle := ep.handle
	ep.handle = func(ex *exchange) {
		if ex.inst.product.typeID != typeID {
			writeMappedStatus(ex, newStatus(http.StatusNotFound, "null for uri: http://"+ex.r.Host+ex.r.URL.RequestURI()))
			return
		}
		handle(ex)
	}
	return ep
}

// productAPI is a JSON endpoint of a product's own REST API.
func productAPI(typeID string, handle func(*exchange), access accessPolicy) endpoint {
	return onlyOn(typeID, endpoint{handle: handle, access: access, produces: producesJSON, consumes: consumesJSON})
}

// readJSONBody decodes a product-API body; Inferred: a body Jackson cannot
// read is a 400 with the product's error family, written by bad.
func readJSONBody(ex *exchange, v any, bad func(*exchange, string)) bool {
	data, err := io.ReadAll(ex.r.Body)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		bad(ex, "The request body is not valid JSON.")
		return false
	}
	return true
}

// addLocalEntity stores e unless its key is taken, which taken answers.
func addLocalEntity(ex *exchange, e storedLocalEntity, taken func(*exchange)) bool {
	return updateState(ex, func(st *state) error {
		if st.localEntityFold(e.Kind, e.Key, e.Parent) != nil {
			return refuse(taken)
		}
		st.LocalEntities = append(st.LocalEntities, e)
		return nil
	})
}

// localEntityFold finds an entity whose key differs at most in case: the
// products refuse a new key that clashes so (Inferred for all but Jira,
// whose keys are upper case anyway).
func (st *state) localEntityFold(kind, key, parent string) *storedLocalEntity {
	for i := range st.LocalEntities {
		if e := &st.LocalEntities[i]; e.Kind == kind && e.Parent == parent && strings.EqualFold(e.Key, key) {
			return e
		}
	}
	return nil
}

// localEntitiesOf returns copies of the entities of a kind (and parent).
func (i *Instance) localEntitiesOf(kind, parent string) []storedLocalEntity {
	var found []storedLocalEntity
	i.store.View(func(st *state) {
		for _, e := range st.LocalEntities {
			if e.Kind == kind && e.Parent == parent {
				found = append(found, e)
			}
		}
	})
	return found
}

func (i *Instance) localEntityCopy(kind, key string) (storedLocalEntity, bool) {
	var e storedLocalEntity
	var ok bool
	i.store.View(func(st *state) {
		if found := st.localEntity(kind, key); found != nil {
			e, ok = *found, true
		}
	})
	return e, ok
}

// grantEntityAdmin adds a user to an entity's admins; it reports false for
// an unknown entity.
func grantEntityAdmin(ex *exchange, kind, key, name string) bool {
	found := false
	updateState(ex, func(st *state) error {
		if e := st.localEntity(kind, key); e != nil {
			found = true
			if !slices.Contains(e.Admins, name) {
				e.Admins = append(e.Admins, name)
			}
		}
		return nil
	})
	return found
}

// ---- Jira: /rest/api/2/project ----

// jiraProjectKeyPattern is Jira's default project key pattern
// (design/api.md §3.9.3).
var jiraProjectKeyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]+$`)

// Jira's texts (design/api.md §3.9.3; Inferred where not quoted there).
const (
	msgJiraProjectKeyInvalid = "Project keys must start with an uppercase letter, followed by one or more uppercase alphanumeric characters."
	msgJiraProjectKeyTaken   = "Project '%s' uses this project key."
	msgJiraProjectNameNeeded = "You must specify a valid project name."
	msgJiraNoProject         = "No project could be found with key '%s'."
	msgJiraNoRole            = "Could not find project role with id %s."
	msgJiraAdminOnly         = "You must have global administrator rights in order to modify projects."
)

// jiraAdministratorsRole is the id of the default "Administrators" project
// role, which the default permission scheme gives Administer Projects.
// Inferred: the emulator has no other roles.
const jiraAdministratorsRole = "10002"

type jiraProjectEntity struct {
	Self string `json:"self"`
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

func writeJiraFieldError(ex *exchange, field, message string) {
	writeBody(ex, mediaTypeJSON, http.StatusBadRequest, jiraErrorCollection{ErrorMessages: []string{}, Errors: map[string]string{field: message}})
}

func jiraProjectFrom(ex *exchange, e storedLocalEntity, index int) jiraProjectEntity {
	return jiraProjectEntity{Self: ex.restURL("/project/" + e.Key), ID: fmt.Sprint(10000 + index), Key: e.Key, Name: e.Name}
}

func createJiraProject(ex *exchange) {
	if !ex.user.isAdmin() {
		writeJiraErrors(ex, http.StatusUnauthorized, msgJiraAdminOnly)
		return
	}
	var body struct {
		Key  string `json:"key"`
		Name string `json:"name"`
		Lead string `json:"lead"`
	}
	if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeJiraErrors(ex, http.StatusBadRequest, m) }) {
		return
	}
	switch {
	case !jiraProjectKeyPattern.MatchString(body.Key):
		writeJiraFieldError(ex, "projectKey", msgJiraProjectKeyInvalid)
		return
	case strings.TrimSpace(body.Name) == "":
		writeJiraFieldError(ex, "projectName", msgJiraProjectNameNeeded)
		return
	}
	entity := storedLocalEntity{Kind: kindJiraProject, Key: body.Key, Name: body.Name}
	if !addLocalEntity(ex, entity, func(ex *exchange) {
		writeJiraFieldError(ex, "projectKey", fmt.Sprintf(msgJiraProjectKeyTaken, body.Key))
	}) {
		return
	}
	writeEntity(ex, http.StatusCreated, jiraProjectFrom(ex, entity, len(ex.inst.localEntitiesOf(kindJiraProject, ""))-1))
}

func listJiraProjects(ex *exchange) {
	projects := []jiraProjectEntity{}
	for n, e := range ex.inst.localEntitiesOf(kindJiraProject, "") {
		projects = append(projects, jiraProjectFrom(ex, e, n))
	}
	writeEntity(ex, http.StatusOK, projects)
}

func getJiraProject(ex *exchange) {
	for n, e := range ex.inst.localEntitiesOf(kindJiraProject, "") {
		if e.Key == ex.param("key") {
			writeEntity(ex, http.StatusOK, jiraProjectFrom(ex, e, n))
			return
		}
	}
	writeJiraErrors(ex, http.StatusNotFound, fmt.Sprintf(msgJiraNoProject, ex.param("key")))
}

// addJiraProjectRoleActors is POST /project/{key}/role/{id} with
// {"user":[names]}: membership of the Administrators role is the project
// admin right. Jira admins only (Inferred: project admins may too).
func addJiraProjectRoleActors(ex *exchange) {
	if !ex.user.isAdmin() {
		writeJiraErrors(ex, http.StatusUnauthorized, msgJiraAdminOnly)
		return
	}
	if ex.param("id") != jiraAdministratorsRole {
		writeJiraErrors(ex, http.StatusNotFound, fmt.Sprintf(msgJiraNoRole, ex.param("id")))
		return
	}
	var body struct {
		User []string `json:"user"`
	}
	if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeJiraErrors(ex, http.StatusBadRequest, m) }) {
		return
	}
	for _, name := range body.User {
		if !grantEntityAdmin(ex, kindJiraProject, ex.param("key"), name) {
			writeJiraErrors(ex, http.StatusNotFound, fmt.Sprintf(msgJiraNoProject, ex.param("key")))
			return
		}
	}
	writeEntity(ex, http.StatusOK, map[string]any{"id": jiraAdministratorsRole, "name": "Administrators"})
}

// ---- Confluence: /rest/api/space ----

// confluenceSpaceKeyPattern: letters and digits (Inferred from the UI's
// rule for global spaces).
var confluenceSpaceKeyPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

type confluenceSpaceEntity struct {
	ID   int64  `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// writeConfluenceError is Confluence's error body. Inferred shape:
// {"statusCode":..,"message":..}.
func writeConfluenceError(ex *exchange, status int, message string) {
	writeBody(ex, mediaTypeJSON, status, map[string]any{"statusCode": status, "message": message, "data": map[string]any{"authorized": status != http.StatusForbidden, "valid": status != http.StatusBadRequest}})
}

// createConfluenceSpace: the creator administers the new space.
func createConfluenceSpace(ex *exchange) {
	var body struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeConfluenceError(ex, http.StatusBadRequest, m) }) {
		return
	}
	switch {
	case !confluenceSpaceKeyPattern.MatchString(body.Key):
		writeConfluenceError(ex, http.StatusBadRequest, "Space key is invalid: "+body.Key)
		return
	case strings.TrimSpace(body.Name) == "":
		writeConfluenceError(ex, http.StatusBadRequest, "Space name is required.")
		return
	}
	entity := storedLocalEntity{Kind: kindConfluenceSpace, Key: body.Key, Name: body.Name, Admins: []string{ex.user.name}}
	if !addLocalEntity(ex, entity, func(ex *exchange) {
		writeConfluenceError(ex, http.StatusBadRequest, "A space with key "+body.Key+" already exists")
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, confluenceSpaceEntity{ID: int64(len(ex.inst.localEntitiesOf(kindConfluenceSpace, ""))), Key: entity.Key, Name: entity.Name, Type: "global"})
}

func getConfluenceSpace(ex *exchange) {
	for n, e := range ex.inst.localEntitiesOf(kindConfluenceSpace, "") {
		if e.Key == ex.param("spaceKey") {
			writeEntity(ex, http.StatusOK, confluenceSpaceEntity{ID: int64(n + 1), Key: e.Key, Name: e.Name, Type: "global"})
			return
		}
	}
	writeConfluenceError(ex, http.StatusNotFound, "No space with key : "+ex.param("spaceKey"))
}

// ---- Bitbucket: /rest/api/1.0/projects ----

var bitbucketProjectKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

const msgBitbucketProjectKeyInvalid = "Project keys must start with a letter and may only consist of ASCII letters, numbers and underscores (A-Z, a-z, 0-9, _)."

// writeBitbucketErrors is Bitbucket's {"errors":[{"context","message","exceptionName"}]}.
func writeBitbucketErrors(ex *exchange, status int, context, message string) {
	entry := map[string]any{"context": nil, "message": message, "exceptionName": nil}
	if context != "" {
		entry["context"] = context
	}
	writeBody(ex, mediaTypeJSON, status, map[string]any{"errors": []any{entry}})
}

type bitbucketProjectEntity struct {
	Key    string `json:"key"`
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Public bool   `json:"public"`
	Type   string `json:"type"`
}

type bitbucketRepoEntity struct {
	Slug    string                 `json:"slug"`
	ID      int                    `json:"id"`
	Name    string                 `json:"name"`
	ScmID   string                 `json:"scmId"`
	Project bitbucketProjectEntity `json:"project"`
}

// bitbucketPage is Bitbucket's paged listing; the emulator answers one page.
func bitbucketPage[T any](values []T) map[string]any {
	if values == nil {
		values = []T{}
	}
	return map[string]any{"size": len(values), "limit": 25, "isLastPage": true, "start": 0, "values": values}
}

func createBitbucketProject(ex *exchange) {
	if !ex.user.isAdmin() {
		writeBitbucketErrors(ex, http.StatusUnauthorized, "", "You are not permitted to access this resource")
		return
	}
	var body struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeBitbucketErrors(ex, http.StatusBadRequest, "", m) }) {
		return
	}
	switch {
	case !bitbucketProjectKeyPattern.MatchString(body.Key):
		writeBitbucketErrors(ex, http.StatusBadRequest, "key", msgBitbucketProjectKeyInvalid)
		return
	case strings.TrimSpace(body.Name) == "":
		writeBitbucketErrors(ex, http.StatusBadRequest, "name", "Project name must be provided.")
		return
	}
	entity := storedLocalEntity{Kind: kindBitbucketProject, Key: body.Key, Name: body.Name}
	if !addLocalEntity(ex, entity, func(ex *exchange) {
		writeBitbucketErrors(ex, http.StatusConflict, "key", "This project key is already taken.")
	}) {
		return
	}
	n := len(ex.inst.localEntitiesOf(kindBitbucketProject, ""))
	writeEntity(ex, http.StatusCreated, bitbucketProjectEntity{Key: entity.Key, ID: n, Name: entity.Name, Type: "NORMAL"})
}

func listBitbucketProjects(ex *exchange) {
	var projects []bitbucketProjectEntity
	for n, e := range ex.inst.localEntitiesOf(kindBitbucketProject, "") {
		projects = append(projects, bitbucketProjectEntity{Key: e.Key, ID: n + 1, Name: e.Name, Type: "NORMAL"})
	}
	writeEntity(ex, http.StatusOK, bitbucketPage(projects))
}

// bitbucketSlug is the slug Bitbucket derives from a repository name.
func bitbucketSlug(name string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9._-]+`).ReplaceAllString(strings.ToLower(name), "-"), "-")
}

func createBitbucketRepo(ex *exchange) {
	project, ok := ex.inst.localEntityCopy(kindBitbucketProject, ex.param("projectKey"))
	switch {
	case !ok:
		writeBitbucketErrors(ex, http.StatusNotFound, "", "Project "+ex.param("projectKey")+" does not exist.")
		return
	case !project.canManage(ex.user):
		writeBitbucketErrors(ex, http.StatusUnauthorized, "", "You are not permitted to access this resource")
		return
	}
	var body struct {
		Name  string `json:"name"`
		ScmID string `json:"scmId"`
	}
	if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeBitbucketErrors(ex, http.StatusBadRequest, "", m) }) {
		return
	}
	slug := bitbucketSlug(body.Name)
	if slug == "" {
		writeBitbucketErrors(ex, http.StatusBadRequest, "name", "Repository name must be provided.")
		return
	}
	repo := storedLocalEntity{Kind: kindBitbucketRepo, Key: slug, Name: body.Name, Parent: project.Key}
	if !addLocalEntity(ex, repo, func(ex *exchange) {
		writeBitbucketErrors(ex, http.StatusConflict, "name", "This repository name is already taken.")
	}) {
		return
	}
	writeEntity(ex, http.StatusCreated, bitbucketRepoEntity{Slug: slug, ID: len(ex.inst.localEntitiesOf(kindBitbucketRepo, project.Key)), Name: body.Name, ScmID: "git",
		Project: bitbucketProjectEntity{Key: project.Key, Name: project.Name, Type: "NORMAL"}})
}

func listBitbucketRepos(ex *exchange) {
	var repos []bitbucketRepoEntity
	for n, e := range ex.inst.localEntitiesOf(kindBitbucketRepo, ex.param("projectKey")) {
		repos = append(repos, bitbucketRepoEntity{Slug: e.Key, ID: n + 1, Name: e.Name, ScmID: "git", Project: bitbucketProjectEntity{Key: e.Parent, Type: "NORMAL"}})
	}
	writeEntity(ex, http.StatusOK, bitbucketPage(repos))
}

// grantBitbucketProjectPermission is PUT
// /projects/{projectKey}/permissions/users?name=&permission=PROJECT_ADMIN;
// 204. Other permissions are accepted and not modelled.
func grantBitbucketProjectPermission(ex *exchange) {
	if !ex.user.isAdmin() {
		writeBitbucketErrors(ex, http.StatusUnauthorized, "", "You are not permitted to access this resource")
		return
	}
	query := ex.r.URL.Query()
	if query.Get("permission") == "PROJECT_ADMIN" {
		for _, name := range query["name"] {
			if !grantEntityAdmin(ex, kindBitbucketProject, ex.param("projectKey"), name) {
				writeBitbucketErrors(ex, http.StatusNotFound, "", "Project "+ex.param("projectKey")+" does not exist.")
				return
			}
		}
	}
	ex.w.WriteHeader(http.StatusNoContent)
}

// ---- Bamboo: /rest/api/latest/project (Inferred, design/api.md §3.9.3) ----

var bambooKeyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*$`)

type bambooEntity struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// createBambooEntity creates a project, or a plan under {projectKey}.
func createBambooEntity(kind string) func(*exchange) {
	return func(ex *exchange) {
		if !ex.user.isAdmin() {
			writeMappedStatus(ex, newStatus(http.StatusUnauthorized, "You must be an administrator to create projects."))
			return
		}
		var body bambooEntity
		if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeStatus(ex, newStatus(http.StatusBadRequest, m)) }) {
			return
		}
		parent := ex.param("projectKey")
		if parent != "" {
			if _, ok := ex.inst.localEntityCopy(kindBambooProject, parent); !ok {
				writeStatus(ex, newStatus(http.StatusNotFound, "Project "+parent+" not found."))
				return
			}
		}
		if !bambooKeyPattern.MatchString(body.Key) || strings.TrimSpace(body.Name) == "" {
			writeStatus(ex, newStatus(http.StatusBadRequest, "A key must start with an upper case letter and contain upper case letters and digits only, and a name is required."))
			return
		}
		entity := storedLocalEntity{Kind: kind, Key: body.Key, Name: body.Name, Parent: parent}
		if !addLocalEntity(ex, entity, func(ex *exchange) {
			writeStatus(ex, newStatus(http.StatusBadRequest, "The key "+body.Key+" is already used."))
		}) {
			return
		}
		writeEntity(ex, http.StatusCreated, body)
	}
}

func listBambooProjects(ex *exchange) {
	projects := []bambooEntity{}
	for _, e := range ex.inst.localEntitiesOf(kindBambooProject, "") {
		projects = append(projects, bambooEntity{Key: e.Key, Name: e.Name})
	}
	writeEntity(ex, http.StatusOK, map[string]any{"projects": map[string]any{"size": len(projects), "project": projects}})
}

// ---- Fisheye/Crucible: /rest-service-fecru/admin (Inferred, design/api.md §3.9.3) ----

type fecruEntity struct {
	Type string `json:"type,omitempty"`
	Key  string `json:"key,omitempty"`
	Name string `json:"name"`
}

// createFecruEntity creates a repository (named by its name) or a project
// (by its key).
func createFecruEntity(kind string) func(*exchange) {
	return func(ex *exchange) {
		if !ex.user.isAdmin() {
			writeMappedStatus(ex, newStatus(http.StatusUnauthorized, "You must be an administrator."))
			return
		}
		var body fecruEntity
		if !readJSONBody(ex, &body, func(ex *exchange, m string) { writeStatus(ex, newStatus(http.StatusBadRequest, m)) }) {
			return
		}
		key := body.Key
		if kind == kindFecruRepository {
			key = body.Name
		}
		if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`).MatchString(key) {
			writeStatus(ex, newStatus(http.StatusBadRequest, "Invalid key or name: "+key))
			return
		}
		entity := storedLocalEntity{Kind: kind, Key: key, Name: body.Name}
		if entity.Name == "" {
			entity.Name = key
		}
		if !addLocalEntity(ex, entity, func(ex *exchange) {
			writeStatus(ex, newStatus(http.StatusConflict, key+" already exists."))
		}) {
			return
		}
		writeEntity(ex, http.StatusCreated, body)
	}
}
