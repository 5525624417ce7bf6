package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// TestDocumentationSnippetsRunAsPasted holds every ```terraform and ```hcl
// block of README.md and docs/**/*.md (the generated docs, guides and the
// examples they embed included) to what a reader who pastes it gets, with
// the provider built from this tree in a filesystem mirror and no network.
//
// The rule, in page order:
//
//   - A snippet with a top-level `terraform` block is complete: it starts a
//     configuration of its own. It must hold required_providers, since
//     without it `applinks` means hashicorp/applinks, which no registry has.
//   - Any other snippet is a fragment: it adds to the configuration the
//     last complete snippet above it on its page started (with none above,
//     to one holding only the terraform block). A fragment's block with the
//     same type and labels as an earlier one replaces it, as a guide's
//     "use this instead" means.
//   - Every snippet is formatted as `terraform fmt` writes it, and its
//     configuration, as it stands with that snippet's own blocks in place,
//     passes `terraform init` and `terraform validate`.
//   - A complete snippet whose every provider block takes `url` from a
//     variable, and which has no import block, is also applied on its own
//     to a fresh emulated Jira and Confluence, planned again (the plan
//     must be empty, as a plan-only CI job needs) and destroyed. Its
//     variables get the values of snippetVariables.
//   - The one way out: a snippet directly below the HTML comment
//     `<!-- snippet: not run, <reason> -->` (which Markdown does not show)
//     is only held to `terraform fmt`, and the others of its page go on as
//     if it were not there. It is for what cannot run here, such as a
//     module call whose folder the reader writes, and the reason must say
//     which; any other `<!-- snippet` comment above a fence fails.
//
// init runs once per configuration. It links the provider from the
// unpacked mirror rather than copying it, so the mirror is the one shared
// copy; a plugin_cache_dir is left out on purpose, since parallel inits
// rewrite its entries under each other ("no such file" at validate).
func TestDocumentationSnippetsRunAsPasted(t *testing.T) {
	t.Parallel()
	terraformPath := tfcli.ForTest(t)
	if !terraformAtLeast(t, terraformPath, nil, 1, 11) {
		t.Skip("the docs show write-only attributes, which need Terraform or OpenTofu 1.11 or newer")
	}
	started := time.Now()
	env := snippetCLIEnvironment(t)

	var pages []string
	if err := filepath.WalkDir("../../docs", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"../../README.md"}, pages...)

	snippetCount := 0
	var configurations []snippetConfiguration
	var applied, notRun []snippet
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		snippets, skipped, problems := runnableSnippets(extractSnippets(strings.TrimPrefix(page, "../../"), string(data)))
		for _, problem := range problems {
			t.Error(problem)
		}
		snippetCount += len(snippets) + len(skipped)
		notRun = append(notRun, skipped...)
		configurations = append(configurations, snippetConfigurations(snippets)...)
		for _, s := range snippets {
			if s.appliable() {
				applied = append(applied, s)
			}
		}
	}
	if snippetCount < 30 || len(applied) < 3 {
		t.Fatalf("found %d snippets, %d of them to apply: the extraction is broken", snippetCount, len(applied))
	}

	t.Run("group", func(t *testing.T) {
		for _, c := range configurations {
			t.Run(c.name(), func(t *testing.T) {
				t.Parallel()
				for _, s := range c.snippets {
					if formatted := terraformFormat(t, terraformPath, s.text); formatted != s.text {
						t.Errorf("%s is not formatted as terraform fmt writes it:\n%s", s.location(), formatted)
					}
				}
				// terraform validate leaves provider blocks unevaluated, so a
				// variable only a provider block reads is checked here.
				for _, name := range undeclaredVariables(c.text) {
					t.Errorf("%s reads var.%s, which no variable block of it declares", c.name(), name)
				}
				dir := writeSnippetConfiguration(t, c.text)
				runTerraform(t, terraformPath, dir, env, "init", "-input=false")
				runTerraform(t, terraformPath, dir, env, "validate")
			})
		}
		for _, s := range applied {
			t.Run("apply "+s.location(), func(t *testing.T) {
				t.Parallel()
				applySnippet(t, terraformPath, env, s)
			})
		}
		for _, s := range notRun {
			t.Run("not run "+s.location(), func(t *testing.T) {
				t.Parallel()
				if formatted := terraformFormat(t, terraformPath, s.text); formatted != s.text {
					t.Errorf("%s is not formatted as terraform fmt writes it:\n%s", s.location(), formatted)
				}
			})
		}
	})
	t.Logf("%d snippets in %d pages: %d configurations validated, %d applied, %d not run, in %s",
		snippetCount, len(pages), len(configurations), len(applied), len(notRun), time.Since(started).Round(time.Second))
}

// snippetVariables are the values an applied snippet's variables get: the
// emulator's URLs and credentials. A snippet that declares a variable
// without a default and not listed here fails, naming it.
func snippetVariables(jiraURL, confluenceURL string) map[string]string {
	return map[string]string{
		"jira_url":            jiraURL,
		"confluence_url":      confluenceURL,
		"admin_token":         "admin-token",
		"jira_token":          "admin-token",
		"confluence_token":    "admin-token",
		"jira_admin_password": "admin",
	}
}

// snippet is one fenced block of HCL; marker is the `<!-- snippet` comment
// on the line above it, if there is one.
type snippet struct {
	page   string
	line   int
	text   string
	marker string
}

func (s snippet) location() string { return fmt.Sprintf("%s:%d", s.page, s.line) }

var (
	fencedHCL           = regexp.MustCompile("(?ms)^```(?:terraform|hcl)\n(.*?)^```$")
	terraformBlock      = regexp.MustCompile(`(?m)^terraform \{`)
	importBlock         = regexp.MustCompile(`(?m)^import \{`)
	providerBlock       = regexp.MustCompile(`(?m)^provider "applinks" \{`)
	urlFromVariable     = regexp.MustCompile(`(?m)^\s+url\s*=\s*var\.`)
	requiredVariable    = regexp.MustCompile(`(?ms)^variable "([^"]+)" \{\n(.*?)^\}`)
	variableWithDefault = regexp.MustCompile(`(?m)^\s+default\s*=`)
	providerAlias       = regexp.MustCompile(`(?m)^\s+alias\s*=\s*"([^"]+)"`)
	notRunMarker        = regexp.MustCompile(`^<!-- snippet: not run, (.*\S.*) -->$`)
)

// snippetMarkerPrefix starts every comment meant for this test, so that a
// misspelt marker fails instead of being ignored.
const snippetMarkerPrefix = "<!-- snippet"

func (s snippet) complete() bool { return terraformBlock.MatchString(s.text) }

func (s snippet) appliable() bool {
	providers := len(providerBlock.FindAllString(s.text, -1))
	return s.complete() && providers > 0 && providers == len(urlFromVariable.FindAllString(s.text, -1)) &&
		!importBlock.MatchString(s.text)
}

// requiredVariables are the variables the snippet declares without a
// default.
func (s snippet) requiredVariables() []string {
	var names []string
	for _, m := range requiredVariable.FindAllStringSubmatch(s.text, -1) {
		if !variableWithDefault.MatchString(m[2]) {
			names = append(names, m[1])
		}
	}
	return names
}

func extractSnippets(page, markdown string) []snippet {
	var snippets []snippet
	for _, m := range fencedHCL.FindAllStringSubmatchIndex(markdown, -1) {
		above := strings.TrimSuffix(markdown[:m[0]], "\n")
		above = above[strings.LastIndex(above, "\n")+1:]
		s := snippet{
			page: page,
			line: strings.Count(markdown[:m[0]], "\n") + 1,
			text: markdown[m[2]:m[3]],
		}
		if strings.HasPrefix(above, snippetMarkerPrefix) {
			s.marker = above
		}
		snippets = append(snippets, s)
	}
	return snippets
}

// runnableSnippets takes out of a page's snippets the ones marked not to
// run, and names every marker that is not the rule's.
func runnableSnippets(snippets []snippet) (runnable, notRun []snippet, problems []string) {
	for _, s := range snippets {
		switch {
		case s.marker == "":
			runnable = append(runnable, s)
		case notRunMarker.MatchString(s.marker):
			notRun = append(notRun, s)
		default:
			problems = append(problems, fmt.Sprintf("%s: the comment above it, %s, is not %s: not run, <reason> -->",
				s.location(), s.marker, snippetMarkerPrefix))
		}
	}
	return runnable, notRun, problems
}

// hclBlock is one top-level block (or attribute) of a snippet, with the
// comment lines above it; key is its type and labels.
type hclBlock struct{ key, text string }

// topLevelBlocks splits formatted HCL into its top-level blocks: a block
// opens on an unindented line ending in "{" and closes on a line "}".
func topLevelBlocks(src string) []hclBlock {
	var blocks []hclBlock
	var pending, current []string
	key := ""
	for _, line := range strings.Split(strings.TrimRight(src, "\n"), "\n") {
		switch {
		case current != nil:
			current = append(current, line)
			if line == "}" {
				text := strings.Join(current, "\n")
				// Provider blocks of one provider differ by alias.
				if alias := providerAlias.FindStringSubmatch(text); strings.HasPrefix(key, "provider ") && alias != nil {
					key += " " + alias[1]
				}
				blocks = append(blocks, hclBlock{key: key, text: text})
				current = nil
			}
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//"):
			pending = append(pending, line)
		case strings.HasSuffix(line, "{"):
			key = strings.TrimSpace(strings.TrimSuffix(line, "{"))
			current = append(pending, line)
			pending = nil
		default: // a one-line block or an attribute
			lineKey, _, _ := strings.Cut(line, "{")
			blocks = append(blocks, hclBlock{key: strings.TrimSpace(lineKey), text: strings.Join(append(pending, line), "\n")})
			pending = nil
		}
	}
	if current != nil { // unterminated: keep it, so validate reports it
		blocks = append(blocks, hclBlock{key: key, text: strings.Join(current, "\n")})
	}
	return blocks
}

// snippetConfiguration is one configuration to validate and the snippets
// it stands for.
type snippetConfiguration struct {
	snippets []snippet
	text     string
}

func (c snippetConfiguration) name() string {
	first, last := c.snippets[0], c.snippets[len(c.snippets)-1]
	if first.line == last.line {
		return first.location()
	}
	return fmt.Sprintf("%s-%d", first.location(), last.line)
}

// stubTerraformBlock is what a fragment with no complete snippet above it
// joins.
const stubTerraformBlock = `terraform {
  required_providers {
    applinks = {
      source = "applinks-iac/applinks"
    }
  }
}
`

// snippetConfigurations applies the rule of the test's comment to one
// page's snippets.
func snippetConfigurations(snippets []snippet) []snippetConfiguration {
	var groups [][]snippet
	for _, s := range snippets {
		if s.complete() || len(groups) == 0 {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], s)
	}
	var configurations []snippetConfiguration
	for _, group := range groups {
		byText := map[string]int{}
		for _, own := range group {
			text := mergeSnippets(group, own)
			if i, seen := byText[text]; seen {
				configurations[i].snippets = append(configurations[i].snippets, own)
				continue
			}
			byText[text] = len(configurations)
			configurations = append(configurations, snippetConfiguration{snippets: []snippet{own}, text: text})
		}
	}
	return configurations
}

// mergeSnippets joins a group's snippets in order, later blocks replacing
// earlier ones of the same key in place, and own's blocks last of all.
func mergeSnippets(group []snippet, own snippet) string {
	var keys []string
	texts := map[string]string{}
	add := func(s snippet) {
		for _, b := range topLevelBlocks(s.text) {
			if _, seen := texts[b.key]; !seen {
				keys = append(keys, b.key)
			}
			texts[b.key] = b.text
		}
	}
	if !group[0].complete() {
		add(snippet{text: stubTerraformBlock})
	}
	for _, s := range group {
		add(s)
	}
	add(own)
	var out strings.Builder
	for _, k := range keys {
		out.WriteString(texts[k])
		out.WriteString("\n\n")
	}
	return out.String()
}

// snippetCLIEnvironment builds the provider into a filesystem mirror at
// the version CHANGELOG.md names, and returns the environment of a CLI
// configuration that installs from that mirror only, with every proxy
// pointing nowhere so that nothing reaches a registry.
func snippetCLIEnvironment(t *testing.T) []string {
	t.Helper()
	version := changelogVersion(t)
	work := t.TempDir()
	mirror := filepath.Join(work, "mirror")
	platformDir := filepath.Join(mirror, tfcli.ProviderAddress, version, runtime.GOOS+"_"+runtime.GOARCH)
	var buildOutput strings.Builder
	if err := tfcli.Build("../..", ".", platformDir, "terraform-provider-applinks_v"+version, &buildOutput); err != nil {
		t.Fatalf("%v\n%s", err, buildOutput.String())
	}
	config := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
}
`, mirror, tfcli.ProviderAddress)
	configPath := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "APPLINKS_") || strings.EqualFold(name, "https_proxy") || strings.EqualFold(name, "http_proxy")
	})
	return append(env, "TF_CLI_CONFIG_FILE="+configPath, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9")
}

// changelogVersion is the newest release heading of CHANGELOG.md, the
// version `make install-local` installs.
func changelogVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## ([0-9]+\.[0-9]+\.[0-9]+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("CHANGELOG.md has no release heading")
	}
	return string(m[1])
}

func writeSnippetConfiguration(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func terraformFormat(t *testing.T, terraformPath, text string) string {
	t.Helper()
	cmd := exec.Command(terraformPath, "fmt", "-no-color", "-")
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform fmt: %v\n%s\n%s", err, stderr.String(), text)
	}
	return string(out)
}

// runTerraform runs one command and fails the test, showing the
// configuration, unless it exits with one of the codes (0 by default).
func runTerraform(t *testing.T, terraformPath, dir string, env []string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, terraformPath, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		config, _ := os.ReadFile(filepath.Join(dir, "main.tf"))
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && args[0] == "plan" && exitErr.ExitCode() == 2 {
			t.Fatalf("terraform plan after the apply is not empty:\n%s\nconfiguration:\n%s", out, config)
		}
		t.Fatalf("terraform %s: %v\n%s\nconfiguration:\n%s", strings.Join(args, " "), err, out, config)
	}
}

// applySnippet applies a complete snippet to fresh emulated instances,
// plans again, which must show nothing, and destroys.
func applySnippet(t *testing.T, terraformPath string, env []string, s snippet) {
	server, err := emulator.Start(emulator.Options{},
		emulator.InstanceConfig{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"},
		emulator.InstanceConfig{Name: "confluence", Type: "confluence", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	values := snippetVariables(server.Instance("jira").URL(), server.Instance("confluence").URL())
	env = slices.Clone(env)
	for _, name := range s.requiredVariables() {
		value, ok := values[name]
		if !ok {
			t.Fatalf("%s declares variable %q, which the test has no emulator value for: add one to snippetVariables", s.location(), name)
		}
		env = append(env, "TF_VAR_"+name+"="+value)
	}
	dir := writeSnippetConfiguration(t, s.text)
	runTerraform(t, terraformPath, dir, env, "init", "-input=false")
	runTerraform(t, terraformPath, dir, env, "apply", "-auto-approve", "-input=false")
	runTerraform(t, terraformPath, dir, env, "plan", "-detailed-exitcode", "-input=false")
	runTerraform(t, terraformPath, dir, env, "destroy", "-auto-approve", "-input=false")
}

// The rule of TestDocumentationSnippetsRunAsPasted on a page of its own:
// fragments join the complete snippet above them, a repeated block
// replaces the earlier one, each alternative is validated in place, and a
// snippet marked not to run is left out as if it were not there.
func TestSnippetConfigurationsFollowTheRule(t *testing.T) {
	page := "# Page\n\n```hcl\nresource \"a\" \"orphan\" {}\n```\n\n" +
		"```terraform\nterraform {}\n\nvariable \"secret\" {\n  ephemeral = true\n}\n```\n\n" +
		"```terraform\n# Uses the secret.\nresource \"x\" \"y\" {\n  wo = var.secret\n}\n```\n\n" +
		"<!-- snippet: not run, calls a module folder -->\n```terraform\nterraform {}\n\nmodule \"m\" {\n  source = \"./m\"\n}\n```\n\n" +
		"Or, instead:\n\n```terraform\nvariable \"secret\" {\n  sensitive = true\n}\n```\n\n" +
		"```shell\nterraform apply\n```\n"
	snippets, notRun, problems := runnableSnippets(extractSnippets("page.md", page))
	if len(snippets) != 4 || snippets[1].line != 7 || !snippets[1].complete() || snippets[2].complete() {
		t.Fatalf("snippets: %+v", snippets)
	}
	if len(notRun) != 1 || notRun[0].line != 23 || len(problems) != 0 {
		t.Fatalf("not run: %+v, problems: %q", notRun, problems)
	}
	configurations := snippetConfigurations(snippets)
	var got []string
	for _, c := range configurations {
		got = append(got, c.name()+"\n"+c.text)
	}
	// The complete snippet is validated with its own variable in place; the
	// fragment after it, like the alternative, with the alternative's.
	want := []string{
		"page.md:3\n" + stubTerraformBlock + "\n" + "resource \"a\" \"orphan\" {}\n\n",
		"page.md:7\nterraform {}\n\n\nvariable \"secret\" {\n  ephemeral = true\n}\n\n# Uses the secret.\nresource \"x\" \"y\" {\n  wo = var.secret\n}\n\n",
		"page.md:15-33\nterraform {}\n\nvariable \"secret\" {\n  sensitive = true\n}\n\n# Uses the secret.\nresource \"x\" \"y\" {\n  wo = var.secret\n}\n\n",
	}
	if !slices.Equal(got, want) {
		t.Errorf("configurations:\n%q\nwant:\n%q", got, want)
	}
	s := snippet{text: "terraform {}\n\nvariable \"jira_url\" {\n  type = string\n}\n\nvariable \"x\" {\n  default = 1\n}\n\nprovider \"applinks\" {\n  url = var.jira_url\n}\n"}
	if !s.appliable() || !slices.Equal(s.requiredVariables(), []string{"jira_url"}) {
		t.Errorf("appliable %v, required %v", s.appliable(), s.requiredVariables())
	}
	if literal := (snippet{text: "terraform {}\n\nprovider \"applinks\" {\n  url = \"https://jira.example.com\"\n}\n"}); literal.appliable() {
		t.Error("a snippet with a literal url is applied")
	}
	// A marker without a reason, or misspelt, fails rather than lets its
	// snippet run or skip unnoticed.
	for _, marker := range []string{"<!-- snippet: not run -->", "<!-- snippet: not run,  -->", "<!-- snippet: skip, offline -->"} {
		runnable, skipped, problems := runnableSnippets(extractSnippets("bad.md", marker+"\n```hcl\nx {}\n```\n"))
		if len(runnable) != 0 || len(skipped) != 0 || len(problems) != 1 {
			t.Errorf("%s: runnable %v, not run %v, problems %q", marker, runnable, skipped, problems)
		}
	}
}

var (
	variableReference   = regexp.MustCompile(`\bvar\.([A-Za-z_][A-Za-z0-9_-]*)`)
	variableDeclaration = regexp.MustCompile(`(?m)^\s*variable\s+"([^"]+)"`)
)

// undeclaredVariables are the variables a configuration reads and does not
// declare, in the order they are first read.
func undeclaredVariables(text string) []string {
	declared := map[string]bool{}
	for _, m := range variableDeclaration.FindAllStringSubmatch(text, -1) {
		declared[m[1]] = true
	}
	var code strings.Builder
	for _, line := range strings.Split(text, "\n") {
		// A comment such as README's "# token = var.jira_token" is no
		// reference; a # inside a string (an even count of quotes before it
		// is outside one) stays.
		for i, r := range line {
			if r == '#' && strings.Count(line[:i], `"`)%2 == 0 {
				line = line[:i]
				break
			}
		}
		code.WriteString(line + "\n")
	}
	var missing []string
	for _, m := range variableReference.FindAllStringSubmatch(code.String(), -1) {
		if !declared[m[1]] && !slices.Contains(missing, m[1]) {
			missing = append(missing, m[1])
		}
	}
	return missing
}
