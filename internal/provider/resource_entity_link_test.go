package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

const entityLinkAddr = "applinks_entity_link.test"

// emulatedEntityLink is an entity link as the emulator lists it, decoded on
// its own rather than with the client's struct.
type emulatedEntityLink struct {
	ApplicationID string `json:"applicationId"`
	TypeID        string `json:"typeId"`
	Key           string `json:"key"`
	Name          string `json:"name"`
	IsPrimary     bool   `json:"isPrimary"`
}

func (l emulatedEntityLink) String() string {
	primary := ""
	if l.IsPrimary {
		primary = " primary"
	}
	return fmt.Sprintf("%s:%s(%s)%s", l.TypeID, l.Key, l.Name, primary)
}

// expectEntityLinks checks an instance's links under one local entity,
// written "type:key(name)[ primary]" and sorted.
func expectEntityLinks(inst *emulator.Instance, localType, localKey string, want ...string) func() error {
	return func() error {
		var list struct {
			Entity []emulatedEntityLink `json:"entity"`
		}
		if _, err := emulatorCall(inst, http.MethodGet, "/rest/applinks/1.0/entitylink/list/"+localType+"/"+localKey, nil, &list); err != nil {
			return err
		}
		var got []string
		for _, l := range list.Entity {
			got = append(got, l.String())
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			return fmt.Errorf("%s: entity links of %s %s are [%s], want [%s]", inst.Name(), localType, localKey, strings.Join(got, ", "), strings.Join(want, ", "))
		}
		return nil
	}
}

// entityProduct is how a test makes an entity on one product type.
type entityProduct struct {
	typeID, linkType, entityType, attrType string
	create                                 func(inst *emulator.Instance, key, name string) error
}

var entityProducts = map[string]entityProduct{
	"jira": {"jira", "jira", "jira.project", "jira_project", func(inst *emulator.Instance, key, name string) error {
		_, err := emulatorCall(inst, http.MethodPost, "/rest/api/2/project", map[string]string{"key": key, "name": name, "projectTypeKey": "software", "lead": "admin"}, nil)
		return err
	}},
	"confluence": {"confluence", "confluence", "confluence.space", "confluence_space", func(inst *emulator.Instance, key, name string) error {
		_, err := emulatorCall(inst, http.MethodPost, "/rest/api/space", map[string]string{"key": key, "name": name}, nil)
		return err
	}},
	"stash": {"stash", "bitbucket", "bitbucket.project", "bitbucket_project", func(inst *emulator.Instance, key, name string) error {
		_, err := emulatorCall(inst, http.MethodPost, "/rest/api/1.0/projects", map[string]string{"key": key, "name": name}, nil)
		return err
	}},
	"bamboo": {"bamboo", "bamboo", "bamboo.project", "bamboo_project", func(inst *emulator.Instance, key, name string) error {
		_, err := emulatorCall(inst, http.MethodPost, "/rest/api/latest/project", map[string]string{"key": key, "name": name}, nil)
		return err
	}},
	"fecru": {"fecru", "fecru", "fecru.project", "fecru_project", func(inst *emulator.Instance, key, name string) error {
		_, err := emulatorCall(inst, http.MethodPost, "/rest-service-fecru/admin/projects", map[string]string{"key": key, "name": name}, nil)
		return err
	}},
}

// linkInstances links a and b both ways with OAuth impersonation, as the
// application link resource's oauth_impersonation levels do, and returns
// the id of a's link to b.
func linkInstances(t *testing.T, a, b *emulator.Instance) string {
	t.Helper()
	impersonation := map[string]any{
		"incoming": map[string]bool{"enabled": true, "twoLoEnabled": true, "twoLoImpersonationEnabled": true},
		"outgoing": map[string]bool{"enabled": true, "twoLoEnabled": true, "twoLoImpersonationEnabled": true},
	}
	for _, pair := range [][2]*emulator.Instance{{a, b}, {b, a}} {
		from, to := pair[0], pair[1]
		_, err := emulatorCall(from, http.MethodPut, "/rest/applinks/latest/applicationlink", map[string]string{
			"id": to.ServerID(), "typeId": to.Type(), "name": to.Name(), "rpcUrl": to.URL(), "displayUrl": to.URL(),
		}, nil)
		mustNotFail(t, err)
		_, err = emulatorCall(from, http.MethodPut, "/rest/applinks/3.0/status/"+to.ServerID()+"/oauth", impersonation, nil)
		mustNotFail(t, err)
	}
	return b.ServerID()
}

func testAccEntityLinkConfig(url, localType, localKey, linkID, remoteType, remoteKey, extra string) string {
	return testAccProviderConfig(url) + fmt.Sprintf(`
resource "applinks_entity_link" "test" {
  local_type          = %[1]q
  local_key           = %[2]q
  application_link_id = %[3]q
  remote_type         = %[4]q
  remote_key          = %[5]q
%[6]s
}
`, localType, localKey, linkID, remoteType, remoteKey, extra)
}

// entityProductPairs are the product pairs with entity types at both ends.
var entityProductPairs = [][2]string{{"jira", "confluence"}, {"jira", "stash"}, {"jira", "bamboo"}, {"jira", "fecru"},
	{"confluence", "stash"}, {"confluence", "bamboo"}, {"stash", "bamboo"}}

// Every product pair with reciprocate, one resource making both ends:
// created with the link back, renamed in place, a second link made primary
// (demoting the first on this side only, its link back primary on its own
// entity), imported, repaired after out-of-band deletes and renames, and
// destroyed with the links back. The pairs run as parallel subtests.
func TestAccEntityLinkResource_reciprocate(t *testing.T) {
	for _, pair := range entityProductPairs {
		t.Run(pair[0]+"_"+pair[1], func(t *testing.T) {
			testAccEntityLinkReciprocate(t, entityProducts[pair[0]], entityProducts[pair[1]])
		})
	}
}

func testAccEntityLinkReciprocate(t *testing.T, a, b entityProduct) {
	server := startEmulator(t, emulator.Options{}, "a="+a.typeID, "b="+b.typeID)
	instA, instB := server.Instance("a"), server.Instance("b")
	linkID := linkInstances(t, instA, instB)
	mustNotFail(t, a.create(instA, "ONE", "A one"))
	for _, key := range []string{"ONE", "TWO"} {
		mustNotFail(t, b.create(instB, key, "B "+key))
	}
	config := func(name, second string) string {
		extra := "  reciprocate = true\n"
		if name != "" {
			extra += fmt.Sprintf("  remote_name = %q\n", name)
		}
		return testAccEntityLinkConfig(instA.URL(), a.attrType, "ONE", linkID, b.attrType, "ONE", extra) + second
	}
	second := fmt.Sprintf(`
resource "applinks_entity_link" "two" {
  local_type          = %[1]q
  local_key           = "ONE"
  application_link_id = %[3]q
  remote_type         = %[2]q
  remote_key          = "TWO"
  primary             = true
  reciprocate         = true
  depends_on          = [applinks_entity_link.test]
}
`, a.attrType, b.attrType, linkID)
	back := a.entityType + ":ONE(A one) primary"
	linksOfA := func(want ...string) func() error { return expectEntityLinks(instA, a.entityType, "ONE", want...) }
	linksOfB := func(key string, want ...string) func() error {
		return expectEntityLinks(instB, b.entityType, key, want...)
	}
	created := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(entityLinkAddr, tfjsonpath.New("primary"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue(entityLinkAddr, tfjsonpath.New("remote_name"), knownvalue.StringExact("ONE")),
	}
	if b.typeID == "confluence" {
		created = append(created, statecheck.ExpectKnownValue(entityLinkAddr, tfjsonpath.New("remote_display_url"), knownvalue.StringExact(instB.URL()+"/display/ONE")))
	}
	localPath := "/rest/applinks/1.0/entitylink/" + a.entityType + "/ONE"

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(linksOfA(), linksOfB("ONE"), linksOfB("TWO")),
		Steps: []tfresource.TestStep{
			{
				Config:            config("", ""),
				ConfigStateChecks: created,
				Check:             checks(linksOfA(b.entityType+":ONE(ONE) primary"), linksOfB("ONE", back), linksOfB("TWO")),
			},
			{
				Config: config("Team docs", ""),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entityLinkAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checks(linksOfA(b.entityType+":ONE(Team docs) primary"), linksOfB("ONE", back)),
			},
			{
				Config: config("Team docs", second),
				Check: checks(linksOfA(b.entityType+":ONE(Team docs)", b.entityType+":TWO(TWO) primary"),
					linksOfB("ONE", back), linksOfB("TWO", back)),
			},
			{
				// The demoted link now reads primary = false; the plan stays empty.
				Config:           config("Team docs", second),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            entityLinkAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"reciprocate"},
			},
			{
				// Deleted outside Terraform: planned for creation again.
				PreConfig: func() {
					_, err := emulatorCall(instA, http.MethodDelete, localPath+"?typeId="+b.entityType+"&key=ONE&applicationId="+linkID, nil, nil)
					mustNotFail(t, err)
				},
				Config: config("Team docs", second),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entityLinkAddr, plancheck.ResourceActionCreate),
				}},
				Check: checks(linksOfA(b.entityType+":ONE(Team docs)", b.entityType+":TWO(TWO) primary"),
					linksOfB("ONE", back), linksOfB("TWO", back)),
			},
			{
				// Renamed outside Terraform: repaired in place.
				PreConfig: func() {
					_, err := emulatorCall(instA, http.MethodPut, localPath,
						map[string]string{"applicationId": linkID, "typeId": b.entityType, "key": "ONE", "name": "Renamed"}, nil)
					mustNotFail(t, err)
				},
				Config: config("Team docs", second),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entityLinkAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checks(linksOfA(b.entityType+":ONE(Team docs)", b.entityType+":TWO(TWO) primary")),
			},
			{
				// The second link removed: its link back goes with it, and the
				// first is primary again (design/api.md §3.9).
				Config: config("Team docs", ""),
				Check:  checks(linksOfA(b.entityType+":ONE(Team docs) primary"), linksOfB("ONE", back), linksOfB("TWO")),
			},
		},
	})
}

// Every product pair with entity types at both ends, linked both ways by
// two resources through two provider blocks; the second link of a type is
// made primary and demotes the first.
func TestAccEntityLinkResource_productPairsWithTwoProviderBlocks(t *testing.T) {
	for _, pair := range entityProductPairs {
		t.Run(pair[0]+"_"+pair[1], func(t *testing.T) {
			a, b := entityProducts[pair[0]], entityProducts[pair[1]]
			server := startEmulator(t, emulator.Options{}, "a="+a.typeID, "b="+b.typeID)
			instA, instB := server.Instance("a"), server.Instance("b")
			linkID := linkInstances(t, instA, instB)
			for _, key := range []string{"ONE", "TWO"} {
				mustNotFail(t, a.create(instA, key, "A "+key))
				mustNotFail(t, b.create(instB, key, "B "+key))
			}
			config := func(second string) string {
				return fmt.Sprintf(`
terraform {
  required_providers {
    applinks      = { source = %[8]q }
    applinkspeer  = { source = %[9]q }
  }
}
provider "applinks" {
  url      = %[1]q
  username = "admin"
  password = "admin"
}
provider "applinkspeer" {
  url      = %[2]q
  username = "admin"
  password = "admin"
}
resource "applinks_entity_link" "a_one" {
  local_type          = %[3]q
  local_key           = "ONE"
  application_link_id = %[5]q
  remote_type         = %[4]q
  remote_key          = "ONE"
}
resource "applinks_entity_link" "b_one" {
  provider            = applinkspeer
  local_type          = %[4]q
  local_key           = "ONE"
  application_link_id = %[6]q
  remote_type         = %[3]q
  remote_key          = "ONE"
}
%[7]s
`, instA.URL(), instB.URL(), a.attrType, b.attrType, linkID, instA.ServerID(), second,
					tfcli.AccProviderAddress("applinks"), tfcli.AccProviderAddress("applinkspeer"))
			}
			second := fmt.Sprintf(`
resource "applinks_entity_link" "a_two" {
  local_type          = %[1]q
  local_key           = "ONE"
  application_link_id = %[3]q
  remote_type         = %[2]q
  remote_key          = "TWO"
  primary             = true
  depends_on          = [applinks_entity_link.a_one]
}
`, a.attrType, b.attrType, linkID)
			tfresource.ParallelTest(t, tfresource.TestCase{
				PreCheck: func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"applinks":     providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
					"applinkspeer": providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
				},
				CheckDestroy: checks(expectEntityLinks(instA, a.entityType, "ONE"), expectEntityLinks(instB, b.entityType, "ONE")),
				Steps: []tfresource.TestStep{
					{
						Config: config(""),
						Check: checks(expectEntityLinks(instA, a.entityType, "ONE", b.entityType+":ONE(ONE) primary"),
							expectEntityLinks(instB, b.entityType, "ONE", a.entityType+":ONE(ONE) primary")),
					},
					{
						Config: config(second),
						Check: checks(expectEntityLinks(instA, a.entityType, "ONE", b.entityType+":ONE(ONE)", b.entityType+":TWO(TWO) primary"),
							expectEntityLinks(instB, b.entityType, "ONE", a.entityType+":ONE(ONE) primary")),
					},
					{
						// The demoted link now reads primary = false; the plan stays empty.
						Config:           config(second),
						ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}

// An application link and its entity links destroyed in one apply: the
// reference orders the entity link first, so nothing is left behind.
func TestAccEntityLinkResource_destroyWithApplicationLink(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	mustNotFail(t, entityProducts["jira"].create(jira, "PROJ", "Project"))
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = "Wiki"
  rpc_url = %[1]q
}
resource "applinks_entity_link" "test" {
  local_type          = "jira_project"
  local_key           = "PROJ"
  application_link_id = applinks_application_link.wiki.id
  remote_type         = "confluence_space"
  remote_key          = "DOCS"
}
`, wiki.URL())
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira), expectEntityLinks(jira, "jira.project", "PROJ")),
		Steps: []tfresource.TestStep{
			{Config: config, Check: checks(expectEntityLinks(jira, "jira.project", "PROJ", "confluence.space:DOCS(DOCS) primary"))},
			{
				// Both removed from the configuration at once.
				Config: testAccProviderConfig(jira.URL()),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(entityLinkAddr, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("applinks_application_link.wiki", plancheck.ResourceActionDestroy),
				}},
				Check: checks(expectEmulatorLinks(jira), expectEntityLinks(jira, "jira.project", "PROJ")),
			},
		},
	})
}

// Bad input is refused naming the attribute and the fix, and leaves
// nothing behind on either instance.
func TestAccEntityLinkResource_badInput(t *testing.T) {
	server := startEmulator(t, emulator.Options{Users: []emulator.User{{Name: "lead", Password: "lead"}}}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := linkInstances(t, jira, wiki)
	mustNotFail(t, entityProducts["jira"].create(jira, "PROJ", "Project"))
	mustNotFail(t, entityProducts["jira"].create(jira, "OTHER", "Other"))
	mustNotFail(t, entityProducts["confluence"].create(wiki, "DOCS", "Docs"))
	_, err := emulatorCall(jira, http.MethodPost, "/rest/api/2/project/PROJ/role/10002", map[string][]string{"user": {"lead"}}, nil)
	mustNotFail(t, err)
	leadConfig := func(localKey string) string {
		return strings.Replace(testAccEntityLinkConfig(jira.URL(), "jira_project", localKey, linkID, "confluence_space", "DOCS", ""),
			`username = "admin"
  password = "admin"`, `username = "lead"
  password = "lead"`, 1)
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEntityLinks(jira, "jira.project", "PROJ"), expectEntityLinks(jira, "jira.project", "OTHER")),
		Steps: []tfresource.TestStep{
			{
				Config:      testAccEntityLinkConfig(jira.URL(), "jira_project", "proj", linkID, "confluence_space", "DOCS", ""),
				ExpectError: regexp.MustCompile(`(?s)Key Must Be Upper Case.*local_key.*"PROJ"`),
			},
			{
				Config:      testAccEntityLinkConfig(jira.URL(), "jira_project", "NOPE", linkID, "confluence_space", "DOCS", ""),
				ExpectError: regexp.MustCompile(`(?s)Cannot Manage Links Of Local Entity.*Correct .local_key.`),
			},
			{
				Config:      testAccEntityLinkConfig(jira.URL(), "jira_project", "PROJ", "11111111-2222-3333-4444-555555555555", "confluence_space", "DOCS", ""),
				ExpectError: regexp.MustCompile(`(?s)Application Link Not Found.*application_link_id`),
			},
			{
				Config:      testAccEntityLinkConfig(jira.URL(), "jira_project", "PROJ", linkID, "bitbucket_project", "DOCS", ""),
				ExpectError: regexp.MustCompile(`(?s)Remote Type Not In Linked Application.*confluence_space`),
			},
			{
				Config:      testAccEntityLinkConfig(jira.URL(), "jira_project", "PROJ", linkID, "confluence_space", "NOSUCH", ""),
				ExpectError: regexp.MustCompile(`(?s)Remote Entity Not Found.*remote_key.*DOCS`),
			},
			{
				// A project admin who is no Jira admin: this project yes, another no.
				Config:      leadConfig("OTHER"),
				ExpectError: regexp.MustCompile(`(?s)Cannot Manage Links Of Local Entity.*administrator of that entity`),
			},
			{
				Config: leadConfig("PROJ"),
				Check:  checks(expectEntityLinks(jira, "jira.project", "PROJ", "confluence.space:DOCS(DOCS) primary"), expectEntityLinks(jira, "jira.project", "OTHER")),
			},
		},
	})
}

// A refreshing plan of many entity links reads each local entity's list
// once: one request per local entity, not one per entity link.
func TestAccEntityLinkResource_refreshCostsOneRequestPerLocalEntity(t *testing.T) {
	server := startEmulator(t, emulator.Options{Control: true}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := linkInstances(t, jira, wiki)
	projects, spaces := []string{"PAY", "SHOP"}, 10
	var config strings.Builder
	config.WriteString(testAccProviderConfig(jira.URL()))
	for _, p := range projects {
		mustNotFail(t, entityProducts["jira"].create(jira, p, p))
	}
	for s := range spaces {
		mustNotFail(t, entityProducts["confluence"].create(wiki, fmt.Sprintf("S%d", s), "Space"))
	}
	fmt.Fprintf(&config, `
locals {
  links = setproduct(["%s"], [for s in range(%d) : "S${s}"])
}
# count rather than for_each: the test harness's state reader takes no
# for_each keys.
resource "applinks_entity_link" "many" {
  count               = length(local.links)
  local_type          = "jira_project"
  local_key           = local.links[count.index][0]
  application_link_id = %q
  remote_type         = "confluence_space"
  remote_key          = local.links[count.index][1]
}
`, strings.Join(projects, `", "`), spaces, linkID)
	want := map[string]int{}
	for _, p := range projects {
		want["GET /rest/applinks/1.0/entitylink/list/jira.project/"+p] = 1
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{Config: config.String(), Check: checks(func() error {
				var list struct {
					Entity []emulatedEntityLink `json:"entity"`
				}
				_, err := emulatorCall(jira, http.MethodGet, "/rest/applinks/1.0/entitylink/list/jira.project/PAY", nil, &list)
				if err == nil && len(list.Entity) != spaces {
					err = fmt.Errorf("PAY has %d links, want %d", len(list.Entity), spaces)
				}
				return err
			})},
			{
				PreConfig: func() {
					_, err := emulatorCall(jira, http.MethodPost, "/_emulator/reset", nil, nil)
					mustNotFail(t, err)
				},
				Config:   config.String(),
				PlanOnly: true,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					expectRefreshRequests{inst: jira, want: want},
				}},
			},
		},
	})
}

// A gateway error on the entity link PUT is retried (the PUT is
// idempotent), and a peer that fails the link back leaves nothing on
// either side until an apply after it recovers; never a duplicate.
func TestAccFault_entityLinkGatewayErrorAndPeerFailure(t *testing.T) {
	server := startEmulator(t, emulator.Options{Control: true}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := linkInstances(t, jira, wiki)
	mustNotFail(t, entityProducts["jira"].create(jira, "PROJ", "Project"))
	mustNotFail(t, entityProducts["confluence"].create(wiki, "DOCS", "Docs"))
	mustNotFail(t, entityProducts["confluence"].create(wiki, "MORE", "More"))
	inject := func(inst *emulator.Instance, fault map[string]any) func() {
		return func() {
			_, err := emulatorCall(inst, http.MethodPost, "/_emulator/faults", fault, nil)
			mustNotFail(t, err)
		}
	}
	plain := testAccEntityLinkConfig(jira.URL(), "jira_project", "PROJ", linkID, "confluence_space", "DOCS", "")
	reciprocal := testAccEntityLinkConfig(jira.URL(), "jira_project", "PROJ", linkID, "confluence_space", "MORE", "  reciprocate = true")
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEntityLinks(jira, "jira.project", "PROJ"), expectEntityLinks(wiki, "confluence.space", "MORE")),
		Steps: []tfresource.TestStep{
			{
				PreConfig: inject(jira, map[string]any{"method": "PUT", "path_prefix": "/rest/applinks/1.0/entitylink/", "count": 1, "status": 502}),
				Config:    plain,
				Check:     checks(expectEntityLinks(jira, "jira.project", "PROJ", "confluence.space:DOCS(DOCS) primary")),
			},
			{
				PreConfig:   inject(wiki, map[string]any{"method": "PUT", "path_prefix": "/rest/applinks/1.0/entitylink/", "count": 1, "status": 503}),
				Config:      reciprocal,
				ExpectError: regexp.MustCompile(`(?s)Link Back Refused By Peer.*reciprocate`),
			},
			{
				// The failed create made nothing on either side (the harness
				// runs no Check after an expected error, so look here).
				PreConfig: func() {
					for _, check := range []func() error{expectEntityLinks(jira, "jira.project", "PROJ"), expectEntityLinks(wiki, "confluence.space", "MORE")} {
						if err := check(); err != nil {
							t.Error(err)
						}
					}
				},
				Config: reciprocal,
				Check: checks(expectEntityLinks(jira, "jira.project", "PROJ", "confluence.space:MORE(MORE) primary"),
					expectEntityLinks(wiki, "confluence.space", "MORE", "jira.project:PROJ(Project) primary")),
			},
		},
	})
}

// entityLinkBadInputRows are the bad-input matrix's entity link rows: each
// on its own Jira (project PROJ, administered by "lead") linked to a
// Confluence (space DOCS), and each leaving no entity link behind.
func entityLinkBadInputRows() []badInputRow {
	row := func(name string, apply bool, edit func(linkID string) (localKey, linkID2, remoteType, remoteKey, user string), parts ...string) badInputRow {
		return badInputRow{name: "entity link " + name, build: func(t *testing.T) badInputCase {
			server := startEmulator(t, emulator.Options{Users: []emulator.User{{Name: "lead", Password: "lead"}}}, "jira=jira", "wiki=confluence")
			jira, wiki := server.Instance("jira"), server.Instance("wiki")
			linkID := linkInstances(t, jira, wiki)
			for _, key := range []string{"PROJ", "OTHER"} {
				mustNotFail(t, entityProducts["jira"].create(jira, key, key))
			}
			mustNotFail(t, entityProducts["confluence"].create(wiki, "DOCS", "Docs"))
			_, err := emulatorCall(jira, http.MethodPost, "/rest/api/2/project/PROJ/role/10002", map[string][]string{"user": {"lead"}}, nil)
			mustNotFail(t, err)
			localKey, useLink, remoteType, remoteKey, user := edit(linkID)
			config := testAccEntityLinkConfig(jira.URL(), "jira_project", localKey, useLink, remoteType, remoteKey, "")
			config = strings.Replace(config, `username = "admin"
  password = "admin"`, fmt.Sprintf(`username = %q
  password = %q`, user, user), 1)
			return badInputCase{config: config, apply: apply, want: diagPattern(parts...),
				nothingLeft: func() error {
					if err := expectEntityLinks(jira, "jira.project", "PROJ")(); err != nil {
						return err
					}
					return expectEntityLinks(jira, "jira.project", "OTHER")()
				}}
		}}
	}
	return []badInputRow{
		row("local key in lower case", false, func(id string) (string, string, string, string, string) {
			return "proj", id, "confluence_space", "DOCS", "admin"
		}, "Key Must Be Upper Case", "`local_key` is \"proj\"", `Write it as "PROJ"`),
		row("remote key in lower case", false, func(id string) (string, string, string, string, string) {
			return "PROJ", id, "jira_project", "docs", "admin"
		}, "Key Must Be Upper Case", "`remote_key`"),
		row("unknown local key", true, func(id string) (string, string, string, string, string) {
			return "NOPE", id, "confluence_space", "DOCS", "admin"
		}, "Cannot Manage Links Of Local Entity", "Correct `local_key`"),
		row("application link that does not exist", false, func(string) (string, string, string, string, string) {
			return "PROJ", "11111111-2222-3333-4444-555555555555", "confluence_space", "DOCS", "admin"
		}, "Application Link Not Found", "Create the link first"),
		row("remote type the linked product does not have", false, func(id string) (string, string, string, string, string) {
			return "PROJ", id, "bamboo_project", "DOCS", "admin"
		}, "Remote Type Not In Linked Application", "use `confluence_space`"),
		row("remote entity that does not exist", false, func(id string) (string, string, string, string, string) {
			return "PROJ", id, "confluence_space", "DOCSX", "admin"
		}, "Remote Entity Not Found", "Correct `remote_key`", "`DOCS`"),
		row("user without the project's admin right", true, func(id string) (string, string, string, string, string) {
			return "OTHER", id, "confluence_space", "DOCS", "lead"
		}, "Cannot Manage Links Of Local Entity", "administrator of that entity"),
	}
}
