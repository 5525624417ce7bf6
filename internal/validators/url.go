package validators

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = httpURLValidator{}

type httpURLValidator struct{}

// HTTPURL accepts an absolute http or https URL with a host and no
// credentials, query or fragment: the shape of a product's base URL.
func HTTPURL() validator.String {
	return httpURLValidator{}
}

func (v httpURLValidator) Description(_ context.Context) string {
	return "value must be an absolute http or https URL such as `https://jira.example.com`"
}

func (v httpURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v httpURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if _, problem := CheckHTTPURL(raw); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("%s must be an absolute http or https URL such as \"https://jira.example.com\" (with any "+
				"context path, such as \"https://example.com/wiki\"); %q %s.", req.Path, RedactURL(raw), problem))
	}
}

// CheckHTTPURL returns the parsed URL, or what is wrong with it as the end
// of a sentence ("has no host").
func CheckHTTPURL(raw string) (*url.URL, string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, "is not a valid URL: " + err.Error()
	case u.Scheme == "":
		return nil, "has no scheme"
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Sprintf("uses the scheme %q, which is neither http nor https", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return nil, "has no host"
	case u.User != nil:
		return nil, "contains credentials, which must not be part of the URL"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, "has a query or fragment, which a base URL cannot carry"
	}
	return u, ""
}

// userinfoPassword finds the password of "scheme://user:password@host",
// for text that url.Parse refuses.
var userinfoPassword = regexp.MustCompile(`(//[^/?#@:]*):[^/?#@]*@`)

// RedactURL masks a password written into a URL, so that a message quoting
// the URL cannot leak it; it works on text that does not parse as well.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return u.Redacted()
		}
		return raw
	}
	return userinfoPassword.ReplaceAllString(raw, "${1}:xxxxx@")
}
