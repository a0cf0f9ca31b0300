//go:build unix

package authfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A credential helper that is a shell script starting a child rather
// than exec-ing it (a command before its answer, a pipeline) left that
// child running after helperGet's timeout or cancel killed the script:
// only the script was killed, and WaitDelay just closed the pipes the
// child still held. The helper now runs in its own process group, which
// is killed whole.
func TestHelperChildrenKilledWithIt(t *testing.T) {
	for _, shape := range []struct{ name, script string }{
		{"background then wait", "sleep 600 &\necho $! >PIDFILE\nwait\n"},
		{"command then answer", "sh -c 'echo $$ >PIDFILE; exec sleep 600'\n"},
		{"pipeline", "sh -c 'echo $$ >PIDFILE; exec sleep 600' | cat\n"},
	} {
		for _, stop := range []string{"timeout", "cancel"} {
			t.Run(shape.name+" "+stop, func(t *testing.T) {
				dir := t.TempDir()
				pidFile := filepath.Join(dir, "pid")
				script := "#!/bin/sh\n" + strings.ReplaceAll(shape.script, "PIDFILE", pidFile) +
					"echo '{\"Username\":\"u\",\"Secret\":\"s\"}'\n"
				if err := os.WriteFile(filepath.Join(dir, "docker-credential-kids"), []byte(script), 0o700); err != nil {
					t.Fatal(err)
				}
				t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				timeout := 10 * time.Minute
				if stop == "timeout" {
					timeout = 5 * time.Second // the child writes its pid well within it, even on a loaded machine
				} else {
					go func() { // cancelled once the child has written its pid
						// The shell creates the file before echo writes to
						// it: cancelled at its creation, the child could be
						// killed with the file still empty.
						waitFor(t, func() bool { return pidIn(pidFile) > 1 })
						cancel()
					}()
				}
				_, err := helperGet(ctx, "kids", "registry.example.test", timeout)
				if err == nil {
					t.Fatal("the helper answered; want it stopped")
				}
				b, rerr := os.ReadFile(pidFile)
				if rerr != nil {
					t.Fatalf("the helper's child never wrote its pid (%v); the helper was stopped with %v", rerr, err)
				}
				pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
				if perr != nil || pid <= 1 {
					t.Fatalf("bad pid %q", b)
				}
				t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
				if !waitFor(t, func() bool { return gone(pid) }) {
					t.Errorf("the helper was stopped (%v), but its child %d still runs", err, pid)
				}
			})
		}
	}
}

// pidIn is the pid file holds, or 0 while it holds none (not yet written).
func pidIn(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// gone reports whether pid has exited: no such process, or (on Linux,
// where an orphan waits for init to reap it) a zombie.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	if runtime.GOOS != "linux" {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	_, rest, _ := strings.Cut(string(b), ") ") // after "pid (comm) "
	return strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}
