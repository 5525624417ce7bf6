package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/customtypes"
	"github.com/applinks-iac/terraform-provider-applinks/internal/planmodifiers"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ resource.Resource                   = (*oauthConsumerResource)(nil)
	_ resource.ResourceWithConfigure      = (*oauthConsumerResource)(nil)
	_ resource.ResourceWithImportState    = (*oauthConsumerResource)(nil)
	_ resource.ResourceWithValidateConfig = (*oauthConsumerResource)(nil)
)

// NewOAuthConsumerResource returns the applinks_oauth_consumer resource.
func NewOAuthConsumerResource() resource.Resource {
	return &oauthConsumerResource{}
}

type oauthConsumerResource struct {
	client *client.Client
}

type oauthConsumerResourceModel struct {
	ID                    types.String             `tfsdk:"id"`
	ApplicationLinkID     types.String             `tfsdk:"application_link_id"`
	Direction             types.String             `tfsdk:"direction"`
	ConsumerKey           types.String             `tfsdk:"consumer_key"`
	Name                  types.String             `tfsdk:"name"`
	Description           types.String             `tfsdk:"description"`
	PublicKey             customtypes.RSAPublicKey `tfsdk:"public_key"`
	CallbackURL           types.String             `tfsdk:"callback_url"`
	TwoLeggedAllowed      types.Bool               `tfsdk:"two_legged_allowed"`
	ExecuteAs             types.String             `tfsdk:"execute_as"`
	ImpersonationAllowed  types.Bool               `tfsdk:"impersonation_allowed"`
	SharedSecret          types.String             `tfsdk:"shared_secret"`
	SharedSecretWO        types.String             `tfsdk:"shared_secret_wo"`
	SharedSecretWOVersion types.Int64              `tfsdk:"shared_secret_wo_version"`
	RequestTokenURL       types.String             `tfsdk:"request_token_url"`
	AccessTokenURL        types.String             `tfsdk:"access_token_url"`
	AuthorizeURL          types.String             `tfsdk:"authorize_url"`
}

const (
	directionIncoming = "incoming"
	directionOutgoing = "outgoing"
)

// consumerDirections feeds both the validator and the description.
var consumerDirections = []string{directionIncoming, directionOutgoing}

// notBlank refuses empty and all-space keys and names, which the products
// store as given and then cannot match.
var notBlank = stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty or blank")

// Attributes that belong to one direction only.
var (
	incomingOnlyAttributes = []string{"public_key", "callback_url", "two_legged_allowed", "execute_as", "impersonation_allowed"}
	outgoingOnlyAttributes = []string{"shared_secret", "shared_secret_wo", "shared_secret_wo_version", "request_token_url", "access_token_url", "authorize_url"}
	serviceProviderURLs    = []string{"request_token_url", "access_token_url", "authorize_url"}
)

func (r *oauthConsumerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_consumer"
}

func (r *oauthConsumerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	incomingOnly := " Incoming consumers only."
	outgoingOnly := " Outgoing consumers only."
	resp.Schema = schema.Schema{
		MarkdownDescription: "An OAuth 1.0a consumer on an application link, usually a generic link to a non-Atlassian " +
			"application. An `incoming` consumer lets the application call this instance: it signs its requests with " +
			"RSA-SHA1 and the instance checks them against `public_key`. An `outgoing` consumer is this instance's " +
			"identity towards the application's OAuth service provider: a consumer key, a shared secret and the " +
			"provider's token URLs; it needs a generic link. Between two Atlassian products use the `incoming` and " +
			"`outgoing` levels of `applinks_application_link` instead, which exchange the consumers themselves.\n\n" +
			"Every attribute but `application_link_id` and `direction` changes in place. Deleting an incoming consumer " +
			"disables incoming OAuth on the link; deleting an outgoing consumer disables outgoing OAuth on the link, which " +
			"also deletes the access tokens its users hold. The link itself stays.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<application_link_id>/<direction>`, the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"application_link_id": schema.StringAttribute{
				MarkdownDescription: "The id of the application link, for example `applinks_application_link.jenkins.id`. " +
					"Changing it replaces the consumer.",
				Required:      true,
				Validators:    []validator.String{validators.UUID()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"direction": schema.StringAttribute{
				MarkdownDescription: "One of " + backtickList(consumerDirections) + ": `incoming` when the application calls " +
					"this instance, `outgoing` when this instance calls the application. A link has at most one consumer " +
					"per direction. Changing it replaces the consumer.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(consumerDirections...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"consumer_key": schema.StringAttribute{
				MarkdownDescription: "The OAuth consumer key: for `incoming`, the key the application sends as " +
					"`oauth_consumer_key`; for `outgoing`, the key the application's service provider issued to this instance.",
				Required:   true,
				Validators: []validator.String{validators.ConsumerKey()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The consumer's name, shown to users when they authorise it.",
				Required:            true,
				Validators:          []validator.String{notBlank},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "A description of the consumer.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"public_key": schema.StringAttribute{
				MarkdownDescription: "The application's RSA public key, which verifies its signatures: the PEM that " +
					"`openssl rsa -in key.pem -pubout` prints, or the same as bare base64, with or without line breaks. " +
					"Both spellings of one key are the same value, so switching between them plans no change. Never put " +
					"the private key here. Required for incoming consumers." + incomingOnly,
				Optional:      true,
				CustomType:    customtypes.RSAPublicKeyType{},
				Validators:    []validator.String{validators.RSAPublicKey()},
				PlanModifiers: []planmodifier.String{planmodifiers.KeepSemanticallyEqualState()},
			},
			"callback_url": schema.StringAttribute{
				MarkdownDescription: "The absolute URL the instance sends users back to after they authorise a " +
					"three-legged request, when the application does not send `oauth_callback`." + incomingOnly,
				Optional:   true,
				Validators: []validator.String{validators.AbsoluteURL()},
			},
			"two_legged_allowed": schema.BoolAttribute{
				MarkdownDescription: "Whether the application may make two-legged requests, which act without a user's " +
					"authorisation as `execute_as`. Defaults to `false`; null for outgoing consumers." + incomingOnly,
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{incomingOnlyFlag()},
			},
			"execute_as": schema.StringAttribute{
				MarkdownDescription: "The user name two-legged requests act as. Without it, or when the instance has no such user, " +
					"they run anonymously; on Jira the plan warns about a name the instance lacks." + incomingOnly,
				Optional:   true,
				Validators: []validator.String{notBlank},
			},
			"impersonation_allowed": schema.BoolAttribute{
				MarkdownDescription: "Whether two-legged requests may act as any user they name in `xoauth_requestor_id` " +
					"(two-legged OAuth with impersonation). Needs `two_legged_allowed` and a provider configured with a " +
					"system administrator's credentials; use it only for an application that shares the instance's " +
					"users and that you trust fully. Defaults to `false`; null for outgoing consumers." + incomingOnly,
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{incomingOnlyFlag()},
			},
			"shared_secret": schema.StringAttribute{
				MarkdownDescription: "The shared secret the service provider issued with `consumer_key`. It is stored in " +
					"the Terraform state; with Terraform or OpenTofu 1.11 and later prefer `shared_secret_wo`. The products never " +
					"return it, so a change made outside Terraform is not detected." + outgoingOnly,
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.ConflictsWith(path.MatchRoot("shared_secret_wo"))},
			},
			"shared_secret_wo": schema.StringAttribute{
				MarkdownDescription: "The shared secret as a write-only value (Terraform or OpenTofu 1.11 and later): it is sent to " +
					"the instance but never stored in the plan or state. Change `shared_secret_wo_version` to send a new " +
					"secret; changing this value alone does nothing." + outgoingOnly,
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("shared_secret_wo_version"))},
			},
			"shared_secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number that changes whenever `shared_secret_wo` should be sent again, such as " +
					"a rotation counter." + outgoingOnly,
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("shared_secret_wo"))},
			},
			"request_token_url": schema.StringAttribute{
				MarkdownDescription: "The service provider's request token URL: absolute, or a path such as " +
					"`/oauth/request-token` that the instance resolves against the link's URL. Required for outgoing consumers." + outgoingOnly,
				Optional:   true,
				Validators: []validator.String{validators.AbsoluteURLOrPath()},
			},
			"access_token_url": schema.StringAttribute{
				MarkdownDescription: "The service provider's access token URL, absolute or a path. Required for outgoing consumers." + outgoingOnly,
				Optional:            true,
				Validators:          []validator.String{validators.AbsoluteURLOrPath()},
			},
			"authorize_url": schema.StringAttribute{
				MarkdownDescription: "The service provider's URL where users authorise this instance, absolute or a path. " +
					"Required for outgoing consumers." + outgoingOnly,
				Optional:   true,
				Validators: []validator.String{validators.AbsoluteURLOrPath()},
			},
		},
	}
}

func (r *oauthConsumerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

// ValidateConfig checks what depends on the direction: which attributes
// apply, which are required, and that impersonation comes with two-legged
// access.
func (r *oauthConsumerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config oauthConsumerResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.Direction.IsNull() || config.Direction.IsUnknown() {
		return
	}
	values := map[string]attr.Value{
		"public_key": config.PublicKey, "callback_url": config.CallbackURL, "two_legged_allowed": config.TwoLeggedAllowed,
		"execute_as": config.ExecuteAs, "impersonation_allowed": config.ImpersonationAllowed,
		"shared_secret": config.SharedSecret, "shared_secret_wo": config.SharedSecretWO,
		"shared_secret_wo_version": config.SharedSecretWOVersion, "request_token_url": config.RequestTokenURL,
		"access_token_url": config.AccessTokenURL, "authorize_url": config.AuthorizeURL,
	}
	direction := config.Direction.ValueString()
	other, misplaced := directionOutgoing, outgoingOnlyAttributes
	if direction == directionOutgoing {
		other, misplaced = directionIncoming, incomingOnlyAttributes
	}
	for _, name := range misplaced {
		if !values[name].IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Attribute Not Used by "+titleCase(direction)+" Consumers",
				fmt.Sprintf("`%s` configures an %s consumer and has no meaning for an %s one. Remove it, or set "+
					"`direction = %q` if this consumer is meant to be %s.", name, other, direction, other, other))
		}
	}

	switch direction {
	case directionIncoming:
		if config.PublicKey.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("public_key"), "Missing Public Key",
				"An incoming consumer needs `public_key`: the RSA public key of the application, which the instance "+
					"checks its signed requests against. Give the PEM that `openssl rsa -in key.pem -pubout` prints.")
		}
		impersonation := config.ImpersonationAllowed.ValueBool()
		if impersonation && !config.TwoLeggedAllowed.IsUnknown() && !config.TwoLeggedAllowed.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("impersonation_allowed"), "Impersonation Needs Two-Legged OAuth",
				"Impersonation is a kind of two-legged request, so `impersonation_allowed = true` needs "+
					"`two_legged_allowed = true` as well. Set both, or remove `impersonation_allowed`.")
		}
		if impersonation {
			resp.Diagnostics.AddAttributeWarning(path.Root("impersonation_allowed"), "OAuth Consumer Can Act as Any User",
				"With `impersonation_allowed = true` the application can act as any user of this instance, administrators "+
					"included, without their consent. Use it only for an application that shares the instance's users and "+
					"that you trust fully. Setting it needs a system administrator's credentials.")
		}
		if !config.ExecuteAs.IsNull() && !config.TwoLeggedAllowed.IsUnknown() && !config.TwoLeggedAllowed.ValueBool() {
			resp.Diagnostics.AddAttributeWarning(path.Root("execute_as"), "Execute As Without Two-Legged OAuth",
				"`execute_as` only applies to two-legged requests, which this consumer may not make. Set "+
					"`two_legged_allowed = true`, or remove `execute_as`.")
		}
	case directionOutgoing:
		// The shared secret is asked for at plan time, only when the plan
		// writes the consumer (ModifyPlan, adoption.go).
		for _, name := range serviceProviderURLs {
			if values[name].IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Missing Service Provider URL",
					fmt.Sprintf("An outgoing consumer needs `%s`, one of the service provider's three OAuth URLs "+
						"(`request_token_url`, `access_token_url`, `authorize_url`), which the application's OAuth "+
						"documentation lists.", name))
			}
		}
	}
}

func titleCase(s string) string {
	return strings.ToUpper(s[:1]) + s[1:]
}

func (r *oauthConsumerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan oauthConsumerResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := r.sharedSecret(ctx, req.Config.GetAttribute, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecret(ctx, secret)
	// The check that the direction is free and the writes that claim it run
	// under the link's lock, so that of two consumers of one link and
	// direction applied in parallel, the second is refused, not left to
	// replace the first.
	err := r.client.Exclusive(ctx, plan.ApplicationLinkID.ValueString(), func(ctx context.Context) error {
		r.create(ctx, &plan, secret, &resp.Diagnostics)
		return nil
	})
	if err != nil { // only when the wait for the lock ended with the context
		resp.Diagnostics.AddError("Error Creating OAuth Consumer", "Terraform stopped the create while it waited for "+
			"another change to the same application link; nothing was written. Run terraform apply again.\n\n"+err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauthConsumerIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauthConsumerResource) create(ctx context.Context, plan *oauthConsumerResourceModel, secret string, diags *diag.Diagnostics) {
	linkID, direction := plan.ApplicationLinkID.ValueString(), plan.Direction.ValueString()

	auth, err := r.client.LinkAuthentication(ctx, linkID)
	if err != nil {
		addLinkLookupError(diags, "Error Creating OAuth Consumer", linkID, err)
		return
	}
	if existing := existingConsumer(auth, direction); existing != "" {
		diags.AddError("OAuth Consumer Already Exists",
			fmt.Sprintf("The application link %s already has an %s consumer (key %q). Bring it under Terraform with "+
				"`terraform import` or an import block using the id %q instead of creating it.", linkID, direction, existing, linkID+"/"+direction))
		return
	}
	tflog.Debug(ctx, "Creating OAuth consumer", map[string]any{"application_link_id": linkID, "direction": direction, "consumer_key": plan.ConsumerKey.ValueString()})

	if direction == directionOutgoing {
		link, err := r.client.ApplicationLink(ctx, linkID)
		if err != nil {
			addLinkLookupError(diags, "Error Creating OAuth Consumer", linkID, err)
			return
		}
		if link.TypeID != genericType {
			diags.AddAttributeError(path.Root("direction"), "Outgoing Consumer Needs a Generic Link",
				fmt.Sprintf("The link %s (%q) is a %s link. Only generic links take an outgoing consumer: between "+
					"Atlassian products set `outgoing` on the applinks_application_link resource, which exchanges the "+
					"consumers itself.", linkID, link.Name, nameOrWire(productTypes, link.TypeID)))
			return
		}
		r.createOutgoing(ctx, plan, secret, auth, diags)
	} else {
		release, ok := r.claimConsumerKey(ctx, plan, diags)
		if !ok {
			return
		}
		r.writeIncoming(ctx, plan, nil, diags)
		if diags.HasError() {
			release()
			r.rollBackIncoming(ctx, linkID, diags)
		}
	}
	if diags.HasError() {
		return
	}
	r.readBack(ctx, plan, diags)
}

// claimConsumerKey refuses an incoming consumer key that another link
// holds, since the products would let this link's consumer replace that
// link's (client.ClaimIncomingConsumerKey).
func (r *oauthConsumerResource) claimConsumerKey(ctx context.Context, plan *oauthConsumerResourceModel, diags *diag.Diagnostics) (release func(), ok bool) {
	release, err := r.client.ClaimIncomingConsumerKey(ctx, plan.ConsumerKey.ValueString(), plan.ApplicationLinkID.ValueString())
	if err != nil {
		addConsumerKeyInUseError(diags, err)
		return nil, false
	}
	return release, true
}

// rollBackIncoming removes an incoming consumer whose create did not
// complete (impersonation refused, say), so that nothing half-configured
// is left that the state does not know of.
func (r *oauthConsumerResource) rollBackIncoming(ctx context.Context, linkID string, diags *diag.Diagnostics) {
	err := r.client.SetIncomingOAuth(ctx, linkID, client.OAuthConfig{})
	if addOutgoingConfigLostError(diags, "The incoming consumer whose create failed was removed again", err) {
		return
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		diags.AddError("Incomplete OAuth Consumer Left Behind",
			fmt.Sprintf("The create failed after the consumer was stored, and removing it failed too, so the link %s "+
				"may hold an incoming consumer that Terraform does not manage. Disable incoming OAuth on the link in its "+
				"settings, or import the consumer.\n\n%s", linkID, err))
	}
}

func (r *oauthConsumerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state oauthConsumerResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	oauthConsumerIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	found := r.readInto(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		tflog.Debug(ctx, "OAuth consumer is gone", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *oauthConsumerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state oauthConsumerResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secret := r.sharedSecret(ctx, req.Config.GetAttribute, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecret(ctx, secret)
	tflog.Debug(ctx, "Updating OAuth consumer", map[string]any{"id": state.ID.ValueString()})
	if plan.Direction.ValueString() == directionOutgoing {
		r.writeOutgoing(ctx, &plan, secret, &resp.Diagnostics)
	} else if plan.ConsumerKey.Equal(state.ConsumerKey) {
		r.writeIncoming(ctx, &plan, &state, &resp.Diagnostics)
	} else if release, ok := r.claimConsumerKey(ctx, &plan, &resp.Diagnostics); ok {
		r.writeIncoming(ctx, &plan, &state, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			release()
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	r.readBack(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauthConsumerIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauthConsumerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauthConsumerResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	linkID := state.ApplicationLinkID.ValueString()
	var err error
	if state.Direction.ValueString() == directionOutgoing {
		// Disabling outgoing OAuth unregisters the provider that names the
		// consumer and deletes every user's access tokens for the link
		// (OAuthConfigurator.updateOutgoingConfig).
		err = r.client.DisableOutgoingOAuth(ctx, linkID)
	} else {
		// There is no DELETE for consumers; disabling incoming OAuth
		// removes the link's consumer (design/api.md §6.1).
		err = r.client.SetIncomingOAuth(ctx, linkID, client.OAuthConfig{})
		if addOutgoingConfigLostError(&resp.Diagnostics, "The incoming consumer was removed", err) {
			return
		}
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting OAuth Consumer", "remove the "+state.Direction.ValueString()+" consumer", err)
	}
}

func (r *oauthConsumerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID := oauthConsumerIdentity.importID(ctx, req, &resp.Diagnostics)
	linkID, direction, ok := strings.Cut(importID, "/")
	if !ok || !validators.IsUUID(linkID) || (direction != directionIncoming && direction != directionOutgoing) {
		resp.Diagnostics.AddError("Invalid OAuth Consumer Import ID",
			fmt.Sprintf("Import an OAuth consumer as <application_link_id>/<direction>, where direction is incoming or "+
				"outgoing, for example 2841b105-5904-3c0a-9710-1ff26ae88206/incoming; got %q.", importID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), consumerImportID(linkID, direction))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("application_link_id"), linkID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("direction"), direction)...)
}

// sharedSecret returns the outgoing consumer's secret; incoming consumers
// have none.
func (r *oauthConsumerResource) sharedSecret(ctx context.Context, getConfig func(context.Context, path.Path, any) diag.Diagnostics,
	plan *oauthConsumerResourceModel, diags *diag.Diagnostics) string {
	if plan.Direction.ValueString() != directionOutgoing {
		return ""
	}
	return consumerSharedSecret.value(ctx, getConfig, plan.SharedSecret, diags)
}

// consumerSharedSecret is an outgoing consumer's shared secret
// (design/api.md §6.1).
var consumerSharedSecret = writeOnlySecret{
	writeOnly: "shared_secret_wo",
	stored:    "shared_secret",
	summary:   "Missing Shared Secret",
	atApply: "An outgoing consumer needs its shared secret at every create and update, since the products never return " +
		"it. Set `shared_secret_wo` (with `shared_secret_wo_version`) or `shared_secret` to a value known at apply time.",
	atPlan: "An outgoing consumer needs the shared secret the service provider issued with `consumer_key` whenever " +
		"Terraform creates or changes it, since the products never return it. Set `shared_secret_wo` with " +
		"`shared_secret_wo_version` (Terraform or OpenTofu 1.11 and later), which keeps the secret out of the state, or " +
		"`shared_secret`. An imported consumer keeps the secret the instance holds until the plan changes it.",
}

// maskSecret keeps the secret out of every log line written with ctx, behind
// the client's own redaction of request bodies.
func maskSecret(ctx context.Context, secret string) context.Context {
	if secret == "" {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secret)
	return tflog.MaskMessageStrings(ctx, secret)
}

// existingConsumer returns the key of the link's consumer in the direction,
// or "".
func existingConsumer(auth *client.LinkAuthentication, direction string) string {
	if direction == directionOutgoing {
		if c, _ := auth.OutgoingConsumer(); c != nil {
			return c.Key
		}
		return ""
	}
	if c := auth.IncomingConsumer(); c != nil {
		return c.Key
	}
	return ""
}

// writeIncoming stores the incoming consumer, then sets its two-legged
// level through the status API.
//
// Impersonation is granted only through the status API, which is where
// the products require a system administrator; the consumer PUT checks no
// more than administrator rights. So the PUT carries impersonation only
// when the consumer already has it (prior is the state before an update),
// and the status call grants it, or refuses with 403. The status call also
// sets two-legged access on product versions that ignore the flags in the
// consumer PUT of a generic link.
func (r *oauthConsumerResource) writeIncoming(ctx context.Context, plan, prior *oauthConsumerResourceModel, diags *diag.Diagnostics) {
	der, problem := validators.ParseRSAPublicKey(plan.PublicKey.ValueString())
	if problem != nil {
		// Only reachable when the key was unknown at plan time.
		diags.AddAttributeError(path.Root("public_key"), problem.Summary, "public_key "+problem.Detail)
		return
	}
	linkID := plan.ApplicationLinkID.ValueString()
	twoLegged, impersonation := plan.TwoLeggedAllowed.ValueBool(), plan.ImpersonationAllowed.ValueBool()
	alreadyImpersonating := prior != nil && prior.ImpersonationAllowed.ValueBool()
	err := r.client.PutIncomingConsumer(ctx, linkID, client.Consumer{
		Key:         plan.ConsumerKey.ValueString(),
		Name:        plan.Name.ValueString(),
		Description: plan.Description.ValueString(),
		// The canonical spelling: every product version strips armour,
		// but not every one copes with line breaks in the middle.
		PublicKey:                 base64.StdEncoding.EncodeToString(der),
		Callback:                  plan.CallbackURL.ValueString(),
		TwoLOAllowed:              twoLegged || impersonation,
		ExecutingTwoLOUser:        plan.ExecuteAs.ValueString(),
		TwoLOImpersonationAllowed: impersonation && alreadyImpersonating,
	})
	if err != nil {
		addConsumerWriteError(diags, "store the incoming consumer", err)
		return
	}
	err = r.client.SetIncomingOAuth(ctx, linkID, client.OAuthConfig{
		Enabled:                   true,
		TwoLoEnabled:              twoLegged || impersonation,
		TwoLoImpersonationEnabled: impersonation,
	})
	switch {
	case err == nil:
	case addOutgoingConfigLostError(diags, "The incoming consumer was stored with its two-legged OAuth level", err):
	case impersonation && errors.Is(err, client.ErrForbidden):
		diags.AddAttributeError(path.Root("impersonation_allowed"), "Impersonation Needs a System Administrator",
			"The products let only system administrators allow a consumer to act as any user, and the provider's user is "+
				"not one (administrators are not enough). Configure the provider with a system administrator's "+
				"credentials, or set `impersonation_allowed = false`.\n\n"+err.Error())
	default:
		addConsumerWriteError(diags, "set the consumer's two-legged OAuth level", err)
	}
}

// createOutgoing is writeOutgoing's two steps the other way round: first the
// OAuth provider that names the consumer, then the consumer with its shared
// secret. The products have no way to delete a stored outgoing consumer
// (design/api.md §6.1), so the secret is sent only once the provider step has
// succeeded; a failure of either step unregisters the provider again, or
// gives back the configuration the link had before (prior), so nothing is
// left that the state does not know of.
func (r *oauthConsumerResource) createOutgoing(ctx context.Context, plan *oauthConsumerResourceModel, secret string,
	prior *client.LinkAuthentication, diags *diag.Diagnostics) {
	linkID := plan.ApplicationLinkID.ValueString()
	err := r.client.ConfigureServiceProvider(ctx, linkID, r.serviceProvider(plan))
	if err != nil {
		addConsumerWriteError(diags, "configure the service provider of the outgoing consumer; the shared secret was not sent", err)
		r.rollBackServiceProvider(ctx, linkID, prior, diags)
		return
	}
	err = r.client.PutOutgoingConsumer(ctx, linkID, r.outgoingConsumer(plan, secret))
	if err != nil {
		addConsumerWriteError(diags, "store the outgoing consumer", err)
		r.rollBackServiceProvider(ctx, linkID, prior, diags)
		if !errors.Is(err, client.ErrValidation) && !errors.Is(err, client.ErrForbidden) && !errors.Is(err, client.ErrUnauthorized) {
			diags.AddWarning("Outgoing Consumer May Be Stored Out of Reach",
				fmt.Sprintf("The instance failed while it stored the outgoing consumer %q of the link %s, and may have "+
					"stored it with its shared secret before it failed. The products offer no way to delete it: the next "+
					"apply stores it again under the same key, replacing its secret.", plan.ConsumerKey.ValueString(), linkID))
		}
	}
}

// rollBackServiceProvider gives the link's OAuth provider back the state
// it had before a create: unregistered, or its old configuration.
func (r *oauthConsumerResource) rollBackServiceProvider(ctx context.Context, linkID string, prior *client.LinkAuthentication, diags *diag.Diagnostics) {
	var err error
	if before := prior.Provider(client.ProviderOAuth); before != nil {
		err = r.client.RegisterAuthenticationProvider(ctx, linkID, client.ProviderOAuth, before.Config)
	} else {
		err = r.client.DisableOutgoingOAuth(ctx, linkID)
	}
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		diags.AddError("Incomplete OAuth Consumer Left Behind",
			fmt.Sprintf("The create failed after the outgoing OAuth provider of the link %s was configured, and undoing "+
				"that failed too, so the link's outgoing OAuth names a consumer that Terraform does not manage. Disable "+
				"outgoing OAuth on the link in its settings, or run `terraform apply` again.\n\n%s", linkID, err))
	}
}

func (r *oauthConsumerResource) serviceProvider(plan *oauthConsumerResourceModel) client.ServiceProvider {
	return client.ServiceProvider{
		ConsumerKey:     plan.ConsumerKey.ValueString(),
		RequestTokenURL: plan.RequestTokenURL.ValueString(),
		AccessTokenURL:  plan.AccessTokenURL.ValueString(),
		AuthorizeURL:    plan.AuthorizeURL.ValueString(),
	}
}

func (r *oauthConsumerResource) outgoingConsumer(plan *oauthConsumerResourceModel, secret string) client.OutgoingConsumer {
	return client.OutgoingConsumer{
		Key:          plan.ConsumerKey.ValueString(),
		Name:         plan.Name.ValueString(),
		Description:  plan.Description.ValueString(),
		SharedSecret: secret,
	}
}

// writeOutgoing updates the outgoing consumer, then the OAuth provider
// configuration that names it and the service provider's URLs. In this
// order a failed second step leaves the provider naming the consumer it
// named before, which stays reachable.
func (r *oauthConsumerResource) writeOutgoing(ctx context.Context, plan *oauthConsumerResourceModel, secret string, diags *diag.Diagnostics) {
	linkID := plan.ApplicationLinkID.ValueString()
	err := r.client.PutOutgoingConsumer(ctx, linkID, r.outgoingConsumer(plan, secret))
	if err != nil {
		addConsumerWriteError(diags, "store the outgoing consumer", err)
		return
	}
	err = r.client.ConfigureServiceProvider(ctx, linkID, r.serviceProvider(plan))
	if err != nil {
		addConsumerWriteError(diags, "configure the service provider of the outgoing consumer", err)
	}
}

// readBack reads what the server made of a write into the model and
// checks that it holds what was planned.
func (r *oauthConsumerResource) readBack(ctx context.Context, plan *oauthConsumerResourceModel, diags *diag.Diagnostics) {
	got := *plan
	found := r.readInto(ctx, &got, diags)
	switch {
	case diags.HasError():
		return
	case !found:
		diags.AddError("OAuth Consumer Not Found After Writing",
			fmt.Sprintf("The instance accepted the %s consumer but does not list it on the link %s. Another change "+
				"to the link's OAuth settings may have run at the same time; run `terraform apply` again.",
				plan.Direction.ValueString(), plan.ApplicationLinkID.ValueString()))
		return
	}
	if differences := consumerDifferences(plan, &got); len(differences) > 0 {
		diags.AddError("OAuth Consumer Not Stored as Configured",
			fmt.Sprintf("The instance stored the consumer with %s. This product version may not support these "+
				"settings through its REST API; configure them in the link's settings instead, or change the "+
				"configuration to match.", strings.Join(differences, ", ")))
		return
	}
	*plan = got
}

func consumerDifferences(want, got *oauthConsumerResourceModel) []string {
	var differences []string
	for _, a := range []struct {
		name      string
		want, got attr.Value
	}{
		{"consumer_key", want.ConsumerKey, got.ConsumerKey},
		{"name", want.Name, got.Name},
		{"description", want.Description, got.Description},
		{"callback_url", want.CallbackURL, got.CallbackURL},
		{"two_legged_allowed", want.TwoLeggedAllowed, got.TwoLeggedAllowed},
		{"execute_as", want.ExecuteAs, got.ExecuteAs},
		{"impersonation_allowed", want.ImpersonationAllowed, got.ImpersonationAllowed},
		{"request_token_url", want.RequestTokenURL, got.RequestTokenURL},
		{"access_token_url", want.AccessTokenURL, got.AccessTokenURL},
		{"authorize_url", want.AuthorizeURL, got.AuthorizeURL},
	} {
		if !a.want.Equal(a.got) {
			differences = append(differences, fmt.Sprintf("`%s` = %s instead of %s", a.name, a.got, a.want))
		}
	}
	return differences
}

// readInto reads the consumer the model names into it and reports whether
// it exists. A deleted link means a deleted consumer.
func (r *oauthConsumerResource) readInto(ctx context.Context, m *oauthConsumerResourceModel, diags *diag.Diagnostics) bool {
	linkID, direction := m.ApplicationLinkID.ValueString(), m.Direction.ValueString()
	auth, err := r.client.LinkAuthentication(ctx, linkID)
	if errors.Is(err, client.ErrNotFound) {
		return false
	}
	if err != nil {
		addAPIError(diags, "Error Reading OAuth Consumer", "read the application link's OAuth consumers", err)
		return false
	}
	m.ID = types.StringValue(consumerImportID(linkID, direction))
	if direction == directionOutgoing {
		consumer, provider := auth.OutgoingConsumer()
		if consumer == nil {
			return false
		}
		fillOutgoing(m, consumer, client.ServiceProviderFromConfig(provider.Config))
		return true
	}
	consumer := auth.IncomingConsumer()
	if consumer == nil {
		return false
	}
	fillIncoming(m, consumer)
	return true
}

// fillIncoming maps an incoming consumer onto the model. The public key's
// type keeps the plan's or state's spelling when it is the same key.
func fillIncoming(m *oauthConsumerResourceModel, c *client.Consumer) {
	m.ConsumerKey = types.StringValue(c.Key)
	m.Name = types.StringValue(c.Name)
	m.Description = stringOrNull(c.Description)
	m.PublicKey = customtypes.RSAPublicKey{StringValue: stringOrNull(c.PublicKey)}
	m.CallbackURL = stringOrNull(c.Callback)
	m.TwoLeggedAllowed = types.BoolValue(c.TwoLOAllowed)
	m.ExecuteAs = stringOrNull(c.ExecutingTwoLOUser)
	m.ImpersonationAllowed = types.BoolValue(c.TwoLOImpersonationAllowed)
	m.SharedSecret, m.SharedSecretWO, m.SharedSecretWOVersion = types.StringNull(), types.StringNull(), types.Int64Null()
	m.RequestTokenURL, m.AccessTokenURL, m.AuthorizeURL = types.StringNull(), types.StringNull(), types.StringNull()
}

// fillOutgoing maps an outgoing consumer and its service provider onto the
// model. The shared secret is never returned, so the model keeps its own.
func fillOutgoing(m *oauthConsumerResourceModel, c *client.Consumer, sp client.ServiceProvider) {
	m.ConsumerKey = types.StringValue(c.Key)
	m.Name = types.StringValue(c.Name)
	m.Description = stringOrNull(c.Description)
	m.RequestTokenURL = stringOrNull(sp.RequestTokenURL)
	m.AccessTokenURL = stringOrNull(sp.AccessTokenURL)
	m.AuthorizeURL = stringOrNull(sp.AuthorizeURL)
	m.SharedSecretWO = types.StringNull()
	m.PublicKey, m.CallbackURL, m.ExecuteAs = customtypes.NewRSAPublicKeyNull(), types.StringNull(), types.StringNull()
	m.TwoLeggedAllowed, m.ImpersonationAllowed = types.BoolNull(), types.BoolNull()
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
