package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ ephemeral.EphemeralResource              = (*oauth2ClientSecretEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*oauth2ClientSecretEphemeralResource)(nil)
)

// NewOAuth2ClientSecretEphemeralResource returns the
// applinks_oauth2_client_secret ephemeral resource: the products return an
// incoming client's secret on every read (design/api.md §10.2), so it can be
// handed to another provider without a copy in the state.
func NewOAuth2ClientSecretEphemeralResource() ephemeral.EphemeralResource {
	return &oauth2ClientSecretEphemeralResource{}
}

type oauth2ClientSecretEphemeralResource struct {
	client *client.Client
}

type oauth2ClientSecretModel struct {
	ID           types.String `tfsdk:"id"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
}

func (e *oauth2ClientSecretEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth2_client_secret"
}

func (e *oauth2ClientSecretEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The client id and secret of an incoming OAuth 2.0 client (`applinks_oauth2_client`), read " +
			"from the instance each time Terraform needs them and never stored in the plan or state (Terraform 1.10, " +
			"OpenTofu 1.11 and later). Pass `client_secret` to a write-only or ephemeral argument of the external application's own " +
			"provider.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the client, for example `applinks_oauth2_client.ci.id`.",
				Required:            true,
				Validators:          []validator.String{notBlank},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client id.",
				Computed:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client secret.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (e *oauth2ClientSecretEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Ephemeral Resource", &resp.Diagnostics); c != nil {
		e.client = c
	}
}

func (e *oauth2ClientSecretEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var data oauth2ClientSecretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := e.client.OAuth2Client(ctx, data.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "OAuth 2.0 Client Not Found",
			"The instance has no incoming OAuth 2.0 client with the `id` "+data.ID.ValueString()+": check the id, or "+
				"create the client first.\n\n"+err.Error())
		return
	}
	if err != nil {
		addOAuth2ClientError(&resp.Diagnostics, "Error Reading OAuth 2.0 Client Secret", "read the incoming OAuth 2.0 client", err)
		return
	}
	ctx = maskSecret(ctx, found.ClientSecret)
	data.ClientID = types.StringValue(found.ClientID)
	data.ClientSecret = types.StringValue(found.ClientSecret)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &data)...)
}
