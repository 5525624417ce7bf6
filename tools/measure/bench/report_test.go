package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		want   float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{9, 1, 8, 2, 100}, 8},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		values := append([]float64(nil), tc.values...)
		if got := median(values); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.values, got, tc.want)
		}
		for i := range values {
			if values[i] != tc.values[i] {
				t.Errorf("median reordered its argument: %v", values)
			}
		}
	}
}

func TestAttributeSplitsRulesFromTheRest(t *testing.T) {
	rules, others := attribute(map[string]int{
		"GET /rest/whitelist/latest":                    1,
		"GET /rest/whitelist/1/check":                   2,
		"POST /rest/whitelist/latest":                   4,
		"GET /rest/applinks/3.0/applinks/abc":           10,
		"GET /rest/applinks-oauth/1.0/applicationlink/": 20,
		// Only a path that starts under /rest/whitelist/ is a rule's.
		"GET /rest/applinks/1.0/rest/whitelist/x": 40,
		"GET /rest/whitelisted":                   80,
	})
	if rules != 7 || others != 150 {
		t.Errorf("attribute = %d rules, %d others; want 7, 150", rules, others)
	}
}

func TestEntityLinkRequestsCountsTheEntityLinkAPIOnly(t *testing.T) {
	got := entityLinkRequests(map[string]int{
		"GET /rest/applinks/1.0/entitylink/list/jira.project/P000": 1,
		"GET /rest/applinks/1.0/entities/abc":                      2,
		"PUT /rest/applinks/1.0/entitylink/jira.project/P000":      4,
		"GET /rest/applinks/3.0/applinks/abc":                      8,
		"GET /rest/whitelist/latest":                               16,
	})
	if got != 7 {
		t.Errorf("entityLinkRequests = %d, want 7", got)
	}
}

func TestEndpointFoldsIDs(t *testing.T) {
	for key, want := range map[string]string{
		"GET /rest/applinks/3.0/applinks/2841b105-5904-3c0a-9710-1ff26ae88206":                             "GET /rest/applinks/3.0/applinks/{id}",
		"GET /rest/applinks-oauth/1.0/applicationlink/2841b105-5904-3c0a-9710-1ff26ae88206/authentication": "GET /rest/applinks-oauth/1.0/applicationlink/{id}/authentication",
		"PUT /rest/whitelist/latest/42":                                              "PUT /rest/whitelist/latest/{id}",
		"GET /rest/applinks/1.0/manifest":                                            "GET /rest/applinks/1.0/manifest",
		"GET /rest/oauth2-client/latest/config/0f97653a-4ad2-4f0d-b4bf-c18af37f266d": "GET /rest/oauth2-client/latest/config/{id}",
	} {
		if got := endpoint(key); got != want {
			t.Errorf("endpoint(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestSummariseTakesMediansAndDividesByTheRightObjects(t *testing.T) {
	s := samples{
		mix:           mix{Links: 10, Consumers: 10, Rules: 30},
		oursPlan:      []float64{3, 1, 2},
		noopPlan:      []float64{1, 1, 1},
		planRatio:     []float64{3, 1, 2},
		requests:      []float64{41, 40, 42},
		ruleRequests:  []float64{1, 1, 1},
		otherRequests: []float64{40, 39, 41},
		oursPeakMiB:   []float64{50, 60, 55},
	}
	r := summarise(s)
	if r.N != 50 || r.OursPlan != 2 || r.Ratio != 2 || r.OursPeakMiB != 55 {
		t.Errorf("summarise = %+v", r)
	}
	if r.ReqPerObject != 41.0/50 || r.ReqPerRule != 1.0/30 || r.ReqPerLCO != 40.0/20 {
		t.Errorf("requests per object %v, per rule %v, per link or consumer %v", r.ReqPerObject, r.ReqPerRule, r.ReqPerLCO)
	}
	s = samples{mix: mix{Links: 4, AtlassianLinks: 1, EntityLinks: 20}, entityLinkRequests: []float64{2, 3, 2}}
	if r := summarise(s); r.ReqPerEntityLink != 0.1 {
		t.Errorf("requests per entity link %v, want 0.1", r.ReqPerEntityLink)
	}
	if r := summarise(samples{mix: mix{Links: 1}}); r.ReqPerRule != 0 {
		t.Errorf("no rule gave %v requests per rule", r.ReqPerRule)
	}
}

func TestRenderTableHasOneRowPerSize(t *testing.T) {
	var b bytes.Buffer
	renderTable(&b, []row{
		{N: 50, Mix: mix{Links: 10, Consumers: 10, Rules: 30}, OursApply: 1.234, OursPlan: 0.5, NoopPlan: 0.25, Ratio: 2, ReqPerObject: 0.7, OursPeakMiB: 30.25, OursPlanPeakMiB: 20.5},
		{N: 200, Mix: mix{Links: 40, Consumers: 40, Rules: 120}},
	})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("table of %d lines:\n%s", len(lines), b.String())
	}
	columns := strings.Count(lines[0], "|")
	for _, line := range lines {
		if strings.Count(line, "|") != columns {
			t.Errorf("line %q has not the header's %d separators", line, columns)
		}
	}
	for _, want := range []string{"ours apply s", "ratio ours/noop (plan)", "requests/rule", "requests/entity link", "provider plan peak MiB", "noop peak MiB"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header lacks %q: %s", want, lines[0])
		}
	}
	if want := "| 50 | 10 / 10 / 0 / 0 / 30 | 1.23 | 0.50 | 0.00 | 0.25 | 0.00 | 2.00 | 0.70 | 0.000 | 0.00 | 0.00 | 30.2 | 20.5 | 0.0 |"; lines[2] != want {
		t.Errorf("row\n%s\nwant\n%s", lines[2], want)
	}
	if !strings.HasPrefix(lines[3], "| 200 | 40 / 40 / 0 / 0 / 120 |") {
		t.Errorf("second row %q", lines[3])
	}
}

// statuses maps each target's first words to its status.
func statuses(targets []target) map[string]string {
	m := make(map[string]string)
	for _, t := range targets {
		m[strings.Fields(t.Name)[0]+" "+strings.Fields(t.Name)[2]] = t.Status
	}
	return m
}

func TestEvaluate(t *testing.T) {
	good := []row{
		{N: 50, Mix: mix{Rules: 30}, Ratio: 1.2, ReqPerObject: 0.9, ReqPerRule: 0.05, OursPeakMiB: 40},
		{N: 200, Mix: mix{Rules: 120}, Ratio: 1.9, ReqPerObject: 0.5, ReqPerRule: 0.01, OursPeakMiB: 60},
		{N: 500, Mix: mix{Rules: 300}, Ratio: 1.4, ReqPerObject: 0.5, ReqPerRule: 0.01, OursPeakMiB: 90},
	}
	targets := evaluate(good)
	if len(targets) != 5 || missed(targets) {
		t.Fatalf("good figures: %+v", targets)
	}

	bad := []row{
		{N: 50, Mix: mix{Rules: 30}, Ratio: 1.0, ReqPerObject: 1.1, ReqPerRule: 0.2, OursPeakMiB: 40},
		{N: 200, Mix: mix{Rules: 120}, Ratio: 1.1, ReqPerObject: 0.5, ReqPerRule: 0.01, OursPeakMiB: 60},
		// 96 MiB is over 100 MB; 1.25 is under 1.5 but over 1.2 × 1.0.
		{N: 500, Mix: mix{Rules: 300}, Ratio: 1.25, ReqPerObject: 0.5, ReqPerRule: 0.01, OursPeakMiB: 96},
	}
	got := statuses(evaluate(bad))
	want := map[string]string{
		"refreshing at":      statusPass,
		"requests object":    statusFail, // N=50 is over, though N=500 is not
		"requests allowlist": statusFail,
		"provider memory":    statusFail,
		"linearity: at":      statusFail,
	}
	for name, status := range want {
		if got[name] != status {
			t.Errorf("%s: %s, want %s (all: %v)", name, got[name], status, got)
		}
	}

	slow := evaluate([]row{{N: 50, Ratio: 1.0}, {N: 500, Ratio: 1.6, OursPeakMiB: 10}})
	if got := statuses(slow); got["refreshing at"] != statusFail {
		t.Errorf("a plan 1.6× the floor passed: %+v", slow)
	}
	for _, tgt := range slow {
		if strings.HasPrefix(tgt.Name, "requests per allowlist") && tgt.Status != statusNotApplicable {
			t.Errorf("no rule at all: %+v", tgt)
		}
	}

	// Linearity compares the largest size with the smallest.
	for _, tgt := range evaluate([]row{{N: 10, Ratio: 1.0}, {N: 20, Ratio: 1.3}}) {
		if strings.HasPrefix(tgt.Name, "linearity") && (tgt.Status != statusFail || !strings.Contains(tgt.Name, "N=10")) {
			t.Errorf("linearity of 10 and 20: %+v", tgt)
		}
	}

	single := evaluate([]row{{N: 10, Mix: mix{Rules: 6}, Ratio: 1.1}})
	for _, tgt := range single {
		if strings.HasPrefix(tgt.Name, "linearity") && tgt.Status != statusNotApplicable {
			t.Errorf("linearity with one size: %+v", tgt)
		}
		if strings.HasPrefix(tgt.Name, "refreshing") && !strings.Contains(tgt.Name, "N=10") {
			t.Errorf("the target does not say which N it used: %q", tgt.Name)
		}
	}
}

func TestNearest(t *testing.T) {
	rows := []row{{N: 10}, {N: 40}, {N: 60}, {N: 400}}
	for n, want := range map[int]int{500: 400, 50: 60, 1: 10, 45: 40} {
		if got := nearest(rows, n).N; got != want {
			t.Errorf("nearest(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestMixFor(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want mix
	}{
		{500, mix{Links: 100, Consumers: 100, OAuth2: 50, EntityLinks: 50, Rules: 200, AtlassianLinks: 2}},
		{50, mix{Links: 10, Consumers: 10, OAuth2: 5, EntityLinks: 5, Rules: 20, AtlassianLinks: 2}},
		// Entity links need the Confluence link, which starts at 4 links.
		{20, mix{Links: 4, Consumers: 4, OAuth2: 2, EntityLinks: 2, Rules: 8, AtlassianLinks: 1}},
		{15, mix{Links: 3, Consumers: 3, OAuth2: 2, Rules: 7}},
		{10, mix{Links: 2, Consumers: 2, OAuth2: 1, Rules: 5}},
		{5, mix{Links: 1, Consumers: 1, OAuth2: 1, Rules: 2}},
		{1, mix{Rules: 1}},
	} {
		if got := mixFor(tc.n); got != tc.want || got.total() != tc.n {
			t.Errorf("mixFor(%d) = %+v, want %+v", tc.n, got, tc.want)
		}
	}
}
