package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ datasource.DataSource              = (*entityLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*entityLinksDataSource)(nil)
)

// NewEntityLinksDataSource returns the applinks_entity_links data source.
func NewEntityLinksDataSource() datasource.DataSource { return &entityLinksDataSource{} }

type entityLinksDataSource struct{ client *client.Client }

type entityLinksDataSourceModel struct {
	LocalType   types.String          `tfsdk:"local_type"`
	LocalKey    types.String          `tfsdk:"local_key"`
	EntityLinks []entityLinkDataModel `tfsdk:"entity_links"`
}

type entityLinkDataModel struct {
	ID                types.String `tfsdk:"id"`
	ApplicationLinkID types.String `tfsdk:"application_link_id"`
	RemoteType        types.String `tfsdk:"remote_type"`
	RemoteKey         types.String `tfsdk:"remote_key"`
	RemoteName        types.String `tfsdk:"remote_name"`
	RemoteDisplayURL  types.String `tfsdk:"remote_display_url"`
	Primary           types.Bool   `tfsdk:"primary"`
}

func (d *entityLinksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_entity_links"
}

func (d *entityLinksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The entity links of one local project, space or repository, whoever made them: for finding " +
			"the ids to import and for checks in CI (for example that every project has a primary link to a space).",
		Attributes: map[string]schema.Attribute{
			"local_type": schema.StringAttribute{
				MarkdownDescription: "The type of the local entity, one of " + entityTypes.MarkdownList() + ".",
				Required:            true,
				Validators:          []validator.String{entityTypes.Validator()},
			},
			"local_key": schema.StringAttribute{
				MarkdownDescription: "The key of the local entity, spelt exactly as the product shows it.",
				Required:            true,
			},
			"entity_links": schema.ListNestedAttribute{
				MarkdownDescription: "The links, in the product's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                  schema.StringAttribute{MarkdownDescription: "The `applinks_entity_link` import id of the link.", Computed: true},
					"application_link_id": schema.StringAttribute{MarkdownDescription: "The application link the link goes through.", Computed: true},
					"remote_type": schema.StringAttribute{MarkdownDescription: "The remote entity's type, one of " + entityTypes.MarkdownList() +
						", or the product's type id for a type the provider does not know.", Computed: true},
					"remote_key":         schema.StringAttribute{MarkdownDescription: "The remote entity's key.", Computed: true},
					"remote_name":        schema.StringAttribute{MarkdownDescription: "The name the link shows.", Computed: true},
					"remote_display_url": schema.StringAttribute{MarkdownDescription: "Where the linked application shows the entity.", Computed: true},
					"primary":            schema.BoolAttribute{MarkdownDescription: "Whether it is the primary link of its type.", Computed: true},
				}},
			},
		},
	}
}

func (d *entityLinksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *entityLinksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data entityLinksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	model := entityLinkResourceModel{LocalType: data.LocalType, LocalKey: data.LocalKey}
	links, err := d.client.EntityLinks(ctx, model.local())
	if err != nil {
		if statusOf(err) == 401 {
			resp.Diagnostics.AddAttributeError(path.Root("local_key"), "Cannot Read Links Of Local Entity", localEntityRefusal(&model, err))
			return
		}
		addAPIError(&resp.Diagnostics, "Error Reading Entity Links", "list the entity links", err)
		return
	}
	data.EntityLinks = []entityLinkDataModel{}
	for _, l := range links {
		remoteType := nameOrWire(entityTypes, l.TypeID)
		row := entityLinkResourceModel{LocalType: data.LocalType, LocalKey: data.LocalKey, ApplicationLinkID: types.StringValue(l.ApplicationID),
			RemoteType: types.StringValue(remoteType), RemoteKey: types.StringValue(l.Key)}
		data.EntityLinks = append(data.EntityLinks, entityLinkDataModel{
			ID: types.StringValue(row.importID()), ApplicationLinkID: types.StringValue(l.ApplicationID),
			RemoteType: types.StringValue(remoteType), RemoteKey: types.StringValue(l.Key), RemoteName: types.StringValue(l.Name),
			RemoteDisplayURL: types.StringValue(l.DisplayURL), Primary: types.BoolValue(l.Primary),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
