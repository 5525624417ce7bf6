package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// adoptedConfig is a configuration, written by hand, for some of the
// objects seedByHand makes, followed by one import block per object; each
// block's target is given by importTarget.
func adoptedConfig(s seededInstance, importTarget func(identity map[string]string, id string) string) string {
	config := testAccProviderConfig(s.jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = "CI"
  rpc_url = %[1]q
}

resource "applinks_oauth_consumer" "ci_outgoing" {
  application_link_id = %[2]q
  direction           = "outgoing"
  consumer_key        = "jira-at-ci"
  name                = "Jira at CI"
  request_token_url   = "/oauth/request-token"
  access_token_url    = "/oauth/access-token"
  authorize_url       = "https://ci.example.com/oauth/authorize"
}

resource "applinks_whitelist_rule" "feeds" {
  type          = "exact_url"
  expression    = "https://feeds.example.com/rss.xml"
  allow_inbound = true
}

resource "applinks_whitelist" "this" {
  application_link_restrictiveness = "allow_anonymous"
}

resource "applinks_oauth2_client" "ci" {
  name          = "CI (OAuth 2.0)"
  redirect_urls = ["https://ci.example.com/oauth2/callback"]
  scope         = "WRITE"
}

resource "applinks_oauth2_outgoing_link" "mail" {
  name                   = "Google mail"
  description            = "Mail handler"
  provider_type          = "google"
  client_id              = "jira-mail"
  authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth"
  token_endpoint         = "https://oauth2.googleapis.com/token"
  scopes                 = ["https://mail.google.com/"]
}

resource "applinks_entity_link" "docs" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = %[3]q
  remote_type         = "confluence_space"
  remote_key          = "DOCS"
}

resource "applinks_application_link_whitelist_rule" "bitbucket" {
  application_link_id = %[4]q
  allow_inbound       = true
}
`, adoptionGenericURL, s.ciLink, s.wiki.ServerID(), s.bitbucket.ServerID())
	for _, target := range adoptedTargets(s) {
		config += "\nimport {\n  to = " + target.address + "\n" + importTarget(target.identity, target.id) + "}\n"
	}
	return config
}

// adoptedTarget is one object adoptedConfig imports: its address, its
// identity and its string import id.
type adoptedTarget struct {
	address  string
	identity map[string]string
	id       string
}

func adoptedTargets(s seededInstance) []adoptedTarget {
	entityLink := map[string]string{
		"local_type": "jira_project", "local_key": "PROJ", "application_link_id": s.wiki.ServerID(),
		"remote_type": "confluence_space", "remote_key": "DOCS",
	}
	return []adoptedTarget{
		{"applinks_application_link.ci", map[string]string{"id": s.ciLink}, s.ciLink},
		{"applinks_oauth_consumer.ci_outgoing", map[string]string{"application_link_id": s.ciLink, "direction": "outgoing"},
			consumerImportID(s.ciLink, "outgoing")},
		{"applinks_whitelist_rule.feeds", map[string]string{"id": adoptionFeedsRuleID}, adoptionFeedsRuleID},
		{"applinks_whitelist.this", map[string]string{"id": "whitelist"}, "whitelist"},
		{"applinks_oauth2_client.ci", map[string]string{"id": s.oauth2Client}, s.oauth2Client},
		{"applinks_oauth2_outgoing_link.mail", map[string]string{"id": s.oauth2Outgoing}, s.oauth2Outgoing},
		{"applinks_entity_link.docs", entityLink,
			"jira_project/PROJ/" + s.wiki.ServerID() + "/confluence_space/DOCS"},
		{"applinks_application_link_whitelist_rule.bitbucket", map[string]string{"application_link_id": s.bitbucket.ServerID()},
			s.bitbucket.ServerID()},
	}
}

// adoptionFeedsRuleID is the id of seedByHand's exact-URL rule: the four
// links' automatic rules come first, then the domain rule.
const adoptionFeedsRuleID = "6"

func identityChecks(s seededInstance) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, target := range adoptedTargets(s) {
		want := map[string]knownvalue.Check{}
		for name, value := range target.identity {
			want[name] = knownvalue.StringExact(value)
		}
		checks = append(checks, statecheck.ExpectIdentity(target.address, want))
	}
	return checks
}

// Import blocks that name objects by identity (`identity = { ... }`), which
// Terraform and OpenTofu 1.12 and later understand: every resource type
// imports so, changes nothing, and keeps its identity in the state. Older
// CLIs cannot read such blocks, so the test is skipped on them; run it with
// TF_ACC_TERRAFORM_PATH pointing at OpenTofu 1.12.6 and
// TF_ACC_PROVIDER_HOST=registry.opentofu.org, TF_ACC_PROVIDER_NAMESPACE=hashicorp.
func TestAccIdentity_importBlocks(t *testing.T) {
	s := seedByHand(t)
	byIdentity := func(identity map[string]string, _ string) string {
		block := "  identity = {\n"
		for name, value := range identity {
			block += fmt.Sprintf("    %s = %q\n", name, value)
		}
		return block + "  }\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            adoptedConfig(s, byIdentity),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: identityChecks(s),
		}},
	})
}

// The same import blocks with string ids, which every supported CLI reads
// (Terraform 1.5 and later): identities change nothing for them.
func TestAccIdentity_stringImportBlocks(t *testing.T) {
	s := seedByHand(t)
	byString := func(_ map[string]string, id string) string {
		return fmt.Sprintf("  id = %q\n", id)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:           adoptedConfig(s, byString),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
