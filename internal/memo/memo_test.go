package memo

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

func TestConcurrentCallersShareOneComputation(t *testing.T) {
	var c Cache[string]
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Get(context.Background(), "k", func(context.Context) (string, error) {
				calls.Add(1)
				<-release
				return "v", nil
			})
			if v != "v" || err != nil {
				t.Errorf("Get = %q, %v", v, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("fn ran %d times for 20 concurrent callers, want 1", n)
	}
}

// The first caller giving up does not fail the callers still waiting.
func TestFirstCallerCancelledOthersStillServed(t *testing.T) {
	var c Cache[string]
	release := make(chan struct{})
	started := make(chan struct{})
	fn := func(ctx context.Context) (string, error) {
		close(started)
		select {
		case <-release:
			return "v", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, err := c.Get(first, "k", fn); firstErr <- err }()
	<-started
	second := make(chan string, 1)
	go func() {
		v, err := c.Get(context.Background(), "k", fn)
		if err != nil {
			v = "error: " + err.Error()
		}
		second <- v
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller got %v, want context.Canceled", err)
	}
	close(release)
	if v := <-second; v != "v" {
		t.Errorf("the caller still waiting got %q, want v", v)
	}
}

// When every caller has given up, the computation is cancelled.
func TestAllCallersGoneCancelsComputation(t *testing.T) {
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
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller got %v, want context.Canceled", err)
	}
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the computation kept running after every caller left")
	}
}
