package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ resource.Resource                     = (*applicationLinkAllowlistRuleResource)(nil)
	_ resource.ResourceWithConfigure        = (*applicationLinkAllowlistRuleResource)(nil)
	_ resource.ResourceWithImportState      = (*applicationLinkAllowlistRuleResource)(nil)
	_ resource.ResourceWithConfigValidators = (*applicationLinkAllowlistRuleResource)(nil)
)

// The flags of the allowlist rule the products keep for every application
// link (design/api.md §8.4). The rule is the products': they add it with the
// link and remove it with the link, and DENY restrictiveness removes them
// all; the provider only changes its two flags, with the PUT that leaves
// expression and type out (design/api.md §8.3).
//
// We chose a resource of its own over attributes of applinks_application_link:
// the allowlist needs a system administrator where a link needs an
// administrator, so a link's plan must not start failing because a flag is
// set on it; the rule's lifetime is not the link's (restrictiveness removes
// and restores it); and links made outside Terraform, such as the reciprocal
// link a cloud site creates, have rules whose flags need setting too.

// NewApplicationLinkWhitelistRuleResource returns the
// applinks_application_link_whitelist_rule resource.
func NewApplicationLinkWhitelistRuleResource() resource.Resource {
	return &applicationLinkAllowlistRuleResource{}
}

type applicationLinkAllowlistRuleResource struct {
	client *client.Client
}

type applicationLinkAllowlistRuleResourceModel struct {
	ID                types.String `tfsdk:"id"`
	ApplicationLinkID types.String `tfsdk:"application_link_id"`
	RuleID            types.Int64  `tfsdk:"rule_id"`
	Expression        types.String `tfsdk:"expression"`
	AllowInbound      types.Bool   `tfsdk:"allow_inbound"`
	AllowAnonymous    types.Bool   `tfsdk:"allow_anonymous"`
}

func (r *applicationLinkAllowlistRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application_link_whitelist_rule"
}

func (r *applicationLinkAllowlistRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The flags of the allowlist rule that the product keeps for an application link: whether the " +
			"linked application may call the instance cross-origin (CORS, `allow_inbound`) and whether the instance may " +
			"call it for anonymous users (`allow_anonymous`). The product adds that rule when the link is created, with " +
			"inbound requests not allowed, and removes it with the link; this resource never creates or deletes it, it " +
			"adopts the rule of `application_link_id` and sets the flags configured here. Drift on them shows in the plan " +
			"and the next apply sets them back.\n\n" +
			"It is a resource of its own, not attributes of `applinks_application_link`, because changing the allowlist " +
			"needs a system administrator (a link needs only an administrator), and because the rule's lifetime is not " +
			"the link's: the `deny` value of `application_link_restrictiveness` (resource `applinks_whitelist`) removes " +
			"every application-link rule, and changing it back brings them back with the products' default flags. While " +
			"the restrictiveness is `deny` there is no rule to set: creating this resource fails saying so, and refreshing " +
			"it removes it from the state with a warning, so the next apply after the restrictiveness is changed back " +
			"sets the flags again.\n\n" +
			"Destroying the resource leaves the rule to the product and sets its flags back to what the product gives a " +
			"new link (inbound not allowed; anonymous allowed only under `allow_anonymous` restrictiveness), so that no " +
			"access granted here outlives the configuration that granted it. Import by the link's id.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The application link's id, as `application_link_id`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"application_link_id": schema.StringAttribute{
				MarkdownDescription: "The id of the application link whose rule this is, for example " +
					"`applinks_application_link.wiki.id`. Changing it adopts another link's rule (and sets this one's " +
					"flags back).",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{validators.UUID()},
			},
			"rule_id": schema.Int64Attribute{
				MarkdownDescription: "The id of the rule in the allowlist. It changes when the product recreates the " +
					"rule (after the restrictiveness was `deny`).",
				Computed: true,
			},
			"expression": schema.StringAttribute{
				MarkdownDescription: "The rule as the allowlist shows it: `<link name> (<display URL>)`.",
				Computed:            true,
			},
			"allow_inbound": schema.BoolAttribute{
				MarkdownDescription: "Accept cross-origin (CORS) requests from the linked application. The product's " +
					"default is `false`. Left out, the flag is not managed and keeps whatever value it has.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"allow_anonymous": schema.BoolAttribute{
				MarkdownDescription: "Let the instance call the linked application for anonymous users too. The product " +
					"sets it from `application_link_restrictiveness` (`true` only under `allow_anonymous`), and sets it " +
					"again on every link's rule whenever that setting changes. Left out, the flag is not managed.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *applicationLinkAllowlistRuleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("allow_inbound"), path.MatchRoot("allow_anonymous")),
	}
}

func (r *applicationLinkAllowlistRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

func (r *applicationLinkAllowlistRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config applicationLinkAllowlistRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.setFlags(ctx, &plan, linkRuleFlags(config), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	applicationLinkAllowlistRuleIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *applicationLinkAllowlistRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, config applicationLinkAllowlistRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.setFlags(ctx, &plan, linkRuleFlags(config), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	applicationLinkAllowlistRuleIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// linkRuleFlags are the flags the configuration manages: a flag left out is
// sent as null, which the product's partial update keeps.
func linkRuleFlags(config applicationLinkAllowlistRuleResourceModel) client.AllowlistRuleFlags {
	var flags client.AllowlistRuleFlags
	if !config.AllowInbound.IsNull() && !config.AllowInbound.IsUnknown() {
		flags.AllowInbound = config.AllowInbound.ValueBoolPointer()
	}
	if !config.AllowAnonymous.IsNull() && !config.AllowAnonymous.IsUnknown() {
		flags.AllowAnonymousUser = config.AllowAnonymous.ValueBoolPointer()
	}
	return flags
}

func (r *applicationLinkAllowlistRuleResource) setFlags(ctx context.Context, m *applicationLinkAllowlistRuleResourceModel, flags client.AllowlistRuleFlags, diags *diag.Diagnostics) {
	linkID := m.ApplicationLinkID.ValueString()
	tflog.Debug(ctx, "Setting the flags of an application link's allowlist rule", map[string]any{"application_link_id": linkID})
	rule, err := r.client.SetApplicationLinkAllowlistFlags(ctx, linkID, flags)
	if err != nil {
		r.addRuleError(ctx, diags, "Error Setting Application Link Allowlist Rule", linkID, err)
		return
	}
	fillApplicationLinkAllowlistRule(m, linkID, rule)
}

func fillApplicationLinkAllowlistRule(m *applicationLinkAllowlistRuleResourceModel, linkID string, rule *client.AllowlistRule) {
	m.ID = types.StringValue(linkID)
	m.RuleID = types.Int64Value(rule.ID)
	m.Expression = types.StringValue(rule.Expression)
	m.AllowInbound = types.BoolValue(rule.AllowInbound)
	m.AllowAnonymous = types.BoolValue(rule.AllowAnonymousUser)
}

func (r *applicationLinkAllowlistRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	applicationLinkAllowlistRuleIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	var state applicationLinkAllowlistRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	linkID := state.ApplicationLinkID.ValueString()
	_, rule, err := r.client.ApplicationLinkAllowlistRule(ctx, linkID)
	switch {
	case errors.Is(err, client.ErrNotFound):
		// The link is gone, and its rule with it.
		resp.State.RemoveResource(ctx)
		return
	case errors.Is(err, client.ErrNoApplicationLinkRule):
		resp.Diagnostics.AddWarning("Application Link Allowlist Rule Removed",
			fmt.Sprintf("The allowlist no longer holds the rule of application link %s, so its flags are no longer "+
				"managed and the resource is removed from the state. %s\n\n%s", linkID, r.whyNoRule(ctx), err))
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		addAllowlistAPIError(&resp.Diagnostics, "Error Reading Application Link Allowlist Rule", "read the application link's allowlist rule", err)
		return
	}
	fillApplicationLinkAllowlistRule(&state, linkID, rule)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete leaves the rule, which the product owns, and sets its flags back to
// the ones the product gives a new link (design/api.md §8.4), so that an
// inbound or anonymous grant does not outlive its configuration.
func (r *applicationLinkAllowlistRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applicationLinkAllowlistRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, err := r.client.GetAllowlistSettings(ctx)
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Resetting Application Link Allowlist Rule", "read the application-link restrictiveness", err)
		return
	}
	inbound, anonymous := false, settings.ApplicationLinkRestrictiveness == client.RestrictivenessAllowAnonymous
	linkID := state.ApplicationLinkID.ValueString()
	_, err = r.client.SetApplicationLinkAllowlistFlags(ctx, linkID, client.AllowlistRuleFlags{AllowInbound: &inbound, AllowAnonymousUser: &anonymous})
	if err != nil && !errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrNoApplicationLinkRule) {
		addAllowlistAPIError(&resp.Diagnostics, "Error Resetting Application Link Allowlist Rule", "set the application link's allowlist rule back to the product's flags", err)
	}
}

func (r *applicationLinkAllowlistRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := applicationLinkAllowlistRuleIdentity.importID(ctx, req, &resp.Diagnostics)
	if !validators.IsUUID(id) {
		resp.Diagnostics.AddError("Invalid Application Link Allowlist Rule Import ID",
			fmt.Sprintf("Import the rule by its application link's id, a UUID such as 2841b105-5904-3c0a-9710-1ff26ae88206 "+
				"(the data source applinks_application_links lists them); got %q.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("application_link_id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// addRuleError words the two ways there is no rule to change before the
// allowlist's general advice.
func (r *applicationLinkAllowlistRuleResource) addRuleError(ctx context.Context, diags *diag.Diagnostics, summary, linkID string, err error) {
	switch {
	case errors.Is(err, client.ErrNotFound):
		diags.AddAttributeError(path.Root("application_link_id"), "Application Link Not Found",
			fmt.Sprintf("The instance has no application link with id %s, so there is no allowlist rule to set. Create the "+
				"link first (reference `applinks_application_link.<name>.id`, which orders it for you) or correct "+
				"`application_link_id`.\n\n%s", linkID, err))
	case errors.Is(err, client.ErrNoApplicationLinkRule):
		diags.AddAttributeError(path.Root("application_link_id"), "Application Link Has No Allowlist Rule",
			fmt.Sprintf("The allowlist holds no rule for application link %s, so its flags cannot be set; the provider "+
				"never creates these rules, the product does. %s\n\n%s", linkID, r.whyNoRule(ctx), err))
	default:
		addAllowlistAPIError(diags, summary, "set the flags of the application link's allowlist rule", err)
	}
}

// whyNoRule names the usual cause of a missing rule and its fix.
func (r *applicationLinkAllowlistRuleResource) whyNoRule(ctx context.Context) string {
	settings, err := r.client.GetAllowlistSettings(ctx)
	if err == nil && settings.ApplicationLinkRestrictiveness == client.RestrictivenessDeny {
		return "The instance's application-link restrictiveness is `deny`, which removes every application-link rule: " +
			"set `application_link_restrictiveness` of `applinks_whitelist` to `allow_authenticated` or `allow_anonymous` " +
			"(the product then adds the rules back), or remove this resource if links are meant to be denied."
	}
	return "The product adds the rule when the link is created and again when it starts; check the allowlist's " +
		"administration page, and apply again after the product restarted."
}
