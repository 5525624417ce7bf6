package provider

import (
	"fmt"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// A refresh that finds another spelling of the same value on the server is
// no drift: the state keeps the configured spelling and the plan is empty.
// These tests keep the refresh side of the custom types' semantic equality
// honest; the create and update sides are in the resources' own tests.

// An administrator re-saves the link's URLs with trailing slashes, which
// the v3 update keeps: the same URLs as the products compare them.
func TestAccApplicationLinkResource_refreshKeepsURLSpelling(t *testing.T) {
	server := startEmulator(t, peersAllowed, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	linkID := wiki.ServerID()
	const displayURL = "https://wiki.example.com"
	config := testAccProviderConfig(jira.URL()) + fmt.Sprintf(`
resource "applinks_application_link" "wiki" {
  type        = "confluence"
  name        = "Wiki"
  rpc_url     = %q
  display_url = %q
}
`, wiki.URL(), displayURL)

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					_, err := emulatorCall(jira, "PUT", "/rest/applinks/3.0/applinks/"+linkID,
						map[string]any{"name": "Wiki", "rpcUrl": wiki.URL() + "/", "displayUrl": displayURL + "/"}, nil)
					mustNotFail(t, err)
				},
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("rpc_url"), knownvalue.StringExact(wiki.URL())),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("display_url"), knownvalue.StringExact(displayURL)),
				},
				// The server really answers with the other spelling.
				Check: checks(expectEmulatorLinks(jira, emulatedLink{ID: linkID, Name: "Wiki",
					RPCURL: wiki.URL() + "/", DisplayURL: displayURL + "/", Primary: true})),
			},
		},
	})
}

// The products store a consumer's key as bare base64, whatever the
// configuration gave: every refresh of a key configured as PEM reads another
// spelling of it.
func TestAccOAuthConsumerResource_refreshKeepsKeySpelling(t *testing.T) {
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	key := testConsumerKey(t, 0)
	pemKey, bare := publicKeyPEMOf(t, key), publicKeyBase64(t, key)
	config := testAccOAuthConsumerResourceConfig_incoming(jira.URL(), linkID, pemKey, "")
	serverKeyIsBare := func() error {
		auth, err := emulatorAuthentication(jira, linkID)
		if err != nil {
			return err
		}
		if len(auth.Consumers) != 1 || auth.Consumers[0].PublicKey != bare {
			return fmt.Errorf("link %s lists consumers %+v, want one with the key in bare base64", linkID, auth.Consumers)
		}
		return nil
	}
	keepsPEM := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(consumerAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(pemKey)),
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{
			{Config: config, ConfigStateChecks: keepsPEM, Check: checks(serverKeyIsBare)},
			{
				Config: config,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: keepsPEM,
				Check:             checks(serverKeyIsBare),
			},
		},
	})
}
