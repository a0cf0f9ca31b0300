package registry

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// On distribution v3.0.0 a range of many pages is read while the order
// check runs; once the check has shown the skip, its pieces ask for no
// page past their first: the whole list is read instead. The pieces' first
// pages are held until the check has been answered and taken in (synctest
// decides the order), so that every page a piece asks for after them is
// one the failed check should have saved.
func TestFailedOrderCheckStopsTheRangeReads(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	r := TagRange{After: "3-~", Before: "3.~", Splits: []string{"3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}}
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var pages atomic.Int32
		serve := distribution300(sorted)
		h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			pages.Add(1)
			if slices.Contains(r.Splits, req.URL.Query().Get("last")) {
				<-release // a piece's first page
			}
			serve(w, req)
		})
		c, ref := zooClient(t, h, "prefecthq/prefect")
		var got []string
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			got, err = c.ListTagRange(context.Background(), ref, r)
		}()
		synctest.Wait() // the check answered; the pieces wait for their first pages
		if !c.listingOf(ref).unordered.Load() {
			t.Fatal("the order check has not failed on distribution v3.0.0")
		}
		close(release)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if want := r.filter(sorted); !slices.Equal(got, want) {
			t.Fatalf("%d tags, want %d", len(got), len(want))
		}
		// The whole list, the range's first page (the probe), the check
		// and the pieces' first pages.
		whole := (len(sorted) + c.pageSize - 1) / c.pageSize
		if want := whole + 2 + len(r.Splits); int(pages.Load()) > want {
			t.Errorf("%d tag list pages, want %d: the pieces read on after the check failed", pages.Load(), want)
		}
	})
}

// While the order check runs, a range read on the unchecked order is no
// proof for the ranges inside it: on distribution v3.0.0 it lacks the tag
// past its start, and a range it covers, asked for meanwhile, must come
// with settle (or be read whole), not be served from it as proven.
func TestUncheckedRangeIsNotServedBeforeTheCheck(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	r := TagRange{After: "3.7~", Before: "3.8~"}
	inside := TagRange{After: "3.7~", Before: "3.8.0~"}
	release := make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	defer letGo()
	serve := distribution300(sorted)
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Query().Get("n") == "10" { // the check (probePage)
			<-release
		}
		serve(w, req)
	})
	c, ref := zooClient(t, h, "prefecthq/prefect")
	ctx := context.Background()
	_, settleOuter, err := c.ListTagRangeSoon(ctx, ref, r)
	if err != nil {
		t.Fatal(err)
	}
	if settleOuter == nil {
		t.Fatal("the range came without settle while the order check is held")
	}
	got, settle, err := c.ListTagRangeSoon(ctx, ref, inside)
	letGo()
	if err != nil {
		t.Fatal(err)
	}
	want := inside.filter(sorted)
	if settle == nil && !slices.Equal(got, want) {
		t.Fatalf("served %d tags as proven, want %d: missing %q", len(got), len(want), setDiff(want, got))
	}
	if settle != nil {
		if got, err = settle(ctx); err != nil || !slices.Equal(got, want) {
			t.Fatalf("settled: %d tags, want %d (%v)", len(got), len(want), err)
		}
	}
	if got, err = settleOuter(ctx); err != nil || !slices.Equal(got, r.filter(sorted)) {
		t.Fatalf("outer settled: %d tags, want %d (%v)", len(got), len(r.filter(sorted)), err)
	}
}

// A check that fails for a while (503, no retries) proves nothing: the
// range read on the unchecked order is not kept, and the callers after it
// are given the tags of a check that did answer (distribution v3.0.0: the
// whole list's; distribution v3.1.0: the range's).
func TestFailedCheckRequestKeepsNothing(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	r := TagRange{After: "3.7~", Before: "3.8~"}
	inside := TagRange{After: "3.7~", Before: "3.8.0~"}
	for name, serve := range map[string]http.HandlerFunc{"distribution-3.0.0": distribution300(sorted), "distribution-3.1.0": distribution310(sorted)} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var failed atomic.Bool
				var c *Client
				var ref Repository
				h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if req.URL.Query().Get("n") == "10" && failed.CompareAndSwap(false, true) {
						// Answered once the caller's settle waits for it (the
						// check's own waiter and the caller's), so that the
						// caller is given this failure: once every other
						// goroutine of the bubble waits.
						synctest.Wait()
						if n := c.orders.Waiting(ref.key + "\x00between"); n < 2 {
							t.Errorf("the check failed with %d waiting for it, want 2: the check's own and the caller's settle", n)
						}
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					serve(w, req)
				})
				c, ref = zooClient(t, h, "prefecthq/prefect") // no retries
				ctx := context.Background()
				if got, err := c.ListTagRange(ctx, ref, r); err == nil {
					t.Fatalf("%d tags and no error, want the check's 503", len(got))
				}
				if !failed.Load() {
					t.Fatal("no check was asked")
				}
				for _, q := range []TagRange{inside, r, inside} {
					got, settle, err := c.ListTagRangeSoon(ctx, ref, q)
					if err == nil && settle != nil {
						got, err = settle(ctx)
					}
					if want := q.filter(sorted); err != nil || !slices.Equal(got, want) {
						t.Fatalf("range %+v: %d tags, want %d (%v); missing %q", q, len(got), len(want), err, setDiff(want, got))
					}
				}
			})
		})
	}
}

// A range of every tag read in pieces (Splits) is a narrowed reading:
// once the list is found out of order, it is not served as the whole list,
// which is read instead.
func TestNarrowedWholeRangeNotServedOnceUnordered(t *testing.T) {
	sorted := slices.Sorted(slices.Values(tagcatalog.Prefect()))
	var pages atomic.Int32
	serve := distribution310(sorted)
	c, ref := zooClient(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		pages.Add(1)
		serve(w, req)
	}), "prefecthq/prefect")
	ctx := context.Background()
	if _, err := c.ListTagRange(ctx, ref, TagRange{Splits: []string{"2.", "3.", "sha-"}}); err != nil {
		t.Fatal(err)
	}
	c.listingOf(ref).unordered.Store(true) // as another reading would find it
	before := pages.Load()
	got, err := c.ListTags(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, sorted) {
		t.Fatalf("%d tags, want %d", len(got), len(sorted))
	}
	if pages.Load() == before {
		t.Error("the whole list was served from the narrowed reading of every tag")
	}
}
