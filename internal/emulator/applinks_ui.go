package emulator

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// The applinks UI resources of /rest/applinks/1.0 (design/api.md §3.3, §3.5,
// §3.6, §3.7): what the admin pages and the create-link wizard call. They
// sit behind the admin interceptor and talk to peers: manifests, online
// checks, reciprocal links and OAuth auto-configuration.

// Texts of the UI resources. [SRC] where marked, otherwise Inferred English
// for the i18n key named beside it.
const (
	msgLinkStateNotFound      = "Couldn't find application link"                                                                          // [SRC]
	msgRetrievingLinkList     = "An error occurred when retrieving the list of application links: %s"                                     // applinks.error.retrieving.application.link.list
	msgRPCURLRequired         = "Please specify the URL of the application."                                                              // applinks.error.rpcurl
	msgHostRestricted         = "Application links to this host are not allowed."                                                         // applinks.service.error.restapi.url.host.restricted
	msgURLFormat              = "The URL is not valid or its host cannot be resolved."                                                    // applinks.service.error.restapi.url.format
	msgURLInvalid             = "The URL '%s' is not valid."                                                                              // applinks.error.url.invalid
	msgRedirectedWarning      = "The application at this URL redirected to %s. Use that URL instead, or continue with this one."          // applinks.warning.redirected.host.new
	msgUnknownHostWarning     = "No response was received from the URL you entered. It may not be valid, or the application may be down." // applinks.warning.unknown.host.new
	msgRemoteTypeNotInstalled = "The application type %s of the remote application is not supported."                                     // applinks.error.remote.type.not.installed
	msgApplinkExists          = "An application link to %s already exists."                                                               // applinks.error.applink.exists
	msgApplinkExistsOtherURL  = "An application link to this application already exists under a different URL."                           // applinks.error.applink.exists.with.different.url
	msgApplinkItsMe           = "You cannot create an application link to this application itself."                                       // applinks.error.applink.itsme
	msgAppNameRequired        = "Please specify a name for the application."                                                              // applinks.error.appname
	msgAppTypeRequired        = "Please select a valid application type."                                                                 // applinks.error.apptype
	msgRPCURLExists           = "An application link with this URL already exists."                                                       // applinks.error.rpcurl.exists
	msgNotRemoteAdmin         = "The credentials are not those of an administrator of the remote application."                            // applinks.error.unauthorized
	msgRemoteAuthResponse     = "An error occurred when checking the credentials on the remote application."                              // applinks.error.authorization.response
	msgRemoteResponse         = "An error occurred when reading the response of the remote application."                                  // applinks.error.response
	msgRemoteGeneral          = "Creating the application link in the remote application failed."                                         // applinks.error.general
	msgRelocateType           = "The application at %s is a %s application, but this application link is to a %s application."            // applinks.error.relocate.type
)

// Warning codes of ResponseInfoEntity, as the products send them.
const (
	codeRedirectedHost = "applinks.warning.redirected.host"
	codeUnknownHost    = "applinks.warning.unknown.host"
)

// writeParamConversionFailure is Jersey's answer when a path parameter
// cannot be converted (here to ApplicationId): 404. Inferred: with no
// entity, as ParamException carries none.
func writeParamConversionFailure(ex *exchange) {
	thrown(ex)
	ex.w.WriteHeader(http.StatusNotFound)
}

// ---- listApplicationlinks ----

// linkAndAuthProviderEntity is LinkAndAuthProviderEntity. Web items and
// panels are the plugin's web fragments, of which the emulator has none.
type linkAndAuthProviderEntity struct {
	Application                        applicationLinkEntity `xml:"application" json:"application"`
	ConfiguredOutboundAuthenticators   []string              `xml:"configuredOutboundAuthenticators" json:"configuredOutboundAuthenticators"`
	ConfiguredInboundAuthenticators    []string              `xml:"configuredInboundAuthenticators" json:"configuredInboundAuthenticators"`
	HasIncomingAuthenticationProviders bool                  `xml:"hasIncomingAuthenticationProviders" json:"hasIncomingAuthenticationProviders"`
	HasOutgoingAuthenticationProviders bool                  `xml:"hasOutgoingAuthenticationProviders" json:"hasOutgoingAuthenticationProviders"`
	WebItems                           []struct{}            `xml:"webItems" json:"webItems"`
	WebPanels                          []struct{}            `xml:"webPanels" json:"webPanels"`
	IsSystem                           bool                  `xml:"isSystem" json:"isSystem"`
	EntityTypeIDStrings                []string              `xml:"entityTypeIdStrings" json:"entityTypeIdStrings"`
}

// listEntity is ListEntity.
type listEntity struct {
	XMLName xml.Name                    `xml:"list" json:"-"`
	List    []linkAndAuthProviderEntity `xml:"list" json:"list"`
}

// listApplicationLinksUI fetches every link's manifest in parallel, like
// the product's executor, and sorts by type id, then name.
func listApplicationLinksUI(ex *exchange) {
	links := ex.inst.links()
	entities := make([]linkAndAuthProviderEntity, len(links))
	var wg sync.WaitGroup
	for i, l := range links {
		wg.Go(func() { entities[i] = newLinkAndAuthProviderEntity(ex, l) })
	}
	wg.Wait()
	slices.SortFunc(entities, func(a, b linkAndAuthProviderEntity) int {
		return cmp.Or(strings.Compare(a.Application.TypeID, b.Application.TypeID), strings.Compare(a.Application.Name, b.Application.Name))
	})
	writeEntity(ex, http.StatusOK, listEntity{List: entities})
}

func newLinkAndAuthProviderEntity(ex *exchange, l storedLink) linkAndAuthProviderEntity {
	e := linkAndAuthProviderEntity{
		Application:                      newApplicationLinkEntity(ex, l),
		ConfiguredOutboundAuthenticators: []string{},
		ConfiguredInboundAuthenticators:  []string{},
		WebItems:                         []struct{}{},
		WebPanels:                        []struct{}{},
		IsSystem:                         l.System,
		EntityTypeIDStrings:              []string{},
	}
	for _, m := range configuredOutgoingModules(l) {
		e.ConfiguredOutboundAuthenticators = append(e.ConfiguredOutboundAuthenticators, m.provider)
	}
	for _, m := range authProviderModules {
		if m.incomingEnabled != nil && m.incomingEnabled(l) {
			e.ConfiguredInboundAuthenticators = append(e.ConfiguredInboundAuthenticators, m.provider)
		}
	}
	e.HasIncomingAuthenticationProviders, e.HasOutgoingAuthenticationProviders = true, true
	t, ok := linkTypeByID(l.TypeID)
	if ok {
		e.EntityTypeIDStrings = append(e.EntityTypeIDStrings, javaHashSetOrder(t.entityTypes)...)
	}
	// Only a downloaded manifest can say the peer shares no authentication
	// type with us; a synthesised one declares the type's own.
	if ok && t.typeID != genericTypeID {
		if m, err := ex.inst.peers.downloadManifest(ex.r.Context(), l.RPCURL); err == nil && m.TypeID == t.typeID {
			e.HasIncomingAuthenticationProviders = sharesAuthenticationType(m.OutboundAuthenticationTypes)
			e.HasOutgoingAuthenticationProviders = sharesAuthenticationType(m.InboundAuthenticationTypes)
		}
	}
	return e
}

// sharesAuthenticationType reports whether a peer's advertised types meet
// the ones this instance supports (its inbound and outbound sets are the
// same).
func sharesAuthenticationType(types []string) bool {
	return slices.ContainsFunc(types, func(t string) bool { return slices.Contains(localInboundProviders, t) })
}

// ---- listApplicationlinkstates ----

// applicationLinkStateEntity is ApplicationLinkStateEntity.
type applicationLinkStateEntity struct {
	XMLName      xml.Name `xml:"applicationLinkState" json:"-"`
	AppLinkState string   `xml:"appLinkState" json:"appLinkState"`
}

// getApplicationLinkState: OFFLINE when the rpcUrl does not answer 2xx;
// when the manifest there names another id, UPGRADED_TO_UAL for an
// applinks 3+ peer and UPGRADED otherwise (a synthesised manifest has no
// applinks version); else OK. Any failure, an unknown id included, is a
// 500.
func getApplicationLinkState(ex *exchange) {
	id := ex.param("id")
	if !isApplicationID(id) {
		writeParamConversionFailure(ex)
		return
	}
	link, ok := ex.inst.link(id)
	if !ok {
		writeStatus(ex, newStatus(http.StatusInternalServerError, fmt.Sprintf(msgRetrievingLinkList, msgLinkStateNotFound)))
		return
	}
	writeEntity(ex, http.StatusOK, applicationLinkStateEntity{AppLinkState: linkState(ex, link)})
}

func linkState(ex *exchange, link storedLink) string {
	ctx := ex.r.Context()
	if !ex.inst.peers.peerAvailable(ctx, link.RPCURL) {
		return "OFFLINE"
	}
	t, ok := linkTypeByID(link.TypeID)
	if !ok {
		return "OK"
	}
	manifest := ex.inst.peers.manifestFor(ctx, link.RPCURL, t)
	switch {
	case manifest.ID == link.ID:
		return "OK"
	case applinksMajorVersion(manifest.ApplinksVersion) >= 3:
		return "UPGRADED_TO_UAL"
	default:
		return "UPGRADED"
	}
}

// applinksMajorVersion is the major of an OSGi version string, 0 if none.
func applinksMajorVersion(version string) int {
	major := 0
	for _, c := range version {
		if c < '0' || c > '9' {
			break
		}
		major = major*10 + int(c-'0')
	}
	return major
}

// ---- applicationlinkInfo ----

// applicationLinkInfoEntity is ApplicationLinkInfoEntity.
type applicationLinkInfoEntity struct {
	XMLName                 xml.Name `xml:"applicationLinkInfo" json:"-"`
	ConfiguredAuthProviders []string `xml:"configuredAuthProviders" json:"configuredAuthProviders"`
	HostEntityTypes         []string `xml:"hostEntityTypes" json:"hostEntityTypes"`
	RemoteEntityTypes       []string `xml:"remoteEntityTypes" json:"remoteEntityTypes"`
	NumConfiguredEntities   int      `xml:"numConfiguredEntities" json:"numConfiguredEntities"`
}

// getApplicationLinkInfo keeps the product's quirks: configuredAuthProviders
// lists every enabled provider module, not the link's, and the remote
// entity types are the host's again. The emulator has no entity links.
func getApplicationLinkInfo(ex *exchange) {
	id := ex.param("id")
	if !isApplicationID(id) {
		writeParamConversionFailure(ex)
		return
	}
	if _, ok := ex.inst.link(id); !ok {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, id)))
		return
	}
	info := applicationLinkInfoEntity{ConfiguredAuthProviders: []string{}, HostEntityTypes: []string{}}
	for _, m := range authProviderModules {
		info.ConfiguredAuthProviders = append(info.ConfiguredAuthProviders, m.provider)
	}
	if t, ok := linkTypeByID(ex.inst.product.typeID); ok {
		info.HostEntityTypes = append(info.HostEntityTypes, t.entityTypes...)
	}
	info.RemoteEntityTypes = slices.Clone(info.HostEntityTypes)
	writeEntity(ex, http.StatusOK, info)
}

// ---- applicationlinkForm/manifest ----

// responseInfoEntity is ResponseInfoEntity, the wizard's warnings.
type responseInfoEntity struct {
	XMLName xml.Name     `xml:"responseInfo" json:"-"`
	Warning string       `xml:"warning,omitempty" json:"warning,omitempty"`
	Code    string       `xml:"code,omitempty" json:"code,omitempty"`
	Params  xmlStringMap `xml:"params,omitempty" json:"params,omitzero"`
}

// fetchManifestForm is tryToFetchManifest, in the product's order: blank
// URL, SSRF blocklist, URL syntax, download (redirect and no-response are
// 200 warnings, other failures an empty 200), remote type, existing link,
// link to self.
func fetchManifestForm(ex *exchange) {
	raw := ex.r.URL.Query().Get("url")
	if strings.TrimSpace(raw) == "" {
		writeErrorList(ex, http.StatusBadRequest, []string{msgRPCURLRequired}, nil)
		return
	}
	switch err := ex.inst.checkHostAllowed(ex.r.Context(), raw); {
	case errors.Is(err, errHostBlocked):
		thrown(ex)
		writeStatus(ex, newStatus(http.StatusForbidden, msgHostRestricted))
		return
	case err != nil:
		thrown(ex)
		writeErrorList(ex, http.StatusBadRequest, []string{msgURLFormat}, nil)
		return
	}
	if !isJavaURL(raw) {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgURLInvalid, raw)}, nil)
		return
	}
	manifest, err := ex.inst.peers.downloadManifest(ex.r.Context(), raw)
	var redirected *errManifestRedirected
	var unreachable *errPeerUnreachable
	switch {
	case errors.As(err, &redirected):
		writeEntity(ex, http.StatusOK, responseInfoEntity{
			Code:    codeRedirectedHost,
			Warning: fmt.Sprintf(msgRedirectedWarning, html.EscapeString(redirectedBaseURL(redirected.location))),
			Params:  xmlStringMap{"redirectedUrl": redirected.location},
		})
		return
	case errors.As(err, &unreachable):
		writeEntity(ex, http.StatusOK, responseInfoEntity{Code: codeUnknownHost, Warning: msgUnknownHostWarning})
		return
	case err != nil:
		writeEntity(ex, http.StatusOK, responseInfoEntity{})
		return
	}
	if _, ok := linkTypeByID(manifest.TypeID); !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgRemoteTypeNotInstalled, manifest.TypeID)}, nil)
		return
	}
	if existing, ok := ex.inst.link(manifest.ID); ok {
		message := msgApplinkExistsOtherURL
		if existing.DisplayURL == manifest.URL {
			message = fmt.Sprintf(msgApplinkExists, manifest.URL)
		}
		writeErrorList(ex, http.StatusConflict, []string{message}, nil)
		return
	}
	if manifest.ID == ex.inst.serverID {
		writeErrorList(ex, http.StatusConflict, []string{msgApplinkItsMe}, nil)
		return
	}
	writeEntity(ex, http.StatusOK, relayedManifest(manifest))
}

// isJavaURL is new URL(url).toURI() succeeding: a scheme java.net.URL
// knows and a well-formed URI.
func isJavaURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && slices.Contains(javaURLSchemes, strings.ToLower(u.Scheme))
}

// redirectedBaseURL is ManifestGotRedirectedException.newLocationBaseUrl:
// the Location up to "rest/applinks/".
func redirectedBaseURL(location string) string {
	if i := strings.Index(location, "rest/applinks/"); i > 0 {
		return location[:i]
	}
	return location
}

// relayedManifest is ManifestEntity rebuilt from a downloaded manifest:
// authentication types the instance does not know (the placeholder among
// them) are dropped, and the sets are Java HashSets again.
func relayedManifest(m manifestEntity) manifestEntity {
	known := func(types []string) []string {
		kept := slices.DeleteFunc(slices.Clone(types), func(t string) bool { return !slices.Contains(localInboundProviders, t) })
		return javaHashSetOrder(kept)
	}
	m.InboundAuthenticationTypes = known(m.InboundAuthenticationTypes)
	m.OutboundAuthenticationTypes = known(m.OutboundAuthenticationTypes)
	return m
}

// ---- applicationlinkForm/createAppLink ----

// createApplicationLinkRequest is CreateApplicationLinkRequestEntity; the
// orphaned trust certificate it may carry is not modelled.
type createApplicationLinkRequest struct {
	XMLName          xml.Name               `xml:"createApplicationLinkRequest" json:"-"`
	ApplicationLink  *applicationLinkEntity `xml:"applicationLink" json:"applicationLink"`
	Username         string                 `xml:"username" json:"username"`
	Password         string                 `xml:"password" json:"password"`
	CustomRPCURL     bool                   `xml:"customRpcURL" json:"customRpcURL"`
	RPCURL           string                 `xml:"rpcUrl" json:"rpcUrl"`
	CreateTwoWayLink bool                   `xml:"createTwoWayLink" json:"createTwoWayLink"`
	ConfigFormValues *configFormValues      `xml:"configFormValues" json:"configFormValues"`
}

// configFormValues is ConfigurationFormValuesEntity.
type configFormValues struct {
	TrustEachOther bool `xml:"trustEachOther" json:"trustEachOther"`
	ShareUserbase  bool `xml:"shareUserbase" json:"shareUserbase"`
}

// createdApplicationLinkEntity is CreatedApplicationLinkEntity.
type createdApplicationLinkEntity struct {
	XMLName                     xml.Name              `xml:"createdApplicationLink" json:"-"`
	ApplicationLink             applicationLinkEntity `xml:"applicationLink" json:"applicationLink"`
	AutoConfigurationSuccessful bool                  `xml:"autoConfigurationSuccessful" json:"autoConfigurationSuccessful"`
}

// Inferred: the NPE texts of a request without applicationLink or
// configFormValues.
const (
	msgNullApplicationLink  = `Cannot invoke "com.atlassian.applinks.core.rest.model.ApplicationLinkEntity.getRpcUrl()" because "applicationLink" is null`
	msgNullConfigFormValues = `Cannot invoke "com.atlassian.applinks.core.rest.model.ConfigurationFormValuesEntity.shareUserbase()" because the return value of "com.atlassian.applinks.core.rest.model.CreateApplicationLinkRequestEntity.getConfigFormValues()" is null`
)

// createAppLink is createApplicationLink, step by step (design/api.md §3.5): validation,
// the reciprocal link on the peer when asked, the local link with the
// peer's server id (or the URL-derived one), then OAuth auto-configuration
// of both sides, whose failure does not fail the call.
func createAppLink(ex *exchange) {
	var req createApplicationLinkRequest
	readEntity(ex, &req)
	if req.ApplicationLink == nil {
		panic(msgNullApplicationLink)
	}
	if req.ApplicationLink.ID != "" {
		requireApplicationID(req.ApplicationLink.ID)
	}
	d := req.ApplicationLink.details()
	if strings.TrimSpace(d.name) == "" {
		writeErrorList(ex, http.StatusBadRequest, []string{msgAppNameRequired}, []string{"application-name"})
		return
	}
	t, ok := linkTypeByID(req.ApplicationLink.TypeID)
	if !ok {
		writeErrorList(ex, http.StatusBadRequest, []string{msgAppTypeRequired}, []string{"application-types"})
		return
	}
	if req.ConfigFormValues == nil {
		panic(msgNullConfigFormValues)
	}
	if req.ConfigFormValues.ShareUserbase && !ex.user.isSysadmin() {
		writeErrorList(ex, http.StatusBadRequest, []string{msgOnlySysadmin}, []string{"same-userbase"})
		return
	}
	if slices.ContainsFunc(ex.inst.links(), func(l storedLink) bool { return l.RPCURL == d.rpcURL }) {
		writeErrorList(ex, http.StatusBadRequest, []string{msgRPCURLExists}, nil)
		return
	}
	if req.CreateTwoWayLink && !createReciprocalLink(ex, req) {
		return
	}
	id := ex.inst.peers.manifestFor(ex.r.Context(), d.rpcURL, t).ID
	var created storedLink
	if !updateState(ex, func(st *state) error {
		if err := addLinkOrFail(st, id, t, d); err != nil {
			return err
		}
		created = st.linkByID(id).clone()
		return nil
	}) {
		return
	}
	autoConfigured := true
	if req.CreateTwoWayLink {
		autoConfigured = autoConfigureOAuth(ex, created, autoConfigurationLevel(*req.ConfigFormValues), req.Username, req.Password)
	}
	writeEntity(ex, http.StatusOK, createdApplicationLinkEntity{
		ApplicationLink:             newApplicationLinkEntity(ex, created),
		AutoConfigurationSuccessful: autoConfigured,
	})
}

// createReciprocalLink is createReciprocalLink: the credentials must be an
// admin on the peer, which then gets a v1 PUT of a link back to this
// instance (at the custom rpcUrl if asked, else the base URL). It writes
// the refusal and reports false when the link could not be made.
func createReciprocalLink(ex *exchange, req createApplicationLinkRequest) bool {
	ctx := ex.r.Context()
	remote := req.ApplicationLink.details().rpcURL
	admin, err := ex.inst.peers.isAdminOnPeer(ctx, remote, req.Username, req.Password)
	switch {
	case err != nil:
		writeStatus(ex, newStatus(http.StatusInternalServerError, msgRemoteAuthResponse))
		return false
	case !admin:
		writeErrorList(ex, http.StatusBadRequest, []string{msgNotRemoteAdmin}, []string{"authorization"})
		return false
	}
	inst := ex.inst
	localRPCURL := inst.URL()
	if req.CustomRPCURL {
		localRPCURL = strings.TrimRight(req.RPCURL, "/")
	}
	self, _ := linkTypeByID(inst.product.typeID)
	iconURL, iconURI := typeIcons(inst, self)
	back, err := json.Marshal(applicationLinkEntity{
		Link:       []linkEntity{selfLink(ex, inst.serverID)},
		ID:         inst.serverID,
		TypeID:     inst.product.typeID,
		Name:       inst.product.name,
		DisplayURL: inst.URL(),
		IconURL:    iconURL,
		IconURI:    iconURI,
		RPCURL:     localRPCURL,
	})
	if err != nil {
		panic(err)
	}
	resp, err := callPeer(ctx, ex.inst.peers.direct, peerRequest{
		method:        http.MethodPut,
		url:           peerURL(remote, "/rest/applinks/1.0/applicationlink/"+inst.serverID),
		authorization: basicAuthorization(req.Username, req.Password),
		accept:        mediaTypeJSON,
		contentType:   mediaTypeJSON,
		body:          back,
		readTimeout:   reciprocalLinkTimeout,
	})
	if err != nil {
		writeStatus(ex, newStatus(http.StatusInternalServerError, msgRemoteResponse))
		return false
	}
	if resp.successful() {
		return true
	}
	// A refusal is read as the peer's ErrorListEntity; one that is not
	// makes the response unreadable.
	var remoteErrors errorListEntity
	if json.Unmarshal(resp.body, &remoteErrors) != nil {
		writeStatus(ex, newStatus(http.StatusInternalServerError, msgRemoteResponse))
		return false
	}
	writeErrorList(ex, http.StatusBadRequest, append([]string{msgRemoteGeneral}, remoteErrors.Messages...), nil)
	return false
}

// autoConfigurationLevel is the level the applicable provider module
// enables: impersonation when the peers trust each other and share their
// users. Inferred: OAuth (3LO+2LO) otherwise, as design/api.md states;
// the 9.1.4 OAuth module only applies when trustEachOther is set, so a
// real product may configure nothing for a request without it.
func autoConfigurationLevel(form configFormValues) oauthConfig {
	if form.TrustEachOther && form.ShareUserbase {
		return oauthLevel(true, true, true)
	}
	return oauthLevel(true, true, false)
}

// autoConfigureOAuth is DefaultOAuthAutoConfigurator.enable with the same
// level both ways: the peer first, through its status API with the wizard's
// credentials (Inferred: every emulated peer has STATUS_API), then this
// side.
func autoConfigureOAuth(ex *exchange, link storedLink, level oauthConfig, username, password string) bool {
	status := applinkOAuthStatus{Incoming: level, Outgoing: level}
	body, err := json.Marshal(status)
	if err != nil {
		panic(err)
	}
	resp, err := callPeer(ex.r.Context(), ex.inst.peers.direct, peerRequest{
		method:        http.MethodPut,
		url:           peerURL(link.RPCURL, "/rest/applinks/3.0/status/"+ex.inst.serverID+"/oauth"),
		authorization: basicAuthorization(username, password),
		accept:        mediaTypeJSON,
		contentType:   mediaTypeJSON,
		body:          body,
	})
	if err != nil || !resp.successful() {
		ex.inst.logf("auto-configuring OAuth on the peer of link %s failed: %v (status %d)", link.ID, err, resp.status)
		return false
	}
	return setLocalOAuthStatus(ex.r.Context(), ex.inst, link, status) == nil
}

// ---- authenticationinfo/id/{applinkId}/url/{url} ----

// checkRPCURLReachable is rpcUrlIsReachable: 200 when the manifest at the
// URL (the ?url= parameter wins over the path) carries the id, else a 404
// with an empty message.
func checkRPCURLReachable(ex *exchange) {
	target := ex.param("url")
	if query := ex.r.URL.Query(); query.Has("url") {
		target = query.Get("url")
	}
	if _, err := url.Parse(target); err != nil {
		writeParamConversionFailure(ex)
		return
	}
	manifest, err := ex.inst.peers.downloadManifest(ex.r.Context(), target)
	if err != nil {
		writeStatus(ex, newStatus(http.StatusNotFound, ""))
		return
	}
	requireApplicationID(ex.param("applinkId"))
	if manifest.ID != ex.param("applinkId") {
		writeStatus(ex, newStatus(http.StatusNotFound, ""))
		return
	}
	writeStatus(ex, statusEntity{StatusCode: http.StatusOK})
}

// ---- relocateApplicationlink ----

// relocateApplicationLink changes a link's URLs, never its id, in the
// product's order (design/api.md §3.7): sysadmin, id syntax, newUrl syntax, unknown id,
// online check (409 with no body unless nowarning=true, which sets both
// URLs to newUrl), then the manifest at newUrl: another type is a 400
// whose body is a bare string, a manifest supplies the display URL.
func relocateApplicationLink(ex *exchange) {
	if !ex.user.isSysadmin() {
		writeStatus(ex, newStatus(http.StatusForbidden, msgOnlySysadmin))
		return
	}
	id := ex.param("applinkId")
	requireApplicationID(id)
	query := ex.r.URL.Query()
	newURL := query.Get("newUrl")
	if !query.Has("newUrl") {
		// URI(null) is an NPE; its message is null.
		writeStatus(ex, statusEntity{StatusCode: http.StatusInternalServerError})
		return
	}
	if _, err := url.Parse(newURL); err != nil {
		writeStatus(ex, newStatus(http.StatusInternalServerError, err.Error()))
		return
	}
	link, ok := ex.inst.link(id)
	if !ok {
		writeStatus(ex, newStatus(http.StatusNotFound, fmt.Sprintf(msgLinkNotFound, id)))
		return
	}
	ctx := ex.r.Context()
	displayURL := newURL
	if !ex.inst.peers.peerAvailable(ctx, newURL) {
		if !strings.EqualFold(query.Get("nowarning"), "true") {
			ex.w.WriteHeader(http.StatusConflict)
			return
		}
	} else if manifest, err := ex.inst.peers.downloadManifest(ctx, newURL); err == nil {
		if manifest.TypeID != link.TypeID {
			writeRelocateTypeMismatch(ex, newURL, manifest.TypeID, link.TypeID)
			return
		}
		displayURL = manifest.URL
	}
	updateState(ex, func(st *state) error {
		if l := st.linkByID(id); l != nil {
			l.RPCURL, l.DisplayURL = newURL, displayURL
		}
		return nil
	})
	ex.w.WriteHeader(http.StatusNoContent)
}

// writeRelocateTypeMismatch answers with a String entity: the negotiated
// content type, but a bare text body. A type the instance does not know
// makes the product's type lookup an NPE.
func writeRelocateTypeMismatch(ex *exchange, newURL, remoteTypeID, linkTypeID string) {
	remote, ok := linkTypeByID(remoteTypeID)
	if !ok {
		panic(`Cannot invoke "com.atlassian.applinks.api.ApplicationType.equals(Object)" because the return value of "com.atlassian.applinks.core.InternalTypeAccessor.loadApplicationType(com.atlassian.applinks.spi.application.TypeId)" is null`)
	}
	local, _ := linkTypeByID(linkTypeID)
	contentType := contentTypeJSON
	if ex.representation == mediaTypeXML {
		contentType = contentTypeXML
	}
	ex.w.Header().Set("Content-Type", contentType)
	ex.w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(ex.w, msgRelocateType, newURL, remote.name, local.name)
}
