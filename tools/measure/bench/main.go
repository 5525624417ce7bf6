// Command bench measures the provider with the real Terraform CLI against
// emulated instances: apply time, the time of a refreshing plan with no
// changes, the HTTP requests per managed object that plan makes, and the
// provider process's peak memory, for a realistic mix of N application
// links, OAuth consumers and allowlist rules. The same N objects on a
// provider that does nothing (tools/measure/noopprovider), and N terraform_data
// resources, give the floor to compare with. Every measurement is repeated
// -reps times, the providers interleaved, and the medians are reported in
// a markdown table, printed and written to -out, with the performance
// targets (report.go) evaluated below it.
//
// It exits non-zero when a measurement fails (a command fails, or the plan
// after an apply is not empty); a missed target only makes it fail with
// -strict.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	if wrapping() {
		os.Exit(wrap())
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	terraform string
	root      string
	out       string
	sizes     []int
	reps      int
	strict    bool
	keep      bool
}

// Exit statuses besides 0.
const (
	exitMeasurementFailed = 1
	exitUsage             = 2
	exitTargetMissed      = 3
)

func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	sizes := "50,200,500"
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.terraform, "terraform", "terraform", "the Terraform CLI to run")
	fs.StringVar(&opts.root, "root", ".", "the provider's source tree")
	fs.StringVar(&sizes, "sizes", sizes, "comma-separated numbers of managed objects to measure")
	fs.IntVar(&opts.reps, "reps", 5, "repetitions of every measurement; the report gives medians")
	fs.StringVar(&opts.out, "out", "", "the markdown file to write (default BENCHMARKS.md in -root)")
	fs.BoolVar(&opts.strict, "strict", false, "exit non-zero when a target is missed")
	fs.BoolVar(&opts.keep, "keep", false, "keep the temporary folder for inspection")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	var err error
	if opts.sizes, err = parseSizes(sizes); err != nil {
		fmt.Fprintf(stderr, "bench: -sizes: %s\n", err)
		return exitUsage
	}
	if opts.reps < 1 {
		fmt.Fprintln(stderr, "bench: -reps must be at least 1")
		return exitUsage
	}
	if opts.out == "" {
		opts.out = filepath.Join(opts.root, "BENCHMARKS.md")
	}

	env, rows, err := bench(opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "bench failed: %s\n", err)
		return exitMeasurementFailed
	}
	targets := evaluate(rows)
	var report bytes.Buffer
	renderReport(&report, env, rows, targets)
	_, _ = stdout.Write(report.Bytes())
	if err := os.WriteFile(opts.out, report.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "bench: writing the report: %s\n", err)
		return exitMeasurementFailed
	}
	fmt.Fprintf(stderr, "==> report written to %s\n", opts.out)
	if opts.strict && missed(targets) {
		fmt.Fprintln(stderr, "bench: a target was missed (-strict)")
		return exitTargetMissed
	}
	return 0
}

func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, field := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, errors.New("every size must be at least 1")
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}
