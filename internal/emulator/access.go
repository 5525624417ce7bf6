package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// Authorisation (design/api.md §1.3) and XSRF (design/api.md §1.4): the access policies routes
// declare, the checks they are built from, and the REST module's XSRF
// filter.
//
// WebSudo is never required: the emulator has no cookie sessions, and the
// products skip WebSudo for requests authenticated by Basic auth or a
// personal access token. Inferred: a query login (os_username, users.go) is
// a session login in the products, which WebSudo would stop on a
// @WebSudoRequired resource unless WebSudo is disabled, as it is on the
// instances Atlassian's integration tests use it against; the emulator
// treats it as Basic auth.

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
	msgAllowlistNotAllowed    = "The current user is not allowed to change the whitelist."
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
	// allowlistManagerRequired is the whitelist plugin's PermissionChecker:
	// its NotAuthorizedException is a SecurityException, hence 401.
	allowlistManagerRequired = accessCheck{
		permits: func(ex *exchange) bool { return ex.user.isSysadmin() },
		refuse: func(ex *exchange) {
			writeMappedStatus(ex, newStatus(http.StatusUnauthorized, msgAllowlistNotAllowed))
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
	// allowlistManagerOnly is a whitelist mutation.
	allowlistManagerOnly = accessPolicy{
		filters:      []accessCheck{loginRequired},
		interceptors: []accessCheck{allowlistManagerRequired},
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

// ---- OAuth 2.0 access token scopes ----

// msgOAuth2ScopeTooLow is Inferred English for the provider's refusal of a
// request the token's scope does not cover.
const msgOAuth2ScopeTooLow = "The OAuth 2.0 access token's scope does not allow this request."

// tokenScopeForbids reports a request by a READ token that would change
// something (design/api.md §10.3); the rights above READ are capped in
// oauth2BearerUser.
func tokenScopeForbids(ex *exchange) bool {
	return ex.user != nil && ex.user.oauth2Scope == "READ" && isMutativeMethod(ex.r.Method)
}

func refuseTokenScope(ex *exchange) {
	writeMappedStatus(ex, newStatus(http.StatusForbidden, msgOAuth2ScopeTooLow))
}
