package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// Faults on the second step of a consumer's change (issue #17, items 5 and
// 6): each step of the change must either hold or be undone, and the error
// must say what the link holds.

// faultOutgoingProvider is the outgoing OAuth provider a generic link's
// outgoing consumer needs, as testAccOAuthConsumerResourceConfig_outgoing
// configures it.
var faultOutgoingProvider = map[string]string{
	"consumerKey.outbound":            "jira-at-ci",
	"serviceProvider.requestTokenUrl": "/oauth/request-token",
	"serviceProvider.accessTokenUrl":  "https://ci.example.com/oauth/access-token",
	"serviceProvider.authorizeUrl":    "/oauth/authorize",
}

func providerPutPath(linkID string) string {
	return "/rest/applinks/2.0/applicationlink/" + linkID + "/authentication/provider"
}

// Removing a generic link's incoming consumer goes through the status API,
// which empties the outgoing provider's configuration; the provider writes
// it back. When that write-back answers 500 once, it is made again and the
// outgoing consumer keeps its configuration. When it fails twice, the error
// says the incoming consumer is gone and which configuration was lost, and
// the next apply writes it again.
func TestAccFault_IncomingRemovalKeepsOutgoingProvider(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	run := newFaultRun(t)
	outgoingOnly := testAccOAuthConsumerResourceConfig_outgoing(jira.URL(), linkID, `shared_secret = "s3cret-in-state"`, "")
	both := outgoingOnly + fmt.Sprintf(`
resource "applinks_oauth_consumer" "ci" {
  application_link_id = %[1]q
  direction           = "incoming"
  consumer_key        = "jenkins"
  name                = "Jenkins"
  public_key          = %[2]q
  depends_on          = [applinks_oauth_consumer.out]
}
`, linkID, publicKeyBase64(t, testConsumerKey(t, 0)))
	writeBackFails := func(times int) faultSpec {
		return faultSpec{Method: http.MethodPut, PathPrefix: providerPutPath(linkID), Count: times, Status: http.StatusInternalServerError}
	}
	lost, orphans := 0, 0
	measure := func() error {
		auth, err := emulatorAuthentication(jira, linkID)
		if err != nil {
			return err
		}
		lost, orphans = 1, 0
		for _, p := range auth.Providers {
			if fmt.Sprint(p.Config) == fmt.Sprint(faultOutgoingProvider) {
				lost = 0
			}
		}
		for _, c := range auth.Consumers {
			if c.Key != "jira-at-ci" {
				orphans++
			}
		}
		return nil
	}
	outgoingKept := []func() error{
		expectConsumers(jira, linkID, "jira-at-ci"),
		expectServiceProvider(jira, linkID, faultOutgoingProvider),
		expectOAuthStatus(jira, &linkID, emulatedOAuthStatus{Outgoing: oauth3LO}),
		measure,
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{
				Config: both,
				Check:  checks(expectConsumers(jira, linkID, "jenkins", "jira-at-ci"), expectServiceProvider(jira, linkID, faultOutgoingProvider)),
			},
			{
				PreConfig: func() { run.inject(jira, writeBackFails(1)) },
				Config:    outgoingOnly,
				Check:     checks(append([]func() error{run.consumed}, outgoingKept...)...),
			},
			{
				Config: both,
				Check:  checks(expectConsumers(jira, linkID, "jenkins", "jira-at-ci")),
			},
			{
				PreConfig:   func() { run.inject(jira, writeBackFails(2)) },
				Config:      outgoingOnly,
				ExpectError: regexp.MustCompile(`(?s)Outgoing OAuth Configuration Lost.*incoming consumer was removed.*consumerKey\.outbound=jira-at-ci`),
			},
			{
				// The error told the truth: the incoming consumer is gone and
				// the outgoing provider is registered without configuration.
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, expectConsumers(jira, linkID)())
					mustNotFail(t, expectServiceProvider(jira, linkID, map[string]string{})())
				},
				Config: outgoingOnly,
				Check:  checks(outgoingKept...),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", 0, "orphans", orphans, "lost", lost)
}

// Creating an outgoing consumer while the provider PUT, or the consumer PUT
// after it, answers 500: the apply fails and the instance's -data file holds
// no consumer, no shared secret and no provider naming the consumer. The
// products cannot delete a stored outgoing consumer, so the secret must not
// be sent before the provider step has succeeded.
func TestAccFault_OutgoingCreateLeavesNoSecret(t *testing.T) {
	dataDir := t.TempDir()
	jira := faultInstance(t, emulator.Options{DataDir: dataDir}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	run := newFaultRun(t)
	const secret = "never-left-Zr8Wq3"
	config := testAccOAuthConsumerResourceConfig_outgoing(jira.URL(), linkID, fmt.Sprintf("shared_secret = %q", secret), "")
	orphans := 0
	nothingLeft := func() {
		t.Helper()
		n, err := leftoversInDataFile(dataDir, "jira", linkID, secret)
		mustNotFail(t, err)
		orphans += n
		if n > 0 {
			t.Fatalf("the failed create left %d objects behind in the -data file", n)
		}
	}
	fail := func(path string) faultSpec {
		return faultSpec{Method: http.MethodPut, PathPrefix: path, Count: 1, Status: http.StatusInternalServerError}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{
				PreConfig:   func() { run.inject(jira, fail(providerPutPath(linkID))) },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Error Writing OAuth Consumer.*shared secret was not sent`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					nothingLeft()
					run.inject(jira, fail(pathConsumers+linkID+"/authentication/consumer"))
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`Error Writing OAuth Consumer`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					nothingLeft()
				},
				Config: config,
				Check: checks(
					expectConsumers(jira, linkID, "jira-at-ci"),
					expectServiceProvider(jira, linkID, faultOutgoingProvider),
					expectStoredSecret(dataDir, "jira", linkID, secret),
				),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", 0, "orphans", orphans, "lost", 0)
}

// leftoversInDataFile counts what a failed outgoing create may leave in an
// instance's persisted state: the shared secret anywhere in the file, an
// outgoing consumer on the link, and OAuth providers registered on it.
func leftoversInDataFile(dataDir, instance, linkID, secret string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, instance+".json"))
	if err != nil {
		return 0, err
	}
	var st struct {
		Links []struct {
			ID                string            `json:"id"`
			OutgoingConsumer  *json.RawMessage  `json:"outgoing_consumer"`
			OutgoingProviders []json.RawMessage `json:"outgoing_providers"`
		} `json:"links"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return 0, err
	}
	n := bytes.Count(data, []byte(secret))
	for _, l := range st.Links {
		if l.ID != linkID {
			continue
		}
		if l.OutgoingConsumer != nil {
			n++
		}
		n += len(l.OutgoingProviders)
	}
	return n, nil
}
