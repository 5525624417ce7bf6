package planmodifiers

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestKeepEquivalent(t *testing.T) {
	t.Parallel()
	// Case-insensitive equality stands in for "the same key".
	modifier := KeepEquivalent(strings.EqualFold, "same key")
	tests := []struct {
		name        string
		state, plan types.String
		want        types.String
	}{
		{"re-spelled keeps the state", types.StringValue("ABC"), types.StringValue("abc"), types.StringValue("ABC")},
		{"changed takes the plan", types.StringValue("ABC"), types.StringValue("abd"), types.StringValue("abd")},
		{"create takes the plan", types.StringNull(), types.StringValue("abc"), types.StringValue("abc")},
		{"removed stays removed", types.StringValue("ABC"), types.StringNull(), types.StringNull()},
		{"unknown stays unknown", types.StringValue("ABC"), types.StringUnknown(), types.StringUnknown()},
	}
	for _, tt := range tests {
		req := planmodifier.StringRequest{Path: path.Root("public_key"), StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		modifier.PlanModifyString(context.Background(), req, resp)
		if !resp.PlanValue.Equal(tt.want) {
			t.Errorf("%s: planned %s, want %s", tt.name, resp.PlanValue, tt.want)
		}
	}
}
