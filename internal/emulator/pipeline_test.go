package emulator

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// nonNullProbe holds one field of each kind the NON_NULL convention covers.
type nonNullProbe struct {
	Absent   *string           `json:"absent,omitzero"`
	Nil      []string          `json:"nil,omitzero"`
	Empty    []string          `json:"empty,omitzero"`
	EmptyMap map[string]string `json:"emptyMap,omitzero"`
	Flag     bool              `json:"flag"`
}

// layerTestRoutes registers routes that exist only to exercise the
// cross-cutting layer: each policy, each XSRF rule and each error family.
func layerTestRoutes(rt *router) {
	ok := func(ex *exchange) { writeStatus(ex, statusEntity{StatusCode: http.StatusOK}) }
	okJSON := endpoint{handle: ok, produces: producesJSON}
	okXMLOrJSON := endpoint{handle: ok, produces: producesXMLOrJSON}
	with := func(ep endpoint, change func(*endpoint)) endpoint {
		change(&ep)
		return ep
	}

	for _, method := range []string{http.MethodGet, http.MethodPost} {
		rt.rest(applinksAllVersions, method, "/test/authenticated", with(okXMLOrJSON, func(ep *endpoint) { ep.access = authenticatedOnly }))
	}
	rt.rest(applinksAllVersions, http.MethodGet, "/test/sysadmin", with(okXMLOrJSON, func(ep *endpoint) { ep.access = sysadminOnly }))
	rt.rest(applinksAllVersions, http.MethodGet, "/test/applinks-admin", with(okXMLOrJSON, func(ep *endpoint) {
		ep.access = applinksAdminOnly
		ep.noCache = true
	}))
	rt.rest(applinksV3, http.MethodGet, "/test/v3-admin", with(okJSON, func(ep *endpoint) { ep.access = v3AdminOnly }))
	rt.rest(applinksV3, http.MethodGet, "/test/v3-sysadmin", with(okJSON, func(ep *endpoint) { ep.access = v3SysadminOnly }))
	rt.rest(allowlistModule, http.MethodPost, "/test", with(okJSON, func(ep *endpoint) {
		ep.access = allowlistManagerOnly
		ep.xsrf = xsrfExcluded
	}))

	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rt.rest(applinksAllVersions, method, "/test/xsrf", okXMLOrJSON)
	}
	rt.rest(applinksAllVersions, http.MethodGet, "/test/xsrf", with(okXMLOrJSON, func(ep *endpoint) { ep.xsrf = xsrfRequiredOnGet }))
	rt.rest(applinksAllVersions, http.MethodPost, "/test/xsrf-excluded", with(okXMLOrJSON, func(ep *endpoint) { ep.xsrf = xsrfExcluded }))

	rt.rest(applinksAllVersions, http.MethodGet, "/test/non-null", endpoint{
		produces: producesJSON,
		handle: func(ex *exchange) {
			writeEntity(ex, http.StatusOK, nonNullProbe{Empty: []string{}, EmptyMap: map[string]string{}})
		},
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/status-created", endpoint{
		produces: producesXMLOrJSON,
		handle: func(ex *exchange) {
			writeStatus(ex, statusEntity{
				StatusCode:       http.StatusCreated,
				ResourcesCreated: []linkEntity{{Href: ex.restURL("/applicationlink/abc"), Rel: "self"}},
			})
		},
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/status-message", endpoint{
		produces: producesXMLOrJSON,
		handle: func(ex *exchange) {
			writeStatus(ex, newStatus(http.StatusNotFound, "No <such> link & co"))
		},
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/error-list", endpoint{
		produces: producesXMLOrJSON,
		handle: func(ex *exchange) {
			writeErrorList(ex, http.StatusBadRequest, []string{"Name is required"}, nil)
		},
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/form-errors", endpoint{
		produces: producesXMLOrJSON,
		handle: func(ex *exchange) {
			writeErrorList(ex, http.StatusBadRequest, []string{"Name is required", "Type is unknown"}, []string{"application-name", "application-types"})
		},
	})
	rt.rest(applinksV3, http.MethodGet, "/test/rest-errors", endpoint{
		produces: producesJSON,
		handle: func(ex *exchange) {
			writeRestErrors(ex, http.StatusBadRequest,
				restError{Context: "rpcUrl", Summary: "rpcUrl must be absolute", Details: []string{"line 1", "line 2"}},
				restError{Summary: "second"})
		},
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/panic", endpoint{
		produces: producesXMLOrJSON,
		noCache:  true,
		handle:   func(*exchange) { panic("boom <&>") },
	})
	rt.rest(applinksAllVersions, http.MethodGet, "/test/param/{id}", endpoint{
		produces: producesJSON,
		handle:   func(ex *exchange) { writeEntity(ex, http.StatusOK, ex.param("id")) },
	})
}

// target selects where a layerCase row sends its request.
type target int

const (
	jiraRoot         target = iota // the instance without a context path
	wikiContext                    // the instance under /wiki, via its base URL
	wikiListenerRoot               // the /wiki instance's listener, without /wiki
)

// layerCase is one row of the cross-cutting rules table. Bodies may use
// {base} (the instance's base URL) and {id} (its server ID).
type layerCase struct {
	name       string
	target     target
	req        testRequest
	wantStatus int
	wantBody   string
	// wantBodyPattern replaces wantBody when the body has random parts.
	wantBodyPattern string
	wantHeaders     map[string]string
	absentHeaders   []string
}

const (
	xmlDeclaration       = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	jsonAuthRequired     = `{"status-code":401,"message":"Client must be authenticated to access this resource."}`
	jsonApplinksNotAdmin = `{"status-code":401,"message":"You must be an administrator to access this resource"}`
	jsonOK               = `{"status-code":200}`
)

var acceptJSON = map[string]string{"Accept": "application/json"}

func acceptJSONAnd(name, value string) map[string]string {
	return map[string]string{"Accept": "application/json", name: value}
}

func TestCrossCuttingRules(t *testing.T) {
	srv := startTestServer(t, Options{}, layerTestRoutes,
		loopback("jira", "jira"),
		InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0", ContextPath: "/wiki"},
	)
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")

	tests := []layerCase{
		// Rule 1: users, Basic and Bearer, bad credentials, X-AUSERNAME.
		{
			name:        "1 anonymous caller is named anonymous",
			req:         testRequest{path: "/rest/applinks/1.0/manifest"},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"X-AUSERNAME": "anonymous"},
		},
		{
			name:        "1 basic auth as admin",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: acceptJSON},
			wantStatus:  http.StatusOK,
			wantBody:    jsonOK,
			wantHeaders: map[string]string{"X-AUSERNAME": "admin"},
		},
		{
			name:        "1 bearer personal access token of admin",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", headers: acceptJSONAnd("Authorization", "Bearer admin-token")},
			wantStatus:  http.StatusOK,
			wantBody:    jsonOK,
			wantHeaders: map[string]string{"X-AUSERNAME": "admin"},
		},
		{
			name:        "1 wrong password is rejected even on an anonymous resource",
			req:         testRequest{path: "/rest/applinks/1.0/manifest", headers: acceptJSONAnd("Authorization", "Basic YWRtaW46d3Jvbmc=")},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    jsonAuthRequired,
			wantHeaders: map[string]string{"X-Seraph-LoginReason": "AUTHENTICATED_FAILED", "X-AUSERNAME": "anonymous"},
		},
		{
			name:        "1 unknown bearer token is rejected",
			req:         testRequest{path: "/rest/applinks/1.0/manifest", headers: acceptJSONAnd("Authorization", "Bearer nope")},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    jsonAuthRequired,
			wantHeaders: map[string]string{"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
		},

		// Rule 2: authorisation policies.
		{
			name:       "2 authenticated: anonymous gets the REST module 401",
			req:        testRequest{path: "/rest/applinks/1.0/test/authenticated", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonAuthRequired,
		},
		{
			name:       "2 authenticated: any user passes",
			req:        testRequest{path: "/rest/applinks/1.0/test/authenticated", user: "user", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:          "2 applinks admin: plain user gets 401, not 403, without interceptor headers",
			req:           testRequest{path: "/rest/applinks/1.0/test/applinks-admin", user: "user", headers: acceptJSON},
			wantStatus:    http.StatusUnauthorized,
			wantBody:      jsonApplinksNotAdmin,
			absentHeaders: []string{"Cache-Control"},
		},
		{
			name:       "2 applinks admin: anonymous is stopped by the REST module first",
			req:        testRequest{path: "/rest/applinks/1.0/test/applinks-admin", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonAuthRequired,
		},
		{
			name:        "2 applinks admin: administrator who is not sysadmin passes",
			req:         testRequest{path: "/rest/applinks/1.0/test/applinks-admin", user: "manager", headers: acceptJSON},
			wantStatus:  http.StatusOK,
			wantBody:    jsonOK,
			wantHeaders: map[string]string{"Cache-Control": "no-cache"},
		},
		{
			name:       "2 applinks admin: al_username/al_password naming an admin pass",
			req:        testRequest{path: "/rest/applinks/1.0/test/applinks-admin?al_username=admin&al_password=admin", user: "user", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "2 applinks admin: given al_ credentials are the only ones that count",
			req:        testRequest{path: "/rest/applinks/1.0/test/applinks-admin?al_username=user&al_password=user", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonApplinksNotAdmin,
		},
		{
			name:       "2 v3: anonymous gets 401 RestErrors",
			req:        testRequest{path: "/rest/applinks/3.0/test/v3-admin"},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"status":401,"errors":[{"summary":"You must be logged in to perform this operation.","details":"com.atlassian.applinks.internal.common.exception.NotAuthenticatedException: You must be logged in to perform this operation."}]}`,
		},
		{
			name:       "2 v3: plain user gets 403 RestErrors",
			req:        testRequest{path: "/rest/applinks/latest/test/v3-admin", user: "user"},
			wantStatus: http.StatusForbidden,
			wantBody:   `{"status":403,"errors":[{"summary":"You must be an administrator to perform this operation.","details":"com.atlassian.applinks.internal.common.exception.PermissionException: You must be an administrator to perform this operation."}]}`,
		},
		{
			name:       "2 v3: administrator passes the admin check",
			req:        testRequest{path: "/rest/applinks/3.0/test/v3-admin", user: "manager"},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "2 v3: sysadmin-only operation refuses a plain admin with 403",
			req:        testRequest{path: "/rest/applinks/3.0/test/v3-sysadmin", user: "manager"},
			wantStatus: http.StatusForbidden,
			wantBody:   `{"status":403,"errors":[{"summary":"You must be a system administrator to perform this operation.","details":"com.atlassian.applinks.internal.common.exception.PermissionException: You must be a system administrator to perform this operation."}]}`,
		},
		{
			name:       "2 v3: sysadmin-only operation admits the sysadmin",
			req:        testRequest{path: "/rest/applinks/3.0/test/v3-sysadmin", user: "admin"},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:        "2 sysadmin REST filter: plain admin gets 403",
			req:         testRequest{path: "/rest/applinks/1.0/test/sysadmin", user: "manager", headers: acceptJSON},
			wantStatus:  http.StatusForbidden,
			wantBody:    `{"status-code":403,"message":"Client must be authenticated as a system administrator to access this resource."}`,
			wantHeaders: map[string]string{"Cache-Control": "no-transform"},
		},
		{
			name:       "2 sysadmin REST filter: anonymous gets 401",
			req:        testRequest{path: "/rest/applinks/1.0/test/sysadmin", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonAuthRequired,
		},
		{
			name:       "2 whitelist: plain admin gets 401 from the permission checker",
			req:        testRequest{method: http.MethodPost, path: "/rest/whitelist/latest/test", user: "manager", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"status-code":401,"message":"The current user is not allowed to change the whitelist."}`,
		},
		{
			name:       "2 whitelist: sysadmin passes",
			req:        testRequest{method: http.MethodPost, path: "/rest/whitelist/1.0/test", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},

		// Rule 3: XSRF.
		{
			name:        "3 body-less POST without the header fails",
			req:         testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf"},
			wantStatus:  http.StatusForbidden,
			wantBody:    "XSRF check failed",
			wantHeaders: map[string]string{"Content-Type": "text/plain"},
		},
		{
			name:       "3 body-less POST with no-check passes",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSONAnd("X-Atlassian-Token", "no-check")},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 the header value is case-insensitive",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSONAnd("X-Atlassian-Token", "No-Check")},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 the deprecated nocheck passes",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSONAnd("X-Atlassian-Token", "NOCHECK")},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 any other header value fails",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", headers: map[string]string{"X-Atlassian-Token": "yes"}},
			wantStatus: http.StatusForbidden,
			wantBody:   "XSRF check failed",
		},
		{
			name:       "3 a JSON POST is never checked",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", body: "{}", headers: acceptJSONAnd("Content-Type", "application/json; charset=UTF-8")},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 a text/plain POST is checked",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", body: "x", headers: map[string]string{"Content-Type": "text/plain; charset=UTF-8"}},
			wantStatus: http.StatusForbidden,
			wantBody:   "XSRF check failed",
		},
		{
			name:       "3 a form POST is checked",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", body: "a=b", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			wantStatus: http.StatusForbidden,
			wantBody:   "XSRF check failed",
		},
		{
			name:       "3 a multipart POST is checked",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf", body: "--x--", headers: map[string]string{"Content-Type": "Multipart/Form-Data; boundary=x"}},
			wantStatus: http.StatusForbidden,
			wantBody:   "XSRF check failed",
		},
		{
			name:       "3 a GET marked RequiresXsrfCheck fails without the header",
			req:        testRequest{path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSON},
			wantStatus: http.StatusForbidden,
			wantBody:   "XSRF check failed",
		},
		{
			name:       "3 a GET marked RequiresXsrfCheck passes with the header",
			req:        testRequest{path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSONAnd("X-Atlassian-Token", "no-check")},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 a failed PUT is only logged",
			req:        testRequest{method: http.MethodPut, path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 a failed DELETE is only logged",
			req:        testRequest{method: http.MethodDelete, path: "/rest/applinks/1.0/test/xsrf", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 a route excluded from XSRF protection is not checked",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/xsrf-excluded", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "3 login filters run before XSRF",
			req:        testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/test/authenticated", headers: acceptJSON},
			wantStatus: http.StatusUnauthorized,
			wantBody:   jsonAuthRequired,
		},

		// Rule 4: content negotiation and suffixes.
		{
			name:        "4 no Accept header gives XML",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin"},
			wantStatus:  http.StatusOK,
			wantBody:    xmlDeclaration + `<status><status-code>200</status-code></status>`,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:        "4 Accept */* gives XML",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: map[string]string{"Accept": "*/*"}},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:        "4 Accept application/json gives JSON",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: acceptJSON},
			wantStatus:  http.StatusOK,
			wantBody:    jsonOK,
			wantHeaders: map[string]string{"Content-Type": "application/json;charset=UTF-8"},
		},
		{
			name:        "4 the more specific range wins over */*",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: map[string]string{"Accept": "*/*, application/json"}},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "application/json;charset=UTF-8"},
		},
		{
			name:        "4 quality values are honoured",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: map[string]string{"Accept": "application/json;q=0.5, application/xml"}},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:       "4 nothing acceptable gives 406",
			req:        testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "admin", headers: map[string]string{"Accept": "text/html"}},
			wantStatus: http.StatusNotAcceptable,
			wantBody:   "",
		},
		{
			name:       "4 JSON-only resources refuse an XML-only Accept",
			req:        testRequest{path: "/rest/applinks/3.0/capabilities", headers: map[string]string{"Accept": "application/xml"}},
			wantStatus: http.StatusNotAcceptable,
		},
		{
			name:        "4 JSON-only resources answer JSON without Accept",
			req:         testRequest{path: "/rest/applinks/3.0/capabilities"},
			wantStatus:  http.StatusOK,
			wantBody:    `["STATUS_API","MIGRATION_API"]`,
			wantHeaders: map[string]string{"Content-Type": "application/json;charset=UTF-8"},
		},
		{
			name:        "4 error bodies follow negotiation: Status as XML",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo", user: "user"},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    xmlDeclaration + `<status><status-code>401</status-code><message>You must be an administrator to access this resource</message></status>`,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:        "4 mapped security errors default to XML",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo"},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    xmlDeclaration + `<status><status-code>401</status-code><message>Client must be authenticated to access this resource.</message></status>`,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:        "4 .json suffix sets Accept and is stripped",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo.json", user: "admin", headers: map[string]string{"Accept": "application/xml"}},
			wantStatus:  http.StatusOK,
			wantBody:    jsonOK,
			wantHeaders: map[string]string{"Content-Type": "application/json;charset=UTF-8"},
		},
		{
			name:        "4 .xml suffix sets Accept and is stripped",
			req:         testRequest{path: "/rest/applinks/1.0/authenticationinfo.xml", user: "admin", headers: acceptJSON},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "application/xml;charset=UTF-8"},
		},
		{
			name:       "4 .txt suffix asks for text/plain, which the resource cannot produce",
			req:        testRequest{path: "/rest/applinks/1.0/authenticationinfo.txt", user: "admin"},
			wantStatus: http.StatusNotAcceptable,
		},
		{
			name:       "4 other suffixes are part of the path",
			req:        testRequest{path: "/rest/applinks/1.0/test/param/host.example.com"},
			wantStatus: http.StatusOK,
			wantBody:   `"host.example.com"`,
		},
		{
			name:       "4 path parameters are decoded",
			req:        testRequest{path: "/rest/applinks/1.0/test/param/a%2Fb%20c"},
			wantStatus: http.StatusOK,
			wantBody:   `"a/b c"`,
		},

		// Rule 5: Jackson NON_NULL.
		{
			name:       "5 null fields are omitted, empty lists and maps are written",
			req:        testRequest{path: "/rest/applinks/1.0/test/non-null"},
			wantStatus: http.StatusOK,
			wantBody:   `{"empty":[],"emptyMap":{},"flag":false}`,
		},

		// Rule 6: the error families.
		{
			name:          "6 Status with resources-created as JSON, linking through the request's REST base",
			req:           testRequest{path: "/rest/applinks/3.0/test/status-created", headers: acceptJSON},
			wantStatus:    http.StatusCreated,
			wantBody:      `{"status-code":201,"resources-created":[{"href":"{base}/rest/applinks/3.0/applicationlink/abc","rel":"self"}]}`,
			absentHeaders: []string{"Location"},
		},
		{
			name:       "6 Status with resources-created as XML",
			req:        testRequest{path: "/rest/applinks/1.0/test/status-created"},
			wantStatus: http.StatusCreated,
			wantBody:   xmlDeclaration + `<status><status-code>201</status-code><resources-created><link href="{base}/rest/applinks/1.0/applicationlink/abc" rel="self"></link></resources-created></status>`,
		},
		{
			name:       "6 Status messages are not HTML-escaped in JSON",
			req:        testRequest{path: "/rest/applinks/1.0/test/status-message", headers: acceptJSON},
			wantStatus: http.StatusNotFound,
			wantBody:   `{"status-code":404,"message":"No <such> link & co"}`,
		},
		{
			name:       "6 ErrorListEntity as JSON without fields",
			req:        testRequest{path: "/rest/applinks/1.0/test/error-list", headers: acceptJSON},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["Name is required"]}`,
		},
		{
			name:       "6 ErrorListEntity as JSON with fields",
			req:        testRequest{path: "/rest/applinks/1.0/test/form-errors", headers: acceptJSON},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"message":["Name is required","Type is unknown"],"fields":["application-name","application-types"]}`,
		},
		{
			name:       "6 ErrorListEntity as XML",
			req:        testRequest{path: "/rest/applinks/1.0/test/form-errors"},
			wantStatus: http.StatusBadRequest,
			wantBody:   xmlDeclaration + `<error status="400"><message>Name is required</message><message>Type is unknown</message><fields>application-name</fields><fields>application-types</fields></error>`,
		},
		{
			name:       "6 RestErrors with context and details",
			req:        testRequest{path: "/rest/applinks/3.0/test/rest-errors"},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"status":400,"errors":[{"summary":"rpcUrl must be absolute","context":"rpcUrl","details":["line 1","line 2"]},{"summary":"second"}]}`,
		},
		{
			name:            "6 UncaughtException as JSON, without interceptor headers",
			req:             testRequest{path: "/rest/applinks/1.0/test/panic", headers: acceptJSON},
			wantStatus:      http.StatusInternalServerError,
			wantBodyPattern: `^\{"status-code":500,"message":"boom <&>","stack-trace":"Please contact your admin passing attached Log''s referral number: [0-9a-f-]{36}"\}$`,
			absentHeaders:   []string{"Cache-Control"},
		},
		{
			name:            "6 UncaughtException as XML",
			req:             testRequest{path: "/rest/applinks/1.0/test/panic"},
			wantStatus:      http.StatusInternalServerError,
			wantBodyPattern: `^` + regexp.QuoteMeta(xmlDeclaration) + `<status><status-code>500</status-code><message>boom &lt;&amp;&gt;</message><stack-trace>Please contact your admin passing attached Log&#39;&#39;s referral number: [0-9a-f-]{36}</stack-trace></status>$`,
		},
		{
			name:            "6 UncaughtException as text when the client prefers it",
			req:             testRequest{path: "/rest/applinks/1.0/test/panic", headers: map[string]string{"Accept": "text/plain, application/json;q=0.5"}},
			wantStatus:      http.StatusInternalServerError,
			wantBodyPattern: `^code=500, message='boom <&>', stackTrace='Please contact your admin passing attached Log''s referral number: [0-9a-f-]{36}$`,
		},

		// Rule 7: trailing slashes.
		{
			name:       "7 a trailing slash is ignored",
			req:        testRequest{path: "/rest/applinks/1.0/authenticationinfo/", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "7 a trailing slash after a suffix is ignored too",
			req:        testRequest{path: "/rest/applinks/1.0/authenticationinfo.json//", user: "admin"},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},

		// Rule 8: one handler set for every applinks version.
		{
			name:       "8 version 2.0",
			req:        testRequest{path: "/rest/applinks/2.0/authenticationinfo", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:       "8 version latest",
			req:        testRequest{path: "/rest/applinks/latest/authenticationinfo", user: "admin", headers: acceptJSON},
			wantStatus: http.StatusOK,
			wantBody:   jsonOK,
		},
		{
			name:        "8 an unknown version is outside every REST module",
			req:         testRequest{path: "/rest/applinks/4.0/manifest"},
			wantStatus:  http.StatusNotFound,
			wantHeaders: map[string]string{"Content-Type": "text/html;charset=utf-8"},
		},
		{
			name:       "8 v3-only resources are not under 1.0",
			req:        testRequest{path: "/rest/applinks/1.0/capabilities", headers: acceptJSON},
			wantStatus: http.StatusNotFound,
			wantBody:   `{"status-code":404,"message":"null for uri: {base}/rest/applinks/1.0/capabilities"}`,
		},

		// Rule 9: unknown paths and methods.
		{
			name:            "9 an unknown path outside REST modules is the container's HTML 404",
			req:             testRequest{path: "/secure/Dashboard.jspa", headers: acceptJSON},
			wantStatus:      http.StatusNotFound,
			wantBodyPattern: `^<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title>.*</html>$`,
			wantHeaders:     map[string]string{"Content-Type": "text/html;charset=utf-8"},
		},
		{
			name:       "9 an unknown path inside a REST module is Jersey's 404",
			req:        testRequest{path: "/rest/applinks/1.0/nope?x=1"},
			wantStatus: http.StatusNotFound,
			wantBody:   xmlDeclaration + `<status><status-code>404</status-code><message>null for uri: {base}/rest/applinks/1.0/nope?x=1</message></status>`,
		},
		{
			name:        "9 a wrong method on a REST resource is 405",
			req:         testRequest{method: http.MethodPost, path: "/rest/applinks/1.0/manifest", headers: map[string]string{"X-Atlassian-Token": "no-check"}},
			wantStatus:  http.StatusMethodNotAllowed,
			wantBody:    "",
			wantHeaders: map[string]string{"Allow": "GET,HEAD,OPTIONS"},
		},
		{
			name:            "9 a wrong method on a servlet is the container's 405",
			req:             testRequest{method: http.MethodDelete, path: "/plugins/servlet/oauth/consumer-info"},
			wantStatus:      http.StatusMethodNotAllowed,
			wantBodyPattern: `<title>HTTP Status 405 – Method Not Allowed</title>`,
			wantHeaders:     map[string]string{"Allow": "GET,HEAD,OPTIONS"},
		},
		{
			name:        "9 OPTIONS lists the methods",
			req:         testRequest{method: http.MethodOptions, path: "/rest/applinks/1.0/test/xsrf"},
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Allow": "DELETE,GET,HEAD,OPTIONS,POST,PUT"},
		},
		{
			name:       "9 HEAD is served by the GET method",
			req:        testRequest{method: http.MethodHead, path: "/rest/applinks/1.0/manifest"},
			wantStatus: http.StatusOK,
			wantBody:   "",
		},

		// Rule 10: context path.
		{
			name:       "10 routes are served under the context path",
			target:     wikiContext,
			req:        testRequest{path: "/rest/applinks/1.0/test/status-created", headers: acceptJSON},
			wantStatus: http.StatusCreated,
			wantBody:   `{"status-code":201,"resources-created":[{"href":"{base}/rest/applinks/1.0/applicationlink/abc","rel":"self"}]}`,
		},
		{
			name:        "10 requests outside the context path get the HTML 404",
			target:      wikiListenerRoot,
			req:         testRequest{path: "/rest/applinks/1.0/manifest"},
			wantStatus:  http.StatusNotFound,
			wantHeaders: map[string]string{"Content-Type": "text/html;charset=utf-8"},
		},
		{
			name:        "10 a path merely starting with the context path is outside it",
			target:      wikiListenerRoot,
			req:         testRequest{path: "/wikix/rest/applinks/1.0/manifest"},
			wantStatus:  http.StatusNotFound,
			wantHeaders: map[string]string{"Content-Type": "text/html;charset=utf-8"},
		},

		// Rule 11: the manifest id is the server ID.
		{
			name:            "11 manifest id is the server ID",
			req:             testRequest{path: "/rest/applinks/1.0/manifest", headers: acceptJSON},
			wantStatus:      http.StatusOK,
			wantBodyPattern: `^\{"id":"{id}","name":"Jira","typeId":"jira",`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, base := jira, jira.URL()
			switch tt.target {
			case wikiContext:
				inst, base = wiki, wiki.URL()
			case wikiListenerRoot:
				inst, base = wiki, strings.TrimSuffix(wiki.URL(), "/wiki")
			}
			resp, body := send(t, base, tt.req)
			expand := strings.NewReplacer("{base}", inst.URL(), "{id}", inst.ServerID()).Replace
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %q", resp.StatusCode, tt.wantStatus, body)
			}
			switch {
			case tt.wantBodyPattern != "":
				if !regexp.MustCompile(expand(tt.wantBodyPattern)).MatchString(body) {
					t.Errorf("body = %q, want match for %q", body, expand(tt.wantBodyPattern))
				}
			case tt.wantBody != "" || tt.wantStatus == http.StatusNotAcceptable || tt.req.method == http.MethodHead:
				if want := expand(tt.wantBody); body != want {
					t.Errorf("body = %q\nwant   %q", body, want)
				}
			}
			for name, want := range tt.wantHeaders {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tt.absentHeaders {
				if values := resp.Header.Values(name); len(values) > 0 {
					t.Errorf("header %s = %q, want it absent", name, values)
				}
			}
		})
	}
}

func TestNegotiateMediaType(t *testing.T) {
	tests := []struct {
		accept string
		offers []string
		want   string
		wantOK bool
	}{
		{accept: "", offers: producesXMLOrJSON, want: mediaTypeXML, wantOK: true},
		{accept: "application/json", offers: producesXMLOrJSON, want: mediaTypeJSON, wantOK: true},
		{accept: "application/*", offers: producesXMLOrJSON, want: mediaTypeXML, wantOK: true},
		{accept: "*", offers: producesXMLOrJSON, want: mediaTypeXML, wantOK: true},
		{accept: "text/html, application/json;q=0.1", offers: producesXMLOrJSON, want: mediaTypeJSON, wantOK: true},
		{accept: "application/xml;q=0, */*", offers: producesXMLOrJSON, want: mediaTypeJSON, wantOK: true},
		{accept: "application/xml", offers: producesJSON, wantOK: false},
		{accept: "not a media type", offers: producesJSON, wantOK: false},
	}
	for _, tt := range tests {
		got, ok := negotiateMediaType(tt.accept, tt.offers)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("negotiateMediaType(%q, %v) = %q, %v; want %q, %v", tt.accept, tt.offers, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRouterPrefersLiteralSegments(t *testing.T) {
	rt := &router{}
	handle := func(*exchange) {}
	rt.rest(applinksAllVersions, http.MethodGet, "/applicationlink/{id}", endpoint{handle: handle, produces: producesJSON})
	rt.rest(applinksAllVersions, http.MethodPost, "/applicationlink/primary", endpoint{handle: handle, produces: producesJSON})

	m := rt.match(http.MethodPost, "/rest/applinks/1.0/applicationlink/primary")
	if m.route == nil || m.route.pattern != "/rest/applinks/1.0/applicationlink/primary" {
		t.Fatalf("POST primary matched %+v", m.route)
	}
	// The literal template is the most specific path, so a GET there is a
	// 405 even though the {id} template has a GET.
	m = rt.match(http.MethodGet, "/rest/applinks/1.0/applicationlink/primary")
	if m.route != nil || !m.pathFound || strings.Join(m.allowed, ",") != "OPTIONS,POST" {
		t.Fatalf("GET primary = %+v, want 405 allowing OPTIONS,POST", m)
	}
	m = rt.match(http.MethodGet, "/rest/applinks/latest/applicationlink/1234")
	if m.route == nil || m.params["id"] != "1234" || m.route.restBase != "/rest/applinks/latest" {
		t.Fatalf("GET by id = %+v", m)
	}
}
