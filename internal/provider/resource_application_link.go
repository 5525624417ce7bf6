package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
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
	_ resource.Resource                   = (*applicationLinkResource)(nil)
	_ resource.ResourceWithConfigure      = (*applicationLinkResource)(nil)
	_ resource.ResourceWithImportState    = (*applicationLinkResource)(nil)
	_ resource.ResourceWithValidateConfig = (*applicationLinkResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*applicationLinkResource)(nil)
)

// NewApplicationLinkResource returns the applinks_application_link resource.
func NewApplicationLinkResource() resource.Resource {
	return &applicationLinkResource{}
}

type applicationLinkResource struct {
	client *client.Client
	claims *planClaims
}

type applicationLinkResourceModel struct {
	ID                      types.String        `tfsdk:"id"`
	Type                    types.String        `tfsdk:"type"`
	Name                    types.String        `tfsdk:"name"`
	RPCURL                  customtypes.LinkURL `tfsdk:"rpc_url"`
	DisplayURL              customtypes.LinkURL `tfsdk:"display_url"`
	Primary                 types.Bool          `tfsdk:"primary"`
	ApplicationID           types.String        `tfsdk:"application_id"`
	Incoming                types.String        `tfsdk:"incoming"`
	Outgoing                types.String        `tfsdk:"outgoing"`
	RelocateWhenUnreachable types.Bool          `tfsdk:"relocate_when_unreachable"`
	System                  types.Bool          `tfsdk:"system"`
	LegacyAuthentication    types.List          `tfsdk:"legacy_authentication"`
}

const genericType = "generic"

func (r *applicationLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application_link"
}

func (r *applicationLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	levelDescription := func(direction, meaning string) string {
		return "OAuth level for " + meaning + ": " + oauthLevels.MarkdownList() + ". Defaults to `oauth` (three-legged and " +
			"two-legged OAuth, as the products configure new links since AppLinks 4) for Atlassian peers. " +
			"`oauth_impersonation` needs a system administrator and lets the peer act as any user, so both servers " +
			"must share one user base. Generic links take no level: configure their consumers with " +
			"`applinks_oauth_consumer`. Set the peer's `" + mirrorDirection(direction) + "` to the same level on its own link."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An application link from the instance the provider is configured for to a peer: another " +
			"Atlassian product or a generic application. Changing `rpc_url` relocates the link in place, keeping its id, " +
			"its entity links and its users' OAuth tokens; only a change of `type` or `application_id` replaces it. " +
			"Deleting the resource removes this side of the link only: manage the peer's reverse link with a provider " +
			"block for the peer. A link belongs in one resource address: the provider refuses a plan in which two " +
			"addresses hold the same link id in their state (for example after importing it twice); `terraform state rm` " +
			"one of them.\n\n" +
			"The products have no idempotency keys. When the answer to a create is lost (a gateway error, a dropped " +
			"connection), the provider adopts the link with the planned id only if it holds everything the create sent " +
			"and was not there just before; a link with that id and another name or URL, which another workspace " +
			"linking the same application makes, fails the apply naming it, and is neither adopted nor deleted. An " +
			"identical link another workspace created in the same seconds cannot be told apart and is adopted with a " +
			"warning; a link adopted so is never deleted if completing it fails. Manage each link from one workspace.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The link id: the peer's server id for Atlassian peers, derived from `rpc_url` for generic links.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "The peer's product: one of " + productTypes.MarkdownList() + ". Changing it replaces the link. " +
					"It must be the product the peer's manifest at `rpc_url` reports, or the create fails naming both: " +
					"unlike the products' wizard, which takes it from the manifest, the configuration says what it links to.",
				Required:      true,
				Validators:    []validator.String{productTypes.Validator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The link's name, shown to users. It must be unique on the instance.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), notBlank},
			},
			"rpc_url": schema.StringAttribute{
				MarkdownDescription: "The URL the instance uses to reach the peer, including any context path. Changing it " +
					"relocates the link in place; another spelling of the same URL (the case of the scheme or host, the " +
					"default port, trailing slashes) is stored without a relocation. Two links of one configuration may " +
					"not reach one application.",
				Required:   true,
				CustomType: customtypes.LinkURLType{},
				Validators: []validator.String{validators.HTTPURL()},
			},
			"display_url": schema.StringAttribute{
				MarkdownDescription: "The URL users' browsers use to reach the peer. Defaults to `rpc_url`.",
				Optional:            true,
				Computed:            true,
				CustomType:          customtypes.LinkURLType{},
				Validators:          []validator.String{validators.HTTPURL()},
				PlanModifiers:       []planmodifier.String{planmodifiers.DefaultToAttribute(path.Root("rpc_url"))},
			},
			"primary": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the primary link of its type, which the products use when a feature " +
					"needs one link of a type. `true` makes it primary; leave it unset to keep what the server decided " +
					"(the first link of a type is always primary). A link stops being primary only when another " +
					"link of its type becomes primary. Set `true` on one link of a type only: making one primary demotes " +
					"the other, so two would take the flag from each other on every apply. The provider refuses two in " +
					"one configuration; it cannot see another workspace, so two workspaces that each make a link of the " +
					"same type primary on one instance flip it on every apply.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "The peer's server id, which becomes the link id. When unset, the instance itself " +
					"fetches the peer's manifest from `rpc_url` (so only the servers need to reach each other); a " +
					"generic link's id is derived from `rpc_url`, and its `application_id` stays null unless set. Set it, for example from the peer's " +
					"`applinks_server` data source, when the instance cannot reach the peer yet. Changing it replaces the link.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validators.UUID()},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIfConfigured(),
					stringplanmodifier.UseStateForUnknown(),
					derivedApplicationID(),
				},
			},
			"incoming": schema.StringAttribute{
				MarkdownDescription: levelDescription("incoming", "requests from the peer to this instance"),
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{oauthLevels.Validator()},
				PlanModifiers:       []planmodifier.String{defaultOAuthLevel()},
			},
			"outgoing": schema.StringAttribute{
				MarkdownDescription: levelDescription("outgoing", "requests from this instance to the peer"),
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{oauthLevels.Validator()},
				PlanModifiers:       []planmodifier.String{defaultOAuthLevel()},
			},
			"relocate_when_unreachable": schema.BoolAttribute{
				MarkdownDescription: "When `rpc_url` changes to a URL that does not answer, relocate the link anyway " +
					"(the products' \"Relocate anyway\"). Without it such a change fails, so a typo cannot break a " +
					"working link. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"system": schema.BoolAttribute{
				MarkdownDescription: "Whether the product created the link for its own use; system links need a system " +
					"administrator to change.",
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"legacy_authentication": schema.ListAttribute{
				MarkdownDescription: "Legacy authentication still configured on the link for outgoing requests: " +
					"`basic` (HTTP Basic) or `trusted_applications`. The products no longer recommend them; " +
					"replace them with OAuth.",
				Computed:      true,
				ElementType:   types.StringType,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func mirrorDirection(direction string) string {
	if direction == "incoming" {
		return "outgoing"
	}
	return "incoming"
}

func (r *applicationLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
	if data, ok := req.ProviderData.(*resourceData); ok {
		r.claims = data.claims
	}
}

func (r *applicationLinkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config applicationLinkResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, direction := range []struct {
		name  string
		value types.String
	}{{"incoming", config.Incoming}, {"outgoing", config.Outgoing}} {
		if direction.value.IsNull() || direction.value.IsUnknown() {
			continue
		}
		attribute := path.Root(direction.name)
		switch {
		case config.Type.ValueString() == genericType:
			resp.Diagnostics.AddAttributeError(attribute, "OAuth Level on a Generic Link",
				"A generic application link takes no OAuth level: the products set the level only between Atlassian "+
					"applications, which exchange their consumers themselves. Remove `"+direction.name+"` and configure "+
					"the application's consumer with an applinks_oauth_consumer resource.")
		case direction.value.ValueString() == oauthLevel3LO:
			resp.Diagnostics.AddAttributeWarning(attribute, "Three-Legged OAuth Only",
				"With `oauth_3lo` the link has no two-legged OAuth, which the products' link status reports as an "+
					"unsupported configuration (AUTH_LEVEL_UNSUPPORTED) and which breaks features that call the peer "+
					"without a user. Use `oauth` unless you know you need this.")
		case direction.value.ValueString() == oauthLevelImpersonation:
			resp.Diagnostics.AddAttributeWarning(attribute, "OAuth With Impersonation",
				"With `oauth_impersonation` the peer can act as any user of this instance without their consent. "+
					"Use it only when both servers share one user base and trust each other fully. Setting it needs a "+
					"system administrator's credentials.")
		}
	}
}

func (r *applicationLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.claimPlan(ctx, req, resp)
	r.warnAboutCloudPeer(ctx, req, resp)
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state applicationLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var legacy []string
	resp.Diagnostics.Append(state.LegacyAuthentication.ElementsAs(ctx, &legacy, false)...)
	if len(legacy) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("legacy_authentication"), "Legacy Authentication on Application Link",
			fmt.Sprintf("The link %q still uses %s for outgoing requests. The products no longer recommend it: "+
				"configure OAuth on both sides (`incoming` and `outgoing`), then remove the legacy authentication in "+
				"the link's settings.", state.Name.ValueString(), strings.Join(legacy, " and ")))
	}
}

func (r *applicationLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan applicationLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	id := r.resolveApplicationID(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		r.explainPeerCertificate(ctx, plan.RPCURL.ValueString(), &resp.Diagnostics)
		return
	}
	r.checkCreatable(ctx, id, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	typeID := wireOrName(productTypes, plan.Type.ValueString())
	tflog.Debug(ctx, "Creating application link", map[string]any{"id": id, "type_id": typeID, "name": plan.Name.ValueString()})
	createdID, adopted, err := r.createLink(ctx, client.NewApplicationLink{
		ID:         id,
		TypeID:     typeID,
		Name:       plan.Name.ValueString(),
		RPCURL:     canonicalURL(plan.RPCURL),
		DisplayURL: canonicalURL(plan.DisplayURL),
		Primary:    plan.Primary.ValueBool(),
	})
	var conflict *linkConflictError
	switch {
	case errors.As(err, &conflict):
		addLinkConflict(&resp.Diagnostics, conflict, err)
		return
	case err != nil:
		if errors.Is(err, client.ErrValidation) {
			// An id in use is a 400 (design/api.md §4): see whether the link
			// appeared since checkCreatable looked.
			if existing, lookupErr := r.client.ApplicationLink(ctx, id, client.Uncached); lookupErr == nil {
				addLinkCreatedMeanwhileError(&resp.Diagnostics, existing, err)
				return
			}
		}
		addAPIError(&resp.Diagnostics, "Error Creating Application Link", "create the application link", err)
		return
	case adopted:
		resp.Diagnostics.AddWarning("Application Link Adopted After a Lost Response",
			fmt.Sprintf("The answer to creating the link was lost. The instance holds link %s, which was not there just "+
				"before and matches everything the provider sent, so Terraform now manages it. The provider cannot tell it "+
				"from an identical link another workspace created in the same seconds; if that is what happened, remove "+
				"this resource from the state (`terraform state rm`) and manage the link in one workspace only.", createdID))
	}

	link, err := r.finishCreate(ctx, createdID, &plan)
	var auth *client.LinkAuthentication
	if err == nil {
		if auth, err = r.client.LinkAuthentication(ctx, createdID); err != nil {
			err = fmt.Errorf("reading the new link's authentication configuration: %w", err)
		}
	}
	if err != nil {
		r.rollBack(ctx, createdID, !adopted, &plan, resp, err)
		return
	}
	fillApplicationLink(link, auth, &plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	applicationLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// createLink creates the link, never twice. When the answer to the create
// is lost, the link is looked up by its id, which the provider chose before
// the create (client.CreateOnce): none is created again; one is adopted
// only when it holds everything the create sent, and otherwise reported as
// someone else's (ownership.go). That it did not exist before the create
// is known without a request of its own: checkCreatable refused the id
// from the listing it read just before, from the run's cache or with one
// GET.
func (r *applicationLinkResource) createLink(ctx context.Context, link client.NewApplicationLink) (string, bool, error) {
	return client.CreateOnce(ctx, r.client,
		func(ctx context.Context) (string, error) { return r.client.CreateApplicationLink(ctx, link) },
		func(ctx context.Context) (string, bool, error) {
			found, err := r.client.ApplicationLink(ctx, link.ID, client.Uncached)
			switch {
			case errors.Is(err, client.ErrNotFound):
				return "", false, nil
			case err != nil:
				return "", false, err
			}
			if differences := linkDifferences(found, link); len(differences) > 0 {
				return "", false, &linkConflictError{link: found, differences: differences}
			}
			return found.ID, true, nil
		})
}

// finishCreate checks what the server made of the link and applies what the
// create call cannot carry: the primary flag and the OAuth levels. It
// returns the link as it now is, since neither write changes anything else
// of it, so the caller need not read it again.
func (r *applicationLinkResource) finishCreate(ctx context.Context, id string, plan *applicationLinkResourceModel) (*client.ApplicationLink, error) {
	link, err := r.client.ApplicationLink(ctx, id, client.Uncached)
	if err != nil {
		return nil, fmt.Errorf("reading the new link: %w", err)
	}
	if link.Name != plan.Name.ValueString() {
		// The products rename a duplicate to "name - 2" instead of failing;
		// another client created the name in the meantime.
		return nil, fmt.Errorf("the instance named the link %q instead of %q because another link took that name "+
			"while it was being created", link.Name, plan.Name.ValueString())
	}
	if plan.Primary.ValueBool() && !link.Primary {
		if err := r.client.MakePrimary(ctx, id); err != nil {
			return nil, fmt.Errorf("making the link primary: %w", err)
		}
		link.Primary = true
	}
	return link, r.applyOAuthLevels(ctx, id, plan)
}

// rollBack removes a link whose create did not complete, so that no link is
// left that Terraform does not know about. When even that fails, the link is
// recorded in state, where Terraform marks it tainted and replaces it on the
// next apply. A link adopted after a lost answer (proven false) may be
// another workspace's, so it is neither deleted nor recorded.
func (r *applicationLinkResource) rollBack(ctx context.Context, id string, proven bool, plan *applicationLinkResourceModel, resp *resource.CreateResponse, cause error) {
	if !proven {
		resp.Diagnostics.AddError("Error Creating Application Link",
			fmt.Sprintf("The link %s (named %q, to %s) could not be completed. %s The answer to its create had been lost, "+
				"so the provider cannot prove this apply created it, and left it on the instance without managing it: "+
				"import it (`terraform import` with id %s) or delete it, then apply again.\n\n%s",
				id, plan.Name.ValueString(), canonicalURL(plan.RPCURL), linkRemedy(cause, plan), id, cause.Error()))
		return
	}
	detail := "The link was removed again, so nothing was left behind; fix the cause and apply again."
	if err := r.client.DeleteApplicationLink(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		detail = "Removing the half-created link failed too (" + err.Error() + "), so it is kept in the state, " +
			"where Terraform marks it tainted and replaces it on the next apply."
		plan.ID, plan.ApplicationID = types.StringValue(id), types.StringValue(id)
		plan.knowAll()
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
	resp.Diagnostics.AddError("Error Creating Application Link",
		fmt.Sprintf("The link was created but could not be completed. %s %s\n\n%s", linkRemedy(cause, plan), detail, cause.Error()))
}

// knowAll replaces values still unknown after a failed create with empty
// ones, since state may hold no unknown value.
func (m *applicationLinkResourceModel) knowAll() {
	if m.Primary.IsUnknown() {
		m.Primary = types.BoolValue(false)
	}
	if m.System.IsUnknown() {
		m.System = types.BoolValue(false)
	}
	if m.LegacyAuthentication.IsUnknown() {
		m.LegacyAuthentication = types.ListValueMust(types.StringType, nil)
	}
	for _, level := range []*types.String{&m.Incoming, &m.Outgoing, &m.DisplayURL.StringValue} {
		if level.IsUnknown() {
			*level = types.StringNull()
		}
	}
}

func (r *applicationLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state applicationLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	applicationLinkIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// A refresh reads every link of the run, so it uses the answers the
	// run's reads share: one listing for all links, and one authentication
	// read per link that its consumers' reads reuse.
	link, err := r.client.ApplicationLink(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		tflog.Info(ctx, "Application link no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Application Link", "read the application link", err)
		return
	}
	auth, err := r.client.LinkAuthentication(ctx, link.ID)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Error Reading Application Link", "read the link's authentication configuration", err)
		return
	}
	fillApplicationLink(link, auth, &state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	keepClaimantToken(ctx, resp.Private, &resp.Diagnostics)
}

func (r *applicationLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state applicationLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()

	// Another spelling of the same application is no move: the update below
	// stores it without the relocation's reachability check.
	if !customtypes.SameApplicationURL(plan.RPCURL.ValueString(), state.RPCURL.ValueString()) {
		r.relocate(ctx, id, &plan, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			r.explainPeerCertificate(ctx, plan.RPCURL.ValueString(), &resp.Diagnostics)
			return
		}
	}

	linkChanged := !plan.Name.Equal(state.Name) || !sameURL(plan.DisplayURL.ValueString(), state.DisplayURL.ValueString()) ||
		!sameURL(plan.RPCURL.ValueString(), state.RPCURL.ValueString()) || (plan.Primary.ValueBool() && !state.Primary.ValueBool())
	if linkChanged {
		_, err := r.client.UpdateApplicationLink(ctx, id, client.ApplicationLinkUpdate{
			Name:       plan.Name.ValueString(),
			RPCURL:     canonicalURL(plan.RPCURL),
			DisplayURL: canonicalURL(plan.DisplayURL),
			Primary:    plan.Primary.ValueBool(),
		})
		if err != nil {
			addLinkAPIError(&resp.Diagnostics, "Error Updating Application Link", "update the application link", err, &plan)
			return
		}
	}
	if !plan.Incoming.Equal(state.Incoming) || !plan.Outgoing.Equal(state.Outgoing) {
		if err := r.applyOAuthLevels(ctx, id, &plan); err != nil {
			addLinkAPIError(&resp.Diagnostics, "Error Updating Application Link", "set the link's OAuth levels", err, &plan)
			return
		}
	}

	wantPrimary := plan.Primary
	r.readInto(ctx, id, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !wantPrimary.IsUnknown() && !wantPrimary.ValueBool() && plan.Primary.ValueBool() {
		// A link stops being primary only when another link of its type takes
		// over, which may be another resource of this same apply. The state
		// records what was asked; the next refresh shows what happened.
		plan.Primary = wantPrimary
		resp.Diagnostics.AddAttributeWarning(path.Root("primary"), "Application Link Is Still Primary",
			fmt.Sprintf("The link %q is still the primary link of its type. The products keep one primary link per "+
				"type and move it only when another link becomes primary: set `primary = true` on the link that "+
				"should take over.", plan.Name.ValueString()))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	applicationLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// relocate moves the link to the planned rpc_url with the products' own
// relocation, which keeps the link id and checks that the new URL answers.
func (r *applicationLinkResource) relocate(ctx context.Context, id string, plan *applicationLinkResourceModel, diags *diag.Diagnostics) {
	newURL := canonicalURL(plan.RPCURL)
	force := plan.RelocateWhenUnreachable.ValueBool()
	tflog.Info(ctx, "Relocating application link", map[string]any{"id": id, "new_rpc_url": newURL, "force": force})
	err := r.client.RelocateApplicationLink(ctx, id, newURL, force)
	switch {
	case err == nil:
	case errors.Is(err, client.ErrPeerNotResponding):
		diags.AddAttributeError(path.Root("rpc_url"), "New Application Link URL Not Responding",
			fmt.Sprintf("The instance could not reach %s, so it refused to relocate the link there and the link still "+
				"points at its old URL. Check the URL for typos and that the peer is up and reachable from the "+
				"instance; to relocate anyway (for example before the peer moves), set `relocate_when_unreachable = true`.\n\n%s",
				newURL, err))
	case errors.Is(err, client.ErrValidation):
		diags.AddAttributeError(path.Root("rpc_url"), "Application Link Cannot Be Relocated",
			fmt.Sprintf("The instance refused to relocate the link to %s. When the application there is of another "+
				"type than the link, change `type` instead, which replaces the link.\n\n%s", newURL, err))
	case errors.Is(err, client.ErrForbidden):
		diags.AddAttributeError(path.Root("rpc_url"), "Relocation Needs a System Administrator",
			"The products let only system administrators relocate application links. Configure the provider with a "+
				"system administrator's credentials.\n\n"+err.Error())
	default:
		addAPIError(diags, "Error Relocating Application Link", "relocate the application link", err)
	}
}

func (r *applicationLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applicationLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteApplicationLink(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Error Deleting Application Link", "delete the application link", err)
	}
}

func (r *applicationLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := applicationLinkIdentity.importID(ctx, req, &resp.Diagnostics)
	if !validators.IsUUID(id) {
		resp.Diagnostics.AddError("Invalid Application Link Import ID",
			fmt.Sprintf("Import an application link by its id, a UUID such as 2841b105-5904-3c0a-9710-1ff26ae88206 "+
				"(the data source applinks_application_links lists them); got %q.", id))
		return
	}
	r.checkImportable(ctx, id, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("relocate_when_unreachable"), false)...)
	keepClaimantToken(ctx, resp.Private, &resp.Diagnostics)
}

// resolveApplicationID returns the id the new link must have: the configured
// one, one derived from rpc_url for generic links, or the one the instance
// discovers in the peer's manifest.
func (r *applicationLinkResource) resolveApplicationID(ctx context.Context, plan *applicationLinkResourceModel, diags *diag.Diagnostics) string {
	rpcURL := plan.RPCURL.ValueString()
	if !plan.ApplicationID.IsNull() && !plan.ApplicationID.IsUnknown() {
		// The instance is not asked (it may not reach the peer yet), so the
		// type is checked against the manifest at rpc_url as it answers from
		// here, when it does; one that does not answer is no error here.
		if manifest, err := r.client.FetchManifestAt(ctx, rpcURL); err == nil && plan.Type.ValueString() != genericType {
			checkPeerType(diags, rpcURL, manifest, plan.Type.ValueString())
		}
		return strings.ToLower(plan.ApplicationID.ValueString())
	}
	if plan.Type.ValueString() == genericType {
		return client.ApplicationIDForURL(rpcURL)
	}

	peer, err := r.client.DiscoverPeer(ctx, rpcURL)
	switch {
	case errors.Is(err, client.ErrForbidden):
		diags.AddAttributeError(path.Root("application_id"), "Instance Refused to Look Up the Peer",
			fmt.Sprintf("The instance refuses to fetch manifests from loopback and link-local addresses such as %s, "+
				"as the products do against server-side request forgery. Set `application_id` to the peer's server id, "+
				"for example from an applinks_server data source of a provider configured for the peer.\n\n%s", rpcURL, err))
		return ""
	case errors.Is(err, client.ErrConflict):
		diags.AddAttributeError(path.Root("rpc_url"), "Application Link Exists or Points at This Instance",
			fmt.Sprintf("The instance answered that it already has a link to the application at %s, or that this URL "+
				"is the instance itself. Import the existing link (`terraform import` with its id, listed by the "+
				"applinks_application_links data source) or point `rpc_url` at another application.\n\n%s", rpcURL, err))
		return ""
	case err != nil:
		addAPIError(diags, "Error Looking Up Application Link Peer", "ask the instance for the peer's manifest", err)
		return ""
	case peer.Manifest == nil:
		diags.AddAttributeError(path.Root("rpc_url"), "Peer Not Reachable From the Instance",
			fmt.Sprintf("The instance could not fetch the manifest of the application at %s (%s: %s), so it cannot "+
				"learn the peer's server id. Check that `rpc_url` is right and answers from the instance, or set "+
				"`application_id` to the peer's server id.", rpcURL, peer.WarningCode, peer.Warning))
		return ""
	}
	if checkPeerType(diags, rpcURL, peer.Manifest, plan.Type.ValueString()); diags.HasError() {
		return ""
	}
	return peer.Manifest.ID
}

// applyOAuthLevels sets the planned levels on this instance's side of the
// link. Generic links have none: their consumers are managed separately.
func (r *applicationLinkResource) applyOAuthLevels(ctx context.Context, id string, plan *applicationLinkResourceModel) error {
	if plan.Type.ValueString() == genericType {
		return nil
	}
	incoming, _ := oauthLevels.ToWire(plan.Incoming.ValueString())
	outgoing, _ := oauthLevels.ToWire(plan.Outgoing.ValueString())
	return r.client.SetOAuthStatus(ctx, id, client.OAuthStatus{Incoming: incoming, Outgoing: outgoing})
}

// readInto reads the link with the id into m.
func (r *applicationLinkResource) readInto(ctx context.Context, id string, m *applicationLinkResourceModel, diags *diag.Diagnostics) {
	link, err := r.client.ApplicationLink(ctx, id, client.Uncached)
	if err != nil {
		addAPIError(diags, "Error Reading Application Link", "read the application link", err)
		return
	}
	auth, err := r.client.LinkAuthentication(ctx, id)
	if err != nil {
		addAPIError(diags, "Error Reading Application Link", "read the link's authentication configuration", err)
		return
	}
	fillApplicationLink(link, auth, m)
}

// fillApplicationLink maps a link and its authentication onto the model. The URLs' type
// keeps the plan's or state's spelling of the same URL.
func fillApplicationLink(link *client.ApplicationLink, auth *client.LinkAuthentication, m *applicationLinkResourceModel) {
	m.ID = types.StringValue(link.ID)
	fillApplicationID(link.TypeID, link.ID, m)
	m.Type = types.StringValue(nameOrWire(productTypes, link.TypeID))
	m.Name = types.StringValue(link.Name)
	m.RPCURL = customtypes.NewLinkURLValue(link.RPCURL)
	m.DisplayURL = customtypes.NewLinkURLValue(link.DisplayURL)
	m.Primary = types.BoolValue(link.Primary)
	m.System = types.BoolValue(link.System)
	if m.RelocateWhenUnreachable.IsNull() || m.RelocateWhenUnreachable.IsUnknown() {
		m.RelocateWhenUnreachable = types.BoolValue(false)
	}

	// The link's authentication holds both its outgoing providers (the
	// legacy ones included, which the status API does not show) and its
	// incoming consumer, so one read gives the levels of both directions.
	m.Incoming, m.Outgoing = types.StringNull(), types.StringNull()
	if link.TypeID != genericType {
		status := auth.OAuthStatus()
		m.Incoming = types.StringValue(oauthLevelForConfig(status.Incoming))
		m.Outgoing = types.StringValue(oauthLevelForConfig(status.Outgoing))
	}
	legacy := []attr.Value{}
	for _, p := range auth.Providers {
		if name, ok := legacyProviders[p.Provider]; ok {
			legacy = append(legacy, types.StringValue(name))
		}
	}
	m.LegacyAuthentication = types.ListValueMust(types.StringType, legacy)
}

var legacyProviders = map[string]string{
	client.ProviderBasic:       "basic",
	client.ProviderTrustedApps: "trusted_applications",
}

// canonicalURL is a URL as the products store it through their v1/v2
// entities, without trailing slashes. The v3 update keeps them, so the
// provider strips them itself and every write path stores the same URL.
func canonicalURL(u customtypes.LinkURL) string {
	return customtypes.CanonicalLinkURL(u.ValueString())
}

// sameURL compares URLs as the products store them: without trailing slashes.
func sameURL(a, b string) bool {
	return customtypes.CanonicalLinkURL(a) == customtypes.CanonicalLinkURL(b)
}

// OAuth levels in the resource's vocabulary; the products normalise every
// configuration to one of these four.
const (
	oauthLevelDisabled      = "disabled"
	oauthLevel3LO           = "oauth_3lo"
	oauthLevelOAuth         = "oauth"
	oauthLevelImpersonation = "oauth_impersonation"
)

var oauthLevels = vocabulary[client.OAuthConfig]{terms: []term[client.OAuthConfig]{
	{name: oauthLevelDisabled, wire: client.OAuthConfig{}},
	{name: oauthLevel3LO, wire: client.OAuthConfig{Enabled: true}},
	{name: oauthLevelOAuth, wire: client.OAuthConfig{Enabled: true, TwoLoEnabled: true}},
	{name: oauthLevelImpersonation, wire: client.OAuthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}},
}}

// oauthLevelForConfig normalises as the products do, so that every
// combination of flags has a name: disabled wins over the other flags, and
// impersonation implies two-legged OAuth.
func oauthLevelForConfig(c client.OAuthConfig) string {
	switch {
	case !c.Enabled:
		c = client.OAuthConfig{}
	case c.TwoLoImpersonationEnabled:
		c.TwoLoEnabled = true
	}
	name, _ := oauthLevels.FromWire(c)
	return name
}

var _ planmodifier.String = defaultOAuthLevelModifier{}

// defaultOAuthLevel plans `oauth` for an unset level of an Atlassian link and
// null for a generic link, whose type decides whether a level applies.
func defaultOAuthLevel() planmodifier.String {
	return defaultOAuthLevelModifier{}
}

type defaultOAuthLevelModifier struct{}

func (m defaultOAuthLevelModifier) Description(_ context.Context) string {
	return "Defaults to `oauth` for Atlassian peers and to null for generic links."
}

func (m defaultOAuthLevelModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m defaultOAuthLevelModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var linkType types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("type"), &linkType)...)
	switch {
	case linkType.IsUnknown():
		resp.PlanValue = types.StringUnknown()
	case linkType.ValueString() == genericType:
		resp.PlanValue = types.StringNull()
	default:
		resp.PlanValue = types.StringValue(oauthLevelOAuth)
	}
}
