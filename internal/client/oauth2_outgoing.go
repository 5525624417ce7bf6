package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Outgoing OAuth 2.0 client configurations (design/api.md §10.5): the
// oauth2-client plugin's ClientConfigurationResource, with which the
// instance is the client of an external authorisation server. Inferred: the
// module path, the flow's entities and the redirect URI's form.

const oauth2ConfigPath = "rest/oauth2-client/latest/config"

// OAuth2ProviderTypes are the provider kinds the products offer (Inferred
// wire values).
var OAuth2ProviderTypes = []string{"GOOGLE", "MICROSOFT", "STANDARD"}

// oauth2CallbackPath is where the instance takes the provider's redirect
// (Inferred); the configuration's suffix follows it.
const oauth2CallbackPath = "/plugins/servlet/oauth2/client/callback/"

// OAuth2Config is an outgoing configuration as the products return it; the
// client secret is never returned.
type OAuth2Config struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description"`
	Type                  string   `json:"type"`
	ClientID              string   `json:"clientId"`
	AuthorizationEndpoint string   `json:"authorizationEndpoint"`
	TokenEndpoint         string   `json:"tokenEndpoint"`
	Scopes                []string `json:"scopes"`
	RedirectURISuffix     string   `json:"redirectUriSuffix"`
}

// OAuth2ConfigInput is what create and update send. An empty ClientSecret
// is left out, which an update takes as "keep the stored one".
type OAuth2ConfigInput struct {
	Name                  string   `json:"name"`
	Description           string   `json:"description,omitempty"`
	Type                  string   `json:"type"`
	ClientID              string   `json:"clientId"`
	ClientSecret          string   `json:"clientSecret,omitempty"`
	AuthorizationEndpoint string   `json:"authorizationEndpoint"`
	TokenEndpoint         string   `json:"tokenEndpoint"`
	Scopes                []string `json:"scopes"`
	RedirectURISuffix     string   `json:"redirectUriSuffix,omitempty"`
}

// RedirectURI is the URI to register at the provider for this
// configuration, as the instance whose base URL is given computes it.
func (o *OAuth2Config) RedirectURI(baseURL string) string {
	return baseURL + oauth2CallbackPath + o.RedirectURISuffix
}

// BaseURL is the instance's base URL as the client addresses it.
func (c *Client) BaseURL() string { return c.base }

// OAuth2Config reads one configuration; a missing one is ErrNotFound.
func (c *Client) OAuth2Config(ctx context.Context, id string) (*OAuth2Config, error) {
	var out OAuth2Config
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ConfigPath, id)}, &out); err != nil {
		return nil, err
	}
	return out.checked()
}

// OAuth2Configs lists the outgoing configurations; entries without an id
// are left out, as nothing could address them.
func (c *Client) OAuth2Configs(ctx context.Context) ([]OAuth2Config, error) {
	var all []OAuth2Config
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ConfigPath)}, &all); err != nil {
		return nil, err
	}
	configs := make([]OAuth2Config, 0, len(all))
	for _, o := range all {
		if o.ID != "" {
			configs = append(configs, o)
		}
	}
	return configs, nil
}

// OAuth2ConfigByName reads the configuration of that name, or returns nil.
func (c *Client) OAuth2ConfigByName(ctx context.Context, name string) (*OAuth2Config, error) {
	var out OAuth2Config
	_, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ConfigPath, "name", name)}, &out)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return out.checked()
}

// CreateOAuth2Config creates a configuration, sending the secret only in
// the body; its value is scrubbed from the wire log.
func (c *Client) CreateOAuth2Config(ctx context.Context, in OAuth2ConfigInput) (*OAuth2Config, error) {
	var out OAuth2Config
	ctx = withCallSecrets(ctx, in.ClientSecret)
	if _, err := c.do(ctx, call{method: http.MethodPost, path: apiPath(oauth2ConfigPath), body: in}, &out); err != nil {
		return nil, err
	}
	return out.checked()
}

// UpdateOAuth2Config replaces a configuration's fields.
func (c *Client) UpdateOAuth2Config(ctx context.Context, id string, in OAuth2ConfigInput) (*OAuth2Config, error) {
	ctx = withCallSecrets(ctx, in.ClientSecret)
	var out OAuth2Config
	if _, err := c.do(ctx, call{method: http.MethodPut, path: apiPath(oauth2ConfigPath, id), body: in, idempotent: true}, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		// Versions that answer 204 or an empty object: read it back.
		return c.OAuth2Config(ctx, id)
	}
	return out.checked()
}

// DeleteOAuth2Config deletes a configuration.
func (c *Client) DeleteOAuth2Config(ctx context.Context, id string) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: apiPath(oauth2ConfigPath, id), idempotent: true}, nil)
	return err
}

// OAuth2RedirectURI asks the instance for a fresh redirect URI suffix and
// the redirect URI it makes, for a configuration still to be created.
func (c *Client) OAuth2RedirectURI(ctx context.Context, authorizationEndpoint string) (uri, suffix string, err error) {
	var out struct {
		RedirectURI       string `json:"redirectUri"`
		RedirectURISuffix string `json:"redirectUriSuffix"`
	}
	q := url.Values{"authorizationEndpoint": {authorizationEndpoint}}
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ConfigPath, "get-redirect-uri"), query: q}, &out); err != nil {
		return "", "", err
	}
	if out.RedirectURISuffix == "" {
		return "", "", fmt.Errorf("the redirect URI answer has no suffix: %w", ErrUnexpectedResponse)
	}
	return out.RedirectURI, out.RedirectURISuffix, nil
}

// OAuth2Flow is a started authorization code flow.
type OAuth2Flow struct {
	FlowRequestID    string `json:"flowRequestId"`
	AuthorizationURL string `json:"authorizationUrl"`
}

// StartOAuth2Flow starts the flow for a configuration: the user's browser
// must then open AuthorizationURL.
func (c *Client) StartOAuth2Flow(ctx context.Context, id, callbackURL string) (*OAuth2Flow, error) {
	q := url.Values{"id": {id}}
	if callbackURL != "" {
		q.Set("callbackUrl", callbackURL)
	}
	var out OAuth2Flow
	if _, err := c.do(ctx, call{method: http.MethodPost, path: apiPath(oauth2ConfigPath, "flow"), query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OAuth2FlowStatus is a flow's result: PENDING, COMPLETED or FAILED.
type OAuth2FlowStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// OAuth2FlowResult reads a flow's result.
func (c *Client) OAuth2FlowResult(ctx context.Context, flowRequestID string) (*OAuth2FlowStatus, error) {
	var out OAuth2FlowStatus
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(oauth2ConfigPath, "flow", flowRequestID)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (o *OAuth2Config) checked() (*OAuth2Config, error) {
	if o.ID == "" {
		return nil, fmt.Errorf("the OAuth 2.0 client configuration in the answer has no id: %w", ErrUnexpectedResponse)
	}
	return o, nil
}
