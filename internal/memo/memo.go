// Package memo caches the results of slow calls (registry requests,
// catalog parses) for a provider run, and lets concurrent callers of one key
// share a single computation.
package memo

import (
	"context"
	"sync"
)

// Cache caches successful results per key for its whole life and lets
// concurrent callers of one key share a single computation (singleflight).
// Failures are not cached: the next caller computes again.
//
// The shared computation runs on a context that keeps the first caller's
// values (loggers) but not its cancellation: one caller giving up does not
// fail the others. When every waiting caller has given up, the computation
// is cancelled.
type Cache[V any] struct {
	mu    sync.Mutex
	done  map[string]V
	calls map[string]*flight[V]
}

// flight is one computation in progress and the callers waiting for it.
type flight[V any] struct {
	finished chan struct{}
	val      V
	err      error
	waiters  int
	cancel   context.CancelFunc
}

// Get returns the cached value for key, or waits for the one computation of
// it, starting fn when none is running.
func (m *Cache[V]) Get(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) (V, error) {
	v, _, err := m.get(ctx, key, fn)
	return v, err
}

// Join is Get without starting a computation: ok is false, and nothing
// waited for, when key is neither cached nor being computed.
func (m *Cache[V]) Join(ctx context.Context, key string) (v V, ok bool, err error) {
	return m.get(ctx, key, nil)
}

func (m *Cache[V]) get(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) (V, bool, error) {
	var zero V
	m.mu.Lock()
	if v, ok := m.done[key]; ok {
		m.mu.Unlock()
		return v, true, nil
	}
	call, running := m.calls[key]
	if !running && fn == nil {
		m.mu.Unlock()
		return zero, false, nil
	}
	if err := ctx.Err(); err != nil {
		m.mu.Unlock()
		return zero, true, err
	}
	if !running {
		call = m.startLocked(ctx, key, fn)
	}
	call.waiters++
	m.mu.Unlock()

	select {
	case <-call.finished:
		return call.val, true, call.err
	case <-ctx.Done():
		m.mu.Lock()
		call.waiters--
		if call.waiters == 0 {
			call.cancel()
			if m.calls[key] == call {
				delete(m.calls, key)
			}
		}
		m.mu.Unlock()
		return zero, true, ctx.Err()
	}
}

// Start begins the computation of key, unless it is cached or running, and
// returns without waiting for it; a later Get joins it. It runs to its end
// whatever becomes of ctx, whose values it keeps.
func (m *Cache[V]) Start(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.done[key]; ok {
		return
	}
	call := m.startLocked(ctx, key, fn)
	call.waiters++ // the computation's own: nobody leaving cancels it
}

// startLocked returns the flight of key, starting fn when none runs. m.mu
// is held.
func (m *Cache[V]) startLocked(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) *flight[V] {
	if m.calls == nil {
		m.calls = map[string]*flight[V]{}
	}
	if call, ok := m.calls[key]; ok {
		return call
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	call := &flight[V]{finished: make(chan struct{}), cancel: cancel}
	m.calls[key] = call
	go func() {
		v, err := fn(wctx)
		cancel()
		m.mu.Lock()
		call.val, call.err = v, err
		if err == nil {
			if m.done == nil {
				m.done = map[string]V{}
			}
			m.done[key] = v
		}
		if m.calls[key] == call {
			delete(m.calls, key)
		}
		m.mu.Unlock()
		close(call.finished)
	}()
	return call
}

// Put stores a value computed elsewhere, unless one is cached already.
func (m *Cache[V]) Put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done == nil {
		m.done = map[string]V{}
	}
	if _, ok := m.done[key]; !ok {
		m.done[key] = v
	}
}

// Cached returns the value cached for key, if there is one, without waiting
// for a computation in flight.
func (m *Cache[V]) Cached(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.done[key]
	return v, ok
}

// Waiting returns how many callers wait for the computation of key in
// flight (0 when none runs), so that tests can tell that a caller has
// joined it without sleeping.
func (m *Cache[V]) Waiting(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if call, ok := m.calls[key]; ok {
		return call.waiters
	}
	return 0
}
