package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/allowlist"
	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ resource.Resource                   = (*allowlistRuleResource)(nil)
	_ resource.ResourceWithConfigure      = (*allowlistRuleResource)(nil)
	_ resource.ResourceWithImportState    = (*allowlistRuleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*allowlistRuleResource)(nil)
)

// whitelistTypeApplicationLink names the rules the product keeps for
// application links; the resource refuses it, the data source reports it.
const allowlistTypeApplicationLink = "application_link"

// whitelistRuleTypes is the provider's vocabulary for the rule types a
// configuration may create, with their wire names; it feeds both the OneOf
// validator and the documentation.
var allowlistRuleTypes = vocabulary[string]{terms: []term[string]{
	{"domain", client.AllowlistTypeDomainName,
		"an origin, `scheme://host` or `scheme://host:port` (for example `https://www.example.com`), that every URL " +
			"on it matches, whatever its path; scheme and host ignore case"},
	{"exact_url", client.AllowlistTypeExactURL,
		"one absolute URL, matched exactly (scheme and host ignore case, path and query do not)"},
	{"wildcard", client.AllowlistTypeWildcard,
		"a pattern matched against the whole URL, ignoring case, in which `*` stands for any characters, `/` and `?` " +
			"included (for example `https://www.example.com/*/feed.xml`); a `*` in the scheme or host therefore matches " +
			"other hosts too, which the provider warns about"},
	{"regex", client.AllowlistTypeRegex,
		"a Java regular expression that must match the whole URL (no `^` or `$` needed); it is case-sensitive unless it starts with `(?i)`"},
}}

// whitelistTypeName returns the provider's name for a wire type, including
// the application-link rules that the resource cannot create; unknown
// types are reported as the server gives them.
func allowlistTypeName(wire string) string {
	if wire == client.AllowlistTypeApplicationLink {
		return allowlistTypeApplicationLink
	}
	return nameOrWire(allowlistRuleTypes, wire)
}

// NewWhitelistRuleResource returns the applinks_whitelist_rule resource.
func NewAllowlistRuleResource() resource.Resource {
	return &allowlistRuleResource{}
}

type allowlistRuleResource struct {
	client *client.Client
	claims *planClaims
}

type allowlistRuleResourceModel struct {
	ID             types.String `tfsdk:"id"`
	Type           types.String `tfsdk:"type"`
	Expression     types.String `tfsdk:"expression"`
	AllowInbound   types.Bool   `tfsdk:"allow_inbound"`
	AllowAnonymous types.Bool   `tfsdk:"allow_anonymous"`
}

func (r *allowlistRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_whitelist_rule"
}

func (r *allowlistRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One rule of the instance's URL allowlist (the \"whitelist\" in the API), which decides which " +
			"outside URLs the product may call (gadgets, feeds, webhooks, macros) and which origins may call it " +
			"cross-origin. The product also keeps a rule of its own for every application link; this resource " +
			"never reads, changes or deletes those, and several rules with the same expression may exist side by side.\n\n" +
			"Changing the allowlist needs a system administrator. Every attribute is updated in place.\n\n" +
			"The products accept identical rules and have no idempotency keys, and a rule records nothing of who made " +
			"it, so after a lost answer an identical rule another workspace made in the same seconds could not be told " +
			"from this one. The provider therefore creates each rule as a placeholder only it can have written (an exact-URL " +
			"rule for `https://applinks-create-<random>.invalid`, allowing nothing inbound or anonymous) and then updates " +
			"it into the configured rule. After a lost answer it adopts the placeholder if the instance holds it and " +
			"creates it again if not; if the update fails, the placeholder is deleted. A placeholder is visible only for " +
			"that moment, or if the provider is killed between the two steps: delete any left over in the allowlist's " +
			"administration page.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The rule's id, a number the instance assigns. Import a rule by this id.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "How `expression` is matched against a URL. One of " + allowlistRuleTypes.MarkdownList() + ". " +
					"The rules the product keeps for application links (`" + allowlistTypeApplicationLink + "`) cannot be " +
					"created: they come and go with the links.",
				Required: true,
				Validators: []validator.String{
					allowlistRuleTypes.Validator(),
				},
			},
			"expression": schema.StringAttribute{
				MarkdownDescription: "What to match, in the form `type` asks for. Spellings the product treats as the same " +
					"(the case of a domain's or URL's scheme and host, of a wildcard, of percent-escapes) are not a change.",
				Required: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
				},
			},
			"allow_inbound": schema.BoolAttribute{
				MarkdownDescription: "Also accept cross-origin (CORS) requests from matching origins. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"allow_anonymous": schema.BoolAttribute{
				MarkdownDescription: "Let the product call matching URLs on behalf of anonymous users too. Defaults to " +
					"`false`: the rule only applies to requests made for a logged-in user.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *allowlistRuleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Resource", &resp.Diagnostics); c != nil {
		r.client = c
	}
	if data, ok := req.ProviderData.(*resourceData); ok {
		r.claims = data.claims
	}
}

// ValidateConfig checks the expression against its type, as far as can be
// done without the server.
func (r *allowlistRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var data allowlistRuleResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() || data.Type.IsUnknown() || data.Type.IsNull() {
		return
	}
	if data.Type.ValueString() == allowlistTypeApplicationLink {
		resp.Diagnostics.AddAttributeError(path.Root("type"), "Application Link Rules Are Managed by the Product",
			"The product adds an `"+allowlistTypeApplicationLink+"` rule for every application link by itself and removes it "+
				"with the link; it refuses to create one. Manage the link instead (its rule follows), and choose how links "+
				"are let through with `application_link_restrictiveness` of `applinks_whitelist`. For a URL that is not a "+
				"link, use one of: "+strings.Join(allowlistRuleTypes.Names(), ", ")+".")
		return
	}
	if data.Expression.IsUnknown() || data.Expression.IsNull() {
		return
	}
	validateAllowlistExpression(data.Type.ValueString(), data.Expression.ValueString(), &resp.Diagnostics)
}

func validateAllowlistExpression(typeName, expression string, diags *diag.Diagnostics) {
	at := path.Root("expression")
	switch typeName {
	case "domain":
		if problem := validators.CheckOrigin(expression); problem != "" {
			diags.AddAttributeError(at, "Invalid Domain Rule",
				fmt.Sprintf("A `domain` rule is an origin, scheme://host or scheme://host:port with nothing after it, such as "+
					"\"https://www.example.com\"; the product compares it with the scheme and authority of each URL, so %q "+
					"%s. For a single URL use `exact_url`, for patterns `wildcard`.", validators.RedactURL(expression), problem))
		}
	case "exact_url":
		if problem := validators.CheckAbsoluteURL(expression); problem != "" {
			diags.AddAttributeError(at, "Invalid Exact URL Rule",
				fmt.Sprintf("An `exact_url` rule is one absolute URL such as \"https://www.example.com/feed.xml\"; %q %s.",
					validators.RedactURL(expression), problem))
		}
	case "wildcard":
		problem, warning := validators.CheckJavaRegex(allowlist.WildcardToRegex(expression))
		if problem != "" {
			diags.AddAttributeError(at, "Invalid Wildcard Rule",
				fmt.Sprintf("The product turns a wildcard into a Java regular expression in which only `*` (any characters) "+
					"and . ? + | [ ] are literal; other characters such as ( ) { } ^ $ \\ keep their regular-expression "+
					"meaning. %q then %s, so the rule would never match. Use a `regex` rule for such patterns.", expression, problem))
		} else if warning != "" {
			diags.AddAttributeWarning(at, "Wildcard Rule Not Fully Checked",
				fmt.Sprintf("The product turns the wildcard %q into a Java regular expression that %s.", expression, warning))
		}
		if allowed, where := validators.WildcardHostHole(expression); allowed != "" {
			diags.AddAttributeWarning(at, "Wildcard Rule Allows Other Hosts", wildcardHoleDetail(expression, allowed, where))
		}
	case "regex":
		problem, warning := validators.CheckJavaRegex(expression)
		if problem != "" {
			diags.AddAttributeError(at, "Invalid Regular Expression Rule",
				fmt.Sprintf("The product compiles `regex` rules as Java regular expressions and refuses ones that do not "+
					"compile; %q %s.", expression, problem))
		} else if warning != "" {
			diags.AddAttributeWarning(at, "Regular Expression Not Fully Checked",
				fmt.Sprintf("The pattern %q %s.", expression, warning))
		}
		if piece := validators.CatastrophicBacktracking(expression); piece != "" {
			diags.AddAttributeWarning(at, "Regular Expression May Backtrack Catastrophically",
				fmt.Sprintf("The pattern %q repeats %q, whose inside can match the same characters in many ways. Java's "+
					"regular expressions try every way before they give up on a URL that almost matches, which takes "+
					"exponential time: one such URL can keep a request thread of the product busy for minutes. Rewrite "+
					"the piece so that each character can be matched one way only, for example (a+)+$ as a+$, or "+
					"(.*a)* as (.*a)?.", expression, piece))
		}
	}
}

// wildcardHoleDetail explains a wildcard whose "*" stands for the host:
// the product allows requests to matching URLs for logged-in users (and
// anonymous ones with allow_anonymous), so the rule reaches any server.
func wildcardHoleDetail(expression, allowed, where string) string {
	fix := "For one host use a `domain` rule such as \"https://www.example.com\", or write the host in full and " +
		"keep `*` to the path (\"https://www.example.com/*\")."
	if regex := validators.SubdomainRegexFor(expression); regex != "" {
		fix = fmt.Sprintf("For a domain and its subdomains use a `regex` rule such as %q instead, whose host part "+
			"cannot match \"/\" or \"?\"; for one host a `domain` rule.", regex)
	}
	return fmt.Sprintf("The wildcard %q %s. The product reads `*` as any characters, \"/\", \"?\" and \"@\" "+
		"included, so the rule also allows %q, a URL on another host, and the product will call it for its users. %s",
		expression, where, allowed, fix)
}

// equivalentExpressions reports whether the product treats two spellings of
// an expression of the given type the same way, so that a difference is
// neither drift nor a change: domains and wildcards are matched ignoring
// case, exact URLs compare scheme and host ignoring case and percent-escapes
// ignoring the case of their hex digits. Regular expressions are compared
// exactly.
func equivalentExpressions(typeName, a, b string) bool {
	if a == b {
		return true
	}
	switch typeName {
	case "domain", "wildcard":
		return strings.EqualFold(a, b)
	case "exact_url":
		return allowlist.EquivalentURLs(a, b)
	}
	return false
}

// whitelistRuleInput is what create and update send: the whole rule.
func allowlistRuleInput(data *allowlistRuleResourceModel) client.AllowlistRuleInput {
	typ := wireOrName(allowlistRuleTypes, data.Type.ValueString())
	expression := data.Expression.ValueString()
	inbound, anonymous := data.AllowInbound.ValueBool(), data.AllowAnonymous.ValueBool()
	return client.AllowlistRuleInput{Expression: &expression, Type: &typ, AllowInbound: &inbound, AllowAnonymousUser: &anonymous}
}

// applyWhitelistRule copies what the server reports into the model,
// keeping the spelling already there when the server's is equivalent. This
// is not left to a custom type's semantic equality, which sees the
// expression alone: which spellings are the same depends on the rule's type.
func applyAllowlistRule(data *allowlistRuleResourceModel, rule *client.AllowlistRule) {
	typeName := allowlistTypeName(rule.Type)
	data.ID = types.StringValue(strconv.FormatInt(rule.ID, 10))
	if data.Expression.IsNull() || data.Expression.IsUnknown() || data.Type.ValueString() != typeName ||
		!equivalentExpressions(typeName, data.Expression.ValueString(), rule.Expression) {
		data.Expression = types.StringValue(rule.Expression)
	}
	data.Type = types.StringValue(typeName)
	data.AllowInbound = types.BoolValue(rule.AllowInbound)
	data.AllowAnonymous = types.BoolValue(rule.AllowAnonymousUser)
}

func (r *allowlistRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var data allowlistRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := allowlistRuleInput(&data)
	tflog.Debug(ctx, "Creating allowlist rule", map[string]any{"type": *in.Type, "expression": *in.Expression})
	rule, err := r.client.CreateAllowlistRuleOnce(ctx, in)
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Creating Allowlist Rule", "create the allowlist rule", err)
		return
	}
	applyAllowlistRule(&data, rule)
	tflog.Debug(ctx, "Created allowlist rule", map[string]any{"id": rule.ID})
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
	allowlistRuleIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *allowlistRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var data allowlistRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &data)...)
	allowlistRuleIdentity.copyFromState(ctx, req.State, resp.Identity, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := parseAllowlistRuleID(data.ID.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	rule, err := r.client.AllowlistRule(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		tflog.Info(ctx, "Allowlist rule is gone; removing it from the state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Reading Allowlist Rule", "list the allowlist to read rule "+data.ID.ValueString(), err)
		return
	}
	if rule.Automatic() {
		resp.Diagnostics.AddError("Application Link Rules Are Managed by the Product",
			fmt.Sprintf("Rule %d is the one the product keeps for the application link %q: it is created, changed and deleted "+
				"with the link, so Terraform cannot manage it. Remove it from the state (or the import block) and manage the "+
				"link, or `application_link_restrictiveness` of `applinks_whitelist`, instead.", rule.ID, rule.Expression))
		return
	}
	applyAllowlistRule(&data, rule)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

func (r *allowlistRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var data allowlistRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := parseAllowlistRuleID(data.ID.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	rule, err := r.client.UpdateAllowlistRule(ctx, id, allowlistRuleInput(&data))
	if err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Updating Allowlist Rule", "update allowlist rule "+data.ID.ValueString(), err)
		return
	}
	applyAllowlistRule(&data, rule)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
	allowlistRuleIdentity.copyFromState(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *allowlistRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var data allowlistRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := parseAllowlistRuleID(data.ID.ValueString(), &resp.Diagnostics)
	if !ok {
		return
	}
	// An id that is already gone answers 200, so no 404 handling is needed.
	if err := r.client.DeleteAllowlistRule(ctx, id); err != nil {
		addAllowlistAPIError(&resp.Diagnostics, "Error Deleting Allowlist Rule", "delete allowlist rule "+data.ID.ValueString(), err)
	}
}

func (r *allowlistRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := allowlistRuleIdentity.importID(ctx, req, &resp.Diagnostics)
	if _, err := strconv.ParseInt(id, 10, 32); err != nil {
		resp.Diagnostics.AddError("Invalid Allowlist Rule Import ID",
			fmt.Sprintf("Expected the numeric id of an allowlist rule, such as \"42\", got %q. The "+
				"`applinks_whitelist_rules` data source lists the rules with their ids.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

func parseAllowlistRuleID(id string, diags *diag.Diagnostics) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid Allowlist Rule ID",
			fmt.Sprintf("The state holds %q as the rule id, which is not a number. This is always a bug in the provider; "+
				"remove the resource from the state and import the rule by its id.", id))
		return 0, false
	}
	return n, true
}
