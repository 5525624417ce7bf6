package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// realAuthTypeOrder is the order of the authentication types in a real
// Bitbucket manifest (jenkinsci/atlassian-bitbucket-server-integration-plugin
// ApplinkEndpoint.java), which is the iteration order of Java's HashSet.
var realAuthTypeOrder = []string{
	providerTwoLeggedOAuth,
	providerOAuth,
	providerTwoLeggedImpersonation,
	providerBasic,
	manifestPlaceholder,
	providerTrustedApps,
}

func TestJavaHashSetOrderMatchesARealManifest(t *testing.T) {
	inserted := append([]string{manifestPlaceholder}, localInboundProviders...)
	if got := javaHashSetOrder(inserted); !slices.Equal(got, realAuthTypeOrder) {
		t.Errorf("order = %q\nwant    %q", got, realAuthTypeOrder)
	}
}

func TestManifestJSON(t *testing.T) {
	srv := startTestServer(t, Options{}, nil,
		loopback("jira", "jira"), loopback("wiki", "confluence"), loopback("bb", "stash"),
		loopback("bamboo", "bamboo"), loopback("fecru", "fecru"), loopback("crowd", "crowd"))
	tests := []struct {
		instance, name, typeID, version, iconKey string
		buildNumber                              string
	}{
		{instance: "jira", name: "Jira", typeID: "jira", version: "9.12.2", buildNumber: "9120002", iconKey: "jira"},
		{instance: "wiki", name: "Confluence", typeID: "confluence", version: "8.7.2", buildNumber: "9012", iconKey: "confluence"},
		{instance: "bb", name: "Bitbucket", typeID: "stash", version: "8.19.1", buildNumber: "8019001", iconKey: "bitbucket"},
		{instance: "bamboo", name: "Bamboo", typeID: "bamboo", version: "9.6.0", buildNumber: "90600", iconKey: "bamboo"},
		{instance: "fecru", name: "FishEye / Crucible", typeID: "fecru", version: "4.8.14", buildNumber: "20231219", iconKey: "fecru"},
		{instance: "crowd", name: "Crowd", typeID: "crowd", version: "5.3.0", buildNumber: "1943", iconKey: "crowd"},
	}
	for _, tt := range tests {
		t.Run(tt.typeID, func(t *testing.T) {
			inst := srv.Instance(tt.instance)
			base := inst.URL()
			types := `["` + strings.Join(realAuthTypeOrder, `","`) + `"]`
			images := base + "/s/en_US-ecdfj6/" + tt.buildNumber + "/1/9.1.4/_/download/resources/com.atlassian.applinks.applinks-plugin:applinks-images/images"
			want := `{"id":"` + inst.ServerID() + `","name":"` + tt.name + `","typeId":"` + tt.typeID +
				`","version":"` + tt.version + `","buildNumber":` + tt.buildNumber + `,"applinksVersion":"9.1.4",` +
				`"inboundAuthenticationTypes":` + types + `,"outboundAuthenticationTypes":` + types +
				`,"publicSignup":false,"url":"` + base + `","iconUrl":"` + images + `/types/16` + tt.iconKey +
				`.png","iconUri":"` + images + `/config/logos/128x128/128` + tt.iconKey + `.png"}`
			for _, version := range []string{"1.0", "2.0", "3.0", "latest"} {
				resp, body := send(t, base, testRequest{path: "/rest/applinks/" + version + "/manifest", headers: acceptJSON})
				if resp.StatusCode != http.StatusOK || body != want {
					t.Errorf("%s: status %d, body\n%s\nwant\n%s", version, resp.StatusCode, body, want)
				}
			}
		})
	}
}

func TestManifestXMLAndHeaders(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	jira := srv.Instance("jira")

	resp, body := send(t, jira.URL(), testRequest{path: "/rest/applinks/1.0/manifest", headers: map[string]string{"Origin": "https://ui.example.com"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Content-Type":                     "application/xml;charset=UTF-8",
		"Cache-Control":                    "no-cache",
		"Access-Control-Allow-Origin":      "https://ui.example.com",
		"Access-Control-Allow-Credentials": "true",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	wantPrefix := xmlDeclaration + `<manifest><id>` + jira.ServerID() + `</id><name>Jira</name><typeId>jira</typeId>` +
		`<version>9.12.2</version><buildNumber>9120002</buildNumber><applinksVersion>9.1.4</applinksVersion>` +
		`<inboundAuthenticationTypes>` + providerTwoLeggedOAuth + `</inboundAuthenticationTypes>`
	if !strings.HasPrefix(body, wantPrefix) {
		t.Errorf("body = %s\nwant prefix %s", body, wantPrefix)
	}
	var parsed struct {
		Inbound      []string `xml:"inboundAuthenticationTypes"`
		Outbound     []string `xml:"outboundAuthenticationTypes"`
		PublicSignup string   `xml:"publicSignup"`
		URL          string   `xml:"url"`
		IconURI      string   `xml:"iconUri"`
	}
	if err := xml.Unmarshal([]byte(body), &parsed); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(parsed.Inbound, realAuthTypeOrder) || !slices.Equal(parsed.Outbound, realAuthTypeOrder) {
		t.Errorf("auth types = %q / %q", parsed.Inbound, parsed.Outbound)
	}
	if parsed.PublicSignup != "false" || parsed.URL != jira.URL() || !strings.HasSuffix(parsed.IconURI, "/128jira.png") {
		t.Errorf("publicSignup %q, url %q, iconUri %q", parsed.PublicSignup, parsed.URL, parsed.IconURI)
	}

	// Without an Origin the interceptor's Allow-Origin is dropped.
	resp, _ = send(t, jira.URL(), testRequest{path: "/rest/applinks/1.0/manifest"})
	if values := resp.Header.Values("Access-Control-Allow-Origin"); len(values) != 0 {
		t.Errorf("Access-Control-Allow-Origin without Origin = %q, want none", values)
	}
}

func TestConsumerInfo(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, InstanceConfig{Name: "bb", Type: "stash", Addr: "127.0.0.1:0", ContextPath: "/bitbucket"})
	bb := srv.Instance("bb")

	// Credentials are irrelevant to the anonymous servlet.
	resp, body := send(t, bb.URL(), testRequest{path: "/plugins/servlet/oauth/consumer-info", user: "user"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/xml;charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
	pattern := regexp.MustCompile(`^<\?xml version="1.0" encoding="UTF-8"\?>\n<consumer><key>(stash:\d{8})</key><name>Bitbucket</name><publicKey>([A-Za-z0-9+/=]+)</publicKey><description>Atlassian Bitbucket at ` +
		regexp.QuoteMeta(bb.URL()) + `</description></consumer>$`)
	m := pattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("body = %q, want match for %s", body, pattern)
	}
	if m[1] != consumerKey("stash", bb.ServerID()) {
		t.Errorf("key %q is not derived from the server ID", m[1])
	}
	der, err := base64.StdEncoding.DecodeString(m[2])
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("publicKey is not an X.509 SubjectPublicKeyInfo: %v", err)
	}
	key, ok := parsed.(*rsa.PublicKey)
	if !ok || key.N.BitLen() != 2048 || !key.Equal(&bb.privateKey.PublicKey) {
		t.Errorf("publicKey is %T of %d bits, want the instance's 2048-bit RSA key", parsed, key.N.BitLen())
	}
}

func TestConsumerKeyIsStableAndEightDigits(t *testing.T) {
	a := consumerKey("jira", "2b9ee2c4-1e6e-4a64-8f0e-0d6a0e6c2d11")
	if a != consumerKey("jira", "2b9ee2c4-1e6e-4a64-8f0e-0d6a0e6c2d11") {
		t.Error("consumer key is not deterministic")
	}
	if !regexp.MustCompile(`^jira:\d{8}$`).MatchString(a) {
		t.Errorf("consumer key %q, want jira:<8 digits>", a)
	}
	if a == consumerKey("jira", "3b9ee2c4-1e6e-4a64-8f0e-0d6a0e6c2d11") {
		t.Error("different server IDs give the same key")
	}
}

func TestAuthenticationInfo(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	tests := []struct {
		name       string
		req        testRequest
		wantStatus int
		wantBody   string
	}{
		{name: "sysadmin", req: testRequest{user: "admin"}, wantStatus: http.StatusOK, wantBody: jsonOK},
		{name: "administrator", req: testRequest{user: "manager"}, wantStatus: http.StatusOK, wantBody: jsonOK},
		{name: "plain user", req: testRequest{user: "user"}, wantStatus: http.StatusUnauthorized, wantBody: jsonApplinksNotAdmin},
		{name: "anonymous", wantStatus: http.StatusUnauthorized, wantBody: jsonAuthRequired},
		{name: "admin named by al_ parameters", req: testRequest{user: "user", path: "?al_username=manager&al_password=manager"}, wantStatus: http.StatusOK, wantBody: jsonOK},
		{name: "wrong al_ password", req: testRequest{user: "user", path: "?al_username=admin&al_password=x"}, wantStatus: http.StatusUnauthorized, wantBody: jsonApplinksNotAdmin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.path = "/rest/applinks/1.0/authenticationinfo" + tt.req.path
			tt.req.headers = acceptJSON
			resp, body := send(t, base, tt.req)
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("status %d body %s; want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestCapabilities(t *testing.T) {
	srv := startTestServer(t, Options{}, nil, loopback("jira", "jira"))
	base := srv.Instance("jira").URL()
	tests := []struct {
		path             string
		wantStatus       int
		wantBody         string
		wantCacheControl string
	}{
		{path: "/rest/applinks/3.0/capabilities", wantStatus: http.StatusOK, wantBody: `["STATUS_API","MIGRATION_API"]`, wantCacheControl: "no-cache"},
		{path: "/rest/applinks/latest/capabilities/STATUS_API", wantStatus: http.StatusOK, wantBody: `["STATUS_API"]`, wantCacheControl: "no-cache"},
		{path: "/rest/applinks/3.0/capabilities/migration_api", wantStatus: http.StatusOK, wantBody: `["MIGRATION_API"]`, wantCacheControl: "no-cache"},
		{
			path:       "/rest/applinks/3.0/capabilities/NOPE",
			wantStatus: http.StatusNotFound,
			wantBody:   `{"status":404,"errors":[{"summary":"Capability 'NOPE' not found","context":"capability"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := send(t, base, testRequest{path: tt.path})
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("status %d body %s; want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.wantCacheControl {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCacheControl)
			}
		})
	}
}
