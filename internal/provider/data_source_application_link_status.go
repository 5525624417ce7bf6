package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/validators"
)

var (
	_ datasource.DataSource              = (*applicationLinkStatusDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*applicationLinkStatusDataSource)(nil)
)

// NewApplicationLinkStatusDataSource returns the
// applinks_application_link_status data source.
func NewApplicationLinkStatusDataSource() datasource.DataSource {
	return &applicationLinkStatusDataSource{}
}

type applicationLinkStatusDataSource struct {
	client *client.Client
}

type applicationLinkStatusDataSourceModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	ExpectedURL       types.String `tfsdk:"expected_url"`
	Working           types.Bool   `tfsdk:"working"`
	ErrorCategory     types.String `tfsdk:"error_category"`
	ErrorType         types.String `tfsdk:"error_type"`
	ErrorDetails      types.String `tfsdk:"error_details"`
	LocalIncoming     types.String `tfsdk:"local_incoming"`
	LocalOutgoing     types.String `tfsdk:"local_outgoing"`
	RemoteIncoming    types.String `tfsdk:"remote_incoming"`
	RemoteOutgoing    types.String `tfsdk:"remote_outgoing"`
	Reachable         types.Bool   `tfsdk:"reachable"`
	UnreachableReason types.String `tfsdk:"unreachable_reason"`
	RemoteServerID    types.String `tfsdk:"remote_server_id"`
	RemoteBaseURL     types.String `tfsdk:"remote_base_url"`
	Relocated         types.Bool   `tfsdk:"relocated"`
	SuggestedRPCURL   types.String `tfsdk:"suggested_rpc_url"`
	IDMismatch        types.Bool   `tfsdk:"id_mismatch"`
	Summary           types.String `tfsdk:"summary"`
}

func (d *applicationLinkStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application_link_status"
}

func (d *applicationLinkStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	level := func(side, direction string) string {
		return "The OAuth level " + side + " for " + direction + ", in the vocabulary of `applinks_application_link`: " +
			oauthLevels.MarkdownList() + "."
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Whether an application link works, and if not why, as the products' own link status " +
			"reports it (the warning the admin page shows), plus whether the linked application has moved. The instance " +
			"checks the link itself by calling the peer, so the answer reflects the network between the two servers. " +
			"The answer for a working link is the same on every run, so use it in a `check` block or a `postcondition` " +
			"to make `terraform plan` report broken links and relocation drift.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the link to check. Set exactly one of `id` and `name`.",
				Optional:            true,
				Computed:            true,
				Validators: []validator.String{
					stringvalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
					validators.UUID(),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The name of the link to check (case-sensitive). Set exactly one of `id` and `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"expected_url": schema.StringAttribute{
				MarkdownDescription: "Where the linked application is expected to answer, for example its new URL during " +
					"a move. When it differs from the link's URL and the manifest published there (fetched anonymously " +
					"from where Terraform runs) carries the link's id, the link is `relocated` and `suggested_rpc_url` is " +
					"this URL.",
				Optional:   true,
				Validators: []validator.String{validators.HTTPURL()},
			},
			"working": schema.BoolAttribute{
				MarkdownDescription: "Whether the product reports the link as working: the peer answers, links back, and " +
					"both sides' OAuth levels mirror each other.",
				Computed: true,
			},
			"error_category": schema.StringAttribute{
				MarkdownDescription: "The product's category of the problem, such as `NETWORK_ERROR`, `CONFIG_ERROR`, " +
					"`DEPRECATED`, `DISABLED`, `NON_ATLASSIAN` or `SYSTEM`; null when the link works.",
				Computed: true,
			},
			"error_type": schema.StringAttribute{
				MarkdownDescription: "The product's type of the problem, such as `CONNECTION_REFUSED`, `UNKNOWN_HOST`, " +
					"`SSL_UNTRUSTED`, `SSL_HOSTNAME_UNMATCHED`, `UNEXPECTED_RESPONSE_STATUS`, `NO_REMOTE_APPLINK`, " +
					"`AUTH_LEVEL_UNSUPPORTED`, `AUTH_LEVEL_MISMATCH`, `DISABLED`, `GENERIC_LINK` or `SYSTEM_LINK`; null " +
					"when the link works.",
				Computed: true,
			},
			"error_details": schema.StringAttribute{
				MarkdownDescription: "The product's details of the problem, for network errors the exception it met; " +
					"null when there are none.",
				Computed: true,
			},
			"local_incoming":  schema.StringAttribute{MarkdownDescription: level("on this instance", "requests from the peer"), Computed: true},
			"local_outgoing":  schema.StringAttribute{MarkdownDescription: level("on this instance", "requests to the peer"), Computed: true},
			"remote_incoming": schema.StringAttribute{MarkdownDescription: level("on the peer's link back", "requests from this instance") + " Null when the peer could not be asked.", Computed: true},
			"remote_outgoing": schema.StringAttribute{MarkdownDescription: level("on the peer's link back", "requests to this instance") + " Null when the peer could not be asked.", Computed: true},
			"reachable": schema.BoolAttribute{
				MarkdownDescription: "Whether the instance gets a usable answer from the link's URL: `false` when its " +
					"online check of the URL fails or its status check meets a network error.",
				Computed: true,
			},
			"unreachable_reason": schema.StringAttribute{
				MarkdownDescription: "Why the instance cannot reach the peer, and whether the link's URL answers from where " +
					"Terraform runs (which tells a server-side network, DNS or certificate problem from a peer that is " +
					"down); null when `reachable` is true.",
				Computed: true,
			},
			"remote_server_id": schema.StringAttribute{
				MarkdownDescription: "The server id in the manifest that answers at the link's URL, as the instance fetches " +
					"it; null when no manifest of the link's type answers there.",
				Computed: true,
			},
			"remote_base_url": schema.StringAttribute{
				MarkdownDescription: "The base URL the application at the link's URL reports in its manifest; null when no " +
					"manifest of the link's type answers there.",
				Computed: true,
			},
			"relocated": schema.BoolAttribute{
				MarkdownDescription: "Whether the linked application has moved: it reports a base URL other than the " +
					"link's URLs, or the manifest at `expected_url` carries the link's id while the link points elsewhere.",
				Computed: true,
			},
			"suggested_rpc_url": schema.StringAttribute{
				MarkdownDescription: "Where to point the link's `rpc_url` when `relocated` is true: `expected_url`, or " +
					"else the base URL the application reports. Null when the link has not been relocated.",
				Computed: true,
			},
			"id_mismatch": schema.BoolAttribute{
				MarkdownDescription: "Whether another application (with another server id) now answers at the link's URL.",
				Computed:            true,
			},
			"summary": schema.StringAttribute{
				MarkdownDescription: "One line a person can read in CI output: the link, whether it works, why not and " +
					"what to do.",
				Computed: true,
			},
		},
	}
}

func (d *applicationLinkStatusDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := providerClient(req.ProviderData, "Data Source", &resp.Diagnostics); c != nil {
		d.client = c
	}
}

func (d *applicationLinkStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data applicationLinkStatusDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := d.resolveLinkID(ctx, &data, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	obs := d.observe(ctx, id, data.ExpectedURL.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	diagnosis := diagnoseLink(obs)
	tflog.Debug(ctx, "Diagnosed application link", map[string]any{
		"id": id, "working": diagnosis.working, "reachable": diagnosis.reachable, "relocated": diagnosis.relocated,
	})
	diagnosis.fill(&data, obs.status)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// resolveLinkID returns the configured id, or the id of the link with the
// configured name.
func (d *applicationLinkStatusDataSource) resolveLinkID(ctx context.Context, data *applicationLinkStatusDataSourceModel, diags *diag.Diagnostics) string {
	if !data.ID.IsNull() {
		return strings.ToLower(data.ID.ValueString())
	}
	links, err := d.client.ListApplicationLinks(ctx)
	if err != nil {
		addAPIError(diags, "Error Reading Application Links", "list the instance's application links to find the one named "+
			fmt.Sprintf("%q", data.Name.ValueString()), err)
		return ""
	}
	names := make([]string, 0, len(links))
	for _, link := range links {
		if link.Name == data.Name.ValueString() {
			return link.ID
		}
		names = append(names, fmt.Sprintf("%q", link.Name))
	}
	sort.Strings(names)
	known := "The instance has no application links."
	if len(names) > 0 {
		known = "Its links are " + strings.Join(names, ", ") + "."
	}
	diags.AddAttributeError(path.Root("name"), "Application Link Not Found",
		fmt.Sprintf("The instance has no application link named %q. %s Check `name` (names are case-sensitive), or use `id`.",
			data.Name.ValueString(), known))
	return ""
}

// observe gathers what the diagnosis needs: the product's status, the admin
// page's state, the manifest at the link's URL as the instance sees it, and,
// from where Terraform runs, the manifest at expected_url and (for a link
// the instance cannot reach) at the link's URL.
func (d *applicationLinkStatusDataSource) observe(ctx context.Context, id, expectedURL string, diags *diag.Diagnostics) linkObservations {
	obs := linkObservations{expectedURL: expectedURL}
	status, err := d.client.GetApplicationLinkStatus(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("id"), "Application Link Not Found",
			fmt.Sprintf("The instance has no application link with id %s. Check `id`; the applinks_application_links data "+
				"source lists the instance's links.\n\n%s", id, err))
		return obs
	}
	if err != nil {
		addAPIError(diags, "Error Reading Application Link Status", "read the link's status", err)
		return obs
	}
	obs.status = status
	if obs.state, err = d.client.GetApplicationLinkState(ctx, id); err != nil {
		addAPIError(diags, "Error Reading Application Link Status", "read the link's state", err)
		return obs
	}
	obs.manifest, err = d.client.GetLinkedManifest(ctx, id)
	switch {
	case errors.Is(err, client.ErrNotFound):
		// Types without a manifest producer: nothing answers as a manifest.
		obs.manifest = nil
	case err != nil:
		addAPIError(diags, "Error Reading Application Link Status", "read the manifest at the link's URL", err)
		return obs
	}
	if expectedURL != "" && !sameURL(expectedURL, status.Link.RPCURL) {
		obs.expected, obs.expectedErr = d.client.FetchManifestAt(ctx, expectedURL)
	}
	if !instanceReachesPeer(status, obs.state) {
		obs.probed = true
		obs.probe, obs.probeErr = d.client.FetchManifestAt(ctx, status.Link.RPCURL)
	}
	return obs
}

// linkObservations is everything a diagnosis is made of; it holds no
// framework types so the diagnosis can be tested on its own.
type linkObservations struct {
	status   *client.LinkStatus
	state    string
	manifest *client.Manifest // at the link's URL, fetched by the instance
	// expectedURL is the configured expected_url; expected and expectedErr
	// are what answered there from where Terraform runs, when it differs
	// from the link's URL.
	expectedURL string
	expected    *client.Manifest
	expectedErr error
	// probed is set when the instance cannot reach the peer: probe and
	// probeErr are then what answered at the link's URL from where
	// Terraform runs.
	probed   bool
	probe    *client.Manifest
	probeErr error
}

// linkDiagnosis is the data source's answer in plain Go.
type linkDiagnosis struct {
	working           bool
	reachable         bool
	unreachableReason string
	remoteServerID    string
	remoteBaseURL     string
	relocated         bool
	suggestedRPCURL   string
	idMismatch        bool
	summary           string
}

// instanceReachesPeer: the admin page's online check passed and the status
// check met no network error.
func instanceReachesPeer(status *client.LinkStatus, state string) bool {
	networkError := status.Error != nil && status.Error.Category == client.NetworkErrorCategory
	return state != client.LinkStateOffline && !networkError
}

func diagnoseLink(o linkObservations) linkDiagnosis {
	link := o.status.Link
	d := linkDiagnosis{working: o.status.Working, reachable: instanceReachesPeer(o.status, o.state)}
	if !d.reachable {
		d.unreachableReason = describeUnreachable(o)
	}

	// A made-up manifest (design/api.md §9.2) means nothing of the link's type answered.
	answered := o.manifest != nil && !o.manifest.IsPlaceholder()
	if answered {
		d.remoteServerID, d.remoteBaseURL = o.manifest.ID, o.manifest.URL
	}
	// Generic links have no identity to compare: their id derives from
	// their URL, which relocation changes.
	if link.TypeID != genericType {
		d.idMismatch = answered && !strings.EqualFold(o.manifest.ID, link.ID) ||
			o.state == client.LinkStateUpgraded || o.state == client.LinkStateUpgradedToUAL
	}

	movedToExpected := o.expected != nil && strings.EqualFold(o.expected.ID, link.ID)
	reportsOtherBase := answered && strings.EqualFold(o.manifest.ID, link.ID) && o.manifest.URL != "" &&
		!sameURL(o.manifest.URL, link.RPCURL) && !sameURL(o.manifest.URL, link.DisplayURL)
	switch {
	case movedToExpected:
		d.relocated, d.suggestedRPCURL = true, strings.TrimRight(o.expectedURL, "/")
	case reportsOtherBase:
		d.relocated, d.suggestedRPCURL = true, strings.TrimRight(o.manifest.URL, "/")
	}
	d.summary = d.summarise(o)
	return d
}

func describeUnreachable(o linkObservations) string {
	link := o.status.Link
	var reason string
	if e := o.status.Error; e != nil && e.Category == client.NetworkErrorCategory {
		reason = "The instance cannot reach " + link.RPCURL + ": " + e.Type
		if e.Details != "" {
			reason += " (" + e.Details + ")"
		}
	} else {
		reason = "The instance's request to " + link.RPCURL + " fails or is not answered with HTTP 2xx (OFFLINE)"
	}
	switch {
	case !o.probed:
	case o.probeErr != nil:
		reason += "; it does not answer from where Terraform runs either: " + o.probeErr.Error()
	case strings.EqualFold(o.probe.ID, link.ID):
		reason += "; from where Terraform runs it answers with the link's id, so the instance's network, DNS or " +
			"trusted certificates are what differ"
	default:
		reason += fmt.Sprintf("; from where Terraform runs another application (server id %s) answers there", o.probe.ID)
	}
	return reason + "."
}

// linkErrorHints say, per error type, what the admin can do about it.
var linkErrorHints = map[string]string{
	"CONNECTION_REFUSED":          "nothing listens at the link's URL: start the application, or relocate the link if it moved",
	"UNKNOWN_HOST":                "the host name does not resolve from the instance",
	"SSL_UNTRUSTED":               "the instance does not trust the application's TLS certificate: add its CA to the instance's trust store",
	"SSL_HOSTNAME_UNMATCHED":      "the application's TLS certificate names another host: use the host name it was issued for",
	"SSL_UNMATCHED":               "the TLS connection failed on the certificate",
	"UNEXPECTED_RESPONSE_STATUS":  "something other than the application's REST API answers at the link's URL, such as a proxy or an error page",
	"UNEXPECTED_RESPONSE":         "something other than the application's REST API answers at the link's URL, such as a login page",
	"NO_REMOTE_APPLINK":           "the application has no link back to this instance: create it on the peer",
	"AUTH_LEVEL_UNSUPPORTED":      "a side uses three-legged OAuth only (`oauth_3lo`): use `oauth` on both sides",
	"AUTH_LEVEL_MISMATCH":         "the OAuth levels do not mirror: each side's outgoing level must equal the other side's incoming level",
	"DISABLED":                    "OAuth is disabled in both directions on both sides",
	"GENERIC_LINK":                "the products check only links between Atlassian applications",
	"NON_ATLASSIAN":               "the products check only links between Atlassian applications",
	"SYSTEM_LINK":                 "the product manages system links itself",
	"REMOTE_VERSION_INCOMPATIBLE": "the application's Application Links plugin is older than 4.0.13",
	"NO_OUTGOING_AUTH":            "the link has no outgoing OAuth to ask the peer with",
	"LOCAL_AUTH_TOKEN_REQUIRED":   "a user must authorise the link on this instance",
	"REMOTE_AUTH_TOKEN_REQUIRED":  "a user must authorise the link on the peer",
}

// legacyAuthenticationSummaries replace "is broken" for the legacy types
// (design/api.md §5.2 step 7): the removal types come only once OAuth is
// configured in both directions, so the link carries requests and what is
// left is a clean-up, which they name; the update types mean the link
// still relies on the legacy authentication. The emulator's control API
// gives a link legacy authentication to rehearse this (the testing guide).
var legacyAuthenticationSummaries = map[string]string{
	"LEGACY_REMOVAL": "has OAuth in both directions but still Basic authentication for outgoing requests " +
		"(LEGACY_REMOVAL, DEPRECATED): remove it in the link's settings (Outgoing Authentication, Basic Access), " +
		"which the product can do itself; OAuth keeps the link working.",
	"MANUAL_LEGACY_REMOVAL": "has OAuth in both directions but still Trusted Applications or Basic authentication " +
		"(MANUAL_LEGACY_REMOVAL, DEPRECATED): remove it by hand in the link's settings on both instances (Incoming and " +
		"Outgoing Authentication); OAuth keeps the link working.",
	"MANUAL_LEGACY_REMOVAL_WITH_OLD_EDIT": "has OAuth in both directions but still Trusted Applications or Basic " +
		"authentication (MANUAL_LEGACY_REMOVAL_WITH_OLD_EDIT, DEPRECATED): remove it by hand in the link's settings on " +
		"both instances (Incoming and Outgoing Authentication); OAuth keeps the link working.",
	"LEGACY_UPDATE": "relies on Trusted Applications or Basic authentication (LEGACY_UPDATE, DEPRECATED): set `incoming` " +
		"and `outgoing` to `oauth` on both instances' links, then remove the legacy authentication in the link's settings.",
	"MANUAL_LEGACY_UPDATE": "relies on Trusted Applications or Basic authentication (MANUAL_LEGACY_UPDATE, DEPRECATED): " +
		"set `incoming` and `outgoing` to `oauth` on both instances' links, then remove the legacy authentication in the " +
		"link's settings.",
}

func (d linkDiagnosis) summarise(o linkObservations) string {
	link := o.status.Link
	var b strings.Builder
	fmt.Fprintf(&b, "Application link %q to %s ", link.Name, link.RPCURL)
	legacy, isLegacy := "", false
	if e := o.status.Error; e != nil {
		legacy, isLegacy = legacyAuthenticationSummaries[e.Type]
	}
	if e := o.status.Error; !d.working && isLegacy {
		b.WriteString(legacy)
	} else if !d.working && e != nil {
		fmt.Fprintf(&b, "is broken: %s (%s)", e.Type, e.Category)
		if hint, ok := linkErrorHint(e); ok {
			b.WriteString(": " + hint)
		}
		b.WriteString(".")
	} else {
		b.WriteString("is working.")
	}
	switch {
	case d.relocated && o.expected != nil && strings.EqualFold(o.expected.ID, link.ID):
		fmt.Fprintf(&b, " The application now answers at %s: change the link's rpc_url to it.", d.suggestedRPCURL)
	case d.relocated:
		fmt.Fprintf(&b, " The application reports its base URL as %s: relocate the link (its rpc_url) there.", d.suggestedRPCURL)
	}
	if d.idMismatch {
		if d.remoteServerID != "" {
			fmt.Fprintf(&b, " Another application (server id %s) answers at the link's URL.", d.remoteServerID)
		} else {
			b.WriteString(" Another application answers at the link's URL.")
		}
	}
	if o.expectedErr != nil && !d.relocated {
		fmt.Fprintf(&b, " Nothing answers with a manifest at expected_url %s.", o.expectedURL)
	} else if o.expected != nil && !strings.EqualFold(o.expected.ID, link.ID) {
		fmt.Fprintf(&b, " Another application (server id %s) answers at expected_url %s.", o.expected.ID, o.expectedURL)
	}
	return b.String()
}

// fill writes the diagnosis into the model; nulls stand for "not known" or
// "not applicable", never for empty strings.
func (d linkDiagnosis) fill(m *applicationLinkStatusDataSourceModel, status *client.LinkStatus) {
	// A configured id or name stays as written (Terraform requires it); the
	// other one is filled in.
	if m.ID.IsNull() {
		m.ID = types.StringValue(status.Link.ID)
	}
	if m.Name.IsNull() {
		m.Name = types.StringValue(status.Link.Name)
	}
	m.Working = types.BoolValue(d.working)
	m.ErrorCategory, m.ErrorType, m.ErrorDetails = types.StringNull(), types.StringNull(), types.StringNull()
	if e := status.Error; !d.working && e != nil {
		m.ErrorCategory, m.ErrorType = types.StringValue(e.Category), types.StringValue(e.Type)
		m.ErrorDetails = statusStringOrNull(e.Details)
	}
	m.LocalIncoming = types.StringValue(oauthLevelForConfig(status.LocalAuthentication.Incoming))
	m.LocalOutgoing = types.StringValue(oauthLevelForConfig(status.LocalAuthentication.Outgoing))
	m.RemoteIncoming, m.RemoteOutgoing = types.StringNull(), types.StringNull()
	if remote := status.RemoteAuthentication; remote != nil {
		m.RemoteIncoming = types.StringValue(oauthLevelForConfig(remote.Incoming))
		m.RemoteOutgoing = types.StringValue(oauthLevelForConfig(remote.Outgoing))
	}
	m.Reachable = types.BoolValue(d.reachable)
	m.UnreachableReason = statusStringOrNull(d.unreachableReason)
	m.RemoteServerID, m.RemoteBaseURL = statusStringOrNull(d.remoteServerID), statusStringOrNull(d.remoteBaseURL)
	m.Relocated = types.BoolValue(d.relocated)
	m.SuggestedRPCURL = statusStringOrNull(d.suggestedRPCURL)
	m.IDMismatch = types.BoolValue(d.idMismatch)
	m.Summary = types.StringValue(d.summary)
}

func statusStringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
