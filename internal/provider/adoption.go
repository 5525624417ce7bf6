package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What `terraform plan -generate-config-out` writes for an imported object
// is decided by its state: Terraform writes every attribute that is not
// computed-only, with the state's value, `null` included, and `null #
// sensitive` for a sensitive one. So the configuration it generates applies
// unchanged with an empty plan only when the state of an imported object
// holds nothing the configuration may not say: no derived value (a generic
// link's application_id), no attribute of the other direction (an outgoing
// consumer's two-legged flags), and nothing that the next plan would set
// (the allowlist's switch, which cannot be read). The plan modifiers below
// keep such attributes null in the state, and plan null for them, so that
// the state and the generated configuration agree.

var (
	_ planmodifier.String = derivedApplicationIDModifier{}
	_ planmodifier.Bool   = incomingOnlyFlagModifier{}
	_ planmodifier.Bool   = allowlistSwitchModifier{}

	_ resource.ResourceWithModifyPlan = (*oauthConsumerResource)(nil)
	_ resource.ResourceWithModifyPlan = (*oauth2OutgoingLinkResource)(nil)
)

// derivedApplicationID keeps a generic link's unset application_id as the
// state has it: null for links created or imported since it is derived
// (from rpc_url, design/api.md §2.1), the id for links whose state recorded
// it before. An Atlassian link's unset application_id is left to the
// other modifiers: unknown until the instance finds the peer's server id.
func derivedApplicationID() planmodifier.String { return derivedApplicationIDModifier{} }

type derivedApplicationIDModifier struct{}

func (m derivedApplicationIDModifier) Description(context.Context) string {
	return "A generic link's unset application_id stays null: its id is derived from rpc_url."
}

func (m derivedApplicationIDModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m derivedApplicationIDModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var linkType types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("type"), &linkType)...)
	if linkType.IsUnknown() || linkType.ValueString() != genericType {
		return
	}
	if req.State.Raw.IsNull() {
		resp.PlanValue = types.StringNull()
		return
	}
	resp.PlanValue = req.StateValue
}

// fillApplicationID sets a link's application_id after a read: the link id,
// except for a generic link whose application_id is null (see above) and
// stays so.
func fillApplicationID(typeID, id string, m *applicationLinkResourceModel) {
	if typeID == genericType && m.ApplicationID.IsNull() {
		return
	}
	m.ApplicationID = types.StringValue(id)
}

// incomingOnlyFlag defaults an unset two-legged flag of an incoming consumer
// to false, and keeps it null on an outgoing consumer, where it has no
// meaning and a configuration may not set it.
func incomingOnlyFlag() planmodifier.Bool { return incomingOnlyFlagModifier{} }

type incomingOnlyFlagModifier struct{}

func (m incomingOnlyFlagModifier) Description(context.Context) string {
	return "Defaults to false for incoming consumers; null for outgoing ones."
}

func (m incomingOnlyFlagModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m incomingOnlyFlagModifier) PlanModifyBool(ctx context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var direction types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("direction"), &direction)...)
	switch {
	case direction.IsUnknown():
		resp.PlanValue = types.BoolUnknown()
	case direction.ValueString() == directionOutgoing:
		resp.PlanValue = types.BoolNull()
	default:
		resp.PlanValue = types.BoolValue(false)
	}
}

// allowlistSwitch defaults an unset `enabled` to true, except on an
// allowlist imported and never switched by Terraform: no API reports the
// switch (design/api.md §8.3), so its state holds null, and an unset
// `enabled` leaves the switch as an administrator set it instead of turning
// it on behind their back.
func allowlistSwitch() planmodifier.Bool { return allowlistSwitchModifier{} }

type allowlistSwitchModifier struct{}

func (m allowlistSwitchModifier) Description(context.Context) string {
	return "Defaults to true, except after an import, where unset leaves the switch alone."
}

func (m allowlistSwitchModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m allowlistSwitchModifier) PlanModifyBool(_ context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	if !req.State.Raw.IsNull() && req.StateValue.IsNull() {
		resp.PlanValue = types.BoolNull()
		return
	}
	resp.PlanValue = types.BoolValue(true)
}

// requireSharedSecretWhenWriting asks for an outgoing consumer's shared
// secret only when the plan writes the consumer (writeOnlySecret).
func (r *oauthConsumerResource) requireSharedSecretWhenWriting(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var direction types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("direction"), &direction)...)
	if direction.ValueString() == directionOutgoing {
		consumerSharedSecret.requireWhenWriting(ctx, req, resp)
	}
}

// ModifyPlan asks for an outgoing OAuth 2.0 link's client secret only when
// the plan writes the link (writeOnlySecret).
func (r *oauth2OutgoingLinkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	oauth2ClientSecret.requireWhenWriting(ctx, req, resp)
}
