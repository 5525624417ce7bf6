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
