//go:build unix

package authfile

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// killTree makes cmd, when its context ends before it exits, kill what a
// shell-script helper started as well as the helper (a command before its
// answer, a pipeline), which else lives on after the provider gave up on
// it, holding what it holds: the helper is run in a process group of its
// own, killed whole. Children that leave the group (a daemon's setsid)
// are not killed, and neither is anything after the helper answered.
func killTree(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		pid := cmd.Process.Pid
		// The group is the helper's own (Setpgid: its pid), never the
		// provider's: -0 or -1 would be ours or every process's.
		if pid <= 1 || pid == syscall.Getpgrp() {
			return cmd.Process.Kill()
		}
		if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
			if errors.Is(err, syscall.ESRCH) {
				return os.ErrProcessDone
			}
			return err
		}
		return nil
	}
}
