package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The URL allowlist, formerly "whitelist" (design/api.md §8): its REST resource
// under /rest/whitelist/{1.0,latest}/, the automatic rules of application
// links, and the admin page that is the only place reporting the on/off
// switch. What the rules allow (/check) is in allowlist_check.go. Behaviour
// follows the whitelist plugin 5.0.7 (ui resource, core service, manager and
// matchers).
//
// Java is the reference for two things Go does differently, so the
// allowlist has small models of them: java.net.URI (java_uri.go) and
// java.util.regex (java_regex.go).

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
	if allowlistManagerRequired.permits(ex) {
		return true
	}
	allowlistManagerRequired.refuse(ex)
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

// ---- Automatic application-link rules ----

// The whitelist plugin listens to application link events and keeps one
// APPLICATION_LINK rule per link (design/api.md §8.4, whitelist-core
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
