package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// TestAccOAuth2OutgoingLinkResource_betweenInstances: jira's outgoing link
// to wiki's incoming client, both made by Terraform; the flow run through
// the instances' own endpoints gives jira a token with which it calls wiki.
// The secret goes from an ephemeral resource to a write-only argument, which
// Terraform has from 1.11 (ephemeral resources from 1.10) and OpenTofu from
// 1.11 (both at once), so older CLIs skip it and run
// TestAccOAuth2OutgoingLinkResource_storedSecret instead.
func TestAccOAuth2OutgoingLinkResource_betweenInstances(t *testing.T) {
	srv := startEmulator(t, emulator.Options{OAuth2SkipBaseURLHTTPS: true, OAuth2SkipRedirectURLHTTPS: true}, "jira=jira", "wiki=confluence")
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: twoInstanceProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: testAccOAuth2OutgoingConfig(jira.URL(), wiki.URL(), writeOnlyClientSecret),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("applinks_oauth2_outgoing_link.wiki", tfjsonpath.New("redirect_uri"),
						knownvalue.StringRegexp(regexp.MustCompile("^"+regexp.QuoteMeta(jira.URL())+"/plugins/servlet/oauth2/client/callback/[0-9a-f]{32}$"))),
					statecheck.ExpectKnownValue("applinks_oauth2_outgoing_link.wiki", tfjsonpath.New("client_secret_wo"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					link := s.RootModule().Resources["applinks_oauth2_outgoing_link.wiki"].Primary
					return runFlowAndCall(jira, wiki, link.ID)
				},
			},
			{
				ResourceName:            "applinks_oauth2_outgoing_link.wiki",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"client_secret_wo_version"},
			},
			{
				Config:           testAccOAuth2OutgoingConfig(jira.URL(), wiki.URL(), writeOnlyClientSecret),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccOAuth2OutgoingLinkResource_storedSecret is the same link with the
// secret in `client_secret`, which every supported CLI has: created, its
// flow run, imported, re-planned empty, deleted outside Terraform and made
// again, then destroyed with nothing left on either instance.
func TestAccOAuth2OutgoingLinkResource_storedSecret(t *testing.T) {
	srv := startEmulator(t, emulator.Options{OAuth2SkipBaseURLHTTPS: true, OAuth2SkipRedirectURLHTTPS: true}, "jira=jira", "wiki=confluence")
	jira, wiki := srv.Instance("jira"), srv.Instance("wiki")
	config := testAccOAuth2OutgoingConfig(jira.URL(), wiki.URL(), storedClientSecret)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: twoInstanceProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			var configs []json.RawMessage
			if _, err := emulatorCall(jira, http.MethodGet, "/rest/oauth2-client/latest/config", nil, &configs); err != nil {
				return err
			}
			if len(configs) != 0 {
				return fmt.Errorf("jira still holds %d outgoing OAuth 2.0 configurations after destroy", len(configs))
			}
			return expectOAuth2Clients(wiki)()
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue("applinks_oauth2_outgoing_link.wiki", tfjsonpath.New("client_secret")),
				},
				Check: func(s *terraform.State) error {
					link := s.RootModule().Resources["applinks_oauth2_outgoing_link.wiki"].Primary
					return runFlowAndCall(jira, wiki, link.ID)
				},
			},
			{
				ResourceName:      "applinks_oauth2_outgoing_link.wiki",
				ImportState:       true,
				ImportStateVerify: true,
				// The instance never returns the secret.
				ImportStateVerifyIgnore: []string{"client_secret"},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["applinks_oauth2_outgoing_link.wiki"].Primary.ID
					_, err := emulatorCall(jira, http.MethodDelete, "/rest/oauth2-client/latest/config/"+id, nil, nil)
					return err
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// Deleted outside Terraform: planned and made again.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("applinks_oauth2_outgoing_link.wiki", plancheck.ResourceActionCreate)}},
				Check: func(s *terraform.State) error {
					link := s.RootModule().Resources["applinks_oauth2_outgoing_link.wiki"].Primary
					return runFlowAndCall(jira, wiki, link.ID)
				},
			},
		},
	})
}

// twoInstanceProviderFactories serves the provider twice, as applinks and
// as wiki: in-process, one server would hold only the last configuration of
// two aliases, so each instance gets a provider of its own.
func twoInstanceProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"applinks": providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
		"wiki":     providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))()),
	}
}

// testAccOAuth2OutgoingConfig: the client's redirect URL is the link's
// computed redirect_uri, so Terraform orders them link first; the link takes
// the id and secret of the client through variables resolved by a second
// resource: here the client is created first with a redirect URL the link
// is then given the suffix of, which is what admins do by hand in the
// products (copy the redirect URI, then the id and secret).
func testAccOAuth2OutgoingConfig(jira, wiki, clientSecret string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    applinks = { source = "hashicorp/applinks" }
    wiki     = { source = "hashicorp/wiki" }
  }
}

provider "applinks" {
  url      = %[1]q
  username = "admin"
  password = "admin"
}

provider "wiki" {
  url      = %[2]q
  username = "admin"
  password = "admin"
}

resource "applinks_oauth2_client" "jira" {
  provider      = wiki
  name          = "Jira"
  redirect_urls = ["%[1]s/plugins/servlet/oauth2/client/callback/${terraform_data.suffix.output}"]
  scope         = "READ"
}

resource "terraform_data" "suffix" {
  input = "0123456789abcdef0123456789abcdef"
}

resource "applinks_oauth2_outgoing_link" "wiki" {
  name                     = "Confluence"
  provider_type            = "custom"
  client_id                = applinks_oauth2_client.jira.client_id
  authorization_endpoint   = "%[2]s/rest/oauth2/latest/authorize"
  token_endpoint           = "%[2]s/rest/oauth2/latest/token"
  scopes                   = ["READ"]
  redirect_uri_suffix      = terraform_data.suffix.output
%[3]s}
`, jira, wiki, clientSecret)
}

// The two ways testAccOAuth2OutgoingConfig hands wiki's client secret to
// jira's link: through an ephemeral resource into the write-only argument,
// or from the client's state into client_secret.
const (
	writeOnlyClientSecret = `  client_secret_wo         = ephemeral.applinks_oauth2_client_secret.jira.client_secret
  client_secret_wo_version = 1
}

ephemeral "applinks_oauth2_client_secret" "jira" {
  provider = wiki
  id       = applinks_oauth2_client.jira.id
`
	storedClientSecret = `  client_secret            = applinks_oauth2_client.jira.client_secret
`
)

// runFlowAndCall drives the flow as the admin's browser would, then has
// jira call wiki's /myself with the token it obtained.
func runFlowAndCall(jira, wiki *emulator.Instance, configID string) error {
	var flow struct {
		FlowRequestID    string `json:"flowRequestId"`
		AuthorizationURL string `json:"authorizationUrl"`
	}
	if _, err := emulatorCall(jira, http.MethodPost, "/rest/oauth2-client/latest/config/flow?id="+configID, nil, &flow); err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodGet, flow.AuthorizationURL, nil)
	req.SetBasicAuth("user", "user")
	resp, err := noRedirects.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("authorize at wiki: HTTP %d", resp.StatusCode)
	}
	resp, err = noRedirects.Get(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	resp.Body.Close()
	var result struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if _, err := emulatorCall(jira, http.MethodGet, "/rest/oauth2-client/latest/config/flow/"+flow.FlowRequestID, nil, &result); err != nil {
		return err
	}
	if result.Status != "COMPLETED" {
		return fmt.Errorf("flow %s: %s", result.Status, result.Error)
	}
	status, body, err := jira.OAuth2Call(context.Background(), configID, http.MethodGet, "/rest/api/2/myself")
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), `"name":"user"`) {
		return fmt.Errorf("jira calling wiki with the token: HTTP %d %s %v", status, body, err)
	}
	return nil
}
