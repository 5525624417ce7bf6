package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
)

var (
	_ resource.Resource                = (*allowlistResource)(nil)
	_ resource.ResourceWithConfigure   = (*allowlistResource)(nil)
	_ resource.ResourceWithImportState = (*allowlistResource)(nil)
)

// whitelistSingletonID is the id of the one allowlist an instance has.
const allowlistSingletonID = "whitelist"

// whitelistRestrictiveness is the provider's vocabulary for the
// application-link restrictiveness, the first entry being the product's
// default; it feeds the OneOf validator and the documentation.
var allowlistRestrictiveness = vocabulary[string]{terms: []term[string]{
	{"allow_authenticated", client.RestrictivenessAllowAuthenticated,
		"every application link gets a rule that lets the product call it on behalf of logged-in users (the product's default)"},
	{"allow_anonymous", client.RestrictivenessAllowAnonymous,
		"every application link gets a rule that lets the product call it for anonymous users too"},
	{"deny", client.RestrictivenessDeny,
		"application links get no rule, and the product deletes the ones they had; calls to linked applications then " +
			"need rules of their own"},
}}

// NewWhitelistResource returns the applinks_whitelist resource.
func NewAllowlistResource() resource.Resource {
	return &allowlistResource{}
}

type allowlistResource struct {
	client *client.Client
}

type allowlistResourceModel struct {
	ID                             types.String `tfsdk:"id"`
	Enabled                        types.Bool   `tfsdk:"enabled"`
	ApplicationLinkRestrictiveness types.String `tfsdk:"application_link_restrictiveness"`
}

func (r *allowlistResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_whitelist"
}

func (r *allowlistResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The instance-wide settings of the URL allowlist (the \"whitelist\" in the API): whether it is " +
			"on, and how application links are let through. An instance has one allowlist, so declare this resource at " +
			"most once per instance. Destroying it restores the product's defaults: the allowlist on, links allowed " +
			"for logged-in users.\n\n" +
			"**The on/off switch cannot be read back**: the product has no API that reports it, so Terraform keeps the " +
			"value it last set and does not detect a switch flipped outside Terraform (in the admin pages). " +
			"`terraform apply` sets it again whenever this resource changes. Changing the allowlist needs a system administrator.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Always `" + allowlistSingletonID + "`; import the allowlist with this id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the allowlist is on. When it is off the product may call any URL and " +
					"accepts cross-origin requests from anywhere. Defaults to `true`. Not read back from the instance (see above): " +
					"after an import it stays null, and Terraform leaves the switch as it is until `enabled` is set.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{allowlistSwitch()},
			},
			"application_link_restrictiveness": schema.StringAttribute{
				MarkdownDescription: "How application links are added to the allowlist. One of " + allowlistRestrictiveness.MarkdownList() +
					". Defaults to `" + allowlistRestrictiveness.Names()[0] + "`.",
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(allowlistRestrictiveness.Names()[0]),
				Validators: []validator.String{
					allowlistRestrictiveness.Validator(),
				},
			},
		},
	}
}

func (r *allowlistResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

// set applies both settings and reports a failure itself. The switch goes
// first: it needs a system administrator while the restrictiveness does not,
// so credentials that cannot change the allowlist fail before anything has
// changed.
func (r *allowlistResource) set(ctx context.Context, data *allowlistResourceModel, summary string, diags *diag.Diagnostics) bool {
	enabled, restrictiveness := data.Enabled.ValueBool(), data.ApplicationLinkRestrictiveness.ValueString()
	tflog.Debug(ctx, "Setting the allowlist", map[string]any{"enabled": data.Enabled.String(), "application_link_restrictiveness": restrictiveness})
	// A null switch is an imported one that the configuration leaves alone.
	if err := r.setSwitch(ctx, data.Enabled); err != nil {
		addAllowlistAPIError(diags, summary, "turn the allowlist "+onOff(enabled), err)
		return false
	}
	settings, err := r.client.SetAllowlistSettings(ctx, client.AllowlistSettings{
		ApplicationLinkRestrictiveness: wireOrName(allowlistRestrictiveness, restrictiveness),
	})
	if err != nil {
		switched := "the allowlist was turned " + onOff(enabled)
		if data.Enabled.IsNull() {
			switched = "the allowlist's switch was left as it was"
		}
		addAllowlistAPIError(diags, summary, fmt.Sprintf("set the application-link restrictiveness to %q (%s)", restrictiveness, switched), err)
		return false
	}
	data.ID = types.StringValue(allowlistSingletonID)
	data.ApplicationLinkRestrictiveness = types.StringValue(nameOrWire(allowlistRestrictiveness, settings.ApplicationLinkRestrictiveness))
	return true
}

func (r *allowlistResource) setSwitch(ctx context.Context, enabled types.Bool) error {
	if enabled.IsNull() {
		return nil
	}
	return r.client.SetAllowlistEnabled(ctx, enabled.ValueBool())
}

func onOff(enabled bool) string {
	if enabled {
		return "on"
	}
	return "off"
}

func (r *allowlistResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var data allowlistResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.set(ctx, &data, "Error Configuring Allowlist", &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
		allowlistIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	}
}

func (r *allowlistResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var data allowlistResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.set(ctx, &data, "Error Updating Allowlist", &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
		allowlistIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
	}
}

func (r *allowlistResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var data allowlistResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, err := r.client.GetAllowlistSettings(ctx)
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Reading Allowlist Settings", "read the allowlist settings", err)
		return
	}
	data.ID = types.StringValue(allowlistSingletonID)
	data.ApplicationLinkRestrictiveness = types.StringValue(nameOrWire(allowlistRestrictiveness, settings.ApplicationLinkRestrictiveness))
	// enabled stays as Terraform last set it: nothing reports it.
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
	allowlistIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *allowlistResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	defaults := allowlistResourceModel{
		Enabled:                        types.BoolValue(true),
		ApplicationLinkRestrictiveness: types.StringValue(allowlistRestrictiveness.Names()[0]),
	}
	tflog.Debug(ctx, "Restoring the allowlist defaults")
	r.set(ctx, &defaults, "Error Restoring Allowlist Defaults", &resp.Diagnostics)
}

func (r *allowlistResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if id := allowlistIdentity.importID(ctx, req, &resp.Diagnostics); id != allowlistSingletonID {
		resp.Diagnostics.AddError("Invalid Allowlist Import ID",
			fmt.Sprintf("An instance has one allowlist, imported with the id %q; got %q.", allowlistSingletonID, id))
		return
	}
	// enabled stays null: it cannot be read (allowlistSwitch, adoption.go).
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), allowlistSingletonID)...)
}
