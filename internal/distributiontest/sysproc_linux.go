package distributiontest

import "syscall"

// sysProcAttr kills the registry when the test binary dies without running
// its cleanups (a panic or a test timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
