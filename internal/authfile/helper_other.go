//go:build !unix

package authfile

import "os/exec"

// killTree leaves cmd as it is: when its context ends, the helper alone is
// killed (exec.CommandContext's Process.Kill).
func killTree(*exec.Cmd) {}
