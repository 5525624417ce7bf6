package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

const linkRuleAddr = "applinks_application_link_whitelist_rule.wiki"

// emulatedAllowlistRule is a rule as the emulator's listing shows it.
type emulatedAllowlistRule struct {
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	Type               string `json:"type"`
	AllowInbound       bool   `json:"allowInbound"`
	AllowAnonymousUser bool   `json:"allowAnonymousUser"`
}

// emulatorLinkRules lists the instance's application-link rules.
func emulatorLinkRules(inst *emulator.Instance) ([]emulatedAllowlistRule, error) {
	var listing struct {
		Rules []emulatedAllowlistRule `json:"rules"`
	}
	if _, err := emulatorCall(inst, http.MethodGet, "/rest/whitelist/latest", nil, &listing); err != nil {
		return nil, err
	}
	var rules []emulatedAllowlistRule
	for _, rule := range listing.Rules {
		if rule.Type == "whitelist.application.link" {
			rules = append(rules, rule)
		}
	}
	return rules, nil
}

// expectLinkRule checks that the instance holds exactly one application-link
// rule, showing expression, with these flags.
func expectLinkRule(inst *emulator.Instance, expression string, inbound, anonymous bool) func() error {
	return func() error {
		rules, err := emulatorLinkRules(inst)
		if err != nil {
			return err
		}
		if len(rules) != 1 {
			return fmt.Errorf("want one application-link rule, the instance holds %d: %+v", len(rules), rules)
		}
		got := rules[0]
		if got.Expression != expression || got.AllowInbound != inbound || got.AllowAnonymousUser != anonymous {
			return fmt.Errorf("application-link rule is %+v, want expression %q, inbound %t, anonymous %t", got, expression, inbound, anonymous)
		}
		return nil
	}
}

// setLinkRuleFlagsOverHTTP changes the rule's flags as an administrator in
// the allowlist's page would.
func setLinkRuleFlagsOverHTTP(t *testing.T, inst *emulator.Instance, inbound, anonymous bool) {
	t.Helper()
	rules, err := emulatorLinkRules(inst)
	mustNotFail(t, err)
	if len(rules) != 1 {
		t.Fatalf("want one application-link rule, got %+v", rules)
	}
	_, err = emulatorCall(inst, http.MethodPut, fmt.Sprintf("/rest/whitelist/latest/%d", rules[0].ID),
		map[string]bool{"allowInbound": inbound, "allowAnonymousUser": anonymous}, nil)
	mustNotFail(t, err)
}

func setRestrictivenessOverHTTP(t *testing.T, inst *emulator.Instance, restrictiveness string) {
	t.Helper()
	_, err := emulatorCall(inst, http.MethodPut, "/rest/whitelist/latest/settings",
		map[string]string{"applicationLinkRestrictiveness": restrictiveness}, nil)
	mustNotFail(t, err)
}

func testAccLinkRuleConfig(jira, wiki *emulator.Instance, ruleBody string) string {
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %q
}
`, wiki.URL())
	if ruleBody != "" {
		config += fmt.Sprintf(`
resource "applinks_application_link_whitelist_rule" "wiki" {
  application_link_id = applinks_application_link.wiki.id
  %s
}
`, ruleBody)
	}
	return config
}

// The provider adopts the product's rule, sets the configured flag, repairs
// drift on it, leaves an unmanaged flag alone, and on destroy leaves the rule
// with the product's default flags.
func TestAccApplicationLinkWhitelistRuleResource_flags(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	expression := "Wiki (" + wiki.URL() + ")"

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: testAccLinkRuleConfig(jira, wiki, "allow_inbound = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkRuleAddr, tfjsonpath.New("id"), knownvalue.StringExact(wiki.ServerID())),
					statecheck.ExpectKnownValue(linkRuleAddr, tfjsonpath.New("expression"), knownvalue.StringExact(expression)),
					statecheck.ExpectKnownValue(linkRuleAddr, tfjsonpath.New("allow_inbound"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(linkRuleAddr, tfjsonpath.New("allow_anonymous"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(linkRuleAddr, tfjsonpath.New("rule_id"), knownvalue.NotNull()),
				},
				Check: checks(expectLinkRule(jira, expression, true, false)),
			},
			{
				// Drift: an administrator turns inbound off, and anonymous on,
				// which this configuration does not manage.
				PreConfig: func() { setLinkRuleFlagsOverHTTP(t, jira, false, true) },
				Config:    testAccLinkRuleConfig(jira, wiki, "allow_inbound = true"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(linkRuleAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checks(expectLinkRule(jira, expression, true, true)),
			},
			{
				Config:           testAccLinkRuleConfig(jira, wiki, "allow_inbound = true"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:      linkRuleAddr,
				ImportState:       true,
				ImportStateId:     wiki.ServerID(),
				ImportStateVerify: true,
			},
			{
				// Destroying the rule resource alone: the rule stays, with the
				// flags a new link gets under allow_authenticated.
				Config: testAccLinkRuleConfig(jira, wiki, ""),
				Check:  checks(expectLinkRule(jira, expression, false, false)),
			},
		},
	})
}

// DENY removes the products' link rules: refreshing then drops the resource
// with a warning, creating it fails naming the setting, and once the setting
// is changed back the next apply sets the flag again.
func TestAccApplicationLinkWhitelistRuleResource_deny(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	expression := "Wiki (" + wiki.URL() + ")"
	config := testAccLinkRuleConfig(jira, wiki, "allow_inbound = true")

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				Config: config,
				Check:  checks(expectLinkRule(jira, expression, true, false)),
			},
			{
				PreConfig:   func() { setRestrictivenessOverHTTP(t, jira, "DENY") },
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Application Link Has No Allowlist Rule.*restrictiveness is\s+` + "`deny`" + `.*allow_authenticated`),
			},
			{
				PreConfig: func() { setRestrictivenessOverHTTP(t, jira, "ALLOW_AUTHENTICATED") },
				Config:    config,
				Check: func(s *terraform.State) error {
					return expectLinkRule(jira, expression, true, false)()
				},
			},
		},
	})
}
