package registry

import (
	"context"
	"testing"
	"time"
)

// A request_timeout long enough to mean "no timeout" (a century) works:
// RequestTimeout × (MaxRetries+1) overflowed time.Duration, so the budget
// of every request was negative and each failed at once.
func TestHugeRequestTimeout(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.setTags("acme/x", []string{"a", "b"})
	for _, d := range []time.Duration{876000 * time.Hour, time.Duration(1<<63 - 1)} {
		c := newTestClient(t, Config{RequestTimeout: d, ListingTimeout: d, MaxRetries: 10})
		if got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil || len(got) != 2 {
			t.Errorf("request timeout %s: %v, %v", d, got, err)
		}
	}
}
