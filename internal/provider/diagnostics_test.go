package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// A timeout names the setting and says how to raise it, then quotes the
// client's error.
func TestTimeoutDiagnosticNamesRequestTimeout(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	err := fmt.Errorf("no response from GET https://jira.example.com/x within 1s: %w", client.ErrTimeout)
	addAPIError(&diags, "Error Reading Application Link", "read the application link", err)
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1", len(diags))
	}
	detail := diags[0].Detail()
	for _, want := range []string{"`request_timeout`", "in the provider block", `request_timeout = "2m"`, "default is 30s", err.Error()} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	if !strings.HasSuffix(detail, err.Error()) {
		t.Errorf("detail does not end with the client's error:\n%s", detail)
	}
	if errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatal("test error must be a plain timeout")
	}
}
