package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The allowlist accepts duplicate rules and has no idempotency key, and a
// rule carries nothing that says who made it (design/api.md §8.2, §8.3). So
// when the answer to a create is lost, the only evidence of which rule it
// made is its id: ids come from a database sequence, so a rule this create
// made has an id above every id the client saw before sending it
// (Inferred: the products' tables take their ids from an increasing
// sequence). Terraform serves every address of a run through one client,
// so the client also keeps which ids its creates have claimed, and a rule
// another address of the run got is never adopted twice.

// allowlistCreates is what one client knows about the rules it creates.
type allowlistCreates struct {
	// sending is held for reading by every create while its POST is out,
	// and for writing by the lookup after a lost answer: the lookup lists
	// the rules only once every other create of the client has its answer
	// (and has claimed its rule), and no create starts until it is done.
	sending sync.RWMutex

	mu      sync.Mutex
	listed  bool  // a listing of the rules has been seen
	highest int64 // the highest rule id seen in a listing or an answer
	claimed map[int64]bool
}

// saw records the ids of a listing.
func (a *allowlistCreates) saw(rules []AllowlistRule) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.listed = true
	for _, rule := range rules {
		a.highest = max(a.highest, rule.ID)
	}
}

// claim records that a create of this client made the rule with the id.
func (a *allowlistCreates) claim(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.claimed == nil {
		a.claimed = make(map[int64]bool)
	}
	a.claimed[id] = true
	a.highest = max(a.highest, id)
}

func (a *allowlistCreates) isClaimed(id int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.claimed[id]
}

// mark is the highest id seen so far, and whether any listing was seen.
func (a *allowlistCreates) mark() (int64, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.highest, a.listed
}

// AllowlistRuleConflictError is the ErrCreateConflict of a rule create:
// after the answer was lost, the instance holds several rules like the one
// asked for that no other create of this client claimed and that are newer
// than anything the client had seen, so which one (if any) this create made
// cannot be told.
type AllowlistRuleConflictError struct {
	Rules []AllowlistRule
}

func (e *AllowlistRuleConflictError) Error() string {
	ids := make([]string, len(e.Rules))
	for i, rule := range e.Rules {
		ids[i] = strconv.FormatInt(rule.ID, 10)
	}
	return fmt.Sprintf("allowlist rules %s all match the rule being created and none is claimed: %s",
		strings.Join(ids, ", "), ErrCreateConflict)
}

func (e *AllowlistRuleConflictError) Unwrap() error { return ErrCreateConflict }

// CreateAllowlistRuleOnce creates a rule, never twice, and after a lost
// answer adopts a rule only when the evidence says this create made it:
// same reports a rule with the type, expression and flags asked for, and of
// those only one whose id is above the highest id the client saw before
// the create, and that no other create of the client claimed, is adopted.
// None is created again (CreateOnce); several are an
// *AllowlistRuleConflictError.
//
// It costs one listing of the rules before the first create of a client
// that has not listed them yet (a refresh that read any rule has), and one
// after each lost answer.
func (c *Client) CreateAllowlistRuleOnce(ctx context.Context, in AllowlistRuleInput, same func(AllowlistRule) bool) (*AllowlistRule, bool, error) {
	if _, listed := c.ruleCreates.mark(); !listed {
		if _, err := c.AllowlistRules(ctx); err != nil {
			return nil, false, fmt.Errorf("listing the allowlist before creating a rule: %w", err)
		}
	}
	// The mark of the first attempt: a rule a repeated create finds may be
	// the first attempt's, landed late.
	before, _ := c.ruleCreates.mark()
	return CreateOnce(ctx, c,
		func(ctx context.Context) (*AllowlistRule, error) {
			c.ruleCreates.sending.RLock()
			defer c.ruleCreates.sending.RUnlock()
			rule, err := c.CreateAllowlistRule(ctx, in)
			if err == nil {
				c.ruleCreates.claim(rule.ID)
			}
			return rule, err
		},
		func(ctx context.Context) (*AllowlistRule, bool, error) {
			return c.findCreatedAllowlistRule(ctx, before, same)
		})
}

func (c *Client) findCreatedAllowlistRule(ctx context.Context, before int64, same func(AllowlistRule) bool) (*AllowlistRule, bool, error) {
	c.ruleCreates.sending.Lock()
	defer c.ruleCreates.sending.Unlock()
	// Every write through the client emptied the cache when it returned,
	// so this listing is newer than every create of the client.
	rules, err := c.AllowlistRules(ctx)
	if err != nil {
		return nil, false, err
	}
	var candidates []AllowlistRule
	for _, rule := range rules {
		if rule.ID > before && same(rule) && !c.ruleCreates.isClaimed(rule.ID) {
			candidates = append(candidates, rule)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, false, nil
	case 1:
		c.ruleCreates.claim(candidates[0].ID)
		tflog.Debug(ctx, "Adopting the allowlist rule created after the highest id seen before the create",
			map[string]any{"id": candidates[0].ID, "highest_id_before": before})
		return &candidates[0], true, nil
	}
	return nil, false, &AllowlistRuleConflictError{Rules: candidates}
}
