package emulator

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The applicationlink resource of applinks v1 (design/api.md §3.2) and the v2
// resource that extends it (design/api.md §4). What every way of creating, updating and
// deleting a link shares is in link_service.go, the entities in
// link_entity.go and the provider registry in auth_providers.go.

// Texts of the applinks plugin. [SRC] where marked, otherwise Inferred
// English for the i18n key named beside it.
const (
	msgTypeNotInstalledList = "No type with id %s installed" // [SRC] RestUtil.typeNotInstalled
	msgTypeNotInstalled     = "The application type %s is not installed."
	msgInvalidApplicationID = "id must be a valid java.util.UUID string: %s" // [SRC] ApplicationId
	msgNullApplicationID    = "id must not be null"                          // [SRC] ApplicationId
	msgAlreadyConfigured    = "Application with server ID %s is already configured"
	msgNoLinkWithID         = "No application link with ID=%s" // [SRC] makePrimary
	// msgNullLinkEntity is the NPE toApplicationLinkEntity throws for an
	// unknown id in 9.1.4. Inferred: Java's helpful NPE text, with the
	// local variable name a debug build keeps.
	msgNullLinkEntity = `Cannot invoke "com.atlassian.applinks.api.ApplicationLink.getId()" because "appLink" is null`
	// msgNullRPCURL stands for the NPE of deriving an id from a missing
	// rpcUrl. Inferred text.
	msgNullRPCURL           = `Cannot invoke "java.net.URI.normalize()" because "uri" is null`
	msgLinkNotFound         = "No application link with id %s found."                  // applinks.notfound
	msgNoPrimary            = "No primary application link of type %s found."          // applinks.error.noprimary
	msgOnlySysadmin         = "Only system administrators can perform this operation." // applinks.error.only.sysadmin.operation
	msgDuplicateName        = "An application link with the name '%s' already exists." // applinks.error.duplicate.name
	msgCannotUpdateRPCURL   = "The application URL of an application link cannot be changed. Relocate the application link instead."
	msgDuplicateURL         = "An application link with the URL %s already exists."                                  // applinks.error.duplicate.url
	msgDeleted              = "Deleted application with id '%s'"                                                     // [DOC] applinks.deleted
	msgMadePrimary          = "The application link %s is now the primary link of its type."                         // applinks.primary
	msgCredentialsRequired  = "The operation on the remote application failed because credentials are required."     // applinks.remote.operation.failed.credentials.required
	msgRemoteDeleteFailed   = "Failed to delete the application link on the remote application: %s"                  // applinks.remote.delete.failed
	msgProviderNotKnown     = "The authentication provider type %[2]s for application link %[1]s is not recognized." // applinks.authentication.provider.type.not.recognized
	msgProvider2LOiSysadmin = "Only system administrators can enable %[2]s for application link %[1]s."              // applinks.authentication.provider.2loi.only.available.to.sysadmin
)

// writeTypeNotInstalled is the TypeNotInstalledExceptionMapper's 400.
func writeTypeNotInstalled(ex *exchange, typeID string) {
	thrown(ex)
	writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgTypeNotInstalled, typeID)}, nil)
}

func listApplicationLinks(ex *exchange) {
	writeLinkList(ex, ex.inst.links())
}

// listApplicationLinksOfType puts the primary link first; the others keep
// their order.
func listApplicationLinksOfType(ex *exchange) {
	t, ok := linkTypeByID(ex.param("typeId"))
	if !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgTypeNotInstalledList, ex.param("typeId"))}, nil)
		return
	}
	writeLinkList(ex, linksOfType(ex.inst.links(), t.typeID))
}

// linksOfType is getApplicationLinks(type): primary first, stable order.
func linksOfType(links []storedLink, typeID string) []storedLink {
	ofType := slices.DeleteFunc(links, func(l storedLink) bool { return l.TypeID != typeID })
	slices.SortStableFunc(ofType, func(a, b storedLink) int {
		switch {
		case a.Primary == b.Primary:
			return 0
		case a.Primary:
			return -1
		default:
			return 1
		}
	})
	return ofType
}

func getPrimaryApplicationLink(ex *exchange) {
	typeID := ex.param("id")
	t, ok := linkTypeByID(typeID)
	if !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgTypeNotInstalledList, typeID)}, nil)
		return
	}
	for _, l := range ex.inst.links() {
		if l.TypeID == t.typeID && l.Primary {
			writeEntity(ex, http.StatusOK, newApplicationLinkEntity(ex, l).asRoot())
			return
		}
	}
	// The message formats the type's Class, whose toString is "class <name>".
	writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgNoPrimary, "class "+t.implClass)))
}

// getApplicationLink has no null check in 9.1.4: an unknown id is an NPE
// and a malformed one an IllegalArgumentException, both uncaught 500s.
func getApplicationLink(ex *exchange) {
	id := ex.param("id")
	requireApplicationID(id)
	link, ok := ex.inst.link(id)
	if !ok {
		panic(msgNullLinkEntity)
	}
	writeEntity(ex, http.StatusOK, newApplicationLinkEntity(ex, link).asRoot())
}

// makeApplicationLinkPrimary answers an unknown id with makePrimary's
// IllegalArgumentException (Inferred: uncaught, so a 500).
func makeApplicationLinkPrimary(ex *exchange) {
	id := ex.param("id")
	requireApplicationID(id)
	if !updateState(ex, func(st *state) error {
		if !makePrimary(st, id) {
			return refuse(func(*exchange) { panic(fmt.Sprintf(msgNoLinkWithID, id)) })
		}
		return nil
	}) {
		return
	}
	status := newStatus(http.StatusOK, fmt.Sprintf(msgMadePrimary, id))
	status.ResourcesUpdated = []linkEntity{selfLink(ex, id)}
	writeStatus(ex, status)
}

// putApplicationLinkV1 is v1's create-or-update. It creates with the
// body's id (not the path's) when the path names no link. The manifest the
// product fetches first is never used and never fails for an installed
// type, so the emulator skips it.
func putApplicationLinkV1(ex *exchange) {
	body := readLinkEntity(ex)
	t, ok := linkTypeByID(body.TypeID)
	if !ok {
		writeTypeNotInstalled(ex, body.TypeID)
		return
	}
	pathID := ex.param("id")
	requireApplicationID(pathID)
	created := false
	if !updateState(ex, func(st *state) error {
		existing := st.linkByID(pathID)
		if existing != nil {
			return updateExistingLink(ex, st, existing, body)
		}
		if body.ID == "" {
			return refuse(func(*exchange) { panic(msgNullApplicationID) })
		}
		created = true
		return addLinkOrFail(st, body.ID, t, body.details())
	}) {
		return
	}
	if created {
		writeStatus(ex, statusEntity{StatusCode: http.StatusCreated, ResourcesCreated: []linkEntity{selfLink(ex, body.ID)}})
		return
	}
	writeLinkUpdated(ex, body)
}

// addLinkOrFail answers a duplicate id as addApplicationLink does when
// nothing catches its IllegalArgumentException: a 500.
func addLinkOrFail(st *state, id string, t linkType, d linkDetails) error {
	if err := addLink(st, id, t, d); err != nil {
		return refuse(func(*exchange) { panic(fmt.Sprintf(msgAlreadyConfigured, id)) })
	}
	return nil
}

// updateExistingLink holds the checks v1's PUT and v2's POST share:
// system links need a sysadmin, the name must be free, and the rpcUrl
// cannot change.
func updateExistingLink(ex *exchange, st *state, existing *storedLink, body applicationLinkEntity) error {
	d := body.details()
	switch {
	case existing.System && !ex.user.isSysadmin():
		return refuse(func(ex *exchange) { writeStatus(ex, newStatus(http.StatusForbidden, msgOnlySysadmin)) })
	case nameInUse(st, d.name, existing.ID):
		return refuse(func(ex *exchange) {
			writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgDuplicateName, body.Name)}, nil)
		})
	case existing.RPCURL != d.rpcURL:
		return refuse(func(ex *exchange) {
			writeErrorList(ex, http.StatusBadRequest, []string{msgCannotUpdateRPCURL}, nil)
		})
	}
	updateLinkDetails(existing, d)
	return nil
}

// writeLinkUpdated answers an update with the self link of the body's id
// (whatever the path said); without one, building it is an NPE after the
// update has happened.
func writeLinkUpdated(ex *exchange, body applicationLinkEntity) {
	if body.ID == "" {
		panic(msgNullApplicationID)
	}
	writeStatus(ex, statusEntity{StatusCode: http.StatusOK, ResourcesUpdated: []linkEntity{selfLink(ex, body.ID)}})
}

// createApplicationLinkV2 creates without any manifest fetch. Generic
// links, and links given no id, get the id derived from the rpcUrl.
func createApplicationLinkV2(ex *exchange) {
	body := readLinkEntity(ex)
	t, ok := linkTypeByID(body.TypeID)
	if !ok {
		writeTypeNotInstalled(ex, body.TypeID)
		return
	}
	d := body.details()
	id := body.ID
	if t.typeID == genericTypeID || id == "" {
		if d.rpcURL == "" {
			panic(msgNullRPCURL)
		}
		id = GenerateApplicationID(d.rpcURL)
	}
	if !updateState(ex, func(st *state) error {
		if addLink(st, id, t, d) != nil {
			return refuse(func(ex *exchange) {
				writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgDuplicateURL, d.rpcURL)}, nil)
			})
		}
		return nil
	}) {
		return
	}
	writeStatus(ex, statusEntity{StatusCode: http.StatusCreated, ResourcesCreated: []linkEntity{selfLink(ex, id)}})
}

// updateApplicationLinkV2 is v2's POST {id}: v1's update checks, but an
// unknown link is a 400 whose message names the body's name.
func updateApplicationLinkV2(ex *exchange) {
	body := readLinkEntity(ex)
	if _, ok := linkTypeByID(body.TypeID); !ok {
		writeTypeNotInstalled(ex, body.TypeID)
		return
	}
	id := ex.param("id")
	requireApplicationID(id)
	if !updateState(ex, func(st *state) error {
		existing := st.linkByID(id)
		if existing == nil {
			return refuse(func(ex *exchange) {
				writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgLinkNotFound, body.Name)}, nil)
			})
		}
		return updateExistingLink(ex, st, existing, body)
	}) {
		return
	}
	writeLinkUpdated(ex, body)
}

// deleteApplicationLink deletes locally, after deleting the peer's link
// back to this instance when reciprocate=true.
func deleteApplicationLink(ex *exchange) {
	id := ex.param("id")
	requireApplicationID(id)
	link, ok := ex.inst.link(id)
	switch {
	case !ok:
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, id)))
		return
	case link.System && !ex.user.isSysadmin():
		writeStatus(ex, newStatus(http.StatusForbidden, msgOnlySysadmin))
		return
	}
	if strings.EqualFold(ex.r.URL.Query().Get("reciprocate"), "true") {
		if err := deleteReciprocalLink(ex, link); err != nil {
			if errors.Is(err, errCredentialsRequired) {
				writeStatus(ex, newStatus(http.StatusUnauthorized, msgCredentialsRequired))
			} else {
				writeStatus(ex, newStatus(http.StatusInternalServerError, fmt.Sprintf(msgRemoteDeleteFailed, err)))
			}
			return
		}
	}
	updateState(ex, func(st *state) error {
		deleteLink(st, id)
		return nil
	})
	writeStatus(ex, newStatus(http.StatusOK, fmt.Sprintf(msgDeleted, id)))
}

// errCredentialsRequired is CredentialsRequiredException.
var errCredentialsRequired = errors.New("credentials required")

// deleteReciprocalLink is ApplicationLinkClient.deleteReciprocalLinkFrom:
// DELETE {peer}/rest/applinks/1.0/applicationlink/{our id}?reciprocate=false
// with the link's own outgoing authentication; only a 200 counts.
//
// Inferred: the emulator does not sign OAuth requests, so it models what
// each outgoing level amounts to against a peer sharing the user base.
// With 2LO impersonation the call acts as the calling user, whose own
// credentials are forwarded. Plain 2LO runs as the peer's executing 2LO
// user, of which the emulator has none, so the call goes out anonymous and
// the peer refuses it. 3LO alone needs the user's access token, which the
// emulator never has, and no provider at all leaves no way to
// authenticate: both are "credentials required" (401).
func deleteReciprocalLink(ex *exchange, link storedLink) error {
	var authorization string
	switch level := outgoingLevel(link); {
	case level.TwoLoImpersonationEnabled:
		authorization = ex.r.Header.Get("Authorization")
	case level.TwoLoEnabled:
	default:
		return errCredentialsRequired
	}
	resp, err := callPeer(ex.r.Context(), ex.inst.peers.direct, peerRequest{
		method:        http.MethodDelete,
		url:           peerURL(link.RPCURL, "/rest/applinks/1.0/applicationlink/"+ex.inst.serverID+"?reciprocate=false"),
		authorization: authorization,
		accept:        mediaTypeJSON,
	})
	switch {
	case err != nil:
		return err
	case resp.status != http.StatusOK:
		return fmt.Errorf("Received %d - %s", resp.status, http.StatusText(resp.status)) //nolint:staticcheck // the products' own words, which users search for
	}
	return nil
}

// ---- v2 authentication providers ----

// findLinkForProviders treats a malformed id like an unknown one, as the
// v2 resource's findApplicationLink does.
func findLinkForProviders(ex *exchange) (storedLink, bool) {
	id := ex.param("id")
	if !isApplicationID(id) {
		return storedLink{}, false
	}
	return ex.inst.link(id)
}

// listAuthenticationProviders lists the link's configured outgoing
// providers, optionally only those of the class in the path.
func listAuthenticationProviders(ex *exchange) {
	link, ok := findLinkForProviders(ex)
	if !ok {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, ex.param("id"))))
		return
	}
	filter := ex.param("provider")
	list := authenticationProviderListEntity{AuthenticationProviders: []authenticationProviderEntity{}}
	for _, m := range configuredOutgoingModules(link) {
		if filter != "" && m.provider != filter {
			continue
		}
		p, _ := link.outgoingProvider(m.provider)
		config := xmlStringMap(maps.Clone(p.Config))
		if config == nil {
			config = xmlStringMap{}
		}
		list.AuthenticationProviders = append(list.AuthenticationProviders, authenticationProviderEntity{
			Link:     []linkEntity{{Href: "applicationlink/" + link.ID + "/authentication/provider", Rel: "self"}},
			Config:   config,
			Module:   m.module,
			Provider: m.provider,
		})
	}
	writeEntity(ex, http.StatusOK, list)
}

// putAuthenticationProvider registers (or reconfigures) an outgoing
// provider. Inferred: only the provider classes of design/api.md §2.3 are "on the
// classpath"; the product's Class.forName would accept any class.
func putAuthenticationProvider(ex *exchange) {
	var body authenticationProviderEntity
	readEntity(ex, &body)
	id := ex.param("id")
	link, ok := findLinkForProviders(ex)
	if !ok {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, id)))
		return
	}
	if _, known := authProviderModuleFor(body.Provider); !known {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgProviderNotKnown, id, body.Provider)}, nil)
		return
	}
	if body.Provider == providerTwoLeggedImpersonation && !ex.user.isSysadmin() {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgProvider2LOiSysadmin, id, body.Provider)}, nil)
		return
	}
	updateState(ex, func(st *state) error {
		if l := st.linkByID(link.ID); l != nil {
			registerProvider(l, body.Provider, body.Config)
		}
		return nil
	})
	writeStatus(ex, statusEntity{
		StatusCode:       http.StatusCreated,
		ResourcesCreated: []linkEntity{{Href: "applicationlink/" + id + "/authentication/" + body.Provider, Rel: "self"}},
	})
}
