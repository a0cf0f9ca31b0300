package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A request that spent its retries on a 429 is not sent again in the
// Client's life, and no other request to that registry is sent either: a
// fleet of pins would otherwise send MaxRetries+1 requests each to a
// registry that is rate-limiting it. One that timed out is not sent again;
// one that met a 503 is (the registry answers, and may be mended). A new
// Client (the next Terraform run) asks again.
func TestSpentRetriesNotSentAgain(t *testing.T) {
	noDockerConfig(t)
	faults := map[string]func(w http.ResponseWriter, r *http.Request){
		"3.4.1-python3.12": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, http.StatusTooManyRequests)
		},
		"3.4.2-python3.12": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"later"}]}`, http.StatusServiceUnavailable)
		},
		"3.4.1-python3.11": func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}
	f := newFake(t, withHook(func(w http.ResponseWriter, req *http.Request) bool {
		for tag, fault := range faults {
			if strings.HasSuffix(req.URL.Path, "/manifests/"+tag) {
				fault(w, req)
				return true
			}
		}
		return false
	}))
	tags := []string{"3.4.1-python3.11", "3.4.1-python3.12", "3.4.2-python3.11", "3.4.2-python3.12", "3.5.0-python3.12"}
	for _, tag := range tags {
		f.pushImage("prefecthq/prefect", tag, "linux/amd64")
	}
	f.setTags("prefecthq/prefect", tags)
	total := func() (n int) {
		for _, kind := range []string{"ping", "token", "list", "head", "get", "blob", "other"} {
			n += f.count(kind)
		}
		return n
	}
	// In a bubble, served in memory: the timeouts of 200 ms are the only
	// ones (the good requests took more under -race on a loaded machine,
	// so that a request meant to succeed at once timed out and was retried,
	// and a stalled one had one attempt, or its second never arrived).
	synctest.Test(t, func(t *testing.T) { spentRetriesNotSentAgain(t, f, total) })
}

func spentRetriesNotSentAgain(t *testing.T, f *fake, total func() int) {
	repo := repoOf(t, f.repo("prefecthq/prefect"))
	newClient := func() *Client {
		c := f.memoryClient(t, Config{MaxRetries: 2, RequestTimeout: 200 * time.Millisecond})
		c.sleep = func(context.Context, time.Duration) error { return nil }
		return c
	}
	ctx := context.Background()
	heads := func(c *Client, tag string) (int, error) {
		t.Helper()
		f.resetCounts()
		_, err := c.Head(ctx, repo, tag)
		return f.count("head"), err
	}

	c := newClient()
	// Timeouts: spent once, then not sent again; other requests go on.
	// Two attempts fit in the budget of 600 ms: the first ends at 200 ms,
	// its backoff (150–250 ms, not taken) fits in the 400 left, the
	// second's (300–500 ms) not in the 200 left after the second.
	if n, err := heads(c, "3.4.1-python3.11"); n != 2 || err == nil {
		t.Fatalf("a stalled HEAD: %d requests (%v), want retries and an error", n, err)
	}
	if n, err := heads(c, "3.4.1-python3.11"); n != 0 || err == nil || !strings.Contains(err.Error(), "no answer within the request timeout") {
		t.Fatalf("the stalled HEAD again: %d requests (%v), want none and the same error", n, err)
	}
	// 503: asked again by the next caller.
	for range 2 {
		if n, err := heads(c, "3.4.2-python3.12"); n != 3 || err == nil {
			t.Fatalf("a HEAD meeting 503: %d requests (%v), want 3 each time", n, err)
		}
	}
	if n, err := heads(c, "3.4.2-python3.11"); n != 1 || err != nil {
		t.Fatalf("a good HEAD: %d requests (%v)", n, err)
	}

	// 429: spent once, then nothing more goes to the registry.
	n, err := heads(c, "3.4.1-python3.12")
	if n != 3 || !IsRateLimited(err) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("a rate-limited HEAD: %d requests (%v), want 3 and the rate limit", n, err)
	}
	if n, again := heads(c, "3.4.1-python3.12"); n != 0 || again == nil || again.Error() != err.Error() {
		t.Fatalf("the rate-limited HEAD again: %d requests (%v), want none and %v", n, again, err)
	}
	for _, tag := range []string{"3.5.0-python3.12", "3.4.2-python3.12"} {
		n, err := heads(c, tag)
		if n != 0 || !IsRateLimited(err) {
			t.Fatalf("HEAD %s after the rate limit: %d requests (%v), want none and a rate limit", tag, n, err)
		}
		var e *Error
		if !errors.As(err, &e) || !e.RetriesSpent() ||
			!strings.Contains(err.Error(), "tag "+tag) ||
			!strings.Contains(err.Error(), "rate-limited an earlier request of this run (HTTP 429 Too Many Requests) after 3 attempts, so this one was not sent") {
			t.Fatalf("HEAD %s after the rate limit: %v", tag, err)
		}
	}
	f.resetCounts()
	if _, err := c.ListTags(ctx, repo); !IsRateLimited(err) || total() != 0 {
		t.Fatalf("a listing after the rate limit: %v, %d requests; want a rate limit and no request", err, total())
	}

	// The next run asks again.
	if n, err := heads(newClient(), "3.5.0-python3.12"); n != 1 || err != nil {
		t.Fatalf("a new Client: %d requests (%v), want the HEAD sent", n, err)
	}
}
