package registrytest_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

func TestPushPlatforms(t *testing.T) {
	r := registrytest.New(t)
	const tag = "2.20.21-python3.10"
	d, err := r.PushPlatforms(repo, tag, "linux/arm64/v8")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Digest(repo, tag); got != d {
		t.Errorf("Digest = %s, want %s", got, d)
	}
	pd, err := r.PlatformDigests(repo, tag)
	if err != nil {
		t.Fatal(err)
	}
	if len(pd) != 1 || pd["linux/arm64/v8"] == "" {
		t.Errorf("PlatformDigests = %v, want linux/arm64/v8 alone", pd)
	}
	// A whole image, as go-containerregistry reads it, with its attestation.
	idx, err := remote.Index(ref(t, r, tag))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 2 || im.Manifests[1].Platform.String() != "unknown/unknown" {
		t.Fatalf("index %+v %v", im, err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if cf, err := img.ConfigFile(); err != nil || cf.Architecture != "arm64" || cf.Variant != "v8" {
		t.Errorf("config %+v %v", cf, err)
	}
	if _, err := r.PushPlatforms(repo, tag, "linux"); err == nil {
		t.Error("PushPlatforms accepted the platform \"linux\"")
	}
}

func TestRepushPlatform(t *testing.T) {
	r := registrytest.New(t)
	const tag = "3.4.2-python3.12"
	if err := r.Seed(repo, []string{tag}); err != nil {
		t.Fatal(err)
	}
	before, _ := r.Digest(repo, tag)
	pdBefore, _ := r.PlatformDigests(repo, tag)
	after, err := r.RepushPlatform(repo, tag, "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	pdAfter, _ := r.PlatformDigests(repo, tag)
	if after == before || pdAfter["linux/arm64"] == pdBefore["linux/arm64"] || pdAfter["linux/amd64"] != pdBefore["linux/amd64"] || len(pdAfter) != 2 {
		t.Errorf("index %s -> %s, platforms %v -> %v: want a new index, a new arm64 image and amd64 kept", before, after, pdBefore, pdAfter)
	}
	// A platform the index lacks is added.
	if _, err := r.RepushPlatform(repo, tag, "linux/s390x"); err != nil {
		t.Fatal(err)
	}
	pdAdded, _ := r.PlatformDigests(repo, tag)
	delete(pdAdded, "linux/s390x")
	if !maps.Equal(pdAdded, pdAfter) {
		t.Errorf("platforms %v, want %v and linux/s390x", pdAdded, pdAfter)
	}
	if _, err := r.RepushPlatform(repo, "9.9.9-python3.12", "linux/amd64"); !errors.Is(err, registrytest.ErrNotFound) {
		t.Errorf("RepushPlatform of a missing tag: %v", err)
	}
}
