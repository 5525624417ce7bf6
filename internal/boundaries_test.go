// Package internal_test guards the layering that the style guide asks for.
package internal_test

import (
	"go/build"
	"strings"
	"testing"
)

const module = "github.com/applinks-iac/terraform-provider-applinks"

// The client and the emulator each implement the wire format from
// design/api.md on their own: if they shared code, a wrong field name would
// pass in both. The client also stays readable without the plugin framework.
func TestPackageBoundaries(t *testing.T) {
	t.Parallel()
	rules := []struct {
		dir       string
		forbidden []string
	}{
		{"client", []string{module + "/internal/emulator", module + "/internal/provider", "github.com/hashicorp/terraform-plugin-framework"}},
		{"emulator", []string{module + "/internal/client", module + "/internal/provider", "github.com/hashicorp/terraform-plugin-"}},
	}
	for _, rule := range rules {
		pkg, err := build.ImportDir(rule.dir, 0)
		if err != nil {
			t.Fatalf("%s: %s", rule.dir, err)
		}
		imports := append(append(append([]string{}, pkg.Imports...), pkg.TestImports...), pkg.XTestImports...)
		if len(imports) == 0 {
			t.Fatalf("%s: found no imports at all; the check is not reading the package", rule.dir)
		}
		for _, imp := range imports {
			for _, bad := range rule.forbidden {
				if strings.HasPrefix(imp, bad) {
					t.Errorf("internal/%s imports %s", rule.dir, imp)
				}
			}
		}
	}
}
