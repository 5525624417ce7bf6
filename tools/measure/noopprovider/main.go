// Command noopprovider is a Terraform provider that does nothing, built on
// the same terraform-plugin-framework as the real provider. tools/measure/bench
// runs it beside terraform-provider-applinks to measure the floor: the time
// Terraform and the framework need for N objects of the same shape when
// the provider makes no request at all.
//
// Its resources mirror the schemas of the real provider's resources in the
// bench's mix (about as many string and bool attributes, a computed id). Create copies the plan to the state
// and sets the id from a plan value, Read returns the state it was given,
// Update copies the plan, Delete does nothing.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Address is the provider's source address; configurations name it
// "applinks-iac/noop".
const Address = "registry.terraform.io/applinks-iac/noop"

func main() {
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: Address}); err != nil {
		log.Fatal(err.Error())
	}
}

// shapes lists the resources: type name suffix, the attribute whose
// planned value becomes the id, and the optional string and bool
// attributes, in the image of the real provider's resources.
var shapes = []shape{
	{name: "application_link", idFrom: "name",
		strings: []string{"type", "name", "rpc_url", "display_url", "application_id", "incoming", "outgoing"},
		bools:   []string{"primary", "relocate_when_unreachable", "system"}},
	{name: "oauth_consumer", idFrom: "consumer_key",
		strings: []string{"application_link_id", "direction", "consumer_key", "name", "description", "public_key",
			"callback_url", "execute_as", "shared_secret", "request_token_url", "access_token_url", "authorize_url"},
		bools: []string{"two_legged_allowed", "impersonation_allowed"}},
	{name: "oauth2_client", idFrom: "name", strings: []string{"name", "redirect_urls", "scope"}},
	{name: "oauth2_outgoing_link", idFrom: "name",
		strings: []string{"name", "description", "provider_type", "client_id", "client_secret", "authorization_endpoint",
			"token_endpoint", "redirect_uri_suffix"}},
	{name: "entity_link", idFrom: "remote_key",
		strings: []string{"local_type", "local_key", "application_link_id", "remote_type", "remote_key", "remote_name",
			"remote_display_url"},
		bools: []string{"primary", "reciprocate"}},
	{name: "whitelist_rule", idFrom: "expression",
		strings: []string{"type", "expression"},
		bools:   []string{"allow_inbound", "allow_anonymous"}},
}

type shape struct {
	name, idFrom   string
	strings, bools []string
}

var (
	_ provider.Provider = noopProvider{}
	_ resource.Resource = noopResource{}
)

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "noop"
}

func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	constructors := make([]func() resource.Resource, len(shapes))
	for i, s := range shapes {
		constructors[i] = func() resource.Resource { return noopResource{s} }
	}
	return constructors
}

type noopResource struct{ shape shape }

func (r noopResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.shape.name
}

func (r noopResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
	for _, name := range r.shape.strings {
		attributes[name] = schema.StringAttribute{Optional: true, Sensitive: name == "shared_secret" || name == "client_secret"}
	}
	for _, name := range r.shape.bools {
		attributes[name] = schema.BoolAttribute{Optional: true}
	}
	resp.Schema = schema.Schema{Attributes: attributes}
}

func (r noopResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var id types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(r.shape.idFrom), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// Read leaves the state it was given in the response.
func (noopResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (noopResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (noopResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
