package main

import "fmt"

// families are the reliability scenarios RELIABILITY.md reports, each a
// -run pattern over some packages. A family whose pattern matches no test
// fails the report, so a renamed test cannot silently drop out of it.
var families = []Family{
	{
		Key:   "faults",
		Title: "Faults",
		About: "Terraform applies and destroys while the emulator injects server errors, rate limits, dropped " +
			"connections and timeouts; the run ends with exactly the configured objects and no duplicate.",
		Packages: []string{"./internal/provider"},
		Run:      "^TestAccFault_",
		Summary: func(r *FamilyResult) string {
			passed, total := r.passedScenarios()
			return fmt.Sprintf("Faults survived: %d of %d", passed, total)
		},
	},
	{
		Key:   "ownership",
		Title: "Ownership",
		About: "Creates whose answer is lost, while another Terraform working directory applies to the same instance " +
			"or the same configuration holds identical rules: nothing another workspace made is adopted or deleted, " +
			"and every object ends in exactly one address.",
		Packages: []string{"./internal/provider"},
		Run:      "^TestAccOwnership_",
		Summary: func(r *FamilyResult) string {
			passed, total := r.passedScenarios()
			lost, _ := r.figureSum("lost")
			duplicates, _ := r.figureSum("duplicates")
			orphans, _ := r.figureSum("orphans")
			return fmt.Sprintf("Ownership held: %d of %d scenarios; objects lost %s, duplicated %s, orphaned %s",
				passed, total, number(lost), number(duplicates), number(orphans))
		},
	},
	{
		Key:   "badinput",
		Title: "Bad input",
		About: "Each malformed configuration value fails with a diagnostic that names the problem, " +
			"before or at apply, and leaves nothing half-made; a value that works but allows more than it seems " +
			"(a wildcard that matches any host, a regular expression that can backtrack for ever) plans with a warning.",
		Packages: []string{"./internal/provider"},
		Run:      "^TestAccBadInput$",
		Summary: func(r *FamilyResult) string {
			passed, total := r.passedScenarios()
			return fmt.Sprintf("Bad inputs tried: %d (%d diagnosed)", total, passed)
		},
	},
	{
		Key:   "planconflicts",
		Title: "Plan-time conflicts",
		About: "Configurations whose resources cannot all hold at once on one instance (two primary links of one " +
			"type, one link in two addresses, one application spelt two ways) fail at plan time, before anything is created, " +
			"with a diagnostic that names the conflict and the fix; spellings of one URL that are the same are not conflicts.",
		Packages: []string{"./internal/provider"},
		Run:      "^TestAccPlanConflict_",
		Summary: func(r *FamilyResult) string {
			passed, total := r.passedScenarios()
			return fmt.Sprintf("Plan-time conflicts caught: %d of %d scenarios", passed, total)
		},
	},
	{
		Key:   "load",
		Title: "Load",
		About: "Many links, OAuth consumers and allowlist rules applied at -parallelism=10, applied again with an " +
			"empty plan, then destroyed; the instance is counted over HTTP after each step.",
		Packages: []string{"./internal/provider"},
		Run:      "^TestAccLoad$",
		Summary:  loadSummary,
	},
	{
		Key:   "secrets",
		Title: "Secrets",
		About: "No password, token, shared secret, remote admin password or private key appears in a TRACE log, in plan " +
			"or apply output or in an error message, in any encoding (raw, JSON-escaped every way, percent-encoded, " +
			"base64, quoted in a URL parse error), even when the server echoes it escaped or a URL holding it does not " +
			"parse; the search proves itself on a canary.",
		Packages: []string{"./internal/provider"},
		Run:      "^(TestAccProvider_traceLogHasNoSecrets|TestAccProvider_cliOutputHasNoSecrets|TestAccProvider_oauth2SecretsNeverShown|TestSecretFormsFindEveryEncoding|TestProvider_brokenURLKeepsPasswordSecret)$",
		Summary:  secretsSummary,
	},
	{
		Key:      "escaping",
		Title:    "Id escaping",
		About:    "No id, whatever its characters, can leave its path segment in any call the client makes.",
		Packages: []string{"./internal/client"},
		Run:      "^TestEveryIDIsOnePathSegment$",
	},
	{
		Key:      "malformed",
		Title:    "Malformed bodies",
		About:    "No malformed request body takes an emulated instance down or gets a 5xx.",
		Packages: []string{"./internal/emulator"},
		Run:      "^TestMalformedBodiesNeverCrashAnInstance$",
	},
	{
		Key:              "fuzz",
		Title:            "Fuzz seed corpora",
		About:            "Every Fuzz target's seed inputs run as plain tests (no fuzzing engine).",
		Packages:         []string{"./..."},
		Run:              "^Fuzz",
		CollapseSubtests: true,
		Summary: func(r *FamilyResult) string {
			seeds, passed := 0, 0
			for _, t := range r.Tests {
				for _, seed := range t.leaves() {
					seeds++
					if seed.Passed() {
						passed++
					}
				}
			}
			return fmt.Sprintf("Fuzz seeds run: %d (%d passed) over %d targets", seeds, passed, len(r.Tests))
		},
	},
}

func loadSummary(r *FamilyResult) string {
	const test = "TestAccLoad"
	objects, ok := r.figure(test, "objects")
	if !ok || !r.Passed() {
		return "Load: did not hold (see the Load table)"
	}
	duplicates, _ := r.figure(test, "duplicates")
	orphans, _ := r.figure(test, "orphans")
	requests, _ := r.figure(test, "requests")
	return fmt.Sprintf("Load held: %s objects applied, re-applied with an empty plan, destroyed; duplicates %s, orphans %s; %s requests",
		number(objects), number(duplicates), number(orphans), number(requests))
}

func secretsSummary(r *FamilyResult) string {
	leaks, found := r.figureSum("leaks")
	secrets, _ := r.figureSum("secrets")
	bytes, _ := r.figureSum("bytes")
	if !found {
		return "Secrets: no test reported its search"
	}
	searches := 0
	for _, t := range r.sortedTests() {
		if _, ok := t.Figures["leaks"]; ok {
			searches++
		}
	}
	return fmt.Sprintf("Secrets leaked: %s (%d tests searched %s bytes of output for %s secrets in all)",
		number(leaks), searches, number(bytes), number(secrets))
}
