package emulator

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The applicationlink resource of applinks v1 (reference §3.2) and the v2
// resource that extends it (§4), plus what every way of creating, updating
// and deleting a link shares: the DefaultApplicationLinkService side
// effects (unique names, primary links, allowlist rules) and the
// ApplicationLinkEntity representation.

// Module versions of the applicationlink resource: v1's PUT {id} is
// replaced on 2.0 and later by v2's POST {id}, since a JAX-RS override
// takes the overriding method's annotations.
var (
	applinksV1   = restModule{name: "applinks", versions: []string{"1.0"}}
	applinksV2Up = restModule{name: "applinks", versions: []string{"2.0", "3.0", "latest"}}
)

// consumesXMLOrJSON is @Consumes({xml, json}) of the v1/v2 resources.
var consumesXMLOrJSON = []string{mediaTypeXML, mediaTypeJSON}

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
	msgEmptyEntity          = "No content to map to Object due to end of input"                                      // [SRC] Jackson 1.x
)

// ---- Application types ----

const genericTypeID = "generic"

// providerCors completes the provider classes of manifest.go (§2.3).
const providerCors = "com.atlassian.applinks.api.auth.types.CorsAuthenticationProvider"

// linkType is an ApplicationType the applinks plugin has installed: a
// product type, or the generic type of non-Atlassian applications.
type linkType struct {
	product
	// implClass is the type's ApplicationType class, which some messages
	// name.
	implClass string
	// entityTypes are the type's entity link types.
	entityTypes []string
}

// linkTypes are the installed types. Inferred: refapp (development only)
// and the legacy subversion type are not installed in the products.
var linkTypes = []linkType{
	{product: mustProduct("jira"), implClass: "com.atlassian.applinks.application.jira.JiraApplicationTypeImpl", entityTypes: []string{"jira.project"}},
	{product: mustProduct("confluence"), implClass: "com.atlassian.applinks.application.confluence.ConfluenceApplicationTypeImpl", entityTypes: []string{"confluence.space"}},
	// Inferred: with BITBUCKET_REBRAND on (see products) the project entity
	// type is bitbucket.project.
	{product: mustProduct("stash"), implClass: "com.atlassian.applinks.application.bitbucket.BitbucketApplicationTypeImpl", entityTypes: []string{"bitbucket.project"}},
	{product: mustProduct("bamboo"), implClass: "com.atlassian.applinks.application.bamboo.BambooApplicationTypeImpl", entityTypes: []string{"bamboo.project"}},
	{product: mustProduct("fecru"), implClass: "com.atlassian.applinks.application.fecru.FishEyeCrucibleApplicationTypeImpl", entityTypes: []string{"fecru.repository", "fecru.project"}},
	{product: mustProduct("crowd"), implClass: "com.atlassian.applinks.application.crowd.CrowdApplicationTypeImpl"},
	{
		product:     product{typeID: genericTypeID, name: "Generic Application", iconKey: "generic"},
		implClass:   "com.atlassian.applinks.application.generic.GenericApplicationTypeImpl",
		entityTypes: []string{"generic.entity"},
	},
}

func mustProduct(typeID string) product {
	p, ok := productByType(typeID)
	if !ok {
		panic("emulator: no product " + typeID)
	}
	return p
}

func linkTypeByID(typeID string) (linkType, bool) {
	for _, t := range linkTypes {
		if t.typeID == typeID {
			return t, true
		}
	}
	return linkType{}, false
}

// ---- Authentication provider modules ----

// authProviderModule is an AuthenticationProviderPluginModule.
type authProviderModule struct {
	provider string
	// module is the plugin module class the v2 provider resource names.
	module string
	// listsOutgoing is false for modules whose getAuthenticationProvider
	// always returns null (CORS): they never show as configured.
	listsOutgoing bool
	// incomingEnabled reports the module's incoming side for a link; nil
	// for modules without incoming trust.
	incomingEnabled func(storedLink) bool
}

// authProviderModules are the enabled modules, in the order the emulator
// lists them (Inferred: the products' plugin order is not documented).
// Inferred: the trusted-apps module class name.
var authProviderModules = []authProviderModule{
	{provider: providerBasic, module: "com.atlassian.applinks.basic.auth.BasicAuthenticationProviderPluginModule", listsOutgoing: true},
	{provider: providerTrustedApps, module: "com.atlassian.applinks.trusted.auth.TrustedAppsAuthenticationProviderPluginModule", listsOutgoing: true},
	{provider: providerOAuth, module: "com.atlassian.applinks.oauth.auth.OAuthAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).Enabled }},
	{provider: providerTwoLeggedOAuth, module: "com.atlassian.applinks.oauth.auth.twolo.TwoLeggedOAuthAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).TwoLoEnabled }},
	{provider: providerTwoLeggedImpersonation, module: "com.atlassian.applinks.oauth.auth.twolo.impersonation.TwoLeggedOAuthWithImpersonationAuthenticatorProviderPluginModule", listsOutgoing: true,
		incomingEnabled: func(l storedLink) bool { return incomingLevel(l).TwoLoImpersonationEnabled }},
	{provider: providerCors, module: "com.atlassian.applinks.cors.auth.CorsAuthenticationProviderPluginModule"},
}

func authProviderModuleFor(provider string) (authProviderModule, bool) {
	for _, m := range authProviderModules {
		if m.provider == provider {
			return m, true
		}
	}
	return authProviderModule{}, false
}

// outgoingProvider returns the link's registered provider of a class.
func (l storedLink) outgoingProvider(class string) (storedProvider, bool) {
	for _, p := range l.OutgoingProviders {
		if p.Class == class {
			return p, true
		}
	}
	return storedProvider{}, false
}

// configuredOutgoingModules are the modules that report an outgoing
// provider for the link.
func configuredOutgoingModules(l storedLink) []authProviderModule {
	var configured []authProviderModule
	for _, m := range authProviderModules {
		if _, ok := l.outgoingProvider(m.provider); ok && m.listsOutgoing {
			configured = append(configured, m)
		}
	}
	return configured
}

// registerProvider is AuthenticationConfigurationManager.registerProvider:
// a registered provider gets the new configuration.
func registerProvider(l *storedLink, class string, config map[string]string) {
	config = maps.Clone(config)
	for i := range l.OutgoingProviders {
		if l.OutgoingProviders[i].Class == class {
			l.OutgoingProviders[i].Config = config
			return
		}
	}
	l.OutgoingProviders = append(l.OutgoingProviders, storedProvider{Class: class, Config: config})
}

func unregisterProvider(l *storedLink, class string) {
	l.OutgoingProviders = slices.DeleteFunc(l.OutgoingProviders, func(p storedProvider) bool { return p.Class == class })
}

// ---- The link service (DefaultApplicationLinkService) ----

// linkDetails is ApplicationLinkDetails, what creates and updates set.
type linkDetails struct {
	name, displayURL, rpcURL string
	primary                  bool
}

// errLinkExists is addApplicationLink's "already configured" failure;
// each create path answers it its own way.
var errLinkExists = errors.New("application link already configured")

// addLink is addApplicationLink, shared by every create path: the name is
// made unique, the first link of a type (or one asking for it) becomes
// primary, and the allowlist gets the link's automatic rule.
func addLink(st *state, id string, t linkType, d linkDetails) error {
	if st.linkByID(id) != nil {
		return errLinkExists
	}
	onlyLinkOfItsType := !slices.ContainsFunc(st.Links, func(l storedLink) bool { return l.TypeID == t.typeID })
	st.Links = append(st.Links, storedLink{
		ID:         id,
		TypeID:     t.typeID,
		Name:       suitableName(st, d.name),
		RPCURL:     d.rpcURL,
		DisplayURL: d.displayURL,
	})
	if d.primary || onlyLinkOfItsType {
		makePrimary(st, id)
	}
	addApplicationLinkRule(st, id)
	return nil
}

// suitableName is findSuitableName: a name in use becomes "<name> - 2",
// "<name> - 3" and so on. The product strips an existing " - <n>" suffix
// with String.replace, which takes no regular expression, so nothing is
// stripped: a clash on "Jira - 2" yields "Jira - 2 - 2".
func suitableName(st *state, name string) string {
	if !nameInUse(st, name, "") {
		return name
	}
	for i := 2; ; i++ {
		if proposed := fmt.Sprintf("%s - %d", name, i); !nameInUse(st, proposed, "") {
			return proposed
		}
	}
}

// nameInUse reports whether a link other than exceptID has the name
// (case-sensitive, as String.equals).
func nameInUse(st *state, name, exceptID string) bool {
	return slices.ContainsFunc(st.Links, func(l storedLink) bool { return l.Name == name && l.ID != exceptID })
}

// makePrimary makes the link the primary one of its type; it reports
// false for an unknown id.
func makePrimary(st *state, id string) bool {
	link := st.linkByID(id)
	if link == nil {
		return false
	}
	typeID := link.TypeID
	for i := range st.Links {
		if st.Links[i].TypeID == typeID {
			st.Links[i].Primary = st.Links[i].ID == id
		}
	}
	return true
}

// deleteLink is deleteApplicationLink, shared by every delete path: a
// deleted primary hands the flag to the first remaining link of its type,
// and the automatic allowlist rule goes with the link.
func deleteLink(st *state, id string) {
	i := slices.IndexFunc(st.Links, func(l storedLink) bool { return l.ID == id })
	if i < 0 {
		return
	}
	removed := st.Links[i]
	st.Links = slices.Delete(st.Links, i, i+1)
	if removed.Primary {
		if next := slices.IndexFunc(st.Links, func(l storedLink) bool { return l.TypeID == removed.TypeID }); next >= 0 {
			makePrimary(st, st.Links[next].ID)
		}
	}
	removeApplicationLinkRule(st, id)
}

// updateLinkDetails is MutableApplicationLink.update: name and both URLs;
// the primary flag is not touched.
func updateLinkDetails(l *storedLink, d linkDetails) {
	l.Name, l.DisplayURL, l.RPCURL = d.name, d.displayURL, d.rpcURL
}

// ---- Reading state ----

// clone deep-copies a link out of the store.
func (l storedLink) clone() storedLink {
	c := l
	c.OutgoingProviders = slices.Clone(l.OutgoingProviders)
	for i := range c.OutgoingProviders {
		c.OutgoingProviders[i].Config = maps.Clone(c.OutgoingProviders[i].Config)
	}
	for _, consumer := range []**storedConsumer{&c.IncomingConsumer, &c.OutgoingConsumer} {
		if *consumer != nil {
			copied := **consumer
			*consumer = &copied
		}
	}
	return c
}

// link returns a copy of the stored link with the id.
func (i *Instance) link(id string) (storedLink, bool) {
	var link storedLink
	var found bool
	i.store.View(func(st *state) {
		if l := st.linkByID(id); l != nil {
			link, found = l.clone(), true
		}
	})
	return link, found
}

// links returns copies of all links in creation order.
func (i *Instance) links() []storedLink {
	var links []storedLink
	i.store.View(func(st *state) {
		for _, l := range st.Links {
			links = append(links, l.clone())
		}
	})
	return links
}

// ---- Shared request handling ----

// refusal is a response decided inside a store update; it is written once
// the update has been abandoned, so a refused request changes nothing.
type refusal struct{ write func(*exchange) }

func (r *refusal) Error() string { return "request refused" }

func refuse(write func(*exchange)) error { return &refusal{write: write} }

// updateState runs fn in a store update and reports whether it succeeded;
// a refusal is written, any other failure is the product's uncaught 500.
func updateState(ex *exchange, fn func(*state) error) bool {
	err := ex.inst.store.Update(fn)
	var r *refusal
	switch {
	case err == nil:
		return true
	case errors.As(err, &r):
		r.write(ex)
		return false
	default:
		panic(err)
	}
}

// readEntity decodes the request entity: XML when the request says so,
// JSON otherwise. Inferred: an entity the provider cannot read escapes the
// resource as an uncaught exception, a 500 (Swagger documents "Malformed
// json body" as 500 on the status resource).
func readEntity(ex *exchange, v any) {
	data, err := io.ReadAll(ex.r.Body)
	switch {
	case err != nil:
		panic(err.Error())
	case len(strings.TrimSpace(string(data))) == 0:
		panic(msgEmptyEntity)
	case bareMediaType(ex.r.Header.Get("Content-Type")) == mediaTypeXML:
		err = xml.Unmarshal(data, v)
	default:
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		panic("Malformed entity: " + err.Error())
	}
}

// isApplicationID reports whether Java's UUID.fromString accepts s, which
// is all ApplicationId checks: five dash-separated hexadecimal fields of
// at most 36 characters in all.
func isApplicationID(s string) bool {
	fields := strings.Split(s, "-")
	if len(s) > 36 || len(fields) != 5 {
		return false
	}
	for _, f := range fields {
		if f == "" || strings.Trim(f, "0123456789abcdefABCDEF") != "" {
			return false
		}
	}
	return true
}

// requireApplicationID is new ApplicationId(id) where the resource lets
// the IllegalArgumentException escape: a 500.
func requireApplicationID(id string) {
	if !isApplicationID(id) {
		panic(fmt.Sprintf(msgInvalidApplicationID, id))
	}
}

// thrown marks a response that stands for an exception leaving the
// resource: the interceptors that add headers never see it.
func thrown(ex *exchange) { clearInterceptorHeaders(ex) }

// writeTypeNotInstalled is the TypeNotInstalledExceptionMapper's 400.
func writeTypeNotInstalled(ex *exchange, typeID string) {
	thrown(ex)
	writeErrorList(ex, http.StatusBadRequest, []string{fmt.Sprintf(msgTypeNotInstalled, typeID)}, nil)
}

// ---- ApplicationLinkEntity ----

// applicationLinkEntity is ApplicationLinkEntity (§3.1). XMLName is set
// only on a root element; nested, the element takes the field's name.
type applicationLinkEntity struct {
	XMLName    xml.Name     `json:"-"`
	Link       []linkEntity `xml:"link" json:"link,omitzero"`
	ID         string       `xml:"id" json:"id"`
	TypeID     string       `xml:"typeId" json:"typeId"`
	Name       string       `xml:"name" json:"name"`
	DisplayURL string       `xml:"displayUrl" json:"displayUrl"`
	IconURL    string       `xml:"iconUrl,omitempty" json:"iconUrl,omitempty"`
	IconURI    string       `xml:"iconUri,omitempty" json:"iconUri,omitempty"`
	RPCURL     string       `xml:"rpcUrl,omitempty" json:"rpcUrl,omitempty"`
	IsPrimary  bool         `xml:"isPrimary" json:"isPrimary"`
	IsSystem   bool         `xml:"isSystem" json:"isSystem"`
}

// asRoot names the entity's element when it is the document itself.
func (e applicationLinkEntity) asRoot() applicationLinkEntity {
	e.XMLName = xml.Name{Local: "applicationLink"}
	return e
}

// details is getDetails(): URLs lose trailing slashes
// (RequiredBaseURIAdapter), and a body flagged isSystem has no rpcUrl.
func (e applicationLinkEntity) details() linkDetails {
	d := linkDetails{
		name:       e.Name,
		displayURL: strings.TrimRight(e.DisplayURL, "/"),
		rpcURL:     strings.TrimRight(e.RPCURL, "/"),
		primary:    e.IsPrimary,
	}
	if e.IsSystem {
		d.rpcURL = ""
	}
	return d
}

// readLinkEntity reads an ApplicationLinkEntity; its id goes through
// ApplicationIdAdapter, so a malformed one fails like a malformed body.
func readLinkEntity(ex *exchange) applicationLinkEntity {
	var e applicationLinkEntity
	readEntity(ex, &e)
	if e.ID != "" {
		requireApplicationID(e.ID)
	}
	return e
}

// typeIcons are the applinks plugin's 16 px icon (iconUrl) and 128 px logo
// (iconUri) of a type, served by this instance.
func typeIcons(inst *Instance, t linkType) (iconURL, iconURI string) {
	images := pluginImagesURL(inst.URL(), inst.product)
	return images + "/types/16" + t.iconKey + ".png", images + "/config/logos/128x128/128" + t.iconKey + ".png"
}

// selfLink is createSelfLinkFor: the link's URL under the REST base the
// request came through.
func selfLink(ex *exchange, id string) linkEntity {
	return linkEntity{Href: ex.restURL("/applicationlink/" + id), Rel: "self"}
}

// newApplicationLinkEntity renders a stored link; system links hide their
// rpcUrl.
func newApplicationLinkEntity(ex *exchange, l storedLink) applicationLinkEntity {
	e := applicationLinkEntity{
		Link:       []linkEntity{selfLink(ex, l.ID)},
		ID:         l.ID,
		TypeID:     l.TypeID,
		Name:       l.Name,
		DisplayURL: l.DisplayURL,
		IsPrimary:  l.Primary,
		IsSystem:   l.System,
	}
	if t, ok := linkTypeByID(l.TypeID); ok {
		e.IconURL, e.IconURI = typeIcons(ex.inst, t)
	}
	if !l.System {
		e.RPCURL = l.RPCURL
	}
	return e
}

// applicationLinkListEntity is ApplicationLinkListEntity.
type applicationLinkListEntity struct {
	XMLName          xml.Name                `xml:"applicationLinks" json:"-"`
	ApplicationLinks []applicationLinkEntity `xml:"applicationLinks" json:"applicationLinks"`
}

func writeLinkList(ex *exchange, links []storedLink) {
	list := applicationLinkListEntity{ApplicationLinks: []applicationLinkEntity{}}
	for _, l := range links {
		list.ApplicationLinks = append(list.ApplicationLinks, newApplicationLinkEntity(ex, l))
	}
	writeEntity(ex, http.StatusOK, list)
}

// ---- Routes ----

// adminResource declares a method of the v1/v2 and applinks-oauth admin
// resources: XML or JSON, the applinks admin interceptor, no caching.
func adminResource(handle func(*exchange)) endpoint {
	return endpoint{
		handle:   handle,
		access:   applinksAdminOnly,
		produces: producesXMLOrJSON,
		consumes: consumesXMLOrJSON,
		noCache:  true,
	}
}

func registerApplicationLinkRoutes(rt *router) {
	registerV1ApplicationLinkMethods(rt, applinksAllVersions, applinksV1)
	rt.rest(applinksV2Up, http.MethodPut, "/applicationlink", adminResource(createApplicationLinkV2))
	rt.rest(applinksV2Up, http.MethodPost, "/applicationlink/{id}", adminResource(updateApplicationLinkV2))
	rt.rest(applinksV2Up, http.MethodGet, "/applicationlink/{id}/authentication/provider", adminResource(listAuthenticationProviders))
	rt.rest(applinksV2Up, http.MethodGet, "/applicationlink/{id}/authentication/provider/{provider}", adminResource(listAuthenticationProviders))
	rt.rest(applinksV2Up, http.MethodPut, "/applicationlink/{id}/authentication/provider", adminResource(putAuthenticationProvider))
}

// registerV1ApplicationLinkMethods declares v1's applicationlink methods in
// module, with the create-or-update PUT only in putModule: v2 replaces it
// (a JAX-RS override drops the parent's annotations).
func registerV1ApplicationLinkMethods(rt *router, module, putModule restModule) {
	rt.rest(module, http.MethodGet, "/applicationlink", adminResource(listApplicationLinks))
	rt.rest(module, http.MethodGet, "/applicationlink/type/{typeId}", adminResource(listApplicationLinksOfType))
	// GET takes a type id and POST a link id; the templates share the
	// parameter name so that the router sees one resource path.
	rt.rest(module, http.MethodGet, "/applicationlink/primary/{id}", adminResource(getPrimaryApplicationLink))
	rt.rest(module, http.MethodPost, "/applicationlink/primary/{id}", adminResource(makeApplicationLinkPrimary))
	rt.rest(module, http.MethodGet, "/applicationlink/{id}", adminResource(getApplicationLink))
	rt.rest(module, http.MethodDelete, "/applicationlink/{id}", adminResource(deleteApplicationLink))
	rt.rest(putModule, http.MethodPut, "/applicationlink/{id}", adminResource(putApplicationLinkV1))
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
		return fmt.Errorf("Received %d - %s", resp.status, http.StatusText(resp.status))
	}
	return nil
}

// ---- v2 authentication providers ----

// authenticationProviderEntity is AuthenticationProviderEntity; its self
// link is relative, as the product builds it.
type authenticationProviderEntity struct {
	Link     []linkEntity `xml:"link" json:"link,omitzero"`
	Config   xmlStringMap `xml:"config" json:"config"`
	Module   string       `xml:"module,omitempty" json:"module,omitempty"`
	Provider string       `xml:"provider,omitempty" json:"provider,omitempty"`
}

// authenticationProviderListEntity is AuthenticationProviderEntityListEntity.
type authenticationProviderListEntity struct {
	XMLName                 xml.Name                       `xml:"authenticationProviders" json:"-"`
	AuthenticationProviders []authenticationProviderEntity `xml:"authenticationProviders" json:"authenticationProviders"`
}

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
// provider. Inferred: only the provider classes of §2.3 are "on the
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

// xmlStringMap is a Map<String,String> field: a JSON object, and in XML
// JAXB's <entry><key/><value/></entry> list (in key order, Inferred, as a
// HashMap has none).
type xmlStringMap map[string]string

func (m xmlStringMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type entry struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	}
	entries := struct {
		Entries []entry `xml:"entry"`
	}{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		entries.Entries = append(entries.Entries, entry{Key: key, Value: m[key]})
	}
	return e.EncodeElement(entries, start)
}

// UnmarshalXML reads the same entry list.
func (m *xmlStringMap) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var entries struct {
		Entries []struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		} `xml:"entry"`
	}
	if err := d.DecodeElement(&entries, &start); err != nil {
		return err
	}
	*m = xmlStringMap{}
	for _, e := range entries.Entries {
		(*m)[e.Key] = e.Value
	}
	return nil
}
