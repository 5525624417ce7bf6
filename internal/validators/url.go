package validators

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

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

// CredentialsInURL is what CheckHTTPURL says of a URL that carries a user
// name and password, parsable or not, so that callers can say where the
// credentials belong instead.
const CredentialsInURL = "contains credentials, which must not be part of the URL"

// CheckHTTPURL returns the parsed URL, or what is wrong with it as the end
// of a sentence ("has no host").
func CheckHTTPURL(raw string) (*url.URL, string) {
	if problem := checkBlanks(raw); problem != "" {
		// Checked first: Go's parser reads a leading space as part of a
		// relative path and complains about a colon instead.
		return nil, problem
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, parseProblem(raw, err, CredentialsInURL)
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
	if problem := checkPort(u.Port()); problem != "" {
		return nil, problem
	}
	if i := strings.IndexFunc(raw, isBlankOrControl); i >= 0 {
		// Go keeps a space in a path as given; the products' java.net.URI
		// refuses it.
		return nil, fmt.Sprintf("contains %q at offset %d, which must be percent-encoded (for example %q)", raw[i:i+1], i, fmt.Sprintf("%%%02X", raw[i]))
	}
	return u, ""
}

// checkBlanks finds white space around a URL, which a copy and paste or a
// heredoc brings along and which no server strips.
func checkBlanks(raw string) string {
	switch {
	case raw != "" && strings.TrimLeftFunc(raw, unicode.IsSpace) != raw:
		return "starts with a space or another blank character; remove it"
	case raw != "" && strings.TrimRightFunc(raw, unicode.IsSpace) != raw:
		return "ends with a space, a line break or another blank character; remove it (in a heredoc, use chomp() or trimspace())"
	}
	return ""
}

// checkPort refuses ports outside 1-65535, which Go parses without a word;
// port 0 and 65536 reach no server.
func checkPort(port string) string {
	if port == "" {
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("has the port %q, which is not a number between 1 and 65535", port)
	}
	return ""
}

func isBlankOrControl(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// parseProblem says what is wrong with text that url.Parse refused without
// quoting the text: Go's error repeats all of it, and its reason may quote a
// piece of a password that broke parsing (a password holding "/" ends the
// host early, so the error reports its start as an "invalid port"). Text
// that looks like it carries a password gets the caller's words for
// credentials, which are the fix in any case; credentials is refused even
// where the URL would parse.
func parseProblem(raw string, err error, credentials string) string {
	if userinfoPassword.MatchString(raw) {
		return credentials
	}
	return "is not a valid URL: " + parseReason(err)
}

// parseReason is url.Parse's reason without the text it refused.
func parseReason(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

// userinfoPassword finds the password of "scheme://user:password@host" in
// text that url.Parse refuses. It runs to the last "@", since a password
// that breaks parsing may hold any character, "/", "?", "#" and "@" among
// them, and showing too little of a broken URL is the safe mistake.
var userinfoPassword = regexp.MustCompile(`(//[^/?#@:]*):.*@`)

// RedactURL masks a password written into a URL, so that a message quoting
// the URL cannot leak it; it works on text that does not parse as well.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfoPassword.ReplaceAllString(raw, "${1}:xxxxx@")
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return u.Redacted()
		}
	}
	return raw
}
