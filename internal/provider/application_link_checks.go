package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// maxLinksListedOnImport bounds how many links an import error lists;
// past it the error points at the data source that lists them all.
const maxLinksListedOnImport = 10

// checkImportable refuses an import of an id the instance has no link
// with, saying what the id must be. Without it Terraform's own "Cannot
// import non-existent remote object" is all a newcomer sees, and the
// usual mistake, the id of the link on the other side (which is this
// instance's own server id), stays a mystery. A listing that fails is left
// to the read after the import, which reports it.
func (r *applicationLinkResource) checkImportable(ctx context.Context, id string, diags *diag.Diagnostics) {
	if r.client == nil {
		return
	}
	if _, err := r.client.ApplicationLink(ctx, id); !errors.Is(err, client.ErrNotFound) {
		return
	}
	links, err := r.client.ListApplicationLinks(ctx)
	if err != nil {
		return
	}
	self, _ := r.client.GetManifest(ctx) // only for the wording; nil leaves its sentence out
	addLinkNotFoundForImport(diags, id, self, links)
}

func addLinkNotFoundForImport(diags *diag.Diagnostics, id string, self *client.Manifest, links []client.ApplicationLink) {
	var b strings.Builder
	fmt.Fprintf(&b, "The instance has no application link with id %s. A link's id is the server id of the application "+
		"it points at (its application id, a UUID: the `server_id` of an applinks_server data source configured for "+
		"that peer), or for a generic link the id derived from its URL.", id)
	if self != nil && strings.EqualFold(self.ID, id) {
		b.WriteString(" This id is the instance's own server id, which is what the link on the other instance is " +
			"called: import this instance's link by the peer's server id, or configure the provider for the other " +
			"instance to import its link.")
	}
	switch {
	case len(links) == 0:
		b.WriteString(" The instance has no application links at all.")
	case len(links) <= maxLinksListedOnImport:
		b.WriteString(" Its links are:")
		for _, link := range links {
			fmt.Fprintf(&b, "\n  - %s: %q (%s, %s)", link.ID, link.Name, nameOrWire(productTypes, link.TypeID), link.RPCURL)
		}
	default:
		fmt.Fprintf(&b, " It has %d links; the applinks_application_links data source lists their names and ids.", len(links))
	}
	diags.AddError("Application Link to Import Not Found", b.String())
}

// checkPeerType refuses a link whose peer's manifest reports another
// product than `type`. The products' wizard takes the type from the
// manifest instead; `type` stays required because a configuration then
// says what it links to, a review sees it, and a replacement (a new type
// replaces the link) is never caused by a peer answering differently.
func checkPeerType(diags *diag.Diagnostics, rpcURL string, manifest *client.Manifest, configured string) {
	if manifest.TypeID == "" || manifest.TypeID == wireOrName(productTypes, configured) {
		return
	}
	peerType := nameOrWire(productTypes, manifest.TypeID)
	diags.AddAttributeError(path.Root("type"), "Peer Is Another Product",
		fmt.Sprintf("The application at %s is %s (type %q), not %s. Set `type = %q`, or point `rpc_url` at a %s instance.",
			rpcURL, manifest.Name, peerType, configured, peerType, configured))
}
