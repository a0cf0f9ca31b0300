package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// 429 with Retry-After: 1, then success: the wait is honoured.
func TestRetryAfterSecondsThenSuccess(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && lists.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
			return true
		}
		return false
	}))
	f.setTags("acme/x", []string{"a"})
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 3})
		start := time.Now()
		got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v", got, err)
		}
		if el := time.Since(start); el != time.Second {
			t.Errorf("took %s, want the 1s Retry-After asked (longer than the backoff)", el)
		}
	})
	// The failed attempt, the page, and the request after its last tag
	// that shows the list ends (the fake sends no Link for one page).
	if lists.Load() != 3 {
		t.Errorf("%d list attempts, want 3", lists.Load())
	}
}

// Retry-After as an HTTP date.
func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	d, ok := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now)
	if !ok || d != 90*time.Second {
		t.Errorf("got %s, %v", d, ok)
	}
	if d, ok := parseRetryAfter("7", now); !ok || d != 7*time.Second {
		t.Errorf("got %s, %v", d, ok)
	}
	if _, ok := parseRetryAfter("soon", now); ok {
		t.Error("parsed garbage")
	}
	if d, ok := parseRetryAfter(now.Add(-time.Hour).Format(http.TimeFormat), now); !ok || d != 0 {
		t.Errorf("past date: %s, %v", d, ok)
	}
}

// 429 on every attempt: IsRateLimited after MaxRetries+1 attempts, with
// advice to authenticate or use a mirror.
func TestRateLimitedAlways(t *testing.T) {
	noDockerConfig(t)
	var heads atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead {
			heads.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{MaxRetries: 3})
	_, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
	if !IsRateLimited(err) {
		t.Fatalf("got %v, want rate limited", err)
	}
	if heads.Load() != 4 {
		t.Errorf("%d attempts, want 4", heads.Load())
	}
	msg := err.Error()
	for _, want := range []string{"429", "after 4 attempts", f.host} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
}

// MaxRetries 0 means one attempt.
func TestNoRetries(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			lists.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{MaxRetries: 0})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err == nil {
		t.Fatal("want an error")
	}
	if lists.Load() != 1 {
		t.Errorf("%d attempts, want 1", lists.Load())
	}
	if c2, _ := New(Config{MaxRetries: UseDefaultRetries}); c2.maxRetries != DefaultMaxRetries || c2.timeout != DefaultRequestTimeout {
		t.Errorf("defaults: %d retries, %s", c2.maxRetries, c2.timeout)
	}
}

// A Retry-After beyond RequestTimeout × (MaxRetries+1) is not waited for:
// the 429 comes back at once, saying so.
func TestRetryAfterBeyondBudget(t *testing.T) {
	noDockerConfig(t)
	var heads atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead {
			heads.Add(1)
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}))
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 3, RequestTimeout: 2 * time.Second})
		start := time.Now()
		_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
		if !IsRateLimited(err) {
			t.Fatalf("got %v", err)
		}
		if time.Since(start) != 0 || heads.Load() != 1 {
			t.Errorf("waited %s over %d attempts, want no wait and one attempt", time.Since(start), heads.Load())
		}
		if !strings.Contains(err.Error(), "Retry-After asked to wait 1h0m0s") || !strings.Contains(err.Error(), "8s allowed") {
			t.Errorf("message %s", err)
		}
	})
}

// 503 on every other registry request (tag pages, HEAD, GET, blob): all
// succeed with retries. (The ping and token exchange are one attempt
// together; TestHandshakeRetried covers them.)
func TestServiceUnavailableEveryOtherRequest(t *testing.T) {
	noDockerConfig(t)
	var n atomic.Int32
	var f *fake
	f = newFake(t, withBearer("u", "p"), withPageCap(100), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if k := f.kind(r); k != "ping" && k != "token" && n.Add(1)%2 == 1 {
			writeRegError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "try later")
			return true
		}
		return false
	}))
	tags := make([]string, 350)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%04d", i)
	}
	f.setTags("acme/x", tags)
	digest, _ := f.pushIndex("acme/x", "t0000")
	c := newTestClient(t, Config{MaxRetries: 1, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 350 {
		t.Fatalf("got %d tags, %v", len(got), err)
	}
	d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t0000")
	if err != nil || d.Digest != digest {
		t.Fatalf("Head: %+v, %v", d, err)
	}
	p, err := c.Platforms(context.Background(), repoOf(t, f.repo("acme/x")), "t0000")
	if err != nil || len(p.ByPlatform) != 2 {
		t.Fatalf("Platforms: %+v, %v", p, err)
	}
}

// The ping and the token request are retried as one handshake: a 503 on
// the first ping and on the first token request still ends in success.
// The ping answered (401, a challenge) is the host's: the attempt after
// the token service's 502 takes that answer and asks the token service
// alone (pingHop).
func TestHandshakeRetried(t *testing.T) {
	noDockerConfig(t)
	var pings, tokens atomic.Int32
	var f *fake
	f = newFake(t, withBearer("u", "p"), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch f.kind(r) {
		case "ping":
			if pings.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
		case "token":
			if tokens.Add(1) == 1 {
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
		}
		return false
	}))
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{MaxRetries: 3, Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	if pings.Load() != 2 || tokens.Load() != 2 {
		t.Errorf("pings %d, tokens %d; want 2 and 2", pings.Load(), tokens.Load())
	}
}

// A body that stalls past RequestTimeout fails that attempt only.
func TestSlowBodyTimesOutAndRetries(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && lists.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"name":"acme/x","tags":["a",`)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return true
		}
		return false
	}))
	f.setTags("acme/x", []string{"a", "b"})
	c := newTestClient(t, Config{MaxRetries: 2, RequestTimeout: 300 * time.Millisecond})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	// The slow attempt, the page, and the request after its last tag.
	if lists.Load() != 3 {
		t.Errorf("%d attempts, want 3", lists.Load())
	}
}

// A registry that never answers in time: the error says so after
// MaxRetries+1 attempts, within RequestTimeout × (MaxRetries+1).
func TestTimeoutEveryAttempt(t *testing.T) {
	noDockerConfig(t)
	var heads atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead {
			heads.Add(1)
			<-r.Context().Done()
			return true
		}
		return false
	}))
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 2, RequestTimeout: 200 * time.Millisecond})
		start := time.Now()
		_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
		el := time.Since(start)
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		if el > 600*time.Millisecond || el < 400*time.Millisecond {
			t.Errorf("took %s, want two timed-out attempts and a backoff, within RequestTimeout × (MaxRetries+1) = 600ms", el)
		}
		if !strings.Contains(err.Error(), "no answer within the request timeout") {
			t.Errorf("message %s", err)
		}
	})
	if n := heads.Load(); n < 2 || n > 3 {
		t.Errorf("%d attempts, want 2 or 3 (MaxRetries+1, as the budget allows)", n)
	}
}

// Cancelling the context stops at once, even mid-wait for Retry-After.
func TestContextCancelStopsPromptly(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			<-r.Context().Done()
			return true
		case r.Method == http.MethodHead:
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}))
	for name, call := range map[string]func(ctx context.Context, c *Client) error{
		"hanging list": func(ctx context.Context, c *Client) error {
			_, err := c.ListTags(ctx, repoOf(t, f.repo("acme/x")))
			return err
		},
		"retry wait": func(ctx context.Context, c *Client) error {
			_, err := c.Head(ctx, repoOf(t, f.repo("acme/x")), "t")
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := f.memoryClient(t, Config{MaxRetries: 3, RequestTimeout: 30 * time.Second})
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(150*time.Millisecond, cancel)
				start := time.Now()
				err := call(ctx, c)
				if el := time.Since(start); el != 150*time.Millisecond {
					t.Errorf("returned after %s, want at the cancel, 150ms", el)
				}
				var e *Error
				if !errors.As(err, &e) || !errors.Is(err, context.Canceled) {
					t.Fatalf("got %v, want an *Error wrapping context.Canceled", err)
				}
				if !strings.Contains(err.Error(), "cancelled") {
					t.Errorf("message %s", err)
				}
			})
		})
	}
}

// One caller giving up does not fail the others sharing its listing. The
// registry holds the first page until the test lets it go, and the test
// sees the second caller join the listing: no sleeps decide the order.
func TestOneCallerCancelOthersContinue(t *testing.T) {
	noDockerConfig(t)
	arrived, release := make(chan struct{}, 8), make(chan struct{})
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && r.URL.Query().Get("last") == "" {
			arrived <- struct{}{}
			<-release
		}
		return false
	}))
	f.setTags("acme/x", []string{"a"})
	c := newTestClient(t, Config{})
	key := mustRef(t, c, f.repo("acme/x")).key
	ctx1, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var err1, err2 error
	wg.Go(func() { _, err1 = c.ListTags(ctx1, repoOf(t, f.repo("acme/x"))) })
	<-arrived // the first caller's listing is at the registry
	wg.Go(func() { _, err2 = c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))) })
	for c.wholeLists.Waiting(key) < 2 {
		runtime.Gosched() // until the second caller has joined the listing
	}
	cancel()
	for c.wholeLists.Waiting(key) > 1 {
		runtime.Gosched() // until the first caller has left it
	}
	close(release)
	wg.Wait()
	if !errors.Is(err1, context.Canceled) {
		t.Errorf("first caller: %v", err1)
	}
	if err2 != nil {
		t.Errorf("second caller: %v", err2)
	}
	// One listing: the page and the request after its last tag.
	if f.count("list") != 2 {
		t.Errorf("%d list requests, want 2", f.count("list"))
	}
}

// The user agent names the provider on every request: ping, token, tag
// pages, HEAD, GET and blob.
func TestUserAgentOnEveryRequest(t *testing.T) {
	noDockerConfig(t)
	var mu sync.Mutex
	agents := map[string]string{}
	var f *fake
	f = newFake(t, withBearer("u", "p"), withPageCap(2), withHook(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		agents[r.Method+" "+f.kind(r)] = r.UserAgent()
		mu.Unlock()
		return false
	}))
	f.setTags("acme/x", []string{"a", "b", "c"})
	f.pushImage("acme/x", "single", "linux/amd64")
	c := newTestClient(t, Config{UserAgent: "terraform-provider-prefectimage/1.2.3", Credentials: []Credential{{Host: f.host, Username: "u", Password: "p"}}})
	ctx := context.Background()
	if _, err := c.ListTags(ctx, repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Head(ctx, repoOf(t, f.repo("acme/x")), "single"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Platforms(ctx, repoOf(t, f.repo("acme/x")), "single"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"GET ping", "GET token", "GET list", "HEAD head", "GET get", "GET blob"} {
		ua, ok := agents[k]
		if !ok {
			t.Errorf("no %s request seen", k)
			continue
		}
		if !strings.HasPrefix(ua, "terraform-provider-prefectimage/1.2.3") {
			t.Errorf("%s user agent %q", k, ua)
		}
	}
}

// Each backoff is within 25% of its doubling base, and jittered either
// way: of 50 draws, some fall below the base and some above (all on one
// side by chance: 2⁻⁴⁹), so that clients retrying together spread out.
func TestBackoffGrows(t *testing.T) {
	for a := 1; a <= 4; a++ {
		base := retryBase << (a - 1)
		below, above := false, false
		for range 50 {
			d := backoff(a)
			if d < base*3/4 || d > base*5/4 {
				t.Fatalf("backoff(%d) = %s, outside %s ± 25%%", a, d, base)
			}
			below, above = below || d < base, above || d > base
		}
		if !below || !above {
			t.Errorf("backoff(%d): 50 draws, none below %s (%v) or none above (%v): not jittered either way", a, base, below, above)
		}
	}
}

// A Retry-After that is neither delay seconds (RFC 9110: 1*DIGIT) nor an
// HTTP date is no Retry-After: the backoff alone is waited. "+3600" was
// read as an hour, beyond the budget, and the request given up at once
// ("its Retry-After asked to wait 1h0m0s"); "+5" waited 5 s. A value
// with white space around it (OWS, no part of a field's value) is read.
func TestRetryAfterNotDelaySecondsIgnored(t *testing.T) {
	noDockerConfig(t)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"5": 5 * time.Second, " 5 ": 5 * time.Second, "0": 0, "007": 7 * time.Second,
		"+5": 0, "-5": 0, "+3600": 0, "5.0": 0, "1e3": 0, "0x10": 0, "5s": 0, "5 5": 0, "٥": 0, "": 0,
		"Fri, 04 Dec 2026 12:00:09 GMT": 9 * time.Second,
	} {
		got, ok := parseRetryAfter(v, now)
		if got != want || ok != (want != 0 || v == "0") {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s", v, got, ok, want)
		}
	}

	for _, v := range []string{"+3600", "+5", "3600.0"} {
		t.Run(v, func(t *testing.T) {
			var heads atomic.Int32
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodHead && heads.Add(1) == 1 {
					w.Header().Set("Retry-After", v)
					w.WriteHeader(http.StatusTooManyRequests)
					return true
				}
				return false
			}))
			f.pushImage("acme/x", "t", "linux/amd64")
			synctest.Test(t, func(t *testing.T) {
				c := f.memoryClient(t, Config{MaxRetries: 3, RequestTimeout: 2 * time.Second})
				start := time.Now()
				if _, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t"); err != nil {
					t.Fatalf("Retry-After %q: %v", v, err)
				}
				if waited, most := time.Since(start), retryBase+retryBase/4; waited > most || heads.Load() != 2 {
					t.Errorf("Retry-After %q: waited %s over %d HEADs; want the backoff, at most %s, and two", v, waited, heads.Load(), most)
				}
			})
		})
	}
}
