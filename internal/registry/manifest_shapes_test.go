package registry

import (
	"context"
	"maps"
	"net/http"
	"strconv"
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
		other  int               // the status of a reference not served; 0 for 404
	}{
		{"sha256", map[string][]byte{sha(body): body, amd: amdBody, arm: armBody}, sha(body), 0},
		{"sha512", map[string][]byte{sha512Of(body): body, amd: amdBody, arm: armBody}, sha512Of(body), 0},
		// An algorithm the registry does not take, refused 400.
		{"sha512-sha256-refused", map[string][]byte{sha512Of(body): body, amd: amdBody, arm: armBody}, sha512Of(body), http.StatusBadRequest},
		{"tags-only", map[string][]byte{amd: amdBody, arm: armBody}, "", 0},
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
				if !ok && tc.other == http.StatusBadRequest {
					writeRegError(w, http.StatusBadRequest, "DIGEST_INVALID", "unsupported digest algorithm")
					return
				}
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

// A tag pointing at an artifact: the OCI artifact manifest of image-spec
// 1.1's release candidates (application/vnd.oci.artifact.manifest.v1+json,
// which ORAS 0.16 to 1.0 pushed to ACR and zot), sent with its
// Docker-Content-Digest on the HEAD. Its Content-Type says it is no image:
// Head reads it and fails as Platforms does, naming the type. Head pinned
// its digest, which no container runtime pulls, where Platforms refused
// it. An image manifest carrying an artifact (the empty config of
// image-spec 1.1, a Helm chart's config, a Docker plugin's) says it is an
// image manifest: a HEAD cannot see its config, so Head gives its digest,
// but reading its platforms fails naming the config's type and an image
// config's. It was read as an image without a platform, so platform and
// required_platforms failed saying the image lacked them.
func TestManifestArtifactTagNotPinnedAsImage(t *testing.T) {
	const artifactManifest = "application/vnd.oci.artifact.manifest.v1+json"
	s := newZooStore()
	blob := []byte("chart")
	s.blobs[sha(blob)] = blob
	artifact := []byte(`{"mediaType":"` + artifactManifest + `","artifactType":"application/vnd.cncf.helm.chart","blobs":[{"mediaType":"application/tar","digest":"` + sha(blob) + `","size":5}]}`)
	s.tag("3.1.0", s.put(artifactManifest, artifact))
	empty := []byte("{}")
	s.blobs[sha(empty)] = empty
	helmCfg := []byte(`{"name":"prefect","version":"3.1.1","apiVersion":"v2"}`)
	s.blobs[sha(helmCfg)] = helmCfg
	pluginCfg := []byte(`{"description":"a volume plugin","rootfs":{"type":"layers","diff_ids":[]}}`)
	s.blobs[sha(pluginCfg)] = pluginCfg
	configs := map[string]struct {
		mt   types.MediaType
		cfg  string
		body []byte
	}{
		"3.1.1": {types.OCIManifestSchema1, "application/vnd.cncf.helm.config.v1+json", helmCfg},
		"3.1.2": {types.OCIManifestSchema1, "application/vnd.oci.empty.v1+json", empty},
		"3.1.3": {types.DockerManifestSchema2, "application/vnd.docker.plugin.v1+json", pluginCfg},
	}
	for tag, cfg := range configs {
		body := []byte(`{"schemaVersion":2,"mediaType":"` + string(cfg.mt) + `","artifactType":"application/vnd.example",` +
			`"config":{"mediaType":"` + cfg.cfg + `","digest":"` + sha(cfg.body) + `","size":` + strconv.Itoa(len(cfg.body)) + `},` +
			`"layers":[{"mediaType":"application/tar","digest":"` + sha(blob) + `","size":5}]}`)
		s.tag(tag, s.put(cfg.mt, body))
	}
	c, ref := zooClient(t, s.serve(nil), zooRepo)
	ctx := context.Background()
	d, err := c.Head(ctx, ref, "3.1.0")
	if err == nil || !strings.Contains(err.Error(), `unsupported media type "`+artifactManifest+`"`) {
		t.Errorf("3.1.0: Head gave %+v, %v; want an error naming %s", d, err, artifactManifest)
	}
	if p, err := c.Platforms(ctx, ref, "3.1.0"); err == nil || !strings.Contains(err.Error(), artifactManifest) {
		t.Errorf("3.1.0: Platforms gave %+v, %v; want an error naming %s", p, err, artifactManifest)
	}
	for _, tag := range []string{"3.1.1", "3.1.2", "3.1.3"} {
		want, _, _ := s.lookup(tag)
		if d, err := c.Head(ctx, ref, tag); err != nil || d.Digest != want {
			t.Errorf("%s: Head gave %+v, %v; want %s", tag, d, err, want)
		}
		cfg := configs[tag].cfg
		if p, err := c.Platforms(ctx, ref, tag); err == nil || !strings.Contains(err.Error(), "tag "+tag) ||
			!strings.Contains(err.Error(), `config of type "`+cfg+`"`) || !strings.Contains(err.Error(), string(types.OCIConfigJSON)) {
			t.Errorf("%s: Platforms gave %+v, %v; want an error naming the tag, %s and an image config's type", tag, p, err, cfg)
		}
	}
}

// A HEAD whose Content-Type names no type of manifest (an object store's
// binary/octet-stream or text/plain, Katello's application/json with a
// charset, none) with the right Docker-Content-Digest: it may stand for a
// schema 1 manifest as well as an index
// (TestZooManifestSchema1BehindGenericType), so the tag is read with one
// GET, and pinned by what it serves. A HEAD naming the index's own type is
// pinned without a GET.
func TestManifestGenericHeadTypeConfirmedByGet(t *testing.T) {
	s := newZooStore()
	amd, amdBody := s.image(types.OCIManifestSchema1, "linux/amd64", true)
	idx, body := s.index(types.OCIImageIndex, true, entry(types.OCIManifestSchema1, amd, len(amdBody), "linux/amd64", nil))
	for _, ct := range []string{"binary/octet-stream", "text/plain", "application/json; charset=utf-8", "", string(types.OCIImageIndex)} {
		wantGets := 1
		if ct == string(types.OCIImageIndex) {
			wantGets = 0
		}
		gets := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if manifestRef(r) == "3-latest" {
				if r.Method == http.MethodGet {
					gets++
				}
				writeManifest(w, r, ct, idx, body)
				return
			}
			s.serve(nil)(w, r)
		})
		c, ref := zooClient(t, h, zooRepo)
		if d, err := c.Head(context.Background(), ref, "3-latest"); err != nil || d.Digest != idx || gets != wantGets {
			t.Errorf("Content-Type %q: Head gave %+v, %v after %d GETs; want %s after %d", ct, d, err, gets, idx, wantGets)
		}
	}
}
