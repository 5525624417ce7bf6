package tfcli

import (
	"os"
	"os/exec"
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
