package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// Terraform CLI that the acceptance tests drive. It sees an empty environment,
// so an APPLINKS_* variable on the developer's machine cannot change a result.
var testAccProtoV6ProviderFactories = providerFactoriesWithEnv(nil)

func providerFactoriesWithEnv(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"applinks": providerserver.NewProtocol6WithError(newWithEnv("test", "none", mapEnv(env))()),
	}
}

func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	}
}

// testAccPreCheck has nothing to check: the acceptance tests bring their own
// emulated instances and need no credentials or network.
func testAccPreCheck(t *testing.T) {
	t.Helper()
}

// startEmulator starts emulated instances on loopback for one test; they stop
// when the test ends. Each spec is NAME=TYPE, for example "jira=jira".
func startEmulator(t *testing.T, opts emulator.Options, specs ...string) *emulator.Server {
	t.Helper()
	configs := make([]emulator.InstanceConfig, 0, len(specs))
	for _, spec := range specs {
		cfg, err := emulator.ParseInstanceFlag(spec + "@127.0.0.1:0")
		if err != nil {
			t.Fatalf("instance %q: %s", spec, err)
		}
		configs = append(configs, cfg)
	}
	server, err := emulator.Start(opts, configs...)
	if err != nil {
		t.Fatalf("starting emulator: %s", err)
	}
	t.Cleanup(func() {
		if err := server.Close(); err != nil {
			t.Errorf("stopping emulator: %s", err)
		}
	})
	return server
}

// testAccProviderConfig points the provider at an instance as its system
// administrator.
func testAccProviderConfig(instanceURL string) string {
	return fmt.Sprintf(`
provider "applinks" {
  url      = %[1]q
  username = "admin"
  password = "admin"
}
`, instanceURL)
}
