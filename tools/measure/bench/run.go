package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

const (
	noopAddress    = "registry.terraform.io/applinks-iac/noop"
	oursBinary     = "terraform-provider-applinks"
	noopBinary     = "terraform-provider-noop"
	stateFile      = "terraform.tfstate"
	emulatorToken  = "admin-token"
	outputTailSize = 40 // lines of a failed command's output to report
)

// runner holds what every measurement of one bench run shares.
type runner struct {
	terraform string
	env       []string // the environment of every terraform command
	peakLog   string
	progress  io.Writer
}

func bench(opts options, progress io.Writer) (environment, []row, error) {
	started := time.Now()
	env, err := describe(opts)
	if err != nil {
		return env, nil, err
	}
	work, err := os.MkdirTemp("", "applinks-bench-")
	if err != nil {
		return env, nil, err
	}
	if opts.keep {
		fmt.Fprintf(progress, "==> keeping %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	fmt.Fprintln(progress, "==> building the provider and the no-op provider")
	realDir, wrapDir := filepath.Join(work, "bin"), filepath.Join(work, "wrappers")
	if err := tfcli.Build(opts.root, ".", realDir, oursBinary, progress); err != nil {
		return env, nil, err
	}
	if err := tfcli.Build(opts.root, "./tools/measure/noopprovider", realDir, noopBinary, progress); err != nil {
		return env, nil, err
	}
	if err := installWrappers(wrapDir, oursBinary, noopBinary); err != nil {
		return env, nil, err
	}
	cliEnv, err := tfcli.WriteCLIConfig(filepath.Join(work, "terraformrc"), map[string]string{
		tfcli.ProviderAddress: wrapDir,
		noopAddress:           wrapDir,
	})
	if err != nil {
		return env, nil, err
	}
	r := runner{
		terraform: opts.terraform,
		peakLog:   filepath.Join(work, "peaks.log"),
		progress:  progress,
	}
	r.env = append(append(os.Environ(), cliEnv...),
		envRealDir+"="+realDir, envPeakLog+"="+r.peakLog, "TF_VAR_admin_token="+emulatorToken)

	publicKey, err := newPublicKey()
	if err != nil {
		return env, nil, err
	}
	var rows []row
	for _, n := range opts.sizes {
		s, err := r.measureSize(filepath.Join(work, fmt.Sprintf("n%d", n)), n, opts.reps, publicKey)
		if err != nil {
			return env, nil, fmt.Errorf("with %d objects: %w", n, err)
		}
		rows = append(rows, summarise(s))
	}
	env.Wall = time.Since(started).Round(time.Second).String()
	return env, rows, nil
}

// measureSize runs the reps of one size, interleaving the flavours.
func (r runner) measureSize(dir string, n, reps int, publicKey string) (samples, error) {
	m := mixFor(n)
	s := samples{mix: m}
	objs := objects(m, publicKey)
	dirs := make(map[flavour]string)
	for _, f := range []flavour{ours, noop, data} {
		dirs[f] = filepath.Join(dir, f.String())
		if err := os.MkdirAll(dirs[f], 0o700); err != nil {
			return s, err
		}
		if err := os.WriteFile(filepath.Join(dirs[f], "main.tf"), []byte(configuration(f, objs)), 0o600); err != nil {
			return s, err
		}
	}
	fmt.Fprintf(r.progress, "==> N=%d: %d links (%d Atlassian), %d consumers, %d OAuth 2.0 objects, %d entity links, %d rules; %d reps\n",
		n, m.Links, m.AtlassianLinks, m.Consumers, m.OAuth2, m.EntityLinks, m.Rules, reps)
	for rep := 1; rep <= reps; rep++ {
		o, err := r.measureOurs(dirs[ours], m)
		if err != nil {
			return s, fmt.Errorf("rep %d, ours: %w", rep, err)
		}
		nm, err := r.measure(dirs[noop], true, nil, noopBinary)
		if err != nil {
			return s, fmt.Errorf("rep %d, noop: %w", rep, err)
		}
		d, err := r.measure(dirs[data], false, nil, "")
		if err != nil {
			return s, fmt.Errorf("rep %d, terraform_data: %w", rep, err)
		}
		s.oursApply, s.oursPlan = append(s.oursApply, o.apply), append(s.oursPlan, o.plan)
		s.noopApply, s.noopPlan = append(s.noopApply, nm.apply), append(s.noopPlan, nm.plan)
		s.dataPlan = append(s.dataPlan, d.plan)
		s.planRatio = append(s.planRatio, o.plan/nm.plan)
		s.requests = append(s.requests, float64(o.rules+o.entityLinks+o.others))
		s.entityLinkRequests = append(s.entityLinkRequests, float64(o.entityLinks))
		s.ruleRequests = append(s.ruleRequests, float64(o.rules))
		s.otherRequests = append(s.otherRequests, float64(o.others))
		s.oursPeakMiB = append(s.oursPeakMiB, float64(o.peakKiB)/1024)
		s.oursPlanPeakMiB = append(s.oursPlanPeakMiB, float64(o.planPeakKiB)/1024)
		s.noopPeakMiB = append(s.noopPeakMiB, float64(nm.peakKiB)/1024)
		s.endpoints = o.endpoints
		fmt.Fprintf(r.progress, "    rep %d: ours apply %.2fs plan %.2fs (%d requests: %d rules, %d entity links, %d others; peak %.1f MiB) | "+
			"noop apply %.2fs plan %.2fs (peak %.1f MiB) | terraform_data plan %.2fs\n",
			rep, o.apply, o.plan, o.rules+o.entityLinks+o.others, o.rules, o.entityLinks, o.others, float64(o.peakKiB)/1024,
			nm.apply, nm.plan, float64(nm.peakKiB)/1024, d.plan)
	}
	return s, nil
}

// measurement is one rep of one flavour.
type measurement struct {
	apply, plan   float64 // seconds
	rules, others int     // requests during the plan
	entityLinks   int     // of the others, those for entity links
	endpoints     map[string]int
	peakKiB       int64 // of the apply and the plan
	planPeakKiB   int64 // of the plan alone
}

// measureOurs applies our configuration to freshly started instances,
// then times the refreshing plan and counts the requests it makes.
func (r runner) measureOurs(dir string, m mix) (measurement, error) {
	instances := []emulator.InstanceConfig{{Name: "jira", Type: "jira", Addr: "127.0.0.1:0"}}
	for _, p := range peers[:m.AtlassianLinks] {
		instances = append(instances, emulator.InstanceConfig{Name: p.name, Type: p.instanceType, Addr: "127.0.0.1:0"})
	}
	server, err := emulator.Start(emulator.Options{Control: true, AllowAllHosts: true}, instances...)
	if err != nil {
		return measurement{}, fmt.Errorf("starting the emulator: %w", err)
	}
	defer server.Close()
	jira := server.Instance("jira")
	if err := createEntities(jira.URL(), server.Instance(peers[0].name), m); err != nil {
		return measurement{}, err
	}
	peerURLs := make([]string, 0, m.AtlassianLinks)
	for _, inst := range server.Instances()[1:] {
		peerURLs = append(peerURLs, inst.URL())
	}
	urls, err := json.Marshal(peerURLs)
	if err != nil {
		return measurement{}, err
	}
	vars := []string{"TF_VAR_jira_url=" + jira.URL(), "TF_VAR_peer_urls=" + string(urls)}
	probe := &requestProbe{
		reset: func() error { return control(jira.URL(), http.MethodPost, "reset", nil) },
		count: func() (map[string]int, error) {
			var counts struct {
				Requests map[string]int `json:"requests"`
			}
			err := control(jira.URL(), http.MethodGet, "requests", &counts)
			return counts.Requests, err
		},
	}
	return r.measure(dir, true, probe, oursBinary, vars...)
}

// createEntities makes the entity links' ends as users make them, through
// each product's own REST API: the Jira projects on jira, and on the
// Confluence (nil without one) a space per link.
func createEntities(jiraURL string, confluence *emulator.Instance, m mix) error {
	for p := range m.projects() {
		key := projectKey(p * entityLinksPerProject)
		if err := adminPost(jiraURL+"/rest/api/2/project", map[string]string{
			"key": key, "name": "Project " + key, "projectTypeKey": "software", "lead": "admin",
		}); err != nil {
			return err
		}
	}
	for i := range m.EntityLinks {
		if err := adminPost(confluence.URL()+"/rest/api/space", map[string]string{"key": spaceKey(i), "name": "Space " + spaceKey(i)}); err != nil {
			return err
		}
	}
	return nil
}

// adminPost posts body as JSON, as the emulator's default admin.
func adminPost(url string, body any) error {
	encoded, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(encoded))
	if err != nil {
		return err
	}
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Atlassian-Token", "no-check")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, text)
	}
	return nil
}

// requestProbe resets an instance's request counters right before the
// plan and counts the plan's requests after it.
type requestProbe struct {
	reset func() error
	count func() (map[string]int, error)
}

// measure applies the configuration in dir to an empty state and times
// it, or with timeApply false applies it untimed only when there is no
// state yet; then it times the refreshing plan, counting its requests
// with probe when there is one, and records the peak memory of the
// provider binary when there is one. vars are added to the environment.
func (r runner) measure(dir string, timeApply bool, probe *requestProbe, binary string, vars ...string) (measurement, error) {
	var m measurement
	state := filepath.Join(dir, stateFile)
	_, err := os.Stat(state)
	apply := timeApply || errors.Is(err, os.ErrNotExist)
	if timeApply {
		for _, name := range []string{state, state + ".backup"} {
			if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return m, err
			}
		}
	}
	if err := os.WriteFile(r.peakLog, nil, 0o600); err != nil {
		return m, err
	}
	tf := tfcli.Terraform{Path: r.terraform, Dir: dir, Env: append(append([]string(nil), r.env...), vars...)}
	if apply {
		if m.apply, err = r.timed(tf, "apply", "-auto-approve", "-input=false"); err != nil {
			return m, err
		}
	}
	if probe != nil {
		if err := probe.reset(); err != nil {
			return m, err
		}
	}
	// The peaks of the plan alone are told apart from the apply's.
	var applyPeaks map[string]int64
	if binary != "" {
		if applyPeaks, err = readPeaks(r.peakLog); err != nil {
			return m, err
		}
		if err := os.WriteFile(r.peakLog, nil, 0o600); err != nil {
			return m, err
		}
	}
	if m.plan, err = r.timed(tf, "plan", "-detailed-exitcode", "-input=false"); err != nil {
		return m, err
	}
	if probe != nil {
		counts, err := probe.count()
		if err != nil {
			return m, err
		}
		m.rules, m.others = attribute(counts)
		m.entityLinks = entityLinkRequests(counts)
		m.others -= m.entityLinks
		m.endpoints = byEndpoint(counts)
	}
	if binary != "" {
		peaks, err := readPeaks(r.peakLog)
		if err != nil {
			return m, err
		}
		if m.planPeakKiB = peaks[binary]; m.planPeakKiB == 0 {
			return m, fmt.Errorf("no peak memory was recorded for %s: did Terraform run the wrapper?", binary)
		}
		m.peakKiB = max(m.planPeakKiB, applyPeaks[binary])
	}
	return m, nil
}

// timed runs one terraform command and returns its wall time in seconds.
// A plan with changes (exit status 2 with -detailed-exitcode) is a
// failure: after an apply of the same configuration it must be empty.
func (r runner) timed(tf tfcli.Terraform, args ...string) (float64, error) {
	var out bytes.Buffer
	tf.Stdout, tf.Stderr = &out, &out
	start := time.Now()
	err := tf.Run(args...)
	elapsed := time.Since(start).Seconds()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 && args[0] == "plan" {
		return 0, fmt.Errorf("the refreshing plan after apply is not empty:\n%s", tail(out.String(), outputTailSize))
	}
	if err != nil {
		return 0, fmt.Errorf("%w:\n%s", err, tail(out.String(), outputTailSize))
	}
	return elapsed, nil
}

// control calls an instance's test-control API, decoding the answer into
// v when it is not nil.
func control(baseURL, method, what string, v any) error {
	req, err := http.NewRequest(method, baseURL+"/_emulator/"+what, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("emulator control %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("emulator control %s: %s", what, resp.Status)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// installWrappers puts the bench binary in dir under each provider name.
func installWrappers(dir string, names ...string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, name := range names {
		if err := os.Symlink(self, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// newPublicKey makes the incoming consumers' RSA public key, as bare
// base64; nothing is signed, so the private half is dropped.
func newPublicKey() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// describe gathers the report's header.
func describe(opts options) (environment, error) {
	env := environment{
		Date:    time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Machine: runtime.GOOS + "/" + runtime.GOARCH,
		Cores:   runtime.NumCPU(),
		Go:      runtime.Version(),
		Reps:    opts.reps,
		Sizes:   opts.sizes,
		Rerun:   rerunCommand(opts),
	}
	if model := cpuModel(); model != "" {
		env.Machine += ", " + model
	}
	raw, err := exec.Command(opts.terraform, "version", "-json").Output()
	if err != nil {
		return env, fmt.Errorf("terraform version: %w", err)
	}
	var version struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(raw, &version); err != nil {
		return env, fmt.Errorf("terraform version: %w", err)
	}
	env.Terraform = "v" + version.Version
	env.Commit = commit(opts.root, opts.out)
	return env, nil
}

func rerunCommand(opts options) string {
	var sizes []string
	for _, n := range opts.sizes {
		sizes = append(sizes, fmt.Sprint(n))
	}
	joined := strings.Join(sizes, ",")
	if joined == "50,200,500" && opts.reps == 5 {
		return "make bench"
	}
	return fmt.Sprintf(`go run ./tools/measure/bench -terraform "$(tools/ensure-terraform.sh)" -sizes %s -reps %d`, joined, opts.reps)
}

// commit names the source tree's commit, marked dirty when files other
// than the report differ from it.
func commit(root, report string) string {
	head, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(head))
	status, err := exec.Command("git", "-C", root, "status", "--porcelain").Output()
	if err != nil {
		return c
	}
	reportName := filepath.Base(report)
	for _, line := range strings.Split(strings.TrimSpace(string(status)), "\n") {
		if line != "" && filepath.Base(strings.TrimSpace(line[min(len(line), 3):])) != reportName {
			return c + " with uncommitted changes"
		}
	}
	return c
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if key, value, ok := strings.Cut(scanner.Text(), ":"); ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
