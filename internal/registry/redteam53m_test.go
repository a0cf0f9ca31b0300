package registry

import (
	"context"
	"maps"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Session 53's review of how pins read manifests (redteam53m): each case
// against a registry double, with its exact inputs.

// An index listing OCI image manifests and Docker schema 2 manifests side
// by side, as an OCI index and as a Docker manifest list: every image is
// its platform's, whichever of the two types it is.
func TestRedteam53mIndexMixingOCIAndDockerTypes(t *testing.T) {
	for _, it := range []types.MediaType{types.OCIImageIndex, types.DockerManifestList} {
		s := newZooStore()
		amd, amdBody := s.image(types.DockerManifestSchema2, "linux/amd64", true)
		arm, armBody := s.image(types.OCIManifestSchema1, "linux/arm64", true)
		idx, _ := s.index(it, true,
			entry(types.DockerManifestSchema2, amd, len(amdBody), "linux/amd64", nil),
			entry(types.OCIManifestSchema1, arm, len(armBody), "linux/arm64", nil))
		s.tag("3.1.15-python3.12", idx)
		c, ref := zooClient(t, s.serve(nil), zooRepo)
		for _, reference := range []string{"3.1.15-python3.12", idx} {
			p, err := c.Platforms(context.Background(), ref, reference)
			want := map[string]string{"linux/amd64": amd, "linux/arm64": arm}
			if err != nil || p.Digest != idx || !maps.Equal(p.ByPlatform, want) {
				t.Errorf("%s by %s: Platforms gave %+v, %v; want %s with %v", it, reference, p, err, idx, want)
			}
		}
	}
}

// A HEAD by tag that names another (stored) manifest than the GET by tag
// serves: a HEAD can only trust its header, so Head gives the HEAD's
// digest; Platforms by that digest reads that very manifest, its body
// checked against it, and by tag the GET's own, checked against the GET's
// header. Never the HEAD's digest with the GET's platforms.
func TestRedteam53mHeadNamesAnotherManifestThanGet(t *testing.T) {
	s := newZooStore()
	mt, it := types.OCIManifestSchema1, types.OCIImageIndex
	amd, amdBody := s.image(mt, "linux/amd64", true)
	arm, armBody := s.image(mt, "linux/arm64", true)
	older, _ := s.index(it, true, entry(mt, amd, len(amdBody), "linux/amd64", nil))
	newer, _ := s.index(it, true,
		entry(mt, amd, len(amdBody), "linux/amd64", nil),
		entry(mt, arm, len(armBody), "linux/arm64", nil))
	s.tag("t", newer)
	serve := s.serve(nil)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && manifestRef(r) == "t" {
			_, m, _ := s.lookup(older)
			writeManifest(w, r, string(m.mediaType), older, m.body)
			return
		}
		serve(w, r)
	})
	ctx := context.Background()
	c, ref := zooClient(t, h, zooRepo)
	d, err := c.Head(ctx, ref, "t")
	if err != nil || d.Digest != older {
		t.Fatalf("Head gave %+v, %v; want the HEAD's %s", d, err, older)
	}
	p, err := c.Platforms(ctx, ref, d.Digest)
	if want := map[string]string{"linux/amd64": amd}; err != nil || p.Digest != older || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms(%s) gave %+v, %v; want %v", older, p, err, want)
	}
	c2, _ := zooClient(t, h, zooRepo)
	p, err = c2.Platforms(ctx, ref, "t")
	if want := map[string]string{"linux/amd64": amd, "linux/arm64": arm}; err != nil || p.Digest != newer || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms(t) gave %+v, %v; want %s with %v", p, err, newer, want)
	}
}
