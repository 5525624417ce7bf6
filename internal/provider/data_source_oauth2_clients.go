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
	_ datasource.DataSource              = (*oauth2ClientsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauth2ClientsDataSource)(nil)
)

// NewOAuth2ClientsDataSource returns the applinks_oauth2_clients data source.
func NewOAuth2ClientsDataSource() datasource.DataSource { return &oauth2ClientsDataSource{} }

type oauth2ClientsDataSource struct{ client *client.Client }

type oauth2ClientsDataSourceModel struct {
	Clients []oauth2ClientEntryModel `tfsdk:"clients"`
}

type oauth2ClientEntryModel struct {
	ID           types.String `tfsdk:"id"`
	ImportID     types.String `tfsdk:"import_id"`
	Name         types.String `tfsdk:"name"`
	ClientID     types.String `tfsdk:"client_id"`
	Scope        types.String `tfsdk:"scope"`
	RedirectURLs types.List   `tfsdk:"redirect_urls"`
}

func (d *oauth2ClientsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth2_clients"
}

func (d *oauth2ClientsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The instance's incoming OAuth 2.0 links (its OAuth 2.0 clients), whoever made them, with the " +
			"import id `applinks_oauth2_client` takes for each, so that an `import` block with `for_each` over `clients` " +
			"imports them all. The client secrets are left out. Needs a provider configured as a system administrator.",
		Attributes: map[string]schema.Attribute{
			"clients": schema.ListNestedAttribute{
				MarkdownDescription: "The clients, in the instance's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":        schema.StringAttribute{MarkdownDescription: "The instance's id of the client.", Computed: true},
					"import_id": schema.StringAttribute{MarkdownDescription: "The id an `import` block of `applinks_oauth2_client` takes.", Computed: true},
					"name":      schema.StringAttribute{MarkdownDescription: "The name of the incoming link.", Computed: true},
					"client_id": schema.StringAttribute{MarkdownDescription: "The client id the instance issued.", Computed: true},
					"scope": schema.StringAttribute{MarkdownDescription: "The scope, one of " + oauth2Scopes.MarkdownList() + ".",
						Computed: true},
					"redirect_urls": schema.ListAttribute{MarkdownDescription: "The application's redirect URLs.",
						Computed: true, ElementType: types.StringType},
				}},
			},
		},
	}
}

func (d *oauth2ClientsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *oauth2ClientsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	clients, err := d.client.OAuth2Clients(ctx)
	if err != nil {
		addOAuth2ClientError(&resp.Diagnostics, "Error Listing OAuth 2.0 Clients", "list the incoming OAuth 2.0 clients", err)
		return
	}
	data := oauth2ClientsDataSourceModel{Clients: make([]oauth2ClientEntryModel, 0, len(clients))}
	for _, c := range clients {
		redirects, diags := types.ListValueFrom(ctx, types.StringType, nonNil(c.Redirects))
		resp.Diagnostics.Append(diags...)
		data.Clients = append(data.Clients, oauth2ClientEntryModel{
			ID: types.StringValue(c.ID), ImportID: types.StringValue(c.ID), Name: types.StringValue(c.Name),
			ClientID: types.StringValue(c.ClientID), Scope: types.StringValue(nameOrWire(oauth2Scopes, c.Scope)),
			RedirectURLs: redirects,
		})
	}
	tflog.Debug(ctx, "Listed OAuth 2.0 clients", map[string]any{"count": len(data.Clients)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
