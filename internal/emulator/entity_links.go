package emulator

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Entity links (design/api.md §3.9): links from a local project, space or
// repository to an entity of a linked application, kept per local entity
// (core.rest.EntityLinkResource over DefaultEntityLinkService), and the
// remote entities a link reaches (core.rest.EntityResource). The products'
// own entities live in local_entities.go.

// Texts of EntityLinkResource ([SRC] unless marked).
const (
	msgEntityLinkUnauthorized = "You are not authorized to create a link for entity  with key '%s' and type '%s'"
	msgNoApplicationForID     = "No application found for id %s"
	msgNoPrimaryEntityLink    = "No primary link of type %s for local %s %s found."
	msgEntityLinkNotFound     = "Couldn't find link to %s:%s (%s) from local entity %s:%s"
	msgNoApplinkWithID        = "No application link found with id: %s"
	// Inferred English for applinks.remote.create.failed; the delete's is
	// msgRemoteDeleteFailed (applinks_v1.go).
	msgRemoteCreateFailed = "Failed to create the entity link on the remote application: %s"
	// Inferred English for BadParameterException.
	msgMissingParameter = "Missing parameter: %s"
)

// entityTypeClasses are the installed entity types' implementation
// classes, which the products' messages print (class <name>).
var entityTypeClasses = map[string]string{
	kindJiraProject:      "com.atlassian.applinks.application.jira.JiraProjectEntityTypeImpl",
	kindConfluenceSpace:  "com.atlassian.applinks.application.confluence.ConfluenceSpaceEntityTypeImpl",
	kindBitbucketProject: "com.atlassian.applinks.application.bitbucket.BitbucketProjectEntityTypeImpl",
	kindBambooProject:    "com.atlassian.applinks.application.bamboo.BambooProjectEntityTypeImpl",
	kindFecruRepository:  "com.atlassian.applinks.application.fecru.FishEyeRepositoryEntityTypeImpl",
	kindFecruProject:     "com.atlassian.applinks.application.fecru.FishEyeCrucibleProjectEntityTypeImpl",
	"generic.entity":     "com.atlassian.applinks.application.generic.GenericEntityTypeImpl",
}

// storedEntityLink is one entity link under one local entity; it is the
// same link as another when the remote type, key and application link
// match (DefaultEntityLinkService.equivalent).
type storedEntityLink struct {
	LocalKind     string `json:"local_kind"`
	LocalKey      string `json:"local_key"`
	ApplicationID string `json:"application_id"`
	TypeID        string `json:"type_id"`
	Key           string `json:"key"`
	Name          string `json:"name"`
	Primary       bool   `json:"primary,omitempty"`
}

func (l storedEntityLink) under(kind, key string) bool {
	return l.LocalKind == kind && l.LocalKey == key
}

func (l storedEntityLink) same(typeID, key, applicationID string) bool {
	return l.TypeID == typeID && l.Key == key && l.ApplicationID == applicationID
}

// entityLinkEntity is EntityLinkEntity (XML root entityLink).
type entityLinkEntity struct {
	XMLName       xml.Name `xml:"entityLink" json:"-"`
	ApplicationID string   `xml:"applicationId" json:"applicationId"`
	TypeID        string   `xml:"typeId" json:"typeId"`
	Key           string   `xml:"key" json:"key"`
	Name          string   `xml:"name,omitempty" json:"name,omitempty"`
	DisplayURL    string   `xml:"displayUrl,omitempty" json:"displayUrl,omitempty"`
	IsPrimary     *bool    `xml:"isPrimary,omitempty" json:"isPrimary,omitempty"`
}

// entityLinkList is RestEntityLinkList: the element name is "entity".
type entityLinkList struct {
	XMLName  xml.Name           `xml:"entities" json:"-"`
	Entities []entityLinkEntity `xml:"entity" json:"entity"`
}

// referenceEntity is ReferenceEntityList.ReferenceEntity; in XML its
// fields are attributes.
type referenceEntity struct {
	Key    string `xml:"key,attr" json:"key"`
	Name   string `xml:"name,attr" json:"name"`
	TypeID string `xml:"typeId,attr" json:"typeId"`
}

type referenceEntityList struct {
	XMLName  xml.Name          `xml:"entities" json:"-"`
	Entities []referenceEntity `xml:"entity" json:"entity"`
}

// entityDisplayPaths are where each product shows an entity below its
// display URL (Inferred, design/api.md §3.9.1).
var entityDisplayPaths = map[string]string{
	kindJiraProject:      "/browse/",
	kindConfluenceSpace:  "/display/",
	kindBitbucketProject: "/projects/",
	kindBambooProject:    "/browse/",
	kindFecruRepository:  "/browse/",
	kindFecruProject:     "/project/",
}

func (i *Instance) entityLinkEntityFor(l storedEntityLink) entityLinkEntity {
	primary := l.Primary
	e := entityLinkEntity{ApplicationID: l.ApplicationID, TypeID: l.TypeID, Key: l.Key, Name: l.Name, IsPrimary: &primary}
	if e.Name == "" {
		e.Name = l.Key
	}
	if link, ok := i.link(l.ApplicationID); ok {
		if p, ok := entityDisplayPaths[l.TypeID]; ok {
			e.DisplayURL = strings.TrimRight(link.DisplayURL, "/") + p + url.PathEscape(l.Key)
		}
	}
	return e
}

// entityLinkResource is a method of EntityLinkResource: not anonymous, no
// admin interceptor (the permission is per entity), XML or JSON.
func entityLinkResource(handle func(*exchange)) endpoint {
	return endpoint{handle: handle, access: authenticatedOnly, produces: producesXMLOrJSON, consumes: consumesXMLOrJSON, noCache: true}
}

// ---- The service ----

// addEntityLink is DefaultEntityLinkService.addEntityLink: an existing
// link is replaced (its primary flag kept by the caller), a new one is
// added, and the first of its remote type becomes primary.
func addEntityLink(st *state, l storedEntityLink) storedEntityLink {
	i := slices.IndexFunc(st.EntityLinks, func(s storedEntityLink) bool {
		return s.under(l.LocalKind, l.LocalKey) && s.same(l.TypeID, l.Key, l.ApplicationID)
	})
	if i >= 0 {
		st.EntityLinks = slices.Delete(st.EntityLinks, i, i+1)
	}
	hasPrimary := slices.ContainsFunc(st.EntityLinks, func(s storedEntityLink) bool {
		return s.under(l.LocalKind, l.LocalKey) && s.TypeID == l.TypeID && s.Primary
	})
	st.EntityLinks = append(st.EntityLinks, l)
	if l.Primary || !hasPrimary {
		makeEntityLinkPrimary(st, l)
		l.Primary = true
	}
	return l
}

// makeEntityLinkPrimary keeps one primary per local entity and remote type.
func makeEntityLinkPrimary(st *state, l storedEntityLink) {
	for i := range st.EntityLinks {
		if s := &st.EntityLinks[i]; s.under(l.LocalKind, l.LocalKey) && s.TypeID == l.TypeID {
			s.Primary = s.same(l.TypeID, l.Key, l.ApplicationID)
		}
	}
}

// removeEntityLinks removes the links matching drop, handing each lost
// primary to the next remaining link of its type (selectNewPrimary).
func removeEntityLinks(st *state, drop func(storedEntityLink) bool) {
	var lost []storedEntityLink
	st.EntityLinks = slices.DeleteFunc(st.EntityLinks, func(s storedEntityLink) bool {
		if drop(s) {
			if s.Primary {
				lost = append(lost, s)
			}
			return true
		}
		return false
	})
	for _, gone := range lost {
		if next := slices.IndexFunc(st.EntityLinks, func(s storedEntityLink) bool {
			return s.under(gone.LocalKind, gone.LocalKey) && s.TypeID == gone.TypeID
		}); next >= 0 {
			makeEntityLinkPrimary(st, st.EntityLinks[next])
		}
	}
}

// deleteEntityLinksFor is deleteEntityLinksFor(applicationLink): every
// entity link through the deleted application link goes with it.
func deleteEntityLinksFor(st *state, applicationID string) {
	removeEntityLinks(st, func(s storedEntityLink) bool { return s.ApplicationID == applicationID })
}

// entityLinksUnder returns copies of a local entity's links, in order.
func (i *Instance) entityLinksUnder(kind, key string) []storedEntityLink {
	var found []storedEntityLink
	i.store.View(func(st *state) {
		for _, l := range st.EntityLinks {
			if l.under(kind, key) {
				found = append(found, l)
			}
		}
	})
	return found
}

// ---- Checks every method makes ----

// requireEntityType answers an unknown entity type id with RestUtil's
// typeNotInstalled 400.
func requireEntityType(ex *exchange, typeID string) bool {
	if _, ok := entityTypeClasses[typeID]; !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgTypeNotInstalledList, typeID)}, nil)
		return false
	}
	return true
}

// checkManageEntityLink is checkPermissionToManageEntityLink: a thrown
// WebApplicationException with a 401 Status.
func checkManageEntityLink(ex *exchange, kind, key string) bool {
	var allowed bool
	ex.inst.store.View(func(st *state) {
		allowed = ex.inst.hostsKind(kind) && st.localEntity(kind, key).canManage(ex.user)
	})
	if !allowed {
		thrown(ex)
		writeStatus(ex, newStatus(http.StatusUnauthorized, fmt.Sprintf(msgEntityLinkUnauthorized, key, "class "+entityTypeClasses[kind])))
	}
	return allowed
}

// localEntityChecked runs the two checks on the path's local entity.
func localEntityChecked(ex *exchange) (kind, key string, ok bool) {
	kind, key = ex.param("type"), ex.param("key")
	if !requireEntityType(ex, kind) || !checkManageEntityLink(ex, kind, key) {
		return "", "", false
	}
	return kind, key, true
}

// ---- Handlers ----

// listEntityLinks is GET /entitylink/list/{type}/{key}[?typeId=].
func listEntityLinks(ex *exchange) {
	kind, key, ok := localEntityChecked(ex)
	if !ok {
		return
	}
	remoteType := ex.r.URL.Query().Get("typeId")
	if remoteType != "" && !requireEntityType(ex, remoteType) {
		return
	}
	list := entityLinkList{Entities: []entityLinkEntity{}}
	for _, l := range ex.inst.entityLinksUnder(kind, key) {
		if remoteType == "" || l.TypeID == remoteType {
			list.Entities = append(list.Entities, ex.inst.entityLinkEntityFor(l))
		}
	}
	writeEntity(ex, http.StatusOK, list)
}

// getPrimaryEntityLink is GET /entitylink/primary/{type}/{key}[?typeId=]:
// the primaries, or the one of a remote type.
func getPrimaryEntityLink(ex *exchange) {
	kind, key, ok := localEntityChecked(ex)
	if !ok {
		return
	}
	remoteType := ex.r.URL.Query().Get("typeId")
	if remoteType == "" {
		list := entityLinkList{Entities: []entityLinkEntity{}}
		for _, l := range ex.inst.entityLinksUnder(kind, key) {
			if l.Primary {
				list.Entities = append(list.Entities, ex.inst.entityLinkEntityFor(l))
			}
		}
		writeEntity(ex, http.StatusOK, list)
		return
	}
	if !requireEntityType(ex, remoteType) {
		return
	}
	for _, l := range ex.inst.entityLinksUnder(kind, key) {
		if l.Primary && l.TypeID == remoteType {
			writeEntity(ex, http.StatusOK, ex.inst.entityLinkEntityFor(l))
			return
		}
	}
	writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgNoPrimaryEntityLink, remoteType, kind, key)))
}

// putEntityLink is PUT /entitylink/{type}/{key}[?reciprocate=true], in the
// product's order of checks (design/api.md §3.9.1).
func putEntityLink(ex *exchange) {
	var body entityLinkEntity
	readEntity(ex, &body)
	if body.ApplicationID == "" || body.TypeID == "" || body.Key == "" {
		panic(fmt.Sprintf(msgNullEntityLinkField, body.ApplicationID, body.TypeID, body.Key))
	}
	requireApplicationID(body.ApplicationID)
	link, found := ex.inst.link(body.ApplicationID)
	if !found {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgNoApplicationForID, body.ApplicationID)))
		return
	}
	kind, key, ok := localEntityChecked(ex)
	if !ok || !requireEntityType(ex, body.TypeID) {
		return
	}
	stored := storedEntityLink{LocalKind: kind, LocalKey: key, ApplicationID: link.ID, TypeID: body.TypeID, Key: body.Key, Name: body.Name}
	for _, existing := range ex.inst.entityLinksUnder(kind, key) {
		if existing.same(body.TypeID, body.Key, link.ID) {
			stored.Primary = existing.Primary
		}
	}
	if isTrue(ex, "reciprocate") {
		local, _ := ex.inst.localEntityCopy(kind, key)
		if err := createReciprocalEntityLink(ex, link, stored, local); err != nil {
			writeReciprocalFailure(ex, err, msgRemoteCreateFailed)
			return
		}
	}
	var added storedEntityLink
	updateState(ex, func(st *state) error {
		added = addEntityLink(st, stored)
		return nil
	})
	writeEntity(ex, http.StatusCreated, ex.inst.entityLinkEntityFor(added))
}

// msgNullEntityLinkField stands for the NPE of EntityLinkEntity's
// requireNonNull on a body without an id, type or key. Inferred text.
const msgNullEntityLinkField = "applicationId, typeId and key can't be null (got %q, %q, %q)"

// remoteLinkParams reads the typeId, key and applicationId parameters;
// the local key is what the delete checks, as the product does.
func remoteLinkParams(ex *exchange, checkRemoteKey bool) (typeID, key, applicationID string, ok bool) {
	query := ex.r.URL.Query()
	typeID, key, applicationID = query.Get("typeId"), query.Get("key"), query.Get("applicationId")
	missing := ""
	switch {
	case typeID == "":
		missing = "type"
	case checkRemoteKey && key == "":
		missing = "key"
	case !checkRemoteKey && ex.param("key") == "":
		missing = "key"
	case applicationID == "":
		missing = "applicationId"
	}
	if missing != "" {
		writeStatus(ex, newStatus(http.StatusBadRequest, fmt.Sprintf(msgMissingParameter, missing)))
		return "", "", "", false
	}
	requireApplicationID(applicationID)
	return typeID, key, applicationID, true
}

func writeEntityLinkNotFound(ex *exchange, kind, key, typeID, remoteKey, applicationID string) {
	writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgEntityLinkNotFound,
		entityTypeClasses[typeID], remoteKey, applicationID, entityTypeClasses[kind], key)))
}

// makeEntityLinkPrimaryHandler is POST /entitylink/primary/{type}/{key}.
func makeEntityLinkPrimaryHandler(ex *exchange) {
	typeID, remoteKey, applicationID, ok := remoteLinkParams(ex, true)
	if !ok {
		return
	}
	kind, key, ok := localEntityChecked(ex)
	if !ok || !requireEntityType(ex, typeID) {
		return
	}
	var made *storedEntityLink
	updateState(ex, func(st *state) error {
		for _, l := range st.EntityLinks {
			if l.under(kind, key) && l.same(typeID, remoteKey, applicationID) {
				makeEntityLinkPrimary(st, l)
				l.Primary = true
				made = &l
				return nil
			}
		}
		return nil
	})
	if made == nil {
		writeEntityLinkNotFound(ex, kind, key, typeID, remoteKey, applicationID)
		return
	}
	writeEntity(ex, http.StatusOK, ex.inst.entityLinkEntityFor(*made))
}

// deleteEntityLinkHandler is DELETE /entitylink/{type}/{key}.
func deleteEntityLinkHandler(ex *exchange) {
	typeID, remoteKey, applicationID, ok := remoteLinkParams(ex, false)
	if !ok {
		return
	}
	kind, key, ok := localEntityChecked(ex)
	if !ok || !requireEntityType(ex, typeID) {
		return
	}
	i := slices.IndexFunc(ex.inst.entityLinksUnder(kind, key), func(l storedEntityLink) bool { return l.same(typeID, remoteKey, applicationID) })
	if i < 0 {
		writeEntityLinkNotFound(ex, kind, key, typeID, remoteKey, applicationID)
		return
	}
	if isTrue(ex, "reciprocate") {
		link, _ := ex.inst.link(applicationID)
		if err := deleteReciprocalEntityLink(ex, link, kind, key, typeID, remoteKey); err != nil {
			writeReciprocalFailure(ex, err, msgRemoteDeleteFailed)
			return
		}
	}
	updateState(ex, func(st *state) error {
		removeEntityLinks(st, func(s storedEntityLink) bool { return s.under(kind, key) && s.same(typeID, remoteKey, applicationID) })
		return nil
	})
	writeStatus(ex, statusEntity{StatusCode: http.StatusOK})
}

// localEntitiesWithLinksTo is GET /entitylink/localEntitiesWithLinksTo/{applinkId}.
func localEntitiesWithLinksTo(ex *exchange) {
	id := ex.param("applinkId")
	requireApplicationID(id)
	list := referenceEntityList{Entities: []referenceEntity{}}
	ex.inst.store.View(func(st *state) {
		for _, e := range st.LocalEntities {
			if slices.ContainsFunc(st.EntityLinks, func(l storedEntityLink) bool { return l.under(e.Kind, e.Key) && l.ApplicationID == id }) {
				list.Entities = append(list.Entities, referenceEntity{Key: e.Key, Name: e.Name, TypeID: e.Kind})
			}
		}
	})
	writeEntity(ex, http.StatusOK, list)
}

// listLocalEntities is GET /entities: this instance's linkable entities.
func listLocalEntities(ex *exchange) {
	list := referenceEntityList{Entities: []referenceEntity{}}
	ex.inst.store.View(func(st *state) {
		for _, e := range st.LocalEntities {
			if ex.inst.hostsKind(e.Kind) {
				list.Entities = append(list.Entities, referenceEntity{Key: e.Key, Name: e.Name, TypeID: e.Kind})
			}
		}
	})
	writeEntity(ex, http.StatusOK, list)
}

// listRemoteEntities is GET /entities/{applinkId}: the peer's /entities,
// asked through the link's outgoing authentication.
func listRemoteEntities(ex *exchange) {
	id := ex.param("applinkId")
	requireApplicationID(id)
	link, ok := ex.inst.link(id)
	if !ok {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgNoApplinkWithID, id)))
		return
	}
	resp, err := ex.inst.callPeerAsLink(ex, link, http.MethodGet, "/rest/applinks/1.0/entities", nil)
	switch {
	case errors.Is(err, errCredentialsRequired):
		writeStatus(ex, newStatus(http.StatusUnauthorized, msgCredentialsRequired))
		return
	case err != nil:
		writeStatus(ex, newStatus(http.StatusInternalServerError, "com.atlassian.sal.api.net.ResponseException: "+err.Error()))
		return
	case resp.status != http.StatusOK:
		writeStatus(ex, newStatus(http.StatusInternalServerError, fmt.Sprintf("com.atlassian.sal.api.net.ResponseException: Received %d - %s", resp.status, http.StatusText(resp.status))))
		return
	}
	var list referenceEntityList
	if err := json.Unmarshal(resp.body, &list); err != nil {
		writeStatus(ex, newStatus(http.StatusInternalServerError, "com.atlassian.sal.api.net.ResponseException: "+err.Error()))
		return
	}
	if list.Entities == nil {
		list.Entities = []referenceEntity{}
	}
	writeEntity(ex, http.StatusOK, list)
}

// ---- Reciprocal calls (core.rest.client.EntityLinkClient) ----

// createReciprocalEntityLink is createEntityLinkFrom: the peer's PUT of the
// link back, of which only a 201 counts.
func createReciprocalEntityLink(ex *exchange, link storedLink, l storedEntityLink, local storedLocalEntity) error {
	falseValue := false
	body, err := json.Marshal(entityLinkEntity{ApplicationID: ex.inst.serverID, TypeID: l.LocalKind, Key: l.LocalKey, Name: local.Name, IsPrimary: &falseValue})
	if err != nil {
		return err
	}
	resp, err := ex.inst.callPeerAsLink(ex, link, http.MethodPut,
		"/rest/applinks/1.0/entitylink/"+url.PathEscape(l.TypeID)+"/"+url.PathEscape(l.Key)+"?reciprocate=false", body)
	switch {
	case err != nil:
		return err
	case resp.status != http.StatusCreated:
		return fmt.Errorf("Received %d - %s", resp.status, http.StatusText(resp.status)) //nolint:staticcheck // the products' own words
	}
	return nil
}

// deleteReciprocalEntityLink is deleteEntityLinkFrom; only a 200 counts.
func deleteReciprocalEntityLink(ex *exchange, link storedLink, kind, key, typeID, remoteKey string) error {
	query := url.Values{"typeId": {kind}, "key": {key}, "applicationId": {ex.inst.serverID}}
	resp, err := ex.inst.callPeerAsLink(ex, link, http.MethodDelete,
		"/rest/applinks/1.0/entitylink/"+url.PathEscape(typeID)+"/"+url.PathEscape(remoteKey)+"?"+query.Encode(), nil)
	switch {
	case err != nil:
		return err
	case resp.status != http.StatusOK:
		return fmt.Errorf("Received %d - %s", resp.status, http.StatusText(resp.status)) //nolint:staticcheck // the products' own words
	}
	return nil
}

// writeReciprocalFailure answers a failed reciprocal call as the resource
// does: credentials required is a 401, anything else a 500.
func writeReciprocalFailure(ex *exchange, err error, message string) {
	if errors.Is(err, errCredentialsRequired) {
		writeStatus(ex, newStatus(http.StatusUnauthorized, msgCredentialsRequired))
		return
	}
	writeStatus(ex, newStatus(http.StatusInternalServerError, fmt.Sprintf(message, err)))
}

func isTrue(ex *exchange, name string) bool {
	return strings.EqualFold(ex.r.URL.Query().Get(name), "true")
}
