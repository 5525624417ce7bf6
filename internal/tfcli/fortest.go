package tfcli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ForTest is the Terraform CLI for a test: the one `make test` prepared in
// TF_ACC_TERRAFORM_PATH, or else the one on PATH. Without either the test
// is skipped, since only a run through make test promises a CLI.
func ForTest(t testing.TB) string {
	t.Helper()
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		return path
	}
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no Terraform CLI: run through make test, which provides one")
	}
	return path
}

// AccRegistryHost is the registry host the test framework serves its
// in-process providers under: TF_ACC_PROVIDER_HOST, or registry.terraform.io
// as the framework defaults. Runs on OpenTofu set it to
// registry.opentofu.org, where OpenTofu looks for a source written without
// a host.
func AccRegistryHost() string {
	if host := os.Getenv("TF_ACC_PROVIDER_HOST"); host != "" {
		return strings.TrimSuffix(host, "/")
	}
	return TerraformRegistryHost
}

// AccProviderAddress is the source address under which the test framework
// serves the in-process provider of local name name, built from the same
// TF_ACC_PROVIDER_HOST and TF_ACC_PROVIDER_NAMESPACE (default hashicorp)
// as the framework's own, for configurations that must write it out.
func AccProviderAddress(name string) string {
	namespace := "hashicorp"
	if v := os.Getenv("TF_ACC_PROVIDER_NAMESPACE"); v != "" {
		namespace = strings.TrimSuffix(v, "/")
	}
	return AccRegistryHost() + "/" + namespace + "/" + name
}
