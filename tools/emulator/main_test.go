package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// emulatorBinary is the command, built once by TestMain.
var emulatorBinary string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "emulator-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	emulatorBinary = filepath.Join(dir, "emulator")
	if out, err := exec.Command("go", "build", "-o", emulatorBinary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// runningEmulator is a started command with the lines it printed.
type runningEmulator struct {
	cmd    *exec.Cmd
	lines  []instanceLine
	stderr *bytes.Buffer
}

// startEmulator runs the binary and waits for one JSON line per instance.
func startEmulator(t *testing.T, instances int, args ...string) *runningEmulator {
	t.Helper()
	cmd := exec.Command(emulatorBinary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	run := &runningEmulator{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = run.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	type parsedLine struct {
		line instanceLine
		err  error
	}
	lines := make(chan parsedLine)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			var parsed parsedLine
			var keys map[string]any
			if err := json.Unmarshal(scanner.Bytes(), &keys); err != nil || len(keys) != 4 {
				parsed.err = fmt.Errorf("line %q: want a JSON object with exactly name, type, url, server_id (%v)", scanner.Text(), err)
			} else {
				parsed.err = json.Unmarshal(scanner.Bytes(), &parsed.line)
			}
			lines <- parsed
		}
	}()
	timeout := time.After(30 * time.Second)
	for len(run.lines) < instances {
		select {
		case parsed, ok := <-lines:
			if !ok {
				t.Fatalf("stdout closed after %d lines; stderr: %s", len(run.lines), run.stderr)
			}
			if parsed.err != nil {
				t.Fatal(parsed.err)
			}
			run.lines = append(run.lines, parsed.line)
		case <-timeout:
			t.Fatalf("no startup lines after 30s; stderr: %s", run.stderr)
		}
	}
	return run
}

// stop sends SIGTERM and returns the exit code.
func (r *runningEmulator) stop(t *testing.T) int {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return exitErr.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		t.Fatal("no exit 15s after SIGTERM")
		return -1
	}
}

func getManifest(t *testing.T, baseURL string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, baseURL+"/rest/applinks/1.0/manifest", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var manifest map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &manifest) != nil {
		t.Fatalf("manifest at %s: status %d body %s", baseURL, resp.StatusCode, body)
	}
	return manifest
}

func TestCommandServesInstancesUntilSIGTERM(t *testing.T) {
	run := startEmulator(t, 2,
		"-instance", "jira=jira@127.0.0.1:0",
		"-instance", "wiki=confluence@127.0.0.1:0/wiki")

	want := []struct{ name, typeID, urlSuffix string }{
		{name: "jira", typeID: "jira"},
		{name: "wiki", typeID: "confluence", urlSuffix: "/wiki"},
	}
	for i, w := range want {
		line := run.lines[i]
		if line.Name != w.name || line.Type != w.typeID || !strings.HasPrefix(line.URL, "http://127.0.0.1:") || !strings.HasSuffix(line.URL, w.urlSuffix) {
			t.Errorf("line %d = %+v, want %s/%s", i, line, w.name, w.typeID)
		}
		manifest := getManifest(t, line.URL)
		if manifest["id"] != line.ServerID || manifest["typeId"] != w.typeID || manifest["url"] != line.URL {
			t.Errorf("%s manifest id %v typeId %v url %v; want %s %s %s",
				w.name, manifest["id"], manifest["typeId"], manifest["url"], line.ServerID, w.typeID, line.URL)
		}
	}
	if code := run.stop(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0; stderr: %s", code, run.stderr)
	}
}

func TestCommandDataDirKeepsServerIDOnAnotherPort(t *testing.T) {
	dir := t.TempDir()
	first := startEmulator(t, 1, "-data", dir, "-instance", "jira=jira@127.0.0.1:0")
	firstLine := first.lines[0]
	if code := first.stop(t); code != 0 {
		t.Fatalf("first run exit code %d; stderr: %s", code, first.stderr)
	}

	port := freePortOtherThan(t, firstLine.URL)
	second := startEmulator(t, 1, "-data", dir, "-instance", "jira=jira@127.0.0.1:"+port)
	secondLine := second.lines[0]
	if secondLine.URL != "http://127.0.0.1:"+port {
		t.Errorf("second URL %q, want port %s", secondLine.URL, port)
	}
	if secondLine.ServerID != firstLine.ServerID {
		t.Errorf("server ID %q after restart, want %q", secondLine.ServerID, firstLine.ServerID)
	}
	if id := getManifest(t, secondLine.URL)["id"]; id != firstLine.ServerID {
		t.Errorf("manifest id %v after restart, want %s", id, firstLine.ServerID)
	}
	if code := second.stop(t); code != 0 {
		t.Errorf("second run exit code %d; stderr: %s", code, second.stderr)
	}
}

// freePortOtherThan finds a free loopback port different from the one in
// usedURL.
func freePortOtherThan(t *testing.T, usedURL string) string {
	t.Helper()
	for range 10 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, err := net.SplitHostPort(l.Addr().String())
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(usedURL, ":"+port) {
			return port
		}
	}
	t.Fatal("no free port")
	return ""
}

func TestCommandRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{name: "no instances", wantStderr: "at least one -instance is required"},
		{name: "unknown type", args: []string{"-instance", "x=svn@127.0.0.1:0"}, wantStderr: `unknown type "svn" (allowed: jira, confluence, stash, bamboo, fecru, crowd)`},
		{name: "malformed instance", args: []string{"-instance", "jira"}, wantStderr: "want NAME=TYPE@HOST:PORT[/CONTEXT]"},
		{name: "unknown flag", args: []string{"-instance", "jira=jira@127.0.0.1:0", "-nope"}, wantStderr: "flag provided but not defined: -nope"},
		{name: "stray argument", args: []string{"-instance", "jira=jira@127.0.0.1:0", "extra"}, wantStderr: `unexpected arguments: ["extra"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(emulatorBinary, tt.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
				t.Fatalf("exit: %v, want code 2", err)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want it to mention %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}
