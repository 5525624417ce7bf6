package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// Adoption (issue #16): an instance configured by hand, through the REST
// API as the admin pages do, is brought under Terraform with import blocks
// whose ids come from the list data sources, and the configuration that
// `terraform plan -generate-config-out` writes applies unchanged: the apply
// imports and changes nothing, and the next plan is empty.

const (
	adoptionGenericURL   = "https://ci.example.com"
	adoptionDeployURL    = "https://deploy.example.com/app"
	adoptionSecret       = "outgoing-shared-secret-0f9d"
	adoptionOAuth2Secret = "google-client-secret-7c1e"
)

// seededInstance is what seedByHand made.
type seededInstance struct {
	jira, wiki, bitbucket *emulator.Instance
	ciLink, deployLink    string
	// oauth2Client and oauth2Outgoing are the ids of the incoming and
	// outgoing OAuth 2.0 links.
	oauth2Client, oauth2Outgoing string
}

// seedByHand configures a Jira as its administrators would, outside
// Terraform: links to Confluence (OAuth both ways), to Bitbucket (no OAuth)
// and to two generic applications, one with an incoming and an outgoing
// consumer, one with an incoming consumer that may impersonate; a rule of
// every type; links allowed for anonymous users; the allowlist switched off;
// Bitbucket's automatic rule accepting cross-origin requests; an incoming
// and an outgoing OAuth 2.0 link; project PROJ linked to spaces DOCS
// (primary) and MORE of the Confluence.
func seedByHand(t *testing.T) seededInstance {
	t.Helper()
	server := faultInstance(t, emulator.Options{}, "jira=jira", "wiki=confluence", "bitbucket=stash")
	s := seededInstance{jira: server.Instance("jira"), wiki: server.Instance("wiki"), bitbucket: server.Instance("bitbucket")}
	call := func(method, path string, body any) {
		t.Helper()
		_, err := emulatorCall(s.jira, method, path, body, nil)
		mustNotFail(t, err)
	}
	linkBothWaysOverHTTP(t, s.jira, s.wiki)
	createLinkOverHTTP(t, s.jira, s.bitbucket.ServerID(), "stash", "Bitbucket", s.bitbucket.URL())
	// Generic links get the id the product derives from their URL.
	for _, link := range []struct{ name, url string }{{"CI", adoptionGenericURL}, {"Deploy (prod)", adoptionDeployURL}} {
		call(http.MethodPut, "/rest/applinks/2.0/applicationlink",
			map[string]any{"typeId": "generic", "name": link.name, "rpcUrl": link.url, "displayUrl": link.url})
	}
	s.ciLink, s.deployLink = client.ApplicationIDForURL(adoptionGenericURL), client.ApplicationIDForURL(adoptionDeployURL)
	consumers := "/rest/applinks-oauth/1.0/applicationlink/"
	call(http.MethodPut, consumers+s.ciLink+"/authentication/consumer", map[string]any{
		"key": "jenkins", "name": "Jenkins", "description": "Builds", "publicKey": publicKeyBase64(t, testConsumerKey(t, 0)),
		"callback": "https://ci.example.com/oauth/callback", "twoLOAllowed": true, "executingTwoLOUser": "user",
	})
	call(http.MethodPut, "/rest/applinks/2.0/applicationlink/"+s.ciLink+"/authentication/provider", map[string]any{
		"provider": client.ProviderOAuth, "config": map[string]string{
			client.ConfigConsumerKeyOutbound: "jira-at-ci", client.ConfigRequestTokenURL: "/oauth/request-token",
			client.ConfigAccessTokenURL: "/oauth/access-token", client.ConfigAuthorizeURL: "https://ci.example.com/oauth/authorize",
		},
	})
	call(http.MethodPut, consumers+s.ciLink+"/authentication/consumer",
		map[string]any{"key": "jira-at-ci", "name": "Jira at CI", "sharedSecret": adoptionSecret, "outgoing": true})
	call(http.MethodPut, consumers+s.deployLink+"/authentication/consumer", map[string]any{
		"key": "deployer", "name": "Deployer", "publicKey": publicKeyBase64(t, testConsumerKey(t, 1)),
		"twoLOAllowed": true, "twoLOImpersonationAllowed": true,
	})
	for _, rule := range []string{
		`{"type":"whitelist.domain.name","expression":"https://www.example.com"}`,
		`{"type":"whitelist.exact.url","expression":"https://feeds.example.com/rss.xml","allowInbound":true}`,
		`{"type":"whitelist.wildcard.expression","expression":"https://docs.example.org/*"}`,
		`{"type":"whitelist.regular.expression","expression":"https://api\\.example\\.net/v[0-9]+/.*","allowAnonymousUser":true}`,
		`{"type":"whitelist.domain.name","expression":"https://www.example.com"}`, // the products accept duplicates
	} {
		call(http.MethodPost, "/rest/whitelist/latest", json.RawMessage(rule))
	}
	call(http.MethodPut, "/rest/whitelist/latest/settings", json.RawMessage(`{"applicationLinkRestrictiveness":"ALLOW_ANONYMOUS"}`))
	call(http.MethodPost, "/rest/whitelist/latest/disable", nil)
	rules, err := emulatorAllowlist(s.jira)
	mustNotFail(t, err)
	for _, rule := range rules {
		if strings.HasPrefix(rule.Expression, "Bitbucket (") {
			call(http.MethodPut, fmt.Sprintf("/rest/whitelist/latest/%d", rule.ID), json.RawMessage(`{"allowInbound":true}`))
		}
	}

	var incoming, outgoing struct{ ID string }
	_, err = emulatorCall(s.jira, http.MethodPost, "/rest/oauth2/latest/client", map[string]any{
		"name": "CI (OAuth 2.0)", "redirects": []string{"https://ci.example.com/oauth2/callback"}, "scope": "WRITE",
	}, &incoming)
	mustNotFail(t, err)
	_, err = emulatorCall(s.jira, http.MethodPost, "/rest/oauth2-client/latest/config", map[string]any{
		"name": "Google mail", "description": "Mail handler", "type": "GOOGLE", "clientId": "jira-mail",
		"clientSecret": adoptionOAuth2Secret, "authorizationEndpoint": "https://accounts.google.com/o/oauth2/v2/auth",
		"tokenEndpoint": "https://oauth2.googleapis.com/token", "scopes": []string{"https://mail.google.com/"},
	}, &outgoing)
	mustNotFail(t, err)
	s.oauth2Client, s.oauth2Outgoing = incoming.ID, outgoing.ID

	// Entity links as a project administrator makes them (design/api.md
	// §3.9.1): the first link of a type becomes primary by itself.
	call(http.MethodPost, "/rest/api/2/project", map[string]string{"key": "PROJ", "name": "Project"})
	for _, key := range []string{"DOCS", "MORE"} {
		_, err := emulatorCall(s.wiki, http.MethodPost, "/rest/api/space", map[string]string{"key": key, "name": key}, nil)
		mustNotFail(t, err)
		call(http.MethodPut, "/rest/applinks/1.0/entitylink/jira.project/PROJ",
			map[string]string{"applicationId": s.wiki.ServerID(), "typeId": "confluence.space", "key": key, "name": "Space " + key})
	}
	return s
}

// instanceSnapshot is everything an adoption must leave as it was, as the
// instance reports it.
func instanceSnapshot(t *testing.T, s seededInstance) string {
	t.Helper()
	var b strings.Builder
	links, err := emulatorLinks(s.jira)
	mustNotFail(t, err)
	for _, link := range links {
		fmt.Fprintf(&b, "link %+v\n", link)
		auth, err := emulatorAuthentication(s.jira, link.ID)
		mustNotFail(t, err)
		fmt.Fprintf(&b, "  auth %+v\n", auth)
		status, err := emulatorOAuthStatus(s.jira, link.ID)
		mustNotFail(t, err)
		fmt.Fprintf(&b, "  oauth %+v\n", status)
	}
	var rules json.RawMessage
	_, err = emulatorCall(s.jira, http.MethodGet, "/rest/whitelist/latest", nil, &rules)
	mustNotFail(t, err)
	fmt.Fprintf(&b, "rules %s\n", rules)
	for _, path := range []string{"/rest/oauth2/latest/client", "/rest/oauth2-client/latest/config", "/rest/applinks/1.0/entitylink/list/jira.project/PROJ"} {
		var listing json.RawMessage
		_, err = emulatorCall(s.jira, http.MethodGet, path, nil, &listing)
		mustNotFail(t, err)
		fmt.Fprintf(&b, "%s %s\n", path, listing)
	}
	mustNotFail(t, expectAllowlistSettings(s.jira, false, "ALLOW_ANONYMOUS")())
	return b.String()
}

// writesSince counts the requests other than GET (and the test-control
// API's) the instance served after before was taken.
func writesSince(t *testing.T, inst *emulator.Instance, before requestLog) (int, []string) {
	t.Helper()
	after, err := emulatorRequests(inst)
	mustNotFail(t, err)
	n, writes := 0, []string{}
	for key, count := range after.Requests {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodGet || strings.HasPrefix(path, "/_emulator/") || count == before.Requests[key] {
			continue
		}
		n += count - before.Requests[key]
		writes = append(writes, key)
	}
	return n, writes
}

// The "done when": a hand-made instance with every resource type
// is adopted with import blocks whose ids come from the data sources
// (examples/adoption/discover.tf writes them) and one plan
// -generate-config-out; the generated file, applied unchanged, imports
// every object and changes none, writes nothing to the instance, and the
// next plan is empty. A generated attribute that needed editing (a derived
// or conflicting value, a secret the products never return) fails the
// apply or leaves a change in the plan.
func TestAccAdoption_generatedConfigPlansClean(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	s := seedByHand(t)
	env := append(cliProvider(t), "APPLINKS_URL="+s.jira.URL(), "APPLINKS_USERNAME=admin", "APPLINKS_PASSWORD=admin")
	discover, err := os.ReadFile("../../examples/adoption/discover.tf")
	mustNotFail(t, err)
	ws := newWorkspace(t, "adopt", string(discover), env)
	before := instanceSnapshot(t, s)
	requestsBefore, err := emulatorRequests(s.jira)
	mustNotFail(t, err)

	ws.apply() // reads the data sources only
	imports, err := ws.tf.Command("output", "-raw", "import_blocks").Output()
	mustNotFail(t, err)
	// 4 links (the link the product keeps for itself has none here), 3
	// consumers, 5 rules (the links' automatic rules are left out), the
	// allowlist, the flags of the one automatic rule an administrator
	// changed, an incoming and an outgoing OAuth 2.0 link, 2 entity links.
	if got := strings.Count(string(imports), "import {"); got != adoptedObjects {
		t.Fatalf("discover.tf wrote %d import blocks, want %d:\n%s", got, adoptedObjects, imports)
	}
	mustNotFail(t, os.Remove(filepath.Join(ws.tf.Dir, "main.tf")))
	mustNotFail(t, os.WriteFile(filepath.Join(ws.tf.Dir, "imports.tf"), imports, 0o600))
	mustNotFail(t, os.WriteFile(filepath.Join(ws.tf.Dir, "main.tf"), []byte(adoptionProviderBlock), 0o600))

	out := ws.mustRun(0, "plan", "-input=false", "-generate-config-out=generated.tf")
	if !strings.Contains(out, fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", adoptedObjects)) {
		t.Fatalf("the plan with the generated configuration must import %d objects and change nothing:\n%s", adoptedObjects, out)
	}
	generated, err := os.ReadFile(filepath.Join(ws.tf.Dir, "generated.tf"))
	mustNotFail(t, err)
	t.Logf("generated.tf:\n%s", generated)
	expectGeneratedConfig(t, string(generated))

	out = ws.mustRun(0, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", adoptedObjects)) {
		t.Fatalf("applying the generated configuration unchanged must import %d objects and change nothing:\n%s", adoptedObjects, out)
	}
	ws.expectEmptyPlan()
	writes, which := writesSince(t, s.jira, requestsBefore)
	if writes != 0 {
		t.Errorf("adoption sent %d writes to the instance: %v", writes, which)
	}
	if after := instanceSnapshot(t, s); after != before {
		t.Errorf("adoption changed the instance:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	reportFigure(t, "objects_imported", adoptedObjects, "writes", writes)
}

// adoptedObjects is how many objects of seedByHand discover.tf imports.
const adoptedObjects = 18

const adoptionProviderBlock = `terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

provider "applinks" {}
`

// expectGeneratedConfig checks what the generated configuration must not
// hold, beyond what the empty plan proves: computed-only attributes, a
// generic link's derived application_id, the other direction's flags on
// an outgoing consumer, a secret in clear.
func expectGeneratedConfig(t *testing.T, generated string) {
	t.Helper()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*(id|system|legacy_authentication)\s*=`),
		regexp.MustCompile(`(?s)"link_ci"\s*\{[^}]*application_id\s*=\s*"`),
		regexp.MustCompile(`(?s)"link_ci_outgoing"\s*\{[^}]*(two_legged_allowed|impersonation_allowed)\s*=\s*(true|false)`),
		regexp.MustCompile(regexp.QuoteMeta(adoptionSecret)),
		regexp.MustCompile(regexp.QuoteMeta(adoptionOAuth2Secret)),
		regexp.MustCompile(`(?m)^\s*(redirect_uri|remote_display_url|rule_id|expression\s*=\s*"Bitbucket)\s*=`),
		regexp.MustCompile(`(?s)"oauth2_ci_oauth_2_0"\s*\{[^}]*client_(id|secret)\s*=`),
	} {
		if bad.MatchString(generated) {
			t.Errorf("the generated configuration matches %s", bad)
		}
	}
	for _, want := range []string{
		`shared_secret            = null # sensitive`,
		`impersonation_allowed    = true`,
		`application_link_restrictiveness = "allow_anonymous"`,
		`client_secret            = null # sensitive`,
		`primary             = false`,
	} {
		if !strings.Contains(generated, want) {
			t.Errorf("the generated configuration lacks %q", want)
		}
	}
}

// Bulk import without generated configuration: import blocks with for_each
// (Terraform 1.7 and later) over the data sources' import ids, into
// resources with for_each whose arguments come from the same listing. The
// apply imports every object and changes none, and the plan after it is
// empty. It runs on the CLI directly: the test framework cannot read back a
// state with for_each keys.
func TestAccAdoption_forEachImport(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	s := seedByHand(t)
	env := append(cliProvider(t), "APPLINKS_URL="+s.jira.URL(), "APPLINKS_USERNAME=admin", "APPLINKS_PASSWORD=admin")
	config := adoptionProviderBlock + `
data "applinks_whitelist_rules" "all" {}

data "applinks_oauth_consumers" "ci" {
  application_link_id = "` + s.ciLink + `"
}

locals {
  rules = { for r in data.applinks_whitelist_rules.all.rules : r.import_id => r if r.import_id != null }
}

import {
  for_each = local.rules
  to       = applinks_whitelist_rule.adopted[each.key]
  id       = each.value.import_id
}

resource "applinks_whitelist_rule" "adopted" {
  for_each        = local.rules
  type            = each.value.type
  expression      = each.value.expression
  allow_inbound   = each.value.allow_inbound
  allow_anonymous = each.value.allow_anonymous
}

import {
  for_each = { for c in data.applinks_oauth_consumers.ci.consumers : c.direction => c.import_id }
  to       = applinks_oauth_consumer.ci[each.key]
  id       = each.value
}
` + fmt.Sprintf(`
resource "applinks_oauth_consumer" "ci" {
  for_each            = toset(["incoming", "outgoing"])
  application_link_id = %[1]q
  direction           = each.key
  consumer_key        = each.key == "incoming" ? "jenkins" : "jira-at-ci"
  name                = each.key == "incoming" ? "Jenkins" : "Jira at CI"
  description         = each.key == "incoming" ? "Builds" : null
  public_key          = each.key == "incoming" ? %[2]q : null
  callback_url        = each.key == "incoming" ? "https://ci.example.com/oauth/callback" : null
  two_legged_allowed  = each.key == "incoming" ? true : null
  execute_as          = each.key == "incoming" ? "user" : null
  request_token_url   = each.key == "outgoing" ? "/oauth/request-token" : null
  access_token_url    = each.key == "outgoing" ? "/oauth/access-token" : null
  authorize_url       = each.key == "outgoing" ? "https://ci.example.com/oauth/authorize" : null
}
`, s.ciLink, publicKeyBase64(t, testConsumerKey(t, 0)))
	ws := newWorkspace(t, "for-each", config, env)
	requestsBefore, err := emulatorRequests(s.jira)
	mustNotFail(t, err)
	// 5 rules and the CI link's 2 consumers.
	out := ws.mustRun(0, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "Apply complete! Resources: 7 imported, 0 added, 0 changed, 0 destroyed.") {
		t.Fatalf("the for_each imports must import 7 objects and change nothing:\n%s", out)
	}
	ws.expectEmptyPlan()
	if writes, which := writesSince(t, s.jira, requestsBefore); writes != 0 {
		t.Errorf("the import sent %d writes to the instance: %v", writes, which)
	}
}

// What the generated configuration of an imported outgoing OAuth 2.0 link
// and of a non-primary entity link says is accepted because nothing is
// written: the same configuration for a new object is still refused at
// plan time, before anything is created.
func TestAccAdoption_newObjectsStillNeedSecretAndPrimary(t *testing.T) {
	server := faultInstance(t, emulator.Options{}, "jira=jira")
	config := testAccProviderConfig(server.Instance("jira").URL())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config + `
resource "applinks_oauth2_outgoing_link" "mail" {
  name                   = "Google mail"
  provider_type          = "google"
  client_id              = "jira-mail"
  authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth"
  token_endpoint         = "https://oauth2.googleapis.com/token"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Missing Client Secret`),
			},
			{
				Config: config + `
resource "applinks_entity_link" "docs" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = "2841b105-5904-3c0a-9710-1ff26ae88206"
  remote_type         = "confluence_space"
  remote_key          = "DOCS"
  primary             = false
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Primary Cannot Be False`),
			},
		},
	})
}
