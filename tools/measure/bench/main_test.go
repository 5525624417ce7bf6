package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// A whole bench of one small size and one rep writes the report, with
// the row and the targets, to -out and to standard output alike; N=20 is
// the smallest with a Confluence link, so with entity links.
func TestBenchWritesTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Terraform a few times")
	}
	out := filepath.Join(t.TempDir(), "BENCH.md")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-terraform", tfcli.ForTest(t), "-root", "../../..", "-sizes", "20", "-reps", "1", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("bench exited %d:\n%s", code, stderr.String())
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, stdout.Bytes()) {
		t.Errorf("the file differs from the printed report:\n%s\n---\n%s", written, stdout.String())
	}
	report := string(written)
	for _, want := range []string{
		"| 20 | 4 / 4 / 2 / 2 / 8 |", "Terraform v", "cores", "commit ", "go run ./tools/measure/bench",
		"** refreshing plan at N=20", "requests per allowlist rule", "`GET /rest/whitelist/",
		"`GET /rest/applinks/1.0/entitylink/list/jira.project/P000` | 1 |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-sizes", "50,x"}, {"-sizes", "0"}, {"-reps", "0"}} {
		var out bytes.Buffer
		if code := run(args, &out, &out); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// A measurement that cannot be made fails the bench and writes no report.
func TestBenchFailsWithoutTerraform(t *testing.T) {
	out := filepath.Join(t.TempDir(), "BENCH.md")
	var stderr bytes.Buffer
	code := run([]string{"-terraform", filepath.Join(t.TempDir(), "no-terraform"), "-sizes", "1", "-reps", "1", "-out", out}, &bytes.Buffer{}, &stderr)
	if code != exitMeasurementFailed {
		t.Errorf("exit %d, want %d:\n%s", code, exitMeasurementFailed, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a report was written: %v", err)
	}
}
