package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations (OCI) and labels (Docker configs) that make every pushed
// manifest distinct: the tag and a per-registry push generation.
const (
	annTag        = "io.prefectimage.registrytest.tag"
	annGeneration = "io.prefectimage.registrytest.generation"
)

// blob is a piece of content with its digest.
type blob struct {
	data   []byte
	digest v1.Hash
	ds     string // digest.String()
}

func newBlob(data []byte) blob {
	sum := sha256.Sum256(data)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	return blob{data: data, digest: h, ds: h.String()}
}

func (b blob) descriptor(mt types.MediaType) v1.Descriptor {
	return v1.Descriptor{MediaType: mt, Size: int64(len(b.data)), Digest: b.digest}
}

// sharedContent is what every seeded image has in common: one small layer,
// and the attestation's blobs.
type sharedContent struct {
	layer      blob    // a gzipped tar with one file
	diffID     v1.Hash // digest of the uncompressed tar
	intoto     blob    // the attestation's in-toto statement
	attestConf blob    // the attestation's config: unknown/unknown
}

var shared = sync.OnceValue(func() sharedContent {
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	body := []byte("registrytest: a stand-in for a Prefect image layer\n")
	_ = tw.WriteHeader(&tar.Header{
		Name: "etc/registrytest", Mode: 0o644, Size: int64(len(body)),
		ModTime: time.Unix(0, 0).UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX,
	})
	_, _ = tw.Write(body)
	_ = tw.Close()
	var gzBuf bytes.Buffer
	gz := gzip.NewWriter(&gzBuf) // zero header ModTime: reproducible
	_, _ = gz.Write(tarBuf.Bytes())
	_ = gz.Close()

	intoto := newBlob(mustJSON(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://slsa.dev/provenance/v0.2",
		"subject":       []any{},
		"predicate":     map[string]any{"builder": map[string]string{"id": "registrytest"}},
	}))
	attestConf := newBlob(mustJSON(v1.ConfigFile{
		Architecture: "unknown",
		OS:           "unknown",
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{intoto.digest}},
	}))
	return sharedContent{
		layer:      newBlob(gzBuf.Bytes()),
		diffID:     newBlob(tarBuf.Bytes()).digest,
		intoto:     intoto,
		attestConf: attestConf,
	}
})

// configFor returns an image config for the platform, with labels if any.
func configFor(p v1.Platform, labels map[string]string) blob {
	s := shared()
	return newBlob(mustJSON(v1.ConfigFile{
		Architecture: p.Architecture,
		OS:           p.OS,
		Variant:      p.Variant,
		Config: v1.Config{
			Env:    []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
			Labels: labels,
		},
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{s.diffID}},
	}))
}

// attestation returns the attestation manifest that the unknown/unknown
// entry of every seeded index points at (shared by all of them).
var attestation = sync.OnceValue(func() blob {
	s := shared()
	layer := s.intoto.descriptor("application/vnd.in-toto+json")
	layer.Annotations = map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}
	return newBlob(mustJSON(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        s.attestConf.descriptor(types.OCIConfigJSON),
		Layers:        []v1.Descriptor{layer},
	}))
})

// ociImage returns an OCI image manifest over config with annotations.
func ociImage(config blob, ann map[string]string) blob {
	return newBlob(mustJSON(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        config.descriptor(types.OCIConfigJSON),
		Layers:        []v1.Descriptor{shared().layer.descriptor(types.OCILayer)},
		Annotations:   ann,
	}))
}

// dockerImage returns a Docker schema 2 image manifest over config.
func dockerImage(config blob) blob {
	return newBlob(mustJSON(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        config.descriptor(types.DockerConfigJSON),
		Layers:        []v1.Descriptor{shared().layer.descriptor(types.DockerLayer)},
	}))
}

// parsePlatform parses "os/arch[/variant]".
func parsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return v1.Platform{}, fmt.Errorf("registrytest: platform %q is not os/arch[/variant]", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

func platformKey(p v1.Platform) string {
	k := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		k += "/" + p.Variant
	}
	return k
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
