package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// A Retry-After longer than what is left of the listing timeout is not
// waited for: the listing fails at once, naming the wait, the time left and
// the listing timeout. It slept to the listing's deadline and then said
// that the listing timeout ran out, with "its requests went one at a time,
// and the waits for their turns count against this timeout", though no
// request waited a turn. A request with time of its own left is not spent:
// a later request may wait for the same Retry-After.
func TestRetryAfterPastListingTimeoutFailsAtOnce(t *testing.T) {
	noDockerConfig(t)
	var lists atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/tags/list") && lists.Add(1) == 1 {
			time.Sleep(9 * time.Second) // 1 s of the listing's 10 s left
			w.Header().Set("Retry-After", "3")
			writeRegError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "slow down")
			return true
		}
		return false
	}))
	f.setTags("acme/x", []string{"a"})
	synctest.Test(t, func(t *testing.T) {
		c := f.memoryClient(t, Config{MaxRetries: 3, RequestTimeout: time.Minute, ListingTimeout: 10 * time.Second})
		start := time.Now()
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		if el := time.Since(start); el != 9*time.Second {
			t.Errorf("failed after %s, want at once after the 9 s answer", el)
		}
		var e *Error
		if !errors.As(err, &e) || !IsRateLimited(err) || !e.WaitPastListingTimeout() {
			t.Fatalf("got %v, want the 429 past the listing timeout", err)
		}
		msg := strings.Join(strings.Fields(err.Error()), " ")
		want := "the registry rate-limited the request (HTTP 429 Too Many Requests); its Retry-After asked to wait 3s, more than the 1s left of the listing timeout of 10s."
		if !strings.Contains(msg, want) || strings.Contains(msg, "one at a time") {
			t.Errorf("message %s\nwant %q", msg, want)
		}
		n := 0
		c.spent.Range(func(any, any) bool { n++; return true })
		c.rateLimited.Range(func(any, any) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d requests or scopes spent for the run; want none", n)
		}
	})
}

// A request whose wait before its retry fitted in its time when it was
// answered, but no longer does once it has waited its turn behind another
// request (the registry answered 429, so its requests go one at a time),
// fails when it gets its turn, saying so. It slept its wait past its time,
// then made an attempt with no time left, and said "no answer within the
// request timeout of 10s after 2 attempts", of a retry never sent.
func TestWaitPastTimeLeftAfterTurnFailsAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string        // of B's 429
		holdA      time.Duration // A's retry answered after it, holding the turn
		took       time.Duration // B's, to its turn
		want       string
	}{
		{"Retry-After", "5", 0, 16 * time.Second,
			"the registry rate-limited the request (HTTP 429 Too Many Requests); its Retry-After asked to wait 5s, more than the 4s left of the 20s allowed for the request and its retries once its retry had waited its turn (once a registry answers 429, its requests go one at a time)."},
		{"backoff", "", 3900 * time.Millisecond, 19900 * time.Millisecond, // 100 ms left, below any backoff
			"the registry rate-limited the request (HTTP 429 Too Many Requests), and its retry waited its turn until the 20s allowed ran out (once a registry answers 429, its requests go one at a time)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var sentA, sentB atomic.Int32
				c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					switch {
					case strings.HasSuffix(r.URL.Path, "/manifests/b"):
						sentB.Add(1)
						time.Sleep(2 * time.Second) // answered after A has taken its turn
						if tc.retryAfter != "" {
							w.Header().Set("Retry-After", tc.retryAfter)
						}
						w.WriteHeader(http.StatusTooManyRequests)
					case sentA.Add(1) == 1:
						w.Header().Set("Retry-After", "15") // A holds the turn from 1 s to 16 s, and its retry's answer
						w.WriteHeader(http.StatusTooManyRequests)
					default:
						time.Sleep(tc.holdA)
						answerHead(w)
					}
				}), zooRepo)
				c.timeout, c.maxRetries = 10*time.Second, 1
				var errA, errB error
				var tookB time.Duration
				var wg sync.WaitGroup
				wg.Go(func() {
					start := time.Now()
					_, errB = c.Head(context.Background(), ref, "b")
					tookB = time.Since(start)
				})
				wg.Go(func() {
					time.Sleep(time.Second)
					_, errA = c.Head(context.Background(), ref, "a")
				})
				wg.Wait()
				if errA != nil {
					t.Errorf("A: %v", errA)
				}
				if tookB != tc.took || sentB.Load() != 1 {
					t.Errorf("B failed after %s and %d requests; want at its turn, %s, after 1", tookB, sentB.Load(), tc.took)
				}
				msg := ""
				if errB != nil {
					msg = strings.Join(strings.Fields(errB.Error()), " ")
				}
				if !IsRateLimited(errB) || !strings.Contains(msg, tc.want) {
					t.Errorf("B: %s\nwant %q", msg, tc.want)
				}
			})
		})
	}
}

// A listing's request whose Retry-After fitted in the listing's time when
// it was answered, but no longer does once it has waited its turn behind
// another request, fails at its turn, naming the listing timeout and the
// turn. It slept to the listing's deadline, then said only that the
// listing timeout ran out.
func TestRetryAfterPastListingTimeoutAfterTurnFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lists, heads atomic.Int32
		c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/tags/list") && lists.Add(1) == 1:
				time.Sleep(time.Second) // answered after the HEAD has taken its turn
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(http.StatusTooManyRequests)
			case strings.HasSuffix(r.URL.Path, "/tags/list"):
				writeJSON(w, http.StatusOK, map[string]any{"name": zooRepo, "tags": []string{"3.1.15-python3.12"}})
			case heads.Add(1) == 1:
				w.Header().Set("Retry-After", "20") // the HEAD holds the turn from 0.5 s to 20.5 s
				w.WriteHeader(http.StatusTooManyRequests)
			default:
				answerHead(w)
			}
		}), zooRepo)
		c.timeout, c.maxRetries, c.listingTimeout = time.Minute, 3, 21500*time.Millisecond
		var errList, errHead error
		var took time.Duration
		var wg sync.WaitGroup
		wg.Go(func() {
			start := time.Now()
			_, errList = c.ListTags(context.Background(), ref)
			took = time.Since(start)
		})
		wg.Go(func() {
			time.Sleep(time.Second / 2)
			_, errHead = c.Head(context.Background(), ref, "3.1.15-python3.12")
		})
		wg.Wait()
		if errHead != nil {
			t.Errorf("HEAD: %v", errHead)
		}
		if took != 20500*time.Millisecond {
			t.Errorf("the listing failed after %s; want at its turn, 20.5 s", took)
		}
		var e *Error
		msg := ""
		if errList != nil {
			msg = strings.Join(strings.Fields(errList.Error()), " ")
		}
		want := "the registry rate-limited the request (HTTP 429 Too Many Requests); its Retry-After asked to wait 3s, more than the 1s left of the listing timeout of 21.5s once its retry had waited its turn (once a registry answers 429, its requests go one at a time)."
		if !errors.As(errList, &e) || !e.WaitPastListingTimeout() || !strings.Contains(msg, want) {
			t.Errorf("the listing: %s\nwant %q", msg, want)
		}
	})
}
