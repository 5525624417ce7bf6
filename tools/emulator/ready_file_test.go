package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitForFile polls for a non-empty file, as the CI recipe's shell loop
// does, and returns its content.
func waitForFile(t *testing.T, path string, within time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return data
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s after %s", path, within)
	return nil
}

func TestReadyFileAppearsWholeOnceEveryInstanceListensAndGoesAtExit(t *testing.T) {
	readyFile := filepath.Join(t.TempDir(), "instances.json")
	// A file left by an earlier run must not count as ready.
	if err := os.WriteFile(readyFile, []byte(`{"name":"stale"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := startEmulator(t, 2, "-ready-file", readyFile,
		"-instance", "jira=jira@127.0.0.1:0",
		"-instance", "wiki=confluence@127.0.0.1:0/wiki")

	data := waitForFile(t, readyFile, 10*time.Second)
	var fromFile []instanceLine
	decoder := json.NewDecoder(bytes.NewReader(data))
	for decoder.More() {
		var line instanceLine
		if err := decoder.Decode(&line); err != nil {
			t.Fatalf("ready file %q: %v", data, err)
		}
		fromFile = append(fromFile, line)
	}
	if len(fromFile) != 2 || fromFile[0] != run.lines[0] || fromFile[1] != run.lines[1] {
		t.Fatalf("ready file holds %+v, want the printed lines %+v", fromFile, run.lines)
	}
	for _, line := range fromFile {
		getManifest(t, line.URL) // every instance listens
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(readyFile), ".instances.json.*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left beside the ready file: %v", leftovers)
	}

	if code := run.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s", code, run.stderr)
	}
	if _, err := os.Stat(readyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ready file still there after exit (%v): a later wait would pass at once", err)
	}
}

func TestReadyFileNeverAppearsAndExitIsNonZeroWhenAPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	readyFile := filepath.Join(t.TempDir(), "instances.json")
	if err := os.WriteFile(readyFile, []byte(`{"name":"stale"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(emulatorBinary, "-ready-file", readyFile,
		"-instance", "jira=jira@127.0.0.1:0",
		"-instance", "wiki=confluence@"+taken.Addr().String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the emulator still runs 15s after a start that cannot succeed")
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("exit %v after %s, want status 1; stderr: %s", err, time.Since(start), stderr.String())
	}
	if !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("stderr %q does not say the address is in use", stderr.String())
	}
	if _, err := os.Stat(readyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a ready file exists after a failed start (%v)", err)
	}
}
