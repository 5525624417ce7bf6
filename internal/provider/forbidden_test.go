package provider

import (
	"fmt"
	"strings"
	"testing"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// A 403 counts as a refused right only when the product said so. A proxy
// or firewall in front of the instance that answers 403 with its own HTML
// page has not asked the product anything, so the diagnostics must not
// send the user after system administrator rights or the products'
// loopback rule: they say that something else answered, as for any other
// page that is not the product's JSON. (The XSRF filter's 403 has a
// diagnostic of its own; see the bad input matrix.)

// proxyForbidden is the 403 page of a proxy in front of the instance.
func proxyForbidden(method, pathPrefix string) map[string]any {
	return map[string]any{"method": method, "path_prefix": pathPrefix, "count": 1, "status": 403, "content_type": "text/html",
		"body": "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>"}
}

func TestAccApplicationLinkResource_proxyForbidsPeerLookup(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true, AllowAllHosts: true}, "jira=jira").Instance("jira")
	injectEmulatorFault(t, jira, proxyForbidden("GET", "/rest/applinks/1.0/applicationlinkForm/manifest"))
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{{
			Config: testAccProviderConfig(jira.URL()) + linkHCL("type = \"confluence\"\nname = \"Wiki\"\nrpc_url = \"https://wiki.example.com\""),
			ExpectError: diagPattern("Error Looking Up Application Link Peer", "could not ask the instance for the peer's manifest",
				"The answer was not the product's JSON; a proxy or load balancer in front of the instance may have answered instead",
				`(HTTP 403), a page titled "403 Forbidden"`),
		}},
	})
}

func TestAccApplicationLinkResource_proxyForbidsImpersonation(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	injectEmulatorFault(t, jira, proxyForbidden("PUT", "/rest/applinks/3.0/status/"))
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{{
			Config: testAccProviderConfig(jira.URL()) + linkHCL(fmt.Sprintf("type = \"confluence\"\nname = \"Wiki\"\n"+
				"rpc_url = \"https://wiki.example.com\"\napplication_id = %q\nincoming = \"oauth_impersonation\"", someLinkID)),
			ExpectError: diagPattern("Error Creating Application Link",
				"could not be completed. The answer was not the product's JSON; a proxy or load balancer",
				"The link was removed again", `(HTTP 403), a page titled "403 Forbidden"`),
		}},
	})
}

func TestAccOAuthConsumerResource_proxyForbidsImpersonation(t *testing.T) {
	jira := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	linkID := createLinkOutOfBand(t, jira, genericType, "https://ci.example.com")
	injectEmulatorFault(t, jira, proxyForbidden("PUT", "/rest/applinks/3.0/status/"))
	config := testAccProviderConfig(jira.URL()) + strings.Replace(consumerHCL(fmt.Sprintf(
		"direction = \"incoming\"\npublic_key = %q\ntwo_legged_allowed = true\nimpersonation_allowed = true",
		publicKeyBase64(t, testConsumerKey(t, 0)))), someLinkID, linkID, 1)
	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectConsumers(jira, linkID)),
		Steps: []tfresource.TestStep{{
			Config: config,
			ExpectError: diagPattern("Error Writing OAuth Consumer", "could not set the consumer's two-legged OAuth level. "+
				"The answer was not the product's JSON; a proxy or load balancer", `(HTTP 403), a page titled "403 Forbidden"`),
		}},
	})
}
