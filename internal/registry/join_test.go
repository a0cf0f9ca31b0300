package registry

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// heldLister serves sorted as serve does, holding the requests hold picks
// until release, and logs the last of every tag list request.
type heldLister struct {
	mu      sync.Mutex
	lasts   []string
	release chan struct{}
	fail    bool // held requests are answered 500 once released
}

func (h *heldLister) handler(serve http.HandlerFunc, hold func(*http.Request) bool) http.Handler {
	h.release = make(chan struct{})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.mu.Lock()
		h.lasts = append(h.lasts, req.URL.Query().Get("last"))
		h.mu.Unlock()
		if hold(req) {
			<-h.release
			if h.fail {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		serve(w, req)
	})
}

func (h *heldLister) asked(last string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Contains(h.lasts, last)
}

// A range asked while a reading that covers it runs (a wider range's, or
// the whole list's) waits for it and is served from it: it sends no
// request of its own. One not covered reads its own pages meanwhile.
func TestRangeJoinsACoveringReading(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	wide := TagRange{After: "3-~", Before: "3.~", Splits: []string{"3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}}
	inside := TagRange{After: "3.7~", Before: "3.8~"}
	across := TagRange{After: "2.9~", Before: "3.1~"} // overlaps wide, not inside it
	for name, covering := range map[string]TagRange{"range": wide, "whole list": {}} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var h heldLister
				c, ref := zooClient(t, h.handler(distribution310(sorted), func(req *http.Request) bool {
					return slices.Contains(wide.Splits, req.URL.Query().Get("last")) || // wide's pieces
						covering.whole() && req.URL.Query().Get("last") == sorted[tagPageSize-1] // the whole list's second page
				}), "prefecthq/prefect")
				l := c.listingOf(ref)
				key := l.rangeKey(covering)
				if covering.whole() {
					key = l.ref.key
				}
				ctx := context.Background()
				done := make(chan error, 1)
				go func() { _, err := c.ListTagRange(ctx, ref, covering); done <- err }()
				synctest.Wait()        // the covering reading waits for its held page
				if !covering.whole() { // the whole list covers every range
					got, err := c.ListTagRange(ctx, ref, across)
					if want := across.filter(sorted); err != nil || !slices.Equal(got, want) {
						t.Fatalf("range not covered: %d tags, want %d (%v)", len(got), len(want), err)
					}
				}
				var inner []string
				var err error
				go func() { inner, err = c.ListTagRange(ctx, ref, inside) }()
				synctest.Wait()
				waiting := c.rangeReads.Waiting(key) + c.wholeLists.Waiting(key)
				close(h.release)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				if waiting != 2 {
					t.Errorf("%d callers wait for the covering reading, want 2: the range inside it did not join it", waiting)
				}
				if want := inside.filter(sorted); err != nil || !slices.Equal(inner, want) {
					t.Fatalf("range inside: %d tags, want %d (%v)", len(inner), len(want), err)
				}
				if h.asked(inside.After) {
					t.Errorf("the range inside the covering reading asked for its own first page (last=%s)", inside.After)
				}
			})
		})
	}
}

// A covering reading whose caller gives up runs on for the range that
// joined it, which it serves; one that fails, fails that range too, which
// sends no request of its own: reading it again would only wait out the
// same retries of a registry that is down.
func TestJoinedRangeOutlivesItsCoveringReading(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	wide := TagRange{After: "3-~", Before: "3.~", Splits: []string{"3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}}
	inside := TagRange{After: "3.7~", Before: "3.8~"}
	for _, tc := range []struct {
		covering TagRange
		fail     bool
	}{{wide, false}, {wide, true}, {TagRange{}, false}, {TagRange{}, true}} {
		name := map[bool]string{false: "cancelled", true: "failed"}[tc.fail]
		if tc.covering.whole() {
			name = "whole list " + name
		}
		fail := tc.fail
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := heldLister{fail: fail}
				c, ref := zooClient(t, h.handler(distribution310(sorted), func(req *http.Request) bool {
					return slices.Contains(wide.Splits, req.URL.Query().Get("last")) || // wide's pieces
						req.URL.Query().Get("last") == sorted[tagPageSize-1] // the whole list's second page
				}), "prefecthq/prefect")
				l := c.listingOf(ref)
				key := l.rangeKey(wide)
				waiting := c.rangeReads.Waiting
				if tc.covering.whole() {
					key, waiting = l.ref.key, c.wholeLists.Waiting
				}
				wideCtx, cancel := context.WithCancel(context.Background())
				defer cancel()
				done := make(chan error, 1)
				go func() { _, err := c.ListTagRange(wideCtx, ref, tc.covering); done <- err }()
				synctest.Wait()
				var got []string
				var err error
				finished := make(chan struct{})
				go func() { defer close(finished); got, err = c.ListTagRange(context.Background(), ref, inside) }()
				synctest.Wait()
				if n := waiting(key); n != 2 {
					t.Errorf("%d callers wait for the covering reading, want 2", n)
				}
				if h.asked(inside.After) {
					t.Error("the range inside asked for its own first page while the covering reading ran")
				}
				if !fail {
					cancel()
					if err := <-done; !errors.Is(err, context.Canceled) {
						t.Errorf("the covering reading's caller got %v, want its own cancellation", err)
					}
				}
				close(h.release)
				<-finished
				if h.asked(inside.After) {
					t.Error("the range inside read its own pages after joining the covering reading")
				}
				if fail {
					if err := <-done; err == nil {
						t.Error("the covering reading did not fail")
					}
					if statusOf(err) != http.StatusInternalServerError {
						t.Fatalf("range inside: %d tags, %v; want the covering reading's failure, 500", len(got), err)
					}
				} else if want := inside.filter(sorted); err != nil || !slices.Equal(got, want) {
					t.Fatalf("range inside: %d tags, want %d (%v)", len(got), len(want), err)
				}
			})
		})
	}
}

// A range that joins a reading on an order still unchecked is given that
// reading's tags with settle, as the reader is; when the check fails
// (distribution v3.0.0 skips the tag past a last that is no tag), settle
// gives the range's tags of the whole list.
func TestJoinedUncheckedReadingSettlesAsItsReader(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	wide := TagRange{After: "3.6~", Before: "3.8~"}
	inside := TagRange{After: "3.7~", Before: "3.8~"}
	synctest.Test(t, func(t *testing.T) {
		var h heldLister
		check := make(chan struct{})
		c, ref := zooClient(t, h.handler(distribution300(sorted), func(req *http.Request) bool {
			if req.URL.Query().Get("n") == "10" { // the check (probePage)
				<-check
			}
			return req.URL.Query().Get("last") == wide.After // wide's first page, the probe
		}), "prefecthq/prefect")
		ctx := context.Background()
		type result struct {
			tags   []string
			settle func(context.Context) ([]string, error)
			err    error
		}
		var w, in result
		var wg sync.WaitGroup
		wg.Go(func() { w.tags, w.settle, w.err = c.ListTagRangeSoon(ctx, ref, wide) })
		synctest.Wait()
		wg.Go(func() { in.tags, in.settle, in.err = c.ListTagRangeSoon(ctx, ref, inside) })
		synctest.Wait()
		if n := c.rangeReads.Waiting(c.listingOf(ref).rangeKey(wide)); n != 2 {
			t.Errorf("%d callers wait for the covering reading, want 2", n)
		}
		close(h.release) // the probe; the check stays held
		synctest.Wait()
		close(check)
		wg.Wait()
		if w.err != nil || in.err != nil {
			t.Fatal(w.err, in.err)
		}
		if in.settle == nil || w.settle == nil {
			t.Fatalf("settle: reader %v, joiner %v; want both, as the order is unchecked", w.settle != nil, in.settle != nil)
		}
		if h.asked(inside.After) {
			t.Error("the range inside asked for its own first page")
		}
		got, err := in.settle(ctx)
		if want := inside.filter(sorted); err != nil || !slices.Equal(got, want) {
			t.Fatalf("settled: %d tags, want %d (%v); missing %q", len(got), len(want), err, setDiff(want, got))
		}
		if !c.listingOf(ref).unordered.Load() {
			t.Error("the check did not fail")
		}
	})
}

// A range whose reading began before a wider one was asked, while the
// registry's order was still being found, waits for the wider reading once
// the order is known (a releases data source beside pins), instead of
// reading its own pages beside it.
func TestNarrowReadingJoinsAWiderOneAskedMeanwhile(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	wide := TagRange{After: "3-~", Before: "3.~", Splits: []string{"3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}}
	narrow := TagRange{After: "3.5~", Before: "3.8~", Splits: []string{"3.6.1", "3.6.2", "3.6.3", "3.6.4", "3.6.5", "3.6.6", "3.6.7", "3.6.8", "3.6.9", "3.7."}}
	synctest.Test(t, func(t *testing.T) {
		order, pieces := make(chan struct{}), make(chan struct{})
		var h heldLister
		serve := distribution310(sorted)
		c, ref := zooClient(t, h.handler(func(w http.ResponseWriter, req *http.Request) {
			switch last := req.URL.Query().Get("last"); {
			case last == "": // the list's first page, which the order waits for
				<-order
			case slices.Contains(wide.Splits, last):
				<-pieces
			}
			serve(w, req)
		}, func(*http.Request) bool { return false }), "prefecthq/prefect")
		ctx := context.Background()
		var wg sync.WaitGroup
		var narrowTags, wideTags []string
		var narrowErr, wideErr error
		wg.Go(func() { narrowTags, narrowErr = c.ListTagRange(ctx, ref, narrow) })
		synctest.Wait() // the narrow reading waits for the order
		wg.Go(func() { wideTags, wideErr = c.ListTagRange(ctx, ref, wide) })
		synctest.Wait()
		close(order)
		synctest.Wait() // the wide reading waits for its pieces
		if n := c.rangeReads.Waiting(c.listingOf(ref).rangeKey(wide)); n != 2 {
			t.Errorf("%d wait for the wide reading, want 2: the narrow reading did not join it", n)
		}
		close(pieces)
		wg.Wait()
		if want := narrow.filter(sorted); narrowErr != nil || !slices.Equal(narrowTags, want) {
			t.Fatalf("narrow: %d tags, want %d (%v)", len(narrowTags), len(want), narrowErr)
		}
		if want := wide.filter(sorted); wideErr != nil || !slices.Equal(wideTags, want) {
			t.Fatalf("wide: %d tags, want %d (%v)", len(wideTags), len(want), wideErr)
		}
		for _, s := range narrow.Splits {
			if h.asked(s) {
				t.Errorf("the narrow range read its own piece from %s", s)
			}
		}
	})
}
