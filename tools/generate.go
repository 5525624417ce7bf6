// Package tools holds the project's own programs (the emulator command, the
// Terraform installer for the tests) and the generate steps for docs/.
//
// Third-party build tools run as `go run module/cmd@version`, so they never
// enter the provider's go.mod.
package tools

// Format Terraform code for use in documentation.
// If you do not have Terraform installed, run tools/ensure-terraform.sh and put the printed path on PATH.
//go:generate terraform fmt -recursive ../examples/

// Generate documentation.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0 generate --provider-dir .. --provider-name applinks
