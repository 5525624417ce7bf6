package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// Every example folder is what the docs show users, so each must be
// formatted and valid against the provider built from this tree. A folder
// is validated as a whole, so an import block must target a resource that
// its resource.tf declares.
func TestExamplesAreFormattedAndValid(t *testing.T) {
	t.Parallel()
	terraformPath := tfcli.ForTest(t)
	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	var buildOutput strings.Builder
	if err := tfcli.Build("../..", ".", binDir, "terraform-provider-applinks", &buildOutput); err != nil {
		t.Fatalf("%v\n%s", err, buildOutput.String())
	}
	// Only the real address points at the build, on the registry host of
	// either CLI: an example without a required_providers block resolves to
	// hashicorp/applinks, which fails validation here as init fails for a
	// user who pastes it.
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), tfcli.OnEveryRegistry(binDir, tfcli.ProviderSource))
	if err != nil {
		t.Fatal(err)
	}

	var folders []string
	err = filepath.WalkDir("../../examples", func(path string, d os.DirEntry, err error) error {
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

	// Write-only attributes and ephemeral variables came with Terraform 1.11
	// and OpenTofu 1.11 alike; provider functions with Terraform 1.8 and
	// OpenTofu 1.7, older than any OpenTofu supported.
	writeOnlySupported := terraformAtLeast(t, terraformPath, cliEnv, 1, 11)
	functionsSupported := terraformAtLeast(t, terraformPath, cliEnv, 1, 8)
	// for_each in an import block came with Terraform 1.7 and OpenTofu 1.7.
	importForEachSupported := terraformAtLeast(t, terraformPath, cliEnv, 1, 7)
	for _, folder := range folders {
		t.Run(strings.TrimPrefix(folder, "../../examples/"), func(t *testing.T) {
			t.Parallel()
			if !writeOnlySupported && usesWriteOnlyAttributes(t, folder) {
				t.Skip("write-only attributes and ephemeral values need Terraform or OpenTofu 1.11 or newer")
			}
			if !importForEachSupported && examplesMatch(t, folder, importForEach) {
				t.Skip("for_each in an import block needs Terraform or OpenTofu 1.7 or newer")
			}
			if !functionsSupported && strings.Contains(folder, "/functions/") {
				t.Skip("provider-defined functions need Terraform 1.8 or newer")
			}
			if out, err := exec.Command(terraformPath, "fmt", "-check", "-diff", folder).CombinedOutput(); err != nil {
				t.Errorf("terraform fmt -check: %v\n%s", err, out)
			}
			dir := filepath.Join(t.TempDir(), "config")
			if err := copyConfiguration(folder, dir); err != nil {
				t.Fatal(err)
			}
			validate := exec.Command(terraformPath, "validate", "-no-color")
			validate.Dir = dir
			validate.Env = append(os.Environ(), cliEnv...)
			if out, err := validate.CombinedOutput(); err != nil {
				t.Errorf("terraform validate: %v\n%s", err, out)
			}
		})
	}
}

// terraformAtLeast tells whether the CLI is at least major.minor.
// It runs with the test's CLI configuration: OpenTofu writes warnings about
// a missing one to stdout, in front of the JSON.
func terraformAtLeast(t *testing.T, terraformPath string, cliEnv []string, major, minor int) bool {
	t.Helper()
	version := exec.Command(terraformPath, "version", "-json")
	version.Env = append(os.Environ(), cliEnv...)
	out, err := version.Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version: %v: %s", err, out)
	}
	var gotMajor, gotMinor int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}

// importForEach finds an import block that takes for_each.
var importForEach = regexp.MustCompile(`(?m)^import\s*\{[^}]*\bfor_each\b`)

// examplesMatch reports whether any .tf file of the folder matches pattern.
func examplesMatch(t *testing.T, folder string, pattern *regexp.Regexp) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(folder, "*.tf"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if pattern.Match(data) {
			return true
		}
	}
	return false
}

func usesWriteOnlyAttributes(t *testing.T, folder string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(folder, "*.tf"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// An ephemeral resource block needs Terraform 1.10 or OpenTofu 1.11.
		if strings.Contains(string(data), "_wo ") || strings.Contains(string(data), "ephemeral = true") ||
			strings.HasPrefix(string(data), "ephemeral \"") || strings.Contains(string(data), "\nephemeral \"") {
			return true
		}
	}
	return false
}
