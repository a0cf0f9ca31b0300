//go:build !linux

package distributiontest

import "syscall"

// sysProcAttr has nothing to add outside Linux; the test's cleanup stops the
// registry.
func sysProcAttr() *syscall.SysProcAttr { return nil }
