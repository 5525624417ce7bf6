package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The nested attributes are documented too (the provider-wide schema test
// only looks at the top level).
func TestApplicationLinksDataSourceSchemaDocumentsNestedAttributes(t *testing.T) {
	var resp datasource.SchemaResponse
	NewApplicationLinksDataSource().Schema(t.Context(), datasource.SchemaRequest{}, &resp)
	links, ok := resp.Schema.Attributes["links"].(schema.ListNestedAttribute)
	if !ok {
		t.Fatalf("links is %T", resp.Schema.Attributes["links"])
	}
	if len(links.NestedObject.Attributes) != 8 {
		t.Errorf("links has %d attributes, want 8", len(links.NestedObject.Attributes))
	}
	for name, a := range links.NestedObject.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("links.%s has no description", name)
		}
	}
}

func TestApplicationLinkEntriesOrderAndFilter(t *testing.T) {
	links := []client.ApplicationLink{
		{ID: "3", Name: "Git", TypeID: "stash"},
		{ID: "1", Name: "Wiki", TypeID: "confluence", Primary: true},
		{ID: "2", Name: "Docs", TypeID: "confluence"},
		{ID: "4", Name: "Plugin", TypeID: "refapp", System: true},
	}
	var names []string
	for _, e := range applicationLinkEntries(links, "") {
		names = append(names, e.Name.ValueString()+"/"+e.Type.ValueString())
	}
	if fmt.Sprint(names) != "[Docs/confluence Wiki/confluence Plugin/refapp Git/bitbucket]" {
		t.Errorf("order %v", names)
	}
	if got := applicationLinkEntries(links, "bitbucket"); len(got) != 1 || got[0].ID.ValueString() != "3" {
		t.Errorf("bitbucket filter: %+v", got)
	}
	if got := applicationLinkEntries(links, "jira"); got == nil || len(got) != 0 {
		t.Errorf("no match must be an empty list, not null: %#v", got)
	}
}

func TestAccApplicationLinksDataSource_basic(t *testing.T) {
	server := startEmulator(t, emulator.Options{}, "jira=jira", "wiki=confluence", "git=stash")
	jira, wiki, git := server.Instance("jira"), server.Instance("wiki"), server.Instance("git")
	// Created by an administrator, outside Terraform, in this order.
	createLinkOverHTTP(t, jira, git.ServerID(), "stash", "Git", git.URL())
	createLinkOverHTTP(t, jira, wiki.ServerID(), "confluence", "Wiki", wiki.URL())
	createLinkOverHTTP(t, jira, "", "generic", "CI", "https://ci.example.com")
	ciID := client.ApplicationIDForURL("https://ci.example.com")
	const all, bitbucket, bamboo = "data.applinks_application_links.all", "data.applinks_application_links.bitbucket", "data.applinks_application_links.bamboo"
	config := testAccProviderConfig(jira.URL()) + `
data "applinks_application_links" "all" {}

data "applinks_application_links" "bitbucket" {
  type = "bitbucket"
}

data "applinks_application_links" "bamboo" {
  type = "bamboo"
}
`
	entry := func(id, name, typeName, url string, primary bool) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(id), "import_id": knownvalue.StringExact(id), "name": knownvalue.StringExact(name), "type": knownvalue.StringExact(typeName),
			"rpc_url": knownvalue.StringExact(url), "display_url": knownvalue.StringExact(url),
			"primary": knownvalue.Bool(primary), "system": knownvalue.Bool(false),
		})
	}
	gitEntry := entry(git.ServerID(), "Git", "bitbucket", git.URL(), true)

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("links"), knownvalue.ListExact([]knownvalue.Check{
						entry(wiki.ServerID(), "Wiki", "confluence", wiki.URL(), true),
						entry(ciID, "CI", "generic", "https://ci.example.com", true),
						gitEntry,
					})),
					statecheck.ExpectKnownValue(bitbucket, tfjsonpath.New("links"), knownvalue.ListExact([]knownvalue.Check{gitEntry})),
					statecheck.ExpectKnownValue(bamboo, tfjsonpath.New("links"), knownvalue.ListSizeExact(0)),
				},
				Check: func(s *terraform.State) error {
					// Every link the instance holds is listed, and no other.
					links, err := emulatorLinks(jira)
					if err != nil {
						return err
					}
					listed := s.RootModule().Resources[all].Primary.Attributes
					if fmt.Sprint(len(links)) != listed["links.#"] {
						return fmt.Errorf("the instance holds %d links, the data source lists %s", len(links), listed["links.#"])
					}
					for _, l := range links {
						found := false
						for i := range links {
							found = found || listed[fmt.Sprintf("links.%d.id", i)] == l.ID
						}
						if !found {
							return fmt.Errorf("link %s (%s) is not listed", l.ID, l.Name)
						}
					}
					return nil
				},
			},
			{
				// A link added outside Terraform shows on the next read.
				PreConfig: func() { createLinkOverHTTP(t, jira, "", "stash", "Git 2", "http://git2.example.com") },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("links"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue(bitbucket, tfjsonpath.New("links"), knownvalue.ListExact([]knownvalue.Check{
						gitEntry,
						entry(client.ApplicationIDForURL("http://git2.example.com"), "Git 2", "bitbucket", "http://git2.example.com", false),
					})),
				},
			},
		},
	})
}

func TestAccApplicationLinksDataSource_invalidType(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(jira.URL()) + `
data "applinks_application_links" "wiki" {
  type = "stash"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match.*"bitbucket"`),
			},
		},
	})
}
