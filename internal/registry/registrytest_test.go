package registry

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/tagcatalog"
)

// These tests run the client against the project's in-process registry
// (internal/registrytest), seeded with the real Prefect tag catalog.

func seeded(t *testing.T, tags []string, opts ...registrytest.Option) *registrytest.Registry {
	t.Helper()
	r := registrytest.New(t, opts...)
	if err := r.Seed("prefecthq/prefect", tags); err != nil {
		t.Fatal(err)
	}
	return r
}

// All 13,512 tags across 100-tag pages (the registry caps n at 100) with
// Link headers; then 20 concurrent callers on a fresh client share one
// listing of 14 pages of 1000.
func TestRegistrytestAllPrefectTags(t *testing.T) {
	noDockerConfig(t)
	all := tagcatalog.Prefect()
	want := slices.Clone(all)
	slices.Sort(want)

	r := registrytest.Prefect(t, registrytest.WithMaxPageSize(100))
	c := newTestClient(t, Config{})
	got, err := c.ListTags(context.Background(), repoOf(t, r.Host()+"/prefecthq/prefect"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d tags, want %d", len(got), len(want))
	}
	if n := r.Counts().ListPage; n != 136 {
		t.Errorf("%d pages, want 136", n)
	}

	r2 := registrytest.Prefect(t)
	c2 := newTestClient(t, Config{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			got, err := c2.ListTags(context.Background(), repoOf(t, r2.Host()+"/prefecthq/prefect"))
			if err != nil || len(got) != len(want) {
				t.Errorf("got %d tags, %v", len(got), err)
			}
		})
	}
	wg.Wait()
	if cnt := r2.Counts(); cnt.ListPage != 14 || cnt.Ping != 1 {
		t.Errorf("counts %+v; want 14 pages and 1 ping for 20 callers", cnt)
	}
}

// Head is a HEAD only; Platforms matches the registry's own platform list.
func TestRegistrytestHeadAndPlatforms(t *testing.T) {
	noDockerConfig(t)
	r := seeded(t, []string{"3.1.15-python3.12", "3-latest"}, registrytest.WithBearerAuth("me", secret))
	single, err := r.PushSingle("prefecthq/prefect", "1.4.1-python3.7", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	list, err := r.PushManifestList("prefecthq/prefect", "2.20.3-python3.11")
	if err != nil {
		t.Fatal(err)
	}
	logs := &logRecorder{}
	c := newTestClient(t, Config{Credentials: []Credential{{Host: r.Host(), Username: "me", Password: secret}}, Logger: logs})
	repo := r.Host() + "/prefecthq/prefect"
	ctx := context.Background()

	want, _ := r.Digest("prefecthq/prefect", "3.1.15-python3.12")
	d, err := c.Head(ctx, repoOf(t, repo), "3.1.15-python3.12")
	if err != nil || d.Digest != want {
		t.Fatalf("Head: %+v, %v; want %s", d, err, want)
	}
	if cnt := r.Counts(); cnt.Head != 1 || cnt.Get != 0 || cnt.Token != 1 {
		t.Errorf("counts %+v", cnt)
	}

	p, err := c.Platforms(ctx, repoOf(t, repo), "3.1.15-python3.12")
	wantP, _ := r.PlatformDigests("prefecthq/prefect", "3.1.15-python3.12")
	if err != nil || p.Digest != want || !maps.Equal(p.ByPlatform, wantP) {
		t.Errorf("Platforms: %+v, %v; want %v", p, err, wantP)
	}
	p, err = c.Platforms(ctx, repoOf(t, repo), "1.4.1-python3.7")
	if err != nil || p.Digest != single || !maps.Equal(p.ByPlatform, map[string]string{"linux/amd64": single}) {
		t.Errorf("single: %+v, %v", p, err)
	}
	p, err = c.Platforms(ctx, repoOf(t, repo), "2.20.3-python3.11")
	wantL, _ := r.PlatformDigests("prefecthq/prefect", "2.20.3-python3.11")
	if err != nil || p.Digest != list || !maps.Equal(p.ByPlatform, wantL) {
		t.Errorf("manifest list: %+v, %v; want %v", p, err, wantL)
	}
	if r.Counts().Token != 1 || r.Counts().Ping != 1 {
		t.Errorf("counts %+v; want one ping and one token", r.Counts())
	}
	if strings.Contains(logs.text(), r.Token()) || strings.Contains(logs.text(), secret) {
		t.Error("the log holds the token or the password")
	}
}

// A re-pushed tag is seen by a new Client (the provider makes one per run),
// not by the memoizing one.
func TestRegistrytestMemoizedForClientLifetime(t *testing.T) {
	noDockerConfig(t)
	r := seeded(t, []string{"3-latest"})
	repo := r.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{})
	before, err := c.Head(context.Background(), repoOf(t, repo), "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	after, err := r.Push("prefecthq/prefect", "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Head(context.Background(), repoOf(t, repo), "3-latest"); d.Digest != before.Digest {
		t.Error("the memoized digest changed")
	}
	if d, _ := newTestClient(t, Config{}).Head(context.Background(), repoOf(t, repo), "3-latest"); d.Digest != after {
		t.Errorf("a new client got %s, want %s", d.Digest, after)
	}
	if err := r.Delete("prefecthq/prefect", "3-latest"); err != nil {
		t.Fatal(err)
	}
	if _, err := newTestClient(t, Config{}).Head(context.Background(), repoOf(t, repo), "3-latest"); !IsNotFound(err) {
		t.Errorf("deleted tag: %v", err)
	}
}

// A registry that ignores last but sends the same Link again: a loop, an
// error. Cursor paging is followed through its Link headers.
func TestRegistrytestIgnoreLastAndCursorPaging(t *testing.T) {
	noDockerConfig(t)
	tags := tagcatalog.PrefectClient()
	r := seeded(t, tags, registrytest.WithIgnoreLast(), registrytest.WithMaxPageSize(500))
	_, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, r.Host()+"/prefecthq/prefect"))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "loop") {
		t.Errorf("ignore last: %v", err)
	}

	r2 := seeded(t, tags, registrytest.WithCursorPaging(), registrytest.WithMaxPageSize(500))
	got, err := newTestClient(t, Config{}).ListTags(context.Background(), repoOf(t, r2.Host()+"/prefecthq/prefect"))
	if err != nil || len(got) != len(tags) {
		t.Errorf("cursor paging: %d tags, %v", len(got), err)
	}
}

// Basic auth, TLS with the registry's CA, and wrong credentials.
func TestRegistrytestBasicTLS(t *testing.T) {
	noDockerConfig(t)
	r := seeded(t, []string{"3-latest"}, registrytest.WithBasicAuth("me", secret), registrytest.WithTLS())
	repo := r.Host() + "/prefecthq/prefect"
	c := newTestClient(t, Config{CACertPEM: []byte(r.CACertPEM()), Credentials: []Credential{{Host: r.Host(), Username: "me", Password: secret}}})
	if got, err := c.ListTags(context.Background(), repoOf(t, repo)); err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	bad := newTestClient(t, Config{CACertPEM: []byte(r.CACertPEM()), Credentials: []Credential{{Host: r.Host(), Username: "me", Password: "nope-" + secret}}})
	_, err := bad.ListTags(context.Background(), repoOf(t, repo))
	if !IsUnauthorized(err) || strings.Contains(err.Error(), secret) {
		t.Errorf("wrong password: %v", err)
	}
}

// Latency within RequestTimeout is fine; a 429 middleware with Retry-After
// is honoured.
func TestRegistrytestLatencyAndRateLimit(t *testing.T) {
	noDockerConfig(t)
	var mu sync.Mutex
	limited := 0
	r := seeded(t, []string{"3-latest"}, registrytest.WithLatency(20*time.Millisecond), registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			first := req.Method == http.MethodHead && limited == 0
			if first {
				limited++
			}
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, req)
		})
	}))
	c := newTestClient(t, Config{MaxRetries: 2})
	start := time.Now()
	want, _ := r.Digest("prefecthq/prefect", "3-latest")
	d, err := c.Head(context.Background(), repoOf(t, r.Host()+"/prefecthq/prefect"), "3-latest")
	if err != nil || d.Digest != want {
		t.Fatalf("got %+v, %v", d, err)
	}
	if time.Since(start) < time.Second || r.Counts().Head != 2 {
		t.Errorf("took %s with %d HEADs", time.Since(start), r.Counts().Head)
	}
}
