package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every example folder is what the docs show users, so each must be
// formatted and valid against the provider built from this tree. A folder
// is validated as a whole, so an import block must target a resource that
// its resource.tf declares.
func TestExamplesAreFormattedAndValid(t *testing.T) {
	t.Parallel()
	terraformPath := terraformForTest(t)
	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "terraform-provider-applinks"), ".")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	// Examples written without a required_providers block resolve to the
	// hashicorp namespace, so both addresses point at the build.
	cliConfig := filepath.Join(work, "terraformrc")
	overrides := strings.Replace(devOverrides(binDir), "  dev_overrides {\n",
		"  dev_overrides {\n    \"registry.terraform.io/hashicorp/applinks\" = \""+binDir+"\"\n", 1)
	if err := os.WriteFile(cliConfig, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}

	var folders []string
	err := filepath.WalkDir("../../examples", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if matches, _ := filepath.Glob(filepath.Join(path, "*.tf")); d.IsDir() && len(matches) > 0 {
			folders = append(folders, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(folders) < 4 {
		t.Fatalf("found only %d example folders: %v", len(folders), folders)
	}

	for _, folder := range folders {
		t.Run(strings.TrimPrefix(folder, "../../examples/"), func(t *testing.T) {
			t.Parallel()
			if out, err := exec.Command(terraformPath, "fmt", "-check", "-diff", folder).CombinedOutput(); err != nil {
				t.Errorf("terraform fmt -check: %v\n%s", err, out)
			}
			dir := filepath.Join(t.TempDir(), "config")
			if err := copyConfiguration(folder, dir); err != nil {
				t.Fatal(err)
			}
			validate := exec.Command(terraformPath, "validate", "-no-color")
			validate.Dir = dir
			validate.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1")
			if out, err := validate.CombinedOutput(); err != nil {
				t.Errorf("terraform validate: %v\n%s", err, out)
			}
		})
	}
}
