package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Link health as the instance holding a link sees it (design/api.md §5.2, §3.3,
// §3.4), and the manifest that answers at a URL as the machine running
// Terraform sees it.

// LinkStatus is the products' diagnosis of a link (GET status/{id}). It is
// answered with 200 whether the link works or not.
type LinkStatus struct {
	Link    StatusLink `json:"link"`
	Working bool       `json:"working"`
	// LocalAuthentication is this instance's OAuth levels for the link;
	// RemoteAuthentication the peer's for its link back, nil when the
	// instance could not get them (the peer did not answer, or the check
	// stopped before asking).
	LocalAuthentication  OAuthStatus  `json:"localAuthentication"`
	RemoteAuthentication *OAuthStatus `json:"remoteAuthentication"`
	// Error is set when Working is false.
	Error *LinkError `json:"error"`
}

// StatusLink is the link a status is about (RestMinimalApplicationLink).
type StatusLink struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	TypeID     string `json:"type"`
	RPCURL     string `json:"rpcUrl"`
	DisplayURL string `json:"displayUrl"`
}

// LinkError is why a link does not work: a category such as NETWORK_ERROR
// or CONFIG_ERROR, a type such as CONNECTION_REFUSED or AUTH_LEVEL_MISMATCH,
// and, for network errors, the underlying exception as details.
type LinkError struct {
	Category string `json:"category"`
	Type     string `json:"type"`
	Details  string `json:"details"`
	// AuthorisationURI is where a user grants an OAuth token, for the
	// token errors (LOCAL_AUTH_TOKEN_REQUIRED, REMOTE_AUTH_TOKEN_REQUIRED).
	AuthorisationURI string `json:"authorisationUri"`
}

// NetworkErrorCategory is the category of the errors that mean the instance
// got no usable answer from the peer.
const NetworkErrorCategory = "NETWORK_ERROR"

// GetApplicationLinkStatus asks the instance to check a link: it calls the
// peer (its manifest and its OAuth status of the link back) and compares
// both sides. An unknown id matches ErrNotFound; the call needs an
// administrator.
func (c *Client) GetApplicationLinkStatus(ctx context.Context, id string) (*LinkStatus, error) {
	var status LinkStatus
	r := call{method: http.MethodGet, path: apiPath(applinksV3+"/status", id)}
	if _, err := c.do(ctx, r, &status); err != nil {
		return nil, err
	}
	if !status.Working && status.Error == nil {
		// Older products may leave the error out; a broken link must still
		// say it is broken.
		status.Error = &LinkError{Category: "UNKNOWN", Type: "UNKNOWN"}
	}
	return &status, nil
}

// Link states of listApplicationlinkstates (design/api.md §3.3).
const (
	// LinkStateOK: the link's URL answers, with the link's id.
	LinkStateOK = "OK"
	// LinkStateOffline: a GET of the link's URL failed or was not 2xx.
	LinkStateOffline = "OFFLINE"
	// LinkStateUpgraded and LinkStateUpgradedToUAL: the manifest at the
	// link's URL carries another id than the link.
	LinkStateUpgraded      = "UPGRADED"
	LinkStateUpgradedToUAL = "UPGRADED_TO_UAL"
)

// GetApplicationLinkState returns the admin page's state of a link, one of
// the LinkState constants: the instance requests the link's URL and its
// manifest. The products answer 500 for an unknown id, so look the link up
// first.
func (c *Client) GetApplicationLinkState(ctx context.Context, id string) (string, error) {
	var answer struct {
		State string `json:"appLinkState"`
	}
	r := call{method: http.MethodGet, path: apiPath(applinksV1+"/listApplicationlinkstates/id", id)}
	if _, err := c.do(ctx, r, &answer); err != nil {
		return "", err
	}
	if answer.State == "" {
		return "", fmt.Errorf("GET %s: the answer names no appLinkState", r.path)
	}
	return answer.State, nil
}

// GetLinkedManifest returns the manifest the instance fetches live at a
// link's URL. When no manifest of the link's type answers there, the
// products make one up instead of failing (design/api.md §9.2): see
// Manifest.IsPlaceholder. An unknown id matches ErrValidation (the products
// answer 400).
func (c *Client) GetLinkedManifest(ctx context.Context, id string) (*Manifest, error) {
	var m Manifest
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1+"/manifest", id)}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// IsPlaceholder reports a manifest the instance made up because it could not
// download one of the link's type: it has no applinks version, and its id is
// derived from the URL, so it says nothing about what answers there.
func (m *Manifest) IsPlaceholder() bool {
	return m.ApplinksVersion == ""
}

// FetchManifestAt reads the manifest published at baseURL from this machine,
// anonymously: the URL may belong to any server, so the provider's
// credentials are never sent, and a redirect is reported rather than
// followed. It is not retried: it is a diagnosis, not a change.
func (c *Client) FetchManifestAt(ctx context.Context, baseURL string) (*Manifest, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	ctx = c.logContext(ctx)
	u := base + "/" + apiPath(applinksV1+"/manifest")
	tflog.Debug(ctx, "Fetching manifest anonymously", map[string]any{"http_url": u})

	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	// Deliberately no c.authenticate(req): see above.
	res := attemptResult{}
	if resp, err := c.http.Do(req); err != nil {
		res.err = err
	} else {
		res.status, res.header = resp.StatusCode, resp.Header
		res.body, res.tooLarge, res.err = readBody(resp.Body, c.maxBody)
		resp.Body.Close()
	}
	res.timedOut = res.err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded)

	r := call{method: http.MethodGet, ok: []int{http.StatusOK}}
	if err := c.attemptError(r, u, res); err != nil {
		return nil, err
	}
	var m Manifest
	if err := c.decode(r.method, u, res, &m); err != nil {
		return nil, err
	}
	if m.ID == "" {
		return nil, fmt.Errorf("GET %s: %w: the answer is JSON but no applinks manifest (it has no id)", u, ErrUnexpectedResponse)
	}
	return &m, nil
}
