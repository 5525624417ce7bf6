package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the one layer every emulated endpoint goes through: routing,
// authentication, the products' authorisation layers, XSRF, content
// negotiation and the error body families. Endpoint files only declare
// routes (path, versions, policy, representations) and write entities.
//
// A request passes the layers in the order the products apply them:
//
//  1. context path (outside it: the servlet container's HTML 404);
//  2. trailing slashes, then the extension suffix (REST paths only);
//  3. credentials (Seraph): bad ones are rejected before anything else;
//  4. Jersey resource matching: 404, 405, 406 and 415;
//  5. REST module resource filters (login required, sysadmin only);
//  6. XSRF;
//  7. applinks interceptors and in-resource permission checks;
//  8. the handler, whose panics become the uncaught-exception 500.
//
// Inferred: the reference does not fix the relative order of the REST
// module's resource filters and its XSRF filter; filters that need a login
// run first, so an anonymous POST sees 401 rather than an XSRF failure.
//
// WebSudo is never required: the emulator has no cookie sessions, and the
// products skip WebSudo for requests authenticated by Basic auth or a
// personal access token, which are the only credentials it accepts.

// Media types the products negotiate between.
const (
	mediaTypeXML  = "application/xml"
	mediaTypeJSON = "application/json"
	mediaTypeText = "text/plain"
)

// Inferred: the products' servlet filters add the UTF-8 charset to REST
// responses, so clients must accept parameters on these types.
const (
	contentTypeXML  = "application/xml;charset=UTF-8"
	contentTypeJSON = "application/json;charset=UTF-8"
	contentTypeHTML = "text/html;charset=utf-8"
)

// Representations a route can produce: the v1/v2 applinks resources are
// @Produces({xml, json}) in that order, so XML wins when the client states
// no preference; v3, whitelist and consumer-token resources are JSON only.
var (
	producesXMLOrJSON = []string{mediaTypeXML, mediaTypeJSON}
	producesJSON      = []string{mediaTypeJSON}
	consumesJSON      = []string{mediaTypeJSON}
)

// restModule is a REST module path and the versions a resource answers
// under; every version routes to the same handler.
type restModule struct {
	name     string
	versions []string
}

var (
	// applinksAllVersions serves the resources §1.1 says every applinks
	// version answers, e.g. the manifest.
	applinksAllVersions = restModule{name: "applinks", versions: []string{"1.0", "2.0", "3.0", "latest"}}
	// applinksV3 serves the internal.rest resources. Inferred: they are not
	// reachable under 1.0/2.0, whose modules list other packages.
	applinksV3 = restModule{name: "applinks", versions: []string{"3.0", "latest"}}
	// jiraAPIv2 is Jira's own REST API.
	jiraAPIv2 = restModule{name: "api", versions: []string{"2"}}
)

// xsrfRule is how a route relates to the REST module's XSRF filter.
type xsrfRule int

const (
	// xsrfDefault checks every method except GET (and HEAD/OPTIONS).
	xsrfDefault xsrfRule = iota
	// xsrfRequiredOnGet is @RequiresXsrfCheck: GET is checked too.
	xsrfRequiredOnGet
	// xsrfExcluded is @XsrfProtectionExcluded.
	xsrfExcluded
)

// endpoint is what a route declares besides its method and path.
type endpoint struct {
	handle func(*exchange)
	access accessPolicy
	xsrf   xsrfRule
	// produces lists the representations the handler can write, in
	// @Produces order; servlets leave it empty and set their own type.
	produces []string
	// consumes restricts the request Content-Type (when one is sent).
	consumes []string
	// noCache adds "Cache-Control: no-cache" to the handler's responses
	// (applinks NoCacheHeaderInterceptor).
	noCache bool
	// cors adds the applinks CorsInterceptor headers to the handler's
	// responses.
	cors bool
}

type route struct {
	method   string
	pattern  string
	segments []string // "{name}" segments are parameters
	// restBase is e.g. "/rest/applinks/3.0": resources build self links
	// under the base the request came through. Empty for servlets.
	restBase string
	endpoint
}

func (rt *route) isREST() bool { return rt.restBase != "" }

// literalLength ranks overlapping templates the way JAX-RS does: more
// literal characters win over parameters.
func (rt *route) literalLength() int {
	n := 0
	for _, s := range rt.segments {
		if !isParamSegment(s) {
			n += len(s) + 1
		}
	}
	return n
}

func isParamSegment(s string) bool {
	return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}")
}

// router holds one instance's routes.
type router struct {
	routes    []*route
	restBases []string
}

// rest declares a REST resource method under every version of module.
func (rt *router) rest(module restModule, method, path string, ep endpoint) {
	for _, version := range module.versions {
		base := "/rest/" + module.name + "/" + version
		rt.add(method, base+path, base, ep)
		if !slices.Contains(rt.restBases, base) {
			rt.restBases = append(rt.restBases, base)
		}
	}
}

// servlet declares a plain servlet path outside the REST framework.
func (rt *router) servlet(method, path string, ep endpoint) {
	rt.add(method, path, "", ep)
}

func (rt *router) add(method, pattern, restBase string, ep endpoint) {
	if ep.handle == nil {
		panic("emulator: route " + method + " " + pattern + " has no handler")
	}
	if restBase != "" && len(ep.produces) == 0 {
		panic("emulator: REST route " + method + " " + pattern + " declares no representation")
	}
	rt.routes = append(rt.routes, &route{
		method:   method,
		pattern:  pattern,
		segments: splitPath(pattern),
		restBase: restBase,
		endpoint: ep,
	})
}

// isInsideRESTModule reports whether path lies under a registered REST
// module version, where Jersey (not the container) answers unknown paths.
func (rt *router) isInsideRESTModule(path string) bool {
	for _, base := range rt.restBases {
		if path == base || strings.HasPrefix(path, base+"/") {
			return true
		}
	}
	return false
}

// routeMatch is the outcome of resource matching.
type routeMatch struct {
	route  *route
	params map[string]string
	// pathFound is true when some route has the path, even if no route has
	// the method; allowed then lists the methods it has.
	pathFound bool
	allowed   []string
	// rest tells whether the path belongs to a REST resource (Jersey
	// answers) or a servlet (the container answers).
	rest bool
}

// match finds the route for method and an escaped, normalised path. As in
// JAX-RS the most specific path template is chosen first and only then the
// method, so a missing method on it is a 405 even if a vaguer template has
// that method.
func (rt *router) match(method, path string) routeMatch {
	segments := splitPath(path)
	var best []*route
	var bestParams map[string]string
	bestLength := -1
	for _, r := range rt.routes {
		params, ok := matchSegments(r.segments, segments)
		if !ok {
			continue
		}
		switch length := r.literalLength(); {
		case length > bestLength:
			best, bestParams, bestLength = []*route{r}, params, length
		case length == bestLength && r.pattern == best[0].pattern:
			best = append(best, r)
		}
	}
	if best == nil {
		return routeMatch{}
	}
	result := routeMatch{params: bestParams, pathFound: true, rest: best[0].isREST()}
	for _, r := range best {
		if r.method == method {
			result.route = r
			return result
		}
	}
	if method == http.MethodHead { // JAX-RS answers HEAD with the GET method
		for _, r := range best {
			if r.method == http.MethodGet {
				result.route = r
				return result
			}
		}
	}
	for _, r := range best {
		result.allowed = append(result.allowed, r.method)
		if r.method == http.MethodGet {
			result.allowed = append(result.allowed, http.MethodHead)
		}
	}
	result.allowed = append(result.allowed, http.MethodOptions)
	slices.Sort(result.allowed)
	return result
}

func splitPath(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// catchAllSuffix ends a final template parameter that, like JAX-RS's
// {name:.*}, takes the rest of the path, slashes included.
const catchAllSuffix = ":.*}"

func matchSegments(pattern, segments []string) (map[string]string, bool) {
	if n := len(pattern); n > 0 && strings.HasSuffix(pattern[n-1], catchAllSuffix) && len(segments) >= n-1 {
		params, ok := matchSegments(pattern[:n-1], segments[:n-1])
		if !ok {
			return nil, false
		}
		rest, err := url.PathUnescape(strings.Join(segments[n-1:], "/"))
		if err != nil {
			return nil, false
		}
		if params == nil {
			params = make(map[string]string)
		}
		params[strings.TrimSuffix(pattern[n-1][1:], catchAllSuffix)] = rest
		return params, true
	}
	if len(pattern) != len(segments) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if isParamSegment(p) {
			value, err := url.PathUnescape(segments[i])
			if err != nil {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string)
			}
			params[p[1:len(p)-1]] = value
			continue
		}
		if p != segments[i] {
			return nil, false
		}
	}
	return params, true
}

// stripContextPath returns the part of an escaped path below the context
// path, or false when the path lies outside it.
func stripContextPath(path, contextPath string) (string, bool) {
	if contextPath == "" {
		return path, true
	}
	if path == contextPath {
		return "/", true
	}
	if rest, ok := strings.CutPrefix(path, contextPath); ok && strings.HasPrefix(rest, "/") {
		return rest, true
	}
	return "", false
}

// extensionMediaTypes is the REST module's ExtensionJerseyFilter table.
var extensionMediaTypes = map[string]string{
	"txt":  "text/plain",
	"htm":  "text/html",
	"html": "text/html",
	"json": mediaTypeJSON,
	"xml":  mediaTypeXML,
	"atom": "application/atom+xml",
}

// applyExtensionSuffix strips a known extension from a REST path and
// returns the Accept header it stands for.
func applyExtensionSuffix(path, accept string) (string, string) {
	i := strings.LastIndex(path, ".")
	if i < 0 {
		return path, accept
	}
	if mediaType, ok := extensionMediaTypes[path[i+1:]]; ok {
		return path[:i], mediaType
	}
	return path, accept
}

// exchange carries one request through the layer to its handler.
type exchange struct {
	w      http.ResponseWriter
	r      *http.Request
	inst   *Instance
	route  *route
	params map[string]string
	// accept is the effective Accept header (an extension suffix replaces
	// the client's).
	accept string
	user   *user
	// representation is the media type negotiated from the route's
	// produces list; entities written by handlers use it.
	representation string
}

// param returns a decoded path parameter.
func (ex *exchange) param(name string) string { return ex.params[name] }

// requestBaseURL is the base URL as the request addressed it. Resources
// build links from Jersey's UriInfo, which reflects the request rather than
// the configured base URL.
func (ex *exchange) requestBaseURL() string {
	return "http://" + ex.r.Host + ex.inst.config.ContextPath
}

// restURL returns an absolute URL under the REST base the request came
// through, e.g. a self link: a link created through 3.0 points at 3.0.
func (ex *exchange) restURL(path string) string {
	return ex.requestBaseURL() + ex.route.restBase + path
}

func (ex *exchange) userName() string {
	if ex.user == nil {
		return "anonymous"
	}
	return ex.user.name
}

// productHandler serves one instance's emulated product.
type productHandler struct {
	inst   *Instance
	router *router
}

// newRouter declares every endpoint family's routes; extra lets tests add
// routes of their own.
func newRouter(extra func(*router)) *router {
	rt := &router{}
	registerManifestRoutes(rt)
	registerSettingsRoutes(rt)
	registerFrontPageRoutes(rt)
	registerApplicationLinkRoutes(rt)
	registerApplinksUIRoutes(rt)
	registerApplinksV3Routes(rt)
	registerOAuthStatusRoutes(rt)
	registerApplinksOAuthRoutes(rt)
	registerStatusRoutes(rt)
	registerWhitelistRoutes(rt)
	if extra != nil {
		extra(rt)
	}
	return rt
}

// newHandler assembles the instance's handler: the product behind the
// optional control API and request log.
func (i *Instance) newHandler(extraRoutes func(*router)) http.Handler {
	var h http.Handler = &productHandler{inst: i, router: newRouter(extraRoutes)}
	if i.control != nil {
		h = i.control.wrap(i, h)
	}
	if i.opts.Logger != nil {
		h = logRequests(i, h)
	}
	return h
}

func (h *productHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readRequestBody(w, r) {
		return
	}
	path, ok := stripContextPath(r.URL.EscapedPath(), h.inst.config.ContextPath)
	if !ok {
		writeContainerError(w, http.StatusNotFound)
		return
	}
	// A trailing slash never changes what a path means.
	if trimmed := strings.TrimRight(path, "/"); trimmed != "" {
		path = trimmed
	}
	accept := r.Header.Get("Accept")
	if strings.HasPrefix(path, "/rest/") {
		path, accept = applyExtensionSuffix(path, accept)
	}
	m := h.router.match(r.Method, path)
	ex := &exchange{w: w, r: r, inst: h.inst, route: m.route, params: m.params, accept: accept}

	u, err := h.inst.authenticate(r) // OAuth-signed requests are verified in oauth1.go
	if err != nil {
		rejectAuthentication(ex, err)
		return
	}
	ex.user = u
	w.Header().Set("X-AUSERNAME", ex.userName())

	if m.route == nil {
		h.writeUnmatched(ex, path, m)
		return
	}
	if m.route.isREST() && !h.negotiate(ex) {
		return
	}
	for _, check := range m.route.access.filters {
		if !check.permits(ex) {
			check.refuse(ex)
			return
		}
	}
	if m.route.isREST() && !passesXSRFCheck(ex) {
		writeXSRFFailure(ex)
		return
	}
	for _, check := range m.route.access.interceptors {
		if !check.permits(ex) {
			check.refuse(ex)
			return
		}
	}
	invokeHandler(ex)
}

// maxRequestBody is the largest request body an instance accepts.
//
// Inferred: the reference gives no limit. The products run on Tomcat, whose
// connector refuses POST bodies over maxPostSize, 2 MiB by default, and
// whose maxSwallowSize (also 2 MiB) bounds what it reads of a refused body;
// no entity these APIs take comes near it.
const maxRequestBody = 2 << 20

// readRequestBody reads the whole request body before any other layer, so
// that an oversized one is refused as a whole, with the container's 413
// page, and no handler ever sees a silently truncated entity. A body sent
// without Content-Length (chunked) is refused as soon as it passes the
// limit. It reports false when it has answered the request.
func readRequestBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	if r.ContentLength > maxRequestBody {
		// Refused from the header alone; the server closes the connection
		// rather than reading the rest.
		w.Header().Set("Connection", "close")
		writeContainerError(w, http.StatusRequestEntityTooLarge)
		return false
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeContainerError(w, http.StatusRequestEntityTooLarge)
		return false
	case err != nil:
		// The client went away or sent a broken chunked body: there is no
		// one left to answer, as with Tomcat.
		panic(http.ErrAbortHandler)
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return true
}

// writeUnmatched answers a request no route accepts: the container's 404
// page outside REST modules, Jersey's answers inside them.
func (h *productHandler) writeUnmatched(ex *exchange, path string, m routeMatch) {
	switch {
	case !m.pathFound && h.router.isInsideRESTModule(path):
		// Inferred: Jersey's NotFoundException message is "null for uri:
		// <request URI>", which the REST module maps to a Status.
		writeMappedStatus(ex, newStatus(http.StatusNotFound, "null for uri: http://"+ex.r.Host+ex.r.URL.RequestURI()))
	case !m.pathFound:
		writeContainerError(ex.w, http.StatusNotFound)
	case ex.r.Method == http.MethodOptions:
		// Inferred: Jersey and HttpServlet answer OPTIONS themselves (Jersey
		// adds a WADL body the emulator leaves out).
		ex.w.Header().Set("Allow", strings.Join(m.allowed, ","))
		ex.w.WriteHeader(http.StatusOK)
	case m.rest:
		// Inferred: Jersey's 405 carries no entity.
		ex.w.Header().Set("Allow", strings.Join(m.allowed, ","))
		ex.w.WriteHeader(http.StatusMethodNotAllowed)
	default:
		ex.w.Header().Set("Allow", strings.Join(m.allowed, ","))
		writeContainerError(ex.w, http.StatusMethodNotAllowed)
	}
}

// negotiate applies Jersey's @Produces/@Consumes matching; it writes the
// 406 or 415 (Inferred: with empty bodies, as Jersey's own exceptions carry
// none) and reports false when the request cannot be served.
func (h *productHandler) negotiate(ex *exchange) bool {
	representation, ok := negotiateMediaType(ex.accept, ex.route.produces)
	if !ok {
		ex.w.WriteHeader(http.StatusNotAcceptable)
		return false
	}
	ex.representation = representation
	if contentType := ex.r.Header.Get("Content-Type"); contentType != "" && len(ex.route.consumes) > 0 {
		if !slices.Contains(ex.route.consumes, bareMediaType(contentType)) {
			ex.w.WriteHeader(http.StatusUnsupportedMediaType)
			return false
		}
	}
	return true
}

// invokeHandler runs the handler with its interceptor headers. A panic
// becomes the REST module's uncaught-exception response, as a Java
// exception escaping a resource does.
func invokeHandler(ex *exchange) {
	if ex.route.noCache {
		ex.w.Header().Set("Cache-Control", "no-cache")
	}
	if ex.route.cors {
		setCORSHeaders(ex)
	}
	defer func() {
		recovered := recover()
		if recovered == nil {
			return
		}
		if recovered == http.ErrAbortHandler {
			panic(recovered)
		}
		clearInterceptorHeaders(ex)
		ex.inst.logf("uncaught panic in %s %s: %v", ex.r.Method, ex.r.URL.Path, recovered)
		writeUncaughtException(ex, fmt.Sprint(recovered))
	}()
	ex.route.handle(ex)
}

// clearInterceptorHeaders undoes the headers invokeHandler added, for
// responses that stand for an exception thrown by the resource: the
// interceptors that add them only touch responses returned normally.
func clearInterceptorHeaders(ex *exchange) {
	ex.w.Header().Del("Cache-Control")
	ex.w.Header().Del("Access-Control-Allow-Origin")
	ex.w.Header().Del("Access-Control-Allow-Credentials")
}

// setCORSHeaders mirrors applinks' CorsInterceptor: it echoes the request's
// Origin (a missing Origin adds no Allow-Origin header) and always allows
// credentials. It does not send "*", which browsers reject together with
// Allow-Credentials.
func setCORSHeaders(ex *exchange) {
	if origin := ex.r.Header.Get("Origin"); origin != "" {
		ex.w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	ex.w.Header().Set("Access-Control-Allow-Credentials", "true")
}

// ---- Authorisation policies ----

// accessCheck is one authorisation rule and the refusal the product sends
// when the rule fails.
type accessCheck struct {
	permits func(*exchange) bool
	refuse  func(*exchange)
}

// accessPolicy is the authorisation a route declares. filters run where the
// REST module's resource filters run (before XSRF); interceptors run where
// applinks interceptors and in-resource checks run (after XSRF).
type accessPolicy struct {
	filters      []accessCheck
	interceptors []accessCheck
}

// Messages of the REST module and plugins. [SRC] unless marked.
const (
	msgAuthenticationRequired = "Client must be authenticated to access this resource."
	msgSysadminRequired       = "Client must be authenticated as a system administrator to access this resource."
	msgWhitelistNotAllowed    = "The current user is not allowed to change the whitelist."
	// Inferred English for i18n applinks.error.only.admin.
	msgApplinksOnlyAdmin = "You must be an administrator to access this resource"
	// Inferred English for the v3 permission service's i18n texts.
	msgV3NotAuthenticated = "You must be logged in to perform this operation."
	msgV3AdminRequired    = "You must be an administrator to perform this operation."
	msgV3SysadminRequired = "You must be a system administrator to perform this operation."
)

// The individual checks policies are built from.
var (
	// loginRequired is the REST module's AuthenticatedResourceFilter for
	// resources without @AnonymousAllowed.
	loginRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user != nil },
		refuse: func(ex *exchange) {
			writeMappedStatus(ex, newStatus(http.StatusUnauthorized, msgAuthenticationRequired))
		},
	}
	// sysadminFilter is the REST module's SysadminOnlyResourceFilter.
	sysadminFilter = accessCheck{
		permits: func(ex *exchange) bool { return ex.user.isSysadmin() },
		refuse: func(ex *exchange) {
			writeMappedStatus(ex, newStatus(http.StatusForbidden, msgSysadminRequired))
		},
	}
	// applinksAdminInterceptor is AdminApplicationLinksInterceptor: the
	// caller must be admin or sysadmin, unless al_username/al_password are
	// both given, in which case only they count. It answers 401, not 403.
	applinksAdminInterceptor = accessCheck{
		permits: func(ex *exchange) bool {
			query := ex.r.URL.Query()
			if query.Has("al_username") && query.Has("al_password") {
				return ex.inst.users.byPassword(query.Get("al_username"), query.Get("al_password")).isAdmin()
			}
			return ex.user.isAdmin()
		},
		refuse: func(ex *exchange) {
			writeStatus(ex, newStatus(http.StatusUnauthorized, msgApplinksOnlyAdmin))
		},
	}
	// The v3 permission service (SalPermissionValidationService) throws
	// service exceptions that become RestErrors.
	v3LoginRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user != nil },
		refuse: func(ex *exchange) {
			writeRestErrors(ex, http.StatusUnauthorized, serviceExceptionError("NotAuthenticatedException", msgV3NotAuthenticated))
		},
	}
	v3AdminRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user.isAdmin() },
		refuse: func(ex *exchange) {
			writeRestErrors(ex, http.StatusForbidden, serviceExceptionError("PermissionException", msgV3AdminRequired))
		},
	}
	v3SysadminRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user.isSysadmin() },
		refuse: func(ex *exchange) {
			writeRestErrors(ex, http.StatusForbidden, serviceExceptionError("PermissionException", msgV3SysadminRequired))
		},
	}
	// whitelistManagerRequired is the whitelist plugin's PermissionChecker:
	// its NotAuthorizedException is a SecurityException, hence 401.
	whitelistManagerRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user.isSysadmin() },
		refuse: func(ex *exchange) {
			writeMappedStatus(ex, newStatus(http.StatusUnauthorized, msgWhitelistNotAllowed))
		},
	}
)

// The policies routes declare.
var (
	// anonymousAllowed is @AnonymousAllowed with no further check.
	anonymousAllowed = accessPolicy{}
	// authenticatedOnly is a REST resource without @AnonymousAllowed.
	authenticatedOnly = accessPolicy{filters: []accessCheck{loginRequired}}
	// sysadminOnly is @SystemAdminOnly.
	sysadminOnly = accessPolicy{filters: []accessCheck{loginRequired, sysadminFilter}}
	// applinksAdminOnly is a v1/v2/applinks-oauth admin resource: not
	// anonymous, behind AdminApplicationLinksInterceptor.
	applinksAdminOnly = accessPolicy{
		filters:      []accessCheck{loginRequired},
		interceptors: []accessCheck{applinksAdminInterceptor},
	}
	// v3AdminOnly and v3SysadminOnly are @AnonymousAllowed v3 resources
	// that validate permissions inside.
	v3AdminOnly    = accessPolicy{interceptors: []accessCheck{v3LoginRequired, v3AdminRequired}}
	v3SysadminOnly = accessPolicy{interceptors: []accessCheck{v3LoginRequired, v3SysadminRequired}}
	// whitelistManagerOnly is a whitelist mutation.
	whitelistManagerOnly = accessPolicy{
		filters:      []accessCheck{loginRequired},
		interceptors: []accessCheck{whitelistManagerRequired},
	}
)

// rejectCredentials answers credentials that match no user. Inferred: the
// body is the REST module's authentication Status, with Seraph's header.
func rejectCredentials(ex *exchange) {
	ex.w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
	ex.w.Header().Set("X-AUSERNAME", "anonymous")
	writeMappedStatus(ex, newStatus(http.StatusUnauthorized, msgAuthenticationRequired))
}

// ---- XSRF ----

// xsrfableContentTypes are the types a browser form can send cross-site.
var xsrfableContentTypes = []string{"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}

// passesXSRFCheck applies the REST module's XsrfResourceFilter. The
// browser-only Origin/Referer checks are not modelled (clients without a
// browser User-Agent skip them), and form tokens (atl_token) never validate
// because the emulator has no sessions.
func passesXSRFCheck(ex *exchange) bool {
	method := ex.r.Method
	switch {
	case ex.route.xsrf == xsrfExcluded:
		return true
	case method == http.MethodGet:
		if ex.route.xsrf == xsrfDefault {
			return true
		}
	case isMutativeMethod(method):
		contentType := ex.r.Header.Get("Content-Type")
		if contentType != "" && !slices.Contains(xsrfableContentTypes, bareMediaType(contentType)) {
			return true
		}
	default:
		return true
	}
	if hasXSRFBypassHeader(ex.r) {
		return true
	}
	if method != http.MethodGet && method != http.MethodPost {
		// PUT, DELETE and the rest are only logged, never refused.
		ex.inst.logf("XSRF failure not being enforced for %s %s", method, ex.r.URL.Path)
		return true
	}
	return false
}

// hasXSRFBypassHeader accepts "no-check" and the deprecated "nocheck", both
// case-insensitively.
func hasXSRFBypassHeader(r *http.Request) bool {
	token := strings.ToLower(r.Header.Get("X-Atlassian-Token"))
	return token == "no-check" || token == "nocheck"
}

func isMutativeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// ---- Content negotiation ----

// negotiateMediaType picks the offer the Accept header rates highest: each
// offer takes the quality of the most specific range matching it, ties go
// to the more specific range and then to the earlier offer. No Accept
// header takes the first offer.
func negotiateMediaType(accept string, offers []string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return offers[0], true
	}
	ranges := parseAccept(accept)
	best, bestQuality, bestSpecificity := "", 0.0, -1
	for _, offer := range offers {
		quality, specificity := rateOffer(ranges, offer)
		if quality > bestQuality || quality == bestQuality && quality > 0 && specificity > bestSpecificity {
			best, bestQuality, bestSpecificity = offer, quality, specificity
		}
	}
	return best, best != ""
}

type mediaRange struct {
	mainType, subType string
	quality           float64
}

func parseAccept(accept string) []mediaRange {
	var ranges []mediaRange
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mediaType == "*" {
			mediaType = "*/*"
		}
		mainType, subType, ok := strings.Cut(mediaType, "/")
		if !ok {
			continue
		}
		quality := 1.0
		if q, ok := params["q"]; ok {
			if parsed, err := strconv.ParseFloat(q, 64); err == nil {
				quality = parsed
			}
		}
		ranges = append(ranges, mediaRange{mainType: mainType, subType: subType, quality: quality})
	}
	return ranges
}

// rateOffer returns the quality and specificity (2 type/subtype, 1 type/*,
// 0 */*) of the most specific range matching offer, or quality 0.
func rateOffer(ranges []mediaRange, offer string) (float64, int) {
	mainType, subType, _ := strings.Cut(offer, "/")
	quality, specificity := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.mainType == mainType && r.subType == subType:
			s = 2
		case r.mainType == mainType && r.subType == "*":
			s = 1
		case r.mainType == "*" && r.subType == "*":
			s = 0
		}
		if s > specificity {
			quality, specificity = r.quality, s
		}
	}
	return quality, specificity
}

// variantFor is the REST module's Status.variantFor: the exception mappers
// pick XML or JSON from Accept alone, falling back to XML.
func variantFor(accept string, offers ...string) string {
	if mediaType, ok := negotiateMediaType(accept, offers); ok {
		return mediaType
	}
	return offers[0]
}

// bareMediaType lower-cases a Content-Type and drops its parameters.
func bareMediaType(contentType string) string {
	bare, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(bare))
}

// ---- Serialisation ----

// Entities are serialised like the products' Jackson setup (NON_NULL): a
// field that can be null in Java is a pointer, slice, map or interface
// tagged `omitzero`, so nil is omitted while empty lists and maps are
// still written. XML element names equal the JSON keys.

// writeEntity writes v in the representation negotiated for the route.
func writeEntity(ex *exchange, status int, v any) {
	writeBody(ex, ex.representation, status, v)
}

// writeBody serialises v as XML or JSON; XML carries JAXB's declaration.
func writeBody(ex *exchange, mediaType string, status int, v any) {
	var body []byte
	var err error
	contentType := contentTypeJSON
	if mediaType == mediaTypeXML {
		contentType = contentTypeXML
		body, err = xml.Marshal(v)
		body = append([]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`), body...)
	} else {
		body, err = marshalJSON(v)
	}
	if err != nil {
		// Every entity is a type of this package; failing to encode one
		// is a bug worth a loud 500.
		ex.inst.logf("encode %T: %v", v, err)
		http.Error(ex.w, "emulator: cannot encode response", http.StatusInternalServerError)
		return
	}
	ex.w.Header().Set("Content-Type", contentType)
	ex.w.WriteHeader(status)
	_, _ = ex.w.Write(body)
}

// marshalJSON encodes like Jackson: no HTML escaping, no trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ---- Error body families ----

// statusEntity is the REST module's Status (family 1 of §1.5).
type statusEntity struct {
	StatusCode       int          `json:"status-code"`
	Message          *string      `json:"message,omitzero"`
	ResourcesCreated []linkEntity `json:"resources-created,omitzero"`
	ResourcesUpdated []linkEntity `json:"resources-updated,omitzero"`
}

// linkEntity is the REST module's Link; in XML its fields are attributes.
type linkEntity struct {
	Href string `xml:"href,attr" json:"href"`
	Rel  string `xml:"rel,attr" json:"rel"`
}

// MarshalXML writes JAXB's form of Status: the link lists are wrapped
// (<resources-created><link href=".." rel=".."/></resources-created>) and,
// like every null field, left out when absent.
func (s statusEntity) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	type linkList struct {
		Links []linkEntity `xml:"link"`
	}
	wrap := func(links []linkEntity) *linkList {
		if links == nil {
			return nil
		}
		return &linkList{Links: links}
	}
	return e.Encode(struct {
		XMLName          xml.Name  `xml:"status"`
		StatusCode       int       `xml:"status-code"`
		Message          *string   `xml:"message,omitempty"`
		ResourcesCreated *linkList `xml:"resources-created,omitempty"`
		ResourcesUpdated *linkList `xml:"resources-updated,omitempty"`
	}{
		StatusCode:       s.StatusCode,
		Message:          s.Message,
		ResourcesCreated: wrap(s.ResourcesCreated),
		ResourcesUpdated: wrap(s.ResourcesUpdated),
	})
}

// newStatus builds a Status with a message; statusEntity{StatusCode: c}
// is the message-less form (e.g. RestUtil.ok()).
func newStatus(code int, message string) statusEntity {
	return statusEntity{StatusCode: code, Message: &message}
}

// writeStatus writes a Status a resource or interceptor returns (RestUtil):
// it follows the route's negotiated representation. No Location header is
// set, even with resources-created, as RestUtil builds the response itself.
func writeStatus(ex *exchange, s statusEntity) {
	writeEntity(ex, s.StatusCode, s)
}

// writeMappedStatus writes a Status produced by the REST module's exception
// mappers (security exceptions, Jersey's not-found): those choose XML or
// JSON from Accept alone and keep the builder's default CacheControl,
// which JAX-RS renders as "no-transform".
func writeMappedStatus(ex *exchange, s statusEntity) {
	ex.w.Header().Set("Cache-Control", "no-transform")
	writeBody(ex, variantFor(ex.accept, mediaTypeXML, mediaTypeJSON), s.StatusCode, s)
}

// errorListEntity is applinks' ErrorListEntity (family 2): v1/v2
// validation errors.
type errorListEntity struct {
	XMLName  xml.Name `xml:"error" json:"-"`
	Status   int      `xml:"status,attr" json:"status"`
	Messages []string `xml:"message" json:"message"`
	Fields   []string `xml:"fields,omitempty" json:"fields,omitzero"`
}

// writeErrorList writes an ErrorListEntity; fields is nil except for form
// errors.
func writeErrorList(ex *exchange, status int, messages, fields []string) {
	if messages == nil {
		messages = []string{}
	}
	writeEntity(ex, status, errorListEntity{Status: status, Messages: messages, Fields: fields})
}

// restErrorsEntity is applinks v3's RestErrors (family 3), JSON only.
type restErrorsEntity struct {
	Status int         `json:"status"`
	Errors []restError `json:"errors"`
}

// restError is one RestErrors entry. Details is a list of lines for
// detailed errors and the Java exception's toString for plain ones.
type restError struct {
	Summary string `json:"summary"`
	Context string `json:"context,omitempty"`
	Details any    `json:"details,omitzero"`
}

// serviceExceptionError is the RestError a v3 ServiceException becomes: it
// is not a DetailedError, so the details are its Java toString.
func serviceExceptionError(exceptionClass, message string) restError {
	return restError{
		Summary: message,
		Details: "com.atlassian.applinks.internal.common.exception." + exceptionClass + ": " + message,
	}
}

func writeRestErrors(ex *exchange, status int, errs ...restError) {
	if errs == nil {
		errs = []restError{}
	}
	writeBody(ex, mediaTypeJSON, status, restErrorsEntity{Status: status, Errors: errs})
}

// uncaughtExceptionEntity is the REST module's UncaughtExceptionEntity
// (family 4).
type uncaughtExceptionEntity struct {
	XMLName    xml.Name `xml:"status" json:"-"`
	StatusCode int      `xml:"status-code" json:"status-code"`
	Message    *string  `xml:"message,omitempty" json:"message,omitzero"`
	StackTrace string   `xml:"stack-trace" json:"stack-trace"`
}

// writeUncaughtException answers an exception no resource handled. Its
// variants include text/plain, rendered by the entity's toString, whose
// missing closing quote is the product's.
func writeUncaughtException(ex *exchange, message string) {
	// The doubled apostrophe in "Log''s" is the product's too (a
	// MessageFormat-style escape in a plain string).
	referral, err := newRandomUUID()
	if err != nil {
		referral = "00000000-0000-0000-0000-000000000000"
	}
	entity := uncaughtExceptionEntity{
		StatusCode: http.StatusInternalServerError,
		Message:    &message,
		StackTrace: "Please contact your admin passing attached Log''s referral number: " + referral,
	}
	if variantFor(ex.accept, mediaTypeXML, mediaTypeJSON, mediaTypeText) == mediaTypeText {
		ex.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		ex.w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(ex.w, "code=%d, message='%s', stackTrace='%s", entity.StatusCode, message, entity.StackTrace)
		return
	}
	writeBody(ex, variantFor(ex.accept, mediaTypeXML, mediaTypeJSON), http.StatusInternalServerError, entity)
}

// writeXSRFFailure is XsrfCheckFailedException: 403 with a plain string.
func writeXSRFFailure(ex *exchange) {
	ex.w.Header().Set("Content-Type", mediaTypeText)
	ex.w.WriteHeader(http.StatusForbidden)
	_, _ = ex.w.Write([]byte("XSRF check failed"))
}

// jiraErrorCollection is the error body of Jira's own REST API
// (/rest/api/2), which does not use the REST module's families.
type jiraErrorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func writeJiraErrors(ex *exchange, status int, messages ...string) {
	if messages == nil {
		messages = []string{}
	}
	writeBody(ex, mediaTypeJSON, status, jiraErrorCollection{ErrorMessages: messages, Errors: map[string]string{}})
}

// containerErrorDescriptions are Tomcat's texts for the errors the
// container (not a REST module) answers.
var containerErrorDescriptions = map[int]string{
	http.StatusNotFound:              "The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.",
	http.StatusMethodNotAllowed:      "The method received in the request-line is known by the origin server but not supported by the target resource.",
	http.StatusRequestEntityTooLarge: "The server is refusing to process a request because the request payload is larger than the server is willing or able to process.",
}

// writeContainerError writes a Tomcat-style HTML error page, which is what
// the products answer outside their REST modules and servlets.
func writeContainerError(w http.ResponseWriter, status int) {
	title := fmt.Sprintf("HTTP Status %d – %s", status, http.StatusText(status))
	w.Header().Set("Content-Type", contentTypeHTML)
	w.Header().Set("Content-Language", "en")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>%s</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> %s</p><hr class="line" /><h3>Apache Tomcat/9.0.82</h3></body></html>`,
		title, title, containerErrorDescriptions[status])
}

// ---- Request log ----

// statusRecorder remembers the status for the request log. Unwrap keeps
// http.ResponseController (and so connection hijacking) working.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func logRequests(inst *Instance, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		recorder := &statusRecorder{ResponseWriter: w}
		defer func() {
			inst.logf("%s %s -> %d (%s)", r.Method, r.URL.RequestURI(), recorder.status, time.Since(started).Round(time.Microsecond))
		}()
		next.ServeHTTP(recorder, r)
	})
}
