package customtypes

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.StringTypable                    = LinkURLType{}
	_ basetypes.StringValuableWithSemanticEquals = LinkURL{}
)

// LinkURLType is the type of an application link's rpc_url and display_url.
// The products strip trailing slashes from these URLs when a v1/v2 entity
// carries them (design/api.md §2.1) but keep them through the v3 update,
// so the same link URL comes back with or without them. Nothing else about
// the URL is treated as the same: an allowlist URL, where a trailing slash
// matters, is not a LinkURL.
type LinkURLType struct {
	basetypes.StringType
}

func (t LinkURLType) String() string {
	return "customtypes.LinkURLType"
}

func (t LinkURLType) Equal(o attr.Type) bool {
	other, ok := o.(LinkURLType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t LinkURLType) ValueType(_ context.Context) attr.Value {
	return LinkURL{}
}

func (t LinkURLType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return LinkURL{StringValue: in}, nil
}

func (t LinkURLType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	return LinkURL{StringValue: stringValue}, nil
}

// LinkURL is a value of LinkURLType.
type LinkURL struct {
	basetypes.StringValue
}

// NewLinkURLValue returns a known URL spelt as given.
func NewLinkURLValue(u string) LinkURL {
	return LinkURL{StringValue: basetypes.NewStringValue(u)}
}

// NewLinkURLNull returns a null URL.
func NewLinkURLNull() LinkURL {
	return LinkURL{StringValue: basetypes.NewStringNull()}
}

// CanonicalLinkURL is a link URL as the products store it through their
// v1/v2 entities: without trailing slashes.
func CanonicalLinkURL(u string) string {
	return strings.TrimRight(u, "/")
}

// ApplicationURLKey is the application a link URL reaches, so that two
// spellings of one application compare equal: the scheme and the host
// without regard to case (RFC 3986 §3.1, §3.2.2), the port left out when it
// is the scheme's default, "." and ".." path segments resolved and trailing
// slashes stripped. The products do none of this: they hash the URL as
// spelt, case and port included, to make a generic link's id, and resolve
// only dot segments first (design/api.md §2.1), so two spellings of one
// application give two links. The provider refuses those itself. A URL that
// does not parse is its own key.
func ApplicationURLKey(raw string) string {
	u, err := url.Parse(CanonicalLinkURL(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return CanonicalLinkURL(raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == defaultPorts[u.Scheme] {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if hasDotSegment(u.Path) {
		u = u.JoinPath()
	}
	return strings.TrimRight(u.String(), "/")
}

// SameApplicationURL reports whether two link URLs reach one application
// (ApplicationURLKey).
func SameApplicationURL(a, b string) bool {
	return ApplicationURLKey(a) == ApplicationURLKey(b)
}

var defaultPorts = map[string]string{"http": "80", "https": "443"}

func hasDotSegment(path string) bool {
	for _, segment := range strings.Split(path, "/") {
		if segment == "." || segment == ".." {
			return true
		}
	}
	return false
}

func (v LinkURL) Type(_ context.Context) attr.Type {
	return LinkURLType{}
}

func (v LinkURL) Equal(o attr.Value) bool {
	other, ok := o.(LinkURL)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both values are the same link URL
// once trailing slashes are stripped, as the products store it.
func (v LinkURL) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(LinkURL)
	if !ok || !known(v.StringValue) || !known(other.StringValue) {
		return false, nil
	}
	return CanonicalLinkURL(v.ValueString()) == CanonicalLinkURL(other.ValueString()), nil
}
