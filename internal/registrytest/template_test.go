package registrytest

import (
	"strconv"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The templates used when seeding must produce exactly what encoding/json
// produces for the same manifests.
func TestTemplatesMatchJSON(t *testing.T) {
	for _, c := range []struct{ tag, gen string }{{"3.1.15-python3.12", "1"}, {"a", "123456789"}} {
		amd := newBlob(amd64ImageTemplate().fill(c.tag, c.gen))
		if want := ociImage(amd64Config(), annotations(c.tag, c.gen)); string(amd.data) != string(want.data) {
			t.Fatalf("amd64 image:\n%s\nwant\n%s", amd.data, want.data)
		}
		arm := newBlob(arm64ImageTemplate().fill(c.tag, c.gen))
		if want := ociImage(arm64Config(), annotations(c.tag, c.gen)); string(arm.data) != string(want.data) {
			t.Fatalf("arm64 image:\n%s\nwant\n%s", arm.data, want.data)
		}
		got := indexTemplate().fill(c.tag, c.gen, amd.digest.Hex, arm.digest.Hex, strconv.Itoa(len(amd.data)), strconv.Itoa(len(arm.data)))
		want := ociIndex(amd.descriptor(types.OCIManifestSchema1), arm.descriptor(types.OCIManifestSchema1), annotations(c.tag, c.gen))
		if string(got) != string(want.data) {
			t.Fatalf("index:\n%s\nwant\n%s", got, want.data)
		}
	}
}

func TestParsePath(t *testing.T) {
	for p, want := range map[string]path{
		"/v2/":                         {kind: kindPing, v2: true},
		"/v2":                          {kind: kindPing, v2: true},
		"/token":                       {kind: kindToken},
		"/v2/a/b/tags/list":            {kind: kindTags, v2: true, repo: "a/b"},
		"/v2/a/b/manifests/3-latest":   {kind: kindManifest, v2: true, repo: "a/b", ref: "3-latest"},
		"/v2/a/manifests/sha256:abc":   {kind: kindManifest, v2: true, repo: "a", ref: "sha256:abc"},
		"/v2/a/b/blobs/sha256:abc":     {kind: kindBlob, v2: true, repo: "a/b"},
		"/v2/a/b/blobs/uploads/":       {kind: kindBlob, v2: true, repo: "a/b"},
		"/v2/a/b/blobs/uploads/123":    {kind: kindBlob, v2: true, repo: "a/b"},
		"/v2/a/b/blobs/uploads":        {kind: kindBlob, v2: true, repo: "a/b"},
		"/v2/_catalog":                 {v2: true},
		"/v2/a/b/referrers/sha256:abc": {v2: true, repo: "a/b"},
		"/elsewhere":                   {},
	} {
		if got := parsePath(p); got != want {
			t.Errorf("parsePath(%q) = %+v, want %+v", p, got, want)
		}
	}
}
