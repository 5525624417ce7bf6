package provider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

const allowlistAddr = "applinks_whitelist.this"

// expectAllowlistSettings checks the switch, as the admin page shows it
// (the emulator's own markup), and the restrictiveness.
func expectAllowlistSettings(inst *emulator.Instance, enabled bool, restrictiveness string) func() error {
	return func() error {
		req, err := http.NewRequest(http.MethodGet, inst.URL()+"/plugins/servlet/whitelist", nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth("admin", "admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		page, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		want := fmt.Sprintf(`id="allowlist-status" data-enabled="%t"`, enabled)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), want) {
			return fmt.Errorf("admin page (HTTP %d) lacks %s:\n%s", resp.StatusCode, want, page)
		}
		var settings struct {
			ApplicationLinkRestrictiveness string `json:"applicationLinkRestrictiveness"`
		}
		if _, err := emulatorCall(inst, http.MethodGet, "/rest/whitelist/latest/settings", nil, &settings); err != nil {
			return err
		}
		if settings.ApplicationLinkRestrictiveness != restrictiveness {
			return fmt.Errorf("restrictiveness is %s, want %s", settings.ApplicationLinkRestrictiveness, restrictiveness)
		}
		return nil
	}
}

func testAccAllowlistResourceConfig(providerURL, body string) string {
	return testAccProviderConfig(providerURL) + fmt.Sprintf(`
resource "applinks_whitelist" "this" {
%s
}
`, body)
}

func allowlistStateChecks(enabled bool, restrictiveness string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("id"), knownvalue.StringExact("whitelist")),
		statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("enabled"), knownvalue.Bool(enabled)),
		statecheck.ExpectKnownValue(allowlistAddr, tfjsonpath.New("application_link_restrictiveness"), knownvalue.StringExact(restrictiveness)),
	}
}

func TestAccAllowlistResource_basic(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	outOfBand := func(method, path string, body any) func() {
		return func() {
			if _, err := emulatorCall(inst, method, path, body, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	offAnonymous := testAccAllowlistResourceConfig(providerURL, `
  enabled                          = false
  application_link_restrictiveness = "allow_anonymous"`)
	onDeny := testAccAllowlistResourceConfig(providerURL, `
  enabled                          = true
  application_link_restrictiveness = "deny"`)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Destroy restores the product's defaults.
		CheckDestroy: checks(expectAllowlistSettings(inst, true, "ALLOW_AUTHENTICATED")),
		Steps: []resource.TestStep{
			{
				Config:            offAnonymous,
				ConfigStateChecks: allowlistStateChecks(false, "allow_anonymous"),
				Check:             checks(expectAllowlistSettings(inst, false, "ALLOW_ANONYMOUS")),
			},
			{
				// The switch cannot be read, so it is not compared.
				Config:                               offAnonymous,
				ResourceName:                         allowlistAddr,
				ImportState:                          true,
				ImportStateId:                        "whitelist",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              []string{"enabled"},
			},
			{
				Config: onDeny,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: allowlistStateChecks(true, "deny"),
				Check:             checks(expectAllowlistSettings(inst, true, "DENY")),
			},
			{
				// The restrictiveness changed outside Terraform is drift.
				PreConfig: outOfBand(http.MethodPut, "/rest/whitelist/latest/settings", json.RawMessage(`{"applicationLinkRestrictiveness":"ALLOW_ANONYMOUS"}`)),
				Config:    onDeny,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checks(expectAllowlistSettings(inst, true, "DENY")),
			},
			{
				// The switch flipped outside Terraform is not detected, as
				// the documentation says: nothing can read it.
				PreConfig: outOfBand(http.MethodPost, "/rest/whitelist/latest/disable", nil),
				Config:    onDeny,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checks(expectAllowlistSettings(inst, false, "DENY")),
			},
			{
				// An empty block means the defaults; any change sets the
				// switch again.
				Config: testAccAllowlistResourceConfig(providerURL, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(allowlistAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: allowlistStateChecks(true, "allow_authenticated"),
				Check:             checks(expectAllowlistSettings(inst, true, "ALLOW_AUTHENTICATED")),
			},
			{
				Config:        testAccAllowlistResourceConfig(providerURL, ""),
				ResourceName:  allowlistAddr,
				ImportState:   true,
				ImportStateId: "allowlist",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Allowlist Import ID.*"whitelist".*"allowlist"`),
			},
			{
				Config:      testAccAllowlistResourceConfig(providerURL, `application_link_restrictiveness = "none"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match.*"allow_authenticated"\s+"allow_anonymous"\s+"deny"`),
			},
			{
				Config: testAccAllowlistResourceConfig(providerURL, ""),
			},
		},
	})
}

// Restrictiveness "deny" removes the rules the product keeps for links,
// "allow_authenticated" brings them back; rules of Terraform's own are not
// affected.
func TestAccAllowlistResource_applicationLinkRestrictiveness(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	createTestLinks(t, inst, "Alpha", "Beta")
	keep := testRule{"keep", "domain", "https://keep.example.com", false, false}
	config := func(restrictiveness string) string {
		return testAccAllowlistRuleResourceConfig(providerURL, keep) + fmt.Sprintf(`
resource "applinks_whitelist" "this" {
  application_link_restrictiveness = %q
}

data "applinks_whitelist_rules" "all" {
  depends_on = [applinks_whitelist.this, applinks_whitelist_rule.keep]
}
`, restrictiveness)
	}
	linkRules := func(anonymous bool) []string {
		return []string{
			fmt.Sprintf("application.link Alpha (https://alpha.example.com) inbound=false anonymous=%t", anonymous),
			fmt.Sprintf("application.link Beta (https://beta.example.com) inbound=false anonymous=%t", anonymous),
		}
	}
	listed := func(automatic ...bool) statecheck.StateCheck {
		values := make([]knownvalue.Check, len(automatic))
		for i, a := range automatic {
			values[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"automatic": knownvalue.Bool(a)})
		}
		return statecheck.ExpectKnownValue("data.applinks_whitelist_rules.all", tfjsonpath.New("rules"), knownvalue.ListExact(values))
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst, linkRules(false)...)),
		Steps: []resource.TestStep{
			{
				Config:            config("deny"),
				ConfigStateChecks: []statecheck.StateCheck{listed(false)},
				Check:             ruleChecks(inst, nil, keep),
			},
			{
				Config:            config("allow_authenticated"),
				ConfigStateChecks: []statecheck.StateCheck{listed(true, true, false)},
				Check:             ruleChecks(inst, linkRules(false), keep),
			},
			{
				Config:            config("allow_anonymous"),
				ConfigStateChecks: []statecheck.StateCheck{listed(true, true, false)},
				Check:             ruleChecks(inst, linkRules(true), keep),
			},
		},
	})
}
