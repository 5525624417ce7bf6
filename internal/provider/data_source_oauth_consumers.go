package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ datasource.DataSource              = (*oauthConsumersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauthConsumersDataSource)(nil)
)

// NewOAuthConsumersDataSource returns the applinks_oauth_consumers data
// source.
func NewOAuthConsumersDataSource() datasource.DataSource {
	return &oauthConsumersDataSource{}
}

type oauthConsumersDataSource struct {
	client *client.Client
}

type oauthConsumersDataSourceModel struct {
	ApplicationLinkID types.String              `tfsdk:"application_link_id"`
	Consumers         []oauthConsumerEntryModel `tfsdk:"consumers"`
}

type oauthConsumerEntryModel struct {
	ImportID            types.String `tfsdk:"import_id"`
	ApplicationLinkID   types.String `tfsdk:"application_link_id"`
	ApplicationLinkName types.String `tfsdk:"application_link_name"`
	Direction           types.String `tfsdk:"direction"`
	ConsumerKey         types.String `tfsdk:"consumer_key"`
	Name                types.String `tfsdk:"name"`
}

func (d *oauthConsumersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_consumers"
}

func (d *oauthConsumersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The OAuth 1.0a consumers of the instance's generic application links, whoever configured " +
			"them, with the import id `applinks_oauth_consumer` takes for each, so that an `import` block with " +
			"`for_each` over `consumers` imports them all without typing `<application_link_id>/<direction>` by hand. " +
			"Links to Atlassian products are left out: their consumers come from the key exchange that the " +
			"`incoming` and `outgoing` levels of `applinks_application_link` make, and are managed there.",
		Attributes: map[string]schema.Attribute{
			"application_link_id": schema.StringAttribute{
				MarkdownDescription: "Only list the consumers of this link. Lists the consumers of every generic link when " +
					"unset; the list is empty when the link is not a generic link.",
				Optional:   true,
				Validators: []validator.String{validators.UUID()},
			},
			"consumers": schema.ListNestedAttribute{
				MarkdownDescription: "The consumers, in the order of `applinks_application_links` (by link name), incoming " +
					"before outgoing.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"import_id": schema.StringAttribute{
							MarkdownDescription: "The id an `import` block of `applinks_oauth_consumer` takes: " +
								"`<application_link_id>/<direction>`.",
							Computed: true,
						},
						"application_link_id": schema.StringAttribute{
							MarkdownDescription: "The id of the link that holds the consumer.",
							Computed:            true,
						},
						"application_link_name": schema.StringAttribute{
							MarkdownDescription: "The name of that link.",
							Computed:            true,
						},
						"direction": schema.StringAttribute{
							MarkdownDescription: "`incoming` (the application calls this instance) or `outgoing` (this " +
								"instance calls the application).",
							Computed: true,
						},
						"consumer_key": schema.StringAttribute{
							MarkdownDescription: "The consumer key.",
							Computed:            true,
						},
						"name": schema.StringAttribute{
							MarkdownDescription: "The consumer's name.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *oauthConsumersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *oauthConsumersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data oauthConsumersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	links, err := d.client.ListApplicationLinks(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading OAuth Consumers", "list the instance's application links", err)
		return
	}
	data.Consumers = []oauthConsumerEntryModel{}
	for _, link := range applicationLinkEntries(links, genericType) {
		linkID := link.ID.ValueString()
		if !data.ApplicationLinkID.IsNull() && !strings.EqualFold(data.ApplicationLinkID.ValueString(), linkID) {
			continue
		}
		auth, err := d.client.LinkAuthentication(ctx, linkID)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Error Reading OAuth Consumers", "read the OAuth consumers of the link "+linkID, err)
			return
		}
		entry := func(direction string, c *client.Consumer) oauthConsumerEntryModel {
			return oauthConsumerEntryModel{
				ImportID:            types.StringValue(consumerImportID(linkID, direction)),
				ApplicationLinkID:   types.StringValue(linkID),
				ApplicationLinkName: link.Name,
				Direction:           types.StringValue(direction),
				ConsumerKey:         types.StringValue(c.Key),
				Name:                types.StringValue(c.Name),
			}
		}
		if c := auth.IncomingConsumer(); c != nil {
			data.Consumers = append(data.Consumers, entry(directionIncoming, c))
		}
		if c, _ := auth.OutgoingConsumer(); c != nil {
			data.Consumers = append(data.Consumers, entry(directionOutgoing, c))
		}
	}
	tflog.Debug(ctx, "Read OAuth consumers", map[string]any{"count": len(data.Consumers)})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
