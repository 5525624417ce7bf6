package validators

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = oauthURLValidator{}

type oauthURLValidator struct {
	allowPath bool
}

// AbsoluteURL accepts an absolute http or https URL with a host and no
// credentials; unlike HTTPURL it allows a query, as OAuth callbacks carry.
func AbsoluteURL() validator.String {
	return oauthURLValidator{}
}

// AbsoluteURLOrPath accepts what AbsoluteURL does and also a path starting
// with "/", which the products resolve against the application link's URL
// (the service provider URLs of a generic link's OAuth provider).
func AbsoluteURLOrPath() validator.String {
	return oauthURLValidator{allowPath: true}
}

func (v oauthURLValidator) Description(_ context.Context) string {
	if v.allowPath {
		return "value must be an absolute http or https URL, or a path starting with `/` relative to the application link's URL"
	}
	return "value must be an absolute http or https URL"
}

func (v oauthURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v oauthURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if problem := v.check(raw); problem != "" {
		expected := "an absolute http or https URL such as \"https://ci.example.com/oauth/callback\""
		if v.allowPath {
			expected = "an absolute http or https URL such as \"https://ci.example.com/oauth/request-token\", or a path " +
				"such as \"/oauth/request-token\" that the instance resolves against the application link's URL"
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", fmt.Sprintf("%s must be %s; %q %s.", req.Path, expected, RedactURL(raw), problem))
	}
}

func (v oauthURLValidator) check(raw string) string {
	if v.allowPath && strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		if _, err := url.Parse(raw); err != nil {
			return "is not a valid path: " + parseReason(err)
		}
		return ""
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return parseProblem(raw, err, "contains credentials, which must not be part of the URL")
	case u.Scheme == "":
		return "is not absolute"
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("uses the scheme %q, which is neither http nor https", u.Scheme)
	case u.Hostname() == "":
		return "has no host"
	case u.User != nil:
		return "contains credentials, which must not be part of the URL"
	case u.Fragment != "":
		return "has a fragment, which is never sent to a server"
	}
	return ""
}
