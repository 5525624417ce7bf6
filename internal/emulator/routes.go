package emulator

import "net/http"

// The route table: every method and path an instance answers and the
// handler that answers it, grouped by REST module as the products deploy
// them (newRouter), then the test-control API's (controlRoutes). Each block
// names the file that holds its handlers and the section of design/api.md
// it follows (every § below is one of that document's sections). Routes are matched as JAX-RS does (router.go): the most
// specific template wins wherever it stands in the table, and a path a
// route has but a method it lacks is a 405.
//
// To add an API family (OAuth 2.0 or entity links, say):
//
//  1. Write its handlers and entities in a file of its own, named after the
//     family (oauth2.go, entity_links.go). A handler takes the *exchange and
//     answers with writeEntity, writeStatus or an error family of
//     error_entities.go; what it stores goes in state (store.go) through
//     updateState.
//  2. If the family lives in a REST module of its own, declare the module
//     below with the versions it answers under (design/api.md §1.1).
//  3. Add one block to newRouter: a comment naming the family, its file and
//     its section of design/api.md, then one line per method and path with the
//     endpoint the product's resource amounts to, that is its access policy
//     (access.go), representations (negotiation.go), XSRF rule and
//     interceptor headers. Where a family's methods all declare the same
//     endpoint, a preset such as adminResource keeps the lines short; write
//     the endpoint out where a method differs.
//
// Nothing else needs to know about the new routes: authentication,
// negotiation, access checks, XSRF and the error bodies apply to them as
// they come, in the order pipeline.go describes.

// REST modules and the versions their resources answer under; every
// version routes to the same handler.
var (
	// applinksAllVersions serves the resources §1.1 says every applinks
	// version answers, e.g. the manifest.
	applinksAllVersions = restModule{name: "applinks", versions: []string{"1.0", "2.0", "3.0", "latest"}}
	// applinksV1 and applinksV2Up split the applicationlink resource: v1's
	// PUT {id} is replaced on 2.0 and later by v2's POST {id}, since a
	// JAX-RS override takes the overriding method's annotations.
	applinksV1   = restModule{name: "applinks", versions: []string{"1.0"}}
	applinksV2Up = restModule{name: "applinks", versions: []string{"2.0", "3.0", "latest"}}
	// applinksV3 serves the internal.rest resources. Inferred: they are not
	// reachable under 1.0/2.0, whose modules list other packages.
	applinksV3 = restModule{name: "applinks", versions: []string{"3.0", "latest"}}
	// applinksOAuth is the applinks-oauth module; its resources answer
	// under 1.0 and latest (design/api.md §1.1).
	applinksOAuth = restModule{name: "applinks-oauth", versions: []string{"1.0", "latest"}}
	// allowlistModule is the whitelist REST module. Inferred: version 1.0
	// (design/api.md has only seen "latest").
	allowlistModule = restModule{name: "whitelist", versions: []string{"1.0", "latest"}}
	// jiraAPIv2 is Jira's own REST API.
	jiraAPIv2 = restModule{name: "api", versions: []string{"2"}}
	// oauth2Provider and oauth2Client are the OAuth 2.0 plugins' modules
	// (design/api.md §10.2, §10.5); Inferred: the client's path.
	oauth2Provider = restModule{name: "oauth2", versions: []string{"latest"}}
	oauth2Client   = restModule{name: "oauth2-client", versions: []string{"latest"}}
	// The other products' own REST APIs for the entities entity links
	// join (local_entities.go, design/api.md §3.9.3). Confluence's has no
	// version segment.
	confluenceAPI = restModule{name: "api", versions: []string{""}}
	bitbucketAPI  = restModule{name: "api", versions: []string{"1.0", "latest"}}
	bambooAPI     = restModule{name: "api", versions: []string{"latest"}}
	fecruAdminAPI = restModule{root: "/rest-service-fecru/admin", versions: []string{""}}
)

// newRouter declares every route; extra lets tests add routes of their own.
func newRouter(extra func(*router)) *router {
	rt := &router{}

	// ---- /rest/applinks, every version ----

	// This instance as peers see it (manifest.go, §3.4, §3.6): the manifest
	// is anonymous and CORS-allowed; authenticationinfo answers whether the
	// caller is an admin here. Inferred: the ui resources are not limited
	// to 1.0 either (design/api.md §1.1 finds 3.0 answering v1/v2 resources).
	rt.rest(applinksAllVersions, http.MethodGet, "/manifest", endpoint{handle: serveManifest, access: anonymousAllowed, produces: producesXMLOrJSON, noCache: true, cors: true})
	rt.rest(applinksAllVersions, http.MethodGet, "/authenticationinfo", endpoint{handle: serveAuthenticationInfo, access: applinksAdminOnly, produces: producesXMLOrJSON, noCache: true})
	// The live manifest of a linked application (manifest.go, §3.4).
	// ManifestResource is not @AnonymousAllowed on this method: any
	// logged-in (licensed) user may read it.
	rt.rest(applinksAllVersions, http.MethodGet, "/manifest/{id}", endpoint{handle: getLinkedManifest, access: authenticatedOnly, produces: producesXMLOrJSON, consumes: consumesXMLOrJSON, noCache: true, cors: true})

	// The applicationlink resource of v1 (applinks_v1.go, §3.2) and of v2,
	// which extends it (design/api.md §4).
	applicationLinkV1Methods(rt, applinksAllVersions, applinksV1)
	rt.rest(applinksV2Up, http.MethodPut, "/applicationlink", adminResource(createApplicationLinkV2))
	rt.rest(applinksV2Up, http.MethodPost, "/applicationlink/{id}", adminResource(updateApplicationLinkV2))
	rt.rest(applinksV2Up, http.MethodGet, "/applicationlink/{id}/authentication/provider", adminResource(listAuthenticationProviders))
	rt.rest(applinksV2Up, http.MethodGet, "/applicationlink/{id}/authentication/provider/{provider}", adminResource(listAuthenticationProviders))
	rt.rest(applinksV2Up, http.MethodPut, "/applicationlink/{id}/authentication/provider", adminResource(putAuthenticationProvider))

	// The UI resources the admin pages and the create-link wizard call
	// (applinks_ui.go, §3.3, §3.5–§3.7).
	rt.rest(applinksAllVersions, http.MethodGet, "/listApplicationlinks", adminResource(listApplicationLinksUI))
	rt.rest(applinksAllVersions, http.MethodGet, "/listApplicationlinkstates/id/{id}", adminResource(getApplicationLinkState))
	rt.rest(applinksAllVersions, http.MethodGet, "/applicationlinkInfo/id/{id}", adminResource(getApplicationLinkInfo))
	manifestForm := adminResource(fetchManifestForm)
	manifestForm.xsrf = xsrfRequiredOnGet // @RequiresXsrfCheck
	rt.rest(applinksAllVersions, http.MethodGet, "/applicationlinkForm/manifest", manifestForm)
	rt.rest(applinksAllVersions, http.MethodPost, "/applicationlinkForm/createAppLink", adminResource(createAppLink))
	rt.rest(applinksAllVersions, http.MethodGet, "/authenticationinfo/id/{applinkId}/url/{url:.*}", adminResource(checkRPCURLReachable))
	rt.rest(applinksAllVersions, http.MethodPost, "/relocateApplicationlink/{applinkId}", adminResource(relocateApplicationLink))

	// ---- /rest/applinks/3.0 and latest ----

	// Capabilities (manifest.go, §5.4).
	rt.rest(applinksV3, http.MethodGet, "/capabilities", v3Anonymous(serveCapabilities))
	rt.rest(applinksV3, http.MethodGet, "/capabilities/{capability}", v3Anonymous(serveCapability))
	// The applinks resource (applinks_v3.go, §5.1): permissions are checked
	// inside, answered as RestErrors.
	rt.rest(applinksV3, http.MethodGet, "/applinks", v3Admin(listApplinksV3))
	rt.rest(applinksV3, http.MethodGet, "/applinks/{id}", v3Admin(getApplinkV3))
	rt.rest(applinksV3, http.MethodPut, "/applinks/{id}", v3Admin(updateApplinkV3))
	rt.rest(applinksV3, http.MethodDelete, "/applinks/{id}", v3Admin(deleteApplinkV3))
	// A link's health (status.go, §5.2). @AnonymousAllowed: the service
	// validates the admin itself, after the resource has parsed the id and
	// the callback.
	rt.rest(applinksV3, http.MethodGet, "/status/{id}", v3Anonymous(getApplinkStatus))
	// A link's OAuth levels (oauth_status.go, §5.3). @AnonymousAllowed: GET
	// has no permission check at all, and PUT checks inside, after finding
	// the link.
	rt.rest(applinksV3, http.MethodGet, "/status/{id}/oauth", v3Anonymous(getOAuthStatus))
	rt.rest(applinksV3, http.MethodPut, "/status/{id}/oauth", v3Anonymous(putOAuthStatus))

	// ---- /rest/applinks-oauth ----

	// The OAuth 1.0a consumers of a link (applinks_oauth.go, §6). Inferred
	// (design/api.md §6.1): OAuthApplicationLinkResource extends v1's
	// ApplicationLinkResource, so v1's applicationlink methods answer here
	// too, with the same handlers.
	applicationLinkV1Methods(rt, applinksOAuth, applinksOAuth)
	rt.rest(applinksOAuth, http.MethodGet, "/applicationlink/{id}/authentication", adminResource(getLinkAuthentication))
	rt.rest(applinksOAuth, http.MethodGet, "/applicationlink/{id}/authentication/consumer", adminResource(getLinkConsumers))
	rt.rest(applinksOAuth, http.MethodPut, "/applicationlink/{id}/authentication/consumer", adminResource(putLinkConsumer))
	// ConsumerTokenResource is JSON only.
	rt.rest(applinksOAuth, http.MethodDelete, "/consumer-token/{id}", endpoint{handle: deleteConsumerToken, access: applinksAdminOnly, produces: producesJSON, consumes: consumesJSON, noCache: true})

	// ---- /rest/whitelist ----

	// The URL allowlist (allowlist.go, §8). The resource class is
	// @Consumes/@Produces JSON; the methods are @WebSudoRequired (skipped
	// for Basic auth and tokens). Permission checks happen inside the
	// service, so handlers make them at the point the product does: after
	// body validation for create and update.
	rt.rest(allowlistModule, http.MethodGet, "", allowlistResource(listAllowlistRules, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "", allowlistResource(createAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPut, "/{id}", allowlistResource(updateAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodDelete, "/{id}", allowlistResource(deleteAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "/enable", allowlistResource(switchAllowlist(true), authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "/disable", allowlistResource(switchAllowlist(false), authenticatedOnly))
	// No permission check in the code for the settings [SRC].
	rt.rest(allowlistModule, http.MethodGet, "/settings", allowlistResource(getAllowlistSettings, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPut, "/settings", allowlistResource(putAllowlistSettings, authenticatedOnly))
	// What the rules allow (allowlist_check.go, §8.1); @CorsAllowed.
	check := allowlistResource(checkAllowlist, anonymousAllowed)
	check.cors = true
	rt.rest(allowlistModule, http.MethodGet, "/check", check)

	// ---- /rest/api/2, Jira's own (jira_api.go) ----

	// Inferred: served by every product type, so that tests can ask any
	// instance whom a request acts as (an OAuth consumer above all) and
	// move any instance to a new base URL.
	rt.rest(jiraAPIv2, http.MethodGet, "/myself", endpoint{handle: serveMyself, access: authenticatedOnly, produces: producesJSON})
	rt.rest(jiraAPIv2, http.MethodGet, "/user", endpoint{handle: getUser, access: authenticatedOnly, produces: producesJSON})
	rt.rest(jiraAPIv2, http.MethodPut, "/settings/baseUrl", endpoint{handle: putBaseURL, access: sysadminOnly, produces: producesJSON, consumes: consumesJSON})

	// ---- /rest/oauth2 and /rest/oauth2-client ----

	// Incoming clients (oauth2_clients.go, §10.2): SysadminOnlyResourceFilter.
	rt.rest(oauth2Provider, http.MethodGet, "/client", oauth2SysadminResource(listOAuth2Clients))
	rt.rest(oauth2Provider, http.MethodPost, "/client", oauth2SysadminResource(createOAuth2Client))
	rt.rest(oauth2Provider, http.MethodGet, "/client/{id}", oauth2SysadminResource(getOAuth2Client))
	rt.rest(oauth2Provider, http.MethodPut, "/client/{id}", oauth2SysadminResource(updateOAuth2Client))
	rt.rest(oauth2Provider, http.MethodPut, "/client/reset/{clientId}", oauth2SysadminResource(resetOAuth2ClientSecret))
	rt.rest(oauth2Provider, http.MethodDelete, "/client/{id}", oauth2SysadminResource(deleteOAuth2Client))
	// The authorisation server (oauth2_server.go, §10.4). Inferred: both
	// are anonymous at the REST layer and the token endpoint, which clients
	// POST forms to, is @XsrfProtectionExcluded.
	rt.rest(oauth2Provider, http.MethodGet, "/authorize", endpoint{handle: authorizeOAuth2, access: anonymousAllowed, produces: producesJSON, noCache: true})
	rt.rest(oauth2Provider, http.MethodPost, "/token", endpoint{handle: issueOAuth2Token, access: anonymousAllowed, produces: producesJSON,
		consumes: []string{"application/x-www-form-urlencoded"}, xsrf: xsrfExcluded, clientAuthentication: true})
	// Outgoing configurations and their flow (oauth2_client_config.go,
	// §10.5): admins, checked like the v3 service (Inferred).
	rt.rest(oauth2Client, http.MethodGet, "/config", v3Admin(listOAuth2ClientConfigs))
	rt.rest(oauth2Client, http.MethodPost, "/config", v3Admin(createOAuth2ClientConfig))
	rt.rest(oauth2Client, http.MethodGet, "/config/{id}", v3Admin(findOAuth2ClientConfig(false)))
	rt.rest(oauth2Client, http.MethodPut, "/config/{id}", v3Admin(updateOAuth2ClientConfig))
	rt.rest(oauth2Client, http.MethodDelete, "/config/{id}", v3Admin(deleteOAuth2ClientConfig))
	rt.rest(oauth2Client, http.MethodGet, "/config/name/{name}", v3Admin(findOAuth2ClientConfig(true)))
	rt.rest(oauth2Client, http.MethodGet, "/config/get-redirect-uri", v3Admin(getOAuth2RedirectURI))
	rt.rest(oauth2Client, http.MethodGet, "/config/is-name-unique", v3Admin(isOAuth2ConfigNameUnique))
	rt.rest(oauth2Client, http.MethodPost, "/config/flow", v3Admin(startOAuth2Flow))
	rt.rest(oauth2Client, http.MethodGet, "/config/flow/{flowRequestId}", v3Admin(getOAuth2Flow))
	rt.servlet(http.MethodGet, "/plugins/servlet/oauth2/client/callback/{suffix}", endpoint{handle: completeOAuth2Flow, access: anonymousAllowed})
	// ---- Entity links and the entities they join ----

	// Entity links (entity_links.go, §3.9, §3.9.1): permission per local
	// entity, checked inside. Inferred: like the ui resources, they answer
	// under every applinks version. Remote entities (§3.9.2): the local
	// list is @AnonymousSiteAccess, the remote one asks the peer.
	rt.rest(applinksAllVersions, http.MethodGet, "/entitylink/list/{type}/{key}", entityLinkResource(listEntityLinks))
	rt.rest(applinksAllVersions, http.MethodGet, "/entitylink/primary/{type}/{key}", entityLinkResource(getPrimaryEntityLink))
	rt.rest(applinksAllVersions, http.MethodPost, "/entitylink/primary/{type}/{key}", entityLinkResource(makeEntityLinkPrimaryHandler))
	rt.rest(applinksAllVersions, http.MethodPut, "/entitylink/{type}/{key}", entityLinkResource(putEntityLink))
	rt.rest(applinksAllVersions, http.MethodDelete, "/entitylink/{type}/{key}", entityLinkResource(deleteEntityLinkHandler))
	rt.rest(applinksAllVersions, http.MethodGet, "/entitylink/localEntitiesWithLinksTo/{applinkId}", entityLinkResource(localEntitiesWithLinksTo))
	rt.rest(applinksAllVersions, http.MethodGet, "/entities", endpoint{handle: listLocalEntities, access: anonymousAllowed, produces: producesXMLOrJSON, noCache: true})
	rt.rest(applinksAllVersions, http.MethodGet, "/entities/{applinkId}", entityLinkResource(listRemoteEntities))
	// Each product's own entities (local_entities.go, §3.9.3), answered by
	// that product type only.
	rt.rest(jiraAPIv2, http.MethodPost, "/project", productAPI("jira", createJiraProject, authenticatedOnly))
	rt.rest(jiraAPIv2, http.MethodGet, "/project", productAPI("jira", listJiraProjects, authenticatedOnly))
	rt.rest(jiraAPIv2, http.MethodGet, "/project/{key}", productAPI("jira", getJiraProject, authenticatedOnly))
	rt.rest(jiraAPIv2, http.MethodPost, "/project/{key}/role/{id}", productAPI("jira", addJiraProjectRoleActors, authenticatedOnly))
	rt.rest(confluenceAPI, http.MethodPost, "/space", productAPI("confluence", createConfluenceSpace, authenticatedOnly))
	rt.rest(confluenceAPI, http.MethodGet, "/space/{spaceKey}", productAPI("confluence", getConfluenceSpace, authenticatedOnly))
	rt.rest(bitbucketAPI, http.MethodPost, "/projects", productAPI("stash", createBitbucketProject, authenticatedOnly))
	rt.rest(bitbucketAPI, http.MethodGet, "/projects", productAPI("stash", listBitbucketProjects, authenticatedOnly))
	rt.rest(bitbucketAPI, http.MethodPost, "/projects/{projectKey}/repos", productAPI("stash", createBitbucketRepo, authenticatedOnly))
	rt.rest(bitbucketAPI, http.MethodGet, "/projects/{projectKey}/repos", productAPI("stash", listBitbucketRepos, authenticatedOnly))
	rt.rest(bitbucketAPI, http.MethodPut, "/projects/{projectKey}/permissions/users", productAPI("stash", grantBitbucketProjectPermission, authenticatedOnly))
	rt.rest(bambooAPI, http.MethodPost, "/project", productAPI("bamboo", createBambooEntity(kindBambooProject), authenticatedOnly))
	rt.rest(bambooAPI, http.MethodGet, "/project", productAPI("bamboo", listBambooProjects, authenticatedOnly))
	rt.rest(bambooAPI, http.MethodPost, "/project/{projectKey}/plan", productAPI("bamboo", createBambooEntity(kindBambooPlan), authenticatedOnly))
	rt.rest(fecruAdminAPI, http.MethodPost, "/repositories", productAPI("fecru", createFecruEntity(kindFecruRepository), authenticatedOnly))
	rt.rest(fecruAdminAPI, http.MethodPost, "/projects", productAPI("fecru", createFecruEntity(kindFecruProject), authenticatedOnly))

	// ---- Servlets, outside the REST modules ----

	// The base URL, which is what peers' online checks request (manifest.go).
	rt.servlet(http.MethodGet, "/", endpoint{handle: serveFrontPage, access: anonymousAllowed})
	// The OAuth consumer peers store for this instance (manifest.go, §6.3).
	rt.servlet(http.MethodGet, "/plugins/servlet/oauth/consumer-info", endpoint{handle: serveConsumerInfo, access: anonymousAllowed})
	// The allowlist admin page, the only place showing the switch
	// (allowlist.go, §8.3).
	rt.servlet(http.MethodGet, "/plugins/servlet/whitelist", endpoint{handle: serveAllowlistPage, access: anonymousAllowed})
	// The test-control paths without Options.Control: a 404 whose JSON
	// body names -control (control.go). With it, controlRoutes answer them
	// before any route here.
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		rt.servlet(method, controlPrefix+"{path:.*}", endpoint{handle: serveControlAPIOff, access: anonymousAllowed})
	}

	if extra != nil {
		extra(rt)
	}
	return rt
}

// controlRoutes are the test-control API's (control.go): served in front of
// the product under <context path>/_emulator/ when Options.Control is set,
// without authentication and outside every layer of the product.
func controlRoutes(c *controlState, base string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+base+"faults", c.addFault)
	mux.HandleFunc("DELETE "+base+"faults", c.clearFaults)
	mux.HandleFunc("GET "+base+"requests", c.listRequests)
	mux.HandleFunc("POST "+base+"reset", c.reset)
	mux.HandleFunc("PUT "+base+"links/{id}/legacy_authentication/{kind}", c.addLegacyAuthentication)
	mux.HandleFunc("DELETE "+base+"links/{id}/legacy_authentication/{kind}", c.removeLegacyAuthentication)
	return mux
}

// applicationLinkV1Methods declares v1's applicationlink methods in
// module, with the create-or-update PUT only in putModule: v2 replaces it
// (a JAX-RS override drops the parent's annotations).
func applicationLinkV1Methods(rt *router, module, putModule restModule) {
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

// ---- Presets of the families whose methods all declare the same ----

// adminResource is a method of the v1/v2 and applinks-oauth admin
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

// v3Admin is a method of the v3 applinks resource: JSON, @AnonymousAllowed
// but checking for an admin inside, no caching.
func v3Admin(handle func(*exchange)) endpoint {
	return endpoint{handle: handle, access: v3AdminOnly, produces: producesJSON, consumes: consumesJSON, noCache: true}
}

// v3Anonymous is an @AnonymousAllowed v3 resource method, JSON, no caching;
// any permission check is the handler's.
func v3Anonymous(handle func(*exchange)) endpoint {
	return endpoint{handle: handle, access: anonymousAllowed, produces: producesJSON, consumes: consumesJSON, noCache: true}
}

// allowlistResource is a method of the JSON-only whitelist resource.
func allowlistResource(handle func(*exchange), access accessPolicy) endpoint {
	return endpoint{handle: handle, access: access, produces: producesJSON, consumes: consumesJSON}
}

// oauth2SysadminResource is a method of the oauth2-provider plugin's
// ClientResource: JSON, system administrators only.
func oauth2SysadminResource(handle func(*exchange)) endpoint {
	return endpoint{handle: handle, access: sysadminOnly, produces: producesJSON, consumes: consumesJSON, noCache: true}
}
