package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The files in testdata are real `go test -json` output, recorded from the
// tests in testdata/sample_test.go.txt (one failing fault, a skipped bad
// input, fuzz seeds, a pattern that matches nothing, a build failure).

func parseSample(t *testing.T, file string, f Family) *FamilyResult {
	t.Helper()
	in, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r := newFamilyResult(f)
	if err := r.Parse(in); err != nil {
		t.Fatal(err)
	}
	r.Finish(nil)
	return r
}

func familyByKey(t *testing.T, key string) Family {
	t.Helper()
	for _, f := range families {
		if f.Key == key {
			return f
		}
	}
	t.Fatalf("no family %q", key)
	return Family{}
}

func TestParseFailingFaultKeepsFiguresAndOutput(t *testing.T) {
	t.Parallel()
	r := parseSample(t, "faults.jsonl", familyByKey(t, "faults"))
	if len(r.Tests) != 2 {
		t.Fatalf("%d tests, want 2: %+v", len(r.Tests), r.Tests)
	}
	burst, timeout := r.Tests[0], r.Tests[1]
	if burst.Name != "TestAccFault_Burst" || burst.Result != "PASS" || burst.Figures["faults_injected"] != float64(6) {
		t.Errorf("burst: %+v", burst)
	}
	if timeout.Result != "FAIL" || timeout.Figures["requests"] != float64(3) {
		t.Errorf("timeout: %+v", timeout)
	}
	if !strings.Contains(strings.Join(timeout.Output, ""), "link created twice") {
		t.Errorf("the failing test's output is lost: %q", timeout.Output)
	}
	if r.Passed() {
		t.Error("a family with a failing test passes")
	}
	if len(r.Problems) != 0 {
		t.Errorf("the package failure is reported besides the failing test: %v", r.Problems)
	}
	if got := r.Family.Summary(r); got != "Faults survived: 1 of 2" {
		t.Errorf("summary %q", got)
	}
}

func TestParseSubtestsAndSkips(t *testing.T) {
	t.Parallel()
	r := parseSample(t, "badinput.jsonl", familyByKey(t, "badinput"))
	if len(r.Tests) != 1 || len(r.Tests[0].Subtests) != 3 {
		t.Fatalf("tests %+v", r.Tests)
	}
	if r.Tests[0].Subtests[1].Name != "TestAccBadInput/url_without_scheme" || r.Tests[0].Subtests[1].Result != "SKIP" {
		t.Errorf("subtest %+v", r.Tests[0].Subtests[1])
	}
	if r.Passed() {
		t.Error("a skipped scenario proves nothing, yet the family passes")
	}
	if got := r.Family.Summary(r); got != "Bad inputs tried: 3 (2 diagnosed)" {
		t.Errorf("summary %q", got)
	}
}

func TestParseFuzzSeedsCollapse(t *testing.T) {
	t.Parallel()
	r := parseSample(t, "fuzz.jsonl", familyByKey(t, "fuzz"))
	if !r.Passed() || len(r.Scenarios()) != 1 {
		t.Fatalf("passed %t, scenarios %+v, problems %v", r.Passed(), r.Scenarios(), r.Problems)
	}
	if got := r.Family.Summary(r); got != "Fuzz seeds run: 3 (3 passed) over 1 targets" {
		t.Errorf("summary %q", got)
	}
}

func TestParseNoTestOrBrokenBuildFails(t *testing.T) {
	t.Parallel()
	none := parseSample(t, "none.jsonl", familyByKey(t, "faults"))
	if none.Passed() || len(none.Problems) != 1 || !strings.Contains(none.Problems[0], "no test matched -run ^TestAccFault_") {
		t.Errorf("a family with no test: passed %t, problems %v", none.Passed(), none.Problems)
	}
	broken := parseSample(t, "broken.jsonl", familyByKey(t, "load"))
	if broken.Passed() || !strings.Contains(strings.Join(broken.Problems, "\n"), "undefined: undefined") {
		t.Errorf("a build failure: passed %t, problems %v", broken.Passed(), broken.Problems)
	}
}

func TestParseKeepsOutputThatIsNotJSON(t *testing.T) {
	t.Parallel()
	r := newFamilyResult(familyByKey(t, "load"))
	if err := r.Parse(strings.NewReader("panic: something\n")); err != nil {
		t.Fatal(err)
	}
	r.Finish(nil)
	if r.Passed() || !strings.Contains(strings.Join(r.Problems, "\n"), "panic: something") {
		t.Errorf("problems %v", r.Problems)
	}
}

func TestRenderShowsEveryRowAndSummary(t *testing.T) {
	t.Parallel()
	results := []*FamilyResult{
		parseSample(t, "faults.jsonl", familyByKey(t, "faults")),
		parseSample(t, "badinput.jsonl", familyByKey(t, "badinput")),
		parseSample(t, "load.jsonl", familyByKey(t, "load")),
		parseSample(t, "fuzz.jsonl", familyByKey(t, "fuzz")),
		parseSample(t, "none.jsonl", familyByKey(t, "malformed")),
	}
	info := RunInfo{Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Commit: "abc123", Terraform: "1.11.4", Go: "go1.26", LoadObjects: 200}
	md := Render(info, results)
	for _, want := range []string{
		"- Result: **FAIL** (2 of 5 scenario families passed)",
		"- Date: 2026-01-02 03:04 UTC",
		"- Commit: abc123",
		"- Terraform: 1.11.4; Go: go1.26",
		"make reliability",
		"- Faults survived: 1 of 2 (**FAIL**)",
		"- Load held: 200 objects applied, re-applied with an empty plan, destroyed; duplicates 0, orphans 0; 1691 requests\n",
		"- Bad inputs tried: 3 (2 diagnosed) (**FAIL**)",
		"- Fuzz seeds run: 3 (3 passed) over 1 targets\n",
		"| `TestAccFault_Burst` | PASS | 0.0 s | faults_injected=6, requests=40 |",
		"| `TestAccFault_Timeout` | FAIL | 0.0 s | faults_injected=1, requests=3 |",
		"| `TestAccBadInput/url_without_scheme` | SKIP |",
		"| `FuzzParseID` | PASS | 0.0 s | seeds=3, seeds_passed=3 |",
		"| (outside the tests) | FAIL | | no test matched -run ^TestMalformedBodiesNeverCrashAnInstance$ in ./internal/emulator |",
		"## Malformed bodies",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "FuzzParseID/seed#0") {
		t.Error("fuzz seeds have rows of their own")
	}
}

func TestRenderAllPassed(t *testing.T) {
	t.Parallel()
	md := Render(RunInfo{Date: time.Now()}, []*FamilyResult{parseSample(t, "load.jsonl", familyByKey(t, "load"))})
	if !strings.Contains(md, "- Result: **PASS** (1 of 1 scenario families passed)") || strings.Contains(md, "FAIL") {
		t.Errorf("report:\n%s", md)
	}
}

func TestSecretsSummaryAddsUpTheTests(t *testing.T) {
	t.Parallel()
	r := newFamilyResult(familyByKey(t, "secrets"))
	sample := `{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:1: RELIABILITY {\"test\":\"TestA\",\"figures\":{\"secrets\":3,\"bytes\":1000,\"leaks\":0}}\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:1: RELIABILITY {\"test\":\"TestB\",\"figures\":{\"secrets\":6,\"bytes\":2500,\"leaks\":1}}\n"}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":2}
`
	if err := r.Parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	r.Finish(nil)
	if got := r.Family.Summary(r); got != "Secrets leaked: 1 (2 tests searched 3500 bytes of output for 9 secrets in all)" {
		t.Errorf("summary %q", got)
	}
}

// Every family's pattern compiles and its packages exist, so a typo shows
// here rather than as an empty family at the end of a long run.
func TestFamiliesAreWellFormed(t *testing.T) {
	t.Parallel()
	keys := map[string]bool{}
	for _, f := range families {
		if keys[f.Key] || f.Key == "" || f.Title == "" || f.About == "" {
			t.Errorf("family %+v: empty or repeated key, title or description", f.Key)
		}
		keys[f.Key] = true
		if _, err := regexp.Compile(f.Run); err != nil {
			t.Errorf("family %s: -run %q: %v", f.Key, f.Run, err)
		}
		for _, pkg := range f.Packages {
			dir := filepath.Join("..", "..", "..", strings.TrimSuffix(pkg, "/..."))
			if info, err := os.Stat(dir); err != nil || !info.IsDir() {
				t.Errorf("family %s: package %s is not a folder", f.Key, pkg)
			}
		}
	}
}

// A subtest named with a "/" (here a URL) hangs under the test that ran
// it, with no phantom parent for the pieces between that never finish.
func TestParseSubtestNamesWithSlashes(t *testing.T) {
	t.Parallel()
	r := newFamilyResult(familyByKey(t, "planconflicts"))
	in := strings.NewReader(`{"Action":"run","Package":"p","Test":"TestAccPlanConflict_x"}
{"Action":"run","Package":"p","Test":"TestAccPlanConflict_x/https://CI.example.com"}
{"Action":"pass","Package":"p","Test":"TestAccPlanConflict_x/https://CI.example.com"}
{"Action":"run","Package":"p","Test":"TestAccPlanConflict_x/url/user:pw@host"}
{"Action":"pass","Package":"p","Test":"TestAccPlanConflict_x/url/user:pw@host"}
{"Action":"pass","Package":"p","Test":"TestAccPlanConflict_x"}
`)
	if err := r.Parse(in); err != nil {
		t.Fatal(err)
	}
	r.Finish(nil)
	if !r.Passed() || len(r.Tests) != 1 || len(r.Tests[0].Subtests) != 2 {
		t.Fatalf("passed %t, tests %+v, problems %v", r.Passed(), r.Tests, r.Problems)
	}
}
