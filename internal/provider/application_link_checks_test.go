package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// An import of an id the instance has no link with says what a link's id
// is and lists the links there are, and recognises the instance's own
// server id, which is the id of the link on the other side.
func TestApplicationLinkResource_importUnknownID(t *testing.T) {
	t.Parallel()
	jira := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	providerConfig := providerAttrs(jira.URL(), "admin", "admin", nil)
	importDiags := func(id string) []*tfprotov6.Diagnostic {
		t.Helper()
		server, diags := configuredServer(t, nil, providerConfig)
		if hasError(diags) {
			t.Fatalf("configuring the provider:%s", describeDiags(diags))
		}
		imported, err := server.ImportResourceState(context.Background(),
			&tfprotov6.ImportResourceStateRequest{TypeName: "applinks_application_link", ID: id})
		mustNotFail(t, err)
		if len(imported.Diagnostics) != 1 {
			t.Fatalf("importing %s: want one error, got%s", id, describeDiags(imported.Diagnostics))
		}
		return imported.Diagnostics
	}
	const unknownID = "0d6f9a4e-57a1-3c4b-8d2e-7f0a1b2c3d4e"

	checkDiag(t, importDiags(unknownID)[0], wantDiag{
		severity: tfprotov6.DiagnosticSeverityError,
		summary:  "Application Link to Import Not Found",
		detail: []string{"The instance has no application link with id " + unknownID,
			"A link's id is the server id of the application it points at", "The instance has no application links at all."},
	})

	linkID := createLinkOutOfBand(t, jira, "confluence", "https://wiki.example.com")
	checkDiag(t, importDiags(jira.ServerID())[0], wantDiag{
		severity: tfprotov6.DiagnosticSeverityError,
		summary:  "Application Link to Import Not Found",
		detail: []string{"This id is the instance's own server id, which is what the link on the other instance is called",
			fmt.Sprintf("Its links are:\n  - %s: %q (confluence, https://wiki.example.com)", linkID, "https://wiki.example.com")},
	})

	for i := range maxLinksListedOnImport {
		createLinkOutOfBand(t, jira, "generic", fmt.Sprintf("https://ci%d.example.com", i))
	}
	checkDiag(t, importDiags(unknownID)[0], wantDiag{
		severity: tfprotov6.DiagnosticSeverityError,
		summary:  "Application Link to Import Not Found",
		detail:   []string{"It has 11 links; the applinks_application_links data source lists their names and ids."},
	})
}
