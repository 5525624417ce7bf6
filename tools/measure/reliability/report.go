package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Family is one kind of reliability scenario: the tests of one -run
// pattern in some packages.
type Family struct {
	Key   string // short name, used in messages
	Title string
	// About says what a passing test of the family shows, for the intro.
	About    string
	Packages []string
	Run      string
	// CollapseSubtests shows subtests as a count in their parent's row
	// (fuzz seeds), not as rows of their own.
	CollapseSubtests bool
	// Summary writes the family's line of the summary; nil gives the
	// number of scenarios passed.
	Summary func(*FamilyResult) string
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Output      string
	Elapsed     float64
	ImportPath  string
	FailedBuild string
}

// TestResult is one test or subtest of a run.
type TestResult struct {
	Package  string
	Name     string
	Result   string // PASS, FAIL or SKIP; empty while running
	Elapsed  float64
	Figures  map[string]any
	Output   []string
	Subtests []*TestResult
}

// Passed reports whether the test ran to a pass.
func (t *TestResult) Passed() bool { return t.Result == "PASS" }

// leaves are the test itself when it has no subtests, else its subtests'
// leaves: the scenarios.
func (t *TestResult) leaves() []*TestResult {
	if len(t.Subtests) == 0 {
		return []*TestResult{t}
	}
	var leaves []*TestResult
	for _, sub := range t.Subtests {
		leaves = append(leaves, sub.leaves()...)
	}
	return leaves
}

// FamilyResult is what one family's run produced.
type FamilyResult struct {
	Family  Family
	Command string
	Elapsed time.Duration
	// Tests are the top-level tests in the order they started.
	Tests []*TestResult
	// Problems are failures outside any test: a build that failed, a
	// package that panicked or timed out, go test that did not run.
	Problems []string

	byName        map[string]*TestResult
	packageOutput map[string][]string
	buildOutput   map[string][]string
}

func newFamilyResult(f Family) *FamilyResult {
	return &FamilyResult{
		Family:        f,
		byName:        map[string]*TestResult{},
		packageOutput: map[string][]string{},
		buildOutput:   map[string][]string{},
	}
}

// figureMarker starts the line that reportFigure logs.
const figureMarker = "RELIABILITY {"

// Parse reads `go test -json` output into the result. A line that is not
// JSON is kept as a problem, since go test -json writes nothing else to
// standard output unless something went wrong.
func (r *FamilyResult) Parse(in io.Reader) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 1<<16), 64<<20)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			r.Problems = append(r.Problems, "unexpected output from go test: "+truncate(string(line), 300))
			continue
		}
		r.add(e)
	}
	return scanner.Err()
}

func (r *FamilyResult) add(e event) {
	switch {
	case e.Action == "build-output":
		r.buildOutput[e.ImportPath] = append(r.buildOutput[e.ImportPath], e.Output)
	case e.Action == "build-fail":
		r.Problems = append(r.Problems, fmt.Sprintf("build of %s failed: %s", e.ImportPath, strings.TrimSpace(strings.Join(r.buildOutput[e.ImportPath], ""))))
	case e.Test == "":
		r.addPackageEvent(e)
	default:
		r.addTestEvent(e)
	}
}

func (r *FamilyResult) addPackageEvent(e event) {
	switch e.Action {
	case "output":
		r.packageOutput[e.Package] = append(r.packageOutput[e.Package], e.Output)
	case "fail":
		if e.FailedBuild != "" {
			return // reported by build-fail
		}
		for _, t := range r.byName {
			if t.Package == e.Package && t.Result == "FAIL" {
				return // the failing test has its row
			}
		}
		r.Problems = append(r.Problems, fmt.Sprintf("package %s failed outside any test: %s", e.Package, tail(r.packageOutput[e.Package], 10)))
	}
}

func (r *FamilyResult) addTestEvent(e event) {
	t := r.test(e.Package, e.Test)
	switch e.Action {
	case "output":
		t.Output = append(t.Output, e.Output)
		if i := strings.Index(e.Output, figureMarker); i >= 0 {
			r.addFigures(t, e.Output[i+len(figureMarker)-1:])
		}
	case "pass", "fail", "skip":
		t.Result = strings.ToUpper(e.Action)
		t.Elapsed = e.Elapsed
	}
}

// addFigures attaches a reportFigure line to the test it names, which is
// the test that logged it unless it names another.
func (r *FamilyResult) addFigures(logged *TestResult, text string) {
	var line struct {
		Test    string         `json:"test"`
		Figures map[string]any `json:"figures"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &line); err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("%s logged an unreadable figure line: %s", logged.Name, truncate(text, 200)))
		return
	}
	t := logged
	if line.Test != "" && line.Test != logged.Name {
		t = r.test(logged.Package, line.Test)
	}
	if t.Figures == nil {
		t.Figures = map[string]any{}
	}
	for k, v := range line.Figures {
		t.Figures[k] = v
	}
}

// test finds or adds a test, hanging a subtest under its parent.
func (r *FamilyResult) test(pkg, name string) *TestResult {
	key := pkg + "\x00" + name
	if t, ok := r.byName[key]; ok {
		return t
	}
	t := &TestResult{Package: pkg, Name: name}
	r.byName[key] = t
	if parent := r.parent(pkg, name); parent != nil {
		parent.Subtests = append(parent.Subtests, t)
	} else {
		r.Tests = append(r.Tests, t)
	}
	return t
}

// parent is the test a subtest runs in. A subtest's own name may hold a
// "/" (t.Run("url/"+name), or a URL as the name), and go test reports no
// test for the pieces between, so the parent is the longest prefix that
// go test did report, which it always does before the subtest; failing
// that, the top-level test.
func (r *FamilyResult) parent(pkg, name string) *TestResult {
	first := strings.Index(name, "/")
	if first < 0 {
		return nil
	}
	for i := strings.LastIndex(name, "/"); i > first; i = strings.LastIndex(name[:i], "/") {
		if t, ok := r.byName[pkg+"\x00"+name[:i]]; ok {
			return t
		}
	}
	return r.test(pkg, name[:first])
}

// Finish marks the tests that never ended (a panic or a timeout ends the
// test binary) and notes a failed command that left no other trace.
func (r *FamilyResult) Finish(runErr error) {
	for _, t := range r.byName {
		if t.Result == "" {
			t.Result = "FAIL"
			t.Output = append(t.Output, "(the test did not finish)\n")
		}
	}
	if len(r.Tests) == 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("no test matched -run %s in %s", r.Family.Run, strings.Join(r.Family.Packages, " ")))
	}
	if runErr != nil && r.Passed() {
		r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", r.Command, runErr))
	}
}

// Scenarios are the rows' leaves: subtests, or for a collapsed family its
// top-level tests.
func (r *FamilyResult) Scenarios() []*TestResult {
	if r.Family.CollapseSubtests {
		return r.Tests
	}
	var leaves []*TestResult
	for _, t := range r.Tests {
		leaves = append(leaves, t.leaves()...)
	}
	return leaves
}

// Passed reports whether the family ran at least one test, every test and
// subtest passed (a skip proves nothing, so it counts against), and
// nothing failed outside the tests.
func (r *FamilyResult) Passed() bool {
	if len(r.Problems) > 0 || len(r.Tests) == 0 {
		return false
	}
	for _, t := range r.byName {
		if !t.Passed() {
			return false
		}
	}
	return true
}

// passedScenarios counts the scenarios that passed.
func (r *FamilyResult) passedScenarios() (passed, total int) {
	for _, s := range r.Scenarios() {
		total++
		if s.Passed() {
			passed++
		}
	}
	return passed, total
}

// figureSum adds up one figure over every test of the family; found tells
// whether any test reported it.
func (r *FamilyResult) figureSum(key string) (sum float64, found bool) {
	for _, t := range r.byName {
		if v, ok := t.Figures[key].(float64); ok {
			sum += v
			found = true
		}
	}
	return sum, found
}

// figure returns a figure of the named test.
func (r *FamilyResult) figure(test, key string) (float64, bool) { //nolint:unparam // the load test is the one with figures today; any test may carry them
	for _, t := range r.sortedTests() {
		if t.Name == test {
			v, ok := t.Figures[key].(float64)
			return v, ok
		}
	}
	return 0, false
}

func (r *FamilyResult) failedTests() []*TestResult {
	var failed []*TestResult
	for _, t := range r.sortedTests() {
		if !t.Passed() {
			failed = append(failed, t)
		}
	}
	return failed
}

// sortedTests lists every test and subtest, parents before children, in
// the order they started.
func (r *FamilyResult) sortedTests() []*TestResult {
	var all []*TestResult
	var walk func([]*TestResult)
	walk = func(tests []*TestResult) {
		for _, t := range tests {
			all = append(all, t)
			walk(t.Subtests)
		}
	}
	walk(r.Tests)
	return all
}

// ---- Rendering ----

// RunInfo describes the run for the intro.
type RunInfo struct {
	Date        time.Time
	Commit      string
	Terraform   string
	Go          string
	LoadObjects int
}

// Render writes RELIABILITY.md.
func Render(info RunInfo, results []*FamilyResult) string {
	var b strings.Builder
	passedFamilies := 0
	for _, r := range results {
		if r.Passed() {
			passedFamilies++
		}
	}
	verdict := "PASS"
	if passedFamilies != len(results) {
		verdict = "FAIL"
	}

	b.WriteString("# Reliability\n\n")
	b.WriteString("How the provider holds up when things go wrong: faults on the wire, bad input, many objects at once, " +
		"secrets near logs and errors, hostile ids and bodies. Each scenario is a Go test run against the emulated " +
		"products with the real Terraform CLI; this file is written by `tools/measure/reliability` from one run of them, and " +
		"every figure in it comes from that run. Do not edit it by hand.\n\n")
	fmt.Fprintf(&b, "- Result: **%s** (%d of %d scenario families passed)\n", verdict, passedFamilies, len(results))
	fmt.Fprintf(&b, "- Date: %s\n", info.Date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Commit: %s\n", info.Commit)
	fmt.Fprintf(&b, "- Terraform: %s; Go: %s\n", info.Terraform, info.Go)
	fmt.Fprintf(&b, "- Load test size: %d objects\n", info.LoadObjects)
	b.WriteString("- Rerun: `make reliability` (TF_ACC=1, the Terraform from `tools/ensure-terraform.sh`); " +
		"`go run ./tools/measure/reliability -h` lists the options.\n\n")

	b.WriteString("## Summary\n\n")
	for _, r := range results {
		line := defaultSummary(r)
		if r.Family.Summary != nil {
			line = r.Family.Summary(r)
		}
		mark := ""
		if !r.Passed() {
			mark = " (**FAIL**)"
		}
		fmt.Fprintf(&b, "- %s%s\n", line, mark)
	}

	b.WriteString("\n## Scenario families\n\n")
	b.WriteString("| family | what a pass shows | tests | time |\n| --- | --- | --- | --- |\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | `-run %s` in %s | %s |\n", cell(r.Family.Title), cell(r.Family.About),
			cell(r.Family.Run), cell(strings.Join(r.Family.Packages, " ")), seconds(r.Elapsed.Seconds()))
	}

	for _, r := range results {
		fmt.Fprintf(&b, "\n## %s\n\n", r.Family.Title)
		b.WriteString("| scenario | result | time | figures |\n| --- | --- | --- | --- |\n")
		rows := r.sortedTests()
		if r.Family.CollapseSubtests {
			rows = r.Tests
		}
		for _, t := range rows {
			figures := formatFigures(t.Figures)
			if r.Family.CollapseSubtests && len(t.Subtests) > 0 {
				passed := 0
				for _, sub := range t.leaves() {
					if sub.Passed() {
						passed++
					}
				}
				figures = strings.TrimPrefix(figures+fmt.Sprintf(", seeds=%d, seeds_passed=%d", len(t.leaves()), passed), ", ")
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", cell(t.Name), t.Result, seconds(t.Elapsed), cell(figures))
		}
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "| (outside the tests) | FAIL | | %s |\n", cell(truncate(p, 500)))
		}
	}
	return b.String()
}

func defaultSummary(r *FamilyResult) string {
	passed, total := r.passedScenarios()
	return fmt.Sprintf("%s: %d of %d scenarios passed", r.Family.Title, passed, total)
}

func formatFigures(figures map[string]any) string {
	keys := make([]string, 0, len(figures))
	for k := range figures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+formatValue(figures[k]))
	}
	return strings.Join(parts, ", ")
}

func formatValue(v any) string {
	switch v := v.(type) {
	case float64:
		return number(v)
	case string:
		return v
	default:
		data, _ := json.Marshal(v)
		return string(data)
	}
}

func number(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func seconds(s float64) string {
	return fmt.Sprintf("%.1f s", s)
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func tail(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, ""))
}
