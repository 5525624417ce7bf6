package planmodifiers

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/applinks-iac/terraform-provider-applinks/internal/customtypes"
)

func TestDefaultToAttribute(t *testing.T) {
	t.Parallel()
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"rpc_url":     schema.StringAttribute{Required: true},
		"display_url": schema.StringAttribute{Optional: true, Computed: true},
	}}
	objectType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"rpc_url": tftypes.String, "display_url": tftypes.String}}
	plan := func(rpcURL any) tfsdk.Plan {
		return tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(objectType, map[string]tftypes.Value{
			"rpc_url":     tftypes.NewValue(tftypes.String, rpcURL),
			"display_url": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		})}
	}

	tests := []struct {
		name   string
		config types.String
		rpcURL any
		want   types.String
	}{
		{"unset follows the source", types.StringNull(), "http://wiki:8090", types.StringValue("http://wiki:8090")},
		{"unset with unknown source stays unknown", types.StringNull(), tftypes.UnknownValue, types.StringUnknown()},
		{"configured wins", types.StringValue("https://wiki.example.com"), "http://wiki:8090", types.StringUnknown()},
	}
	for _, tt := range tests {
		req := planmodifier.StringRequest{Path: path.Root("display_url"), ConfigValue: tt.config, Plan: plan(tt.rpcURL), PlanValue: types.StringUnknown()}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		DefaultToAttribute(path.Root("rpc_url")).PlanModifyString(context.Background(), req, resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", tt.name, resp.Diagnostics)
		}
		if !resp.PlanValue.Equal(tt.want) {
			t.Errorf("%s: planned %s, want %s", tt.name, resp.PlanValue, tt.want)
		}
	}
}

// The source may be of a custom string type (rpc_url is a link URL): its
// value is planned as the plain string it holds.
func TestDefaultToAttributeFromCustomType(t *testing.T) {
	t.Parallel()
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"rpc_url":     schema.StringAttribute{Required: true, CustomType: customtypes.LinkURLType{}},
		"display_url": schema.StringAttribute{Optional: true, Computed: true, CustomType: customtypes.LinkURLType{}},
	}}
	objectType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"rpc_url": tftypes.String, "display_url": tftypes.String}}
	req := planmodifier.StringRequest{Path: path.Root("display_url"), ConfigValue: types.StringNull(), PlanValue: types.StringUnknown(),
		Plan: tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(objectType, map[string]tftypes.Value{
			"rpc_url":     tftypes.NewValue(tftypes.String, "http://wiki:8090/"),
			"display_url": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		})}}
	resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
	DefaultToAttribute(path.Root("rpc_url")).PlanModifyString(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if want := types.StringValue("http://wiki:8090/"); !resp.PlanValue.Equal(want) {
		t.Errorf("planned %s, want %s", resp.PlanValue, want)
	}
}
