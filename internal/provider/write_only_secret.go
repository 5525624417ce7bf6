package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// writeOnlySecret is a secret the instance takes but never returns, given
// either write-only (never in the plan or the state) or as a Sensitive
// attribute kept in the state: the OAuth consumer's shared secret and the
// outgoing OAuth 2.0 link's client secret.
type writeOnlySecret struct {
	writeOnly, stored string // the two attributes' names
	summary           string // the diagnostic's summary when neither is set
	atApply           string // its detail at create or update
	atPlan            string // its detail when a plan writes the object
}

// value is the secret to send: the write-only value from the
// configuration, else the stored attribute's.
func (s writeOnlySecret) value(ctx context.Context, getConfig func(context.Context, path.Path, any) diag.Diagnostics,
	stored types.String, diags *diag.Diagnostics) string {
	var writeOnly types.String
	diags.Append(getConfig(ctx, path.Root(s.writeOnly), &writeOnly)...)
	if !writeOnly.IsNull() && !writeOnly.IsUnknown() {
		return writeOnly.ValueString()
	}
	if secret := stored.ValueString(); secret != "" {
		return secret
	}
	diags.AddAttributeError(path.Root(s.writeOnly), s.summary, s.atApply)
	return ""
}

// requireWhenWriting asks for the secret only when the plan creates or
// changes the object. The instance never returns it, so the configuration
// generated for an imported object cannot hold it; until the object
// changes, the instance keeps the secret it has, and a plan with no change
// needs none.
func (s writeOnlySecret) requireWhenWriting(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || (!req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)) {
		return
	}
	var stored, writeOnly types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(s.stored), &stored)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(s.writeOnly), &writeOnly)...)
	if resp.Diagnostics.HasError() || !stored.IsNull() || !writeOnly.IsNull() {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root(s.writeOnly), s.summary, s.atPlan)
}
