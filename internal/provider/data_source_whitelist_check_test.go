package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The check answers as the rules say, for URLs that match each rule type
// and URLs that do not; with the allowlist off, everything passes.
func TestAccAllowlistCheckDataSource_matching(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	rules := []testRule{
		{"domain", "domain", "https://domain.example.com:8443", false, true},
		{"exact", "exact_url", "https://exact.example.com/feed?x=1", true, true},
		{"wildcard", "wildcard", "https://*.wild.example.com/*", false, true},
		{"regex", "regex", `https://re\.example\.com/[ab]/[0-9]+`, false, false},
	}
	type answer struct{ outbound, withAuth, inbound bool }
	cases := []struct {
		key, url string
		want     answer
	}{
		{"domain_match", "https://DOMAIN.example.com:8443/any/path", answer{true, true, false}},
		{"domain_other_port", "https://domain.example.com/any/path", answer{}},
		{"exact_match", "https://exact.example.com/feed?x=1", answer{true, true, true}},
		{"exact_other_query", "https://exact.example.com/feed?x=2", answer{}},
		{"wildcard_match", "https://api.wild.example.com/v1/users", answer{true, true, false}},
		{"wildcard_other_host", "https://wild.example.com.evil.net/", answer{}},
		// Requires authentication: only a logged-in user's calls pass.
		{"regex_match", "https://re.example.com/a/42", answer{false, true, false}},
		{"regex_partial", "https://re.example.com/a/42/more", answer{}},
		{"own_base_url", inst.URL() + "/rest/api/2/issue", answer{true, true, true}},
	}
	config := func(enabled bool) string {
		var b strings.Builder
		b.WriteString(testAccAllowlistRuleResourceConfig(providerURL, rules...))
		fmt.Fprintf(&b, `
resource "applinks_whitelist" "this" {
  enabled = %t
}
`, enabled)
		for _, c := range cases {
			fmt.Fprintf(&b, `
data "applinks_whitelist_check" %q {
  url        = %q
  depends_on = [applinks_whitelist.this, applinks_whitelist_rule.domain, applinks_whitelist_rule.exact, applinks_whitelist_rule.wildcard, applinks_whitelist_rule.regex]
}
`, c.key, c.url)
		}
		return b.String()
	}
	answerChecks := func(all bool) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, c := range cases {
			want := c.want
			if all {
				want = answer{true, true, true}
			}
			addr := "data.applinks_whitelist_check." + c.key
			out = append(out,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("outbound"), knownvalue.Bool(want.outbound)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("outbound_with_authentication"), knownvalue.Bool(want.withAuth)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("inbound"), knownvalue.Bool(want.inbound)),
			)
		}
		return out
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(providerURL) + `
data "applinks_whitelist_check" "bad" {
  url = "https://exa mple.com/"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid URL to Check.*"https://exa mple.com/".*Illegal character in authority at index 11`),
			},
			{
				Config:            config(true),
				ConfigStateChecks: answerChecks(false),
				Check:             ruleChecks(inst, nil, rules...),
			},
			{
				Config:            config(false),
				ConfigStateChecks: answerChecks(true),
				Check:             checks(expectAllowlistSettings(inst, false, "ALLOW_AUTHENTICATED")),
			},
		},
	})
}
