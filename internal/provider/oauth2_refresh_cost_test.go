package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// TestAccOAuth2Resources_refreshCost: a refreshing plan reads each OAuth 2.0
// client and outgoing link with one request, so a refresh costs at most
// one request per object.
func TestAccOAuth2Resources_refreshCost(t *testing.T) {
	const objects = 10
	srv := startEmulator(t, emulator.Options{Control: true}, "jira=jira")
	jira := srv.Instance("jira")
	var config strings.Builder
	config.WriteString(testAccProviderConfig(jira.URL()))
	for i := range objects / 2 {
		fmt.Fprintf(&config, `
resource "applinks_oauth2_client" "c%[1]d" {
  name          = "client %[1]d"
  redirect_urls = ["https://ci%[1]d.example.com/cb"]
  scope         = "READ"
}

resource "applinks_oauth2_outgoing_link" "l%[1]d" {
  name                   = "link %[1]d"
  provider_type          = "custom"
  client_id              = "id-%[1]d"
  client_secret          = "secret-%[1]d"
  authorization_endpoint = "https://idp.example.com/authorize"
  token_endpoint         = "https://idp.example.com/token"
}
`, i)
	}
	var perObject float64
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config.String()},
			{
				PreConfig: func() {
					if _, err := emulatorCall(jira, http.MethodPost, "/_emulator/reset", nil, nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config.String(),
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					log, err := emulatorRequests(jira)
					if err != nil {
						t.Fatal(err)
					}
					perObject = float64(log.Total) / objects
					t.Logf("refreshing plan: %d requests for %d objects (%.2f per object): %v", log.Total, objects, perObject, log.Requests)
				},
				Config:   config.String(),
				PlanOnly: true,
			},
		},
	})
	if perObject > 1.0 {
		t.Errorf("a refreshing plan cost %.2f requests per object, want at most 1.0", perObject)
	}
}
