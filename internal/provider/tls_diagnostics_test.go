package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// issueCertificate makes a server certificate valid from notBefore to
// notAfter, signed by ca, or self-signed when ca is nil.
func issueCertificate(t *testing.T, ca *testCA, dnsNames []string, ips []net.IP, notBefore, notAfter time.Time) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustNotFail(t, err)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "peer"},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: dnsNames, IPAddresses: ips,
	}
	parent, signer := template, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, signer)
	mustNotFail(t, err)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsPeers are emulated Confluence instances on HTTPS with a self-signed
// certificate, an expired one and one for another host; the last two are
// signed by trusted, the authority the linking instance trusts.
func startTLSPeers(t *testing.T, trusted *testCA) *emulator.Server {
	t.Helper()
	loopback := []net.IP{net.ParseIP("127.0.0.1")}
	now := time.Now()
	peers, err := emulator.Start(emulator.Options{},
		emulator.InstanceConfig{Name: "selfsigned", Type: "confluence", Addr: "127.0.0.1:0",
			TLSCert: issueCertificate(t, nil, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour))},
		emulator.InstanceConfig{Name: "expired", Type: "confluence", Addr: "127.0.0.1:0",
			TLSCert: issueCertificate(t, trusted, nil, loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour))},
		emulator.InstanceConfig{Name: "misnamed", Type: "confluence", Addr: "127.0.0.1:0",
			TLSCert: issueCertificate(t, trusted, []string{"wiki.example.com"}, nil, now.Add(-time.Hour), now.Add(time.Hour))},
	)
	mustNotFail(t, err)
	t.Cleanup(func() { _ = peers.Close() })
	return peers
}

func testAccTLSProviderConfig(instanceURL string, ca *testCA) string {
	return fmt.Sprintf(`
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  ca_cert_pem = %q
}
`, instanceURL, ca.pem())
}

// Creating a link to a peer whose certificate the instance refuses fails
// with a diagnostic of its own for each kind of problem, naming the fix;
// relocating to one does too.
func TestAccApplicationLinkResource_peerCertificates(t *testing.T) {
	trusted := newTestCA(t)
	jira := startEmulator(t, emulator.Options{AllowAllHosts: true, PeerRootCAs: trusted.pool}, "jira=jira", "wiki=confluence")
	peers := startTLSPeers(t, trusted)
	provider := testAccTLSProviderConfig(jira.Instance("jira").URL(), trusted)
	link := func(rpcURL string) string {
		return provider + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
}
`, rpcURL)
	}
	steps := []tfresource.TestStep{
		{Config: link(peers.Instance("selfsigned").URL()),
			ExpectError: diagPattern("Peer Certificate Self-Signed", "self-signed TLS certificate", "certificate authority",
				"keytool -importcert", "cacerts", "changeit")},
		{Config: link(peers.Instance("expired").URL()),
			ExpectError: diagPattern("Peer Certificate Expired", "expired on", "Renew the peer's certificate")},
		{Config: link(peers.Instance("misnamed").URL()),
			ExpectError: diagPattern("Peer Certificate for Another Host", "issued for wiki.example.com, not for 127.0.0.1")},
		// Relocation: a working link moved to the expired peer.
		{Config: link(jira.Instance("wiki").URL())},
		{Config: link(peers.Instance("expired").URL()),
			ExpectError: diagPattern("New Application Link URL Not Responding", "Peer Certificate Expired")},
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// A peer that does not answer at all gets no certificate diagnostic: the
// instance's "not reachable" error stands alone.
func TestExplainPeerCertificate_unreachable(t *testing.T) {
	c, err := client.New(client.Config{BaseURL: "http://127.0.0.1:1", Username: "admin", Password: "admin"})
	mustNotFail(t, err)
	r := &applicationLinkResource{client: c}
	var diags diag.Diagnostics
	r.explainPeerCertificate(context.Background(), "https://"+refusedAddr(t), &diags)
	r.explainPeerCertificate(context.Background(), "http://"+refusedAddr(t), &diags)
	if len(diags) != 0 {
		t.Fatalf("an unreachable peer got %d diagnostics: %v", len(diags), diags)
	}
}

// The status data source says, per certificate problem, what to do.
func TestAccApplicationLinkStatusDataSource_peerCertificates(t *testing.T) {
	trusted := newTestCA(t)
	jira := startEmulator(t, emulator.Options{PeerRootCAs: trusted.pool}, "jira=jira").Instance("jira")
	peers := startTLSPeers(t, trusted)
	config := testAccProviderConfig(jira.URL())
	hints := map[string]*regexp.Regexp{
		"selfsigned": regexp.MustCompile(`SSL_UNTRUSTED \(NETWORK_ERROR\): .*self-signed or issued by an authority missing from the instance's Java trust store: .*keytool -importcert`),
		"expired":    regexp.MustCompile(`SSL_UNTRUSTED \(NETWORK_ERROR\): the application's TLS certificate has expired or is not yet valid: renew it`),
		"misnamed":   regexp.MustCompile(`SSL_HOSTNAME_UNMATCHED \(NETWORK_ERROR\): the application's TLS certificate names another host`),
	}
	var checks []statecheck.StateCheck
	for name, hint := range hints {
		peer := peers.Instance(name)
		createLinkOverHTTP(t, jira, peer.ServerID(), "confluence", name, peer.URL())
		config += fmt.Sprintf("\ndata \"applinks_application_link_status\" %[1]q {\n  name = %[1]q\n}\n", name)
		checks = append(checks, statecheck.ExpectKnownValue("data.applinks_application_link_status."+name,
			tfjsonpath.New("summary"), knownvalue.StringRegexp(hint)))
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []tfresource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
}

func TestPeerCertificateDiagnosticsDiffer(t *testing.T) {
	seen := map[string]string{}
	for _, kind := range []string{client.CertificateExpired, client.CertificateNotYetValid, client.CertificateWrongHost,
		client.CertificateSelfSigned, client.CertificateUnknownIssuer} {
		summary, detail := peerCertificateDiagnostic(&client.PeerCertificateProblem{Kind: kind, Host: "wiki.example.com",
			Names: []string{"other.example.com"}}, "https://wiki.example.com")
		if other, dup := seen[summary]; dup {
			t.Errorf("%s and %s share the summary %q", kind, other, summary)
		}
		seen[summary] = kind
		if !strings.Contains(detail, "https://wiki.example.com") {
			t.Errorf("%s: the detail does not name the URL: %s", kind, detail)
		}
	}
}
