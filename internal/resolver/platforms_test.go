package resolver

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registrytest"
)

func TestProvides(t *testing.T) {
	index := map[string]string{"linux/amd64": "sha256:1", "linux/arm64/v8": "sha256:2", "linux/arm/v6": "sha256:3", "linux/arm/v7": "sha256:4"}
	bare := map[string]string{"linux/amd64": "sha256:1", "linux/arm64": "sha256:2"}
	cases := []struct {
		platforms map[string]string
		want      string
		provided  bool
	}{
		{index, "linux/amd64", true},
		{index, "linux/arm64", true},    // published with a variant
		{index, "linux/arm64/v8", true}, // exactly
		{index, "linux/arm", true},      // two variants: either runs
		{index, "linux/arm/v7", true},
		{index, "linux/arm/v5", false},
		{index, "linux/amd64/v3", false}, // a variant asks for that very entry
		{index, "windows/amd64", false},
		{index, "linux/amd", false},    // no prefix match within a part
		{bare, "linux/arm64/v8", true}, // v8 is arm64's default: containerd/platforms drops it
		{bare, "linux/arm64/8", true},
		{bare, "linux/arm64/v9", false},
		{bare, "linux/amd64/v1", true}, // so is amd64's v1
		{bare, "linux/amd64/v2", false},
		{bare, "linux/arm64", true},
		{map[string]string{}, "linux/amd64", false},
		{nil, "linux/amd64", false},
	}
	for _, c := range cases {
		if got := Provides(c.platforms, c.want); got != c.provided {
			t.Errorf("Provides(%v, %q) = %v, want %v", c.platforms, c.want, got, c.provided)
		}
		// Whatever platform resolves is provided.
		if _, ok := MatchPlatform(c.platforms, c.want); ok && !Provides(c.platforms, c.want) {
			t.Errorf("%q resolves as platform in %v but is not provided", c.want, c.platforms)
		}
	}
}

func TestMissingPlatforms(t *testing.T) {
	both := map[string]string{"linux/amd64": "sha256:1", "linux/arm64": "sha256:2"}
	armOnly := map[string]string{"linux/arm64": "sha256:2"}
	cases := []struct {
		platforms map[string]string
		required  []string
		want      []string
	}{
		{both, []string{"linux/amd64", "linux/arm64"}, nil},
		{both, nil, nil},
		{armOnly, []string{"linux/amd64", "linux/arm64"}, []string{"linux/amd64"}},
		{armOnly, []string{"linux/s390x", "linux/amd64"}, []string{"linux/s390x", "linux/amd64"}}, // in the order asked
		{nil, []string{"linux/amd64"}, []string{"linux/amd64"}},
	}
	for _, c := range cases {
		if got := MissingPlatforms(c.platforms, c.required); !slices.Equal(got, c.want) {
			t.Errorf("MissingPlatforms(%v, %v) = %v, want %v", c.platforms, c.required, got, c.want)
		}
	}
}

func TestPlatformChanges(t *testing.T) {
	before := map[string]string{"linux/amd64": "sha256:a1", "linux/arm64": "sha256:b1", "linux/arm/v7": "sha256:c1"}
	cases := []struct {
		after map[string]string
		want  string
	}{
		{before, ""},
		{map[string]string{"linux/amd64": "sha256:a1", "linux/arm64": "sha256:b2", "linux/arm/v7": "sha256:c1"}, "linux/arm64 sha256:b1 → sha256:b2"},
		{map[string]string{"linux/arm64": "sha256:b2"}, "linux/amd64 removed (was sha256:a1); linux/arm/v7 removed (was sha256:c1); linux/arm64 sha256:b1 → sha256:b2"},
		{map[string]string{"linux/amd64": "sha256:a1", "linux/arm64": "sha256:b1", "linux/arm/v7": "sha256:c1", "linux/s390x": "sha256:d"}, "linux/s390x added (sha256:d)"},
	}
	for _, c := range cases {
		if got := PlatformChanges(before, c.after); got != c.want {
			t.Errorf("PlatformChanges(…, %v) = %q, want %q", c.after, got, c.want)
		}
	}
	if got := PlatformChanges(nil, map[string]string{"linux/amd64": "sha256:a"}); got != "linux/amd64 added (sha256:a)" {
		t.Errorf("from nothing: %q", got)
	}
}

func TestResolveRequiredPlatforms(t *testing.T) {
	f := newFake()
	f.platforms = map[string]string{"linux/arm64": "sha256:2"}
	req := Request{Repository: "prefecthq/prefect", Selector: selector(t, "3.1.15", "3.12", ""), RequiredPlatforms: []string{"linux/amd64", "linux/arm64"}}
	_, err := New(f).Resolve(context.Background(), req)
	var missing *MissingPlatformsError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v, want a *MissingPlatformsError", err)
	}
	if want := "prefecthq/prefect:3.1.15-python3.12@sha256:a lacks linux/amd64; it has linux/arm64."; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if missing.PrefectVersion != "3.1.15" || !slices.Equal(missing.Missing, []string{"linux/amd64"}) {
		t.Errorf("%+v", missing)
	}
	// The required platforms are checked before platform is matched.
	req.Platform = "linux/amd64"
	if _, err := New(f).Resolve(context.Background(), req); !errors.As(err, &missing) {
		t.Errorf("with platform: err = %v, want a *MissingPlatformsError", err)
	}
	f.platforms = map[string]string{"linux/amd64": "sha256:1", "linux/arm64/v8": "sha256:2"}
	req.Platform = ""
	pin, err := New(f).Resolve(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(pin.PlatformDigests) != 2 || pin.PlatformDigest != "" {
		t.Errorf("pin %+v: want platform_digests, and no platform_digest without platform", pin)
	}
}

// Through the registry client: attestation entries provide no platform, and
// a single-manifest image provides its config's.
func TestResolveRequiredPlatformsOnRegistry(t *testing.T) {
	reg := registrytest.New(t)
	repo := reg.Host() + "/prefecthq/prefect"
	if _, err := reg.PushPlatforms("prefecthq/prefect", "2.20.21-python3.10", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushSingle("prefecthq/prefect", "2.7.9-python3.10", "linux/amd64"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.PushPlatforms("prefecthq/prefect", "3.4.2-python3.12", "linux/amd64", "linux/arm64/v8"); err != nil {
		t.Fatal(err)
	}
	client, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain()})
	if err != nil {
		t.Fatal(err)
	}
	r := New(client)
	both := []string{"linux/amd64", "linux/arm64"}
	cases := []struct {
		tag      string
		required []string
		err      string // "" for no error
	}{
		{"2.20.21-python3.10", both, "2.20.21-python3.10@sha256:"},
		{"2.20.21-python3.10", []string{"unknown/unknown"}, "lacks unknown/unknown; it has linux/arm64."},
		{"2.7.9-python3.10", []string{"linux/amd64"}, ""},
		{"2.7.9-python3.10", both, "lacks linux/arm64; it has linux/amd64."},
		{"3.4.2-python3.12", both, ""},
		{"3.4.2-python3.12", []string{"linux/arm64/v8"}, ""},
		// docker buildx publishes arm64 without a variant (Prefect's
		// images are built so); linux/arm64/v8 is that very platform.
		{"2.20.21-python3.10", []string{"linux/arm64/v8"}, ""},
		{"2.20.21-python3.10", []string{"linux/arm64/v9"}, "lacks linux/arm64/v9; it has linux/arm64."},
	}
	for _, c := range cases {
		reg.ResetCounts()
		pin, err := r.Resolve(context.Background(), Request{Repository: repo, Tag: c.tag, RequiredPlatforms: c.required})
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s %v: %v", c.tag, c.required, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s %v: err = %v, want one containing %q", c.tag, c.required, err, c.err)
		case c.err == "" && (pin.PlatformDigests == nil || pin.Digest == ""):
			t.Errorf("%s %v: pin %+v", c.tag, c.required, pin)
		}
	}
	// The client remembers what it read: asking again makes no request.
	reg.ResetCounts()
	if _, err := r.Resolve(context.Background(), Request{Repository: repo, Tag: "3.4.2-python3.12", RequiredPlatforms: both}); err != nil {
		t.Fatal(err)
	}
	if c := reg.Counts(); c.Get != 0 || c.Head != 0 {
		t.Errorf("a second resolution made %d HEADs and %d GETs, want none: %v", c.Head, c.Get, reg.Requests())
	}
}

// platform = "linux/arm64/v8", the spelling docker buildx imagetools
// inspect shows for Docker's official images and the one the platform
// validator's hint gives, resolves against an index whose arm64 entry has
// no variant, as BuildKit writes Prefect's: Docker and containerd take
// linux/arm64/v8 and linux/arm64 for one platform (containerd/platforms
// database.go; crazy-max/docker-fail2ban#170, buildkite/cleanroom#95). It
// was "has no image for platform linux/arm64/v8; it has linux/amd64,
// linux/arm64".
func TestResolvePlatformDefaultVariant(t *testing.T) {
	reg := registrytest.New(t)
	repo := reg.Host() + "/prefecthq/prefect"
	if _, err := reg.PushPlatforms("prefecthq/prefect", "3.4.3-python3.12", "linux/amd64", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	byPlatform, err := reg.PlatformDigests("prefecthq/prefect", "3.4.3-python3.12")
	if err != nil {
		t.Fatal(err)
	}
	client, err := registry.New(registry.Config{Keychain: authn.NewMultiKeychain()})
	if err != nil {
		t.Fatal(err)
	}
	for platform, key := range map[string]string{"linux/arm64/v8": "linux/arm64", "linux/amd64/v1": "linux/amd64"} {
		pin, err := New(client).Resolve(context.Background(), Request{
			Repository: repo, Tag: "3.4.3-python3.12", Platform: platform, RequiredPlatforms: []string{platform},
		})
		if err != nil {
			t.Errorf("%s: %v", platform, err)
			continue
		}
		if pin.PlatformDigest == "" || pin.PlatformDigest != byPlatform[key] {
			t.Errorf("%s: platform_digest %s, want %s's %s", platform, pin.PlatformDigest, key, byPlatform[key])
		}
	}
}

// PinWithPlatforms gives what PinAt gives when the registry would answer
// with those platforms: the same pin, or the same kind of error.
func TestPinWithPlatformsAgreesWithPinAt(t *testing.T) {
	both := map[string]string{"linux/amd64": "sha256:1", "linux/arm64/v8": "sha256:2"}
	armOnly := map[string]string{"linux/arm64": "sha256:2"}
	required := []string{"linux/amd64", "linux/arm64"}
	for _, c := range []struct {
		platforms map[string]string
		req       Request
	}{
		{both, Request{}},
		{both, Request{RequiredPlatforms: required}},
		{both, Request{Platform: "linux/arm64"}},
		{both, Request{Platform: "linux/s390x"}},
		{armOnly, Request{RequiredPlatforms: required}},
		{armOnly, Request{Platform: "linux/amd64", RequiredPlatforms: required}},
	} {
		c.req.Repository = "prefecthq/prefect"
		f := newFake()
		f.platforms = c.platforms
		want, wantErr := New(f).PinAt(context.Background(), c.req, "3.1.15-python3.12", "sha256:a")
		got, err := PinWithPlatforms(c.req, "3.1.15-python3.12", "sha256:a", c.platforms, 0)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Errorf("%+v: err = %v, PinAt's %v", c.req, err, wantErr)
		}
		if got.Digest != want.Digest || got.TaggedRef != want.TaggedRef || got.PlatformDigest != want.PlatformDigest ||
			got.PlatformRef != want.PlatformRef || len(got.PlatformDigests) != len(want.PlatformDigests) {
			t.Errorf("%+v: pin = %+v, PinAt's %+v", c.req, got, want)
		}
	}
}
