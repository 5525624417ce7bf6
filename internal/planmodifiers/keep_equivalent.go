package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

var _ planmodifier.String = keepEquivalentModifier{}

// KeepEquivalent plans the prior state's value when the configured value
// differs from it only in spelling, as equivalent decides (the same RSA key
// in PEM and in bare base64), so that re-spelling a value plans no change.
// Terraform accepts a planned prior value in place of the configured one
// for exactly this purpose.
func KeepEquivalent(equivalent func(a, b string) bool, description string) planmodifier.String {
	return keepEquivalentModifier{equivalent: equivalent, description: description}
}

type keepEquivalentModifier struct {
	equivalent  func(a, b string) bool
	description string
}

func (m keepEquivalentModifier) Description(_ context.Context) string {
	return m.description
}

func (m keepEquivalentModifier) MarkdownDescription(_ context.Context) string {
	return m.description
}

func (m keepEquivalentModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	switch {
	case req.StateValue.IsNull(), req.StateValue.IsUnknown(), req.PlanValue.IsNull(), req.PlanValue.IsUnknown():
		return
	case req.PlanValue.Equal(req.StateValue):
		return
	}
	if m.equivalent(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
