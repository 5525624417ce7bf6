package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

// What the provider may adopt when the answer to a create is lost. The
// products have no idempotency keys and record nobody's name on a link or
// a rule, so an object is adopted only when the evidence says this create
// made it; anything else is reported, never adopted and never deleted.
//
// A link's id is the peer's server id or derived from rpc_url
// (design/api.md §2.1), so another workspace that links the same
// application makes a link with the same id: a link found after a lost
// answer is this create's only when the listing read just before the
// create did not have it (checkCreatable) and it holds everything the
// create sent.

// linkConflictError is the ErrCreateConflict of a link create: the link
// with the id differs from what the create sent.
type linkConflictError struct {
	link        *client.ApplicationLink
	differences []string
}

func (e *linkConflictError) Error() string {
	return fmt.Sprintf("application link %s differs from the one being created in %s: %s",
		e.link.ID, strings.Join(e.differences, ", "), client.ErrCreateConflict)
}

func (e *linkConflictError) Unwrap() error { return client.ErrCreateConflict }

// linkDifferences lists the attributes in which a link differs from what
// a create sent, as the products store it.
func linkDifferences(found *client.ApplicationLink, sent client.NewApplicationLink) []string {
	var differences []string
	add := func(differs bool, attribute, got, want string) {
		if differs {
			differences = append(differences, fmt.Sprintf("`%s` (%q, not %q)", attribute, got, want))
		}
	}
	add(found.TypeID != sent.TypeID, "type", nameOrWire(productTypes, found.TypeID), nameOrWire(productTypes, sent.TypeID))
	add(found.Name != sent.Name, "name", found.Name, sent.Name)
	add(!sameURL(found.RPCURL, sent.RPCURL), "rpc_url", found.RPCURL, sent.RPCURL)
	add(!sameURL(found.DisplayURL, sent.DisplayURL), "display_url", found.DisplayURL, sent.DisplayURL)
	add(sent.Primary && !found.Primary, "primary", "false", "true")
	return differences
}

func addLinkConflict(diags *diag.Diagnostics, conflict *linkConflictError, err error) {
	link := conflict.link
	diags.AddAttributeError(path.Root("rpc_url"), "Application Link Created Elsewhere",
		fmt.Sprintf("The answer to creating the link was lost, and the instance now holds a link with the same id, %s, "+
			"named %q and pointing at %s, that differs from this configuration in %s. A link's id follows from "+
			"`rpc_url` (or the peer's server id), so another workspace or person has linked the same application "+
			"meanwhile. The provider neither adopted nor deleted that link, and this resource was not created. Import "+
			"it (`terraform import` or an import block with id %s) if this configuration should manage it, or change "+
			"`rpc_url` to link another application.\n\n%s",
			link.ID, link.Name, link.RPCURL, strings.Join(conflict.differences, ", "), link.ID, err))
}
