package registrytest

import (
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// template is JSON produced once by encoding/json with placeholders, split
// so that filling it in is a concatenation. Seeding 13.5k tags builds 40k
// manifests; encoding/json would be a third of the time. Values must need no
// JSON escaping (tags, digests and numbers do not).
type template struct {
	parts []string // len(parts) == len(slots)+1
	slots []int    // index into the values passed to fill
	size  int      // bytes of parts
}

// newTemplate splits s at every occurrence of the placeholders.
func newTemplate(s string, placeholders ...string) template {
	var t template
	for {
		at, which := -1, -1
		for i, p := range placeholders {
			if j := strings.Index(s, p); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			t.parts = append(t.parts, s)
			t.size += len(s)
			return t
		}
		t.parts = append(t.parts, s[:at])
		t.size += at
		t.slots = append(t.slots, which)
		s = s[at+len(placeholders[which]):]
	}
}

func (t template) fill(values ...string) []byte {
	n := t.size
	for _, k := range t.slots {
		n += len(values[k])
	}
	b := make([]byte, 0, n)
	for i, k := range t.slots {
		b = append(b, t.parts[i]...)
		b = append(b, values[k]...)
	}
	return append(b, t.parts[len(t.parts)-1]...)
}

// Placeholders: JSON-safe strings, and numbers for the size fields.
const (
	phTag     = "@@TAG@@"
	phGen     = "@@GEN@@"
	phAMD     = "@@AMD@@"
	phARM     = "@@ARM@@"
	phAMDSize = "987654320001"
	phARMSize = "987654320002"
)

func annotations(tag, gen string) map[string]string {
	return map[string]string{annTag: tag, annGeneration: gen}
}

// ociImageTemplate is ociImage over config with placeholder annotations.
func ociImageTemplate(config blob) template {
	return newTemplate(string(ociImage(config, annotations(phTag, phGen)).data), phTag, phGen)
}

var (
	amd64ImageTemplate = sync.OnceValue(func() template { return ociImageTemplate(amd64Config()) })
	arm64ImageTemplate = sync.OnceValue(func() template { return ociImageTemplate(arm64Config()) })
	indexTemplate      = sync.OnceValue(func() template {
		amd, _ := strconv.ParseInt(phAMDSize, 10, 64)
		arm, _ := strconv.ParseInt(phARMSize, 10, 64)
		return newTemplate(string(ociIndex(
			v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: amd, Digest: v1.Hash{Algorithm: "sha256", Hex: phAMD}},
			v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: arm, Digest: v1.Hash{Algorithm: "sha256", Hex: phARM}},
			annotations(phTag, phGen),
		).data), phTag, phGen, phAMD, phARM, phAMDSize, phARMSize)
	})
)

// ociIndex returns the multi-platform index Seed pushes: amd and arm (their
// platforms are set here) and the shared attestation pointing at amd.
func ociIndex(amd, arm v1.Descriptor, ann map[string]string) blob {
	amd.Platform, arm.Platform = &linuxAMD64, &linuxARM64
	return newBlob(mustJSON(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests:     []v1.Descriptor{amd, arm, attestationEntry(amd.Digest)},
		Annotations:   ann,
	}))
}
