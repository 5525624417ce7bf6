package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applinks-iac/terraform-provider-applinks/internal/tfcli"
)

// The CI recipe of README.md ("The emulator in your own CI"), which the
// testing guide repeats word for word, run as a CI job would run it: bash,
// the emulator built from this tree, the provider installed by its setup
// step (make install-local, into a HOME of the test's own) and the real
// Terraform CLI, with README's first configuration and every proxy pointing
// nowhere, so that terraform init can only succeed offline. Only the ports
// differ, so that parallel runs do not collide, and the git clone of the
// setup step, which a symlink to this tree replaces.

// recipeBlocks returns the recipe's setup and run blocks from a page.
func recipeBlocks(t *testing.T, page string) (setup, run string) {
	t.Helper()
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?ms)^```shell\n(.*?)^```$").FindAllStringSubmatch(string(data), -1) {
		switch {
		case strings.Contains(m[1], "git clone --depth 1"):
			setup = m[1]
		case strings.Contains(m[1], "-ready-file"):
			run = m[1]
		}
	}
	if setup == "" || run == "" {
		t.Fatalf("%s: no CI recipe (a shell block with git clone --depth 1, and one with -ready-file)", page)
	}
	return setup, run
}

// recipeJob is a prepared CI job: a configuration folder with the
// provider installed and the emulator built, and the recipe to run there.
type recipeJob struct {
	dir, recipe string
	env         []string
}

func prepareRecipeJob(t *testing.T) recipeJob {
	t.Helper()
	setup, recipe := recipeBlocks(t, "../../README.md")
	guideSetup, guideRecipe := recipeBlocks(t, "../../docs/guides/testing-with-the-emulator.md")
	if guideSetup != setup || guideRecipe != recipe {
		t.Fatalf("the testing guide's CI recipe differs from README's:\n%s%s\nREADME:\n%s%s", guideSetup, guideRecipe, setup, recipe)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, using, _ := strings.Cut(string(readme), "## Using the provider")
	firstConfiguration := regexp.MustCompile("(?ms)^```terraform\n(.*?)^```$").FindStringSubmatch(using)
	if firstConfiguration == nil {
		t.Fatal("README's Using the provider has no terraform block")
	}

	work := t.TempDir()
	home, dir := filepath.Join(work, "home"), filepath.Join(work, "config")
	for _, d := range []string{home, dir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(firstConfiguration[1]), 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The checkout the setup step clones.
	if err := os.Symlink(root, filepath.Join(home, "applinks")); err != nil {
		t.Fatal(err)
	}

	terraformPath := tfcli.ForTest(t)
	if filepath.Base(terraformPath) == "tofu" {
		// The recipe runs `terraform`: with TF_ACC_TERRAFORM_PATH at an
		// OpenTofu binary, that name is OpenTofu, as in a job that runs it.
		bin := t.TempDir()
		if err := os.Symlink(terraformPath, filepath.Join(bin, "terraform")); err != nil {
			t.Fatal(err)
		}
		terraformPath = filepath.Join(bin, "terraform")
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "APPLINKS_") ||
			slices.Contains([]string{"HOME", "PATH", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "XDG_DATA_HOME", "XDG_CONFIG_HOME"}, name)
	})
	env = append(env,
		"HOME="+home,
		"PATH="+filepath.Dir(terraformPath)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9",
		"CHECKPOINT_DISABLE=1",
	)
	// Go keeps its caches where it has them, not under the new HOME.
	for _, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(out)))
	}

	setupSteps := strings.Join(slices.DeleteFunc(strings.Split(setup, "\n"), func(line string) bool {
		return strings.HasPrefix(line, "git clone ")
	}), "\n")
	if out, err := runBash(t, dir, env, "set -eu\n"+setupSteps, 5*time.Minute); err != nil {
		t.Fatalf("setup step: %v\n%s", err, out)
	}
	return recipeJob{dir: dir, recipe: recipe, env: env}
}

// withPorts puts the instances on other ports than the recipe's.
func (j recipeJob) withPorts(jira, confluence string) string {
	return strings.NewReplacer("2990", jira, "1990", confluence).Replace(j.recipe)
}

func runBash(t *testing.T, dir string, env []string, script string, within time.Duration) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "job.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", path)
	cmd.Dir, cmd.Env = dir, env
	// An emulator the job left running would hold the output pipe open;
	// WaitDelay keeps that from blocking Wait.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the job still runs after %s:\n%s", within, out.String())
	}
	return out.String(), err
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return portOf(t, l)
}

// portOf is the port a listener listens on.
func portOf(t *testing.T, l net.Listener) string {
	t.Helper()
	_, port, err := net.SplitHostPort(l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func TestCIRecipe(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	if _, err := exec.LookPath("timeout"); err != nil {
		t.Skip("no timeout command")
	}
	job := prepareRecipeJob(t)

	t.Run("applies offline, plans clean and stops the emulator", func(t *testing.T) {
		jira, confluence := freePort(t), freePort(t)
		out, err := runBash(t, job.dir, job.env, job.withPorts(jira, confluence), 5*time.Minute)
		if err != nil {
			t.Fatalf("the recipe failed: %v\n%s", err, out)
		}
		for _, want := range []string{
			"Installing applinks-iac/applinks v0.1.0", "Apply complete!", "No changes.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		// The trap stopped the emulator: nothing listens any more, and it
		// took its ready file with it.
		deadline := time.Now().Add(10 * time.Second)
		for {
			conn, err := net.DialTimeout("tcp", "127.0.0.1:"+jira, time.Second)
			if err != nil {
				break
			}
			conn.Close()
			if time.Now().After(deadline) {
				t.Fatalf("the emulator still listens on %s after the job ended", jira)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := os.Stat(filepath.Join(job.dir, "instances.json")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("instances.json outlives the emulator (%v)", err)
		}
	})

	t.Run("fails fast when a port is taken", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		start := time.Now()
		out, err := runBash(t, job.dir, job.env, job.withPorts(freePort(t), portOf(t, taken)), 30*time.Second)
		elapsed := time.Since(start)
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
			t.Fatalf("the recipe exited %v with a port taken, want a failure:\n%s", err, out)
		}
		if !strings.Contains(out, "address already in use") || strings.Contains(out, "Initializing") {
			t.Errorf("want the emulator's bind error and no terraform run:\n%s", out)
		}
		if elapsed > 15*time.Second {
			t.Errorf("the recipe took %s to fail, want well under its 60s bound", elapsed)
		}
		t.Logf("failed with exit code %d after %s:\n%s", exitErr.ExitCode(), elapsed.Round(time.Millisecond), out)
	})
}
