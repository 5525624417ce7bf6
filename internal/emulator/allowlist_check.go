package emulator

import (
	"net/http"
	"strconv"
	"strings"
)

// What the allowlist allows (design/api.md §8.1): /check, answered with the
// whitelist plugin's matchers (MatcherUtils and one matcher per rule type)
// and its outbound and inbound whitelists.

func checkAllowlist(ex *exchange) {
	query := ex.r.URL.Query()
	if !query.Has("url") {
		// new URI(null) throws before anything is checked. Inferred: the
		// helpful NullPointerException text of the products' Java 17.
		panic(`java.lang.NullPointerException: Cannot invoke "String.length()" because "this.input" is null`)
	}
	target, err := parseJavaURI(query.Get("url"))
	if err != nil {
		writeAllowlistError(ex, err.Error())
		return
	}
	var answer allowlistCheckEntity
	ex.inst.store.View(func(st *state) {
		answer = allowlistCheck(ex.inst, st, target, ex.user != nil)
	})
	writeEntity(ex, http.StatusOK, answer)
}

// allowlistCheck is the outbound and inbound whitelists. A disabled
// allowlist and the instance's own base URL allow everything. Outbound
// without a user skips rules that require authentication; with one, the
// user is taken to have product access (Inferred: every emulated account
// does). Inbound only considers allowInbound rules and, by default, does
// not check authentication at all.
func allowlistCheck(inst *Instance, st *state, target *javaURI, authenticated bool) allowlistCheckEntity {
	if st.AllowlistDisabled || prefixMatches(inst.baseURLIn(st), target) {
		return allowlistCheckEntity{Outbound: true, OutboundWithAuth: true, Inbound: true}
	}
	var answer allowlistCheckEntity
	for _, rule := range st.AllowlistRules {
		if !allowlistRuleMatches(st, rule, target) {
			continue
		}
		if !rule.AuthenticationRequired {
			answer.Outbound = true
		}
		if !rule.AuthenticationRequired || authenticated {
			answer.OutboundWithAuth = true
		}
		if rule.AllowInbound {
			answer.Inbound = true
		}
	}
	return answer
}

// allowlistRuleMatches applies a rule's matcher to a URI. Every matcher
// first normalises the URI and fails when it has no scheme or host; any
// exception (an exact rule that is no URI, a wildcard that is no valid
// pattern) makes the rule not match.
func allowlistRuleMatches(st *state, rule storedAllowlistRule, target *javaURI) bool {
	normalised, ok := target.normaliseForAllowlist()
	if !ok {
		return false
	}
	switch rule.Type {
	case allowlistTypeApplicationLink:
		link := st.linkByID(rule.Expression)
		return link != nil && prefixMatches(link.RPCURL, target)
	case allowlistTypeDomainName:
		return strings.EqualFold(rule.Expression, *normalised.scheme+"://"+orEmpty(normalised.authority))
	case allowlistTypeExactURL:
		expression, err := parseJavaURI(rule.Expression)
		if err != nil {
			return false
		}
		want, ok := expression.normaliseForAllowlist()
		return ok && want.equals(normalised)
	case allowlistTypeWildcard:
		re, _ := compileJavaRegex(wildcardToJavaRegex(rule.Expression), true)
		return re != nil && re.MatchString(normalised.input)
	case allowlistTypeRegex:
		re, _ := compileJavaRegex(rule.Expression, false)
		return re != nil && re.MatchString(normalised.input)
	}
	return false
}

// prefixMatches is MatcherUtils.compare, which the self-URL and
// application-link matchers use: same host and scheme (case-sensitively, as
// Java compares them), same port, and a path below the base's path.
func prefixMatches(base string, target *javaURI) bool {
	baseURI, err := parseJavaURI(base)
	if err != nil || baseURI.host == "" || baseURI.scheme == nil {
		return false
	}
	normalised, ok := target.normaliseForAllowlist()
	if !ok {
		return false
	}
	return baseURI.host == normalised.host && *baseURI.scheme == *normalised.scheme &&
		baseURI.port == normalised.port && strings.HasPrefix(decodeJavaURI(target.path), decodeJavaURI(baseURI.path))
}

// wildcardToJavaRegex is WildcardExpressionMatcher.createRegex: only
// ". ? + | [ ]" are escaped, then "*" becomes ".*"; every other regular
// expression character keeps its meaning.
func wildcardToJavaRegex(rule string) string {
	for _, c := range []string{".", "?", "+", "|", "[", "]"} {
		rule = strings.ReplaceAll(rule, c, `\`+c)
	}
	return strings.ReplaceAll(rule, "*", ".*")
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// normaliseForAllowlist is MatcherUtils.normalizeUri: a URI without scheme
// or host fails; one without user info and fragment is kept as it is (case
// included); otherwise scheme and host are lower-cased and user info and
// fragment dropped. Inferred: the rebuilt URI keeps the raw path and query,
// where Java decodes and re-quotes them.
func (u *javaURI) normaliseForAllowlist() (*javaURI, bool) {
	if u.scheme == nil || u.host == "" {
		return nil, false
	}
	if u.userInfo == nil && u.fragment == nil {
		return u, true
	}
	rebuilt := strings.ToLower(*u.scheme) + "://" + strings.ToLower(u.host)
	if u.port != -1 {
		rebuilt += ":" + strconv.Itoa(u.port)
	}
	rebuilt += u.path
	if u.query != nil {
		rebuilt += "?" + *u.query
	}
	normalised, err := parseJavaURI(rebuilt)
	if err != nil {
		return nil, false
	}
	return normalised, true
}
