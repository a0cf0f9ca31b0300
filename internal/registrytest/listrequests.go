package registrytest

import (
	"context"
	"strings"
	"sync"
)

// ListRequests is a registry client's Logger (the registry package's
// Config.Logger) that counts the tag list requests the client sends, by
// the debug line the client writes for each request it sent ("registry
// request", or "registry request failed", with the request's "path"):
// how a test counts the list requests sent to a server whose requests no
// handler of this package sees (distributiontest's real registries). It
// is safe for concurrent use; the zero value counts from zero.
type ListRequests struct {
	mu sync.Mutex
	n  int
}

// Debug counts a line of a tag list request sent.
func (l *ListRequests) Debug(_ context.Context, msg string, fields map[string]any) {
	if p, _ := fields["path"].(string); (msg == "registry request" || msg == "registry request failed") && strings.Contains(p, "/tags/list") {
		l.mu.Lock()
		l.n++
		l.mu.Unlock()
	}
}

// Take returns the tag list requests counted since the last Take, and
// counts again from zero.
func (l *ListRequests) Take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.n
	l.n = 0
	return n
}
