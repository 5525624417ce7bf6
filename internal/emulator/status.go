package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// A link's health (design/api.md §5.2), computed the way
// DefaultApplinkStatusService does it, from real HTTP calls to the peer:
// its manifest (for the applinks version) and its anonymous
// status/{localServerId}/oauth, with the URL-derived fallback id. Network failures are translated into the
// products' error taxonomy (NetworkErrorTranslator).
//
// Inferred simplifications, each noted where it applies:
//   - every emulated product has the STATUS_API capability, so the remote
//     OAuth status is always read through the anonymous status API; the
//     legacy authenticated strategies for applinks 4.x/5.x peers (and the
//     NO_OUTGOING_AUTH error only they raise) are not modelled;
//   - step 9, the real two-legged OAuth test request, is skipped: the
//     emulator does not sign requests, so a link that passes steps 1 to 8 is
//     working;
//   - the instance holds no system administrator token for its peers, so
//     the LEGACY_UPDATE and LEGACY_REMOVAL types (which need one) are never
//     reported, only their MANUAL_* forms.

// Error categories and types (ApplinkErrorCategory, ApplinkErrorType).
const (
	categoryUnknown      = "UNKNOWN"
	categoryIncompatible = "INCOMPATIBLE"
	categoryNonAtlassian = "NON_ATLASSIAN"
	categorySystem       = "SYSTEM"
	categoryNetwork      = "NETWORK_ERROR"
	categoryConfig       = "CONFIG_ERROR"
	categoryDeprecated   = "DEPRECATED"
	categoryDisabled     = "DISABLED"
)

// errorCategories maps each error type the emulator reports to its
// category; the types of the taxonomy it never produces (OAuth problems,
// access errors) are left out.
var errorCategories = map[string]string{
	"UNKNOWN":                     categoryUnknown,
	"REMOTE_VERSION_INCOMPATIBLE": categoryIncompatible,
	"GENERIC_LINK":                categoryNonAtlassian,
	"NON_ATLASSIAN":               categoryNonAtlassian,
	"SYSTEM_LINK":                 categorySystem,
	"CONNECTION_REFUSED":          categoryNetwork,
	"UNKNOWN_HOST":                categoryNetwork,
	"SSL_UNTRUSTED":               categoryNetwork,
	"SSL_HOSTNAME_UNMATCHED":      categoryNetwork,
	"UNEXPECTED_RESPONSE":         categoryNetwork,
	"UNEXPECTED_RESPONSE_STATUS":  categoryNetwork,
	"NO_REMOTE_APPLINK":           categoryConfig,
	"AUTH_LEVEL_MISMATCH":         categoryConfig,
	"AUTH_LEVEL_UNSUPPORTED":      categoryDeprecated,
	"MANUAL_LEGACY_UPDATE":        categoryDeprecated,
	"MANUAL_LEGACY_REMOVAL":       categoryDeprecated,
	"LEGACY_REMOVAL":              categoryDeprecated,
	"DISABLED":                    categoryDisabled,
}

// minimumApplinksVersion is DefaultApplinkStatusValidationService.MIN_VERSION.
var minimumApplinksVersion = [3]int{4, 0, 13}

// msgAuthorisationCallback is the [SRC] text of a relative callback.
const msgAuthorisationCallback = "authorisationCallback must be absolute"

// restMinimalApplicationLink is RestMinimalApplicationLink.
type restMinimalApplicationLink struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	DisplayURL string `json:"displayUrl"`
	RPCURL     string `json:"rpcUrl"`
	Type       string `json:"type"`
}

// restApplinkError is RestApplinkError: details is null (omitted) for the
// errors that carry none.
type restApplinkError struct {
	Category string  `json:"category"`
	Type     string  `json:"type"`
	Details  *string `json:"details,omitzero"`
}

// restApplinkStatus is RestApplinkStatus: remoteAuthentication is omitted
// when it could not be fetched, error when the link works.
type restApplinkStatus struct {
	Link                 restMinimalApplicationLink `json:"link"`
	Working              bool                       `json:"working"`
	LocalAuthentication  applinkOAuthStatus         `json:"localAuthentication"`
	RemoteAuthentication *applinkOAuthStatus        `json:"remoteAuthentication,omitzero"`
	Error                *restApplinkError          `json:"error,omitzero"`
}

// applinkError is an ApplinkError: a type of the taxonomy and its details
// ("" for null).
type applinkError struct {
	errorType string
	details   string
}

func (e *applinkError) Error() string { return e.errorType + ": " + e.details }

func (e *applinkError) category() string {
	if c, ok := errorCategories[e.errorType]; ok {
		return c
	}
	return categoryUnknown
}

func (e *applinkError) rest() *restApplinkError {
	r := &restApplinkError{Category: e.category(), Type: e.errorType}
	if e.details != "" {
		details := e.details
		r.Details = &details
	}
	return r
}

// getApplinkStatus is ApplinkStatusResource.getStatus: id syntax (400,
// bare RestErrors), callback (400), admin (401/403), link (404), then a
// 200 whatever the link's health.
func getApplinkStatus(ex *exchange) {
	id := ex.param("id")
	if !isApplicationID(id) {
		thrown(ex)
		writeRestErrors(ex, http.StatusBadRequest, restError{Summary: fmt.Sprintf(msgInvalidApplicationID, id)})
		return
	}
	if query := ex.r.URL.Query(); query.Has("authorisationCallback") {
		if u, err := url.Parse(query.Get("authorisationCallback")); err != nil || !u.IsAbs() {
			thrown(ex)
			writeRestErrors(ex, http.StatusBadRequest, restError{Context: "authorisationCallback", Summary: msgAuthorisationCallback})
			return
		}
	}
	for _, check := range []accessCheck{v3LoginRequired, v3AdminRequired} {
		if !check.permits(ex) {
			thrown(ex)
			check.refuse(ex)
			return
		}
	}
	link, ok := ex.inst.link(id)
	if !ok {
		writeServiceError(ex, http.StatusNotFound, "NoSuchApplinkException", fmt.Sprintf(msgV3NoSuchApplink, id))
		return
	}
	writeEntity(ex, http.StatusOK, ex.inst.applinkStatus(ex.r.Context(), link))
}

// applinkStatus is getApplinkStatus past the permission check.
func (i *Instance) applinkStatus(ctx context.Context, link storedLink) restApplinkStatus {
	status := restApplinkStatus{
		Link: restMinimalApplicationLink{
			ID: link.ID, Name: link.Name, DisplayURL: link.DisplayURL, RPCURL: link.RPCURL, Type: link.TypeID,
		},
		LocalAuthentication: applinkOAuthStatus{Incoming: incomingLevel(link), Outgoing: outgoingLevel(link)},
	}
	remote, err := i.evaluateLink(ctx, link, status.LocalAuthentication)
	status.RemoteAuthentication = remote
	if err == nil {
		status.Working = true
		return status
	}
	if err.category() == categoryDisabled {
		// DefaultApplinkStatus.disabled reports both sides as off.
		status.LocalAuthentication = applinkOAuthStatus{}
		status.RemoteAuthentication = &applinkOAuthStatus{}
	}
	status.Error = err.rest()
	return status
}

// evaluateLink runs the checks in the product's order and returns the
// remote OAuth status when it got that far, and the first error.
func (i *Instance) evaluateLink(ctx context.Context, link storedLink, local applinkOAuthStatus) (*applinkOAuthStatus, *applinkError) {
	// checkLocalCompatibility (DefaultApplinkCompatibilityVerifier).
	switch t, ok := linkTypeByID(link.TypeID); {
	case link.System:
		return nil, &applinkError{errorType: "SYSTEM_LINK"}
	case t.typeID == genericTypeID:
		return nil, &applinkError{errorType: "GENERIC_LINK"}
	case !ok:
		return nil, &applinkError{errorType: "NON_ATLASSIAN"}
	}
	client := i.peers.direct
	// checkVersionCompatibility: a manifest that cannot be read leaves the
	// version unknown, which passes, as the capabilities' own error does.
	if manifest, err := i.peers.downloadManifest(ctx, link.RPCURL); err == nil && applinksVersionTooOld(manifest.ApplinksVersion) {
		return nil, &applinkError{errorType: "REMOTE_VERSION_INCOMPATIBLE"}
	}
	remote, err := i.fetchRemoteOAuthStatus(ctx, client, link)
	if err != nil {
		return nil, err
	}
	for _, config := range []oauthConfig{local.Incoming, local.Outgoing, remote.Incoming, remote.Outgoing} {
		if config.Enabled && !config.TwoLoEnabled {
			return remote, &applinkError{errorType: "AUTH_LEVEL_UNSUPPORTED"}
		}
	}
	if local.Incoming != remote.Outgoing || local.Outgoing != remote.Incoming {
		return remote, &applinkError{errorType: "AUTH_LEVEL_MISMATCH"}
	}
	if err := checkLegacyAuthentication(link, local); err != nil {
		return remote, err
	}
	if local == (applinkOAuthStatus{}) && *remote == (applinkOAuthStatus{}) {
		return remote, &applinkError{errorType: "DISABLED"}
	}
	// Step 9, the two-legged OAuth test request, is skipped (see above).
	return remote, nil
}

// checkLegacyAuthentication is the legacy check for what the emulator
// stores: outgoing Basic or Trusted Applications providers. Without a
// sysadmin token for the peer, OAuth configured in both directions makes
// it a removal (LEGACY_REMOVAL when only Basic is left, which the product
// can remove itself), otherwise an update.
func checkLegacyAuthentication(link storedLink, local applinkOAuthStatus) *applinkError {
	_, basic := link.outgoingProvider(providerBasic)
	_, trusted := link.outgoingProvider(providerTrustedApps)
	switch {
	case !basic && !trusted:
		return nil
	case !local.Incoming.Enabled || !local.Outgoing.Enabled:
		return &applinkError{errorType: "MANUAL_LEGACY_UPDATE"}
	case basic && !trusted:
		return &applinkError{errorType: "LEGACY_REMOVAL"}
	default:
		return &applinkError{errorType: "MANUAL_LEGACY_REMOVAL"}
	}
}

// fetchRemoteOAuthStatus is StatusApiOAuthFetchStrategy under
// DefaultRemoteOAuthStatusService: the peer's anonymous OAuth status of
// its link to this instance's server id, then to the id derived from this
// instance's base URL (what the peer has when it linked to us without our
// manifest); 404 to both is NO_REMOTE_APPLINK.
func (i *Instance) fetchRemoteOAuthStatus(ctx context.Context, client *http.Client, link storedLink) (*applinkOAuthStatus, *applinkError) {
	for _, localID := range []string{i.serverID, GenerateApplicationID(i.URL())} {
		resp, err := callPeer(ctx, client, peerRequest{
			method: http.MethodGet,
			url:    peerURL(link.RPCURL, "/rest/applinks/3.0/status/"+localID+"/oauth"),
			accept: mediaTypeJSON,
		})
		switch {
		case err != nil:
			return nil, translateNetworkError(err)
		case resp.status == http.StatusNotFound:
			continue
		case resp.status != http.StatusOK:
			// ResponsePreconditions.checkStatus(OK, NOT_FOUND). Inferred: the
			// details are the status line HttpUtils.toStatusString renders.
			return nil, &applinkError{errorType: "UNEXPECTED_RESPONSE_STATUS",
				details: strconv.Itoa(resp.status) + " " + http.StatusText(resp.status)}
		}
		var remote applinkOAuthStatus
		if err := json.Unmarshal(resp.body, &remote); err != nil {
			// ResponseContentException: UnexpectedResponseError has no details.
			return nil, &applinkError{errorType: "UNEXPECTED_RESPONSE"}
		}
		remote = applinkOAuthStatus{Incoming: remote.Incoming.normalised(), Outgoing: remote.Outgoing.normalised()}
		return &remote, nil
	}
	// NoRemoteApplinkException has no details.
	return nil, &applinkError{errorType: "NO_REMOTE_APPLINK"}
}

// translateNetworkError is NetworkErrorTranslator for Go's transport
// errors. The details are what ApplinkErrors.toDetails prints for the Java
// exception the product would have met ("<class>: <message>"). Inferred:
// the Java messages are those of a JDK 17 product with Apache HttpClient.
func translateNetworkError(err error) *applinkError {
	var (
		dnsErr       *net.DNSError
		unknownCA    x509.UnknownAuthorityError
		wrongHost    x509.HostnameError
		invalidCert  x509.CertificateInvalidError
		verification *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &applinkError{errorType: "CONNECTION_REFUSED", details: "java.net.ConnectException: Connection refused"}
	case errors.As(err, &dnsErr):
		return &applinkError{errorType: "UNKNOWN_HOST", details: "java.net.UnknownHostException: " + dnsErr.Name}
	case errors.As(err, &unknownCA):
		return &applinkError{errorType: "SSL_UNTRUSTED", details: "javax.net.ssl.SSLHandshakeException: PKIX path building failed: " +
			"sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target"}
	case errors.As(err, &wrongHost):
		names := wrongHost.Certificate.DNSNames
		for _, ip := range wrongHost.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		return &applinkError{errorType: "SSL_HOSTNAME_UNMATCHED", details: fmt.Sprintf(
			"javax.net.ssl.SSLPeerUnverifiedException: Certificate for <%s> doesn't match any of the subject alternative names: [%s]",
			wrongHost.Host, strings.Join(names, ", "))}
	case errors.As(err, &invalidCert), errors.As(err, &verification):
		// Java fails any other certificate path check during the handshake
		// too (an expired certificate, say), so it is SSL_UNTRUSTED as well;
		// SSL_UNMATCHED, for SSLExceptions outside the handshake, has no Go
		// counterpart.
		return &applinkError{errorType: "SSL_UNTRUSTED", details: "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: " +
			"java.security.cert.CertPathValidatorException: validity check failed"}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return &applinkError{errorType: "UNKNOWN", details: "java.net.SocketTimeoutException: Read timed out"}
	}
	return &applinkError{errorType: "UNKNOWN", details: "java.io.IOException: " + err.Error()}
}

// applinksVersionTooOld compares an OSGi version ("9.1.4", "4.0.12-m1")
// with minimumApplinksVersion; an empty or unparsable version is unknown,
// never too old.
func applinksVersionTooOld(version string) bool {
	if version == "" {
		return false
	}
	parts := strings.SplitN(version, ".", 4)
	var v [3]int
	for n := 0; n < 3 && n < len(parts); n++ {
		digits := parts[n]
		if end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			digits = digits[:end]
		}
		parsed, err := strconv.Atoi(digits)
		if err != nil {
			return false
		}
		v[n] = parsed
	}
	return slices.Compare(v[:], minimumApplinksVersion[:]) < 0
}
