package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
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
	_ resource.Resource                   = (*entityLinkResource)(nil)
	_ resource.ResourceWithConfigure      = (*entityLinkResource)(nil)
	_ resource.ResourceWithImportState    = (*entityLinkResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*entityLinkResource)(nil)
	_ resource.ResourceWithValidateConfig = (*entityLinkResource)(nil)
)

// entityTypes are the linkable entity types as the applinks plugin declares
// them (design/api.md §3.9.1), in the provider's words. Bitbucket's is
// bitbucket.project, the rebranded id.
var entityTypes = vocabulary[string]{terms: []term[string]{
	{name: "jira_project", wire: "jira.project"},
	{name: "confluence_space", wire: "confluence.space"},
	{name: "bitbucket_project", wire: "bitbucket.project"},
	{name: "bamboo_project", wire: "bamboo.project"},
	{name: "fecru_repository", wire: "fecru.repository"},
	{name: "fecru_project", wire: "fecru.project"},
}}

// entityTypesOfProduct are the entity types each application type (its
// wire id) has: an entity link's remote type must be one of its link's.
var entityTypesOfProduct = map[string][]string{
	"jira":       {"jira_project"},
	"confluence": {"confluence_space"},
	"stash":      {"bitbucket_project"},
	"bamboo":     {"bamboo_project"},
	"fecru":      {"fecru_repository", "fecru_project"},
}

// upperCaseKeys are the entity types whose keys the products keep in upper
// case (design/api.md §3.9.3), so a key in another case names nothing.
var upperCaseKeys = map[string]bool{"jira_project": true, "bamboo_project": true}

var entityKeyPattern = regexp.MustCompile(`^[^/\s]+$`)

func NewEntityLinkResource() resource.Resource { return &entityLinkResource{} }

type entityLinkResource struct{ client *client.Client }

type entityLinkResourceModel struct {
	ID                types.String `tfsdk:"id"`
	LocalType         types.String `tfsdk:"local_type"`
	LocalKey          types.String `tfsdk:"local_key"`
	ApplicationLinkID types.String `tfsdk:"application_link_id"`
	RemoteType        types.String `tfsdk:"remote_type"`
	RemoteKey         types.String `tfsdk:"remote_key"`
	RemoteName        types.String `tfsdk:"remote_name"`
	RemoteDisplayURL  types.String `tfsdk:"remote_display_url"`
	Primary           types.Bool   `tfsdk:"primary"`
	Reciprocate       types.Bool   `tfsdk:"reciprocate"`
}

func (m *entityLinkResourceModel) local() client.LocalEntity {
	wire, _ := entityTypes.ToWire(m.LocalType.ValueString())
	return client.LocalEntity{TypeID: wire, Key: m.LocalKey.ValueString()}
}

func (m *entityLinkResourceModel) remoteTypeWire() string {
	wire, _ := entityTypes.ToWire(m.RemoteType.ValueString())
	return wire
}

func (m *entityLinkResourceModel) importID() string {
	return strings.Join([]string{m.LocalType.ValueString(), m.LocalKey.ValueString(), m.ApplicationLinkID.ValueString(),
		m.RemoteType.ValueString(), m.RemoteKey.ValueString()}, "/")
}

// fill sets the attributes the server decides from what it stored.
func (m *entityLinkResourceModel) fill(link *client.EntityLink) {
	m.ID = types.StringValue(m.importID())
	m.RemoteName = types.StringValue(link.Name)
	m.RemoteDisplayURL = types.StringValue(link.DisplayURL)
	m.Primary = types.BoolValue(link.Primary)
}

func (r *entityLinkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_entity_link"
}

func (r *entityLinkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keyValidators := []validator.String{stringvalidator.RegexMatches(entityKeyPattern, "must be a key without slashes or spaces")}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An entity link: a Jira project, Confluence space, Bitbucket project, Bamboo project or " +
			"Fisheye/Crucible repository or project of the provider's instance (the local entity) linked to an entity " +
			"of the application at the other end of an application link, as each project's \"Application links\" " +
			"settings make them. A Jira project linked to a Confluence space shows the space's pages, one linked to a " +
			"Bitbucket project its repositories' commits.\n\n" +
			"**Both ends.** Entity links are one-way. To link both ways either set `reciprocate = true`, and the " +
			"instance makes and deletes the link back on the peer itself, across the application link with its " +
			"outgoing OAuth (which must allow impersonation, and the user must administer the remote entity on the " +
			"peer); or declare a second `applinks_entity_link` through a second provider block for the peer. Choose " +
			"`reciprocate` when one configuration knows only one instance; choose two resources when the configuration " +
			"has credentials for both, since then each end is in the state, its drift shows and it can be repaired.\n\n" +
			"Every attribute but `remote_name`, `primary` and `reciprocate` replaces the link when changed: the " +
			"products identify a link by its two ends.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<local_type>/<local_key>/<application_link_id>/<remote_type>/<remote_key>`, the import id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"local_type": schema.StringAttribute{
				MarkdownDescription: "The type of the local entity, one of " + entityTypes.MarkdownList() + "; it must be " +
					"a type the provider's instance has (a Jira has `jira_project`).",
				Required:      true,
				Validators:    []validator.String{entityTypes.Validator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"local_key": schema.StringAttribute{
				MarkdownDescription: "The key of the local project, space or repository, spelt exactly as the product " +
					"shows it (Jira and Bamboo keys are upper case). The provider's user must be an instance administrator " +
					"or administer this entity.",
				Required:      true,
				Validators:    keyValidators,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"application_link_id": schema.StringAttribute{
				MarkdownDescription: "The id of the application link to the other application, for example " +
					"`applinks_application_link.confluence.id`; referencing it makes Terraform create the link before, and " +
					"delete it after, its entity links.",
				Required:      true,
				Validators:    []validator.String{validators.UUID()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"remote_type": schema.StringAttribute{
				MarkdownDescription: "The type of the remote entity, one of " + entityTypes.MarkdownList() + "; it must be " +
					"a type of the linked application (a link to Confluence takes `confluence_space`).",
				Required:      true,
				Validators:    []validator.String{entityTypes.Validator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"remote_key": schema.StringAttribute{
				MarkdownDescription: "The key of the remote entity, spelt exactly as the linked application shows it. " +
					"When the peer can be reached at plan time, the provider checks that it has the entity.",
				Required:      true,
				Validators:    keyValidators,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"remote_name": schema.StringAttribute{
				MarkdownDescription: "The name the link shows for the remote entity; by default the instance's (the key, " +
					"unless set). Changes in place.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"remote_display_url": schema.StringAttribute{
				MarkdownDescription: "Where the linked application shows the remote entity.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"primary": schema.BoolAttribute{
				MarkdownDescription: "Whether this is the local entity's primary link to entities of `remote_type`. The " +
					"first link of a type becomes primary by itself; `true` makes this one primary and demotes the old one. " +
					"Only `true` can be asked for, since the products demote a primary only by promoting another; `false` is " +
					"accepted on a link that is not primary, as the configuration generated for an imported link says.",
				Optional:      true,
				Computed:      true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"reciprocate": schema.BoolAttribute{
				MarkdownDescription: "Whether the instance also makes the link back from the remote entity, and deletes it " +
					"with this one (see **Both ends** above). Defaults to `false`. Changes in place: turning it on makes the " +
					"link back at the next apply.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *entityLinkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
}

// ValidateConfig refuses keys in lower case where the products keep them
// upper case, which name no entity.
func (r *entityLinkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var data entityLinkResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, end := range []struct {
		typ, key types.String
		attr     string
	}{{data.LocalType, data.LocalKey, "local_key"}, {data.RemoteType, data.RemoteKey, "remote_key"}} {
		if end.key.IsUnknown() || end.key.IsNull() || end.typ.IsUnknown() || !upperCaseKeys[end.typ.ValueString()] {
			continue
		}
		if key := end.key.ValueString(); key != strings.ToUpper(key) {
			resp.Diagnostics.AddAttributeError(path.Root(end.attr), "Key Must Be Upper Case",
				fmt.Sprintf("`%s` is %q, but %s keys are upper case and the products compare keys exactly, so no entity "+
					"has this key. Write it as %q.", end.attr, key, strings.ReplaceAll(end.typ.ValueString(), "_", " "), strings.ToUpper(key)))
		}
	}
}

// ModifyPlan checks what it can before anything is changed: that the
// application link exists and leads to a product with entities of
// remote_type, and, when the peer answers, that it has the remote entity.
func (r *entityLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	if r.client == nil {
		refuseDemotion(ctx, req, &resp.Diagnostics)
		return
	}
	var plan entityLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	refuseDemotion(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || plan.ApplicationLinkID.IsUnknown() || plan.RemoteType.IsUnknown() || plan.RemoteKey.IsUnknown() {
		return
	}
	if !req.State.Raw.IsNull() {
		var state entityLinkResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.importID() == plan.importID() {
			return // nothing about the ends changes
		}
	}
	linkID := plan.ApplicationLinkID.ValueString()
	link, err := r.client.ApplicationLink(ctx, linkID)
	switch {
	case errors.Is(err, client.ErrNotFound):
		resp.Diagnostics.AddAttributeError(path.Root("application_link_id"), "Application Link Not Found",
			fmt.Sprintf("The instance has no application link with id %s. Create the link first (reference "+
				"`applinks_application_link.<name>.id`, which also orders the two), or correct `application_link_id`.\n\n%s", linkID, err))
		return
	case err != nil:
		tflog.Debug(ctx, "Cannot check the application link at plan time", map[string]any{"error": err.Error()})
		return
	}
	allowed := entityTypesOfProduct[link.TypeID]
	if !containsString(allowed, plan.RemoteType.ValueString()) {
		fix := "this application has no entities to link to"
		if len(allowed) > 0 {
			fix = "use " + backtickList(allowed)
		}
		resp.Diagnostics.AddAttributeError(path.Root("remote_type"), "Remote Type Not In Linked Application",
			fmt.Sprintf("`remote_type` is %q, but application link %s (%q) leads to a %s, which has no entities of that "+
				"type: %s, or point `application_link_id` at a link to the right product.", plan.RemoteType.ValueString(),
				linkID, link.Name, nameOrWire(productTypes, link.TypeID), fix))
		return
	}
	remote, err := r.client.RemoteEntities(ctx, linkID)
	if err != nil {
		tflog.Debug(ctx, "The peer's entities cannot be read at plan time; not checking the remote entity", map[string]any{"error": err.Error()})
		return
	}
	wantType, wantKey := plan.remoteTypeWire(), plan.RemoteKey.ValueString()
	var sameType []string
	for _, e := range remote {
		if e.TypeID != wantType {
			continue
		}
		if e.Key == wantKey {
			return
		}
		sameType = append(sameType, e.Key)
	}
	hint := ""
	for _, k := range sameType {
		if strings.EqualFold(k, wantKey) {
			hint = fmt.Sprintf(" It has %q, which differs only in case: keys compare exactly.", k)
		}
	}
	if len(sameType) > 10 {
		sameType = sameType[:10]
	}
	resp.Diagnostics.AddAttributeError(path.Root("remote_key"), "Remote Entity Not Found",
		fmt.Sprintf("The application at the other end of link %s (%q) has no %s with key %q that this instance can see "+
			"across the link.%s Correct `remote_key`, or create the entity there first. Keys it has: %s.",
			linkID, link.Name, strings.ReplaceAll(plan.RemoteType.ValueString(), "_", " "), wantKey, hint, orNone(sameType)))
}

// refuseDemotion refuses `primary = false` where it would have to demote or
// create a link that the products may make primary: they demote a primary
// link only when another of its type is made primary. On a link that is not
// primary, as the configuration generated for an imported link says, it
// changes nothing and is accepted.
func refuseDemotion(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) {
	var configured, stored types.Bool
	diags.Append(req.Config.GetAttribute(ctx, path.Root("primary"), &configured)...)
	if configured.IsNull() || configured.IsUnknown() || configured.ValueBool() {
		return
	}
	if !req.State.Raw.IsNull() {
		diags.Append(req.State.GetAttribute(ctx, path.Root("primary"), &stored)...)
		if !stored.IsNull() && !stored.ValueBool() {
			return
		}
	}
	diags.AddAttributeError(path.Root("primary"), "Primary Cannot Be False",
		"`primary = false` cannot be applied to a new or a primary entity link: the products demote a primary entity "+
			"link only when another link of its type is made primary. Remove `primary`, or set `primary = true` on the "+
			"link that should be primary.")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func orNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return backtickList(keys)
}

// put creates or updates the link, then makes it primary when asked.
func (r *entityLinkResource) put(ctx context.Context, data *entityLinkResourceModel, reciprocate bool, diags *diag.Diagnostics) bool {
	local := data.local()
	link := client.NewEntityLink{ApplicationID: data.ApplicationLinkID.ValueString(), TypeID: data.remoteTypeWire(), Key: data.RemoteKey.ValueString()}
	if !data.RemoteName.IsUnknown() && !data.RemoteName.IsNull() {
		link.Name = data.RemoteName.ValueString()
	}
	tflog.Debug(ctx, "Putting entity link", map[string]any{"local": local.TypeID + "/" + local.Key, "remote": link.TypeID + "/" + link.Key, "reciprocate": reciprocate})
	stored, err := r.client.PutEntityLink(ctx, local, link, reciprocate)
	if err != nil {
		addEntityLinkWriteError(diags, data, reciprocate, err)
		return false
	}
	if data.Primary.ValueBool() && !stored.Primary {
		if err := r.client.MakeEntityLinkPrimary(ctx, local, link.TypeID, link.Key, link.ApplicationID); err != nil {
			addAPIError(diags, "Error Making Entity Link Primary", "make the entity link primary", err)
			return false
		}
		stored.Primary = true
	}
	data.fill(stored)
	return true
}

func (r *entityLinkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var data entityLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() || !r.put(ctx, &data, data.Reciprocate.ValueBool(), &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
	entityLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *entityLinkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var data, state entityLinkResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The link back is made only when reciprocate is turned on; it exists
	// already otherwise, and a rename concerns this end only.
	reciprocate := data.Reciprocate.ValueBool() && !state.Reciprocate.ValueBool()
	if !r.put(ctx, &data, reciprocate, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
	entityLinkIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *entityLinkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	entityLinkIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	var data entityLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	link, err := r.client.EntityLink(ctx, data.local(), data.remoteTypeWire(), data.RemoteKey.ValueString(), data.ApplicationLinkID.ValueString())
	switch {
	case errors.Is(err, client.ErrNotFound):
		tflog.Info(ctx, "Entity link is gone; removing it from the state", map[string]any{"id": data.importID()})
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		addEntityLinkReadError(&resp.Diagnostics, &data, err)
		return
	}
	data.fill(link)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

func (r *entityLinkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var data entityLinkResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteEntityLink(ctx, data.local(), data.remoteTypeWire(), data.RemoteKey.ValueString(), data.ApplicationLinkID.ValueString(), data.Reciprocate.ValueBool())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addEntityLinkWriteError(&resp.Diagnostics, &data, data.Reciprocate.ValueBool(), err)
	}
}

func (r *entityLinkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := entityLinkIdentity.importID(ctx, req, &resp.Diagnostics)
	parts := strings.Split(id, entityLinkIdentity.separator)
	_, localOK := entityTypes.ToWire(safeIndex(parts, 0))
	_, remoteOK := entityTypes.ToWire(safeIndex(parts, 3))
	if len(parts) != 5 || !localOK || !remoteOK || !validators.IsUUID(parts[2]) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id must be `<local_type>/<local_key>/<application_link_id>/<remote_type>/<remote_key>`, "+
				"for example `jira_project/PROJ/%s/confluence_space/DOCS`, with types from %s; got %q.",
				"8b1f5e3c-2d4a-3b6c-9e7f-0a1b2c3d4e5f", entityTypes.MarkdownList(), id))
		return
	}
	data := entityLinkResourceModel{
		LocalType: types.StringValue(parts[0]), LocalKey: types.StringValue(parts[1]), ApplicationLinkID: types.StringValue(parts[2]),
		RemoteType: types.StringValue(parts[3]), RemoteKey: types.StringValue(parts[4]), Reciprocate: types.BoolValue(false),
		RemoteName: types.StringUnknown(), RemoteDisplayURL: types.StringUnknown(), Primary: types.BoolUnknown(),
	}
	data.ID = types.StringValue(data.importID())
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

func safeIndex(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// ---- Diagnostics ----

// addEntityLinkReadError explains a refused read, which for entity links
// is nearly always the local entity (design/api.md §3.9.1: an unknown key
// and a missing right are the same 401).
func addEntityLinkReadError(diags *diag.Diagnostics, data *entityLinkResourceModel, err error) {
	if statusOf(err) == 401 && !errors.Is(err, client.ErrBadCredentials) {
		diags.AddAttributeError(path.Root("local_key"), "Cannot Manage Links Of Local Entity", localEntityRefusal(data, err))
		return
	}
	addAPIError(diags, "Error Reading Entity Link", "read the entity links of "+data.LocalType.ValueString()+" "+data.LocalKey.ValueString(), err)
}

func localEntityRefusal(data *entityLinkResourceModel, err error) string {
	return fmt.Sprintf("The instance refused to manage the links of %s %q: either it has no such entity (keys are "+
		"case-sensitive, and Jira and Bamboo keys are upper case), or the provider's user is neither an instance "+
		"administrator nor an administrator of that entity. Correct `local_key` (or `local_type`), or configure the "+
		"provider with a user who administers it. Nothing was changed.\n\n%s",
		strings.ReplaceAll(data.LocalType.ValueString(), "_", " "), data.LocalKey.ValueString(), err)
}

// addEntityLinkWriteError explains a failed create, update or delete.
// Both refusals of the local entity and of the reciprocal call answer
// 401; only the product's words tell them apart.
func addEntityLinkWriteError(diags *diag.Diagnostics, data *entityLinkResourceModel, reciprocate bool, err error) {
	var apiErr *client.APIError
	said := ""
	if errors.As(err, &apiErr) {
		said = strings.Join(apiErr.Messages, " ")
	}
	status := statusOf(err)
	switch {
	case errors.Is(err, client.ErrBadCredentials):
		addAPIError(diags, "Error Writing Entity Link", "change the entity link", err)
	case status == 401 && strings.Contains(said, "not authorized to create a link for entity"):
		diags.AddAttributeError(path.Root("local_key"), "Cannot Manage Links Of Local Entity", localEntityRefusal(data, err))
	case status == 404 && strings.Contains(said, "No application found"):
		diags.AddAttributeError(path.Root("application_link_id"), "Application Link Not Found",
			fmt.Sprintf("The instance has no application link with id %s, so nothing was created. Create the link first "+
				"(reference `applinks_application_link.<name>.id`), or correct `application_link_id`.\n\n%s", data.ApplicationLinkID.ValueString(), err))
	case status == 400:
		diags.AddAttributeError(path.Root("remote_type"), "Entity Type Not Installed",
			fmt.Sprintf("The instance does not know entity type %q. Use one of %s.\n\n%s", data.remoteTypeWire(), entityTypes.MarkdownList(), err))
	case reciprocate && (status == 401 || status == 500):
		diags.AddAttributeError(path.Root("reciprocate"), "Link Back Refused By Peer",
			fmt.Sprintf("The instance could not change the link back on the peer across application link %s, so it "+
				"changed nothing here either. The link's outgoing OAuth must allow impersonation (`outgoing = "+
				"\"oauth_impersonation\"` on the application link, and the peer's incoming likewise), and the provider's "+
				"user must exist on the peer and administer %s %q there. Fix the link or the user's rights, or set "+
				"`reciprocate = false` and manage the other end with a second `applinks_entity_link` through a provider "+
				"block for the peer.\n\n%s", data.ApplicationLinkID.ValueString(), strings.ReplaceAll(data.RemoteType.ValueString(), "_", " "),
				data.RemoteKey.ValueString(), err))
	default:
		addAPIError(diags, "Error Writing Entity Link", "change the entity link", err)
	}
}
