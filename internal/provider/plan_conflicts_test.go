package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// Conflicts inside one configuration that no apply could settle are refused
// at plan time, and the refused plan leaves the instance as it was.

// writeCounter counts the requests that could change an instance, so a
// test can show that a refused plan changed nothing.
type writeCounter struct {
	t      *testing.T
	inst   *emulator.Instance
	before int
}

func (w *writeCounter) writes() int {
	w.t.Helper()
	log, err := emulatorRequests(w.inst)
	mustNotFail(w.t, err)
	n := 0
	for key, count := range log.Requests {
		if method, path, _ := strings.Cut(key, " "); method != http.MethodGet && !strings.HasPrefix(path, "/_emulator/") {
			n += count
		}
	}
	return n
}

// mark remembers the count before a step.
func (w *writeCounter) mark() { w.before = w.writes() }

// noneSince fails when a write reached the instance since mark.
func (w *writeCounter) noneSince() error {
	if n := w.writes() - w.before; n != 0 {
		return fmt.Errorf("instance %s got %d write requests during a refused plan, want 0", w.inst.Name(), n)
	}
	return nil
}

func genericLinkBlock(address, name, rpcURL, extra string) string {
	return fmt.Sprintf(`
resource "applinks_application_link" %[1]q {
  type    = "generic"
  name    = %[2]q
  rpc_url = %[3]q
  %[4]s
}
`, address, name, rpcURL, extra)
}

// Two links of one type both primary would take the flag from each other on
// every apply; the plan says so and names both.
func TestAccPlanConflict_twoPrimaryLinksOfOneType(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	provider := testAccProviderConfig(jira.URL())
	config := func(primaryOne, primaryTwo string) string {
		return provider + genericLinkBlock("one", "CI One", "https://ci1.example.com", primaryOne) +
			genericLinkBlock("two", "CI Two", "https://ci2.example.com", primaryTwo)
	}
	bothPrimary := config("primary = true", "primary = true")
	counter := &writeCounter{t: t, inst: jira}
	refused := regexp.MustCompile(`(?s)Two Primary Application Links of One Type.*link named "CI (One|Two)" to\s+https://ci[12]\.example\.com.*both set\s+` +
		"`primary = true`" + `\s+for type\s+"generic".*cannot\s+see the other workspace`)
	primaryIs := func(one, two bool) func() error {
		return expectEmulatorLinks(jira,
			emulatedLink{Name: "CI One", RPCURL: "https://ci1.example.com", Primary: one},
			emulatedLink{Name: "CI Two", RPCURL: "https://ci2.example.com", Primary: two})
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig:   counter.mark,
				Config:      bothPrimary,
				ExpectError: refused,
			},
			{
				// Nothing was created by the refused plan.
				PreConfig: func() { mustNotFail(t, counter.noneSince()); mustNotFail(t, expectEmulatorLinks(jira)()) },
				Config:    config("", "primary = true"),
				Check:     checks(primaryIs(false, true)),
			},
			{
				Config:           config("", "primary = true"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig:   counter.mark,
				Config:      bothPrimary,
				ExpectError: refused,
			},
			{
				// Nothing was changed by the refused plan either.
				PreConfig: func() { mustNotFail(t, counter.noneSince()); mustNotFail(t, primaryIs(false, true)()) },
				Config:    config("", "primary = true"),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// A primary link that is replaced is planned twice in one walk, once with
// its state and once without: it must not conflict with itself.
func TestAccPlanConflict_replacedPrimaryLinkIsNoConflict(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	config := func(applicationID string) string {
		return testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "bamboo" {
  type           = "bamboo"
  name           = "Builds"
  rpc_url        = "https://bamboo.example.com"
  application_id = %q
  primary        = true
  incoming       = "disabled"
  outgoing       = "disabled"
}
`, applicationID)
	}
	const firstID, secondID = "6f1c4e5e-1d2a-4b3c-9d8e-7f6a5b4c3d2e", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{Config: config(firstID)},
			{
				Config: config(secondID),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("applinks_application_link.bamboo", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: secondID, Name: "Builds", Primary: true})),
			},
			{
				Config:           config(secondID),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// One link imported into two addresses: each apply would undo the other's
// name. The plan names the link and says how to let go of one address
// without deleting the link; removing one block instead is refused too.
func TestAccPlanConflict_oneLinkImportedTwice(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	const rpcURL = "https://ci.example.com"
	linkID := createLinkOutOfBand(t, jira, genericType, rpcURL)
	provider := testAccProviderConfig(jira.URL())
	blockA, blockB := genericLinkBlock("a", "CI", rpcURL, ""), genericLinkBlock("b", "Builds", rpcURL, "")
	counter := &writeCounter{t: t, inst: jira}
	refused := regexp.MustCompile(`(?s)Application Link Managed by Two Resources.*link\s+named\s+"(CI|Builds)".*` +
		regexp.QuoteMeta(linkID) + `.*terraform\s+state\s+rm`)
	unchanged := func() error {
		if err := counter.noneSince(); err != nil {
			return err
		}
		return expectEmulatorLinks(jira, emulatedLink{ID: linkID, Name: rpcURL, RPCURL: rpcURL, Primary: true})()
	}
	importStep := func(address string) tfresource.TestStep {
		return tfresource.TestStep{
			Config:             provider + blockA + blockB,
			ResourceName:       "applinks_application_link." + address,
			ImportState:        true,
			ImportStateId:      linkID,
			ImportStatePersist: true,
		}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			// `terraform import`, as a user would run it, twice.
			importStep("a"),
			importStep("b"),
			{
				PreConfig:   counter.mark,
				Config:      provider + blockA + blockB,
				ExpectError: refused,
			},
			{
				// Removing b's block would destroy the link a manages.
				PreConfig: func() { mustNotFail(t, unchanged()); counter.mark() },
				Config:    provider + blockA,
				ExpectError: regexp.MustCompile(`(?s)Application Link Managed by Two Resources.*` + regexp.QuoteMeta(linkID) +
					`.*terraform\s+state\s+rm.*removing that resource's block\s+instead\s+would\s+delete\s+the\s+link`),
			},
			{
				// What the diagnostic advises: b lets go, the link stays.
				PreConfig: func() { mustNotFail(t, unchanged()) },
				Config: provider + blockA + `
removed {
  from = applinks_application_link.b
  lifecycle {
    destroy = false
  }
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("applinks_application_link.a", tfjsonpath.New("id"), knownvalue.StringExact(linkID)),
				},
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: linkID, Name: "CI", RPCURL: rpcURL, Primary: true})),
			},
			{
				Config:           provider + blockA,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Import blocks that take one link into two addresses are refused in the
// plan that would import them.
func TestAccPlanConflict_importBlocksTakeOneLinkTwice(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	const rpcURL = "https://ci.example.com"
	linkID := createLinkOutOfBand(t, jira, genericType, rpcURL)
	counter := &writeCounter{t: t, inst: jira}
	config := testAccProviderConfig(jira.URL()) + genericLinkBlock("a", "CI", rpcURL, "") +
		genericLinkBlock("b", "Builds", rpcURL, "") + fmt.Sprintf(`
import {
  to = applinks_application_link.a
  id = %[1]q
}

import {
  to = applinks_application_link.b
  id = %[1]q
}
`, linkID)
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []tfresource.TestStep{
			{
				PreConfig:   counter.mark,
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Application Link Managed by Two Resources.*terraform\s+state\s+rm`),
			},
			{
				// The instance still has the link, as it was.
				PreConfig: func() {
					mustNotFail(t, counter.noneSince())
					mustNotFail(t, expectEmulatorLinks(jira, emulatedLink{ID: linkID, Name: rpcURL, RPCURL: rpcURL, Primary: true})())
				},
				Config: testAccProviderConfig(jira.URL()),
			},
		},
	})
}

// Two spellings of one application's URL would make two generic links to
// it; the plan refuses the second and names both.
func TestAccPlanConflict_oneApplicationTwoSpellings(t *testing.T) {
	for _, other := range []string{"https://CI.example.com/", "https://ci.example.com:443"} {
		t.Run(other, func(t *testing.T) {
			jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
			counter := &writeCounter{t: t, inst: jira}
			tfresource.ParallelTest(t, tfresource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []tfresource.TestStep{
					{
						PreConfig: counter.mark,
						Config: testAccProviderConfig(jira.URL()) + genericLinkBlock("ci", "CI", "https://ci.example.com", "") +
							genericLinkBlock("builds", "Builds", other, ""),
						ExpectError: regexp.MustCompile(`(?s)Two Application Links to One Application.*(` +
							regexp.QuoteMeta(`"https://ci.example.com"`) + `.*` + regexp.QuoteMeta(fmt.Sprintf("%q", other)) + `|` +
							regexp.QuoteMeta(fmt.Sprintf("%q", other)) + `.*` + regexp.QuoteMeta(`"https://ci.example.com"`) + `)`),
					},
					{
						PreConfig: func() { mustNotFail(t, counter.noneSince()); mustNotFail(t, expectEmulatorLinks(jira)()) },
						Config:    testAccProviderConfig(jira.URL()),
					},
				},
			})
		})
	}
}

// Another spelling of the same application in rpc_url is no relocation: the
// apply stores the new spelling in place, keeping the link's id, and the
// next plan is empty.
func TestAccPlanConflict_respeltURLIsNoRelocation(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	config := func(rpcURL string) string {
		return testAccProviderConfig(jira.URL()) + genericLinkBlock("ci", "CI", rpcURL, "")
	}
	const original, respelt = "https://ci.example.com", "https://CI.example.com:443"
	var linkID string
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				Config: config(original),
				Check: func(s *terraform.State) error {
					linkID = s.RootModule().Resources["applinks_application_link.ci"].Primary.ID
					return nil
				},
			},
			{
				Config: config(respelt),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("applinks_application_link.ci", plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources["applinks_application_link.ci"].Primary.ID; got != linkID {
						return fmt.Errorf("link id changed from %s to %s", linkID, got)
					}
					log, err := emulatorRequests(jira)
					if err != nil {
						return err
					}
					if n := log.matching(faultSpec{Method: http.MethodPost, PathPrefix: "/rest/applinks/1.0/relocateApplicationlink"}); n != 0 {
						return fmt.Errorf("%d relocation requests for a respelt URL, want 0", n)
					}
					return expectEmulatorLinks(jira, emulatedLink{ID: linkID, Name: "CI", RPCURL: respelt, Primary: true})()
				},
			},
			{
				Config:           config(respelt),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
