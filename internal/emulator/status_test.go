package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tlsTestCA issues certificates for TLS instances; nothing trusts it unless a
// test puts its pool into Options.PeerRootCAs.
type tlsTestCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTLSTestCA(t *testing.T) *tlsTestCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Applinks Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tlsTestCA{cert: cert, key: key, pool: pool}
}

// issue returns a server certificate for the names and addresses, valid
// until notAfter.
func (ca *tlsTestCA) issue(t *testing.T, dnsNames []string, ips []net.IP, notAfter time.Time) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "peer"},
		NotBefore:    time.Now().Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

var loopbackIPs = []net.IP{net.ParseIP("127.0.0.1")}

// setLocalLevels sets a link's OAuth levels in the store, without the
// consumer-info exchange, for links to fake peers.
func setLocalLevels(t *testing.T, inst *Instance, id string, incoming, outgoing oauthConfig) {
	t.Helper()
	err := inst.store.Update(func(st *state) error {
		l := st.linkByID(id)
		l.IncomingConsumer = nil
		if incoming.Enabled {
			l.IncomingConsumer = &storedConsumer{Key: "peer:1", Name: "Peer", SignatureMethod: "RSA_SHA1",
				TwoLOAllowed: incoming.TwoLoEnabled, TwoLOImpersonationAllowed: incoming.TwoLoImpersonationEnabled}
		}
		for class, on := range map[string]bool{
			providerOAuth: outgoing.Enabled, providerTwoLeggedOAuth: outgoing.TwoLoEnabled,
			providerTwoLeggedImpersonation: outgoing.TwoLoImpersonationEnabled,
		} {
			if on {
				registerProvider(l, class, map[string]string{})
			} else {
				unregisterProvider(l, class)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editStoredLink changes a stored link directly, for what no API can do (system
// links, types the plugin does not install).
func editStoredLink(t *testing.T, inst *Instance, id string, edit func(*storedLink)) {
	t.Helper()
	if err := inst.store.Update(func(st *state) error { edit(st.linkByID(id)); return nil }); err != nil {
		t.Fatal(err)
	}
}

// putLinkLevels sets a link's levels through the v3 PUT, as an administrator
// would, including the consumer-info exchange with the peer.
func putLinkLevels(t *testing.T, inst *Instance, id, levels string) {
	t.Helper()
	expect(t, inst.URL(), jsonCall(http.MethodPut, "/rest/applinks/3.0/status/"+id+"/oauth", "admin", levels), http.StatusNoContent)
}

const (
	levelsOAuth    = `{"incoming":{"enabled":true,"twoLoEnabled":true},"outgoing":{"enabled":true,"twoLoEnabled":true}}`
	wireOff        = `{"enabled":false,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	wire3LO        = `{"enabled":true,"twoLoEnabled":false,"twoLoImpersonationEnabled":false}`
	wire2LO        = `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":false}`
	wire2LOi       = `{"enabled":true,"twoLoEnabled":true,"twoLoImpersonationEnabled":true}`
	statusBodyHead = `{"link":{"id":"%s","name":"%s","displayUrl":"%s","rpcUrl":"%s","type":"%s"},`
)

func wireLevels(incoming, outgoing string) string {
	return `{"incoming":` + incoming + `,"outgoing":` + outgoing + `}`
}

var (
	statusOff = oauthConfig{}
	status3LO = oauthConfig{Enabled: true}
	status2LO = oauthConfig{Enabled: true, TwoLoEnabled: true}
)

func statusPath(id string) string { return "/rest/applinks/3.0/status/" + id }

func TestApplinkStatusRequestChecks(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")
	id := createLink(t, jira, linkBody("confluence", "Wiki", closedURL(t)))
	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{"malformed id", jsonCall(http.MethodGet, statusPath("nope"), "admin", ""), http.StatusBadRequest,
			`^\{"status":400,"errors":\[\{"summary":"id must be a valid java.util.UUID string: nope"\}\]\}$`},
		{"relative callback", jsonCall(http.MethodGet, statusPath(id)+"?authorisationCallback=/back", "admin", ""), http.StatusBadRequest,
			`"summary":"authorisationCallback must be absolute","context":"authorisationCallback"`},
		{"callback checked before the user", jsonCall(http.MethodGet, statusPath(id)+"?authorisationCallback=back", "", ""), http.StatusBadRequest, `must be absolute`},
		{"anonymous", jsonCall(http.MethodGet, statusPath(id), "", ""), http.StatusUnauthorized, `NotAuthenticatedException`},
		{"not an admin", jsonCall(http.MethodGet, statusPath(id), "user", ""), http.StatusForbidden, `PermissionException`},
		{"permission before existence", jsonCall(http.MethodGet, statusPath("00000000-0000-4000-8000-000000000000"), "user", ""), http.StatusForbidden, `PermissionException`},
		{"unknown link", jsonCall(http.MethodGet, statusPath("00000000-0000-4000-8000-000000000000"), "manager", ""), http.StatusNotFound, `NoSuchApplinkException`},
		{"broken link is still a 200", jsonCall(http.MethodGet, statusPath(id)+"?authorisationCallback=https://jira.example.com/back", "manager", ""), http.StatusOK, `"working":false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expect(t, jira.URL(), tt.req, tt.wantStatus)
			if !regexp.MustCompile(tt.wantBody).MatchString(body) {
				t.Errorf("body %s does not match %s", body, tt.wantBody)
			}
		})
	}
}

// A two-way link between two instances, found under the peer's server id or
// under the fallback id derived from this instance's URL.
func TestApplinkStatusWorking(t *testing.T) {
	jira := startTestServer(t, Options{}, nil, loopback("jira", "jira")).Instance("jira")
	wikiSrv := startTestServer(t, Options{Control: true}, nil, loopback("wiki", "confluence"), loopback("docs", "confluence"))
	wiki, docs := wikiSrv.Instance("wiki"), wikiSrv.Instance("docs")

	id := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	back := createLink(t, wiki, linkBody("jira", "Jira", jira.URL(), `"id":"`+jira.ServerID()+`"`))
	putLinkLevels(t, jira, id, levelsOAuth)
	putLinkLevels(t, wiki, back, levelsOAuth)

	body := expect(t, jira.URL(), jsonCall(http.MethodGet, statusPath(id), "admin", ""), http.StatusOK)
	want := statusJSONf(statusBodyHead, id, "Wiki", wiki.URL(), wiki.URL(), "confluence") +
		`"working":true,"localAuthentication":` + wireLevels(wire2LO, wire2LO) +
		`,"remoteAuthentication":` + wireLevels(wire2LO, wire2LO) + `}`
	if body != want {
		t.Errorf("status\n got %s\nwant %s", body, want)
	}
	// The answer came from the peer itself, anonymously, under our server id.
	_, counts := send(t, wiki.URL(), testRequest{path: "/_emulator/requests"})
	if !strings.Contains(counts, `"GET /rest/applinks/3.0/status/`+jira.ServerID()+`/oauth":1`) {
		t.Errorf("the peer did not serve the OAuth status once: %s", counts)
	}

	// docs links back under the id derived from jira's URL, as a peer that
	// linked without jira's manifest does.
	fallback := GenerateApplicationID(jira.URL())
	docsID := createLink(t, jira, linkBody("confluence", "Docs", docs.URL(), `"id":"`+docs.ServerID()+`"`))
	createLink(t, docs, linkBody("jira", "Jira", jira.URL(), `"id":"`+fallback+`"`))
	body = expect(t, jira.URL(), jsonCall(http.MethodGet, statusPath(docsID), "admin", ""), http.StatusOK)
	if !strings.Contains(body, `"error":{"category":"DISABLED","type":"DISABLED"}`) {
		t.Errorf("fallback id: %s", body)
	}
	_, counts = send(t, docs.URL(), testRequest{path: "/_emulator/requests"})
	for _, localID := range []string{jira.ServerID(), fallback} {
		if !strings.Contains(counts, `"GET /rest/applinks/3.0/status/`+localID+`/oauth":1`) {
			t.Errorf("the peer was not asked under %s: %s", localID, counts)
		}
	}
}

// Every error type the emulator reports, against real instances, TLS
// instances and fake peers, with the body shape of design/api.md §5.2.
func TestApplinkStatusErrors(t *testing.T) {
	trusted, untrusted := newTLSTestCA(t), newTLSTestCA(t)
	jira := startTestServer(t, Options{PeerRootCAs: trusted.pool}, nil, loopback("jira", "jira")).Instance("jira")
	peers := startTestServer(t, Options{}, nil, loopback("lonely", "confluence"), loopback("mirror", "confluence"))
	tlsPeers := startTestServer(t, Options{}, nil,
		InstanceConfig{Name: "good", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: trusted.issue(t, nil, loopbackIPs, time.Now().Add(time.Hour))},
		InstanceConfig{Name: "selfsigned", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: untrusted.issue(t, nil, loopbackIPs, time.Now().Add(time.Hour))},
		InstanceConfig{Name: "misnamed", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: trusted.issue(t, []string{"wiki.example.com"}, nil, time.Now().Add(time.Hour))},
		InstanceConfig{Name: "expired", Type: "confluence", Addr: "127.0.0.1:0", TLSCert: trusted.issue(t, nil, loopbackIPs, time.Now().Add(-time.Hour))},
	)
	oauthPath := "GET /rest/applinks/3.0/status/" + jira.ServerID() + "/oauth"
	fake := func(status int, contentType, body string, extra map[string]fakeAnswer) string {
		answers := map[string]fakeAnswer{oauthPath: {status: status, contentType: contentType, body: body}}
		for k, v := range extra {
			answers[k] = v
		}
		return newFakePeer(t, answers).URL
	}
	remoteLevels := func(incoming, outgoing string) string {
		return fake(http.StatusOK, "application/json", wireLevels(incoming, outgoing), nil)
	}

	// A peer that links back and answers the mirrored levels, for the checks
	// that follow a successful fetch.
	mirror := peers.Instance("mirror")
	type scenario struct {
		name     string
		typeID   string
		rpcURL   string
		setup    func(id string)
		wantType string
		// wantDetails matches the details; "" means none.
		wantDetails string
		// wantRemote is the remoteAuthentication JSON; "" means omitted.
		wantRemote string
		// wantLocal overrides the expected localAuthentication JSON.
		wantLocal string
	}
	scenarios := []scenario{
		{name: "system link", typeID: "confluence", rpcURL: mirror.URL(), wantType: "SYSTEM_LINK",
			setup: func(id string) { editStoredLink(t, jira, id, func(l *storedLink) { l.System = true }) }},
		{name: "generic link", typeID: "generic", rpcURL: "http://ci.example.com", wantType: "GENERIC_LINK"},
		{name: "type not installed", typeID: "confluence", rpcURL: "http://refapp.example.com", wantType: "NON_ATLASSIAN",
			setup: func(id string) { editStoredLink(t, jira, id, func(l *storedLink) { l.TypeID = "refapp" }) }},
		{name: "old applinks", typeID: "confluence", wantType: "REMOTE_VERSION_INCOMPATIBLE",
			rpcURL: fake(http.StatusOK, "application/json", wireLevels(wireOff, wireOff), map[string]fakeAnswer{
				"GET /rest/applinks/1.0/manifest": {status: 200, contentType: "application/json",
					body: `{"id":"11111111-2222-4333-8444-555555555555","typeId":"confluence","applinksVersion":"4.0.12"}`},
			})},
		{name: "connection refused", typeID: "confluence", rpcURL: closedURL(t), wantType: "CONNECTION_REFUSED",
			wantDetails: `^java\.net\.ConnectException: Connection refused$`},
		{name: "unknown host", typeID: "confluence", rpcURL: "http://applinks-peer.invalid", wantType: "UNKNOWN_HOST",
			wantDetails: `^java\.net\.UnknownHostException: applinks-peer\.invalid$`},
		{name: "untrusted certificate", typeID: "confluence", rpcURL: tlsPeers.Instance("selfsigned").URL(), wantType: "SSL_UNTRUSTED",
			wantDetails: `^javax\.net\.ssl\.SSLHandshakeException: PKIX path building failed`},
		{name: "certificate for another host", typeID: "confluence", rpcURL: tlsPeers.Instance("misnamed").URL(), wantType: "SSL_HOSTNAME_UNMATCHED",
			wantDetails: `^javax\.net\.ssl\.SSLPeerUnverifiedException: Certificate for <127\.0\.0\.1> doesn't match any of the subject alternative names: \[wiki\.example\.com\]$`},
		{name: "expired certificate", typeID: "confluence", rpcURL: tlsPeers.Instance("expired").URL(), wantType: "SSL_UNTRUSTED",
			wantDetails: `^javax\.net\.ssl\.SSLHandshakeException: PKIX path validation failed: .*validity check failed$`},
		{name: "unexpected status", typeID: "confluence", rpcURL: fake(http.StatusServiceUnavailable, "text/html", "<html>down</html>", nil),
			wantType: "UNEXPECTED_RESPONSE_STATUS", wantDetails: `^503 Service Unavailable$`},
		{name: "redirect is not followed", typeID: "confluence", rpcURL: fake(http.StatusFound, "", "", nil),
			wantType: "UNEXPECTED_RESPONSE_STATUS", wantDetails: `^302 Found$`},
		{name: "unparsable answer", typeID: "confluence", rpcURL: fake(http.StatusOK, "text/html", "<html>login</html>", nil),
			wantType: "UNEXPECTED_RESPONSE"},
		{name: "no link back", typeID: "confluence", rpcURL: peers.Instance("lonely").URL(), wantType: "NO_REMOTE_APPLINK"},
		{name: "local three-legged only", typeID: "confluence", rpcURL: remoteLevels(wire3LO, wire3LO), wantType: "AUTH_LEVEL_UNSUPPORTED",
			setup:      func(id string) { setLocalLevels(t, jira, id, status3LO, status3LO) },
			wantLocal:  wireLevels(wire3LO, wire3LO),
			wantRemote: wireLevels(wire3LO, wire3LO)},
		{name: "remote three-legged only", typeID: "confluence", rpcURL: remoteLevels(wire2LO, wire3LO), wantType: "AUTH_LEVEL_UNSUPPORTED",
			setup:      func(id string) { setLocalLevels(t, jira, id, status2LO, status2LO) },
			wantLocal:  wireLevels(wire2LO, wire2LO),
			wantRemote: wireLevels(wire2LO, wire3LO)},
		{name: "levels do not mirror", typeID: "confluence", rpcURL: remoteLevels(wire2LOi, wire2LO), wantType: "AUTH_LEVEL_MISMATCH",
			setup:      func(id string) { setLocalLevels(t, jira, id, status2LO, status2LO) },
			wantLocal:  wireLevels(wire2LO, wire2LO),
			wantRemote: wireLevels(wire2LOi, wire2LO)},
		{name: "legacy basic without OAuth", typeID: "confluence", rpcURL: remoteLevels(wireOff, wireOff), wantType: "MANUAL_LEGACY_UPDATE",
			setup: func(id string) {
				editStoredLink(t, jira, id, func(l *storedLink) { registerProvider(l, providerBasic, map[string]string{"username": "u"}) })
			},
			wantRemote: wireLevels(wireOff, wireOff)},
		{name: "legacy basic next to OAuth", typeID: "confluence", rpcURL: remoteLevels(wire2LO, wire2LO), wantType: "LEGACY_REMOVAL",
			setup: func(id string) {
				setLocalLevels(t, jira, id, status2LO, status2LO)
				editStoredLink(t, jira, id, func(l *storedLink) { registerProvider(l, providerBasic, map[string]string{"username": "u"}) })
			},
			wantLocal:  wireLevels(wire2LO, wire2LO),
			wantRemote: wireLevels(wire2LO, wire2LO)},
		{name: "both sides off", typeID: "confluence", rpcURL: remoteLevels(wireOff, wireOff), wantType: "DISABLED",
			wantRemote: wireLevels(wireOff, wireOff)},
		{name: "normalised remote levels", typeID: "confluence", rpcURL: remoteLevels(`{"enabled":false,"twoLoEnabled":true}`, `{"enabled":false}`),
			wantType: "DISABLED", wantRemote: wireLevels(wireOff, wireOff)},
	}
	for i, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			id := createLink(t, jira, linkBody(sc.typeID, "Peer "+string(rune('A'+i)), sc.rpcURL))
			if sc.setup != nil {
				sc.setup(id)
			}
			body := expect(t, jira.URL(), jsonCall(http.MethodGet, statusPath(id), "admin", ""), http.StatusOK)
			var got struct {
				Link struct {
					ID, Type string
				}
				Working              bool
				LocalAuthentication  json.RawMessage
				RemoteAuthentication json.RawMessage
				Error                *struct {
					Category, Type string
					Details        *string
				}
			}
			decodeJSON(t, body, &got)
			switch {
			case got.Working || got.Error == nil:
				t.Fatalf("working: %s", body)
			case got.Error.Type != sc.wantType || got.Error.Category != errorCategories[sc.wantType]:
				t.Errorf("error %s/%s, want %s/%s: %s", got.Error.Category, got.Error.Type, errorCategories[sc.wantType], sc.wantType, body)
			case got.Link.ID != id || got.Link.Type != sc.typeID && sc.wantType != "NON_ATLASSIAN":
				t.Errorf("link: %s", body)
			}
			switch {
			case sc.wantDetails == "" && got.Error.Details != nil:
				t.Errorf("details %q, want none", *got.Error.Details)
			case sc.wantDetails != "" && (got.Error.Details == nil || !regexp.MustCompile(sc.wantDetails).MatchString(*got.Error.Details)):
				t.Errorf("details %v, want %s", body, sc.wantDetails)
			}
			wantLocal := sc.wantLocal
			if wantLocal == "" {
				wantLocal = wireLevels(wireOff, wireOff)
			}
			if string(got.LocalAuthentication) != wantLocal {
				t.Errorf("localAuthentication %s, want %s", got.LocalAuthentication, wantLocal)
			}
			if string(got.RemoteAuthentication) != sc.wantRemote {
				t.Errorf("remoteAuthentication %s, want %q", got.RemoteAuthentication, sc.wantRemote)
			}
		})
	}

	// The same TLS peer works once the certificate is trusted and names
	// the host: the errors above are about the certificates, not TLS.
	good := tlsPeers.Instance("good")
	id := createLink(t, jira, linkBody("confluence", "Secure", good.URL(), `"id":"`+good.ServerID()+`"`))
	// The test's own client does not trust the CA, so the peer's side is
	// written to its store; jira's side needs no consumer exchange.
	err := good.store.Update(func(st *state) error {
		t, _ := linkTypeByID("jira")
		return addLink(st, jira.ServerID(), t, linkDetails{name: "Jira", rpcURL: jira.URL(), displayURL: jira.URL()})
	})
	if err != nil {
		t.Fatal(err)
	}
	setLocalLevels(t, good, jira.ServerID(), status2LO, statusOff)
	putLinkLevels(t, jira, id, wireLevels(wireOff, wire2LO))
	body := expect(t, jira.URL(), jsonCall(http.MethodGet, statusPath(id), "admin", ""), http.StatusOK)
	if !strings.Contains(body, `"working":true`) || !strings.HasPrefix(good.URL(), "https://") {
		t.Errorf("trusted TLS peer %s: %s", good.URL(), body)
	}
}

// The status of a disabled link reports both sides statusOff, whatever the
// local side stores, and the error has no details.
func TestApplinkStatusDisabledBody(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	id := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	createLink(t, wiki, linkBody("jira", "Jira", jira.URL(), `"id":"`+jira.ServerID()+`"`))
	body := expect(t, jira.URL(), jsonCall(http.MethodGet, statusPath(id)+".json", "admin", ""), http.StatusOK)
	want := statusJSONf(statusBodyHead, id, "Wiki", wiki.URL(), wiki.URL(), "confluence") +
		`"working":false,"localAuthentication":` + wireLevels(wireOff, wireOff) +
		`,"remoteAuthentication":` + wireLevels(wireOff, wireOff) + `,"error":{"category":"DISABLED","type":"DISABLED"}}`
	if body != want {
		t.Errorf("status\n got %s\nwant %s", body, want)
	}
}

func TestApplinksVersionTooOld(t *testing.T) {
	tests := map[string]bool{
		"": false, "garbage": false, "4.0.12": true, "4.0.13": false, "4.0.12-m1": true, "3.11": true,
		"4": true, "4.1": false, "9.1.4": false, "10.0.0": false,
	}
	for version, want := range tests {
		if got := applinksVersionTooOld(version); got != want {
			t.Errorf("applinksVersionTooOld(%q) = %t, want %t", version, got, want)
		}
	}
}

func TestLinkedManifest(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"), loopback("wiki", "confluence"))
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	live := createLink(t, jira, linkBody("confluence", "Wiki", wiki.URL(), `"id":"`+wiki.ServerID()+`"`))
	downURL := closedURL(t)
	down := createLink(t, jira, linkBody("confluence", "Down", downURL))
	wikiURL := wiki.URL() // before the base URL changes
	wrongType := createLink(t, jira, linkBody("bamboo", "Not Bamboo", wikiURL))
	genericURL := wikiURL + "/ci"
	generic := createLink(t, jira, linkBody("generic", "CI", genericURL))
	manifestPath := func(id string) string { return "/rest/applinks/1.0/manifest/" + id }

	var m manifestEntity
	decodeJSON(t, expect(t, jira.URL(), jsonCall(http.MethodGet, manifestPath(live), "user", ""), http.StatusOK), &m)
	if m.ID != wiki.ServerID() || m.URL != wiki.URL() || m.ApplinksVersion != applinksVersion || m.TypeID != "confluence" ||
		strings.Contains(strings.Join(m.InboundAuthenticationTypes, ","), manifestPlaceholder) {
		t.Errorf("live manifest: %+v", m)
	}

	// The peer's base URL is what the manifest reports, live.
	expect(t, wiki.URL(), jsonCall(http.MethodPut, "/rest/api/2/settings/baseUrl", "admin", `"https://wiki.example.com"`), http.StatusNoContent)
	decodeJSON(t, expect(t, jira.URL(), jsonCall(http.MethodGet, manifestPath(live), "admin", ""), http.StatusOK), &m)
	if m.URL != "https://wiki.example.com" {
		t.Errorf("manifest after the base URL change: %+v", m)
	}

	// No manifest of the link's type answers: the product makes one up.
	for id, rpcURL := range map[string]string{down: downURL, wrongType: wikiURL, generic: genericURL} {
		body := expect(t, jira.URL(), jsonCall(http.MethodGet, manifestPath(id), "admin", ""), http.StatusOK)
		var made manifestEntity
		decodeJSON(t, body, &made)
		if made.ID != GenerateApplicationID(rpcURL) || made.ApplinksVersion != "" || made.BuildNumber != 0 || made.URL != rpcURL {
			t.Errorf("synthesised manifest for %s: %s", id, body)
		}
	}

	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{"anonymous", jsonCall(http.MethodGet, manifestPath(live), "", ""), http.StatusUnauthorized,
			`^\{"status-code":401,"message":"Client must be authenticated to access this resource."\}$`},
		{"unknown link", jsonCall(http.MethodGet, manifestPath("00000000-0000-4000-8000-000000000000"), "user", ""), http.StatusBadRequest,
			`^\{"status":400,"message":\["No application link with id 00000000-0000-4000-8000-000000000000"\]\}$`},
		{"malformed id", jsonCall(http.MethodGet, manifestPath("nope"), "admin", ""), http.StatusInternalServerError,
			uncaught("id must be a valid java.util.UUID string: nope")},
		{"XML without Accept", testRequest{path: manifestPath(live), user: "admin"}, http.StatusOK, `^<\?xml .*<manifest><id>` + wiki.ServerID()},
	}
	for _, tt := range tests {
		body := expect(t, jira.URL(), tt.req, tt.wantStatus)
		if !regexp.MustCompile(tt.wantBody).MatchString(body) {
			t.Errorf("%s: body %s does not match %s", tt.name, body, tt.wantBody)
		}
	}
}

// A TLS instance serves HTTPS with its certificate and says so in its URL.
func TestTLSInstance(t *testing.T) {
	ca := newTLSTestCA(t)
	srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "wiki", Type: "confluence", Addr: "127.0.0.1:0",
		ContextPath: "/wiki", TLSCert: ca.issue(t, nil, loopbackIPs, time.Now().Add(time.Hour))})
	wiki := srv.Instance("wiki")
	if !strings.HasPrefix(wiki.URL(), "https://127.0.0.1:") || !strings.HasSuffix(wiki.URL(), "/wiki") {
		t.Fatalf("URL %s", wiki.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(wiki.URL() + "/rest/applinks/1.0/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("manifest over TLS: %d", resp.StatusCode)
	}
	if _, err := testClient.Get(wiki.URL() + "/rest/applinks/1.0/manifest.json"); err == nil {
		t.Error("a client without the test CA trusted the certificate")
	}
}

func statusJSONf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
