package registry

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A manifest whose body is of the other kind than its Content-Type says
// (an index served as an image manifest, or the reverse) is refused, as
// containerd refuses it ("media-type: expected manifest but found
// index"): its platforms were read as the Content-Type's kind, and a body
// that is both an index and an image (manifests and a config) gave the
// config's platform, which no client would pull.
func TestRedteam2ManifestKindDisagreesWithContentType(t *testing.T) {
	s := newZooStore()
	mt, it := types.OCIManifestSchema1, types.OCIImageIndex
	amd, amdBody := s.image(mt, "linux/amd64", true)
	_, armBody := s.image(mt, "linux/arm64", true)
	_, idxBody := s.index(it, true, entry(mt, amd, len(amdBody), "linux/amd64", nil))
	var both map[string]any
	_ = json.Unmarshal(idxBody, &both)
	var arm map[string]any
	_ = json.Unmarshal(armBody, &arm)
	both["config"], both["layers"] = arm["config"], arm["layers"]
	bothBody, _ := json.Marshal(both)
	for name, tc := range map[string]struct {
		contentType types.MediaType
		body        []byte
	}{
		"an image manifest served as an index":       {it, amdBody},
		"an index served as an image manifest":       {mt, idxBody},
		"an index with a config served as an image":  {mt, bothBody},
		"an index with a config served as an index":  {it, bothBody},
		"an image manifest served as a Docker list":  {types.DockerManifestList, amdBody},
		"an index served as a Docker image manifest": {types.DockerManifestSchema2, idxBody},
	} {
		served := newZooStore()
		served.blobs = s.blobs // the configs, so that only the kind check refuses
		d := served.put(tc.contentType, tc.body)
		served.tag("t", d)
		c, ref := zooClient(t, served.serve(nil), zooRepo)
		for _, reference := range []string{d, "t"} {
			p, err := c.Platforms(context.Background(), ref, reference)
			if err == nil || !strings.Contains(err.Error(), string(tc.contentType)) {
				t.Errorf("%s, by %s: Platforms gave %+v, %v; want an error naming the Content-Type", name, reference, p, err)
			}
		}
	}
}

// A nested index is reached through its entry's platform: containerd
// descends into it only for a platform its entry matches, and takes from
// it only images of that platform. An image of another platform nested
// under the linux/amd64 entry is no linux/arm64 image, whatever it says:
// before the fix it stood for linux/arm64 (first wins), in place of the
// top-level linux/arm64 image Docker pulls.
func TestRedteam2NestedIndexImageOfAnotherPlatform(t *testing.T) {
	s := newZooStore()
	mt, it := types.OCIManifestSchema1, types.OCIImageIndex
	stray, strayBody := s.image(mt, "linux/arm64", true)
	arm, armBody := s.image(mt, "linux/arm64/v8", true)
	armv7, armv7Body := s.image(mt, "linux/arm/v7", true)
	sub, subBody := s.index(it, true, entry(mt, stray, len(strayBody), "linux/arm64", nil))
	armSub, armSubBody := s.index(it, true, entry(mt, armv7, len(armv7Body), "linux/arm/v6", nil))
	idx, _ := s.index(it, true,
		entry(it, sub, len(subBody), "linux/amd64", nil),
		entry(it, armSub, len(armSubBody), "linux/arm/v7", nil),
		entry(mt, arm, len(armBody), "linux/arm64", nil))
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	p, err := c.Platforms(context.Background(), ref, idx)
	if want := map[string]string{"linux/arm64": arm}; err != nil || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms gave %+v, %v; want %v (the image nested under linux/amd64 is %s)", p, err, want, stray)
	}
}

// Only image manifests stand for a platform. An index entry of another
// media type (a Docker schema 1 manifest, which Docker and containerd no
// longer pull; an artifact) is no image of its platform, even listed
// first: before the fix it was linux/amd64's and linux/arm64's digest.
func TestRedteam2IndexEntryNotAnImage(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	other := s.put("application/vnd.example.thing+json", []byte(`{"x":1}`))
	idx, _ := s.index(types.OCIImageIndex, true,
		entry("application/vnd.example.thing+json", other, 7, "linux/amd64", nil),
		entry(types.DockerManifestSchema1Signed, other, 7, "linux/arm64", nil),
		entry("", other, 7, "linux/s390x", nil),
		entry(mt, amd, len(amdBody), "linux/amd64", nil))
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	p, err := c.Platforms(context.Background(), ref, idx)
	if want := map[string]string{"linux/amd64": amd}; err != nil || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms gave %+v, %v; want %v (the other entries are %s)", p, err, want, other)
	}
}

// BuildKit marks an attestation manifest with the annotation
// vnd.docker.reference.type: attestation-manifest (and gives it the
// platform unknown/unknown). One that says a real platform, listed before
// the image, is still no image of it: before the fix it was linux/amd64's
// digest.
func TestRedteam2AttestationWithAPlatform(t *testing.T) {
	s := newZooStore()
	mt := types.OCIManifestSchema1
	amd, amdBody := s.image(mt, "linux/amd64", true)
	att, attBody := s.image(mt, "linux/amd64", false)
	idx, _ := s.index(types.OCIImageIndex, true,
		entry(mt, att, len(attBody), "linux/amd64", map[string]any{"annotations": map[string]string{
			"vnd.docker.reference.type": attestations, "vnd.docker.reference.digest": amd}}),
		entry(mt, amd, len(amdBody), "linux/amd64", nil))
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	p, err := c.Platforms(context.Background(), ref, idx)
	if want := map[string]string{"linux/amd64": amd}; err != nil || !maps.Equal(p.ByPlatform, want) {
		t.Errorf("Platforms gave %+v, %v; want %v (the attestation is %s)", p, err, want, att)
	}
}
