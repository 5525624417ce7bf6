package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The request pipeline: the one way into every emulated endpoint. Its
// layers each have a file (router.go, users.go and oauth1.go for
// credentials, negotiation.go, access.go, error_entities.go); routes.go
// says which handler answers which method and path, and endpoint files only
// write entities.
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
// Inferred: design/api.md does not fix the relative order of the REST
// module's resource filters and its XSRF filter; filters that need a login
// run first, so an anonymous POST sees 401 rather than an XSRF failure.

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

	var u *user
	var err error
	if m.route == nil || !m.route.clientAuthentication {
		u, err = h.inst.authenticate(r) // OAuth-signed requests are verified in oauth1.go
	}
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
	if tokenScopeForbids(ex) { // design/api.md §10.3
		refuseTokenScope(ex)
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
// Inferred: design/api.md gives no limit. The products run on Tomcat, whose
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

// thrown marks a response that stands for an exception leaving the
// resource: the interceptors that add headers never see it.
func thrown(ex *exchange) { clearInterceptorHeaders(ex) }
