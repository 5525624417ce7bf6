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
	_ datasource.DataSource              = (*serverDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*serverDataSource)(nil)
)

// NewServerDataSource returns the applinks_server data source.
func NewServerDataSource() datasource.DataSource {
	return &serverDataSource{}
}

type serverDataSource struct {
	client *client.Client
}

type serverDataSourceModel struct {
	ServerID        types.String `tfsdk:"server_id"`
	Name            types.String `tfsdk:"name"`
	Type            types.String `tfsdk:"type"`
	TypeID          types.String `tfsdk:"type_id"`
	Version         types.String `tfsdk:"version"`
	BuildNumber     types.Int64  `tfsdk:"build_number"`
	ApplinksVersion types.String `tfsdk:"applinks_version"`
	BaseURL         types.String `tfsdk:"base_url"`
}

func (d *serverDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server"
}

func (d *serverDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The manifest of the instance the provider is configured for, as its " +
			"`/rest/applinks/1.0/manifest` reports it. Other instances use this manifest to identify it: " +
			"a link to this instance from a peer carries its `server_id` as the link id.",
		Attributes: map[string]schema.Attribute{
			"server_id": schema.StringAttribute{
				MarkdownDescription: "The instance's server id (a UUID), which peers use as the id of their link to it.",
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The instance's name, as shown to the users of linked applications.",
				Computed:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "The product, in the provider's vocabulary: one of " + productTypes.MarkdownList() +
					". Types the provider does not know are reported as the server gives them.",
				Computed: true,
			},
			"type_id": schema.StringAttribute{
				MarkdownDescription: "The product's applinks type id as the API reports it (`stash` for Bitbucket).",
				Computed:            true,
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "The product version, for example `9.12.2`.",
				Computed:            true,
			},
			"build_number": schema.Int64Attribute{
				MarkdownDescription: "The product build number.",
				Computed:            true,
			},
			"applinks_version": schema.StringAttribute{
				MarkdownDescription: "The version of the Application Links plugin, for example `9.1.4`; empty when the " +
					"instance does not report one.",
				Computed: true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "The base URL the instance reports for itself. When it differs from the provider's " +
					"`url`, users reach the instance through another address (a proxy, or a move in progress).",
				Computed: true,
			},
		},
	}
}

func (d *serverDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *serverDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	manifest, err := d.client.GetManifest(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Server Manifest", "read the instance's manifest", err)
		return
	}
	tflog.Debug(ctx, "Read server manifest", map[string]any{"server_id": manifest.ID, "type_id": manifest.TypeID})

	data := serverModelFromManifest(manifest)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

func serverModelFromManifest(m *client.Manifest) serverDataSourceModel {
	return serverDataSourceModel{
		ServerID:        types.StringValue(m.ID),
		Name:            types.StringValue(m.Name),
		Type:            types.StringValue(nameOrWire(productTypes, m.TypeID)),
		TypeID:          types.StringValue(m.TypeID),
		Version:         types.StringValue(m.Version),
		BuildNumber:     types.Int64Value(m.BuildNumber),
		ApplinksVersion: types.StringValue(m.ApplinksVersion),
		BaseURL:         types.StringValue(m.URL),
	}
}
