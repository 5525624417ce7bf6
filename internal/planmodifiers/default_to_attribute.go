// Package planmodifiers holds the plan modifiers that the plugin framework
// does not provide.
package planmodifiers

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	var source types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, m.source, &source)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.PlanValue = source
}
