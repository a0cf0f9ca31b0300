package registry

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// sameHost folds each side's default port by that side's own scheme: a
// plain-HTTP registry on its default port and an HTTPS URL of the same
// host on 443 are one host, and an explicit port never matches another
// scheme's default.
func TestSameHostFoldsEachSidesDefaultPort(t *testing.T) {
	for _, tc := range []struct {
		a, schemeA, b, schemeB string
		want                   bool
	}{
		{"registry.test", "http", "registry.test:443", "https", true},
		{"registry.test:80", "http", "registry.test", "https", true},
		{"registry.test:443", "https", "registry.test:80", "http", true},
		{"registry.test", "https", "registry.test:80", "https", false},
		{"registry.test:443", "http", "registry.test", "https", false},
		{"registry.test", "http", "registry.test:80", "https", false},
	} {
		if got := sameHost(tc.a, tc.schemeA, tc.b, tc.schemeB); got != tc.want {
			t.Errorf("sameHost(%s %s, %s %s) = %v, want %v", tc.schemeA, tc.a, tc.schemeB, tc.b, got, tc.want)
		}
	}
}

// A ping answered 503 with a Retry-After is retried after that wait, not
// after the backoff: go-containerregistry's handshake error lacks the
// header, which repositoryPing noted.
func TestPingRetryAfterWaited(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.setTags("acme/x", []string{"a"})
	var pings atomic.Int32
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if f.kind(r) != "ping" {
			return false
		}
		if pings.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "busy")
			return true
		}
		return false
	}
	c := newTestClient(t, Config{MaxRetries: 2, RequestTimeout: time.Minute})
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 7*time.Second {
		t.Errorf("waited %v, want one wait of the ping's Retry-After, 7s", waits)
	}
}
