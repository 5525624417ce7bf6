package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ datasource.DataSource                     = (*entityLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*entityLinksDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*entityLinksDataSource)(nil)
)

// NewEntityLinksDataSource returns the applinks_entity_links data source.
func NewEntityLinksDataSource() datasource.DataSource { return &entityLinksDataSource{} }

type entityLinksDataSource struct{ client *client.Client }

type entityLinksDataSourceModel struct {
	LocalType         types.String          `tfsdk:"local_type"`
	LocalKey          types.String          `tfsdk:"local_key"`
	ApplicationLinkID types.String          `tfsdk:"application_link_id"`
	EntityLinks       []entityLinkDataModel `tfsdk:"entity_links"`
}

type entityLinkDataModel struct {
	ID                types.String `tfsdk:"id"`
	ImportID          types.String `tfsdk:"import_id"`
	LocalType         types.String `tfsdk:"local_type"`
	LocalKey          types.String `tfsdk:"local_key"`
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
		MarkdownDescription: "The entity links of one local project, space or repository (`local_type` and `local_key`), " +
			"or of every local entity linked across one application link (`application_link_id`), whoever made them: " +
			"for the ids to import (`import_id`) and for checks in CI (for example that every project has a primary link " +
			"to a space).",
		Attributes: map[string]schema.Attribute{
			"local_type": schema.StringAttribute{
				MarkdownDescription: "The type of the local entity, one of " + entityTypes.MarkdownList() + "; with `local_key`.",
				Optional:            true,
				Validators:          []validator.String{entityTypes.Validator(), stringvalidator.AlsoRequires(path.MatchRoot("local_key"))},
			},
			"local_key": schema.StringAttribute{
				MarkdownDescription: "The key of the local entity, spelt exactly as the product shows it; with `local_type`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("local_type"))},
			},
			"application_link_id": schema.StringAttribute{
				MarkdownDescription: "Instead of `local_type` and `local_key`: list the links through this application link " +
					"of every local entity that has one (for example every Jira project linked to the Confluence at the " +
					"other end).",
				Optional:   true,
				Validators: []validator.String{validators.UUID()},
			},
			"entity_links": schema.ListNestedAttribute{
				MarkdownDescription: "The links, in the product's order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":        schema.StringAttribute{MarkdownDescription: "The `applinks_entity_link` import id of the link, as `import_id`.", Computed: true},
					"import_id": schema.StringAttribute{MarkdownDescription: "The id an `import` block of `applinks_entity_link` takes for the link.", Computed: true},
					"local_type": schema.StringAttribute{MarkdownDescription: "The local entity's type, one of " + entityTypes.MarkdownList() +
						", or the product's type id for a type the provider does not know.", Computed: true},
					"local_key":           schema.StringAttribute{MarkdownDescription: "The local entity's key.", Computed: true},
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

func (d *entityLinksDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("local_key"), path.MatchRoot("application_link_id")),
	}
}

func (d *entityLinksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data entityLinksDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	locals := []entityLinkResourceModel{{LocalType: data.LocalType, LocalKey: data.LocalKey}}
	linkID := data.ApplicationLinkID.ValueString()
	if linkID != "" {
		linked, err := d.client.LocalEntitiesLinkedTo(ctx, linkID)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Reading Entity Links", "list the local entities linked through application link "+linkID, err)
			return
		}
		locals = locals[:0]
		for _, e := range linked {
			locals = append(locals, entityLinkResourceModel{LocalType: types.StringValue(nameOrWire(entityTypes, e.TypeID)), LocalKey: types.StringValue(e.Key)})
		}
	}
	data.EntityLinks = []entityLinkDataModel{}
	for i := range locals {
		local := &locals[i]
		links, err := d.client.EntityLinks(ctx, client.LocalEntity{TypeID: wireOrName(entityTypes, local.LocalType.ValueString()), Key: local.LocalKey.ValueString()})
		if err != nil {
			if statusOf(err) == 401 {
				resp.Diagnostics.AddAttributeError(path.Root("local_key"), "Cannot Read Links Of Local Entity", localEntityRefusal(local, err))
				return
			}
			addAPIError(&resp.Diagnostics, "Error Reading Entity Links", "list the entity links", err)
			return
		}
		for _, l := range links {
			if linkID != "" && !strings.EqualFold(l.ApplicationID, linkID) {
				continue
			}
			remoteType := nameOrWire(entityTypes, l.TypeID)
			row := entityLinkResourceModel{LocalType: local.LocalType, LocalKey: local.LocalKey, ApplicationLinkID: types.StringValue(l.ApplicationID),
				RemoteType: types.StringValue(remoteType), RemoteKey: types.StringValue(l.Key)}
			data.EntityLinks = append(data.EntityLinks, entityLinkDataModel{
				ID: types.StringValue(row.importID()), ImportID: types.StringValue(row.importID()),
				LocalType: local.LocalType, LocalKey: local.LocalKey, ApplicationLinkID: types.StringValue(l.ApplicationID),
				RemoteType: types.StringValue(remoteType), RemoteKey: types.StringValue(l.Key), RemoteName: types.StringValue(l.Name),
				RemoteDisplayURL: types.StringValue(l.DisplayURL), Primary: types.BoolValue(l.Primary),
			})
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
