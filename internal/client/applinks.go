package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Fixed path prefixes of the REST modules (design/api.md §1.1).
const (
	applinksV1 = "rest/applinks/1.0"
	applinksV3 = "rest/applinks/3.0"
)

// placeholderAuthType is listed in a product's own manifest for the sake of
// old peers (design/api.md §3.4); it is not an authentication type.
const placeholderAuthType = "placeholder.to.ensure.backwards.compatibility"

// Manifest describes a product instance (design/api.md §3.4). Its ID is the
// server ID that links to the instance must use.
type Manifest struct {
	ID                          string   `json:"id"`
	Name                        string   `json:"name"`
	TypeID                      string   `json:"typeId"`
	Version                     string   `json:"version"`
	BuildNumber                 int64    `json:"buildNumber"`
	ApplinksVersion             string   `json:"applinksVersion"`
	InboundAuthenticationTypes  []string `json:"inboundAuthenticationTypes"`
	OutboundAuthenticationTypes []string `json:"outboundAuthenticationTypes"`
	PublicSignup                bool     `json:"publicSignup"`
	URL                         string   `json:"url"`
	IconURL                     string   `json:"iconUrl"`
	IconURI                     string   `json:"iconUri"`
}

// UnmarshalJSON accepts buildNumber as a number or, from older products, a
// string, and drops the placeholder authentication type, so a manifest reads
// the same whichever endpoint or product version served it.
func (m *Manifest) UnmarshalJSON(data []byte) error {
	type plain Manifest
	var wire struct {
		plain
		BuildNumber flexInt64 `json:"buildNumber"` // shadows plain's
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*m = Manifest(wire.plain)
	m.BuildNumber = int64(wire.BuildNumber)
	m.InboundAuthenticationTypes = withoutPlaceholder(m.InboundAuthenticationTypes)
	m.OutboundAuthenticationTypes = withoutPlaceholder(m.OutboundAuthenticationTypes)
	return nil
}

func withoutPlaceholder(types []string) []string {
	return slices.DeleteFunc(types, func(t string) bool { return t == placeholderAuthType })
}

type flexInt64 int64

func (n *flexInt64) UnmarshalJSON(data []byte) error {
	text := string(data)
	if unquoted, err := strconv.Unquote(text); err == nil {
		text = unquoted
	}
	if text = strings.TrimSpace(text); text == "" || text == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("buildNumber %s is not an integer", data)
	}
	*n = flexInt64(v)
	return nil
}

// GetManifest reads the instance's own manifest. It is anonymous on the
// product side, so it also works before credentials are right.
func (c *Client) GetManifest(ctx context.Context) (*Manifest, error) {
	var m Manifest
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1 + "/manifest")}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// CheckAdmin returns nil when the credentials belong to an administrator. A
// 401 here means wrong credentials or not an administrator (the applinks
// interceptor answers both the same way); it is returned as an *APIError
// matching ErrUnauthorized.
func (c *Client) CheckAdmin(ctx context.Context) error {
	_, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1 + "/authenticationinfo")}, nil)
	return err
}

// Capabilities lists the applinks features the instance supports, such as
// STATUS_API, which decide which API a peer can be configured through.
func (c *Client) Capabilities(ctx context.Context) ([]string, error) {
	var caps []string
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV3 + "/capabilities")}, &caps); err != nil {
		return nil, err
	}
	return caps, nil
}
