package registry

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Head resolves with a HEAD alone: no manifest GET, which Docker Hub would
// count against its pull limit. A second call is memoized.
func TestHeadUsesHeadOnly(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	digest, _ := f.pushIndex("prefecthq/prefect", "3.1.15-python3.12")
	c := newTestClient(t, Config{})

	d, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3.1.15-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	if d.Digest != digest || d.MediaType != string(types.OCIImageIndex) {
		t.Errorf("got %+v, want %s (OCI index)", d, digest)
	}
	if f.count("head") != 1 || f.count("get") != 0 {
		t.Errorf("head %d, get %d; want 1 and 0", f.count("head"), f.count("get"))
	}
	if _, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3.1.15-python3.12"); err != nil {
		t.Fatal(err)
	}
	if f.count("head") != 1 {
		t.Errorf("memoized Head made another request (%d heads)", f.count("head"))
	}
}

// 20 concurrent Heads of one tag make one request.
func TestHeadSingleflight(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	digest, _ := f.pushIndex("acme/x", "t")
	c := newTestClient(t, Config{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "t")
			if err != nil || d.Digest != digest {
				t.Errorf("got %+v, %v", d, err)
			}
		})
	}
	wg.Wait()
	if f.count("head") != 1 || f.count("ping") != 1 {
		t.Errorf("head %d, ping %d; want 1 and 1", f.count("head"), f.count("ping"))
	}
}

// Without Docker-Content-Digest the manifest is fetched and hashed, and
// fetched again by that digest, which proves the registry serves it so.
func TestHeadFallsBackToGetWithoutDigestHeader(t *testing.T) {
	noDockerConfig(t)
	var f *fake
	f = newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/manifests/") {
			f.inner.ServeHTTP(noDigestWriter{w}, r)
			return true
		}
		return false
	}))
	_, digest := f.pushImage("acme/x", "single", "linux/amd64")
	c := newTestClient(t, Config{})
	d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "single")
	if err != nil {
		t.Fatal(err)
	}
	if d.Digest != digest {
		t.Errorf("digest %s, want %s", d.Digest, digest)
	}
	if d.MediaType != string(types.DockerManifestSchema2) {
		t.Errorf("media type %q", d.MediaType)
	}
	if f.count("head") != 1 || f.count("get") != 2 {
		t.Errorf("head %d, get %d; want 1 and 2", f.count("head"), f.count("get"))
	}
}

// A registry that refuses manifest HEAD requests (405), or answers them
// 404 where a GET serves the manifest (Sonatype Nexus), is read with a
// GET, by tag and by digest; a manifest the GET does not find either is
// not found.
func TestHeadRefusedOrMissingFallsBackToGet(t *testing.T) {
	noDockerConfig(t)
	for _, status := range []int{http.StatusMethodNotAllowed, http.StatusNotFound} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodHead {
					w.WriteHeader(status)
					return true
				}
				return false
			}))
			digest, _ := f.pushIndex("acme/x", "t")
			c := newTestClient(t, Config{MaxRetries: 3})
			ctx, repo := context.Background(), repoOf(t, f.repo("acme/x"))
			for _, reference := range []string{"t", digest} {
				d, err := c.Head(ctx, repo, reference)
				if err != nil || d.Digest != digest || d.MediaType != string(types.OCIImageIndex) {
					t.Fatalf("%s: got %+v, %v", reference, d, err)
				}
			}
			if f.count("head") != 2 || f.count("get") != 2 {
				t.Errorf("head %d, get %d; want 2 and 2", f.count("head"), f.count("get"))
			}
			if _, err := c.Head(ctx, repo, "missing"); !IsNotFound(err) || !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("a missing tag: got %v, want not found", err)
			}
		})
	}
}

// noDigestWriter drops Docker-Content-Digest from a response.
type noDigestWriter struct{ http.ResponseWriter }

func (w noDigestWriter) WriteHeader(code int) {
	w.Header().Del("Docker-Content-Digest")
	w.ResponseWriter.WriteHeader(code)
}

func (w noDigestWriter) Write(b []byte) (int, error) {
	w.Header().Del("Docker-Content-Digest")
	return w.ResponseWriter.Write(b)
}

func TestHeadNotFound(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.pushIndex("acme/x", "there")
	c := newTestClient(t, Config{})
	_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "missing")
	if !IsNotFound(err) || IsUnauthorized(err) || IsRateLimited(err) {
		t.Fatalf("got %v, want not found", err)
	}
	var e *Error
	errors.As(err, &e)
	if e.Action != "resolve the digest of tag missing" || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %+v: %s", e, err)
	}
}

// Head by digest finds out whether the repository holds the manifest: the
// digest itself, or not found (a digest that names nothing, another
// repository's), or an error when the registry answers another digest.
func TestHeadByDigest(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	digest, _ := f.pushIndex("acme/x", "there")
	_, other := f.pushImage("acme/y", "elsewhere", "linux/s390x") // in another repository only
	c := newTestClient(t, Config{})
	ctx, repo := context.Background(), repoOf(t, f.repo("acme/x"))
	if d, err := c.Head(ctx, repo, digest); err != nil || d.Digest != digest {
		t.Fatalf("got %+v, %v; want %s", d, err, digest)
	}
	for _, missing := range []string{other, "sha256:" + strings.Repeat("0", 64)} {
		_, err := c.Head(ctx, repo, missing)
		if !IsNotFound(err) || !strings.Contains(err.Error(), "holds no manifest with that digest") || !strings.Contains(err.Error(), "Check the repository and the digest") {
			t.Errorf("%s: got %v, want not found, said of a digest", missing, err)
		}
	}
	if _, err := c.Head(ctx, repo, "sha256:nothex"); err == nil || !strings.Contains(err.Error(), "is not a digest") {
		t.Errorf("an invalid digest: got %v", err)
	}

	// A registry that answers a HEAD by digest with another digest.
	liar := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/sha256:") {
			w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("1", 64))
			w.Header().Set("Content-Type", string(types.OCIImageIndex))
			return true
		}
		return false
	}))
	liarDigest, _ := liar.pushIndex("acme/x", "there")
	_, err := newTestClient(t, Config{}).Head(ctx, repoOf(t, liar.repo("acme/x")), liarDigest)
	if err == nil || !strings.Contains(err.Error(), "answered digest sha256:1111") {
		t.Errorf("another digest answered: got %v", err)
	}
}

// An index lists its platforms; the unknown/unknown attestation is skipped.
func TestPlatformsIndex(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	digest, want := f.pushIndex("prefecthq/prefect", "3-latest")
	c := newTestClient(t, Config{})

	p, err := c.Platforms(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != digest {
		t.Errorf("digest %s, want %s", p.Digest, digest)
	}
	if !maps.Equal(p.ByPlatform, want) {
		t.Errorf("platforms %v, want %v", p.ByPlatform, want)
	}
	if _, ok := p.ByPlatform["linux/arm64/v8"]; !ok {
		t.Errorf("variant missing from %v", p.ByPlatform)
	}
	// By digest too, and the tag's Head is now known without a request.
	pd, err := c.Platforms(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), digest)
	if err != nil || !maps.Equal(pd.ByPlatform, want) || pd.Digest != digest {
		t.Errorf("by digest: %+v, %v", pd, err)
	}
	heads := f.count("head")
	if d, err := c.Head(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest"); err != nil || d.Digest != digest {
		t.Errorf("Head after Platforms: %+v, %v", d, err)
	}
	if f.count("head") != heads {
		t.Error("Head after Platforms made a request")
	}
	// Memoized, and the caller owns the map.
	gets := f.count("get")
	p.ByPlatform["x/y"] = "z"
	p2, _ := c.Platforms(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
	if f.count("get") != gets || len(p2.ByPlatform) != 2 {
		t.Errorf("memoized Platforms: %d gets (was %d), %v", f.count("get"), gets, p2.ByPlatform)
	}
}

// A single manifest contributes its config's os/arch.
func TestPlatformsSingleManifest(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	_, digest := f.pushImage("prefecthq/prefect", "1.4.1-python3.7", "linux/amd64")
	c := newTestClient(t, Config{})
	p, err := c.Platforms(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "1.4.1-python3.7")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"linux/amd64": digest}
	if p.Digest != digest || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("got %+v, want %s %v", p, digest, want)
	}
	if f.count("blob") != 1 {
		t.Errorf("%d blob requests, want 1 (the config)", f.count("blob"))
	}
}

func TestPlatformsDigestMismatch(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	f.pushImage("acme/x", "t", "linux/amd64")
	c := newTestClient(t, Config{})
	wrong := "sha256:" + strings.Repeat("0", 64)
	_, err := c.Platforms(context.Background(), repoOf(t, f.repo("acme/x")), wrong)
	if !IsNotFound(err) {
		t.Fatalf("got %v, want not found", err)
	}
	if _, err := c.Platforms(context.Background(), repoOf(t, f.repo("acme/x")), "sha256:nothex"); err == nil {
		t.Fatal("want an error for a malformed digest")
	}
}

// A manifest or image config answered once with a body cut inside its JSON
// (200, whole as HTTP goes) is a fault: asked again, and read right.
func TestPlatformsCutJSONRetried(t *testing.T) {
	noDockerConfig(t)
	for _, path := range []string{"/manifests/", "/blobs/"} {
		t.Run(strings.Trim(path, "/"), func(t *testing.T) {
			var cut atomic.Bool
			f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && strings.Contains(r.URL.Path, path) && cut.CompareAndSwap(false, true) {
					w.Write([]byte(`{"schemaVersion":2,"manifests":[{"digest":`))
					return true
				}
				return false
			}))
			var digest string
			var want map[string]string
			if path == "/manifests/" {
				digest, want = f.pushIndex("prefecthq/prefect", "3-latest")
			}
			if path == "/blobs/" {
				_, digest = f.pushImage("prefecthq/prefect", "3-latest", "linux/amd64")
				want = map[string]string{"linux/amd64": digest}
			}
			c := newTestClient(t, Config{MaxRetries: 1})
			c.sleep = func(context.Context, time.Duration) error { return nil }
			p, err := c.Platforms(context.Background(), repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
			if err != nil || p.Digest != digest || !maps.Equal(p.ByPlatform, want) {
				t.Fatalf("got %+v, %v; want %s %v", p, err, digest, want)
			}
			if !cut.Load() {
				t.Fatal("no answer was cut")
			}
		})
	}
}

func TestPlatformsBrokenManifest(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/manifests/") {
			w.Header().Set("Content-Type", string(types.OCIImageIndex))
			w.Write([]byte(`{"schemaVersion":2,"manifests":[{"digest":`))
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{})
	_, err := c.Platforms(context.Background(), repoOf(t, f.repo("acme/x")), "t")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("got %v", err)
	}
}
