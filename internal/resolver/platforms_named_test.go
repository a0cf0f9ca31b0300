package resolver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

// The image's platforms are read by the digest its tag points at. When that
// read fails, the error names the tag the user gave or the selector chose,
// not the digest alone, which no configuration holds ("Could not read the
// manifest of digest sha256:… in repository …" was all it said), and stays
// the registry's error (status, classification) underneath.
func TestResolvePlatformsUnreadNamesTheTag(t *testing.T) {
	reg := registrytest.New(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if registrytest.KindOf(r) == "get" && strings.Contains(r.URL.Path, "/manifests/sha256:") {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	const tag = "3.4.2-python3.12"
	if err := reg.Seed("prefecthq/prefect", []string{tag}); err != nil {
		t.Fatal(err)
	}
	digest, err := reg.Digest("prefecthq/prefect", tag)
	if err != nil {
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	for _, req := range []Request{
		{Repository: repo, Tag: tag, RequiredPlatforms: []string{"linux/amd64"}},
		{Repository: repo, Tag: tag, Platform: "linux/amd64"},
		{Repository: repo, Selector: selector(t, "~> 3.4.0", "3.12", ""), RequiredPlatforms: []string{"linux/amd64"}},
	} {
		_, err := New(newClient(t)).Resolve(context.Background(), req)
		if err == nil {
			t.Fatalf("%+v: no error", req)
		}
		if !strings.Contains(err.Error(), tag) || !strings.Contains(err.Error(), digest) {
			t.Errorf("%+v: err = %q, want one naming the tag %s and its digest %s", req, err, tag, digest)
		}
		var re *registry.Error
		if !errors.As(err, &re) || !registry.IsNotFound(err) || !re.ByDigest() {
			t.Errorf("%+v: err = %v, want the registry's 404 to the manifest by digest underneath", req, err)
		}
	}
	// By digest alone (PinAt of an imported pin without a tag), the digest
	// is all there is to name.
	_, err = New(newClient(t)).PinAt(context.Background(), Request{Repository: repo, RequiredPlatforms: []string{"linux/amd64"}}, "", digest)
	if err == nil || !strings.Contains(err.Error(), digest) {
		t.Errorf("by digest: err = %v", err)
	}
}

// platform names the tag and the digest it points at when the image has no
// manifest for it: the tag alone (3-latest, a selector's choice) moves,
// and the error said which image it looked at only by the tag.
func TestResolvePlatformErrorNamesTheDigest(t *testing.T) {
	f := newFake()
	for name, platforms := range map[string]map[string]string{
		"other":     {"linux/amd64": "sha256:1"},
		"none":      {},
		"ambiguous": {"linux/arm64": "sha256:2", "linux/arm64/v8": "sha256:3"},
	} {
		f.platforms = platforms
		_, err := New(f).Resolve(context.Background(), Request{Repository: "prefecthq/prefect", Tag: "3-latest", Platform: "linux/arm64"})
		var pe *PlatformError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "prefecthq/prefect:3-latest@sha256:f ") {
			t.Errorf("%s: err = %v, want a *PlatformError naming prefecthq/prefect:3-latest@sha256:f", name, err)
		}
	}
}

// 32-bit arm's default variant is v7 to containerd, and so to docker pull
// --platform: an index entry linux/arm (no variant, as docker manifest
// annotate writes one without --variant) is linux/arm/v7, linux/arm asks
// for v7 where v6 and v7 are both published, and linux/arm/7 is
// linux/arm/v7. An index with linux/arm "lacked the required
// linux/arm/v7", and platform = "linux/arm" was "not published" by an
// index of linux/arm/v6 and linux/arm/v7.
func TestPlatformArmDefaultVariant(t *testing.T) {
	bareArm := map[string]string{"linux/amd64": "sha256:1", "linux/arm": "sha256:7"}
	armVariants := map[string]string{"linux/arm/v6": "sha256:6", "linux/arm/v7": "sha256:7"}
	v6Only := map[string]string{"linux/arm/v6": "sha256:6"}
	for _, c := range []struct {
		platforms map[string]string
		want      string
		digest    string // "" for no match
		provided  bool
	}{
		{bareArm, "linux/arm/v7", "sha256:7", true},
		{bareArm, "linux/arm/7", "sha256:7", true},
		{bareArm, "linux/arm", "sha256:7", true},
		{bareArm, "linux/arm/v6", "", false},
		{armVariants, "linux/arm", "sha256:7", true},
		{armVariants, "linux/arm/7", "sha256:7", true},
		{armVariants, "linux/arm/6", "sha256:6", true},
		{armVariants, "linux/arm/v5", "", false},
		{v6Only, "linux/arm", "sha256:6", true}, // the one arm there is
		{v6Only, "linux/arm/v7", "", false},
	} {
		if got := Provides(c.platforms, c.want); got != c.provided {
			t.Errorf("Provides(%v, %q) = %v, want %v", c.platforms, c.want, got, c.provided)
		}
		got, ok := MatchPlatform(c.platforms, c.want)
		if got != c.digest || ok != (c.digest != "") {
			t.Errorf("MatchPlatform(%v, %q) = %q, %v; want %q", c.platforms, c.want, got, ok, c.digest)
		}
	}
	// linux/arm and linux/arm/v7 listed with different images are one
	// platform listed twice.
	twice := map[string]string{"linux/arm": "sha256:1", "linux/arm/v7": "sha256:2"}
	if _, ok := MatchPlatform(twice, "linux/arm/v7"); ok {
		t.Errorf("MatchPlatform(%v, linux/arm/v7) matched one", twice)
	}
	if got := AmbiguousPlatforms(twice, "linux/arm/v7"); len(got) != 2 {
		t.Errorf("AmbiguousPlatforms(%v, linux/arm/v7) = %v, want both", twice, got)
	}
}

// An index whose entries are all attestations (which docker buildx
// imagetools inspect lists, some with a platform) has no platform; the
// error said "it has no platform at all" and nothing of what the index
// does list, which reads as an index with no entry.
func TestPlatformsOfAnIndexOfAttestationsOnly(t *testing.T) {
	reg := registrytest.New(t)
	const tag = "3.4.2-python3.12"
	if _, err := reg.PushPlatforms("prefecthq/prefect", tag); err != nil { // the attestation alone
		t.Fatal(err)
	}
	repo := reg.Host() + "/prefecthq/prefect"
	const note = "no platform at all: its index lists one entry, and that is no image of a platform (an attestation, an artifact, or an entry that names no platform)"
	for _, req := range []Request{
		{Repository: repo, Tag: tag, RequiredPlatforms: []string{"linux/amd64"}},
		{Repository: repo, Tag: tag, Platform: "linux/amd64"},
	} {
		_, err := New(newClient(t)).Resolve(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), note) {
			t.Errorf("%+v: err = %v, want one saying %q", req, err, note)
		}
	}
	// An image of a platform: nothing is said of the attestation beside it.
	if _, err := reg.PushPlatforms("prefecthq/prefect", tag, "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	_, err := New(newClient(t)).Resolve(context.Background(), Request{Repository: repo, Tag: tag, RequiredPlatforms: []string{"linux/amd64"}})
	if err == nil || !strings.HasSuffix(err.Error(), "lacks linux/amd64; it has linux/arm64.") {
		t.Errorf("arm64 and an attestation: err = %v", err)
	}
}
