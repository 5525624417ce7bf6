package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

const testConfig = `
terraform {
  required_providers {
    noop = { source = "applinks-iac/noop" }
  }
}

variable "name" { type = string }

resource "noop_application_link" "app" {
  type    = "generic"
  name    = var.name
  rpc_url = "https://app.example.com"
  primary = true
}

resource "noop_oauth_consumer" "app" {
  application_link_id = noop_application_link.app.id
  direction           = "outgoing"
  consumer_key        = "app-out"
  shared_secret       = "s3cret"
}

resource "noop_whitelist_rule" "app" {
  type       = "domain"
  expression = "https://hooks.example.com"
}

output "ids" {
  value = [noop_application_link.app.id, noop_oauth_consumer.app.id, noop_whitelist_rule.app.id]
}
`

// Three objects go through apply, an empty refreshing plan, an in-place
// update that keeps the ids, and destroy, with the real CLI.
func TestNoopProviderLifecycle(t *testing.T) {
	terraform := tfcli.ForTest(t)
	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	var log bytes.Buffer
	if err := tfcli.Build("../../..", "./tools/measure/noopprovider", binDir, "terraform-provider-noop", &log); err != nil {
		t.Fatalf("%s\n%s", err, log.String())
	}
	env, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), map[string]string{Address: binDir})
	if err != nil {
		t.Fatal(err)
	}
	configDir := filepath.Join(work, "config")
	if err := os.MkdirAll(configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(configDir, "main.tf"), []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := tfcli.Terraform{Path: terraform, Dir: configDir, Env: append(os.Environ(), env...), Stdout: &log, Stderr: &log}
	run := func(args ...string) {
		t.Helper()
		if err := tf.Run(args...); err != nil {
			t.Fatalf("%s\n%s", err, log.String())
		}
	}
	wantIDs := func(want ...string) {
		t.Helper()
		outputs, err := tf.Outputs()
		if err != nil {
			t.Fatalf("%s\n%s", err, log.String())
		}
		var ids []string
		if err := json.Unmarshal(outputs["ids"], &ids); err != nil {
			t.Fatal(err)
		}
		if len(ids) != len(want) {
			t.Fatalf("ids %q, want %q", ids, want)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Errorf("ids %q, want %q", ids, want)
			}
		}
	}

	run("apply", "-auto-approve", "-input=false", "-var", "name=App")
	wantIDs("App", "app-out", "https://hooks.example.com")
	run("plan", "-detailed-exitcode", "-input=false", "-var", "name=App")

	// An update keeps the id the object was created with.
	if err := tf.Run("plan", "-detailed-exitcode", "-input=false", "-var", "name=Renamed"); err == nil {
		t.Fatalf("a changed name planned no change:\n%s", log.String())
	}
	run("apply", "-auto-approve", "-input=false", "-var", "name=Renamed")
	wantIDs("App", "app-out", "https://hooks.example.com")
	run("plan", "-detailed-exitcode", "-input=false", "-var", "name=Renamed")

	log.Reset()
	run("destroy", "-auto-approve", "-input=false", "-var", "name=Renamed")
	if !bytes.Contains(log.Bytes(), []byte("Destroy complete! Resources: 3 destroyed.")) {
		t.Errorf("destroy output:\n%s", log.String())
	}
}
