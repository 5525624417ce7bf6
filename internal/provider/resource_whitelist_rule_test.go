package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// ---- Emulator helpers: an administrator working outside Terraform ----

// allowlistRule is a rule as the emulator lists it, decoded into the test's
// own struct so that a field the client gets wrong cannot pass here too.
type allowlistRule struct {
	ID                 int64  `json:"id"`
	Expression         string `json:"expression"`
	Type               string `json:"type"`
	AllowInbound       bool   `json:"allowInbound"`
	AllowAnonymousUser bool   `json:"allowAnonymousUser"`
}

// String is the form expectations are written in: "domain.name
// https://a.example inbound=false anonymous=true".
func (r allowlistRule) String() string {
	return fmt.Sprintf("%s %s inbound=%t anonymous=%t", strings.TrimPrefix(r.Type, "whitelist."), r.Expression, r.AllowInbound, r.AllowAnonymousUser)
}

func emulatorAllowlist(inst *emulator.Instance) ([]allowlistRule, error) {
	var listing struct {
		Rules []allowlistRule `json:"rules"`
	}
	_, err := emulatorCall(inst, http.MethodGet, "/rest/whitelist/latest", nil, &listing)
	return listing.Rules, err
}

// expectAllowlist checks that the instance holds exactly the rules given,
// duplicates counted, in any order.
func expectAllowlist(inst *emulator.Instance, want ...string) func() error {
	return func() error {
		rules, err := emulatorAllowlist(inst)
		if err != nil {
			return err
		}
		got := make([]string, len(rules))
		for i, r := range rules {
			got[i] = r.String()
		}
		want := slices.Clone(want)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("instance %s holds the rules\n  %s\nwant\n  %s", inst.Name(), strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		return nil
	}
}

// expectStateRuleInEmulator checks that the rule a resource's state points
// at exists on the instance as described.
func expectStateRuleInEmulator(inst *emulator.Instance, addr, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		rules, err := emulatorAllowlist(inst)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if fmt.Sprint(r.ID) == rs.Primary.ID {
				if r.String() != want {
					return fmt.Errorf("%s (rule %d) is %q on the instance, want %q", addr, r.ID, r.String(), want)
				}
				return nil
			}
		}
		return fmt.Errorf("%s points at rule %s, which the instance does not hold", addr, rs.Primary.ID)
	}
}

// createTestLinks adds application links over the applinks REST API; the
// instance adds their allowlist rules by itself.
func createTestLinks(t *testing.T, inst *emulator.Instance, names ...string) {
	t.Helper()
	for i, name := range names {
		body := fmt.Sprintf(`{"typeId":"jira","name":%q,"rpcUrl":"http://%s.internal:%d","displayUrl":"https://%s.example.com"}`,
			name, strings.ToLower(name), 8080+i, strings.ToLower(name))
		if _, err := emulatorCall(inst, http.MethodPut, "/rest/applinks/2.0/applicationlink", json.RawMessage(body), nil); err != nil {
			t.Fatalf("creating link %s: %s", name, err)
		}
	}
}

// ruleIDOf returns the emulator id of the rule listed with the expression.
func ruleIDOf(t *testing.T, inst *emulator.Instance, expression string) int64 {
	t.Helper()
	rules, err := emulatorAllowlist(inst)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.Expression == expression {
			return r.ID
		}
	}
	t.Fatalf("no rule %q on %s", expression, inst.Name())
	return 0
}

// startWhitelistInstance starts a Jira instance for one test and returns it
// with the URL the provider should use.
func startAllowlistInstance(t *testing.T, opts emulator.Options) (*emulator.Instance, string) {
	t.Helper()
	inst := startEmulator(t, opts, "jira=jira").Instance("jira")
	return inst, inst.URL()
}

// passThrough serves a reverse proxy to the instance; wrap, when set, may
// intercept requests before they are forwarded.
func passThrough(t *testing.T, inst *emulator.Instance, wrap func(forward http.Handler) http.Handler) string {
	t.Helper()
	target, err := url.Parse(inst.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = &http.Transport{DisableKeepAlives: true}
	var h http.Handler = proxy
	if wrap != nil {
		h = wrap(proxy)
	}
	front := httptest.NewServer(h)
	t.Cleanup(front.Close)
	return front.URL
}

// ---- Configurations ----

type testRule struct {
	name, typ, expression string
	inbound, anonymous    bool
}

func testAccAllowlistRuleResourceConfig(instanceURL string, rules ...testRule) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(instanceURL))
	for _, r := range rules {
		fmt.Fprintf(&b, `
resource "applinks_whitelist_rule" %[1]q {
  type            = %[2]q
  expression      = %[3]q
  allow_inbound   = %[4]t
  allow_anonymous = %[5]t
}
`, r.name, r.typ, r.expression, r.inbound, r.anonymous)
	}
	return b.String()
}

func ruleAddr(name string) string { return "applinks_whitelist_rule." + name }

func ruleStateChecks(rules ...testRule) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, r := range rules {
		addr := ruleAddr(r.name)
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+$`))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("type"), knownvalue.StringExact(r.typ)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("expression"), knownvalue.StringExact(r.expression)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("allow_inbound"), knownvalue.Bool(r.inbound)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("allow_anonymous"), knownvalue.Bool(r.anonymous)),
		)
	}
	return checks
}

var wireTypeSuffix = map[string]string{
	"domain": "domain.name", "exact_url": "exact.url", "wildcard": "wildcard.expression", "regex": "regular.expression",
}

func (r testRule) emulated() string {
	return fmt.Sprintf("%s %s inbound=%t anonymous=%t", wireTypeSuffix[r.typ], r.expression, r.inbound, r.anonymous)
}

// ruleChecks checks the instance after a step: exactly these rules (plus
// extra ones given as emulated strings), each where its state points.
func ruleChecks(inst *emulator.Instance, extra []string, rules ...testRule) resource.TestCheckFunc {
	want := slices.Clone(extra)
	var fns []resource.TestCheckFunc
	for _, r := range rules {
		want = append(want, r.emulated())
		fns = append(fns, expectStateRuleInEmulator(inst, ruleAddr(r.name), r.emulated()))
	}
	return resource.ComposeAggregateTestCheckFunc(append(fns, checks(expectAllowlist(inst, want...)))...)
}

// ---- Tests ----

// Every rule type is created, imported, updated in place and destroyed,
// and the instance is checked after each step.
func TestAccAllowlistRuleResource_lifecycle(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	created := []testRule{
		{"a", "domain", "https://www.example.com", false, false},
		{"b", "exact_url", "https://feeds.example.com/news.xml?format=rss", true, false},
		{"c", "wildcard", "https://*.example.org/*", false, true},
		{"d", "regex", `https://api\.example\.net/v[0-9]+/.*`, true, true},
	}
	updated := []testRule{
		{"a", "domain", "https://www.example.com:8443", true, true},
		{"b", "exact_url", "https://feeds.example.com/news.xml?format=atom", false, true},
		{"c", "wildcard", "http://*.example.org/api/*", true, false},
		{"d", "regex", `(?i)https://api\.example\.net/v2/.*`, false, false},
	}
	retyped := slices.Clone(updated)
	retyped[0] = testRule{"a", "exact_url", "https://www.example.com:8443/", true, true}

	// One comparer per resource proves its id never changes across steps.
	var sameIDs []func() statecheck.StateCheck
	for _, name := range []string{"a", "b", "c", "d"} {
		comparer, addr := statecheck.CompareValue(compare.ValuesSame()), ruleAddr(name)
		sameIDs = append(sameIDs, func() statecheck.StateCheck { return comparer.AddStateValue(addr, tfjsonpath.New("id")) })
	}
	sameIDChecks := func() []statecheck.StateCheck {
		checks := make([]statecheck.StateCheck, len(sameIDs))
		for i, add := range sameIDs {
			checks[i] = add()
		}
		return checks
	}
	importStep := func(name string) resource.TestStep {
		return resource.TestStep{
			Config:            testAccAllowlistRuleResourceConfig(providerURL, created...),
			ResourceName:      ruleAddr(name),
			ImportState:       true,
			ImportStateVerify: true,
			ImportStateCheck: func([]*terraform.InstanceState) error {
				return expectAllowlist(inst, emulatedAll(created)...)()
			},
		}
	}
	updateActions := func(rules []testRule) []plancheck.PlanCheck {
		var checks []plancheck.PlanCheck
		for _, r := range rules {
			checks = append(checks, plancheck.ExpectResourceAction(ruleAddr(r.name), plancheck.ResourceActionUpdate))
		}
		return checks
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst)),
		Steps: []resource.TestStep{
			{
				Config:            testAccAllowlistRuleResourceConfig(providerURL, created...),
				ConfigStateChecks: append(ruleStateChecks(created...), sameIDChecks()...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: ruleChecks(inst, nil, created...),
			},
			importStep("a"), importStep("b"), importStep("c"), importStep("d"),
			{
				Config: testAccAllowlistRuleResourceConfig(providerURL, updated...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             updateActions(updated),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(ruleStateChecks(updated...), sameIDChecks()...),
				Check:             ruleChecks(inst, nil, updated...),
			},
			{
				// The type changes in place too.
				Config: testAccAllowlistRuleResourceConfig(providerURL, retyped...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             updateActions(retyped[:1]),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(ruleStateChecks(retyped...), sameIDChecks()...),
				Check:             ruleChecks(inst, nil, retyped...),
			},
		},
	})
}

func emulatedAll(rules []testRule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.emulated()
	}
	return out
}

// Rules changed or deleted outside Terraform show as drift and are
// repaired; an equivalent spelling is no drift; a duplicate created outside
// Terraform is left alone, also by destroy.
func TestAccAllowlistRuleResource_drift(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	rules := []testRule{
		{"r", "domain", "https://drift.example.com", false, false},
		{"s", "exact_url", "https://drift.example.com/hook", true, false},
	}
	config := testAccAllowlistRuleResourceConfig(providerURL, rules...)
	outOfBand := func(method, path string, body any) func() {
		return func() {
			if _, err := emulatorCall(inst, method, path, body, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	idOf := func(expression string) string { return fmt.Sprint(ruleIDOf(t, inst, expression)) }
	duplicate := "domain.name https://drift.example.com inbound=false anonymous=false"

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Destroy removes Terraform's rules only.
		CheckDestroy: checks(expectAllowlist(inst, duplicate)),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  ruleChecks(inst, nil, rules...),
			},
			{
				// Edited outside Terraform: the plan updates it back.
				PreConfig: func() {
					outOfBand(http.MethodPut, "/rest/whitelist/latest/"+idOf("https://drift.example.com"),
						json.RawMessage(`{"expression":"https://elsewhere.example.com","allowAnonymousUser":true}`))()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(ruleAddr("r"), plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(ruleAddr("s"), plancheck.ResourceActionNoop),
					},
				},
				Check: ruleChecks(inst, nil, rules...),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					outOfBand(http.MethodDelete, "/rest/whitelist/latest/"+idOf("https://drift.example.com/hook"), nil)()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(ruleAddr("s"), plancheck.ResourceActionCreate)},
				},
				Check: ruleChecks(inst, nil, rules...),
			},
			{
				// An equivalent spelling is no change, and the configured
				// spelling stays in the state; a duplicate made outside
				// Terraform is not Terraform's.
				PreConfig: func() {
					outOfBand(http.MethodPut, "/rest/whitelist/latest/"+idOf("https://drift.example.com"),
						json.RawMessage(`{"expression":"HTTPS://Drift.Example.COM"}`))()
					outOfBand(http.MethodPost, "/rest/whitelist/latest", json.RawMessage(`{"type":"whitelist.domain.name","expression":"https://drift.example.com"}`))()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ruleAddr("r"), tfjsonpath.New("expression"), knownvalue.StringExact("https://drift.example.com")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectStateRuleInEmulator(inst, ruleAddr("r"), "domain.name HTTPS://Drift.Example.COM inbound=false anonymous=false"),
					checks(expectAllowlist(inst, duplicate, rules[1].emulated(), "domain.name HTTPS://Drift.Example.COM inbound=false anonymous=false")),
				),
			},
		},
	})
}

// With application links present, applying and destroying rules never
// touches the rules the product keeps for the links; those can neither be
// imported nor declared.
func TestAccAllowlistRuleResource_applicationLinks(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	createTestLinks(t, inst, "Alpha", "Beta")
	linkRules := []string{
		"application.link Alpha (https://alpha.example.com) inbound=false anonymous=false",
		"application.link Beta (https://beta.example.com) inbound=false anonymous=false",
	}
	rules := []testRule{
		{"one", "domain", "https://alpha.example.com", false, false},
		{"two", "wildcard", "https://*.example.com/*", true, true},
		{"three", "regex", `https://beta\.example\.com/.*`, false, true},
	}
	linkRuleID := fmt.Sprint(ruleIDOf(t, inst, "Alpha (https://alpha.example.com)"))
	checkLinkRuleIDs := func() error {
		if got := fmt.Sprint(ruleIDOf(t, inst, "Alpha (https://alpha.example.com)")); got != linkRuleID {
			return fmt.Errorf("the link rule's id changed from %s to %s", linkRuleID, got)
		}
		return nil
	}
	importConfig := testAccProviderConfig(providerURL) + `
resource "applinks_whitelist_rule" "imported" {
  type       = "domain"
  expression = "https://imported.example.com"
}
`

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst, linkRules...), checkLinkRuleIDs),
		Steps: []resource.TestStep{
			{
				Config: testAccAllowlistRuleResourceConfig(providerURL, rules...),
				Check:  resource.ComposeAggregateTestCheckFunc(ruleChecks(inst, linkRules, rules...), checks(checkLinkRuleIDs)),
			},
			{
				Config: testAccAllowlistRuleResourceConfig(providerURL, rules[1:]...),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(ruleAddr("one"), plancheck.ResourceActionDestroy)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(ruleChecks(inst, linkRules, rules[1:]...), checks(checkLinkRuleIDs)),
			},
			{
				Config:        importConfig,
				ResourceName:  "applinks_whitelist_rule.imported",
				ImportState:   true,
				ImportStateId: linkRuleID,
				ExpectError:   regexp.MustCompile(`(?s)Application Link Rules Are Managed by the Product.*Alpha`),
			},
			{
				Config:        importConfig,
				ResourceName:  "applinks_whitelist_rule.imported",
				ImportState:   true,
				ImportStateId: "rule-7",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Allowlist Rule Import ID.*"rule-7"`),
			},
		},
	})
}

// Plan-time validation catches each bad input before anything is sent.
func TestAccAllowlistRuleResource_invalidInput(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	step := func(typ, expression, want string) resource.TestStep {
		return resource.TestStep{
			Config:      testAccAllowlistRuleResourceConfig(providerURL, testRule{name: "bad", typ: typ, expression: expression}),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst)),
		Steps: []resource.TestStep{
			step("domain", "https://www.example.com/", `(?s)Invalid Domain Rule.*has\s+"/"\s+after\s+the\s+host.*"https://www.example.com"`),
			step("domain", "www.example.com", `(?s)Invalid Domain Rule.*has\s+no\s+scheme`),
			step("exact_url", "/feeds/news.xml", `(?s)Invalid Exact URL Rule.*has\s+no\s+scheme`),
			step("exact_url", "https://www.example.com/a b", `(?s)Invalid Exact URL Rule.*must\s+be\s+percent-encoded`),
			step("regex", `https://(www\.example\.com`, `(?s)Invalid Regular Expression Rule.*group\s+is\s+not\s+closed`),
			step("regex", `https://example\.com/{id}`, `(?s)Invalid Regular Expression Rule.*start\s+of\s+a\s+repetition`),
			step("wildcard", `https://*.example.com/(*`, `(?s)Invalid Wildcard Rule.*would\s+never\s+match`),
			step("url", "https://www.example.com", `(?s)Invalid Attribute Value Match.*"domain"\s+"exact_url"\s+"wildcard"\s+"regex".*got:\s+"url"`),
			step("domain", "", `(?s)Invalid Attribute Value Length`),
			step("application_link", "Alpha (https://alpha.example.com)",
				`(?s)Application Link Rules Are Managed by the Product.*adds\s+an\s+`+"`application_link`"+`\s+rule\s+for\s+every\s+application\s+link`),
		},
	})
}

// Changing the allowlist needs a system administrator; an administrator's
// credentials fail with the product's words and the fix.
func TestAccAllowlistRuleResource_managerCredentials(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{})
	managerConfig := fmt.Sprintf(`
provider "applinks" {
  url      = %q
  username = "manager"
  password = "manager"
}
`, providerURL)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst), expectAllowlistSettings(inst, true, "ALLOW_AUTHENTICATED")),
		Steps: []resource.TestStep{
			{
				Config: managerConfig + `
resource "applinks_whitelist_rule" "denied" {
  type       = "domain"
  expression = "https://www.example.com"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Error Creating Allowlist Rule.*needs\s+a\s+system\s+administrator.*401.*The\s+current\s+user\s+is\s+not\s+allowed\s+to\s+change\s+the\s+whitelist`),
			},
			{
				// The switch is set first, so nothing changes: the
				// restrictiveness stays as it was (see CheckDestroy).
				Config: managerConfig + `
resource "applinks_whitelist" "denied" {
  enabled                          = false
  application_link_restrictiveness = "deny"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Error Configuring Allowlist.*turn\s+the\s+allowlist\s+off.*needs\s+a\s+system\s+administrator.*not\s+allowed\s+to\s+change\s+the\s+whitelist`),
			},
		},
	})
}

// A create whose answer is lost is looked up before it is repeated: a rule
// the instance did create is adopted, one it did not is created again.
func TestAccAllowlistRuleResource_lostCreateResponse(t *testing.T) {
	inst := startEmulator(t, emulator.Options{}, "jira=jira").Instance("jira")
	var (
		mu    sync.Mutex
		mode  string // "forward-then-502" or "502-without-forwarding"
		posts int
	)
	// lostAnswer forwards the request and replaces the answer by a proxy's
	// 502, as when a gateway gives up while the product goes on.
	lostAnswer := func(forward http.Handler, w http.ResponseWriter, r *http.Request) {
		recorder := httptest.NewRecorder()
		forward.ServeHTTP(recorder, r)
		http.Error(w, "upstream answer lost", http.StatusBadGateway)
	}
	providerURL := passThrough(t, inst, func(forward http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			current := ""
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/rest/whitelist/") {
				posts++
				current, mode = mode, ""
			}
			mu.Unlock()
			switch current {
			case "forward-then-502":
				lostAnswer(forward, w, r)
			case "502-without-forwarding":
				http.Error(w, "upstream timed out", http.StatusBadGateway)
			default:
				forward.ServeHTTP(w, r)
			}
		})
	})
	setMode := func(m string) func() {
		return func() { mu.Lock(); mode, posts = m, 0; mu.Unlock() }
	}
	expectPosts := func(want int) func() error {
		return func() error {
			mu.Lock()
			defer mu.Unlock()
			if posts != want {
				return fmt.Errorf("%d POSTs reached the allowlist, want %d", posts, want)
			}
			return nil
		}
	}
	adopted := testRule{"adopted", "domain", "https://adopted.example.com", false, false}
	recreated := testRule{"recreated", "exact_url", "https://recreated.example.com/x", false, true}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst)),
		Steps: []resource.TestStep{
			{
				PreConfig: setMode("forward-then-502"),
				Config:    testAccAllowlistRuleResourceConfig(providerURL, adopted),
				Check:     resource.ComposeAggregateTestCheckFunc(ruleChecks(inst, nil, adopted), checks(expectPosts(1))),
			},
			{
				PreConfig: setMode("502-without-forwarding"),
				Config:    testAccAllowlistRuleResourceConfig(providerURL, adopted, recreated),
				Check:     resource.ComposeAggregateTestCheckFunc(ruleChecks(inst, nil, adopted, recreated), checks(expectPosts(2))),
			},
		},
	})
}

// countRequests is a plan check that reads the emulator's request counts.
type countRequests struct {
	inst    *emulator.Instance
	request string
	max     int
	t       *testing.T
}

func (c countRequests) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var counts struct {
		Requests map[string]int `json:"requests"`
	}
	if _, err := emulatorCall(c.inst, http.MethodGet, "/_emulator/requests", nil, &counts); err != nil {
		resp.Error = err
		return
	}
	n := counts.Requests[c.request]
	c.t.Logf("%s: %d requests during the refresh plan", c.request, n)
	if n < 1 || n > c.max {
		resp.Error = fmt.Errorf("%d %q requests, want 1 to %d (all counts: %v)", n, c.request, c.max, counts.Requests)
	}
}

// A plan refreshing 100 rules lists the allowlist once, not once per rule.
func TestAccAllowlistRuleResource_manyRules(t *testing.T) {
	inst, providerURL := startAllowlistInstance(t, emulator.Options{Control: true})
	config := testAccProviderConfig(providerURL) + `
resource "applinks_whitelist_rule" "many" {
  count      = 100
  type       = "domain"
  expression = "https://host-${count.index}.example.com"
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectAllowlist(inst)),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					rules, err := emulatorAllowlist(inst)
					if err == nil && len(rules) != 100 {
						err = fmt.Errorf("instance holds %d rules, want 100", len(rules))
					}
					return err
				},
			},
			{
				PreConfig: func() {
					if _, err := emulatorCall(inst, http.MethodPost, "/_emulator/reset", nil, nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config,
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						countRequests{inst: inst, request: "GET /rest/whitelist/latest", max: 2, t: t},
					},
				},
			},
		},
	})
}

// ---- Unit tests ----

func TestAllowlistSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, r := range []fwresource.Resource{NewAllowlistRuleResource(), NewAllowlistResource()} {
		resp := &fwresource.SchemaResponse{}
		r.Schema(ctx, fwresource.SchemaRequest{}, resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%T schema: %v", r, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%T: %v", r, diags)
		}
		for name, attr := range resp.Schema.Attributes {
			if attr.GetMarkdownDescription() == "" {
				t.Errorf("%T attribute %s has no description", r, name)
			}
		}
	}
	resp := &fwresource.SchemaResponse{}
	NewAllowlistRuleResource().Schema(ctx, fwresource.SchemaRequest{}, resp)
	for _, name := range allowlistRuleTypes.Names() {
		if !strings.Contains(resp.Schema.Attributes["type"].GetMarkdownDescription(), "`"+name+"`") {
			t.Errorf("the type description does not mention %s", name)
		}
	}
}

func TestEquivalentExpressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, a, b string
		want      bool
	}{
		{"domain", "https://www.example.com", "HTTPS://WWW.Example.com", true},
		{"domain", "https://www.example.com", "https://www.example.com:443", false},
		{"wildcard", "https://*.Example.com/*", "https://*.example.COM/*", true},
		{"exact_url", "https://Example.com/a%2fb?q=%7e", "HTTPS://example.COM/a%2Fb?q=%7E", true},
		{"exact_url", "https://example.com/A", "https://example.com/a", false},
		{"exact_url", "https://example.com/a?q=1", "https://example.com/a?q=2", false},
		{"exact_url", "https://example.com:8443/", "https://example.com/", false},
		{"regex", "https://a\\.com", "https://A\\.com", false},
		{"regex", "x", "x", true},
	}
	for _, tt := range tests {
		if got := equivalentExpressions(tt.typ, tt.a, tt.b); got != tt.want {
			t.Errorf("equivalentExpressions(%s, %q, %q) = %t, want %t", tt.typ, tt.a, tt.b, got, tt.want)
		}
	}
}
