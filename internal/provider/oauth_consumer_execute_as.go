package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ resource.ResourceWithModifyPlan = (*oauthConsumerResource)(nil)

// ModifyPlan checks what the configuration alone cannot show: that the
// shared secret is there when the plan writes an outgoing consumer
// (adoption.go), and that `execute_as` names a user the instance has.
func (r *oauthConsumerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.requireSharedSecretWhenWriting(ctx, req, resp)
	r.warnUnknownExecuteAs(ctx, req, resp)
}

// warnUnknownExecuteAs warns when `execute_as` names a user the instance does not
// have. The products store any name (design/api.md §6.1) and serve the
// consumer's two-legged requests anonymously when it resolves to nobody
// (§6.4), so the mistake shows only as requests that lack the user's
// rights. It is a warning, not an error, as the products accept it and the
// user may be created after the consumer (a directory sync, say). Only a
// new or changed name is looked up, so a plan that changes nothing costs no
// request; only Jira is asked, as the lookup is Jira's REST API, and an
// answer that is not Jira's leaves the name unchecked.
func (r *oauthConsumerResource) warnUnknownExecuteAs(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.client == nil || req.Plan.Raw.IsNull() {
		return
	}
	var planned, prior types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("execute_as"), &planned)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("execute_as"), &prior)...)
	}
	if resp.Diagnostics.HasError() || planned.IsNull() || planned.IsUnknown() || planned.Equal(prior) {
		return
	}
	self, err := r.client.GetManifest(ctx)
	if err != nil || self.TypeID != "jira" {
		return
	}
	name := planned.ValueString()
	exists, err := r.client.JiraUserExists(ctx, name)
	if err != nil {
		tflog.Debug(ctx, "Could not look up the execute_as user", map[string]any{"error": err.Error()})
		return
	}
	if !exists {
		resp.Diagnostics.AddAttributeWarning(path.Root("execute_as"), "Execute As User Not Found",
			fmt.Sprintf("The instance has no user %q, so `execute_as` makes this consumer's two-legged requests run "+
				"anonymously, without any user's rights. Set `execute_as` to the user name (not the display name or "+
				"e-mail address) of an existing user, create the user %q on the instance, or remove `execute_as`.", name, name))
	}
}
