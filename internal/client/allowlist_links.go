package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// The automatic allowlist rule the products keep for every application link
// (design/api.md §8.4). It cannot be created or deleted, and its type and
// expression cannot change, but its two flags can: a PUT that leaves
// expression and type out (design/api.md §8.3). The listing shows the rule's
// expression as "<link name> (<display URL>)" rather than the link id it
// stores (design/api.md §8.2), so the rule of a link is found by the link's
// current name and display URL; link names are unique on an instance
// (design/api.md §12.6), hence so is that text.

// ErrNoApplicationLinkRule is returned when a link exists but the allowlist
// holds no automatic rule for it: the application-link restrictiveness is
// DENY, which removes those rules (design/api.md §8.3), or the rule was
// refreshed away.
var ErrNoApplicationLinkRule = errors.New("the allowlist holds no rule for the application link")

// AllowlistRuleFlags are the two flags of a rule that an application-link
// rule lets change; a nil flag keeps its value.
type AllowlistRuleFlags struct {
	AllowInbound       *bool
	AllowAnonymousUser *bool
}

// ApplicationLinkAllowlistRule returns the link with the id and its
// automatic rule. An unknown link is an error matching ErrNotFound; a link
// without a rule is ErrNoApplicationLinkRule.
func (c *Client) ApplicationLinkAllowlistRule(ctx context.Context, linkID string) (*ApplicationLink, *AllowlistRule, error) {
	link, err := c.ApplicationLink(ctx, linkID)
	if err != nil {
		return nil, nil, err
	}
	rules, err := c.AllowlistRules(ctx)
	if err != nil {
		return link, nil, err
	}
	if rule := applicationLinkRuleOf(link, rules); rule != nil {
		return link, rule, nil
	}
	return link, nil, fmt.Errorf("application link %s (%q, %s): %w", link.ID, link.Name, link.DisplayURL, ErrNoApplicationLinkRule)
}

// SetApplicationLinkAllowlistFlags changes the flags of the link's automatic
// rule and returns the rule as the product answers. It holds the link's lock
// (linklocks.go) from the lookup to the PUT, so that a rename of the link
// through this client cannot make the lookup find nothing or the wrong rule.
func (c *Client) SetApplicationLinkAllowlistFlags(ctx context.Context, linkID string, flags AllowlistRuleFlags) (*AllowlistRule, error) {
	var updated *AllowlistRule
	err := c.changeLink(ctx, linkID, func() error {
		_, rule, err := c.ApplicationLinkAllowlistRule(ctx, linkID)
		if err != nil {
			return err
		}
		// Expression and type stay out of the body: echoing the displayed
		// "name (url)" expression is refused (design/api.md §8.3).
		in := AllowlistRuleInput{AllowInbound: flags.AllowInbound, AllowAnonymousUser: flags.AllowAnonymousUser}
		var out AllowlistRule
		r := call{method: http.MethodPut, path: apiPath(allowlistPath, strconv.FormatInt(rule.ID, 10)), body: in, idempotent: true, ok: []int{http.StatusOK}}
		if _, err := c.do(ctx, r, &out); err != nil {
			return err
		}
		updated = &out
		return nil
	})
	return updated, err
}

// applicationLinkRuleOf finds the automatic rule that shows the link's
// current name and display URL.
// ApplicationLinkOfRule returns the link among links whose automatic rule
// rule is, or nil when rule is no such rule or its link is not among them.
func ApplicationLinkOfRule(links []ApplicationLink, rule AllowlistRule) *ApplicationLink {
	for i := range links {
		if applicationLinkRuleOf(&links[i], []AllowlistRule{rule}) != nil {
			return &links[i]
		}
	}
	return nil
}

func applicationLinkRuleOf(link *ApplicationLink, rules []AllowlistRule) *AllowlistRule {
	want := fmt.Sprintf("%s (%s)", link.Name, link.DisplayURL)
	for i := range rules {
		if rules[i].Automatic() && rules[i].Expression == want {
			return &rules[i]
		}
	}
	return nil
}
