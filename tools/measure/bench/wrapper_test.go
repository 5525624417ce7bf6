//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The test binary doubles as the wrapper, as the bench binary does.
func TestMain(m *testing.M) {
	if wrapping() {
		os.Exit(wrap())
	}
	os.Exit(m.Run())
}

// The wrapper runs the real binary with the arguments, standard streams
// and exit status passed through, and logs its peak memory.
func TestWrapperRunsTheRealProviderAndLogsItsPeak(t *testing.T) {
	dir := t.TempDir()
	realDir, wrapDir := filepath.Join(dir, "real"), filepath.Join(dir, "wrap")
	if err := os.MkdirAll(realDir, 0o700); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"real $1 $BENCH_TEST\"\ncat >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(realDir, "terraform-provider-x"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := installWrappers(wrapDir, "terraform-provider-x"); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "peaks.log")
	cmd := exec.Command(filepath.Join(wrapDir, "terraform-provider-x"), "arg")
	cmd.Env = append(os.Environ(), envRealDir+"="+realDir, envPeakLog+"="+log, "BENCH_TEST=env")
	cmd.Stdin = strings.NewReader("input")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 3 {
		t.Errorf("wrapper exited with %v, want status 3", err)
	}
	if stdout.String() != "real arg env\n" || stderr.String() != "input" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	peaks, err := readPeaks(log)
	if err != nil {
		t.Fatal(err)
	}
	if peaks["terraform-provider-x"] <= 0 {
		t.Errorf("peaks %v", peaks)
	}
}

func TestReadPeaksKeepsTheLargestPerBinary(t *testing.T) {
	log := filepath.Join(t.TempDir(), "peaks.log")
	if peaks, err := readPeaks(log); err != nil || len(peaks) != 0 {
		t.Errorf("no log: %v, %v", peaks, err)
	}
	if err := os.WriteFile(log, []byte("terraform-provider-a 100\nterraform-provider-b 7\nterraform-provider-a 300\nterraform-provider-a 200\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	peaks, err := readPeaks(log)
	if err != nil || peaks["terraform-provider-a"] != 300 || peaks["terraform-provider-b"] != 7 {
		t.Errorf("peaks %v, %v", peaks, err)
	}
	if err := os.WriteFile(log, []byte("terraform-provider-a lots\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readPeaks(log); err == nil {
		t.Error("a bad line was accepted")
	}
}
