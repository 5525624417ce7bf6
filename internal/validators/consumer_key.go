package validators

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = consumerKeyValidator{}

type consumerKeyValidator struct{}

// ConsumerKey accepts an OAuth consumer key: one token without white space
// or control characters. The products store a key as given, so a key read
// with file() keeps its final line break, and the application, which sends
// the key without it, is then refused as an unknown consumer.
func ConsumerKey() validator.String {
	return consumerKeyValidator{}
}

func (v consumerKeyValidator) Description(_ context.Context) string {
	return "value must be an OAuth consumer key without spaces, line breaks or other blank characters"
}

func (v consumerKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v consumerKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := CheckConsumerKey(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid OAuth Consumer Key",
			fmt.Sprintf("%s %s. The application sends its key as `oauth_consumer_key` exactly as it was issued, so the "+
				"stored key must match it character for character: remove the blank characters (a key read with "+
				"file() ends with a line break; use trimspace(file(...)))", req.Path, problem))
	}
}

// CheckConsumerKey returns "" or what is wrong with a consumer key, as the
// end of a sentence starting with the attribute's name.
func CheckConsumerKey(key string) string {
	if strings.TrimSpace(key) == "" {
		return "must not be empty or blank"
	}
	i := strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if i < 0 {
		return ""
	}
	what := "a blank character"
	switch key[i] {
	case ' ':
		what = "a space"
	case '\n', '\r':
		what = "a line break"
	case '\t':
		what = "a tab"
	}
	return fmt.Sprintf("contains %s at offset %d", what, i)
}
