package registry

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Manifest shapes the zoo (zoo_manifest_test.go) and the model
// (manifest_model_test.go) leave out.

// A registry that sends no Docker-Content-Digest and names its manifests
// by sha512 alone (zot configured so, a static registry whose files a
// sha512 push wrote), or by no digest at all (a static site serving tags
// alone): the tag resolves to the digest a GET by digest is answered for,
// sha512 there, or fails saying no digest can be pinned. The sha256 of the
// body was pinned, which such a registry serves nothing by: no pull could
// use the pin.
func TestManifestWithoutDigestHeaderPinnedAsServed(t *testing.T) {
	s := newZooStore()
	amd, amdBody := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	arm, armBody := s.image(types.OCIManifestSchema1, "linux/arm64", true)
	_, body := s.index(types.OCIImageIndex, true,
		entry(types.OCIManifestSchema1, amd, len(amdBody), "linux/amd64", nil),
		entry(types.OCIManifestSchema1, arm, len(armBody), "linux/arm64", nil))
	for _, tc := range []struct {
		name   string
		served map[string][]byte // by reference besides the tag
		want   string            // the pin, "" for an error
	}{
		{"sha256", map[string][]byte{sha(body): body, amd: amdBody, arm: armBody}, sha(body)},
		{"sha512", map[string][]byte{sha512Of(body): body, amd: amdBody, arm: armBody}, sha512Of(body)},
		{"tags-only", map[string][]byte{amd: amdBody, arm: armBody}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if s.serveBlob(w, r) {
					return
				}
				ref := manifestRef(r)
				if ref == "3-latest" {
					writeManifest(w, r, string(types.OCIImageIndex), "", body)
					return
				}
				b, ok := tc.served[ref]
				if !ok {
					writeRegError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
					return
				}
				mt := types.OCIImageIndex
				if ref == amd || ref == arm {
					mt = types.OCIManifestSchema1
				}
				writeManifest(w, r, string(mt), "", b)
			})
			platforms := map[string]string{"linux/amd64": amd, "linux/arm64": arm}
			c, ref := zooClient(t, h, zooRepo)
			d, err := c.Head(context.Background(), ref, "3-latest")
			c2, _ := zooClient(t, h, zooRepo)
			p, perr := c2.Platforms(context.Background(), ref, "3-latest")
			if tc.want == "" {
				for _, err := range []error{err, perr} {
					if err == nil || !strings.Contains(err.Error(), "no digest of it can be pinned") {
						t.Errorf("Head gave %+v, %v; Platforms %+v, %v; want an error saying no digest can be pinned", d, err, p, perr)
					}
				}
				return
			}
			if err != nil || d.Digest != tc.want {
				t.Errorf("Head gave %+v, %v; want %s", d, err, tc.want)
			}
			if perr != nil || p.Digest != tc.want || !maps.Equal(p.ByPlatform, platforms) {
				t.Errorf("Platforms by tag gave %+v, %v; want %s with %v", p, perr, tc.want, platforms)
			}
			if p, err := c.Platforms(context.Background(), ref, d.Digest); err != nil || !maps.Equal(p.ByPlatform, platforms) {
				t.Errorf("Platforms by the pinned digest gave %+v, %v; want %v", p, err, platforms)
			}
		})
	}
}
