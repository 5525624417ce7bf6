package provider

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// envLoadObjects sets how many objects TestAccLoad manages; `make
// test-load` and `make reliability` ask for 200.
const envLoadObjects = "APPLINKS_LOAD_OBJECTS"

// defaultLoadObjects keeps `make test` fast.
const defaultLoadObjects = 30

// loadAtlassianPeers are the instances that the Atlassian-type links of the
// load test point at. An instance links at most once to another server, so
// each needs its own peer.
var loadAtlassianPeers = []struct{ instance, typeName string }{
	{"wiki", "confluence"},
	{"git", "bitbucket"},
}

// loadShape splits n objects into links to Atlassian peers, generic links,
// OAuth consumers (one on each generic link, incoming and outgoing by
// turns) and allowlist rules.
type loadShape struct {
	atlassianLinks, genericLinks, consumers, rules int
}

func newLoadShape(n int) (loadShape, error) {
	atlassian := len(loadAtlassianPeers)
	if n < atlassian+3 {
		return loadShape{}, fmt.Errorf("%s=%d: the load test needs at least %d objects", envLoadObjects, n, atlassian+3)
	}
	generic := (n - atlassian) / 3
	return loadShape{
		atlassianLinks: atlassian,
		genericLinks:   generic,
		consumers:      generic,
		rules:          n - atlassian - 2*generic,
	}, nil
}

func (s loadShape) total() int { return s.atlassianLinks + s.genericLinks + s.consumers + s.rules }

func loadObjects(t *testing.T) int {
	t.Helper()
	value := os.Getenv(envLoadObjects)
	if value == "" {
		return defaultLoadObjects
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		t.Fatalf("%s=%q is not a number", envLoadObjects, value)
	}
	return n
}

func loadGenericName(i int) string      { return fmt.Sprintf("load-generic-%04d", i) }
func loadGenericURL(i int) string       { return fmt.Sprintf("https://load-%04d.example.com", i) }
func loadConsumerKey(i int) string      { return fmt.Sprintf("load-consumer-%04d", i) }
func loadRuleExpression(i int) string   { return fmt.Sprintf("https://rule-%04d.example.com", i) }
func loadAtlassianName(peer int) string { return "load-" + loadAtlassianPeers[peer].typeName }

// testAccLoadConfig writes every object as its own resource block, as a
// team describing its instance by hand would.
func testAccLoadConfig(providerURL string, server *emulator.Server, shape loadShape, publicKey string) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(providerURL))
	for i := range shape.atlassianLinks {
		peer := loadAtlassianPeers[i]
		fmt.Fprintf(&b, `
resource "applinks_application_link" %[1]q {
  type    = %[2]q
  name    = %[3]q
  rpc_url = %[4]q
}
`, peer.instance, peer.typeName, loadAtlassianName(i), server.Instance(peer.instance).URL())
	}
	for i := range shape.genericLinks {
		fmt.Fprintf(&b, `
resource "applinks_application_link" "generic_%[1]d" {
  type    = "generic"
  name    = %[2]q
  rpc_url = %[3]q
}
`, i, loadGenericName(i), loadGenericURL(i))
	}
	for i := range shape.consumers {
		if i%2 == 0 {
			fmt.Fprintf(&b, `
resource "applinks_oauth_consumer" "consumer_%[1]d" {
  application_link_id = applinks_application_link.generic_%[1]d.id
  direction           = "incoming"
  consumer_key        = %[2]q
  name                = %[2]q
  public_key          = %[3]q
}
`, i, loadConsumerKey(i), publicKey)
			continue
		}
		fmt.Fprintf(&b, `
resource "applinks_oauth_consumer" "consumer_%[1]d" {
  application_link_id = applinks_application_link.generic_%[1]d.id
  direction           = "outgoing"
  consumer_key        = %[2]q
  name                = %[2]q
  shared_secret       = "load-secret-%[1]d"
  request_token_url   = "/oauth/request-token"
  access_token_url    = "/oauth/access-token"
  authorize_url       = "/oauth/authorize"
}
`, i, loadConsumerKey(i))
	}
	for i := range shape.rules {
		fmt.Fprintf(&b, `
resource "applinks_whitelist_rule" "rule_%[1]d" {
  type       = "domain"
  expression = %[2]q
}
`, i, loadRuleExpression(i))
	}
	return b.String()
}

// loadCensus is what the instance holds, compared with what the
// configuration asks for.
type loadCensus struct {
	objects    int // objects Terraform manages that the instance holds, duplicates included
	duplicates int // copies beyond the first of one name, key or expression
	orphans    int // objects the configuration does not describe
	missing    int // objects the configuration describes that the instance lacks
	problems   []string
}

func (c *loadCensus) count(kind string, got []string, want map[string]bool) {
	seen := make(map[string]int, len(got))
	for _, name := range got {
		seen[name]++
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n := seen[name]
		if !want[name] {
			c.orphans += n
			c.problems = append(c.problems, fmt.Sprintf("orphan %s %q (%d)", kind, name, n))
			continue
		}
		c.objects += n
		if n > 1 {
			c.duplicates += n - 1
			c.problems = append(c.problems, fmt.Sprintf("%s %q %d times", kind, name, n))
		}
	}
	for name := range want {
		if seen[name] == 0 {
			c.missing++
			c.problems = append(c.problems, fmt.Sprintf("missing %s %q", kind, name))
		}
	}
}

func (c loadCensus) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	shown := c.problems
	if len(shown) > 20 {
		shown = append(shown[:20:20], fmt.Sprintf("and %d more", len(c.problems)-20))
	}
	return fmt.Errorf("%d duplicates, %d orphans, %d missing: %s", c.duplicates, c.orphans, c.missing, strings.Join(shown, "; "))
}

// takeLoadCensus reads the links, the consumers of every link, and the
// allowlist over HTTP. With present false the configuration's objects must
// all be gone. Besides the rules Terraform makes, the instance keeps one
// APPLICATION_LINK rule per link itself, listed as "<name> (<display URL>)";
// those must follow the links.
func takeLoadCensus(inst *emulator.Instance, shape loadShape, present bool) (loadCensus, error) {
	var census loadCensus
	wantLinks, wantConsumers, wantRules, wantLinkRules := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	if present {
		for i := range shape.atlassianLinks {
			wantLinks[loadAtlassianName(i)] = true
		}
		for i := range shape.genericLinks {
			wantLinks[loadGenericName(i)] = true
		}
		for i := range shape.consumers {
			wantConsumers[loadConsumerKey(i)] = true
		}
		for i := range shape.rules {
			wantRules[loadRuleExpression(i)] = true
		}
	}

	links, err := emulatorLinks(inst)
	if err != nil {
		return census, err
	}
	var linkNames, consumerKeys []string
	for _, link := range links {
		linkNames = append(linkNames, link.Name)
		if present {
			wantLinkRules[link.Name+" ("+link.DisplayURL+")"] = true
		}
		auth, err := emulatorAuthentication(inst, link.ID)
		if err != nil {
			return census, err
		}
		if link.Type != genericType {
			// An Atlassian link's OAuth brings the peer's own consumer,
			// which Terraform does not manage: one at most.
			if len(auth.Consumers) > 1 {
				census.duplicates += len(auth.Consumers) - 1
				census.problems = append(census.problems, fmt.Sprintf("link %q lists %d consumers", link.Name, len(auth.Consumers)))
			}
			continue
		}
		for _, consumer := range auth.Consumers {
			consumerKeys = append(consumerKeys, consumer.Key)
		}
	}
	census.count("link", linkNames, wantLinks)
	census.count("consumer", consumerKeys, wantConsumers)

	rules, err := emulatorAllowlist(inst)
	if err != nil {
		return census, err
	}
	var expressions, linkRules []string
	for _, rule := range rules {
		if strings.HasSuffix(rule.Type, "application.link") || strings.EqualFold(rule.Type, "APPLICATION_LINK") {
			linkRules = append(linkRules, rule.Expression)
			continue
		}
		expressions = append(expressions, rule.Expression)
	}
	census.count("allowlist rule", expressions, wantRules)
	// The automatic rules are the instance's, not Terraform's: a duplicate
	// or an orphan among them is still a fault, but they are not objects.
	objects := census.objects
	census.count("application link rule", linkRules, wantLinkRules)
	census.objects = objects
	return census, nil
}

// TestAccLoad applies many objects at once, applies the same configuration
// again, and destroys everything, checking the instance over HTTP after each
// step: exactly the configured objects, no duplicate, no orphan.
//
// Terraform runs with -parallelism=10. plugin-testing v1.16.0 gives
// terraform-exec no parallelism option (internal/plugintest/working_dir.go:
// CreatePlan, Apply and Destroy pass only Reattach, Refresh and Out), and
// terraform-exec v0.25.1 then passes its own default explicitly: tfexec/apply.go:40
// and :197, tfexec/destroy.go:36 and :170, tfexec/plan.go:37 and :224
// (`parallelism: 10` and `"-parallelism="+fmt.Sprint(c.parallelism)`), which is
// also Terraform's default.
func TestAccLoad(t *testing.T) {
	shape, err := newLoadShape(loadObjects(t))
	if err != nil {
		t.Fatal(err)
	}
	specs := []string{"jira=jira"}
	for _, peer := range loadAtlassianPeers {
		typeID := peer.typeName
		if typeID == "bitbucket" {
			typeID = "stash"
		}
		specs = append(specs, peer.instance+"="+typeID)
	}
	server := startEmulator(t, emulator.Options{Control: true, AllowAllHosts: true}, specs...)
	jira := server.Instance("jira")
	config := testAccLoadConfig(jira.URL(), server, shape, publicKeyBase64(t, testConsumerKey(t, 0)))

	// The requests and time of each phase are Terraform's: the census's own
	// reads are left out by taking a new mark after each census. Phases:
	// apply is the first step's plan and apply and the harness's plans that
	// follow it; reapply is the second step's refreshing plan (which must be
	// empty) and the plans that follow it; destroy is the destroy.
	var (
		duplicates, orphans int
		markRequests        int
		markTime            time.Time
		requests            = map[string]int{}
		seconds             = map[string]float64{}
	)
	mark := func() error {
		log, err := emulatorRequests(jira)
		markRequests, markTime = log.Total, time.Now()
		return err
	}
	account := func(phase string) error {
		now := time.Now()
		log, err := emulatorRequests(jira)
		if err != nil {
			return err
		}
		total := log.Total
		requests[phase] += total - markRequests
		seconds[phase] += now.Sub(markTime).Seconds()
		markRequests, markTime = total, now
		return nil
	}
	census := func(phase string, present bool) error {
		if err := account(phase); err != nil {
			return err
		}
		census, err := takeLoadCensus(jira, shape, present)
		if err != nil {
			return err
		}
		duplicates += census.duplicates
		orphans += census.orphans
		t.Logf("after %s: %d objects on the instance, %d duplicates, %d orphans, %d missing",
			phase, census.objects, census.duplicates, census.orphans, census.missing)
		if err := mark(); err != nil {
			return err
		}
		if want := shape.total(); present && census.objects != want {
			return fmt.Errorf("after %s the instance holds %d of the %d objects: %w", phase, census.objects, want, census.err())
		}
		if !present && census.objects != 0 {
			return fmt.Errorf("after %s %d objects are left: %w", phase, census.objects, census.err())
		}
		return census.err()
	}
	accountOrFail := func(phase string) func() {
		return func() {
			if err := account(phase); err != nil {
				t.Fatal(err)
			}
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return census("destroy", false) },
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := mark(); err != nil {
						t.Fatal(err)
					}
				},
				Config:        config,
				Check:         func(*terraform.State) error { return census("apply", true) },
				PostApplyFunc: accountOrFail("apply"),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check:         func(*terraform.State) error { return census("reapply", true) },
				PostApplyFunc: accountOrFail("reapply"),
			},
		},
	})

	if t.Failed() {
		return
	}
	total := requests["apply"] + requests["reapply"] + requests["destroy"]
	for _, phase := range []string{"apply", "reapply", "destroy"} {
		t.Logf("%s: %.1fs, %d requests", phase, seconds[phase], requests[phase])
	}
	reportFigure(t,
		"objects", shape.total(),
		"links", shape.atlassianLinks+shape.genericLinks,
		"atlassian_links", shape.atlassianLinks,
		"consumers", shape.consumers,
		"rules", shape.rules,
		"duplicates", duplicates,
		"orphans", orphans,
		"requests", total,
		"requests_apply", requests["apply"],
		"requests_reapply", requests["reapply"],
		"requests_destroy", requests["destroy"],
		"seconds_apply", round1(seconds["apply"]),
		"seconds_reapply", round1(seconds["reapply"]),
		"seconds_destroy", round1(seconds["destroy"]),
	)
}

func round1(x float64) float64 {
	return float64(int(x*10+0.5)) / 10
}

func TestNewLoadShapeSplitsEveryObject(t *testing.T) {
	t.Parallel()
	for _, n := range []int{5, 30, 31, 32, 200} {
		shape, err := newLoadShape(n)
		if err != nil {
			t.Fatal(err)
		}
		if shape.total() != n || shape.consumers != shape.genericLinks || shape.rules < 1 {
			t.Errorf("newLoadShape(%d) = %+v", n, shape)
		}
	}
	if _, err := newLoadShape(4); err == nil {
		t.Error("newLoadShape(4) leaves no room for every kind of object, yet passes")
	}
}

func TestLoadCensusCountsDuplicatesOrphansAndMissing(t *testing.T) {
	t.Parallel()
	var census loadCensus
	census.count("link", []string{"a", "b", "b", "b", "stray"}, map[string]bool{"a": true, "b": true, "c": true})
	if census.objects != 4 || census.duplicates != 2 || census.orphans != 1 || census.missing != 1 {
		t.Errorf("census %+v, want 4 objects, 2 duplicates, 1 orphan, 1 missing", census)
	}
	if census.err() == nil {
		t.Error("a census with problems reports no error")
	}
	var clean loadCensus
	clean.count("rule", []string{"x"}, map[string]bool{"x": true})
	if err := clean.err(); err != nil || clean.objects != 1 {
		t.Errorf("clean census: %+v, %v", clean, err)
	}
}
