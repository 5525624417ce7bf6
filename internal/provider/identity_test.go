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
func adoptedConfig(s seededInstance, importTarget func(address string, identity map[string]string) string) string {
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
`, adoptionGenericURL, s.ciLink)
	for _, target := range []struct {
		address  string
		identity map[string]string
	}{
		{"applinks_application_link.ci", map[string]string{"id": s.ciLink}},
		{"applinks_oauth_consumer.ci_outgoing", map[string]string{"application_link_id": s.ciLink, "direction": "outgoing"}},
		{"applinks_whitelist_rule.feeds", map[string]string{"id": adoptionFeedsRuleID}},
		{"applinks_whitelist.this", map[string]string{"id": "whitelist"}},
	} {
		config += "\nimport {\n  to = " + target.address + "\n" + importTarget(target.address, target.identity) + "}\n"
	}
	return config
}

// adoptionFeedsRuleID is the id of seedByHand's exact-URL rule: the four
// links' automatic rules come first, then the domain rule.
const adoptionFeedsRuleID = "6"

func identityChecks(s seededInstance) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity("applinks_application_link.ci", map[string]knownvalue.Check{"id": knownvalue.StringExact(s.ciLink)}),
		statecheck.ExpectIdentity("applinks_oauth_consumer.ci_outgoing", map[string]knownvalue.Check{
			"application_link_id": knownvalue.StringExact(s.ciLink), "direction": knownvalue.StringExact("outgoing"),
		}),
		statecheck.ExpectIdentity("applinks_whitelist_rule.feeds", map[string]knownvalue.Check{"id": knownvalue.StringExact(adoptionFeedsRuleID)}),
		statecheck.ExpectIdentity("applinks_whitelist.this", map[string]knownvalue.Check{"id": knownvalue.StringExact("whitelist")}),
	}
}

// Import blocks that name objects by identity (`identity = { ... }`), which
// Terraform and OpenTofu 1.12 and later understand: every resource type
// imports so, changes nothing, and keeps its identity in the state. Older
// CLIs cannot read such blocks, so the test is skipped on them; run it with
// TF_ACC_TERRAFORM_PATH pointing at OpenTofu 1.12.6 and
// TF_ACC_PROVIDER_HOST=registry.opentofu.org, TF_ACC_PROVIDER_NAMESPACE=hashicorp.
func TestAccIdentity_importBlocks(t *testing.T) {
	s := seedByHand(t)
	byIdentity := func(_ string, identity map[string]string) string {
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
	byString := func(_ string, identity map[string]string) string {
		id := identity["id"]
		if id == "" {
			id = consumerImportID(identity["application_link_id"], identity["direction"])
		}
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
