package client

import (
	"context"
	"fmt"
	"net/http"
)

// Incoming OAuth 2.0 clients (design/api.md §10.2): the oauth2-provider
// plugin's ClientResource, for system administrators only. The instance is
// the authorisation server; an external application holds the client id and
// secret.

const oauth2ClientPath = "rest/oauth2/latest/client"

// OAuth2Scopes are the scopes an incoming client may hold, lowest first:
// each includes the ones before it (design/api.md §10.3).
var OAuth2Scopes = []string{"READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"}

// The system properties that relax the provider's HTTPS rules
// (design/api.md §10.4), for diagnostics that tell the user how to lift them.
const (
	PropertySkipBaseURLHTTPS     = "atlassian.oauth2.provider.skip.base.url.https.requirement"
	PropertySkipRedirectURLHTTPS = "atlassian.oauth2.provider.skip.redirect.url.https.requirement"
)

// OAuth2Client is an incoming client as the products return it. The secret
// is returned on every read.
type OAuth2Client struct {
	ID           string   `json:"id"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	Name         string   `json:"name"`
	Redirects    []string `json:"redirects"`
	UserKey      string   `json:"userKey"`
	Scope        string   `json:"scope"`
}

// OAuth2ClientInput is what create and update send.
type OAuth2ClientInput struct {
	Name      string   `json:"name"`
	Redirects []string `json:"redirects"`
	Scope     string   `json:"scope"`
}

// OAuth2Clients lists the incoming clients.
func (c *Client) OAuth2Clients(ctx context.Context) ([]OAuth2Client, error) {
	var clients []OAuth2Client
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ClientPath)}, &clients); err != nil {
		return nil, err
	}
	return clients, nil
}

// OAuth2Client reads one client; a missing one is ErrNotFound.
func (c *Client) OAuth2Client(ctx context.Context, id string) (*OAuth2Client, error) {
	var out OAuth2Client
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ClientPath, id)}, &out); err != nil {
		return nil, err
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateOAuth2Client registers a client. The products answer 200; any 2xx
// is taken. A create whose outcome is unknown is not repeated: resources
// call CreateOAuth2ClientOnce, which settles it by the name.
func (c *Client) CreateOAuth2Client(ctx context.Context, in OAuth2ClientInput) (*OAuth2Client, error) {
	var out OAuth2Client
	if _, err := c.do(ctx, call{method: http.MethodPost, path: apiPath(oauth2ClientPath), body: in}, &out); err != nil {
		return nil, err
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateOAuth2Client changes name, redirects and scope; the products answer
// 204 without a body, so the client is read back.
func (c *Client) UpdateOAuth2Client(ctx context.Context, id string, in OAuth2ClientInput) (*OAuth2Client, error) {
	if _, err := c.do(ctx, call{method: http.MethodPut, path: apiPath(oauth2ClientPath, id), body: in, idempotent: true}, nil); err != nil {
		return nil, err
	}
	return c.OAuth2Client(ctx, id)
}

// ResetOAuth2ClientSecret gives the client a new secret and keeps its
// client id; the call is keyed by the client id, not the id. It is not
// repeated when its outcome is unknown: ResetOAuth2ClientSecretOnce reads
// the client to settle it.
func (c *Client) ResetOAuth2ClientSecret(ctx context.Context, clientID string) (*OAuth2Client, error) {
	var out OAuth2Client
	if _, err := c.do(ctx, call{method: http.MethodPut, path: apiPath(oauth2ClientPath, "reset", clientID)}, &out); err != nil {
		return nil, err
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteOAuth2Client deletes a client, which revokes its tokens.
func (c *Client) DeleteOAuth2Client(ctx context.Context, id string) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: apiPath(oauth2ClientPath, id), idempotent: true}, nil)
	return err
}

// OAuth2ClientByName finds a client by its name, or returns nil.
func (c *Client) OAuth2ClientByName(ctx context.Context, name string) (*OAuth2Client, error) {
	clients, err := c.OAuth2Clients(ctx)
	if err != nil {
		return nil, err
	}
	for i := range clients {
		if clients[i].Name == name {
			return &clients[i], nil
		}
	}
	return nil, nil
}

// check refuses a body that decoded but is not a client, such as a proxy's
// JSON: without an id nothing could be managed.
func (o *OAuth2Client) check() error {
	if o.ID == "" || o.ClientID == "" {
		return fmt.Errorf("the OAuth 2.0 client in the answer has no id or client id: %w", ErrUnexpectedResponse)
	}
	return nil
}
