package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// An emulated instance on "localhost" stands for an Atlassian Cloud site:
// no emulated instance has a host name under a real cloud domain, and no
// other test links to a peer spelt "localhost".
func init() {
	cloudSiteDomains = append(cloudSiteDomains, "localhost")
}

func TestCloudSiteOrigin(t *testing.T) {
	for rawURL, want := range map[string]string{
		"https://acme.atlassian.net":           "https://acme.atlassian.net",
		"https://ACME.Atlassian.NET/wiki":      "https://acme.atlassian.net",
		"https://acme.jira.com/":               "https://acme.jira.com",
		"https://jdog.jira-dev.com":            "https://jdog.jira-dev.com",
		"https://atlassian.net.example.com":    "",
		"https://notatlassian.net":             "",
		"https://id.atlassian.com":             "",
		"https://jira.example.com:8443/jira":   "",
		"http://localhost:41877":               "http://localhost:41877",
		"not a url at all, just words":         "",
		"https://acme.atlassian.net:443/path?": "https://acme.atlassian.net:443",
	} {
		if got := cloudSiteOrigin(rawURL); got != want {
			t.Errorf("cloudSiteOrigin(%q) = %q, want %q", rawURL, got, want)
		}
	}
}

func TestAllowlistRuleMatchesOrigin(t *testing.T) {
	const origin = "https://acme.atlassian.net"
	for _, tc := range []struct {
		typeName, expression string
		want                 bool
	}{
		{"domain", "https://acme.atlassian.net", true},
		{"domain", "https://ACME.atlassian.net/", true},
		{"domain", "https://other.atlassian.net", false},
		{"exact_url", "https://acme.atlassian.net/", true},
		{"wildcard", "https://*.atlassian.net", true},
		{"wildcard", "https://*.example.com", false},
		{"regex", `https://[a-z]+\.atlassian\.net`, true},
		{"regex", `https://(unclosed`, false},
	} {
		if got := allowlistRuleMatchesOrigin(tc.typeName, tc.expression, origin); got != tc.want {
			t.Errorf("%s %q matches %s: got %t, want %t", tc.typeName, tc.expression, origin, got, tc.want)
		}
	}
}

// warningRecorder keeps the summaries of the warnings the provider returns
// from plans, which the testing framework does not show a test.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = nil
}

func (w *warningRecorder) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.warnings)
}

// expect fails unless exactly the summaries in want were warned about
// (each at least once).
func (w *warningRecorder) expect(want ...string) func() error {
	return func() error {
		seen := w.seen()
		for _, summary := range want {
			if !slices.Contains(seen, summary) {
				return fmt.Errorf("no warning %q; the plans warned %q", summary, seen)
			}
		}
		for _, summary := range seen {
			if !slices.Contains(want, summary) {
				return fmt.Errorf("unexpected warning %q; want only %q", summary, want)
			}
		}
		return nil
	}
}

type recordingProviderServer struct {
	tfprotov6.ProviderServer
	recorder *warningRecorder
}

func (s recordingProviderServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.recorder.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				s.recorder.warnings = append(s.recorder.warnings, d.Summary)
			}
		}
		s.recorder.mu.Unlock()
	}
	return resp, err
}

// recordingProviderFactories serve the provider to the CLI as
// testAccProtoV6ProviderFactories do, recording its plan warnings.
func recordingProviderFactories(recorder *warningRecorder) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"applinks": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))())()
			return recordingProviderServer{ProviderServer: server, recorder: recorder}, err
		},
	}
}

// startCloudLikePeers starts a Data Center Jira on 127.0.0.1 and a
// "cloud site" (an emulated Confluence) on localhost.
func startCloudLikePeers(t *testing.T) (jira, site *emulator.Instance) {
	t.Helper()
	jira = startEmulator(t, peersAllowed, "jira=jira").Instance("jira")
	sites, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{Name: "site", Type: "confluence", Addr: "localhost:0"})
	mustNotFail(t, err)
	t.Cleanup(func() { _ = sites.Close() })
	site = sites.Instance("site")
	if !strings.HasPrefix(site.URL(), "http://localhost:") {
		t.Fatalf("the cloud-like site listens at %s, not on localhost", site.URL())
	}
	return jira, site
}

// setBaseURLOverHTTP changes the base URL the instance reports, as an
// administrator would in its general configuration; instanceURL is where it
// listens.
func setBaseURLOverHTTP(t *testing.T, instanceURL, baseURL string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, instanceURL+"/rest/api/2/settings/baseUrl", strings.NewReader(fmt.Sprintf("%q", baseURL)))
	mustNotFail(t, err)
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Atlassian-Token", "no-check")
	resp, err := http.DefaultClient.Do(req)
	mustNotFail(t, err)
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("setting the base URL: HTTP %d", resp.StatusCode)
	}
}

func testAccCloudLinkConfig(jiraURL, siteURL string, withRule bool) string {
	config := testAccProviderConfig(jiraURL)
	dependsOn := ""
	if withRule {
		config += fmt.Sprintf(`
resource "applinks_whitelist_rule" "cloud" {
  type          = "domain"
  expression    = %q
  allow_inbound = true
}
`, siteURL)
		dependsOn = "depends_on = [applinks_whitelist_rule.cloud]"
	}
	return config + fmt.Sprintf(`
resource "applinks_application_link" "cloud" {
  type    = "confluence"
  name    = "Cloud wiki"
  rpc_url = %q
  %s
}
`, siteURL, dependsOn)
}

// A link to a cloud site warns while nothing allows its inbound requests and
// while the instance's base URL is on another port; with the rule in the
// configuration and the base URL on 443, it plans without warnings.
func TestAccApplicationLinkResource_cloudPeer(t *testing.T) {
	jira, site := startCloudLikePeers(t)
	jiraURL := jira.URL() // before the base URL override below
	recorder := &warningRecorder{}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: recordingProviderFactories(recorder),
		Steps: []tfresource.TestStep{
			{
				PreConfig: recorder.reset,
				Config:    testAccCloudLinkConfig(jiraURL, site.URL(), false),
				Check: func(*terraform.State) error {
					return recorder.expect("Cloud Site Not Allowed Inbound", "Instance Base URL Not on Port 80 or 443")()
				},
			},
			{
				PreConfig: func() {
					recorder.reset()
					setBaseURLOverHTTP(t, jiraURL, "https://jira.example.com")
				},
				Config: testAccCloudLinkConfig(jiraURL, site.URL(), true),
				Check:  func(*terraform.State) error { return recorder.expect()() },
			},
			{
				PreConfig:        recorder.reset,
				Config:           testAccCloudLinkConfig(jiraURL, site.URL(), true),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            func(*terraform.State) error { return recorder.expect()() },
			},
		},
	})
}

// A rule the instance already holds counts as much as one in the
// configuration; a base URL on 8443 still warns.
func TestAccApplicationLinkResource_cloudPeerInstanceRule(t *testing.T) {
	jira, site := startCloudLikePeers(t)
	jiraURL := jira.URL()
	_, err := emulatorCall(jira, http.MethodPost, "/rest/whitelist/latest",
		map[string]any{"expression": "http://*", "type": "whitelist.wildcard.expression", "allowInbound": true}, nil)
	mustNotFail(t, err)
	setBaseURLOverHTTP(t, jiraURL, "https://jira.example.com:8443/jira")
	recorder := &warningRecorder{}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: recordingProviderFactories(recorder),
		Steps: []tfresource.TestStep{{
			PreConfig: recorder.reset,
			Config:    testAccCloudLinkConfig(jiraURL, site.URL(), false),
			Check: func(*terraform.State) error {
				return recorder.expect("Instance Base URL Not on Port 80 or 443")()
			},
		}},
	})
}
