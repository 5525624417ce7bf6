package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
)

// The bench measures each provider process's peak memory by putting a
// wrapper where dev_overrides looks for the provider: the bench binary
// itself, under the provider's file name, which runs the real provider as
// its child with stdin, stdout, stderr and the environment passed through,
// waits for it, and appends the child's maximum resident set size to a
// file. Terraform talks to the child exactly as it would to the provider.

const (
	// envRealDir names the folder holding the real provider binaries.
	envRealDir = "APPLINKS_BENCH_REAL_DIR"
	// envPeakLog names the file the wrapper appends "<name> <KiB>" to.
	envPeakLog = "APPLINKS_BENCH_PEAK_LOG"
)

// wrapping reports whether this process was started as a provider wrapper.
func wrapping() bool {
	return os.Getenv(envRealDir) != "" && strings.HasPrefix(filepath.Base(os.Args[0]), "terraform-provider-")
}

// wrap runs the real provider and returns the exit status to leave with.
func wrap() int {
	name := filepath.Base(os.Args[0])
	child := exec.Command(filepath.Join(os.Getenv(envRealDir), name), os.Args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	setParentDeathSignal(child)
	// Terraform interrupts the whole process group; the provider decides
	// what to do about it, and the wrapper waits for the provider.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	err := child.Run()
	if child.ProcessState == nil {
		fmt.Fprintf(os.Stderr, "bench wrapper: %s\n", err)
		return 1
	}
	if kib, ok := maxRSSKiB(child.ProcessState); ok {
		if f, err := os.OpenFile(os.Getenv(envPeakLog), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
			fmt.Fprintf(f, "%s %d\n", name, kib)
			_ = f.Close()
		}
	}
	return child.ProcessState.ExitCode()
}

// readPeaks returns the largest peak, in KiB, that the wrappers logged
// for each provider binary name.
func readPeaks(log string) (map[string]int64, error) {
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, err
	}
	peaks := make(map[string]int64)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		kib, err := strconv.ParseInt(value, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("peak memory log %s: bad line %q", log, line)
		}
		peaks[name] = max(peaks[name], kib)
	}
	return peaks, nil
}
