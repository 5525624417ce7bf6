package emulator

import "slices"

// The whitelist plugin listens to application link events and keeps one
// APPLICATION_LINK rule per link (reference §8.4, whitelist-core
// ApplicationLinkChangeListener and ApplicationLinkRestrictionsImpl). Link
// endpoints call these inside the same store Update that adds, re-identifies
// or removes the link, so the rule and the link never disagree.

const (
	allowlistTypeApplicationLink = "APPLICATION_LINK"

	restrictivenessAllowAuthenticated = "ALLOW_AUTHENTICATED"
	restrictivenessAllowAnonymous     = "ALLOW_ANONYMOUS"
	restrictivenessDeny               = "DENY"
)

// restrictivenessValues are the ApplicationLinkRestrictiveness constants.
var restrictivenessValues = []string{restrictivenessAllowAuthenticated, restrictivenessAllowAnonymous, restrictivenessDeny}

// linkRestrictiveness returns the configured application-link
// restrictiveness, with the product default for an unset value.
func (st *state) linkRestrictiveness() string {
	if st.AllowlistLinkRestrictiveness == "" {
		return restrictivenessAllowAuthenticated
	}
	return st.AllowlistLinkRestrictiveness
}

// linkRulesRequireAuthentication is the authenticationRequired flag new
// application-link rules get: every restrictiveness but ALLOW_ANONYMOUS.
func (st *state) linkRulesRequireAuthentication() bool {
	return st.linkRestrictiveness() != restrictivenessAllowAnonymous
}

// hasApplicationLinkRule reports whether some rule already allows the link.
func (st *state) hasApplicationLinkRule(linkID string) bool {
	return slices.ContainsFunc(st.AllowlistRules, func(r storedAllowlistRule) bool {
		return r.Type == allowlistTypeApplicationLink && r.Expression == linkID
	})
}

// appendAllowlistRule stores a rule under the next id of the sequence.
func (st *state) appendAllowlistRule(rule storedAllowlistRule) storedAllowlistRule {
	st.NextAllowlistRuleID++
	rule.ID = st.NextAllowlistRuleID
	st.AllowlistRules = append(st.AllowlistRules, rule)
	return rule
}

// addApplicationLinkRule records the automatic rule for a new link, unless
// the restrictiveness is DENY or the link already has one (the listener
// looks for an existing rule first).
func addApplicationLinkRule(st *state, linkID string) {
	if st.linkRestrictiveness() == restrictivenessDeny || st.hasApplicationLinkRule(linkID) {
		return
	}
	st.appendAllowlistRule(storedAllowlistRule{
		Type:                   allowlistTypeApplicationLink,
		Expression:             linkID,
		AuthenticationRequired: st.linkRulesRequireAuthentication(),
	})
}

// renameApplicationLinkRule follows a link whose id changed (a UAL
// upgrade): the first rule of the old id takes the new id, any further ones
// are dropped. Nothing happens under DENY, as in the product's listener.
func renameApplicationLinkRule(st *state, oldID, newID string) {
	if st.linkRestrictiveness() == restrictivenessDeny {
		return
	}
	renamed := false
	kept := st.AllowlistRules[:0]
	for _, rule := range st.AllowlistRules {
		if rule.Type == allowlistTypeApplicationLink && rule.Expression == oldID {
			if renamed {
				continue
			}
			rule.Expression = newID
			renamed = true
		}
		kept = append(kept, rule)
	}
	st.AllowlistRules = kept
}

// removeApplicationLinkRule drops the automatic rule of a deleted link.
func removeApplicationLinkRule(st *state, linkID string) {
	st.AllowlistRules = slices.DeleteFunc(st.AllowlistRules, func(r storedAllowlistRule) bool {
		return r.Type == allowlistTypeApplicationLink && r.Expression == linkID
	})
}

// setLinkRestrictiveness is ApplicationLinkRestrictionsImpl.setRestrictiveness
// followed by the refresh its change event triggers: DENY removes every
// application-link rule; the other values set the authentication flag of the
// existing rules and then add a rule for every link that has none.
func setLinkRestrictiveness(st *state, restrictiveness string) {
	st.AllowlistLinkRestrictiveness = restrictiveness
	if restrictiveness == restrictivenessDeny {
		st.AllowlistRules = slices.DeleteFunc(st.AllowlistRules, func(r storedAllowlistRule) bool {
			return r.Type == allowlistTypeApplicationLink
		})
		return
	}
	authRequired := st.linkRulesRequireAuthentication()
	for i := range st.AllowlistRules {
		if st.AllowlistRules[i].Type == allowlistTypeApplicationLink {
			st.AllowlistRules[i].AuthenticationRequired = authRequired
		}
	}
	for _, link := range st.Links {
		addApplicationLinkRule(st, link.ID)
	}
}
