// Command demo shows the provider doing its main job with no Atlassian
// product and no network: it builds the provider, starts an emulated Jira
// and Confluence, applies examples/demo to them with the real Terraform CLI,
// checks that a second plan is empty, and destroys everything again.
//
// It never touches the user's own Terraform configuration: the CLI
// configuration with the dev_overrides entry lives in a temporary folder.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	terraform string
	root      string
	example   string
	keep      bool
	adopt     bool
}

func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.terraform, "terraform", "terraform", "the Terraform CLI to run")
	fs.StringVar(&opts.root, "root", ".", "the provider's source tree")
	fs.StringVar(&opts.example, "example", filepath.Join("examples", "demo"), "the configuration to apply: an absolute path, or one relative to -root")
	fs.BoolVar(&opts.keep, "keep", false, "keep the temporary folder for inspection")
	fs.BoolVar(&opts.adopt, "adopt", false, "instead, configure an emulated Jira by hand and adopt it with generated configuration")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	tour := demo
	if opts.adopt {
		tour = adopt
	}
	if err := tour(opts, stdout); err != nil {
		fmt.Fprintf(stderr, "demo failed: %s\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "demo succeeded")
	return 0
}

func demo(opts options, out io.Writer) error {
	work, err := os.MkdirTemp("", "applinks-demo-")
	if err != nil {
		return err
	}
	if opts.keep {
		fmt.Fprintf(out, "==> keeping %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	step(out, "building the provider")
	binDir := filepath.Join(work, "bin")
	if err := tfcli.Build(opts.root, ".", binDir, "terraform-provider-applinks", out); err != nil {
		return err
	}

	step(out, "starting an emulated Jira and Confluence")
	server, err := emulator.Start(emulator.Options{},
		emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"},
		emulator.InstanceConfig{Name: "confluence", Type: "confluence", Addr: "127.0.0.1:0"})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer server.Close()
	for _, inst := range server.Instances() {
		fmt.Fprintf(out, "    %-10s %s  server id %s\n", inst.Name(), inst.URL(), inst.ServerID())
	}

	publicKey, err := newPublicKeyPEM()
	if err != nil {
		return err
	}
	configDir := filepath.Join(work, "config")
	if err := copyConfiguration(configurationDir(opts.root, opts.example), configDir); err != nil {
		return err
	}
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), tfcli.OnEveryRegistry(binDir, tfcli.ProviderSource))
	if err != nil {
		return err
	}
	tf := tfcli.Terraform{
		Path:   opts.terraform,
		Dir:    configDir,
		Stdout: out,
		Stderr: out,
		Env: append(append(os.Environ(), cliEnv...),
			"TF_VAR_jira_url="+server.Instance("jira").URL(),
			"TF_VAR_confluence_url="+server.Instance("confluence").URL(),
			"TF_VAR_admin_token=admin-token",
			"TF_VAR_ci_public_key="+publicKey,
		),
	}

	step(out, "terraform apply")
	if err := tf.Run("apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	step(out, "outputs")
	summary, err := printOutputs(tf, out)
	if err != nil {
		return err
	}
	if summary != "" {
		fmt.Fprintf(out, "==> link status: %s\n", summary)
	}
	step(out, "terraform plan again: it must be empty")
	if err := tf.Run("plan", "-detailed-exitcode", "-input=false"); err != nil {
		return fmt.Errorf("the second plan is not empty or failed: %w", err)
	}
	step(out, "terraform destroy")
	return tf.Run("destroy", "-auto-approve", "-input=false")
}

// configurationDir is where -example points: an absolute path as given
// (filepath.Join would drop its leading slash), a relative one under root.
func configurationDir(root, example string) string {
	if filepath.IsAbs(example) {
		return example
	}
	return filepath.Join(root, example)
}

func step(out io.Writer, what string) {
	fmt.Fprintf(out, "==> %s\n", what)
}

func copyConfiguration(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("reading the configuration: %w", err)
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	copied := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			return err
		}
		copied++
	}
	if copied == 0 {
		return fmt.Errorf("no .tf file in %s", from)
	}
	return nil
}

// printOutputs prints the configuration's outputs and returns the
// status_summary output, when the configuration has one.
func printOutputs(tf tfcli.Terraform, out io.Writer) (string, error) {
	outputs, err := tf.Outputs()
	if err != nil {
		return "", err
	}
	if len(outputs) == 0 {
		return "", errors.New("the configuration has no outputs to show")
	}
	for name, value := range outputs {
		fmt.Fprintf(out, "    %s = %s\n", name, value)
	}
	var summary string
	if value, ok := outputs["status_summary"]; ok {
		if err := json.Unmarshal(value, &summary); err != nil {
			return "", fmt.Errorf("status_summary is not a string: %w", err)
		}
	}
	return summary, nil
}

// newPublicKeyPEM makes the key of the demo's third-party application; only
// its public half is needed, since the demo signs no request.
func newPublicKeyPEM() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
