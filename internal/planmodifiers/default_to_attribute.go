// Package planmodifiers holds the plan modifiers that the plugin framework
// does not provide.
package planmodifiers

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var _ planmodifier.String = defaultToAttributeModifier{}

// DefaultToAttribute plans the value of another string attribute when the
// configuration leaves this one unset, so the default follows the other
// attribute through changes (display_url following rpc_url).
func DefaultToAttribute(source path.Path) planmodifier.String {
	return defaultToAttributeModifier{source: source}
}

type defaultToAttributeModifier struct {
	source path.Path
}

func (m defaultToAttributeModifier) Description(_ context.Context) string {
	return fmt.Sprintf("Defaults to the value of %s.", m.source)
}

func (m defaultToAttributeModifier) MarkdownDescription(_ context.Context) string {
	return fmt.Sprintf("Defaults to the value of `%s`.", m.source)
}

func (m defaultToAttributeModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	// The source may be of a custom string type, which a types.String
	// target would refuse; every such value converts to its plain string.
	var source attr.Value
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, m.source, &source)...)
	if resp.Diagnostics.HasError() {
		return
	}
	value, ok := source.(basetypes.StringValuable)
	if !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Default Source Is Not a String",
			fmt.Sprintf("DefaultToAttribute names %s, of type %s, as the source of a string default. This is always a "+
				"bug in the provider; please report it to the provider developers.", m.source, source.Type(ctx)))
		return
	}
	plain, diags := value.ToStringValue(ctx)
	resp.Diagnostics.Append(diags...)
	resp.PlanValue = plain
}
