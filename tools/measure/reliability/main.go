// Command reliability runs the reliability tests (faults, bad input, load,
// secrets, id escaping, malformed bodies, fuzz seeds) with `go test -json`
// and writes RELIABILITY.md from what they report:
//
//	go run ./tools/measure/reliability -terraform "$(tools/ensure-terraform.sh)"
//
// Figures come from the "RELIABILITY {json}" lines the tests log through
// reportFigure, never from this program. It writes the file even when a
// test fails, with FAIL rows, and then exits 1; so does a family whose
// pattern matches no test.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	terraform   string
	loadObjects int
	out         string
	root        string
	timeout     time.Duration
	only        string
}

func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("reliability", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.terraform, "terraform", "", "the Terraform CLI the acceptance tests run (required)")
	fs.IntVar(&opts.loadObjects, "load-objects", 200, "how many objects TestAccLoad manages (APPLINKS_LOAD_OBJECTS)")
	fs.StringVar(&opts.out, "out", "RELIABILITY.md", "the report to write, relative to -root")
	fs.StringVar(&opts.root, "root", ".", "the provider's source tree")
	fs.DurationVar(&opts.timeout, "timeout", 30*time.Minute, "go test -timeout for each family")
	fs.StringVar(&opts.only, "only", "", "comma-separated family keys to run (default all); for trying a change, not for the committed report")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if opts.terraform == "" {
		fmt.Fprintln(stderr, "reliability: -terraform is required (make reliability passes tools/ensure-terraform.sh)")
		return 2
	}
	terraform, err := filepath.Abs(opts.terraform)
	if err != nil {
		fmt.Fprintf(stderr, "reliability: %v\n", err)
		return 2
	}
	opts.terraform = terraform
	selected, err := selectFamilies(families, opts.only)
	if err != nil {
		fmt.Fprintf(stderr, "reliability: %v\n", err)
		return 2
	}

	info := RunInfo{
		Date:        time.Now(),
		Commit:      commitOf(opts.root, opts.out),
		Terraform:   terraformVersion(opts.terraform),
		Go:          goVersion(),
		LoadObjects: opts.loadObjects,
	}
	var results []*FamilyResult
	for _, f := range selected {
		r := runFamily(opts, f, stdout)
		results = append(results, r)
		status := "PASS"
		if !r.Passed() {
			status = "FAIL"
			reportFailures(stderr, r)
		}
		fmt.Fprintf(stdout, "==> %s: %s in %s\n", f.Key, status, r.Elapsed.Round(time.Second))
	}

	report := Render(info, results)
	path := filepath.Join(opts.root, opts.out)
	if err := os.WriteFile(path, []byte(report), 0o644); err != nil { //nolint:gosec // a report for the repository
		fmt.Fprintf(stderr, "reliability: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	for _, r := range results {
		if !r.Passed() {
			fmt.Fprintln(stderr, "reliability: some scenarios failed; see the FAIL rows")
			return 1
		}
	}
	return 0
}

func selectFamilies(all []Family, only string) ([]Family, error) {
	if only == "" {
		return all, nil
	}
	var selected []Family
	for _, key := range strings.Split(only, ",") {
		found := false
		for _, f := range all {
			if f.Key == strings.TrimSpace(key) {
				selected = append(selected, f)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("no family %q", key)
		}
	}
	return selected, nil
}

// runFamily runs one family's go test and parses its events as they come.
func runFamily(opts options, f Family, progress io.Writer) *FamilyResult {
	args := append([]string{"test", "-json", "-count=1", "-timeout", opts.timeout.String(), "-run", f.Run}, f.Packages...)
	r := newFamilyResult(f)
	r.Command = "go " + strings.Join(args, " ")
	fmt.Fprintf(progress, "==> %s: %s\n", f.Key, r.Command)

	cmd := exec.Command("go", args...)
	cmd.Dir = opts.root
	cmd.Env = append(withoutTestSettings(os.Environ()),
		"TF_ACC=1",
		"TF_ACC_TERRAFORM_PATH="+opts.terraform,
		"APPLINKS_LOAD_OBJECTS="+strconv.Itoa(opts.loadObjects),
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
		r.Finish(err)
		return r
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", r.Command, err))
		r.Finish(err)
		return r
	}
	parseErr := r.Parse(pipe)
	runErr := cmd.Wait()
	r.Elapsed = time.Since(start)
	if parseErr != nil {
		r.Problems = append(r.Problems, "reading go test output: "+parseErr.Error())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" && runErr != nil {
		r.Problems = append(r.Problems, "go test wrote to stderr: "+truncate(s, 1000))
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", r.Command, runErr))
	}
	r.Finish(runErr)
	return r
}

// withoutTestSettings drops the caller's settings that would change what
// the tests do, so that the report reflects only this program's flags.
func withoutTestSettings(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "TF_ACC", name == "TF_ACC_TERRAFORM_PATH", name == "TF_LOG", name == "TF_LOG_PATH",
			name == "TF_ACC_LOG_PATH", strings.HasPrefix(name, "APPLINKS_"):
			continue
		}
		kept = append(kept, kv)
	}
	return kept
}

// reportFailures prints what failed, with each failing test's last lines
// of output, for the person running the tool.
func reportFailures(w io.Writer, r *FamilyResult) {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "--- %s: %s\n", r.Family.Key, p)
	}
	for _, t := range r.failedTests() {
		fmt.Fprintf(w, "--- %s: %s %s\n%s\n", r.Family.Key, t.Result, t.Name, tail(t.Output, 30))
	}
}

// commitOf names the commit the tests ran at, and whether files other than
// the report itself differed from it.
func commitOf(root, report string) string {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	commit := strings.TrimSpace(string(out))
	status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)"+report).Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		commit += " with uncommitted changes"
	}
	return commit
}

func terraformVersion(path string) string {
	out, err := exec.Command(path, "version", "-json").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		return "unknown"
	}
	return v.Version
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}
