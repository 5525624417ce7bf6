package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"golang.org/x/oauth2"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// ciRedirect is the CI server's callback; it is never visited, since the
// tests read the code from the authorize step's redirect.
const ciRedirect = "https://ci.example.com/oauth/callback"

// emulatedOAuth2Client is a client as the emulator lists it, in the test's
// own struct.
type emulatedOAuth2Client struct {
	ID           string   `json:"id"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	Name         string   `json:"name"`
	Redirects    []string `json:"redirects"`
	Scope        string   `json:"scope"`
}

func emulatorOAuth2Clients(inst *emulator.Instance) ([]emulatedOAuth2Client, error) {
	var clients []emulatedOAuth2Client
	_, err := emulatorCall(inst, http.MethodGet, "/rest/oauth2/latest/client", nil, &clients)
	return clients, err
}

// expectOAuth2Clients checks the names of the instance's clients.
func expectOAuth2Clients(inst *emulator.Instance, names ...string) func() error {
	return func() error {
		clients, err := emulatorOAuth2Clients(inst)
		if err != nil {
			return err
		}
		var got []string
		for _, c := range clients {
			got = append(got, c.Name+" "+c.Scope+" "+strings.Join(c.Redirects, ","))
		}
		if strings.Join(got, "; ") != strings.Join(names, "; ") {
			return fmt.Errorf("instance %s holds the clients %q, want %q", inst.Name(), got, names)
		}
		return nil
	}
}

// oauth2Config is golang.org/x/oauth2's view of a client in the state.
func oauth2Config(s *terraform.State, addr, base string) (*oauth2.Config, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s is not in the state", addr)
	}
	return &oauth2.Config{
		ClientID:     rs.Primary.Attributes["client_id"],
		ClientSecret: rs.Primary.Attributes["client_secret"],
		Endpoint:     oauth2.Endpoint{AuthURL: base + "/rest/oauth2/latest/authorize", TokenURL: base + "/rest/oauth2/latest/token"},
		RedirectURL:  ciRedirect,
	}, nil
}

// noRedirects stands for the browser: it stops at the authorize step's
// redirect, whose Location carries the code.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorizeWithPKCE runs the authorization code flow with PKCE S256 as user
// (Basic auth standing in for the login and consent) and redeems the code
// with golang.org/x/oauth2.
func authorizeWithPKCE(ctx context.Context, cfg *oauth2.Config, user, scope string) (*oauth2.Token, error) {
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if scope != "" {
		cfg.Scopes = []string{scope}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.AuthCodeURL("state-42", opts...), nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(user, user)
	resp, err := noRedirects.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorize: HTTP %d: %s", resp.StatusCode, body)
	}
	location, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	if got := location.Query().Get("state"); got != "state-42" {
		return nil, fmt.Errorf("authorize sent the state %q back, want state-42", got)
	}
	return cfg.Exchange(ctx, location.Query().Get("code"), oauth2.VerifierOption(verifier))
}

// callWithToken calls the instance with the token through x/oauth2's
// client and returns the status.
func callWithToken(ctx context.Context, cfg *oauth2.Config, token *oauth2.Token, method, u, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cfg.Client(ctx, token).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), nil
}

func testAccOAuth2ClientResourceConfig(base, scope string, secretVersion int) string {
	return testAccProviderConfig(base) + fmt.Sprintf(`
resource "applinks_oauth2_client" "ci" {
  name           = "CI server"
  redirect_urls  = [%[1]q]
  scope          = %[2]q
  secret_version = %[3]d
}
`, ciRedirect, scope, secretVersion)
}

// TestAccOAuth2ClientResource_oauth2Library creates a client, proves with
// golang.org/x/oauth2 that its id and secret work (PKCE, then /myself, a
// READ token refused on a write), imports it, rotates the secret in place
// (same client id, old secret refused, the token still good) and destroys
// it, after which its tokens are refused.
func TestAccOAuth2ClientResource_oauth2Library(t *testing.T) {
	srv := startEmulator(t, emulator.Options{OAuth2SkipBaseURLHTTPS: true}, "jira=jira")
	jira := srv.Instance("jira")
	base := jira.URL()
	ctx := context.Background()
	var firstConfig *oauth2.Config
	var readToken *oauth2.Token
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := expectOAuth2Clients(jira)(); err != nil {
				return err
			}
			status, _, err := callWithToken(ctx, firstConfig, readToken, http.MethodGet, base+"/rest/api/2/myself", "")
			if err != nil || status != http.StatusUnauthorized {
				return fmt.Errorf("a token of the destroyed client: HTTP %d %v, want 401", status, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: testAccOAuth2ClientResourceConfig(base, "READ", 0),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("applinks_oauth2_client.ci", tfjsonpath.New("client_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
					statecheck.ExpectSensitiveValue("applinks_oauth2_client.ci", tfjsonpath.New("client_secret")),
				},
				Check: resource.ComposeTestCheckFunc(
					checks(expectOAuth2Clients(jira, "CI server READ "+ciRedirect)),
					func(s *terraform.State) error {
						cfg, err := oauth2Config(s, "applinks_oauth2_client.ci", base)
						if err != nil {
							return err
						}
						firstConfig = cfg
						if readToken, err = authorizeWithPKCE(ctx, cfg, "admin", ""); err != nil {
							return err
						}
						status, body, err := callWithToken(ctx, cfg, readToken, http.MethodGet, base+"/rest/api/2/myself", "")
						if err != nil || status != http.StatusOK || !strings.Contains(body, `"name":"admin"`) {
							return fmt.Errorf("GET /myself with the token: HTTP %d %s %v", status, body, err)
						}
						status, body, err = callWithToken(ctx, cfg, readToken, http.MethodPut, base+"/rest/api/2/settings/baseUrl", `"`+base+`"`)
						if err != nil || status != http.StatusForbidden || !strings.Contains(body, "scope does not allow") {
							return fmt.Errorf("a write with a READ token of a system administrator: HTTP %d %s %v, want the scope's 403", status, body, err)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      "applinks_oauth2_client.ci",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: testAccOAuth2ClientResourceConfig(base, "READ", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("applinks_oauth2_client.ci", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("applinks_oauth2_client.ci", tfjsonpath.New("client_secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					compareClientID.AddStateValue("applinks_oauth2_client.ci", tfjsonpath.New("client_id")),
				},
				Check: func(s *terraform.State) error {
					if _, err := firstConfig.Exchange(ctx, "any-code"); !isInvalidClient(err) {
						return fmt.Errorf("the old secret after rotation: %v, want invalid_client", err)
					}
					cfg, err := oauth2Config(s, "applinks_oauth2_client.ci", base)
					if err != nil {
						return err
					}
					if cfg.ClientSecret == firstConfig.ClientSecret || cfg.ClientID != firstConfig.ClientID {
						return errors.New("rotation must give a new secret for the same client id")
					}
					if _, err := authorizeWithPKCE(ctx, cfg, "user", ""); err != nil {
						return fmt.Errorf("the new secret: %w", err)
					}
					return nil
				},
			},
			{
				Config:             testAccOAuth2ClientResourceConfig(base, "READ", 1),
				ConfigPlanChecks:   resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ExpectNonEmptyPlan: false,
			},
		},
	})
}

var compareClientID = statecheck.CompareValue(compare.ValuesSame())

func isInvalidClient(err error) bool {
	var retrieve *oauth2.RetrieveError
	return errors.As(err, &retrieve) && retrieve.ErrorCode == "invalid_client"
}

// TestAccOAuth2ClientResource_drift edits and deletes the client outside
// Terraform: the plan shows both and the apply repairs them.
func TestAccOAuth2ClientResource_drift(t *testing.T) {
	srv := startEmulator(t, emulator.Options{}, "jira=jira")
	jira := srv.Instance("jira")
	config := testAccOAuth2ClientResourceConfig(jira.URL(), "WRITE", 0)
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["applinks_oauth2_client.ci"].Primary.ID
					_, err := emulatorCall(jira, http.MethodPut, "/rest/oauth2/latest/client/"+id,
						json.RawMessage(`{"name":"CI server","redirects":["https://evil.example.com/cb"],"scope":"SYSTEM_ADMIN"}`), nil)
					return err
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("applinks_oauth2_client.ci", plancheck.ResourceActionUpdate)}},
				Check: checks(expectOAuth2Clients(jira, "CI server WRITE "+ciRedirect), func() error {
					_, err := emulatorCall(jira, http.MethodDelete, "/rest/oauth2/latest/client/"+id, nil, nil)
					return err
				}),
				ExpectNonEmptyPlan: true,
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("applinks_oauth2_client.ci", plancheck.ResourceActionCreate)}},
				Check:            checks(expectOAuth2Clients(jira, "CI server WRITE "+ciRedirect)),
			},
		},
	})
}
