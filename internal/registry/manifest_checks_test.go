package registry

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A single manifest's config blob is checked against the digest the
// manifest names before its platform is read: a registry serving another
// config under that digest (arm64 for an amd64 image) gives an error, never
// the platform the unchecked config claims.
func TestConfigBlobCheckedAgainstItsDigest(t *testing.T) {
	s := newZooStore()
	d, body := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	s.tag("3-latest", d)
	var m struct{ Config struct{ Digest string } }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	s.blobs[m.Config.Digest] = []byte(`{"os":"linux","architecture":"arm64","rootfs":{"type":"layers","diff_ids":[]}}`)
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	p, err := c.Platforms(context.Background(), ref, "3-latest")
	if err == nil || !strings.Contains(err.Error(), "does not hash to the "+m.Config.Digest) {
		t.Errorf("Platforms gave %+v, %v; want an error saying the config blob does not hash to %s", p, err, m.Config.Digest)
	}
}

// An empty Docker-Content-Digest field beside the digest (a proxy adding
// the header without a value) names no other manifest: the digest is
// pinned, whichever order the fields come in.
func TestEmptyDigestHeaderBesideTheDigestIgnored(t *testing.T) {
	s := newZooStore()
	d, body := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	for _, values := range [][]string{{d, ""}, {"", d}} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.serveBlob(w, r) {
				return
			}
			w.Header()["Docker-Content-Digest"] = values
			writeManifest(w, r, string(types.OCIManifestSchema1), "", body)
		})
		c, ref := zooClient(t, h, zooRepo)
		if got, err := c.Head(context.Background(), ref, "3-latest"); err != nil || got.Digest != d {
			t.Errorf("Docker-Content-Digest %q: Head gave %+v, %v; want %s", values, got, err, d)
		}
	}
}

// A HEAD answered 401 with a Bearer challenge of its own, whose new
// handshake the token service refuses (403), is not asked again by GET:
// the GET would make the same handshake again, to be refused again, and
// say nothing the HEAD's error did not.
func TestHeadRefusedHandshakeNotAskedAgainByGet(t *testing.T) {
	noDockerConfig(t)
	var tokens, manifests atomic.Int32
	f := newFake(t, withHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.URL.Path == "/token":
			tokens.Add(1)
			writeRegError(w, http.StatusForbidden, "DENIED", "denied")
			return true
		case strings.Contains(r.URL.Path, "/manifests/"):
			manifests.Add(1)
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="fake",scope="repository:acme/x:pull"`)
			writeRegError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return true
		}
		return false
	}))
	c := newTestClient(t, Config{MaxRetries: 0})
	_, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "3-latest")
	if err == nil || tokens.Load() != 1 || manifests.Load() != 1 {
		t.Errorf("Head gave %v after %d token and %d manifest requests; want an error after 1 of each", err, tokens.Load(), manifests.Load())
	}
}
