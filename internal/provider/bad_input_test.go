package provider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The bad input matrix: every invalid configuration and every bad server
// answer the provider is known to meet, each with the diagnostic it must
// give. The list is published (RELIABILITY.md counts it), so a case another
// test covers in depth still has its row here.
//
// Each row's expectation names (a) the attribute or thing at fault, (b) what
// is wrong and (c) how to fix it where the provider can say. Rows that fail
// during apply also check that nothing was left half-made on the instance.

// badInputCase is what a row runs: one Terraform step expected to fail.
type badInputCase struct {
	config string
	// apply marks a failure that only the apply meets; the others fail
	// while planning, so the step is PlanOnly.
	apply bool
	want  *regexp.Regexp
	// nothingLeft checks the instance after the failed step.
	nothingLeft func() error
	// after runs checks that the step's error output cannot express, such
	// as a secret that must not appear.
	after func(t *testing.T)
	// warns marks a row whose configuration works but allows more than it
	// seems: its plan succeeds, and after checks the warning.
	warns bool
	// preApply runs between the plan and its apply, as a change made
	// outside Terraform after a saved plan does.
	preApply func()
}

// sideEffect is a pre-apply plan check that changes the instance instead
// of checking the plan: the harness applies the plan it checked.
type sideEffect func()

func (f sideEffect) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// planWarns is a row whose configuration plans with a warning that matches
// want, which the provider gives through the protocol as Terraform asks.
func planWarns(resourceHCL, typeName string, attrs map[string]tftypes.Value, want ...string) func(t *testing.T) badInputCase {
	return func(*testing.T) badInputCase {
		return badInputCase{
			config: unreachableProvider + resourceHCL,
			warns:  true,
			after: func(t *testing.T) {
				diags := validateResourceThroughProtocol(t, typeName, attrs)
				if hasError(diags) {
					t.Fatalf("refused instead of warned: %s", describeDiags(diags))
				}
				pattern := diagPattern(want...)
				for _, d := range diags {
					if d.Severity == tfprotov6.DiagnosticSeverityWarning && pattern.MatchString(d.Summary+"\n"+d.Detail) {
						return
					}
				}
				t.Fatalf("no warning matches %s: %s", pattern, describeDiags(diags))
			},
		}
	}
}

func ruleAttrs(typ, expression string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"type": str(typ), "expression": str(expression)}
}

type badInputRow struct {
	name  string
	build func(t *testing.T) badInputCase
}

// diagPattern matches a diagnostic that contains each part, in order.
// Terraform wraps long details at spaces and prefixes continuation lines
// with "│", so a space in a part matches any such break.
func diagPattern(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

// unreachableProvider configures the provider for an address where nothing
// listens; plan-time rows never get as far as calling it.
const unreachableProvider = `
provider "applinks" {
  url      = "http://127.0.0.1:1"
  username = "admin"
  password = "admin"
}
`

const someLinkID = "2841b105-5904-3c0a-9710-1ff26ae88206"

// truncatedBody is a list of links that the emulator cuts in half.
const truncatedBody = `[{"id":"` + someLinkID + `","name":"Wiki","type":"confluence","rpcUrl":"https://wiki.example.com"}]`

// planFails is a row whose configuration fails validation.
func planFails(resourceHCL string, want ...string) func(t *testing.T) badInputCase {
	return func(*testing.T) badInputCase {
		return badInputCase{config: unreachableProvider + resourceHCL, want: diagPattern(want...)}
	}
}

func linkHCL(attributes string) string {
	return `
resource "applinks_application_link" "bad" {
` + attributes + `
}
`
}

func consumerHCL(attributes string) string {
	return `
resource "applinks_oauth_consumer" "bad" {
  application_link_id = "` + someLinkID + `"
  consumer_key        = "ci"
  name                = "CI"
` + attributes + `
}
`
}

func ruleHCL(typ, expression string) string {
	return fmt.Sprintf(`
resource "applinks_whitelist_rule" "bad" {
  type       = %q
  expression = %q
}
`, typ, expression)
}

// providerOnly configures the provider with the given block body and reads
// one data source, which makes Terraform configure it.
func providerOnly(body string) string {
	return `
provider "applinks" {
` + body + `
}

data "applinks_application_links" "all" {}
`
}

// providerFails is a row whose provider configuration is refused.
func providerFails(body string, want ...string) func(t *testing.T) badInputCase {
	return func(*testing.T) badInputCase {
		return badInputCase{config: providerOnly(body), want: diagPattern(want...)}
	}
}

// faultyInstance starts a Jira whose matching requests get the fault.
func faultyInstance(t *testing.T, fault map[string]any) *emulator.Instance {
	t.Helper()
	inst := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
	if _, ok := fault["count"]; !ok {
		fault["count"] = 1000
	}
	injectEmulatorFault(t, inst, fault)
	return inst
}

// readFails is a row in which listing the links meets a fault.
func readFails(fault map[string]any, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		fault["path_prefix"] = "/rest/applinks/3.0/applinks"
		inst := faultyInstance(t, fault)
		return badInputCase{
			config: providerOnly(fmt.Sprintf("url = %q\nusername = \"admin\"\npassword = \"admin\"\nmax_retries = 0", inst.URL())),
			want:   diagPattern(want...),
		}
	}
}

// ruleCreateFails is a row in which creating an allowlist rule fails; the
// instance must hold no rule afterwards.
func ruleCreateFails(providerBody func(inst *emulator.Instance) string, fault map[string]any, expression string, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		var inst *emulator.Instance
		if fault != nil {
			fault["method"], fault["path_prefix"] = "POST", "/rest/whitelist/"
			inst = faultyInstance(t, fault)
		} else {
			inst = startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
		}
		return badInputCase{
			config:      "provider \"applinks\" {\n" + providerBody(inst) + "\n}\n" + ruleHCL("wildcard", expression),
			apply:       true,
			want:        diagPattern(want...),
			nothingLeft: expectAllowlist(inst),
		}
	}
}

func asUser(name string) func(inst *emulator.Instance) string {
	return func(inst *emulator.Instance) string {
		return fmt.Sprintf("url = %q\nusername = %q\npassword = %q\nmax_retries = 0", inst.URL(), name, name)
	}
}

// linkCreateFails is a row in which creating a link fails; jira must hold
// exactly the links it held before.
func linkCreateFails(opts emulator.Options, user string, resourceHCL func(t *testing.T, jira, wiki *emulator.Instance) string, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		server := startEmulator(t, opts, "jira=jira", "wiki=confluence")
		jira, wiki := server.Instance("jira"), server.Instance("wiki")
		before, err := emulatorLinks(jira)
		mustNotFail(t, err)
		return badInputCase{
			config:      "provider \"applinks\" {\n" + asUser(user)(jira) + "\n}\n" + resourceHCL(t, jira, wiki),
			apply:       true,
			want:        diagPattern(want...),
			nothingLeft: expectEmulatorLinks(jira, before...),
		}
	}
}

// consumerCreateFails is a row in which creating a consumer on an existing
// link of the type fails; the link must hold no consumer afterwards.
func consumerCreateFails(user, linkType, attributes string, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
		linkID := createLinkOutOfBand(t, jira, linkType, "https://ci.example.com")
		return badInputCase{
			config: "provider \"applinks\" {\n" + asUser(user)(jira) + "\n}\n" + strings.Replace(consumerHCL(attributes), someLinkID, linkID, 1),
			apply:  true,
			want:   diagPattern(want...),
			nothingLeft: func() error {
				auth, err := emulatorAuthentication(jira, linkID)
				if err != nil {
					return err
				}
				if len(auth.Consumers) != 0 {
					return fmt.Errorf("link %s holds consumers after the failed create: %+v", linkID, auth.Consumers)
				}
				return nil
			},
		}
	}
}

// validateResourceThroughProtocol validates a resource configuration the
// way Terraform does and returns the provider's diagnostics, so a test can
// look at the provider's words alone, without Terraform's source snippets.
func validateResourceThroughProtocol(t *testing.T, typeName string, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(nil))())()
	mustNotFail(t, err)
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	mustNotFail(t, err)
	objectType, ok := schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s has no object schema", typeName)
	}
	config := objectOf(t, typeName, objectType, attrs)
	resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &config})
	mustNotFail(t, err)
	return resp.Diagnostics
}

// expectNotEchoed fails when a diagnostic quotes any part of the secret
// longer than a few characters.
func expectNotEchoed(t *testing.T, diags []*tfprotov6.Diagnostic, secret string) {
	t.Helper()
	if !hasError(diags) {
		t.Fatalf("no error diagnostic: %s", describeDiags(diags))
	}
	body := strings.Join(strings.Fields(strings.NewReplacer("-----BEGIN PRIVATE KEY-----", "", "-----END PRIVATE KEY-----", "",
		"-----BEGIN RSA PRIVATE KEY-----", "", "-----END RSA PRIVATE KEY-----", "").Replace(secret)), "")
	for _, d := range diags {
		text := d.Summary + "\n" + d.Detail
		for i := 0; i+16 <= len(body); i += 8 {
			if strings.Contains(text, body[i:i+16]) {
				t.Fatalf("diagnostic %q quotes the secret: %s", d.Summary, d.Detail)
			}
		}
	}
}

// keyMaterial is every wrong thing a user pastes into public_key.
type keyMaterial struct {
	privatePKCS8PEM, privatePKCS1Base64, certificatePEM, ecdsaPublicPEM, pkcs1PublicPEM string
}

func newKeyMaterial(t *testing.T) keyMaterial {
	t.Helper()
	key := testConsumerKey(t, 0)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	mustNotFail(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustNotFail(t, err)
	ecPublic, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	mustNotFail(t, err)
	certificate := newTestCA(t).issue(t, []string{"ci.example.com"}, nil).Certificate[0]
	return keyMaterial{
		privatePKCS8PEM:    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		privatePKCS1Base64: base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(key)),
		certificatePEM:     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certificate})),
		ecdsaPublicPEM:     string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPublic})),
		pkcs1PublicPEM:     string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})),
	}
}

// privateKeyRow refuses a private key in public_key and never quotes it.
func privateKeyRow(pick func(keyMaterial) string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		secret := pick(newKeyMaterial(t))
		return badInputCase{
			config: unreachableProvider + consumerHCL(fmt.Sprintf("direction = \"incoming\"\npublic_key = %q", secret)),
			want: diagPattern("Private Key Given as Public Key", "public_key holds a private key", "the value is not shown here",
				"openssl rsa -in key.pem -pubout", "Treat the private key as exposed"),
			after: func(t *testing.T) {
				diags := validateResourceThroughProtocol(t, "applinks_oauth_consumer", map[string]tftypes.Value{
					"application_link_id": str(someLinkID), "direction": str("incoming"), "consumer_key": str("ci"),
					"name": str("CI"), "public_key": str(secret),
				})
				expectNotEchoed(t, diags, secret)
			},
		}
	}
}

func publicKeyRow(pick func(keyMaterial) string, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		return planFails(consumerHCL(fmt.Sprintf("direction = \"incoming\"\npublic_key = %q", pick(newKeyMaterial(t)))), want...)(t)
	}
}

// shortPublicKeyPEM is an RSA public key with a modulus of the given
// length: Go generates no key pair under 1024 bits, and a public key needs
// no primes to be written.
func shortPublicKeyPEM(t *testing.T, bits int) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n.Add(n, big.NewInt(1)), E: 65537})
	mustNotFail(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func badInputRows() []badInputRow {
	return []badInputRow{
		// ---- The provider block ----
		{"provider url malformed", providerFails(`url = "http://[::1"`+"\ntoken = \"t\"",
			"Invalid Applinks URL", "The base URL \"http://[::1\" (from `url` or APPLINKS_URL) is not a valid URL",
			"Use an absolute http or https URL such as https://jira.example.com")},
		{"provider url not http", providerFails(`url = "ftp://jira.example.com"`+"\ntoken = \"t\"",
			"Invalid Applinks URL", "`url`", `uses the scheme "ftp", which is neither http nor https`, "Use an absolute http or https URL")},
		{"provider url without scheme", providerFails(`url = "jira.example.com"`+"\ntoken = \"t\"",
			"Invalid Applinks URL", `"jira.example.com" (from`, "has no scheme", "Use an absolute http or https URL")},
		{"provider url with a password", func(t *testing.T) badInputCase {
			return badInputCase{
				config: providerOnly(`url = "https://bob:hunter2-pw@jira.example.com"` + "\ntoken = \"t\""),
				want: diagPattern("Invalid Applinks URL", `"https://bob:xxxxx@jira.example.com" (from`+" `url`",
					"contains credentials", "Use an absolute http or https URL"),
				after: func(t *testing.T) {
					diags := configureThroughProtocol(t, nil, map[string]tftypes.Value{"url": str("https://bob:hunter2-pw@jira.example.com"), "token": str("t")})
					for _, d := range diags {
						if strings.Contains(d.Detail+d.Summary, "hunter2") {
							t.Fatalf("%q quotes the password: %s", d.Summary, d.Detail)
						}
					}
				},
			}
		}},
		{"provider ca_cert_pem not PEM", providerFails(`url = "https://jira.example.com"`+"\ntoken = \"t\"\nca_cert_pem = \"my-ca.crt\"",
			"Invalid CA Certificate", "ca_cert_pem must hold PEM-encoded certificates", `file("ca.pem")`, "no PEM certificate block found")},
		{"provider ca_cert_pem holding a private key", func(t *testing.T) badInputCase {
			return providerFails(fmt.Sprintf("url = \"https://jira.example.com\"\ntoken = \"t\"\nca_cert_pem = %q", newKeyMaterial(t).privatePKCS8PEM),
				"Invalid CA Certificate", "ca_cert_pem must hold PEM-encoded certificates", `found a "PRIVATE KEY" block, which is not a certificate`)(t)
		}},
		{"provider request_timeout without unit", providerFails(`url = "https://jira.example.com"`+"\ntoken = \"t\"\nrequest_timeout = \"30\"",
			"Invalid Duration", "request_timeout must be a duration with a unit", `such as "30s"`, `"30" does not parse`)},
		{"provider max_retries out of range", providerFails(`url = "https://jira.example.com"`+"\ntoken = \"t\"\nmax_retries = 50",
			"Invalid Attribute Value", "max_retries value must be between 0 and 10, got: 50")},
		{"provider token and password", func(*testing.T) badInputCase {
			return badInputCase{
				config: providerOnly(`url = "https://jira.example.com"` + "\ntoken = \"t\"\nusername = \"admin\"\npassword = \"admin\""),
				want:   regexp.MustCompile(`(?s)Invalid Attribute Combination.*Attribute "token" cannot be specified when\s+"(username|password)" is specified`),
			}
		}},
		{"provider password without username", providerFails(`url = "https://jira.example.com"`+"\npassword = \"admin\"",
			"Missing Applinks Username", "A password is set but no user name", "Set `username` or the APPLINKS_USERNAME environment variable")},
		{"provider without credentials", providerFails(`url = "https://jira.example.com"`,
			"Missing Applinks Credentials", "needs an administrator's credentials", "Set `token`", "or set `username` and `password`")},

		// ---- applinks_application_link at plan time ----
		{"link rpc_url malformed", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"http://wiki example.com\""),
			"Invalid URL", "rpc_url must be an absolute http or https URL", `"http://wiki example.com" is not a valid URL`)},
		{"link rpc_url not http", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"ldap://wiki.example.com\""),
			"Invalid URL", "rpc_url must be an absolute http or https URL such as \"https://jira.example.com\"", `uses the scheme "ldap"`)},
		{"link rpc_url relative", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"wiki.example.com/confluence\""),
			"Invalid URL", "rpc_url must be an absolute http or https URL", `"wiki.example.com/confluence" has no scheme`)},
		{"link display_url not http", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"https://wiki.example.com\"\ndisplay_url = \"mailto:wiki@example.com\""),
			"Invalid URL", "display_url must be an absolute http or https URL", `uses the scheme "mailto"`)},
		{"link unknown application type", planFails(linkHCL(`type = "sharepoint"`+"\nname = \"Wiki\"\nrpc_url = \"https://wiki.example.com\""),
			"Invalid Attribute Value Match", "type value must be one of", `"confluence"`, `"bitbucket"`, `got: "sharepoint"`)},
		{"link application_id not a UUID", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"https://wiki.example.com\"\napplication_id = \"wiki-1\""),
			"Invalid Attribute Value Match", "application_id must be a UUID such as 2841b105-5904-3c0a-9710-1ff26ae88206", "got: wiki-1")},
		{"link unknown OAuth level", planFails(linkHCL(`type = "confluence"`+"\nname = \"Wiki\"\nrpc_url = \"https://wiki.example.com\"\nincoming = \"full\""),
			"Invalid Attribute Value Match", "incoming value must be one of", `"oauth_impersonation"`, `got: "full"`)},
		{"link OAuth level on a generic link", planFails(linkHCL(`type = "generic"`+"\nname = \"CI\"\nrpc_url = \"https://ci.example.com\"\noutgoing = \"oauth\""),
			"OAuth Level on a Generic Link", "Remove `outgoing`", "applinks_oauth_consumer resource")},
		{"link empty name", planFails(linkHCL(`type = "confluence"`+"\nname = \"\"\nrpc_url = \"https://wiki.example.com\""),
			"Invalid Attribute Value Length", "name string length must be at least 1, got: 0")},
		{"link name of spaces", planFails(linkHCL(`type = "confluence"`+"\nname = \"   \"\nrpc_url = \"https://wiki.example.com\""),
			"Invalid Attribute Value Match", "name must not be empty or blank")},
		{"link rpc_url port 0", planFails(linkHCL(`type = "generic"`+"\nname = \"CI\"\nrpc_url = \"https://ci.example.com:0\""),
			"Invalid URL", "rpc_url must be an absolute http or https URL", `has the port "0", which is not a number between 1 and 65535`)},
		{"link rpc_url port 65536", planFails(linkHCL(`type = "generic"`+"\nname = \"CI\"\nrpc_url = \"https://ci.example.com:65536\""),
			"Invalid URL", "rpc_url must be", `has the port "65536", which is not a number between 1 and 65535`)},
		{"link rpc_url trailing space", planFails(linkHCL(`type = "generic"`+"\nname = \"CI\"\nrpc_url = \"https://ci.example.com/jenkins \""),
			"Invalid URL", "rpc_url must be", `"https://ci.example.com/jenkins " ends with a space`, "remove it")},
		{"link rpc_url leading space", planFails(linkHCL(`type = "generic"`+"\nname = \"CI\"\nrpc_url = \" https://ci.example.com\""),
			"Invalid URL", "rpc_url must be", `" https://ci.example.com" starts with a space`, "remove it")},

		// ---- applinks_oauth_consumer at plan time ----
		{"consumer public_key garbage", planFails(consumerHCL(`direction = "incoming"`+"\npublic_key = \"not a key!!\""),
			"Invalid RSA Public Key", "public_key is neither a PEM public key nor base64", "openssl rsa -in key.pem -pubout")},
		{"consumer public_key a PEM private key", privateKeyRow(func(k keyMaterial) string { return k.privatePKCS8PEM })},
		{"consumer public_key a bare private key", privateKeyRow(func(k keyMaterial) string { return k.privatePKCS1Base64 })},
		{"consumer public_key a certificate", publicKeyRow(func(k keyMaterial) string { return k.certificatePEM },
			"Certificate Given as Public Key", "public_key holds a certificate, not a public key", "openssl x509 -in cert.pem -pubkey -noout")},
		{"consumer public_key not RSA", publicKeyRow(func(k keyMaterial) string { return k.ecdsaPublicPEM },
			"Public Key Is Not RSA", "public_key holds an ECDSA key", "RSA-SHA1", "Generate an RSA key pair")},
		{"consumer public_key PKCS#1", publicKeyRow(func(k keyMaterial) string { return k.pkcs1PublicPEM },
			"Unsupported RSA Public Key Format", "public_key holds a PKCS#1", "openssl rsa -RSAPublicKey_in -in key.pem -pubout")},
		{"consumer public_key OpenSSH", planFails(consumerHCL(`direction = "incoming"`+"\npublic_key = \"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC ci@build\""),
			"OpenSSH Public Key Given", "public_key holds an OpenSSH public key", "ssh-keygen -f key.pub -e -m PKCS8")},
		{"consumer public_key too short", func(t *testing.T) badInputCase {
			return planFails(consumerHCL(fmt.Sprintf("direction = \"incoming\"\npublic_key = %q", shortPublicKeyPEM(t, 384))),
				"RSA Public Key Too Short", "public_key holds a 384-bit RSA key", "shorter than 512 bits", "openssl genrsa -out key.pem 2048")(t)
		}},
		{"consumer public_key weak", func(t *testing.T) badInputCase {
			key := shortPublicKeyPEM(t, 512)
			return planWarns(consumerHCL(fmt.Sprintf("direction = \"incoming\"\npublic_key = %q", key)), "applinks_oauth_consumer",
				map[string]tftypes.Value{"application_link_id": str(someLinkID), "direction": str("incoming"), "consumer_key": str("ci"),
					"name": str("CI"), "public_key": str(key)},
				"Weak RSA Public Key", "public_key holds a 512-bit RSA key", "can be factored", "2048 bits or more")(t)
		}},
		{"consumer_key with a space", planFails(strings.Replace(consumerHCL(`direction = "incoming"`), `"ci"`, `"ci key"`, 1),
			"Invalid OAuth Consumer Key", "consumer_key contains a space at offset 2", "must match it character for character")},
		{"consumer_key with a line break", planFails(strings.Replace(consumerHCL(`direction = "incoming"`), `"ci"`, `"ci\n"`, 1),
			"Invalid OAuth Consumer Key", "consumer_key contains a line break at offset 2", "trimspace(file(...))")},
		{"consumer incoming without public_key", planFails(consumerHCL(`direction = "incoming"`),
			"Missing Public Key", "An incoming consumer needs `public_key`", "openssl rsa -in key.pem -pubout")},
		{"consumer outgoing attribute on incoming", planFails(consumerHCL("direction = \"incoming\"\npublic_key = \"x\"\nrequest_token_url = \"/oauth/request\""),
			"Attribute Not Used by Incoming Consumers", "`request_token_url` configures an outgoing consumer", "Remove it, or set `direction = \"outgoing\"`")},
		{"consumer impersonation without two-legged", planFails(consumerHCL("direction = \"incoming\"\nimpersonation_allowed = true"),
			"Impersonation Needs Two-Legged OAuth", "needs `two_legged_allowed = true` as well")},
		{"consumer outgoing without service provider URL", planFails(consumerHCL("direction = \"outgoing\"\nshared_secret = \"s\"\nrequest_token_url = \"/r\"\naccess_token_url = \"/a\""),
			"Missing Service Provider URL", "An outgoing consumer needs `authorize_url`")},
		{"consumer outgoing without shared secret", planFails(consumerHCL("direction = \"outgoing\"\nrequest_token_url = \"/r\"\naccess_token_url = \"/a\"\nauthorize_url = \"/z\""),
			"Missing Shared Secret", "needs the shared secret", "Set `shared_secret_wo` with `shared_secret_wo_version`")},
		{"consumer service provider URL not http", planFails(consumerHCL("direction = \"outgoing\"\nshared_secret = \"s\"\nrequest_token_url = \"ftp://ci.example.com/r\"\naccess_token_url = \"/a\"\nauthorize_url = \"/z\""),
			"Invalid URL", "request_token_url must be an absolute http or https URL", `or a path such as "/oauth/request-token"`, `uses the scheme "ftp"`)},
		{"consumer callback_url relative", planFails(consumerHCL("direction = \"incoming\"\npublic_key = \"x\"\ncallback_url = \"ci.example.com/cb\""),
			"Invalid URL", "callback_url must be an absolute http or https URL", `"ci.example.com/cb" is not absolute`)},
		{"consumer unknown direction", planFails(consumerHCL(`direction = "both"`),
			"Invalid Attribute Value Match", "direction value must be one of", `"incoming"`, `got: "both"`)},

		// ---- applinks_whitelist_rule at plan time: every type against
		// expressions it cannot take ----
		{"rule regex unclosed group", planFails(ruleHCL("regex", `https://(www\.example\.com`),
			"Invalid Regular Expression Rule", "compiles `regex` rules as Java regular expressions", "a group is not closed (missing \")\")")},
		{"rule regex nothing to repeat", planFails(ruleHCL("regex", `*.example.com`),
			"Invalid Regular Expression Rule", `the quantifier in "*" has nothing to repeat`)},
		{"rule regex literal brace", planFails(ruleHCL("regex", `https://example\.com/{id}`),
			"Invalid Regular Expression Rule", `has "{" at offset 21`, `write \{ for a literal brace`)},
		{"rule regex Go named group", planFails(ruleHCL("regex", `https://(?P<host>[a-z]+)\.example\.com`),
			"Invalid Regular Expression Rule", `uses a named group "(?P<"`, "Java does not accept; write (?<name>...)")},
		{"rule regex unclosed class", planFails(ruleHCL("regex", `https://[a-z.example.com`),
			"Invalid Regular Expression Rule", `a character class is not closed (missing "]")`)},
		{"rule regex lone backslash", planFails(ruleHCL("regex", `https://example\.com\`),
			"Invalid Regular Expression Rule", "it ends with a lone backslash")},
		{"rule regex reversed range", planFails(ruleHCL("regex", `https://[z-a]\.example\.com`),
			"Invalid Regular Expression Rule", "invalid character class range", "z-a")},
		{"rule regex reversed repetition", planFails(ruleHCL("regex", `https://a{3,1}\.example\.com`),
			"Invalid Regular Expression Rule", "invalid repeat count", "{3,1}")},
		{"rule wildcard with a group", planFails(ruleHCL("wildcard", `https://(*.example.com`),
			"Invalid Wildcard Rule", "( ) { } ^ $ \\ keep their regular-expression meaning", "a group is not closed", "Use a `regex` rule")},
		{"rule wildcard of only *", planWarns(ruleHCL("wildcard", "*"), "applinks_whitelist_rule", ruleAttrs("wildcard", "*"),
			"Wildcard Rule Allows Other Hosts", `The wildcard "*" is only "*", which matches every URL`, `"https://evil.test/"`, "`domain` rule")},
		{"rule wildcard without scheme", planWarns(ruleHCL("wildcard", "*.example.com"), "applinks_whitelist_rule", ruleAttrs("wildcard", "*.example.com"),
			"Wildcard Rule Allows Other Hosts", `"*.example.com" has no scheme`, `also allows "https://evil.test/?.example.com"`,
			"use a `regex` rule such as", `example\\.com(/.*)?`)},
		{"rule wildcard for the host", planWarns(ruleHCL("wildcard", "https://*.example.com/*"), "applinks_whitelist_rule", ruleAttrs("wildcard", "https://*.example.com/*"),
			"Wildcard Rule Allows Other Hosts", `has a "*" in the host`, `"https://evil.test/?.example.com/"`)},
		{"rule regex catastrophic backtracking", planWarns(ruleHCL("regex", `https://example\.com/(a+)+$`), "applinks_whitelist_rule",
			ruleAttrs("regex", `https://example\.com/(a+)+$`),
			"Regular Expression May Backtrack Catastrophically", `repeats "(a+)+"`, "exponential time", "(a+)+$ as a+$")},
		{"rule regex nested repetition", planWarns(ruleHCL("regex", `https://((a{100}){100}){100}\.example\.com`), "applinks_whitelist_rule",
			ruleAttrs("regex", `https://((a{100}){100}){100}\.example\.com`),
			"Regular Expression Not Fully Checked", "repetitions nested so deeply that together they repeat more than 1000 times", "which Java accepts")},
		{"rule domain with a path", planFails(ruleHCL("domain", "https://www.example.com/feeds"),
			"Invalid Domain Rule", `has "/feeds" after the host`, `(use "https://www.example.com")`, "For a single URL use `exact_url`")},
		{"rule domain without scheme", planFails(ruleHCL("domain", "www.example.com"),
			"Invalid Domain Rule", `has no scheme; write it with one, such as "https://www.example.com"`)},
		{"rule domain port out of range", planFails(ruleHCL("domain", "https://www.example.com:99999"),
			"Invalid Domain Rule", `has the port "99999", which is not a number between 1 and 65535`)},
		{"rule domain bad host", planFails(ruleHCL("domain", "https://www_example.com"),
			"Invalid Domain Rule", `has the host "www_example.com", which is not a valid host name`)},
		{"rule exact_url without scheme", planFails(ruleHCL("exact_url", "www.example.com/feed.xml"),
			"Invalid Exact URL Rule", "one absolute URL", "has no scheme; write an absolute URL")},
		{"rule exact_url with a space", planFails(ruleHCL("exact_url", "https://www.example.com/my feed.xml"),
			"Invalid Exact URL Rule", `contains " " at offset 26, which must be percent-encoded (for example "%20")`)},
		{"rule exact_url with a fragment", planFails(ruleHCL("exact_url", "https://www.example.com/feed.xml#top"),
			"Invalid Exact URL Rule", "has a fragment (#...), which the server ignores")},
		{"rule application_link type", planFails(ruleHCL("application_link", someLinkID),
			"Application Link Rules Are Managed by the Product", "refuses to create one", "Manage the link instead",
			"`application_link_restrictiveness` of `applinks_whitelist`")},
		{"rule unknown type", planFails(ruleHCL("ip_range", "10.0.0.0/8"),
			"Invalid Attribute Value Match", "type value must be one of", `"regex"`, `got: "ip_range"`)},
		{"rule empty expression", planFails(ruleHCL("domain", ""),
			"Invalid Attribute Value Length", "expression string length must be at least 1, got: 0")},

		// ---- Credentials and rights ----
		{"wrong password", func(t *testing.T) badInputCase {
			jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			return badInputCase{
				config: providerOnly(fmt.Sprintf("url = %q\nusername = \"admin\"\npassword = \"wrong\"", jira.URL())),
				want: diagPattern("Error Reading Application Links", "did not accept the credentials: check `username` and `password`",
					"HTTP 401 Unauthorized", `"Client must be authenticated to access this resource."`),
			}
		}},
		{"invalid token", func(t *testing.T) badInputCase {
			jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			return badInputCase{
				config: providerOnly(fmt.Sprintf("url = %q\ntoken = \"expired-token\"", jira.URL())),
				want: diagPattern("Error Reading Application Links", "did not accept the credentials", "or `token` (a personal access token may have expired or been revoked)",
					"HTTP 401 Unauthorized"),
			}
		}},
		{"plain user reading links", func(t *testing.T) badInputCase {
			jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			return badInputCase{
				config: providerOnly(asUser("user")(jira)),
				want: diagPattern("Error Reading Application Links", "lacks a permission this operation needs: application links need an administrator",
					"HTTP 403 Forbidden", "You must be an administrator to perform this operation."),
			}
		}},
		{"plain user adding a consumer", func(t *testing.T) badInputCase {
			return consumerCreateFails("user", genericType, fmt.Sprintf("direction = \"incoming\"\npublic_key = %q", publicKeyBase64(t, testConsumerKey(t, 0))),
				"Error Creating OAuth Consumer", "accepted the login but refused the request, so the user lacks the right it needs",
				"managing application links needs an administrator", "HTTP 401 Unauthorized", "You must be an administrator to access this resource")(t)
		}},
		// The allowlist answers a missing right with 401 too; only Seraph's
		// header tells a failed login apart.
		{"wrong password creating an allowlist rule", ruleCreateFails(func(inst *emulator.Instance) string {
			return fmt.Sprintf("url = %q\nusername = \"admin\"\npassword = \"wrong\"\nmax_retries = 0", inst.URL())
		}, nil, "https://*.example.com",
			"Error Creating Allowlist Rule", "did not accept the credentials: check `username` and `password`", "HTTP 401 Unauthorized")},
		{"administrator changing the allowlist", ruleCreateFails(asUser("manager"), nil, "https://*.example.com",
			"Error Creating Allowlist Rule", "Changing the allowlist needs a system administrator", "an administrator is not enough",
			"Configure the provider with a system administrator's credentials", `"The current user is not allowed to change the whitelist."`)},
		{"administrator setting impersonation on a link", linkCreateFails(peersAllowed, "manager", func(_ *testing.T, _, wiki *emulator.Instance) string {
			return fmt.Sprintf("resource \"applinks_application_link\" \"bad\" {\ntype = \"confluence\"\nname = \"Wiki\"\nrpc_url = %q\nincoming = \"oauth_impersonation\"\n}\n", wiki.URL())
		}, "Error Creating Application Link", "needs a system administrator, and the provider's user is not one",
			"configure the provider with a system administrator's credentials, or choose `oauth`", "The link was removed again", "HTTP 403")},

		// ---- Transport ----
		{"untrusted certificate", func(t *testing.T) badInputCase {
			server, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0",
				TLSCert: newTestCA(t).issue(t, nil, []net.IP{net.ParseIP("127.0.0.1")})})
			mustNotFail(t, err)
			t.Cleanup(func() { _ = server.Close() })
			return badInputCase{
				config: providerOnly(fmt.Sprintf("url = %q\nusername = \"admin\"\npassword = \"admin\"", server.Instance("jira").URL())),
				want: diagPattern("Error Reading Application Links", "not signed by an authority this machine trusts: set `ca_cert_pem`",
					"certificate signed by unknown authority"),
			}
		}},
		{"unreachable instance", func(t *testing.T) badInputCase {
			return badInputCase{
				config: providerOnly(fmt.Sprintf("url = \"http://%s\"\nusername = \"admin\"\npassword = \"admin\"\nmax_retries = 0", refusedAddr(t))),
				want: diagPattern("Error Reading Application Links", "Nothing accepts connections at the host and port of `url`",
					"that the instance is running", "connection refused"),
			}
		}},
		{"wrong context path", func(t *testing.T) badInputCase {
			jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			return badInputCase{
				config: providerOnly(fmt.Sprintf("url = \"%s/jira\"\nusername = \"admin\"\npassword = \"admin\"", jira.URL())),
				want: diagPattern("Error Reading Application Links", "The answer was not the product's JSON", "`url` points at something else",
					"(HTTP 404), a page titled \"HTTP Status 404 – Not Found\""),
			}
		}},

		// ---- Answers the provider cannot use ----
		{"HTML error page from a proxy", readFails(map[string]any{"status": 500, "content_type": "text/html",
			"body": "<html><head><title>Proxy Error</title></head><body>upstream timed out</body></html>"},
			"Error Reading Application Links", "not the product's JSON; a proxy or load balancer", "but got text/html (HTTP 500), a page titled \"Proxy Error\"")},
		{"login page where JSON was expected", readFails(map[string]any{"status": 200, "content_type": "text/html;charset=UTF-8",
			"body": "<html><head><title>Log in - Example SSO</title></head></html>"},
			"Error Reading Application Links", "not the product's JSON", `a page titled "Log in - Example SSO"`)},
		{"oversized response", readFails(map[string]any{"status": 200, "content_type": "application/json", "body": "[]", "body_bytes": 11 << 20},
			"Error Reading Application Links", "larger than the provider reads", "check `url`", "is larger than the 10485760-byte limit")},
		{"truncated response", readFails(map[string]any{"status": 200, "content_type": "application/json", "truncate": true,
			"body": truncatedBody},
			"Error Reading Application Links", fmt.Sprintf("ended after %d bytes of the %d it announced", len(truncatedBody)/2, len(truncatedBody)),
			"the connection was cut, or a proxy in front of the instance dropped the rest")},
		{"cut JSON", readFails(map[string]any{"status": 200, "content_type": "application/json", "body": `[{"id":"` + someLinkID},
			"Error Reading Application Links", "not the product's JSON", "(HTTP 200): unexpected end of JSON input")},
		{"rate limited", readFails(map[string]any{"status": 429, "retry_after": "1", "content_type": "application/json", "body": `{"message":"Rate limit exceeded."}`},
			"Error Reading Application Links", "kept limiting the rate of requests", "raise `max_retries`", "HTTP 429 Too Many Requests", `"Rate limit exceeded."`)},
		{"instance in maintenance", readFails(map[string]any{"status": 503, "content_type": "application/json", "body": `{"status-code":503,"message":"Jira is starting up."}`},
			"Error Reading Application Links", "The instance is unavailable (starting, in maintenance or overloaded)", "raise `max_retries`", `"Jira is starting up."`)},
		{"uncaught server exception", readFails(map[string]any{"status": 500, "content_type": "application/json",
			"body": `{"status-code":500,"message":"java.lang.NullPointerException","stack-trace":"Please contact your admin passing attached Log's referral number: 0c0c"}`},
			"Error Reading Application Links", "internal error; its application log has the details", "java.lang.NullPointerException", "referral number: 0c0c")},
		{"request body too large for a proxy", ruleCreateFails(asUser("admin"), map[string]any{"status": 413, "content_type": "text/html",
			"body": "<html><head><title>413 Request Entity Too Large</title></head><body><center>nginx</center></body></html>"}, "https://*.example.com",
			"Error Creating Allowlist Rule", "raise the proxy's body size limit (for example nginx's client_max_body_size)", `"413 Request Entity Too Large"`)},
		{"XSRF header stripped by a proxy", ruleCreateFails(asUser("admin"), map[string]any{"status": 403, "content_type": "text/plain", "body": "XSRF check failed"},
			"https://*.example.com", "Error Creating Allowlist Rule", "cross-site request forgery; a proxy in front of it may be stripping the X-Atlassian-Token header")},

		// ---- What only the instance knows ----
		{"peer is another product", linkCreateFails(peersAllowed, "admin", func(_ *testing.T, _, wiki *emulator.Instance) string {
			return fmt.Sprintf("resource \"applinks_application_link\" \"bad\" {\ntype = \"jira\"\nname = \"Wiki\"\nrpc_url = %q\n}\n", wiki.URL())
		}, "Peer Is Another Product", `(type "confluence"), not jira`, "Set `type = \"confluence\"`, or point `rpc_url` at a jira instance")},
		{"link to the instance itself", linkCreateFails(peersAllowed, "admin", func(_ *testing.T, jira, _ *emulator.Instance) string {
			return fmt.Sprintf("resource \"applinks_application_link\" \"bad\" {\ntype = \"jira\"\nname = \"Self\"\nrpc_url = %q\napplication_id = %q\n}\n",
				jira.URL(), jira.ServerID())
		}, "Application Link to Itself", "would point at the instance the provider manages", "point `rpc_url` at the peer")},
		{"request body too large for the instance", linkCreateFails(emulator.Options{}, "admin", func(*testing.T, *emulator.Instance, *emulator.Instance) string {
			return fmt.Sprintf("resource \"applinks_application_link\" \"bad\" {\ntype = \"generic\"\nname = %q\nrpc_url = \"https://ci.example.com\"\n}\n",
				strings.Repeat("CI ", 1<<20))
		}, "Error Creating Application Link", "larger than the instance, or a proxy in front of it, accepts: shorten the longest values",
			"HTTP 413 Request Entity Too Large", "HTTP Status 413 – Request Entity Too Large")},
		{"peer unreachable from the instance", linkCreateFails(peersAllowed, "admin", func(t *testing.T, _, _ *emulator.Instance) string {
			return "resource \"applinks_application_link\" \"bad\" {\ntype = \"confluence\"\nname = \"Wiki\"\nrpc_url = \"http://" + refusedAddr(t) + "\"\n}\n"
		}, "Peer Not Reachable From the Instance", "Check that `rpc_url` is right", "or set `application_id` to the peer's server id")},
		{"peer on a loopback address", linkCreateFails(emulator.Options{}, "admin", func(_ *testing.T, _, wiki *emulator.Instance) string {
			return fmt.Sprintf("resource \"applinks_application_link\" \"bad\" {\ntype = \"confluence\"\nname = \"Wiki\"\nrpc_url = %q\n}\n", wiki.URL())
		}, "Instance Refused to Look Up the Peer", "server-side request forgery", "Set `application_id` to the peer's server id")},
		{"consumer on a missing link", func(t *testing.T) badInputCase {
			jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			return badInputCase{
				config: testAccProviderConfig(jira.URL()) + consumerHCL("direction = \"incoming\"\npublic_key = \""+publicKeyBase64(t, testConsumerKey(t, 0))+"\""),
				apply:  true,
				want: diagPattern("Application Link Not Found", "has no application link with id "+someLinkID, "Create the link first",
					"or correct `application_link_id`", "HTTP 404"),
			}
		}},
		{"link created elsewhere during the apply", func(t *testing.T) badInputCase {
			// Another workspace creates the same generic link between this
			// apply's check and its create: the check reads no such link.
			inst := startEmulator(t, emulator.Options{Control: true}, "jira=jira").Instance("jira")
			theirs := createLinkOutOfBand(t, inst, genericType, "https://ci.example.com")
			injectEmulatorFault(t, inst, map[string]any{"method": "GET", "path_prefix": "/rest/applinks/3.0/applinks", "count": 1,
				"status": 200, "content_type": "application/json", "body": "[]"})
			return badInputCase{
				config: testAccProviderConfig(inst.URL()) + "resource \"applinks_application_link\" \"bad\" {\ntype = \"generic\"\nname = \"CI\"\nrpc_url = \"https://ci.example.com\"\n}\n",
				apply:  true,
				want: diagPattern("Application Link Already Exists", "a link with id "+theirs, `(named "https://ci.example.com"`,
					"someone else created it while this apply ran", "Nothing was created or changed", "`terraform import`", "HTTP 400"),
				nothingLeft: expectEmulatorLinks(inst, emulatedLink{ID: theirs, Name: "https://ci.example.com", RPCURL: "https://ci.example.com", Primary: true}),
			}
		}},
		{"link deleted between plan and apply", func(t *testing.T) badInputCase {
			inst := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
			linkID := createLinkOutOfBand(t, inst, genericType, "https://ci.example.com")
			return badInputCase{
				config: testAccProviderConfig(inst.URL()) + fmt.Sprintf(`
import {
  to = applinks_application_link.ci
  id = %q
}
resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = "https://ci.example.com"
  rpc_url = "https://ci.example.com"
}
`, linkID) + strings.Replace(consumerHCL("direction = \"incoming\"\npublic_key = \""+publicKeyBase64(t, testConsumerKey(t, 0))+"\""),
					`"`+someLinkID+`"`, "applinks_application_link.ci.id", 1),
				apply: true,
				preApply: func() {
					if _, err := emulatorCall(inst, http.MethodDelete, "/rest/applinks/3.0/applinks/"+linkID, nil, nil); err != nil {
						t.Errorf("deleting the link after the plan: %s", err)
					}
				},
				want: diagPattern("Application Link Not Found", "has no application link with id "+linkID,
					"the link was deleted outside Terraform after the plan was made", "run `terraform plan` again", "HTTP 404"),
				nothingLeft: expectEmulatorLinks(inst),
			}
		}},
		{"outgoing consumer on an Atlassian link", consumerCreateFails("admin", "confluence",
			"direction = \"outgoing\"\nshared_secret = \"s\"\nrequest_token_url = \"/r\"\naccess_token_url = \"/a\"\nauthorize_url = \"/z\"",
			"Outgoing Consumer Needs a Generic Link", "is a confluence link", "set `outgoing` on the applinks_application_link resource")},
		{"administrator allowing impersonation to a consumer", func(t *testing.T) badInputCase {
			return consumerCreateFails("manager", genericType, fmt.Sprintf("direction = \"incoming\"\npublic_key = %q\ntwo_legged_allowed = true\nimpersonation_allowed = true",
				publicKeyBase64(t, testConsumerKey(t, 0))),
				"Impersonation Needs a System Administrator", "administrators are not enough", "or set `impersonation_allowed = false`")(t)
		}},
		{"link rule with no flag", planFails(linkRuleHCL(someLinkID, ""),
			"Missing Attribute Configuration", "At least one of these attributes must be configured", "allow_inbound,allow_anonymous")},
		{"link rule application_link_id not a UUID", planFails(linkRuleHCL("wiki-1", "allow_inbound = true"),
			"Invalid Attribute Value Match", "application_link_id must be a UUID", "got: wiki-1")},
		{"link rule for an unknown link", linkRuleCreateFails(false, "Application Link Not Found",
			"no application link with id "+someLinkID, "Create the link first")},
		{"link rule under DENY restrictiveness", linkRuleCreateFails(true, "Application Link Has No Allowlist Rule",
			"restrictiveness is `deny`", "set `application_link_restrictiveness` of `applinks_whitelist` to `allow_authenticated`")},
	}
}

func linkRuleHCL(linkID, attributes string) string {
	return fmt.Sprintf(`
resource "applinks_application_link_whitelist_rule" "bad" {
  application_link_id = %q
  %s
}
`, linkID, attributes)
}

// linkRuleCreateFails is a row in which setting a link rule's flags fails:
// for a link that does not exist, or for one whose rule DENY removed. The
// instance keeps its restrictiveness and gets no rule.
func linkRuleCreateFails(deny bool, want ...string) func(t *testing.T) badInputCase {
	return func(t *testing.T) badInputCase {
		jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
		restrictiveness := "ALLOW_AUTHENTICATED"
		if deny {
			createLinkOverHTTP(t, jira, someLinkID, "confluence", "Wiki", "https://wiki.example.com")
			restrictiveness = "DENY"
			setRestrictivenessOverHTTP(t, jira, restrictiveness)
		}
		return badInputCase{
			config: "provider \"applinks\" {\n" + asUser("admin")(jira) + "\n}\n" + linkRuleHCL(someLinkID, "allow_inbound = true"),
			apply:  true,
			want:   diagPattern(want...),
			nothingLeft: func() error {
				rules, err := emulatorLinkRules(jira)
				if err != nil || len(rules) > 0 {
					return fmt.Errorf("application-link rules %+v (%v)", rules, err)
				}
				return expectAllowlistSettings(jira, true, restrictiveness)()
			},
		}
	}
}

func TestAccBadInput(t *testing.T) {
	rows := append(badInputRows(), entityLinkBadInputRows()...)
	rows = append(rows, oauth2BadInputRows()...)
	if len(rows) < 40 {
		t.Fatalf("the matrix has %d rows; it promises at least 40", len(rows))
	}
	var run, diagnosed atomic.Int64
	t.Cleanup(func() {
		if n := run.Load(); n > 0 {
			reportFigure(t, "bad_inputs", n, "diagnosed", diagnosed.Load())
		}
	})
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row.name] {
			t.Fatalf("two rows are named %q", row.name)
		}
		seen[row.name] = true
		t.Run(row.name, func(t *testing.T) {
			t.Cleanup(func() {
				if t.Skipped() {
					return
				}
				run.Add(1)
				if !t.Failed() {
					diagnosed.Add(1)
				}
			})
			c := row.build(t)
			step := resource.TestStep{Config: c.config, PlanOnly: !c.apply, ExpectError: c.want}
			if c.warns {
				step.ExpectError, step.ExpectNonEmptyPlan = nil, true
			}
			if c.preApply != nil {
				step.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{sideEffect(c.preApply)}
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{step},
			})
			if c.nothingLeft != nil {
				if err := c.nothingLeft(); err != nil {
					t.Errorf("left behind after the failed apply: %s", err)
				}
			}
			if c.after != nil {
				c.after(t)
			}
		})
	}
}
