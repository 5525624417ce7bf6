package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The URL allowlist, formerly "whitelist" (reference §8): its REST resource
// under /rest/whitelist/{1.0,latest}/, the product's matching semantics
// behind /check, and the admin page that is the only place reporting the
// on/off switch. Behaviour follows the whitelist plugin 5.0.7 (ui resource,
// core service, manager and matchers).
//
// Java is the reference for two things Go does differently, so this file
// carries small models of them: java.net.URI (parsing, its error messages,
// equality) and java.util.regex (syntax errors, full-match semantics).

// allowlistModule is the whitelist REST module. Inferred: version 1.0 (the
// reference has only seen "latest").
var allowlistModule = restModule{name: "whitelist", versions: []string{"1.0", "latest"}}

// Rule types, in WhitelistType enum order, which is also the list order.
const (
	allowlistTypeDomainName = "DOMAIN_NAME"
	allowlistTypeExactURL   = "EXACT_URL"
	allowlistTypeWildcard   = "WILDCARD_EXPRESSION"
	allowlistTypeRegex      = "REGULAR_EXPRESSION"
)

var allowlistTypes = []string{
	allowlistTypeApplicationLink, allowlistTypeDomainName, allowlistTypeExactURL,
	allowlistTypeWildcard, allowlistTypeRegex,
}

// Messages of the whitelist plugin. [SRC] unless marked.
const (
	msgAllowlistLinkRulesManaged   = "Adding new application link whitelist rules is not supported, they are managed internally."
	msgAllowlistCannotBecomeLink   = "Cannot change the type to application link."
	msgAllowlistCannotChangeLink   = "Cannot change the type or expression of this application link whitelist rule."
	msgAllowlistLinkRuleNeedsUUID  = "Expected whitelist rule of type application link to have an expression of a valid UUID"
	msgAllowlistTypeMappingMissing = "Failed to find a matching whitelist type mapping for the given string '%s'; known types are: [%s]"
	// Inferred English for i18n whitelist.ui.error.noexpression, .deleted
	// and .noapplinkrestrictiveness.
	msgAllowlistNoExpression      = "Please enter an expression."
	msgAllowlistRuleDeleted       = "This rule does not exist any more; it may have been deleted by another user."
	msgAllowlistNoRestrictiveness = "Please select how application links are added to the allowlist."
	// Inferred: what the REST module answers when Jackson cannot read the
	// body (an unknown type string, an unknown restrictiveness, bad JSON).
	msgAllowlistUnreadableBody = "Can not deserialize the request body: %s"
	// Inferred: a rule without a type fails in the database layer.
	msgAllowlistNoType = "A whitelist rule needs a type."
)

func registerWhitelistRoutes(rt *router) {
	// The resource class is @Consumes/@Produces JSON; the methods are
	// @WebSudoRequired (skipped for Basic auth and tokens). Permission
	// checks happen inside the service, so handlers make them at the point
	// the product does: after body validation for create and update.
	jsonEndpoint := func(handle func(*exchange), access accessPolicy) endpoint {
		return endpoint{handle: handle, access: access, produces: producesJSON, consumes: consumesJSON}
	}
	rt.rest(allowlistModule, http.MethodGet, "", jsonEndpoint(listAllowlistRules, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "", jsonEndpoint(createAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPut, "/{id}", jsonEndpoint(updateAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodDelete, "/{id}", jsonEndpoint(deleteAllowlistRule, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "/enable", jsonEndpoint(switchAllowlist(true), authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPost, "/disable", jsonEndpoint(switchAllowlist(false), authenticatedOnly))
	// No permission check in the code for the settings [SRC].
	rt.rest(allowlistModule, http.MethodGet, "/settings", jsonEndpoint(getAllowlistSettings, authenticatedOnly))
	rt.rest(allowlistModule, http.MethodPut, "/settings", jsonEndpoint(putAllowlistSettings, authenticatedOnly))
	check := jsonEndpoint(checkAllowlist, anonymousAllowed)
	check.cors = true // @CorsAllowed
	rt.rest(allowlistModule, http.MethodGet, "/check", check)
	rt.servlet(http.MethodGet, "/plugins/servlet/whitelist", endpoint{handle: serveAllowlistPage, access: anonymousAllowed})
}

// ---- Entities ----

// allowlistRuleEntity is WhitelistBean as the resource writes it.
type allowlistRuleEntity struct {
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	Type               string `json:"type"`
	IconURL            string `json:"iconUrl"`
	AllowInbound       bool   `json:"allowInbound"`
	AllowAnonymousUser bool   `json:"allowAnonymousUser"`
	AllowEdit          bool   `json:"allowEdit"`
	AllowDelete        bool   `json:"allowDelete"`
}

// allowlistRuleInput is WhitelistBean as the resource reads it: every field
// may be null, and unknown fields are ignored.
type allowlistRuleInput struct {
	Expression         *string `json:"expression"`
	Type               *string `json:"type"`
	AllowInbound       *bool   `json:"allowInbound"`
	AllowAnonymousUser *bool   `json:"allowAnonymousUser"`
}

// allowlistListEntity is WhitelistListResponseBean.
type allowlistListEntity struct {
	Rules      []allowlistRuleEntity `json:"rules"`
	Page       int                   `json:"page"`
	TotalPages int                   `json:"totalPages"`
}

// allowlistSettingsEntity is WhitelistSettingsBean.
type allowlistSettingsEntity struct {
	ApplicationLinkRestrictiveness *string `json:"applicationLinkRestrictiveness"`
}

// allowlistCheckEntity is the map /check answers, in its insertion order.
type allowlistCheckEntity struct {
	Outbound         bool `json:"outbound"`
	OutboundWithAuth bool `json:"outboundWithAuth"`
	Inbound          bool `json:"inbound"`
}

// allowlistWireType is WhitelistTypeMapper.asString.
func allowlistWireType(enumName string) string {
	return "whitelist." + strings.ReplaceAll(strings.ToLower(enumName), "_", ".")
}

func allowlistTypeFromWire(wire string) (string, bool) {
	for _, t := range allowlistTypes {
		if allowlistWireType(t) == wire {
			return t, true
		}
	}
	return "", false
}

func writeAllowlistFieldError(ex *exchange, field, message string) {
	writeEntity(ex, http.StatusBadRequest, map[string]map[string]string{"errors": {field: message}})
}

func writeAllowlistError(ex *exchange, message string) {
	writeEntity(ex, http.StatusBadRequest, map[string]string{"message": message})
}

// readAllowlistBody decodes a JSON body the way Jackson would for these
// beans. An unreadable body has already been answered when it returns false.
func readAllowlistBody(ex *exchange, v any) bool {
	data, err := io.ReadAll(ex.r.Body)
	if err == nil {
		if len(strings.TrimSpace(string(data))) == 0 {
			err = errors.New("no content to map due to end-of-input")
		} else {
			err = json.Unmarshal(data, v)
		}
	}
	if err != nil {
		writeStatus(ex, newStatus(http.StatusBadRequest, fmt.Sprintf(msgAllowlistUnreadableBody, err)))
		return false
	}
	return true
}

// readAllowlistRuleInput also maps the type string, whose failure is a
// deserialisation error too.
func readAllowlistRuleInput(ex *exchange) (allowlistRuleInput, bool) {
	var in allowlistRuleInput
	if !readAllowlistBody(ex, &in) {
		return in, false
	}
	if in.Type != nil {
		enum, ok := allowlistTypeFromWire(*in.Type)
		if !ok {
			known := make([]string, len(allowlistTypes))
			for i, t := range allowlistTypes {
				known[i] = allowlistWireType(t)
			}
			writeStatus(ex, newStatus(http.StatusBadRequest, fmt.Sprintf(msgAllowlistUnreadableBody,
				fmt.Sprintf(msgAllowlistTypeMappingMissing, *in.Type, strings.Join(known, ", ")))))
			return in, false
		}
		in.Type = &enum
	}
	return in, true
}

// allowlistRuleID reads the {id} path parameter as Jersey reads an int; a
// value that does not convert makes the path unmatched (404).
func allowlistRuleID(ex *exchange) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(ex.param("id"), "+"), 10, 32)
	if err != nil {
		writeMappedStatus(ex, newStatus(http.StatusNotFound, "null for uri: http://"+ex.r.Host+ex.r.URL.RequestURI()))
		return 0, false
	}
	return id, true
}

// mayManageAllowlist is PermissionChecker.checkCurrentUserCanManageWhitelist;
// it answers the refusal itself.
func mayManageAllowlist(ex *exchange) bool {
	if whitelistManagerRequired.permits(ex) {
		return true
	}
	whitelistManagerRequired.refuse(ex)
	return false
}

// ---- Rules ----

func listAllowlistRules(ex *exchange) {
	var beans []allowlistRuleEntity
	ex.inst.store.View(func(st *state) { beans = allowlistBeans(ex.inst, st) })
	pages := 0
	if len(beans) > 0 {
		pages = 1
	}
	writeEntity(ex, http.StatusOK, allowlistListEntity{Rules: beans, Page: pages, TotalPages: pages})
}

// allowlistBeans sorts the rules as WhitelistRuleComparator does (a stable
// sort over the creation order) and drops the rules of vanished links.
func allowlistBeans(inst *Instance, st *state) []allowlistRuleEntity {
	rules := slices.Clone(st.AllowlistRules)
	slices.SortStableFunc(rules, func(a, b storedAllowlistRule) int { return compareAllowlistRules(st, a, b) })
	beans := make([]allowlistRuleEntity, 0, len(rules))
	for _, rule := range rules {
		if bean, ok := allowlistBean(inst, st, rule); ok {
			beans = append(beans, bean)
		}
	}
	return beans
}

// compareAllowlistRules orders by type (enum order), then the link's type
// id and name (nulls last), then the stored expression ignoring case.
func compareAllowlistRules(st *state, a, b storedAllowlistRule) int {
	if c := slices.Index(allowlistTypes, a.Type) - slices.Index(allowlistTypes, b.Type); c != 0 {
		return c
	}
	linkA, linkB := allowlistRuleLink(st, a), allowlistRuleLink(st, b)
	nullsLast := func(x, y *storedLink, field func(*storedLink) string) int {
		switch {
		case x == nil && y == nil:
			return 0
		case x == nil:
			return 1
		case y == nil:
			return -1
		}
		return strings.Compare(field(x), field(y))
	}
	if c := nullsLast(linkA, linkB, func(l *storedLink) string { return l.TypeID }); c != 0 {
		return c
	}
	if c := nullsLast(linkA, linkB, func(l *storedLink) string { return l.Name }); c != 0 {
		return c
	}
	return compareIgnoringCase(a.Expression, b.Expression)
}

func allowlistRuleLink(st *state, rule storedAllowlistRule) *storedLink {
	if rule.Type != allowlistTypeApplicationLink {
		return nil
	}
	return st.linkByID(rule.Expression)
}

// compareIgnoringCase is String.CASE_INSENSITIVE_ORDER. It walks the
// strings in place: a listing sorts every rule, so converting both sides to
// rune slices on every comparison dominated its cost.
func compareIgnoringCase(a, b string) int {
	for a != "" && b != "" {
		x, xn := utf8.DecodeRuneInString(a)
		y, yn := utf8.DecodeRuneInString(b)
		a, b = a[xn:], b[yn:]
		if x == y {
			continue
		}
		x, y = unicode.ToUpper(x), unicode.ToUpper(y)
		if x == y {
			continue
		}
		x, y = unicode.ToLower(x), unicode.ToLower(y)
		if x != y {
			return int(x) - int(y)
		}
	}
	return utf8.RuneCountInString(a) - utf8.RuneCountInString(b)
}

// allowlistBean is WhitelistBeanServiceImpl.asBean. Application-link rules
// show "<name> (<display URL>)" and the link type's icon; a rule whose link
// is gone has no bean.
func allowlistBean(inst *Instance, st *state, rule storedAllowlistRule) (allowlistRuleEntity, bool) {
	bean := allowlistRuleEntity{
		ID:                 rule.ID,
		Expression:         rule.Expression,
		Type:               allowlistWireType(rule.Type),
		AllowInbound:       rule.AllowInbound,
		AllowAnonymousUser: !rule.AuthenticationRequired,
		AllowEdit:          rule.Type != allowlistTypeApplicationLink,
		AllowDelete:        rule.Type != allowlistTypeApplicationLink,
	}
	switch rule.Type {
	case allowlistTypeApplicationLink:
		link := st.linkByID(rule.Expression)
		if link == nil {
			inst.logf("allowlist rule %d: no application link %s; maybe it has been removed", rule.ID, rule.Expression)
			return bean, false
		}
		bean.Expression = fmt.Sprintf("%s (%s)", link.Name, link.DisplayURL)
		bean.IconURL = inst.allowlistLinkIconURL(st, link.TypeID)
	case allowlistTypeExactURL, allowlistTypeDomainName:
		bean.IconURL = faviconURL(rule.Expression)
	}
	return bean, true
}

// allowlistLinkIconURL is the 16-pixel icon of an application type, as the
// applinks plugin serves it. Inferred: types the emulator does not model
// (generic and plugin types) use their type id as the icon name.
func (i *Instance) allowlistLinkIconURL(st *state, typeID string) string {
	key := typeID
	if p, ok := productByType(typeID); ok {
		key = p.iconKey
	}
	return pluginImagesURL(i.baseURLIn(st), i.product) + "/types/16" + key + ".png"
}

// baseURLIn is Instance.URL for code that already holds the store's lock.
func (i *Instance) baseURLIn(st *state) string {
	if st.BaseURL != "" {
		return st.BaseURL
	}
	return i.listenURL
}

// faviconURL is generateFavIconUrl: Java concatenates a missing scheme or
// authority as "null", and an unparsable expression has no icon.
func faviconURL(expression string) string {
	u, err := parseJavaURI(expression)
	if err != nil {
		return ""
	}
	return orJavaNull(u.scheme) + "://" + orJavaNull(u.authority) + "/favicon.ico"
}

func orJavaNull(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func createAllowlistRule(ex *exchange) {
	in, ok := readAllowlistRuleInput(ex)
	if !ok {
		return
	}
	// The resource checks the expression before the service checks the
	// caller, so this 400 reaches users who may not change the allowlist.
	if in.Expression == nil {
		writeAllowlistFieldError(ex, "expression", msgAllowlistNoExpression)
		return
	}
	if !mayManageAllowlist(ex) {
		return
	}
	rule := storedAllowlistRule{
		Expression:             *in.Expression,
		AllowInbound:           in.AllowInbound != nil && *in.AllowInbound,
		AuthenticationRequired: in.AllowAnonymousUser == nil || !*in.AllowAnonymousUser,
	}
	switch {
	case in.Type == nil:
		writeAllowlistError(ex, msgAllowlistNoType)
		return
	case *in.Type == allowlistTypeApplicationLink:
		writeAllowlistError(ex, msgAllowlistLinkRulesManaged)
		return
	}
	rule.Type = *in.Type
	if rule.Type == allowlistTypeRegex {
		if _, syntaxErr := compileJavaRegex(rule.Expression, false); syntaxErr != nil {
			// A PatternSyntaxException is the one error create reports
			// against the field.
			writeAllowlistFieldError(ex, "expression", syntaxErr.Error())
			return
		}
	}
	var bean allowlistRuleEntity
	if err := ex.inst.store.Update(func(st *state) error {
		stored := st.appendAllowlistRule(rule)
		bean, _ = allowlistBean(ex.inst, st, stored)
		return nil
	}); err != nil {
		panic(err) // a failed write is the product's uncaught 500
	}
	writeEntity(ex, http.StatusOK, bean)
}

// errAllowlistRefused carries a 400 message out of a store update.
type errAllowlistRefused struct{ message string }

func (e *errAllowlistRefused) Error() string { return e.message }

func updateAllowlistRule(ex *exchange) {
	id, ok := allowlistRuleID(ex)
	if !ok {
		return
	}
	in, ok := readAllowlistRuleInput(ex)
	if !ok {
		return
	}
	var existing *storedAllowlistRule
	ex.inst.store.View(func(st *state) {
		if i := allowlistRuleIndex(st, id); i >= 0 {
			found := st.AllowlistRules[i]
			existing = &found
		}
	})
	// The bean service looks the rule up before the service checks the
	// caller; a missing rule is its NullPointerException.
	if existing == nil {
		writeAllowlistError(ex, msgAllowlistRuleDeleted)
		return
	}
	if !mayManageAllowlist(ex) {
		return
	}
	updated := *existing // populateWith: null fields keep their values
	if in.Expression != nil {
		updated.Expression = *in.Expression
	}
	if in.Type != nil {
		updated.Type = *in.Type
	}
	if in.AllowInbound != nil {
		updated.AllowInbound = *in.AllowInbound
	}
	if in.AllowAnonymousUser != nil {
		updated.AuthenticationRequired = !*in.AllowAnonymousUser
	}
	if message := checkAllowlistUpdate(*existing, updated); message != "" {
		// Update reports every IllegalArgumentException, a
		// PatternSyntaxException included, as a plain message.
		writeAllowlistError(ex, message)
		return
	}
	var bean allowlistRuleEntity
	var shown bool
	err := ex.inst.store.Update(func(st *state) error {
		i := allowlistRuleIndex(st, id)
		if i < 0 { // deleted meanwhile
			return &errAllowlistRefused{msgAllowlistRuleDeleted}
		}
		st.AllowlistRules[i] = updated
		bean, shown = allowlistBean(ex.inst, st, updated)
		return nil
	})
	var refused *errAllowlistRefused
	switch {
	case errors.As(err, &refused):
		writeAllowlistError(ex, refused.message)
	case err != nil:
		panic(err)
	case !shown:
		// Inferred: Response.ok(null) for a link rule whose link vanished.
		ex.w.WriteHeader(http.StatusOK)
	default:
		writeEntity(ex, http.StatusOK, bean)
	}
}

// checkAllowlistUpdate applies the service's application-link rules and the
// manager's validation, returning the 400 message or "".
func checkAllowlistUpdate(existing, updated storedAllowlistRule) string {
	if existing.Type == allowlistTypeApplicationLink {
		if updated.Type != allowlistTypeApplicationLink || updated.Expression != existing.Expression {
			return msgAllowlistCannotChangeLink
		}
	} else if updated.Type == allowlistTypeApplicationLink {
		return msgAllowlistCannotBecomeLink
	}
	if updated.Type == allowlistTypeRegex {
		if _, syntaxErr := compileJavaRegex(updated.Expression, false); syntaxErr != nil {
			return syntaxErr.Error()
		}
	}
	if updated.Type == allowlistTypeApplicationLink && !isUUID(updated.Expression) {
		return msgAllowlistLinkRuleNeedsUUID
	}
	return ""
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{1,8}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,12}$`)

// isUUID accepts what UUID.fromString accepts.
func isUUID(s string) bool { return uuidPattern.MatchString(s) }

func allowlistRuleIndex(st *state, id int64) int {
	return slices.IndexFunc(st.AllowlistRules, func(r storedAllowlistRule) bool { return r.ID == id })
}

func deleteAllowlistRule(ex *exchange) {
	id, ok := allowlistRuleID(ex)
	if !ok {
		return
	}
	if !mayManageAllowlist(ex) {
		return
	}
	err := ex.inst.store.Update(func(st *state) error {
		i := allowlistRuleIndex(st, id)
		if i < 0 {
			return nil // an unknown id is silently fine
		}
		if st.AllowlistRules[i].Type == allowlistTypeApplicationLink {
			return &errAllowlistRefused{msgAllowlistLinkRulesManaged}
		}
		st.AllowlistRules = slices.Delete(st.AllowlistRules, i, i+1)
		return nil
	})
	var refused *errAllowlistRefused
	switch {
	case errors.As(err, &refused):
		writeAllowlistError(ex, refused.message)
	case err != nil:
		panic(err)
	default:
		ex.w.WriteHeader(http.StatusOK)
	}
}

// ---- Switch and settings ----

func switchAllowlist(enabled bool) func(*exchange) {
	return func(ex *exchange) {
		if !mayManageAllowlist(ex) {
			return
		}
		if err := ex.inst.store.Update(func(st *state) error {
			st.AllowlistDisabled = !enabled
			return nil
		}); err != nil {
			panic(err)
		}
		ex.w.WriteHeader(http.StatusOK)
	}
}

func getAllowlistSettings(ex *exchange) {
	var restrictiveness string
	ex.inst.store.View(func(st *state) { restrictiveness = st.linkRestrictiveness() })
	writeEntity(ex, http.StatusOK, allowlistSettingsEntity{ApplicationLinkRestrictiveness: &restrictiveness})
}

func putAllowlistSettings(ex *exchange) {
	var in allowlistSettingsEntity
	if !readAllowlistBody(ex, &in) {
		return
	}
	if in.ApplicationLinkRestrictiveness == nil {
		writeAllowlistFieldError(ex, "applicationLinkRestrictiveness", msgAllowlistNoRestrictiveness)
		return
	}
	restrictiveness := *in.ApplicationLinkRestrictiveness
	if !slices.Contains(restrictivenessValues, restrictiveness) {
		// Jackson's enum deserialisation failure.
		writeStatus(ex, newStatus(http.StatusBadRequest, fmt.Sprintf(msgAllowlistUnreadableBody,
			fmt.Sprintf("value not one of declared Enum instance names: [%s]", strings.Join(restrictivenessValues, ", ")))))
		return
	}
	if err := ex.inst.store.Update(func(st *state) error {
		setLinkRestrictiveness(st, restrictiveness)
		return nil
	}); err != nil {
		panic(err)
	}
	getAllowlistSettings(ex)
}

// ---- Check ----

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

// ---- Admin page ----

// serveAllowlistPage stands in for WhitelistServlet, which renders the
// allowlist admin page and is the only place the on/off switch is shown.
// The markup is the emulator's own (the product renders a Soy template):
// the element with id "allowlist-status" carries data-enabled="true|false".
// Like the servlet, it redirects anyone but a system administrator to the
// login page (Inferred: the products' login.jsp with os_destination).
func serveAllowlistPage(ex *exchange) {
	if !ex.user.isSysadmin() {
		destination := strings.TrimPrefix(ex.r.URL.Path, ex.inst.config.ContextPath)
		http.Redirect(ex.w, ex.r, ex.requestBaseURL()+"/login.jsp?permissionViolation=true&os_destination="+url.QueryEscape(destination), http.StatusFound)
		return
	}
	var (
		enabled         bool
		restrictiveness string
		beans           []allowlistRuleEntity
	)
	ex.inst.store.View(func(st *state) {
		enabled = !st.AllowlistDisabled
		restrictiveness = st.linkRestrictiveness()
		beans = allowlistBeans(ex.inst, st)
	})
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Allowlist - %s</title></head><body>`,
		html.EscapeString(ex.inst.product.name))
	b.WriteString(`<h1>Allowlist</h1>`)
	if enabled {
		b.WriteString(`<p id="allowlist-status" data-enabled="true">The allowlist is on: only the URLs it allows can be reached.</p>`)
	} else {
		b.WriteString(`<p id="allowlist-status" data-enabled="false">The allowlist is off: every URL is allowed.</p>`)
	}
	fmt.Fprintf(&b, `<p id="allowlist-application-links" data-restrictiveness="%s">Application links: %s</p>`,
		restrictiveness, restrictiveness)
	b.WriteString(`<table id="allowlist-rules"><thead><tr><th>Expression</th><th>Type</th><th>Incoming</th><th>Anonymous</th></tr></thead><tbody>`)
	for _, bean := range beans {
		fmt.Fprintf(&b, `<tr data-id="%d"><td>%s</td><td>%s</td><td>%t</td><td>%t</td></tr>`,
			bean.ID, html.EscapeString(bean.Expression), bean.Type, bean.AllowInbound, bean.AllowAnonymousUser)
	}
	b.WriteString(`</tbody></table></body></html>`)
	ex.w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	// JAX-RS CacheControl with no-cache and no-store (no-transform is on by
	// default).
	ex.w.Header().Set("Cache-Control", "no-cache, no-store, no-transform")
	ex.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(ex.w, b.String())
}

// ---- java.net.URI ----

// javaURI is what java.net.URI keeps of a parsed string. Components are raw
// (still percent-encoded); nil pointers are Java's nulls.
type javaURI struct {
	input     string
	scheme    *string
	opaque    bool
	ssp       string
	authority *string
	userInfo  *string
	host      string // "" when the authority is registry-based or absent
	port      int    // -1 when absent
	path      string
	query     *string
	fragment  *string
}

// uriSyntaxError is URISyntaxException.
type uriSyntaxError struct {
	input  string
	reason string
	index  int
}

func (e *uriSyntaxError) Error() string {
	if e.index > -1 {
		return fmt.Sprintf("%s at index %d: %s", e.reason, e.index, e.input)
	}
	return e.reason + ": " + e.input
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

// equals is URI.equals: scheme and host ignore case, the other components
// compare exactly except for the case of percent-escapes.
func (u *javaURI) equals(v *javaURI) bool {
	switch {
	case u.opaque != v.opaque,
		!equalFoldPtr(u.scheme, v.scheme),
		!equalEscapedPtr(u.fragment, v.fragment):
		return false
	case u.opaque:
		return equalEscaped(u.ssp, v.ssp)
	case !equalEscaped(u.path, v.path), !equalEscapedPtr(u.query, v.query):
		return false
	case u.host != "":
		return equalEscapedPtr(u.userInfo, v.userInfo) && strings.EqualFold(u.host, v.host) && u.port == v.port
	}
	return equalEscapedPtr(u.authority, v.authority)
}

func equalFoldPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return strings.EqualFold(*a, *b)
}

func equalEscapedPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return equalEscaped(*a, *b)
}

// equalEscaped compares raw components as URI.equal does: exactly, except
// that the two hex digits after a "%" ignore case.
func equalEscaped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != '%' {
			if a[i] != b[i] {
				return false
			}
			continue
		}
		if b[i] != '%' || i+2 >= len(a) ||
			!strings.EqualFold(a[i+1:i+3], b[i+1:i+3]) {
			return false
		}
		i += 2
	}
	return true
}

// decodeJavaURI decodes percent-escapes as URI.getPath does.
func decodeJavaURI(s string) string {
	if decoded, err := url.PathUnescape(s); err == nil {
		return decoded
	}
	return s
}

// Character classes of java.net.URI (RFC 2396).
const (
	uriMark     = "-_.!~*'()"
	uriReserved = ";/?:@&=+$,[]"
)

func isAlpha(c rune) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c rune) bool    { return '0' <= c && c <= '9' }
func isAlnum(c rune) bool    { return isAlpha(c) || isDigit(c) }
func isHexDigit(c rune) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isURIOther is the "other" category: non-ASCII characters that are
// neither space nor control characters.
func isURIOther(c rune) bool {
	return c > 0x7f && !unicode.IsControl(c) && !unicode.In(c, unicode.Zs, unicode.Zl, unicode.Zp)
}

func isUnreserved(c rune) bool { return isAlnum(c) || strings.ContainsRune(uriMark, c) }

type uriCharset func(rune) bool

var (
	uricChars     uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(uriReserved, c) || isURIOther(c) }
	pathChars     uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(":@&=+$,;/", c) || isURIOther(c) }
	userInfoChars uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune(";:&=+$,", c) || isURIOther(c) }
	regNameChars  uriCharset = func(c rune) bool { return isUnreserved(c) || strings.ContainsRune("$,;:@&=+", c) || isURIOther(c) }
	serverChars   uriCharset = func(c rune) bool { return userInfoChars(c) || strings.ContainsRune("-.:@[]", c) }
)

// uriParser follows java.net.URI.Parser for strings (not the multi-argument
// constructors). Indexes count characters, as Java's do for the BMP.
type uriParser struct {
	in  []rune
	raw string
	u   *javaURI
}

func parseJavaURI(s string) (*javaURI, error) {
	p := &uriParser{in: []rune(s), raw: s, u: &javaURI{input: s, port: -1}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.u, nil
}

func (p *uriParser) fail(reason string, index int) error {
	return &uriSyntaxError{input: p.raw, reason: reason, index: index}
}

func (p *uriParser) substring(start, end int) string { return string(p.in[start:end]) }

func (p *uriParser) at(i int, c rune) bool { return i < len(p.in) && p.in[i] == c }

// scan returns the index of the first character in [start, end) that is
// one of stop, or end.
func (p *uriParser) scan(start, end int, stop string) int {
	for i := start; i < end; i++ {
		if strings.ContainsRune(stop, p.in[i]) {
			return i
		}
	}
	return end
}

// check reports the first character of [start, end) outside the charset,
// with percent-escapes allowed.
func (p *uriParser) check(start, end int, allowed uriCharset, what string) error {
	for i := start; i < end; i++ {
		c := p.in[i]
		if c == '%' {
			if i+2 >= end || !isHexDigit(p.in[i+1]) || !isHexDigit(p.in[i+2]) {
				return p.fail("Malformed escape pair", i)
			}
			i += 2
			continue
		}
		if !allowed(c) {
			return p.fail("Illegal character in "+what, i)
		}
	}
	return nil
}

func (p *uriParser) parse() error {
	n := len(p.in)
	sspStart := 0
	if i := p.scan(0, n, ":/?#"); i < n && p.in[i] == ':' {
		if i == 0 {
			return p.fail("Expected scheme name", 0)
		}
		if !isAlpha(p.in[0]) {
			return p.fail("Illegal character in scheme name", 0)
		}
		for j := 1; j < i; j++ {
			if c := p.in[j]; !isAlnum(c) && !strings.ContainsRune("+-.", c) {
				return p.fail("Illegal character in scheme name", j)
			}
		}
		scheme := p.substring(0, i)
		p.u.scheme = &scheme
		sspStart = i + 1
		if p.at(sspStart, '/') {
			end, err := p.parseHierarchical(sspStart, n)
			if err != nil {
				return err
			}
			p.u.ssp = p.substring(sspStart, end)
			return p.parseFragment(end)
		}
		end := p.scan(sspStart, n, "#")
		if end <= sspStart {
			return p.fail("Expected scheme-specific part", sspStart)
		}
		if err := p.check(sspStart, end, uricChars, "opaque part"); err != nil {
			return err
		}
		p.u.opaque = true
		p.u.ssp = p.substring(sspStart, end)
		return p.parseFragment(end)
	}
	end, err := p.parseHierarchical(0, n)
	if err != nil {
		return err
	}
	p.u.ssp = p.substring(0, end)
	return p.parseFragment(end)
}

func (p *uriParser) parseFragment(at int) error {
	n := len(p.in)
	if p.at(at, '#') {
		if err := p.check(at+1, n, uricChars, "fragment"); err != nil {
			return err
		}
		fragment := p.substring(at+1, n)
		p.u.fragment = &fragment
		return nil
	}
	if at < n {
		return p.fail("Expected end of URI", at)
	}
	return nil
}

func (p *uriParser) parseHierarchical(start, n int) (int, error) {
	i := start
	if p.at(i, '/') && p.at(i+1, '/') {
		i += 2
		end := p.scan(i, n, "/?#")
		switch {
		case end > i:
			if err := p.parseAuthority(i, end); err != nil {
				return 0, err
			}
			i = end
		case end < n:
			// An empty authority is allowed before a path, query or fragment.
		default:
			return 0, p.fail("Expected authority", i)
		}
	}
	end := p.scan(i, n, "?#")
	if err := p.check(i, end, pathChars, "path"); err != nil {
		return 0, err
	}
	p.u.path = p.substring(i, end)
	i = end
	if p.at(i, '?') {
		i++
		end = p.scan(i, n, "#")
		if err := p.check(i, end, uricChars, "query"); err != nil {
			return 0, err
		}
		query := p.substring(i, end)
		p.u.query = &query
		i = end
	}
	return i, nil
}

// parseAuthority prefers a server-based authority (user info, host, port)
// and falls back to a registry-based one, which has no host: Java then
// keeps the authority but getHost() is null.
func (p *uriParser) parseAuthority(start, end int) error {
	authority := p.substring(start, end)
	allIn := func(allowed uriCharset) bool { return p.check(start, end, allowed, "authority") == nil }
	server, registry := allIn(serverChars), allIn(regNameChars)
	if server {
		if err := p.parseServer(start, end); err == nil {
			p.u.authority = &authority
			return nil
		} else if !registry {
			return err
		}
		p.u.userInfo, p.u.host, p.u.port = nil, "", -1
	}
	if registry {
		p.u.authority = &authority
		return nil
	}
	return p.check(start, end, regNameChars, "authority")
}

func (p *uriParser) parseServer(start, end int) error {
	i := start
	if at := p.scan(i, end, "@"); at < end {
		if err := p.check(i, at, userInfoChars, "user info"); err != nil {
			return err
		}
		userInfo := p.substring(i, at)
		p.u.userInfo = &userInfo
		i = at + 1
	}
	hostEnd, err := p.parseHost(i, end)
	if err != nil {
		return err
	}
	p.u.host = p.substring(i, hostEnd)
	i = hostEnd
	if p.at(i, ':') {
		i++
		digits := i
		for i < end && isDigit(p.in[i]) {
			i++
		}
		if i > digits {
			port, err := strconv.Atoi(p.substring(digits, i))
			if err != nil {
				return p.fail("Malformed port number", digits)
			}
			p.u.port = port
		}
	}
	if i < end {
		return p.fail("Expected port number", i)
	}
	return nil
}

func (p *uriParser) parseHost(start, end int) (int, error) {
	if p.at(start, '[') {
		closing := p.scan(start, end, "]")
		if closing >= end {
			return 0, p.fail("Expected closing bracket for IPv6 address", end)
		}
		address := p.substring(start+1, closing)
		if zone := strings.IndexByte(address, '%'); zone >= 0 {
			address = address[:zone]
		}
		if ip := net.ParseIP(address); ip == nil || !strings.Contains(address, ":") {
			return 0, p.fail("Malformed IPv6 address", start+1)
		}
		return closing + 1, nil
	}
	hostEnd := p.scan(start, end, ":")
	host := p.substring(start, hostEnd)
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil && strings.Count(host, ".") == 3 {
		return hostEnd, nil
	}
	return p.parseHostname(start, end)
}

// parseHostname: dot-separated labels of letters, digits and inner dashes;
// when there is more than one label the last must start with a letter.
func (p *uriParser) parseHostname(start, end int) (int, error) {
	i, lastLabel := start, -1
	for i < end {
		if !isAlnum(p.in[i]) {
			break
		}
		lastLabel = i
		for i < end && (isAlnum(p.in[i]) || p.in[i] == '-') {
			i++
		}
		if p.in[i-1] == '-' {
			return 0, p.fail("Illegal character in hostname", i-1)
		}
		if !p.at(i, '.') {
			break
		}
		i++
	}
	if i < end && !p.at(i, ':') {
		return 0, p.fail("Illegal character in hostname", i)
	}
	if lastLabel < 0 {
		return 0, p.fail("Expected hostname", start)
	}
	if lastLabel > start && !isAlpha(p.in[lastLabel]) {
		return 0, p.fail("Illegal character in hostname", lastLabel)
	}
	return i, nil
}

// ---- java.util.regex ----

// patternSyntaxError is PatternSyntaxException; its message is Java's.
type patternSyntaxError struct {
	desc    string
	pattern string
	index   int
}

func (e *patternSyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.desc)
	if e.index >= 0 {
		fmt.Fprintf(&b, " near index %d", e.index)
	}
	b.WriteString("\n" + e.pattern)
	if e.index >= 0 && e.index < utf8.RuneCountInString(e.pattern) {
		b.WriteString("\n" + strings.Repeat(" ", e.index) + "^")
	}
	return b.String()
}

// compileJavaRegex compiles a Java pattern for Java's matches(), that is a
// match of the whole input. It returns a syntax error where Java would
// throw one. Java constructs RE2 has no equivalent for (look-around,
// back-references, possessive quantifiers, atomic groups, some classes)
// are valid, but the pattern cannot be run: re is then nil and, Inferred,
// the emulator treats the rule as matching nothing. A non-nil re matches
// what Java's pattern matches, up to Unicode details.
func compileJavaRegex(pattern string, caseInsensitive bool) (re *regexp.Regexp, syntaxErr *patternSyntaxError) {
	t := &javaRegexTranslator{src: []rune(pattern), pattern: pattern, exact: true, runnable: true}
	if err := t.translate(); err != nil {
		return nil, err
	}
	open := `\A(?:`
	if caseInsensitive {
		open = `\A(?i:`
	}
	compiled, err := regexp.Compile(open + t.out.String() + `)\z`)
	if err != nil {
		return nil, t.fromGoError(err)
	}
	if !t.runnable || !t.exact {
		return nil, nil
	}
	return compiled, nil
}

// javaRegexTranslator rewrites a Java pattern into RE2 syntax, reporting
// Java's syntax errors for what RE2 would read differently (e.g. "{" that
// starts no repetition) and leaving the rest (unbalanced groups, dangling
// quantifiers, bad ranges) to RE2's parser, whose errors are mapped back.
type javaRegexTranslator struct {
	src      []rune
	pattern  string
	pos      int
	out      strings.Builder
	exact    bool // the translation means what the Java pattern means
	runnable bool // RE2 can run it at all (e.g. repetition counts ≤ 1000)
}

func (t *javaRegexTranslator) fail(desc string, index int) *patternSyntaxError {
	return &patternSyntaxError{desc: desc, pattern: t.pattern, index: index}
}

func (t *javaRegexTranslator) peek(offset int) rune {
	if t.pos+offset < len(t.src) {
		return t.src[t.pos+offset]
	}
	return -1
}

func (t *javaRegexTranslator) translate() *patternSyntaxError {
	for t.pos < len(t.src) {
		var err *patternSyntaxError
		switch c := t.src[t.pos]; c {
		case '\\':
			err = t.escape(false)
		case '[':
			err = t.class()
		case '(':
			err = t.group()
		case '{':
			err = t.repetition()
		case '*', '+', '?':
			t.out.WriteRune(c)
			t.pos++
			t.quantifierSuffix()
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// quantifierSuffix copies a lazy "?" and drops a possessive "+", which RE2
// lacks (possessive matching only ever rejects more).
func (t *javaRegexTranslator) quantifierSuffix() {
	switch t.peek(0) {
	case '?':
		t.out.WriteRune('?')
		t.pos++
	case '+':
		t.exact = false
		t.pos++
	}
}

// repetition reads "{n}", "{n,}" or "{n,m}"; anything else after "{" is
// Java's "Illegal repetition" (RE2 would take the brace literally).
func (t *javaRegexTranslator) repetition() *patternSyntaxError {
	start := t.pos
	i := t.pos + 1
	readInt := func() (int, bool) {
		from := i
		for i < len(t.src) && isDigit(t.src[i]) {
			i++
		}
		if i == from {
			return 0, false
		}
		n, err := strconv.Atoi(string(t.src[from:i]))
		return n, err == nil
	}
	lower, ok := readInt()
	if !ok {
		return t.fail("Illegal repetition", start)
	}
	upper := lower
	if i < len(t.src) && t.src[i] == ',' {
		i++
		if i < len(t.src) && isDigit(t.src[i]) {
			if upper, ok = readInt(); !ok {
				return t.fail("Illegal repetition", start)
			}
		} else {
			upper = -1
		}
	}
	if i >= len(t.src) || t.src[i] != '}' {
		return t.fail("Unclosed counted closure", i)
	}
	if upper >= 0 && upper < lower {
		return t.fail("Illegal repetition range", start)
	}
	if lower > 1000 || upper > 1000 {
		// Valid in Java, beyond RE2's limit.
		t.runnable = false
		t.out.WriteString("{0,1}")
	} else {
		t.out.WriteString(string(t.src[start : i+1]))
	}
	t.pos = i + 1
	t.quantifierSuffix()
	return nil
}

// javaInlineFlags are the letters Java accepts in (?flags) and (?flags:X).
const javaInlineFlags = "idmsuxUc"

func (t *javaRegexTranslator) group() *patternSyntaxError {
	if t.peek(1) != '?' {
		t.out.WriteRune('(')
		t.pos++
		return nil
	}
	t.pos += 2
	switch c := t.peek(0); {
	case c == ':':
		t.out.WriteString("(?:")
		t.pos++
	case c == '=' || c == '!':
		t.out.WriteString("(?:") // look-ahead
		t.exact = false
		t.pos++
	case c == '>':
		t.out.WriteString("(?:") // atomic group
		t.exact = false
		t.pos++
	case c == '<':
		switch next := t.peek(1); {
		case next == '=' || next == '!':
			t.out.WriteString("(?:") // look-behind
			t.exact = false
			t.pos += 2
		case isAlpha(next):
			nameStart := t.pos + 1
			end := nameStart
			for end < len(t.src) && isAlnum(t.src[end]) {
				end++
			}
			if end >= len(t.src) || t.src[end] != '>' {
				return t.fail("named capturing group is missing trailing '>'", end)
			}
			t.out.WriteString("(?P<" + string(t.src[nameStart:end]) + ">")
			t.pos = end + 1
		default:
			return t.fail("capturing group name does not start with a Latin letter", t.pos+1)
		}
	default:
		return t.flags()
	}
	return nil
}

// flags reads "(?idmsux-idmsux)" or "(?idmsux-idmsux:". RE2 knows i, m
// and s; d (Unix lines) and u (Unicode case) barely matter for URLs and
// are dropped; x (comments) and U (Unicode classes) change meaning.
func (t *javaRegexTranslator) flags() *patternSyntaxError {
	var on, off strings.Builder
	negative := false
	for {
		c := t.peek(0)
		switch {
		case c == ')' || c == ':':
			flags := on.String()
			if off.Len() > 0 {
				flags += "-" + off.String()
			}
			switch {
			case c == ':':
				t.out.WriteString("(?" + flags + ":")
			case flags != "":
				t.out.WriteString("(?" + flags + ")")
			}
			t.pos++
			return nil
		case c == '-' && !negative:
			negative = true
		case c >= 0 && strings.ContainsRune(javaInlineFlags, c):
			switch c {
			case 'i', 'm', 's':
				if negative {
					off.WriteRune(c)
				} else {
					on.WriteRune(c)
				}
			case 'x', 'U':
				t.exact = false
			}
		default:
			return t.fail("Unknown inline modifier", t.pos)
		}
		t.pos++
	}
}

// Classes Java has and RE2 lacks, written for use inside brackets.
const (
	javaHorizontalSpace = `\t \x{a0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}`
	javaVerticalSpace   = `\n\x0b\f\r\x{85}\x{2028}\x{2029}`
)

// javaPOSIXClasses maps Java's ASCII property classes to RE2's.
var javaPOSIXClasses = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
	"Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
	"Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
}

// escape translates the escape at t.pos, inside a class or not.
func (t *javaRegexTranslator) escape(inClass bool) *patternSyntaxError {
	start := t.pos
	if start+1 >= len(t.src) {
		return t.fail("Unexpected internal error", len(t.src))
	}
	c := t.src[start+1]
	t.pos = start + 2
	// set writes a class body, wrapped in brackets outside a class.
	set := func(body string, negated bool) {
		switch {
		case inClass && negated:
			t.exact = false // RE2 cannot nest a negated set
		case inClass:
			t.out.WriteString(body)
		case negated:
			t.out.WriteString("[^" + body + "]")
		default:
			t.out.WriteString("[" + body + "]")
		}
	}
	switch {
	case c == 'Q':
		end := len(t.src)
		for i := t.pos; i+1 < len(t.src); i++ {
			if t.src[i] == '\\' && t.src[i+1] == 'E' {
				end = i
				break
			}
		}
		t.out.WriteString(regexp.QuoteMeta(string(t.src[t.pos:end])))
		t.pos = min(end+2, len(t.src))
	case c == 'E':
		// A stray \E quotes nothing.
	case c >= '1' && c <= '9' && inClass:
		t.exact = false // no back-reference inside a class
	case c >= '1' && c <= '9':
		for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
			t.pos++
		}
		t.out.WriteString("(?:)") // back-reference
		t.exact = false
	case c == '0':
		from := t.pos
		for t.pos < len(t.src) && t.pos-from < 3 && '0' <= t.src[t.pos] && t.src[t.pos] <= '7' {
			t.pos++
		}
		if t.pos == from {
			return t.fail("Illegal octal escape sequence", from)
		}
		value, _ := strconv.ParseInt(string(t.src[from:t.pos]), 8, 32)
		if value > 0377 {
			t.pos--
			value >>= 3
		}
		fmt.Fprintf(&t.out, `\x{%x}`, value)
	case c == 'k':
		if t.peek(0) != '<' {
			return t.fail(`\k is not followed by '<' for named capturing group`, t.pos)
		}
		end := t.pos + 1
		for end < len(t.src) && isAlnum(t.src[end]) {
			end++
		}
		if end >= len(t.src) || t.src[end] != '>' {
			return t.fail("named capturing group is missing trailing '>'", end)
		}
		t.pos = end + 1
		t.out.WriteString("(?:)") // named back-reference
		t.exact = false
	case c == 'h' || c == 'H':
		set(javaHorizontalSpace, c == 'H')
	case c == 'v' || c == 'V':
		set(javaVerticalSpace, c == 'V')
	case c == 'R' && !inClass:
		t.out.WriteString(`(?:\r\n|[` + javaVerticalSpace + `])`)
	case c == 'X' && !inClass:
		t.out.WriteString(`(?s:.)`) // a grapheme cluster
		t.exact = false
	case c == 'G' || c == 'Z':
		if !inClass {
			t.out.WriteString(`(?:\n?\z)`)
		}
		t.exact = false
	case c == 'e':
		t.out.WriteString(`\x{1b}`)
	case c == 'c':
		if t.pos >= len(t.src) {
			return t.fail("Illegal control escape sequence", t.pos)
		}
		fmt.Fprintf(&t.out, `\x{%x}`, t.src[t.pos]^64)
		t.pos++
	case c == 'x':
		if t.peek(0) == '{' {
			end := t.pos + 1
			for end < len(t.src) && isHexDigit(t.src[end]) {
				end++
			}
			if end == t.pos+1 || end >= len(t.src) || t.src[end] != '}' {
				return t.fail("Unclosed hexadecimal escape sequence", end)
			}
			t.out.WriteString(`\x{` + string(t.src[t.pos+1:end]) + `}`)
			t.pos = end + 1
		} else {
			if t.pos+1 >= len(t.src) || !isHexDigit(t.src[t.pos]) || !isHexDigit(t.src[t.pos+1]) {
				return t.fail("Illegal hexadecimal escape sequence", t.pos)
			}
			t.out.WriteString(`\x{` + string(t.src[t.pos:t.pos+2]) + `}`)
			t.pos += 2
		}
	case c == 'u':
		if t.pos+4 > len(t.src) {
			return t.fail("Illegal Unicode escape sequence", t.pos)
		}
		for _, h := range t.src[t.pos : t.pos+4] {
			if !isHexDigit(h) {
				return t.fail("Illegal Unicode escape sequence", t.pos)
			}
		}
		t.out.WriteString(`\x{` + string(t.src[t.pos:t.pos+4]) + `}`)
		t.pos += 4
	case c == 'p' || c == 'P':
		return t.property(c == 'P', inClass, set)
	case c == 'N':
		if t.peek(0) == '{' {
			for t.pos < len(t.src) && t.src[t.pos] != '}' {
				t.pos++
			}
			t.pos = min(t.pos+1, len(t.src))
		}
		if !inClass {
			t.out.WriteString(`(?s:.)`)
		}
		t.exact = false
	case c == 'b' && t.peek(0) == '{':
		for t.pos < len(t.src) && t.src[t.pos] != '}' {
			t.pos++
		}
		t.pos = min(t.pos+1, len(t.src))
		t.exact = false
	case strings.ContainsRune("tnrfadDsSwWbBAz", c):
		t.out.WriteString(`\` + string(c))
	case isAlpha(c):
		return t.fail("Illegal/unsupported escape sequence", start+1)
	default:
		// Any other character escapes to itself.
		t.out.WriteString(regexp.QuoteMeta(string(c)))
	}
	return nil
}

// property translates \p{Name}, \pL and their negations.
func (t *javaRegexTranslator) property(negated, inClass bool, set func(string, bool)) *patternSyntaxError {
	var name string
	if t.peek(0) == '{' {
		end := t.pos + 1
		for end < len(t.src) && t.src[end] != '}' {
			end++
		}
		if end >= len(t.src) {
			return t.fail("Unclosed character family", end)
		}
		name = string(t.src[t.pos+1 : end])
		t.pos = end + 1
	} else {
		if t.pos >= len(t.src) {
			return t.fail("Illegal character family", t.pos)
		}
		name = string(t.src[t.pos])
		t.pos++
	}
	if posix, ok := javaPOSIXClasses[name]; ok {
		if negated {
			posix = "^" + posix
		}
		set("[:"+posix+":]", false)
		return nil
	}
	goName := name
	for _, prefix := range []string{"Is", "general_category=", "gc=", "script=", "sc="} {
		if trimmed, ok := strings.CutPrefix(name, prefix); ok {
			goName = trimmed
			break
		}
	}
	_, category := unicode.Categories[goName]
	_, script := unicode.Scripts[goName]
	switch {
	case category || script:
		escape := `\p{` + goName + `}`
		if negated {
			escape = `\P{` + goName + `}`
		}
		t.out.WriteString(escape)
	case strings.HasPrefix(name, "Is"), strings.HasPrefix(name, "In"), strings.HasPrefix(name, "java"),
		strings.HasPrefix(name, "blk="), strings.HasPrefix(name, "block="):
		// Binary properties, blocks and java.lang.Character classes:
		// valid in Java, not in RE2.
		t.out.WriteString(`\p{Any}`)
		t.exact = false
	default:
		return t.fail("Unknown character property name {"+name+"}", t.pos-1)
	}
	return nil
}

// class translates "[...]". Java nests classes ("[a[bc]]" is a union,
// written flat for RE2) and intersects them with "&&", which RE2 cannot
// express.
func (t *javaRegexTranslator) class() *patternSyntaxError {
	t.out.WriteRune('[')
	t.pos++
	if t.peek(0) == '^' {
		t.out.WriteRune('^')
		t.pos++
	}
	return t.classBody()
}

func (t *javaRegexTranslator) classBody() *patternSyntaxError {
	startLen := t.out.Len()
	first := true
	for {
		if t.pos >= len(t.src) {
			return t.fail("Unclosed character class", len(t.src)-1)
		}
		c := t.src[t.pos]
		switch {
		case c == ']' && !first:
			if t.out.Len() == startLen {
				t.out.WriteString(`\x{0}`) // RE2 has no empty class
				t.exact = false
			}
			t.out.WriteRune(']')
			t.pos++
			return nil
		case c == ']':
			t.out.WriteString(`\]`)
			t.pos++
		case c == '[':
			t.pos++
			if t.peek(0) == '^' {
				t.exact = false
				t.pos++
			}
			if err := t.nestedClass(); err != nil {
				return err
			}
		case c == '&' && t.peek(1) == '&':
			t.exact = false
			t.pos += 2
		case c == '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		first = false
	}
}

// nestedClass writes a nested class's members into the enclosing one.
func (t *javaRegexTranslator) nestedClass() *patternSyntaxError {
	first := true
	for {
		if t.pos >= len(t.src) {
			return t.fail("Unclosed character class", len(t.src)-1)
		}
		switch c := t.src[t.pos]; {
		case c == ']' && !first:
			t.pos++
			return nil
		case c == ']':
			t.out.WriteString(`\]`)
			t.pos++
		case c == '[':
			t.pos++
			if err := t.nestedClass(); err != nil {
				return err
			}
		case c == '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		default:
			t.out.WriteRune(c)
			t.pos++
		}
		first = false
	}
}

// fromGoError turns RE2's complaint about a translated pattern into the
// error Java gives for the original. Indexes are Inferred where RE2 does
// not say where it stopped.
func (t *javaRegexTranslator) fromGoError(err error) *patternSyntaxError {
	var syntaxErr *syntax.Error
	if !errors.As(err, &syntaxErr) {
		return t.fail(err.Error(), -1)
	}
	at := func(expr string) int {
		if i := strings.Index(t.pattern, expr); i >= 0 {
			return utf8.RuneCountInString(t.pattern[:i])
		}
		return -1
	}
	end := len(t.src)
	switch syntaxErr.Code {
	case syntax.ErrMissingParen:
		return t.fail("Unclosed group", end)
	case syntax.ErrUnexpectedParen:
		return t.fail("Unmatched closing ')'", max(strings.LastIndex(t.pattern, ")")-1, 0))
	case syntax.ErrMissingBracket:
		return t.fail("Unclosed character class", end-1)
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		expr := syntaxErr.Expr
		meta, _ := utf8.DecodeLastRuneInString(expr)
		index := at(expr)
		if index >= 0 {
			index += utf8.RuneCountInString(expr) - 1
		}
		return t.fail(fmt.Sprintf("Dangling meta character '%c'", meta), index)
	case syntax.ErrInvalidCharRange:
		index := at(syntaxErr.Expr)
		if index >= 0 {
			index += utf8.RuneCountInString(syntaxErr.Expr) - 1
		}
		return t.fail("Illegal character range", index)
	case syntax.ErrInvalidRepeatSize:
		return t.fail("Illegal repetition range", at(syntaxErr.Expr))
	case syntax.ErrTrailingBackslash:
		return t.fail("Unexpected internal error", end)
	case syntax.ErrInvalidEscape:
		return t.fail("Illegal/unsupported escape sequence", at(syntaxErr.Expr))
	case syntax.ErrInvalidNamedCapture:
		return t.fail("Named capturing group is already defined", at(syntaxErr.Expr))
	}
	return t.fail(string(syntaxErr.Code), at(syntaxErr.Expr))
}
