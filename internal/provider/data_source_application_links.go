package provider

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ datasource.DataSource              = (*applicationLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*applicationLinksDataSource)(nil)
)

// NewApplicationLinksDataSource returns the applinks_application_links data
// source.
func NewApplicationLinksDataSource() datasource.DataSource {
	return &applicationLinksDataSource{}
}

type applicationLinksDataSource struct {
	client *client.Client
}

type applicationLinksDataSourceModel struct {
	Type  types.String                `tfsdk:"type"`
	Links []applicationLinkEntryModel `tfsdk:"links"`
}

type applicationLinkEntryModel struct {
	ID         types.String `tfsdk:"id"`
	ImportID   types.String `tfsdk:"import_id"`
	Name       types.String `tfsdk:"name"`
	Type       types.String `tfsdk:"type"`
	RPCURL     types.String `tfsdk:"rpc_url"`
	DisplayURL types.String `tfsdk:"display_url"`
	Primary    types.Bool   `tfsdk:"primary"`
	System     types.Bool   `tfsdk:"system"`
}

func (d *applicationLinksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application_links"
}

func (d *applicationLinksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every application link of the instance the provider is configured for, whoever created " +
			"it (the admin pages, a script or Terraform), optionally of one type. Use it to find ids to import, or to " +
			"check every link with `applinks_application_link_status`.",
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				MarkdownDescription: "Only list links to this product: one of " + productTypes.MarkdownList() + ". Lists every link when unset.",
				Optional:            true,
				Validators:          []validator.String{productTypes.Validator()},
			},
			"links": schema.ListNestedAttribute{
				MarkdownDescription: "The links, in the order of the products' admin page: by type id (`stash` for Bitbucket), then by name.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: "The link id; `applinks_application_link` imports links by it.",
							Computed:            true,
						},
						"import_id": schema.StringAttribute{
							MarkdownDescription: "The id an `import` block of `applinks_application_link` takes for this link " +
								"(the link id), so that `for_each` over `links` imports every link without typing an id.",
							Computed: true,
						},
						"name": schema.StringAttribute{
							MarkdownDescription: "The link's name, unique on the instance.",
							Computed:            true,
						},
						"type": schema.StringAttribute{
							MarkdownDescription: "The linked product, in the vocabulary of `applinks_application_link` (one of " +
								productTypes.MarkdownList() + "); types the provider does not know are reported as the server names them.",
							Computed: true,
						},
						"rpc_url": schema.StringAttribute{
							MarkdownDescription: "The URL the instance uses to reach the linked application.",
							Computed:            true,
						},
						"display_url": schema.StringAttribute{
							MarkdownDescription: "The URL users' browsers use to reach the linked application.",
							Computed:            true,
						},
						"primary": schema.BoolAttribute{
							MarkdownDescription: "Whether this is the primary link of its type.",
							Computed:            true,
						},
						"system": schema.BoolAttribute{
							MarkdownDescription: "Whether the product created the link for its own use.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *applicationLinksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *applicationLinksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data applicationLinksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	links, err := d.client.ListApplicationLinks(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Application Links", "list the instance's application links", err)
		return
	}
	data.Links = applicationLinkEntries(links, data.Type.ValueString())
	tflog.Debug(ctx, "Read application links", map[string]any{"count": len(data.Links), "type": data.Type.ValueString()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// applicationLinkEntries maps the links of the type ("" for all) in the
// admin page's order, which does not depend on creation order, so the list
// only changes when the links do.
func applicationLinkEntries(links []client.ApplicationLink, typeName string) []applicationLinkEntryModel {
	entries := []applicationLinkEntryModel{}
	for _, l := range links {
		if typeName != "" && l.TypeID != wireOrName(productTypes, typeName) {
			continue
		}
		entries = append(entries, applicationLinkEntryModel{
			ID:         types.StringValue(l.ID),
			ImportID:   types.StringValue(l.ID),
			Name:       types.StringValue(l.Name),
			Type:       types.StringValue(nameOrWire(productTypes, l.TypeID)),
			RPCURL:     types.StringValue(l.RPCURL),
			DisplayURL: types.StringValue(l.DisplayURL),
			Primary:    types.BoolValue(l.Primary),
			System:     types.BoolValue(l.System),
		})
	}
	slices.SortStableFunc(entries, func(a, b applicationLinkEntryModel) int {
		return cmp.Or(strings.Compare(wireOrName(productTypes, a.Type.ValueString()), wireOrName(productTypes, b.Type.ValueString())),
			strings.Compare(a.Name.ValueString(), b.Name.ValueString()))
	})
	return entries
}
