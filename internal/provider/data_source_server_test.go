package provider

import (
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

const testAccServerDataSourceConfig = `
data "applinks_server" "this" {}
`

func serverChecks(inst *emulator.Instance, typeName, typeID string) []statecheck.StateCheck {
	addr := "data.applinks_server.this"
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("server_id"), knownvalue.StringExact(inst.ServerID())),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact(typeName)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("type_id"), knownvalue.StringExact(typeID)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("base_url"), knownvalue.StringExact(inst.URL())),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("applinks_version"), knownvalue.StringExact("9.1.4")),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+$`))),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("build_number"), knownvalue.NotNull()),
	}
}

func TestAccServerDataSource_basic(t *testing.T) {
	inst := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testAccProviderConfig(inst.URL()) + testAccServerDataSourceConfig,
				ConfigStateChecks: serverChecks(inst, "jira", "jira"),
			},
		},
	})
}

// Bitbucket reports the type id "stash"; users see "bitbucket". The instance
// runs under a context path, which the provider must keep in every request.
func TestAccServerDataSource_bitbucketUnderContextPath(t *testing.T) {
	server, err := emulator.Start(emulator.Options{}, emulator.InstanceConfig{
		Name: "bitbucket", Type: "stash", Addr: "127.0.0.1:0", ContextPath: "/bitbucket",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	inst := server.Instance("bitbucket")
	if !strings.HasSuffix(inst.URL(), "/bitbucket") {
		t.Fatalf("instance URL %q lacks its context path", inst.URL())
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testAccProviderConfig(inst.URL()+"/") + testAccServerDataSourceConfig,
				ConfigStateChecks: serverChecks(inst, "bitbucket", "stash"),
			},
		},
	})
}

// The provider block may be empty: url and a personal access token come
// from the environment.
func TestAccServerDataSource_tokenFromEnvironment(t *testing.T) {
	inst := startEmulator(t, emulator.Options{}, "wiki=confluence").Instance("wiki")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck: func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: providerFactoriesWithEnv(map[string]string{
			envURL:   inst.URL(),
			envToken: "admin-token",
		}),
		Steps: []resource.TestStep{
			{
				Config:            `provider "applinks" {}` + testAccServerDataSourceConfig,
				ConfigStateChecks: serverChecks(inst, "confluence", "confluence"),
			},
		},
	})
}

func TestAccServerDataSource_errors(t *testing.T) {
	inst := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + listener.Addr().String()
	_ = listener.Close()

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "applinks" {
  url      = %q
  username = "admin"
  password = "wrong"
}
`, inst.URL()) + testAccServerDataSourceConfig,
				ExpectError: regexp.MustCompile(`(?s)Error Reading Server Manifest.*did\s+not\s+accept\s+the\s+credentials.*401`),
			},
			{
				Config: fmt.Sprintf(`
provider "applinks" {
  url   = %q
  token = "not-a-token"
}
`, inst.URL()) + testAccServerDataSourceConfig,
				ExpectError: regexp.MustCompile(`(?s)Error Reading Server Manifest.*did\s+not\s+accept\s+the\s+credentials.*401`),
			},
			{
				Config: fmt.Sprintf(`
provider "applinks" {
  url         = %q
  token       = "admin-token"
  max_retries = 0
}
`, closedURL) + testAccServerDataSourceConfig,
				ExpectError: regexp.MustCompile(`(?s)Error Reading Server Manifest.*Nothing\s+accepts\s+connections.*connection refused`),
			},
			{
				Config:      `provider "applinks" {}` + testAccServerDataSourceConfig,
				ExpectError: regexp.MustCompile(`(?s)Missing Applinks URL.*APPLINKS_URL`),
			},
			{
				Config: fmt.Sprintf(`
provider "applinks" {
  url             = %q
  token           = "admin-token"
  request_timeout = "thirty seconds"
}
`, inst.URL()) + testAccServerDataSourceConfig,
				ExpectError: regexp.MustCompile(`(?s)Invalid Duration.*request_timeout`),
			},
		},
	})
}

// A TRACE log of a whole run holds the wire traffic but never a secret:
// an apply and destroy of every resource type, with Basic authentication
// and then with a personal access token, and an OAuth shared secret.
// The log sink reads the process environment, so this test cannot run in
// parallel with the others.
func TestAccProvider_traceLogHasNoSecrets(t *testing.T) {
	const password = "Tr4ce-Pa55word-7781"
	const token = "trace-token-5c1e0a"
	const sharedSecret = "Sh4red-Secret-90d1c"
	server := startEmulator(t, emulator.Options{
		Users: []emulator.User{{Name: "tracer", Password: password, Token: token, SystemAdmin: true}},
	}, "jira=jira")
	inst := server.Instance("jira")

	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	// The secrets reach Terraform as sensitive variables, as in a real
	// pipeline: the test harness logs the configuration text itself, so a
	// literal there would be found in the log whatever the provider does.
	t.Setenv("TF_VAR_applinks_password", password)
	t.Setenv("TF_VAR_applinks_token", token)
	t.Setenv("TF_VAR_shared_secret", sharedSecret)
	const everything = `
variable "applinks_password" {
  type      = string
  sensitive = true
}
variable "applinks_token" {
  type      = string
  sensitive = true
}
variable "shared_secret" {
  type      = string
  sensitive = true
}

data "applinks_server" "this" {}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = "CI"
  rpc_url = "https://ci.example.com"
}

resource "applinks_oauth_consumer" "ci" {
  application_link_id = applinks_application_link.ci.id
  direction           = "outgoing"
  consumer_key        = "jira-at-ci"
  name                = "Jira"
  shared_secret       = var.shared_secret
  request_token_url   = "/oauth/request-token"
  access_token_url    = "/oauth/access-token"
  authorize_url       = "/oauth/authorize"
}

resource "applinks_whitelist_rule" "ci" {
  type       = "domain"
  expression = "https://ci.example.com"
}
`

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: everything + fmt.Sprintf(`
provider "applinks" {
  url      = %q
  username = "tracer"
  password = var.applinks_password
}
`, inst.URL()),
				ConfigStateChecks: serverChecks(inst, "jira", "jira"),
			},
			{
				Config: everything + fmt.Sprintf(`
provider "applinks" {
  url   = %q
  token = var.applinks_token
}
`, inst.URL()),
				ConfigStateChecks: serverChecks(inst, "jira", "jira"),
			},
		},
	})

	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(logBytes)
	// The log must really hold the provider's wire log of these calls, or the
	// absence of secrets proves nothing.
	for _, want := range []string{
		"/rest/applinks/1.0/manifest", "/authentication/consumer", "/rest/whitelist/", "DELETE",
		"[redacted]", "tracer",
		// The consumer's request body is logged, with the secret redacted.
		`sharedSecret\":\"[redacted]`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("TRACE log lacks %q; the wire log is not being written", want)
		}
	}
	secrets := []string{password, token, sharedSecret}
	forms := append(slices.Clone(secrets), basicAuthValue("tracer", password))
	leaks := 0
	for _, secret := range forms {
		if n := strings.Count(log, secret); n > 0 {
			leaks += n
			t.Errorf("TRACE log contains the secret %q", secret)
		}
	}
	reportFigure(t, "secrets", len(secrets), "forms", len(forms), "bytes", len(logBytes), "leaks", leaks)
}

func basicAuthValue(username, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
}
