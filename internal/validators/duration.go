package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = positiveDurationValidator{}

type positiveDurationValidator struct{}

// PositiveDuration accepts a Go duration string (time.ParseDuration) greater
// than zero, such as "30s" or "1m30s".
func PositiveDuration() validator.String {
	return positiveDurationValidator{}
}

func (v positiveDurationValidator) Description(_ context.Context) string {
	return "value must be a positive duration such as `30s` or `2m`"
}

func (v positiveDurationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v positiveDurationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s must be a duration with a unit, such as \"30s\", \"2m\" or \"1m30s\"; %q does not parse: %s.",
				req.Path, raw, err))
	case d <= 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s must be greater than zero, such as \"30s\"; got %q.", req.Path, raw))
	}
}
