//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSSKiB reads the waited child's peak resident set size.
func maxRSSKiB(state *os.ProcessState) (int64, bool) {
	usage, ok := state.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return usage.Maxrss / 1024, true // bytes there, KiB elsewhere
	}
	return usage.Maxrss, true
}
