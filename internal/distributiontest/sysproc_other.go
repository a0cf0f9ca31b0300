//go:build !linux

package distributiontest

import "syscall"

// sysProcAttr has nothing to add outside Linux; the test's cleanup stops the
// registry.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// memoryDir: none outside Linux; storage goes in the test's TempDir.
func memoryDir() string { return "" }
