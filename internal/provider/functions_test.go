package provider

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/applinks-iac/terraform-provider-applinks/internal/allowlist"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// functionCases are calls of the provider's functions with what they must
// return, run through the Terraform CLI: design/api.md §2.1's test vectors
// and the products' edge cases (trailing slashes, case, default ports,
// regular-expression anchoring).
var functionCases = []struct {
	call string
	want knownvalue.Check
}{
	{`provider::applinks::generic_link_id("http://jira.example.com")`, knownvalue.StringExact("da2ba910-6b7f-3e7d-873f-9fc7a90c771b")},
	{`provider::applinks::generic_link_id("https://confluence.example.com/wiki")`, knownvalue.StringExact("80b89917-61f7-322e-b6eb-60fdedbedcbb")},
	{`provider::applinks::generic_link_id("https://confluence.example.com/wiki///")`, knownvalue.StringExact("80b89917-61f7-322e-b6eb-60fdedbedcbb")},
	{`provider::applinks::generic_link_id("https://confluence.example.com/x/../wiki")`, knownvalue.StringExact("80b89917-61f7-322e-b6eb-60fdedbedcbb")},
	{`provider::applinks::generic_link_id("HTTP://JIRA.EXAMPLE.COM") == provider::applinks::generic_link_id("http://jira.example.com")`, knownvalue.Bool(false)},
	{`provider::applinks::generic_link_id("http://jira.example.com:80") == provider::applinks::generic_link_id("http://jira.example.com")`, knownvalue.Bool(false)},
	{`provider::applinks::allowlist_allows("domain", "https://www.example.com", "HTTPS://WWW.EXAMPLE.COM/feed")`, knownvalue.Bool(true)},
	{`provider::applinks::allowlist_allows("domain", "https://www.example.com/", "https://www.example.com/feed")`, knownvalue.Bool(false)},
	{`provider::applinks::allowlist_allows("domain", "https://www.example.com", "https://www.example.com:443/")`, knownvalue.Bool(false)},
	{`provider::applinks::allowlist_allows("exact_url", "https://www.example.com/feed", "https://www.example.com/feed/")`, knownvalue.Bool(false)},
	{`provider::applinks::allowlist_allows("exact_url", "https://www.example.com/feed", "https://WWW.example.com/feed")`, knownvalue.Bool(true)},
	{`provider::applinks::allowlist_allows("wildcard", "https://*.example.com/*", "https://evil.org/.example.com/")`, knownvalue.Bool(true)},
	{`provider::applinks::allowlist_allows("regex", "www\\.example\\.com", "https://www.example.com/")`, knownvalue.Bool(false)},
	{`provider::applinks::allowlist_allows("regex", "https://www\\.example\\.com/.*", "HTTPS://www.example.com/x")`, knownvalue.Bool(false)},
}

func TestAccFunctions_onTheCLI(t *testing.T) {
	// OpenTofu 1.10 configures a provider before calling its functions (1.12
	// and Terraform do not), and with no provider block this one stops at
	// "Missing Applinks URL". The functions never call the instance, so any
	// URL does; docs/index.md tells OpenTofu users the same.
	config := ""
	if tfcli.AccRegistryHost() == tfcli.OpenTofuRegistryHost {
		config = "provider \"applinks\" {\n  url      = \"https://jira.example.com\"\n  username = \"admin\"\n  password = \"admin\"\n}\n"
	}
	var checks []statecheck.StateCheck
	for i, c := range functionCases {
		name := "case_" + strconv.Itoa(i)
		config += fmt.Sprintf("output %q {\n  value = %s\n}\n", name, c.call)
		checks = append(checks, statecheck.ExpectKnownOutputValue(name, c.want))
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: checks},
			{
				Config:      `output "x" { value = provider::applinks::generic_link_id("ci.example.com") }`,
				ExpectError: regexp.MustCompile(`rpc_url\s+must\s+be\s+an\s+absolute\s+http\s+or\s+https\s+URL`),
			},
			{
				Config:      `output "x" { value = provider::applinks::allowlist_allows("application_link", "x", "https://a.example.com") }`,
				ExpectError: regexp.MustCompile(`(?s)type\s+must\s+be\s+one\s+of.*Application-link\s+rules`),
			},
			{
				Config:      `output "x" { value = provider::applinks::allowlist_allows("regex", "(?<=a)b", "https://a.example.com") }`,
				ExpectError: regexp.MustCompile(`cannot\s+be\s+evaluated\s+without\s+the\s+server`),
			},
		},
	})
}

// The provider's matcher and the emulator's, written from design/api.md §8
// each on its own, must agree on every URL: each rule is created alone on an
// instance (allowing anonymous users, so that the check's outbound answer is
// the rule's), the instance's /check is asked, and the rule deleted again.
func TestAccAllowlistAllows_agreesWithEmulator(t *testing.T) {
	t.Parallel()
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	rules := []struct {
		typeName, wire, expression string
		urls                       []string
	}{
		{"domain", "whitelist.domain.name", "https://www.example.com", []string{"https://www.example.com/feed",
			"HTTPS://WWW.EXAMPLE.COM/", "https://www.example.com:443/", "http://www.example.com/", "https://user@www.example.com/x",
			"https://www.example.com#top", "https://sub.www.example.com/"}},
		{"domain", "whitelist.domain.name", "https://www.example.com:8443", []string{"https://www.example.com:8443/a", "https://www.example.com/a"}},
		{"exact_url", "whitelist.exact.url", "https://www.example.com/feed.xml", []string{"https://www.example.com/feed.xml",
			"HTTPS://WWW.EXAMPLE.COM/feed.xml", "https://www.example.com/FEED.xml", "https://www.example.com/feed.xml/",
			"https://www.example.com:443/feed.xml", "https://www.example.com/feed.xml?x=1", "https://www.example.com/feed.xml#a"}},
		{"exact_url", "whitelist.exact.url", "https://www.example.com/a%2fb", []string{"https://www.example.com/a%2Fb", "https://www.example.com/a/b"}},
		{"wildcard", "whitelist.wildcard.expression", "https://*.example.com/*", []string{"https://docs.example.com/a",
			"HTTPS://DOCS.EXAMPLE.COM/A", "https://evil.org/.example.com/", "https://example.com/", "https://docs.example.com"}},
		{"wildcard", "whitelist.wildcard.expression", "https://www.example.com/a?b", []string{"https://www.example.com/a?b", "https://www.example.com/ab"}},
		{"regex", "whitelist.regular.expression", `https://www\.example\.com/.*`, []string{"https://www.example.com/x",
			"https://www.example.com.evil.org/x", "HTTPS://www.example.com/x", "https://www.example.com"}},
		{"regex", "whitelist.regular.expression", `www\.example\.com`, []string{"https://www.example.com/", "www.example.com"}},
		{"regex", "whitelist.regular.expression", `https://a\.example\.com|https://b\.example\.com/.*`, []string{
			"https://a.example.com", "https://a.example.com/x", "https://b.example.com/x"}},
	}
	compared := 0
	for _, rule := range rules {
		var created struct {
			ID int64 `json:"id"`
		}
		_, err := emulatorCall(jira, http.MethodPost, "/rest/whitelist/latest",
			map[string]any{"type": rule.wire, "expression": rule.expression, "allowAnonymousUser": true}, &created)
		mustNotFail(t, err)
		for _, u := range rule.urls {
			var answer struct {
				Outbound bool `json:"outbound"`
			}
			_, err := emulatorCall(jira, http.MethodGet, "/rest/whitelist/latest/check?url="+url.QueryEscape(u), nil, &answer)
			mustNotFail(t, err)
			got, err := allowlist.Allows(allowlistKinds[rule.typeName], rule.expression, u)
			mustNotFail(t, err)
			if got != answer.Outbound {
				t.Errorf("%s rule %q and %q: the provider says %t, the emulator %t", rule.typeName, rule.expression, u, got, answer.Outbound)
			}
			compared++
		}
		_, err = emulatorCall(jira, http.MethodDelete, "/rest/whitelist/latest/"+strconv.FormatInt(created.ID, 10), nil, nil)
		mustNotFail(t, err)
	}
	t.Logf("%d URLs compared", compared)
}
