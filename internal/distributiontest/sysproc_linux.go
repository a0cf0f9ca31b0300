package distributiontest

import "syscall"

// sysProcAttr kills the registry when the test binary dies without running
// its cleanups (a panic or a test timeout).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// memoryDir is a folder in /dev/shm (tmpfs) with at least 1 GiB free, or
// "" when there is none: a server's storage of thousands of tags (SeedAlike)
// is written and removed there in a second, where a disk with online
// discard takes a minute to remove it.
func memoryDir() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil || st.Bavail*uint64(st.Bsize) < 1<<30 {
		return ""
	}
	return "/dev/shm"
}
