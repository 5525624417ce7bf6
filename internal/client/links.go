package client

import (
	"context"
	"crypto/md5" //nolint:gosec // the products derive ids with UUID.nameUUIDFromBytes, which is MD5
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// applinksLatest serves the v2 create (PUT /applicationlink), which the
// products answer on 2.0, 3.0 and latest alike (design/api.md §1.1).
const applinksLatest = "rest/applinks/latest"

// Authentication provider class names (design/api.md §2.3).
const (
	ProviderOAuth                      = "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider"
	ProviderTwoLeggedOAuth             = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthAuthenticationProvider"
	ProviderTwoLeggedOAuthImpersonated = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthWithImpersonationAuthenticationProvider"
	ProviderBasic                      = "com.atlassian.applinks.api.auth.types.BasicAuthenticationProvider"
	ProviderTrustedApps                = "com.atlassian.applinks.api.auth.types.TrustedAppsAuthenticationProvider"
	ProviderCORS                       = "com.atlassian.applinks.api.auth.types.CorsAuthenticationProvider"
)

// ApplicationLink is a link as the v3 API represents it (design/api.md §5.1):
// note `type`, `system` and `primary`, not v1's typeId/isSystem/isPrimary.
type ApplicationLink struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	TypeID     string `json:"type"`
	RPCURL     string `json:"rpcUrl"`
	DisplayURL string `json:"displayUrl"`
	System     bool   `json:"system"`
	Primary    bool   `json:"primary"`
}

// ListApplicationLinks returns every link of the instance, from the listing
// that the reads of one run share (cache.go).
func (c *Client) ListApplicationLinks(ctx context.Context) ([]ApplicationLink, error) {
	links, err := c.caches.links.get(ctx, c.now, struct{}{}, c.listApplicationLinks)
	return slices.Clone(links), err
}

func (c *Client) listApplicationLinks(ctx context.Context) ([]ApplicationLink, error) {
	var links []ApplicationLink
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV3 + "/applinks")}, &links); err != nil {
		return nil, err
	}
	return links, nil
}

// ApplicationLink returns the link with the id, or an error matching
// ErrNotFound. By default it is looked up in the listing that the reads of
// one run share (cache.go), so refreshing many links costs one request; with
// Uncached it is read on its own through v3, which answers 404 for an
// unknown id where v1 answers 500 (design/api.md §3.2).
func (c *Client) ApplicationLink(ctx context.Context, id string, opts ...ReadOption) (*ApplicationLink, error) {
	if uncached(opts) {
		var link ApplicationLink
		if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV3+"/applinks", id)}, &link); err != nil {
			return nil, err
		}
		return &link, nil
	}
	// The shared listing is searched in place, as WhitelistRule does.
	links, err := c.caches.links.get(ctx, c.now, struct{}{}, c.listApplicationLinks)
	if err != nil {
		return nil, err
	}
	for _, link := range links {
		if strings.EqualFold(link.ID, id) {
			return &link, nil
		}
	}
	return nil, fmt.Errorf("application link %s is not listed by %s: %w", id, c.url(applinksV3+"/applinks", nil), ErrNotFound)
}

// NewApplicationLink is the body of the v2 create (design/api.md §4).
type NewApplicationLink struct {
	ID         string `json:"id,omitempty"`
	TypeID     string `json:"typeId"`
	Name       string `json:"name"`
	RPCURL     string `json:"rpcUrl"`
	DisplayURL string `json:"displayUrl"`
	Primary    bool   `json:"isPrimary,omitempty"`
}

// statusEntity is the REST module's Status (design/api.md §1.5 family 1), which
// the v1/v2 writes answer with.
type statusEntity struct {
	StatusCode       int          `json:"status-code"`
	Message          string       `json:"message"`
	ResourcesCreated []linkEntity `json:"resources-created"`
}

type linkEntity struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// CreateApplicationLink creates a link without contacting the peer and
// returns the id the server gave it. The server uses the body's id, except
// for generic links, whose id is always ApplicationIDForURL(rpcUrl).
//
// A create is not repeated when its outcome is unknown: the error then
// matches ErrOutcomeUnknown, and the caller should look the link up by id.
func (c *Client) CreateApplicationLink(ctx context.Context, link NewApplicationLink) (string, error) {
	var status statusEntity
	_, err := c.do(ctx, call{
		method: http.MethodPut,
		path:   apiPath(applinksLatest + "/applicationlink"),
		body:   link,
	}, &status)
	if err != nil {
		return "", err
	}
	// Older versions answer 200 and some omit resources-created; the id we
	// sent is then the best knowledge of what was created.
	for _, created := range status.ResourcesCreated {
		if id := lastPathSegment(created.Href); id != "" {
			return id, nil
		}
	}
	if link.ID == "" {
		return "", fmt.Errorf("PUT %s: the answer names no created link", applinksLatest+"/applicationlink")
	}
	return link.ID, nil
}

func lastPathSegment(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	path := strings.TrimRight(u.Path, "/")
	segment, err := url.PathUnescape(path[strings.LastIndex(path, "/")+1:])
	if err != nil {
		return ""
	}
	return segment
}

// ApplicationLinkUpdate is the body of the v3 update, where name, rpcUrl and
// displayUrl are all required (design/api.md §5.1).
type ApplicationLinkUpdate struct {
	Name       string `json:"name"`
	RPCURL     string `json:"rpcUrl"`
	DisplayURL string `json:"displayUrl"`
	// Primary true makes the link primary; false leaves it as it is, since
	// the products cannot unset primary directly.
	Primary bool `json:"primary,omitempty"`
}

// UpdateApplicationLink changes a link's name and URLs in place. Changing
// rpcUrl here skips every reachability check; RelocateApplicationLink is the
// checked way.
func (c *Client) UpdateApplicationLink(ctx context.Context, id string, update ApplicationLinkUpdate) (*ApplicationLink, error) {
	var link ApplicationLink
	err := c.changeLink(ctx, id, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodPut,
			path:       apiPath(applinksV3+"/applinks", id),
			body:       update,
			idempotent: true,
		}, &link)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &link, nil
}

// DeleteApplicationLink removes the local link only; the peer's reverse link
// stays. A link that is already gone returns an error matching ErrNotFound.
func (c *Client) DeleteApplicationLink(ctx context.Context, id string) error {
	return c.changeLink(ctx, id, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodDelete,
			path:       apiPath(applinksV3+"/applinks", id),
			idempotent: true,
		}, nil)
		return err
	})
}

// MakePrimary makes the link the primary one of its type. The body-less POST
// is what needs the X-Atlassian-Token header that every request carries.
func (c *Client) MakePrimary(ctx context.Context, id string) error {
	return c.changeLink(ctx, id, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodPost,
			path:       apiPath(applinksV1+"/applicationlink/primary", id),
			idempotent: true,
		}, nil)
		return err
	})
}

// ErrPeerNotResponding is what relocation answers (409, empty body) when the
// new URL does not respond and the caller did not force it.
var ErrPeerNotResponding = errors.New("the application at the new URL is not responding")

// RelocateApplicationLink points a link at a new URL, keeping its id. The
// server sets the display URL from the manifest at the new URL, or to the
// new URL itself when it finds none. With force, an unreachable URL is
// accepted (the products' "relocate anyway").
func (c *Client) RelocateApplicationLink(ctx context.Context, id, newURL string, force bool) error {
	err := c.changeLink(ctx, id, func() error {
		_, err := c.do(ctx, call{
			method: http.MethodPost,
			path:   apiPath(applinksV1+"/relocateApplicationlink", id),
			query:  url.Values{"newUrl": {newURL}, "nowarning": {strconv.FormatBool(force)}},
			// Relocating twice to the same URL has the same effect as once.
			idempotent: true,
		}, nil)
		return err
	})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict && !force {
		return fmt.Errorf("%w: %w", ErrPeerNotResponding, err)
	}
	return err
}

// DiscoveredPeer is what the instance itself found at a URL through the
// link wizard's manifest lookup (design/api.md §3.5): a manifest, or a warning
// code when it could not get one.
type DiscoveredPeer struct {
	Manifest *Manifest
	// WarningCode is e.g. applinks.warning.unknown.host (no answer) or
	// applinks.warning.redirected.host; Warning is the text and
	// RedirectedURL the target of a redirect.
	WarningCode   string
	Warning       string
	RedirectedURL string
}

type discoveryAnswer struct {
	Code    string            `json:"code"`
	Warning string            `json:"warning"`
	Params  map[string]string `json:"params"`
}

// DiscoverPeer asks the instance to fetch the manifest at peerURL. The
// instance, not the machine running Terraform, makes the request, so this
// works when only the servers can reach each other. Products refuse to look
// up loopback and link-local hosts (403) unless configured otherwise, and
// answer 409 when a link to that application, or to themselves, exists.
func (c *Client) DiscoverPeer(ctx context.Context, peerURL string) (*DiscoveredPeer, error) {
	r := call{
		method: http.MethodGet,
		path:   apiPath(applinksV1 + "/applicationlinkForm/manifest"),
		query:  url.Values{"url": {peerURL}},
	}
	var raw json.RawMessage
	if _, err := c.do(ctx, r, &raw); err != nil {
		return nil, err
	}
	var answer discoveryAnswer
	if err := json.Unmarshal(raw, &answer); err == nil && answer.Code != "" {
		return &DiscoveredPeer{WarningCode: answer.Code, Warning: answer.Warning, RedirectedURL: answer.Params["redirectedUrl"]}, nil
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("GET %s: the answer is neither a manifest nor a warning: %w", r.path, err)
	}
	if m.ID == "" {
		// A null manifest is answered as {}.
		return &DiscoveredPeer{WarningCode: "applinks.warning.no.manifest", Warning: "no manifest found at " + peerURL}, nil
	}
	return &DiscoveredPeer{Manifest: &m}, nil
}

// OAuthConfig is one direction's OAuth level (design/api.md §5.3). The products
// normalise it to off, 3LO, 3LO+2LO or 3LO+2LO+2LOi.
type OAuthConfig struct {
	Enabled                   bool `json:"enabled"`
	TwoLoEnabled              bool `json:"twoLoEnabled"`
	TwoLoImpersonationEnabled bool `json:"twoLoImpersonationEnabled"`
}

// OAuthStatus is a link's OAuth level in both directions, as seen from the
// instance that holds the link.
type OAuthStatus struct {
	Incoming OAuthConfig `json:"incoming"`
	Outgoing OAuthConfig `json:"outgoing"`
}

// GetOAuthStatus reads a link's OAuth levels.
func (c *Client) GetOAuthStatus(ctx context.Context, id string) (*OAuthStatus, error) {
	var status OAuthStatus
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV3+"/status", id, "oauth")}, &status); err != nil {
		return nil, err
	}
	return &status, nil
}

// SetOAuthStatus sets a link's OAuth levels on this instance only; the peer
// needs the mirrored levels set on its own link. Enabling incoming OAuth the
// first time makes the instance fetch the peer's consumer information, and
// fails with a conflict when it cannot. Impersonation needs a system
// administrator.
func (c *Client) SetOAuthStatus(ctx context.Context, id string, status OAuthStatus) error {
	return c.changeLink(ctx, id, func() error { return c.setOAuthStatus(ctx, id, status) })
}

func (c *Client) setOAuthStatus(ctx context.Context, id string, status OAuthStatus) error {
	_, err := c.do(ctx, call{
		method:     http.MethodPut,
		path:       apiPath(applinksV3+"/status", id, "oauth"),
		body:       status,
		idempotent: true,
	}, nil)
	return err
}

// AuthenticationProvider is an outgoing authentication provider configured
// on a link (design/api.md §4).
type AuthenticationProvider struct {
	Provider string            `json:"provider"`
	Module   string            `json:"module"`
	Config   map[string]string `json:"config"`
}

// ApplicationIDForURL is the id the products derive from a URL for generic
// links and for peers without a manifest (design/api.md §2.1): Java's
// UUID.nameUUIDFromBytes, an MD5 name-based UUID with no namespace, of the
// normalised URL without trailing slashes.
func ApplicationIDForURL(rawURL string) string {
	sum := md5.Sum([]byte(strings.TrimRight(normaliseURI(rawURL), "/"))) //nolint:gosec // see above
	sum[6] = (sum[6] & 0x0f) | 0x30
	sum[8] = (sum[8] & 0x3f) | 0x80
	h := hex.EncodeToString(sum[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// normaliseURI approximates java.net.URI.normalize(), which removes "." and
// ".." path segments. URLs without such segments, nearly all of them, are
// returned byte for byte, since any re-serialisation could change the id.
func normaliseURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !hasDotSegment(u.Path) {
		return raw
	}
	return u.JoinPath().String()
}

func hasDotSegment(path string) bool {
	for _, segment := range strings.Split(path, "/") {
		if segment == "." || segment == ".." {
			return true
		}
	}
	return false
}
