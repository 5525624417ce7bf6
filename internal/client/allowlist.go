package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// The URL allowlist, "whitelist" on the wire (design/api.md §8). The API has no
// read by id, so reading one rule means listing them all; to keep a plan
// over many rules from listing once per rule, listings are shared by the
// reads of one run (cache.go).

const allowlistPath = "rest/whitelist/latest"

// Rule types as the API spells them (WhitelistTypeMapper).
const (
	AllowlistTypeApplicationLink = "whitelist.application.link"
	AllowlistTypeDomainName      = "whitelist.domain.name"
	AllowlistTypeExactURL        = "whitelist.exact.url"
	AllowlistTypeWildcard        = "whitelist.wildcard.expression"
	AllowlistTypeRegex           = "whitelist.regular.expression"
)

// Application-link restrictiveness values (ApplicationLinkRestrictiveness).
const (
	RestrictivenessAllowAuthenticated = "ALLOW_AUTHENTICATED"
	RestrictivenessAllowAnonymous     = "ALLOW_ANONYMOUS"
	RestrictivenessDeny               = "DENY"
)

// WhitelistRule is one allowlist rule as the list and write endpoints show
// it (WhitelistBean). For application-link rules Expression is
// "<link name> (<display URL>)", not the link id the product stores.
type AllowlistRule struct {
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	Type               string `json:"type"`
	IconURL            string `json:"iconUrl"`
	AllowInbound       bool   `json:"allowInbound"`
	AllowAnonymousUser bool   `json:"allowAnonymousUser"`
	AllowEdit          bool   `json:"allowEdit"`
	AllowDelete        bool   `json:"allowDelete"`
}

// Automatic reports a rule the product keeps for an application link: it
// cannot be created, deleted, or changed in type or expression.
func (r AllowlistRule) Automatic() bool { return r.Type == AllowlistTypeApplicationLink }

// WhitelistRuleInput is what create and update send. Update is partial: a
// nil field keeps the rule's current value. On create a nil flag means
// false (AllowAnonymousUser false: authentication required).
type AllowlistRuleInput struct {
	Expression         *string `json:"expression,omitempty"`
	Type               *string `json:"type,omitempty"`
	AllowInbound       *bool   `json:"allowInbound,omitempty"`
	AllowAnonymousUser *bool   `json:"allowAnonymousUser,omitempty"`
}

type allowlistListing struct {
	Rules      []AllowlistRule `json:"rules"`
	Page       int             `json:"page"`
	TotalPages int             `json:"totalPages"`
}

// WhitelistSettings is the application-link restrictiveness setting.
type AllowlistSettings struct {
	ApplicationLinkRestrictiveness string `json:"applicationLinkRestrictiveness"`
}

// WhitelistCheck is the answer of /check for one URL: whether the product
// may call it without and with a user's authentication, and whether it
// accepts cross-origin requests from it.
type AllowlistCheck struct {
	Outbound         bool `json:"outbound"`
	OutboundWithAuth bool `json:"outboundWithAuth"`
	Inbound          bool `json:"inbound"`
}

// WhitelistRules lists every rule, the automatic ones included, in the
// product's order. Within readCacheTTL of a previous listing by this client,
// and with no write by it since, the previous listing is returned without a
// request; concurrent callers share one request.
func (c *Client) AllowlistRules(ctx context.Context) ([]AllowlistRule, error) {
	rules, err := c.caches.allowlist.get(ctx, c.now, struct{}{}, c.listAllowlistRules)
	return slices.Clone(rules), err
}

// WhitelistRule returns one rule by id, from the (cached) listing; an id
// that is not listed is an error matching ErrNotFound.
func (c *Client) AllowlistRule(ctx context.Context, id int64) (*AllowlistRule, error) {
	// The shared listing is searched in place: cloning it for each rule
	// made a refresh cost the square of the number of rules.
	rules, err := c.caches.allowlist.get(ctx, c.now, struct{}{}, c.listAllowlistRules)
	if err != nil {
		return nil, err
	}
	for _, rule := range rules {
		if rule.ID == id {
			return &rule, nil
		}
	}
	return nil, fmt.Errorf("allowlist rule %d is not listed by %s: %w", id, c.url(allowlistPath, nil), ErrNotFound)
}

// CreateWhitelistRule adds a rule; the product allows duplicates. It is
// never repeated: when the outcome is unknown (ErrOutcomeUnknown) the
// caller must look for the rule before creating it again, which
// CreateAllowlistRuleOnce does.
func (c *Client) CreateAllowlistRule(ctx context.Context, in AllowlistRuleInput) (*AllowlistRule, error) {
	var rule AllowlistRule
	if _, err := c.do(ctx, call{method: http.MethodPost, path: apiPath(allowlistPath), body: in, ok: []int{http.StatusOK}}, &rule); err != nil {
		return nil, err
	}
	return &rule, nil
}

// UpdateWhitelistRule changes the fields set in in. An unknown id is a 400
// (ErrValidation), as the product answers it.
func (c *Client) UpdateAllowlistRule(ctx context.Context, id int64, in AllowlistRuleInput) (*AllowlistRule, error) {
	var rule AllowlistRule
	r := call{method: http.MethodPut, path: apiPath(allowlistPath, strconv.FormatInt(id, 10)), body: in, idempotent: true, ok: []int{http.StatusOK}}
	if _, err := c.do(ctx, r, &rule); err != nil {
		return nil, err
	}
	return &rule, nil
}

// DeleteWhitelistRule removes a rule; an id that does not exist is not an
// error (the product answers 200).
func (c *Client) DeleteAllowlistRule(ctx context.Context, id int64) error {
	r := call{method: http.MethodDelete, path: apiPath(allowlistPath, strconv.FormatInt(id, 10)), idempotent: true, ok: []int{http.StatusOK, http.StatusNoContent}}
	_, err := c.do(ctx, r, nil)
	return err
}

// SetWhitelistEnabled turns the allowlist on or off. No endpoint reads the
// switch back.
func (c *Client) SetAllowlistEnabled(ctx context.Context, enabled bool) error {
	action := "disable"
	if enabled {
		action = "enable"
	}
	// Body-less POST: the X-Atlassian-Token header every request carries is
	// what passes the XSRF check. Switching twice is harmless, so it may be
	// retried.
	r := call{method: http.MethodPost, path: apiPath(allowlistPath + "/" + action), idempotent: true, ok: []int{http.StatusOK, http.StatusNoContent}}
	_, err := c.do(ctx, r, nil)
	return err
}

// GetWhitelistSettings reads the application-link restrictiveness.
func (c *Client) GetAllowlistSettings(ctx context.Context) (*AllowlistSettings, error) {
	var s AllowlistSettings
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(allowlistPath + "/settings")}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// SetWhitelistSettings changes the restrictiveness. DENY removes every
// application-link rule; the other values bring them back for every link
// and set their authentication flag.
func (c *Client) SetAllowlistSettings(ctx context.Context, s AllowlistSettings) (*AllowlistSettings, error) {
	var out AllowlistSettings
	r := call{method: http.MethodPut, path: apiPath(allowlistPath + "/settings"), body: s, idempotent: true, ok: []int{http.StatusOK}}
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckWhitelist asks the product whether the allowlist lets rawURL
// through. Outbound is answered for an anonymous request, OutboundWithAuth
// for one made on behalf of the client's user. A URL the product cannot
// parse is a 400 (ErrValidation) quoting its parser.
func (c *Client) CheckAllowlist(ctx context.Context, rawURL string) (*AllowlistCheck, error) {
	var out AllowlistCheck
	r := call{method: http.MethodGet, path: apiPath(allowlistPath + "/check"), query: url.Values{"url": {rawURL}}}
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) listAllowlistRules(ctx context.Context) ([]AllowlistRule, error) {
	var listing allowlistListing
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(allowlistPath)}, &listing); err != nil {
		return nil, err
	}
	return listing.Rules, nil
}
