package client

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// OAuth 1.0a consumers of a link (design/api.md §6): the incoming consumer that
// lets an application call the instance, and, for generic links, the
// outgoing consumer the instance uses towards a third-party service
// provider together with the provider configuration that names it (design/api.md §4).

// Fixed path prefixes of the modules these calls use (design/api.md §1.1).
const (
	applinksOAuthV1 = "rest/applinks-oauth/1.0"
	applinksV2      = "rest/applinks/2.0"
)

// Signature methods of a consumer as the products name them.
const (
	SignatureRSASHA1  = "RSA_SHA1"
	SignatureHMACSHA1 = "HMAC_SHA1"
)

// Configuration keys of the OAuth provider of a generic link (design/api.md §4).
const (
	ConfigConsumerKeyOutbound = "consumerKey.outbound"
	ConfigRequestTokenURL     = "serviceProvider.requestTokenUrl"
	ConfigAccessTokenURL      = "serviceProvider.accessTokenUrl"
	ConfigAuthorizeURL        = "serviceProvider.authorizeUrl"
)

// Consumer is an OAuth consumer as the products return it. The public key
// is the base64 of its X.509 SubjectPublicKeyInfo DER, without PEM armour;
// a shared secret is never returned.
type Consumer struct {
	Key                       string `json:"key"`
	Name                      string `json:"name"`
	Description               string `json:"description"`
	SignatureMethod           string `json:"signatureMethod"`
	PublicKey                 string `json:"publicKey"`
	Callback                  string `json:"callback"`
	TwoLOAllowed              bool   `json:"twoLOAllowed"`
	ExecutingTwoLOUser        string `json:"executingTwoLOUser"`
	TwoLOImpersonationAllowed bool   `json:"twoLOImpersonationAllowed"`
}

// LinkAuthentication is what a link has configured for OAuth: its outgoing
// providers and its consumers, incoming first.
type LinkAuthentication struct {
	Providers []AuthenticationProvider `json:"configuredAuthProviders"`
	Consumers []Consumer               `json:"consumers"`
}

// Provider returns the configured outgoing provider of the class, or nil.
func (a *LinkAuthentication) Provider(class string) *AuthenticationProvider {
	for i := range a.Providers {
		if a.Providers[i].Provider == class {
			return &a.Providers[i]
		}
	}
	return nil
}

// OutgoingConsumer returns a generic link's outgoing consumer: the HMAC
// consumer named by the OAuth provider's consumerKey.outbound, with that
// provider. Either is nil when not configured.
func (a *LinkAuthentication) OutgoingConsumer() (*Consumer, *AuthenticationProvider) {
	provider := a.Provider(ProviderOAuth)
	if provider == nil || provider.Config[ConfigConsumerKeyOutbound] == "" {
		return nil, provider
	}
	for i := range a.Consumers {
		if a.isOutgoing(a.Consumers[i]) && a.Consumers[i].Key == provider.Config[ConfigConsumerKeyOutbound] {
			return &a.Consumers[i], provider
		}
	}
	return nil, provider
}

// IncomingConsumer returns the consumer that authenticates requests to the
// instance, or nil. The list carries no direction flag (the products set
// "outgoing" to false on every entry), so the outgoing consumers are told
// apart by their shared-secret signature and the provider that names them.
func (a *LinkAuthentication) IncomingConsumer() *Consumer {
	for i := range a.Consumers {
		if !a.isOutgoing(a.Consumers[i]) {
			return &a.Consumers[i]
		}
	}
	return nil
}

func (a *LinkAuthentication) isOutgoing(c Consumer) bool {
	if c.SignatureMethod != SignatureHMACSHA1 {
		return false
	}
	for _, p := range a.Providers {
		if p.Config[ConfigConsumerKeyOutbound] == c.Key {
			return true
		}
	}
	return false
}

// LinkAuthentication returns a link's OAuth providers and consumers, from
// the answers that the reads of one run share (cache.go), so a link and its
// consumers cost one request together. It answers 404 (ErrNotFound) only
// when the link does not exist, unlike .../authentication/consumer, whose
// three 404s differ only in their text.
//
// A read that needs a request waits for a write to the link in progress
// through this client (linklocks.go), so it never sees the configuration
// that SetIncomingOAuth empties for a moment.
func (c *Client) LinkAuthentication(ctx context.Context, linkID string) (*LinkAuthentication, error) {
	return c.caches.linkAuthentication.get(ctx, c.now, linkKey(linkID), func(ctx context.Context) (*LinkAuthentication, error) {
		var auth *LinkAuthentication
		err := c.changeLink(ctx, linkID, func() (err error) {
			auth, err = c.fetchLinkAuthentication(ctx, linkID)
			return err
		})
		return auth, err
	})
}

// fetchLinkAuthentication reads past the cache. Only a read-modify-write
// holding the link's lock uses it: it must not wait for its own lock, and
// what it writes back must come from the server, not from an answer up to
// readCacheTTL old that a change made outside the run may have overtaken.
func (c *Client) fetchLinkAuthentication(ctx context.Context, linkID string) (*LinkAuthentication, error) {
	var auth LinkAuthentication
	r := call{method: http.MethodGet, path: apiPath(applinksOAuthV1+"/applicationlink", linkID, "authentication")}
	if _, err := c.do(ctx, r, &auth); err != nil {
		return nil, err
	}
	return &auth, nil
}

// OAuthStatus is the link's OAuth level in both directions, derived from
// what the link stores exactly as the status API derives it (design/api.md
// §5.3, OAuthConfigurator.getOutgoingConfig and OAuthConfigs.fromConsumer):
// outgoing from which of the three OAuth providers are registered, incoming
// from the stored consumer and its two-legged flags. It saves the request
// to status/{id}/oauth when the authentication is read anyway.
func (a *LinkAuthentication) OAuthStatus() OAuthStatus {
	var status OAuthStatus
	if a.Provider(ProviderOAuth) != nil {
		status.Outgoing = OAuthConfig{
			Enabled:                   true,
			TwoLoEnabled:              a.Provider(ProviderTwoLeggedOAuth) != nil,
			TwoLoImpersonationEnabled: a.Provider(ProviderTwoLeggedOAuthImpersonated) != nil,
		}.normalise()
	}
	if consumer := a.IncomingConsumer(); consumer != nil {
		status.Incoming = OAuthConfig{
			Enabled:                   true,
			TwoLoEnabled:              consumer.TwoLOAllowed,
			TwoLoImpersonationEnabled: consumer.TwoLOImpersonationAllowed,
		}.normalise()
	}
	return status
}

// consumerBody is the consumer PUT's entity.
type consumerBody struct {
	Key                       string `json:"key"`
	Name                      string `json:"name"`
	Description               string `json:"description,omitempty"`
	PublicKey                 string `json:"publicKey,omitempty"`
	SharedSecret              string `json:"sharedSecret,omitempty"`
	Callback                  string `json:"callback,omitempty"`
	TwoLOAllowed              bool   `json:"twoLOAllowed"`
	ExecutingTwoLOUser        string `json:"executingTwoLOUser,omitempty"`
	TwoLOImpersonationAllowed bool   `json:"twoLOImpersonationAllowed"`
	Outgoing                  bool   `json:"outgoing"`
}

func (c *Client) putConsumer(ctx context.Context, linkID string, body consumerBody) error {
	return c.changeLink(ctx, linkID, func() error {
		_, err := c.do(ctx, call{
			method: http.MethodPut,
			path:   apiPath(applinksOAuthV1+"/applicationlink", linkID, "authentication", "consumer"),
			body:   body,
			// The PUT replaces the link's consumer, so repeating it is harmless.
			idempotent: true,
		}, nil)
		return err
	})
}

// PutIncomingConsumer stores the consumer that may call the instance,
// replacing the link's previous one. PublicKey may be PEM or bare base64;
// the products strip armour and line breaks. SignatureMethod is ignored.
//
// The products check no permission beyond administrator here, not even for
// TwoLOImpersonationAllowed; SetIncomingOAuth is the path that needs a
// system administrator for impersonation.
func (c *Client) PutIncomingConsumer(ctx context.Context, linkID string, consumer Consumer) error {
	return c.putConsumer(ctx, linkID, consumerBody{
		Key:                       consumer.Key,
		Name:                      consumer.Name,
		Description:               consumer.Description,
		PublicKey:                 consumer.PublicKey,
		Callback:                  consumer.Callback,
		TwoLOAllowed:              consumer.TwoLOAllowed,
		ExecutingTwoLOUser:        consumer.ExecutingTwoLOUser,
		TwoLOImpersonationAllowed: consumer.TwoLOImpersonationAllowed,
	})
}

// OutgoingConsumer is the instance's identity towards a third-party service
// provider on a generic link.
type OutgoingConsumer struct {
	Key          string
	Name         string
	Description  string
	SharedSecret string
}

// PutOutgoingConsumer stores the instance's consumer for a generic link's
// service provider, signed with HMAC-SHA1 and the shared secret. It is only
// reachable once ConfigureServiceProvider names its key. The secret never
// appears in a returned error, even if the server repeats it.
func (c *Client) PutOutgoingConsumer(ctx context.Context, linkID string, consumer OutgoingConsumer) error {
	err := c.putConsumer(withCallSecrets(ctx, consumer.SharedSecret), linkID, consumerBody{
		Key:          consumer.Key,
		Name:         consumer.Name,
		Description:  consumer.Description,
		SharedSecret: consumer.SharedSecret,
		Outgoing:     true,
	})
	redactFromError(err, consumer.SharedSecret)
	return err
}

// redactFromError removes a secret from the server's words an error quotes.
func redactFromError(err error, secret string) {
	var apiErr *APIError
	if secret == "" || !errors.As(err, &apiErr) {
		return
	}
	for i, m := range apiErr.Messages {
		apiErr.Messages[i] = redactSecret(m, secret)
	}
	apiErr.Body = redactSecret(apiErr.Body, secret)
}

// ServiceProvider is where a generic link's outgoing consumer gets its
// tokens. URLs may be absolute or relative to the link's URL.
type ServiceProvider struct {
	ConsumerKey     string
	RequestTokenURL string
	AccessTokenURL  string
	AuthorizeURL    string
}

// ServiceProviderFromConfig reads the OAuth provider's configuration.
func ServiceProviderFromConfig(config map[string]string) ServiceProvider {
	return ServiceProvider{
		ConsumerKey:     config[ConfigConsumerKeyOutbound],
		RequestTokenURL: config[ConfigRequestTokenURL],
		AccessTokenURL:  config[ConfigAccessTokenURL],
		AuthorizeURL:    config[ConfigAuthorizeURL],
	}
}

func (s ServiceProvider) config() map[string]string {
	config := map[string]string{ConfigConsumerKeyOutbound: s.ConsumerKey}
	for key, value := range map[string]string{
		ConfigRequestTokenURL: s.RequestTokenURL,
		ConfigAccessTokenURL:  s.AccessTokenURL,
		ConfigAuthorizeURL:    s.AuthorizeURL,
	} {
		if value != "" {
			config[key] = value
		}
	}
	return config
}

// ConfigureServiceProvider registers the OAuth provider of a generic link
// with the outgoing consumer's key and the service provider's URLs.
func (c *Client) ConfigureServiceProvider(ctx context.Context, linkID string, sp ServiceProvider) error {
	return c.RegisterAuthenticationProvider(ctx, linkID, ProviderOAuth, sp.config())
}

// RegisterAuthenticationProvider registers or reconfigures an outgoing
// provider through v2 (design/api.md §4); the configuration replaces the
// previous one. The impersonation provider needs a system administrator.
func (c *Client) RegisterAuthenticationProvider(ctx context.Context, linkID, provider string, config map[string]string) error {
	return c.changeLink(ctx, linkID, func() error { return c.registerAuthenticationProvider(ctx, linkID, provider, config) })
}

func (c *Client) registerAuthenticationProvider(ctx context.Context, linkID, provider string, config map[string]string) error {
	if config == nil {
		config = map[string]string{}
	}
	_, err := c.do(ctx, call{
		method: http.MethodPut,
		path:   apiPath(applinksV2+"/applicationlink", linkID, "authentication", "provider"),
		body: struct {
			Provider string            `json:"provider"`
			Config   map[string]string `json:"config"`
		}{provider, config},
		idempotent: true,
	}, nil)
	return err
}

// RemoveConsumerToken removes the calling user's OAuth access token for the
// link (design/api.md §6.2).
func (c *Client) RemoveConsumerToken(ctx context.Context, linkID string) error {
	return c.changeLink(ctx, linkID, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodDelete,
			path:       apiPath(applinksOAuthV1+"/consumer-token", linkID),
			idempotent: true,
		}, nil)
		return err
	})
}

// oauthProviders are the providers the status API registers and
// unregisters; it registers them with an empty configuration.
var oauthProviders = []string{ProviderOAuth, ProviderTwoLeggedOAuth, ProviderTwoLeggedOAuthImpersonated}

// normalise is what the products make of a level (design/api.md §5.3).
func (o OAuthConfig) normalise() OAuthConfig {
	switch {
	case !o.Enabled:
		return OAuthConfig{}
	case o.TwoLoImpersonationEnabled:
		return OAuthConfig{Enabled: true, TwoLoEnabled: true, TwoLoImpersonationEnabled: true}
	}
	return o
}

// SetIncomingOAuth sets the link's incoming OAuth level and leaves the
// outgoing side as it is. Disabled removes the incoming consumer; an enabled
// level sets the consumer's two-legged flags (the only way to do so that
// every product version honours, and the one that needs a system
// administrator for impersonation: a 403 otherwise).
//
// The status API can only set both directions, and re-registering the
// outgoing providers empties their configuration, which for a generic link
// holds the outgoing consumer's key and service provider URLs. No order of
// the calls avoids that: the status PUT is the only way to change the
// incoming side, and it empties the configuration whatever came before. So
// the configuration is read first and written back after, all under the
// link's lock, so that no other write to the link comes between; a write-back
// that fails is made once more, since until it succeeds the outgoing
// consumer is unreachable, and what still fails is returned as an
// *OutgoingConfigLostError that says what the link holds.
func (c *Client) SetIncomingOAuth(ctx context.Context, linkID string, incoming OAuthConfig) error {
	incoming = incoming.normalise()
	return c.changeLink(ctx, linkID, func() error {
		auth, err := c.fetchLinkAuthentication(ctx, linkID)
		if err != nil {
			return err
		}
		status := auth.OAuthStatus()
		if status.Incoming == incoming {
			return nil
		}
		if err := c.setOAuthStatus(ctx, linkID, OAuthStatus{Incoming: incoming, Outgoing: status.Outgoing}); err != nil {
			// The status PUT may have acted before it failed (a lost
			// answer), and then the configuration is empty too.
			if lost := c.restoreOutgoingConfigAfterFailure(ctx, linkID, auth.Providers); lost != nil {
				lost.IncomingChanged = IncomingChangeUnknown
				lost.Err = errors.Join(err, lost.Err)
				return lost
			}
			return err
		}
		var lost OutgoingConfigLostError
		for _, p := range auth.Providers {
			if !slices.Contains(oauthProviders, p.Provider) || len(p.Config) == 0 {
				continue
			}
			if err := c.registerAuthenticationProviderTwice(ctx, linkID, p.Provider, p.Config); err != nil {
				lost.Providers = append(lost.Providers, p)
				lost.Err = errors.Join(lost.Err, err)
			}
		}
		if !incoming.Enabled {
			c.forgetIncomingKeys(linkID)
		}
		if lost.Providers != nil {
			lost.LinkID, lost.IncomingChanged = linkID, IncomingChanged
			return &lost
		}
		return nil
	})
}

// registerAuthenticationProviderTwice writes a provider's configuration,
// and once more if that fails, even after an answer that no retry repeats
// (a 500): the write replaces the configuration, so repeating it is
// harmless, and it is the only way back to what the link held.
func (c *Client) registerAuthenticationProviderTwice(ctx context.Context, linkID, provider string, config map[string]string) error {
	err := c.registerAuthenticationProvider(ctx, linkID, provider, maps.Clone(config))
	if err == nil || ctx.Err() != nil {
		return err
	}
	if again := c.registerAuthenticationProvider(ctx, linkID, provider, maps.Clone(config)); again != nil {
		return errors.Join(err, again)
	}
	return nil
}

// restoreOutgoingConfigAfterFailure reads the link after a status PUT that
// failed and writes back each OAuth provider whose configuration is no
// longer what it was. It returns nil when the link holds its outgoing
// configuration as before (also when the PUT never acted).
func (c *Client) restoreOutgoingConfigAfterFailure(ctx context.Context, linkID string, before []AuthenticationProvider) *OutgoingConfigLostError {
	var wanted []AuthenticationProvider
	for _, p := range before {
		if slices.Contains(oauthProviders, p.Provider) && len(p.Config) > 0 {
			wanted = append(wanted, p)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	lost := &OutgoingConfigLostError{LinkID: linkID}
	now, err := c.fetchLinkAuthentication(ctx, linkID)
	if err != nil {
		// Nothing tells whether the configuration survived.
		lost.Providers, lost.Err = wanted, err
		return lost
	}
	for _, p := range wanted {
		if current := now.Provider(p.Provider); current != nil && maps.Equal(current.Config, p.Config) {
			continue
		}
		if err := c.registerAuthenticationProviderTwice(ctx, linkID, p.Provider, p.Config); err != nil {
			lost.Providers = append(lost.Providers, p)
			lost.Err = errors.Join(lost.Err, err)
		}
	}
	if lost.Providers == nil {
		return nil
	}
	return lost
}

// IncomingChange says whether the incoming side of a link was changed by a
// SetIncomingOAuth that failed.
type IncomingChange int

const (
	// IncomingChanged: the status PUT succeeded, the incoming level is the
	// one asked for.
	IncomingChanged IncomingChange = iota
	// IncomingChangeUnknown: the status PUT failed, possibly after acting.
	IncomingChangeUnknown
)

// OutgoingConfigLostError is a SetIncomingOAuth whose status PUT emptied the
// configuration of outgoing providers that could not be written back: each
// of Providers is registered with an empty configuration (or, when the
// link could not be read, in an unknown one), and a generic link's outgoing
// consumer is unreachable until its configuration is written again.
// Providers holds the configuration each had, which has no secrets: a
// consumer key and URLs.
type OutgoingConfigLostError struct {
	LinkID          string
	IncomingChanged IncomingChange
	Providers       []AuthenticationProvider
	Err             error
}

func (e *OutgoingConfigLostError) Error() string {
	return fmt.Sprintf("the outgoing OAuth configuration of application link %s was emptied by the status API and could not be written back: %v", e.LinkID, e.Err)
}

func (e *OutgoingConfigLostError) Unwrap() error { return e.Err }

// DisableOutgoingOAuth unregisters the link's outgoing OAuth providers, which
// also deletes every user's stored tokens and leaves a generic link's
// outgoing consumer unreachable. The incoming side stays as it is: the
// status is read and written back under the link's lock.
func (c *Client) DisableOutgoingOAuth(ctx context.Context, linkID string) error {
	return c.changeLink(ctx, linkID, func() error {
		status, err := c.GetOAuthStatus(ctx, linkID)
		if err != nil {
			return err
		}
		if !status.Outgoing.Enabled {
			return nil
		}
		return c.setOAuthStatus(ctx, linkID, OAuthStatus{Incoming: status.Incoming, Outgoing: OAuthConfig{}})
	})
}
