package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A tag's answer that sends Docker-Content-Digest twice with different
// values (a proxy adding its own to the registry's) names no one manifest.
// Before the fix a HEAD pinned the first value, whichever it was, with
// nothing to prove it, and a GET by tag took the body's digest when it
// matched the first and failed when it matched the second. Now both fail,
// naming the two; the same value twice, or an empty one beside a digest,
// is the digest.
func TestRedteam6TwoDigestHeaders(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	top, topBody := s.index(types.OCIImageIndex, true, entry(mt, amd, len(amdBody), "linux/amd64", nil))
	other := "sha256:" + strings.Repeat("b", 64)
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		for _, tc := range []struct {
			headers []string
			ok      bool
		}{
			{[]string{other, top}, false},
			{[]string{top, other}, false},
			{[]string{top, top}, true},
			{[]string{"", top}, true},
		} {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead && method == http.MethodGet {
					w.WriteHeader(http.StatusMethodNotAllowed) // the digest comes from a GET
					return
				}
				w.Header().Set("Content-Type", string(types.OCIImageIndex))
				for _, v := range tc.headers {
					w.Header().Add("Docker-Content-Digest", v)
				}
				w.WriteHeader(http.StatusOK)
				if r.Method == http.MethodGet {
					_, _ = w.Write(topBody)
				}
			})
			c, ref := zooClient(t, h, zooRepo)
			d, err := c.Head(context.Background(), ref, "3-latest")
			if tc.ok {
				if err != nil || d.Digest != top {
					t.Errorf("%s %q: Head gave %+v, %v; want %s", method, tc.headers, d, err, top)
				}
				continue
			}
			if err == nil || !strings.Contains(err.Error(), "two different Docker-Content-Digest headers") ||
				!strings.Contains(err.Error(), top) || !strings.Contains(err.Error(), other) {
				t.Errorf("%s %q: Head gave %+v, %v; want an error naming both digests", method, tc.headers, d, err)
			}
			if _, ok := c.heads.Cached(ref.key + ":3-latest"); ok {
				t.Errorf("%s %q: a digest was cached", method, tc.headers)
			}
		}
	}
}

// A guard (it passed): a Docker-Content-Digest that is no sha256 or sha512
// digest as image-spec spells them (an algorithm in upper case, one that
// cannot be checked, too few hex digits, quotes, two values in one line)
// is an error on a HEAD and on a GET by tag alike, never a pin, and
// nothing is cached.
func TestRedteam6MalformedDigestHeader(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	top, topBody := s.index(types.OCIImageIndex, true, entry(mt, amd, len(amdBody), "linux/amd64", nil))
	hex := strings.TrimPrefix(top, "sha256:")
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		for _, header := range []string{
			"SHA256:" + hex,
			"Sha256:" + hex,
			"sha384:" + hex + hex[:32],
			"blake3:" + hex,
			"sha256:" + hex[1:],
			`"` + top + `"`,
			top + ", " + top,
		} {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead && method == http.MethodGet {
					w.WriteHeader(http.StatusMethodNotAllowed)
					return
				}
				writeManifest(w, r, string(types.OCIImageIndex), header, topBody)
			})
			c, ref := zooClient(t, h, zooRepo)
			if d, err := c.Head(context.Background(), ref, "3-latest"); err == nil || !strings.Contains(err.Error(), "Docker-Content-Digest") && !strings.Contains(err.Error(), "cannot be checked") && !strings.Contains(err.Error(), "hashes to") {
				t.Errorf("%s %q: Head gave %+v, %v; want an error about the digest", method, header, d, err)
			}
			if _, ok := c.heads.Cached(ref.key + ":3-latest"); ok {
				t.Errorf("%s %q: a digest was cached", method, header)
			}
		}
	}
}

// A guard (it passed): an index that lists one platform twice, spelled
// alike, with different images: the platform's digest is the first
// entry's, the one Docker and containerd pull (the first match in the
// index's order).
func TestRedteam6PlatformListedTwice(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	first, firstBody := s.image(mt, "linux/amd64", true)
	second, secondBody := s.image(mt, "linux/amd64/v1", true) // another body, same index platform
	top, _ := s.index(types.OCIImageIndex, true,
		entry(mt, first, len(firstBody), "linux/amd64", nil),
		entry(mt, second, len(secondBody), "linux/amd64", nil))
	s.tag("t", top)
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	p, err := c.Platforms(context.Background(), ref, top)
	if err != nil || p.ByPlatform["linux/amd64"] != first || len(p.ByPlatform) != 1 {
		t.Errorf("Platforms gave %+v, %v; want linux/amd64 = %s (the first entry), not %s", p, err, first, second)
	}
}
