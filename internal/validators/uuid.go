package validators

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// uuidPattern is what the products accept as an application id:
// java.util.UUID's string form, in either case (design/api.md §2.1).
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// UUID accepts an application id such as
// 2841b105-5904-3c0a-9710-1ff26ae88206.
func UUID() validator.String {
	return stringvalidator.RegexMatches(uuidPattern, "must be a UUID such as 2841b105-5904-3c0a-9710-1ff26ae88206")
}

// IsUUID reports whether s is an application id, for import ids, which no
// attribute validator sees.
func IsUUID(s string) bool {
	return uuidPattern.MatchString(s)
}
