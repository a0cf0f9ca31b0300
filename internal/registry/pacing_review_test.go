package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// Docker Hub's pull limit stops later manifest GETs only. A repository
// whose path has a component named manifests (the Docker Hub user
// "manifests", docker.io/manifests/prefect; a GitLab group's subgroup) has
// its tag list under /v2/…/manifests/…/tags/list: that list is no manifest
// GET, and is read past the pull limit like any other.
func TestPacingPullLimitSparesListOfRepositoryNamedManifests(t *testing.T) {
	const repo = "manifests/prefect"
	tags := []string{"3.8.2-python3.12", "3.8.3-python3.12"}
	var lists atomic.Int32
	c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/tags/list"):
			lists.Add(1)
			writeJSON(w, http.StatusOK, map[string]any{"name": repo, "tags": tags})
		case r.URL.Path == "/v2/":
			w.WriteHeader(http.StatusOK)
		default:
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS",
				"You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit")
		}
	}), repo)
	c.maxRetries = 1
	c.sleep = (&waits{}).sleep
	ctx := context.Background()
	if _, err := c.Platforms(ctx, ref, tags[0]); !IsRateLimited(err) {
		t.Fatalf("a GET past the pull limit: %v; want the rate limit", err)
	}
	if got, err := c.ListTags(ctx, ref); err != nil || !slices.Equal(got, tags) || lists.Load() == 0 {
		t.Errorf("the tag list after the pull limit: %v, %v, %d lists sent; want %v read", got, err, lists.Load(), tags)
	}
}

// A registry that never answered 429 is never paced: concurrent requests
// go at once, none waits for a turn.
func TestPacingHealthyPathUnpaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inFlight, most atomic.Int32
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Second)
			answerHead(w)
		}), zooRepo)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { _, _ = c.Head(context.Background(), ref, fmt.Sprintf("3.1.%d-python3.12", i)) })
		}
		wg.Wait()
		if most.Load() != 8 {
			t.Errorf("at most %d requests in flight at once; want all 8", most.Load())
		}
		n := 0
		c.paced.Range(func(any, any) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d hosts paced; want none", n)
		}
	})
}

// An op that panics gives its turn back: the panic goes to the caller, not
// into every later request to the registry.
func TestPacingPanicReleasesTurn(t *testing.T) {
	c, ref := zooClient(t, http.NotFoundHandler(), zooRepo)
	host := ref.name.RegistryStr()
	c.paced.Store(host, make(chan struct{}, 1))
	func() {
		defer func() { _ = recover() }()
		_ = c.retry(context.Background(), ref, "GET x", nil, func(context.Context) error { panic("boom") })
	}()
	done := make(chan error, 1)
	go func() {
		done <- c.retry(context.Background(), ref, "GET y", nil, func(context.Context) error { return nil })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the next request: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the next request never got its turn")
	}
}

// The request that meets a registry's first 429 holds its turn through the
// wait it was asked for: no other request goes to the registry before that
// wait is over and its retry answered. Before, it waited without a turn,
// and the next caller took the turn and sent its request at once, inside
// the Retry-After.
func TestPacingFirstRateLimitedHoldsItsWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var seen []string
		start := time.Now()
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n := len(seen)
			seen = append(seen, fmt.Sprintf("%s at %v", r.URL.Path, time.Since(start)))
			mu.Unlock()
			if n == 0 {
				gitlabRackAttack(w, 10)
				return
			}
			answerHead(w)
		}), zooRepo)
		c.maxRetries = 3
		errs := make([]error, 2)
		var wg sync.WaitGroup
		wg.Go(func() { _, errs[0] = c.Head(context.Background(), ref, "3.1.15-python3.12") })
		synctest.Wait() // the first answered 429, waiting its 10 s
		wg.Go(func() { _, errs[1] = c.Head(context.Background(), ref, "3.1.16-python3.12") })
		wg.Wait()
		want := []string{
			"/v2/prefecthq/prefect/manifests/3.1.15-python3.12 at 0s",
			"/v2/prefecthq/prefect/manifests/3.1.15-python3.12 at 10s",
			"/v2/prefecthq/prefect/manifests/3.1.16-python3.12 at 10s",
		}
		if errs[0] != nil || errs[1] != nil || !slices.Equal(seen, want) {
			t.Errorf("requests %q (%v, %v); want %q", seen, errs[0], errs[1], want)
		}
	})
}

// A caller giving up while it waits for its turn returns at once, its
// request unsent; the request holding the turn and those after it go on.
func TestPacingCallerCancelledWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent atomic.Int32
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sent.Add(1) == 1 {
				gitlabRackAttack(w, 10)
				return
			}
			answerHead(w)
		}), zooRepo)
		c.maxRetries = 3
		var first error
		var wg sync.WaitGroup
		wg.Go(func() { _, first = c.Head(context.Background(), ref, "3.1.15-python3.12") })
		synctest.Wait() // the first holds the turn through its 10 s
		ctx, cancel := context.WithCancel(context.Background())
		var waiting error
		wg.Go(func() { _, waiting = c.Head(ctx, ref, "3.1.16-python3.12") })
		synctest.Wait()
		start := time.Now()
		cancel()
		synctest.Wait()
		if !errors.Is(waiting, context.Canceled) || time.Since(start) != 0 {
			t.Errorf("the cancelled caller: %v after %v; want context.Canceled at once", waiting, time.Since(start))
		}
		wg.Wait()
		if first != nil || sent.Load() != 2 {
			t.Errorf("the first: %v, %d sent; want its retry to succeed, 2 sent", first, sent.Load())
		}
		if _, err := c.Head(context.Background(), ref, "3.1.17-python3.12"); err != nil || sent.Load() != 3 {
			t.Errorf("a later request: %v, %d sent; want it sent", err, sent.Load())
		}
	})
}

// Everything a run asks of one registry at once, behind Quay's nginx
// limit: every range of the zoo, tag lists of a second repository, HEADs
// of both. Once paced, nothing deadlocks (synctest fails on goroutines
// blocked for good), each range is exact, every call ends, and no request
// is sent alongside another after the first 429.
func TestPacingEverythingAtOnce(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	synctest.Test(t, func(t *testing.T) {
		tags := quay312(strings.Compare, 100, false)(sorted)
		l := &nginxLimitReq{rate: 5, burst: 2, rtt: 20 * time.Millisecond, next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/manifests/") {
				answerHead(w)
				return
			}
			tags(w, r)
		})}
		c, ref := zooClient(t, l, quayRepo)
		c.maxRetries = DefaultMaxRetries
		other := repoOf(t, zooHost+"/prefecthq/other")
		ctx := context.Background()
		var wg sync.WaitGroup
		calls := make([]modelCall, len(zooRanges))
		for i, r := range zooRanges {
			wg.Go(func() {
				got, err := c.ListTagRange(ctx, ref, r)
				calls[i] = modelCall{"shared", r, got, err}
			})
		}
		var failed atomic.Int32
		for i := range 10 {
			for _, rf := range []Repository{ref, other} {
				wg.Go(func() {
					if _, err := c.Head(ctx, rf, fmt.Sprintf("3.1.%d-python3.12", i)); err != nil {
						failed.Add(1)
						t.Logf("HEAD: %v", err)
					}
				})
			}
		}
		wg.Go(func() {
			if _, err := c.ListTags(ctx, other); err != nil {
				failed.Add(1)
				t.Logf("list: %v", err)
			}
		})
		wg.Wait()
		for _, mc := range calls {
			if msg := mc.check(sorted, true); msg != "" {
				t.Error(msg)
			}
		}
		if failed.Load() > 0 {
			t.Errorf("%d calls failed", failed.Load())
		}
		if len(l.crowded) > 0 {
			t.Errorf("%d requests sent alongside others after a 429, such as %s", len(l.crowded), l.crowded[0])
		}
		t.Logf("%d served, %d refused, in %v", l.served, l.refused, time.Since(time.Unix(946684800, 0)))
	})
}

// A registry that answers 429 and then stops answering holds a run for
// about one request's time, not one per request waiting its turn: the
// wait for a turn is taken from each request's own time (here 2 × 30 s).
// Before, ten HEADs in line took ten budgets one after another.
func TestPacingRegistryGoneAfterRateLimitHoldsOneBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent atomic.Int32
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sent.Add(1) == 1 {
				gitlabRackAttack(w, 1)
				return
			}
			<-r.Context().Done() // no answer
		}), zooRepo)
		c.maxRetries = 1
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.Head(context.Background(), ref, fmt.Sprintf("3.1.%d-python3.12", i)) })
		}
		wg.Wait()
		for i, err := range errs {
			if err == nil {
				t.Errorf("HEAD %d: no error from a registry that does not answer", i)
			}
		}
		if took := time.Since(start); took > 2*c.budget() {
			t.Errorf("ten HEADs took %v, more than twice one request's %v", took, c.budget())
		}
	})
}

// A request waiting its turn is not sent once another caller has spent
// the same request (its retries on timeouts) meanwhile: it gets that
// caller's error, as a later caller does.
func TestPacingSpentWhileWaitingNotSentAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, ref := zooClient(t, http.NotFoundHandler(), zooRepo)
		c.maxRetries = 1
		c.paced.Store(ref.name.RegistryStr(), make(chan struct{}, 1)) // the registry answered 429 before
		var sent atomic.Int32
		op := func(ctx context.Context) error {
			sent.Add(1)
			<-ctx.Done() // no answer within the attempt's time
			return ctx.Err()
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * 10 * time.Second) // the second comes while the first is on its way
				errs[i] = c.retry(context.Background(), ref, "GET https://x/v2/a/manifests/t", nil, op)
			})
		}
		wg.Wait()
		if sent.Load() != 2 {
			t.Errorf("%d attempts sent; want 2, the first caller's (1 retry), none of the second's", sent.Load())
		}
		for i, err := range errs {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("caller %d: %v; want the attempts' timeout", i, err)
			}
		}
	})
}

// answerHead answers a manifest HEAD: an OCI index's media type and digest.
func answerHead(w http.ResponseWriter) {
	w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("a", 64))
	w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
	w.WriteHeader(http.StatusOK)
}

// Two requests sent at once both meet a 429; the first to take its turn
// spends the rate limit on its retry, and the second, which then is not
// sent again, says so, with the other request's attempts. Before, it said
// only "rate-limited the request (HTTP 429 …)", as if it had given up
// without a retry, and a plan whose listing pieces raced so reported that
// (CI, stop 20: TestAccPinDataSource_faults/429).
func TestPacingRateLimitedTogetherSaysBoth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent atomic.Int32
		arrived := make(chan struct{})
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sent.Add(1) == 2 {
				close(arrived)
			}
			<-arrived // both first attempts are on their way before either is answered
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}), zooRepo)
		c.maxRetries = 1
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.Head(context.Background(), ref, fmt.Sprintf("3.1.%d-python3.12", 15+i)) })
		}
		wg.Wait()
		if n := sent.Load(); n != 3 {
			t.Errorf("%d requests, want 3: both first attempts and one retry", n)
		}
		var own, both int
		for _, err := range errs {
			msg := strings.Join(strings.Fields(err.Error()), " ")
			switch {
			case !IsRateLimited(err):
				t.Errorf("%v: want a rate limit", err)
			case strings.Contains(msg, "the registry rate-limited the request (HTTP 429 Too Many Requests) after 2 attempts."):
				own++
			case strings.Contains(msg, "the registry rate-limited an earlier request of this run (HTTP 429 Too Many Requests) after 2 attempts, so this one was not sent again."):
				both++
			default:
				t.Errorf("%s: want its own 429 and the earlier request's attempts", msg)
			}
		}
		if own != 1 || both != 1 {
			t.Errorf("%d requests retried, %d stopped by the other; want 1 and 1", own, both)
		}
	})
}

// A request answered 429 whose retry then waits its turn behind another
// request for all its time says so, not only that it was rate-limited,
// as if it had not been retried. The other request (A) takes its turn
// first and holds it through a 15 s Retry-After and a retry that is not
// answered, past the end of the first's (B) 20 s.
func TestPacingRateLimitedThenWaitedTurnSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request) // B's first attempt
		want   string
	}{
		{"rate-limited", func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(time.Second) // answered after A has taken its turn
			w.WriteHeader(http.StatusTooManyRequests)
		}, "the registry rate-limited the request (HTTP 429 Too Many Requests), and its retry waited its turn until the 20s allowed ran out (once a registry answers 429, its requests go one at a time)."},
		{"not answered", func(_ http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // its 10 s run out while A holds the turn
		}, "no answer within the request timeout of 10s, and its retry waited its turn until the 20s allowed ran out (once a registry answers 429, its requests go one at a time)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var sentA atomic.Int32
				c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					switch {
					case strings.HasSuffix(r.URL.Path, "/manifests/b"):
						tc.answer(w, r)
					case sentA.Add(1) == 1:
						w.Header().Set("Retry-After", "15")
						w.WriteHeader(http.StatusTooManyRequests)
					default:
						<-r.Context().Done() // A's retry is not answered
					}
				}), zooRepo)
				c.timeout, c.maxRetries = 10*time.Second, 1
				var errB error
				var wg sync.WaitGroup
				wg.Go(func() { _, errB = c.Head(context.Background(), ref, "b") })
				wg.Go(func() {
					time.Sleep(time.Second / 2)
					_, _ = c.Head(context.Background(), ref, "a")
				})
				wg.Wait()
				if msg := strings.Join(strings.Fields(errB.Error()), " "); !strings.Contains(msg, tc.want) {
					t.Errorf("B: %s\nwant %q", msg, tc.want)
				}
			})
		})
	}
}

// A listing whose timeout runs out while its request waits its turn
// behind another request to a registry that answered 429 says so: the
// timeout alone read as a slow registry, where the time went to the rate
// limit's one-at-a-time.
func TestPacingListingTimeoutWhileWaitingTurnSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // the request holding the turn is not answered
		}), zooRepo)
		c.timeout, c.maxRetries, c.listingTimeout = time.Minute, 1, 30*time.Second
		c.paced.Store(ref.name.RegistryStr(), make(chan struct{}, 1)) // the registry answered 429 before
		held := make(chan struct{})
		hold := sync.OnceFunc(func() { close(held) })
		var wg sync.WaitGroup
		defer wg.Wait()
		wg.Go(func() {
			_ = c.retry(context.Background(), ref, "HEAD held", nil, func(ctx context.Context) error {
				hold() // and again on its retry
				<-ctx.Done()
				return ctx.Err()
			})
		})
		<-held
		_, err := c.ListTags(context.Background(), ref)
		want := "the tag list was not read within the listing timeout of 30s (0 pages and 0.0 MiB read; the registry answered 429 earlier in this run, so its requests went one at a time, and the waits for their turns count against this timeout)"
		if err == nil || !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), want) {
			t.Errorf("got %v\nwant %q", err, want)
		}
	})
}
