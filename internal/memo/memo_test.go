package memo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

func TestGetCachesSuccessNotFailure(t *testing.T) {
	var c Cache[int]
	var calls int
	fail := errors.New("boom")
	fn := func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 0, fail
		}
		return 42, nil
	}
	if _, err := c.Get(context.Background(), "k", fn); !errors.Is(err, fail) {
		t.Fatalf("first Get: %v, want the failure", err)
	}
	for range 3 {
		if v, err := c.Get(context.Background(), "k", fn); v != 42 || err != nil {
			t.Fatalf("Get = %d, %v", v, err)
		}
	}
	if calls != 2 {
		t.Errorf("fn ran %d times, want 2 (the failure is not cached, the success is)", calls)
	}
	if v, ok := c.Cached("k"); !ok || v != 42 {
		t.Errorf("Cached = %d, %v", v, ok)
	}
}

// Tests of goroutine order run in a synctest bubble: synctest.Wait returns
// once every goroutine of the test is blocked, so each step happens after
// the one before it, without sleeps.

func TestConcurrentCallersShareOneComputation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Cache[string]
		var calls atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				v, err := c.Get(context.Background(), "k", func(context.Context) (string, error) {
					calls.Add(1)
					<-release
					return "v", nil
				})
				if v != "v" || err != nil {
					t.Errorf("Get = %q, %v", v, err)
				}
			})
		}
		synctest.Wait() // all 20 wait for the one computation
		if n := c.Waiting("k"); n != 20 {
			t.Errorf("%d callers waiting, want 20", n)
		}
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("fn ran %d times for 20 concurrent callers, want 1", n)
		}
	})
}

// The first caller giving up does not fail the callers still waiting.
func TestFirstCallerCancelledOthersStillServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Cache[string]
		release := make(chan struct{})
		var runs atomic.Int32
		fn := untilReleased(release, &runs)
		first, cancel := context.WithCancel(context.Background())
		firstErr := make(chan error, 1)
		go func() { _, err := c.Get(first, "k", fn); firstErr <- err }()
		synctest.Wait() // fn runs for the first caller
		second := make(chan string, 1)
		go func() {
			v, err := c.Get(context.Background(), "k", fn)
			if err != nil {
				v = "error: " + err.Error()
			}
			second <- v
		}()
		synctest.Wait() // the second caller has joined
		cancel()
		if err := <-firstErr; !errors.Is(err, context.Canceled) {
			t.Errorf("the cancelled caller got %v, want context.Canceled", err)
		}
		close(release)
		if v := <-second; v != "v" {
			t.Errorf("the caller still waiting got %q, want v", v)
		}
		if n := runs.Load(); n != 1 {
			t.Errorf("fn ran %d times, want once", n)
		}
	})
}

// When every caller has given up, the computation is cancelled, and a
// caller after that starts it anew.
func TestAllCallersGoneCancelsComputation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Cache[int]
		stopped := make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Get(ctx, "k", func(ctx context.Context) (int, error) {
				<-ctx.Done()
				close(stopped)
				return 0, ctx.Err()
			})
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("the cancelled caller got %v, want context.Canceled", err)
		}
		<-stopped // the computation saw its context end
		if v, err := c.Get(context.Background(), "k", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
			t.Errorf("a caller after that got %d, %v, want a new computation", v, err)
		}
	})
}

// Start runs the computation without waiting; a Get after it joins it, and
// no caller leaving cancels it.
func TestStartThenGetJoins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Cache[int]
		release := make(chan struct{})
		var runs atomic.Int32
		fn := func(ctx context.Context) (int, error) {
			runs.Add(1)
			select {
			case <-release:
				return 5, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		c.Start(context.Background(), "k", fn)
		gone, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := c.Get(gone, "k", fn); done <- err }()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("the caller that left got %v", err)
		}
		close(release)
		if v, err := c.Get(context.Background(), "k", fn); v != 5 || err != nil {
			t.Errorf("Get = %d, %v, want the started computation's 5", v, err)
		}
		if n := runs.Load(); n != 1 {
			t.Errorf("fn ran %d times, want once", n)
		}
	})
}

// Join waits for a computation in flight, and keeps it running when its
// starter gives up; it starts none, and finds a cached value.
func TestJoinWaitsWithoutStarting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Cache[string]
		if _, ok, err := c.Join(context.Background(), "k"); ok || err != nil {
			t.Fatalf("Join with nothing cached or running = %v, %v, want not ok", ok, err)
		}
		release := make(chan struct{})
		fn := untilReleased(release, new(atomic.Int32))
		first, cancel := context.WithCancel(context.Background())
		go func() { _, _ = c.Get(first, "k", fn) }()
		synctest.Wait()
		joined := make(chan string, 1)
		go func() {
			v, ok, err := c.Join(context.Background(), "k")
			joined <- fmt.Sprintln(v, ok, err)
		}()
		synctest.Wait()
		if n := c.Waiting("k"); n != 2 {
			t.Fatalf("%d callers waiting, want 2 (Join waits)", n)
		}
		cancel()
		synctest.Wait()
		close(release)
		if got := <-joined; got != "v true <nil>\n" {
			t.Errorf("Join = %s, want the value of the computation its starter left", got)
		}
		if v, ok, err := c.Join(context.Background(), "k"); v != "v" || !ok || err != nil {
			t.Errorf("Join of a cached key = %q, %v, %v", v, ok, err)
		}
	})
}

// untilReleased is a computation, counted in runs, that returns "v" once
// release is closed, or fails when its context ends first.
func untilReleased(release <-chan struct{}, runs *atomic.Int32) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		runs.Add(1)
		select {
		case <-release:
			return "v", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
