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

// checkCreatable refuses what the products would accept in a surprising
// way: a second link with the same id, a name the server would quietly
// change to "name - 2", a link to the instance itself, and primary = false
// on a link the server is bound to make primary.
func (r *applicationLinkResource) checkCreatable(ctx context.Context, id string, plan *applicationLinkResourceModel, diags *diag.Diagnostics) {
	self, err := r.client.GetManifest(ctx)
	if err != nil {
		addAPIError(diags, "Error Creating Application Link", "read the instance's own manifest", err)
		return
	}
	if strings.EqualFold(self.ID, id) {
		diags.AddAttributeError(path.Root("rpc_url"), "Application Link to Itself",
			fmt.Sprintf("The link would point at the instance the provider manages (server id %s, %s). An application "+
				"link connects two different applications: point `rpc_url` at the peer, or configure the provider for "+
				"the other instance.", self.ID, self.URL))
		return
	}
	links, err := r.client.ListApplicationLinks(ctx)
	if err != nil {
		addAPIError(diags, "Error Creating Application Link", "list the instance's application links", err)
		return
	}
	typeID := wireOrName(productTypes, plan.Type.ValueString())
	sameType := 0
	for _, link := range links {
		switch {
		case strings.EqualFold(link.ID, id):
			diags.AddError("Application Link Already Exists",
				fmt.Sprintf("The instance already has a link with id %s (named %q, to %s). Bring it under Terraform with "+
					"`terraform import` or an import block using that id instead of creating it.", link.ID, link.Name, link.RPCURL))
			return
		case link.Name == plan.Name.ValueString():
			diags.AddAttributeError(path.Root("name"), "Application Link Name Already Used",
				fmt.Sprintf("The link %s (to %s) is already named %q. The products would silently name the new link %q "+
					"instead; choose another name.", link.ID, link.RPCURL, link.Name, link.Name+" - 2"))
			return
		}
		if link.TypeID == typeID {
			sameType++
		}
	}
	if sameType == 0 && !plan.Primary.IsUnknown() && !plan.Primary.IsNull() && !plan.Primary.ValueBool() {
		diags.AddAttributeError(path.Root("primary"), "First Link of a Type Is Always Primary",
			fmt.Sprintf("This is the first %s link of the instance, and the products always make the first link of a "+
				"type primary. Remove `primary` or set it to true; it becomes false when another %s link is made primary.",
				plan.Type.ValueString(), plan.Type.ValueString()))
	}
}
