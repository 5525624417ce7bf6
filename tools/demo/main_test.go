package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	code := run([]string{"-terraform", tfcli.ForTest(t), "-root", "../.."}, &out, &out)
	if code != 0 {
		t.Fatalf("demo exited %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		"==> terraform apply", "Apply complete! Resources: 6 added",
		`==> link status: Application link "Confluence" to http://127.0.0.1:`, "is working.",
		"No changes.", "Destroy complete! Resources: 6 destroyed.", "demo succeeded",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

// A step that fails makes the demo fail: here the configuration asks for a
// link to a peer that does not answer.
// The adoption tour imports what it configured by hand and ends with an
// empty plan.
func TestDemoAdopt(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	code := run([]string{"-adopt", "-terraform", tfcli.ForTest(t), "-root", "../.."}, &out, &out)
	if code != 0 {
		t.Fatalf("demo -adopt exited %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		"Plan: 10 to import, 0 to add, 0 to change, 0 to destroy.",
		"Apply complete! Resources: 10 imported, 0 added, 0 changed, 0 destroyed.", "No changes.", "demo succeeded",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo -adopt output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoFailsWhenAStepFails(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	config := `
terraform {
  required_providers {
    applinks = { source = "applinks-iac/applinks" }
  }
}
variable "jira_url" { type = string }
variable "confluence_url" { type = string }
variable "admin_token" {
  type      = string
  sensitive = true
}
provider "applinks" {
  url   = var.jira_url
  token = var.admin_token
}
resource "applinks_application_link" "nowhere" {
  type    = "confluence"
  name    = "Nowhere"
  rpc_url = "http://127.0.0.1:1"
}
output "never" { value = applinks_application_link.nowhere.id }
`
	if err := os.WriteFile(filepath.Join(broken, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// An absolute -example is taken as it is, not put under -root.
	var out bytes.Buffer
	code := run([]string{"-terraform", tfcli.ForTest(t), "-root", "../..", "-example", broken}, &out, &out)
	if code != 1 {
		t.Fatalf("demo exited %d, want 1:\n%s", code, out.String())
	}
	for _, want := range []string{"Instance Refused to Look Up the Peer", "demo failed: terraform apply"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConfigurationDirKeepsAnAbsoluteExample(t *testing.T) {
	for _, tt := range []struct{ root, example, want string }{
		{root: ".", example: filepath.Join("examples", "demo"), want: filepath.Join("examples", "demo")},
		{root: "/src/applinks", example: "my/config", want: "/src/applinks/my/config"},
		{root: ".", example: "/home/me/config", want: "/home/me/config"},
		{root: "/src/applinks", example: "/home/me/config", want: "/home/me/config"},
	} {
		if got := configurationDir(tt.root, tt.example); got != tt.want {
			t.Errorf("configurationDir(%q, %q) = %q, want %q", tt.root, tt.example, got, tt.want)
		}
	}
}
