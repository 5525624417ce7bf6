package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ resource.Resource                = (*oauth2OutgoingLinkResource)(nil)
	_ resource.ResourceWithConfigure   = (*oauth2OutgoingLinkResource)(nil)
	_ resource.ResourceWithImportState = (*oauth2OutgoingLinkResource)(nil)
)

// oauth2ProviderTypes are the kinds of external provider the admin page
// offers (design/api.md §10.5; Inferred wire values).
var oauth2ProviderTypes = vocabulary[string]{terms: []term[string]{
	{"google", "GOOGLE", "Google's authorisation server"},
	{"microsoft", "MICROSOFT", "Microsoft's identity platform"},
	{"custom", "STANDARD", "any other OAuth 2.0 provider, another Atlassian instance included"},
}}

// redirectSuffixPattern keeps a suffix one path segment.
var redirectSuffixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// NewOAuth2OutgoingLinkResource returns the applinks_oauth2_outgoing_link
// resource.
func NewOAuth2OutgoingLinkResource() resource.Resource {
	return &oauth2OutgoingLinkResource{}
}

type oauth2OutgoingLinkResource struct {
	client *client.Client
}

type oauth2OutgoingLinkResourceModel struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	Description           types.String `tfsdk:"description"`
	ProviderType          types.String `tfsdk:"provider_type"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
	AuthorizationEndpoint types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint         types.String `tfsdk:"token_endpoint"`
	Scopes                types.List   `tfsdk:"scopes"`
	RedirectURISuffix     types.String `tfsdk:"redirect_uri_suffix"`
	RedirectURI           types.String `tfsdk:"redirect_uri"`
}

func (r *oauth2OutgoingLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth2_outgoing_link"
}

func (r *oauth2OutgoingLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An outgoing OAuth 2.0 link: this instance as the OAuth 2.0 client of an external " +
			"authorisation server (*Application links → Create link → External application → Outgoing*), such as " +
			"Google or Microsoft for a mail server, or another Atlassian instance's `applinks_oauth2_client`. Register " +
			"`redirect_uri` at the provider; an administrator then authorises the link once on the instance's page, " +
			"and the instance keeps the token. Needs Jira 8.22, Confluence 7.17, Bitbucket 7.20 or later.\n\n" +
			"The client secret is sent to the instance and never read back: set `client_secret_wo` with " +
			"`client_secret_wo_version` (Terraform or OpenTofu 1.11 and later) to keep it out of the state, or `client_secret`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The instance's id of the configuration, the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the outgoing link. Unique on the instance.",
				Required:            true,
				Validators:          []validator.String{notBlank},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "A description of the link.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"provider_type": schema.StringAttribute{
				MarkdownDescription: "The kind of provider, one of " + oauth2ProviderTypes.MarkdownList() + ".",
				Required:            true,
				Validators:          []validator.String{oauth2ProviderTypes.Validator()},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client id the provider issued to this instance.",
				Required:            true,
				Validators:          []validator.String{notBlank},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client secret the provider issued. It is stored in the Terraform state; with " +
					"Terraform or OpenTofu 1.11 and later prefer `client_secret_wo`. The instance never returns it, so a change made " +
					"outside Terraform is not detected.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.ConflictsWith(path.MatchRoot("client_secret_wo"))},
			},
			"client_secret_wo": schema.StringAttribute{
				MarkdownDescription: "The client secret as a write-only value (Terraform or OpenTofu 1.11 and later): sent to the " +
					"instance but never stored in the plan or state. Change `client_secret_wo_version` to send a new " +
					"secret; changing this value alone does nothing.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("client_secret_wo_version"))},
			},
			"client_secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number that changes whenever `client_secret_wo` should be sent again, such as a " +
					"rotation counter.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("client_secret_wo"))},
			},
			"authorization_endpoint": schema.StringAttribute{
				MarkdownDescription: "The provider's authorization endpoint, an absolute `http(s)` URL; for another " +
					"Atlassian instance `<its base URL>/rest/oauth2/latest/authorize`.",
				Required:   true,
				Validators: []validator.String{validators.AbsoluteURL()},
			},
			"token_endpoint": schema.StringAttribute{
				MarkdownDescription: "The provider's token endpoint, an absolute `http(s)` URL; for another Atlassian " +
					"instance `<its base URL>/rest/oauth2/latest/token`.",
				Required:   true,
				Validators: []validator.String{validators.AbsoluteURL()},
			},
			"scopes": schema.ListAttribute{
				MarkdownDescription: "The scopes to ask the provider for, in its own words (for another Atlassian " +
					"instance one of `READ`, `WRITE`, `ADMIN`, `SYSTEM_ADMIN`). Defaults to none.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.List{listvalidator.ValueStringsAre(notBlank), listvalidator.UniqueValues()},
			},
			"redirect_uri_suffix": schema.StringAttribute{
				MarkdownDescription: "The last segment of `redirect_uri`. Left unset, the instance picks a random one; " +
					"set it (for example from a `random_id`) when the provider's registration of `redirect_uri` must be " +
					"known before this link exists, as between two instances managed in one configuration.",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.RegexMatches(redirectSuffixPattern, "must be letters, digits, `-` or `_`")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"redirect_uri": schema.StringAttribute{
				MarkdownDescription: "The redirect URI the instance computed for this link: register it at the provider " +
					"(for another Atlassian instance, as a `redirect_urls` entry of its `applinks_oauth2_client`).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *oauth2OutgoingLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

func (r *oauth2OutgoingLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan oauth2OutgoingLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := oauth2ClientSecret.value(ctx, req.Config.GetAttribute, plan.ClientSecret, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecret(ctx, secret)
	// The name is checked first, so that a duplicate is refused before a
	// redirect suffix is handed out.
	if existing, err := r.client.OAuth2ConfigByName(ctx, plan.Name.ValueString()); err != nil {
		addOAuth2OutgoingError(&resp.Diagnostics, "Error Creating OAuth 2.0 Outgoing Link", "look the name up", err)
		return
	} else if existing != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Error Creating OAuth 2.0 Outgoing Link",
			fmt.Sprintf("The instance already has an outgoing OAuth 2.0 link named %q (id %s). Choose another `name`, or "+
				"bring the existing one under Terraform with `terraform import <address> %s`.", existing.Name, existing.ID, existing.ID))
		return
	}
	in := r.input(ctx, &plan, secret, &resp.Diagnostics)
	if in.RedirectURISuffix == "" {
		_, suffix, err := r.client.OAuth2RedirectURI(ctx, plan.AuthorizationEndpoint.ValueString())
		if err != nil {
			addOAuth2OutgoingError(&resp.Diagnostics, "Error Creating OAuth 2.0 Outgoing Link", "get a redirect URI for the link", err)
			return
		}
		in.RedirectURISuffix = suffix
	}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Creating OAuth 2.0 outgoing link", map[string]any{"name": in.Name})
	created, adopted, err := r.client.CreateOAuth2ConfigOnce(ctx, in)
	if err != nil {
		addOAuth2CreateError(&resp.Diagnostics, "Error Creating OAuth 2.0 Outgoing Link", "create the outgoing OAuth 2.0 link", err,
			addOAuth2OutgoingError)
		return
	}
	if adopted {
		tflog.Debug(ctx, "The answer to creating the outgoing link was lost; the configuration it made is adopted", map[string]any{"id": created.ID})
	}
	r.fill(ctx, &plan, created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauth2OutgoingLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauth2OutgoingLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	oauth2OutgoingLinkIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	var state oauth2OutgoingLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := r.client.OAuth2Config(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "OAuth 2.0 outgoing link is gone", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addOAuth2OutgoingError(&resp.Diagnostics, "Error Reading OAuth 2.0 Outgoing Link", "read the outgoing OAuth 2.0 link", err)
		return
	}
	r.fill(ctx, &state, found, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *oauth2OutgoingLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state oauth2OutgoingLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secret := oauth2ClientSecret.value(ctx, req.Config.GetAttribute, plan.ClientSecret, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecret(ctx, secret)
	in := r.input(ctx, &plan, secret, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := r.client.UpdateOAuth2Config(ctx, state.ID.ValueString(), in)
	if err != nil {
		addOAuth2OutgoingError(&resp.Diagnostics, "Error Updating OAuth 2.0 Outgoing Link", "update the outgoing OAuth 2.0 link", err)
		return
	}
	r.fill(ctx, &plan, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauth2OutgoingLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauth2OutgoingLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauth2OutgoingLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteOAuth2Config(ctx, state.ID.ValueString()); err != nil && !errors.Is(err, client.ErrNotFound) {
		addOAuth2OutgoingError(&resp.Diagnostics, "Error Deleting OAuth 2.0 Outgoing Link", "delete the outgoing OAuth 2.0 link", err)
	}
}

func (r *oauth2OutgoingLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := oauth2OutgoingLinkIdentity.importID(ctx, req, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// oauth2ClientSecret is an outgoing OAuth 2.0 link's client secret
// (design/api.md §10.5).
var oauth2ClientSecret = writeOnlySecret{
	writeOnly: "client_secret_wo",
	stored:    "client_secret",
	summary:   "Missing Client Secret",
	atApply: "An outgoing OAuth 2.0 link needs its client secret at every create and update, since the instance never " +
		"returns it. Set `client_secret_wo` (with `client_secret_wo_version`) or `client_secret` to a value known at apply time.",
	atPlan: "An outgoing OAuth 2.0 link needs the client secret the provider issued whenever Terraform creates or changes " +
		"it, since the instance never returns it. Set `client_secret_wo` with `client_secret_wo_version` (Terraform " +
		"or OpenTofu 1.11 and later), which keeps it out of the state, or `client_secret`. An imported link keeps the secret the " +
		"instance holds until the plan changes it.",
}

func (r *oauth2OutgoingLinkResource) input(ctx context.Context, m *oauth2OutgoingLinkResourceModel, secret string, diags *diag.Diagnostics) client.OAuth2ConfigInput {
	scopes := []string{}
	if !m.Scopes.IsNull() {
		diags.Append(m.Scopes.ElementsAs(ctx, &scopes, false)...)
	}
	return client.OAuth2ConfigInput{
		Name: m.Name.ValueString(), Description: m.Description.ValueString(),
		Type: wireOrName(oauth2ProviderTypes, m.ProviderType.ValueString()), ClientID: m.ClientID.ValueString(),
		ClientSecret: secret, AuthorizationEndpoint: m.AuthorizationEndpoint.ValueString(),
		TokenEndpoint: m.TokenEndpoint.ValueString(), Scopes: scopes,
		RedirectURISuffix: m.RedirectURISuffix.ValueString(),
	}
}

// fill maps the API's configuration onto the model; the secret attributes
// are the user's, as the instance never returns the secret.
func (r *oauth2OutgoingLinkResource) fill(ctx context.Context, m *oauth2OutgoingLinkResourceModel, c *client.OAuth2Config, diags *diag.Diagnostics) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Description = types.StringNull()
	if c.Description != "" {
		m.Description = types.StringValue(c.Description)
	}
	m.ProviderType = types.StringValue(nameOrWire(oauth2ProviderTypes, c.Type))
	m.ClientID = types.StringValue(c.ClientID)
	m.AuthorizationEndpoint = types.StringValue(c.AuthorizationEndpoint)
	m.TokenEndpoint = types.StringValue(c.TokenEndpoint)
	// An empty list and no scopes are the same to the instance; keep what
	// the configuration said.
	if len(c.Scopes) > 0 || !m.Scopes.IsNull() {
		scopes, d := types.ListValueFrom(ctx, types.StringType, nonNil(c.Scopes))
		diags.Append(d...)
		m.Scopes = scopes
	}
	m.RedirectURISuffix = types.StringValue(c.RedirectURISuffix)
	m.RedirectURI = types.StringValue(c.RedirectURI(r.client.BaseURL()))
	m.ClientSecretWO = types.StringNull()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// oauth2OutgoingFields maps the fields the server names to attributes.
var oauth2OutgoingFields = map[string]string{
	"name": "name", "type": "provider_type", "clientId": "client_id", "clientSecret": "client_secret_wo",
	"authorizationEndpoint": "authorization_endpoint", "tokenEndpoint": "token_endpoint",
}

func addOAuth2OutgoingError(diags *diag.Diagnostics, summary, action string, err error) {
	var apiErr *client.APIError
	errors.As(err, &apiErr)
	switch {
	case apiErr != nil && apiErr.StatusCode == http.StatusBadRequest && oauth2OutgoingFields[apiErr.Field] != "":
		attribute := oauth2OutgoingFields[apiErr.Field]
		diags.AddAttributeError(path.Root(attribute), summary,
			fmt.Sprintf("The instance refused `%s`. Correct it and apply again.\n\n%s", attribute, err.Error()))
	case errors.Is(err, client.ErrForbidden) || errors.Is(err, client.ErrUnauthorized) && !errors.Is(err, client.ErrBadCredentials):
		diags.AddError(summary, "The provider could not "+action+": outgoing OAuth 2.0 links can only be managed by an "+
			"administrator, and the provider's user is not one. Configure the provider with an administrator's "+
			"credentials.\n\n"+err.Error())
	default:
		addAPIError(diags, summary, action, err)
	}
}
