package emulator

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// The instance's outbound HTTP: what the applinks plugin sends to other
// servers (manifests, consumer info, online checks, reciprocal link calls),
// and the SSRF blocklist that guards the create-link wizard. Every caller
// passes the incoming request's context, so a client that gives up also
// cancels the calls made on its behalf.

// Timeouts of the products' SAL requests.
const (
	// peerTimeout is the 10 s connection and socket timeout of manifest
	// downloads and online checks (AppLinksManifestDownloader,
	// AppLinksManifestProducer).
	peerTimeout = 10 * time.Second
	// reciprocalLinkTimeout is the socket timeout of the reciprocal link
	// PUT (CREATE_APPLICATION_LINK_SOCKET_TIMEOUT).
	reciprocalLinkTimeout = 60 * time.Second
	// maxPeerBody bounds what the instance reads from a peer.
	maxPeerBody = 1 << 20
)

// peerClients are an instance's HTTP clients for calls to other servers.
// Like a product's JVM trust store, one set of trusted authorities applies
// to every outbound call of the instance.
type peerClients struct {
	// direct does not follow redirects: the manifest downloader sets
	// followRedirects(false) and reports a 3xx itself; reciprocal calls get
	// the same treatment (Inferred).
	direct *http.Client
	// online follows redirects like a default SAL request: a product's base
	// URL usually redirects to its dashboard.
	online *http.Client
}

// newPeerClients trusts rootCAs, or the system pool when nil. Connections
// are never reused: calls to peers are rare, and a pooled connection to an
// instance that has since stopped would outlive it.
func newPeerClients(rootCAs *x509.CertPool) peerClients {
	transport := &http.Transport{
		Proxy:             nil, // peers are addressed directly, like the products without a proxy configured
		DialContext:       (&net.Dialer{Timeout: peerTimeout}).DialContext,
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{RootCAs: rootCAs, MinVersion: tls.VersionTLS12},
	}
	return peerClients{
		direct: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		online: &http.Client{Transport: transport},
	}
}

// peerRequest is one call to another server.
type peerRequest struct {
	method string
	url    string
	// authorization is the Authorization header, if any.
	authorization string
	// accept and contentType set the headers of those names when non-empty.
	accept, contentType string
	body                []byte
	// readTimeout is how long the peer may take to answer once connected;
	// zero means peerTimeout. Inferred: it bounds the whole exchange rather
	// than each socket read.
	readTimeout time.Duration
}

// peerResponse is what the peer answered.
type peerResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r peerResponse) successful() bool { return r.status >= 200 && r.status < 300 }

// errPeerUnreachable wraps a transport failure (the products' IOException:
// refused, unknown host, timeout), as opposed to an answer the caller does
// not like.
type errPeerUnreachable struct{ err error }

func (e *errPeerUnreachable) Error() string { return e.err.Error() }
func (e *errPeerUnreachable) Unwrap() error { return e.err }

// callPeer sends req with client and reads the whole answer.
func callPeer(ctx context.Context, client *http.Client, req peerRequest) (peerResponse, error) {
	readTimeout := req.readTimeout
	if readTimeout == 0 {
		readTimeout = peerTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, peerTimeout+readTimeout)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return peerResponse{}, err
	}
	for name, value := range map[string]string{
		"Authorization": req.authorization,
		"Accept":        req.accept,
		"Content-Type":  req.contentType,
	} {
		if value != "" {
			httpReq.Header.Set(name, value)
		}
	}
	// Atlassian's own server-to-server calls always carry the XSRF bypass
	// (DefaultOAuthAutoConfigurator.createDefaultRequest).
	httpReq.Header.Set("X-Atlassian-Token", "no-check")
	resp, err := client.Do(httpReq)
	if err != nil {
		return peerResponse{}, &errPeerUnreachable{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPeerBody))
	if err != nil {
		return peerResponse{}, &errPeerUnreachable{err}
	}
	return peerResponse{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// basicAuthorization is the Authorization header for Basic credentials.
func basicAuthorization(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// peerURL appends a path to a peer's base URL (Uris.concatenate).
func peerURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}

// ---- Manifests ----

// errManifestRedirected is ManifestGotRedirectedException: the peer
// answered the manifest request with a 3xx and a Location.
type errManifestRedirected struct{ location string }

func (e *errManifestRedirected) Error() string { return "manifest got redirected to " + e.location }

// errManifestNotFound covers a non-200 answer or a body that is no
// manifest (ManifestNotFoundException without an IO cause).
var errManifestNotFound = errors.New("manifest not found")

// downloadManifest is AppLinksManifestDownloader.download: GET
// {base}/rest/applinks/1.0/manifest as JSON, without following redirects.
// Errors are *errManifestRedirected, *errPeerUnreachable or wrap
// errManifestNotFound.
func (p peerClients) downloadManifest(ctx context.Context, base string) (manifestEntity, error) {
	resp, err := callPeer(ctx, p.direct, peerRequest{
		method: http.MethodGet,
		url:    peerURL(base, "/rest/applinks/1.0/manifest"),
		accept: mediaTypeJSON,
	})
	switch {
	case err != nil:
		return manifestEntity{}, err
	case resp.status >= 300 && resp.status < 400:
		if location := resp.header.Get("Location"); location != "" {
			return manifestEntity{}, &errManifestRedirected{location: location}
		}
		return manifestEntity{}, fmt.Errorf("%w: redirect without Location", errManifestNotFound)
	case resp.status != http.StatusOK:
		return manifestEntity{}, fmt.Errorf("%w: status %d", errManifestNotFound, resp.status)
	}
	var manifest manifestEntity
	if err := json.Unmarshal(resp.body, &manifest); err != nil {
		return manifestEntity{}, fmt.Errorf("%w: %v", errManifestNotFound, err)
	}
	// The id goes through ApplicationIdAdapter, which rejects non-UUIDs.
	if !isApplicationID(manifest.ID) {
		return manifestEntity{}, fmt.Errorf("%w: invalid id %q", errManifestNotFound, manifest.ID)
	}
	return manifest, nil
}

// synthesisedManifest is what AppLinksManifestProducer makes up for a peer
// whose manifest cannot be downloaded (design/api.md §9.2): the id derives from
// the URL, so the link works offline but carries a URL-based id.
func synthesisedManifest(rawURL string, t linkType) manifestEntity {
	return manifestEntity{
		ID:     GenerateApplicationID(rawURL),
		Name:   t.name,
		TypeID: t.typeID,
		URL:    rawURL,
	}
}

// manifestFor is ManifestRetriever.getManifest(url, type): the downloaded
// manifest when it is of the expected type, else a synthesised one. It
// never fails. Generic links never download anything.
func (p peerClients) manifestFor(ctx context.Context, rawURL string, t linkType) manifestEntity {
	if t.typeID != genericTypeID {
		if manifest, err := p.downloadManifest(ctx, rawURL); err == nil && manifest.TypeID == t.typeID {
			return manifest
		}
	}
	return synthesisedManifest(rawURL, t)
}

// peerAvailable is the "online" check (AppLinksManifestProducer.getStatus):
// GET on the URL itself; any 2xx means available.
func (p peerClients) peerAvailable(ctx context.Context, rawURL string) bool {
	resp, err := callPeer(ctx, p.online, peerRequest{method: http.MethodGet, url: rawURL})
	return err == nil && resp.successful()
}

// ---- Consumer info and admin checks ----

// fetchConsumerInfo is ConsumerInformationHelper.fetchConsumerInformation:
// the peer's OAuth consumer from its anonymous consumer-info servlet.
func (p peerClients) fetchConsumerInfo(ctx context.Context, rpcURL string) (storedConsumer, error) {
	resp, err := callPeer(ctx, p.direct, peerRequest{
		method: http.MethodGet,
		url:    peerURL(rpcURL, "/plugins/servlet/oauth/consumer-info"),
	})
	if err != nil {
		return storedConsumer{}, err
	}
	if resp.status != http.StatusOK {
		return storedConsumer{}, fmt.Errorf("consumer info: status %d", resp.status)
	}
	if contentType := resp.header.Get("Content-Type"); !strings.HasPrefix(contentType, mediaTypeXML) {
		return storedConsumer{}, fmt.Errorf("consumer info: content type %q", contentType)
	}
	var info consumerInfo
	if err := xml.Unmarshal(resp.body, &info); err != nil {
		return storedConsumer{}, fmt.Errorf("consumer info: %w", err)
	}
	if info.Key == "" || info.PublicKey == "" {
		return storedConsumer{}, errors.New("consumer info: no key or public key")
	}
	return storedConsumer{
		Key:             info.Key,
		Name:            info.Name,
		Description:     info.Description,
		SignatureMethod: "RSA_SHA1",
		PublicKey:       info.PublicKey,
	}, nil
}

// isAdminOnPeer is isAdminUserInRemoteApplication: the credentials are an
// admin on the peer when its authenticationinfo resource answers 2xx.
func (p peerClients) isAdminOnPeer(ctx context.Context, base, username, password string) (bool, error) {
	resp, err := callPeer(ctx, p.direct, peerRequest{
		method:        http.MethodGet,
		url:           peerURL(base, "/rest/applinks/1.0/authenticationinfo"),
		authorization: basicAuthorization(username, password),
		accept:        mediaTypeJSON,
	})
	if err != nil {
		return false, err
	}
	return resp.successful(), nil
}

// ---- SSRF blocklist ----

// Errors of checkHostAllowed, mapped by the caller to 403 and 400.
var (
	errHostBlocked = errors.New("host restricted")
	errHostInvalid = errors.New("host invalid")
)

// blockedHostPatterns are RequestUtil.BLOCKED_HOSTS_REGEX, matched against
// Java's textual form of the resolved address (the unescaped dots of the
// first pattern are the product's).
var blockedHostPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^0.0.0.0$`),
	regexp.MustCompile(`^169.254.\d{1,3}\.\d{1,3}$`),
	regexp.MustCompile(`^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$`),
	regexp.MustCompile(`^0:0:0:0:0:0:[a-z0-9]{1,4}:[a-z0-9]{1,4}$`),
}

// AllowAllHosts reports whether the SSRF blocklist of the create-link
// wizard is lifted, like -Dapplinks.allow.all.hosts=true.
func (i *Instance) AllowAllHosts() bool { return i.opts.AllowAllHosts }

// checkHostAllowed is RequestUtil.validateUriAgainstBlocklist: it resolves
// the URL's host and refuses the local host's address and the loopback,
// link-local and unspecified ranges. A URL without a host resolves, as in
// Java's InetAddress.getByName(null), to the loopback and is refused too.
func (i *Instance) checkHostAllowed(ctx context.Context, rawURL string) error {
	if i.AllowAllHosts() {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return errHostInvalid
	}
	address := "127.0.0.1"
	if host := u.Hostname(); host != "" {
		if address, err = firstAddress(ctx, host); err != nil {
			return errHostInvalid
		}
	}
	if local, err := localHostAddress(ctx); err == nil && local == address {
		return errHostBlocked
	}
	for _, pattern := range blockedHostPatterns {
		if pattern.MatchString(address) {
			return errHostBlocked
		}
	}
	return nil
}

// firstAddress resolves host like InetAddress.getByName: the first address,
// in Java's textual form.
func firstAddress(ctx context.Context, host string) (string, error) {
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("no address for %s", host)
	}
	return javaHostAddress(addrs[0].IP), nil
}

// localHostAddress is InetAddress.getLocalHost().getHostAddress(): the
// first address of the machine's host name.
func localHostAddress(ctx context.Context) (string, error) {
	name, err := os.Hostname()
	if err != nil {
		return "", err
	}
	return firstAddress(ctx, name)
}

// javaHostAddress formats an IP like InetAddress.getHostAddress: dotted
// IPv4, or eight uncompressed hexadecimal IPv6 groups.
func javaHostAddress(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	groups := make([]string, 8)
	for g := range groups {
		groups[g] = fmt.Sprintf("%x", uint16(ip[2*g])<<8|uint16(ip[2*g+1]))
	}
	return strings.Join(groups, ":")
}
