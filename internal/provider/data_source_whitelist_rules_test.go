package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// Every rule is listed in the product's order: the links' own rules
// (marked automatic) first, then rules made outside Terraform and by it.
func TestAccAllowlistRulesDataSource_basic(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	createTestLinks(t, inst, "Beta", "Alpha")
	if _, err := emulatorCall(inst, http.MethodPost, "/rest/whitelist/latest",
		json.RawMessage(`{"type":"whitelist.regular.expression","expression":"https://manual\\.example\\.com/.*","allowInbound":true}`), nil); err != nil {
		t.Fatal(err)
	}
	managed := testRule{"managed", "exact_url", "https://managed.example.com/hook", false, true}
	config := testAccAllowlistRuleResourceConfig(providerURL, managed) + `
data "applinks_whitelist_rules" "all" {
  depends_on = [applinks_whitelist_rule.managed]
}
`
	links, err := emulatorLinks(inst) // Alpha, Beta
	mustNotFail(t, err)
	rule := func(id, typ, expression string, inbound, anonymous, automatic bool) knownvalue.Check {
		// Automatic rules cannot be imported as applinks_whitelist_rule, so
		// they have no import id; their link's id imports their flags.
		var importID, linkID knownvalue.Check = knownvalue.StringExact(id), knownvalue.Null()
		if automatic {
			importID = knownvalue.Null()
			linkID = knownvalue.StringExact(links[map[string]int{"1": 1, "2": 0}[id]].ID)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":              knownvalue.StringExact(id),
			"import_id":       importID,
			"type":            knownvalue.StringExact(typ),
			"expression":      knownvalue.StringExact(expression),
			"allow_inbound":   knownvalue.Bool(inbound),
			"allow_anonymous": knownvalue.Bool(anonymous),
			"automatic":       knownvalue.Bool(automatic),
			"icon_url":        knownvalue.NotNull(),

			"application_link_id": linkID,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.applinks_whitelist_rules.all", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
						rule("2", "application_link", "Alpha (https://alpha.example.com)", false, false, true),
						rule("1", "application_link", "Beta (https://beta.example.com)", false, false, true),
						rule("4", "exact_url", "https://managed.example.com/hook", false, true, false),
						rule("3", "regex", `https://manual\.example\.com/.*`, true, false, false),
					})),
					statecheck.ExpectKnownValue("data.applinks_whitelist_rules.all", tfjsonpath.New("rules").AtSliceIndex(2).AtMapKey("icon_url"),
						knownvalue.StringExact("https://managed.example.com/favicon.ico")),
				},
				Check: ruleChecks(inst, []string{
					"application.link Alpha (https://alpha.example.com) inbound=false anonymous=false",
					"application.link Beta (https://beta.example.com) inbound=false anonymous=false",
					`regular.expression https://manual\.example\.com/.* inbound=true anonymous=false`,
				}, managed),
			},
		},
	})
}

func TestAllowlistDataSourceSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, d := range []datasource.DataSource{NewAllowlistRulesDataSource(), NewAllowlistCheckDataSource()} {
		resp := &datasource.SchemaResponse{}
		d.Schema(ctx, datasource.SchemaRequest{}, resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%T: %v", d, diags)
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%T has no description", d)
		}
		for name, attr := range resp.Schema.Attributes {
			if attr.GetMarkdownDescription() == "" {
				t.Errorf("%T attribute %s has no description", d, name)
			}
		}
	}
	if got := fmt.Sprint(allowlistTypeName("whitelist.application.link"), allowlistTypeName("whitelist.new.kind")); got != "application_linkwhitelist.new.kind" {
		t.Errorf("type names: %s", got)
	}
}
