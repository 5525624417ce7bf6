package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The bad input matrix's rows for the OAuth 2.0 resources (issue #13): the
// incoming client's refusals name the attribute and the fix (the system
// property for an http:// redirect, a system administrator for the
// credentials), the outgoing link's too, and a failed apply leaves the
// instance as it was.

func oauth2ClientHCL(name, scope string, redirects ...string) string {
	quoted := make([]string, len(redirects))
	for i, r := range redirects {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf(`
resource "applinks_oauth2_client" "bad" {
  name          = %q
  redirect_urls = [%s]
  scope         = %q
}
`, name, strings.Join(quoted, ", "), scope)
}

func oauth2OutgoingHCL(attributes string) string {
	return `
resource "applinks_oauth2_outgoing_link" "bad" {
  provider_type          = "google"
  client_id              = "mail-client"
  token_endpoint         = "https://oauth2.googleapis.com/token"
` + attributes + `
}
`
}

// oauth2CreateFails is a row in which a create on a Jira that already holds
// the objects made beforehand fails at apply; afterwards the instance holds
// exactly those.
func oauth2CreateFails(user string, before func(t *testing.T, inst *emulator.Instance), resourceHCL string, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		inst := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
		if before != nil {
			before(t, inst)
		}
		clientsBefore, err := emulatorOAuth2Clients(inst)
		mustNotFail(t, err)
		configsBefore, err := emulatorOAuth2Configs(inst)
		mustNotFail(t, err)
		return badInputCase{
			config: "provider \"applinks\" {\n" + asUser(user)(inst) + "\n}\n" + resourceHCL,
			apply:  true,
			want:   diagPattern(want...),
			nothingLeft: func() error {
				clients, err := emulatorOAuth2Clients(inst)
				if err != nil {
					return err
				}
				configs, err := emulatorOAuth2Configs(inst)
				if err != nil {
					return err
				}
				if len(clients) != len(clientsBefore) || len(configs) != len(configsBefore) {
					return fmt.Errorf("the instance holds %d OAuth 2.0 clients and %d outgoing links, want %d and %d",
						len(clients), len(configs), len(clientsBefore), len(configsBefore))
				}
				return nil
			},
		}
	}
}

func makeOAuth2Taken(t *testing.T, inst *emulator.Instance) {
	t.Helper()
	_, err := emulatorCall(inst, http.MethodPost, pathOAuth2Clients,
		map[string]any{"name": "Taken", "redirects": []string{"https://a.example.com/cb"}, "scope": "READ"}, nil)
	mustNotFail(t, err)
	_, err = emulatorCall(inst, http.MethodPost, pathOAuth2Configs, map[string]any{"name": "Taken", "type": "GOOGLE",
		"clientId": "x", "clientSecret": "y", "authorizationEndpoint": "https://accounts.google.com/o/oauth2/v2/auth",
		"tokenEndpoint": "https://oauth2.googleapis.com/token"}, nil)
	mustNotFail(t, err)
}

func oauth2BadInputRows() []badInputRow {
	const googleAuth = `authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth"`
	return []badInputRow{
		// ---- Incoming clients ----
		{"OAuth 2.0 client with an http:// redirect while HTTPS is required", oauth2CreateFails("admin", nil,
			oauth2ClientHCL("CI", "READ", "http://ci.example.com/cb"),
			"Error Creating OAuth 2.0 Client", "`redirect_urls`", "requires `https://` redirect URLs",
			"atlassian.oauth2.provider.skip.redirect.url.https.requirement=true")},
		{"OAuth 2.0 client with an unknown scope", planFails(oauth2ClientHCL("CI", "EVERYTHING", ciRedirect),
			"scope", "value must be one of", `"READ"`, `"SYSTEM_ADMIN"`)},
		{"OAuth 2.0 client without a redirect URL", planFails(oauth2ClientHCL("CI", "READ"),
			"redirect_urls", "must contain at least 1 elements")},
		{"OAuth 2.0 client with a relative redirect URL", planFails(oauth2ClientHCL("CI", "READ", "/oauth/callback"),
			"redirect_urls", "absolute http or https URL")},
		{"OAuth 2.0 client with a blank name", planFails(oauth2ClientHCL(" ", "READ", ciRedirect), "name")},
		{"OAuth 2.0 client made by an administrator who is not a system administrator", oauth2CreateFails("manager", nil,
			oauth2ClientHCL("CI", "READ", ciRedirect),
			"Error Creating OAuth 2.0 Client", "can only be managed by a system administrator",
			"Configure the provider with a system administrator's credentials")},
		{"OAuth 2.0 client with a name already taken", oauth2CreateFails("admin", makeOAuth2Taken,
			oauth2ClientHCL("Taken", "READ", ciRedirect),
			"Error Creating OAuth 2.0 Client", "`name`", "unique, non-blank names", "import the existing client", "already exists")},

		// ---- Outgoing links ----
		{"OAuth 2.0 outgoing link with a malformed endpoint URL", planFails(
			oauth2OutgoingHCL("name = \"Mail\"\nclient_secret = \"s\"\nauthorization_endpoint = \"accounts.google.com/auth\""),
			"authorization_endpoint", "absolute http or https URL")},
		{"OAuth 2.0 outgoing link without a client secret", planFails(oauth2OutgoingHCL("name = \"Mail\"\n"+googleAuth),
			"Missing Client Secret", "`client_secret_wo`", "`client_secret_wo_version`")},
		{"OAuth 2.0 outgoing link with an unknown provider type", planFails(
			strings.Replace(oauth2OutgoingHCL("name = \"Mail\"\nclient_secret = \"s\"\n"+googleAuth), `"google"`, `"yahoo"`, 1),
			"provider_type", "value must be one of")},
		{"OAuth 2.0 outgoing link with a redirect suffix of two segments", planFails(
			oauth2OutgoingHCL("name = \"Mail\"\nclient_secret = \"s\"\n"+googleAuth+"\nredirect_uri_suffix = \"a/b\""),
			"redirect_uri_suffix", "must be letters, digits")},
		{"OAuth 2.0 outgoing link with a name already taken", oauth2CreateFails("admin", makeOAuth2Taken,
			oauth2OutgoingHCL("name = \"Taken\"\nclient_secret = \"s\"\n"+googleAuth),
			"Error Creating OAuth 2.0 Outgoing Link", `name = "Taken"`, `already has an outgoing OAuth 2.0 link named "Taken"`,
			"Choose another `name`", "terraform import")},
		{"OAuth 2.0 outgoing link made by a user who is no administrator", oauth2CreateFails("user", nil,
			oauth2OutgoingHCL("name = \"Mail\"\nclient_secret = \"s\"\n"+googleAuth),
			"Error Creating OAuth 2.0 Outgoing Link", "can only be managed by an administrator",
			"Configure the provider with an administrator's credentials")},
	}
}
