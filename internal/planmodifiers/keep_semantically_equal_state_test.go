package planmodifiers

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/customtypes"
)

// stateWith is a state whose only attribute, "url", has the given type and
// holds value.
func stateWith(t *testing.T, attribute schema.StringAttribute, value types.String) tfsdk.State {
	t.Helper()
	raw, err := value.ToTerraformValue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tfsdk.State{
		Schema: schema.Schema{Attributes: map[string]schema.Attribute{"url": attribute}},
		Raw:    tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"url": tftypes.String}}, map[string]tftypes.Value{"url": raw}),
	}
}

func TestKeepSemanticallyEqualState(t *testing.T) {
	t.Parallel()
	// A link URL's trailing slash stands in for any other spelling.
	linkURL := schema.StringAttribute{Optional: true, CustomType: customtypes.LinkURLType{}}
	tests := []struct {
		name        string
		state, plan types.String
		want        types.String
	}{
		{"re-spelled keeps the state", types.StringValue("https://a.example"), types.StringValue("https://a.example/"), types.StringValue("https://a.example")},
		{"changed takes the plan", types.StringValue("https://a.example"), types.StringValue("https://b.example"), types.StringValue("https://b.example")},
		{"create takes the plan", types.StringNull(), types.StringValue("https://a.example"), types.StringValue("https://a.example")},
		{"removed stays removed", types.StringValue("https://a.example"), types.StringNull(), types.StringNull()},
		{"unknown stays unknown", types.StringValue("https://a.example"), types.StringUnknown(), types.StringUnknown()},
	}
	for _, tt := range tests {
		req := planmodifier.StringRequest{Path: path.Root("url"), StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan,
			State: stateWith(t, linkURL, tt.state)}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		KeepSemanticallyEqualState().PlanModifyString(context.Background(), req, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s: %v", tt.name, resp.Diagnostics)
		}
		if !resp.PlanValue.Equal(tt.want) {
			t.Errorf("%s: planned %s, want %s", tt.name, resp.PlanValue, tt.want)
		}
	}
}

// On an attribute whose type has no semantic equality the modifier cannot
// work, which is a provider bug to report rather than a silent no-op.
func TestKeepSemanticallyEqualStateNeedsSemanticEquality(t *testing.T) {
	t.Parallel()
	state := types.StringValue("https://a.example")
	req := planmodifier.StringRequest{Path: path.Root("url"), StateValue: state, PlanValue: types.StringValue("https://a.example/"),
		State: stateWith(t, schema.StringAttribute{Optional: true}, state)}
	resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
	KeepSemanticallyEqualState().PlanModifyString(context.Background(), req, resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), "bug in the provider") {
		t.Fatalf("diagnostics = %v, want a provider bug", resp.Diagnostics)
	}
	if !resp.PlanValue.Equal(req.PlanValue) {
		t.Errorf("planned %s, want the configured value", resp.PlanValue)
	}
}
