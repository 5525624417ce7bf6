package provider

import (
	"context"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ datasource.DataSource              = (*allowlistRulesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*allowlistRulesDataSource)(nil)
)

// NewWhitelistRulesDataSource returns the applinks_whitelist_rules data
// source.
func NewAllowlistRulesDataSource() datasource.DataSource {
	return &allowlistRulesDataSource{}
}

type allowlistRulesDataSource struct {
	client *client.Client
}

type allowlistRulesDataSourceModel struct {
	Rules []allowlistRuleDataModel `tfsdk:"rules"`
}

type allowlistRuleDataModel struct {
	ID             types.String `tfsdk:"id"`
	ImportID       types.String `tfsdk:"import_id"`
	Type           types.String `tfsdk:"type"`
	Expression     types.String `tfsdk:"expression"`
	AllowInbound   types.Bool   `tfsdk:"allow_inbound"`
	AllowAnonymous types.Bool   `tfsdk:"allow_anonymous"`
	Automatic      types.Bool   `tfsdk:"automatic"`
	IconURL        types.String `tfsdk:"icon_url"`
	// ApplicationLinkID is the import id of the automatic rule's
	// applinks_application_link_whitelist_rule.
	ApplicationLinkID types.String `tfsdk:"application_link_id"`
}

func (d *allowlistRulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_whitelist_rules"
}

func (d *allowlistRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every rule of the instance's URL allowlist, in the product's order, including the rules the " +
			"product keeps for its application links (marked `automatic`). Rules of any user, created in the admin pages or " +
			"by Terraform, are listed alike.",
		Attributes: map[string]schema.Attribute{
			"rules": schema.ListNestedAttribute{
				MarkdownDescription: "The rules, sorted as the product sorts them: by type, then expression ignoring case.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: "The rule's id; `applinks_whitelist_rule` imports rules by it.",
							Computed:            true,
						},
						"import_id": schema.StringAttribute{
							MarkdownDescription: "The id an `import` block of `applinks_whitelist_rule` takes for this rule; null " +
								"for the `automatic` rules, which the product keeps for its links and Terraform cannot manage, so " +
								"that `for_each` over the rules with a non-null `import_id` imports every rule that can be imported.",
							Computed: true,
						},
						"type": schema.StringAttribute{
							MarkdownDescription: "One of " + allowlistRuleTypes.MarkdownList() + "; or `" + allowlistTypeApplicationLink +
								"` for the rule of an application link. Types the provider does not know are reported as the server names them.",
							Computed: true,
						},
						"expression": schema.StringAttribute{
							MarkdownDescription: "The rule's expression. For application-link rules, the link's name and display URL " +
								"as `Name (https://display.url)`.",
							Computed: true,
						},
						"allow_inbound": schema.BoolAttribute{
							MarkdownDescription: "Whether cross-origin (CORS) requests from matching origins are accepted.",
							Computed:            true,
						},
						"allow_anonymous": schema.BoolAttribute{
							MarkdownDescription: "Whether the rule also applies to requests made for anonymous users; `false` means " +
								"authentication is required.",
							Computed: true,
						},
						"automatic": schema.BoolAttribute{
							MarkdownDescription: "Whether the product keeps this rule for an application link by itself: it cannot be " +
								"created, deleted or changed in expression, and `application_link_restrictiveness` of " +
								"`applinks_whitelist` governs it.",
							Computed: true,
						},
						"icon_url": schema.StringAttribute{
							MarkdownDescription: "The icon the admin page shows for the rule; empty when it shows none.",
							Computed:            true,
						},
						"application_link_id": schema.StringAttribute{
							MarkdownDescription: "For an `automatic` rule, the id of its application link, which is the id an " +
								"`import` block of `applinks_application_link_whitelist_rule` takes for the rule's flags; null for " +
								"the other rules.",
							Computed: true,
						},
					},
				},
			},
		},
	}
}

func (d *allowlistRulesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *allowlistRulesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	rules, err := d.client.AllowlistRules(ctx)
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Listing Allowlist Rules", "list the allowlist rules", err)
		return
	}
	tflog.Debug(ctx, "Listed allowlist rules", map[string]any{"rules": len(rules)})
	// The listing names an automatic rule's link by its name and display
	// URL only (design/api.md §8.2), so the links are read to find its id.
	var links []client.ApplicationLink
	if slices.ContainsFunc(rules, client.AllowlistRule.Automatic) {
		if links, err = d.client.ListApplicationLinks(ctx); err != nil {
			addAPIError(&resp.Diagnostics, "Error Listing Allowlist Rules", "list the application links of the automatic rules", err)
			return
		}
	}
	data := allowlistRulesDataSourceModel{Rules: make([]allowlistRuleDataModel, 0, len(rules))}
	for _, rule := range rules {
		importID, linkID := types.StringValue(strconv.FormatInt(rule.ID, 10)), types.StringNull()
		if rule.Automatic() {
			importID = types.StringNull()
			if link := client.ApplicationLinkOfRule(links, rule); link != nil {
				linkID = types.StringValue(link.ID)
			}
		}
		data.Rules = append(data.Rules, allowlistRuleDataModel{
			ID:             types.StringValue(strconv.FormatInt(rule.ID, 10)),
			ImportID:       importID,
			Type:           types.StringValue(allowlistTypeName(rule.Type)),
			Expression:     types.StringValue(rule.Expression),
			AllowInbound:   types.BoolValue(rule.AllowInbound),
			AllowAnonymous: types.BoolValue(rule.AllowAnonymousUser),
			Automatic:      types.BoolValue(rule.Automatic()),
			IconURL:        types.StringValue(rule.IconURL),

			ApplicationLinkID: linkID,
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
