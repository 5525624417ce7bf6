package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ resource.Resource                = (*oauth2ClientResource)(nil)
	_ resource.ResourceWithConfigure   = (*oauth2ClientResource)(nil)
	_ resource.ResourceWithImportState = (*oauth2ClientResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*oauth2ClientResource)(nil)
)

// oauth2Scopes are the scopes of an incoming client (design/api.md §10.3),
// lowest first, in the products' own words.
var oauth2Scopes = vocabulary[string]{terms: []term[string]{
	{"READ", "READ", "read data the user can see"},
	{"WRITE", "WRITE", "also change it"},
	{"ADMIN", "ADMIN", "also call the administrators' APIs, if the user is an administrator"},
	{"SYSTEM_ADMIN", "SYSTEM_ADMIN", "also call the system administrators' APIs, if the user is one"},
}}

// NewOAuth2ClientResource returns the applinks_oauth2_client resource.
func NewOAuth2ClientResource() resource.Resource {
	return &oauth2ClientResource{}
}

type oauth2ClientResource struct {
	client *client.Client
}

type oauth2ClientResourceModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	RedirectURLs  types.List   `tfsdk:"redirect_urls"`
	Scope         types.String `tfsdk:"scope"`
	ClientID      types.String `tfsdk:"client_id"`
	ClientSecret  types.String `tfsdk:"client_secret"`
	SecretVersion types.Int64  `tfsdk:"secret_version"`
}

func (r *oauth2ClientResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth2_client"
}

func (r *oauth2ClientResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An incoming OAuth 2.0 link: an external application, such as a CI server, registered as " +
			"an OAuth 2.0 client of this instance (*Application links → Create link → External application → Incoming*). " +
			"The application sends its users to the instance's `/rest/oauth2/latest/authorize` endpoint and redeems " +
			"the code at `/rest/oauth2/latest/token` with `client_id` and `client_secret`; its tokens then act as the " +
			"user who consented, never beyond `scope`. Needs Jira 8.22, Confluence 7.17, Bitbucket 7.20 or later, and a " +
			"provider configured as a system administrator.\n\n" +
			"The client secret is kept in the Terraform state (marked sensitive); to hand it to another provider " +
			"without a second copy in state, read it with the `applinks_oauth2_client_secret` ephemeral resource. " +
			"Rotate it by changing `secret_version`: the instance issues a new secret for the same `client_id`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The instance's id of the client, the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the incoming link, shown to users when they consent. Unique on the instance.",
				Required:            true,
				Validators:          []validator.String{notBlank},
			},
			"redirect_urls": schema.ListAttribute{
				MarkdownDescription: "The application's redirect (callback) URLs. The authorize step accepts only a " +
					"`redirect_uri` equal to one of them. The products require `https://` URLs unless the instance runs " +
					"with the system property `" + client.PropertySkipRedirectURLHTTPS + "=true`.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(validators.AbsoluteURL()),
				},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "What the application's tokens may do, one of " + oauth2Scopes.MarkdownList() +
					". Each includes the ones before it, and a token never does more than the user who consented may.",
				Required:   true,
				Validators: []validator.String{oauth2Scopes.Validator()},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client id the instance issued, for the application's configuration. It never changes.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client secret the instance issued. Sensitive, and stored in the state; it changes " +
					"when `secret_version` does, or when an administrator resets it on the instance.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; changing it has the instance issue a new `client_secret` for the same " +
					"`client_id`, and the old secret stops working at once. Defaults to `0`.",
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(0),
			},
		},
	}
}

func (r *oauth2ClientResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

// ModifyPlan marks the secret unknown when secret_version changes, since the
// update will replace it.
func (r *oauth2ClientResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state oauth2ClientResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || plan.SecretVersion.Equal(state.SecretVersion) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_secret"), types.StringUnknown())...)
}

func (r *oauth2ClientResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan oauth2ClientResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	in := r.input(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Creating OAuth 2.0 client", map[string]any{"name": in.Name})
	created, adopted, err := r.client.CreateOAuth2ClientOnce(ctx, in)
	if err != nil {
		addOAuth2CreateError(&resp.Diagnostics, "Error Creating OAuth 2.0 Client", "create the incoming OAuth 2.0 client", err,
			addOAuth2ClientError)
		return
	}
	if adopted {
		tflog.Debug(ctx, "The answer to creating the OAuth 2.0 client was lost; the client it made is adopted", map[string]any{"id": created.ID})
	}
	ctx = maskSecret(ctx, created.ClientSecret)
	r.fill(ctx, &plan, created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauth2ClientIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauth2ClientResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	oauth2ClientIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	var state oauth2ClientResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := r.client.OAuth2Client(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		tflog.Debug(ctx, "OAuth 2.0 client is gone", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addOAuth2ClientError(&resp.Diagnostics, "Error Reading OAuth 2.0 Client", "read the incoming OAuth 2.0 client", err)
		return
	}
	ctx = maskSecret(ctx, found.ClientSecret)
	r.fill(ctx, &state, found, &resp.Diagnostics)
	if state.SecretVersion.IsNull() {
		state.SecretVersion = types.Int64Value(0) // after an import
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *oauth2ClientResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state oauth2ClientResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	in := r.input(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := r.client.UpdateOAuth2Client(ctx, state.ID.ValueString(), in)
	if err != nil {
		addOAuth2ClientError(&resp.Diagnostics, "Error Updating OAuth 2.0 Client", "update the incoming OAuth 2.0 client", err)
		return
	}
	if !plan.SecretVersion.Equal(state.SecretVersion) {
		tflog.Debug(ctx, "Resetting OAuth 2.0 client secret", map[string]any{"id": state.ID.ValueString()})
		if updated, err = r.client.ResetOAuth2ClientSecretOnce(ctx, updated.ID, updated.ClientID, state.ClientSecret.ValueString()); err != nil {
			addOAuth2ClientError(&resp.Diagnostics, "Error Rotating OAuth 2.0 Client Secret",
				"reset the client secret (the name, redirect URLs and scope were updated; apply again to rotate the secret)", err)
			// The other changes were made: keep them, with the old secret
			// and version, so that the next plan retries only the reset.
			plan.SecretVersion = state.SecretVersion
			plan.ClientSecret = state.ClientSecret
			plan.ClientID = state.ClientID
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			oauth2ClientIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
			return
		}
	}
	ctx = maskSecret(ctx, updated.ClientSecret)
	r.fill(ctx, &plan, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	oauth2ClientIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *oauth2ClientResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauth2ClientResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteOAuth2Client(ctx, state.ID.ValueString()); err != nil && !errors.Is(err, client.ErrNotFound) {
		addOAuth2ClientError(&resp.Diagnostics, "Error Deleting OAuth 2.0 Client", "delete the incoming OAuth 2.0 client", err)
	}
}

func (r *oauth2ClientResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := oauth2ClientIdentity.importID(ctx, req, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

func (r *oauth2ClientResource) input(ctx context.Context, m *oauth2ClientResourceModel, diags *diag.Diagnostics) client.OAuth2ClientInput {
	var redirects []string
	diags.Append(m.RedirectURLs.ElementsAs(ctx, &redirects, false)...)
	return client.OAuth2ClientInput{Name: m.Name.ValueString(), Redirects: redirects, Scope: wireOrName(oauth2Scopes, m.Scope.ValueString())}
}

// fill maps the API's client onto the model; secret_version is the user's.
func (r *oauth2ClientResource) fill(ctx context.Context, m *oauth2ClientResourceModel, c *client.OAuth2Client, diags *diag.Diagnostics) {
	redirects, d := types.ListValueFrom(ctx, types.StringType, c.Redirects)
	diags.Append(d...)
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.RedirectURLs = redirects
	m.Scope = types.StringValue(nameOrWire(oauth2Scopes, c.Scope))
	m.ClientID = types.StringValue(c.ClientID)
	m.ClientSecret = types.StringValue(c.ClientSecret)
}

// oauth2ClientFields maps the fields the server names to attributes.
var oauth2ClientFields = map[string]string{"name": "name", "redirects": "redirect_urls", "scope": "scope"}

// addOAuth2ClientError words the refusals an incoming client meets: a
// validation naming its field, an HTTP redirect URL while the instance
// requires HTTPS, and a provider user who is no system administrator.
func addOAuth2ClientError(diags *diag.Diagnostics, summary, action string, err error) {
	var apiErr *client.APIError
	errors.As(err, &apiErr)
	switch {
	case apiErr != nil && apiErr.StatusCode == http.StatusBadRequest && oauth2ClientFields[apiErr.Field] != "":
		attribute := oauth2ClientFields[apiErr.Field]
		fix := "Correct `" + attribute + "` and apply again."
		switch {
		case attribute == "redirect_urls" && strings.Contains(strings.Join(apiErr.Messages, " "), "HTTPS"):
			fix = "The instance requires `https://` redirect URLs: use one, or start the instance with the system property `" +
				client.PropertySkipRedirectURLHTTPS + "=true` (for staging and development only)."
		case attribute == "name":
			fix = "Incoming links need unique, non-blank names: choose another `name`, or import the existing client " +
				"with `terraform import`."
		}
		diags.AddAttributeError(path.Root(attribute), summary,
			fmt.Sprintf("The instance refused `%s`. %s\n\n%s", attribute, fix, err.Error()))
	case errors.Is(err, client.ErrForbidden) || errors.Is(err, client.ErrUnauthorized) && !errors.Is(err, client.ErrBadCredentials):
		diags.AddError(summary, "The provider could not "+action+": incoming OAuth 2.0 clients can only be managed by a "+
			"system administrator, and the provider's user is not one. Configure the provider with a system "+
			"administrator's credentials.\n\n"+err.Error())
	default:
		addAPIError(diags, summary, action, err)
	}
}

// addOAuth2CreateError words a failed create of either OAuth 2.0 resource:
// a lost answer after which nothing of the name was found, an object of the
// name the create cannot be shown to have made (reported, neither adopted
// nor deleted), or else the resource's own refusals.
func addOAuth2CreateError(diags *diag.Diagnostics, summary, action string, err error,
	otherwise func(diags *diag.Diagnostics, summary, action string, err error)) {
	var conflict *client.OAuth2ConflictError
	switch {
	case errors.As(err, &conflict):
		diags.AddAttributeError(path.Root("name"), summary, fmt.Sprintf("The answer to the create was lost, and the "+
			"instance now holds an %s named %q (id %s) that this create cannot be shown to have made: it %s. Another "+
			"workspace or an administrator may have made it at the same moment. Terraform neither adopted nor deleted it, "+
			"and this resource was not created. If it is the one this configuration means, import it (`terraform import "+
			"<address> %s`); otherwise choose another `name`.\n\n%s",
			conflict.Kind, conflict.Name, conflict.ID, conflict.Why, conflict.ID, err.Error()))
	case errors.Is(err, client.ErrOutcomeUnknown):
		diags.AddError(summary, "The provider could not "+action+": the answer to the create was lost, and the provider "+
			"found nothing of this `name` on the instance afterwards, or could not look, as the error below says. Run "+
			"`terraform apply` again; if the instance shows one of this `name` meanwhile, import it instead.\n\n"+err.Error())
	default:
		otherwise(diags, summary, action, err)
	}
}
