package tfcli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCLIConfigOverridesEveryAddressInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terraformrc")
	env, err := WriteCLIConfig(path, map[string]string{
		"registry.terraform.io/hashicorp/noop": "/b",
		ProviderAddress:                        "/a",
	})
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `provider_installation {
  dev_overrides {
    "registry.terraform.io/applinks-iac/applinks" = "/a"
    "registry.terraform.io/hashicorp/noop" = "/b"
  }
  direct {}
}
`
	if string(written) != want {
		t.Errorf("CLI configuration:\n%s\nwant:\n%s", written, want)
	}
	if !strings.Contains(strings.Join(env, "\n"), "TF_CLI_CONFIG_FILE="+path) {
		t.Errorf("environment %q does not select the configuration", env)
	}
}

func TestOnEveryRegistryServesBothHosts(t *testing.T) {
	got := OnEveryRegistry("/bin", ProviderSource)
	want := map[string]string{
		"registry.terraform.io/applinks-iac/applinks": "/bin",
		"registry.opentofu.org/applinks-iac/applinks": "/bin",
	}
	if len(got) != len(want) {
		t.Fatalf("overrides %v, want %v", got, want)
	}
	for address, dir := range want {
		if got[address] != dir {
			t.Errorf("overrides %v lack %s = %s", got, address, dir)
		}
	}
}

func TestAccProviderAddressFollowsTheFrameworksVariables(t *testing.T) {
	t.Setenv("TF_ACC_PROVIDER_HOST", "")
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	if got := AccProviderAddress("applinks"); got != "registry.terraform.io/hashicorp/applinks" {
		t.Errorf("default address %q", got)
	}
	t.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	if got := AccProviderAddress("applinksconfluence"); got != "registry.opentofu.org/hashicorp/applinksconfluence" {
		t.Errorf("OpenTofu address %q", got)
	}
}
