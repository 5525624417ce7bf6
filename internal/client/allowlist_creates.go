package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The allowlist accepts duplicate rules and has no idempotency key, and a
// rule carries nothing that says who made it (design/api.md §8.2, §8.3). An
// identical rule made by another workspace in the seconds a lost answer
// leaves open cannot be told from ours by its fields or its id. So a rule
// is created under a placeholder nobody else can have written: an exact-URL
// rule for a random host under the reserved .invalid top-level domain
// (RFC 2606), allowing nothing inbound and nothing anonymous, and then
// updated into the rule asked for. Update is partial and may change the
// type (design/api.md §8.3), and it is idempotent, so a lost answer to it
// is simply repeated. After a lost answer to the create, the placeholder
// names this create's rule and no other.

// placeholderHostPrefix starts the host of every placeholder, so that an
// administrator who finds one left by a provider killed between the two
// steps can tell what it is.
const placeholderHostPrefix = "applinks-create-"

func newAllowlistPlaceholder() (AllowlistRuleInput, error) {
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return AllowlistRuleInput{}, fmt.Errorf("drawing a placeholder for the new rule: %w", err)
	}
	expression := "https://" + placeholderHostPrefix + hex.EncodeToString(token) + ".invalid"
	typ, no := AllowlistTypeExactURL, false
	return AllowlistRuleInput{Expression: &expression, Type: &typ, AllowInbound: &no, AllowAnonymousUser: &no}, nil
}

// CreateAllowlistRuleOnce creates a rule, never twice, and never adopts a
// rule it cannot prove it made: it creates a placeholder rule (above), then
// updates it into in. When the answer to the placeholder's create is lost,
// the listing shows whether it was made; when the update fails, the
// placeholder is deleted, so nothing is left behind.
//
// It costs one create and one update, and one listing after each lost
// answer.
func (c *Client) CreateAllowlistRuleOnce(ctx context.Context, in AllowlistRuleInput) (*AllowlistRule, error) {
	placeholder, err := newAllowlistPlaceholder()
	if err != nil {
		return nil, err
	}
	made, adopted, err := CreateOnce(ctx, c,
		func(ctx context.Context) (*AllowlistRule, error) { return c.CreateAllowlistRule(ctx, placeholder) },
		func(ctx context.Context) (*AllowlistRule, bool, error) {
			return c.findAllowlistPlaceholder(ctx, *placeholder.Expression)
		})
	if errors.Is(err, ErrOutcomeUnknown) {
		// A create the lookups did not find may still land: one last look,
		// so that what lands in the meantime is not left behind.
		if late, found, _ := c.findAllowlistPlaceholder(ctx, *placeholder.Expression); found {
			if deleteErr := c.DeleteAllowlistRule(ctx, late.ID); deleteErr != nil {
				return nil, fmt.Errorf("%w; the placeholder rule %d (%s) it made landed late and could not be deleted, so "+
					"delete it in the allowlist's administration page: %w", err, late.ID, *placeholder.Expression, deleteErr)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if adopted {
		tflog.Debug(ctx, "The answer to creating the rule was lost; its placeholder shows it was made", map[string]any{"id": made.ID})
	}
	rule, err := c.UpdateAllowlistRule(ctx, made.ID, in)
	if err == nil {
		return rule, nil
	}
	if deleteErr := c.DeleteAllowlistRule(ctx, made.ID); deleteErr != nil {
		return nil, fmt.Errorf("%w; deleting the placeholder rule %d (%s) afterwards failed too, so delete it in the "+
			"allowlist's administration page: %w", err, made.ID, *placeholder.Expression, deleteErr)
	}
	return nil, err
}

// findAllowlistPlaceholder looks for the rules a create of the placeholder
// made, in a listing of its own: one shared with other reads may be older
// than the create. A create repeated after a lost answer may find the
// first attempt's rule landed late besides its own: both are this
// create's, so one is kept and the others deleted.
func (c *Client) findAllowlistPlaceholder(ctx context.Context, expression string) (*AllowlistRule, bool, error) {
	rules, err := c.listAllowlistRules(ctx)
	if err != nil {
		return nil, false, err
	}
	var found *AllowlistRule
	for _, rule := range rules {
		if rule.Type != AllowlistTypeExactURL || rule.Expression != expression {
			continue
		}
		if found == nil {
			found = &rule
			continue
		}
		if err := c.DeleteAllowlistRule(ctx, rule.ID); err != nil {
			// It allows nothing, and the create has its rule: not worth failing.
			tflog.Warn(ctx, "Could not delete a second placeholder rule of this create",
				map[string]any{"id": rule.ID, "expression": expression, "error": err.Error()})
		}
	}
	return found, found != nil, nil
}
