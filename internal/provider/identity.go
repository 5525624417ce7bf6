package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identities (Terraform 1.12 and OpenTofu 1.12 and later): what
// names one object of a resource type on the instance, so that an import
// block can say `identity = { ... }` instead of a composite string, and the
// state shows it. Every identity attribute has the name and the value of a
// resource attribute, and the string import id is the identity's values
// joined in order, so the two ways of importing cannot disagree.
//
// To give a new resource type an identity:
//
//  1. Declare its resourceIdentity below: the attributes in the order the
//     string import id joins them, and the separator.
//  2. Give the resource an IdentitySchema method returning its schema(),
//     and assert resource.ResourceWithIdentity at the top of its file.
//  3. Call copyFromState after resp.State.Set in Create and Update, and at
//     the start of Read (from req.State, so that a resource whose state
//     predates identities still gets one even when Read removes it).
//  4. In ImportState, take the id from importID, which reads either form.
//
// The list data sources expose the same string as `import_id`.

// identityAttribute is one attribute of an identity.
type identityAttribute struct {
	name        string
	description string
}

// resourceIdentity describes the identity of one resource type.
type resourceIdentity struct {
	attributes []identityAttribute
	// separator joins the attributes' values into the string import id.
	separator string
}

var (
	applicationLinkIdentity = resourceIdentity{attributes: []identityAttribute{
		{"id", "The link id, a UUID: the peer's server id, or for a generic link the id derived from its `rpc_url`."},
	}}
	oauthConsumerIdentity = resourceIdentity{separator: "/", attributes: []identityAttribute{
		{"application_link_id", "The id of the application link that holds the consumer."},
		{"direction", "`incoming` or `outgoing`."},
	}}
	allowlistRuleIdentity = resourceIdentity{attributes: []identityAttribute{
		{"id", "The rule's numeric id, as a string."},
	}}
	allowlistIdentity = resourceIdentity{attributes: []identityAttribute{
		{"id", "Always `" + allowlistSingletonID + "`."},
	}}
	oauth2ClientIdentity = resourceIdentity{attributes: []identityAttribute{
		{"id", "The instance's id of the incoming client (not its `client_id`)."},
	}}
	oauth2OutgoingLinkIdentity = resourceIdentity{attributes: []identityAttribute{
		{"id", "The instance's id of the outgoing configuration."},
	}}
	entityLinkIdentity = resourceIdentity{separator: "/", attributes: []identityAttribute{
		{"local_type", "The local entity's type, such as `jira_project`."},
		{"local_key", "The local entity's key."},
		{"application_link_id", "The id of the application link the entity link goes through."},
		{"remote_type", "The remote entity's type, such as `confluence_space`."},
		{"remote_key", "The remote entity's key."},
	}}
	applicationLinkAllowlistRuleIdentity = resourceIdentity{attributes: []identityAttribute{
		{"application_link_id", "The id of the application link whose automatic rule this is."},
	}}
)

var (
	_ resource.ResourceWithIdentity = (*applicationLinkResource)(nil)
	_ resource.ResourceWithIdentity = (*oauthConsumerResource)(nil)
	_ resource.ResourceWithIdentity = (*allowlistRuleResource)(nil)
	_ resource.ResourceWithIdentity = (*allowlistResource)(nil)
	_ resource.ResourceWithIdentity = (*oauth2ClientResource)(nil)
	_ resource.ResourceWithIdentity = (*oauth2OutgoingLinkResource)(nil)
	_ resource.ResourceWithIdentity = (*entityLinkResource)(nil)
	_ resource.ResourceWithIdentity = (*applicationLinkAllowlistRuleResource)(nil)
)

func (r *applicationLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = applicationLinkIdentity.schema()
}

func (r *oauthConsumerResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = oauthConsumerIdentity.schema()
}

func (r *allowlistRuleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = allowlistRuleIdentity.schema()
}

func (r *allowlistResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = allowlistIdentity.schema()
}

func (r *oauth2ClientResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = oauth2ClientIdentity.schema()
}

func (r *oauth2OutgoingLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = oauth2OutgoingLinkIdentity.schema()
}

func (r *entityLinkResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = entityLinkIdentity.schema()
}

func (r *applicationLinkAllowlistRuleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = applicationLinkAllowlistRuleIdentity.schema()
}

func (ri resourceIdentity) schema() identityschema.Schema {
	attributes := make(map[string]identityschema.Attribute, len(ri.attributes))
	for _, a := range ri.attributes {
		attributes[a.name] = identityschema.StringAttribute{RequiredForImport: true, Description: a.description}
	}
	return identityschema.Schema{Attributes: attributes}
}

// copyFromState sets the identity from the state's attributes of the same
// names. A state without them (a removed resource) leaves it as it was.
func (ri resourceIdentity) copyFromState(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil || state.Raw.IsNull() {
		return
	}
	for _, a := range ri.attributes {
		var value types.String
		diags.Append(state.GetAttribute(ctx, path.Root(a.name), &value)...)
		if value.IsNull() || value.IsUnknown() {
			return
		}
		diags.Append(identity.SetAttribute(ctx, path.Root(a.name), value)...)
	}
}

// importID returns the string import id of an import: the id of
// `terraform import` or of an import block, or else the identity of an
// import block joined as the string would be.
func (ri resourceIdentity) importID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	values := make([]string, 0, len(ri.attributes))
	for _, a := range ri.attributes {
		var value types.String
		diags.Append(req.Identity.GetAttribute(ctx, path.Root(a.name), &value)...)
		values = append(values, value.ValueString())
	}
	return strings.Join(values, ri.separator)
}

// consumerImportID is an OAuth consumer's string import id.
func consumerImportID(linkID, direction string) string {
	return linkID + oauthConsumerIdentity.separator + direction
}
