package main

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal kills the provider if the wrapper is killed, so
// that no provider outlives the Terraform run that started it.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
