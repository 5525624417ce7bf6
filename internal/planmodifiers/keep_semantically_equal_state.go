package planmodifiers

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var _ planmodifier.String = keepSemanticallyEqualStateModifier{}

// KeepSemanticallyEqualState plans the prior state's value when the
// configured value is another spelling of it, as the attribute's custom type
// decides with StringSemanticEquals (the same RSA key in PEM and in bare
// base64), so that re-spelling a value in the configuration plans no
// change. The framework applies semantic equality after Create, Read and
// Update but never while planning, so the type alone would plan an update.
// Terraform accepts a planned prior value in place of the configured one
// for exactly this purpose.
func KeepSemanticallyEqualState() planmodifier.String {
	return keepSemanticallyEqualStateModifier{}
}

type keepSemanticallyEqualStateModifier struct{}

func (m keepSemanticallyEqualStateModifier) Description(_ context.Context) string {
	return "Keeps the state's spelling when the configuration spells the same value differently."
}

func (m keepSemanticallyEqualStateModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m keepSemanticallyEqualStateModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	switch {
	case req.StateValue.IsNull(), req.StateValue.IsUnknown(), req.PlanValue.IsNull(), req.PlanValue.IsUnknown():
		return
	case req.PlanValue.Equal(req.StateValue):
		return
	}
	// The request carries plain strings; the state holds the value of the
	// attribute's own type, which knows what counts as the same value.
	var prior attr.Value
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, req.Path, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	priorValue, valueOK := prior.(basetypes.StringValuableWithSemanticEquals)
	stringType, typeOK := prior.Type(ctx).(basetypes.StringTypable)
	if !valueOK || !typeOK {
		resp.Diagnostics.AddAttributeError(req.Path, "Plan Modifier Needs a Type With Semantic Equality",
			fmt.Sprintf("KeepSemanticallyEqualState is set on an attribute of type %s, which has no string semantic "+
				"equality. This is always a bug in the provider; please report it to the provider developers.", prior.Type(ctx)))
		return
	}
	planned, diags := stringType.ValueFromString(ctx, req.PlanValue)
	resp.Diagnostics.Append(diags...)
	plannedValue, ok := planned.(basetypes.StringValuableWithSemanticEquals)
	if resp.Diagnostics.HasError() || !ok {
		return
	}
	equal, diags := plannedValue.StringSemanticEquals(ctx, priorValue)
	resp.Diagnostics.Append(diags...)
	if equal && !resp.Diagnostics.HasError() {
		resp.PlanValue = req.StateValue
	}
}
