package registry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// connects counts the CONNECTs the proxy was sent.
func (p *forwardProxy) connects() int {
	n := 0
	for _, r := range p.requests() {
		if r.method == http.MethodConnect {
			n++
		}
	}
	return n
}

// A proxy that answers CONNECT 429 is rate-limiting this machine, not the
// registry: its Retry-After is waited for as a registry's is (within the
// request's time, else not sent again and the error says how long it
// asked), the error says the proxy failed, not the registry (no
// "Registry Rate Limit Reached"), and once a request has spent its
// retries on it, every later request of the run through that proxy, to
// any registry, fails at once without being sent; a registry reached
// without it is not stopped. The proxy's Retry-After was ignored (the
// backoff's 200 ms and 400 ms waited instead), and each pin of a fleet
// sent its own round of CONNECTs to the proxy that had asked for fewer.
func TestProxyRateLimitHonoured(t *testing.T) {
	noDockerConfig(t)
	newClient := func(t *testing.T, s *proxySetup, cfg Config) (*Client, *[]time.Duration) {
		cfg.Credentials = append(cfg.Credentials, Credential{Host: strings.Replace(s.reg, "registry.", "direct.", 1), Username: "reguser", Password: proxyTestRegPassword})
		via := s.p.url("corp-user", "corp-pass")
		c := s.client(t, cfg, func(req *http.Request) (*url.URL, error) {
			if strings.HasPrefix(req.URL.Host, "direct.") {
				return nil, nil // NO_PROXY
			}
			return via, nil
		})
		var mu sync.Mutex
		waits := &[]time.Duration{}
		c.sleep = func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*waits = append(*waits, d)
			return nil
		}
		return c, waits
	}
	check := func(t *testing.T, err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Fatal("read through a proxy that answered 429")
		}
		msg := err.Error()
		if !strings.Contains(msg, "not the registry") || strings.Contains(msg, "the registry rate-limited") || IsRateLimited(err) {
			t.Errorf("the proxy's 429 taken for the registry's: %s", msg)
		}
		if IsUnauthorized(err) {
			t.Errorf("taken for a refusal of the credentials: %s", msg)
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("the error does not say %q: %s", w, msg)
			}
		}
		if strings.Contains(msg, "corp-pass") {
			t.Errorf("the error holds the proxy's password: %s", msg)
		}
	}

	t.Run("Retry-After waited", func(t *testing.T) {
		s := newProxySetup(t, true)
		s.p.refuse, s.p.header = http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}
		c, waits := newClient(t, s, Config{MaxRetries: 2})
		_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
		check(t, err, s.p.srv.Listener.Addr().String(), "429", "after 3 attempts")
		if n := s.p.connects(); n != 3 {
			t.Errorf("%d CONNECTs, want 3 (max_retries 2)", n)
		}
		if len(*waits) != 2 || (*waits)[0] != 7*time.Second || (*waits)[1] != 7*time.Second {
			t.Errorf("waited %v; want the proxy's Retry-After, 7s, before each retry", *waits)
		}
	})

	t.Run("Retry-After beyond the budget", func(t *testing.T) {
		s := newProxySetup(t, true)
		s.p.refuse, s.p.header = http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}}
		c, waits := newClient(t, s, Config{MaxRetries: 2, RequestTimeout: 10 * time.Second})
		_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
		check(t, err, "Retry-After asked to wait 1h0m0s")
		if n := s.p.connects(); n != 1 || len(*waits) != 0 {
			t.Errorf("%d CONNECTs and waits %v; want one CONNECT, not retried", n, *waits)
		}
	})

	t.Run("fleet", func(t *testing.T) {
		s := newProxySetup(t, true)
		s.p.refuse = http.StatusTooManyRequests
		c, _ := newClient(t, s, Config{MaxRetries: 1})
		_, err := c.ListTags(context.Background(), repoOf(t, s.reg+"/acme/x"))
		check(t, err, "after 2 attempts")
		if n := s.p.connects(); n != 2 {
			t.Fatalf("%d CONNECTs, want 2 (max_retries 1)", n)
		}
		_, port, _ := net.SplitHostPort(s.reg)
		for _, repo := range []string{s.reg + "/acme/y", "other.example.com:" + port + "/acme/x"} {
			_, err := c.ListTags(context.Background(), repoOf(t, repo))
			check(t, err, "the proxy rate-limited an earlier request of this run", "so this one was not sent")
			if e := new(Error); !errors.As(err, &e) || !e.RetriesSpent() {
				t.Errorf("%s: not a spent request: %v", repo, err)
			}
		}
		if n := s.p.connects(); n != 2 {
			t.Errorf("%d CONNECTs, want still 2: later requests through the proxy that rate-limited this run were sent", n)
		}
		// A registry reached without that proxy is not stopped.
		got, err := c.ListTags(context.Background(), repoOf(t, "direct.example.com:"+port+"/acme/x"))
		if err != nil || len(got) != 1 {
			t.Errorf("a registry reached without the proxy: got %v, %v; want its tag", got, err)
		}
	})
}
