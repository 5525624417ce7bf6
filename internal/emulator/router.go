package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The JAX-RS-style router: routes under every version of a REST module,
// path templates, and resource matching as Jersey does it (the most
// specific template first, then the method). The routes themselves, and
// the modules, are declared in routes.go.

// restModule is a REST module path and the versions a resource answers
// under; every version routes to the same handler.
type restModule struct {
	name     string
	versions []string
	// root replaces /rest/<name> for a module mounted elsewhere (Fisheye's
	// /rest-service-fecru); an empty version adds no segment.
	root string
}

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
	// clientAuthentication marks a resource that reads the Authorization
	// header itself (the OAuth 2.0 token endpoint's client credentials), so
	// no user login is attempted with it.
	clientAuthentication bool
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
		base := "/rest/" + module.name
		if module.root != "" {
			base = module.root
		}
		if version != "" {
			base += "/" + version
		}
		rt.add(method, base+path, base, ep)
		if !slices.Contains(rt.restBases, base) {
			rt.restBases = append(rt.restBases, base)
		}
	}
}

// servlet declares a plain servlet path outside the REST framework. It
// takes the method, as rest does, so that every row of the route table
// names its method.
//
//nolint:unparam // every servlet served today answers GET
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
