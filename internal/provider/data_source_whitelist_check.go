package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ datasource.DataSource              = (*allowlistCheckDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*allowlistCheckDataSource)(nil)
)

// NewWhitelistCheckDataSource returns the applinks_whitelist_check data
// source.
func NewAllowlistCheckDataSource() datasource.DataSource {
	return &allowlistCheckDataSource{}
}

type allowlistCheckDataSource struct {
	client *client.Client
}

type allowlistCheckDataSourceModel struct {
	URL                        types.String `tfsdk:"url"`
	Outbound                   types.Bool   `tfsdk:"outbound"`
	OutboundWithAuthentication types.Bool   `tfsdk:"outbound_with_authentication"`
	Inbound                    types.Bool   `tfsdk:"inbound"`
}

func (d *allowlistCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_whitelist_check"
}

func (d *allowlistCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Asks the instance whether its URL allowlist lets a URL through, exactly as the product " +
			"decides (all rules, the application links' included, and the on/off switch), so that a pipeline can assert " +
			"it with a `check` block or a `precondition`. The instance's own base URL is always allowed.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "The URL to check, for example `https://api.example.com/v1/hook`. A URL without scheme " +
					"or host is never allowed.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"outbound": schema.BoolAttribute{
				MarkdownDescription: "Whether the product may call the URL on behalf of an anonymous user.",
				Computed:            true,
			},
			"outbound_with_authentication": schema.BoolAttribute{
				MarkdownDescription: "Whether the product may call the URL on behalf of a logged-in user (the provider's " +
					"user); rules that require authentication count here.",
				Computed: true,
			},
			"inbound": schema.BoolAttribute{
				MarkdownDescription: "Whether the product accepts cross-origin (CORS) requests from the URL's origin.",
				Computed:            true,
			},
		},
	}
}

func (d *allowlistCheckDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *allowlistCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data allowlistCheckDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	check, err := d.client.CheckAllowlist(ctx, data.URL.ValueString())
	switch {
	case errors.Is(err, client.ErrValidation):
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Invalid URL to Check",
			fmt.Sprintf("The instance could not parse %q as a URL; percent-encode spaces and characters such as "+
				"{ } | \\ ^ and check the host.\n\n%s", data.URL.ValueString(), err))
		return
	case err != nil:
		addAPIError(&resp.Diagnostics, "Error Checking URL Against Allowlist", "ask the instance whether the allowlist allows "+data.URL.ValueString(), err)
		return
	}
	tflog.Debug(ctx, "Checked URL against the allowlist", map[string]any{
		"url": data.URL.ValueString(), "outbound": check.Outbound, "outbound_with_auth": check.OutboundWithAuth, "inbound": check.Inbound,
	})
	data.Outbound = types.BoolValue(check.Outbound)
	data.OutboundWithAuthentication = types.BoolValue(check.OutboundWithAuth)
	data.Inbound = types.BoolValue(check.Inbound)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
