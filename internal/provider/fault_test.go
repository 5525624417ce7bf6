package provider

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

// The fault suite: the real Terraform CLI applies a configuration of
// links, consumers and allowlist rules while the emulator's control API
// (/_emulator/faults) makes the instance fail in the ways networks and
// products do. After every scenario the instance must hold exactly what the
// configuration says, and the next plan must be empty.

// ---- Fault injection ----

// faultSpec is a fault as POST /_emulator/faults takes it, in the test's own
// struct so that a field the emulator renames cannot pass silently (it
// rejects unknown fields).
type faultSpec struct {
	Method         string `json:"method,omitempty"`
	PathPrefix     string `json:"path_prefix,omitempty"`
	Count          int    `json:"count,omitempty"`
	Status         int    `json:"status,omitempty"`
	RetryAfter     string `json:"retry_after,omitempty"`
	LatencyMS      int    `json:"latency_ms,omitempty"`
	DropConnection bool   `json:"drop_connection,omitempty"`
	DropResponse   bool   `json:"drop_response,omitempty"`
}

func (f faultSpec) String() string {
	return fmt.Sprintf("%d× %s %s (status %d, latency %dms, drop connection %t, drop response %t)",
		f.Count, f.Method, f.PathPrefix, f.Status, f.LatencyMS, f.DropConnection, f.DropResponse)
}

// requestLog is the body of GET /_emulator/requests.
type requestLog struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
}

func emulatorRequests(inst *emulator.Instance) (requestLog, error) {
	var log requestLog
	_, err := emulatorCall(inst, http.MethodGet, "/_emulator/requests", nil, &log)
	return log, err
}

// matching counts the logged requests a fault applies to.
func (l requestLog) matching(f faultSpec) int {
	n := 0
	for key, count := range l.Requests {
		method, path, _ := strings.Cut(key, " ")
		if (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix) {
			n += count
		}
	}
	return n
}

// count is the number of logged requests with exactly this method and path.
func (l requestLog) count(method, path string) int { return l.Requests[method+" "+path] }

type injectedFault struct {
	inst   *emulator.Instance
	fault  faultSpec
	before int // matching requests logged when it was injected
}

// faultRun injects faults into a test's instances and keeps the figures:
// how many failures were injected and how many requests the instances
// served, including instances that were replaced by a restart.
type faultRun struct {
	t  *testing.T
	mu sync.Mutex

	pending  []injectedFault // not yet checked as consumed
	injected int             // sum of the counts of every fault
	retired  int             // requests served by instances no longer running
}

func newFaultRun(t *testing.T) *faultRun { return &faultRun{t: t} }

// inject posts faults to an instance. It is meant for PreConfig, so it
// fails the test at once when the emulator refuses a fault.
func (r *faultRun) inject(inst *emulator.Instance, faults ...faultSpec) {
	r.t.Helper()
	log, err := emulatorRequests(inst)
	if err != nil {
		r.t.Fatalf("reading request log: %s", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range faults {
		if f.Count == 0 {
			f.Count = 1
		}
		if _, err := emulatorCall(inst, http.MethodPost, "/_emulator/faults", f, nil); err != nil {
			r.t.Fatalf("injecting %s: %s", f, err)
		}
		r.pending = append(r.pending, injectedFault{inst: inst, fault: f, before: log.matching(f)})
		r.injected += f.Count
	}
}

// injectUnchecked posts faults that the test proves consumed by itself,
// for an instance that will be gone when consumed would ask it.
func (r *faultRun) injectUnchecked(inst *emulator.Instance, faults ...faultSpec) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range faults {
		if _, err := emulatorCall(inst, http.MethodPost, "/_emulator/faults", f, nil); err != nil {
			r.t.Fatalf("injecting %s: %s", f, err)
		}
		r.injected += max(f.Count, 1)
	}
}

// consumed checks that every fault injected so far met as many requests as
// its count, so that none lingers into a later step unseen and each
// scenario really exercised the failure it names.
func (r *faultRun) consumed() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.pending {
		log, err := emulatorRequests(p.inst)
		if err != nil {
			return err
		}
		if seen := log.matching(p.fault) - p.before; seen < p.fault.Count {
			return fmt.Errorf("fault %s met only %d requests; the provider never made the call it targets", p.fault, seen)
		}
	}
	r.pending = nil
	return nil
}

// retire adds the requests of an instance that is about to stop.
func (r *faultRun) retire(inst *emulator.Instance) error {
	log, err := emulatorRequests(inst)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.retired += log.Total
	r.mu.Unlock()
	return nil
}

// requests is how many requests the instances served in all.
func (r *faultRun) requests(instances ...*emulator.Instance) int {
	r.t.Helper()
	r.mu.Lock()
	total := r.retired
	r.mu.Unlock()
	for _, inst := range instances {
		log, err := emulatorRequests(inst)
		if err != nil {
			r.t.Fatalf("reading request log: %s", err)
		}
		total += log.Total
	}
	return total
}

// ---- What the instance holds ----

// holding is what a configuration puts on an instance: links by name,
// allowlist rules as allowlistRule.String() spells them (the rules the
// product keeps for links included), and incoming consumer keys by link name.
type holding struct {
	links     []string
	rules     []string
	consumers map[string][]string
}

// census compares what the instance holds with want. A second object with a
// wanted name (or the products' "name - 2") is a duplicate, an object the
// configuration does not name is an orphan, and a wanted one that is missing
// is lost.
type census struct {
	duplicates, orphans, lost int
	problems                  []string
}

func (c *census) compare(kind string, got, want []string) {
	remaining := map[string]int{}
	for _, w := range want {
		remaining[w]++
	}
	var unexpected []string
	for _, g := range got {
		if remaining[g] > 0 {
			remaining[g]--
			continue
		}
		unexpected = append(unexpected, g)
	}
	for _, u := range unexpected {
		if slices.ContainsFunc(want, func(w string) bool { return u == w || isRenamedDuplicate(u, w) }) {
			c.duplicates++
			c.problems = append(c.problems, fmt.Sprintf("duplicate %s %q", kind, u))
			continue
		}
		c.orphans++
		c.problems = append(c.problems, fmt.Sprintf("orphan %s %q", kind, u))
	}
	for w, n := range remaining {
		for range n {
			c.lost++
			c.problems = append(c.problems, fmt.Sprintf("lost %s %q", kind, w))
		}
	}
}

// isRenamedDuplicate reports the name the products give a second link of
// the same name: "name - 2", "name - 3"...
func isRenamedDuplicate(got, want string) bool {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(want) + ` - \d+$`).MatchString(got)
}

// takeCensus reads the instance's links, their consumers and the allowlist.
func takeCensus(inst *emulator.Instance, want holding) (census, error) {
	var c census
	links, err := emulatorLinks(inst)
	if err != nil {
		return c, err
	}
	names := make([]string, len(links))
	var gotConsumers []string
	for i, link := range links {
		names[i] = link.Name
		auth, err := emulatorAuthentication(inst, link.ID)
		if err != nil {
			return c, err
		}
		for _, consumer := range auth.Consumers {
			gotConsumers = append(gotConsumers, link.Name+"/"+consumer.Key)
		}
	}
	c.compare("link", names, want.links)

	var wantConsumers []string
	for link, keys := range want.consumers {
		for _, key := range keys {
			wantConsumers = append(wantConsumers, link+"/"+key)
		}
	}
	c.compare("consumer", gotConsumers, wantConsumers)

	rules, err := emulatorAllowlist(inst)
	if err != nil {
		return c, err
	}
	gotRules := make([]string, len(rules))
	for i, rule := range rules {
		gotRules[i] = rule.String()
	}
	c.compare("allowlist rule", gotRules, want.rules)
	sort.Strings(c.problems)
	return c, nil
}

// expectHolding fails unless the instance holds exactly want, and keeps the
// last census for the report.
func expectHolding(inst func() *emulator.Instance, want holding, last *census) func() error {
	return func() error {
		c, err := takeCensus(inst(), want)
		if err != nil {
			return err
		}
		*last = c
		if len(c.problems) > 0 {
			return fmt.Errorf("instance %s does not hold what the configuration says: %s", inst().Name(), strings.Join(c.problems, "; "))
		}
		return nil
	}
}

// ---- Configuration ----

// faultConfig is the configuration the scenarios apply: a generic link with
// an incoming consumer, an allowlist rule and, when peerURL is set, a
// Confluence link to a second instance.
type faultConfig struct {
	url        string
	maxRetries int
	timeout    string // request_timeout; "" leaves the default
	peerURL    string
	// peerKey is the consumer key the peer publishes, which the instance
	// stores as the Confluence link's incoming consumer.
	peerKey   string
	publicKey string
	// renamed changes names and flags, so that every resource is updated in
	// place.
	renamed bool
}

const (
	faultGenericURL = "https://ci.example.com"
	faultRuleURL    = "https://feeds.example.com"
)

func (c faultConfig) suffix() string {
	if c.renamed {
		return " (renamed)"
	}
	return ""
}

func (c faultConfig) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = %d
`, c.url, c.maxRetries)
	if c.timeout != "" {
		fmt.Fprintf(&b, "  request_timeout = %q\n", c.timeout)
	}
	fmt.Fprintf(&b, `}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = %[1]q
  rpc_url = %[2]q
}

resource "applinks_oauth_consumer" "ci" {
  application_link_id = applinks_application_link.ci.id
  direction           = "incoming"
  consumer_key        = "jenkins"
  name                = %[3]q
  public_key          = %[4]q
}

resource "applinks_whitelist_rule" "feeds" {
  type            = "domain"
  expression      = %[5]q
  allow_anonymous = %[6]t
}
`, "CI"+c.suffix(), faultGenericURL, "Jenkins"+c.suffix(), c.publicKey, faultRuleURL, c.renamed)
	if c.peerURL != "" {
		fmt.Fprintf(&b, `
resource "applinks_application_link" "wiki" {
  type    = "confluence"
  name    = %q
  rpc_url = %q
}
`, "Wiki"+c.suffix(), c.peerURL)
	}
	return b.String()
}

// holding is what the configuration puts on the instance.
func (c faultConfig) holding() holding {
	h := holding{
		links:     []string{"CI" + c.suffix()},
		consumers: map[string][]string{"CI" + c.suffix(): {"jenkins"}},
		rules: []string{
			fmt.Sprintf("domain.name %s inbound=false anonymous=%t", faultRuleURL, c.renamed),
			fmt.Sprintf("application.link CI%s (%s) inbound=false anonymous=false", c.suffix(), faultGenericURL),
		},
	}
	if c.peerURL != "" {
		h.links = append(h.links, "Wiki"+c.suffix())
		h.consumers["Wiki"+c.suffix()] = []string{c.peerKey}
		h.rules = append(h.rules, fmt.Sprintf("application.link Wiki%s (%s) inbound=false anonymous=false", c.suffix(), c.peerURL))
	}
	return h
}

// The paths the faults aim at, below the context path, as the emulator logs
// them.
const (
	pathLinksV3    = "/rest/applinks/3.0/applinks"
	pathLinkCreate = "/rest/applinks/latest/applicationlink"
	pathOAuthV3    = "/rest/applinks/3.0/status/"
	pathConsumers  = "/rest/applinks-oauth/1.0/applicationlink/"
	pathAllowlist  = "/rest/whitelist/latest"
)

// peerConsumerKey reads the consumer key an instance publishes to its peers.
func peerConsumerKey(t *testing.T, inst *emulator.Instance) string {
	t.Helper()
	resp, err := http.Get(inst.URL() + "/plugins/servlet/oauth/consumer-info")
	mustNotFail(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	mustNotFail(t, err)
	m := regexp.MustCompile(`<key>([^<]+)</key>`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no consumer key in %s's consumer info: %s", inst.Name(), body)
	}
	return string(m[1])
}

func faultInstance(t *testing.T, opts emulator.Options, specs ...string) *emulator.Server {
	t.Helper()
	opts.Control = true
	opts.AllowAllHosts = true // the Confluence link is on loopback
	return startEmulator(t, opts, specs...)
}

// ---- Scenarios ----

// Bursts of 503 and 502 on reads and on writes that are safe to repeat are
// retried, and the apply succeeds: first while everything is created, then
// while everything is updated in place.
func TestAccFault_ServerErrorBursts(t *testing.T) {
	server := faultInstance(t, emulator.Options{}, "jira=jira", "wiki=confluence")
	jira, wiki := server.Instance("jira"), server.Instance("wiki")
	run := newFaultRun(t)
	cfg := faultConfig{url: jira.URL(), maxRetries: 3, peerURL: wiki.URL(), peerKey: peerConsumerKey(t, wiki), publicKey: publicKeyBase64(t, testConsumerKey(t, 0))}
	renamed := cfg
	renamed.renamed = true
	var last census
	current := func() *emulator.Instance { return jira }

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira,
						faultSpec{Method: http.MethodGet, PathPrefix: pathLinksV3, Count: 2, Status: http.StatusServiceUnavailable},
						faultSpec{Method: http.MethodGet, PathPrefix: pathConsumers, Count: 2, Status: http.StatusBadGateway},
						faultSpec{Method: http.MethodPut, PathPrefix: pathOAuthV3, Count: 2, Status: http.StatusBadGateway},
						faultSpec{Method: http.MethodPut, PathPrefix: pathConsumers, Count: 2, Status: http.StatusServiceUnavailable},
					)
				},
				Config: cfg.String(),
				Check:  checks(run.consumed, expectHolding(current, cfg.holding(), &last)),
			},
			{
				PreConfig: func() {
					run.inject(jira,
						faultSpec{Method: http.MethodGet, PathPrefix: pathAllowlist, Count: 2, Status: http.StatusBadGateway},
						faultSpec{Method: http.MethodPut, PathPrefix: pathLinksV3 + "/", Count: 2, Status: http.StatusBadGateway},
						faultSpec{Method: http.MethodPut, PathPrefix: pathAllowlist + "/", Count: 2, Status: http.StatusServiceUnavailable},
						faultSpec{Method: http.MethodPut, PathPrefix: pathConsumers, Count: 2, Status: http.StatusBadGateway},
					)
				},
				Config: renamed.String(),
				Check:  checks(run.consumed, expectHolding(current, renamed.holding(), &last)),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira, wiki),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// A 429 is retried even for a create, which the instance refused before
// acting on it, after the wait its Retry-After asks for: each rate-limited
// call reaches the instance exactly twice, and nothing is created twice.
func TestAccFault_RateLimited(t *testing.T) {
	testFaultOnEveryCreate(t, faultSpec{Count: 1, Status: http.StatusTooManyRequests, RetryAfter: "1"}, 1,
		createsReaching{link: 2, rule: 2, consumer: 2})
}

// A burst of gateway errors on every create, before the product saw it: a
// create is never repeated blindly, so each is looked up (nothing found)
// and made again, up to max_retries times, and the apply succeeds with one
// of each object.
func TestAccFault_GatewayBurstOnCreates(t *testing.T) {
	testFaultOnEveryCreate(t, faultSpec{Count: 2, Status: http.StatusBadGateway}, 2,
		createsReaching{link: 3, rule: 3, consumer: 3})
}

// createsReaching is how many times each create reaches the instance.
type createsReaching struct{ link, rule, consumer int }

// testFaultOnEveryCreate applies a generic link, its incoming consumer and
// an allowlist rule with fault on the first try of each create, and checks
// that each create reached the instance as often as want says and that the
// instance holds each object exactly once.
func testFaultOnEveryCreate(t *testing.T, fault faultSpec, maxRetries int, want createsReaching) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	cfg := faultConfig{url: jira.URL(), maxRetries: maxRetries, publicKey: publicKeyBase64(t, testConsumerKey(t, 0))}
	var last census
	current := func() *emulator.Instance { return jira }
	at := func(method, path string) faultSpec {
		f := fault
		f.Method, f.PathPrefix = method, path
		return f
	}
	var before requestLog
	consumerPath := pathConsumers + client.ApplicationIDForURL(faultGenericURL) + "/authentication/consumer"

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					var err error
					before, err = emulatorRequests(jira)
					mustNotFail(t, err)
					run.inject(jira, at(http.MethodPut, pathLinkCreate), at(http.MethodPost, pathAllowlist), at(http.MethodPut, pathConsumers))
				},
				Config: cfg.String(),
				Check: checks(run.consumed, expectHolding(current, cfg.holding(), &last),
					expectReachedSince(jira, &before, http.MethodPut, pathLinkCreate, want.link),
					expectReachedSince(jira, &before, http.MethodPost, pathAllowlist, want.rule),
					expectReachedSince(jira, &before, http.MethodPut, consumerPath, want.consumer),
				),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// A connection dropped without an answer is retried for a read. For a
// create, whose outcome is then unknown, the provider looks the object up
// before it creates it again, so the instance ends up with exactly one of
// each. Go's Transport repeats a dropped GET once by itself on a reused
// connection, so the read faults come in twos.
func TestAccFault_DroppedConnection(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	cfg := faultConfig{url: jira.URL(), maxRetries: 2, publicKey: publicKeyBase64(t, testConsumerKey(t, 0))}
	var last census
	current := func() *emulator.Instance { return jira }
	drop := func(method, path string, count int) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: count, DropConnection: true}
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira,
						drop(http.MethodGet, pathLinksV3, 2),
						drop(http.MethodPut, pathLinkCreate, 1),
						drop(http.MethodPost, pathAllowlist, 1),
						drop(http.MethodPut, pathConsumers, 1),
					)
				},
				Config: cfg.String(),
				Check:  checks(run.consumed, expectHolding(current, cfg.holding(), &last)),
			},
			{
				// Nothing changes; the refresh before the plan meets the drops.
				PreConfig: func() {
					run.inject(jira,
						drop(http.MethodGet, pathLinksV3, 2),
						drop(http.MethodGet, pathAllowlist, 2),
						drop(http.MethodGet, pathConsumers, 2),
					)
				},
				Config: cfg.String(),
				Check:  checks(run.consumed, expectHolding(current, cfg.holding(), &last)),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// The instance creates each object but the answer is lost on the way back
// (drop_response). The provider looks the link and the rule up and adopts
// them instead of creating them again: each create reaches the instance
// exactly once. The consumer's PUT, which replaces the link's consumer, is
// simply repeated.
func TestAccFault_LostCreateAnswer(t *testing.T) {
	testFaultOnEveryCreate(t, faultSpec{Count: 1, DropResponse: true}, 2,
		createsReaching{link: 1, rule: 1, consumer: 2})
}

// An instance slower than request_timeout fails the apply with an error that
// names request_timeout and how to raise it; a timed-out create is looked up
// rather than repeated blindly. The next apply, without the delay,
// converges.
func TestAccFault_Timeout(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	cfg := faultConfig{url: jira.URL(), maxRetries: 1, timeout: "2s", publicKey: publicKeyBase64(t, testConsumerKey(t, 0))}
	var last census
	current := func() *emulator.Instance { return jira }
	slow := func(method, path string, count int) faultSpec {
		return faultSpec{Method: method, PathPrefix: path, Count: count, LatencyMS: 6000}
	}
	// The link's create is rolled back, so until the second apply the
	// instance holds only the rule (and no automatic rule of the link).
	onlyTheRule := holding{rules: cfg.holding().rules[:1]}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira,
						// Both attempts to read the new link's authentication
						// time out, so its create is rolled back.
						slow(http.MethodGet, pathConsumers, 2),
						// The create times out; the lookup finds no rule.
						slow(http.MethodPost, pathAllowlist, 1),
					)
				},
				Config: cfg.String(),
				// The CLI wraps the detail, so words are separated by \s+.
				ExpectError: regexp.MustCompile("(?s)Error Creating Application Link.*raising\\s+`request_timeout`\\s+in\\s+the\\s+provider\\s+block" +
					`.*removed\s+again,\s+so\s+nothing\s+was\s+left\s+behind` +
					`.*no\s+response\s+from\s+GET\s+\S+/authentication\s+within\s+2s:\s+timed\s+out\s+\(after\s+2\s+attempts\)`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, expectHolding(current, onlyTheRule, &last)())
				},
				Config: cfg.String(),
				Check:  checks(expectHolding(current, cfg.holding(), &last)),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// restartingInstance is one emulated Jira on a fixed loopback address with
// its state in a data directory, which the test can stop and start again
// in the middle of an apply.
type restartingInstance struct {
	t      *testing.T
	addr   string
	opts   emulator.Options
	mu     sync.Mutex
	server *emulator.Server
}

func startRestartingInstance(t *testing.T) *restartingInstance {
	t.Helper()
	r := &restartingInstance{
		t:    t,
		addr: freeAddr(t),
		opts: emulator.Options{DataDir: t.TempDir(), Control: true},
	}
	server, err := r.start()
	mustNotFail(t, err)
	r.server = server
	t.Cleanup(func() {
		if err := r.current().Close(); err != nil {
			t.Errorf("stopping emulator: %s", err)
		}
	})
	return r
}

func (r *restartingInstance) start() (*emulator.Server, error) {
	return emulator.Start(r.opts, emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: r.addr})
}

func (r *restartingInstance) current() *emulator.Server {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.server
}

func (r *restartingInstance) instance() *emulator.Instance { return r.current().Instance("jira") }

// restartWhenWaiting waits until the instance has received the request,
// then stops it while the request is held up and starts a new instance on
// the same address and data directory.
func (r *restartingInstance) restartWhenWaiting(run *faultRun, method, path string) error {
	old := r.instance()
	deadline := time.Now().Add(20 * time.Second)
	for {
		log, err := emulatorRequests(old)
		if err != nil {
			return err
		}
		if log.count(method, path) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s never reached the instance", method, path)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := run.retire(old); err != nil {
		return err
	}
	if err := r.current().Close(); err != nil {
		return fmt.Errorf("stopping the instance: %w", err)
	}
	server, err := r.start()
	if err != nil {
		return fmt.Errorf("starting the instance again on %s: %w", r.addr, err)
	}
	r.mu.Lock()
	r.server = server
	r.mu.Unlock()
	return nil
}

// The instance restarts, keeping its data directory, while it holds the
// request that creates the link. The provider neither loses the link nor
// creates it twice: it looks the link up on the restarted instance and
// creates it there once; the consumer and the rule, created around the
// restart, are kept too. The next apply converges.
func TestAccFault_EmulatorRestart(t *testing.T) {
	jira := startRestartingInstance(t)
	run := newFaultRun(t)
	cfg := faultConfig{url: jira.instance().URL(), maxRetries: 4, publicKey: publicKeyBase64(t, testConsumerKey(t, 0))}
	var last census
	restarted := make(chan error, 1)
	restartChecked := func() error {
		if err := <-restarted; err != nil {
			return err
		}
		// The held create was lost with the old instance; the provider
		// found no link on the new one and created it there once.
		log, err := emulatorRequests(jira.instance())
		if err != nil {
			return err
		}
		if n := log.count(http.MethodPut, pathLinkCreate); n != 1 {
			return fmt.Errorf("the restarted instance received %d link creates, want 1", n)
		}
		return nil
	}

	tfresource.ParallelTest(t, tfresource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return expectEmulatorLinks(jira.instance())() },
		Steps: []tfresource.TestStep{
			{
				PreConfig: func() {
					run.injectUnchecked(jira.instance(), faultSpec{Method: http.MethodPut, PathPrefix: pathLinkCreate, Count: 1, LatencyMS: 30000})
					go func() { restarted <- jira.restartWhenWaiting(run, http.MethodPut, pathLinkCreate) }()
				},
				Config: cfg.String(),
				Check:  checks(restartChecked, expectHolding(jira.instance, cfg.holding(), &last)),
			},
			{
				Config: cfg.String(),
				Check:  checks(expectHolding(jira.instance, cfg.holding(), &last)),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "restarts", 1, "requests", run.requests(jira.instance()),
		"duplicates", last.duplicates, "orphans", last.orphans, "lost", last.lost)
}

// expectReachedSince checks that a call reached the instance want times
// since the request log before was taken.
func expectReachedSince(inst *emulator.Instance, before *requestLog, method, path string, want int) func() error {
	return func() error {
		log, err := emulatorRequests(inst)
		if err != nil {
			return err
		}
		if n := log.count(method, path) - before.count(method, path); n != want {
			return fmt.Errorf("%s %s reached the instance %d times, want %d", method, path, n, want)
		}
		return nil
	}
}
