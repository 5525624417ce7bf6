// Package tfcli runs the real Terraform CLI against providers built from
// this tree. A dev_overrides CLI configuration in a folder of the caller's
// choosing points Terraform at the built binaries, so neither terraform init
// nor a registry is needed, and the user's own CLI configuration is never
// touched. Its users: tools/demo (the tour), tools/measure/bench and its
// no-op provider's test (which build and time providers), and the tests that
// drive the CLI themselves, such as the provider's CLI secrets search, which
// find the CLI to run through ForTest.
package tfcli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// The registries' hosts. A source address written without a host, such as
// "applinks-iac/applinks", means the first to Terraform and the second to
// OpenTofu, and a dev_overrides entry matches a whole address, host and all.
const (
	TerraformRegistryHost = "registry.terraform.io"
	OpenTofuRegistryHost  = "registry.opentofu.org"
)

// ProviderSource is the provider's source address as configurations write
// it, without a host.
const ProviderSource = "applinks-iac/applinks"

// ProviderAddress is the provider's source address in the Terraform
// Registry, the one main.go serves.
const ProviderAddress = TerraformRegistryHost + "/" + ProviderSource

// OnEveryRegistry returns dev_overrides entries that serve each source, a
// "namespace/type" address without a host, from dir on both registries'
// hosts, so that one CLI configuration serves a build to Terraform and to
// OpenTofu alike.
func OnEveryRegistry(dir string, sources ...string) map[string]string {
	overrides := make(map[string]string, 2*len(sources))
	for _, source := range sources {
		overrides[TerraformRegistryHost+"/"+source] = dir
		overrides[OpenTofuRegistryHost+"/"+source] = dir
	}
	return overrides
}

// Build compiles the main package pkg, relative to the source tree root, to
// binDir/name, writing the compiler's output to out.
func Build(root, pkg, binDir, name string, out io.Writer) error {
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg)
	build.Dir = root
	build.Stdout, build.Stderr = out, out
	if err := build.Run(); err != nil {
		return fmt.Errorf("building %s: %w", pkg, err)
	}
	return nil
}

// WriteCLIConfig writes a CLI configuration to path that serves each
// provider source address from its folder, and returns the environment
// that makes Terraform use it, quietly and without update checks.
func WriteCLIConfig(path string, overrides map[string]string) ([]string, error) {
	addresses := make([]string, 0, len(overrides))
	for address := range overrides {
		addresses = append(addresses, address)
	}
	sort.Strings(addresses)
	var config strings.Builder
	config.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, address := range addresses {
		fmt.Fprintf(&config, "    %q = %q\n", address, overrides[address])
	}
	config.WriteString("  }\n  direct {}\n}\n")
	if err := os.WriteFile(path, []byte(config.String()), 0o600); err != nil {
		return nil, err
	}
	return []string{"TF_CLI_CONFIG_FILE=" + path, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}, nil
}

// Terraform runs one CLI binary in one working folder.
type Terraform struct {
	Path string
	Dir  string
	// Env is the whole environment of every run.
	Env []string
	// Stdout and Stderr receive the output of Run; nil discards it.
	Stdout, Stderr io.Writer
}

// Command is a terraform command ready to start, for callers that need the
// process itself.
func (tf Terraform) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(tf.Path, args...)
	cmd.Dir = tf.Dir
	cmd.Env = tf.Env
	return cmd
}

// Run runs a terraform command without colours and fails when it exits
// with any status but 0.
func (tf Terraform) Run(args ...string) error {
	cmd := tf.Command(append(args, "-no-color")...)
	cmd.Stdout, cmd.Stderr = tf.Stdout, tf.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("terraform %s: %w", args[0], err)
	}
	return nil
}

// Outputs returns the root module's outputs, by name, as JSON values.
func (tf Terraform) Outputs() (map[string]json.RawMessage, error) {
	cmd := tf.Command("output", "-json")
	cmd.Stderr = tf.Stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform output: %w", err)
	}
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &outputs); err != nil {
		return nil, fmt.Errorf("terraform output: %w", err)
	}
	values := make(map[string]json.RawMessage, len(outputs))
	for name, o := range outputs {
		values[name] = o.Value
	}
	return values, nil
}
