package validators

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestUUID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"2841b105-5904-3c0a-9710-1ff26ae88206", true},
		{"2841B105-5904-3C0A-9710-1FF26AE88206", true},
		{"wiki-1", false},
		{"", false},
		{"2841b105-5904-3c0a-9710-1ff26ae8820", false},
		{"2841b10559043c0a97101ff26ae88206", false},
		{" 2841b105-5904-3c0a-9710-1ff26ae88206", false},
		{"2841b105-5904-3c0a-9710-1ff26ae88206/incoming", false},
		{"g841b105-5904-3c0a-9710-1ff26ae88206", false},
	} {
		if got := IsUUID(tc.value); got != tc.ok {
			t.Errorf("IsUUID(%q) = %v, want %v", tc.value, got, tc.ok)
		}
		errs := runString(UUID(), types.StringValue(tc.value))
		if tc.ok != (len(errs) == 0) {
			t.Errorf("UUID() on %q: errors %v, want ok=%v", tc.value, errs, tc.ok)
		}
		if !tc.ok && (len(errs) != 1 || !strings.Contains(errs[0], "attr must be a UUID such as 2841b105-5904-3c0a-9710-1ff26ae88206, got: "+tc.value)) {
			t.Errorf("UUID() on %q: got %q", tc.value, errs)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if errs := runString(UUID(), v); len(errs) != 0 {
			t.Errorf("UUID() on %s: %v", v, errs)
		}
	}
}
