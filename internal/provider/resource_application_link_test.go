package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

const linkAddr = "applinks_application_link.wiki"

// peersAllowed lets instances look each other up on loopback, as
// -Dapplinks.allow.all.hosts=true does on a real server.
var peersAllowed = emulator.Options{AllowAllHosts: true}

var (
	oauthOff   = emulatedOAuthDirection{}
	oauth3LO   = emulatedOAuthDirection{Enabled: true}
	oauth2LO   = emulatedOAuthDirection{Enabled: true, TwoLoEnabled: true}
	oauth2LOi  = emulatedOAuthDirection{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}
	levelsWire = map[string]emulatedOAuthDirection{
		"disabled": oauthOff, "oauth_3lo": oauth3LO, "oauth": oauth2LO, "oauth_impersonation": oauth2LOi,
	}
)

// freeAddr returns a loopback address nothing listens on, for a peer that
// is down or that will start there later.
func freeAddr(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	_ = listener.Close()
	return addr
}

// refusedAddr returns a loopback address that refuses connections for the
// rest of the test. The port is bound without listening, so no server of
// another test can take it meanwhile, as one can take a freeAddr: a peer
// that must be unreachable once answered as a Jira that way.
func refusedAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	inet4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("bound to %T", sa)
	}
	return fmt.Sprintf("127.0.0.1:%d", inet4.Port)
}

func TestAccApplicationLinkResource_basic(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	var linkID string
	sameID := statecheck.CompareValue(compare.ValuesSame())

	config := func(name, extra string) string {
		return testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = %q
  rpc_url = %q
  %s
}
`, name, wiki.URL(), extra)
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config: config("Confluence", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("id"), knownvalue.StringExact(wiki.ServerID())),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("application_id"), knownvalue.StringExact(wiki.ServerID())),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("display_url"), knownvalue.StringExact(wiki.URL())),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("primary"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("incoming"), knownvalue.StringExact("oauth")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("outgoing"), knownvalue.StringExact("oauth")),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("system"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("legacy_authentication"), knownvalue.ListSizeExact(0)),
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
				},
				Check: func(s *terraform.State) error {
					linkID = s.RootModule().Resources[linkAddr].Primary.ID
					return checks(
						expectEmulatorLinks(jira, emulatedLink{ID: wiki.ServerID(), Name: "Confluence", Type: "confluence",
							RPCURL: wiki.URL(), DisplayURL: wiki.URL(), Primary: true}),
						expectOAuthStatus(jira, &linkID, emulatedOAuthStatus{Incoming: oauth2LO, Outgoing: oauth2LO}),
					)(s)
				},
			},
			{
				ResourceName:      linkAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// The same through an import {} block, which plans the import.
				Config:          config("Confluence", ""),
				ResourceName:    linkAddr,
				ImportState:     true,
				ImportStateKind: tfresource.ImportBlockWithID,
			},
			{
				Config: config("Company Wiki", `display_url = "https://wiki.example.com/"`),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("display_url"), knownvalue.StringExact("https://wiki.example.com/")),
					sameID.AddStateValue(linkAddr, tfjsonpath.New("id")),
				},
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: wiki.ServerID(), Name: "Company Wiki",
					RPCURL: wiki.URL(), DisplayURL: "https://wiki.example.com", Primary: true})),
			},
		},
	})
}

// One link of every type, from a Jira to a peer of that type; the generic
// link's id is derived from its URL.
func TestAccApplicationLinkResource_everyType(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence", "git=stash", "ci=bamboo", "fecru=fecru", "crowd=crowd")
	jira := server.Instance("jira")
	peers := []struct{ name, typeName, typeID string }{
		{"wiki", "confluence", "confluence"}, {"git", "bitbucket", "stash"}, {"ci", "bamboo", "bamboo"},
		{"fecru", "fecru", "fecru"}, {"crowd", "crowd", "crowd"},
	}

	config := testAccProviderConfig(jira.URL())
	var want []emulatedLink
	var stateChecks []statecheck.StateCheck
	for _, peer := range peers {
		inst := server.Instance(peer.name)
		config += fmt.Sprintf(`
resource "applinks_application_link" %[1]q {
  type    = %[2]q
  name    = %[1]q
  rpc_url = %[3]q
}
`, peer.name, peer.typeName, inst.URL())
		want = append(want, emulatedLink{ID: inst.ServerID(), Name: peer.name, Type: peer.typeID, RPCURL: inst.URL(), Primary: true})
		stateChecks = append(stateChecks,
			statecheck.ExpectKnownValue("applinks_application_link."+peer.name, tfjsonpath.New("type"), knownvalue.StringExact(peer.typeName)),
			statecheck.ExpectKnownValue("applinks_application_link."+peer.name, tfjsonpath.New("id"), knownvalue.StringExact(inst.ServerID())))
	}
	const genericURL = "https://ci.example.com/jenkins"
	config += fmt.Sprintf(`
resource "applinks_application_link" "jenkins" {
  type    = "generic"
  name    = "jenkins"
  rpc_url = %q
}
`, genericURL)
	genericID := client.ApplicationIDForURL(genericURL)
	want = append(want, emulatedLink{ID: genericID, Name: "jenkins", Type: "generic", RPCURL: genericURL, Primary: true})
	stateChecks = append(stateChecks,
		statecheck.ExpectKnownValue("applinks_application_link.jenkins", tfjsonpath.New("id"), knownvalue.StringExact(genericID)),
		statecheck.ExpectKnownValue("applinks_application_link.jenkins", tfjsonpath.New("incoming"), knownvalue.Null()),
		statecheck.ExpectKnownValue("applinks_application_link.jenkins", tfjsonpath.New("outgoing"), knownvalue.Null()))

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: stateChecks,
				Check:             checks(expectEmulatorLinks(jira, want...)),
			},
			{
				ResourceName:      "applinks_application_link.jenkins",
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// Changing rpc_url relocates the link in place: same id, new URL. A URL
// that does not answer is refused unless relocate_when_unreachable is set.
func TestAccApplicationLinkResource_relocate(t *testing.T) {
	dataDir := t.TempDir()
	jira := startEmulator(t, peersAllowed, "jira=jira").Instance("jira")
	oldWiki := startEmulator(t, emulator.Options{DataDir: dataDir}, "wiki=confluence")
	oldURL, wikiID := oldWiki.Instance("wiki").URL(), oldWiki.Instance("wiki").ServerID()
	movedAddr := freeAddr(t)
	newURL := "http://" + movedAddr
	downURL := "http://" + refusedAddr(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	config := func(rpcURL, extra string) string {
		return testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
  %s
}
`, rpcURL, extra)
	}
	relocatedTo := func(url string) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("rpc_url"), knownvalue.StringExact(url)),
		}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config:            config(oldURL, ""),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(linkAddr, tfjsonpath.New("id"))},
				Check:             checks(expectEmulatorLinks(jira, emulatedLink{ID: wikiID, Name: "Wiki", RPCURL: oldURL, Primary: true})),
			},
			{
				// The peer moves: the same data directory on another port.
				PreConfig: func() {
					mustNotFail(t, oldWiki.Close())
					moved, err := emulator.Start(emulator.Options{DataDir: dataDir},
						emulator.InstanceConfig{Name: "wiki", Type: "confluence", Addr: movedAddr})
					mustNotFail(t, err)
					t.Cleanup(func() { _ = moved.Close() })
				},
				Config:            config(newURL, ""),
				ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: relocatedTo(newURL)},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(linkAddr, tfjsonpath.New("id"))},
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: wikiID, Name: "Wiki", RPCURL: newURL,
					DisplayURL: newURL, Primary: true})),
			},
			{
				Config:      config(downURL, ""),
				ExpectError: regexp.MustCompile(`(?s)New Application Link URL Not Responding.*relocate_when_unreachable`),
				Check:       checks(expectEmulatorLinks(jira, emulatedLink{ID: wikiID, RPCURL: newURL, Name: "Wiki", Primary: true})),
			},
			{
				Config:            config(downURL, "relocate_when_unreachable = true"),
				ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: relocatedTo(downURL)},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(linkAddr, tfjsonpath.New("id"))},
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: wikiID, Name: "Wiki", RPCURL: downURL,
					DisplayURL: downURL, Primary: true})),
			},
		},
	})
}

// The second link of a type takes over as primary; the first keeps no
// stale primary flag in state.
func TestAccApplicationLinkResource_primary(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki1=confluence", "wiki2=confluence")
	jira, wiki1, wiki2 := server.Instance("jira"), server.Instance("wiki1"), server.Instance("wiki2")
	config := func(primary1, primary2 string) string {
		return testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "one" {
  type    = "confluence"
  name    = "Wiki One"
  rpc_url = %q
  %s
}

resource "applinks_application_link" "two" {
  type    = "confluence"
  name    = "Wiki Two"
  rpc_url = %q
  %s

  depends_on = [applinks_application_link.one]
}
`, wiki1.URL(), primary1, wiki2.URL(), primary2)
	}
	primaryIs := func(one, two bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("applinks_application_link.one", tfjsonpath.New("primary"), knownvalue.Bool(one)),
			statecheck.ExpectKnownValue("applinks_application_link.two", tfjsonpath.New("primary"), knownvalue.Bool(two)),
		}
	}
	emulatorPrimary := func(one, two bool) tfresource.TestCheckFunc {
		return checks(expectEmulatorLinks(jira,
			emulatedLink{ID: wiki1.ServerID(), Name: "Wiki One", Primary: one},
			emulatedLink{ID: wiki2.ServerID(), Name: "Wiki Two", Primary: two}))
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config: config("", ""),
				Check:  emulatorPrimary(true, false),
			},
			{
				Config: config("", "primary = true"),
				Check:  emulatorPrimary(false, true),
			},
			{
				// Refreshed: the first link is no longer primary, and the
				// unset attribute takes the server's word without a diff.
				Config:            config("", "primary = true"),
				ConfigStateChecks: primaryIs(false, true),
				ConfigPlanChecks:  tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:            config("primary = true", "primary = false"),
				ConfigStateChecks: primaryIs(true, false),
				Check:             emulatorPrimary(true, false),
			},
		},
	})
}

// levelWalk visits every ordered pair of distinct OAuth levels once: an
// Eulerian circuit of the complete directed graph on the four levels.
var levelWalk = []string{
	"disabled", "oauth_3lo", "disabled", "oauth", "disabled", "oauth_impersonation",
	"oauth_3lo", "oauth", "oauth_3lo", "oauth_impersonation", "oauth", "oauth_impersonation", "disabled",
}

func TestLevelWalkCoversEveryTransition(t *testing.T) {
	t.Parallel()
	seen := map[[2]string]bool{}
	for i := 1; i < len(levelWalk); i++ {
		seen[[2]string{levelWalk[i-1], levelWalk[i]}] = true
	}
	for _, from := range oauthLevels.Names() {
		for _, to := range oauthLevels.Names() {
			if from != to && !seen[[2]string{from, to}] {
				t.Errorf("the walk never goes from %s to %s", from, to)
			}
		}
	}
}

// Every transition between OAuth levels, in both directions at once (the
// outgoing walk runs half a circuit behind), lands in the emulator's
// status/{id}/oauth.
func TestAccApplicationLinkResource_oauthLevels(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := wiki.ServerID()

	var steps []tfresource.TestStep
	for i, incoming := range levelWalk {
		outgoing := levelWalk[(i+6)%len(levelWalk)]
		steps = append(steps, tfresource.TestStep{
			Config: testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type     = "confluence"
  name     = "Wiki"
  rpc_url  = %q
  incoming = %q
  outgoing = %q
}
`, wiki.URL(), incoming, outgoing),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("incoming"), knownvalue.StringExact(incoming)),
				statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("outgoing"), knownvalue.StringExact(outgoing)),
			},
			Check: checks(expectOAuthStatus(jira, &linkID, emulatedOAuthStatus{
				Incoming: levelsWire[incoming], Outgoing: levelsWire[outgoing],
			})),
		})
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// A Jira and a Confluence in one configuration, one provider block each,
// linked both ways: each side's status mirrors the other's.
//
// Terraform runs one provider process per provider block, but the test
// harness serves a single in-process provider to every block of the same
// name, so the blocks here use two local names for the same provider to get
// two separate configurations, as two processes would. Their sources are
// the addresses the harness serves them under, which name OpenTofu's
// registry in runs on OpenTofu.
func TestAccApplicationLinkResource_twoInstances(t *testing.T) {
	server := startEmulator(t, emulator.Options{}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	jiraLinkID, wikiLinkID := wiki.ServerID(), jira.ServerID()
	config := fmt.Sprintf(`
terraform {
  required_providers {
    applinks = {
      source = %[3]q
    }
    applinksconfluence = {
      source = %[4]q
    }
  }
}

provider "applinks" {
  url      = %[1]q
  username = "admin"
  password = "admin"
}

provider "applinksconfluence" {
  url      = %[2]q
  username = "admin"
  password = "admin"
}

data "applinks_server" "jira" {}

data "applinks_server" "confluence" {
  provider = applinksconfluence
}

resource "applinks_application_link" "jira_to_confluence" {
  type           = "confluence"
  name           = "Confluence"
  rpc_url        = data.applinks_server.confluence.base_url
  application_id = data.applinks_server.confluence.server_id
  incoming       = "oauth"
  outgoing       = "oauth_impersonation"
}

resource "applinks_application_link" "confluence_to_jira" {
  provider       = applinksconfluence
  type           = "jira"
  name           = "Jira"
  rpc_url        = data.applinks_server.jira.base_url
  application_id = data.applinks_server.jira.server_id
  incoming       = "oauth_impersonation"
  outgoing       = "oauth"
}
`, jira.URL(), wiki.URL(), tfcli.AccProviderAddress("applinks"), tfcli.AccProviderAddress("applinksconfluence"))

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck: func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"applinks":           providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
			"applinksconfluence": providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
		},
		CheckDestroy: checks(expectEmulatorLinks(jira), expectEmulatorLinks(wiki)),
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check: checks(
					expectEmulatorLinks(jira, emulatedLink{ID: wiki.ServerID(), Name: "Confluence", RPCURL: wiki.URL(), Primary: true}),
					expectEmulatorLinks(wiki, emulatedLink{ID: jira.ServerID(), Name: "Jira", RPCURL: jira.URL(), Primary: true}),
					expectOAuthStatus(jira, &jiraLinkID, emulatedOAuthStatus{Incoming: oauth2LO, Outgoing: oauth2LOi}),
					expectOAuthStatus(wiki, &wikiLinkID, emulatedOAuthStatus{Incoming: oauth2LOi, Outgoing: oauth2LO}),
				),
			},
		},
	})
}

// Changes made outside Terraform show in the next plan, which repairs them.
func TestAccApplicationLinkResource_drift(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := wiki.ServerID()
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
}
`, wiki.URL())
	want := emulatedLink{ID: linkID, Name: "Wiki", RPCURL: wiki.URL(), DisplayURL: wiki.URL(), Primary: true}
	wantLevels := emulatedOAuthStatus{Incoming: oauth2LO, Outgoing: oauth2LO}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{Config: config, Check: checks(expectEmulatorLinks(jira, want))},
			{
				// Renamed and re-levelled by an administrator in the UI.
				PreConfig: func() {
					_, err := emulatorCall(jira, "PUT", "/rest/applinks/3.0/applinks/"+linkID,
						map[string]any{"name": "Renamed", "rpcUrl": wiki.URL(), "displayUrl": "https://elsewhere.example.com"}, nil)
					mustNotFail(t, err)
					_, err = emulatorCall(jira, "PUT", "/rest/applinks/3.0/status/"+linkID+"/oauth",
						emulatedOAuthStatus{Incoming: oauthOff, Outgoing: oauth3LO}, nil)
					mustNotFail(t, err)
				},
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("name"), knownvalue.StringExact("Wiki")),
					},
				},
				Check: checks(expectEmulatorLinks(jira, want), expectOAuthStatus(jira, &linkID, wantLevels)),
			},
			{
				// Deleted outside Terraform: planned for creation again.
				PreConfig: func() {
					_, err := emulatorCall(jira, "DELETE", "/rest/applinks/3.0/applinks/"+linkID, nil, nil)
					mustNotFail(t, err)
				},
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionCreate)},
				},
				Check: checks(expectEmulatorLinks(jira, want), expectOAuthStatus(jira, &linkID, wantLevels)),
			},
			{
				// An administrator falls back to Trusted Applications: the
				// link reports it, and the plan stays empty.
				PreConfig: func() {
					_, err := emulatorCall(jira, "PUT", "/rest/applinks/2.0/applicationlink/"+linkID+"/authentication/provider",
						map[string]any{"provider": client.ProviderTrustedApps, "config": map[string]string{}}, nil)
					mustNotFail(t, err)
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("legacy_authentication"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("trusted_applications")})),
				},
			},
		},
	})
}

func TestAccApplicationLinkResource_invalidConfiguration(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	link := func(body string) string {
		return testAccProviderConfig(jira.URL()) + "resource \"applinks_application_link\" \"wiki\" {\n" + body + "\n}\n"
	}
	cases := []struct {
		body string
		want string
	}{
		{`type = "confluence"
name = "Wiki"
rpc_url = "wiki.example.com"`, `(?s)Invalid URL.*rpc_url must be an absolute http or https URL.*has\s+no\s+scheme`},
		{`type = "confluence"
name = "Wiki"
rpc_url = "ftp://wiki.example.com"`, `(?s)Invalid URL.*scheme\s+"ftp"`},
		{`type = "confluence"
name = "Wiki"
rpc_url = "https://wiki.example.com"
display_url = "https://"`, `(?s)Invalid URL.*display_url.*has\s+no\s+host`},
		{`type = "sharepoint"
name = "Wiki"
rpc_url = "https://wiki.example.com"`, `(?s)Invalid Attribute Value Match.*type.*"bitbucket"`},
		{`type = "generic"
name = "CI"
rpc_url = "https://ci.example.com"
incoming = "oauth"`, `(?s)OAuth Level on a Generic Link.*applinks_oauth_consumer`},
		{`type = "confluence"
name = "Wiki"
rpc_url = "https://wiki.example.com"
application_id = "wiki"`, `(?s)application_id.*must\s+be\s+a\s+UUID`},
		{`type = "confluence"
name = ""
rpc_url = "https://wiki.example.com"`, `(?s)Invalid Attribute Value Length.*name`},
		{`type = "confluence"
name = "Wiki"
rpc_url = "https://wiki.example.com"
outgoing = "2lo"`, `(?s)Invalid Attribute Value Match.*oauth_impersonation`},
	}
	var steps []tfresource.TestStep
	for _, c := range cases {
		steps = append(steps, tfresource.TestStep{
			Config:      link(c.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	mustNotFail(t, expectEmulatorLinks(jira)())
}

// Inputs that only the servers can judge fail at apply and leave the
// instance as it was.
func TestAccApplicationLinkResource_refusedAtApply(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence", "other=confluence")
	jira, wiki, other := server.Instance("jira"), server.Instance("wiki"), server.Instance("other")
	blocked := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	// An administrator already linked another Confluence under the name the
	// configuration wants.
	existing := emulatedLink{ID: other.ServerID(), Name: "Wiki", RPCURL: other.URL(), Primary: true}
	_, err := emulatorCall(jira, "PUT", "/rest/applinks/2.0/applicationlink", map[string]any{
		"id": other.ServerID(), "typeId": "confluence", "name": "Wiki", "rpcUrl": other.URL(), "displayUrl": other.URL(),
	}, nil)
	mustNotFail(t, err)
	unchanged := func() {
		mustNotFail(t, expectEmulatorLinks(jira, existing)())
		mustNotFail(t, expectEmulatorLinks(blocked)())
	}

	linkOn := func(inst *emulator.Instance, username, body string) string {
		return fmt.Sprintf(`
provider "applinks" {
  url      = %q
  username = %q
  password = %q
}

resource "applinks_application_link" "wiki" {
%s
}
`, inst.URL(), username, username, body)
	}
	cases := []struct {
		config string
		want   string
	}{
		{linkOn(jira, "admin", fmt.Sprintf("type = \"confluence\"\nname = \"Wiki\"\nrpc_url = %q", wiki.URL())),
			`(?s)Application Link Name Already Used.*"Wiki\s+-\s+2"`},
		{linkOn(jira, "admin", fmt.Sprintf("type = \"jira\"\nname = \"Self\"\nrpc_url = %q\napplication_id = %q", jira.URL(), jira.ServerID())),
			`(?s)Application Link to Itself.*point\s+` + "`rpc_url`" + `\s+at\s+the\s+peer`},
		{linkOn(jira, "admin", fmt.Sprintf("type = \"jira\"\nname = \"Self\"\nrpc_url = %q", jira.URL())),
			`(?s)Application Link Exists or Points at This Instance`},
		{linkOn(jira, "admin", fmt.Sprintf("type = \"bamboo\"\nname = \"CI\"\nrpc_url = %q", wiki.URL())),
			`(?s)Peer Is Another Product.*Set\s+` + "`type = \"confluence\"`"},
		{linkOn(jira, "admin", fmt.Sprintf("type = \"jira\"\nname = \"Jira\"\nrpc_url = %q\napplication_id = %q", wiki.URL(), wiki.ServerID())),
			`(?s)Peer Is Another Product.*\(type\s+"confluence"\),\s+not\s+jira.*Set\s+` + "`type = \"confluence\"`"},
		{linkOn(jira, "admin", "type = \"confluence\"\nname = \"Gone\"\nrpc_url = \"http://"+refusedAddr(t)+"\""),
			`(?s)Peer Not Reachable From the Instance.*application_id`},
		{linkOn(jira, "admin", fmt.Sprintf("type = \"bamboo\"\nname = \"CI\"\nrpc_url = %q\napplication_id = %q\nprimary = false",
			"http://"+refusedAddr(t), client.ApplicationIDForURL("http://ci"))),
			`(?s)First Link of a Type Is Always Primary`},
		{linkOn(jira, "manager", fmt.Sprintf("type = \"confluence\"\nname = \"Wiki2\"\nrpc_url = %q\nincoming = \"oauth_impersonation\"", wiki.URL())),
			`(?s)Error Creating Application Link.*system\s+administrator.*removed\s+again`},
		{linkOn(blocked, "admin", fmt.Sprintf("type = \"confluence\"\nname = \"Wiki\"\nrpc_url = %q", wiki.URL())),
			`(?s)Instance Refused to Look Up the Peer.*application_id`},
	}
	var steps []tfresource.TestStep
	for _, c := range cases {
		steps = append(steps, tfresource.TestStep{
			PreConfig:   unchanged,
			Config:      c.config,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	unchanged()
}

func TestApplicationLinkResourceValidateConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, ok := NewApplicationLinkResource().(*applicationLinkResource)
	if !ok {
		t.Fatal("NewApplicationLinkResource is not an *applicationLinkResource")
	}
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	objectType, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("schema type is not an object")
	}
	config := func(linkType, incoming, outgoing string) tfsdk.Config {
		values := map[string]tftypes.Value{}
		for name, typ := range objectType.AttributeTypes {
			values[name] = tftypes.NewValue(typ, nil)
		}
		values["type"] = tftypes.NewValue(tftypes.String, linkType)
		values["incoming"] = tftypes.NewValue(tftypes.String, incoming)
		values["outgoing"] = tftypes.NewValue(tftypes.String, outgoing)
		return tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, values)}
	}
	tests := []struct {
		linkType, incoming, outgoing string
		want                         []string // "severity summary @attribute"
	}{
		{"confluence", "oauth", "oauth", nil},
		{"confluence", "disabled", "oauth", nil},
		{"jira", "oauth_3lo", "oauth", []string{"Warning Three-Legged OAuth Only @incoming"}},
		{"jira", "oauth", "oauth_impersonation", []string{"Warning OAuth With Impersonation @outgoing"}},
		{"generic", "oauth", "disabled", []string{"Error OAuth Level on a Generic Link @incoming", "Error OAuth Level on a Generic Link @outgoing"}},
	}
	for _, tt := range tests {
		resp := &fwresource.ValidateConfigResponse{}
		r.ValidateConfig(ctx, fwresource.ValidateConfigRequest{Config: config(tt.linkType, tt.incoming, tt.outgoing)}, resp)
		var got []string
		for _, d := range resp.Diagnostics {
			withPath, _ := d.(diag.DiagnosticWithPath)
			at := ""
			if withPath != nil {
				at = withPath.Path().String()
			}
			got = append(got, fmt.Sprintf("%s %s @%s", d.Severity(), d.Summary(), at))
			if d.Detail() == "" {
				t.Errorf("%s: empty detail", d.Summary())
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s/%s/%s: got %v, want %v", tt.linkType, tt.incoming, tt.outgoing, got, tt.want)
		}
	}
}

// expectRefreshRequests is a plan check that compares what the refresh
// asked the emulator with what one listing and one authentication read per
// link cost: want maps "METHOD path" to a count, and no other path of the
// applinks modules may have been requested.
type expectRefreshRequests struct {
	inst *emulator.Instance
	want map[string]int
}

func (e expectRefreshRequests) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var counts struct {
		Total    int            `json:"total"`
		Requests map[string]int `json:"requests"`
	}
	if _, err := emulatorCall(e.inst, "GET", "/_emulator/requests", nil, &counts); err != nil {
		resp.Error = err
		return
	}
	for request, n := range counts.Requests {
		if e.want[request] != n {
			resp.Error = fmt.Errorf("the refresh made %d %q requests, want %d (all %d requests: %v)", n, request, e.want[request], counts.Total, counts.Requests)
			return
		}
	}
	for request, n := range e.want {
		if counts.Requests[request] != n {
			resp.Error = fmt.Errorf("the refresh made %d %q requests, want %d (all: %v)", counts.Requests[request], request, n, counts.Requests)
			return
		}
	}
}

// A refresh of many links and their consumers lists the links once and
// reads each link's authentication once, shared by the link and its
// consumer: no OAuth status or provider read per link.
func TestAccApplicationLinkResource_refreshCost(t *testing.T) {
	const links = 12
	server := startEmulator(t, emulator.Options{AllowAllHosts: true, Control: true}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type     = "confluence"
  name     = "Wiki"
  rpc_url  = %q
  incoming = "oauth"
}

resource "applinks_application_link" "tool" {
  count   = %d
  type    = "generic"
  name    = "Tool ${count.index}"
  rpc_url = "https://tool-${count.index}.example.com"
}

resource "applinks_oauth_consumer" "tool" {
  count               = %d
  application_link_id = applinks_application_link.tool[count.index].id
  direction           = "incoming"
  consumer_key        = "tool-${count.index}"
  name                = "Tool ${count.index}"
  public_key          = %q
}
`, wiki.URL(), links-1, links-1, publicKeyBase64(t, testConsumerKey(t, 0)))

	want := map[string]int{"GET /rest/applinks/3.0/applinks": 1}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					var listed []emulatedLink
					if _, err := emulatorCall(jira, "GET", "/rest/applinks/3.0/applinks", nil, &listed); err != nil {
						return err
					}
					if len(listed) != links {
						return fmt.Errorf("the instance holds %d links, want %d", len(listed), links)
					}
					var counts struct {
						Requests map[string]int `json:"requests"`
					}
					if _, err := emulatorCall(jira, "GET", "/_emulator/requests", nil, &counts); err != nil {
						return err
					}
					for _, link := range listed {
						want["GET /rest/applinks-oauth/1.0/applicationlink/"+link.ID+"/authentication"] = 1
						// A create confirms the new link once; the writes after
						// that check do not change it.
						if n := counts.Requests["GET /rest/applinks/3.0/applinks/"+link.ID]; n != 1 {
							return fmt.Errorf("creating link %s read it %d times, want 1", link.ID, n)
						}
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if _, err := emulatorCall(jira, "POST", "/_emulator/reset", nil, nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config,
				PlanOnly: true,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						expectRefreshRequests{inst: jira, want: want},
					},
				},
			},
		},
	})
}

// A create whose answer is lost is looked up by id before it is repeated:
// the link is adopted when the instance holds it as it was sent, reported
// as someone else's when it holds another link with that id, created again
// when the instance answers 404 (up to max_retries times), and the call
// fails when even the lookup fails.
func TestApplicationLinkCreateLooksUpBeforeRepeating(t *testing.T) {
	t.Parallel()
	const id = "0e1f2a3b-4c5d-3e6f-8a9b-0c1d2e3f4a5b"
	hangUp := func(w http.ResponseWriter) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	created := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"status-code":201,"resources-created":[{"href":"http://x/rest/applinks/2.0/applicationlink/%s"}]}`, id)
	}
	answer := func(status int, body string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	notFound := answer(http.StatusNotFound, `{"status-code":404,"message":"No application link with id"}`)
	tests := []struct {
		name      string
		hangUps   int
		lookup    func(http.ResponseWriter)
		wantPuts  int
		wantError string
	}{
		{"created before the answer was lost", 1, answer(http.StatusOK, `{"id":"`+id+`","name":"CI","type":"generic","rpcUrl":"https://ci.example.com"}`), 1, ""},
		// Another workspace's link to the same URL has the same id: it is
		// reported, neither adopted nor created over.
		{"another link with the id", 1, answer(http.StatusOK, `{"id":"`+id+`","name":"CI (B)","type":"generic","rpcUrl":"https://ci.example.com"}`), 1, "differs from the one being created in `name`"},
		{"not created", 1, notFound, 2, ""},
		{"a burst of lost answers, none created", 2, notFound, 3, ""},
		{"more lost answers than retries", 3, notFound, 3, "outcome unknown"},
		{"lookup fails", 1, answer(http.StatusForbidden, `{"status-code":403,"message":"go away"}`), 1, "looking for the object afterwards failed too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var puts atomic.Int32
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPut && r.URL.Path == "/rest/applinks/latest/applicationlink":
					if int(puts.Add(1)) <= tt.hangUps {
						hangUp(w)
						return
					}
					created(w)
				case r.Method == http.MethodGet && r.URL.Path == "/rest/applinks/3.0/applinks/"+id:
					tt.lookup(w)
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
					http.NotFound(w, r)
				}
			}))
			defer server.Close()
			c, err := client.New(client.Config{BaseURL: server.URL, Username: "admin", Password: "admin", MaxRetries: 2,
				RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
			mustNotFail(t, err)
			r := &applicationLinkResource{client: c}
			got, _, err := r.createLink(context.Background(), client.NewApplicationLink{ID: id, TypeID: "generic", Name: "CI", RPCURL: "https://ci.example.com"})
			switch {
			case tt.wantError == "" && (err != nil || got != id):
				t.Errorf("createLink = %q, %v; want %q", got, err, id)
			case tt.wantError != "" && (err == nil || !strings.Contains(err.Error(), tt.wantError) || !errors.Is(err, client.ErrOutcomeUnknown)):
				t.Errorf("createLink error = %v; want one containing %q that matches ErrOutcomeUnknown", err, tt.wantError)
			}
			if n := int(puts.Load()); n != tt.wantPuts {
				t.Errorf("%d creates reached the server, want %d", n, tt.wantPuts)
			}
		})
	}
}

// ---- Branches that only a failing or legacy instance reaches ----

// While the instance still authenticates the link's outgoing requests with
// Trusted Applications, every plan of the link warns about it, naming the
// link and the way out; without legacy authentication the plan is quiet.
// The warning is only in Terraform's output, which the test harness does
// not expose, so the plan goes over the plugin protocol.
func TestApplicationLinkResource_legacyAuthenticationWarning(t *testing.T) {
	t.Parallel()
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, "confluence", "https://wiki.example.com")
	providerConfig := providerAttrs(jira.URL(), "admin", "admin", nil)

	if diags := importAndPlan(t, providerConfig, "applinks_application_link", linkID); len(diags) != 0 {
		t.Fatalf("a link without legacy authentication plans with diagnostics: %s", describeDiags(diags))
	}

	_, err := emulatorCall(jira, http.MethodPut, "/rest/applinks/2.0/applicationlink/"+linkID+"/authentication/provider",
		map[string]any{"provider": client.ProviderTrustedApps, "config": map[string]string{}}, nil)
	mustNotFail(t, err)
	diags := importAndPlan(t, providerConfig, "applinks_application_link", linkID)
	if len(diags) != 1 {
		t.Fatalf("want one warning, got %s", describeDiags(diags))
	}
	checkDiag(t, diags[0], wantDiag{
		severity:  tfprotov6.DiagnosticSeverityWarning,
		summary:   "Legacy Authentication on Application Link",
		attribute: "legacy_authentication",
		detail: []string{`The link "https://wiki.example.com" still uses trusted_applications for outgoing requests`,
			"configure OAuth on both sides (`incoming` and `outgoing`)", "remove the legacy authentication in the link's settings"},
	})
}

// importAndPlan imports a resource by id, reads it from the instance and
// plans it with a configuration that repeats what was read, as `terraform
// import` followed by `terraform plan` does, and returns the diagnostics of
// the plan. Each call is a new provider, as each Terraform run is, so that
// no answer cached by an earlier run is reused.
func importAndPlan(t *testing.T, providerAttrs map[string]tftypes.Value, typeName, id string) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, diags := configuredServer(t, nil, providerAttrs)
	if hasError(diags) {
		t.Fatalf("configuring the provider:%s", describeDiags(diags))
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	mustNotFail(t, err)
	schema, ok := schemas.ResourceSchemas[typeName]
	if !ok {
		t.Fatalf("the provider has no resource %s", typeName)
	}
	objectType, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s has no object schema", typeName)
	}

	imported, err := server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	mustNotFail(t, err)
	if hasError(imported.Diagnostics) || len(imported.ImportedResources) != 1 {
		t.Fatalf("importing %s %s: %d resources%s", typeName, id, len(imported.ImportedResources), describeDiags(imported.Diagnostics))
	}
	read, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName:     typeName,
		CurrentState: imported.ImportedResources[0].State,
		Private:      imported.ImportedResources[0].Private,
	})
	mustNotFail(t, err)
	if hasError(read.Diagnostics) {
		t.Fatalf("reading %s %s:%s", typeName, id, describeDiags(read.Diagnostics))
	}

	state, err := read.NewState.Unmarshal(objectType)
	mustNotFail(t, err)
	var values map[string]tftypes.Value
	mustNotFail(t, state.As(&values))
	configured := map[string]tftypes.Value{}
	for _, a := range schema.Block.Attributes {
		if (a.Computed && !a.Optional) || a.WriteOnly {
			continue
		}
		configured[a.Name] = values[a.Name]
	}
	config := objectOf(t, typeName, objectType, configured)
	plan, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:         typeName,
		PriorState:       read.NewState,
		ProposedNewState: read.NewState,
		Config:           &config,
		PriorPrivate:     read.Private,
	})
	mustNotFail(t, err)
	return plan.Diagnostics
}

// A create that cannot be completed is rolled back; when removing the
// half-created link fails too, the link is kept in the state, tainted, so
// that the next apply replaces it instead of creating a second link beside
// an orphan. The instance ends up with exactly one link.
func TestAccApplicationLinkResource_failedRollbackKeepsTaintedLink(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	linkID := client.ApplicationIDForURL(faultGenericURL)
	const addr = "applinks_application_link.ci"
	config := fmt.Sprintf(`
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = 0
}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = "CI"
  rpc_url = %q
}
`, jira.URL(), faultGenericURL)
	onlyCI := func() error {
		links, err := emulatorLinks(jira)
		if err != nil {
			return err
		}
		if len(links) != 1 || links[0].Name != "CI" || links[0].ID != linkID {
			return fmt.Errorf("instance holds %+v, want only the link CI (%s)", links, linkID)
		}
		return nil
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira,
						// Reading the new link's authentication fails, so the
						// create is rolled back, and the rollback fails.
						faultSpec{Method: http.MethodGet, PathPrefix: pathConsumers + linkID + "/authentication", Status: http.StatusInternalServerError},
						faultSpec{Method: http.MethodDelete, PathPrefix: pathLinksV3 + "/" + linkID, Status: http.StatusInternalServerError},
					)
				},
				Config: config,
				ExpectError: diagPattern("Error Creating Application Link", "The link was created but could not be completed.",
					"Removing the half-created link failed too", "HTTP 500", "so it is kept in the state, where Terraform marks it tainted",
					"reading the new link's authentication configuration", "HTTP 500"),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, onlyCI())
				},
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
						expectTainted{addr},
					},
				},
				Check: checks(onlyCI),
			},
		},
	})
}

// expectTainted is a plan check that the state the plan starts from holds
// the resource as tainted.
type expectTainted struct{ addr string }

func (e expectTainted) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState != nil && req.Plan.PriorState.Values != nil {
		for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
			if r.Address != e.addr {
				continue
			}
			if !r.Tainted {
				resp.Error = fmt.Errorf("%s is in the state but not tainted", e.addr)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the state", e.addr)
}
