package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ datasource.DataSource              = (*oauth2OutgoingLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauth2OutgoingLinksDataSource)(nil)
)

// NewOAuth2OutgoingLinksDataSource returns the applinks_oauth2_outgoing_links
// data source.
func NewOAuth2OutgoingLinksDataSource() datasource.DataSource {
	return &oauth2OutgoingLinksDataSource{}
}

type oauth2OutgoingLinksDataSource struct{ client *client.Client }

type oauth2OutgoingLinksDataSourceModel struct {
	Links []oauth2OutgoingLinkEntryModel `tfsdk:"links"`
}

type oauth2OutgoingLinkEntryModel struct {
	ID                    types.String `tfsdk:"id"`
	ImportID              types.String `tfsdk:"import_id"`
	Name                  types.String `tfsdk:"name"`
	ProviderType          types.String `tfsdk:"provider_type"`
	ClientID              types.String `tfsdk:"client_id"`
	AuthorizationEndpoint types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint         types.String `tfsdk:"token_endpoint"`
	RedirectURI           types.String `tfsdk:"redirect_uri"`
}

func (d *oauth2OutgoingLinksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth2_outgoing_links"
}

func (d *oauth2OutgoingLinksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The instance's outgoing OAuth 2.0 links, whoever made them, with the import id " +
			"`applinks_oauth2_outgoing_link` takes for each, so that an `import` block with `for_each` over `links` " +
			"imports them all. The instance never returns their client secrets.",
		Attributes: map[string]schema.Attribute{
			"links": schema.ListNestedAttribute{
				MarkdownDescription: "The outgoing links, in the instance's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":        schema.StringAttribute{MarkdownDescription: "The instance's id of the configuration.", Computed: true},
					"import_id": schema.StringAttribute{MarkdownDescription: "The id an `import` block of `applinks_oauth2_outgoing_link` takes.", Computed: true},
					"name":      schema.StringAttribute{MarkdownDescription: "The name of the outgoing link.", Computed: true},
					"provider_type": schema.StringAttribute{MarkdownDescription: "One of " + oauth2ProviderTypes.MarkdownList() +
						", or the product's word for a kind the provider does not know.", Computed: true},
					"client_id":              schema.StringAttribute{MarkdownDescription: "The client id the provider issued.", Computed: true},
					"authorization_endpoint": schema.StringAttribute{MarkdownDescription: "The provider's authorization endpoint.", Computed: true},
					"token_endpoint":         schema.StringAttribute{MarkdownDescription: "The provider's token endpoint.", Computed: true},
					"redirect_uri":           schema.StringAttribute{MarkdownDescription: "The redirect URI registered at the provider.", Computed: true},
				}},
			},
		},
	}
}

func (d *oauth2OutgoingLinksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *oauth2OutgoingLinksDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	configs, err := d.client.OAuth2Configs(ctx)
	if err != nil {
		addOAuth2OutgoingError(&resp.Diagnostics, "Error Listing OAuth 2.0 Outgoing Links", "list the outgoing OAuth 2.0 links", err)
		return
	}
	data := oauth2OutgoingLinksDataSourceModel{Links: make([]oauth2OutgoingLinkEntryModel, 0, len(configs))}
	for i := range configs {
		c := &configs[i]
		data.Links = append(data.Links, oauth2OutgoingLinkEntryModel{
			ID: types.StringValue(c.ID), ImportID: types.StringValue(c.ID), Name: types.StringValue(c.Name),
			ProviderType: types.StringValue(nameOrWire(oauth2ProviderTypes, c.Type)), ClientID: types.StringValue(c.ClientID),
			AuthorizationEndpoint: types.StringValue(c.AuthorizationEndpoint), TokenEndpoint: types.StringValue(c.TokenEndpoint),
			RedirectURI: types.StringValue(c.RedirectURI(d.client.BaseURL())),
		})
	}
	tflog.Debug(ctx, "Listed OAuth 2.0 outgoing links", map[string]any{"count": len(data.Links)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
