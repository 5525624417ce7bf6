package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// This file holds the bench's arithmetic and rendering, apart from the
// runs, so that it can be tested on made-up figures.

// rulesPathPrefix is where the allowlist API lives, below the context path.
const rulesPathPrefix = "/rest/whitelist/"

// attribute splits an instance's request counts, keyed "METHOD /path" as
// GET <ctx>/_emulator/requests reports them, into requests for allowlist
// rules and the rest (links, consumers and anything the provider asks
// while configuring itself).
func attribute(counts map[string]int) (rules, others int) {
	for key, n := range counts {
		_, path, _ := strings.Cut(key, " ")
		if strings.HasPrefix(path, rulesPathPrefix) {
			rules += n
		} else {
			others += n
		}
	}
	return rules, others
}

// entityLinkPathPrefixes are the entity link API's lists and the remote
// entities a plan may check (design/api.md §3.9).
var entityLinkPathPrefixes = []string{"/rest/applinks/1.0/entitylink/", "/rest/applinks/1.0/entities/"}

// entityLinkRequests counts the requests for entity links among counts.
func entityLinkRequests(counts map[string]int) int {
	total := 0
	for key, n := range counts {
		_, path, _ := strings.Cut(key, " ")
		for _, prefix := range entityLinkPathPrefixes {
			if strings.HasPrefix(path, prefix) {
				total += n
				break
			}
		}
	}
	return total
}

// idSegment matches the path segments that name one object: numbers,
// UUIDs and long hex or base64-like tokens.
var idSegment = regexp.MustCompile(`^([0-9]+|[0-9a-fA-F-]{32,36}|[A-Za-z0-9_%=-]*[0-9][A-Za-z0-9_%=-]{7,})$`)

// endpoint turns "GET /rest/x/1.0/thing/42" into "GET /rest/x/1.0/thing/{id}",
// so that the requests for many objects add up per endpoint.
func endpoint(key string) string {
	method, path, _ := strings.Cut(key, " ")
	segments := strings.Split(path, "/")
	for i, s := range segments {
		// A REST module's name ("oauth2-client" in /rest/oauth2-client/...)
		// looks like a token but names no object.
		module := i == 2 && segments[1] == "rest"
		if i > 0 && !module && idSegment.MatchString(s) && !versionSegment.MatchString(s) {
			segments[i] = "{id}"
		}
	}
	return method + " " + strings.Join(segments, "/")
}

// versionSegment matches API versions such as "1.0", which stay.
var versionSegment = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// byEndpoint adds the counts up per endpoint.
func byEndpoint(counts map[string]int) map[string]int {
	sums := make(map[string]int)
	for key, n := range counts {
		sums[endpoint(key)] += n
	}
	return sums
}

// renderEndpoints writes the plan's requests per endpoint, the most
// requested first.
func renderEndpoints(w io.Writer, r row) {
	if len(r.Endpoints) == 0 {
		return
	}
	keys := make([]string, 0, len(r.Endpoints))
	for k := range r.Endpoints {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if r.Endpoints[keys[i]] != r.Endpoints[keys[j]] {
			return r.Endpoints[keys[i]] > r.Endpoints[keys[j]]
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(w, "| endpoint | requests | per object of N=%d |\n| --- | ---: | ---: |\n", r.N)
	for _, k := range keys {
		fmt.Fprintf(w, "| `%s` | %d | %.3f |\n", k, r.Endpoints[k], perObject(float64(r.Endpoints[k]), r.N))
	}
}

// median returns the median of values, the mean of the middle two for an
// even count, and 0 for none.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	sort.Float64s(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// samples are one size's measurements, one value per rep.
type samples struct {
	mix mix

	oursApply, oursPlan []float64 // seconds
	noopApply, noopPlan []float64
	// terraform_data is applied once per size, untimed; its plans reuse
	// that state.
	dataPlan []float64
	// planRatio is ours/noop plan time within each rep, so that both sides
	// of a ratio ran under the same load.
	planRatio []float64
	// Requests the provider made during the refreshing plan.
	requests, ruleRequests, otherRequests []float64
	entityLinkRequests                    []float64
	oursPeakMiB, noopPeakMiB              []float64
	oursPlanPeakMiB                       []float64
	// endpoints are the plan's requests per endpoint in the last rep.
	endpoints map[string]int
}

// row is one size's medians, as the table shows them.
type row struct {
	N                                   int
	Mix                                 mix
	OursApply, OursPlan                 float64
	NoopApply, NoopPlan                 float64
	DataPlan                            float64
	Ratio                               float64
	ReqPerObject, ReqPerRule, ReqPerLCO float64
	ReqPerEntityLink                    float64
	OursPeakMiB, NoopPeakMiB            float64
	OursPlanPeakMiB                     float64
	Endpoints                           map[string]int
}

func summarise(s samples) row {
	r := row{
		N:               s.mix.total(),
		Mix:             s.mix,
		OursApply:       median(s.oursApply),
		OursPlan:        median(s.oursPlan),
		NoopApply:       median(s.noopApply),
		NoopPlan:        median(s.noopPlan),
		DataPlan:        median(s.dataPlan),
		Ratio:           median(s.planRatio),
		OursPeakMiB:     median(s.oursPeakMiB),
		NoopPeakMiB:     median(s.noopPeakMiB),
		OursPlanPeakMiB: median(s.oursPlanPeakMiB),
		Endpoints:       s.endpoints,
	}
	r.ReqPerObject = perObject(median(s.requests), r.N)
	r.ReqPerRule = perObject(median(s.ruleRequests), s.mix.Rules)
	r.ReqPerLCO = perObject(median(s.otherRequests), s.mix.Links+s.mix.Consumers+s.mix.OAuth2)
	r.ReqPerEntityLink = perObject(median(s.entityLinkRequests), s.mix.EntityLinks)
	return r
}

// perObject divides, leaving 0 for no object.
func perObject(requests float64, objects int) float64 {
	if objects == 0 {
		return 0
	}
	return requests / float64(objects)
}

var tableHeader = []string{
	"N", "links / consumers / OAuth 2.0 / entity links / rules",
	"ours apply s", "ours plan s", "noop apply s", "noop plan s",
	"terraform_data plan s", "ratio ours/noop (plan)",
	"requests/object", "requests/rule", "requests/entity link", "requests/other object",
	"provider peak MiB", "provider plan peak MiB", "noop peak MiB",
}

// renderTable writes the rows as a markdown table.
func renderTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(tableHeader, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat(" ---: |", len(tableHeader)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %d / %d / %d / %d / %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.1f | %.1f | %.1f |\n",
			r.N, r.Mix.Links, r.Mix.Consumers, r.Mix.OAuth2, r.Mix.EntityLinks, r.Mix.Rules,
			r.OursApply, r.OursPlan, r.NoopApply, r.NoopPlan, r.DataPlan, r.Ratio,
			r.ReqPerObject, r.ReqPerRule, r.ReqPerEntityLink, r.ReqPerLCO, r.OursPeakMiB, r.OursPlanPeakMiB, r.NoopPeakMiB)
	}
}

// The performance targets the project holds itself to: a refreshing plan
// at most 1.5 times as slow as a provider that does nothing, at most one
// request per managed object (a tenth per allowlist rule, which one listing
// serves), under 100 MB of provider memory at 500 objects, and times that grow
// linearly with the number of objects.
const (
	targetN             = 500
	maxPlanRatio        = 1.5
	maxReqPerObject     = 1.0
	maxReqPerRule       = 0.1
	maxPeakBytes        = 100e6 // 100 MB
	maxLinearityGrowth  = 1.2
	statusPass          = "PASS"
	statusFail          = "FAIL"
	statusNotApplicable = "N/A"
)

// target is one goal, evaluated on a run's rows.
type target struct {
	Name, Status, Figures string
}

// evaluate checks the targets. Those stated at N=500 use the size nearest
// to it that was measured, and linearity compares it with the smallest
// size (N=50 by default); each target says which N it used.
func evaluate(rows []row) []target {
	if len(rows) == 0 {
		return nil
	}
	big, small := nearest(rows, targetN), nearest(rows, 0)
	at := func(r row) string { return fmt.Sprintf("N=%d", r.N) }
	var targets []target

	targets = append(targets, target{
		Name:   fmt.Sprintf("refreshing plan at %s at most %.1f× the no-op floor", at(big), maxPlanRatio),
		Status: status(big.Ratio <= maxPlanRatio),
		Figures: fmt.Sprintf("ratio %.2f (ours %.2f s, noop %.2f s, medians)",
			big.Ratio, big.OursPlan, big.NoopPlan),
	})

	worst := func(value func(row) float64, skip func(row) bool) (row, []string, bool) {
		var w row
		var figures []string
		found := false
		for _, r := range rows {
			if skip(r) {
				continue
			}
			figures = append(figures, fmt.Sprintf("%s: %.3f", at(r), value(r)))
			if !found || value(r) > value(w) {
				w, found = r, true
			}
		}
		return w, figures, found
	}
	overall, figures, _ := worst(func(r row) float64 { return r.ReqPerObject }, func(row) bool { return false })
	targets = append(targets, target{
		Name:    fmt.Sprintf("requests per object during the plan at most %.1f, at every N", maxReqPerObject),
		Status:  status(overall.ReqPerObject <= maxReqPerObject),
		Figures: strings.Join(figures, ", "),
	})
	rule, figures, found := worst(func(r row) float64 { return r.ReqPerRule }, func(r row) bool { return r.Mix.Rules == 0 })
	if found {
		targets = append(targets, target{
			Name:    fmt.Sprintf("requests per allowlist rule during the plan at most %.1f, at every N", maxReqPerRule),
			Status:  status(rule.ReqPerRule <= maxReqPerRule),
			Figures: strings.Join(figures, ", "),
		})
	} else {
		targets = append(targets, target{
			Name:   fmt.Sprintf("requests per allowlist rule during the plan at most %.1f", maxReqPerRule),
			Status: statusNotApplicable, Figures: "no size has a rule",
		})
	}

	peakBytes := big.OursPeakMiB * (1 << 20)
	targets = append(targets, target{
		Name:   fmt.Sprintf("provider peak memory under %.0f MB at %s", maxPeakBytes/1e6, at(big)),
		Status: status(peakBytes < maxPeakBytes),
		Figures: fmt.Sprintf("%.1f MiB = %.1f MB over apply and plan, %.1f MiB in the plan alone (noop %.1f MiB)",
			big.OursPeakMiB, peakBytes/1e6, big.OursPlanPeakMiB, big.NoopPeakMiB),
	})

	linearity := target{
		Name: fmt.Sprintf("linearity: ratio at %s at most %.1f× the ratio at %s", at(big), maxLinearityGrowth, at(small)),
	}
	if big.N == small.N {
		linearity.Status, linearity.Figures = statusNotApplicable, "needs two sizes"
	} else {
		limit := maxLinearityGrowth * small.Ratio
		linearity.Status = status(big.Ratio <= limit)
		linearity.Figures = fmt.Sprintf("%.2f vs %.1f × %.2f = %.2f", big.Ratio, maxLinearityGrowth, small.Ratio, limit)
	}
	return append(targets, linearity)
}

// nearest returns the row whose N is closest to n, the larger on a tie.
func nearest(rows []row, n int) row {
	best := rows[0]
	for _, r := range rows[1:] {
		d, bd := abs(r.N-n), abs(best.N-n)
		if d < bd || (d == bd && r.N > best.N) {
			best = r
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func status(ok bool) string {
	if ok {
		return statusPass
	}
	return statusFail
}

// missed reports whether any target failed.
func missed(targets []target) bool {
	for _, t := range targets {
		if t.Status == statusFail {
			return true
		}
	}
	return false
}

func renderTargets(w io.Writer, targets []target) {
	for _, t := range targets {
		fmt.Fprintf(w, "- **%s** %s: %s\n", t.Status, t.Name, t.Figures)
	}
}

// environment describes the run for the report's header.
type environment struct {
	Date, Machine, Terraform, Commit, Go string
	Cores, Reps                          int
	Sizes                                []int
	Wall                                 string
	Rerun                                string
}

// renderReport writes the whole markdown report.
func renderReport(w io.Writer, env environment, rows []row, targets []target) {
	fmt.Fprintf(w, "# Benchmarks\n\n")
	fmt.Fprintf(w, "Written by `tools/measure/bench` on %s. Rerun with `%s`.\n\n", env.Date, env.Rerun)
	fmt.Fprintf(w, "- Machine: %s, %d cores\n", env.Machine, env.Cores)
	fmt.Fprintf(w, "- Terraform %s, %s, commit %s\n", env.Terraform, env.Go, env.Commit)
	fmt.Fprintf(w, "- Every figure is the median of %d reps; the reps interleave the three providers "+
		"(rep 1: ours, noop, terraform_data; rep 2: ...). The whole run took %s.\n\n", env.Reps, env.Wall)
	fmt.Fprintf(w, "## The mix\n\n%s\n\n", mixDescription)
	fmt.Fprintf(w, "## What is measured\n\n%s\n\n", methodDescription)
	fmt.Fprintf(w, "## Results\n\n")
	renderTable(w, rows)
	fmt.Fprintf(w, "\n## Targets\n\n")
	renderTargets(w, targets)
	if len(rows) > 0 {
		fmt.Fprintf(w, "\n## Requests of the refreshing plan by endpoint, N=%d, last rep\n\n", rows[len(rows)-1].N)
		renderEndpoints(w, rows[len(rows)-1])
	}
}

const methodDescription = `- **apply s**: wall time of ` + "`terraform apply`" + ` creating the N objects from an empty state
  on freshly started emulator instances (a fresh emulator and an empty state replace a destroy
  between reps; the destroy is not measured).
- **plan s**: wall time of the refreshing ` + "`terraform plan -detailed-exitcode`" + ` right after that apply;
  it must report no changes (exit 0), or the bench fails.
- **noop**: the same N objects, of the same shapes, on ` + "`tools/measure/noopprovider`" + `, a provider on the same
  plugin framework that makes no request: the floor of Terraform plus the framework.
  **terraform_data**: N built-in ` + "`terraform_data`" + ` resources, for context (no provider process);
  they are applied once per N, untimed, and each rep times a refreshing plan of that state.
- **ratio ours/noop (plan)**: median over the reps of ours/noop plan time within the same rep.
- **requests/...**: HTTP requests the instance received during the plan (counters reset right before it,
  read from ` + "`/_emulator/requests`" + `), per managed object; rules are the requests under
  ` + "`/rest/whitelist/`" + `, per rule; entity links are those under ` + "`/rest/applinks/1.0/entitylink/`" + ` and
  ` + "`/rest/applinks/1.0/entities/`" + `, per entity link; everything else is counted for the other objects together. Requests
  between emulated instances (a link's peer) are not the provider's and are not counted.
- **peak MiB**: the largest maximum resident set size (` + "`getrusage`" + ` of the waited child) of any provider
  process that Terraform started during the rep's apply and plan (**plan peak**: during the plan alone);
  each provider runs under a small wrapper that execs it and records it. The memory target is judged on
  the larger, the apply and plan together.`
