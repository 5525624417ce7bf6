package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/applinks-iac/terraform-provider-applinks/internal/client"
	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// The ownership suite (issue #17): after the answer to a create is lost,
// the provider adopts only what the evidence says it made, and never
// deletes what another workspace made. Two Terraform working directories
// apply against one emulated instance at the same time, through the real
// CLI and a provider built from this tree, since the acceptance framework
// runs one working directory per test.

// ---- Two working directories ----

var (
	cliProviderOnce sync.Once
	cliProviderDir  string
	cliProviderErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cliProviderDir != "" {
		_ = os.RemoveAll(cliProviderDir)
	}
	os.Exit(code)
}

// cliProvider builds the provider once per test binary and returns the
// environment that makes the Terraform CLI use it.
func cliProvider(t *testing.T) []string {
	t.Helper()
	cliProviderOnce.Do(func() {
		// One binary serves every test of the binary, so it outlives each
		// test's TempDir; TestMain removes it.
		//nolint:usetesting // see above
		if cliProviderDir, cliProviderErr = os.MkdirTemp("", "applinks-provider-"); cliProviderErr != nil {
			return
		}
		var out strings.Builder
		if err := tfcli.Build("../..", ".", cliProviderDir, "terraform-provider-applinks", &out); err != nil {
			cliProviderErr = fmt.Errorf("%w\n%s", err, out.String())
		}
	})
	if cliProviderErr != nil {
		t.Fatal(cliProviderErr)
	}
	env, err := tfcli.WriteCLIConfig(filepath.Join(t.TempDir(), "terraformrc"), tfcli.OnEveryRegistry(cliProviderDir, tfcli.ProviderSource))
	mustNotFail(t, err)
	// Nothing from the caller's environment may change the runs.
	var clean []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "APPLINKS_") {
			clean = append(clean, kv)
		}
	}
	return append(clean, env...)
}

// workspace is one Terraform working directory.
type workspace struct {
	t    *testing.T
	name string
	tf   tfcli.Terraform
}

func newWorkspace(t *testing.T, name, config string, env []string) *workspace {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	mustNotFail(t, os.MkdirAll(dir, 0o700))
	mustNotFail(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600))
	return &workspace{t: t, name: name, tf: tfcli.Terraform{Path: tfcli.ForTest(t), Dir: dir, Env: env}}
}

// cliRun is a terraform command that was started.
type cliRun struct {
	ws             *workspace
	args           []string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

func (w *workspace) start(args ...string) *cliRun {
	w.t.Helper()
	r := &cliRun{ws: w, args: args, cmd: w.tf.Command(append(args, "-no-color")...)}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	mustNotFail(w.t, r.cmd.Start())
	return r
}

// wait returns the command's exit code and its output.
func (r *cliRun) wait() (int, string) {
	r.ws.t.Helper()
	err := r.cmd.Wait()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, r.stdout.String() + r.stderr.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), r.stdout.String() + r.stderr.String()
	}
	r.ws.t.Fatalf("%s: terraform %s: %v", r.ws.name, r.args[0], err)
	return 0, ""
}

// mustRun runs a command that must exit with want.
func (w *workspace) mustRun(want int, args ...string) string {
	w.t.Helper()
	code, output := w.start(args...).wait()
	if code != want {
		w.t.Fatalf("%s: terraform %s exited %d, want %d:\n%s", w.name, strings.Join(args, " "), code, want, output)
	}
	return output
}

func (w *workspace) apply()   { w.mustRun(0, "apply", "-auto-approve", "-input=false") }
func (w *workspace) destroy() { w.mustRun(0, "destroy", "-auto-approve", "-input=false") }

// expectEmptyPlan fails unless a plan finds nothing to change, which also
// proves every object of the state still exists.
func (w *workspace) expectEmptyPlan() {
	w.t.Helper()
	w.mustRun(0, "plan", "-input=false", "-detailed-exitcode")
}

// ids returns the id of each resource in the state, by address.
func (w *workspace) ids() map[string]string {
	w.t.Helper()
	cmd := w.tf.Command("show", "-json")
	out, err := cmd.Output()
	mustNotFail(w.t, err)
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	mustNotFail(w.t, json.Unmarshal(out, &state))
	ids := map[string]string{}
	for _, r := range state.Values.RootModule.Resources {
		ids[r.Address], _ = r.Values["id"].(string)
	}
	return ids
}

// waitForRequest waits until the instance has received a request.
func waitForRequest(inst *emulator.Instance, method, path string) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		log, err := emulatorRequests(inst)
		if err != nil {
			return err
		}
		if log.count(method, path) > 0 {
			return nil
		}
	}
	return fmt.Errorf("%s %s never reached the instance", method, path)
}

// ownershipConfig is one workspace's configuration: a generic link named
// linkName to faultGenericURL and a domain rule for faultRuleURL, the same
// application and the same rule in every workspace.
func ownershipConfig(instanceURL, linkName string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}

provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = 2
}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = %q
  rpc_url = %q
}

resource "applinks_whitelist_rule" "feeds" {
  type       = "domain"
  expression = %q
}
`, instanceURL, linkName, faultGenericURL, faultRuleURL)
}

var feedsRule = fmt.Sprintf("domain.name %s inbound=false anonymous=false", faultRuleURL)

func linkRule(name string) string {
	return fmt.Sprintf("application.link %s (%s) inbound=false anonymous=false", name, faultGenericURL)
}

// worst keeps, of each figure, the worst census seen.
func (c *census) worst(other census) {
	c.lost, c.duplicates, c.orphans = max(c.lost, other.lost), max(c.duplicates, other.duplicates), max(c.orphans, other.orphans)
}

func expectCensus(t *testing.T, inst *emulator.Instance, when string, want holding, figures *census) {
	t.Helper()
	c, err := takeCensus(inst, want)
	mustNotFail(t, err)
	figures.worst(c)
	if len(c.problems) > 0 {
		t.Fatalf("%s: the instance does not hold what the two workspaces made: %s", when, strings.Join(c.problems, "; "))
	}
}

// ---- Scenarios ----

// The repro: workspaces A and B link the same application (one
// rpc_url, so one link id) under different names. A's create is held 3 s
// and then answered 502 without the product acting, as a gateway that gave
// up does; B applies while A waits and creates its link. A finds B's link
// with A's id but B's name: it must stop with an error naming the link,
// neither adopting nor deleting it. B's next plan is empty, and A's destroy
// deletes A's rule only. The old rollback deleted B's link.
func TestAccOwnership_TwoWorkspacesLinkConflict(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	env := cliProvider(t)
	a := newWorkspace(t, "a", ownershipConfig(jira.URL(), "CI (A)"), env)
	b := newWorkspace(t, "b", ownershipConfig(jira.URL(), "CI (B)"), env)
	run := newFaultRun(t)
	var figures census

	run.inject(jira, faultSpec{Method: http.MethodPut, PathPrefix: pathLinkCreate, Count: 1, Status: http.StatusBadGateway, LatencyMS: 3000})
	applyA := a.start("apply", "-auto-approve", "-input=false")
	// B starts while A's create is held, as in the repro (there 1.5 s
	// after A): waiting for A's request rather than a clock keeps B's
	// create inside A's 3 s on a slow machine.
	mustNotFail(t, waitForRequest(jira, http.MethodPut, pathLinkCreate))
	applyB := b.start("apply", "-auto-approve", "-input=false")
	codeB, outputB := applyB.wait()
	codeA, outputA := applyA.wait()
	mustNotFail(t, run.consumed())
	if codeB != 0 {
		t.Fatalf("B's apply failed; its create must run while A's is held:\n%s\nA:\n%s", outputB, outputA)
	}
	linkID := b.ids()["applinks_application_link.ci"]
	wantError := regexp.MustCompile(`(?s)Application Link Created Elsewhere.*` + regexp.QuoteMeta(linkID) +
		`.*named\s+"CI\s+\(B\)"\s+and\s+pointing\s+at\s+` + regexp.QuoteMeta(faultGenericURL) + `.*terraform\s+import`)
	if codeA == 0 || !wantError.MatchString(outputA) || strings.Contains(outputA, "nothing was left behind") {
		t.Fatalf("A's apply (exit %d) must fail naming B's link %s and how to import it:\n%s", codeA, linkID, outputA)
	}
	both := holding{links: []string{"CI (B)"}, rules: []string{feedsRule, feedsRule, linkRule("CI (B)")}}
	t.Logf("A failed as it must: %s", errorSummaries(outputA))
	expectCensus(t, jira, "after both applies", both, &figures)

	b.expectEmptyPlan()
	a.destroy()
	expectCensus(t, jira, "after A's destroy", holding{links: []string{"CI (B)"}, rules: []string{feedsRule, linkRule("CI (B)")}}, &figures)
	b.expectEmptyPlan()
	b.destroy()
	expectCensus(t, jira, "after B's destroy", holding{}, &figures)
	reportFigure(t, "workspaces", 2, "faults_injected", run.injected, "requests", run.requests(jira),
		"lost", figures.lost, "duplicates", figures.duplicates, "orphans", figures.orphans)
}

// ruleRace is two workspaces with an identical domain rule and links to
// different applications, so that only the rules meet.
type ruleRace struct {
	t       *testing.T
	jira    *emulator.Instance
	a, b    *workspace
	run     *faultRun
	figures census
}

const ruleRaceURLB = "https://build.example.com"

func newRuleRace(t *testing.T) *ruleRace {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI")
	}
	t.Parallel()
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	env := cliProvider(t)
	return &ruleRace{
		t:    t,
		jira: jira,
		a:    newWorkspace(t, "a", ownershipConfig(jira.URL(), "CI (A)"), env),
		b:    newWorkspace(t, "b", strings.Replace(ownershipConfig(jira.URL(), "CI (B)"), faultGenericURL, ruleRaceURLB, 1), env),
		run:  newFaultRun(t),
	}
}

// expectEachKeepsItsRule checks, after both applies, that A and B hold
// different rules, that A's destroy leaves B's objects alone, and that
// nothing is left after B's.
func (r *ruleRace) expectEachKeepsItsRule() {
	t := r.t
	t.Helper()
	mustNotFail(t, r.run.consumed())
	ruleA, ruleB := r.a.ids()["applinks_whitelist_rule.feeds"], r.b.ids()["applinks_whitelist_rule.feeds"]
	if ruleA == ruleB {
		t.Fatalf("A adopted B's rule %s", ruleB)
	}
	linkRuleB := fmt.Sprintf("application.link CI (B) (%s) inbound=false anonymous=false", ruleRaceURLB)
	expectCensus(t, r.jira, "after both applies", holding{links: []string{"CI (A)", "CI (B)"},
		rules: []string{feedsRule, feedsRule, linkRule("CI (A)"), linkRuleB}}, &r.figures)
	r.a.destroy()
	expectCensus(t, r.jira, "after A's destroy", holding{links: []string{"CI (B)"}, rules: []string{feedsRule, linkRuleB}}, &r.figures)
	r.b.expectEmptyPlan()
	r.b.destroy()
	expectCensus(t, r.jira, "after B's destroy", holding{}, &r.figures)
	reportFigure(t, "workspaces", 2, "faults_injected", r.run.injected, "requests", r.run.requests(r.jira),
		"lost", r.figures.lost, "duplicates", r.figures.duplicates, "orphans", r.figures.orphans)
}

// Workspace B already holds a rule when A creates an identical one (the
// products accept duplicates) and A's create is answered 502 after 3 s
// without the product acting. B's older rule is not A's to adopt: A
// creates its own, so each workspace ends with its own rule and A's
// destroy leaves B's alone. The old lookup took the newest matching rule,
// B's.
func TestAccOwnership_TwoWorkspacesOlderRuleNotAdopted(t *testing.T) {
	race := newRuleRace(t)
	race.b.apply()
	race.run.inject(race.jira, faultSpec{Method: http.MethodPost, PathPrefix: pathAllowlist, Count: 1, Status: http.StatusBadGateway, LatencyMS: 3000})
	race.a.apply()
	race.expectEachKeepsItsRule()
}

// Workspace B creates a rule identical to A's while A's create is held
// 8 s and then answered 502 without the product acting. B's rule is newer
// than anything A had seen and claimed by nothing of A's run, so the old
// lookup adopted it (with a warning that it might be someone else's), and
// A's destroy deleted it. A's create now goes in under a placeholder that
// only A can have written: A finds none, creates its own rule, and each
// workspace ends with its own.
func TestAccOwnership_TwoWorkspacesIdenticalRuleWhileAnswerIsLost(t *testing.T) {
	race := newRuleRace(t)
	race.run.inject(race.jira, faultSpec{Method: http.MethodPost, PathPrefix: pathAllowlist, Count: 1, Status: http.StatusBadGateway, LatencyMS: 8000})
	applyA := race.a.start("apply", "-auto-approve", "-input=false")
	mustNotFail(t, waitForRequest(race.jira, http.MethodPost, pathAllowlist))
	codeB, outputB := race.b.start("apply", "-auto-approve", "-input=false").wait()
	codeA, outputA := applyA.wait()
	if codeB != 0 || codeA != 0 {
		t.Fatalf("both applies must succeed; B (exit %d):\n%s\nA (exit %d):\n%s", codeB, outputB, codeA, outputA)
	}
	if strings.Contains(outputA, "Adopted") {
		t.Errorf("A adopted a rule:\n%s", outputA)
	}
	race.expectEachKeepsItsRule()
}

// Two identical rules in one configuration, created at the same time, and
// the answer to one create lost after the product made the rule
// (drop_response). Each address must end with its own rule and the destroy
// must leave none behind. The old lookup took the newest matching rule,
// which is the other address's whenever that one was made in between: both
// addresses then held one id and the other rule was orphaned. The race is
// run several times so that it shows.
func TestAccOwnership_IdenticalRulesLostAnswer(t *testing.T) {
	const runs = 5
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	config := fmt.Sprintf(`
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = 2
}

resource "applinks_whitelist_rule" "first" {
  type       = "domain"
  expression = %[2]q
}

resource "applinks_whitelist_rule" "second" {
  type       = "domain"
  expression = %[2]q
}
`, jira.URL(), faultRuleURL)
	empty := fmt.Sprintf("provider \"applinks\" {\n  url      = %q\n  username = \"admin\"\n  password = \"admin\"\n}\n", jira.URL())
	var figures census
	census := func(want holding) func() error {
		return func() error {
			c, err := takeCensus(jira, want)
			if err != nil {
				return err
			}
			figures.worst(c)
			if len(c.problems) > 0 {
				return fmt.Errorf("the instance does not hold what the configuration says: %s", strings.Join(c.problems, "; "))
			}
			return nil
		}
	}
	var steps []resource.TestStep
	for range runs {
		steps = append(steps,
			resource.TestStep{
				PreConfig: func() {
					run.inject(jira, faultSpec{Method: http.MethodPost, PathPrefix: pathAllowlist, Count: 1, DropResponse: true})
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("applinks_whitelist_rule.first", tfjsonpath.New("id"),
						"applinks_whitelist_rule.second", tfjsonpath.New("id"), compare.ValuesDiffer()),
					statecheck.ExpectKnownValue("applinks_whitelist_rule.first", tfjsonpath.New("expression"), knownvalue.StringExact(faultRuleURL)),
				},
				Check: checks(run.consumed, census(holding{rules: []string{feedsRule, feedsRule}})),
			},
			resource.TestStep{Config: empty, Check: checks(census(holding{}))},
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	reportFigure(t, "runs", runs, "faults_injected", run.injected, "requests", run.requests(jira),
		"lost", figures.lost, "duplicates", figures.duplicates, "orphans", figures.orphans)
}

// A link adopted after a lost answer is evidence, not proof, of this
// apply's create: an identical link another workspace made in the same
// seconds looks the same. So when completing it fails, the link is neither
// deleted nor claimed in the state, and the error names it and says how to
// take it over; an import block then brings it under Terraform. The old
// rollback deleted it and said nothing was left behind.
func TestAccOwnership_AdoptedLinkNotRolledBack(t *testing.T) {
	jira := faultInstance(t, emulator.Options{}, "jira=jira").Instance("jira")
	run := newFaultRun(t)
	// A generic link's id follows from its rpc_url (design/api.md §2.1).
	linkID := client.ApplicationIDForURL(faultGenericURL)
	config := func(importBlock bool) string {
		c := fmt.Sprintf(`
provider "applinks" {
  url         = %q
  username    = "admin"
  password    = "admin"
  max_retries = 2
}

resource "applinks_application_link" "ci" {
  type    = "generic"
  name    = "CI"
  rpc_url = %q
}
`, jira.URL(), faultGenericURL)
		if importBlock {
			c += fmt.Sprintf("\nimport {\n  to = applinks_application_link.ci\n  id = %q\n}\n", linkID)
		}
		return c
	}
	var figures census
	census := func(want holding) func() error {
		return func() error {
			c, err := takeCensus(jira, want)
			if err != nil {
				return err
			}
			figures.worst(c)
			if len(c.problems) > 0 {
				return fmt.Errorf("the instance does not hold what it should: %s", strings.Join(c.problems, "; "))
			}
			return nil
		}
	}
	kept := holding{links: []string{"CI"}, rules: []string{linkRule("CI")}}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checks(expectEmulatorLinks(jira)),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					run.inject(jira,
						faultSpec{Method: http.MethodPut, PathPrefix: pathLinkCreate, Count: 1, DropResponse: true},
						faultSpec{Method: http.MethodGet, PathPrefix: pathConsumers, Count: 1, Status: http.StatusInternalServerError})
				},
				Config: config(false),
				ExpectError: regexp.MustCompile(`(?s)Error Creating Application Link.*could\s+not\s+be\s+completed.*cannot\s+prove\s+this` +
					`\s+apply\s+created\s+it.*import\s+it`),
			},
			{
				PreConfig: func() {
					mustNotFail(t, run.consumed())
					mustNotFail(t, census(kept)())
				},
				Config: config(true),
				Check:  checks(census(kept)),
			},
		},
	})
	reportFigure(t, "faults_injected", run.injected, "requests", run.requests(jira),
		"lost", figures.lost, "duplicates", figures.duplicates, "orphans", figures.orphans)
}
